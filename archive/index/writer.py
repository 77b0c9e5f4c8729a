"""Ingest into the index: incremental by content hash, one atomic commit per run."""

import hashlib
import os
import pickle
import queue as queues
import time
import traceback
from array import array
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

from whoosh.fields import KEYWORD
from whoosh.formats import Frequency, Positions
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from ..ingest import UnreadableFile, load, source_name
from ..extract.annotate import annotate, fingerprint
from .analysis import (ANALYZER_VERSION, SEGMENTER, UnitTokenizer, WordTokenizer, unit_positions,
                       unit_string, word_positions)
from .documents import whoosh_docs
from .schema import FACET_FIELDS, FACETS_EXT, FILE, META, UNITS_EXT, UNITS_OFFSETS_EXT
from .store import IndexDir, read_meta

# A rebuild commits a segment (into the generation not yet published) each time
# this many postings are held in memory: about 60 bytes each.
SEGMENT_POSTINGS = 10_000_000
# A fresh generation of at least this many files is built by parallel worker
# processes (one per core, at most INGEST_PROCS; ARCHIVE_INGEST_PROCS overrides).
PARALLEL_MIN_FILES = 16
INGEST_PROCS = 2


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


# -- a faster Whoosh segment writer ----------------------------------------------
#
# Whoosh's SegmentWriter spends most of an ingest per posting: a tuple through a
# sorting pool that spills to temporary files, a column read from disk for the
# field length of every posting, and a chain of calls per posting while
# writing. This writer produces the same segment (same terms, postings,
# weights, positions, lengths and block statistics) with the postings held in
# memory per term, in document order, written block by block; the words and
# units of our own analyzers are grouped without a Token object per token, and
# a repeated title or section is segmented once.


# Most postings hold one position: their encodings are shared objects.
_ONE_POSITION = [pack_uint(1) + pickle.dumps([pos], 2) for pos in range(4096)]


def _encode_positions(poslist: list[int]) -> bytes:
    """formats.Positions.encode."""
    if len(poslist) == 1 and poslist[0] < 4096:
        return _ONE_POSITION[poslist[0]]
    deltas, base = [], 0
    for pos in poslist:
        deltas.append(pos - base)
        base = pos
    return pack_uint(len(deltas)) + pickle.dumps(deltas, 2)


def _position_items(positions: dict[str, list[int]]) -> list[tuple]:
    return [(w.encode("utf-8"), len(p), float(len(p)), _encode_positions(p)) for w, p in positions.items()]


@lru_cache(maxsize=4096)
def _frequency_items(value: str) -> tuple:
    """formats.Frequency.word_values over WordTokenizer, for titles and sections (repeated per paragraph)."""
    return tuple((w.encode("utf-8"), len(p), float(len(p)), pack_uint(len(p))) for w, p in word_positions(value).items())


_KEYWORDS: dict = {}


def _keyword_items(fieldobj, value: str) -> tuple:
    """fieldobj.index(value) for a KEYWORD field: region, topic and date values repeat."""
    key = (id(fieldobj), value)
    found = _KEYWORDS.get(key)
    if found is None:
        if len(_KEYWORDS) > 20000:
            _KEYWORDS.clear()
        found = _KEYWORDS[key] = (fieldobj, tuple(fieldobj.index(value)))
    return found[1]


def _fast_items(fieldobj, value, seq=None):
    """(term bytes, freq, weight, value bytes) as fieldobj.index(value) gives them, or None for the general path."""
    fmt, analyzer = fieldobj.format, getattr(fieldobj, "analyzer", None)
    if not isinstance(value, str) or fmt is None or fmt.field_boost != 1.0:
        return None
    if type(fieldobj) is KEYWORD:
        return _keyword_items(fieldobj, value)
    if type(fmt) is Positions:
        if type(analyzer) is UnitTokenizer:
            return _position_items(unit_positions(value, seq))
        if type(analyzer) is WordTokenizer:
            return _position_items(word_positions(value))
    elif type(fmt) is Frequency and type(analyzer) is WordTokenizer:
        return _frequency_items(value)
    return None


class _Pool:
    """Postings in memory: field -> term -> (docnums, weights, values), in docnum order."""

    def __init__(self):
        self.fields: dict[str, dict[bytes, tuple]] = {}
        self.count = 0

    def add(self, item):  # Whoosh's pool interface, used when merging segments
        fieldname, tbytes, docnum, weight, vbytes = item
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = {}
        entry = terms.get(tbytes)
        if entry is None:
            entry = terms[tbytes] = (array("I"), array("f"), [])
        entry[0].append(docnum)
        entry[1].append(weight)
        entry[2].append(vbytes or b"")
        self.count += 1

    def cleanup(self):
        self.fields.clear()


