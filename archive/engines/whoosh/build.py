"""Ingest into the index: incremental by content hash, one atomic commit per run."""

import hashlib
import os
import queue as queues
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..ingest import UnreadableFile, load, source_name
from ..extract.annotate import annotate, fingerprint
from .analysis import ANALYZER_VERSION, SEGMENTER
from .documents import whoosh_docs
from .schema import FILE, META
from .segment import FastSegmentWriter
from .store import IndexDir, read_meta

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


@dataclass
class Summary:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    meetings: int = 0  # in the whole index after the run
    paragraphs: int = 0
    seconds: float = 0.0
    rebuilt: bool = False

    def as_json(self) -> dict:
        return {**self.__dict__, "failed": [{"source": s, "reason": r} for s, r in self.failed],
                "warnings": [{"source": s, "message": m} for s, m in self.warnings]}


def corpus_files(paths: list[Path]) -> list[tuple[Path, Path]]:
    """(file, root) for every .md file under the given files and folders, in a stable order.

    Folders are walked without following symbolic links to folders, so a link
    loop cannot trap the walk; linked files are read.
    """
    found = []
    for path in paths:
        if path.is_dir():
            for dirpath, dirnames, filenames in os.walk(path):
                dirnames.sort()
                found.extend((Path(dirpath) / f, path) for f in sorted(filenames) if f.endswith(".md"))
        else:
            found.append((path, path.parent))
    return found


def _sources(found: list[tuple[Path, Path]], summary: "Summary") -> list[tuple[Path, Path, str]]:
    """(file, root, source name) of the files to ingest, each file once.

    A file name that is not UTF-8 is reported (it cannot be stored or cited);
    a symbolic link to another corpus file is noted and skipped, so the file
    is not indexed twice; a loop of links keeps its own name and fails to read.
    """
    entries = []
    for path, root in found:
        try:
            own = path.relative_to(root).as_posix()
        except ValueError:
            own = path.name
        try:  # a dangling link or a loop of links is reported under its own name
            source = source_name(path, root) if path.exists() else own
        except (OSError, RuntimeError):
            source = own
        try:
            source.encode("utf-8")
        except UnicodeEncodeError:
            shown = source.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            summary.failed.append((shown, "file name is not valid UTF-8: rename the file"))
            continue
        entries.append((path, root, source, own))
    chosen: dict[str, int] = {}  # source -> the entry that ingests it: the file itself over a link to it
    for i, (_, _, source, own) in enumerate(entries):
        if source not in chosen or (own == source and entries[chosen[source]][3] != source):
            chosen[source] = i
    files = []
    for i, (path, root, source, own) in enumerate(entries):
        if chosen[source] == i:
            files.append((path, root, source))
        elif own != source:
            summary.warnings.append((own, f"a link to {source}: indexed once, as {source}"))
    return files


def _manifest(ix) -> dict[str, str]:
    with ix.searcher() as s:
        return {d["source"]: d["info"]["hash"] for d in s.documents(kind=FILE)}


def ingest(paths: list[Path], index_dir: IndexDir, rebuild: bool = False, wait: float = 0.0,
           progress: Callable[[int, int, str], None] | None = None) -> Summary:
    """Bring the index in line with the corpus files under `paths`.

    Removal applies only when every path is a folder: ingesting one file never
    drops the others.
    """
    started = time.monotonic()
    summary = Summary()
    with index_dir.lock(wait=wait):
        ix, gen_path = None, None
        if not rebuild and index_dir.exists():
            ix = index_dir.open_raw()
            meta = read_meta(ix)
            if (meta.get("analyzer"), meta.get("segmenter")) != (ANALYZER_VERSION, SEGMENTER):
                rebuild = True
        if ix is None or rebuild:
            gen_path, ix = index_dir.new_generation()
            summary.rebuilt = True
            meta = {}
        manifest = _manifest(ix)
        stale_tags = meta.get("extract") != fingerprint()
        files = _sources(corpus_files(paths), summary)
        seen = {source for _, _, source in files}
        procs = _procs(len(files)) if gen_path is not None else 1
        writer = FastSegmentWriter(ix)
        segments = []
        try:
            if procs > 1:
                segments = _ingest_parallel(ix, files, procs, stale_tags, summary, progress)
            for done, (path, root, source) in enumerate(files if procs == 1 else [], start=1):
                if progress:
                    progress(done, len(files), source)
                _ingest_file(writer, path, root, source, manifest, stale_tags, summary)
                if gen_path is not None and writer.held > SEGMENT_POSTINGS:
                    # A fresh generation is not live yet: a segment written now is not seen by searchers.
                    segments.append(writer.finish_segment())
                    writer = FastSegmentWriter(ix)
            if all(p.is_dir() for p in paths):
                for source in sorted(set(manifest) - seen):
                    writer.delete_by_term("source", source)
                    summary.removed += 1
            writer.update_document(kind=META, id=META, info={
                "analyzer": ANALYZER_VERSION, "segmenter": SEGMENTER, "extract": fingerprint()})
        except BaseException:
            writer.cancel()
            raise
        if gen_path is not None:
            writer.commit_with(segments)
        else:
            writer.commit()
        if gen_path is not None:
            index_dir.publish(gen_path)
        with ix.searcher() as s:
            for info in (d["info"] for d in s.documents(kind=FILE)):
                summary.meetings += info["meetings"]
                summary.paragraphs += info["paragraphs"]
    summary.seconds = round(time.monotonic() - started, 3)
    return summary


