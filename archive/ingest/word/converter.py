"""A parsed .docx walked as WordprocessingML and written as the archive's markdown, a method per element."""

import re
import unicodedata

from lxml import etree

from .escape import clean, escape, escape_inline
from .numbering import Numbering
from .styles import Styles
from .wordml import FALLBACK, inner, on, q, val

# Elements that only wrap runs, or blocks, of the text around them.
_RUN_WRAPPERS = frozenset(map(q, ("hyperlink", "ins", "smartTag", "fldSimple", "customXml", "moveTo", "dir", "bdo")))
_BLOCK_WRAPPERS = frozenset(map(q, ("customXml", "ins", "moveTo")))
_NOTE_REFS = {q("footnoteReference"): "footnotes", q("endnoteReference"): "endnotes"}
_NOTE_HEADINGS = (("footnotes", "脚注"), ("endnotes", "尾注"))


def _joined(pieces: list) -> list[tuple[str, bool]]:
    """A paragraph's pieces as its lines (split at its breaks): (text, every letter bold)."""
    lines, text, bold = [], "", True
    for piece, is_bold in pieces + [("\n", None)]:
        if piece == "\n":
            if clean(text):
                lines.append((clean(text), bold))
            text, bold = "", True
            continue
        text += piece
        if is_bold is False and piece.strip():
            bold = False
    return lines


def _numbered(label: str, text: str) -> str:
    # 一、 and （一） run on into their text, as Word shows them; 1. and 第一章 are spaced.
    last = label[-1]
    sep = "" if not last.strip() or (not last.isascii() and unicodedata.category(last).startswith("P")) else " "
    return label + sep + text


def _unbold(block: str) -> str:
    return block[2:-2] if block.startswith("**") and block.endswith("**") else block


