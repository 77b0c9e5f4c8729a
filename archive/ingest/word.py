"""Word files to the archive's markdown dialect.

A .docx is read with python-docx (its package, styles, numbering and
footnotes parts; the body is walked as WordprocessingML) and written as
markdown that the rest of ingest reads like any corpus file:

* Word headings (Heading 1-6, 标题 1-6, Title, or a style or paragraph with an
  outline level) are `#` headings; with no heading at all, a short centred
  first paragraph (the usual 纪要 title) is the `#` title.
* A paragraph whose text is all bold is `**…**`, a bold line standing in for a heading.
* Automatic numbering is written out as Word shows it (一、 （一） 1. ① 甲 …) at
  the start of its paragraph, so a numbered line reads as if typed; bullets are `- ` items.
* Tables are pipe tables (merged cells once); a one-column table (a box
  around text) is its paragraphs.
* Footnote and endnote references are `[1]` in the text; the notes follow
  under a bold 脚注 / 尾注 line.
* A line break inside a paragraph starts a new paragraph (时间…<br>地点… are two fields).

Each Word paragraph is one line of the markdown, so the line a hit cites is
the paragraph of the converted text. Old .doc and .wps files are converted
with LibreOffice (to .docx, then as above), antiword or catdoc (to text), the
first that is installed and succeeds; without one the file is reported.
"""

import io
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
import zipfile

from lxml import etree

from .reader import UnreadableFile

LEGACY_SUFFIXES = (".doc", ".wps")  # the suffixes ingest reads as Word are archive.ingest.WORD_SUFFIXES

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_UNPACKED = 256 * 1024 * 1024  # the XML parts of one .docx, unpacked: more is a zip bomb
CONVERT_TIMEOUT = 120  # seconds for one legacy conversion

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _q(tag: str) -> str:
    return f"{{{_W}}}{tag}"


def _val(el, attr: str = "val") -> str | None:
    return None if el is None else el.get(_q(attr))


def _on(el) -> bool | None:
    """A WordprocessingML on/off property: None when absent."""
    if el is None:
        return None
    return _val(el) not in ("0", "false", "off", "none")


# ---------------------------------------------------------------- numbering

_CN_DIGITS = "零一二三四五六七八九"
_CN_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"
_DIZHI = "子丑寅卯辰巳午未申酉戌亥"


def _chinese(n: int, digits: str = _CN_DIGITS, units: str = "十百千万") -> str:
    if n <= 0:
        return digits[0]
    if n >= 100000:
        return str(n)
    parts, zero = [], False
    for value, unit in ((10000, units[3]), (1000, units[2]), (100, units[1]), (10, units[0]), (1, "")):
        d, n = divmod(n, value)
        if d:
            if zero and parts:
                parts.append(digits[0])
            parts.append(digits[d] + unit)
            zero = False
        elif parts:
            zero = True
    text = "".join(parts)
    return text[1:] if text.startswith(digits[1] + units[0]) and digits is _CN_DIGITS else text  # 十一, not 一十一


