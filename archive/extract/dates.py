"""Dates as written in Chinese minutes, with their precision kept.

General-purpose parsers (dateparser, jionlp, cn2an) were measured wrong on this
text (12月6日 -> None, 第一时间 -> 01:00, 一是 -> 1是), so the forms seen in the
corpora are matched here directly and validated:

    2023年  2023年12月  2023年12月6日  12月6日  12月6号  十二月六日
    二〇二三年十二月六日  一九九七年  2023-12-06  2023.12.6  2023/12/6

Template placeholders (20xx年, x年11月8日, 20\\*年, ××年, xx月, 某月) are unknown
parts, never a real year. A mention with no known part at all is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

YEAR_MIN, YEAR_MAX = 1800, 2100  # the party-congress reports start in 1921
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


@dataclass(frozen=True)
class PartialDate:
    year: int | None
    month: int | None
    day: int | None
    text: str  # the words as written, e.g. "12月6日"
    year_inferred: bool = False

    def with_year(self, year: int) -> PartialDate:
        """Fill an unknown year (e.g. from the document title), marking it inferred."""
        if self.year is not None:
            return self
        return PartialDate(year, self.month, self.day, self.text, year_inferred=True)

    def as_json(self) -> dict:
        return {"year": self.year, "month": self.month, "day": self.day,
                "text": self.text, "year_inferred": self.year_inferred}

    @classmethod
    def from_json(cls, data: dict) -> PartialDate:
        return cls(data.get("year"), data.get("month"), data.get("day"),
                   data.get("text", ""), bool(data.get("year_inferred", False)))

    def sort_key(self) -> int:
        """YYYYMMDD with 0 for unknown parts."""
        return (self.year or 0) * 10000 + (self.month or 0) * 100 + (self.day or 0)


# Full-width forms to ASCII, one character for one, so offsets (and so `text`) hold.
_NORMALIZE = str.maketrans("０１２３４５６７８９．－／＊ＸｘＯ", "0123456789.-/*XxO")

_CN_DIGIT = {"〇": 0, "零": 0, "○": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4,
             "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUM = "〇零○一二三四五六七八九十百千万两几"
# One unknown character of a template: x, ×, *, 20\* (markdown-escaped), □ (lost glyph), 某.
_PH = r"(?:\\?\*|[xX×□某])"

_SP = r"[ \u3000]{0,2}"  # law texts print "2021年1月 1日", "2015年12月3  日"
_YEAR = (rf"(?P<Y>(?P<y>\d{{4}}|[〇零○O一二三四五六七八九]{{4}}"
         rf"|[\d〇零○一二三四五六七八九]{{0,3}}{_PH}{{1,4}}){_SP}年)(?![龄级]){_SP}")
_MONTH = rf"(?P<M>(?P<m>1[0-2]|0?[1-9]|\d{{2}}|十[一二]?|[一二三四五六七八九]|{_PH}{{1,2}}){_SP}月)(?!度|革命){_SP}"
_DAY = (rf"(?P<D>(?P<d>\d{{1,2}}|[一二三]?十[一二三四五六七八九]?|廿[一二三四五六七八九]?"
        rf"|卅一?|[一二三四五六七八九]|{_PH}{{1,2}}){_SP}[日号])")

# Every part optional, so the empty match is skipped; the lookahead keeps the
# scan from stopping at every character.
_CJK_DATE = re.compile(
    rf"(?<![\dA-Za-z.{_CN_NUM}])(?=[\d{_CN_NUM}廿卅xX×□某\\*])"
    rf"(?:{_YEAR})?(?:{_MONTH}(?:{_DAY})?)?")
_NUMERIC_DATE = re.compile(
    r"(?<![\d.\-/])(?P<y>\d{4})(?P<sep>[-./])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?![\d])(?!\.\d)")

# A bare month after these is a word, not a date: 统一月, 最后一月, 第3月.
_NOT_MONTH_AFTER = set("第统唯单同逐每整划均专这那哪上下前后个几半近")
# 7、8月份 / 3至5月: the end of a month range; skipped rather than half-read.
_RANGE_END = re.compile(r"\d\s*[、,，\-~～—至到]\s*$")
_LUNAR = re.compile(r"(?:农历|阴历)$")


def _small_number(s: str) -> int | None:
    """1..39 in Arabic or Chinese numerals (十, 十二, 二十三, 廿一, 卅)."""
    if s.isdigit():
        return int(s)
    s = s.replace("廿", "二十").replace("卅", "三十")
    if "十" in s:
        tens, _, units = s.partition("十")
        return (_CN_DIGIT[tens] if tens else 1) * 10 + (_CN_DIGIT[units] if units else 0)
    return _CN_DIGIT.get(s)


def _year_number(s: str) -> int | None:
    if s.isdigit():
        return int(s)
    if all(c in _CN_DIGIT for c in s):
        return int("".join(str(_CN_DIGIT[c]) for c in s))
    return None


def _is_placeholder(s: str) -> bool:
    return re.search(_PH, s) is not None


def _days_in(month: int, year: int | None) -> int:
    if month == 2 and year is not None and not (year % 4 == 0 and (year % 100 or year % 400 == 0)):
        return 28
    return _DAYS_IN_MONTH[month - 1]


def _from_cjk(m: re.Match, norm: str, original: str):
    """(start, end, date) of a match, each part validated: a bad year is skipped
    (5000年3月 -> 3月); a bad month or day ends the date (2023年13月 -> 2023年)."""
    year = month = day = None
    start = end = m.start()
    if m.group("Y"):
        raw = m.group("y")
        if not _is_placeholder(raw):
            year = _year_number(raw)
            if not YEAR_MIN <= year <= YEAR_MAX:
                if not m.group("M"):
                    return None
                year, start = None, m.start("M")
        end = m.end("Y")
    if m.group("M"):
        if start == m.start("M"):
            # A month not anchored by a year: reject words and ranges that look like one.
            before = norm[max(0, start - 6):start]
            if before and (before[-1] in _NOT_MONTH_AFTER or _RANGE_END.search(before)
                           or _LUNAR.search(before)):
                return None
        raw = m.group("m")
        if not _is_placeholder(raw):
            month = _small_number(raw)
            if not 1 <= month <= 12:
                return _finish(year, None, None, original, start, end)
        end = m.end("M")
    if m.group("D"):
        raw = m.group("d")
        if not _is_placeholder(raw):
            day = _small_number(raw)
            if not 1 <= day <= (_days_in(month, year) if month else 31):
                return _finish(year, month, None, original, start, end)
        end = m.end("D")
    return _finish(year, month, day, original, start, end)


def _finish(year, month, day, original, start, end):
    if year is None and month is None and day is None:
        return None
    return start, end, PartialDate(year, month, day, original[start:end])


def _from_numeric(m: re.Match, original: str) -> PartialDate | None:
    year, month, day = int(m.group("y")), int(m.group("m")), int(m.group("d"))
    if not (YEAR_MIN <= year <= YEAR_MAX and 1 <= month <= 12 and 1 <= day <= _days_in(month, year)):
        return None  # 1234.56.78 is a number, not a bad date
    return PartialDate(year, month, day, original[m.start():m.end()])


def _mentions(text: str) -> list[tuple[int, int, PartialDate]]:
    """(start, end, date) of every mention, in order of position."""
    norm = text.translate(_NORMALIZE)
    found = []
    for m in _NUMERIC_DATE.finditer(norm):
        d = _from_numeric(m, text)
        if d:
            found.append((m.start(), m.end(), d))
    numeric = [(s, e) for s, e, _ in found]
    for m in _CJK_DATE.finditer(norm):
        if m.start() == m.end() or any(s < m.end() and m.start() < e for s, e in numeric):
            continue
        hit = _from_cjk(m, norm, text)
        if hit:
            found.append(hit)
    found.sort(key=lambda t: t[0])
    return found


def find_dates(text: str) -> list[PartialDate]:
    """Every date mention in `text`, in order."""
    return [d for _, _, d in _mentions(text)]


# --- the date a paragraph reports an event on -------------------------------

_EVENT = re.compile(r"召开|举行|举办|召集|开幕|闭幕|会议|会上|大会|座谈")
# Words between a date and its comma that keep it an event date: 12月5日下午，3月上旬，
_TIME_OF_DAY = re.compile(r"(?:上午|下午|晚上|晚间|早上|早晨|中午|凌晨|傍晚|晚|上旬|中旬|下旬|初|份)?")
# A date followed or preceded by these is a deadline or a period, not an event;
# 去年/明年 would also make the title's year wrong.
_NOT_EVENT_AFTER = re.compile(r"底|末|前|之前|以前|为止|止|起|以来|以后|之后|后|至|到|—|-|~|～")
_NOT_EVENT_BEFORE = re.compile(r"(?:截止|截至|至|到|自|从|直到|直至|前|去年|明年)$")
_SENTENCE_END = re.compile(r"[。！？；!?;\n]")
_CLAUSE_END = re.compile(r"[，,：:。！？；!?;\n]")
_ATTACH_CHARS = 40  # how far after a date its 召开/会议 may stand, within the clause


def event_date(text: str) -> PartialDate | None:
    """The date the paragraph reports an event on, or None.

    Only the first sentence counts, and it must name a meeting or event. Its date
    (month at least) either leads the paragraph ("12月5日下午，…召开…会议") or is
    followed in its clause by the event word ("乡政府于4月16日召开…"). Deadlines
    (12月底之前, 12月31日前, 截至9月16日) and passing mentions are not events.
    """
    body = text.strip()
    end = _SENTENCE_END.search(body)
    sentence = body[:end.start()] if end else body
    if not _EVENT.search(sentence):
        return None
    for start, stop, d in _mentions(sentence):
        if d.month is None:
            continue
        clause_end = _CLAUSE_END.search(sentence, stop)
        after = sentence[_TIME_OF_DAY.match(sentence, stop).end():
                         clause_end.start() if clause_end else len(sentence)]
        if _NOT_EVENT_AFTER.match(after) or _NOT_EVENT_BEFORE.search(sentence[:start]):
            continue
        leads = sentence[:start].strip() in ("", "今年") and not after.strip()
        if leads or _EVENT.search(after[:_ATTACH_CHARS]):
            return d
    return None


def title_year(text: str) -> int | None:
    """The year a title states ("2023年环境整治工作会议记录" -> 2023); placeholders give None."""
    for d in find_dates(text):
        if d.year is not None:
            return d.year
    return None
