"""Whether two Whoosh indexes of the same corpus hold the same things, ingest times apart: every segment
file byte for byte by kind (.post, .units, length and date columns …), and where one differs (the
stored documents, the lexicon: both hold the ingest time), every stored document and every field's
terms, with the `ingested` values and the extraction rules' fingerprint (`extract`, which any change
to archive/extract changes) set aside.

    python bench/index_same.py INDEX_A INDEX_B

Exits 1 if anything else differs. Use it to show a writer change writes the index it wrote before.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.engines.whoosh.store import IndexDir  # noqa: E402

TIMED = "ingested"  # the field (and the key of `info`) holding when a file was first ingested
CODE = "extract"  # the key of the manifest's `info` holding the fingerprint of the extraction code


def _files(index: Path) -> dict[str, bytes]:
    gen = IndexDir(index).current_path()
    return {p.name.split(".", 1)[1] if "." in p.name else p.name: p.read_bytes()
            for p in gen.iterdir() if p.is_file() and not p.name.startswith("_MAIN_") and "WRITELOCK" not in p.name}


def _untimed(doc: dict) -> dict:
    doc = {k: v for k, v in doc.items() if k != TIMED}
    if isinstance(doc.get("info"), dict):
        doc["info"] = {k: v for k, v in doc["info"].items() if k not in (TIMED, CODE)}
    return doc


def _contents(index: Path):
    with IndexDir(index).open().searcher() as s:
        stored = [_untimed(d) for d in s.all_stored_fields()]
        terms = {f: list(s.lexicon(f)) for f in s.schema.names() if f != TIMED and s.schema[f].indexed}
    return stored, terms


def main() -> int:
    a, b = Path(sys.argv[1]), Path(sys.argv[2])
    fa, fb = _files(a), _files(b)
    differ = sorted(k for k in fa.keys() | fb.keys() if fa.get(k) != fb.get(k))
    print("byte-identical:", ", ".join(sorted(k for k in fa if k not in differ)))
    print("differ in bytes:", ", ".join(differ) or "none")
    (sa, ta), (sb, tb) = _contents(a), _contents(b)
    fields = [f for f in ta.keys() | tb.keys() if ta.get(f) != tb.get(f)]
    print(f"stored documents: {len(sa)} / {len(sb)}, equal apart from ingest times: {sa == sb}")
    print(f"terms of {len(ta)} fields equal: {not fields}", *fields)
    return 0 if sa == sb and not fields and set(differ) <= {"_stored.col", "lex"} else 1


if __name__ == "__main__":
    sys.exit(main())
