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
from itertools import repeat

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.util.numeric import byte_to_length

from ... import facets
from ...analysis import bigrams
from ...schema import PARAGRAPH
from ..arrays.facets import FacetArrays
from .private import column_array, length_column, segment_terms
from .schema import UNITS_EXT, UNITS_OFFSETS_EXT

_B2L = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)


def _segment_folder(segreader):
    storage = segreader.storage()
    storage = getattr(storage, "b", storage)  # a compound segment's reader overlays the index folder
    return getattr(storage, "folder", None)


def read_facets(segreader) -> dict:
    """{field: (sorted values, documents grouped by value, bounds)} of a segment (local numbers), each
    facet field's postings decoded at once."""
    terms = segment_terms(segreader)
    out = {}
    for field in set(facets.fields() + ("kind",)) & set(terms.indexed_field_names()):
        bounds, docs, _ = terms.field_postings(field)
        out[field] = ([t.decode("utf-8") for t in terms.field_terms(field)], docs.astype(np.int32), bounds)
    return out


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


class SegmentArrays(FacetArrays):
    def __init__(self, searcher):
        super().__init__()
        reader = searcher.reader()
        self.searcher = searcher
        self.size = reader.doc_count_all()
        self.segments = [_Segment(r, off) for r, off in reader.leaf_readers()]
        # Facet postings: one array per field, grouped by value, with the values' boundaries.
        per_segment = [read_facets(seg.reader) for seg in self.segments]
        for field in facets.fields() + ("kind",):
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

    @staticmethod
    def _segment_ids(seg, field, tbytes, weights=False):
        """Document numbers (local, deleted ones included) of a term in one segment, optionally with weights.

        Reads the postings with one `get` (no seek + read on the shared file object), so that
        concurrent requests can read the same segment.
        """
        try:
            ids, ws = segment_terms(seg.reader).postings(field, tbytes)
        except KeyError:
            return None
        return (ids, ws) if weights else ids

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

    def mask(self, docnums) -> np.ndarray:
        mask = np.zeros(self.size, dtype=bool)
        mask[np.fromiter(docnums, dtype=np.int64)] = True
        return mask & self.paragraphs

    def values(self, field: str) -> list[str]:
        return list(self.values_of[field])

