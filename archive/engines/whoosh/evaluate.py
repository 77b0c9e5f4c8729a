"""The Whoosh engine's postings for the shared evaluator (archive/engines/arrays/evaluate.py).

Postings and literal runs come from the searcher's SegmentArrays (runs: the
candidates of their bigrams in `chars`, checked against each segment's units
text); the statistics are Whoosh's: document frequencies and N count deleted
documents until a merge drops them, field lengths are byte-quantized as
Whoosh stores them.
"""

import numpy as np

from ...analysis import bigrams
from ..arrays.evaluate import LITERAL_FIELD
from .arrays import SegmentArrays


class WhooshPostings:
    def __init__(self, searcher, arrays: SegmentArrays):
        self.searcher, self.arrays = searcher, arrays
        self.size = arrays.size
        self.postings = arrays.postings
        self.lengths = arrays.lengths

    @property
    def live(self) -> np.ndarray:
        return self.arrays.live

    def run_docs(self, run: str) -> np.ndarray:
        return self.arrays.run_docs(LITERAL_FIELD, run)

    def run_postings(self, run: str) -> list[tuple[np.ndarray, np.ndarray]]:
        return [self.arrays.postings(LITERAL_FIELD, g) for g in bigrams(list(run))]

    def doc_count(self) -> int:
        return self.searcher.doc_count_all()

    def doc_frequency(self, field: str, text: str) -> int:
        return self.searcher.doc_frequency(field, text)

    def field_total(self, field: str) -> float:
        return self.searcher.field_length(field)
