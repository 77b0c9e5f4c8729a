"""Dump what annotate() finds in every file of a corpus, or diff two dumps: an extraction speed-up must not
change a single key term, region, topic, date or role.

    python bench/annotations.py dump OUT.jsonl [FOLDER] [--every N]
    python bench/annotations.py diff BEFORE.jsonl AFTER.jsonl

Run `dump` with each checkout (PYTHONPATH or its own bench/), then `diff`: it prints the first files that
differ and exits 1 if any does. One JSON line per file, in path order.
"""

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.extract.annotate import annotate  # noqa: E402
from archive.ingest import load  # noqa: E402

LAWS = Path("/work/shared/corpora/lawrefbook-laws")


def _regions(found) -> list[str]:
    return [r.key() for r in found]


def _record(doc) -> dict:
    meetings = []
    for m in doc.meetings:
        meetings.append({
            "title": m.title, "keyterms": m.keyterms, "regions": _regions(m.regions), "topics": m.topics,
            "date": repr(m.date),
            "paragraphs": [[p.n, _regions(p.regions), p.topics, repr(p.date), p.role] for p in m.paragraphs],
        })
    return {"source": doc.source, "meetings": meetings}


def dump(out: Path, folder: Path, every: int) -> None:
    files = sorted(p for p in folder.rglob("*.md") if p.name != "README.md")[::every]
    with open(out, "w", encoding="utf-8") as f:
        for path in files:
            doc = annotate(load(path, folder))
            f.write(json.dumps(_record(doc), ensure_ascii=False) + "\n")
    print(f"{len(files)} files -> {out}")


def diff(before: Path, after: Path) -> int:
    a = before.read_text(encoding="utf-8").splitlines()
    b = after.read_text(encoding="utf-8").splitlines()
    differ = [json.loads(x)["source"] for x, y in zip(a, b) if x != y]
    for source in differ[:10]:
        print("differs:", source)
    print(f"{len(a)} / {len(b)} files, {len(differ)} differ")
    return 1 if differ or len(a) != len(b) else 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump")
    d.add_argument("out", type=Path)
    d.add_argument("folder", type=Path, nargs="?", default=LAWS)
    d.add_argument("--every", type=int, default=1)
    c = sub.add_parser("diff")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = ap.parse_args()
    if args.cmd == "dump":
        dump(args.out, args.folder, args.every)
    else:
        sys.exit(diff(args.before, args.after))


if __name__ == "__main__":
    main()
