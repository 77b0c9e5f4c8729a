"""Dates as written in Chinese minutes, with their precision kept.

General-purpose parsers (dateparser, jionlp, cn2an) were measured wrong on this
text (12月6日 -> None or today, 第一时间 -> 01:00, 一是 -> 1是) and dateparser ~250x
slower, so the forms seen in the corpora are matched here directly and validated:

    2023年  2023年12月  2023年12月6日  12月6日  12月6号  十二月六日  (12日上午，… with the page's month)
    二〇二三年十二月六日  二○二三年元月廿五日  2023年3月2-3日  一九九七年  2023-12-06  2023.12.6  2023. 12. 6
    2023/12/6  20231206
    28-10-2020  10/28/2020  June 10, 2021  Feb.22, 2022  10 Jun 2021  2020 Sep 24th

Template placeholders (20xx年, x年11月8日, 20\\*年, ××年, xx月, 某月) are unknown
parts, never a real year. A mention with no known part at all is dropped.
Version numbers (22.03, 5.1.1, v2.0.3), times, CVE and ticket ids are not dates:
a numeric date needs a four-digit year and stands clear of letters, digits and
other separators.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, replace

from ..ingest.split import ENGLISH_SENTENCE

YEAR_MIN, YEAR_MAX = 1800, 2100  # the party-congress reports start in 1921
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


@dataclass(frozen=True)
class PartialDate:
    year: int | None
    month: int | None
    day: int | None
    text: str  # the words as written, e.g. "12月6日"
    year_inferred: bool = False
    source: str = "text"  # where the words stand: "text", "title", "filename" or "front matter"

    def with_year(self, year: int) -> PartialDate:
        """Fill an unknown year (from the title or file name), marking it inferred."""
        if self.year is not None:
            return self
        return replace(self, year=year, year_inferred=True)

    def from_source(self, source: str) -> PartialDate:
        return replace(self, source=source)

    def precision(self) -> int:
        """How many of year, month, day are known."""
        return (self.year is not None) + (self.month is not None) + (self.day is not None)

    def as_json(self) -> dict:
        return {"year": self.year, "month": self.month, "day": self.day,
                "text": self.text, "year_inferred": self.year_inferred, "source": self.source}

    @classmethod
    def from_json(cls, data: dict) -> PartialDate:
        return cls(data.get("year"), data.get("month"), data.get("day"),
                   data.get("text", ""), bool(data.get("year_inferred", False)),
                   data.get("source", "text"))

    def sort_key(self) -> int:
        """YYYYMMDD with 0 for unknown parts."""
        return (self.year or 0) * 10000 + (self.month or 0) * 100 + (self.day or 0)


# Full-width forms to ASCII, one character for one, so offsets (and so `text`) hold.
_NORMALIZE = str.maketrans("０１２３４５６７８９．－／＊ＸｘＯ", "0123456789.-/*XxO")
_FULL_WIDTH = re.compile("[０-９．－／＊ＸｘＯ]")  # translating only text that has them is 10x faster
_MAYBE_DATE = re.compile("[0-9０-９年月]")  # every form has one of these; most headings have none

_CN_DIGIT = {"〇": 0, "零": 0, "○": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4,
             "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUM = "〇零○一二三四五六七八九十百千万两几"
# One unknown character of a template: x, ×, *, 20\* (markdown-escaped), □ (lost glyph), 某.
_PH = r"(?:\\?\*|[xX×□某])"

_SP = r"[ \u3000]{0,2}"  # law texts print "2021年1月 1日", "2015年12月3  日"
_YEAR = (rf"(?P<Y>(?P<y>\d{{4}}|[〇零○O一二三四五六七八九]{{4}}"
         rf"|[\d〇零○一二三四五六七八九]{{0,3}}{_PH}{{1,4}}){_SP}年)(?![龄级]){_SP}")
_MONTH = rf"(?P<M>(?P<m>1[0-2]|0?[1-9]|\d{{2}}|十[一二]?|[一二三四五六七八九元]|{_PH}{{1,2}}){_SP}月)(?!度|革命){_SP}"
_DAY_NUMBER = r"\d{1,2}|[一二三]?十[一二三四五六七八九]?|廿[一二三四五六七八九]?|卅一?|[一二三四五六七八九]"
# A span of days in one month (2023年3月2-3日, 三月二至三日) is dated by its first day.
_DAY = (rf"(?P<D>(?P<d>{_DAY_NUMBER}|{_PH}{{1,2}})(?:{_SP}[-~～—–至到]{_SP}(?:{_DAY_NUMBER}))?{_SP}[日号])")

# Every part optional, so the empty match is skipped; the lookahead keeps the
# scan from stopping at every character.
_CJK_DATE = re.compile(
    rf"(?=[\d{_CN_NUM}廿卅元xX×□某\\*])(?<![\dA-Za-z.{_CN_NUM}])"
    rf"(?:{_YEAR})?(?:{_MONTH}(?:{_DAY})?)?")
# Numbers stand clear of letters (v2.0.3, CVE-2022-23491), digits, currency and further
# separators (5.1.1, 2024-04-19-001, URL paths), so a version or an id is no date; eight
# digits are a date only standing alone (| 20240419 |), not in words (编号20240419, 20231025元).
# Each scan looks ahead for its first character before it looks behind: 3x faster.
_NUMERIC_DATE = re.compile(
    r"(?=\d)(?<![\dA-Za-z_.\-/#@$¥￥])(?:"
    r"(?P<y>\d{4})(?P<sep>[-./]|\. )(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})"  # 2024-04-19 2024/4/19 2024.04.19 2024. 4. 19
    r"|(?P<a>\d{1,2})(?P<sep2>[-./])(?P<b>\d{1,2})(?P=sep2)(?P<y2>\d{4})"  # 28-10-2020 10/28/2020
    r"|(?<![\u3400-\u9fff])(?P<y3>(?:19|20)\d\d)(?P<m3>[01]\d)(?P<d3>[0-3]\d)(?![\u3400-\u9fff])"  # 20240419
    r")(?!\d|[.\-/]\d)")
_MON = (r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
        r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?")
_TH = r"(?:st|nd|rd|th)?"
_ENGLISH_DATE = re.compile(
    rf"(?=[A-Za-z\d])(?<![A-Za-z\d])(?:"
    rf"(?P<m1>{_MON})\.?\s*(?P<d1>\d{{1,2}}){_TH},?\s*(?P<y1>\d{{4}})"  # June 10, 2021  Feb.22, 2022
    rf"|(?P<d2>\d{{1,2}}){_TH}(?:\s+of)?(?:\s+|-)(?P<m2>{_MON})\.?,?(?:\s+|-)(?P<y2>\d{{4}})"  # 10 Jun 2021  10-Jun-2021
    rf"|(?P<y3>\d{{4}})\s+(?P<m3>{_MON})\.?\s+(?P<d3>\d{{1,2}}){_TH}"  # 2020 Sep 24th
    rf"|(?P<m4>{_MON})\.?,?\s+(?P<y4>\d{{4}})"  # June 2021
    rf"|(?P<m5>{_MON})\.?\s*(?P<d5>\d{{1,2}}){_TH}(?![:.]?\d)"  # Dec 11 (the year from the title)
    rf")(?![A-Za-z\d])", re.IGNORECASE)
_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

# A bare month after these is a word, not a date: 统一月, 最后一月, 第3月.
_NOT_MONTH_AFTER = set("第统唯单同逐每整划均专这那哪上下前后个几半近")
# 7、8月份 / 3至5月: the end of a month range; skipped rather than half-read.
_RANGE_END = re.compile(r"\d\s*[、,，\-~～—至到]\s*$")
_LUNAR = re.compile(r"(?:农历|阴历)$")


def _small_number(s: str) -> int | None:
    """1..39 in Arabic or Chinese numerals (十, 十二, 二十三, 廿一, 卅)."""
    if s.isdigit():
        return int(s)
    if s == "元":  # 元月: January
        return 1
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
            if m.group("m") == "元" and not m.group("D"):  # 元月 alone may be 美元月…; with its day a date
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


def _valid(year, month, day, text) -> PartialDate | None:
    if not (YEAR_MIN <= year <= YEAR_MAX and 1 <= month <= 12 and 1 <= day <= _days_in(month, year)):
        return None  # 1234.56.78 is a number, not a bad date
    return PartialDate(year, month, day, text)


def _from_numeric(m: re.Match, original: str, day_first: bool | None) -> PartialDate | None:
    text = original[m.start():m.end()]
    if m.group("y"):
        return _valid(int(m.group("y")), int(m.group("m")), int(m.group("d")), text)
    if m.group("y3"):
        return _valid(int(m.group("y3")), int(m.group("m3")), int(m.group("d3")), text)
    named = weekday(original[m.end():m.end() + _WEEKDAY_AFTER])  # `12/11/2022 (Sunday)`, `05-01-2021 周三`
    return _day_month(int(m.group("a")), int(m.group("b")), int(m.group("y2")), text, day_first, named)


_WEEKDAY_AFTER = 16  # how far after an ambiguous date the weekday that settles it may stand


def _day_month(a: int, b: int, year: int, text: str, day_first: bool | None,
               named: int | None = None) -> PartialDate | None:
    """a-b-year, day first when a cannot be a month, the text writes day first, or the weekday `named`
    after it (Monday 0) is the day of one reading only."""
    if 1 <= a <= 12 and 1 <= b <= 12 and a != b:
        if day_first is None and named is not None:
            fits = [d for d in (_valid(year, b, a, text), _valid(year, a, b, text))
                    if d and datetime.date(d.year, d.month, d.day).weekday() == named]
            if len(fits) == 1:
                return fits[0]
        if day_first is None:  # 05-01-2021: 5 January or 1 May; only the year is sure
            return PartialDate(year, None, None, text) if YEAR_MIN <= year <= YEAR_MAX else None
        first_is_day = day_first
    else:
        first_is_day = a > 12
    return _valid(year, b, a, text) if first_is_day else _valid(year, a, b, text)


def _from_english(m: re.Match, original: str) -> PartialDate | None:
    n = next(i for i in (1, 2, 3, 4, 5) if m.group(f"m{i}"))
    month = _MONTH_NAMES.index(m.group(f"m{n}")[:3].lower()) + 1
    text = original[m.start():m.end()]
    if n == 4:  # a month and year only if the month is a name, not "may"
        year = int(m.group("y4"))
        ok = YEAR_MIN <= year <= YEAR_MAX and m.group("m4")[0].isupper()
        return PartialDate(year, month, None, text) if ok else None
    if n == 5:  # a month and day without a year, likewise: `Dec 11`, not "may 5" or "mar 2"
        day = int(m.group("d5"))
        ok = m.group("m5")[0].isupper() and 1 <= day <= _days_in(month, None)
        return PartialDate(None, month, day, text) if ok else None
    return _valid(int(m.group(f"y{n}")), month, int(m.group(f"d{n}")), text)


def day_first(text: str) -> bool | None:
    """Whether the text writes its dates day first (28-10-2020) or month first (10/28/2020),
    as its dates that can be read only one way say; None when they do not settle it."""
    orders = set()
    for m in _NUMERIC_DATE.finditer(text):
        if m.group("a") and (int(m.group("a")) > 12) != (int(m.group("b")) > 12):
            orders.add(int(m.group("a")) > 12)
    return orders.pop() if len(orders) == 1 else None


def _mentions(text: str, day_first: bool | None = None) -> list[tuple[int, int, PartialDate]]:
    """(start, end, date) of every mention, in order of position. `day_first` reads
    dates like 05-01-2021, which the text alone cannot settle."""
    if not _MAYBE_DATE.search(text):
        return []
    norm = text.translate(_NORMALIZE) if _FULL_WIDTH.search(text) else text
    found = []
    for m in _NUMERIC_DATE.finditer(norm):
        d = _from_numeric(m, text, day_first)
        if d:
            found.append((m.start(), m.end(), d))
    for m in _ENGLISH_DATE.finditer(norm):
        d = _from_english(m, text)
        if d and not any(s < m.end() and m.start() < e for s, e, _ in found):
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


def find_dates(text: str, day_first: bool | None = None) -> list[PartialDate]:
    """Every date mention in `text`, in order."""
    return [d for _, _, d in _mentions(text, day_first)]


# --- the date a paragraph reports an event on -------------------------------

# A meeting written by its kind: 启动会, 研讨会, 例会, 推进会 (not 社会, 机会, 协会, 委员会).
_MEETING_NOUN = (r"(?:启动|研讨|例|年|峰|交流|座谈|推进|调度|协调|联席|见面|发布|讨论|动员|部署|总结|评审|听证|议事|分享"
                 r"|常务|(?<!人大)常委|党组|党委|支委|办公|专题|碰头|务虚)会")  # (人大常委会: a body)
_EVENT = re.compile(rf"召开|举行|举办|召集|开幕|闭幕|会议|会上|大会|座谈|{_MEETING_NOUN}"
                    r"|(?i:\b(?:meeting|held|met|took place|convened)\b)")
# `The meeting was held on Thursday, March 2, 2023`: the English for …于3月2日召开.
_HELD_ON = re.compile(r"\b(?:held|took place|met|convened|meeting)\s+on\s+(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?$",
                      re.IGNORECASE)
# `…启动会 2018年11月17日 杭州`, `例会定于 6月3日`: the date the meeting named just before it is on.
_NAMED_BEFORE = re.compile(rf"(?:会议|{_MEETING_NOUN})[\s*_]*(?:[将定]?于|在)?[\s*_]*$")
# `《…规则》已经2024年11月13日…会议通过，现予印发`: a notice that promulgates a document names the
# meeting that adopted it in passing; it reports no meeting of its own.
_PROMULGATES = re.compile(r"现予印发|现印发给你们|现将.{0,30}印发")
# Words between a date and its comma that keep it an event date: 12月5日下午，3月上旬，
_CN_CLOCK = r"[一二三四五六七八九十]{1,3}"
_TIME_OF_DAY = re.compile(r"(?:[（(【\[［]?(?:星期|礼拜|周)[一二三四五六日天][）)】\]］]?)?"
                          r"(?:上午|下午|晚上|晚间|早上|早晨|中午|凌晨|傍晚|晚|上旬|中旬|下旬|初|份)?"
                          rf"(?:\d{{1,2}}(?:[:：]\d\d|[时点](?:\d{{1,2}}分|半)?)|{_CN_CLOCK}[时点](?:半|{_CN_CLOCK}分)?)?")
# A date followed or preceded by these is a deadline or a period, not an event;
# 去年/明年 would also make the title's year wrong.
_PERIOD_AFTER = re.compile(r"底|末|前|之前|以前|为止|止|起|以来|以后|之后|后")
_NOT_EVENT_AFTER = re.compile(rf"{_PERIOD_AFTER.pattern}|至|到|—|-|~|～")
_NOT_EVENT_BEFORE = re.compile(r"(?:截止|截至|至|到|自|从|直到|直至|前|去年|明年)$")
_DAY_SPAN_END = re.compile(rf"{_SP}[至到\-~～—–]{_SP}(?:{_DAY_NUMBER}){_SP}[日号]")
_SENTENCE_END = re.compile(r"[。！？；!?;\n]")
_CLAUSE_END = re.compile(r"[，,：:。！？；!?;\n]")
_ATTACH_CHARS = 40  # how far after a date its 召开/会议 may stand, within the clause


def event_date(text: str, day_first: bool | None = None) -> PartialDate | None:
    """The date the paragraph reports an event on, or None.

    Only the first sentence counts, and it must name a meeting or event. Its date
    (month at least) either leads the paragraph ("12月5日下午，…召开…会议") or is
    followed in its clause by the event word ("乡政府于4月16日召开…"). Deadlines
    (12月底之前, 12月31日前, 截至9月16日) and passing mentions are not events.
    """
    body = text.strip()
    end = _SENTENCE_END.search(body)
    sentence = body[:end.start()] if end else body
    if not _EVENT.search(sentence) or _PROMULGATES.search(sentence):
        return None
    for start, stop, d in _mentions(sentence, day_first):
        if d.month is None:
            continue
        span = _DAY_SPAN_END.match(sentence, stop)  # 3月2日至3日：the meeting opened on the first day
        stop = span.end() if span and d.day else stop
        clause_end = _CLAUSE_END.search(sentence, stop)
        after = sentence[_TIME_OF_DAY.match(sentence, stop).end():
                         clause_end.start() if clause_end else len(sentence)]
        if _NOT_EVENT_AFTER.match(after) or _NOT_EVENT_BEFORE.search(sentence[:start]):
            continue
        leads = _leads(sentence[:start]) and not after.strip()
        named = _NAMED_BEFORE.search(sentence, 0, start) or _HELD_ON.search(sentence, 0, start)
        if (leads and _EVENT.search(sentence, stop)) or named or _EVENT.search(after[:_ATTACH_CHARS]):
            return d
    return None


# A report that leads with its day alone (`12日上午，县长…主持召开…`): the month is the page's.
# A news lead may stand before it: `本报讯（记者 某某）12日上午，…`.
_DAY_LEAD = re.compile(rf"(?:本报讯|讯)?\s*(?:[（(【\[][^（）()【】\[\]]{{0,20}}[)）】\]])?\s*(?P<d>{_DAY_NUMBER})日(?=[^月]|$)")


def day_event(text: str) -> int | None:
    """The day of the month a report leads with when it writes the day alone, or None: completed
    from the page's publication date (in_month_of)."""
    body = text.strip()
    m = _DAY_LEAD.match(body)
    if not m:
        return None
    end = _SENTENCE_END.search(body)
    sentence = body[:end.start()] if end else body
    if m.end() > len(sentence) or not _EVENT.search(sentence) or _PROMULGATES.search(sentence):
        return None
    after = sentence[_TIME_OF_DAY.match(sentence, m.end()).end():]  # (上午，)
    day = _small_number(m.group("d"))
    return day if after[:1] in ("，", ",", " ") and day and 1 <= day <= 31 else None