def _roman(n: int) -> str:
    out = ""
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                       (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + sym, n - value
    return out


def format_number(n: int, fmt: str) -> str:
    """A counter as Word shows it in the number format `fmt` (w:numFmt)."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting", "taiwaneseCounting",
               "ideographDigital", "taiwaneseDigital"):
        return _chinese(n)
    if fmt in ("chineseLegalSimplified", "japaneseLegal", "ideographLegalTraditional"):
        return _chinese(n, _CN_LEGAL, "拾佰仟万")
    if fmt == "ideographTraditional" and 1 <= n <= 10:
        return _TIANGAN[n - 1]
    if fmt == "ideographZodiac" and 1 <= n <= 12:
        return _DIZHI[n - 1]
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt == "decimalEnclosedParen" and 1 <= n <= 20:
        return chr(0x2474 + n - 1)
    if fmt == "decimalEnclosedFullstop" and 1 <= n <= 20:
        return chr(0x2488 + n - 1)
    if fmt == "decimalFullWidth":
        return "".join(chr(0xFF10 + int(d)) for d in str(n))
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("lowerLetter", "upperLetter") and n > 0:
        letter = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman") and n > 0:
        return _roman(n).lower() if fmt == "lowerRoman" else _roman(n)
    return str(n)


class Numbering:
    """Word's automatic numbering: the number text of each numbered paragraph, in document order."""

    def __init__(self, root):
        self.abstract: dict[str, dict[int, tuple[int, str, str]]] = {}  # id -> ilvl -> (start, fmt, text)
        self.nums: dict[str, tuple[str, dict[int, tuple[int, str, str]], bool]] = {}
        self.counters: dict[object, list[int | None]] = {}
        if root is None:
            return
        for absn in root.iter(_q("abstractNum")):
            self.abstract[_val(absn, "abstractNumId")] = self._levels(absn)
        for num in root.iter(_q("num")):
            abs_id = _val(num.find(_q("abstractNumId")))
            overrides, restart = {}, False
            for ov in num.iter(_q("lvlOverride")):
                ilvl = int(_val(ov, "ilvl") or 0)
                lvl = ov.find(_q("lvl"))
                if lvl is not None:
                    overrides.update(self._levels_of([lvl], ilvl))
                start = _val(ov.find(_q("startOverride")))
                if start is not None:
                    restart = True
                    base = overrides.get(ilvl) or self.abstract.get(abs_id, {}).get(ilvl, (1, "decimal", ""))
                    overrides[ilvl] = (int(start), base[1], base[2])
            self.nums[_val(num, "numId")] = (abs_id, overrides, restart)

    @classmethod
    def _levels(cls, absn) -> dict[int, tuple[int, str, str]]:
        return cls._levels_of(absn.findall(_q("lvl")))

    @staticmethod
    def _levels_of(lvls, default_ilvl: int = 0) -> dict[int, tuple[int, str, str]]:
        out = {}
        for lvl in lvls:
            ilvl = int(_val(lvl, "ilvl") or default_ilvl)
            start = _val(lvl.find(_q("start")))
            out[ilvl] = (int(start) if start and start.lstrip("-").isdigit() else 1,
                         _val(lvl.find(_q("numFmt"))) or "decimal", _val(lvl.find(_q("lvlText"))) or "")
        return out

    def label(self, num_id: str, ilvl: int) -> tuple[str, bool] | None:
        """(number text, is a bullet) of the next paragraph numbered `num_id` at level `ilvl`."""
        if num_id not in self.nums:
            return None
        abs_id, overrides, restart = self.nums[num_id]
        levels = {**self.abstract.get(abs_id, {}), **overrides}
        if ilvl not in levels:
            return None
        # Instances of one list continue each other's count unless one restarts it.
        counters = self.counters.setdefault(("num", num_id) if restart else abs_id, [None] * 10)
        ilvl = min(max(ilvl, 0), 9)
        counters[ilvl] = levels[ilvl][0] if counters[ilvl] is None else counters[ilvl] + 1
        for deeper in range(ilvl + 1, 10):
            counters[deeper] = None
        start, fmt, text = levels[ilvl]
        if fmt == "bullet":
            return "", True
        if fmt == "none":
            return re.sub(r"%\d", "", text), False

        def place(m):
            k = int(m.group(1)) - 1
            if k not in levels:
                return ""
            value = counters[k] if counters[k] is not None else levels[k][0]
            return format_number(value, levels[k][1])
        return re.sub(r"%([1-9])", place, text), False


# ---------------------------------------------------------------- styles

class Styles:
    """What a paragraph or character style says about headings, bold and numbering (through basedOn)."""

    _HEADING = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.I)

    def __init__(self, root):
        self.styles: dict[str, dict] = {}
        self.default_para = None
        if root is None:
            return
        for st in root.iter(_q("style")):
            sid = st.get(_q("styleId"))
            ppr, rpr = st.find(_q("pPr")), st.find(_q("rPr"))
            numpr = ppr.find(_q("numPr")) if ppr is not None else None
            self.styles[sid] = {
                "name": (_val(st.find(_q("name"))) or "").strip(),
                "based": _val(st.find(_q("basedOn"))),
                "outline": _val(ppr.find(_q("outlineLvl"))) if ppr is not None else None,
                "bold": _on(rpr.find(_q("b"))) if rpr is not None else None,
                "num": None if numpr is None else (_val(numpr.find(_q("numId"))), _val(numpr.find(_q("ilvl")))),
            }
            if st.get(_q("type")) == "paragraph" and st.get(_q("default")) in ("1", "true", "on"):
                self.default_para = sid

    def chain(self, sid: str | None):
        seen = set()
        while sid and sid in self.styles and sid not in seen:
            seen.add(sid)
            yield self.styles[sid]
            sid = self.styles[sid]["based"]

    def first(self, sid: str | None, key: str):
        return next((s[key] for s in self.chain(sid) if s[key] is not None), None)

    def heading_level(self, sid: str | None) -> int | None:
        for st in self.chain(sid):
            name = st["name"].lower()
            m = self._HEADING.match(name)
            if m:
                return min(int(m.group(1)), 6)
            if name in ("title", "标题"):
                return 1
            if st["outline"] is not None and st["outline"].isdigit() and int(st["outline"]) < 9:
                return min(int(st["outline"]) + 1, 6)
        return None


