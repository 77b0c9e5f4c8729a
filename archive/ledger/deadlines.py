"""Deadlines as written (`3月底前`, `4月15日前`, `2024年6月30日前`, `下周五前`) made dates.

A deadline without a year is in the meeting's year, or the next one when that day would fall before
the meeting (a December meeting's `1月15日前`); one relative to the meeting (`下周五前`, `10日内`)
counts from the meeting's date. Without a meeting date only a deadline with a year resolves.
Anything else is None: a deadline is never guessed.
"""

import calendar
import re
from datetime import date, timedelta

_CN = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
       "〇": 0, "零": 0}
_NUM = r"[0-9一二两三四五六七八九十〇零]{1,4}"
_ABSOLUTE = re.compile(rf"(?:(\d{{4}})\s*[年/.\-]\s*)?({_NUM})\s*(?:月|[/.\-](?=\s*\d))\s*"
                       rf"(?:({_NUM})\s*[日号]?|(底|末|中旬|上旬|下旬|中|初))?")
_WEEK = re.compile(r"(本|这|下|下个)\s*(?:周|星期|礼拜)\s*([一二三四五六日天1-7])")
_WITHIN = re.compile(rf"({_NUM})\s*(个)?\s*(工作日|日|天|周|个月)\s*内")
_YEAR_END = re.compile(r"(?:(\d{4})\s*年\s*)?(?:年底|年末|年内|今年底)")
_MONTH_END = re.compile(r"(?<![0-9一二两三四五六七八九十])(本月|月)(底|末)")


def number(text: str) -> int | None:
    """12 or 十二 → 12; None when it is not a number."""
    if text.isdigit():
        return int(text)
    if not text or any(c not in _CN for c in text):
        return None
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN[tens] if tens else 1) * 10 + (_CN[ones] if ones else 0)
    return int("".join(str(_CN[c]) for c in text))


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _absolute(m: re.Match, meeting: date | None) -> date | None:
    year = int(m[1]) if m[1] else meeting.year if meeting else None
    month = number(m[2])
    if year is None or not month or month > 12:
        return None
    if m[3]:
        day = number(m[3])
        if day is None:
            return None
    elif m[4] in ("中旬", "中"):
        day = 20
    elif m[4] in ("上旬", "初"):
        day = 10
    else:  # 底, 末, 下旬 and a month alone: its last day
        day = calendar.monthrange(year, month)[1]
    found = _day(year, month, day)
    if found is not None and not m[1] and meeting is not None and found < meeting:
        found = _day(year + 1, month, min(day, calendar.monthrange(year + 1, month)[1]))
    return found


def _add_working_days(start: date, n: int) -> date:
    day = start
    while n > 0:
        day += timedelta(days=1)
        n -= day.weekday() < 5
    return day


def _relative(text: str, meeting: date) -> date | None:
    m = _WEEK.search(text)
    if m:
        weekday = 6 if m[2] in "日天7" else (number(m[2]) or int(m[2])) - 1
        monday = meeting - timedelta(days=meeting.weekday()) + timedelta(days=7 if m[1].startswith("下") else 0)
        return monday + timedelta(days=weekday)
    m = _WITHIN.search(text)
    if m:
        n = number(m[1])
        if n is None:
            return None
        unit = m[3]
        if unit == "工作日":
            return _add_working_days(meeting, n)
        if unit == "个月":
            month = meeting.month - 1 + n
            year, month = meeting.year + month // 12, month % 12 + 1
            return _day(year, month, min(meeting.day, calendar.monthrange(year, month)[1]))
        return meeting + timedelta(days=n * (7 if unit == "周" else 1))
    if _MONTH_END.search(text):
        return date(meeting.year, meeting.month, calendar.monthrange(meeting.year, meeting.month)[1])
    return None


def resolve(text: str | None, meeting: dict | None) -> date | None:
    """The date a deadline `text` names, against the meeting's date (a contract Date or None)."""
    if not text:
        return None
    held = None
    if meeting and meeting.get("year") and meeting.get("month"):
        held = _day(meeting["year"], meeting["month"], meeting.get("day") or 1)
    m = _YEAR_END.search(text)
    if m and (m[1] or held):
        return date(int(m[1]) if m[1] else held.year, 12, 31)
    m = _ABSOLUTE.search(text)
    if m and (m[3] or m[4] or "月" in m[0]):
        return _absolute(m, held)
    return _relative(text, held) if held is not None else None


# A deadline written in an item's text: a date or a relative time before 前/内/完成 (what _DUE of
# archive/extract/fields.py does not take).
_IN_TEXT = re.compile(rf"((?:\d{{4}}\s*年\s*)?{_NUM}\s*月\s*(?:{_NUM}\s*[日号]|底|末|中旬|上旬|下旬)?\s*之?前"
                      rf"|(?:\d{{4}}\s*年\s*)?(?:年底|年末)\s*之?前|(?:本|这|下|下个)\s*(?:周|星期)[一二三四五六日天]\s*之?前"
                      rf"|{_NUM}\s*个?\s*(?:工作日|日|天|周|个月)\s*内|(?:本月|月)(?:底|末)\s*之?前)")


def written(text: str) -> str | None:
    """The first deadline written in an item's text, as written (None: it states none)."""
    m = _IN_TEXT.search(text)
    return m[1] if m else None
