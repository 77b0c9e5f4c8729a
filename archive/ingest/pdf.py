"""PDF minutes to markdown: the text layer through pdfium (pypdfium2), scanned pages through OCR.

Each character's box and font size come from pdfium, each line's weight from the ink it lays
down on a rendering (layout.measure_ink); pdfium's own line breaks cut the characters into lines, which archive/ingest/layout.py orders, cleans of running headers and
page numbers and joins into paragraphs. A page without text (a scan) is rendered and read by
OCR (archive/ingest/ocr.py), from its cache when it was read before.
"""

import hashlib

from . import IMAGE_SUFFIXES
from .layout import Converted, Line, Page, mark_bold, measure_ink, to_markdown
from .ocr import PageReader, image_pages, low_confidence
from .pdfium import open_pdf, scanned
from .reader import UnreadableFile

INK_SCALE = 1.0  # 72 dpi is enough to tell bold type from regular


def text_lines(page, height: float) -> list[Line]:
    """The page's text layer as lines (pdfium's line breaks), each with its box and size."""
    import pypdfium2.raw as raw
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        text = textpage.get_text_range(0, count) if count else ""
        lines, chars = [], []

        def flush():
            if chars and "".join(c[0] for c in chars).strip():
                visible = [c for c in chars if not c[0].isspace()]
                lines.append(Line("".join(c[0] for c in chars).strip(), min(c[1] for c in visible),
                                  height - max(c[4] for c in visible), max(c[3] for c in visible),
                                  height - min(c[2] for c in visible), max(c[5] for c in visible)))
            chars.clear()

        for i, ch in enumerate(text[:count]):
            if ch in "\r\n":
                flush()
                continue
            if ch == "\x02" or ch == "\ufffe":  # a hyphen pdfium marks as a line-end break
                continue
            left, bottom, right, top = textpage.get_charbox(i)
            size = raw.FPDFText_GetFontSize(textpage, i)
            chars.append((ch, left, bottom, right, top, size))
        flush()
        return lines
    finally:
        textpage.close()


def to_pages(data: bytes, ocr=None) -> list[Page]:
    """Every page's lines: the text layer's, or OCR's (`ocr(pdf, index) -> Page`) where it has none."""
    pdf = open_pdf(data)
    try:
        pages = []
        for i in range(len(pdf)):
            page = pdf[i]
            width, height = page.get_size()
            if ocr is not None and scanned(page):
                pages.append(ocr(pdf, i))
            else:
                lines = text_lines(page, height)
                gray = page.render(scale=INK_SCALE, grayscale=True).to_numpy()
                measure_ink(lines, gray.reshape(gray.shape[0], gray.shape[1], -1)[:, :, 0], INK_SCALE)
                pages.append(Page(i + 1, width, height, lines))
            page.close()
        mark_bold([ln for p in pages if p.confidence is None for ln in p.lines])  # the text layer's
        return pages
    finally:
        pdf.close()


def convert(data: bytes, suffix: str, cache=None) -> Converted:
    """A PDF or a scanned image as markdown with its page starts; pages read by OCR with little
    confidence are listed in the warnings."""
    reader = PageReader(hashlib.sha256(data).hexdigest(), cache)
    if suffix in IMAGE_SUFFIXES:
        pages = image_pages(data, reader)
    else:
        pages = to_pages(data, reader.pdf_page)
    mark_bold([ln for p in pages if p.confidence is not None for ln in p.lines])  # the scanned pages'
    converted = to_markdown(pages, join_gap=0.6)
    if not converted.text.strip():
        raise UnreadableFile("没有找到文字：既没有文字层，OCR 也没有识别出任何内容")
    converted.warnings = low_confidence(pages)
    return converted
