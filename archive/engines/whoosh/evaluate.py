"""Match plans evaluated with arrays over a Whoosh index: which documents match, and their scores.

Two passes. `match(node)`: the documents each node matches, as boolean
arrays over the searcher's document numbers (literal runs: candidates from
the postings of their bigrams in `chars`, checked against each segment's
units text). `scores(node, docs)`: each node's score at given documents
(all matched by the node), computed only where the whole plan and the
filters let documents through. The scoring is the plan's (BM25F, see
archive/search/plan.py) with Whoosh's statistics: document frequencies and
N count deleted documents until a merge drops them, field lengths are
byte-quantized as Whoosh stores them.
"""

import math

import numpy as np

from ...analysis import bigrams
from ...search import plan as p
from ...search.plan import B, K1
from .arrays import SegmentArrays

LITERAL_FIELD = "chars"


class Evaluator:
    def __init__(self, searcher, arrays: SegmentArrays, stats: dict):
        self.searcher, self.arrays = searcher, arrays
        self.n = arrays.size
        self._masks: dict[int, np.ndarray] = {}
        self._stats = stats  # (field, term) -> (idf, average field length): the searcher's, shared by requests

    # -- which documents match ---------------------------------------------

    def match(self, node) -> np.ndarray:
        mask = self._masks.get(id(node))
        if mask is None:
            mask = self._masks[id(node)] = self._match(node)
        return mask

    def _match(self, node) -> np.ndarray:
        t = type(node)
        if t is p.Word or (t is p.Literal and len(node.run) == 1):
            field, text = (node.field, node.word) if t is p.Word else (LITERAL_FIELD, node.run)
            return self._mask(self.arrays.postings(field, text)[0])
        if t is p.Literal:
            return self._mask(self.arrays.run_docs(LITERAL_FIELD, node.run))
        if t is p.All or t is p.Any:
            mask = self.match(node.parts[0]).copy()
            for part in node.parts[1:]:
                if t is p.Any:
                    mask |= self.match(part)
                else:
                    mask &= self.match(part)
            return mask
        if t is p.Without:
            return self.arrays.live & ~self.match(node.part)
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
            return self._bm25(node.field, node.word, docs) * node.boost
        if t is p.Literal:
            grams = bigrams(list(node.run))
            total = self._bm25(LITERAL_FIELD, grams[0], docs)
            for gram in grams[1:]:
                total += self._bm25(LITERAL_FIELD, gram, docs)
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
        """(idf, average field length) of a term, as Whoosh's BM25F computes them."""
        key = (field, text)
        found = self._stats.get(key)
        if found is None:
            s = self.searcher
            n_all = s.doc_count_all()
            idf = math.log(n_all / (s.doc_frequency(field, text) + 1)) + 1
            found = self._stats[key] = (idf, s.field_length(field) / (n_all or 1) or 1)
        return found

    def _bm25(self, field: str, text: str, docs: np.ndarray) -> np.ndarray:
        idf, avgfl = self._statistics(field, text)
        ids, weights = self.arrays.postings(field, text)
        if len(docs) * 8 > self.n:  # many documents: a rank table beats binary search
            rank = np.empty(self.n, dtype=np.int32)
            rank[ids] = np.arange(len(ids), dtype=np.int32)
            at = rank[docs]
        else:
            at = np.searchsorted(ids, docs)
        tf = weights[at].astype(np.float64)
        fl = self.arrays.lengths(field)[docs].astype(np.float64)
        return idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))
