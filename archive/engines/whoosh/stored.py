"""Stored documents compressed in blocks, and the codec whose segments read them.

Whoosh 3 compresses each stored document on its own: a paragraph's pickle
(≈ 850 bytes, its meeting's title and the same keys in every one) shrank to
0.79 of itself on the law corpus. Here consecutive documents are pickled into
blocks of about BLOCK_BYTES and each block is compressed whole (≈ 0.2 of it):
neighbours share their meeting, their keys and much of their wording.

    block 0 … block k-1                 zlib streams
    block starts   uint64 × (k + 1)     offsets of the blocks in the file
    document block uint32 × n           which block holds document i
    document ends  uint32 × n           end of document i in its block (it starts where i-1 ended, or at 0)
    trailer        uint64 n, uint64 k

Reading a document decompresses its block (≈ 30 µs for 16 kB); the last few
blocks read are kept, so the hits of a page, neighbours in the corpus, mostly
share them.
"""

import struct
import threading
import zlib
from collections import OrderedDict

import numpy as np
from whoosh.codec.whoosh3 import W3Codec, W3PerDocReader
from whoosh.columns import Column, ColumnReader, ColumnWriter, PickleColumn

from .postings import POSTS_EXT, TERMS_EXT, LeanTermsReader

BLOCK_BYTES = 16384
LEVEL = 6
_TRAILER = struct.Struct("<QQ")
_CACHED_BLOCKS = 32


class BlockBytesColumn(Column):
    """Byte strings of documents, compressed in blocks of neighbouring documents."""

    def writer(self, dbfile):
        return _BlockWriter(dbfile)

    def reader(self, dbfile, basepos, length, doccount):
        return _BlockReader(dbfile, basepos, length, doccount)


class _BlockWriter(ColumnWriter):
    def __init__(self, dbfile):
        super().__init__(dbfile)
        self._pending, self._pending_bytes = [], 0
        self._starts = [0]
        self._blocks, self._ends = [], []

    def fill(self, docnum):
        while len(self._ends) < docnum:
            self._append(b"")

    def add(self, docnum, v):
        self.fill(docnum)
        self._append(v)

    def _append(self, v: bytes) -> None:
        self._pending.append(v)
        self._pending_bytes += len(v)
        self._blocks.append(len(self._starts) - 1)
        self._ends.append(self._pending_bytes)
        if self._pending_bytes >= BLOCK_BYTES:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            data = zlib.compress(b"".join(self._pending), LEVEL)
            self._dbfile.write(data)
            self._starts.append(self._starts[-1] + len(data))
        self._pending, self._pending_bytes = [], 0

    def finish(self, doccount):
        self.fill(doccount)
        self._flush()
        f = self._dbfile
        f.write(np.asarray(self._starts, dtype="<u8").tobytes())
        f.write(np.asarray(self._blocks, dtype="<u4").tobytes())
        f.write(np.asarray(self._ends, dtype="<u4").tobytes())
        f.write(_TRAILER.pack(len(self._ends), len(self._starts) - 1))


class _BlockReader(ColumnReader):
    def __init__(self, dbfile, basepos, length, doccount):
        self._dbfile, self._basepos, self._doccount = dbfile, basepos, doccount
        n, k = _TRAILER.unpack(dbfile.get(basepos + length - _TRAILER.size, _TRAILER.size))
        tables = basepos + length - _TRAILER.size - 8 * (k + 1) - 8 * n
        raw = dbfile.get(tables, 8 * (k + 1) + 8 * n)
        self._starts = np.frombuffer(raw, dtype="<u8", count=k + 1).astype(np.int64) + basepos
        self._blocks = np.frombuffer(raw, dtype="<u4", count=n, offset=8 * (k + 1))
        self._ends = np.frombuffer(raw, dtype="<u4", count=n, offset=8 * (k + 1) + 4 * n)
        self._count = n
        self._cache: OrderedDict[int, bytes] = OrderedDict()
        self._lock = threading.Lock()  # requests share the reader

    def __len__(self):
        return self._doccount

    def _block(self, b: int) -> bytes:
        with self._lock:
            data = self._cache.get(b)
            if data is not None:
                self._cache.move_to_end(b)
                return data
        start, end = int(self._starts[b]), int(self._starts[b + 1])
        data = zlib.decompress(self._dbfile.get(start, end - start))
        with self._lock:
            self._cache[b] = data
            if len(self._cache) > _CACHED_BLOCKS:
                self._cache.popitem(last=False)
        return data

    def __getitem__(self, docnum):
        if docnum >= self._count:
            return b""
        b = int(self._blocks[docnum])
        start = int(self._ends[docnum - 1]) if docnum and self._blocks[docnum - 1] == b else 0
        end = int(self._ends[docnum])
        return self._block(b)[start:end] if end > start else b""

    def __iter__(self):
        for docnum in range(self._doccount):
            yield self[docnum]


STORED_COLUMN = PickleColumn(BlockBytesColumn())
STORED_FILE = "._stored.col"  # the stored documents' column file of a segment (W3Codec.column_filename)


def concat_blocks(parts: list[bytes], doccounts: list[int]) -> bytes:
    """One column file holding the documents of several (in order), their compressed blocks copied as they are."""
    datas, starts, blocks, ends, base, kbase = [], [], [], [], 0, 0
    for raw, doccount in zip(parts, doccounts):
        n, k = _TRAILER.unpack(raw[-_TRAILER.size:])
        tables = len(raw) - _TRAILER.size - 8 * (k + 1) - 8 * n
        part_starts = np.frombuffer(raw, dtype="<u8", count=k + 1, offset=tables).astype(np.int64)
        if n != doccount:
            raise ValueError(f"a stored column of {n} documents in a segment of {doccount}")
        datas.append(raw[:part_starts[-1]])
        starts.append(part_starts[:-1] + base)
        blocks.append(np.frombuffer(raw, dtype="<u4", count=n, offset=tables + 8 * (k + 1)).astype(np.int64) + kbase)
        ends.append(np.frombuffer(raw, dtype="<u4", count=n, offset=tables + 8 * (k + 1) + 4 * n))
        base += int(part_starts[-1])
        kbase += k
    n = sum(doccounts)
    return b"".join(datas + [
        np.r_[np.concatenate(starts) if starts else np.zeros(0, np.int64), base].astype("<u8").tobytes(),
        np.concatenate(blocks).astype("<u4").tobytes() if blocks else b"",
        np.concatenate(ends).astype("<u4").tobytes() if ends else b"",
        _TRAILER.pack(n, kbase)])


class LeanPerDocReader(W3PerDocReader):
    """Whoosh 3's per-document reader, its stored documents read from blocks."""

    def stored_fields(self, docnum):
        reader = self._cached_reader("_stored", STORED_COLUMN)
        v = reader[docnum]
        return {} if v is None else v


class LeanCodec(W3Codec):
    """The codec segments of this format name in the TOC: Whoosh 3's per-document files, stored
    documents in blocks, terms and postings in postings.py's layout (written by segment.FastCodec)."""

    def terms_reader(self, storage, segment):
        return LeanTermsReader(segment.open_file(storage, TERMS_EXT), segment.open_file(storage, POSTS_EXT))

    def field_writer(self, storage, segment):
        raise NotImplementedError("segments of this layout are written by segment.FastCodec")

    def per_document_reader(self, storage, segment):
        return LeanPerDocReader(storage, segment)
