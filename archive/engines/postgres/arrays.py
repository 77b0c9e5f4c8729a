"""Per-generation arrays of the PostgreSQL engine, and term postings fetched with SQL.

A generation is one committed state of the archive (state.generation, a fresh
token on every commit). Its arrays are read once, in the snapshot of the
first reader that sees it, and shared by the readers of the same generation:

* the paragraphs in index order (their seq), which numbers them 0 … n-1
  (the engine's documents);
* date_sort and the quantized field lengths of each paragraph;
* each facet field's values with their documents (CSR: one sorted array of
  documents grouped by value, and the values' bounds), for filtering and
  counting a result set with NumPy;
* the statistics of BM25F: N, the total field lengths, and df per term,
  read as needed;
* term postings (documents and term frequencies): a term's parts (its
  terms row's, then the `postings` rows of incremental runs: postings.py),
  less the seqs this generation no longer holds; and literal runs: their candidates (the documents holding each of
  their bigrams) checked with strpos on the rows' units. Kept in the LRU
  cache both engines share (archive/engines/arrays/facets.py).

Every read is made through the reader's connection, in its snapshot of this
generation: cached arrays and freshly fetched postings always agree.

On a cluster (cluster.py) the same SQL runs on the coordinator: postings
(the facet values' too) are the coordinator's, and the check of a run's
candidates goes to the shards in the Remote SQL.
"""

import numpy as np

from ... import facets
from ..arrays.facets import FacetArrays
from .cluster import layout
from .postings import decode_parts
from .rows import FULL_WIDTH, HALF_WIDTH, SPACELESS_SQL, TEXT_UNITS_SQL, quantize
from .schema import FACET, FIELDS, SCHEMA

DF_CACHE_ENTRIES = 1_000_000  # document frequencies held
LENGTH_FIELDS = ("text", "title", "section", "chars")
S = SCHEMA


# A term's parts: the rebuild's (in its terms row), then those of the incremental runs since.
POSTINGS_SQL = f"""SELECT base, n, weighted, data FROM {S}.terms WHERE field = %(f)s AND term = %(t)s AND data IS NOT NULL
                   UNION ALL SELECT base, n, weighted, data FROM {S}.postings WHERE field = %(f)s AND term = %(t)s
                   ORDER BY base"""
FACET_POSTINGS_SQL = f"""SELECT term, base, n, weighted, data FROM {S}.terms WHERE field = {FACET} AND data IS NOT NULL
                         UNION ALL SELECT term, base, n, weighted, data FROM {S}.postings WHERE field = {FACET}
                         ORDER BY term, base"""


def check_sql(run: str, seqs: list[int]) -> tuple[str, list]:
    """(SQL, parameters) of the exact check of a literal run: which of the candidates hold it."""
    # A run without ASCII meets no character the translation makes (a run is normalized: no full-width
    # ASCII in it), so it is looked for in the text without spaces. (No coalesce(): postgres_fdw would
    # not send it to the shards.)
    folded = any(c in HALF_WIDTH for c in run)
    return (f"""SELECT array_agg(seq) FROM {S}.paragraphs WHERE seq = ANY(%s) AND (strpos(units, %s) > 0
                OR (units IS NULL AND strpos({TEXT_UNITS_SQL if folded else SPACELESS_SQL}, %s) > 0))""",
            [seqs, run, *((FULL_WIDTH, HALF_WIDTH) if folded else ()), run])


def _bigrams(run: str) -> list[str]:
    return [run[i:i + 2] for i in range(len(run) - 1)]


