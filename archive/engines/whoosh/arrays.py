"""Per-searcher arrays for filtering, counting and matching, with NumPy.

Built once per searcher (the engine shares one searcher between requests)
and cheap to build: everything is read in bulk, per segment.

* facets: for each facet field, the documents of every value, as one sorted
  array per field with the values' boundaries (CSR). Filtering and counting a
  result set is array work: the counts of one facet are computed with the
  other facets' filters applied (drill-down);
* the live (not deleted) documents, the paragraphs, date_sort and the field
  lengths, read from the segments' columns in bulk, on first use;
* term postings as arrays of document numbers and term weights, and the
  documents of literal runs, in an LRU cache shared by requests;
* the units text of each segment (written next to the segment at ingest) for
  exact literal checks of candidate documents.
"""

import mmap
import os
import threading
from collections import OrderedDict
from itertools import repeat

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length

from ...analysis import bigrams
from ...index.records import FACET_FIELDS, PARAGRAPH
from .private import column_array, length_column, postings_file, read_postings
from .schema import FACETS_EXT, UNITS_EXT, UNITS_OFFSETS_EXT

POSTINGS_CACHE_ENTRIES = 6_000_000  # document numbers held by the postings cache (8 bytes each with weights)
_B2L = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)


def _segment_folder(segreader):
    storage = segreader.storage()
    storage = getattr(storage, "b", storage)  # a compound segment's reader overlays the index folder
    return getattr(storage, "folder", None)


def read_facets(segreader):
    """{field: (values, documents, bounds)} of a segment, or None when it has none."""
    folder = _segment_folder(segreader)
    if folder is None:
        return None
    try:
        with np.load(os.path.join(folder, segreader.segment().make_filename(FACETS_EXT))) as data:
            out = {}
            for key in data.files:
                field, _, part = key.partition("|")
                out.setdefault(field, {})[part] = data[key]
    except (OSError, ValueError):
        return None
    return {field: (bytes(parts["values"]).decode("utf-8").split("\n") if len(parts["values"]) else [],
                    parts["docs"].astype(np.int32), parts["bounds"].astype(np.int64))
            for field, parts in out.items()}


