"""What both engines keep of an index's state in arrays, alike: facets (CSR) with their masks and counts,
things built once on first use, and an LRU cache of postings."""

import threading
from bisect import bisect_left
from collections import OrderedDict

import numpy as np

POSTINGS_CACHE_ENTRIES = 6_000_000  # document numbers held by the postings cache (8 bytes each with weights)


class FacetArrays:
    """Each facet field's values (sorted) with their documents: one array of documents grouped by value
    (docs_of) and the values' bounds in it (bounds_of). Subclasses fill size, values_of, docs_of and
    bounds_of; `warm` is set once a search has used the arrays."""

    def __init__(self):
        self._lock = threading.Lock()
        self._lazy: dict = {}
        self._postings: OrderedDict = OrderedDict()
        self._held = 0
        self.size = 0
        self.values_of: dict[str, list[str]] = {}
        self.docs_of: dict[str, np.ndarray] = {}
        self.bounds_of: dict[str, np.ndarray] = {}
        self.warm = False

    def lazy(self, key, build):
        """build(), once: built on first use and kept."""
        value = self._lazy.get(key)
        if value is None:
            with self._lock:
                value = self._lazy.get(key)
                if value is None:
                    value = self._lazy[key] = build()
        return value

    def _cached(self, key, build):
        """The LRU cache shared by requests: build() returns a tuple whose first array counts."""
        with self._lock:
            found = self._postings.get(key)
            if found is not None:
                self._postings.move_to_end(key)
                return found
        found = build()
        with self._lock:
            self._postings[key] = found
            self._held += len(found[0])
            while self._held > POSTINGS_CACHE_ENTRIES and len(self._postings) > 1:
                _, old = self._postings.popitem(last=False)
                self._held -= len(old[0])
        return found

    # -- facets ----------------------------------------------------------------

    def mask_of(self, field: str, values) -> np.ndarray:
        """The documents holding any of these values of a facet field."""
        mask = np.zeros(self.size, dtype=bool)
        if field not in self.docs_of:
            return mask
        names, bounds, docs = self.values_of[field], self.bounds_of[field], self.docs_of[field]
        for value in values:
            i = _index(names, value)
            if i is not None:
                mask[docs[bounds[i]:bounds[i + 1]]] = True
        return mask

    def counts(self, field: str, within: np.ndarray) -> dict[str, int]:
        """Documents of `within` per value of `field` (values with none left out).

        A few matched documents are counted from their own values (by document); many, by
        one pass over the field's (document, value) pairs (by value). The by-document copy is
        made once the arrays are warm: a one-shot search (the CLI) does not pay for it.
        """
        names, docs = self.values_of.get(field, []), self.docs_of.get(field)
        if not names:
            return {}
        if self.warm and np.count_nonzero(within) * 8 < self.size:
            matched = np.flatnonzero(within)
            ptr, vals = self._by_document(field)
            starts, lengths = ptr[matched], ptr[matched + 1] - ptr[matched]
            total = int(lengths.sum())
            picks = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths) + np.arange(total)
            sums = np.bincount(vals[picks], minlength=len(names))
        else:  # every value has documents, so each reduceat group is its own
            sums = np.add.reduceat(within[docs].view(np.uint8), self.bounds_of[field][:-1], dtype=np.int64)
        return {names[i]: int(sums[i]) for i in np.flatnonzero(sums).tolist()}

    def _by_document(self, field: str):
        """(pointers, value numbers): the values of document d are vals[ptr[d]:ptr[d + 1]]."""
        def build():
            docs = self.docs_of[field]
            vids = np.repeat(np.arange(len(self.values_of[field]), dtype=np.int32), np.diff(self.bounds_of[field]))
            ptr = np.zeros(self.size + 1, dtype=np.int32)  # (document numbers and entries fit in 32 bits)
            np.cumsum(np.bincount(docs, minlength=self.size), out=ptr[1:])
            return ptr, vids[np.argsort(docs, kind="stable")]
        return self.lazy(("by_document", field), build)


def _index(sorted_names: list[str], value: str):
    i = bisect_left(sorted_names, value)
    return i if i < len(sorted_names) and sorted_names[i] == value else None
