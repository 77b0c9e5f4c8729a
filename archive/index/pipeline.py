"""One ingest run, whatever the engine: find the corpus files, prepare each, let the engine store them.

Incremental by content hash: unchanged files are skipped (unless the
extraction rules changed, then every file is re-tagged), changed files
replace their records, files gone from the folders given are removed, and
the engine commits everything at once.
"""

import hashlib
import os
import pickle
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..access.levels import (STORED_ORIGIN, STORED_TEXT, AccessConfig, ConfigError, UnknownLevel, config_path,
                             load_config, stored_config)
from ..analysis import ANALYZER_VERSION, SEGMENTER
from ..engines.base import Engine
from ..schema import Outcome
from ..errors import IndexMissing, IndexOutdated
from ..extract.annotate import annotate, fingerprint
from ..home import Archive
from ..ingest import IMAGE_SUFFIXES, PDF_SUFFIXES, WORD_SUFFIXES, UnreadableFile, load, source_name
from ..workers import forked_map, worker_count
from . import copies
from .records import Ingest, copy_records, meeting_id, records


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
    access: str = ""  # the access configuration's fingerprint …
    access_from: str = ""  # … and where it came from

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
            summary.failed.append((shown, "文件名不是有效的 UTF-8：请给文件改名"))
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
            summary.warnings.append((own, f"指向 {source} 的链接：只以 {source} 导入一次"))
    return files


def preparer(manifest: dict[str, str], retag: bool, config: AccessConfig | None = None, cache=None,
             now: str = "", first: dict[str, tuple[str, str]] | None = None,
             roles: copies.Plan | None = None, scans: dict | None = None) -> Callable[[tuple], Outcome]:
    """The function that reads, splits and annotates one (path, root, source) into its records.

    A file's content is stamped as first ingested `now`, unless `first` (source -> (hash, time) of what
    the index held) says this very content was ingested before: re-tagging keeps the time. `roles` says
    which files are copies of which (a copy is not annotated: it keeps its file record only) and which
    unchanged files are written again; `scans` holds the documents read before the run."""
    config = config or AccessConfig()
    roles = roles or copies.Plan({}, {}, {}, {}, set())
    scans = scans or {}

    def prepare(item) -> Outcome:
        path, root, source = item
        try:
            data = path.read_bytes()
        except OSError as exc:
            # Keep what the index already holds of a file that cannot be read now.
            return Outcome(source, "failed", reason=f"cannot read: {exc.strerror or exc}")
        digest = hashlib.sha256(data).hexdigest()
        if manifest.get(source) == digest and not retag and source not in roles.forced:
            return Outcome(source, "unchanged", digest)
        early = scans.get(source)
        try:
            doc = early.document() if early is not None and early.doc is not None and early.digest == digest \
                else load(path, root, data, cache)
            level = config.level_of(source, doc.front_matter, doc.front_matter_error)
            primary = roles.primary_of.get(source, source)
            if primary == source:
                doc = annotate(doc)
        except (UnreadableFile, UnknownLevel) as exc:
            return Outcome(source, "failed", reason=str(exc))
        except Exception as exc:  # a bug met by one file must not stop the others
            return Outcome(source, "failed", reason=f"could not be read ({type(exc).__name__}: {exc}); please report this")
        status = "updated" if source in manifest else "added"
        held_hash, held_time, _ = (first or {}).get(source, ("", "", ""))
        ingest = Ingest(digest, held_time if held_hash == digest and held_time else now, os.path.abspath(root),
                        roles.keys.get(source, ""), roles.copies.get(source, ()))
        stored = records(doc, digest, level, ingest) if primary == source \
            else copy_records(doc, digest, ingest, primary)
        return Outcome(source, status, digest, list(stored), warnings=list(doc.warnings), level=level)
    return prepare


SCAN_BUDGET = 50_000_000  # characters of documents read before the run kept for preparing them


SCAN_PROCS = 2  # processes reading the files before the run (one per core; ARCHIVE_INGEST_PROCS overrides)
SCAN_RUN = 16  # files a scanning process reads per task