class Converter:
    def __init__(self, document):
        part = document.part
        self.styles = Styles(document.styles.element)
        try:
            numbering = part.numbering_part.element
        except (NotImplementedError, KeyError):
            numbering = None
        self.numbering = Numbering(numbering)
        self.notes: dict[str, dict[str, object]] = {"footnotes": {}, "endnotes": {}}
        self.note_refs: list[tuple[str, str, str]] = []  # (kind, id, label) in order of reference
        for rel in part.rels.values():
            kind = rel.reltype.rsplit("/", 1)[-1]
            if kind in self.notes and not rel.is_external:
                self._read_notes(kind, rel.target_part.blob)
        self.body = document.element.body

    def _read_notes(self, kind: str, blob: bytes) -> None:
        root = etree.fromstring(blob, etree.XMLParser(resolve_entities=False, no_network=True))
        for el in root.iter(q("footnote" if kind == "footnotes" else "endnote")):
            if el.get(q("type")) in (None, "normal"):
                self.notes[kind][el.get(q("id"))] = el

    # ------------------------------------------------------------ runs: a paragraph's pieces
    # A piece is (text, bold): bold says whether its letters are bold, None for breaks and marks.

    def _runs(self, p, para_style: str | None, out: list, boxes: list):
        for el in p:
            if el.tag == q("r"):
                self._run(el, para_style, out, boxes)
                continue
            content = inner(el, _RUN_WRAPPERS)
            if content is not None:
                self._runs(content, para_style, out, boxes)

    def _run(self, r, para_style: str | None, out: list, boxes: list):
        rpr = r.find(q("rPr"))
        if rpr is not None and on(rpr.find(q("vanish"))):
            return  # hidden text
        bold = on(rpr.find(q("b"))) if rpr is not None else None
        if bold is None and rpr is not None:
            bold = self.styles.first(val(rpr.find(q("rStyle"))), "bold")
        if bold is None:
            bold = self.styles.first(para_style, "bold")
        for child in r:
            self._run_child(child, bool(bold), out, boxes)

    def _run_child(self, child, bold: bool, out: list, boxes: list):
        tag = child.tag
        if tag == q("t"):
            out.append((child.text or "", bold))
        elif tag in (q("tab"), q("ptab")):
            out.append((" ", None))
        elif tag == q("br") and val(child, "type") in (None, "textWrapping") or tag == q("cr"):
            out.append(("\n", None))
        elif tag == q("noBreakHyphen"):
            out.append(("-", bold))
        elif tag in _NOTE_REFS:
            self._note_ref(_NOTE_REFS[tag], child.get(q("id")), out)
        else:  # a drawing or picture: its text boxes follow the paragraph
            boxes.extend(box for box in child.iter(q("txbxContent"))
                         if not any(a.tag == FALLBACK for a in box.iterancestors()))

    def _note_ref(self, kind: str, nid: str, out: list):
        if nid in self.notes[kind]:
            n = sum(1 for k, _, _ in self.note_refs if k == kind) + 1
            label = f"{n}" if kind == "footnotes" else f"尾注{n}"
            self.note_refs.append((kind, nid, label))
            out.append((f"[{label}]", None))

    # ------------------------------------------------------------ paragraphs

    def paragraph_lines(self, p) -> tuple[list[tuple[str, bool]], int | None, str | None, list]:
        """(pieces as (text, bold-only), heading level, number label or "-" for a bullet, text boxes)."""
        ppr = p.find(q("pPr"))
        sid = (val(ppr.find(q("pStyle"))) if ppr is not None else None) or self.styles.default_para
        level = self._heading_level(ppr, sid)
        label = self._label(ppr, sid)
        pieces, boxes = [], []
        self._runs(p, sid, pieces, boxes)
        return _joined(pieces), level, label, boxes

    def _heading_level(self, ppr, sid: str | None) -> int | None:
        outline = val(ppr.find(q("outlineLvl"))) if ppr is not None else None
        if outline not in (None, "9") and outline.isdigit():
            return min(int(outline) + 1, 6)
        return self.styles.heading_level(sid)

    def _label(self, ppr, sid: str | None) -> str | None:
        """The number Word shows before the paragraph, "-" for a bullet, None if not numbered."""
        num = self._num(ppr, sid)
        if not num or num[0] in (None, "0"):
            return None
        ilvl = int(num[1] or 0) if (num[1] or "0").isdigit() else 0
        found = self.numbering.label(num[0], ilvl)
        if not found:
            return None
        text, bullet = found
        return "-" if bullet else text

    def _num(self, ppr, sid: str | None) -> tuple[str | None, str | None] | None:
        """(numId, ilvl) of the paragraph, else of its style."""
        numpr = ppr.find(q("numPr")) if ppr is not None else None
        num = (val(numpr.find(q("numId"))), val(numpr.find(q("ilvl")))) if numpr is not None else None
        if num is None or num[0] is None:
            style_num = self.styles.first(sid, "num")
            if style_num and style_num[0]:
                num = (style_num[0], (num[1] if num else None) or style_num[1])
        return num

    def _paragraph(self, p, out: list[str], first: list):
        lines, level, label, boxes = self.paragraph_lines(p)
        for i, (text, bold) in enumerate(lines):
            if i == 0 and label and label != "-":
                text = _numbered(label, text)
            if not first:
                jc = p.find(f"{q('pPr')}/{q('jc')}")
                first.append((len(out), not level and label is None and val(jc) == "center"))
            out.append(self._line(text, level, label, bold))
        for box in boxes:
            self.blocks(box, out, first)

    @staticmethod
    def _line(text: str, level: int | None, label: str | None, bold: bool) -> str:
        if level:
            return "#" * level + " " + escape_inline(text)
        if label == "-":
            return "- " + escape(text)
        return "**" + escape(text) + "**" if bold else escape(text)

    # ------------------------------------------------------------ blocks and tables

    def blocks(self, parent, out: list[str], first: list):
        """Append the markdown blocks of a body, cell, note or text box; `first` notes the first one."""
        for el in parent:
            if el.tag == q("p"):
                self._paragraph(el, out, first)
            elif el.tag == q("tbl"):
                self._table(el, out, first)
            else:
                content = inner(el, _BLOCK_WRAPPERS)
                if content is not None:
                    self.blocks(content, out, first)

    def _cell_text(self, tc) -> str:
        inner_blocks: list[str] = []
        self.blocks(tc, inner_blocks, [None])
        return " ".join(re.sub(r"^#+ ", "", block).replace("\n", " ") for block in inner_blocks)

    def _row(self, tr) -> list[str]:
        cells = []
        for tc in tr.findall(q("tc")):
            tcpr = tc.find(q("tcPr"))
            span = val(tcpr.find(q("gridSpan"))) if tcpr is not None else None
            vmerge = tcpr.find(q("vMerge")) if tcpr is not None else None
            # A merged cell is written once: the cells it covers are empty.
            cells.append("" if vmerge is not None and val(vmerge) in (None, "continue") else self._cell_text(tc))
            cells.extend([""] * (int(span) - 1 if span and span.isdigit() and 1 < int(span) < 64 else 0))
        return cells

    def _table(self, tbl, out: list[str], first: list):
        rows = [cells for cells in map(self._row, tbl.findall(q("tr"))) if any(c.strip() for c in cells)]
        if not rows:
            return
        width = max(len(r) for r in rows)
        if width == 1:  # a box around text: its paragraphs
            for tr in tbl.findall(q("tr")):
                for tc in tr.findall(q("tc")):
                    self.blocks(tc, out, first)
            return
        if not first:
            first.append((len(out), False))
        lines = []
        for i, r in enumerate(rows):
            lines.append("| " + " | ".join(r + [""] * (width - len(r))) + " |")
            if i == 0:
                lines.append("|" + " --- |" * width)
        out.append("\n".join(lines))

    # ------------------------------------------------------------ the document

    def markdown(self) -> str:
        out: list[str] = []
        first: list = []
        self.blocks(self.body, out, first)
        self._centred_title(out, first)
        for kind, heading in _NOTE_HEADINGS:
            self._notes(kind, heading, out)
        return "\n\n".join(out) + "\n"

    @staticmethod
    def _centred_title(out: list[str], first: list):
        """No Word heading at all: a short centred first paragraph is the title, as Word shows it."""
        if not first or not first[0][1] or any(block.startswith("#") for block in out):
            return
        i = first[0][0]
        title = _unbold(out[i])
        if len(title) <= 60 and title[-1:] not in "。！？；：.!?;:":
            out[i] = "# " + (title[1:] if title.startswith("\\") and title[1:2] in "#-+=>" else title)

    def _notes(self, kind: str, heading: str, out: list[str]):
        refs = [(nid, label) for k, nid, label in self.note_refs if k == kind]
        if refs:
            out.append(f"**{heading}**")
        for nid, label in refs:
            note: list[str] = []
            self.blocks(self.notes[kind][nid], note, [None])
            text = " ".join(_unbold(b) for b in note)
            out.append(f"\\[{label}\\] " + text.replace("\n", " ").strip())
