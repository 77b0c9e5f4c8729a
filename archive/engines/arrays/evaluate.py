"""Match plans evaluated with arrays: which documents match, and their scores.

Two passes. `match(node)`: the documents each node matches, as boolean
arrays over the engine's document numbers (terms and literal runs from the
postings the engine gives, runs checked exactly by the engine). `scores(node,
docs)`: each node's score at given documents (all matched by the node),
computed only where the whole plan and the filters let documents through.

Scoring is the plan's (archive/engines/plan.py): BM25F with its K1 and B,
idf = ln(N / (df + 1)) + 1, the average field length from the total of the
field's lengths over N, field lengths quantized to Whoosh's byte. N, df and
the totals are the engine's (PostingsSource).
"""

import math
from typing import Protocol

import numpy as np

from ...analysis import bigrams
from .. import plan as p
from ..plan import B, K1

LITERAL_FIELD = "chars"


class PostingsSource(Protocol):
    """What the evaluator reads from an engine; documents are numbers 0 … size-1, postings sorted."""
    size: int
    live: np.ndarray  # the documents a negation (Without) can match

    def postings(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(documents, term frequencies) of a term (chars: a single unit or a bigram)."""

    def run_docs(self, run: str) -> np.ndarray:
        """The documents holding a literal run of two units or more."""

    def run_postings(self, run: str) -> list[tuple[np.ndarray, np.ndarray]]:
        """(documents, frequencies) of each bigram of a run (analysis.bigrams order), covering at least
        the documents of run_docs(run)."""

    def doc_count(self) -> int:
        """N of the idf."""

    def doc_frequency(self, field: str, text: str) -> int: ...

    def field_total(self, field: str) -> float:
        """The total length of a field (its average is this over N)."""

    def lengths(self, field: str) -> np.ndarray:
        """The (quantized) length of a field per document."""


class Evaluator:
    def __init__(self, source: PostingsSource, stats: dict | None = None):
        self.source = source
        self.n = source.size
        self._masks: dict[int, np.ndarray] = {}
        # (field, term) -> (idf, average field length); may be shared by the requests of one view of an index
        self._stats = {} if stats is None else stats

    # -- which documents match ---------------------------------------------

    def match(self, node) -> np.ndarray:
        mask = self._masks.get(id(node))
        if mask is None:
            mask = self._masks[id(node)] = self._match(node)
        return mask

    def _match(self, node) -> np.ndarray:
        t = type(node)
        if t is p.Word:
            return self._mask(self.source.postings(node.field, node.word)[0])
        if t is p.Literal:
            if len(node.run) == 1:
                return self._mask(self.source.postings(LITERAL_FIELD, node.run)[0])
            if not node.run:
                return np.zeros(self.n, dtype=bool)
            return self._mask(self.source.run_docs(node.run))
        if t is p.All or t is p.Any:
            mask = self.match(node.parts[0]).copy()
            for part in node.parts[1:]:
                if t is p.Any:
                    mask |= self.match(part)
                else:
                    mask &= self.match(part)
            return mask
        if t is p.Without:
            return self.source.live & ~self.match(node.part)
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
            return self._bm25(node.field, node.word, self.source.postings(node.field, node.word), docs) * node.boost
        if t is p.Literal:
            run = node.run
            if len(run) == 1:
                return self._bm25(LITERAL_FIELD, run, self.source.postings(LITERAL_FIELD, run), docs) * node.boost
            grams = bigrams(list(run))
            postings = self.source.run_postings(run)
            total = self._bm25(LITERAL_FIELD, grams[0], postings[0], docs)
            for gram, found in zip(grams[1:], postings[1:]):
                total += self._bm25(LITERAL_FIELD, gram, found, docs)
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
            source = self.source
            n_all = source.doc_count()
            idf = math.log(n_all / (source.doc_frequency(field, text) + 1)) + 1
            found = self._stats[key] = (idf, source.field_total(field) / (n_all or 1) or 1)
        return found

    def _bm25(self, field: str, text: str, postings, docs: np.ndarray) -> np.ndarray:
        idf, avgfl = self._statistics(field, text)
        ids, weights = postings
        if len(docs) * 8 > self.n:  # many documents: a rank table beats binary search
            rank = np.empty(self.n, dtype=np.int32)
            rank[ids] = np.arange(len(ids), dtype=np.int32)
            at = rank[docs]
        else:
            at = np.searchsorted(ids, docs)
        tf = weights[at].astype(np.float64, copy=False)
        fl = self.source.lengths(field)[docs].astype(np.float64, copy=False)
        return idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))
