"""A meeting's paragraphs read in order: header, fields, blocks of people, decisions and open items."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from .vocab import (ACTION, BODY, DECISION, HEADER_SLACK, IGNORE, MODE, ONLINE, PEOPLE, SINGLE, TEXT, _ACCUMULATE,
                    _BLOCK_KINDS, _HEADER_KINDS, _ITEM_PARTS)
from .people import split_people
from .places import place_of, title_place
from .labels import _Hit, _bare_people, _scan, _starts_with_label, heading_label
from .items import (_ACTION_WORDS, _ARTICLE, _DECISION_WORDS, _OPENS, _TRAILING_LATIN, _TRAILING_NAMES, agenda_presenter,
                    _is_placeholder_text, _ordinal, _table_rows)
from .collector import _Block, _Collector, _accept
from .model import MeetingFields
from .tables import _table
from .prose import (_RULE as _LAW_RULE, only_directs, own_labels, reports_others, prose_people, stated_action,
                    stated_outcome)
from .lines import line_speakers
from ...ingest.split import is_title


def meeting_fields(meeting) -> MeetingFields:
    """The header fields, people, place, decisions and open items of one meeting.

    `meeting` is an archive.ingest.model.Meeting (title, paragraphs with n, text, section,
    line_start, is_heading). Its title paragraph (split.is_title) is read as the title, once: a
    label the title is (`## 参会人员`) holds the paragraphs below it, not those before it.
    """
    title = next((p for p in meeting.paragraphs if is_title(p)), None)
    reader = _Reader(meeting.title or "", title.line_start if title else 0, reports_others(meeting.paragraphs))
    for p in meeting.paragraphs:
        if p is not title:
            reader.read(p)
    return reader.finish()


class _Reader:
    """The meeting's paragraphs in order, a method per kind of paragraph (heading, labelled line, plain).

    header: still in the meeting's header, before its minutes proper; block: the open label whose
    value is the paragraphs below it.
    """

    def __init__(self, title: str, title_after: int, reported: bool = False):
        self.col = _Collector()
        self.reported = reported  # a speech's or a rule's sentences state no people or outcomes of this meeting
        self.header = True
        self.seen_field = False
        self.slack = 0
        self.block: _Block | None = None
        self.label_sections: set[str] = set()
        self.title_block: _Block | None = None
        self.title_after = title_after
        self.speakers: list[tuple[str, bool, int]] = []  # (Latin name, Chinese after, paragraph): `Sam: …`
        self.speaker_lines = 0  # lines that open with who speaks, in any script
        self.where = title_place(title)
        label = heading_label(title)
        if label and label.kind in (BODY, DECISION, ACTION):
            self.header = False
        if label and label.kind in _BLOCK_KINDS:
            self.title_block = _Block(label.name, label.kind, title, "title", 0)
        for hit in _scan(title):  # `会议时间：2025-10-11 10:00`
            _accept(self.col, hit, 0, True, True, True)
            self.seen_field = self.seen_field or hit.kind in _HEADER_KINDS

    def read(self, p) -> None:
        self._fields(_lines(p, self.block is not None and self.block.kind == PEOPLE))
        if not p.is_heading:
            self._prose(p)
        elif not (self.reported or heading_label(p.text) or p.n in self.col.out.roles) and stated_outcome(p.text):
            self.col.out.roles[p.n] = DECISION  # `一、审议并原则通过《…方案》`: a section headed by what was decided
            self.col.item(DECISION, p.n, p.text)

    def _prose(self, p) -> None:
        """People and decisions stated as sentences (prose.py), where no label has said them."""
        if self.reported:
            return
        lined = "\n".join(p.lines())
        for role, names in prose_people(p.text, lined):
            self.col.prose_people(role, names, p.n)
        latin, lines = line_speakers(lined)
        self.speakers += [(x, chinese, p.n) for x, chinese in latin]
        self.speaker_lines += lines
        stated = any(i.paragraph == p.n for i in self.col.out.items)  # by a label: `【会议决定】…`
        free = self.block is None or self.block.kind in (TEXT, BODY)  # (an agenda or the minutes proper)
        if not free or stated or p.n in self.col.out.roles or _ARTICLE.match(p.text):
            return  # (`第四条 …由主任会议决定`: a law's article)
        kind = stated_outcome(p.text) or (stated_action(p.text) if not self.header else None)
        if kind:
            self.col.out.roles[p.n] = kind
            self.col.item(kind, p.n, p.text)

    def _fields(self, p) -> None:
        if self.title_block and p.line_start > self.title_after:
            self.block, self.title_block = self.title_block, None
            self.seen_field = self.seen_field or self.block.kind in _HEADER_KINDS
        text = p.text
        if (self.block is None and not self.header and not p.is_heading and len(text) > 24 and ":" not in text
                and "：" not in text and "\n" not in text):
            return  # prose, outside any field: most of a long document
        meta = p.section == "" or p.section in self.label_sections
        hits = own_labels(text, _scan(text, p.breaks), self.reported)
        starts = _starts_with_label(text, hits)
        if p.is_heading:
            self._heading(p, hits, starts, meta)
        elif not hits and (label := _bare_label(text)):
            self._label_heading(p, label)  # `会议嘉宾` on a line of its own, then its list
        elif not hits and len(text) <= 24 and self._bare(p, meta):
            return
        elif starts:
            self._labelled(p, hits, meta)
        else:
            self._plain(p, hits, meta)

    def finish(self) -> MeetingFields:
        # A discussion written as who said what: `Sam: …` names Sam where he speaks again, an account
        # (`suyunlong: 我们…`) where Chinese follows (`Typo: 图中…`, `Demonstration: Automated deploy…`,
        # `url: /blog/…` are labels).
        if self.speaker_lines >= SPEAKER_LINES:
            times = Counter(name for name, _, _ in self.speakers)
            for name, chinese, n in self.speakers:
                if times[name] > 1 or chinese and not name[0].isupper():
                    self.col.prose_people("presenters", [name], n)
        out = self.col.out
        if "place" in out.fields:
            out.place = place_of(out.fields["place"])
        if out.place is None:
            out.place = self.where
        if out.place is None and self.col.online:
            out.place = ONLINE
        return out

    def _past_header(self) -> None:
        """One more paragraph that is no field: the header ends after a field, or after a few."""
        if self.header:
            if self.seen_field or self.slack >= HEADER_SLACK:
                self.header = False
            else:
                self.slack += 1

    def _bare(self, p, meta: bool) -> bool:
        bare = _bare_people(p.text)
        if bare:
            _accept(self.col, _Hit(bare[0].name, bare[0].kind, p.text, 0, 0, bare[1]), p.n, self.header, True, meta)
        return bool(bare)

    def _heading(self, p, hits: list[_Hit], starts: bool, meta: bool) -> None:
        label = heading_label(p.text)
        if label and not (hits and hits[0].value):
            self._label_heading(p, label)
            return
        if self._bare(p, meta) or self._next_item(p, hits, starts, meta):
            return
        if starts and hits[0].kind in _HEADER_KINDS | {IGNORE}:  # `### 会议时间：…`
            self.seen_field = True
            _inline(self.col, p, hits, self.header, True, meta, None)
            self.block = None
            return
        self.block = None
        if starts and hits[0].kind in (DECISION, ACTION, BODY):
            self.header = False
            last = hits[-1]
            if last.kind in (DECISION, ACTION) and _OPENS.fullmatch(last.value):
                self.block = _Block(last.name, last.kind, last.label, "label", p.n)
        else:
            self._past_header()
        _inline(self.col, p, hits, self.header, starts, meta, None)

    def _label_heading(self, p, label) -> None:
        """`## 参会人员`, `### 会议结论`: the paragraphs below are its value."""
        if label.kind in _HEADER_KINDS:
            self.label_sections.add(p.section)  # a field's section: `## 会议信息`, `## 参会人员`
        self.block = _Block(label.name, label.kind, p.text, "heading", p.n)
        if label.kind in (BODY, DECISION, ACTION):
            self.header = False
        elif label.kind in _HEADER_KINDS:
            self.seen_field = True

    def _next_item(self, p, hits: list[_Hit], starts: bool, meta: bool) -> bool:
        """`一、关于…` under `会议议定事项如下：`, `1、…` under `### 遗留问题`: one more item."""
        block, o = self.block, _ordinal(p.text)
        if not (block and block.kind in (DECISION, ACTION, TEXT) and o and (
                (block.ordinal is None and o[1] == 1)
                or (block.ordinal and block.ordinal[0] == o[0] and o[1] == block.ordinal[1] + 1))):
            return False
        block.ordinal = o
        _in_block(self.col, block, p, hits)
        _inline(self.col, p, hits, self.header, starts, meta, block)
        return True

    def _labelled(self, p, hits: list[_Hit], meta: bool) -> None:
        """A paragraph that opens with a label: its fields; it may open a block or belong to the open one."""
        first, last, block = hits[0], hits[-1], self.block
        if first.kind in (BODY, DECISION, ACTION):
            self.header = False
        elif first.kind in _HEADER_KINDS:
            self.seen_field = True
        _inline(self.col, p, hits, self.header, True, meta, block)
        if last.kind in _BLOCK_KINDS and _OPENS.fullmatch(last.value):
            self.block = _Block(last.name, last.kind, last.label, "label", p.n)
        elif block is not None and (first.name in _ACCUMULATE or first.kind in (IGNORE, block.kind)):
            _in_block(self.col, block, p, hits)  # `责任人：张三`, `表决结果：…` below an item belong to it
        else:
            self.block = None

    def _plain(self, p, hits: list[_Hit], meta: bool) -> None:
        if self._announces(p):
            return
        block = self.block
        if block is not None and block.origin == "label" and _ARTICLE.match(p.text):
            self.block = block = None  # `第二十四条 …`: the next article of a rule, not one more item
        if block is not None:
            if block.kind in (DECISION, ACTION):
                block.ordinal = _ordinal(p.text) or block.ordinal
            _in_block(self.col, block, p, hits)
        else:
            self._past_header()
        _inline(self.col, p, hits, self.header, False, meta, block)

    def _announces(self, p) -> bool:
        """A last clause that announces decisions or open items below it opens their block."""
        stripped = p.text.rstrip()
        if stripped[-1:] in (":", "："):
            stripped = stripped[max(map(stripped.rfind, "。！？；;，")) + 1:].strip()
        if not (stripped and len(stripped) <= 40 and stripped[-1] in ":："):
            return False
        if _ARTICLE.match(p.text) or _LAW_RULE.search(p.text):
            return False  # `第二十八条 …应当…作出如下决定：`: a rule's cases, not decisions taken
        for words, kind in ((_DECISION_WORDS, DECISION), (_ACTION_WORDS, ACTION)):
            if words.search(stripped):
                self.block, self.header = _Block(kind, kind, stripped, "label", p.n), False
                return True
        if self.block is not None and self.block.origin != "heading":
            self.block = None  # another label, not one of ours: `视频回放地址：`
        return False


SPEAKER_LINES = 2  # lines opening with a speaker's name before a meeting's Latin ones count as names
LIST_LINE = 30  # a paragraph's source lines this short may be a list of names, not a wrapped sentence


def _bare_label(text: str):
    """The label a line is, alone and without a colon, when a list of people or outcomes may follow it."""
    label = heading_label(text) if len(text) <= 24 else None
    return label if label and label.kind in (PEOPLE, DECISION, ACTION) else None


def _lines(p, in_people: bool):
    """Paragraph p, with its source lines joined by 、 where they list people one a line (read as one
    paragraph, they would run together: 张三李四): below a people label that opens the first line
    (`参会人员：` or `参会人员` alone, then `张三` `李四`), or in an open block of people (`## 参会人员`)."""
    if not p.breaks or p.is_heading:
        return p
    first, *rest = [t for t in (x.strip() for x in p.lines()) if t]
    if not rest or any(len(t) > LIST_LINE or _scan(t) for t in rest):
        return p
    hits = _scan(first)
    alone = heading_label(first) if not hits else None  # `参会人员` on its own line, without a colon
    if len(hits) == 1 and _starts_with_label(first, hits) and hits[0].kind == PEOPLE:
        head = first if not hits[0].value.strip() else first + "、"  # `参会人员：张三、李四` `王五、赵六`
    elif alone is not None and alone.kind == PEOPLE:
        head = first + "："
    elif in_people and len(first) <= LIST_LINE and not hits:
        head = first + "、"
    else:
        return p
    return replace(p, text=head + "、".join(rest), breaks=())


def _inline(col: _Collector, p, hits: list[_Hit], header: bool, starts: bool, meta: bool,
            block: _Block | None) -> None:
    """The labels inside paragraph p: its fields, and the decisions and open items it states."""
    n = p.n
    stated = {DECISION: 0, ACTION: 0}
    chain = starts
    header_fields = False  # a line of header fields that ends in `遗留问题：…` is not an open item
    for i, hit in enumerate(hits):
        chain = chain and hit.kind in _HEADER_KINDS | {IGNORE}
        if hit.kind in (DECISION, ACTION):
            stated[hit.kind] += _stated_item(col, p, hits, i)
            continue
        header_fields = header_fields or hit.kind in (SINGLE, MODE) or (
            hit.kind == PEOPLE and hit.name not in _ACCUMULATE)
        _accept(col, hit, n, header, chain, meta)
    if not header_fields and n not in col.out.roles:
        _paragraph_role(col, p, hits, stated, starts, block)
    rows = _table_rows(p.text)
    if rows:
        _table(col, rows, n, header, block)


def _stated_item(col: _Collector, p, hits: list[_Hit], i: int) -> int:
    """The item a decision or action label states; how long it is (0 if none)."""
    hit = hits[i]
    # The item runs on over its owner and deadline (`… --责任人：李凯 完成时间：4月30日`).
    after = next((h for h in hits[i + 1:] if h.name not in _ITEM_PARTS), None)
    value = p.text[hit.end:after.start if after else len(p.text)].strip()
    if not hit.value or _is_placeholder_text(hit.value):
        return 0
    col.item(hit.kind, p.n, value)
    return len(value)


def _paragraph_role(col: _Collector, p, hits: list[_Hit], stated: dict[str, int], starts: bool,
                    block: _Block | None) -> None:
    """A paragraph that states items is a decision or an action; so is a task with its owner (`… 责任人：任慰`)."""
    if stated[DECISION] + stated[ACTION]:
        col.out.roles[p.n] = DECISION if stated[DECISION] >= stated[ACTION] else ACTION
    elif (not (starts and hits[0].name == "owners") and (block is None or block.kind not in (DECISION, ACTION))
          and (any(h.name == "owners" and split_people(h.value, True) for h in hits)
               or {"owners", "deadline"} <= {h.name for h in hits})):  # `…，责任单位：县水利局，时限：6月底`
        col.out.roles[p.n] = ACTION
        col.item(ACTION, p.n, p.text)


def _in_block(col: _Collector, block: _Block, p, hits: list[_Hit]) -> None:
    """Paragraph p is (part of) the value of the open block."""
    n, text = p.n, p.text
    if block.kind in (DECISION, ACTION):
        if not (_is_placeholder_text(text) or block.kind == DECISION and only_directs(block.label, text)):
            kind = DECISION if block.kind == ACTION and stated_outcome(text) else block.kind  # `会议决定…`
            col.out.roles.setdefault(n, kind)
            if _table_rows(text):  # one item a row, read by _table
                col.row_items = block.kind
            elif not any(h.kind in (DECISION, ACTION) for h in hits):
                col.item(kind, n, text)
        return
    if _table_rows(text):
        return  # read by _table, with the block as its context
    source = ("block", block.source)
    if block.kind == PEOPLE:
        if not (hits and hits[0].start == 0):
            col.people(block.name, block.label, text, n, source)
    elif block.kind == TEXT:
        col.text(block.name, block.label, text, n, source)
        if block.name == "agenda":  # `… -- 梁冰`, `… by 陈海霞`, `… - mingjiang`: the presenter
            tail = _TRAILING_NAMES.search(text) or _TRAILING_LATIN.search(text)
            names = tail.group(1) if tail else agenda_presenter(text)
            if names:
                col.people("presenters", block.label, names, n, source, leading=True)
    elif block.kind == MODE:
        col.mode(block.label, text, n)


def document_fields(doc) -> dict[int, MeetingFields]:
    """meeting.index -> MeetingFields for every meeting of an archive.ingest.model.Document.

    A meeting that says nothing of its place takes the place (or ONLINE) of the file's preamble
    (`## 参会方式 … 腾讯会议` above a series of meetings).
    """
    result = {m.index: meeting_fields(m) for m in doc.meetings}
    preamble = result.get(0)
    if preamble is not None and preamble.place:
        for index, fields in result.items():
            if index and fields.place is None:
                fields.place = preamble.place
    return result
