"""The PostgreSQL engine's Reader and Found (archive/engines/base.py): plans and filters as arrays.

A Reader is one connection in one REPEATABLE READ snapshot (taken after the
reader has locked the tables, so that a rebuild swapping the schema in
waits for it or is waited for) with the arrays of the generation that
snapshot sees. Every request reads one Reader from start to end: an ingest
committing meanwhile never mixes two states in one answer. The connection
goes back to the pool when the Reader is closed or dropped.

Keys are paragraph seqs (the index order).
"""

import weakref

import numpy as np

from ..arrays.evaluate import Evaluator
from ..arrays.found import ArrayFound, filter_masks
from ..base import Filters
from .arrays import Generation
from .evaluate import PostgresPostings, leaves
from .rows import unpack_info
from .schema import CHARS, SCHEMA

S = SCHEMA


class PostgresReader:
    def __init__(self, conn, gen: Generation, release):
        self.conn, self.gen = conn, gen
        self._finalizer = weakref.finalize(self, release)

    @property
    def generation(self) -> Generation:
        return self.gen

    def close(self) -> None:
        """Give the connection back now (it is given back anyway when the reader is dropped)."""
        self._finalizer()

    def facet_values(self, field: str) -> list[str]:
        return list(self.gen.all_values.get(field, []))

    def find(self, plan, filters: Filters, scored: bool) -> ArrayFound:
        gen = self.gen
        evaluator = Evaluator(PostgresPostings(self.conn, gen))
        if plan is not None and scored:  # the statistics of every term scored, in one query
            gen.load_df(self.conn, leaves(plan, []))
        base = gen.everything if plan is None else evaluator.match(plan)
        found = ArrayFound(evaluator if scored and plan is not None else None, plan, base, filter_masks(filters, gen),
                           date_sort=lambda: gen.date_sort, count=gen.counts, docnums=self.docnums_of,
                           keys=lambda docs: gen.seqs[docs].tolist())
        gen.warm = True
        return found

    def paragraphs(self, keys) -> list[dict]:
        keys = [int(k) for k in keys]
        if not keys:
            return []
        rows = self.conn.execute(f"SELECT seq, id, meeting_id, source, text, info FROM {S}.paragraphs "
                                 "WHERE seq = ANY(%s)", (keys,)).fetchall()
        titles = meeting_titles(self.conn, {r[2] for r in rows if isinstance(r[5], list)})
        by_seq = {seq: {"kind": "p", "id": id_, "meeting_id": mid, "source": source, "text": text,
                        "info": unpack_info(info, titles.get(mid))}
                  for seq, id_, mid, source, text, info in rows}
        return [by_seq[k] for k in keys]

    def meeting(self, meeting_id: str) -> dict | None:
        if "\x00" in meeting_id:  # (PostgreSQL text cannot hold NUL, so no meeting has such an id)
            return None
        row = self.conn.execute(f"SELECT info FROM {S}.meetings WHERE meeting_id = %s ORDER BY seq LIMIT 1",
                                (meeting_id,)).fetchone()
        return {"id": meeting_id, **row[0]} if row is not None else None

    def meetings_sharing(self, values, limit: int) -> list[tuple[str, list[int]]]:
        wanted = sorted({f"{field}:{value}" for field, value, _ in values})
        rows = self.conn.execute(f"SELECT seq, meeting_id, facets FROM {S}.meetings WHERE facets && %s::text[] "
                                 "ORDER BY seq", (wanted,)).fetchall()
        ranked = []
        for seq, meeting_id, facets in rows:
            held = set(facets)
            weight, pairs = 0.0, []
            for i, (field, value, w) in enumerate(values):
                if f"{field}:{value}" in held:
                    weight += w
                    pairs.append(i)
            if weight > 0:
                ranked.append((-weight, seq, meeting_id, pairs))
        ranked.sort(key=lambda r: (r[0], r[1]))
        return [(meeting_id, pairs) for _, _, meeting_id, pairs in ranked[:limit]]

    def docnums_of(self, column: str, value: str) -> np.ndarray:
        rows = self.conn.execute(f"SELECT seq FROM {S}.paragraphs WHERE {column} = %s", (value,)).fetchall()
        return self.gen.docnums(np.array(sorted(r[0] for r in rows), dtype=np.int64))

    # -- the suggester's vocabulary: the bigrams of the units view --------------

    def next_units(self, unit: str) -> list[str]:
        after = _next_char(unit)
        if after is None:
            rows = self.conn.execute(f"""SELECT term, df FROM {S}.terms WHERE field = {CHARS} AND term > %s
                                         AND length(term) = 2 AND df > 0 ORDER BY term""", (unit,)).fetchall()
        else:
            rows = self.conn.execute(f"""SELECT term, df FROM {S}.terms WHERE field = {CHARS} AND term > %s
                                         AND term < %s AND length(term) = 2 AND df > 0 ORDER BY term""",
                                     (unit, after)).fetchall()
        rows = [(t, df) for t, df in rows if t[0] == unit]
        self.gen.remember_df(CHARS, rows)  # (the suggester asks each one's frequency next)
        return [t[1] for t, _ in rows]

    def previous_units(self, unit: str) -> list[str]:
        rows = self.conn.execute(f"""SELECT term, df FROM {S}.terms WHERE field = {CHARS} AND length(term) = 2
                                     AND right(term, 1) = %s AND df > 0 ORDER BY term""", (unit,)).fetchall()
        self.gen.remember_df(CHARS, rows)
        return [t[0] for t, _ in rows]

    def bigram_frequency(self, bigram: str) -> int:
        return self.gen.df(self.conn, CHARS, bigram)


def meeting_titles(conn, meeting_ids) -> dict:
    """The title of each of these meetings (its first row's, as meeting() reads it)."""
    if not meeting_ids:
        return {}
    return dict(conn.execute(f"""SELECT DISTINCT ON (meeting_id) meeting_id, info->>'title' FROM {S}.meetings
                                 WHERE meeting_id = ANY(%s) ORDER BY meeting_id, seq""", (sorted(meeting_ids),)).fetchall())


def _next_char(unit: str) -> str | None:
    """The first character after `unit` in code point order (UTF-8 byte order), or None."""
    n = ord(unit[0]) + 1
    if 0xD800 <= n <= 0xDFFF:
        n = 0xE000
    return chr(n) if n <= 0x10FFFF else None
