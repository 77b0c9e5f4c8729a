"""Merging a full build's segments into one, reading them as arrays.

A rebuild's workers write a segment per run of files (about 11 on the law
corpus): every term of every segment had its own entry, a bigram in all of
them. Whoosh's own merge copies each posting and each stored document through
Python (minutes); here each part is copied in bulk:

* terms and postings: per field, in runs of terms, each segment's postings of
  the run decoded at once, concatenated with the segments' document offsets,
  ordered by term (a stable sort keeps the documents ascending), encoded again;
* stored documents: their compressed blocks copied as they are (stored.py);
* the units text and its offsets, the length and date columns: concatenated;
* deletions (none in a fresh build) and field length totals carried over.
"""

import bisect

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec
from whoosh.reading import SegmentReader

from ...workers import forked_map, worker_count
from ..arrays.codec import encode_field
from .private import (column_array, column_default, length_column, numeric_column_bytes, segment_field_lengths,
                      segment_terms, set_field_lengths)
from .schema import UNITS_EXT, UNITS_OFFSETS_EXT
from .segment import FastCodec
from .stored import STORED_FILE, concat_blocks

RUN_TERMS = 20_000  # terms of a field merged at once (bounds the arrays: a frequent unit has 300,000 postings)
MERGE_PROCS = 2  # processes merging runs of terms (one per core; ARCHIVE_INGEST_PROCS overrides)


def merge_segments(ix, segments: list):
    """One new segment (not committed) holding the documents of `segments`, in their order."""
    storage, schema = ix.storage, ix.schema
    codec = FastCodec()
    segment = codec.new_segment(storage, ix.indexname)
    readers = [SegmentReader(storage, schema, seg) for seg in segments]
    sizes = [seg.doc_count_all() for seg in segments]
    offsets = np.r_[0, np.cumsum(sizes)].astype(np.int64)
    try:
        _merge_terms(codec, storage, segment, readers, offsets)
        _merge_stored(storage, segment, segments)
        _merge_units(storage, segment, segments, offsets)
        _merge_columns(storage, segment, schema, readers, sizes)
    finally:
        for r in readers:
            r.close()
    segment.set_doc_count(int(offsets[-1]))
    totals: dict[str, int] = {}
    for seg, off in zip(segments, offsets.tolist()):
        for field, n in segment_field_lengths(seg).items():
            totals[field] = totals.get(field, 0) + n
        for d in seg.deleted_docs():
            segment.delete_document(d + off)
    set_field_lengths(segment, totals)
    return segment


def _merge_terms(codec, storage, segment, readers, offsets) -> None:
    """Each field's terms in runs of RUN_TERMS, merged and encoded by forked processes (both cores), written in order."""
    writer = codec.field_writer(storage, segment)
    terms_readers = [segment_terms(r) for r in readers]
    fields = sorted({f for t in terms_readers for f in t.indexed_field_names()})
    tasks = []
    for field in fields:
        per_segment = [t.field_terms(field) for t in terms_readers]
        union = sorted(set().union(*per_segment))
        tasks += [(field, per_segment, union[lo:lo + RUN_TERMS]) for lo in range(0, len(union), RUN_TERMS)]

    def encoded(task):
        field, per_segment, run = task
        bounds, docs, weights = _merge_run(field, run, terms_readers, per_segment, offsets)
        return np.diff(bounds), *encode_field(bounds, docs, weights)

    procs = worker_count(len(tasks), MERGE_PROCS, 2)
    done = forked_map(encoded, tasks, procs) if procs > 1 else map(encoded, tasks)
    current = None
    for (field, _, run), coded in zip(tasks, done):
        if field != current:
            if current is not None:
                writer.finish_field()
            writer.start_field(field, None)
            current = field
        writer.add_encoded(run, *coded)
    if current is not None:
        writer.finish_field()
    writer.close()


def _merge_run(field, run, terms_readers, per_segment, offsets):
    """(bounds, docs, weights) of the terms `run` (sorted) over every segment."""
    first, last = run[0], run[-1]
    keys, docs, weights = [], [], []
    position = {t: i for i, t in enumerate(run)}
    for i, (terms, names) in enumerate(zip(terms_readers, per_segment)):
        if not names:
            continue
        start, stop = bisect.bisect_left(names, first), bisect.bisect_right(names, last)
        if stop <= start:
            continue
        bounds, d, w = terms.field_postings(field, int(start), int(stop))
        ranks = np.fromiter(map(position.__getitem__, names[start:stop]), dtype=np.int32, count=stop - start)
        keys.append(np.repeat(ranks, np.diff(bounds)))
        docs.append(d + offsets[i])
        weights.append(w)
    keys = np.concatenate(keys)
    order = np.argsort(keys, kind="stable")
    bounds = np.searchsorted(keys[order], np.arange(len(run) + 1))
    return bounds, np.concatenate(docs)[order], np.concatenate(weights)[order]


def _read(storage, seg, ext: str) -> bytes:
    with seg.open_file(storage, ext) as f:
        return f.read()


def _merge_stored(storage, segment, segments) -> None:
    parts = [_read(storage, seg, STORED_FILE) for seg in segments]
    with segment.create_file(storage, STORED_FILE) as f:
        f.write(concat_blocks(parts, [seg.doc_count_all() for seg in segments]))


def _merge_units(storage, segment, segments, offsets) -> None:
    texts, starts, base = [], [], 0
    for seg in segments:
        text = _read(storage, seg, UNITS_EXT)
        uoff = np.frombuffer(_read(storage, seg, UNITS_OFFSETS_EXT), dtype="<i8")
        texts.append(text)
        starts.append(uoff[:-1] + base)
        base += len(text)
    with segment.create_file(storage, UNITS_EXT) as f:
        for text in texts:
            f.write(text)
    with segment.create_file(storage, UNITS_OFFSETS_EXT) as f:
        f.write(np.r_[np.concatenate(starts), base].astype("<i8").tobytes())


def _merge_columns(storage, segment, schema, readers, sizes) -> None:
    """The numeric columns (field lengths, date_sort): each segment's values, defaults filled, one after another."""
    columns = {length_column(name): LENGTHS_COLUMN for name, f in schema.items() if f.scorable}
    columns.update({name: f.column_type for name, f in schema.items() if f.column_type})
    for name, column in columns.items():
        parts = []
        for r, size in zip(readers, sizes):
            perdoc = r.codec().per_document_reader(r.storage(), r.segment())
            try:
                have = perdoc.has_column(name)
                parts.append(column_array(perdoc.column_reader(name, column), size) if have
                             else np.full(size, column_default(column), dtype=np.int64))
            finally:
                perdoc.close()
        values = np.concatenate(parts)
        if (values == column_default(column)).all():  # (a column is written only when a document has a value)
            continue
        with segment.create_file(storage, "." + name + W3Codec.COLUMN_EXT) as f:
            f.write(numeric_column_bytes(column, values))