def in_month_of(day: int, published: PartialDate) -> PartialDate | None:
    """Day `day` of the month a page published on `published` reports it in: that month, or the one
    before when the day is later than the publication's (a report of the 30th published on the 3rd)."""
    year, month = published.year, published.month
    if not (year and month and published.day):
        return None
    if day > published.day:
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    if day > _days_in(month, year):
        return None
    return PartialDate(year, month, day, f"{day}日", year_inferred=True)


# What may stand before a date that still leads its report: a page's `|`, a clause of purpose
# (`为…，12月11日上午，…召开`), or a byline run into the report (`来源：区政府办12月11日，…`).
_LEAD_CLAUSE = re.compile(r"[，,]\s*$")
_BYLINE_BEFORE = re.compile(r"(?:来源|作者|编辑|发布者|供稿)\s*[:：][^，。；,]*$"
                            r"|^[^，。；,]{0,16}讯\s*(?:[（(][^（）()]{0,30}[)）])?\s*$|[（(](?:记者|通讯员)[^（）()]{0,30}[)）]\s*$")


def _leads(before: str) -> bool:
    return (before.strip(" \t|｜>»") in ("", "今年") or bool(_LEAD_CLAUSE.search(before))
            or bool(_BYLINE_BEFORE.search(before)))


def title_year(text: str) -> int | None:
    """The year a title states ("2023年环境整治工作会议记录" -> 2023); placeholders give None."""
    for d in find_dates(text):
        if d.year is not None:
            return d.year
    return None


