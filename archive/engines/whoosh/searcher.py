"""The Whoosh engine's Reader and Found (archive/engines/base.py): plans and filters as arrays.

A Reader is one Whoosh searcher with its SegmentArrays; every request
reads one Reader from start to end, so a commit in between never mixes two
states of the index in one answer.
"""

import bisect

import numpy as np

from ...index.records import MEETING, PARAGRAPH
from ..base import FACET_GROUPS, VALUE_GROUPS, Filters
from .arrays import SegmentArrays
from .evaluate import LITERAL_FIELD, Evaluator


class WhooshReader:
    def __init__(self, searcher, arrays: SegmentArrays):
        self.searcher, self.arrays = searcher, arrays
        self._by_second = None
        self._finds = 0
        self._stats: dict = {}  # term statistics, looked up once per searcher (Evaluator)

    def facet_values(self, field: str) -> list[str]:
        return self.arrays.values(field)

    def find(self, plan, filters: Filters, scored: bool) -> "WhooshFound":
        arrays = self.arrays
        # Facets are counted by document from a reader's second search on: a one-shot search (the CLI)
        # does not pay for the by-document copy.
        self._finds += 1
        arrays.warm = self._finds > 1
        evaluator = Evaluator(self.searcher, arrays, self._stats)
        base = arrays.paragraphs if plan is None else evaluator.match(plan) & arrays.paragraphs
        return WhooshFound(self, evaluator if scored and plan is not None else None, plan, base,
                           self._masks(filters))

    def _masks(self, filters: Filters) -> dict[str, np.ndarray]:
        arrays, masks = self.arrays, {}
        for group in VALUE_GROUPS:
            values = getattr(filters, group)
            if values is not None:
                masks[group] = arrays.mask_of(group, values)
        if filters.date is not None:
            d = filters.date
            mask = np.ones(arrays.size, dtype=bool)
            if d.low or d.high < 99999999:
                mask &= (arrays.date_sort >= max(d.low, 10000000)) & (arrays.date_sort <= d.high)
            if d.month:
                mask &= arrays.mask_of("month", [f"{d.month:02d}"])
            masks["date"] = mask
        return masks

    def paragraphs(self, keys) -> list[dict]:
        stored = self.searcher.stored_fields
        return [stored(int(k)) for k in keys]

    def meeting(self, meeting_id: str) -> dict | None:
        doc = self.searcher.document(id=meeting_id)
        if not doc or doc.get("kind") != MEETING:
            return None
        return {"id": meeting_id, **doc["info"]}

    def meetings_sharing(self, values, limit: int) -> list[tuple[str, list[int]]]:
        arrays = self.arrays
        meetings = arrays.lazy("meetings", lambda: arrays.mask_of("kind", [MEETING]) & arrays.live)
        weights, holders = np.zeros(arrays.size), []
        for field, value, weight in values:
            docs = arrays.postings(field, value)[0]
            docs = docs[meetings[docs]]
            weights[docs] += weight
            holders.append(docs)
        top = np.argsort(-weights, kind="stable")[:limit]
        return [(self.searcher.stored_fields(int(d))["id"],
                 [i for i, docs in enumerate(holders) if d in docs]) for d in top if weights[d] > 0]

    def docnums(self, field: str, value: str) -> np.ndarray:
        return self.arrays.postings(field, value)[0]

    # -- the suggester's vocabulary: the bigrams of the units view --------------

    def next_units(self, unit: str) -> list[str]:
        grams = (t.decode("utf-8") for t in self.searcher.reader().expand_prefix(LITERAL_FIELD, unit))
        return [g[1] for g in grams if len(g) == 2]

    def previous_units(self, unit: str) -> list[str]:
        if self._by_second is None:
            self._by_second = self.arrays.lazy("by_second", lambda: _BySecond(self.searcher.reader()))
        return self._by_second.firsts(unit)

    def bigram_frequency(self, bigram: str) -> int:
        return self.searcher.doc_frequency(LITERAL_FIELD, bigram)


