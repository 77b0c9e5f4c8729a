"""Scans read by the real OCR engine (RapidOCR's PP-OCRv4 models from its wheel): one line drawn with a CJK
font (fast), the cache, and the sample printed by Chromium then rasterised at 150 dpi (slow: 24 pages)."""

import io
import random
import socket
from pathlib import Path

import pytest

from archive.cli import run_ingest
from archive.engines import open_engine
from archive.index.pipeline import ingest
from archive.ingest import load, ocr
from archive.ingest.ocr import ENGINE, PageReader, low_confidence, page_to_dict, read_image
from archive.home import Archive
from archive.ingest.ocr_cache import OcrCache
from archive.search.request import SearchRequest
from archive.search.service import SearchService

from .conftest import SAMPLE
from .printed import CHROMIUM, scan


FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
needs_font = pytest.mark.skipif(not FONT.exists(), reason="needs a CJK font (apt-get install fonts-noto-cjk)")
LINE = "会议研究部署森林防火工作"


def drawn(lines, size=32, width=900):
    """A white page with the lines drawn in black, as a scanner gives them."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont
    font = ImageFont.truetype(str(FONT), size)
    img = Image.new("RGB", (width, 60 + len(lines) * size * 2), "white")
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        draw.text((40, 30 + i * size * 2), line, fill="black", font=font)
    return img, np.asarray(img)


@pytest.mark.slow
@needs_font
def test_one_line_is_read_offline_with_its_confidence(monkeypatch):
    """The models ship in the wheel: the engine loads and reads with every connection refused."""
    def refuse(*args, **kwargs):
        raise OSError("network disabled in this test")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(ocr, "_engine", None)  # load the engine here, not from an earlier test
    _, rgb = drawn([LINE])
    page = read_image(rgb, 1)
    assert [ln.text for ln in page.lines] == [LINE]
    assert page.confidence > 0.9


@pytest.mark.slow  # worker processes and two OCR engines: about 10 s
@needs_font
def test_a_scanned_image_is_ingested_and_its_pages_come_from_the_cache_after(tmp_path, monkeypatch):
    monkeypatch.setenv("ARCHIVE_OCR_PROCS", "1")
    img, _ = drawn(["县政府常务会议纪要", "会议研究部署森林防火工作。"])
    corpus = tmp_path / "c"
    corpus.mkdir()
    img.save(corpus / "扫描件.png")
    engine = open_engine(tmp_path / "ix")
    progress = io.StringIO()
    summary = run_ingest([corpus], engine, stream=progress)
    assert summary.added == 1 and not summary.failed
    assert "识别：1/1 页（100%）" in progress.getvalue()
    hits = SearchService(engine).search(SearchRequest(q="森林防火"))["hits"]
    assert [(h["source"], h["page"]) for h in hits] == [("扫描件.png", 1)]
    cached = list((tmp_path / "ix" / "ocr-cache" / ENGINE).rglob("1.json"))
    assert len(cached) == 1

    # A rebuild reads the page from the cache: the engine is never asked (this reader would fail).
    def no_ocr():
        raise AssertionError("OCR ran again")
    data = (corpus / "扫描件.png").read_bytes()
    import hashlib
    reader = PageReader(hashlib.sha256(data).hexdigest(), OcrCache(tmp_path / "ix" / "ocr-cache"))
    assert [ln.text for ln in reader.read(1, no_ocr).lines][-1] == "会议研究部署森林防火工作。"
    assert ingest([corpus], engine, rebuild=True).added == 1


def test_a_cached_page_is_what_was_stored(tmp_path):
    from archive.ingest.layout import Line, Page
    cache = OcrCache(tmp_path)
    page = Page(2, 100, 200, [Line("会议纪要", 10, 20, 90, 40, 20, ink=0.1)], 0.5)
    cache.put("ab" * 32, 2, ENGINE, page_to_dict(page))
    assert PageReader("ab" * 32, cache).read(2, lambda: 1 / 0) == page
    assert cache.get("ab" * 32, 2, "another-engine") is None


def test_low_confidence_pages_are_listed():
    from archive.ingest.layout import Page
    pages = [Page(1, 1, 1, [], 0.97), Page(2, 1, 1, [], 0.62), Page(3, 1, 1, [])]
    assert low_confidence(pages) == ["page 2: OCR confidence 0.62 (below 0.80); check the text against the original"]


# -- the sample scanned -------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium (apt-get install chromium fonts-noto-cjk)")
def test_scanned_sample_recall(tmp_path, sample_pdf):
    """The sample printed, rasterised at 150 dpi into an image-only PDF: recall ≥ 0.90 of 4-character runs."""
    corpus = tmp_path / "c"
    corpus.mkdir()
    scan(sample_pdf, corpus / f"{SAMPLE.stem}.pdf")
    engine = open_engine(tmp_path / "ix")
    summary = ingest([corpus], engine)
    assert summary.added == 1 and not summary.failed
    service = SearchService(engine)
    paragraphs = [p.text for m in load(SAMPLE, SAMPLE.parent).meetings for p in m.paragraphs]
    runs = four_character_runs(paragraphs, 200, random.Random(5))
    found = sum(service.search(SearchRequest(q=f'"{run}"'))["total"] > 0 for run in runs)
    print(f"OCR recall of {len(runs)} runs: {found / len(runs):.3f}")
    assert found / len(runs) >= 0.90
    # The same meetings, read again from the cache the ingest filled.
    scanned = load(corpus / f"{SAMPLE.stem}.pdf", corpus, cache=Archive(engine).ocr_cache)
    assert [m.title for m in scanned.records] == [m.title for m in load(SAMPLE, SAMPLE.parent).records]


def four_character_runs(texts, count, rng):
    """Random runs of four Chinese characters from the texts."""
    pool = [t for t in texts if len(t) > 10]
    runs = set()
    while len(runs) < count:
        text = rng.choice(pool)
        i = rng.randrange(0, len(text) - 4)
        if all("\u4e00" <= c <= "\u9fff" for c in text[i:i + 4]):
            runs.add(text[i:i + 4])
    return sorted(runs)
