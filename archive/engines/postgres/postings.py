"""Postings stored per term, as Whoosh stores them: the `postings` table.

A rebuild writes each term's postings into its `terms` row; each incremental run then adds a part
(a `postings` row) to every term it adds postings to. A part holds the paragraphs' seqs as varint
gaps from its `base` and the term frequencies (only those that are not 1, flagged in the gaps:
archive/engines/arrays/codec.py, the encoding Whoosh's segments use too). A term's postings are its parts in order of
base (seqs only grow), less the seqs its generation no longer holds: a deleted paragraph stays in its
part until a rebuild, or until compact() merges the term's parts into its terms row, which it does
once a term has PARTS_MAX parts. A first look at 的 is then one index probe and a few hundred kB
of bytea, not a pass over every paragraph holding it.

A run holds at most SPILL_POSTINGS postings in memory: past that (the paragraphs they were counted
on written), it writes them as parts of a temporary table of its transaction (spill()), and at commit
merges each term's parts into one row, half a million postings at a time (spilled_batches()): an ingest's
memory does not grow with the corpus, and a killed one leaves nothing behind.

The frequencies are counted here, in Python, on the analysis the rows were made of: units and
bigrams of the units view (a doubled bigram such as 哈哈 at each start, overlapping), words of text,
title and section. The facet values ("field:value", FACET) have postings too, every frequency 1:
a generation's facet arrays are read from them.
"""

from array import array
from collections import Counter

import numpy as np

from ..arrays.codec import decode_field, decode_term, encode_field
from .schema import CHARS, FACET, SECTION, TEXT, TITLE

FIELDS = (CHARS, TEXT, TITLE, SECTION, FACET)
PARTS_MAX = 8  # a term's incremental parts are merged into its terms row once it has this many
POSTINGS_COLUMNS = ("field", "term", "base", "n", "weighted", "data")
POSTINGS_TYPES = ["int2", "text", "int8", "int4", "bool", "bytea"]
SPILL_POSTINGS = 2_000_000  # postings a run holds in memory before it writes them as parts (spill())
SPILLED = "run_postings"  # the temporary table of a run's spilled parts
MERGE_POSTINGS = 500_000  # postings of spilled parts merged at a time (decode and encode: ≈ 200 bytes a posting)
MERGE_ROWS = 50_000  # and parts (rows held as tuples: rare terms have parts of a posting or two)
ENCODE_POSTINGS = 500_000  # postings encoded at a time (encode_field's arrays: ≈ 100 bytes a posting)


class Postings:
    """The postings a run's paragraphs add, numbered in the order they were given (0, 1, …)."""

    def __init__(self):
        self.n = 0
        self.ids: dict[int, dict[str, int]] = {f: {} for f in FIELDS}
        self.term = {f: array("i") for f in FIELDS}
        self.doc = {f: array("i") for f in FIELDS}
        self.tf = {f: array("i") for f in FIELDS}
        self.merged: dict[int, list] = {f: [] for f in FIELDS}  # (term ids, docs, tfs) of merged runs
        self.size = 0  # postings held

    def add(self, units: str, text, title, section, values) -> None:
        """One paragraph: its units string, the word tokens of its three words fields, its facet values."""
        chars = Counter(units)
        chars.update(map(str.__add__, units, units[1:]))
        n = self.n
        for field, counts in ((CHARS, chars), (TEXT, Counter(text)), (TITLE, Counter(title)),
                              (SECTION, Counter(section)), (FACET, Counter(values))):
            if not counts:
                continue
            ids = self.ids[field]
            for t in counts:
                if t not in ids:
                    ids[t] = len(ids)
            self.term[field].extend(map(ids.__getitem__, counts))
            self.tf[field].extend(counts.values())
            self.doc[field].extend([n] * len(counts))
            self.size += len(counts)
        self.n += 1

    def merge(self, other: "Postings") -> None:
        """Append another collector's paragraphs (a worker's run) after these."""
        for field in FIELDS:
            ids = self.ids[field]
            mapped = np.array([ids.setdefault(t, len(ids)) for t in other.ids[field]], dtype=np.int32)
            for terms, docs, tfs in other.arrays(field):
                self.merged[field].append((mapped[terms], docs + np.int32(self.n), tfs))
        self.n += other.n
        self.size += other.size

    def arrays(self, field: int) -> list:
        own = [np.frombuffer(a, dtype=np.int32) for a in (self.term[field], self.doc[field], self.tf[field])]
        return self.merged[field] + [tuple(own)]

    def terms(self, field: int) -> list[str]:
        return list(self.ids[field])

    def __bool__(self) -> bool:
        return self.n > 0


