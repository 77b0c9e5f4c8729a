"""Scans read by OCR: RapidOCR (PP-OCRv4 Chinese models inside its wheel, run by onnxruntime).

A scanned page (an image file's frame, or a PDF page without text) is read into line boxes
with a confidence each; archive/ingest/layout.py puts them in reading order and paragraphs.
Every page read is cached under the file's SHA-256, its page number and the OCR engine's
version (archive/ingest/ocr_cache.py), so re-indexing or a rebuild never reads a page twice.
`prefill()` reads all uncached pages of an ingest first, in worker processes, counting pages.
"""

import io
import os
from importlib.metadata import version

from . import IMAGE_SUFFIXES, PDF_SUFFIXES
from .layout import Line, Page, measure_ink
from .ocr_cache import OcrCache
from .pdfium import open_pdf, scanned
from .reader import UnreadableFile
from .. import settings
from ..workers import die_with_parent, forking

DPI = 150  # a scanned PDF page is rendered at this resolution, as scanners save minutes
# The engine and how pages are given to it: a change makes a new cache.
ENGINE = f"rapidocr-onnxruntime-{version('rapidocr-onnxruntime')}-{DPI}dpi"
LOW_CONFIDENCE = 0.80  # pages read with less mean confidence are listed in the ingest summary
MAX_PIXELS = 60_000_000  # a larger image is refused (a decompression bomb, or no page of minutes)

_engine = None


def _ocr(threads: int = 0):
    """The RapidOCR engine of this process, loaded once (about a second)."""
    global _engine
    if _engine is None:
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as exc:  # OpenCV without libGL on a minimal machine
            raise UnreadableFile(f"OCR 引擎无法启动（{exc}）：请 apt-get install libgl1") from None
        _engine = RapidOCR(**({"intra_op_num_threads": threads} if threads else {}))
    return _engine


def read_image(rgb, number: int) -> Page:
    """One page image (an H×W×3 uint8 array) read into line boxes, with the page's confidence."""
    import numpy as np
    result, _ = _ocr()(rgb)
    lines, weighted, chars = [], 0.0, 0
    for box, text, score in result or []:
        xs, ys = [p[0] for p in box], [p[1] for p in box]
        text = text.strip()
        if not text:
            continue
        lines.append(Line(text, min(xs), min(ys), max(xs), max(ys), _pitch(text, max(xs) - min(xs), max(ys) - min(ys))))
        weighted += float(score) * len(text)
        chars += len(text)
    gray = np.asarray(rgb, dtype=np.float32).mean(axis=2)
    measure_ink(lines, gray, 1.0)
    return Page(number, rgb.shape[1], rgb.shape[0], lines, round(weighted / chars, 4) if chars else 0.0)


def _pitch(text: str, width: float, height: float) -> float:
    """The width of one full-width character in a box: the size layout compares (half-width ones count half)."""
    units = sum(0.5 if c.isascii() else 1.0 for c in text)
    return width / units if units >= 2 else height


def page_to_dict(page: Page) -> dict:
    """What OCR saw (text, box, ink), not what layout makes of it: layout may change, the cache stays."""
    return {"number": page.number, "width": page.width, "height": page.height, "confidence": page.confidence,
            "lines": [[ln.text, ln.x0, ln.top, ln.x1, ln.bottom, ln.ink] for ln in page.lines]}


def page_from_dict(d: dict) -> Page:
    lines = [Line(text, x0, top, x1, bottom, _pitch(text, x1 - x0, bottom - top), ink=ink)
             for text, x0, top, x1, bottom, ink in d["lines"]]
    return Page(d["number"], d["width"], d["height"], lines, d["confidence"])


# -- the pages of a file ------------------------------------------------------------

def image_frames(data: bytes) -> int:
    """How many pages an image file holds (a TIFF may hold several); raises UnreadableFile."""
    with _open_image(data) as img:
        return getattr(img, "n_frames", 1)


def _open_image(data: bytes):
    from PIL import Image, UnidentifiedImageError
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        return Image.open(io.BytesIO(data))
    except UnidentifiedImageError:
        raise UnreadableFile("不是可读取的图片（PNG、JPEG 或 TIFF）") from None
    except Image.DecompressionBombError as exc:
        raise UnreadableFile(f"图片太大，不像是一页文件（{exc}）") from None


def image_page(data: bytes, index: int):
    """Frame `index` of an image file as an RGB array."""
    import numpy as np
    from PIL import ImageOps
    with _open_image(data) as img:
        try:
            img.seek(index)
            frame = ImageOps.exif_transpose(img).convert("RGB")  # a phone's photo stands as it was taken
        except (OSError, ValueError, SyntaxError) as exc:
            raise UnreadableFile(f"图片已损坏（第 {index + 1} 页：{exc}）") from None
    return np.asarray(frame)


