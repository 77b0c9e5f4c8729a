"""Lines placed on pages (from a PDF's text layer or from OCR) to the archive's markdown.

Both readers give each page's lines with their boxes; here, once for both: columns put in
reading order, running headers, footers and page numbers dropped, lines re-joined into
paragraphs (Chinese has no spaces, so a line break inside a sentence is no break), headings
told by their size or weight. The markdown has one paragraph a line, blank lines between, and
`page_starts` says on which line each page's first paragraph begins, so that every paragraph
knows its page.
"""

import re
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Line:
    text: str
    x0: float  # box in page units, y growing downwards
    top: float
    x1: float
    bottom: float
    size: float  # the font size; for OCR the character pitch (box heights vary too much with the glyphs)
    bold: bool = False
    ink: float = 0.0  # dark pixels per character, over the size squared: bold type has more


@dataclass
class Page:
    number: int  # from 1
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    confidence: float | None = None  # OCR's mean confidence over the page's characters; None: a text layer


@dataclass
class Converted:
    text: str
    page_starts: list[tuple[int, int]]  # (page number, 1-based markdown line of its first paragraph)
    warnings: list[str] = field(default_factory=list)
    # (markdown line of a paragraph, page it runs on to, the first characters of its text there)
    page_breaks: list[tuple[int, int, str]] = field(default_factory=list)


# Page numbers as printed: 3, - 3 -, — 3 —, 第 3 页, 第3页 共24页, 3/24, Page 3 of 24, [3].
PAGE_NUMBER = re.compile(r"^[\s\-—–·•\[\(（]*(第\s*\d+\s*页(\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+|\d+|"
                         r"page\s*\d+(\s*of\s*\d+)?)[\s\-—–·•\]\)）]*$", re.I)
BREAK_CHARS = 12  # characters that find where a paragraph runs on to the next page
BAND = 0.12  # running headers and footers stand in the top or bottom 12% of a page
SENTENCE_END = tuple("。：；！？:;!?") + ("。”", "！”", "？”", "。）", "。)")


# A line inked this much more than the body's median is bold: measured on the sample printed and scanned, bold
# lines 1.5–1.7×, regular ones up to 1.1× (text layer) and 1.4× (scan).
BOLD_INK = 1.45
MIN_HEADING_CHARS = 3  # a heading starts with at least this many letters (its next lines may have fewer)
MIN_INK_CHARS = 6  # fewer characters give no reliable ink measure


def measure_ink(lines: list[Line], gray, scale: float) -> None:
    """Set each line's ink from a greyscale rendering of its page (`gray`: a 2-D array, `scale` pixels a unit).

    Weight is measured, not read from the fonts: pdfium names no font of the PDFs Chromium prints, and
    a scan has none."""
    for ln in lines:
        box = gray[int(ln.top * scale):int(ln.bottom * scale) + 1, int(ln.x0 * scale):int(ln.x1 * scale) + 1]
        chars = len(ln.text.replace(" ", ""))
        if box.size and chars:  # per character, not per area: justified lines are spaced out
            ln.ink = float((box < 128).sum()) / chars / (ln.size * scale) ** 2


def body_size(lines: list[Line]) -> float:
    """The size of most characters: the median over characters, so that a scan's scattered pitches agree."""
    sizes = sorted((ln.size, len(ln.text)) for ln in lines)
    half, seen = sum(n for _, n in sizes) / 2, 0
    for size, n in sizes:
        seen += n
        if seen >= half:
            return size
    return 12.0