# ---------------------------------------------------------------- markdown

_ESCAPE = re.compile(r"([\\`*_\[\]<>&|~])")
_LINE_START = re.compile(r"^(#|[-+=>]|\d{1,9}(?=[.)]))")


def _escape_inline(text: str) -> str:
    text = _ESCAPE.sub(r"\\\1", text)
    return text[:-1] + "\\#" if text.endswith("#") else text  # a closing # would be dropped


def escape(text: str) -> str:
    """Text as markdown that reads back as the same characters."""
    text = _ESCAPE.sub(r"\\\1", text)
    m = _LINE_START.match(text)
    if m:
        if m.group(1)[0].isdigit():
            end = m.end()
            text = text[:end] + "\\" + text[end:]
        else:
            text = "\\" + text
    return text


def _clean(text: str) -> str:
    return re.sub(r"[ \t\u00a0\u3000]+", lambda m: " " if " " in m.group() or "\t" in m.group() else m.group(),
                  text).strip(" \t\u00a0\u3000\r\n")


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
                root = etree.fromstring(rel.target_part.blob,
                                        etree.XMLParser(resolve_entities=False, no_network=True))
                note = "footnote" if kind == "footnotes" else "endnote"
                for el in root.iter(_q(note)):
                    if el.get(_q("type")) in (None, "normal"):
                        self.notes[kind][el.get(_q("id"))] = el
        self.body = document.element.body

    # A paragraph's pieces: text, with breaks as "\n", and whether every letter in it is bold.
    def _runs(self, p, para_style: str | None, out: list, boxes: list):
        for el in p:
            tag = el.tag
            if tag == _q("r"):
                rpr = el.find(_q("rPr"))
                bold = _on(rpr.find(_q("b"))) if rpr is not None else None
                if bold is None and rpr is not None:
                    bold = self.styles.first(_val(rpr.find(_q("rStyle"))), "bold")
                if bold is None:
                    bold = self.styles.first(para_style, "bold")
                if rpr is not None and _on(rpr.find(_q("vanish"))):
                    continue  # hidden text
                for child in el:
                    ctag = child.tag
                    if ctag == _q("t"):
                        out.append((child.text or "", bool(bold)))
                    elif ctag in (_q("tab"), _q("ptab")):
                        out.append((" ", None))
                    elif ctag == _q("br") and _val(child, "type") in (None, "textWrapping") or ctag == _q("cr"):
                        out.append(("\n", None))
                    elif ctag == _q("noBreakHyphen"):
                        out.append(("-", bool(bold)))
                    elif ctag in (_q("footnoteReference"), _q("endnoteReference")):
                        kind = "footnotes" if ctag == _q("footnoteReference") else "endnotes"
                        nid = child.get(_q("id"))
                        if nid in self.notes[kind]:
                            n = sum(1 for k, _, _ in self.note_refs if k == kind) + 1
                            label = f"{n}" if kind == "footnotes" else f"尾注{n}"
                            self.note_refs.append((kind, nid, label))
                            out.append((f"[{label}]", None))
                    else:
                        for box in child.iter(_q("txbxContent")):
                            if not any(a.tag == f"{{{_MC}}}Fallback" for a in box.iterancestors()):
                                boxes.append(box)
            elif tag in (_q("hyperlink"), _q("ins"), _q("smartTag"), _q("fldSimple"), _q("customXml"),
                         _q("moveTo"), _q("dir"), _q("bdo")):
                self._runs(el, para_style, out, boxes)
            elif tag == _q("sdt"):
                content = el.find(_q("sdtContent"))
                if content is not None:
                    self._runs(content, para_style, out, boxes)
            elif tag == f"{{{_MC}}}AlternateContent":
                choice = el.find(f"{{{_MC}}}Choice")
                if choice is not None:
                    self._runs(choice, para_style, out, boxes)

    def paragraph_lines(self, p) -> tuple[list[tuple[str, bool]], int | None, str | None, list]:
        """(pieces as (text, bold-only), heading level, number label or "-" for a bullet, text boxes)."""
        ppr = p.find(_q("pPr"))
        sid = _val(ppr.find(_q("pStyle"))) if ppr is not None else None
        sid = sid or self.styles.default_para
        level = None
        if ppr is not None and _val(ppr.find(_q("outlineLvl"))) not in (None, "9"):
            outline = _val(ppr.find(_q("outlineLvl")))
            level = min(int(outline) + 1, 6) if outline.isdigit() else None
        level = level or self.styles.heading_level(sid)
        numpr = ppr.find(_q("numPr")) if ppr is not None else None
        num = (_val(numpr.find(_q("numId"))), _val(numpr.find(_q("ilvl")))) if numpr is not None else None
        if num is None or num[0] is None:
            style_num = self.styles.first(sid, "num")
            if style_num and style_num[0]:
                num = (style_num[0], (num[1] if num else None) or style_num[1])
        label = None
        if num and num[0] not in (None, "0"):
            found = self.numbering.label(num[0], int(num[1] or 0) if (num[1] or "0").isdigit() else 0)
            if found:
                text, bullet = found
                label = "-" if bullet else text
        pieces, boxes = [], []
        self._runs(p, sid, pieces, boxes)
        lines, text, bold = [], "", True
        for piece, is_bold in pieces + [("\n", None)]:
            if piece == "\n":
                if _clean(text):
                    lines.append((_clean(text), bold))
                text, bold = "", True
                continue
            text += piece
            if is_bold is False and piece.strip():
                bold = False
        return lines, level, label, boxes

    def blocks(self, parent, out: list[str], first: list):
        """Append the markdown blocks of a body, cell, note or text box; `first` notes the first one."""
        for el in parent:
            if el.tag == _q("p"):
                self._paragraph(el, out, first)
            elif el.tag == _q("tbl"):
                self._table(el, out, first)
            elif el.tag == _q("sdt"):
                content = el.find(_q("sdtContent"))
                if content is not None:
                    self.blocks(content, out, first)
            elif el.tag in (_q("customXml"), _q("ins"), _q("moveTo")):
                self.blocks(el, out, first)
            elif el.tag == f"{{{_MC}}}AlternateContent":
                choice = el.find(f"{{{_MC}}}Choice")
                if choice is not None:
                    self.blocks(choice, out, first)

    def _paragraph(self, p, out: list[str], first: list):
        lines, level, label, boxes = self.paragraph_lines(p)
        for i, (text, bold) in enumerate(lines):
            if i == 0 and label and label != "-":
                # 一、 and （一） run on into their text, as Word shows them; 1. and 第一章 are spaced.
                sep = "" if not label[-1:].strip() or (not label[-1].isascii()
                                                        and unicodedata.category(label[-1]).startswith("P")) else " "
                text = label + sep + text
            if level:
                line = "#" * level + " " + _escape_inline(text)
            elif label == "-":
                line = "- " + escape(text)
            elif bold:
                line = "**" + escape(text) + "**"
            else:
                line = escape(text)
            if not first:
                jc = p.find(f"{_q('pPr')}/{_q('jc')}")
                first.append((len(out), not level and label is None and _val(jc) == "center"))
            out.append(line)
        for box in boxes:
            self.blocks(box, out, first)

    def _cell_text(self, tc) -> str:
        inner: list[str] = []
        self.blocks(tc, inner, [None])
        return " ".join(re.sub(r"^#+ ", "", block).replace("\n", " ") for block in inner)

    def _table(self, tbl, out: list[str], first: list):
        rows = []
        for tr in tbl.findall(_q("tr")):
            cells = []
            for tc in tr.findall(_q("tc")):
                tcpr = tc.find(_q("tcPr"))
                span = _val(tcpr.find(_q("gridSpan"))) if tcpr is not None else None
                vmerge = tcpr.find(_q("vMerge")) if tcpr is not None else None
                # A merged cell is written once: the cells it covers are empty.
                text = "" if vmerge is not None and _val(vmerge) in (None, "continue") else self._cell_text(tc)
                cells.append(text)
                cells.extend([""] * (int(span) - 1 if span and span.isdigit() and 1 < int(span) < 64 else 0))
            if any(c.strip() for c in cells):
                rows.append(cells)
        if not rows:
            return
        width = max(len(r) for r in rows)
        if width == 1:  # a box around text: its paragraphs
            for tr in tbl.findall(_q("tr")):
                for tc in tr.findall(_q("tc")):
                    self.blocks(tc, out, first)
            return
        if not first:
            first.append((len(out), False))
        lines = []
        for i, r in enumerate(rows):
            r = r + [""] * (width - len(r))
            lines.append("| " + " | ".join(r) + " |")
            if i == 0:
                lines.append("|" + " --- |" * width)
        out.append("\n".join(lines))

    def markdown(self) -> str:
        out: list[str] = []
        first: list = []
        self.blocks(self.body, out, first)
        # No Word heading at all: a short centred first paragraph is the title, as Word shows it.
        if first and first[0][1] and not any(block.startswith("#") for block in out):
            i = first[0][0]
            title = out[i][2:-2] if out[i].startswith("**") and out[i].endswith("**") else out[i]
            if len(title) <= 60 and title[-1:] not in "。！？；：.!?;:":
                out[i] = "# " + (title[1:] if title.startswith("\\") and title[1:2] in "#-+=>" else title)
        for kind, heading in (("footnotes", "脚注"), ("endnotes", "尾注")):
            refs = [(nid, label) for k, nid, label in self.note_refs if k == kind]
            if refs:
                out.append(f"**{heading}**")
                for nid, label in refs:
                    note: list[str] = []
                    self.blocks(self.notes[kind][nid], note, [None])
                    text = " ".join(b[2:-2] if b.startswith("**") and b.endswith("**") else b for b in note)
                    out.append(f"\\[{label}\\] " + text.replace("\n", " ").strip())
        return "\n\n".join(out) + "\n"