def pdf_page(pdf, index: int):
    """PDF page `index` rendered at DPI as an RGB array."""
    import numpy as np
    bitmap = pdf[index].render(scale=DPI / 72)
    return np.asarray(bitmap.to_pil().convert("RGB"))


class PageReader:
    """Reads the scanned pages of one file (`sha` its SHA-256), through the cache when it has them."""

    def __init__(self, sha: str, cache: OcrCache | None):
        self.sha, self.cache = sha, cache

    def read(self, number: int, image) -> Page:
        """Page `number` (from 1); `image()` gives its RGB array, only called on a cache miss."""
        if self.cache is not None:
            found = self.cache.get(self.sha, number, ENGINE)
            if found is not None:
                return page_from_dict(found)
        page = read_image(image(), number)
        if self.cache is not None:
            self.cache.put(self.sha, number, ENGINE, page_to_dict(page))
        return page

    def pdf_page(self, pdf, index: int) -> Page:
        return self.read(index + 1, lambda: pdf_page(pdf, index))


def image_pages(data: bytes, reader: PageReader) -> list[Page]:
    return [reader.read(i + 1, lambda i=i: image_page(data, i)) for i in range(image_frames(data))]


def low_confidence(pages: list[Page]) -> list[str]:
    """The summary's warnings for pages read with little confidence."""
    return [f"page {p.number}: OCR confidence {p.confidence:.2f} (below {LOW_CONFIDENCE:.2f}); "
            "check the text against the original" for p in pages
            if p.confidence is not None and p.confidence < LOW_CONFIDENCE]


# -- reading an ingest's scans first, in worker processes ----------------------------

def scanned_pages(path, data: bytes) -> list[int]:
    """The 0-based indices of a file's pages that need OCR ([] when it cannot be opened: load says why)."""
    suffix = path.suffix.lower()
    try:
        if suffix in IMAGE_SUFFIXES:
            return list(range(image_frames(data)))
        pdf = open_pdf(data)
    except UnreadableFile:
        return []
    try:
        return [i for i in range(len(pdf)) if scanned(pdf[i])]
    finally:
        pdf.close()


def _task(task) -> tuple[str, int, str]:
    """Read one page into the cache in a worker: (source, page number, error or '')."""
    path, source, sha, index, cache_root = task
    try:
        data = path.read_bytes()
        reader = PageReader(sha, OcrCache(cache_root))
        if path.suffix.lower() in IMAGE_SUFFIXES:
            reader.read(index + 1, lambda: image_page(data, index))
        else:
            pdf = open_pdf(data)
            try:
                reader.pdf_page(pdf, index)
            finally:
                pdf.close()
        return source, index + 1, ""
    except Exception as exc:  # the file's own ingest reports it; the other pages go on
        return source, index + 1, f"{type(exc).__name__}: {exc}"


def _start_worker(threads: int) -> None:
    die_with_parent()
    _ocr(threads)


def ocr_procs(pages: int) -> int:
    """Worker processes for OCR: one a core (ARCHIVE_OCR_PROCS overrides), never more than pages."""
    wanted = settings.procs("ARCHIVE_OCR_PROCS")
    if wanted is not None:
        return max(1, min(wanted, pages))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(cores, pages))


def prefill(files, skip, cache: OcrCache, progress=None) -> int:
    """OCR every uncached scanned page of (path, root, source) files into the cache, in worker processes.

    `skip(source, sha)` says a file will not be read (unchanged). Returns the number of pages read.
    Errors are left for the file's own ingest to report, with its name."""
    import hashlib
    tasks = []
    for path, _root, source in files:
        if not path.suffix.lower().endswith(PDF_SUFFIXES + IMAGE_SUFFIXES):
            continue
        try:
            data = path.read_bytes()
        except OSError:
            continue
        sha = hashlib.sha256(data).hexdigest()
        if skip(source, sha):
            continue
        tasks += [(path, source, sha, i, cache.root) for i in scanned_pages(path, data)
                  if cache.get(sha, i + 1, ENGINE) is None]
    if not tasks:
        return 0
    procs = ocr_procs(len(tasks))
    if progress:
        progress(0, len(tasks), "")
    if procs == 1:
        _ocr()
        done = map(_task, tasks)
        return _count(done, len(tasks), progress)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool
    # One onnxruntime thread a worker: the workers use the cores, not the threads of one of them.
    with ProcessPoolExecutor(procs, multiprocessing.get_context("fork"), _start_worker, (1,)) as pool:
        with forking():  # (a fork pool starts its workers at the first submit)
            futures = [pool.submit(_task, task) for task in tasks]
        try:
            return _count((f.result() for f in as_completed(futures)), len(tasks), progress)
        except BrokenProcessPool:  # a worker died (killed, out of memory): its files read their pages themselves
            for f in futures:
                f.cancel()
            return 0


def _count(results, total: int, progress) -> int:
    n = 0
    for n, (source, page, _error) in enumerate(results, start=1):
        if progress:
            progress(n, total, f"{source} 第 {page} 页")
    return n
