"""Incremental ingest, rebuilds, the ingest lock and crash safety."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive.engines import open_engine
from archive.engines.base import Engine
from archive.errors import IndexBusy, IndexOutdated
from archive.index.pipeline import ingest
from archive.search.request import SearchRequest
from archive.search.service import SearchService

from .conftest import ROOT, write


def texts(engine: Engine) -> list[str]:
    """Every indexed paragraph as "source: text"; a duplicate shows up twice."""
    with engine.index_dir.open().searcher() as s:
        return sorted(f'{d["source"]}: {d["text"]}' for d in s.documents(kind="p"))


def meeting_file(n: int, body: str = "") -> str:
    return f"# 第{n}次县务会议\n\n会议研究了第{n}项工作。{body}\n\n会议要求各部门抓好落实。\n"


@pytest.fixture()
def corpus(tmp_path) -> Path:
    for n in range(1, 4):
        write(tmp_path / "corpus" / f"m{n}.md", meeting_file(n))
    return tmp_path / "corpus"


def test_add_modify_delete(tmp_path, corpus):
    engine = open_engine(tmp_path / "ix")
    first = ingest([corpus], engine)
    assert (first.added, first.paragraphs, first.meetings) == (3, 9, 3)  # a title and two paragraphs each
    again = ingest([corpus], engine)
    assert (again.added, again.updated, again.unchanged, again.removed) == (0, 0, 3, 0)

    write(corpus / "m2.md", meeting_file(2, "新增森林防火要求。"))
    write(corpus / "sub" / "m4.md", meeting_file(4))
    (corpus / "m3.md").unlink()
    s = ingest([corpus], engine)
    assert (s.added, s.updated, s.unchanged, s.removed) == (1, 1, 1, 1)
    found = texts(engine)
    assert len(found) == len(set(found)) == 9
    assert any("森林防火" in t for t in found) and not any("第3项" in t for t in found)
    backend = SearchService(engine)
    assert backend.search(SearchRequest(q="第2项"))["total"] == 1
    assert backend.search(SearchRequest(q="第3项"))["total"] == 0
    assert backend.search(SearchRequest(q="第4项"))["hits"][0]["source"] == "sub/m4.md"


def test_ingesting_one_file_keeps_the_others(tmp_path, corpus):
    engine = open_engine(tmp_path / "ix")
    ingest([corpus], engine)
    write(corpus / "m1.md", meeting_file(1, "补充。"))
    s = ingest([corpus / "m1.md"], engine)
    assert (s.updated, s.removed) == (1, 0) and s.meetings == 3


def test_unreadable_file_is_reported_and_the_rest_ingested(tmp_path, corpus):
    (corpus / "bad.md").write_bytes(b"\x00\x01binary")
    write(corpus / "gbk.md", "# 会议\n\n麦积区召开会议。\n", encoding="gbk")
    engine = open_engine(tmp_path / "ix")
    s = ingest([corpus], engine)
    assert s.added == 4 and [f[0] for f in s.failed] == ["bad.md"] and "二进制文件" in s.failed[0][1]
    assert SearchService(engine).search(SearchRequest(q="麦积区"))["total"] == 1


def test_rebuild_swaps_generation(tmp_path, corpus):
    engine = open_engine(tmp_path / "ix")
    ingest([corpus], engine)
    before = engine.index_dir.current_name()
    backend = SearchService(engine)
    assert backend.search(SearchRequest(q="第1项"))["total"] == 1
    write(corpus / "m1.md", meeting_file(1, "重建后。"))
    s = ingest([corpus], engine, rebuild=True)
    assert s.rebuilt and engine.index_dir.current_name() != before
    assert backend.search(SearchRequest(q="重建后"))["total"] == 1  # picked up without restart
    assert len(list(engine.index_dir.root.glob("gen-*"))) <= 2


LEGACY = """
import sys
from pathlib import Path
from whoosh import index
from whoosh.analysis import SimpleAnalyzer
from whoosh.fields import TEXT, Schema