def read_units(segreader):
    """(bytes-like units text, offsets array) of a segment, or None when it has none."""
    folder = _segment_folder(segreader)
    if folder is None:
        return None
    base = os.path.join(folder, segreader.segment().make_filename(""))
    try:
        offsets = np.fromfile(base + UNITS_OFFSETS_EXT, dtype="<i8")
        with open(base + UNITS_EXT, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            text = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
    except OSError:
        return None
    return text, offsets


class _Segment:
    """One leaf reader: its offset in the searcher's document numbers and its units text.

    The units text is opened with the reader, as Whoosh opens its own files: an ingest that
    merges this segment away deletes the file, but what is open stays readable.
    """

    def __init__(self, reader, offset: int):
        self.reader = reader
        self.offset = offset
        self.size = reader.doc_count_all()
        try:
            found = read_units(reader)
        except Exception:
            found = None
        self._units = found if found is not None and len(found[1]) == self.size + 1 else None

    def units(self):
        """(mmap of the units text, offsets) or None when the segment has none."""
        return self._units


class SegmentArrays:
    def __init__(self, searcher):
        reader = searcher.reader()
        self.searcher = searcher
        self.size = reader.doc_count_all()
        self.segments = [_Segment(r, off) for r, off in reader.leaf_readers()]
        self._lock = threading.Lock()
        self._lazy: dict = {}
        self._postings: OrderedDict = OrderedDict()
        self._vids: dict[str, np.ndarray] = {}  # facet field -> value number of each entry of docs_of
        self.warm = False  # set once a search has used these arrays
        self._held = 0
        # Facet postings: one array per field, grouped by value, with the values' boundaries;
        # from each segment's facet file, or from its postings where it has none.
        self.values_of: dict[str, list[str]] = {}
        self.docs_of: dict[str, np.ndarray] = {}
        self.bounds_of: dict[str, np.ndarray] = {}
        per_segment = [self._segment_facets(seg) for seg in self.segments]
        for field in FACET_FIELDS + ("kind",):
            parts = [(seg, found[field]) for seg, found in zip(self.segments, per_segment) if field in found]
            names = sorted({v for _, (values, _, _) in parts for v in values})
            docs, vids = [], []
            for seg, (values, seg_docs, bounds) in parts:
                if not values:
                    continue
                mapping = np.searchsorted(names, values)
                docs.append(seg_docs + seg.offset)
                vids.append(np.repeat(mapping, np.diff(bounds)))
            if docs:
                docs, vids = np.concatenate(docs), np.concatenate(vids)
                order = np.argsort(vids, kind="stable")
                docs, vids = docs[order], vids[order]
            else:
                docs, vids = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
            self.values_of[field] = names
            self.docs_of[field] = docs.astype(np.int32)  # (document numbers and value numbers fit in 32 bits)
            self.bounds_of[field] = np.searchsorted(vids, np.arange(len(names) + 1)).astype(np.int64)
        self.paragraphs = self.mask_of("kind", [PARAGRAPH]) & self.live

    def complete(self) -> bool:
        """Whether every segment's units text could be opened."""
        return all(seg.units() is not None for seg in self.segments)

    # -- reading segments in bulk -------------------------------------------

    def _segment_facets(self, seg) -> dict:
        """{field: (sorted values, documents grouped by value, bounds)} of one segment (local numbers)."""
        try:
            found = read_facets(seg.reader)
        except Exception:
            found = None
        if found is not None:
            return found
        out = {}
        r = seg.reader
        indexed = set(r.indexed_field_names())
        for field in FACET_FIELDS + ("kind",):
            if field not in indexed:
                continue
            values, arrays = [], []
            for term in r.lexicon(field):
                ids = self._segment_ids(seg, field, term)
                if ids is not None and len(ids):
                    values.append(term.decode("utf-8"))
                    arrays.append(ids)
            docs = np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int32)
            out[field] = (values, docs, np.cumsum([0] + [len(a) for a in arrays]).astype(np.int64))
        return out

    @staticmethod
    def _segment_ids(seg, field, tbytes, weights=False):
        """Document numbers (local, deleted ones included) of a term in one segment, optionally with weights.

        Reads the postings with one `get` (no seek + read on the shared file object), so that
        concurrent requests can read the same segment.
        """
        try:
            info = seg.reader.term_info(field, tbytes)  # one look-up (`in` would be a second)
        except (TermNotFound, KeyError):  # (KeyError: a field with no terms in this segment)
            return None
        if info.is_inlined():  # (not written by our writer; Whoosh keeps inlined ids as they are)
            ids, ws, _ = info.inlined_postings()
            ids, ws = np.asarray(ids, dtype=np.int32), np.asarray(ws, dtype=np.float32)
        else:
            offset, length = info.extent()
            if isinstance(length, tuple):  # Whoosh's W3TermInfo.from_bytes leaves it as unpacked
                length = length[0]
            ids, ws = read_postings(postings_file(seg.reader), offset, length)
        return (ids, ws) if weights else ids

    # Built once per searcher on first use (by this module and by the engine's reader).
    def lazy(self, key, build):
        value = self._lazy.get(key)
        if value is None:
            with self._lock:
                value = self._lazy.get(key)
                if value is None:
                    value = self._lazy[key] = build()
        return value

    @property
    def live(self) -> np.ndarray:
        def build():
            mask = np.ones(self.size, dtype=bool)
            for seg in self.segments:
                if seg.reader.has_deletions():
                    dead = np.fromiter(seg.reader.deleted_docs_set, dtype=np.int64)
                    mask[dead + seg.offset] = False
            return mask
        return self.lazy("live", build)

    @property
    def date_sort(self) -> np.ndarray:
        def build():
            out = np.zeros(self.size, dtype=np.int64)
            for seg in self.segments:
                r = seg.reader
                if not r.has_column("date_sort"):
                    continue
                fieldobj = r.schema["date_sort"]
                raw = column_array(r.column_reader("date_sort", translate=False), seg.size)
                # Stored as sortable numbers: translate each distinct value the way the field does.
                distinct, inverse = np.unique(raw, return_inverse=True)
                translated = np.array([fieldobj.from_column_value(int(v)) for v in distinct], dtype=np.int64)
                out[seg.offset:seg.offset + seg.size] = translated[inverse]
            return out
        return self.lazy("date_sort", build)

    def lengths(self, field: str) -> np.ndarray:
        """Field length per document as the scorer sees it (byte-quantized)."""
        def build():
            out = np.zeros(self.size, dtype=np.float32)  # whole numbers below 2**24: exact
            name = length_column(field)
            for seg in self.segments:
                r = seg.reader
                perdoc = r.codec().per_document_reader(r.storage(), r.segment())
                try:
                    if perdoc.has_column(name):
                        col = perdoc.column_reader(name, LENGTHS_COLUMN)
                        out[seg.offset:seg.offset + seg.size] = _B2L[column_array(col, seg.size)]
                finally:
                    perdoc.close()
            return out
        return self.lazy(("len", field), build)

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

    def postings(self, field: str, text: str):
        """(document numbers, weights) of a term over all segments, deleted documents left out."""
        return self._cached((field, text), lambda: self._read_postings(field, text))

    def _read_postings(self, field: str, text: str):
        tbytes = text.encode("utf-8")
        ids_parts, w_parts = [], []
        for seg in self.segments:
            got = self._segment_ids(seg, field, tbytes, weights=True)
            if got is not None:
                ids_parts.append(got[0] + seg.offset)
                w_parts.append(got[1])
        if not ids_parts:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
        ids = np.concatenate(ids_parts) if len(ids_parts) > 1 else ids_parts[0]
        weights = np.concatenate(w_parts) if len(w_parts) > 1 else w_parts[0]
        keep = self.live[ids]
        if not keep.all():
            ids, weights = ids[keep], weights[keep]
        return ids, weights

    def run_docs(self, field: str, run: str) -> np.ndarray:
        """Documents whose units text contains `run` (two units or more), cached like postings.

        Candidates hold every bigram of the run (the rarest first); each is checked
        against its units text. Facet clicks and pages repeat a query: the check is
        done once.
        """
        def build():
            grams = bigrams(list(run))
            cands = None
            for ids, _ in sorted((self.postings(field, g) for g in grams), key=lambda p: len(p[0])):
                cands = ids if cands is None else np.intersect1d(cands, ids, assume_unique=True)
                if not len(cands):
                    break
            if len(cands):
                keep = self.contains(cands, run)
                if keep is None:
                    raise RuntimeError("a segment of the index has no units text: run archive ingest --rebuild")
                cands = cands[keep]
            return (cands,)
        return self._cached(("run", field, run), build)[0]

    def contains(self, docs: np.ndarray, run: str) -> np.ndarray | None:
        """Which of `docs` (sorted) hold `run` in their units text; None if a segment has no units text."""
        needle = run.encode("utf-8")
        keep = np.zeros(len(docs), dtype=bool)
        bounds = np.searchsorted(docs, [s.offset for s in self.segments] + [self.size])
        for i, seg in enumerate(self.segments):
            lo, hi = bounds[i], bounds[i + 1]
            if lo == hi:
                continue
            units = seg.units()
            if units is None:
                return None
            mm, offsets = units
            local = docs[lo:hi] - seg.offset
            starts, ends = offsets[local].tolist(), offsets[local + 1].tolist()
            found = np.fromiter(map(mm.find, repeat(needle, len(starts)), starts, ends), dtype=np.int64, count=len(starts))
            keep[lo:hi] = found >= 0
        return keep

    # -- facets ----------------------------------------------------------------

    def mask_of(self, field: str, values) -> np.ndarray:
        mask = np.zeros(self.size, dtype=bool)
        names, bounds, docs = self.values_of[field], self.bounds_of[field], self.docs_of[field]
        for value in values:
            i = _index(names, value)
            if i is not None:
                mask[docs[bounds[i]:bounds[i + 1]]] = True
        return mask

    def mask(self, docnums) -> np.ndarray:
        mask = np.zeros(self.size, dtype=bool)
        mask[np.fromiter(docnums, dtype=np.int64)] = True
        return mask & self.paragraphs

    def counts(self, field: str, within: np.ndarray) -> list[dict]:
        """Documents of `within` per value of `field`.

        A few matched documents are counted from their own values (by document); many, by
        one pass over the field's (document, value) pairs (by value). The by-document copy is
        made from a searcher's second use on: a one-shot search (the CLI) does not pay for it.
        """
        names, docs = self.values_of[field], self.docs_of[field]
        if not names:
            return []
        if self.warm and np.count_nonzero(within) * 8 < self.size:
            matched = np.flatnonzero(within)
            ptr, vals = self._by_document(field)
            starts, lengths = ptr[matched], ptr[matched + 1] - ptr[matched]
            total = int(lengths.sum())
            picks = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths) + np.arange(total)
            sums = np.bincount(vals[picks], minlength=len(names))
        else:  # every value has documents, so each reduceat group is its own
            sums = np.add.reduceat(within[docs].view(np.uint8), self.bounds_of[field][:-1], dtype=np.int64)
        return [{"value": names[i], "count": int(sums[i])} for i in np.flatnonzero(sums).tolist()]

    def _value_ids(self, field: str) -> np.ndarray:
        """The value number of each entry of docs_of[field]."""
        vids = self._vids.get(field)
        if vids is None:
            vids = self._vids[field] = np.repeat(np.arange(len(self.values_of[field]), dtype=np.int32),
                                                 np.diff(self.bounds_of[field]))
        return vids

    def _by_document(self, field: str):
        """(pointers, value numbers): the values of document d are vals[ptr[d]:ptr[d + 1]]."""
        def build():
            docs = self.docs_of[field]
            ptr = np.zeros(self.size + 1, dtype=np.int32)
            np.cumsum(np.bincount(docs, minlength=self.size), out=ptr[1:])
            return ptr, self._value_ids(field)[np.argsort(docs, kind="stable")]
        return self.lazy(("by_document", field), build)

    def values(self, field: str) -> list[str]:
        return list(self.values_of[field])


def _index(sorted_names: list[str], value: str):
    from bisect import bisect_left
    i = bisect_left(sorted_names, value)
    return i if i < len(sorted_names) and sorted_names[i] == value else None


