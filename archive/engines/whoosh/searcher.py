"""The Whoosh engine's Reader and Found (archive/engines/base.py): plans and filters as arrays.

A Reader is one Whoosh searcher with its SegmentArrays; every request
reads one Reader from start to end, so a commit in between never mixes two
states of the index in one answer.
"""

import bisect

import numpy as np

from ...schema import MEETING
from ..arrays.evaluate import LITERAL_FIELD, Evaluator
from ..arrays.found import ArrayFound, filter_masks
from ..base import Filters
from .arrays import SegmentArrays
from .evaluate import WhooshPostings


MEETINGS_KEPT = 4096  # meeting records a reader keeps (the ledger and related meetings read many)


class WhooshReader:
    def __init__(self, searcher, arrays: SegmentArrays):
        self.searcher, self.arrays = searcher, arrays
        self._finds = 0
        self._stats: dict = {}  # term statistics, looked up once per searcher (Evaluator)
        self._meetings: dict[str, dict | None] = {}  # meeting records read (a reader is one state: they hold)

    @property
    def generation(self) -> "WhooshReader":
        return self  # (the engine keeps one reader per committed state)

    def facet_values(self, field: str) -> list[str]:
        return self.arrays.values(field)

    def find(self, plan, filters: Filters, scored: bool) -> ArrayFound:
        arrays = self.arrays
        # Facets are counted by document from a reader's second search on: a one-shot search (the CLI)
        # does not pay for the by-document copy.
        self._finds += 1
        arrays.warm = self._finds > 1
        evaluator = Evaluator(WhooshPostings(self.searcher, arrays), self._stats)
        base = arrays.paragraphs if plan is None else evaluator.match(plan) & arrays.paragraphs
        return ArrayFound(evaluator if scored and plan is not None else None, plan, base, filter_masks(filters, arrays),
                          date_sort=lambda: arrays.date_sort, count=arrays.counts, docnums=self.docnums)

    def paragraphs(self, keys) -> list[dict]:
        stored = self.searcher.stored_fields
        return [stored(int(k)) for k in keys]

    def meeting(self, meeting_id: str) -> dict | None:
        if meeting_id not in self._meetings:
            if len(self._meetings) >= MEETINGS_KEPT:
                self._meetings.clear()
            doc = self.searcher.document(id=meeting_id)
            found = doc is not None and doc.get("kind") == MEETING
            self._meetings[meeting_id] = {"id": meeting_id, **doc["info"]} if found else None
        found = self._meetings[meeting_id]
        return dict(found) if found is not None else None  # (a copy: callers add to what they get)

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
        return self.arrays.lazy("by_second", lambda: _BySecond(self.searcher.reader())).firsts(unit)

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