# --- the date a heading, a header line or a file name gives -----------------

# A header's label right before its date: 时间：, 会议日期：, 日　期：, Date日期：, **会议时间**:, | 会议时间 |
_LABEL = re.compile(r"(?:时[ \u3000]*间|日[ \u3000]*期|(?<![A-Za-z])(?:date|time|day|when))[\s*_:：|]*$",
                    re.IGNORECASE)
# ... unless it is another date's: 下次会议时间, 截止日期, 发布日期, 出生日期, Next meeting date
_OTHER_LABEL = re.compile(r"下次|下一次|截止|截至|发布|发表|印发|生效|施行|出生|更新|next|deadline|due|update",
                          re.IGNORECASE)
# A line's date under these is the next meeting's or a deadline: 下次会议时间：…, | 截止日期 | … |
_NEXT_LABEL = re.compile(r"下次|下一次|截止|截至|next|deadline|due", re.IGNORECASE)
_PHRASES = re.compile(r"[|：:，,。；;]")  # what ends the phrase before a label
_SHORT_LINE = 40  # a line or table cell this short, without a sentence in it, is a header or a dateline
_SENTENCE_PUNCT = re.compile(f"[，。；！？]|{ENGLISH_SENTENCE.pattern}", re.DOTALL)  # (an English sentence too)


