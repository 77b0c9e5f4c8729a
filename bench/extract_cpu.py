"""CPU seconds of tagging (archive.extract.annotate.annotate) over a corpus folder, reading excluded.

    python bench/extract_cpu.py [FOLDER] [--every N]

Each file is read first (archive.ingest.load, not timed), then annotate is timed with the process's CPU
clock, so a shared machine's load changes the figure little. Run it on two checkouts (PYTHONPATH) to
compare an extraction change: `--every 4` takes every 4th file in path order, the same files each time.
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.extract.annotate import annotate  # noqa: E402
from archive.ingest import load  # noqa: E402

LAWS = Path("/work/shared/corpora/lawrefbook-laws")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder", type=Path, nargs="?", default=LAWS)
    ap.add_argument("--every", type=int, default=1)
    args = ap.parse_args()
    files = sorted(p for p in args.folder.rglob("*.md") if p.name not in ("README.md",))[::args.every]
    cpu, size = 0.0, 0
    for path in files:
        doc = load(path, args.folder)
        start = time.process_time()
        annotate(doc)
        cpu += time.process_time() - start
        size += path.stat().st_size
    print(f"{len(files)} files, {size / 1e6:.1f} MB: annotate {cpu:.1f} CPU-s ({cpu / (size / 1e6):.2f} CPU-s/MB)")


if __name__ == "__main__":
    main()
