"""Precision and recall of people, outcomes (decision/action) and dates against hand judgements.

    python bench/extraction.py [--corpora DIR] [--truth bench/judgements/minutes_truth.json] [--show]

Each judged file is read as ingest reads it (archive.ingest.load, archive.extract.annotate.annotate).
People: every person of every meeting (MeetingFields.persons, compared by person_key) against the
judged names, whatever their role. Outcomes: the source lines of paragraphs marked decision or
action against the judged lines (a marked paragraph counts as right if it spans a judged line).
Dates: the first dated meeting's date against the judged one ('--MM-DD': month and day only).
A file is held out when the first hex digit of sha1(its path in its corpus folder) is 0-4 (5 of 16,
about a third); tune on the rest and report both.
"""

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.extract.annotate import annotate  # noqa: E402
from archive.extract.fields import person_key  # noqa: E402
from archive.ingest import load  # noqa: E402

CORPORA = Path("/work/shared/corpora")  # the truth file's corpora are folders here
TRUTH = ROOT / "bench" / "judgements" / "minutes_truth.json"


def held_out(path: str) -> bool:
    return hashlib.sha1(path.encode()).hexdigest()[0] in "01234"


def predicted(path: Path):
    doc = annotate(load(path, path.parent))
    people, lines, date = set(), set(), None
    for m in doc.meetings:
        people |= {person_key(x) for x in m.fields.persons()} - {""}
        for p in m.paragraphs:
            if p.role:
                lines.add((p.line_start, p.line_end))
        if date is None and m.date and m.date.month and m.date.day:
            date = m.date
    return people, lines, date


def _date_text(d) -> str | None:
    if d is None:
        return None
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}" if d.year else f"--{d.month:02d}-{d.day:02d}"


def _date_right(truth: str | None, got) -> bool:
    if truth is None or got is None:
        return truth is None and got is None
    return _date_text(got).endswith(truth[2:]) if truth.startswith("--") else _date_text(got) == truth


def score(corpora: Path, truth: dict, show: bool) -> dict:
    tally = {s: {"people": [0, 0, 0, 0], "outcomes": [0, 0, 0, 0], "dates": [0, 0]} for s in ("tune", "held")}
    for corpus, files in truth["corpora"].items():
        for rel, judged in sorted(files.items()):
            t = tally["held" if held_out(rel) else "tune"]
            _tally(t, corpora / corpus / rel, judged, show and (show == "all" or not held_out(rel)))
    return tally


def _tally(t: dict, path: Path, judged: dict, show: bool) -> None:
    people, spans, date = predicted(path)
    want = {person_key(x) or x for names in judged["people"].values() for x in names}
    lines = set(judged["outcomes"])
    counts = {"people": (len(people & want), len(people), len(people & want), len(want)),
              "outcomes": (sum(1 for a, b in spans if any(a <= x <= b for x in lines)), len(spans),
                           sum(1 for x in lines if any(a <= x <= b for a, b in spans)), len(lines))}
    for key, values in counts.items():  # right of marked (precision), found of judged (recall)
        t[key] = [x + y for x, y in zip(t[key], values)]
    t["dates"][0] += _date_right(judged["date"], date)
    t["dates"][1] += 1
    if show:
        print(f"{path.name}\n  people missed {sorted(want - people)} extra {sorted(people - want)}"
              f"\n  outcomes judged {sorted(lines)} marked {sorted(spans)}"
              f"\n  date judged {judged['date']} got {_date_text(date)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpora", type=Path, default=CORPORA)
    ap.add_argument("--truth", type=Path, default=TRUTH)
    ap.add_argument("--show", nargs="?", const="tune", choices=("tune", "all"),
                    help="per file of the tune split (or all): what was missed and what was extra")
    args = ap.parse_args()
    truth = json.loads(args.truth.read_text(encoding="utf-8"))
    for split, t in score(args.corpora, truth, args.show).items():
        files = t["dates"][1]
        print(f"{split} ({files} files):")
        for key in ("people", "outcomes"):
            right, got, found, total = t[key]
            print(f"  {key:9s} precision {right}/{got} = {right / got if got else 1:.2f}   "
                  f"recall {found}/{total} = {found / total if total else 1:.2f}")
        print(f"  dates     right {t['dates'][0]}/{files} = {t['dates'][0] / files:.2f}")


if __name__ == "__main__":
    main()