def _is_period(text: str, start: int, stop: int) -> bool:
    """A deadline or the start of a period (12月底前, 截至9月16日, 3月1日起), not a day something happened on."""
    after = _TIME_OF_DAY.match(text, stop).end()
    return bool(_PERIOD_AFTER.match(text, after) or _NOT_EVENT_BEFORE.search(text, 0, start))


def heading_date(text: str, day_first: bool | None = None) -> PartialDate | None:
    """The date a title or heading gives: its first with a month that is no deadline
    ("DevBoard SIG例会 2025-07-31 14:00-18:10", "Thursday June 10, 2021", "2021-8-11 会议纪要")."""
    for start, stop, d in _mentions(text, day_first):
        if d.month is not None and not _is_period(text, start, stop):
            return d
    return None


# A meeting's title that ends with its month and day (`社区周会 4.8`, `例会（4.8）`, `周会 12/11`, `【会议纪要】2022年
# 第12期（12.11）`): not a version there.
_MEETING_WORD = r"(?:会|纪要|记录|周报|meeting|minutes|weekly|sync)"
_MD = r"(1[0-2]|0?[1-9])[./](3[01]|[12]\d|0?[1-9])"
_TITLE_MONTH_DAY = re.compile(rf"{_MEETING_WORD}[^\d]{{0,12}}?[\s（(]{_MD}[)）]?\s*$"
                              rf"|{_MEETING_WORD}.{{0,20}}[（(]{_MD}[)）]\s*$", re.IGNORECASE)
