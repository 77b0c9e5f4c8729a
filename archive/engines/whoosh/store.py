"""The index folder: generations, the pointer to the live one, and the ingest lock.

    index/CURRENT        name of the live generation, replaced atomically
    index/gen-000001/    a Whoosh index
    index/ingest.lock    held (flock) by the one running ingest

All of it is its owner's alone: folders 0700, files 0600 (make_private).

Incremental ingest commits into the live generation (a Whoosh commit is an
atomic rename of its table of contents). A rebuild fills a new generation and
then points CURRENT at it, so searchers never see a half-built index. The
lock is an flock: the kernel drops it when its holder dies, so a killed
ingest leaves no lock behind that needs clearing.
"""

import fcntl
import mmap
import os
import pickle
import shutil
import sys
import time
from array import array
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile

from ...analysis import ANALYZER_VERSION, SEGMENTER
from ...errors import IndexBusy, IndexMissing, IndexOutdated
from ...schema import META
from .schema import make_schema

CURRENT = "CURRENT"
LOCK = "ingest.lock"
# The layout of this engine's segments (stored.py, segment.py), kept in the index's meta: an index
# written in another layout is rebuilt, never misread.
FORMAT = 3
KEEP_GENERATIONS = 2  # the live one and the one before, for searchers still reading it


class PositionalFile(StructFile):
    """A file of the index, read with pread(2) at explicit offsets.

    `get` never moves a shared file position, so that several request
    threads can read one segment at once. (Segments written as separate
    files were read with seek + read: concurrent searches got each other's
    bytes, zlib errors and the wrong stored fields.) The pages read stay in
    the kernel's page cache instead of being mapped into the process:
    mapping them (mmap) counted every touched 64 kB around each term look-up
    in the server's resident memory.
    """

    def __init__(self, path: str, name: str):
        f = open(path, "rb")
        self._fd = f.fileno()
        super().__init__(f, name=name)

    def get(self, position, length):
        return os.pread(self._fd, length, position)

    def map(self):
        """The whole file mapped read-only (the terms files: their look-ups touch a few pages each)."""
        return mmap.mmap(self._fd, 0, access=mmap.ACCESS_READ) if os.fstat(self._fd).st_size else b""

    def get_array(self, position, typecode, length):
        a = array(typecode)
        a.frombytes(self.get(position, length * a.itemsize))
        if sys.byteorder == "little":
            a.byteswap()  # Whoosh stores arrays big-endian
        return a


class IndexStorage(FileStorage):
    """An index folder: files read with PositionalFile, temporary files kept apart per ingest worker."""

    def __init__(self, path, **kwargs):
        super().__init__(path, **kwargs)
        self.owner_pid = os.getpid()

    def open_file(self, name, **kwargs):
        return PositionalFile(os.path.abspath(os.path.join(self.folder, name)), name)

    def temp_storage(self, name=None):
        # Writers keep temporary files (column files in progress) in a folder named after the
        # index, and remove it when they finish. A forked ingest worker gets a folder of its own:
        # removing it leaves the parent's and the other workers' files alone.
        if name and os.getpid() != self.owner_pid:
            name = f"{name}.{os.getpid()}"
        return super().temp_storage(name)