class _BySecond:
    """Every units bigram reversed (second unit first), sorted and packed into one string."""

    def __init__(self, reader):
        grams = sorted(g[1] + g[0] for g in (t.decode("utf-8") for t in reader.lexicon(LITERAL_FIELD)) if len(g) == 2)
        self.packed = "".join(grams)

    def __len__(self):
        return len(self.packed) // 2

    def __getitem__(self, i):
        return self.packed[2 * i]

    def firsts(self, second: str) -> list[str]:
        lo, hi = bisect.bisect_left(self, second), bisect.bisect_right(self, second)
        return [self.packed[2 * i + 1] for i in range(lo, hi)]


class WhooshFound:
    def __init__(self, reader: WhooshReader, evaluator: Evaluator | None, plan, base: np.ndarray, masks: dict):
        self.reader, self.evaluator, self.plan = reader, evaluator, plan
        self.base, self.masks = base, masks
        self._drilled: dict[str, np.ndarray] = {}  # filter group -> hits under every other filter
        self.matched = self._within()
        self.total = int(self.matched.sum())
        self._orders: dict[str, tuple] = {}

    def _within(self, skip: str | None = None) -> np.ndarray:
        out = self.base.copy()
        for name, mask in self.masks.items():
            if name != skip:
                out &= mask
        return out

    def page(self, order: str, offset: int, limit: int) -> list[tuple[int, float | None]]:
        if limit <= 0 or offset >= self.total:
            return []
        if order == "relevance" and self.evaluator is not None and offset + limit < self.total:
            docs, scores = self._top_scores(offset + limit)  # only the top k need sorting
        else:
            docs, scores = self._ordered(order)
        docs, scores = docs[offset:offset + limit].tolist(), scores[offset:offset + limit].tolist() if scores is not None else None
        return [(d, scores[i] if scores is not None else None) for i, d in enumerate(docs)]

    def _top_scores(self, k: int):
        docs = np.flatnonzero(self.matched)
        scores = self.evaluator.scores(self.plan, docs)
        if len(docs) > k:
            kth = np.partition(scores, len(docs) - k)[len(docs) - k]
            keep = scores >= kth
            docs, scores = docs[keep], scores[keep]
        order = np.lexsort((docs, -scores))
        return docs[order][:k], scores[order][:k]

    def _ordered(self, order: str):
        """(documents, scores or None) of every hit in `order`."""
        found = self._orders.get(order)
        if found is None:
            docs = np.flatnonzero(self.matched)
            scores = None
            if order == "relevance" and self.evaluator is not None:
                scores = self.evaluator.scores(self.plan, docs)
                ranked = np.lexsort((docs, -scores))
                docs, scores = docs[ranked], scores[ranked]
            elif order in ("newest", "oldest", "relevance"):  # (relevance without words: newest first)
                keys = self.reader.arrays.date_sort[docs]
                # Newest or oldest first; undated paragraphs last either way, then in index order.
                primary = -keys if order != "oldest" else np.where(keys == 0, np.iinfo(np.int64).max, keys)
                docs = docs[np.lexsort((docs, primary))]
            found = self._orders[order] = (docs, scores)
        return found

    def facet_counts(self, field: str) -> dict[str, int]:
        group = FACET_GROUPS[field]
        within = self._drilled.get(group)
        if within is None:
            within = self._drilled[group] = self._within(group)
        return {c["value"]: c["count"] for c in self.reader.arrays.counts(field, within)}

    def position(self, order: str, paragraph_id: str | None = None, meeting_id: str | None = None) -> int | None:
        if paragraph_id is not None:
            wanted = self.reader.docnums("id", paragraph_id)
        else:
            wanted = self.reader.docnums("meeting_id", meeting_id or "")
        wanted = wanted[self.matched[wanted]] if len(wanted) else wanted
        if not len(wanted):
            return None
        docs, _ = self._ordered(order)
        at = np.flatnonzero(np.isin(docs, wanted))
        return int(at[0]) + 1