def scan(files, manifest: dict[str, str], retag: bool, config: AccessConfig, cache) -> dict[str, copies.Scan]:
    """Read each file to be ingested for its text key (archive/index/copies.py), keeping the documents
    within SCAN_BUDGET; a file that cannot be read is left out (preparing it reports why).

    Many files are read by forked processes, in order; they send each document back pickled, and the
    parent keeps the bytes as they came: the worker that prepares the file unpickles it (in parallel; the
    bytes take far less memory than the documents' objects, which the forked workers would also touch)."""
    def one(item, pack: bool):
        path, root, source = item
        try:
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            if manifest.get(source) == digest and not retag:
                return None
            doc = load(path, root, data, cache)
            level = config.level_of(source, doc.front_matter, doc.front_matter_error)
        except Exception:  # (reported by the file's own ingest)
            return None
        size = sum(len(line) for line in doc.lines)
        kept = pickle.dumps(doc, pickle.HIGHEST_PROTOCOL) if pack else doc
        return source, digest, copies.text_key(copies.meeting_lines(doc), level), kept, size

    procs = worker_count(len(files), SCAN_PROCS, 2 * SCAN_RUN)
    runs = [files[i:i + SCAN_RUN] for i in range(0, len(files), SCAN_RUN)]
    done = forked_map(lambda run: [one(item, True) for item in run], runs, procs) if procs > 1 \
        else ([one(item, False)] for item in files)
    scans, kept = {}, 0
    for source, digest, key, doc, size in (found for run in done for found in run if found is not None):
        keep = kept + size <= SCAN_BUDGET
        kept += size if keep else 0
        scans[source] = copies.Scan(digest, key, doc if keep else None)
    return scans


def now_utc() -> str:
    """The time of this run, RFC 3339 in UTC to the second: ingest times sort as text."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def first_ingested(engine: Engine, files) -> dict[str, tuple[str, str, str]]:
    """source -> (content hash, first ingest time, access level) of the files the index holds now, read
    from their first meeting; only needed when files are re-read without changing (re-tag, rebuild)."""
    try:
        reader = engine.reader()
    except (IndexMissing, IndexOutdated):
        return {}
    held = {}
    for _, _, source in files:
        for index in (1, 0):  # a file's first meeting, or its preamble when the file has no meeting
            info = reader.meeting(meeting_id(source, index))
            if info is not None and info.get("ingested"):
                held[source] = (info.get("hash", ""), info["ingested"], info.get("access", ""))
                break
    return held


def _write(indexer, engine: Engine, lists, run, report, progress) -> dict[str, list]:
    """Prepare and store the files, knowing which are copies of which (archive/index/copies.py): first
    the files to be read and annotated, then the copies, which then name a primary that was stored (the
    roles are planned again without a primary that failed). Returns the roles to store in the meta."""
    (files, everything), (manifest, retag, config, cache, first, gone) = lists, run
    held = copies.held_roles(indexer.meta())
    scans = copies_scan = scan(files, manifest, retag, config, cache)
    listed = {source: (path, root) for path, root, source in everything}
    roots = {source: os.path.abspath(root) for source, (_, root) in listed.items()}
    roles = {s: h for s, h in held.items() if s not in gone}
    written, failed, now = set(), set(), now_utc()

    def stored(plan):
        def seen(outcome: Outcome) -> None:
            report(outcome)
            written.add(outcome.source)
            if outcome.status == "failed":
                failed.add(outcome.source)
            elif outcome.status != "unchanged":
                source, key = outcome.source, plan.keys.get(outcome.source, "")
                roles.pop(source, None)
                if key:
                    roles[source] = [key, plan.primary_of[source], plan.roots.get(source, "")]
        return seen

    for phase in (1, 2):
        plan = copies.plan(held, copies_scan, gone, manifest, roots)
        todo = [s for s in [*copies_scan, *sorted(plan.forced)] if s not in written and
                (phase == 2 or plan.primary_of.get(s, s) == s)]
        items = [(*listed[s], s) if s in listed else (Path(held[s][2]) / s, Path(held[s][2]), s) for s in todo]
        if phase == 1:  # (the unchanged and the unreadable: counted and reported as before)
            items += [f for f in files if f[2] not in copies_scan and f[2] not in plan.forced]
        more = first_ingested(engine, [i for i in items if i[2] in plan.forced])
        indexer.write(items, preparer(manifest, retag, config, cache, now, {**more, **first}, plan, scans),
                      stored(plan), progress)
        copies_scan = {s: v for s, v in scans.items() if s not in failed}
    return roles


def index_meta(config: AccessConfig) -> dict:
    """What an index records of the code and access rules that built it: an index built otherwise is
    rebuilt or re-tagged."""
    return {"analyzer": ANALYZER_VERSION, "segmenter": SEGMENTER, "extract": fingerprint(),
            "access": config.fingerprint(), STORED_TEXT: config.toml(), STORED_ORIGIN: config.origin}


class LevelsLowered(Exception):
    """New access rules would lower files' levels: (source, level before, level after) of each."""

    def __init__(self, files: list[tuple[str, str, str]]):
        super().__init__(f"新的访问配置会降低 {len(files)} 个已导入文件的级别")
        self.files = files


