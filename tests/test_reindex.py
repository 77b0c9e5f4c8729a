"""Incremental ingest, rebuilds, the ingest lock and crash safety."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive.index.store import IndexBusy, IndexDir
from archive.index.writer import ingest
from archive.search.backend import Backend
from archive.search.request import SearchRequest

from .conftest import ROOT, write


def texts(index_dir: IndexDir) -> list[str]:
    """Every indexed paragraph as "source: text"; a duplicate shows up twice."""
    with index_dir.open().searcher() as s:
        return sorted(f'{d["source"]}: {d["text"]}' for d in s.documents(kind="p"))


def meeting_file(n: int, body: str = "") -> str:
    return f"# 第{n}次县务会议\n\n会议研究了第{n}项工作。{body}\n\n会议要求各部门抓好落实。\n"


@pytest.fixture()
def corpus(tmp_path) -> Path:
    for n in range(1, 4):
        write(tmp_path / "corpus" / f"m{n}.md", meeting_file(n))
    return tmp_path / "corpus"


def test_add_modify_delete(tmp_path, corpus):
    index_dir = IndexDir(tmp_path / "ix")
    first = ingest([corpus], index_dir)
    assert (first.added, first.paragraphs, first.meetings) == (3, 6, 3)
    again = ingest([corpus], index_dir)
    assert (again.added, again.updated, again.unchanged, again.removed) == (0, 0, 3, 0)

    write(corpus / "m2.md", meeting_file(2, "新增森林防火要求。"))
    write(corpus / "sub" / "m4.md", meeting_file(4))
    (corpus / "m3.md").unlink()
    s = ingest([corpus], index_dir)
    assert (s.added, s.updated, s.unchanged, s.removed) == (1, 1, 1, 1)
    found = texts(index_dir)
    assert len(found) == len(set(found)) == 6
    assert any("森林防火" in t for t in found) and not any("第3项" in t for t in found)
    backend = Backend(index_dir)
    assert backend.search(SearchRequest(q="第2项"))["total"] == 1
    assert backend.search(SearchRequest(q="第3项"))["total"] == 0
    assert backend.search(SearchRequest(q="第4项"))["hits"][0]["source"] == "sub/m4.md"


def test_ingesting_one_file_keeps_the_others(tmp_path, corpus):
    index_dir = IndexDir(tmp_path / "ix")
    ingest([corpus], index_dir)
    write(corpus / "m1.md", meeting_file(1, "补充。"))
    s = ingest([corpus / "m1.md"], index_dir)
    assert (s.updated, s.removed) == (1, 0) and s.meetings == 3


def test_unreadable_file_is_reported_and_the_rest_ingested(tmp_path, corpus):
    (corpus / "bad.md").write_bytes(b"\x00\x01binary")
    write(corpus / "gbk.md", "# 会议\n\n麦积区召开会议。\n", encoding="gbk")
    index_dir = IndexDir(tmp_path / "ix")
    s = ingest([corpus], index_dir)
    assert s.added == 4 and [f[0] for f in s.failed] == ["bad.md"] and "binary" in s.failed[0][1]
    assert Backend(index_dir).search(SearchRequest(q="麦积区"))["total"] == 1


def test_rebuild_swaps_generation(tmp_path, corpus):
    index_dir = IndexDir(tmp_path / "ix")
    ingest([corpus], index_dir)
    before = index_dir.current_name()
    backend = Backend(index_dir)
    assert backend.search(SearchRequest(q="第1项"))["total"] == 1
    write(corpus / "m1.md", meeting_file(1, "重建后。"))
    s = ingest([corpus], index_dir, rebuild=True)
    assert s.rebuilt and index_dir.current_name() != before
    assert backend.search(SearchRequest(q="重建后"))["total"] == 1  # picked up without restart
    assert len(list(index_dir.root.glob("gen-*"))) <= 2


def test_second_ingest_fails_clearly_while_one_runs(tmp_path, corpus):
    index_dir = IndexDir(tmp_path / "ix")
    with index_dir.lock():
        with pytest.raises(IndexBusy, match="another ingest"):
            ingest([corpus], index_dir)
    assert ingest([corpus], index_dir).added == 3  # the lock went with its holder


def test_killed_ingest_leaves_a_usable_index(tmp_path):
    corpus = tmp_path / "corpus"
    for n in range(1, 61):
        write(corpus / f"m{n:03d}.md", meeting_file(n, "环境保护工作。" * 200))
    index_dir = IndexDir(tmp_path / "ix")
    ingest([corpus], index_dir)
    for n in range(1, 61, 2):
        write(corpus / f"m{n:03d}.md", meeting_file(n, "第二版。" * 200))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for delay in (0.3, 0.8, 1.5):
        proc = subprocess.Popen([sys.executable, "-m", "archive", "ingest", str(corpus), "--index", str(index_dir.root)],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert Backend(index_dir).search(SearchRequest(q="环境保护"))["total"] >= 1
    s = ingest([corpus], index_dir)
    found = texts(index_dir)
    assert len(found) == len(set(found)) == 120
    assert sum("第二版" in t for t in found) == 30 and s.meetings == 60
