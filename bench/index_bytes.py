"""Where the bytes of a Whoosh index go: a breakdown by part.

    python bench/index_bytes.py INDEX_FOLDER

Files are summed by kind (terms index, postings, stored documents, units text,
facet files, length and date columns, the TOC). The terms index and the
postings are split by field from each term's entry (the units field `chars`
into single units and bigrams); postings are counted too, for bytes per
posting. The stored documents are split by what they hold (paragraph text,
the rest of a paragraph, a meeting's markdown, the rest of a meeting, the
manifest) in proportion to each part's pickled size: stored documents are
compressed together, so a part's exact compressed share has no meaning.
"""

import argparse
import os
import pickle
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive.engines.whoosh.private import segment_terms  # noqa: E402
from archive.engines.whoosh.store import IndexDir  # noqa: E402

def file_kind(name: str) -> str:
    for suffix, kind in ((".lex", "terms (.lex)"), (".post", "postings (.post)"),
                         (".trm", "terms index (.trm)"), (".pst", "postings (.pst)"),
                         ("._stored.col", "stored documents (_stored.col)"), (".units", "units text (.units)"),
                         (".uoff", "units offsets (.uoff)"), (".facets.npz", "facet files (.facets.npz)"),
                         ("_len.col", "field lengths (_*_len.col)"), (".col", "other columns (date_sort)"),
                         (".toc", "table of contents (.toc)")):
        if name.endswith(suffix):
            return kind
    return "other (" + name.rsplit(".", 1)[-1] + ")"


def files_by_kind(folder: Path) -> dict:
    sizes = defaultdict(int)
    for entry in os.scandir(folder):
        if entry.is_file():
            sizes[file_kind(entry.name)] += entry.stat().st_size
    return sizes


def term_parts(ix) -> dict:
    """{part: [terms, bytes in the terms file, postings bytes, postings]} over every segment."""
    parts = defaultdict(lambda: [0, 0, 0, 0])
    units = lambda t: "chars: single units" if len(t.decode("utf-8", "replace")) == 1 else "chars: bigrams"  # noqa: E731
    with ix.reader() as reader:
        for segreader, _ in reader.leaf_readers():
            terms = segment_terms(segreader)
            for field in terms.indexed_field_names():
                for part, counts in terms.field_bytes(field, units if field == "chars" else None).items():
                    entry = parts[part if field == "chars" else field]
                    for i, n in enumerate(counts):
                        entry[i] += n
    return parts


def stored_parts(ix) -> dict:
    """{part: pickled bytes} of the stored documents."""
    parts = defaultdict(int)
    size = lambda v: len(pickle.dumps(v, -1))  # noqa: E731
    with ix.searcher() as s:
        for doc in s.all_stored_fields():
            kind = doc.get("kind")
            whole = size(doc)
            if kind == "p":
                text = size(doc.get("text", ""))
                parts["paragraph text"] += text
                parts["paragraph: the rest (ids, info)"] += whole - text
            elif kind == "m":
                markdown = size(doc.get("info", {}).get("markdown", ""))
                parts["meeting markdown"] += markdown
                parts["meeting: the rest"] += whole - markdown
            else:
                parts["files and meta"] += whole
    return parts


def mb(n: float) -> str:
    return f"{n / 1e6:,.1f}"


def report(root: Path) -> list[str]:
    index_dir = IndexDir(root)
    folder = index_dir.current_path()
    ix = index_dir.open_raw()
    sizes = files_by_kind(folder)
    total = sum(sizes.values())
    segments = len(list(ix._segments()))
    lines = [f"index {folder} — {segments} segments, {mb(total)} MB", "",
             "| file kind | MB | share |", "|---|---:|---:|"]
    for kind, n in sorted(sizes.items(), key=lambda kv: -kv[1]):
        lines.append(f"| {kind} | {mb(n)} | {100 * n / total:.1f} % |")
    lines += ["", "| field (terms) | terms | .lex MB | .post MB | postings | .post bytes per posting |",
              "|---|---:|---:|---:|---:|---:|"]
    tparts = term_parts(ix)
    for field, (terms, tbytes, pbytes, postings) in sorted(tparts.items(), key=lambda kv: -(kv[1][1] + kv[1][2])):
        per = f"{pbytes / postings:.2f}" if postings else "—"
        lines.append(f"| {field} | {terms:,} | {mb(tbytes)} | {mb(pbytes)} | {postings:,} | {per} |")
    trm_rest = sizes.get("terms (.lex)", 0) - sum(p[1] for p in tparts.values())
    lines.append(f"| (.lex directories) | | {mb(trm_rest)} | | | |")
    sparts = stored_parts(ix)
    stored = sizes.get("stored documents (_stored.col)", 0)
    pickled = sum(sparts.values())
    lines += ["", f"stored documents: {mb(stored)} MB on disk, {mb(pickled)} MB pickled "
              f"({stored / pickled:.2f} of it)", "",
              "| stored part | pickled MB | share of the stored file MB |", "|---|---:|---:|"]
    for part, n in sorted(sparts.items(), key=lambda kv: -kv[1]):
        lines.append(f"| {part} | {mb(n)} | {mb(stored * n / pickled)} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index", type=Path, help="the index folder (--index of archive ingest)")
    args = parser.parse_args()
    print("\n".join(report(args.index)))


if __name__ == "__main__":
    main()