class IndexDir:
    def __init__(self, root: Path | str):
        self.root = Path(root)

    def current_name(self) -> str | None:
        try:
            name = (self.root / CURRENT).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return name if name.startswith("gen-") and (self.root / name).is_dir() else None

    def current_path(self) -> Path:
        name = self.current_name()
        # A table of contents is there (not read here: see open_raw).
        if name is None or not any((self.root / name).glob("_MAIN_*.toc")):
            raise IndexMissing(f"{self.root} 中还没有索引：先运行 `archive ingest`")
        return self.root / name

    def exists(self) -> bool:
        try:
            self.current_path()
        except IndexMissing:
            return False
        return True

    def open_raw(self):
        path = self.current_path()
        try:
            return whoosh_index.FileIndex(IndexStorage(str(path)))
        except (ImportError, AttributeError, pickle.UnpicklingError) as exc:
            # The table of contents pickles the schema's classes: an index written by a version
            # whose modules were laid out otherwise cannot be read, only rebuilt.
            raise IndexOutdated(f"{self.root} 中的索引由另一个版本的 archive 建立"
                                f"（{type(exc).__name__}: {exc}）：请运行 `archive ingest --rebuild`") from None

    def open(self):
        """The live Whoosh index, checked to be one this version can search."""
        ix = self.open_raw()
        check_compatible(ix, self.root)
        return ix

    def new_generation(self):
        """Create an empty Whoosh index in a fresh generation folder."""
        self.root.mkdir(parents=True, exist_ok=True)
        numbers = [int(p.name[4:]) for p in self.root.glob("gen-*") if p.name[4:].isdigit()]
        path = self.root / f"gen-{max(numbers, default=0) + 1:06d}"
        path.mkdir()
        return path, IndexStorage(str(path)).create_index(make_schema())

    def publish(self, path: Path) -> None:
        """Make `path` the live generation (atomic), then drop all but it and the one it replaces.

        The replaced one is kept for searchers still reading it; the others
        are older, or half-built by killed rebuilds (which may be numbered
        between the two).
        """
        previous = self.current_name()
        tmp = self.root / f"{CURRENT}.{os.getpid()}.tmp"
        tmp.write_text(path.name + "\n", encoding="utf-8")
        os.replace(tmp, self.root / CURRENT)
        for gen in self.root.glob("gen-*"):
            if gen.is_dir() and gen.name not in (path.name, previous):
                shutil.rmtree(gen, ignore_errors=True)

    @contextmanager
    def lock(self, wait: float = 0.0):
        """Hold the ingest lock, waiting up to `wait` seconds for another ingest to finish."""
        self.root.mkdir(parents=True, exist_ok=True)
        make_private(self.root)
        path = self.root / LOCK
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
                        raise IndexBusy(f"另一个导入（pid {holder}）正持有锁 {path}，在更新 "
                                        f"{self.root}；请等它结束后再试，或加 --wait SECONDS") from None
                    time.sleep(0.2)
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
            _HELD.add(fd)
            yield
        finally:
            _HELD.discard(fd)
            os.close(fd)  # closing releases the flock


def make_private(root: Path) -> None:
    """The index folder, its generations and their files readable by their owner only (0700, 0600), as the
    users store is: an index from before is tightened by its next ingest, which writes new files under
    umask 077 (archive/index/pipeline.py). The OCR cache's pages are not walked: the folder closes them."""
    os.chmod(root, 0o700)
    for entry in root.iterdir():
        if entry.is_symlink():
            continue
        if entry.is_dir():
            os.chmod(entry, 0o700)
            if entry.name.startswith("gen-"):
                for inner in entry.iterdir():
                    if inner.is_file() and not inner.is_symlink():
                        os.chmod(inner, 0o600)
        elif entry.is_file():
            os.chmod(entry, 0o600)


# Lock descriptors held by this process. A forked child (a parallel ingest
# worker) closes its copies: the flock stays with the parent and goes when
# the parent dies, not when its last worker does.
_HELD: set[int] = set()


def _close_held_locks() -> None:
    for fd in list(_HELD):
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD.clear()


os.register_at_fork(after_in_child=_close_held_locks)


def read_meta(ix) -> dict:
    with ix.searcher() as s:
        doc = s.document(id=META)
    return doc["info"] if doc else {}


def is_current(meta: dict) -> bool:
    """Whether an index with this meta was built by this version's analysis and segment layout."""
    return (meta.get("analyzer"), meta.get("segmenter"), meta.get("format")) == (ANALYZER_VERSION, SEGMENTER, FORMAT)


def check_compatible(ix, root: Path) -> None:
    meta = read_meta(ix)
    if meta and meta.get("format") != FORMAT:
        raise IndexOutdated(f"the index in {root} was written in segment format {meta.get('format', 1)}, this "
                            f"version writes format {FORMAT}: run `archive ingest --rebuild`")
    built = (meta.get("analyzer"), meta.get("segmenter"))
    if built != (ANALYZER_VERSION, SEGMENTER):
        raise IndexOutdated(
            f"{root} 中的索引用分析器 {built[0]} / {built[1]} 建立，此版本用 "
            f"{ANALYZER_VERSION} / {SEGMENTER}：请运行 `archive ingest --rebuild`")
