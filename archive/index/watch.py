"""`archive ingest --watch`: keep the index in line with folders as files arrive, change and go.

watchdog reports changes (inotify; its polling observer where inotify is
unavailable, e.g. some network shares). A file is ingested only once it has
stopped changing: its size and mtime the same for `settle` seconds (a copy or
a Word save in progress is not a file yet). A burst of changes becomes one run
of the ordinary pipeline (archive.index.pipeline.ingest) over the folders,
reading only the files that changed, so it takes the ingest lock like any
ingest and removes what is gone. A file that fails (still locked, a
half-written .docx) is tried again a few times; a bad file is reported and
the watch goes on. SIGTERM or Ctrl-C stop it between runs.
"""

import os
import signal
import sys
import threading
import time
from pathlib import Path

from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from ..engines.base import Engine
from ..errors import IndexBusy
from .pipeline import Summary, corpus_files, ingest, is_corpus_file

SETTLE = 2.0      # seconds a file's size and mtime must stay the same before it is read
QUIET = 0.5       # seconds without events before a burst is taken as over
TICK = 0.2        # how often the loop looks
RETRY = 3.0       # seconds before a file that failed is read again,
RETRIES = 3       # at most this many times (then it waits for its next change)
BUSY_WAIT = 1.0   # seconds of each wait for another ingest's lock


class _Changes(FileSystemEventHandler):
    """What the observer saw since it was last asked: corpus files touched, folders that arrived (copied or
    moved in: their files got no events of their own) and whether a folder went (its files are removed)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.files: set[Path] = set()
        self.folders: set[Path] = set()
        self.folder_gone = False
        self.last = 0.0  # monotonic time of the last event

    def on_any_event(self, event) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        dest = os.fsdecode(getattr(event, "dest_path", "") or "")
        src = os.fsdecode(event.src_path)
        with self.lock:
            if not event.is_directory:
                self.files.update(Path(p) for p in (src, dest) if p and is_corpus_file(Path(p).name))
            elif event.event_type in ("created", "moved"):
                self.folders.add(Path(dest or src))
                self.folder_gone |= event.event_type == "moved"
            elif event.event_type == "deleted":
                self.folder_gone = True
            # (a folder's "modified" only says that a file in it changed: that file has its own event)
            self.last = time.monotonic()

    def take(self) -> tuple[set[Path], set[Path], bool, float]:
        with self.lock:
            taken = self.files, self.folders, self.folder_gone, self.last
            self.files, self.folders, self.folder_gone = set(), set(), False
            return taken


def _signature(path: Path) -> tuple[int, int] | None:
    """(size, mtime) of a file, None when it is gone."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def _start_observer(roots: list[Path], handler, polling: bool, out) -> object:
    if not polling:
        observer = Observer()
        for root in roots:
            observer.schedule(handler, str(root), recursive=True)
        try:
            observer.start()
            return observer
        except OSError as exc:  # no inotify (a limit reached, a file system without it)
            out.write(f"无法使用 inotify（{exc.strerror or exc}）：改为每秒轮询\n")
    observer = PollingObserver(timeout=1.0)
    for root in roots:
        observer.schedule(handler, str(root), recursive=True)
    observer.start()
    return observer


NAMED = {"added": "已收录（新文件）", "updated": "已收录（有改动）", "removed": "已删除（文件已不在）"}


