"""Postings stored per term, as Whoosh stores them: the `postings` table.

A rebuild writes each term's postings into its `terms` row; each incremental run then adds a part
(a `postings` row) to every term it adds postings to. A part holds the paragraphs' seqs as varint
gaps from its `base` and the term frequencies (only those that are not 1, flagged in the gaps:
archive/engines/whoosh/postings.py's encoding, shared). A term's postings are its parts in order of
base (seqs only grow), less the seqs its generation no longer holds: a deleted paragraph stays in its
part until a rebuild, or until compact() merges the term's parts into its terms row, which it does
once a term has PARTS_MAX parts. A first look at 的 is then one index probe and a few hundred kB
of bytea, not a pass over every paragraph holding it.

The frequencies are counted here, in Python, on the analysis the rows were made of: units and
bigrams of the units view (a doubled bigram such as 哈哈 at each start, overlapping), words of text,
title and section. The facet values ("field:value", FACET) have postings too, every frequency 1:
a generation's facet arrays are read from them.
"""

from array import array
from collections import defaultdict

import numpy as np

from ..whoosh.postings import decode_term, encode_field
from .schema import CHARS, FACET, SECTION, TEXT, TITLE

FIELDS = (CHARS, TEXT, TITLE, SECTION, FACET)
PARTS_MAX = 8  # a term's incremental parts are merged into its terms row once it has this many
POSTINGS_COLUMNS = ("field", "term", "base", "n", "weighted", "data")


def _numbering() -> defaultdict:
    """A dict that numbers each new key it is asked for (0, 1, …)."""
    numbers: defaultdict = defaultdict()
    numbers.default_factory = numbers.__len__
    return numbers


class Postings:
    """The postings a run's paragraphs add, numbered in the order they were given (0, 1, …)."""

    def __init__(self):
        self.n = 0
        self.ids: dict[int, dict[str, int]] = {f: _numbering() for f in FIELDS}
        self.term = {f: array("i") for f in FIELDS}  # each occurrence's term (counted when written)
        self.count = {f: array("i") for f in FIELDS}  # occurrences a paragraph added
        self.merged: dict[int, list] = {f: [] for f in FIELDS}  # (term ids, docs) of merged runs

    def add(self, units: str, text, title, section, values) -> None:
        """One paragraph: its units string, the word tokens of its three words fields, its facet values."""
        number, term, count = self.ids, self.term, self.count
        term[CHARS].extend(map(number[CHARS].__getitem__, units))  # (a new term: numbered)
        term[CHARS].extend(map(number[CHARS].__getitem__, map(str.__add__, units, units[1:])))
        count[CHARS].append(max(0, 2 * len(units) - 1))
        for field, found in ((TEXT, text), (TITLE, title), (SECTION, section), (FACET, values)):
            term[field].extend(map(number[field].__getitem__, found))
            count[field].append(len(found))
        self.n += 1

    def merge(self, other: "Postings") -> None:
        """Append another collector's paragraphs (a worker's run) after these (none added here)."""
        if len(self.count[CHARS]):
            raise RuntimeError("a collector takes paragraphs from add() or from merge(), not both")
        for field in FIELDS:
            mapped = np.array(list(map(self.ids[field].__getitem__, other.ids[field])), dtype=np.int32)
            for terms, docs in other.arrays(field):
                self.merged[field].append((mapped[terms], docs + np.int32(self.n)))
        self.n += other.n

    def __getstate__(self) -> dict:  # (a worker's collector goes to the ingest process pickled)
        return {**self.__dict__, "ids": {f: dict(ids) for f, ids in self.ids.items()}}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        for f, ids in state["ids"].items():
            self.ids[f] = _numbering()
            self.ids[f].update(ids)

    def arrays(self, field: int) -> list:
        """(term ids, docs) of every occurrence, in the order of the paragraphs."""
        counts = np.frombuffer(self.count[field], dtype=np.int32)
        own = (np.frombuffer(self.term[field], dtype=np.int32),
               np.repeat(np.arange(self.n - len(counts), self.n, dtype=np.int32), counts))
        return self.merged[field] + [own]

    def terms(self, field: int) -> list[str]:
        return list(self.ids[field])

    def __bool__(self) -> bool:
        return self.n > 0


def part_rows(postings: Postings, seqs: np.ndarray):
    """(field, term, base, n, weighted, data) of each term of the run, its i-th paragraph at seqs[i]."""
    base = int(seqs[0]) if len(seqs) else 0
    for field in FIELDS:
        found = postings.arrays(field)
        terms = np.concatenate([t for t, _ in found])
        if not len(terms):
            continue
        order = np.argsort(terms, kind="stable")  # docs were added in order: ascending within a term
        terms = terms[order]
        docs = np.concatenate([d for _, d in found])[order]
        first = np.ones(len(terms), dtype=bool)  # a term's first occurrence in a paragraph
        first[1:] = (terms[1:] != terms[:-1]) | (docs[1:] != docs[:-1])
        at = np.flatnonzero(first)
        tfs = np.diff(np.r_[at, len(terms)])
        terms, docs = terms[at], seqs[docs[at]] - base
        bounds = np.r_[0, np.flatnonzero(np.diff(terms)) + 1, len(terms)]
        data, offsets, weighted = encode_field(bounds, docs, tfs)
        names = postings.terms(field)
        offsets = offsets.tolist()
        for name, n, flag, start, end in zip(map(names.__getitem__, terms[bounds[:-1]].tolist()),
                                             np.diff(bounds).tolist(), weighted.tolist(), offsets, offsets[1:]):
            yield field, name, base, n, flag, data[start:end]


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
