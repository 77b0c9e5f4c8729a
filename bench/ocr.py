"""OCR speed and memory: the sample printed by Chromium, rasterised at 150 dpi, read by `archive ingest`'s OCR step.

    python bench/ocr.py [--pages N] [--procs 1,2] [--results bench/RESULTS.md]

For each number of worker processes, the scanned pages are read into an empty cache (archive/ingest/ocr.py
`prefill`, as an ingest does) and timed, in a fresh process (so that Chromium's memory is not counted); peak
memory is the largest resident set of a worker (each holds the models) and of that process (with one worker
process, it reads the pages itself). Then a second ingest of the same file is timed: every page comes from the cache.
The section "OCR" of RESULTS.md is replaced (between its markers); the rest of the file is left as it is.
"""

import argparse
import platform
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from archive.engines import open_engine  # noqa: E402
from archive.index.pipeline import ingest  # noqa: E402
from archive.ingest.ocr import ENGINE, prefill  # noqa: E402
from archive.ingest.ocr_cache import OcrCache  # noqa: E402
from tests.conftest import SAMPLE  # noqa: E402
from tests.printed import print_pdf, scan  # noqa: E402

BEGIN, END = "<!-- ocr: written by bench/ocr.py -->", "<!-- /ocr -->"


def scanned_sample(work: Path, pages: int) -> Path:
    import pypdfium2 as pdfium
    printed = print_pdf(SAMPLE.read_text("utf-8"), work / "printed.pdf", title=SAMPLE.stem)
    if pages:
        doc = pdfium.PdfDocument(str(printed))
        cut = pdfium.PdfDocument.new()
        cut.import_pages(doc, list(range(min(pages, len(doc)))))
        cut.save(str(work / "cut.pdf"))
        printed = work / "cut.pdf"
    corpus = work / "corpus"
    corpus.mkdir()
    return scan(printed, corpus / f"{SAMPLE.stem}.pdf")


def peak_mb(who) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def measure(pdf: Path, cache: Path, procs: int) -> dict:
    """Read every scanned page of `pdf` into an empty cache with `procs` worker processes (run in a fresh process)."""
    import os
    os.environ["ARCHIVE_OCR_PROCS"] = str(procs)
    started = time.perf_counter()
    n = prefill([(pdf, pdf.parent, pdf.name)], lambda source, sha: False, OcrCache(cache))
    seconds = time.perf_counter() - started
    return {"procs": procs, "pages": n, "seconds": round(seconds, 1), "pages_per_s": round(n / seconds, 3),
            "worker_peak_mb": round(peak_mb(resource.RUSAGE_CHILDREN if procs > 1 else resource.RUSAGE_SELF)),
            "parent_peak_mb": round(peak_mb(resource.RUSAGE_SELF))}


def run(pages: int, procs_list: list[int]) -> list[dict]:
    import json
    import os
    import subprocess
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        pdf = scanned_sample(work, pages)
        for procs in procs_list:
            out = subprocess.run([sys.executable, __file__, "--measure", str(pdf), str(work / f"cache-{procs}"),
                                  str(procs)], check=True, capture_output=True, text=True).stdout
            rows.append(json.loads(out.strip().splitlines()[-1]))
            print(rows[-1], flush=True)
        # An ingest reads the scan from the cache: no page is read twice.
        os.environ["ARCHIVE_CACHE"] = str(work / "shared")
        shutil.copytree(work / f"cache-{procs_list[-1]}", work / "shared" / "ocr-cache")
        started = time.perf_counter()
        summary = ingest([pdf.parent], open_engine(work / "index"))
        rows.append({"cached_ingest_s": round(time.perf_counter() - started, 2), "meetings": summary.meetings})
        print(rows[-1], flush=True)
    return rows


def report(rows: list[dict]) -> str:
    import os
    lines = [BEGIN, "## OCR (`python bench/ocr.py`: the sample printed by Chromium, rasterised at 150 dpi)", "",
             f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {platform.processor() or platform.machine()}, "
             f"{os.cpu_count()} cores, {ENGINE}. The machine was shared with other jobs while this ran "
             f"(load average {os.getloadavg()[0]:.1f}): figures are lower bounds of what two free cores give.", "",
             "| worker processes | pages | seconds | pages per second | peak RSS of a worker | peak RSS of the parent |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        if "procs" in r:
            lines.append(f"| {r['procs']} | {r['pages']} | {r['seconds']} | {r['pages_per_s']} | "
                         f"{r['worker_peak_mb']} MB | {r['parent_peak_mb']} MB |")
    cached = [r for r in rows if "cached_ingest_s" in r]
    if cached:
        lines += ["", f"An ingest of the same scan with its pages cached: {cached[0]['cached_ingest_s']} s, no page read "
                      f"again ({cached[0]['meetings']} meetings)."]
    return "\n".join(lines + [END])


def write(path: Path, section: str) -> None:
    text = path.read_text("utf-8") if path.exists() else ""
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + section + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, "utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=0, help="only the first N pages (default: all)")
    ap.add_argument("--procs", default="1,2", help="worker process counts to time, comma-separated")
    ap.add_argument("--results", default=str(REPO / "bench" / "RESULTS.md"), help="where to write ('-': nowhere)")
    ap.add_argument("--measure", nargs=3, metavar=("PDF", "CACHE", "PROCS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        import json
        print(json.dumps(measure(Path(args.measure[0]), Path(args.measure[1]), int(args.measure[2]))))
        return
    rows = run(args.pages, [int(p) for p in args.procs.split(",")])
    section = report(rows)
    print(section)
    if args.results != "-":
        write(Path(args.results), section)


if __name__ == "__main__":
    main()