def _the_config(given: AccessConfig | None, live: dict, summary: Summary) -> AccessConfig:
    """The configuration of this run: the one given (stored by the run), else the archive's stored one,
    else (none stored yet) load_config()'s, stored by the run. The summary says which."""
    stored = stored_config(live)
    config = given or stored or load_config()
    summary.access = config.fingerprint()
    summary.access_from = config.source if config is stored else f"{config.source}，本次导入后保存在档案中"
    if given is None and stored is not None and config_path().is_file():
        try:
            same = load_config(config_path()).toml() == stored.toml()
        except ConfigError:
            same = False
        if not same:  # (the file an admin may think is in force)
            summary.warnings.append((str(config_path()), f"未使用：档案已保存访问配置 {stored.fingerprint()}，"
                                                         f"要改用此文件请加 --config {config_path()}"))
    return config


@contextmanager
def private_files():
    """Whatever the run creates (index files and folders, OCR cache) is its owner's alone: umask 077."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def ingest(paths: list[Path], engine: Engine, rebuild: bool = False, wait: float = 0.0,
           progress: Callable[[int, int, str], None] | None = None, only: set[Path] | None = None,
           config: AccessConfig | None = None,
           ocr_progress: Callable[[int, int, str], None] | None = None, allow_lower: bool = False,
           on_file: Callable[[Outcome], None] | None = None) -> Summary:
    """Bring the index in line with the corpus files under `paths`, their access levels by `config`
    (default: the archive's stored configuration, _the_config); a `config` whose rules would lower
    any file's level raises LevelsLowered, and the index is left as it was, unless `allow_lower`.

    Removal applies only when every path is a folder: ingesting one file never
    drops the others. With `only` (the watcher's changed files), the folders
    are still walked, for their names and removals, but only those files read.
    Scanned pages are read by OCR first, in worker processes (`ocr_progress`
    counts pages), into the cache the files are then read from. `on_file` sees
    each file's outcome (status added, updated, unchanged, failed or removed).
    """
    started = time.monotonic()
    summary = Summary()
    with private_files(), engine.indexer(rebuild=rebuild, wait=wait) as indexer:
        live = engine.meta()  # (read under the ingest lock; the live archive's, also while rebuilding)
        config = _the_config(config, live, summary)
        summary.rebuilt = indexer.rebuilding
        manifest = indexer.manifest()
        files = _sources(corpus_files(paths), summary)
        built = indexer.meta()
        retag = built.get("extract") != fingerprint() or built.get("access") != config.fingerprint() \
            or not copies.stored(built)
        everything = files
        if only is not None and not (retag or indexer.rebuilding):  # (else every file must be read again)
            files = [f for f in files if f[0] in only]
        first = first_ingested(engine, files) if retag or indexer.rebuilding else {}
        cache = Archive(engine).ocr_cache
        _read_scans(files, manifest, retag, cache, ocr_progress)
        lowering = _Lowering(live, config, first)

        def report(outcome: Outcome) -> None:
            summary.count(outcome)
            if on_file is not None:
                on_file(outcome)
            lowering.see(outcome)
        listed = {source for _, _, source in everything}
        gone = set(manifest) - listed if all(p.is_dir() for p in paths) else set()
        roles = _write(indexer, engine, (files, everything), (manifest, retag, config, cache, first, gone), report,
                       progress)
        if lowering.lowered and not allow_lower:
            raise LevelsLowered(sorted(lowering.lowered))
        _remove(indexer, gone, roles, summary, on_file)
        indexer.commit({**index_meta(config), copies.COPIES: copies.to_meta(roles)})
        summary.meetings, summary.paragraphs = indexer.counts()
    summary.seconds = round(time.monotonic() - started, 3)
    return summary


def _read_scans(files, manifest: dict, retag: bool, cache, progress) -> None:
    """OCR every scanned page the run will read into the cache first, in worker processes."""
    if any(path.suffix.lower() in PDF_SUFFIXES + IMAGE_SUFFIXES for path, _, _ in files):
        from ..ingest.ocr import prefill  # (inside: pdfium and the OCR workers load only for PDFs and scans)
        prefill(files, lambda source, sha: manifest.get(source) == sha and not retag, cache, progress)


class _Lowering:
    """The files a new configuration puts at a lower level than the archive holds them at."""

    def __init__(self, live: dict, config: AccessConfig, first: dict):
        self.before = stored_config(live) or config
        self.changed = live.get("access") not in (None, config.fingerprint())
        self.config, self.first = config, first
        self.lowered: list[tuple[str, str, str]] = []

    def see(self, outcome: Outcome) -> None:
        held = self.first.get(outcome.source, ("", "", ""))[2]
        if self.changed and held and outcome.level and self.before.lowers(held, self.config, outcome.level):
            self.lowered.append((outcome.source, held, outcome.level))


def _remove(indexer, gone: set[str], roles: dict, summary: Summary, on_file) -> None:
    """Drop the files no longer in the corpus folders."""
    for source in sorted(gone):
        indexer.remove(source)
        summary.removed += 1
        roles.pop(source, None)
        if on_file is not None:
            on_file(Outcome(source, "removed"))
