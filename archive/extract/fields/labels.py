"""Labels in a paragraph (`主持人：…`), headings that are labels, and bare people lines."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ...analysis import simplified
from .vocab import PEOPLE_ROLES, _CJK, _IS_CJK, _Label, _Vocabulary, _key, vocabulary
from .people import _MARKUP, split_people


# Labels in a paragraph.

@dataclass
class _Hit:
    name: str
    kind: str
    label: str
    start: int  # where the label starts
    end: int  # just after its colon: where the value starts
    value: str = ""


_COLON = re.compile(r"[:：】]")  # `会议时间：…`, `【会议时间】…`
_ORDINAL_TAIL = re.compile(r"\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*$")
_LEAD = re.compile(r"^[\s\-*+•·>#]*(?:(?:\d{1,2}(?:\.\d{1,2})*|[一二三四五六七八九十]{1,3})[、.．)）]\s*"
                   r"|[（(](?:\d{1,2}|[一二三四五六七八九十]{1,3})[)）]\s*)?[\s*]*")
_EN_RUN = re.compile(r"[A-Za-z][A-Za-z&'\-]*(?:\s+[A-Za-z][A-Za-z&'\-]*){0,3}\s*$")
_CAPITALISED = re.compile(r"[A-Z][a-z]{1,14}")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def _words_start(text: str, end: int, words: list[str]) -> int:
    """Where the run of `words` that ends at text[end] (before spaces) starts."""
    m = re.search(r"\s*".join(map(re.escape, words)) + r"\s*$", text[max(0, end - 60):end])
    return max(0, end - 60) + m.start() if m else end


def _at_word_start(text: str, start: int) -> bool:
    """At a word's start, or at a capital run on to the word before (`Tom BrownApologies:`: two
    lines that conversion joined)."""
    if start == 0 or not (text[start - 1].isascii() and text[start - 1].isalnum()):
        return True
    return text[start].isupper() and text[start - 1].islower()


def _english_prefix(text: str, start: int, voc: _Vocabulary) -> int:
    """Where a bilingual label starts: `Host 会议主持人`, `Participants与会人`, `Data 日期`."""
    m = _EN_RUN.search(text, max(0, start - 40), start)
    if not m:
        return start
    words = m.group().split()
    for k in range(len(words)):  # the longest run first
        run = words[k:]
        # an unknown word as a gloss only when it is the whole run: `Jianyu Liu会议结论` ends a name
        if voc.en.get(_key(" ".join(run))) or (len(words) == 1 and _CAPITALISED.fullmatch(run[0])):
            begin = _words_start(text, start, run)
            if _at_word_start(text, begin):
                return begin
    return start


def _label_before(text: str, j: int, voc: _Vocabulary) -> tuple[_Label, int] | None:
    """The longest label that ends at text[j] (exclusive), and where it starts."""
    if j <= 0:
        return None
    last = text[j - 1]
    if last in voc.cjk_last:
        for size in range(min(voc.cjk_max, j), 1, -1):
            label = voc.cjk.get(text[j - size:j])
            if label:
                return label, _english_prefix(text, j - size, voc)
        if " " in text[max(0, j - 2 * voc.cjk_max):j] or "\u3000" in text[max(0, j - 2 * voc.cjk_max):j]:
            spaced = _spaced_label_before(text, j, voc)  # `时　　间：`, `主 持 人：`
            if spaced or not last.isascii():
                return spaced
    if last.isascii() and last.isalpha():  # (`Chair:` as well as `参与committer：`)
        m = _EN_RUN.search(text, max(0, j - 40), j)
        if not m:
            return None
        words = _CAMEL.sub(" ", m.group()).split()  # `Tom BrownApologies`: lines run together
        for k in range(len(words)):
            label = voc.en.get(_key(" ".join(words[k:])))
            if label:
                begin = _words_start(text, j, words[k:])
                if _at_word_start(text, begin):
                    return label, begin
    return None


def _spaced_label_before(text: str, j: int, voc: _Vocabulary) -> tuple[_Label, int] | None:
    """A Chinese label spread out for alignment, as Word forms do: `时　　间`, `主 持 人`."""
    chars: list[tuple[str, int]] = []
    k = j - 1
    while k >= 0 and len(chars) < voc.cjk_max:
        c = text[k]
        if c in " \u3000":
            before = k - 1
            while before >= 0 and text[before] in " \u3000":
                before -= 1
            if not chars or before < 0 or not _IS_CJK.match(text[before]) or k - before > 6:
                break
        elif _IS_CJK.match(c):
            chars.append((c, k))
        else:
            break
        k -= 1
    for size in range(len(chars), 1, -1):
        label = voc.cjk.get("".join(c for c, _ in reversed(chars[:size])))
        if label:
            return label, chars[size - 1][1]
    return None


def _label_at(text: str, j: int, voc: _Vocabulary) -> tuple[_Label, int] | None:
    """The label that ends at text[j] before a colon, as written or with a gloss or a number after it."""
    found = _label_before(text, j, voc)
    if found is None and j > 0 and text[j - 1] in ")）":  # `与会人（Attendees）：`
        k = max(text.rfind("(", 0, j), text.rfind("（", 0, j))
        if k > 0 and j - k <= 30:
            found = _label_before(text, len(text[:k].rstrip()), voc)
    if found is None:  # `议题1：`, `议题一：`
        tail = _ORDINAL_TAIL.search(text, max(0, j - 6), j)
        if tail and tail.start() > 0:
            found = _label_before(text, tail.start(), voc)
            if found and found[0].name != "agenda":
                found = None
    return found


# A line that opens with a word, a colon and its value (`线上组：isabel`, `Wifi：…`) ends the value above it,
# label or not (not `同意成立SIG：` over a list, nor `https://…`).
_LINE_LABEL = re.compile(r"[^\s:：，,。；;、]{1,12}\s*[:：](?!//)")


def _opens_field(text: str, k: int, breaks: tuple[int, ...]) -> bool:
    m = _LINE_LABEL.match(text, k)
    line_end = next((b for b in breaks if b > k), len(text))
    return bool(m) and m.end() < line_end and bool(text[m.end():line_end].strip())


def _scan(text: str, breaks: tuple[int, ...] = ()) -> list[_Hit]:
    """Every label followed by a colon in `text`, each with its value: the text up to the next label, or up
    to the end of its source line (`breaks`, where each starts) when the next line opens with a colon."""
    voc = vocabulary()
    hits: list[_Hit] = []
    folded = simplified(text)  # labels are looked up in simplified script; values are kept as written
    for m in _COLON.finditer(text):
        i = j = m.start()
        while j > 0 and text[j - 1] in " \t*":
            j -= 1
        found = _label_at(folded, j, voc)
        if found is None:
            continue
        label, start = found
        if m.group() == "】":
            if start == 0 or text[start - 1] != "【":
                continue
            start -= 1
        if hits and start < hits[-1].end:
            continue
        hits.append(_Hit(label.name, label.kind, text[start:j].strip(" *"), start, i + 1))
    for a, b in zip(hits, hits[1:] + [None]):
        end = b.start if b else len(text)
        end = next((k for k in breaks if a.end <= k < end and _opens_field(text, k, breaks)), end)
        a.value = text[a.end:end].strip(" \t*")
    return hits


def _starts_with_label(text: str, hits: list[_Hit]) -> bool:
    if not hits:
        return False
    lead = _LEAD.match(text)
    return hits[0].start <= (lead.end() if lead else 0)


_HEADING_SPLIT = re.compile(f"\\s+[-–—]\\s+|[()（）/&|｜]|(?<=[{_CJK}])\\s+(?=[A-Za-z])")  # `参会人员 Attendees`
_HEADING_AFFIXES = re.compile(r"^(?:主要|本次|其他|其它|全体|已)|(?:名单|列表|信息|情况|如下|一览)$")  # (`已请假人员`)


@lru_cache(maxsize=8192)
def heading_label(text: str) -> _Label | None:
    """The label a heading (or a line that is only a label) is: `## 参会人员 (Attendance):`,
    `Attendees - 参会人`, `2. 出席者`, `主要参会人员`; None for any other heading."""
    voc = vocabulary()
    text = _MARKUP.sub("", text).strip()
    if not text or len(text) > 48:
        return None
    lead = _LEAD.match(text)
    text = (text[lead.end():] if lead else text).strip().rstrip(" :：")
    label = voc.label(text) or voc.label(_HEADING_AFFIXES.sub("", text))
    if label:
        return label
    parts = [x.strip(" :：") for x in _HEADING_SPLIT.split(text)]
    parts = [x for x in parts if x]
    if len(parts) < 2:
        return None
    first = parts[0]  # `参会人员 (Attendance)`, `Schedule - 例会时间`, `Meeting Agenda & Minutes`
    return voc.label(first) or voc.label(_HEADING_AFFIXES.sub("", first))


_BARE = re.compile(f"^\\s*([{_CJK}]{{2,7}})\\s*([{_CJK}·]{{1,12}}(?:\\s+[{_CJK}·]{{2,4}}){{0,4}})\\s*$")


def _bare_people(text: str) -> tuple[_Label, str] | None:
    """A short line `汇报人吴志辉` or `主持人 张三`: a people label and names, without a colon."""
    voc = vocabulary()
    if text.lstrip()[:2] not in voc.people_heads:
        return None
    m = _BARE.match(text)
    if not m:
        return None
    joined = m.group(1) + m.group(2)
    for size in range(min(voc.cjk_max, len(m.group(1))), 1, -1):
        label = voc.cjk.get(joined[:size])
        if label and label.name in PEOPLE_ROLES:
            value = text.strip()[size:].strip()
            names = split_people(value)
            if names and "".join(names) == re.sub(r"\s+", "", value):
                return label, value
            return None
    return None
