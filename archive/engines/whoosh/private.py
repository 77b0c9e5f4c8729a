"""Every private Whoosh name this engine relies on, in one place.

Checked against Whoosh-Reloaded 2.7.5 (the version pinned in pyproject.toml).
Everything else goes through Whoosh's supported API: segments are written by a
Codec passed to SegmentWriter(codec=...) (segment.py), readers give their
segment, storage and codec, storage is a FileStorage subclass (store.py).
What is left here has no public equivalent; each item says why it is needed.
tests/test_whoosh_private.py checks every one against the installed Whoosh
and names this module when an upgrade changes one.

Hot paths fetch these once per segment or per term, never per posting.
"""

import numpy as np
from whoosh.codec import whoosh3
from whoosh.codec.whoosh3 import W3PerDocWriter

WHOOSH_VERSION = "2.7.5"  # Whoosh-Reloaded, the version these names were checked against

# -- writing segments --------------------------------------------------------

# SegmentWriter's keyword for a writer that does not take the index's write lock (a parallel worker's: its parent holds it).
NO_LOCK_ARG = "_lk"

# The name of the per-document column holding the stored fields (W3PerDocWriter.__init__ creates it).
STORED_COLUMN_NAME = "_stored"


def mark_added(writer) -> None:
    """Tell a SegmentWriter it holds documents: a writer's own add_document sets the flag commit() flushes by."""
    writer._added = True  # no setter; FastSegmentWriter.add_document replaces SegmentWriter's


def write_segment(writer):
    """Flush and close a SegmentWriter's segment without committing it; returns the segment.

    No public method writes a segment but leaves the TOC alone: a parallel worker's segments are
    committed by its parent (MpWriter does the same with these methods).
    """
    return writer._finalize_segment()


def release_writer(writer) -> None:
    """Close a SegmentWriter after write_segment: its cached searcher, temporary files and lock.

    (cancel() would do it too, but nothing documents that a cancelled writer keeps its segment's files.)
    """
    writer._finish()


def column_writer(perdocwriter, fieldname: str, column):
    """A W3PerDocWriter's writer of a per-document column, created on first use as add_column_value creates it.

    Its add(docnum, value) is what add_column_value calls for the current document; holding it spares a
    writer adding each document's few values three look-ups a value (_has_column, _create_column, _get_column).
    """
    if not perdocwriter._has_column(fieldname):
        perdocwriter._create_column(fieldname, column)
    return perdocwriter._get_column(fieldname)


class StoredColumnPerDocWriter(W3PerDocWriter):
    """W3PerDocWriter storing the stored fields with `stored_column` instead of whoosh3.STORED_COLUMN.

    W3PerDocWriter.__init__ creates that column through this hook with the module's constant: no
    argument chooses another. The column type must write what STORED_COLUMN's reader reads.
    """

    stored_column = None  # set by subclasses

    def _create_column(self, fieldname, column):
        if fieldname == STORED_COLUMN_NAME and self.stored_column is not None:
            column = self.stored_column
        super()._create_column(fieldname, column)


# -- reading segments -------------------------------------------------------------


def length_column(fieldname: str) -> str:
    """The name of the per-document column holding a field's lengths (one byte per document)."""
    return whoosh3._lenfield(fieldname)  # how W3PerDocWriter names it; only this private function says so


def segment_terms(segreader):
    """The terms reader a segment reader has open (postings.LeanTermsReader: its postings as arrays).

    Opening it again by name (Segment.open_file) could fail once an ingest has merged the segment away.
    """
    return segreader._terms


def column_array(col, doccount: int) -> np.ndarray:
    """Every value of a NumericColumn reader as int64, in one read of its file.

    Its reader reads one value per call (a pread each); the position, count, width, type and
    default of its values have no public accessor.
    """
    count = min(col._count, doccount)
    raw = col._dbfile.get(col._basepos, count * col._fixedlen) if count else b""
    out = np.full(doccount, col._default, dtype=np.int64)
    out[:count] = np.frombuffer(raw, dtype=">" + col._typecode, count=count)
    return out


def column_default(column) -> int:
    """A NumericColumn's value for documents without one (no public accessor)."""
    return column._default


def numeric_column_bytes(column, values: np.ndarray) -> bytes:
    """A NumericColumn's file holding `values` for documents 0 … n-1: its writer packs each big-endian, one
    after another (a document without a value before the last with one gets the default)."""
    return values.astype(">" + column._typecode).tobytes()


def segment_field_lengths(segment) -> dict:
    """A segment's total length of each field, as W3PerDocWriter.close leaves it on the segment (pickled in the TOC)."""
    return dict(segment._fieldlengths)


def set_field_lengths(segment, totals: dict) -> None:
    """Give a segment written without W3PerDocWriter (merge.py) its field length totals (W3PerDocReader.field_length)."""
    segment._fieldlengths = dict(totals)