def docx_to_markdown(data: bytes) -> str:
    """A .docx file's bytes as markdown of the archive's dialect; raises UnreadableFile."""
    if not data.startswith(ZIP_MAGIC):
        raise UnreadableFile("不是 .docx 文件：不是 zip 压缩包（已损坏，或是其他格式改名为 .docx）")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            names = {i.filename for i in infos}
            bad = None if "word/document.xml" in names else "no word/document.xml in it"
            unpacked = sum(i.file_size for i in infos if i.filename.endswith(".xml") or i.filename.endswith(".rels"))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise UnreadableFile(f"已损坏的 .docx：不是可读的 zip 压缩包（{exc}）") from None
    if bad:
        raise UnreadableFile(f"已损坏的 .docx，或不是 Word 文档：{bad}")
    if unpacked > MAX_UNPACKED:
        raise UnreadableFile(f"已损坏的 .docx：其 XML 解压后有 {unpacked // 2**20} MiB（最多读取 "
                             f"{MAX_UNPACKED // 2**20} MiB）")
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    try:
        document = docx.Document(io.BytesIO(data))
        if document.element.body is None:
            return ""  # a document without a body: empty, like an empty .md
        converter = Converter(document)
    except PackageNotFoundError as exc:
        raise UnreadableFile(f"已损坏的 .docx：{exc}") from None
    except Exception as exc:  # whatever python-docx meets in a damaged package: XML errors, missing parts
        raise UnreadableFile(f"已损坏的 .docx：{type(exc).__name__}: {exc}") from None
    try:
        return converter.markdown()
    except (KeyError, ValueError, etree.XMLSyntaxError) as exc:  # a part a note or number refers to is missing
        raise UnreadableFile(f"已损坏的 .docx：{type(exc).__name__}: {exc}") from None