# Next to each segment (named after it, so Whoosh deletes them with it): the
# units text of every document with its byte offsets, and the facet values
# with their documents. Search reads them (search/facets.py) to check literal
# runs exactly and to build its facet arrays without reading postings.
UNITS_FIELD, UNITS_STORED = "chars", "text"  # the units view, and the stored field holding the same text


class FastSegmentWriter(SegmentWriter):
    def __init__(self, ix, **kwargs):
        # Segments stay separate files: a compound segment is read into memory (BytesIO copies
        # of its parts) each time a reader opens it, which is slow and costs the whole index in RAM.
        kwargs.setdefault("compound", False)
        super().__init__(ix, **kwargs)
        self.pool = _Pool()
        self._units: dict[int, str] = {}
        self._lengths: dict[str, dict[int, int]] = {}
        self._general = any(f.separate_spelling() or f.vector for _, f in self.schema.items())
        pdw = self.perdocwriter
        add_field = pdw.add_field

        def add_field_keeping_length(fieldname, fieldobj, value, length):
            # What the segment's length column will answer for this document (0 when its byte is 0).
            if fieldname == UNITS_STORED and isinstance(value, str) and self.docnum not in self._units:
                self._units[self.docnum] = unit_string(value)  # documents copied from another segment
            if length:
                byte = length_to_byte(length)
                if byte:
                    lengths = self._lengths.get(fieldname)
                    if lengths is None:
                        lengths = self._lengths[fieldname] = {}
                    lengths[self.docnum] = byte_to_length(byte)
            add_field(fieldname, fieldobj, value, length)

        pdw.add_field = add_field_keeping_length

    def add_document(self, **fields):
        if self._general or any(name.startswith("_") for name in fields):
            return super().add_document(**fields)
        self._check_state()
        perdocwriter, schema, docnum = self.perdocwriter, self.schema, self.docnum
        fieldnames = sorted(fields)
        self._check_fields(schema, fieldnames)
        pool = self.pool
        seq = fields.get(UNITS_FIELD)
        if isinstance(seq, str):
            seq = self._units[docnum] = unit_string(seq)
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields[fieldname]
                if value is None:
                    continue
                fieldobj = schema[fieldname]
                length = 0
                if fieldobj.indexed:
                    items = _fast_items(fieldobj, value, seq if fieldname == UNITS_FIELD else None)
                    if items is None:
                        items = fieldobj.index(value)
                    scorable = fieldobj.scorable
                    terms = pool.fields.get(fieldname)
                    if terms is None:
                        terms = pool.fields[fieldname] = {}
                    n = 0
                    for tbytes, freq, weight, vbytes in items:
                        if scorable:
                            length += freq
                        entry = terms.get(tbytes)
                        if entry is None:
                            entry = terms[tbytes] = (array("I"), array("f"), [])
                        entry[0].append(docnum)
                        entry[1].append(weight)
                        entry[2].append(vbytes or b"")
                        n += 1
                    pool.count += n
                perdocwriter.add_field(fieldname, fieldobj, value if fieldobj.stored else None, length)
                column = fieldobj.column_type
                if column:
                    perdocwriter.add_column_value(fieldname, column, fieldobj.to_column_value(value))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _finish(self):
        if self.writelock is None:
            # A worker's writer: the temporary folder is shared by name with the parent's and
            # the other workers' (column files in progress); the parent removes it when it finishes.
            self._tempstorage.destroy = lambda: None
        super()._finish()

    def finish_segment(self):
        """Write this writer's segment without committing it; a parent writer commits it."""
        self._check_state()
        segment = self._finalize_segment()
        self._finish()
        return segment

    def commit_with(self, segments) -> None:
        """Commit, adding finished segments of other writers after the existing ones; nothing is merged."""
        self._check_state()
        final = list(self.segments) + list(segments)
        if self._added:
            final.append(self._finalize_segment())
        else:
            self._close_segment()
        self._commit_toc(final)
        self._finish()

    def _finalize_segment(self):
        facets = self._facet_arrays()
        segment = super()._finalize_segment()
        self._write_units(segment)
        self._write_facets(segment, facets)
        return segment

    def _facet_arrays(self) -> dict:
        out = {}
        for field in FACET_FIELDS + ("kind",):
            terms = self.pool.fields.get(field, {})
            values = sorted(terms)
            docs = array("I")
            bounds = array("q", [0])
            for v in values:
                docs.extend(terms[v][0])
                bounds.append(len(docs))
            out[field] = (b"\n".join(values), docs, bounds)
        return out

    def _write_facets(self, segment, facets: dict) -> None:
        import numpy as np
        arrays = {}
        for field, (values, docs, bounds) in facets.items():
            arrays[f"{field}|values"] = np.frombuffer(values, dtype=np.uint8)
            arrays[f"{field}|docs"] = np.frombuffer(docs, dtype=np.uint32) if len(docs) else np.zeros(0, np.uint32)
            arrays[f"{field}|bounds"] = np.frombuffer(bounds, dtype=np.int64)
        with segment.create_file(self.storage, FACETS_EXT) as f:
            np.savez(f, **arrays)

    def _write_units(self, segment) -> None:
        parts = [self._units.get(i, "").encode("utf-8") for i in range(segment.doc_count_all())]
        offsets, pos = array("q", [0]), 0
        for part in parts:
            pos += len(part) + 1
            offsets.append(pos)
        with segment.create_file(self.storage, UNITS_EXT) as f:
            f.write(b"\n".join(parts) + b"\n" if parts else b"")
        with segment.create_file(self.storage, UNITS_OFFSETS_EXT) as f:
            f.write(offsets.tobytes())
        self._units.clear()

    def _flush_segment(self):
        self.perdocwriter.close()
        fw = self.fieldwriter
        for fieldname in sorted(self.pool.fields):
            terms = self.pool.fields[fieldname]
            if not terms:
                continue
            fw.start_field(fieldname, self.schema[fieldname])
            pw = fw._postwriter
            limit = pw._blocklimit
            lengths = self._lengths.get(fieldname)
            for tbytes in sorted(terms):
                ids, weights, values = terms[tbytes]
                fw.start_term(tbytes)
                n = len(ids)
                for start in range(0, n, limit):
                    if start:
                        pw._write_block()
                    end = min(start + limit, n)
                    pw._ids = ids[start:end]
                    block_weights = pw._weights = weights[start:end]
                    pw._maxweight = max(0, max(block_weights))
                    block_values = values[start:end]
                    pw._values = block_values if block_values[0] else [v for v in block_values if v]
                    if lengths:
                        lens = [x for x in map(lengths.get, pw._ids) if x]
                        pw._minlength = min(lens) if lens else None
                        pw._maxlength = max(lens) if lens else 0
                fw.finish_term()
            fw.finish_field()
        fw.close()


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
                if gen_path is not None and writer.pool.count > SEGMENT_POSTINGS:
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


