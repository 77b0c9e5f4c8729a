"""Facet filters and counts over a searcher's documents, with NumPy.

For each facet field the postings of every value are read once per
searcher into arrays of document numbers. Filtering and counting a result
set is then array work, not a pass over stored fields: the counts of one
facet are computed with the other facets' filters applied (drill-down).
"""

import numpy as np

from ..index.schema import FACET_FIELDS, PARAGRAPH


class FacetCache:
    def __init__(self, searcher):
        reader = searcher.reader()
        self.size = reader.doc_count_all()
        self.postings: dict[str, dict[str, np.ndarray]] = {}
        for field in FACET_FIELDS + ("kind",):
            values = {}
            for term in reader.lexicon(field) if field in reader.indexed_field_names() else ():
                value = term.decode("utf-8")
                ids = reader.postings(field, value).all_ids()
                values[value] = np.fromiter(ids, dtype=np.int64)
            self.postings[field] = values
        self.paragraphs = self.mask_of("kind", [PARAGRAPH])
        self.date_sort = np.zeros(self.size, dtype=np.int64)
        if reader.has_column("date_sort"):
            column = reader.column_reader("date_sort")
            self.date_sort[:] = np.fromiter((column[i] for i in range(self.size)), dtype=np.int64, count=self.size)

    def mask_of(self, field: str, values) -> np.ndarray:
        mask = np.zeros(self.size, dtype=bool)
        for value in values:
            ids = self.postings[field].get(value)
            if ids is not None:
                mask[ids] = True
        return mask

    def mask(self, docnums) -> np.ndarray:
        mask = np.zeros(self.size, dtype=bool)
        mask[np.fromiter(docnums, dtype=np.int64)] = True
        return mask & self.paragraphs

    def counts(self, field: str, within: np.ndarray) -> list[dict]:
        out = []
        for value, ids in self.postings[field].items():
            n = int(within[ids].sum())
            if n:
                out.append({"value": value, "count": n})
        return out

    def values(self, field: str) -> list[str]:
        return list(self.postings[field])
