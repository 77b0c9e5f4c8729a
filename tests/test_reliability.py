"""Crash safety and concurrent use, with real processes, on every kind of engine.

* `archive ingest` is killed with SIGKILL again and again, incremental and
  `--rebuild` (which uses parallel worker processes), at moments spread over
  the measured length of a run and packed into its commit: after every kill
  the index opens, searches answer, and it holds exactly the state before the
  run or the state after it; the next complete run leaves each paragraph once.
* `archive serve` (waitress, a free port on 127.0.0.1) answers a steady
  stream of searches while ingests add, change and remove files and rebuild:
  no request fails and every answer is one whole state of the corpus.
* Two ingests at once: the second exits 2 naming the lock, or waits with
  `--wait`; the lock of a killed ingest is no obstacle.
* Without an index (an empty folder, an empty database) the API answers 503.

The figures are printed (run with -s) and recorded in docs/reliability.md.
"""

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest

from archive.engines import open_engine
from archive.engines.base import Engine
from archive.engines.whoosh.store import LOCK
from archive.index.pipeline import ingest
from archive.ingest import load
from archive.search.service import SearchService
from archive.search.request import SearchRequest
from web import create_app

from .conftest import ROOT, cli_args, stored_paragraphs, write
from .pg import children

pytestmark = pytest.mark.slow  # real processes killed and servers under load: CI runs them, the edit loop skips them

ENV = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
FIGURES: dict[str, object] = {}
PROGRESS, DONE = "导入：", "（100%）"  # archive ingest's progress lines (not on a terminal), and the last one

_PLAIN = re.compile(r"[\u4e00-\u9fff，、；：“”（）《》\d]{30,}")
SENTENCES = sorted({m for f in (ROOT / "corpus").glob("*.md")
                    for m in _PLAIN.findall(f.read_text(encoding="utf-8"))})


def file_text(n: int, version: int, paragraphs: int, year: int = 2023) -> str:
    """A meeting whose every paragraph names its file and version: a mixed state cannot hide."""
    out = [f"# 天水市第{n}次会议记录（第{version}版）\n",  # (the title holds 会议记录 too: every query finds it)
           f"会议记录{n:02d}号第{version}版开头：{year}年3月{n % 28 + 1}日，天水市召开第{n}次会议。\n"]
    for k in range(paragraphs):
        a = SENTENCES[(n * 7 + version * 3 + k) % len(SENTENCES)]
        b = SENTENCES[(n + k * 5 + version) % len(SENTENCES)]
        out.append(f"会议记录{n:02d}号第{version}版第{k}段：{a}{b}。\n")
    return "\n".join(out)


class Corpus:
    """Files with version numbers; knows which paragraphs an index of its present state holds."""

    def __init__(self, folder: Path, paragraphs: int):
        self.dir = folder
        self.paragraphs = paragraphs
        self.versions: dict[int, int] = {}
        self._parsed: dict[tuple[int, int], list[str]] = {}
        self.step = 0

    def put(self, n: int, version: int) -> None:
        write(self.dir / f"m{n:02d}.md", file_text(n, version, self.paragraphs))
        self.versions[n] = version

    def remove(self, n: int) -> None:
        (self.dir / f"m{n:02d}.md").unlink()
        del self.versions[n]

    def mutate(self) -> None:
        """Change a third of the files (at most six), add one and remove one."""
        self.step += 1
        present = sorted(self.versions)
        for n in present[self.step % 3::3][:6]:
            self.put(n, self.versions[n] + 1)
        self.remove(present[self.step % len(present)])
        self.put(max(present) + 1, 0)

    def expected(self) -> list[str]:
        out = []
        for n, v in self.versions.items():
            if (n, v) not in self._parsed:
                doc = load(self.dir / f"m{n:02d}.md", self.dir)
                self._parsed[n, v] = [f"{doc.source}: {p.text}" for m in doc.meetings for p in m.paragraphs]
            out += self._parsed[n, v]
        return sorted(out)