class Generation(FacetArrays):
    """The arrays of one committed state, shared by every reader of it."""

    def __init__(self, conn, token: str, state: tuple):
        super().__init__()
        self.token = token
        self.documents = int(state[0])  # N: every record, as Whoosh counts documents
        self.field_totals = dict(zip(LENGTH_FIELDS, (int(x) for x in state[1:5])))
        self._df: dict[tuple[int, str], int] = {}
        # Partitioned (hash by meeting_id): a cluster's coordinator.
        self.sharded = conn.execute(f"SELECT relkind = 'p' FROM pg_class WHERE oid = '{S}.paragraphs'::regclass"
                                    ).fetchone()[0]
        self.cluster = layout(conn) if self.sharded else None
        row = conn.execute(f"""SELECT array_agg(seq ORDER BY seq), array_agg(date_sort ORDER BY seq),
                                      array_agg(len_text ORDER BY seq), array_agg(len_title ORDER BY seq),
                                      array_agg(len_section ORDER BY seq), array_agg(len_chars ORDER BY seq)
                               FROM {S}.paragraphs""").fetchone()
        self.seqs = np.array(row[0] or [], dtype=np.int64)
        self.size = len(self.seqs)
        self.date_sort = np.array(row[1] or [], dtype=np.int64)
        self._lengths = {name: quantize(np.array(values or [], dtype=np.int64))
                         for name, values in zip(LENGTH_FIELDS, row[2:])}
        self.values_of = {field: [] for field in facets.fields()}
        by_field: dict[str, list] = {field: [] for field in facets.fields()}
        for entry, docs in self._facet_docs(conn):
            field, _, value = entry.partition(":")
            by_field.setdefault(field, []).append((value, docs))
        for field, found in by_field.items():
            found.sort(key=lambda pair: pair[0])
            docs = [d for _, d in found]
            self.values_of[field] = [v for v, _ in found]
            self.docs_of[field] = np.concatenate(docs).astype(np.int32) if docs else np.zeros(0, dtype=np.int32)
            self.bounds_of[field] = np.cumsum([0] + [len(d) for d in docs]).astype(np.int64)
        # Facet values as the Whoosh engine lists them: of every record, meetings' values too.
        values = {field: set(names) for field, names in self.values_of.items()}
        for (entry,) in conn.execute(f"SELECT DISTINCT unnest(facets) FROM {S}.meetings").fetchall():
            field, _, value = entry.partition(":")
            values.setdefault(field, set()).add(value)
        self.all_values = {field: sorted(found) for field, found in values.items()}
        self.everything = np.ones(self.size, dtype=bool)

    def _facet_docs(self, conn):
        """("field:value", its documents) of every facet value a paragraph of this generation holds."""
        rows = conn.execute(FACET_POSTINGS_SQL).fetchall()
        out, start = [], 0
        for i in range(1, len(rows) + 1):
            if i == len(rows) or rows[i][0] != rows[start][0]:
                docs = self._live(*decode_parts([r[1:] for r in rows[start:i]]))[0]
                if len(docs):
                    out.append((rows[start][0], docs))
                start = i
        return out

    # -- documents -----------------------------------------------------------------

    def docnums(self, seqs: np.ndarray) -> np.ndarray:
        """Document numbers of paragraph seqs (all of this generation)."""
        return np.searchsorted(self.seqs, seqs)

    def lengths(self, field: str) -> np.ndarray:
        return self._lengths[field]

    # -- statistics ----------------------------------------------------------------

    def df(self, conn, field: int, term: str) -> int:
        found = self._df.get((field, term))
        return found if found is not None else self.load_df(conn, [(field, term)])[(field, term)]

    def remember_df(self, field: int, rows) -> None:
        """Keep the document frequencies of (term, df) rows read with other columns."""
        with self._lock:
            if len(self._df) > DF_CACHE_ENTRIES:
                self._df.clear()
            self._df.update(((field, term), df) for term, df in rows)

    def load_df(self, conn, keys) -> dict:
        """Read the document frequencies of these (field, term) not read yet, in one query."""
        keys = [k for k in dict.fromkeys(keys) if k not in self._df]
        if not keys:
            return {}
        rows = conn.execute(f"""SELECT t.field, t.term, t.df FROM {S}.terms t
                                JOIN unnest(%s::smallint[], %s::text[]) AS k(field, term)
                                  ON t.field = k.field AND t.term = k.term""",
                            ([f for f, _ in keys], [t for _, t in keys])).fetchall()
        found = {(f, t): df for f, t, df in rows}
        with self._lock:
            if len(self._df) > DF_CACHE_ENTRIES:
                self._df.clear()
            for key in keys:
                self._df[key] = found.setdefault(key, 0)
        return found

    # -- postings ------------------------------------------------------------------

    def postings(self, conn, field: str, text: str):
        """(documents, frequencies) of a term of a scored field (chars: a single unit)."""
        number = FIELDS[field]
        return self._cached((number, text), lambda: self._fetch_term(conn, number, text))

    def _fetch_term(self, conn, field: int, term: str):
        return self._live(*decode_parts(conn.execute(POSTINGS_SQL, {"f": field, "t": term}).fetchall()))

    def _live(self, seqs: np.ndarray, tfs: np.ndarray):
        """(documents, frequencies) of the postings whose seqs this generation holds."""
        docs = np.searchsorted(self.seqs, seqs)
        if len(docs) and self.size:  # a deleted paragraph stays in its part until the part is rewritten
            kept = self.seqs[np.minimum(docs, self.size - 1)] == seqs
            if not kept.all():
                docs, tfs = docs[kept], tfs[kept]
        elif len(docs):
            docs, tfs = docs[:0], tfs[:0]
        return docs, tfs

    def run(self, conn, run: str):
        """(documents, frequencies of each distinct bigram) of a literal run of two units or more."""
        return self._cached(("run", run), lambda: self._fetch_run(conn, run))

    def run_grams(self, run: str) -> list[str]:
        """The distinct bigrams of a run, in the order run() gives their frequencies."""
        return list(dict.fromkeys(_bigrams(run)))

    def _fetch_run(self, conn, run: str):
        grams = [self.postings(conn, "chars", g) for g in self.run_grams(run)]
        docs = grams[0][0]
        for found, _ in grams[1:]:
            docs = np.intersect1d(docs, found, assume_unique=True)
        if len(run) > 2 and len(docs):  # the bigrams may be apart: the run itself, checked on the units
            held = conn.execute(*check_sql(run, self.seqs[docs].tolist())).fetchone()[0] or []
            docs = self.docnums(np.sort(np.array(held, dtype=np.int64)))
        return (docs,) + tuple(tfs[np.searchsorted(found, docs)] for found, tfs in grams)
