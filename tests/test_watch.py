"""`archive ingest --watch`: real files written into a real folder, watched by inotify (or polling), searched
through the service and through a live `archive serve` (waitress, a subprocess)."""

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest

from archive.engines import open_engine
from archive.index.pipeline import ingest
from archive.index.watch import Watcher
from archive.search.request import SearchRequest
from archive.search.service import SearchService

from .conftest import ROOT, SAMPLE, write

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
# (the word in one paragraph only: a title is a paragraph too, and the tests count the file's hits)
MINUTES = "# 某县工作会议纪要\n\n时间：2024年5月8日\n\n会议研究部署{word}工作，要求各乡镇落实。\n"


class Lines:
    """A stream the watcher writes to from its thread, read by the test."""

    def __init__(self):
        self.lock, self.text = threading.Lock(), ""

    def write(self, text: str) -> None:
        with self.lock:
            self.text += text

    def flush(self) -> None:
        pass

    def wait_for(self, needle: str, count: int = 1, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while self.text.count(needle) < count:
            assert time.monotonic() < deadline, f"no {needle!r} in:\n{self.text}"
            time.sleep(0.05)


@contextmanager
def watching(corpus: Path, engine, settle: float = 0.5, polling: bool = False):
    out = Lines()
    watcher = Watcher([corpus], engine, out=out, settle=settle, polling=polling)
    thread = threading.Thread(target=watcher.run)
    thread.start()
    try:
        out.wait_for("个段落")  # the catch-up run
        yield watcher, out
    finally:
        watcher.stop.set()
        thread.join(15)
        assert not thread.is_alive()
    assert "已停止监视" in out.text


def total(engine, q: str) -> int:
    return SearchService(engine).search(SearchRequest(q=q))["total"]


def until(condition, timeout: float = 15) -> float:
    """Seconds until condition() holds (fails after timeout)."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout, "timed out"
        time.sleep(0.05)
    return time.monotonic() - started


def test_lock_files_and_temp_files_are_ignored_and_a_held_lock_is_waited_for(tmp_path):
    corpus, engine = tmp_path / "corpus", open_engine(tmp_path / "index")
    write(corpus / "旧.md", MINUTES.format(word="档案整理"))
    with watching(corpus, engine) as (_, out):
        write(corpus / "~$会议纪要.docx", "Word 的锁文件")
        write(corpus / ".~lock.会议纪要.docx#", "LibreOffice 的锁文件")
        write(corpus / "会议纪要.md~", MINUTES.format(word="临时备份"))
        write(corpus / "会议纪要.md.part", MINUTES.format(word="下载片段"))
        with engine.indexer():  # another ingest holds the lock
            write(corpus / "新.md", MINUTES.format(word="秸秆禁烧"))
            out.wait_for("另一个收录正在进行")
            assert total(engine, "秸秆禁烧") == 0
        until(lambda: total(engine, "秸秆禁烧") == 1)
        time.sleep(1.0)
        assert "跳过" not in out.text
        assert total(engine, "临时备份") == total(engine, "下载片段") == 0


@pytest.mark.slow
def test_the_log_names_each_file_ingested_changed_removed_or_failed(tmp_path):
    corpus, engine = tmp_path / "corpus", open_engine(tmp_path / "index")
    write(corpus / "旧.md", MINUTES.format(word="档案整理"))
    with watching(corpus, engine) as (_, out):
        assert "已收录（新文件） 旧.md" in out.text and "文件系统通知" in out.text and "Observer" not in out.text
        write(corpus / "子目录" / "新.md", MINUTES.format(word="秸秆禁烧"))
        out.wait_for("已收录（新文件） 子目录/新.md")
        write(corpus / "子目录" / "新.md", MINUTES.format(word="河道清淤"))
        out.wait_for("已收录（有改动） 子目录/新.md")
        (corpus / "坏.docx").write_bytes(b"PK\x03\x04 not a zip" * 10)
        out.wait_for("跳过 坏.docx")
        (corpus / "旧.md").unlink()
        out.wait_for("已删除（文件已不在） 旧.md")


@pytest.mark.slow
@pytest.mark.parametrize("polling", [False, True], ids=["inotify", "polling"])
def test_new_changed_removed_and_bad_files_in_process(tmp_path, polling):
    corpus, engine = tmp_path / "corpus", open_engine(tmp_path / "index")
    write(corpus / "a.md", MINUTES.format(word="档案整理"))
    with watching(corpus, engine, polling=polling) as (_, out):
        write(corpus / "子目录" / "b.md", MINUTES.format(word="秸秆禁烧"))
        until(lambda: total(engine, "秸秆禁烧") == 1)
        write(corpus / "子目录" / "b.md", MINUTES.format(word="河道清淤"))  # changed
        until(lambda: total(engine, "河道清淤") == 1 and total(engine, "秸秆禁烧") == 0)
        (corpus / "坏文件.docx").write_bytes(b"PK\x03\x04 not really a zip" * 10)
        out.wait_for("跳过 坏文件.docx")
        write(corpus / "c.md", MINUTES.format(word="植树造林"))  # the watch goes on
        until(lambda: total(engine, "植树造林") == 1)
        write(tmp_path / "外面" / "d.md", MINUTES.format(word="污水处理"))
        (tmp_path / "外面").rename(corpus / "搬进来")  # a folder moved in: its file had no event of its own
        until(lambda: total(engine, "污水处理") == 1)
        shutil.rmtree(corpus / "子目录")  # a folder removed with its files
        until(lambda: total(engine, "河道清淤") == 0)
        (corpus / "a.md").unlink()
        until(lambda: total(engine, "档案整理") == 0)


# -- a live server and the watcher, both real processes ----------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _search(port: int, q: str) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", f"/api/search?per_page=100&q={quote(q)}")
        response = conn.getresponse()
        assert response.status == 200
        return json.loads(response.read())
    finally:
        conn.close()


def _stderr_lines(proc, lines: list) -> None:
    for line in proc.stderr:
        lines.append(line.decode("utf-8", "replace"))


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """A corpus folder with the sample, its index, `archive serve` on it and `archive ingest --watch` on the
    folder (default settle time), both subprocesses."""
    root = tmp_path_factory.mktemp("live")
    corpus, index = root / "corpus", root / "index"
    corpus.mkdir()
    shutil.copy(SAMPLE, corpus / SAMPLE.name)
    ingest([corpus], open_engine(index))
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "archive", "serve", "--index", str(index), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV, cwd=root)
    watcher = subprocess.Popen([sys.executable, "-m", "archive", "ingest", "--watch", str(corpus), "--index", str(index)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV, cwd=root)
    lines: list[str] = []
    threading.Thread(target=_stderr_lines, args=(watcher, lines), daemon=True).start()
    try:
        until(lambda: any("个段落" in line for line in lines), timeout=60)
        until(lambda: _answers(port), timeout=60)
        yield corpus, port, watcher, lines
    finally:
        for proc in (server, watcher):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


def _answers(port: int) -> bool:
    try:
        _search(port, "")
        return True
    except OSError:
        return False


@pytest.mark.slow
def test_a_copied_file_is_searchable_through_a_live_server_within_10_seconds(live, tmp_path):
    corpus, port, watcher, lines = live
    new = write(tmp_path / "秸秆禁烧会议.md", MINUTES.format(word="秸秆禁烧"))
    assert _search(port, "秸秆禁烧")["total"] == 0
    started = time.monotonic()
    shutil.copy(new, corpus / new.name)
    seconds = until(lambda: _search(port, "秸秆禁烧")["total"] == 1, timeout=30)
    print(f"copied file searchable after {time.monotonic() - started:.2f} s")
    assert seconds <= 10
    (corpus / new.name).unlink()
    seconds = until(lambda: _search(port, "秸秆禁烧")["total"] == 0, timeout=30)
    print(f"removed file gone after {seconds:.2f} s")
    assert seconds <= 10
    assert watcher.poll() is None


@pytest.mark.slow
def test_a_file_written_slowly_is_never_indexed_half(live):
    corpus, port, watcher, _ = live
    chunks = [f"第{n}项：研究部署禁渔期执法巡查工作，责任单位第{n}组。\n\n" for n in range(1, 31)]
    seen = []
    writing = threading.Event()

    def poll():
        while writing.is_set():
            seen.append(_search(port, "禁渔期")["total"])

    path = corpus / "禁渔期会议纪要.md"
    with open(path, "w", encoding="utf-8") as f:
        f.write("# 某县禁渔期执法工作会议纪要\n\n")
        f.flush()
        writing.set()
        poller = threading.Thread(target=poll)
        poller.start()
        for chunk in chunks:  # 30 chunks, 0.3 s apart: about 9 s of writing, never still for the settle time
            f.write(chunk)
            f.flush()
            time.sleep(0.3)
    until(lambda: _search(port, "禁渔期")["total"] >= len(chunks), timeout=30)
    writing.clear()
    poller.join()
    assert seen and set(seen) <= {0, len(chunks) + 1, len(chunks)}, sorted(set(seen))  # (the title may match too)
    final = _search(port, "禁渔期")
    assert {h["text"] for h in final["hits"]} >= {c.strip() for c in chunks}
    assert watcher.poll() is None


@pytest.mark.slow
def test_a_bad_file_does_not_stop_the_watcher_and_sigterm_stops_it_cleanly(live):
    corpus, port, watcher, lines = live
    (corpus / "损坏的纪要.docx").write_bytes(b"PK\x03\x04" + os.urandom(2000))
    until(lambda: any("跳过 损坏的纪要.docx" in line for line in lines), timeout=30)
    write(corpus / "植树造林.md", MINUTES.format(word="植树造林"))
    until(lambda: _search(port, "植树造林")["total"] == 1, timeout=15)
    watcher.send_signal(signal.SIGTERM)
    assert watcher.wait(15) == 0
    until(lambda: any("已停止监视" in line for line in lines), timeout=5)
