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
on written), it encodes them as parts into an unlinked temporary file (Spills: gone with the process,
however it ends; a killed ingest leaves nothing behind), and at commit merges each term's parts into one
row, half a million postings at a time, with NumPy: an ingest's memory does not grow with its postings.

The frequencies are counted here, with NumPy (a sort of the occurrences, as Whoosh's writer counts
them), on the analysis the rows were made of: units and bigrams of the units view (a doubled bigram
such as 哈哈 at each start, overlapping), words of text, title and section. The facet values
("field:value", FACET) have postings too, every frequency 1: a generation's facet arrays are read from them.
"""

import tempfile
from array import array
from itertools import filterfalse

import numpy as np

from ..arrays.codec import decode_field, decode_term, encode_field
from ..arrays.pairs import count_pairs
from ..arrays.units import unit_occurrences, unit_term
from .schema import CHARS, FACET, SECTION, TEXT, TITLE

FIELDS = (CHARS, TEXT, TITLE, SECTION, FACET)
WORD_FIELDS = (TEXT, TITLE, SECTION, FACET)  # (the facet values too: terms counted as words)
PARTS_MAX = 8  # a term's incremental parts are merged into its terms row once it has this many
POSTINGS_COLUMNS = ("field", "term", "base", "n", "weighted", "data")
POSTINGS_TYPES = ["int2", "text", "int8", "int4", "bool", "bytea"]
SPILL_POSTINGS = 2_000_000  # postings a run holds in memory before it writes them as parts (spill())
MERGE_POSTINGS = 500_000  # postings of spilled parts merged at a time (decode and encode: ≈ 100 bytes a posting)
MERGE_ROWS = 50_000  # and terms (rare terms have parts of a posting or two)
ENCODE_POSTINGS = 500_000  # postings encoded at a time (encode_field's arrays: ≈ 100 bytes a posting)


class Postings:
    """The postings a run's paragraphs add, numbered in the order they were given (0, 1, …).

    Held as term occurrences (the units strings; the words fields' tokens), counted with NumPy
    every COUNT_OCCURRENCES occurrences and when asked for (count()): each count gives a field's
    (term keys, paragraphs, frequencies) sorted by term, then paragraph. A units term's key is its
    code points (unit_term(): no dictionary of units and bigrams); a words field's, its number in `vocab`.
    """

    def __init__(self):
        self.n = 0
        self.vocab: dict[int, dict[str, int]] = {f: {} for f in WORD_FIELDS}
        self.counted: dict[int, list] = {f: [] for f in FIELDS}
        self.held = 0  # postings counted
        self._clear()

    def _clear(self) -> None:
        self._first = self.n  # the first paragraph of the occurrences not counted yet
        self._units: list[str] = []  # each paragraph's units string (empty ones too)
        self._tokens: dict[int, list[str]] = {f: [] for f in WORD_FIELDS}  # the paragraphs' tokens, one after the other
        self._ns = {f: array("i") for f in WORD_FIELDS}  # and how many each paragraph has
        self._pending = 0

    def add(self, units: str, text, title, section, values) -> None:
        """One paragraph: its units string, the word tokens of its three words fields, its facet values."""
        self._units.append(units)
        tokens, ns = self._tokens, self._ns
        tokens[TEXT] += text
        ns[TEXT].append(len(text))
        tokens[TITLE] += title
        ns[TITLE].append(len(title))
        tokens[SECTION] += section
        ns[SECTION].append(len(section))
        tokens[FACET] += values
        ns[FACET].append(len(values))
        self._pending += 2 * len(units) + len(text) + len(title) + len(section) + len(values)
        self.n += 1
        if self._pending >= COUNT_OCCURRENCES or self.n - self._first >= COUNT_OCCURRENCES:  # (paragraphs < 2**20)
            self.count()

    def count(self) -> None:
        """Count the occurrences held into postings (sorted by term, then paragraph)."""
        if self.n == self._first:
            return
        paragraphs = np.arange(self._first, self.n, dtype=np.int64)
        if any(self._units):
            self._counted(CHARS, *unit_occurrences(self._units, paragraphs))
        for field in WORD_FIELDS:
            found = self._tokens[field]
            if not found:
                continue
            vocab = self.vocab[field]
            new = list(filterfalse(vocab.__contains__, dict.fromkeys(found)))  # numbered in order of first use
            vocab.update(zip(new, range(len(vocab), len(vocab) + len(new))))
            ids = np.fromiter(map(vocab.__getitem__, found), dtype=np.int64, count=len(found))
            docs = np.repeat(paragraphs, np.frombuffer(self._ns[field], dtype=np.int32))
            self._counted(field, ids, docs)
        self._clear()

    def _counted(self, field: int, keys: np.ndarray, docs: np.ndarray) -> None:
        """Count occurrences as postings."""
        keys, docs, tfs = count_pairs(keys, docs)
        self.counted[field].append((keys, docs, tfs.astype(np.int32)))
        self.held += len(keys)

    @property
    def size(self) -> int:
        """Postings held (those not counted yet: at most their occurrences)."""
        return self.held + self._pending

    def merge(self, other: "Postings") -> None:
        """Append another collector's paragraphs (a worker's run, counted) after these."""
        self.count()
        other.count()
        for field in FIELDS:
            if field == CHARS:
                mapped = None
            else:
                vocab = self.vocab[field]
                mapped = np.array([vocab.setdefault(t, len(vocab)) for t in other.vocab[field]], dtype=np.int64)
            for keys, docs, tfs in other.counted[field]:
                self.counted[field].append((keys if mapped is None else mapped[keys], docs + self.n, tfs))
        self.n += other.n
        self._first = self.n
        self.held += other.held

    def namer(self, field: int):
        """A function giving the terms of keys of a field (an array)."""
        if field == CHARS:
            return lambda keys: [unit_term(k) for k in keys.tolist()]
        names = list(self.vocab[field])
        return lambda keys: [names[k] for k in keys.tolist()]

    def emptied(self) -> "Postings":
        """A collector for the paragraphs after these, numbering words as this one (spilled parts' keys agree)."""
        fresh = Postings()
        fresh.vocab = self.vocab
        return fresh

    def __bool__(self) -> bool:
        return self.n > 0


COUNT_OCCURRENCES = 1_000_000  # term occurrences held before they are counted (≈ 40 bytes each then)


def encoded(postings: Postings, seqs: np.ndarray, field: int):
    """(term keys, df, weighted, byte offsets (n + 1), data as uint8) of a field's terms in the run, by key,
    its i-th paragraph at seqs[i] less seqs[0]; None when it has none."""
    found = postings.counted[field]
    if not found:
        return None
    terms = np.concatenate([t for t, _, _ in found])
    order = np.argsort(terms, kind="stable")  # (each count sorted, and after the ones before: a merge)
    terms = terms[order]
    docs = seqs[np.concatenate([d for _, d, _ in found])[order]] - seqs[0]
    tfs = np.concatenate([f for _, _, f in found])[order]
    bounds = np.r_[0, np.flatnonzero(np.diff(terms)) + 1, len(terms)]
    datas, offsets, weights, total = [], [np.zeros(1, dtype=np.int64)], [], 0
    for first, end in term_runs(bounds, ENCODE_POSTINGS):
        a, b = bounds[first], bounds[end]
        data, at, weighted = encode_field(bounds[first:end + 1] - a, docs[a:b], tfs[a:b])
        datas.append(np.frombuffer(data, dtype=np.uint8))
        offsets.append(at[1:] + total)
        weights.append(weighted)
        total += len(data)
    return terms[bounds[:-1]], np.diff(bounds), np.concatenate(weights), np.concatenate(offsets), np.concatenate(datas)


def part_rows(postings: Postings, seqs: np.ndarray):
    """(field, term, base, n, weighted, data) of each term of the run, its i-th paragraph at seqs[i]."""
    postings.count()
    for field in FIELDS:
        found = encoded(postings, seqs, field)
        if found is not None:
            keys, df, weighted, offsets, data = found
            yield from rows_of(field, postings.namer(field)(keys), np.full(len(keys), seqs[0]), df, weighted,
                               offsets[:-1], np.diff(offsets), data.tobytes())


def rows_of(field: int, names: list, bases, df, weighted, starts, lengths, data: bytes):
    """(field, term, base, n, weighted, data) rows of terms whose bytes are data[start:start + length]."""
    for name, base, n, w, a, size in zip(names, bases.tolist(), df.tolist(), weighted.tolist(), starts.tolist(),
                                         lengths.tolist()):
        yield field, name, base, n, w, data[a:a + size]


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

class Spills:
    """A run's postings written in parts to an unlinked temporary file (gone with the process, however it
    ends), each part every field's terms by key as encoded() gives them, then merged per term: a term of one
    part as it is, the parts of another decoded and encoded again as one, MERGE_POSTINGS at a time."""

    def __init__(self):
        self.file = tempfile.TemporaryFile(prefix="archive-postings-")
        self.parts: list[tuple[int, dict]] = []  # (its base, {field: where its arrays are in the file})

    def add(self, postings: Postings, seqs: np.ndarray) -> None:
        postings.count()
        held = {}
        for field in FIELDS:
            found = encoded(postings, seqs, field)
            if found is not None:
                held[field] = [self._write(values) for values in found]
        self.parts.append((int(seqs[0]), held))

    def _write(self, values: np.ndarray) -> tuple[int, str, int]:
        at = self.file.seek(0, 2)
        self.file.write(np.ascontiguousarray(values).data)
        return at, values.dtype.str, len(values)

    def _read(self, where: tuple, lo: int = 0, hi: int | None = None) -> np.ndarray:
        at, dtype, n = where
        size = np.dtype(dtype).itemsize
        self.file.seek(at + lo * size)
        return np.frombuffer(self.file.read(((n if hi is None else hi) - lo) * size), dtype=dtype)

    def rows(self, postings: Postings):
        """(field, term, base, n, weighted, data) of every term, one row a term (postings: the run's last
        collector, whose words' numbers the parts' keys are)."""
        for field in FIELDS:
            parts = [(base, held[field]) for base, held in self.parts if field in held]
            if not parts:
                continue
            keys = [self._read(where[0]) for _, where in parts]
            distinct = np.unique(np.concatenate(keys))
            counts = np.zeros(len(distinct), dtype=np.int64)
            for found, (_, where) in zip(keys, parts):
                counts[np.searchsorted(distinct, found)] += self._read(where[1])
            cuts = np.searchsorted(np.cumsum(counts), np.arange(MERGE_POSTINGS, counts.sum(), MERGE_POSTINGS))
            cuts = np.unique(np.r_[0, cuts, np.arange(0, len(distinct), MERGE_ROWS), len(distinct)])
            names = postings.namer(field)
            for lo, hi in zip(cuts[:-1].tolist(), cuts[1:].tolist()):
                yield from self._merged(field, parts, keys, distinct[lo], distinct[hi] if hi < len(distinct) else None,
                                        names)

    def _merged(self, field: int, parts: list, keys: list, first_key, end_key, names):
        """The rows of the terms from first_key up to end_key (None: the last), their parts merged."""
        held = []
        for (base, where), found in zip(parts, keys):
            lo = int(np.searchsorted(found, first_key))
            hi = len(found) if end_key is None else int(np.searchsorted(found, end_key))
            if hi > lo:
                offsets = self._read(where[3], lo, hi + 1)
                held.append((found[lo:hi], self._read(where[1], lo, hi), self._read(where[2], lo, hi),
                             np.diff(offsets), self._read(where[4], int(offsets[0]), int(offsets[-1])),
                             np.full(hi - lo, base, dtype=np.int64)))
        pk, pdf, pw, plen, blob, pbase = (np.concatenate(column) for column in zip(*held))
        pstart = np.cumsum(plen) - plen
        order = np.argsort(pk, kind="stable")  # (parts in order of base within a term)
        pk, pdf, pw, plen, pstart, pbase = (a[order] for a in (pk, pdf, pw, plen, pstart, pbase))
        starts = np.flatnonzero(np.r_[True, pk[1:] != pk[:-1]])
        df = np.add.reduceat(pdf, starts)
        several = np.diff(np.r_[starts, len(pk)]) > 1
        bases, weighted = pbase[starts], pw[starts].copy()
        lengths, at = plen[starts].copy(), pstart[starts].copy()
        data = blob.tobytes()
        if several.any():
            merged, bases[several], weighted[several], at[several], lengths[several] = merge_parts(
                blob, several[np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(pk)]))],
                pstart, plen, pw, pdf, pbase, df[several], len(data))
            data += merged
        yield from rows_of(field, names(pk[starts]), bases, df, weighted, at, lengths, data)


def merge_parts(blob, chosen, pstart, plen, pw, pdf, pbase, df, after: int):
    """The parts `chosen` (in order of term, then base) decoded and encoded again as one per term of df
    postings: (their bytes, and per term: base, weighted, start (counted from `after`), length)."""
    sel_start, sel_len, sel_df = pstart[chosen], plen[chosen], pdf[chosen]
    idx = np.repeat(sel_start - (np.cumsum(sel_len) - sel_len), sel_len) + np.arange(int(sel_len.sum()))
    _, docs, tfs = decode_field(blob[idx], np.r_[0, np.cumsum(sel_len)], pw[chosen], sel_df)
    docs += np.repeat(pbase[chosen], sel_df)
    bounds = np.r_[0, np.cumsum(df)]
    bases = docs[bounds[:-1]]
    data, at, weighted = encode_field(bounds, docs - np.repeat(bases, df), tfs)
    return data, bases, weighted, at[:-1] + after, np.diff(at)
