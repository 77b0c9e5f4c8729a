"""What one meeting's paragraphs say, kept by the rules of which occurrence counts."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .vocab import ACTION, MODE, PEOPLE, PEOPLE_ROLES, SINGLE, TEXT, _ACCUMULATE, _IS_CJK, _key, vocabulary
from .people import _fold, _leading_text, split_people
from .places import _says_online
from .labels import _Hit
from .items import (_DASHED_NAMES, _DUE, _LEAD_OWNER, _MENTIONED_OWNER, _OWNER, _OWNER_STOP, _TRAILING_MENTION,
                    _TRAILING_NAMES, _is_placeholder_text)
from .model import Field, Item, MeetingFields


@dataclass
class _Block:
    """A label whose value is the paragraphs below it (until the next heading)."""

    name: str
    kind: str
    label: str
    origin: str  # "heading", "label" (a line that is only a label) or "title"
    source: int  # the paragraph that opened it (0: the title)
    ordinal: tuple[int, int] | None = None


class _Collector:
    """What one meeting's paragraphs say, kept by the rules of which occurrence counts."""

    def __init__(self):
        self.out = MeetingFields()
        self.sources: dict[str, object] = {}  # people list or text field -> where it was taken from
        self.online = False
        self.row_items: str | None = None  # the kind of the items in the rows of the next table

    def _record(self, name: str, label: str, value: str, n: int) -> None:
        self.out.found.append(Field(name, label, value, n))

    def _append(self, name: str, value: str) -> None:
        fields = self.out.fields
        fields[name] = fields[name] + "\n" + value if name in fields else value

    def single(self, name: str, label: str, value: str, n: int) -> None:
        value = value.strip()
        if name in self.out.fields or not value or _key(value) in vocabulary().placeholders:
            return
        if name in PEOPLE_ROLES:
            names = split_people(value, leading=True)
            if not names:
                return
            self.out.people[name] = names
            value = _leading_text(value)
        self.out.fields[name] = value
        self._record(name, label, value, n)

    def people(self, name: str, label: str, value: str, n: int, source: object, leading: bool = False) -> None:
        if name not in _ACCUMULATE and self.sources.get(name, source) != source:
            return  # the first list of attendees is the list
        names = split_people(value, leading)
        if not names:
            return
        self.sources.setdefault(name, source)
        known = self.out.people.setdefault(name, [])
        keys = {_fold(x) for x in known}
        known += [x for x in names if _fold(x) not in keys]
        value = _leading_text(value) if leading else value.strip()
        self._append(name, value)
        self._record(name, label, value, n)

    def prose_people(self, name: str, names: list[str], n: int) -> None:
        """Names a sentence gives a role (`甲主持召开…`): kept unless a label has given that role.
        (People only: `fields` holds what a header wrote, and a header is what dates and places a meeting.)"""
        if self.sources.setdefault(name, "prose") != "prose" and name not in _ACCUMULATE:
            return  # (presenters add up wherever they are named, as labelled ones do)
        known = self.out.people.setdefault(name, [])
        keys = {_fold(x) for x in known}
        new = [x for x in names if _fold(x) not in keys]
        if new:
            known += new
            self._record(name, "prose", "、".join(new), n)

    def text(self, name: str, label: str, value: str, n: int, source: object) -> None:
        value = value.strip()
        if not value or self.sources.get(name, source) != source:
            return
        self.sources.setdefault(name, source)
        self._append(name, value)
        self._record(name, label, value, n)

    def mode(self, label: str, value: str, n: int) -> None:
        """A meeting link or a way of meeting: a link says online; a way, if it says so."""
        value = value.strip()
        if not value or _key(value) in vocabulary().placeholders:
            return
        way = re.search("方式|形式", label)
        if _says_online(value) or (not way and (not _IS_CJK.search(value) or re.search(r"\d{6,}", value))):
            self.online = True
        if "mode" not in self.out.fields:
            self.out.fields["mode"] = value
        self._record("mode", label, value, n)

    def item(self, kind: str, n: int, text: str, owners: list[str] | None = None, due: str | None = None) -> None:
        text = text.strip()
        if not text or _is_placeholder_text(text):
            return
        if owners is None:  # (a table row's columns say who and when; a line says them in its words)
            owners = list(dict.fromkeys(_owners_written(text) + (_action_owners(text) if kind == ACTION else [])))
            m = _DUE.search(text)
            due = ((m.group(1) or m.group(2) or "").strip() or None) if m else None
        if owners:
            self.people("owners", "责任人", "、".join(owners), n, n)
        self.out.items.append(Item(kind, n, text, tuple(owners), due))


def _owners_written(text: str) -> list[str]:
    """Those a 责任人/负责人… label names in an item."""
    owners = []
    for m in _OWNER.finditer(text):
        value = m.group(1)
        stop = _OWNER_STOP.search(value)
        owners += split_people(value[:stop.start()] if stop else value, leading=True)
    return owners


def _action_owners(text: str) -> list[str]:
    """Those an open item names in the ways action lists do: `—— 张三`, `张三：…`, `(@handle)`, names at the end."""
    owners = []
    for m in _DASHED_NAMES.finditer(text):
        owners += split_people(m.group(1), leading=True)
    for m in (_LEAD_OWNER.match(text), _MENTIONED_OWNER.search(text) or _TRAILING_MENTION.search(text)):
        if m and vocabulary().label(m.group(1)) is None:  # (`完成时间：…` is no one)
            # (a Latin word before a colon is a note's label, `Note:`, unless it is an @-account)
            owners += [x for x in split_people(m.group(1)) if not x.isascii() or m.group(1)[0] == "@"]
    tail = _TRAILING_NAMES.search(text)
    if tail:
        owners += split_people(tail.group(1), leading=True)
    return owners


def _accept(col: _Collector, hit: _Hit, n: int, header: bool, starts: bool, meta: bool) -> None:
    """Keep a field found in paragraph n if where it stands makes it the meeting's own.

    header: the paragraph is in the meeting's header; starts: the label opens its line (or
    follows other fields that do); meta: the paragraph's section is none or a field's.
    """
    name, kind, value = hit.name, hit.kind, hit.value
    if kind == SINGLE:
        if header or (starts and (meta or name in PEOPLE_ROLES)):
            col.single(name, hit.label, value, n)
    elif kind == MODE:
        if header or (starts and meta):
            col.mode(hit.label, value, n)
    elif kind == PEOPLE and name != "owners":  # (owners are read with their items)
        if name in _ACCUMULATE or header or starts:
            col.people(name, hit.label, value, n, ("inline", n), leading=True)
    elif kind == TEXT:
        if header or (starts and meta):
            col.text(name, hit.label, value, n, ("inline", n))
