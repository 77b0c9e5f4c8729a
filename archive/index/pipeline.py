"""One ingest run, whatever the engine: find the corpus files, prepare each, let the engine store them.

Incremental by content hash: unchanged files are skipped (unless the
extraction rules changed, then every file is re-tagged), changed files
replace their records, files gone from the folders given are removed, and
the engine commits everything at once.
"""

import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..access.levels import AccessConfig, UnknownLevel, load_config
from ..analysis import ANALYZER_VERSION, SEGMENTER
from ..engines.base import Engine, Outcome
from ..errors import IndexMissing, IndexOutdated
from ..extract.annotate import annotate, fingerprint
from ..ingest import IMAGE_SUFFIXES, PDF_SUFFIXES, WORD_SUFFIXES, UnreadableFile, load, source_name
from ..ingest.ocr_cache import cache_for
from .records import Ingest, meeting_id, records


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

    def count(self, outcome: Outcome) -> None:
        if outcome.status == "failed":
            self.failed.append((outcome.source, outcome.reason))
        else:
            setattr(self, outcome.status, getattr(self, outcome.status) + 1)
        self.warnings.extend((outcome.source, w) for w in outcome.warnings)

    def as_json(self) -> dict:
        return {**self.__dict__, "failed": [{"source": s, "reason": r} for s, r in self.failed],
                "warnings": [{"source": s, "message": m} for s, m in self.warnings]}


def is_corpus_file(name: str) -> bool:
    """A markdown, Word, PDF or image file's name, less the lock files (~$…) Word keeps beside an open document."""
    return name.endswith(".md") or (name.lower().endswith(WORD_SUFFIXES) and not name.startswith("~$")) \
        or name.lower().endswith(PDF_SUFFIXES + IMAGE_SUFFIXES)


def corpus_files(paths: list[Path]) -> list[tuple[Path, Path]]:
    """(file, root) for every .md, Word, PDF and image file under the given files and folders, in a stable order.

    Word files are .docx, .doc and .wps, less the lock files (~$…) Word keeps beside an open document.

    Folders are walked without following symbolic links to folders, so a link
    loop cannot trap the walk; linked files are read.
    """
    found = []
    for path in paths:
        if path.is_dir():
            for dirpath, dirnames, filenames in os.walk(path):
                dirnames.sort()
                found.extend((Path(dirpath) / f, path) for f in sorted(filenames) if is_corpus_file(f))
        else:
            found.append((path, path.parent))
    return found


def _sources(found: list[tuple[Path, Path]], summary: Summary) -> list[tuple[Path, Path, str]]:
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


def preparer(manifest: dict[str, str], retag: bool, config: AccessConfig | None = None, cache=None,
             now: str = "", first: dict[str, tuple[str, str]] | None = None) -> Callable[[tuple], Outcome]:
    """The function that reads, splits and annotates one (path, root, source) into its records.

    A file's content is stamped as first ingested `now`, unless `first` (source -> (hash, time) of what
    the index held) says this very content was ingested before: re-tagging keeps the time."""
    config = config or AccessConfig()

    def prepare(item) -> Outcome:
        path, root, source = item
        try:
            data = path.read_bytes()
        except OSError as exc:
            # Keep what the index already holds of a file that cannot be read now.
            return Outcome(source, "failed", reason=f"cannot read: {exc.strerror or exc}")
        digest = hashlib.sha256(data).hexdigest()
        if manifest.get(source) == digest and not retag:
            return Outcome(source, "unchanged", digest)
        try:
            doc = annotate(load(path, root, data, cache))
            level = config.level_of(source, doc.front_matter, doc.front_matter_error)
        except (UnreadableFile, UnknownLevel) as exc:
            return Outcome(source, "failed", reason=str(exc))
        except Exception as exc:  # a bug met by one file must not stop the others
            return Outcome(source, "failed", reason=f"could not be read ({type(exc).__name__}: {exc}); please report this")
        status = "updated" if source in manifest else "added"
        held_hash, held_time = (first or {}).get(source, ("", ""))
        ingest = Ingest(digest, held_time if held_hash == digest and held_time else now, os.path.abspath(root))
        return Outcome(source, status, digest, list(records(doc, digest, level, ingest)), warnings=list(doc.warnings))
    return prepare


def now_utc() -> str:
    """The time of this run, RFC 3339 in UTC to the second: ingest times sort as text."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def first_ingested(engine: Engine, files) -> dict[str, tuple[str, str]]:
    """source -> (content hash, first ingest time) of the files the index holds now, read from their
    first meeting; only needed when files are re-read without changing (re-tag, rebuild)."""
    try:
        reader = engine.reader()
    except (IndexMissing, IndexOutdated):
        return {}
    held = {}
    for _, _, source in files:
        for index in (1, 0):  # a file's first meeting, or its preamble when the file has no meeting
            info = reader.meeting(meeting_id(source, index))
            if info is not None and info.get("ingested"):
                held[source] = (info.get("hash", ""), info["ingested"])
                break
    return held


def index_meta(config: AccessConfig) -> dict:
    """What an index records of the code and access rules that built it: an index built otherwise is
    rebuilt or re-tagged."""
    return {"analyzer": ANALYZER_VERSION, "segmenter": SEGMENTER, "extract": fingerprint(),
            "access": config.fingerprint()}


def ingest(paths: list[Path], engine: Engine, rebuild: bool = False, wait: float = 0.0,
           progress: Callable[[int, int, str], None] | None = None, only: set[Path] | None = None,
           config: AccessConfig | None = None,
           ocr_progress: Callable[[int, int, str], None] | None = None) -> Summary:
    """Bring the index in line with the corpus files under `paths`, their access levels by `config`
    (default: the archive's configuration, archive/access/levels.py).

    Removal applies only when every path is a folder: ingesting one file never
    drops the others. With `only` (the watcher's changed files), the folders
    are still walked, for their names and removals, but only those files read.
    Scanned pages are read by OCR first, in worker processes (`ocr_progress`
    counts pages), into the cache the files are then read from.
    """
    config = config or load_config()
    started = time.monotonic()
    summary = Summary()
    with engine.indexer(rebuild=rebuild, wait=wait) as indexer:
        summary.rebuilt = indexer.rebuilding
        manifest = indexer.manifest()
        files = _sources(corpus_files(paths), summary)
        listed = {source for _, _, source in files}
        built = indexer.meta()
        retag = built.get("extract") != fingerprint() or built.get("access") != config.fingerprint()
        if only is not None and not (retag or indexer.rebuilding):  # (else every file must be read again)
            files = [f for f in files if f[0] in only]
        first = first_ingested(engine, files) if retag or indexer.rebuilding else {}
        cache = cache_for(engine)
        if any(path.suffix.lower() in PDF_SUFFIXES + IMAGE_SUFFIXES for path, _, _ in files):
            from ..ingest.ocr import prefill
            prefill(files, lambda source, sha: manifest.get(source) == sha and not retag, cache, ocr_progress)
        indexer.write(files, preparer(manifest, retag, config, cache, now_utc(), first), summary.count, progress)
        if all(p.is_dir() for p in paths):
            for source in sorted(set(manifest) - listed):
                indexer.remove(source)
                summary.removed += 1
        indexer.commit(index_meta(config))
        summary.meetings, summary.paragraphs = indexer.counts()
    summary.seconds = round(time.monotonic() - started, 3)
    return summary
