"""Ingest: corpus files to documents of meetings and paragraphs.

corpus/*.md -> reader (bytes to text) -> blocks (markdown with line maps)
-> split (meetings, sections, repaired paragraphs) -> Document.
Word files (.docx, .doc, .wps) are first converted to markdown by word; their
lines are those of the converted text (one Word paragraph a line). PDFs and
scanned images are converted by pdf (text layer) and ocr (scans), and the
document keeps where each page starts, so that every paragraph knows its page.
"""

from pathlib import Path

from .blocks import parse
from .model import Block, Document, Meeting, Paragraph
from .reader import UnreadableFile, decode
from .split import split

# Kept here, not imported from word, so that listing the corpus never imports python-docx.
WORD_SUFFIXES = (".docx", ".doc", ".wps")
PDF_SUFFIXES = (".pdf",)
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")

# What one file may hold, so that no record, ingest or meeting page is unbounded: a paragraph is cut
# at sentence ends past blocks.MAX_BLOCK_CHARS (4000); a file's text past MAX_FILE_CHARS, or one meeting
# past MAX_MEETING_CHARS, fails the file with its reason (the largest minutes and laws seen are about
# 220,000 characters). A text file of more bytes than 4 a character could make is not even decoded.
MAX_FILE_CHARS = 5_000_000
MAX_MEETING_CHARS = 1_000_000

__all__ = ["IMAGE_SUFFIXES", "PDF_SUFFIXES", "WORD_SUFFIXES", "Block", "Document", "Meeting", "Paragraph", "UnreadableFile", "load", "parse_text", "source_name"]


def source_name(path: Path, root: Path) -> str:
    """The path a paragraph cites: relative to the corpus root, with forward slashes.

    A linked file is named after its target. Resolving every path costs a system call per
    folder level, so a plain file below its root (the corpus walk never enters linked
    folders) is named from its path alone.
    """
    if ".." not in path.parts and not path.is_symlink():
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            pass
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


def parse_text(text: str, source: str) -> Document:
    blocks, front, warnings, broken = parse(text)
    title, meetings = split(blocks, Path(source).stem)
    doc = Document(source, title, text.split("\n"), meetings, front, broken, warnings)
    # Front matter names the document; a one-meeting file's meeting too.
    if isinstance(front.get("title"), str) and front["title"].strip():
        doc.title = front["title"].strip()
        if len(doc.records) == 1:
            doc.records[0].title = doc.title
    return doc


def load(path: Path, root: Path, data: bytes | None = None, cache=None) -> Document:
    """Read and split one corpus file; raises UnreadableFile with the reason.

    `cache` (archive/ingest/ocr_cache.OcrCache) keeps the pages of scans read by OCR."""
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise UnreadableFile(f"无法读取：{exc.strerror or exc}") from exc
    suffix = path.suffix.lower()
    if suffix in WORD_SUFFIXES:
        from .word import to_markdown  # python-docx is imported only when a Word file is met
        text = to_markdown(data, suffix)
    elif suffix in PDF_SUFFIXES + IMAGE_SUFFIXES:
        from .pdf import convert  # pdfium and the OCR engine are imported only when a PDF or scan is met
        converted = convert(data, suffix, cache)
        doc = _within_limits(parse_text(_sized(converted.text), source_name(path, root)))
        doc.pages, doc.page_breaks = converted.page_starts, converted.page_breaks
        doc.warnings += converted.warnings
        return doc
    else:
        if len(data) > 4 * MAX_FILE_CHARS:
            raise _too_big(f"{len(data) / 1e6:.0f} MB")
        text, _encoding = decode(data)
    return _within_limits(parse_text(_sized(text), source_name(path, root)))


def _too_big(size: str) -> UnreadableFile:
    return UnreadableFile(f"文件过大：{size}，超过每个文件 {MAX_FILE_CHARS:,} 个字符的上限；请把它拆成几个文件再导入")


def _sized(text: str) -> str:
    if len(text) > MAX_FILE_CHARS:
        raise _too_big(f"{len(text):,} 个字符")
    return text


def _within_limits(doc: Document) -> Document:
    for meeting in doc.meetings:
        size = sum(len(p.text) for p in meeting.paragraphs)
        if size > MAX_MEETING_CHARS:
            raise UnreadableFile(f"会议过长：“{meeting.title[:40]}” 有 {size:,} 个字符，超过每场会议 "
                                 f"{MAX_MEETING_CHARS:,} 个字符的上限；请按会议或章节拆分文件再导入")
    return doc
