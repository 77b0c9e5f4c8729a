"""Opening a PDF with pdfium (pypdfium2) and telling a scanned page: what the text-layer reader (pdf.py)
and the OCR workers (ocr.py) both need."""

from .reader import UnreadableFile

MIN_TEXT_CHARS = 10  # fewer visible characters than this: the page is a scan (maybe with a stray label)


def open_pdf(data: bytes):
    import pypdfium2 as pdfium
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        reason = str(exc)
        if "password" in reason.lower():
            raise UnreadableFile("有密码保护的 PDF：请另存为无密码的文件") from None
        raise UnreadableFile(f"不是可读取的 PDF（{reason}）") from None


def scanned(page) -> bool:
    """A page with (almost) no text layer: a scan, maybe with a stray label or page number."""
    textpage = page.get_textpage()
    try:
        return len("".join(textpage.get_text_range().split())) < MIN_TEXT_CHARS
    finally:
        textpage.close()