def _split(files, parts: int) -> list[list]:
    """Consecutive runs of files of about equal bytes: segments in this order keep corpus order."""
    sizes = []
    for path, _, _ in files:
        try:
            sizes.append(path.stat().st_size)
        except OSError:
            sizes.append(0)
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


def _worker(storage, indexname, k, chunk, stale_tags, messages) -> None:
    """Index a run of files of a fresh generation into finished segments, reporting to the parent."""
    _die_with_parent()
    try:
        ix = storage.open_index(indexname)
        part, segments = Summary(), []
        writer = FastSegmentWriter(ix, _lk=False)
        for path, root, source in chunk:
            messages.put(("file", k, source))
            _ingest_file(writer, path, root, source, {}, stale_tags, part)
            if writer.pool.count > SEGMENT_POSTINGS:
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
    """Index `files` into a fresh generation with `procs` worker processes; returns their segments in corpus order."""
    import multiprocessing
    ctx = multiprocessing.get_context("fork")
    messages = ctx.Queue()
    chunks = _split(files, procs)
    workers = [ctx.Process(target=_worker, args=(ix.storage, ix.indexname, k, chunk, stale_tags, messages), daemon=True)
               for k, chunk in enumerate(chunks)]
    for w in workers:
        w.start()
    results, done = {}, 0
    try:
        while len(results) < len(workers):
            try:
                msg = messages.get(timeout=1.0)
            except queues.Empty:
                if any(w.exitcode not in (None, 0) for w in workers):
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
            if len(results) < len(workers) and w.is_alive():
                w.terminate()
            w.join()
    segments = []
    for k in range(len(workers)):
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