def mark_bold(lines: list[Line]) -> None:
    """Lines inked BOLD_INK times the median of the body's lines are bold."""
    if not lines:
        return
    body = body_size(lines)
    inks = sorted(ln.ink for ln in lines if ln.ink and len(ln.text) >= MIN_INK_CHARS and abs(ln.size - body) < 0.15 * body)
    if len(inks) < 5:
        return
    median = inks[len(inks) // 2]
    for ln in lines:
        if len(ln.text.replace(" ", "")) >= MIN_INK_CHARS and ln.ink > BOLD_INK * median:
            ln.bold = True


def _norm(text: str) -> str:
    """A running line's text with its page number made generic: '第 3 页' and '第 4 页' are one line."""
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def _in_band(line: Line, page: Page) -> bool:
    return line.bottom <= page.height * BAND or line.top >= page.height * (1 - BAND)


def drop_running(pages: list[Page]) -> None:
    """Drop page numbers and lines repeated near the top or bottom of several pages (running titles)."""
    edge_texts = Counter()
    for page in pages:
        edge_texts.update({_norm(ln.text) for ln in page.lines if _in_band(ln, page)})
    repeated = {t for t, n in edge_texts.items() if n >= 2 and n >= len(pages) / 2}
    for page in pages:
        page.lines = [ln for ln in page.lines
                      if not (_in_band(ln, page) and (PAGE_NUMBER.match(ln.text) or _norm(ln.text) in repeated))]


def _rows(lines: list[Line]) -> list[list[Line]]:
    """Lines grouped into rows of vertically overlapping boxes, top to bottom."""
    rows: list[list[Line]] = []
    for ln in sorted(lines, key=lambda ln: (ln.top, ln.x0)):
        row = rows[-1] if rows else None
        if row and min(ln.bottom, row[0].bottom) - max(ln.top, row[0].top) > 0.5 * min(
                ln.bottom - ln.top, row[0].bottom - row[0].top):
            row.append(ln)
        else:
            rows.append([ln])
    return rows


def _gutter(lines: list[Line], page: Page) -> float | None:
    """The x of a gap between two columns: no line crosses it, and lines stand side by side across it."""
    if len(lines) < 6:
        return None
    best = None
    for step in range(30, 71):
        x = page.width * step / 100
        crossing = sum(ln.x0 < x < ln.x1 for ln in lines)
        left = [ln for ln in lines if ln.x1 <= x]
        right = [ln for ln in lines if ln.x0 >= x]
        if len(left) >= 3 and len(right) >= 3 and crossing <= max(2, len(lines) // 10):
            beside = sum(any(min(a.bottom, b.bottom) > max(a.top, b.top) for b in right) for a in left)
            if beside >= 3 and (best is None or crossing < best[0]):
                best = (crossing, x)
    return best[1] if best else None


def reading_order(page: Page, join_gap: float = 1.0) -> list[Line]:
    """The page's lines as they are read: a row's boxes joined, two columns one after the other.

    A line spanning the gutter (a title across both columns) ends the column block above it."""
    gutter = _gutter(page.lines, page)
    blocks: list[list[Line]] = [[]]
    for ln in sorted(page.lines, key=lambda ln: (ln.top, ln.x0)):
        if gutter is not None and ln.x0 < gutter < ln.x1:
            blocks += [[ln], []]
        else:
            blocks[-1].append(ln)
    ordered = []
    for block in blocks:
        sides = [block] if gutter is None else [[ln for ln in block if ln.x1 <= gutter],
                                                 [ln for ln in block if ln.x1 > gutter]]
        for side in sides:
            ordered += [_join_row(row, join_gap) for row in _rows(side)]
    return ordered


def _join_row(row: list[Line], gap: float) -> Line:
    """Boxes of one row as one line; a space where they stand more than `gap` characters apart."""
    row.sort(key=lambda ln: ln.x0)
    text = row[0].text
    for a, b in zip(row, row[1:]):
        text += (" " if b.x0 - a.x1 > gap * max(a.size, b.size) else "") + b.text
    return Line(text, min(ln.x0 for ln in row), min(ln.top for ln in row), max(ln.x1 for ln in row),
                max(ln.bottom for ln in row), max(ln.size for ln in row), all(ln.bold for ln in row))


@dataclass
class _Metrics:
    size: float  # the body text's size
    left: float  # the body's left margin
    right: float  # the body's right margin
    leading: float  # the usual distance from one line's top to the next's
    indents: bool  # paragraphs start indented


def _mode(values, unit: float) -> float:
    counts = Counter(round(v / unit) for v in values)
    return counts.most_common(1)[0][0] * unit if counts else 0.0


def _metrics(lines: list[tuple[int, Line]]) -> _Metrics:
    size = body_size([ln for _, ln in lines])
    body = [ln for _, ln in lines if abs(ln.size - size) <= 0.15 * size] or [ln for _, ln in lines]
    left = sorted(ln.x0 for ln in body)[len(body) // 10] if body else 0.0  # (indented lines stand right of it)
    right = sorted(ln.x1 for ln in body)[int(len(body) * 0.9)] if body else 0.0
    gaps = [b.top - a.top for (pa, a), (pb, b) in zip(lines, lines[1:])
            if pa == pb and 0 < b.top - a.top < 3 * size and abs(a.size - b.size) < 0.15 * size]
    leading = _mode(gaps, size / 10) if gaps else 1.5 * size
    indented = sum(size * 1.2 < ln.x0 - left < size * 4 for ln in body)
    return _Metrics(size, left, right, leading or 1.5 * size, indented >= max(2, len(body) // 40))


def _heading_level(ln: Line, m: _Metrics, sizes: list[float]) -> int:
    """1, 2, … for lines larger than the body (largest first); 0 for body text."""
    if ln.size < m.size * 1.12 or len(ln.text) > 60:
        return 0
    return min(sizes.index(min(sizes, key=lambda s: abs(s - ln.size))) + 1, 6)


def _starts_paragraph(prev: tuple[int, Line], cur: tuple[int, Line], m: _Metrics, levels, sized) -> bool:
    (pp, a), (pc, b) = prev, cur
    if levels(a) and sized(b) and pp == pc and b.top - a.bottom < 0.8 * (a.bottom - a.top):
        return False  # a heading running over two lines (its last line may measure smaller, or too short to weigh)
    if levels(a) != levels(b) or levels(a):
        return True
    if a.bold != b.bold and len(b.text) >= MIN_INK_CHARS:
        return True
    if pp == pc and b.top - a.top > m.leading * 1.6:  # a blank line's gap
        return True
    if b.x0 - m.left > m.size * 1.2:  # indented
        return True
    if a.x1 < m.right - m.size * 1.5:  # ends short of the margin
        return True
    # Where paragraphs are not indented, a line ending a sentence ends its paragraph.
    return not m.indents and a.text.rstrip().endswith(SENTENCE_END)


def _joined(text: str, more: str) -> str:
    """Latin words broken at a line end keep a space; Chinese runs on without one."""
    if text and more and text[-1].isascii() and text[-1].isalnum() and more[0].isascii() and more[0].isalnum():
        return text + " " + more
    return text + more


def to_markdown(pages: list[Page], join_gap: float = 1.0) -> Converted:
    drop_running(pages)
    lines = [(page.number, ln) for page in pages for ln in reading_order(page, join_gap) if ln.text.strip()]
    m = _metrics(lines)
    sizes = sorted({round(ln.size, 1) for _, ln in lines if ln.size >= m.size * 1.12}, reverse=True)
    heading_sizes = _cluster(sizes, m.size * 0.08)

    def sized(ln):
        return _heading_level(ln, m, heading_sizes)

    def levels(ln):
        """A heading's level: its size's, if it has a few characters (a scan's pitch of two is no measure)."""
        return sized(ln) if len(re.sub(r"\W", "", ln.text)) >= MIN_HEADING_CHARS else 0

    paragraphs: list[tuple[int, str, int, bool]] = []  # (page, text, heading level, bold)
    runs_on: dict[int, list[tuple[int, str]]] = {}  # paragraph -> (page, its first characters there)
    for i, (pno, ln) in enumerate(lines):
        text = ln.text.strip()
        if i and not _starts_paragraph(lines[i - 1], (pno, ln), m, levels, sized):
            page, before, level, bold = paragraphs[-1]
            paragraphs[-1] = (page, _joined(before, text), level, bold)
            if pno != lines[i - 1][0]:
                runs_on.setdefault(len(paragraphs) - 1, []).append((pno, text[:BREAK_CHARS]))
        else:
            paragraphs.append((pno, text, levels(ln), ln.bold))
    out, starts, seen, breaks = [], [], set(), []
    for k, (page, text, level, bold) in enumerate(paragraphs):
        breaks += [(len(out) + 1, on, prefix) for on, prefix in runs_on.get(k, ())]
        if page not in seen:
            seen.add(page)
            starts.append((page, len(out) + 1))
        if level:
            out.append("#" * level + " " + _escape(text))
        elif bold:
            out.append(f"**{_escape(text)}**")
        else:
            out.append(_escape(text))
        out.append("")
    return Converted("\n".join(out), starts, page_breaks=breaks)


def _cluster(sizes: list[float], tolerance: float) -> list[float]:
    """Heading sizes, largest first, with sizes closer than `tolerance` counted as one."""
    kept: list[float] = []
    for s in sizes:
        if not kept or kept[-1] - s > tolerance:
            kept.append(s)
    return kept


# A line that markdown would read as structure (a list, a heading, a quote, a table row, a rule) is
# text here: escape its first character; emphasis and links inside text are escaped too.
_LEADING = re.compile(r"^(\s*)([#>*+\-|=]|\d+[.)](?=\s))")


def _escape(text: str) -> str:
    text = re.sub(r"([\\`*_\[\]<>])", r"\\\1", text)
    return _LEADING.sub(lambda mt: mt[1] + "\\" + mt[2] if not mt[2][0].isdigit()
                        else mt[1] + mt[2][:-1] + "\\" + mt[2][-1], text)


def page_of(page_starts, line: int) -> int | None:
    """The page a markdown line is on: that of the last page start at or before it."""
    found = None
    for page, start in page_starts:
        if start > line:
            break
        found = page
    return found


def break_offsets(text: str, line_start: int, line_end: int, page_breaks, page_starts=(), lines=()) -> list[list[int]]:
    """[offset in `text`, page] where a paragraph of lines line_start…line_end runs on to another page:
    within one of its lines (page_breaks), or where a page's first line was joined to it (split's repair of
    a sentence cut by the page end: page_starts, with the markdown `lines` to find its text)."""
    joined = [(start, page, lines[start - 1].strip()[:BREAK_CHARS]) for page, start in page_starts
              if line_start < start <= line_end and start <= len(lines)]
    found, at = [], 0
    for line, page, prefix in sorted([*page_breaks, *joined]):
        if line_start <= line <= line_end and prefix:
            i = text.find(prefix, at)
            if i >= 0:
                found.append([i, page])
                at = i
    return found


def page_at(offset: int, page: int, breaks) -> int:
    """The page holding character `offset` of a paragraph that begins on `page`."""
    for start, later in breaks:
        if start <= offset:
            page = later
    return page