# `20221211会议纪要`: eight digits glued to the words of a title are its date (elsewhere, 编号20240419, they are not).
_GLUED_DAY = re.compile(rf"^\s*((?:19|20)\d\d)([01]\d)([0-3]\d)(?=\s*{_MEETING_WORD}|\s*例会|\s*双周)", re.IGNORECASE)


def title_month_day(text: str) -> PartialDate | None:
    """The month and day a meeting's title ends with, written `M.D` or `M/D` (see _TITLE_MONTH_DAY), or
    the full date it opens with glued to its words (`20221211会议纪要`); else None."""
    glued = _GLUED_DAY.match(text)
    if glued:
        d = _valid(int(glued.group(1)), int(glued.group(2)), int(glued.group(3)), glued.group(0).strip())
        return d and d.from_source("title")
    m = _TITLE_MONTH_DAY.search(text)
    if not m:
        return None
    first = 1 if m.group(1) else 3
    month, day = int(m.group(first)), int(m.group(first + 1))
    if day > _days_in(month, None):
        return None
    return PartialDate(None, month, day, text[m.start(first):m.end(first + 1)], source="title")


_WEEKDAYS = re.compile(r"(?:星期|礼拜|(?<![上下本])周)([一二三四五六日天])|\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\b")
_WEEKDAY_NUMBER = {**{c: i for i, c in enumerate("一二三四五六日")}, "天": 6,
                   **{w: i for i, w in enumerate(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"))}}


def weekday(text: str) -> int | None:
    """The day of the week `text` names first (Monday 0), or None."""
    m = _WEEKDAYS.search(text)
    return _WEEKDAY_NUMBER[m.group(1) or m.group(2)] if m else None


# A web page's byline (`时间：2023-03-10 来源：区政府办 字号：大 中 小`): its 时间 is when the page was published.
_BYLINE = re.compile(r"(?:来源|作者|编辑|发布者|供稿)\s*[:：]|浏览|点击[数量率：:]|阅读[数量次：:]|字号|【打印】")


def labelled_date(text: str, day_first: bool | None = None) -> PartialDate | None:
    """A date a header line labels: "时间：2024年4月19日上午", "Data日期：2024-04-19", "| 会议时间 | …"."""
    for start, stop, d in _mentions(text, day_first):
        line_start = text.rfind("\n", 0, start) + 1
        label = _LABEL.search(text, line_start, start)
        if d.month is None or not label or _is_period(text, start, stop):
            continue
        line_end = text.find("\n", stop)
        if _BYLINE.search(text, line_start, line_end if line_end >= 0 else len(text)):
            continue
        phrase = _PHRASES.split(text[line_start:label.start()])[-1]  # the label's own words
        if not _OTHER_LABEL.search(phrase[-16:]):
            return d
    return None


_PUBLISHED = re.compile(r"(?:发布|发表|印发|更新)(?:日期|时间|于)[\s*_]*[:：]?")


def published_date(lines: list[str], day_first: bool | None = None) -> PartialDate | None:
    """The date a page says it was published on (`发布日期：2020-02-18`): never the meeting's own,
    but its year is the year of a meeting the page reports by month and day."""
    for line in lines:
        m = _PUBLISHED.search(line)
        if m:
            found = [d for s, _e, d in _mentions(line[m.end():m.end() + 40], day_first) if d.year and d.month]
            if found:
                return found[0]
    return None


def dateline_date(lines: list[str], day_first: bool | None = None) -> PartialDate | None:
    """The first full date of a short line that is no sentence: a byline (`来源：区政府办 2020年02月18日`)
    or the dateline under a report; like a publication date, its year completes a month-day report."""
    for line in lines:
        if len(line) <= _SHORT_LINE and not _SENTENCE_PUNCT.search(line):
            d = next((d for s, e, d in _mentions(line, day_first) if d.year and d.month and d.day), None)
            if d:
                return d
    return None


# `…召开区政府2020年第4次常务会议`, `2021年度第二次股东大会`: the year of the meeting it names; a 纪要's
# number `〔2020〕5号`, `[2020]第5期`: the year it was issued in.
_NAMED_YEAR = re.compile(r"((?:19|20)\d\d|[〇零一二三四五六七八九]{4})\s*年度?第[\d一二三四五六七八九十]+次"
                         r"|[〔\[［【]((?:19|20)\d\d)[〕\]］】]\s*第?\s*\d{1,4}\s*[号期]")


def named_year(text: str) -> int | None:
    """The year of a meeting named with its ordinal in `text`, or None."""
    m = _NAMED_YEAR.search(text)
    return title_year((m.group(1) or m.group(2)) + "年") if m else None


def closing_date(texts: list[str], day_first: bool | None = None) -> PartialDate | None:
    """The full date minutes close with, alone on its line (`二〇二三年三月二日`, `2023年3月2日印发`): the day
    they were signed or issued, which dates minutes that give no other (`下次会议：3月9日` is not alone)."""
    for text in reversed(texts):
        for line in reversed(text.split("\n")):
            line = line.strip()
            found = _mentions(line, day_first)
            if len(found) == 1 and found[0][0] == 0 and line[found[0][1]:].strip() in ("", "印发"):
                d = found[0][2]
                return d if d.year and d.day else None
    return None


# A title or file name that begins with its year (`1954年政府工作报告`, `1992_050_…`): not 2023年度 (a
# year's review may be held the next year), not 1990年代.
_LEADING_YEAR = re.compile(r"^\s*((?:19|20)\d\d)(?:\s*年(?![度代])|[_\-. ](?!\d\d?(?!\d)))")


def leading_year(text: str, source: str) -> PartialDate | None:
    """The year alone that a title or file name (`source`: "title", "filename") begins with, or None."""
    m = _LEADING_YEAR.match(text)
    return PartialDate(int(m.group(1)), None, None, m.group(0).strip(" _-."), source=source) if m else None


def same_month(d: PartialDate | None, month: PartialDate) -> bool:
    """`d` is a day of the month `month` names (a year it leaves unsaid agrees)."""
    return bool(d and d.day and d.month == month.month and d.year in (None, month.year))


def year_before(d: PartialDate, published: PartialDate) -> int:
    """The year of month-day `d` reported in a page published on `published`: a day later in the
    year than the publication was the year before (12月28日 published 2021-01-04 is 2020)."""
    later = (d.month or 0, d.day or 0) > (published.month or 0, published.day or 0)
    return published.year - 1 if later else published.year


def line_date(text: str, day_first: bool | None = None) -> PartialDate | None:
    """A full date standing in a short line or table cell: a header ("PMC 例会 2024-01-11",
    "| 28-10-2020 |") or a dateline under a letter or resolution ("x年11月8日")."""
    if len(text) > _SHORT_LINE and "\n" not in text and "|" not in text:
        return None
    for line in text.split("\n"):
        for cell in line.split("|"):
            cell = cell.strip()
            if len(cell) > _SHORT_LINE or _SENTENCE_PUNCT.search(cell):
                continue
            for start, stop, d in _mentions(cell, day_first):
                if d.month is not None and d.day is not None and not _is_period(cell, start, stop):
                    if not _NEXT_LABEL.search(line[:line.index(cell) + start][-20:]):
                        return d
    return None


# What file and folder names write besides the forms of the text: 20240419_minutes,
# 003-20210610, 202010, 2020-09, 2022.
_PATH_DATE = re.compile(r"(?<!\d)(?P<y>\d{4})(?:(?P<sep>[-.]?)(?P<m>\d\d?)(?:(?P=sep)(?P<d>\d\d?))?)?(?!\d)")
_DIGIT_UNDERSCORE = re.compile(r"(?<=\d)_(?=\d)")


def _from_path(m: re.Match, name: str) -> PartialDate | None:
    year, month, day = (int(g) if g else None for g in m.group("y", "m", "d"))
    if day is not None:
        return _valid(year, month, day, name[m.start():m.end()])
    if YEAR_MIN <= year <= YEAR_MAX and (month is None or 1 <= month <= 12):
        return PartialDate(year, month, None, name[m.start():m.end()])
    return None


# A month and day alone in a file name (`周会 4.8`), or day first where the day cannot be a month
# (`Minutes 28-10`), dated by the year of its folder.
_NAME_MONTH_DAY = re.compile(r"(?<![\d.\-A-Za-z])(1[0-2]|0?[1-9])[.\-](3[01]|[12]\d|0?[1-9])(?![\d.\-])")
_NAME_DAY_MONTH = re.compile(r"(?<![\d.\-A-Za-z])(3[01]|2\d|1[3-9])[.\-](1[0-2]|0?[1-9])(?![\d.\-])")


def path_date(source: str, day_first: bool | None = None) -> PartialDate | None:
    """The most precise date the file name gives, else the nearest folder's
    ("2024/20240419_minutes.md" -> 2024-04-19, "2022/ActionItems.md" -> 2022,
    "2022/周会 4.8.md" -> 2022-04-08, "2021/3月15日例会.md" -> 2021-03-15,
    "202011/05-11-2020 Meeting.md" -> 2020-11-05: the folder's month settles the order)."""
    # A copied corpus flattens folders into the name (`repo__2021__3月15日例会.md`): read them as folders.
    *folders, name = source.replace("__", "/").split("/")
    stem = name.rsplit(".", 1)[0]
    own, folder = _path_date(name, [], day_first), _path_date("", folders, day_first)
    if own and own.month is None and folder and folder.month and folder.year == own.year and day_first is None:
        read = [_path_date(name, [], order) for order in (True, False)]
        own = next((d for d in read if d and d.month == folder.month), own)
    if own and own.month and own.year is None and folder and folder.year:
        return own.with_year(folder.year)
    year = (own or folder).year if own or folder else None  # (`12月/1-1`: a month folder gives no year)
    if (own is None or own.month is None) and year is not None:
        md = _NAME_MONTH_DAY.search(stem)
        dm = None if md else _NAME_DAY_MONTH.search(stem)
        day = md and _valid(year, int(md.group(1)), int(md.group(2)), md.group())
        day = day or (dm and _valid(year, int(dm.group(2)), int(dm.group(1)), dm.group()))
        if day:
            return day.from_source("filename")
    return own or folder


def _path_date(name: str, folders: list[str], day_first: bool | None) -> PartialDate | None:
    for part in (name.rsplit(".", 1)[0], *reversed(folders)):
        # Underscores join words (2025_01_11_meeting): read as - between digits, else as spaces,
        # one character for one so that `text` is the name as written.
        words = _DIGIT_UNDERSCORE.sub("-", part).replace("_", " ")
        found = [replace(d, text=part[s:e]) for s, e, d in _mentions(words, day_first)]
        found += filter(None, (_from_path(m, part) for m in _PATH_DATE.finditer(words)))
        if found:
            return max(found, key=PartialDate.precision).from_source("filename")
    return None