def part_rows(postings: Postings, seqs: np.ndarray):
    """(field, term, base, n, weighted, data) of each term of the run, its i-th paragraph at seqs[i]."""
    base = int(seqs[0]) if len(seqs) else 0
    for field in FIELDS:
        found = postings.arrays(field)
        terms = np.concatenate([t for t, _, _ in found])
        if not len(terms):
            continue
        order = np.argsort(terms, kind="stable")  # docs were added in order: ascending within a term
        terms = terms[order]
        docs = seqs[np.concatenate([d for _, d, _ in found])[order]] - base
        tfs = np.concatenate([f for _, _, f in found])[order]
        bounds = np.r_[0, np.flatnonzero(np.diff(terms)) + 1, len(terms)]
        names = postings.terms(field)
        for first, end in term_runs(bounds, ENCODE_POSTINGS):
            a, b = bounds[first], bounds[end]
            data, offsets, weighted = encode_field(bounds[first:end + 1] - a, docs[a:b], tfs[a:b])
            for i, start in enumerate(bounds[first:end].tolist()):
                yield (field, names[terms[start]], base, int(bounds[first + i + 1] - start), bool(weighted[i]),
                       data[offsets[i]:offsets[i + 1]])


def term_runs(bounds: np.ndarray, size: int) -> list[tuple[int, int]]:
    """(first, end) terms of runs of about `size` postings each (a term whole), of terms starting at `bounds`."""
    cuts = np.searchsorted(bounds, np.arange(0, bounds[-1], size), side="right") - 1
    cuts = np.unique(np.r_[cuts, len(bounds) - 1])
    return list(zip(cuts[:-1].tolist(), cuts[1:].tolist()))


def decode_parts(rows) -> tuple[np.ndarray, np.ndarray]:
    """(seqs int64, frequencies float64) of a term's parts: (base, n, weighted, data) rows, by base."""
    seqs, tfs = [], []
    for base, n, weighted, data in rows:
        docs, weights = decode_term(data, weighted, n)
        seqs.append(docs.astype(np.int64) + base)
        tfs.append(weights.astype(np.float64))
    if not seqs:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    return np.concatenate(seqs), np.concatenate(tfs)


def compact(cur, schema: str, touched: list) -> None:
    """Merge into its terms row the parts of each of the `touched` (field, term) that has PARTS_MAX parts,
    less the seqs no paragraph holds any more (in the run's transaction: the paragraphs as it leaves them)."""
    if not touched:
        return
    crowded = cur.execute(f"""SELECT p.field, p.term FROM {schema}.postings p
                              JOIN unnest(%s::smallint[], %s::text[]) AS k(field, term)
                                ON p.field = k.field AND p.term = k.term
                              GROUP BY p.field, p.term HAVING count(*) >= {PARTS_MAX}""",
                          ([f for f, _ in touched], [t for _, t in touched])).fetchall()
    if not crowded:
        return
    live = np.array(cur.execute(f"SELECT array_agg(seq ORDER BY seq) FROM {schema}.paragraphs").fetchone()[0] or [],
                    dtype=np.int64)
    for field, term in crowded:
        parts = cur.execute(f"""DELETE FROM {schema}.postings WHERE field = %s AND term = %s
                                RETURNING base, n, weighted, data""", (field, term)).fetchall()
        parts += cur.execute(f"""SELECT base, n, weighted, data FROM {schema}.terms
                                 WHERE field = %s AND term = %s AND data IS NOT NULL""", (field, term)).fetchall()
        seqs, tfs = decode_parts(sorted(parts, key=lambda part: part[0]))
        keep = np.isin(seqs, live)
        seqs, tfs = seqs[keep], tfs[keep].astype(np.int64)
        part = (None, None, None, None)
        if len(seqs):
            data, _, weighted = encode_field(np.array([0, len(seqs)]), seqs - seqs[0], tfs)
            part = (int(seqs[0]), len(seqs), bool(weighted[0]), data)
        cur.execute(f"""INSERT INTO {schema}.terms AS t (field, term, df, base, n, weighted, data)
                        VALUES (%s, %s, 0, %s, %s, %s, %s) ON CONFLICT (field, term) DO UPDATE
                        SET base = excluded.base, n = excluded.n, weighted = excluded.weighted, data = excluded.data""",
                    (field, term, *part))


