"""The Whoosh engine's indexer: one ingest run into the live generation, or a fresh one.

An incremental run writes one segment and commits it into the live
generation (a Whoosh commit is an atomic rename of its table of contents).
A rebuild, or an index built by another analysis version, fills a fresh
generation, with worker processes when it has many files, merges their
segments into one (merge.py), and publishes it when it is complete; searchers
never see a half-built index.
"""

import gc
from contextlib import contextmanager

from ...errors import IndexOutdated
from ...schema import FILE, META
from ...workers import in_parallel, total_bytes, worker_count
from .schema import make_schema, to_fields
from .merge import merge_segments
from .segment import FastSegmentWriter
from .store import FORMAT, IndexDir, is_current, read_meta

# A rebuild commits a segment (into the generation not yet published) each time
# this many term occurrences and postings are held in memory (sorted with NumPy
# when the segment is written: a worker peaks at about 600 MB).
SEGMENT_POSTINGS = 10_000_000
# A fresh generation of at least this many files is built by parallel worker
# processes (one per core, at most INGEST_PROCS; ARCHIVE_INGEST_PROCS overrides).
PARALLEL_MIN_FILES = 16
INGEST_PROCS = 2
# The workers take runs of files of about this size in turn (at least two per worker), each run
# one segment: about as much as one segment holds (SEGMENT_POSTINGS), so segments stay few.
CHUNK_BYTES = 6_000_000
# Allocations between two collections of the young generation during a write (few_collections).
GC_YOUNG = 50_000


class WhooshIndexer:
    """The engine's Indexer (archive/engines/base.py) over one Whoosh index of a generation."""

    def __init__(self, index_dir: IndexDir, ix, fresh_path):
        self.index_dir, self.ix, self.fresh_path = index_dir, ix, fresh_path
        self.rebuilding = fresh_path is not None
        self._meta = {} if self.rebuilding else read_meta(ix)
        self.writer = FastSegmentWriter(ix)
        self.segments = []  # finished segments of a fresh generation, committed with the writer's
        self.committed = False

    def manifest(self) -> dict[str, str]:
        with self.ix.searcher() as s:
            return {d["source"]: d["info"]["hash"] for d in s.documents(kind=FILE)}

    def meta(self) -> dict:
        return self._meta

    def write(self, files, prepare, report, progress) -> None:
        with few_collections():
            self._write(files, prepare, report, progress)

    def _write(self, files, prepare, report, progress) -> None:
        procs = worker_count(len(files), INGEST_PROCS, PARALLEL_MIN_FILES) if self.rebuilding else 1
        if procs > 1:
            self.segments += _write_parallel(self.ix, files, procs, prepare, report, progress)
            return
        for done, item in enumerate(files, start=1):
            if progress:
                progress(done, len(files), item[2])
            outcome = prepare(item)
            _store(self.writer, outcome)
            report(outcome)
            if self.rebuilding and self.writer.held > SEGMENT_POSTINGS:
                # A fresh generation is not live yet: a segment written now is not seen by searchers.
                self.segments.append(self.writer.finish_segment())
                self.writer = FastSegmentWriter(self.ix)

    def remove(self, source: str) -> None:
        self.writer.delete_by_term("source", source)

    def commit(self, meta: dict) -> None:
        self.writer.update_document(kind=META, id=META, info={**meta, "format": FORMAT})
        self.committed = True  # (a failed commit cleans up after itself: nothing to cancel)
        if self.rebuilding:
            # One segment: every term has one entry, and searches read one postings list per term.
            if self.writer.added:
                self.segments.append(self.writer.finish_segment())
            else:
                self.writer.cancel()
            segments = [merge_segments(self.ix, self.segments)] if len(self.segments) > 1 else self.segments
            FastSegmentWriter(self.ix).commit_with(segments)
            self.index_dir.publish(self.fresh_path)
        else:
            self.writer.commit()

    def cancel(self) -> None:
        if not self.committed:
            self.writer.cancel()

    def counts(self) -> tuple[int, int]:
        meetings = paragraphs = 0
        with self.ix.searcher() as s:
            for info in (d["info"] for d in s.documents(kind=FILE)):
                meetings += info["meetings"]
                paragraphs += info["paragraphs"]
        return meetings, paragraphs


@contextmanager
def indexer(index_dir: IndexDir, rebuild: bool, wait: float):
    """Hold the ingest lock and give the run's indexer; anything raised cancels what it wrote."""
    with index_dir.lock(wait=wait):
        ix, fresh = None, None
        if not rebuild and index_dir.exists():
            try:
                ix = index_dir.open_raw()
                rebuild = not is_current(read_meta(ix))
                # An index from before a field was added (access levels) cannot store it: build anew.
                rebuild = rebuild or set(make_schema().names()) != set(ix.schema.names())
            except IndexOutdated:  # written by an older layout of this code: build it anew
                ix, rebuild = None, True
        if ix is None or rebuild:
            fresh, ix = index_dir.new_generation()
        run = WhooshIndexer(index_dir, ix, fresh)
        try:
            yield run
        except BaseException:
            run.cancel()
            raise


@contextmanager
def few_collections(young: int = GC_YOUNG):
    """Python's cyclic garbage collector during a write: what the process holds already (the documents
    read before the run, inherited by forked workers) frozen out of its collections, and the young
    generation collected every `young` allocations instead of 700. Records and documents are made by
    the hundred thousand and hardly ever form cycles; every collection walked them (and the documents
    held for the run) again, ≈ a tenth of the writer's CPU."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(young, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _store(writer, outcome) -> None:
    """Replace the source's documents with the outcome's records."""
    if not outcome.records:
        return
    if outcome.status == "updated":
        writer.delete_by_term("source", outcome.source)
    for record in outcome.records:
        writer.add_document(**to_fields(record))


def _index_run(ix, files, prepare, sent) -> list:
    """Index a run of files of a fresh generation into finished segments (in a worker process)."""
    segments = []
    writer = FastSegmentWriter(ix, lock=False)
    for item in files:
        outcome = prepare(item)
        _store(writer, outcome)
        sent(outcome)
        if writer.held > SEGMENT_POSTINGS:
            segments.append(writer.finish_segment())
            writer = FastSegmentWriter(ix, lock=False)
    if writer.added:
        segments.append(writer.finish_segment())
    else:
        writer.cancel()
    return segments


def _write_parallel(ix, files, procs, prepare, report, progress) -> list:
    """Index `files` into a fresh generation with `procs` worker processes; returns their segments in corpus order.

    The files are cut into runs (CHUNK_BYTES), which the workers take in turn: a worker slowed
    down (a busy core, slower files) takes fewer runs instead of holding up the end. Outcomes are
    reported in the order the files finish.
    """
    runs = in_parallel(files, procs, max(2 * procs, -(-total_bytes(files) // CHUNK_BYTES)),
                       lambda: ix.storage.open_index(ix.indexname), _index_run, prepare, report, progress)
    return [seg for segments in runs for seg in segments]