class MovedAway(type(SimpleAnalyzer())):  # a class whose module a later version no longer has
    pass

root = Path(sys.argv[1])
(root / "gen-000001").mkdir(parents=True)
index.create_in(str(root / "gen-000001"), Schema(text=TEXT(analyzer=MovedAway(SimpleAnalyzer().items))))
(root / "CURRENT").write_text("gen-000001\\n")
"""


def test_index_of_an_older_code_layout_is_outdated_and_rebuilt(tmp_path, corpus):
    """Whoosh pickles the schema's classes: an index written when they lived elsewhere cannot be read."""
    module = write(tmp_path / "legacy" / "legacy_layout.py", LEGACY)
    subprocess.run([sys.executable, str(module), str(tmp_path / "ix")], check=True, cwd=module.parent)
    engine = open_engine(tmp_path / "ix")
    with pytest.raises(IndexOutdated, match="--rebuild"):
        engine.reader()
    s = ingest([corpus], engine)
    assert s.rebuilt and s.added == 3
    assert SearchService(engine).search(SearchRequest(q="第2项"))["total"] == 1


def test_second_ingest_fails_clearly_while_one_runs(tmp_path, corpus):
    engine = open_engine(tmp_path / "ix")
    with engine.index_dir.lock():
        with pytest.raises(IndexBusy, match="另一个导入"):
            ingest([corpus], engine)
    assert ingest([corpus], engine).added == 3  # the lock went with its holder


@pytest.mark.slow
def test_killed_ingest_leaves_a_usable_index(tmp_path):
    corpus = tmp_path / "corpus"
    for n in range(1, 61):
        write(corpus / f"m{n:03d}.md", meeting_file(n, "环境保护工作。" * 200))
    engine = open_engine(tmp_path / "ix")
    ingest([corpus], engine)
    for n in range(1, 61, 2):
        write(corpus / f"m{n:03d}.md", meeting_file(n, "第二版。" * 200))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for delay in (0.3, 0.8, 1.5):
        proc = subprocess.Popen([sys.executable, "-m", "archive", "ingest", str(corpus), "--index", str(engine.index_dir.root)],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert SearchService(engine).search(SearchRequest(q="环境保护"))["total"] >= 1
    s = ingest([corpus], engine)
    found = texts(engine)
    assert len(found) == len(set(found)) == 180  # (each of the 60 meetings: its title and two paragraphs)
    assert sum("第二版" in t for t in found) == 30 and s.meetings == 60


def test_index_of_an_older_segment_format_is_outdated_and_rebuilt(tmp_path, corpus):
    """An index written before stored documents were compressed in blocks (Whoosh's own stored column,
    no format in its meta) asks for a rebuild instead of being misread, and an ingest rebuilds it."""
    from whoosh import index as whoosh_index

    from archive.analysis import ANALYZER_VERSION, SEGMENTER
    from archive.engines.whoosh.schema import make_schema

    (tmp_path / "ix" / "gen-000001").mkdir(parents=True)
    ix = whoosh_index.create_in(str(tmp_path / "ix" / "gen-000001"), make_schema())
    with ix.writer() as w:  # Whoosh's own writer and codec: the layout of the previous version
        w.add_document(kind="p", id="x-p1", text="第9项旧格式", info={})
        w.add_document(kind="meta", id="meta", info={"analyzer": ANALYZER_VERSION, "segmenter": SEGMENTER})
    (tmp_path / "ix" / "CURRENT").write_text("gen-000001\n")
    engine = open_engine(tmp_path / "ix")
    with pytest.raises(IndexOutdated, match="segment format 1.*archive ingest --rebuild"):
        engine.reader()
    s = ingest([corpus], engine)
    assert s.rebuilt and s.added == 3
    assert SearchService(engine).search(SearchRequest(q="第2项"))["total"] == 1
    assert SearchService(engine).search(SearchRequest(q="旧格式"))["total"] == 0
