"""What extraction marks on corpora that are not minutes, to read by hand for false positives.

    python bench/extraction_fp.py FOLDER [--people 200] [--decisions 100] [--seed 20]

Prints a sample of the distinct `person` values of every meeting of FOLDER (each with the file and the
role it came from) and a sample of the paragraphs marked `decision`. On laws and work reports a person
should be a person and a decision a decision taken, never a directive (会议强调/要求…要…) or a rule's
clause. The samples are drawn with a fixed seed, so a before/after pair reads the same files.
"""

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.extract.annotate import annotate  # noqa: E402
from archive.extract.fields import ACTION, DECISION, person_key  # noqa: E402
from archive.ingest import load  # noqa: E402


def marks(folder: Path):
    """(person key -> (file, role, name)), [(file, line, text)] of decision paragraphs, action paragraphs."""
    people, decisions, actions = {}, [], 0
    for path in sorted(p for p in folder.rglob("*.md") if p.name != "README.md"):
        doc = annotate(load(path, folder))
        rel = str(path.relative_to(folder))
        for m in doc.meetings:
            for role, names in m.fields.people.items():
                for name in names:
                    people.setdefault(person_key(name) or name, (rel, role, name))
            decisions += [(rel, p.line_start, p.text) for p in m.paragraphs if p.role == DECISION]
            actions += sum(p.role == ACTION for p in m.paragraphs)
    return people, decisions, actions


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--people", type=int, default=200)
    ap.add_argument("--decisions", type=int, default=100)
    ap.add_argument("--seed", type=int, default=20)
    args = ap.parse_args()
    people, decisions, actions = marks(args.folder)
    rng = random.Random(args.seed)
    keys = sorted(people)
    print(f"people: {len(keys)} distinct, {min(args.people, len(keys))} sampled")
    for key in sorted(rng.sample(keys, min(args.people, len(keys)))):
        rel, role, name = people[key]
        print(f"  {name}\t{role}\t{rel}")
    print(f"actions: {actions} paragraphs\ndecisions: {len(decisions)} paragraphs, "
          f"{min(args.decisions, len(decisions))} sampled")
    for rel, line, text in rng.sample(decisions, min(args.decisions, len(decisions))):
        print(f"  {rel}:{line}\t{text[:160]}")


if __name__ == "__main__":
    main()