def _procs(nfiles: int) -> int:
    wanted = os.environ.get("ARCHIVE_INGEST_PROCS")
    if wanted and wanted.isdigit():
        return max(1, int(wanted))
    if nfiles < PARALLEL_MIN_FILES:
        return 1
    return max(1, min(INGEST_PROCS, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


def _size(path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _total_bytes(files) -> int:
    return sum(_size(path) for path, _, _ in files)


def _split(files, parts: int) -> list[list]:
    """Consecutive runs of files of about equal bytes: segments in this order keep corpus order."""
    sizes = [_size(path) for path, _, _ in files]
    total, chunks, acc = sum(sizes) or 1, [[] for _ in range(parts)], 0
    for item, size in zip(files, sizes):
        chunks[min(parts - 1, acc * parts // total)].append(item)
        acc += size
    return [c for c in chunks if c]


def _die_with_parent() -> None:
    """A worker of a killed ingest stops at once instead of filling a generation nobody will publish."""
    import ctypes
    import multiprocessing
    import signal
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG, Linux
    except (OSError, AttributeError):
        pass
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:  # it died before prctl
        os._exit(1)


def _worker(storage, indexname, chunks, taken, stale_tags, messages) -> None:
    """Index runs of files of a fresh generation into finished segments, taking the next run not yet
    taken until none is left, and reporting each to the parent."""
    _die_with_parent()
    k = None
    try:
        ix = storage.open_index(indexname)
        while True:
            with taken.get_lock():
                k = taken.value
                taken.value += 1
            if k >= len(chunks):
                return
            part, segments = Summary(), []
            writer = FastSegmentWriter(ix, _lk=False)
            for path, root, source in chunks[k]:
                messages.put(("file", k, source))
                _ingest_file(writer, path, root, source, {}, stale_tags, part)
                if writer.held > SEGMENT_POSTINGS:
                    segments.append(writer.finish_segment())
                    writer = FastSegmentWriter(ix, _lk=False)
            if writer._added:
                segments.append(writer.finish_segment())
            else:
                writer.cancel()
            messages.put(("done", k, segments, part.added, part.failed, part.warnings))
    except BaseException:
        messages.put(("error", k, traceback.format_exc()))


def _ingest_parallel(ix, files, procs, stale_tags, summary, progress) -> list:
    """Index `files` into a fresh generation with `procs` worker processes; returns their segments in corpus order.

    The files are cut into runs (CHUNK_BYTES), which the workers take in turn: a worker slowed
    down (a busy core, slower files) takes fewer runs instead of holding up the end.
    """
    import multiprocessing
    ctx = multiprocessing.get_context("fork")
    messages = ctx.Queue()
    chunks = _split(files, max(2 * procs, -(-_total_bytes(files) // CHUNK_BYTES)))
    taken = ctx.Value("i", 0)
    workers = [ctx.Process(target=_worker, args=(ix.storage, ix.indexname, chunks, taken, stale_tags, messages),
                           daemon=True) for _ in range(min(procs, len(chunks)))]
    for w in workers:
        w.start()
    results, done = {}, 0
    try:
        while len(results) < len(chunks):
            try:
                msg = messages.get(timeout=1.0)
            except queues.Empty:
                if any(w.exitcode not in (None, 0) for w in workers) or all(w.exitcode == 0 for w in workers):
                    raise RuntimeError("an ingest worker process died") from None
                continue
            if msg[0] == "file":
                done += 1
                if progress:
                    progress(done, len(files), msg[2])
            elif msg[0] == "done":
                results[msg[1]] = msg[2:]
            else:
                raise RuntimeError(f"an ingest worker failed:\n{msg[2]}")
    finally:
        for w in workers:
            if len(results) < len(chunks) and w.is_alive():
                w.terminate()
            w.join()
    segments = []
    for k in range(len(chunks)):
        segs, added, failed, warnings = results[k]
        segments += segs
        summary.added += added
        summary.failed += failed
        summary.warnings += warnings
    return segments


def _ingest_file(writer, path, root, source, manifest, stale_tags, summary) -> None:
    try:
        data = path.read_bytes()
    except OSError as exc:
        # Keep what the index already holds of a file that cannot be read now.
        summary.failed.append((source, f"cannot read: {exc.strerror or exc}"))
        return
    digest = hashlib.sha256(data).hexdigest()
    if manifest.get(source) == digest and not stale_tags:
        summary.unchanged += 1
        return
    try:
        doc = annotate(load(path, root, data))
    except UnreadableFile as exc:
        summary.failed.append((source, str(exc)))
        return
    except Exception as exc:  # a bug met by one file must not stop the others
        summary.failed.append((source, f"could not be read ({type(exc).__name__}: {exc}); please report this"))
        return
    if source in manifest:
        writer.delete_by_term("source", source)
        summary.updated += 1
    else:
        summary.added += 1
    for fields in whoosh_docs(doc, digest):
        writer.add_document(**fields)
    summary.warnings.extend((source, w) for w in doc.warnings)
