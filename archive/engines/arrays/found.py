"""The Found of archive/engines/base.py over boolean arrays of document numbers, for every engine.

The engine gives the matched documents (`base`), a mask per filter group, an
evaluator for relevance (arrays/evaluate.py), and its data through callbacks:
date_sort per document (built on first use), counting a facet within a mask, the documents of a
field's value (for position()), and the keys of documents (page()).
"""

from collections.abc import Callable

import numpy as np

from ...facets import group_of
from ..base import Filters
from .evaluate import Evaluator


class ArrayFound:
    def __init__(self, evaluator: Evaluator | None, plan, base: np.ndarray, masks: dict, *,
                 date_sort: Callable[[], np.ndarray],
                 count: Callable[[str, np.ndarray], dict[str, int]],
                 docnums: Callable[[str, str], np.ndarray],
                 keys: Callable[[np.ndarray], list] | None = None):
        self.evaluator, self.plan = evaluator, plan
        self.base, self.masks = base, masks
        self.date_sort, self._count, self._docnums, self._keys = date_sort, count, docnums, keys
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

    def page(self, order: str, offset: int, limit: int) -> list[tuple[object, float | None]]:
        if limit <= 0 or offset >= self.total:
            return []
        if order == "relevance" and self.evaluator is not None and offset + limit < self.total:
            docs, scores = self._top_scores(offset + limit)  # only the top k need sorting
        else:
            docs, scores = self._ordered(order)
        docs = docs[offset:offset + limit]
        keys = docs.tolist() if self._keys is None else self._keys(docs)
        scores = scores[offset:offset + limit].tolist() if scores is not None else None
        return [(k, scores[i] if scores is not None else None) for i, k in enumerate(keys)]

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
                keys = self.date_sort()[docs]
                # Newest or oldest first; undated paragraphs last either way, then in index order.
                primary = -keys if order != "oldest" else np.where(keys == 0, np.iinfo(np.int64).max, keys)
                docs = docs[np.lexsort((docs, primary))]
            found = self._orders[order] = (docs, scores)
        return found

    def facet_counts(self, field: str) -> dict[str, int]:
        group = group_of(field)
        within = self._drilled.get(group)
        if within is None:
            within = self._drilled[group] = self._within(group)
        return self._count(field, within)

    def position(self, order: str, paragraph_id: str | None = None, meeting_id: str | None = None) -> int | None:
        if paragraph_id is not None:
            wanted = self._docnums("id", paragraph_id)
        else:
            wanted = self._docnums("meeting_id", meeting_id or "")
        wanted = wanted[self.matched[wanted]] if len(wanted) else wanted
        if not len(wanted):
            return None
        docs, _ = self._ordered(order)
        at = np.flatnonzero(np.isin(docs, wanted))
        return int(at[0]) + 1


def filter_masks(filters: Filters, arrays) -> dict[str, np.ndarray]:
    """The documents each filter group lets through, from an engine's arrays (size, mask_of(field,
    values), date_sort)."""
    masks = {}
    for group, values in filters.values.items():
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
