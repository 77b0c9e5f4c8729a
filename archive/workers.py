"""Worker processes, below every room that forks them: files split into runs of about equal bytes for both
engines' parallel ingest, and workers (ingest's and OCR's) that die with their parent."""

import os
import signal
from contextlib import contextmanager

from . import settings


def file_size(path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def total_bytes(files) -> int:
    """The bytes of (path, root, source) files."""
    return sum(file_size(path) for path, _, _ in files)


def split(files, parts: int) -> list[list]:
    """Consecutive runs of (path, root, source) files of about equal bytes: runs in this order keep corpus
    order."""
    sizes = [file_size(path) for path, _, _ in files]
    total, chunks, acc = sum(sizes) or 1, [[] for _ in range(parts)], 0
    for item, size in zip(files, sizes):
        chunks[min(parts - 1, acc * parts // total)].append(item)
        acc += size
    return [c for c in chunks if c]


@contextmanager
def forking():
    """Fork with Ctrl-C held back until the child ignores it (die_with_parent): stopping the workers is
    the parent's to do, and a worker interrupted while it starts prints a traceback over the one-line
    message. A Ctrl-C in that moment reaches the parent when the forks are done."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def die_with_parent() -> None:
    """A worker of a killed ingest stops at once instead of filling what nobody will publish; a Ctrl-C
    is its parent's (see forking)."""
    import ctypes
    import multiprocessing
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG, Linux
    except (OSError, AttributeError):
        pass
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:  # it died before prctl
        os._exit(1)


def in_parallel(files, procs: int, runs: int, start, index_run, prepare, report, progress):
    """Yield the result of each run of `files` in corpus order, the runs prepared by `procs` forked workers.

    The files are cut into about `runs` runs of equal bytes, which the workers take in turn: a worker
    slowed down (a busy core, slower files) takes fewer runs instead of holding up the end. In a worker,
    `start()` is called once, then `index_run(started, run, prepare, sent)` for each run taken: it calls
    `sent(outcome)` for each file once it is done with the outcome's records, and returns what the parent
    gets of the run. Progress counts a file when a worker starts it (as a serial ingest does, so that
    100% means the last file is being read); outcomes are reported in the order the files finish.
    """
    import multiprocessing
    import queue as queues
    ctx = multiprocessing.get_context("fork")
    messages = ctx.Queue()
    chunks = split(files, runs)
    taken = ctx.Value("i", 0)
    workers = [ctx.Process(target=_worker, args=(chunks, taken, start, index_run, prepare, messages), daemon=True)
               for _ in range(min(procs, len(chunks)))]
    with forking():
        for w in workers:
            w.start()
    results, begun, emitted = {}, 0, 0
    try:
        while emitted < len(chunks):
            try:
                msg = messages.get(timeout=1.0)
            except queues.Empty:
                if any(w.exitcode not in (None, 0) for w in workers) or all(w.exitcode == 0 for w in workers):
                    raise RuntimeError("an ingest worker process died") from None
                continue
            if msg[0] == "start":
                begun += 1
                if progress:
                    progress(begun, len(files), msg[2])
            elif msg[0] == "file":
                report(msg[2])
            elif msg[0] == "done":
                results[msg[1]] = msg[2]
                while emitted in results:
                    yield results.pop(emitted)
                    emitted += 1
            else:
                raise RuntimeError(f"an ingest worker failed:\n{msg[2]}")
    finally:
        for w in workers:
            if w.is_alive() and emitted < len(chunks):
                w.terminate()
            w.join()


def _worker(chunks, taken, start, index_run, prepare, messages) -> None:
    """Take the next run not yet taken until none is left, telling the parent when each file starts, each
    file's outcome (without its records) and each run's result."""
    import traceback
    die_with_parent()
    k = None

    def sent(outcome) -> None:
        outcome.records = []
        messages.put(("file", k, outcome))

    def announced(item):
        messages.put(("start", k, item[2]))  # (path, root, source)
        return prepare(item)

    try:
        started = start()
        while True:
            with taken.get_lock():
                k = taken.value
                taken.value += 1
            if k >= len(chunks):
                return
            messages.put(("done", k, index_run(started, chunks[k], announced, sent)))
    except BaseException:
        messages.put(("error", k, traceback.format_exc()))


_TASK = None  # what forked_map's processes run: inherited through fork, never pickled


def forked_map(fn, runs: list, procs: int):
    """Yield fn(run) for each run, in order, computed by `procs` forked processes that die with their parent.
    `fn` and what it reads are inherited by fork; only the runs' indexes and fn's results are pickled."""
    import multiprocessing
    global _TASK
    _TASK = (fn, runs)
    try:
        with forking():
            pool = multiprocessing.get_context("fork").Pool(procs, initializer=die_with_parent)
        with pool:
            yield from pool.imap(_run_task, range(len(runs)))
    finally:
        _TASK = None


def _run_task(i: int):
    fn, runs = _TASK
    return fn(runs[i])


def worker_count(nfiles: int, at_most: int, min_files: int) -> int:
    """Worker processes for an ingest of `nfiles` files: one per core up to `at_most`, none below
    `min_files` files (ARCHIVE_INGEST_PROCS overrides)."""
    wanted = settings.procs("ARCHIVE_INGEST_PROCS")
    if wanted is not None:
        return max(1, wanted)
    if nfiles < min_files:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(at_most, cores))
