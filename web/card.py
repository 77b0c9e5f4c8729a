"""The meeting page's header card: the fields of the minutes' header (时间, 地点, 主持人, 出席 …) in
the order a 纪要 writes them, each person's name a link to the meetings they took part in; and the
decisions and open items the minutes record, each pointing at its paragraph.

Values are shown as written (affiliations and all); the page escapes them like any other text.
"""

import re
from dataclasses import dataclass

from archive.index.records import PARTICIPANTS

# The header's fields, in order, with their labels; time, place and mode are made by _where.
PEOPLE = (("host", "主持人"), ("attendees", "出席人员"), ("observers", "列席人员"), ("absent", "请假"),
          ("recorder", "记录人"))
AFTER = (("agenda", "议题"), ("presenters", "汇报人"), ("owners", "责任人"), ("next_host", "下次主持人"))
TEXT = {"agenda"}  # kept line by line; people lists written one per line are run together with 、
OUTCOMES = (("decision", "会议决定"), ("action", "待办事项"))


@dataclass
class Row:
    label: str
    parts: list[tuple[str, str]]  # (text, the person it names, or "")
    lines: bool = False  # the value's line breaks are kept


def rows(meeting: dict) -> list[Row]:
    """The card's rows: only the fields the minutes give (none, and nothing is shown)."""
    fields, people = meeting.get("fields") or {}, meeting.get("people") or {}
    out = _where(fields, bool(meeting.get("online")))
    for name, label in PEOPLE + AFTER:
        value, names = (fields.get(name) or "").strip(), people.get(name) or []
        if name not in TEXT and "\n" in value:
            value = "、".join(line.strip().rstrip("、，,；;") for line in value.splitlines() if line.strip())
        if value or names:
            # Only those who took part are filed under their name (the person facet): link those.
            linked = names if name in PARTICIPANTS else []
            out.append(Row(label, _linked(value, linked) if linked else [(value or "、".join(names), "")],
                           lines=name in TEXT))
    return out


def _where(fields: dict, online: bool) -> list[Row]:
    """时间 (the date and time as written), 地点 (or 线上会议), 方式 (how it was held, as written)."""
    out = []
    day, time = (fields.get("date") or "").strip(), (fields.get("time") or "").strip()
    when = time if day in time else f"{day} {time}".strip()
    if when:
        out.append(Row("时间", [(when, "")]))
    place, mode = (fields.get("place") or "").strip(), (fields.get("mode") or "").strip()
    if online:
        out.append(Row("地点", [("线上会议", "")]))
        mode = mode or place  # (a place that says only how: 腾讯会议)
    elif place:
        out.append(Row("地点", [(place, "")]))
    if mode:
        out.append(Row("方式", [(mode, "")]))
    return out


def _linked(value: str, names: list[str]) -> list[tuple[str, str]]:
    """The value as written with each name in it a link; the names alone when not all are written in it."""
    names = [n for n in names if n]
    if not names:
        return [(value, "")]
    if not all(n in value for n in names):
        parts = []
        for name in names:
            parts += [("、", ""), (name, name)] if parts else [(name, name)]
        return parts
    pattern = re.compile("|".join(map(re.escape, sorted(set(names), key=len, reverse=True))))
    parts, pos = [], 0
    for m in pattern.finditer(value):
        if m.start() > pos:
            parts.append((value[pos:m.start()], ""))
        parts.append((m[0], m[0]))
        pos = m.end()
    if pos < len(value):
        parts.append((value[pos:], ""))
    return parts


def outcomes(meeting: dict) -> list[tuple[str, str, list[dict]]]:
    """(kind, heading, items) of the decisions and open items recorded, those there are."""
    items = meeting.get("items") or []
    found = [(kind, heading, [i for i in items if i.get("kind") == kind]) for kind, heading in OUTCOMES]
    return [group for group in found if group[2]]
