"""Ingest into the index: incremental by content hash, one atomic commit per run."""

import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from whoosh.query import Term

from ..ingest import UnreadableFile, load, source_name
from ..extract.annotate import annotate, fingerprint
from .analysis import ANALYZER_VERSION, SEGMENTER
from .documents import whoosh_docs
from .schema import FILE, META
from .store import IndexDir, read_meta

WRITER_MB = 256  # Whoosh's in-memory buffer before it spills a segment


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
        files = corpus_files(paths)
        seen = set()
        writer = ix.writer(limitmb=WRITER_MB)
        try:
            for done, (path, root) in enumerate(files, start=1):
                source = source_name(path, root)
                seen.add(source)
                if progress:
                    progress(done, len(files), source)
                _ingest_file(writer, path, root, source, manifest, stale_tags, summary)
            if all(p.is_dir() for p in paths):
                for source in sorted(set(manifest) - seen):
                    writer.delete_by_term("source", source)
                    summary.removed += 1
            writer.update_document(kind=META, id=META, info={
                "analyzer": ANALYZER_VERSION, "segmenter": SEGMENTER, "extract": fingerprint()})
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        if gen_path is not None:
            index_dir.publish(gen_path)
        with ix.searcher() as s:
            for info in (d["info"] for d in s.documents(kind=FILE)):
                summary.meetings += info["meetings"]
                summary.paragraphs += info["paragraphs"]
    summary.seconds = round(time.monotonic() - started, 3)
    return summary


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
    if source in manifest:
        writer.delete_by_term("source", source)
        summary.updated += 1
    else:
        summary.added += 1
    for fields in whoosh_docs(doc, digest):
        writer.add_document(**fields)
    summary.warnings.extend((source, w) for w in doc.warnings)