# ---------------------------------------------------------------- old Word files

def _text_to_markdown(text: str) -> str:
    lines = [_clean(line) for line in text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").split("\n")]
    return "\n\n".join(escape(line) for line in lines if line) + "\n"


def _soffice(path: str, workdir: str) -> str:
    profile = os.path.join(workdir, "profile")
    out = os.path.join(workdir, "out")
    subprocess.run([_which("soffice", "libreoffice"), f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", "docx", "--outdir", out, path],
                   check=True, capture_output=True, timeout=CONVERT_TIMEOUT, stdin=subprocess.DEVNULL)
    produced = [f for f in os.listdir(out) if f.endswith(".docx")] if os.path.isdir(out) else []
    if not produced:
        raise RuntimeError("LibreOffice 没有生成 .docx")
    with open(os.path.join(out, produced[0]), "rb") as f:
        return docx_to_markdown(f.read())


def _antiword(path: str, workdir: str) -> str:
    done = subprocess.run(["antiword", "-w", "0", "-m", "UTF-8.txt", path], check=True, capture_output=True,
                          timeout=CONVERT_TIMEOUT, stdin=subprocess.DEVNULL)
    return _text_to_markdown(done.stdout.decode("utf-8", "replace"))


def _catdoc(path: str, workdir: str) -> str:
    done = subprocess.run(["catdoc", "-w", "-d", "utf-8", path], check=True, capture_output=True,
                          timeout=CONVERT_TIMEOUT, stdin=subprocess.DEVNULL)
    return _text_to_markdown(done.stdout.decode("utf-8", "replace"))


def _which(*names: str) -> str | None:
    return next((found for found in map(shutil.which, names) if found), None)


CONVERTERS = (("LibreOffice", ("soffice", "libreoffice"), _soffice),
              ("antiword", ("antiword",), _antiword),
              ("catdoc", ("catdoc",), _catdoc))
_KIND = {".doc": "Word", ".wps": "WPS"}
INSTALL_HINT = ("请 apt-get install antiword（或 catdoc，或提供 soffice 的 libreoffice-writer），"
                "或把它另存为 .docx")


def legacy_to_markdown(data: bytes, suffix: str) -> str:
    """An old binary Word (.doc) or WPS (.wps) file as markdown, through the first converter installed."""
    if data.startswith(ZIP_MAGIC):
        return docx_to_markdown(data)  # a .docx saved under an old name
    if not data.startswith(OLE_MAGIC):
        head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        kind = ("RTF 文件" if head.startswith(b"{\\rtf") else
                "网页（HTML）" if head.startswith((b"<html", b"<!doctype", b"<?xml", b"mime-version")) else None)
        if kind:
            raise UnreadableFile(f"这是改名为 {suffix} 的 {kind}，不是 Word 文件：请用 Word 或 WPS 打开并另存为 .docx")
        raise UnreadableFile(f"不是 Word {suffix} 文件（没有 Word 或 WPS 的文件标记）：已损坏，或是其他格式")
    available = [(name, fn) for name, cmds, fn in CONVERTERS if _which(*cmds)]
    if not available:
        raise UnreadableFile(f"旧版 {_KIND[suffix]} {suffix} 文件，而没有安装转换工具：{INSTALL_HINT}")
    failures = []
    with tempfile.TemporaryDirectory(prefix="archive-word-") as workdir:
        path = os.path.join(workdir, "input" + suffix)
        with open(path, "wb") as f:
            f.write(data)
        for name, fn in available:
            try:
                text = fn(path, workdir)
            except subprocess.TimeoutExpired:
                failures.append(f"{name} 超时（{CONVERT_TIMEOUT} 秒）")
                continue
            except subprocess.CalledProcessError as exc:
                err = (exc.stderr or b"").decode("utf-8", "replace").strip().splitlines()
                last = err[-1].replace(path, "该文件") if err else f"退出码 {exc.returncode}"
                failures.append(f"{name} 失败（{last}）")
                continue
            except (OSError, RuntimeError, UnreadableFile) as exc:
                failures.append(f"{name} 失败（{exc}）")
                continue
            if text.strip():
                return text
            failures.append(f"{name} 没有读出文字")
    raise UnreadableFile(f"旧版 {_KIND[suffix]} {suffix} 文件无法转换：" + "；".join(failures))


def to_markdown(data: bytes, suffix: str) -> str:
    """A Word file's bytes (by its suffix, .docx, .doc or .wps) as markdown; raises UnreadableFile."""
    suffix = suffix.lower()
    if suffix in LEGACY_SUFFIXES:
        return legacy_to_markdown(data, suffix)
    if data.startswith(OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise UnreadableFile("有密码保护的 .docx：请在 Word 中去掉密码后重新保存")
        return legacy_to_markdown(data, ".doc")  # an old Word file renamed .docx
    return docx_to_markdown(data)
