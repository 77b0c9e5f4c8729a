"""Match plans evaluated with arrays over one generation: which paragraphs match, and their scores.

The same two passes as the Whoosh engine's evaluator, over the same numbers:
`match(node)` gives the documents each node matches as a boolean array over
the generation's paragraphs (terms and literal runs from their postings,
fetched with SQL and checked exactly on the rows' strings); `scores(node,
docs)` gives each node's score at given documents (all matched by the node),
computed only where the whole plan and the filters let documents through.

Scoring is the plan's (archive/search/plan.py): BM25F with its K1 and B,
idf = ln(N / (df + 1)) + 1 with N every record (paragraphs, meetings, files
and the meta record, as Whoosh counts its documents), the average field
length from the total of the field's lengths, field lengths quantized to
Whoosh's byte. Unlike Whoosh, deleted records never count: N, df and the
totals are those of the live records.
"""

import math

import numpy as np

from ...search import plan as p
from ...search.plan import B, K1
from .arrays import Generation
from .schema import CHARS, FIELDS

LITERAL_FIELD = "chars"


def leaves(node, out: list) -> list:
    """The (field number, term) of every term a plan's scores need, for reading their df at once."""
    t = type(node)
    if t is p.Word:
        out.append((FIELDS[node.field], node.word))
    elif t is p.Literal:
        run = node.run
        out += [(CHARS, run)] if len(run) == 1 else [(CHARS, run[i:i + 2]) for i in range(len(run) - 1)]
    elif t is p.All or t is p.Any:
        for part in node.parts:
            leaves(part, out)
    elif t is p.Also:
        leaves(node.must, out)
        leaves(node.maybe, out)
    elif t is p.Except:
        leaves(node.part, out)
        leaves(node.not_, out)
    elif t is p.Without or t is p.Constant:
        leaves(node.part, out)
    return out


class Evaluator:
    def __init__(self, conn, gen: Generation):
        self.conn, self.gen = conn, gen
        self.n = gen.size
        self._masks: dict[int, np.ndarray] = {}
        self._stats: dict[tuple, tuple[float, float]] = {}

    # -- which documents match ---------------------------------------------

    def match(self, node) -> np.ndarray:
        mask = self._masks.get(id(node))
        if mask is None:
            mask = self._masks[id(node)] = self._match(node)
        return mask

    def _match(self, node) -> np.ndarray:
        t = type(node)
        if t is p.Word:
            return self._mask(self.gen.postings(self.conn, node.field, node.word)[0])
        if t is p.Literal:
            if len(node.run) == 1:
                return self._mask(self.gen.postings(self.conn, LITERAL_FIELD, node.run)[0])
            if not node.run:
                return np.zeros(self.n, dtype=bool)
            return self._mask(self.gen.run(self.conn, node.run)[0])
        if t is p.All or t is p.Any:
            mask = self.match(node.parts[0]).copy()
            for part in node.parts[1:]:
                if t is p.Any:
                    mask |= self.match(part)
                else:
                    mask &= self.match(part)
            return mask
        if t is p.Without:
            return ~self.match(node.part)
        if t is p.Also:
            return self.match(node.must)
        if t is p.Except:
            return self.match(node.part) & ~self.match(node.not_)
        if t is p.Constant:
            return self.match(node.part)
        raise TypeError(f"not a plan node: {node!r}")

    def _mask(self, ids: np.ndarray) -> np.ndarray:
        mask = np.zeros(self.n, dtype=bool)
        mask[ids] = True
        return mask

    # -- scores at given documents -----------------------------------------

    def scores(self, node, docs: np.ndarray) -> np.ndarray:
        """The score of `node` at each of `docs` (sorted, all matched by the node)."""
        t = type(node)
        if t is p.Word:
            ids, tf = self.gen.postings(self.conn, node.field, node.word)
            return self._bm25(node.field, node.word, ids, tf, docs) * node.boost
        if t is p.Literal:
            run = node.run
            if len(run) == 1:
                ids, tf = self.gen.postings(self.conn, LITERAL_FIELD, run)
                return self._bm25(LITERAL_FIELD, run, ids, tf, docs) * node.boost
            found = self.gen.run(self.conn, run)
            ids, column = found[0], {g: i for i, g in enumerate(self.gen.run_grams(run))}
            grams = [run[i:i + 2] for i in range(len(run) - 1)]
            total = self._bm25(LITERAL_FIELD, grams[0], ids, found[1 + column[grams[0]]], docs)
            for gram in grams[1:]:
                total += self._bm25(LITERAL_FIELD, gram, ids, found[1 + column[gram]], docs)
            return total * node.boost
        if t is p.All or t is p.Any:
            total = np.zeros(len(docs))
            for part in node.parts:
                self._add(total, part, docs)
            return total
        if t is p.Without:
            return np.ones(len(docs))
        if t is p.Also:
            total = self.scores(node.must, docs)
            self._add(total, node.maybe, docs)
            return total
        if t is p.Except:
            return self.scores(node.part, docs)
        if t is p.Constant:
            return np.full(len(docs), float(node.score))
        raise TypeError(f"not a plan node: {node!r}")

    def _add(self, total: np.ndarray, part, docs: np.ndarray) -> None:
        """total += the part's score where it matches."""
        where = self.match(part)[docs]
        if where.all():
            total += self.scores(part, docs)
        elif where.any():
            total[where] += self.scores(part, docs[where])

    def _statistics(self, field: str, text: str) -> tuple[float, float]:
        """(idf, average field length) of a term."""
        key = (field, text)
        found = self._stats.get(key)
        if found is None:
            gen = self.gen
            n_all = gen.documents
            idf = math.log(n_all / (gen.df(self.conn, FIELDS[field], text) + 1)) + 1
            found = self._stats[key] = (idf, gen.field_totals[field] / (n_all or 1) or 1)
        return found

    def _bm25(self, field: str, text: str, ids: np.ndarray, weights: np.ndarray, docs: np.ndarray) -> np.ndarray:
        idf, avgfl = self._statistics(field, text)
        if len(docs) * 8 > self.n:  # many documents: a rank table beats binary search
            rank = np.empty(self.n, dtype=np.int64)
            rank[ids] = np.arange(len(ids), dtype=np.int64)
            at = rank[docs]
        else:
            at = np.searchsorted(ids, docs)
        tf = weights[at]
        fl = self.gen.lengths(field)[docs]
        return idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))