def indexed(engine: Engine) -> list[str]:
    """Every paragraph of the live index as "source: text"; a duplicate shows up twice."""
    return sorted(f'{p["source"]}: {p["text"]}' for p in stored_paragraphs(engine))


def check_searches(engine: Engine, state: list[str]) -> None:
    """Searches answer on a fresh backend, and count what the state holds."""
    backend = SearchService(engine)
    assert backend.search(SearchRequest(q="", per_page=1))["total"] == len(state)
    # (the title paragraphs carry no marker)
    for marker in sorted({m[0] for line in state if (m := re.search(r"会议记录\d+号第\d+版", line))})[:3]:
        expected = sum(marker in line for line in state)
        assert backend.search(SearchRequest(q=f'"{marker}"', per_page=5))["total"] == expected, marker
    for q in ("环境 OR 整治", "会议 -环境", "(天水 OR 甘肃) 工作", "第1段"):
        result = backend.search(SearchRequest(q=q, sort="newest"))
        assert result["total"] >= len(result["hits"])


class Run:
    """`archive ingest` in a child process, its progress lines timed as they come."""

    def __init__(self, corpus: Path, engine: Engine, *args: str, env: dict | None = None):
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen([sys.executable, "-m", "archive", "ingest", str(corpus), *cli_args(engine),
                                      *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env or ENV,
                                     cwd=corpus.parent)
        self.lines: list[tuple[float, str]] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for raw in self.proc.stderr:
            self.lines.append((time.monotonic() - self.t0, raw.decode(errors="replace").rstrip()))

    def wait(self, timeout: float = 120) -> int:
        rc = self.proc.wait(timeout)
        self._reader.join(5)
        return rc

    def stderr(self) -> str:
        return "\n".join(line for _, line in self.lines)

    def when(self, pattern: str) -> float | None:
        return next((t for t, line in self.lines if pattern in line), None)

    def phase(self) -> str:
        progress = [line for _, line in self.lines if line.startswith(PROGRESS)]
        if not progress:
            return "starting"
        return "last file, commit or publish" if DONE in progress[-1] else "reading files"


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def kill_plan(calibration: Run, kills: int) -> list[tuple[str | None, float]]:
    """(line to wait for, then seconds to wait) of each kill, the latest first: half spread evenly over
    the whole run from its start, half packed into the commit at its end, timed from the moment the run
    itself reports 100% (a run that starts slower than the calibration would otherwise be killed while
    still reading its files)."""
    end = calibration.lines[-1][0] if calibration.lines else 1.0
    last = calibration.when(DONE) or end * 0.8
    half = kills // 2
    spread = [(None, end * (i + 0.5) / half) for i in reversed(range(half))]
    commit = [(DONE, (end - last) * (i + 0.5) / (kills - half)) for i in reversed(range(kills - half))]
    return commit + spread


def kill_at(run: Run, anchor: str | None, delay: float) -> tuple[str | None, list[int]]:
    """SIGKILL a run `delay` seconds after its line `anchor` (after its start without one): the phase it was
    killed in, None when it finished first (the caller checks how); and its worker processes that outlived
    it by 5 s (killed now: they should have died with it)."""
    while anchor and run.when(anchor) is None and run.proc.poll() is None:
        time.sleep(0.005)
    delay += (run.when(anchor) or 0.0) if anchor else 0.0
    time.sleep(max(0.0, delay - (time.monotonic() - run.t0)))
    workers = children(run.proc.pid)
    phase = None
    if run.proc.poll() is None:
        run.proc.send_signal(signal.SIGKILL)
        run.wait()
        phase = run.phase()
    deadline = time.monotonic() + 5
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [w for w in workers if alive(w)]
    for w in left:
        os.kill(w, signal.SIGKILL)
    return phase, left


def test_sigkilled_ingest_never_loses_or_doubles_a_paragraph(tmp_path, new_engine):
    corpus = Corpus(tmp_path / "corpus", paragraphs=25)
    for n in range(18):  # 16 files or more: a rebuild runs parallel worker processes
        corpus.put(n, 0)
    engine = new_engine()
    whoosh = engine.name == "whoosh"
    # A database server may still be rolling back a killed run (holding its lock) when the next one starts.
    patience = () if whoosh else ("--wait", "60")
    ingest([corpus.dir], engine)
    state = corpus.expected()
    assert indexed(engine) == state
    outcomes, phases, orphans, finished_first = Counter(), Counter(), [], 0

    for mode, kills in (("incremental", 14), ("rebuild", 12)):
        args = ("--rebuild",) if mode == "rebuild" else ()
        corpus.mutate()
        calibration = Run(corpus.dir, engine, *args)
        assert calibration.wait() == 0, calibration.stderr()
        state = corpus.expected()
        assert indexed(engine) == state
        corpus.mutate()
        pending = corpus.expected()
        plan, scale, done = kill_plan(calibration, kills), 1.0, 0
        while done < kills:
            run = Run(corpus.dir, engine, *args, *patience)
            phase, left = kill_at(run, plan[done][0], plan[done][1] * scale)
            if phase:
                phases[f"{mode}: {phase}"] += 1
                done += 1
            else:  # this run was quicker than the one measured: aim earlier from now on
                finished_first += 1
                scale *= 0.9
                assert run.wait() == 0, run.stderr()  # never refused: a killed ingest's lock is gone
            # Worker processes die with their parent, so they hold no lock and write nothing more.
            orphans += left
            if whoosh:  # the killed run's lock file stays behind, and is no obstacle to the next
                assert (Path(engine.location) / LOCK).exists()
            after = indexed(engine)
            assert after in (state, pending), f"{mode} killed ({phase}): neither the old nor the new state"
            check_searches(engine, after)
            if after == pending:
                outcomes["new state"] += 1
                state = pending
                corpus.mutate()
                pending = corpus.expected()
            else:
                outcomes["old state"] += 1
        assert not orphans, f"worker processes outlived their killed ingest: {orphans}"
        final = Run(corpus.dir, engine, *args, *patience)
        assert final.wait() == 0, final.stderr()
        assert indexed(engine) == pending
        check_searches(engine, pending)
        state = pending

    if whoosh:
        generations = sorted(p.name for p in Path(engine.location).glob("gen-*"))
        assert len(generations) <= 2, generations  # the last rebuild cleared what killed ones left
    killed = sum(phases.values())
    figures = FIGURES[f"kills ({engine.name})"] = {"survived": killed, "finished before the kill": finished_first,
                                                   **phases, **outcomes}
    print(f"\nSIGKILL figures ({engine.name}):", json.dumps(figures, ensure_ascii=False))
    assert killed >= 20 and sum(v for k, v in phases.items() if "commit" in k) >= 6


# -- two ingests at once ------------------------------------------------------

@pytest.fixture()
def slow_corpus(tmp_path) -> Corpus:
    corpus = Corpus(tmp_path / "corpus", paragraphs=60)
    for n in range(12):
        corpus.put(n, 0)
    return corpus


@pytest.fixture()
def held_corpus(tmp_path) -> Corpus:
    """Long enough (≈ 4 s of ingest) that a second ingest started on the first's progress line meets its lock:
    the 60-paragraph corpus is now read before a second process has started."""
    corpus = Corpus(tmp_path / "corpus", paragraphs=600)
    for n in range(12):
        corpus.put(n, 0)
    return corpus


def _wait_for(run: Run, pattern: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while run.when(pattern) is None:
        assert run.proc.poll() is None, run.stderr()
        assert time.monotonic() < deadline, f"no {pattern!r} from ingest"
        time.sleep(0.02)


def test_second_ingest_exits_2_naming_the_lock_or_waits(new_engine, held_corpus):
    engine = new_engine()
    first = Run(held_corpus.dir, engine)
    _wait_for(first, PROGRESS)  # it holds the lock while it reads files
    refused = Run(held_corpus.dir, engine)
    assert refused.wait() == 2, refused.stderr()
    assert first.proc.poll() is None, "the first ingest ended too soon for this test"
    message = refused.stderr()
    assert f"pid {first.proc.pid}" in message and engine.location in message and "--wait" in message, message
    waiting = Run(held_corpus.dir, engine, "--wait", "120")
    assert first.wait() == 0, first.stderr()
    assert waiting.wait() == 0, waiting.stderr()
    assert waiting.lines[-1][0] + waiting.t0 > first.lines[-1][0] + first.t0
    assert "未变 12" in waiting.stderr()  # it ran after the first, on its result
    assert indexed(engine) == held_corpus.expected()


def test_waiting_ingest_takes_over_from_a_killed_one(new_engine, held_corpus):
    engine = new_engine()
    first = Run(held_corpus.dir, engine)
    _wait_for(first, PROGRESS)
    waiting = Run(held_corpus.dir, engine, "--wait", "120")
    time.sleep(0.5)
    assert waiting.proc.poll() is None
    first.proc.send_signal(signal.SIGKILL)
    first.wait()
    assert waiting.wait() == 0, waiting.stderr()
    assert indexed(engine) == held_corpus.expected()


def test_a_lock_file_left_behind_is_no_obstacle(tmp_path, slow_corpus):  # Whoosh-only: its lock is a file
    index = tmp_path / "ix"
    index.mkdir()
    (index / LOCK).write_text("999999")  # a dead pid, as a killed ingest leaves it
    run = Run(slow_corpus.dir, open_engine(index))
    assert run.wait() == 0, run.stderr()
    assert (index / LOCK).read_text() == str(run.proc.pid)


def test_publish_keeps_the_generation_it_replaces(tmp_path, slow_corpus):  # Whoosh-only: generation folders
    """Searchers may still read the replaced generation, even when a killed rebuild left one in between."""
    engine = open_engine(tmp_path / "ix")
    ingest([slow_corpus.dir], engine)
    live = engine.index_dir.current_name()
    orphan, _ = engine.index_dir.new_generation()  # as a rebuild killed before publishing leaves it
    ingest([slow_corpus.dir], engine, rebuild=True)
    kept = sorted(p.name for p in engine.index_dir.root.glob("gen-*"))
    assert kept == sorted([live, engine.index_dir.current_name()]) and orphan.name not in kept


def test_api_without_an_index_answers_503(new_engine):
    client = create_app(new_engine()).test_client()
    for path in ("/api/search?q=会议", "/api/meetings/0123456789-1"):
        response = client.get(path)
        assert response.status_code == 503 and "archive ingest" in response.get_json()["error"], path


# -- a live server while the index changes --------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str, timeout: float = 30) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


class Server:
    def __init__(self, engine: Engine, cwd: Path):
        self.port = _free_port()
        self.proc = subprocess.Popen([sys.executable, "-m", "archive", "serve", *cli_args(engine),
                                      "--port", str(self.port), "--threads", "4"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV, cwd=cwd)
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(self.port, "/api/search?q=", timeout=5)[0] == 200:
                    return
            except OSError:
                pass
            assert self.proc.poll() is None, self.proc.stderr.read().decode()
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.1)

    def fds(self) -> int:
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


QUERIES = {"all": "会议记录", "browse": ""}


def _answer_state(answer: dict, states: list[dict]) -> int:
    """The one state an answer shows in whole, or -1."""
    hits = sorted(f'{h["source"]}: {h["text"]}' for h in answer["hits"])
    for k, expected in enumerate(states):
        if hits == expected:
            return k
    return -1


def _mix(answer: dict, states: list[list[str]]) -> str:
    hits = Counter(f'{h["source"]}: {h["text"]}' for h in answer["hits"])
    out = []
    for k, state in enumerate(states):
        want = Counter(state)
        out.append(f"state {k}: {sum((hits - want).values())} extra {sorted(hits - want)[:3]}, "
                   f"{sum((want - hits).values())} missing {sorted(want - hits)[:3]}")
    return "\n".join(out)


def test_live_server_answers_every_request_with_one_whole_state(tmp_path, new_engine):
    corpus = Corpus(tmp_path / "corpus", paragraphs=6)
    for n in range(8):
        corpus.put(n, 0)
    engine = new_engine()
    ingest([corpus.dir], engine)
    # The states the corpus goes through, each ingested by the way given; answers are checked against all.
    plan = [("incremental", corpus.mutate), ("incremental", corpus.mutate), ("rebuild", corpus.mutate),
            ("incremental", lambda: corpus.put(99, 0)), ("rebuild", corpus.mutate)]
    states = [corpus.expected()]
    assert len(states[0]) <= 100

    server = Server(engine, tmp_path)
    fds_before = server.fds()
    published = [0.0]  # published[k]: when state k was complete on disk
    stop = threading.Event()
    log: list[tuple[float, float, str, int, dict | str]] = []

    def client(name: str, q: str):
        while not stop.is_set():
            sent = time.monotonic()
            try:
                status, body = _get(server.port, f"/api/search?q={quote(q)}&per_page=100&sort=newest")
                answer = json.loads(body) if status == 200 else body.decode(errors="replace")
            except Exception as exc:  # a refused or broken connection is a failed request too
                status, answer = -1, repr(exc)
            log.append((sent, time.monotonic(), name, status, answer))

    threads = [threading.Thread(target=client, args=(name, q), daemon=True)
               for name, q in list(QUERIES.items()) + [("all-2", QUERIES["all"])]]
    for t in threads:
        t.start()
    try:
        time.sleep(0.5)
        for mode, change in plan:
            change()
            states.append(corpus.expected())
            run = Run(corpus.dir, engine, *(["--rebuild"] if mode == "rebuild" else []),
                      env={**ENV, "ARCHIVE_INGEST_PROCS": "2"} if mode == "rebuild" else None)
            assert run.wait() == 0, run.stderr()
            published.append(time.monotonic())
            time.sleep(0.7)
        time.sleep(0.5)
    finally:
        stop.set()
        for t in threads:
            t.join(35)
    fds_after = server.fds()
    # Raw paths a browser would not send: nothing outside the index is ever served.
    for path in ("/api/meetings/..%2f..%2f..%2fetc%2fpasswd", "/static/../../../etc/passwd",
                 "/static/..%2f..%2f..%2fetc%2fpasswd", "/meetings/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
                 "/api/meetings/%ff%fe", "/api/meetings/" + "x" * 8000):
        status, body = _get(server.port, path)
        assert status in (400, 404, 414, 431) and b"root:" not in body, (path, status)
    server.stop()
    log_text = server.proc.stderr.read().decode()
    (tmp_path / "server.log").write_text(log_text)
    assert "Traceback" not in log_text, log_text[log_text.index("Traceback"):][:3000]

    failures = [entry for entry in log if entry[3] != 200]
    assert not failures, failures[:5]
    seen, facets_of = Counter(), {}
    for sent, received, name, _, answer in log:
        assert answer["total"] == len(answer["hits"]), name
        k = _answer_state(answer, states)
        assert k >= 0, f"{name}: an answer that is no whole state of the corpus: {_mix(answer, states)}"
        # Never older than what was published before the request was sent, never newer than the run under way.
        done_before = max(i for i, t in enumerate(published) if t <= sent)
        done_after = max(i for i, t in enumerate(published) if t <= received)
        assert done_before <= k <= done_after + 1, (name, k, done_before, done_after)
        for facet in answer["facets"].values():
            assert all(0 < f["count"] <= answer["total"] for f in facet)
        # Facets are counted on the same state as the hits: every answer of a state has the same.
        facets = json.dumps(answer["facets"], sort_keys=True, ensure_ascii=False)
        assert facets_of.setdefault((name.split("-")[0], k), facets) == facets, (name, k)
        seen[k] += 1
    # Each state was served, the last one without a restart.
    assert set(seen) == set(range(len(states))), seen
    FIGURES["server"] = {"requests": len(log), "failed": len(failures), "states": len(states),
                         "ingests": len(plan), "rebuilds": sum(m == "rebuild" for m, _ in plan),
                         "open files before": fds_before, "open files after": fds_after}
    print("\nserver figures:", json.dumps(FIGURES["server"], ensure_ascii=False))
    assert fds_after < fds_before + 100
