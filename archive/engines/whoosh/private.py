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

import io
import pickle
import struct
import zlib

import numpy as np
from whoosh.codec import whoosh3
from whoosh.codec.whoosh3 import W3PerDocWriter, W3TermInfo

WHOOSH_VERSION = "2.7.5"  # Whoosh-Reloaded, the version these names were checked against

# -- writing segments --------------------------------------------------------

# The byte layout of a term's statistics in the terms index: W3TermInfo.to_bytes needs a TermInfo object per term (≈ 2 µs more each).
TERMINFO_STRUCT: struct.Struct = W3TermInfo._struct

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


def postings_file(segreader):
    """The postings file a segment reader has open.

    Opening it again by name (Segment.open_file) could fail once an ingest has merged the segment away.
    """
    return segreader._terms._postfile


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


_BLOCK_LENGTH = struct.Struct("!i")
POSTINGS_HEADER_SIZE = 4  # WHOOSH3_HEADER_MAGIC at the start of each term's postings


def read_postings(postfile, offset: int, length: int) -> tuple[np.ndarray, np.ndarray]:
    """(document numbers, weights) of a term's postings blocks (W3PostingsWriter's layout), read in one piece.

    W3LeafMatcher reads them posting by posting. Each block: its signed size (negative for the
    last), then the pickled (count, last id, max weight, compression, min length byte, max length
    byte) and the pickled, maybe zlib-compressed, (id deltas, weights, values); weights as Whoosh
    minifies them: None (all 1.0), one float for all, or a tuple.
    """
    buf = io.BytesIO(postfile.get(offset, length))
    buf.seek(POSTINGS_HEADER_SIZE)
    deltas, weights, starts, before = [], [], [], []
    last = 0
    while True:
        size = _BLOCK_LENGTH.unpack(buf.read(4))[0]
        end = buf.tell() + abs(size)
        count, block_last, _, compression, _, _ = pickle.load(buf)
        data = buf.read(end - buf.tell())
        if compression:
            data = zlib.decompress(data)
        ids, w, _ = pickle.loads(data)
        starts.append(len(deltas))
        before.append(last)
        deltas.extend(ids)
        weights.extend([1.0] * count if w is None else [w] * count if isinstance(w, float) else w)
        last = block_last
        if size < 0:
            break
    ids = np.array(deltas, dtype=np.int64)
    ids[starts] -= before  # a block's first number is absolute: make it relative to the previous block's last
    return np.cumsum(ids).astype(np.int32), np.array(weights, dtype=np.float32)