# -- a run's postings in parts: memory bounded whatever the corpus -----------------------

def spill(cur, postings: Postings, seqs: np.ndarray, like: str) -> None:
    """Write the postings held as parts of the temporary table SPILLED (made like `like`, the schema's
    postings table, on the first call; dropped with the transaction), to be merged per term at commit."""
    if cur.execute("SELECT to_regclass(%s)", (f"pg_temp.{SPILLED}",)).fetchone()[0] is None:
        cur.execute(f"CREATE TEMPORARY TABLE {SPILLED} (LIKE {like} INCLUDING STORAGE) ON COMMIT DROP")
    with cur.copy(f"COPY {SPILLED} ({', '.join(POSTINGS_COLUMNS)}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(POSTINGS_TYPES)
        for row in part_rows(postings, seqs):
            copy.write_row(row)


def spilled_batches(conn):
    """Lists of (field, term, base, n, weighted, data), one row a term: the spilled parts merged, a few
    million postings at a time (read with a server-side cursor, between which the caller may write)."""
    with conn.cursor(name="spilled_parts", binary=True) as cur:
        cur.execute(f"SELECT {', '.join(POSTINGS_COLUMNS)} FROM {SPILLED} ORDER BY field, term, base")
        held, count = [], 0
        while True:
            rows = cur.fetchmany(10000)
            held += rows
            count += sum(row[3] for row in rows)
            if rows and count < MERGE_POSTINGS and len(held) < MERGE_ROWS:
                continue
            cut = len(held)
            if rows:  # the last term's parts may go on in the next rows
                key = held[-1][:2]
                while cut > 0 and held[cut - 1][:2] == key:
                    cut -= 1
                if cut == 0:  # (a term of more postings than a batch: read on to its end)
                    continue
            batch, held = held[:cut], held[cut:]
            count = sum(row[3] for row in held)
            if batch:
                yield merge_parts(batch)
            if not rows:
                return


def merge_parts(rows: list) -> list:
    """One row a term of parts (field, term, base, n, weighted, data) ordered by field, term, base: a term of
    one part as it is, the parts of another decoded and encoded again as one (for all of them at once)."""
    keys = [row[:2] for row in rows]
    starts = [0, *(i for i in range(1, len(rows)) if keys[i] != keys[i - 1])]
    ends = [*starts[1:], len(rows)]
    out = [rows[a] if b - a == 1 else None for a, b in zip(starts, ends)]
    several = [k for k, row in enumerate(out) if row is None]
    if not several:
        return out
    parts = [rows[i] for k in several for i in range(starts[k], ends[k])]
    n = np.array([p[3] for p in parts], dtype=np.int64)
    offsets = np.r_[0, np.cumsum([len(p[5]) for p in parts])]
    _, docs, tfs = decode_field(b"".join(p[5] for p in parts), offsets, np.array([p[4] for p in parts]), n)
    docs += np.repeat(np.array([p[2] for p in parts], dtype=np.int64), n)
    df = np.add.reduceat(n, np.r_[0, np.cumsum([ends[k] - starts[k] for k in several])[:-1]])
    bounds = np.r_[0, np.cumsum(df)]
    bases = docs[bounds[:-1]]
    data, at, weighted = encode_field(bounds, docs - np.repeat(bases, df), tfs)
    for j, k in enumerate(several):
        out[k] = (*keys[starts[k]], int(bases[j]), int(df[j]), bool(weighted[j]), data[at[j]:at[j + 1]])
    return out