class Watcher:
    def __init__(self, roots: list[Path], engine: Engine, out=sys.stderr, settle: float = SETTLE,
                 polling: bool = False):
        self.roots = [Path(os.path.abspath(r)) for r in roots]
        self.engine, self.out, self.settle, self.polling = engine, out, settle, polling
        self.stop = threading.Event()
        self.changes = _Changes()
        self.pending: set[Path] = set()            # files to read once settled
        self.seen: dict[Path, tuple] = {}          # file -> (signature, monotonic time it was first seen so)
        self.retries: dict[Path, tuple[float, int]] = {}  # failed file -> (when to retry, tries so far)
        self.rescan = False                        # a folder changed: removals to apply

    def say(self, text: str) -> None:
        self.out.write(f"{time.strftime('%H:%M:%S')} {text}\n")
        self.out.flush()

    def run(self) -> int:
        observer = _start_observer(self.roots, self.changes, self.polling, self.out)
        try:
            how = "每秒轮询" if isinstance(observer, PollingObserver) else "文件系统通知"
            self.say(f"监视 {'、'.join(map(str, self.roots))}（{how}；文件稳定 {self.settle:g} 秒后收录；Ctrl-C 停止）")
            self._ingest(None)  # catch up with what changed while nobody watched
            while not self.stop.wait(TICK):
                self._step()
        finally:
            observer.stop()
            observer.join()
            self.say("已停止监视")
        return 0

    def _step(self) -> None:
        files, folders, gone, last = self.changes.take()
        now = time.monotonic()
        self.pending |= files
        self.rescan |= gone
        for folder in folders:
            if folder.is_dir():
                self.pending.update(path for path, _ in corpus_files([folder]))
        for path, (due, _) in list(self.retries.items()):
            if now >= due:
                self.pending.add(path)
        if not (self.pending or self.rescan) or now - last < QUIET:
            return
        ready = True
        for path in self.pending:
            signature = _signature(path)
            if self.seen.get(path, (None,))[0] != signature:
                self.seen[path] = (signature, now)
            if signature is not None and now - self.seen[path][1] < self.settle:
                ready = False  # still being written (or only just arrived): wait for all to settle
        if ready:
            taken, self.pending, self.rescan = self.pending, set(), False
            for path in taken:
                self.seen.pop(path, None)
            self._ingest({p for p in taken if p.exists()})

    def _ingest(self, only: set[Path] | None) -> None:
        told = False
        while True:
            try:
                summary = ingest(self.roots, self.engine, wait=BUSY_WAIT if told else 0.0, only=only,
                                 on_file=self._name)
                break
            except IndexBusy:
                if not told:
                    self.say("另一个收录正在进行：等它结束后再收录")
                    told = True
                if self.stop.is_set():
                    return
            except Exception as exc:  # (the database gone, a full disk…): report, try the same files later
                self.say(f"收录出错：{type(exc).__name__}: {exc}；{RETRY:g} 秒后重试")
                for path in only if only is not None else ():
                    self.retries.setdefault(path, (time.monotonic() + RETRY, 0))
                return
        self._report(summary, only)

    def _name(self, outcome) -> None:
        """Each file a run ingests or removes, by name, as it goes (a failure is told with its reason after)."""
        told = NAMED.get(outcome.status)
        if told:
            self.say(f"{told} {outcome.source}")

    def _report(self, summary: Summary, only: set[Path] | None) -> None:
        failed = dict(summary.failed)
        for path in list(only or ()):
            source = self._source(path)
            tries = self.retries.pop(path, (0.0, 0))[1]
            if source in failed and tries < RETRIES:
                self.retries[path] = (time.monotonic() + RETRY, tries + 1)
        for source, reason in summary.failed:
            self.say(f"跳过 {source}: {reason}")
        if summary.added or summary.updated or summary.removed or summary.failed or only is None:
            self.say(f"新增 {summary.added}，更新 {summary.updated}，删除 {summary.removed}，失败 {len(summary.failed)} "
                     f"个文件；共 {summary.meetings} 场会议、{summary.paragraphs} 个段落；用时 {summary.seconds:.2f} 秒")

    def _source(self, path: Path) -> str:
        for root in self.roots:
            try:
                return path.relative_to(root).as_posix()
            except ValueError:
                continue
        return path.name


def watch(roots: list[Path], engine: Engine, out=sys.stderr, settle: float = SETTLE, polling: bool = False) -> int:
    """Watch until SIGTERM or Ctrl-C; both stop cleanly (a run in progress finishes or is cancelled whole)."""
    watcher = Watcher(roots, engine, out, settle, polling)
    previous = signal.signal(signal.SIGTERM, lambda *_: watcher.stop.set())
    try:
        return watcher.run()
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
