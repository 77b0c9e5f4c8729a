"""The PostgreSQL engine answers as the Whoosh engine does.

The sample corpus and a small corpus written here are ingested into both
engines; the search service must then give the same JSON (took_ms aside) for
a wide set of requests, with scores agreeing to 1e-6 relative (compared
unrounded, engine to engine), the same meetings, suggestions, neighbours and
exports; and after incremental ingests (add, modify, delete) the same as the
Whoosh engine again. Then what is the database's own: the ingest lock,
snapshots during an ingest, a rebuild swapped in under a reader, a missing or
outdated schema, an unreachable server, and a killed ingest.

The server is a throwaway one (tests/pg.py): skipped, saying why, where the
PostgreSQL binaries are missing (`apt-get install postgresql`).
"""

import json
import math
import os
import random
import shutil
import subprocess
import sys
import threading
import time
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed (pip install -e .)")

from archive.analysis import unit_string  # noqa: E402
from archive.engines import open_engine  # noqa: E402
from archive.engines.base import Filters  # noqa: E402
from archive.engines.postgres import PostgresEngine  # noqa: E402
from archive.engines.postgres import postings  # noqa: E402
from archive.engines.postgres.lock import LOCK_KEY  # noqa: E402
from archive.engines.postgres.connect import DatabaseUnavailable  # noqa: E402
from archive.errors import IndexBusy, IndexMissing, IndexOutdated  # noqa: E402
from archive.index.pipeline import ingest  # noqa: E402
from archive.facets import fields as facet_fields  # noqa: E402
from archive.search.request import SearchRequest  # noqa: E402
from archive.search.service import SearchService  # noqa: E402

from .conftest import COUNTY_MINUTES, ROOT, SAMPLE, write  # noqa: E402

SMALL = {
    "会议/甘肃会议.md": """# 天水市环境保护工作会议记录篇一

2023年12月6日，甘肃省天水市麦积区召开环境保护工作会议。

会议指出，环境保护是重中之重，环境质量总体改善。哈哈哈哈，大家笑了。

会议要求：

会议要求：

一、加强森林防火工作。

第5次会议在725会议室召开，完成六个100%目标。

# 天水市环境保护工作会议记录篇二

x年11月8日，会议研究了秦州区的垃圾处理问题，啊啊啊。

會議要求實行限批，加強環境保護，ＡＢＣ与abc并用。

路径 C:\\\\data\\\\x 与 "引号" 以及 😀 表情 😀😀。
""",
    "会议/四川会议.md": """---
title: 县长办公会议纪要
date: 2021-03-05
region: 阿坝
topics: [森林防火]
---
# 会议

四川省阿坝州部署森林防火和草原防火工作，防火期内严禁野外用火。

会议要求各地做好防汛准备，环境整治不放松。
""",
    "其他/县政府常务会议.md": COUNTY_MINUTES,
    "其他/短.md": """# 第3次党委会

研究了无人机巡检工作。

会议要求：

环境
""",
}

# Requests in the manner of tests/test_search.py and tests/test_facets.py.
QUERIES = [
    "环境", "森林 防火", "森林 OR 督察", "环境 -督察", "环境 NOT 督察", "(森林 OR 督察) 会议", "环境 -环保",
    "环境保护", "森林防火", '"严格整改标准"', '"环境保护"', "森林防火 巴中市", "区域限批", '"区域限批"',
    "title:环境", "环境*", "?", '"环境', "((环境", "环境 )", "OR 环境", "坏境", "督茶", "哈哈", "哈哈哈", '"哈哈哈哈"',
    "啊啊", "😀", "😀😀", "abc", "ＡＢＣ", "100%", "第5次", "725会议室", "環境保護", '"加強環境"', "环境保护 实行",
    "汶川地震 灾后重建 援建", "会议要求", "会", "的", "法", "路径", "C:\\data", '"引号"', "防火 -草原",
    "森林 OR 草原 防火", "环保", "二孩", "无人机", "党委会", "第3项",
]
FILTERS = [
    {}, {"region": "甘肃"}, {"region": "甘肃省"}, {"region": "天水市"}, {"region": "麦积区"},
    {"region": "甘肃省/天水市/麦积区"}, {"region": "四川"}, {"region": "北京"}, {"topic": "森林防火"},
    {"date_from": "2023"}, {"date_from": "2023-12"}, {"date_to": "2022"}, {"date_from": "2020", "date_to": "2020"},
    {"month": 12}, {"month": 11}, {"region": "四川", "topic": "森林防火", "date_from": "2021"},
    {"person": "张明华"}, {"person": "李建國"}, {"role": "decision"}, {"role": "action"},
    {"person": "李建国", "role": "action", "region": "江西"},
]


def _cjk(c: str) -> bool:
    return unicodedata.category(c) == "Lo"


def literal_runs(texts: list[str], count: int, seed: int) -> list[str]:
    """Random runs of 1 to 5 characters of the texts (some of Chinese only, some of any units)."""
    rng = random.Random(seed)
    pool = [unit_string(t) for t in texts if len(unit_string(t)) > 8]
    runs = set()
    while len(runs) < count:
        text = rng.choice(pool)
        n = rng.randint(1, 5)
        i = rng.randrange(0, len(text) - n)
        run = text[i:i + n]
        if '"' not in run and (len(runs) % 3 == 0 or all(map(_cjk, run))):
            runs.add(run)
    return sorted(runs)


# -- comparing two engines ---------------------------------------------------------

def without_timing(result: dict) -> dict:
    out = dict(result)
    out.pop("took_ms")
    return out


def raw(service: SearchService, req: SearchRequest) -> list[tuple[str, float | None]]:
    """Every hit of a request as (paragraph id, unrounded score), in the engine's order."""
    reader = service.engine.reader()
    found = service._find(reader, req).found
    page = found.page(req.sort, 0, found.total)
    records = reader.paragraphs([k for k, _ in page])
    return [(r["id"], s) for r, (_, s) in zip(records, page)]


def assert_same_scores(a: list, b: list, ordered: bool = True, what=None) -> None:
    if ordered:
        assert [i for i, _ in a] == [i for i, _ in b], what
        pairs = zip((s for _, s in a), (s for _, s in b))
    else:
        sa, sb = dict(a), dict(b)
        assert sa.keys() == sb.keys() and len(sa) == len(a), what
        pairs = ((sa[k], sb[k]) for k in sa)
    for x, y in pairs:
        assert (x is None) == (y is None), what
        if x is not None:
            assert math.isclose(x, y, rel_tol=1e-6, abs_tol=1e-9), (what, x, y)


def assert_same_search(w: SearchService, p: SearchService, req: SearchRequest, scores: bool = True) -> None:
    a, b = without_timing(w.search(req)), without_timing(p.search(req))
    if a != b:  # a score rounded on either side of a 4th decimal is not a difference
        for x, y in zip(a["hits"], b["hits"]):
            if x["score"] is not None and y["score"] is not None and abs(x["score"] - y["score"]) <= 1.5e-4:
                y["score"] = x["score"]
    assert a == b, req
    if scores and req.q.strip():
        assert_same_scores(raw(w, req), raw(p, req), what=req)


# -- the engines -------------------------------------------------------------------

@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("pgcorpus")
    shutil.copy(SAMPLE, root / SAMPLE.name)
    for name, text in SMALL.items():
        write(root / name, text)
    return root


@pytest.fixture(scope="module")
def engines(pg_server, corpus, tmp_path_factory):  # noqa: F811
    whoosh = open_engine(tmp_path_factory.mktemp("wix"))
    pg = PostgresEngine(pg_server.create_database())
    s1, s2 = ingest([corpus], whoosh), ingest([corpus], pg)
    assert (s2.added, s2.meetings, s2.paragraphs, s2.failed) == (s1.added, s1.meetings, s1.paragraphs, s1.failed)
    assert s2.rebuilt and s2.added == len(SMALL) + 1
    yield SearchService(whoosh), SearchService(pg)
    pg.close()


def all_texts(service: SearchService) -> list[str]:
    res = service.search(SearchRequest(per_page=100, sort="oldest"))
    texts = [h["text"] for h in res["hits"]]
    for page in range(2, res["total"] // 100 + 2):
        texts += [h["text"] for h in service.search(SearchRequest(per_page=100, page=page, sort="oldest"))["hits"]]
    assert len(texts) == res["total"]
    return texts


def queries_answer_alike(w: SearchService, p: SearchService) -> None:
    for q in QUERIES:
        for expand in (True, False):
            assert_same_search(w, p, SearchRequest(q=q, expand=expand))


def filters_sorts_and_pages_answer_alike(w: SearchService, p: SearchService) -> None:
    for q in ("", "环境", "会议", "森林 OR 防火", "环境 -督察"):
        for filters in FILTERS:
            for sort in ("relevance", "newest", "oldest"):
                assert_same_search(w, p, SearchRequest(q=q, sort=sort, **filters))
        for page in (1, 2, 3, 40):
            assert_same_search(w, p, SearchRequest(q=q, page=page, per_page=7))


def test_queries_answer_alike(engines):
    queries_answer_alike(*engines)


def test_filters_sorts_and_pages_answer_alike(engines):
    filters_sorts_and_pages_answer_alike(*engines)


@pytest.mark.slow
def test_literal_runs_of_one_to_five_characters(engines):
    w, p = engines
    texts = all_texts(w)
    assert all_texts(p) == texts
    for run in literal_runs(texts, 80, seed=11):
        for q in (run, f'"{run}"'):
            assert_same_search(w, p, SearchRequest(q=q, per_page=50))
        expected = sum(run in unit_string(t) for t in texts)
        assert p.search(SearchRequest(q=f'"{run}"'))["total"] == expected, run


def unstamped(meeting: dict | None) -> dict | None:
    return {k: v for k, v in meeting.items() if k != "ingested"} if meeting is not None else None


def test_meetings_suggestions_neighbours_exports(engines):
    meetings_suggestions_neighbours_exports_alike(*engines)


def meetings_suggestions_neighbours_exports_alike(w: SearchService, p: SearchService) -> None:
    ids = {h["meeting_id"] for h in w.search(SearchRequest(per_page=100))["hits"]}
    ids |= {h["meeting_id"] for h in w.search(SearchRequest(per_page=100, page=2))["hits"]}
    assert len(ids) > 8
    for mid in sorted(ids) + ["nope-1", ""]:
        # (each engine stamps its own ingest run's time)
        assert unstamped(w.meeting(mid)) == unstamped(p.meeting(mid)), mid
    for q in ("坏境", "森林防水", "环竟保护", "督茶", "xyz", "环境", "", "哈哈哈哈哈"):
        assert w.suggest(q) == p.suggest(q), q
    for q, sort in (("环境", "relevance"), ("会议", "newest"), ("森林 OR 防火", "oldest")):
        req = SearchRequest(q=q, sort=sort)
        for hit in w.search(req.with_(per_page=30))["hits"][::4]:
            n = int(hit["id"].rsplit("-p", 1)[1])
            assert w.neighbours(req, hit["meeting_id"], n) == p.neighbours(req, hit["meeting_id"], n)
            assert w.neighbours(req, hit["meeting_id"], None) == p.neighbours(req, hit["meeting_id"], None)
        assert list(w.export(req, 40)) == list(p.export(req, 40))


def test_facet_values_and_reader_vocabulary(engines):
    w, p = engines
    rw, rp = w.engine.reader(), p.engine.reader()
    for field in facet_fields():
        if field != "ingested":  # (each engine's own ingest times)
            assert rw.facet_values(field) == rp.facet_values(field), field
    assert {"张明华", "李建国"} <= set(rp.facet_values("person")) and "decision" in rp.facet_values("role")
    for unit in "环境会议防火哈😀a":
        assert sorted(rw.next_units(unit)) == sorted(rp.next_units(unit)), unit
        assert sorted(rw.previous_units(unit)) == sorted(rp.previous_units(unit)), unit
    for gram in ("环境", "哈哈", "防火", "xx"):
        assert rw.bigram_frequency(gram) == rp.bigram_frequency(gram), gram


# -- incremental ingest -------------------------------------------------------------

INCREMENTAL_QUERIES = ["环境", "会议", "第2项", "森林 OR 防火", "第二版", '"会议要求"', "的", "工作"]


def meeting_file(n: int, body: str = "") -> str:
    return f"# 第{n}次县务会议\n\n会议研究了第{n}项工作。{body}\n\n会议要求各部门抓好落实，环境整治不放松。\n"


PER_FILE = 3  # paragraphs of a meeting_file, each holding 会议: its title and two


@pytest.mark.parametrize("parts", [postings.PARTS_MAX, 1])
def test_incremental_ingest_answers_as_whoosh(pg_server, tmp_path, monkeypatch, parts):  # noqa: F811
    """Each run adds a part to its terms' postings; with PARTS_MAX 1, every run merges them into the terms rows."""
    monkeypatch.setattr(postings, "PARTS_MAX", parts)
    corpus = tmp_path / "corpus"
    for n in range(1, 4):
        write(corpus / f"m{n}.md", meeting_file(n))
    whoosh, pg = open_engine(tmp_path / "wix"), PostgresEngine(pg_server.create_database())
    w, p = SearchService(whoosh), SearchService(pg)
    steps = [
        lambda: None,
        lambda: write(corpus / "m4.md", meeting_file(4, "新增森林防火工作。")),
        lambda: write(corpus / "m2.md", meeting_file(2, "第二版：环境保护的工作。")),
        lambda: (corpus / "m1.md").unlink(),
        lambda: None,
    ]
    for i, step in enumerate(steps):
        step()
        sw, sp = ingest([corpus], whoosh), ingest([corpus], pg)
        with psycopg.connect(pg.url) as conn:
            most = conn.execute("SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM archive.postings "
                                "GROUP BY field, term) AS t").fetchone()[0]
        assert most < parts, (i, most)  # (1: every part merged into the terms rows at once)
        keys = ("added", "updated", "unchanged", "removed", "meetings", "paragraphs")
        assert {k: getattr(sp, k) for k in keys} == {k: getattr(sw, k) for k in keys}, i
        # A fresh Whoosh index of the same files: the statistics without deleted documents.
        fresh = SearchService(open_engine(tmp_path / f"fresh{i}"))
        ingest([corpus], fresh.engine)
        for q in INCREMENTAL_QUERIES:
            for sort in ("newest", "oldest"):
                assert_same_search(w, p, SearchRequest(q=q, sort=sort, per_page=100), scores=False)
            a, b = without_timing(fresh.search(SearchRequest(q=q, per_page=100))), \
                without_timing(p.search(SearchRequest(q=q, per_page=100)))
            assert (a["total"], a["facets"]) == (b["total"], b["facets"]), (i, q)
            assert_same_scores(raw(fresh, SearchRequest(q=q)), raw(p, SearchRequest(q=q)), ordered=False, what=(i, q))
    pg.close()


def test_a_live_engine_sees_new_minutes_on_its_next_request(pg_server, tmp_path):  # noqa: F811
    write(tmp_path / "c" / "a.md", meeting_file(1))
    url = pg_server.create_database()
    serving, ingesting = PostgresEngine(url), PostgresEngine(url)
    ingest([tmp_path / "c"], ingesting)
    service = SearchService(serving)
    assert service.search(SearchRequest(q="会议"))["total"] == PER_FILE
    before = serving.reader()  # a request in flight keeps its snapshot
    write(tmp_path / "c" / "b.md", meeting_file(2))
    ingest([tmp_path / "c"], ingesting)
    assert service.search(SearchRequest(q="会议"))["total"] == 2 * PER_FILE
    found = before.find(None, Filters(), False)
    assert found.total == PER_FILE and len(before.paragraphs([k for k, _ in found.page("index", 0, 10)])) == PER_FILE
    before.close()
    serving.close()
    ingesting.close()


# -- what is the database's own ------------------------------------------------------

@pytest.mark.slow
def test_a_second_ingest_fails_at_once_or_waits(pg_server, tmp_path):  # noqa: F811
    write(tmp_path / "c" / "a.md", meeting_file(1))
    engine = PostgresEngine(pg_server.create_database())
    with engine.indexer():
        started = time.monotonic()
        with pytest.raises(IndexBusy, match=r"另一个导入（archive ingest \(pid \d+\).*--wait"):
            ingest([tmp_path / "c"], engine)
        assert time.monotonic() - started < 2
        with pytest.raises(IndexBusy):
            ingest([tmp_path / "c"], engine, wait=0.5)
        assert time.monotonic() - started >= 0.5
    holder = engine.indexer()
    holder.__enter__()
    threading.Timer(0.5, lambda: holder.__exit__(None, None, None)).start()
    assert ingest([tmp_path / "c"], engine, wait=20).added == 1  # waited for the holder
    engine.close()


def test_missing_outdated_and_unreachable(pg_server, tmp_path):  # noqa: F811
    url = pg_server.create_database()
    engine = PostgresEngine(url)
    assert not engine.exists()
    with pytest.raises(IndexMissing, match=r"请运行 `archive ingest --database URL`"):
        engine.reader()
    with pytest.raises(IndexMissing):
        SearchService(engine).search(SearchRequest(q="环境"))
    write(tmp_path / "c" / "a.md", meeting_file(1))
    ingest([tmp_path / "c"], engine)
    assert engine.exists()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE archive.schema_version SET version = 0")
    with pytest.raises(IndexOutdated, match=r"架构版本 0.*archive ingest --database URL --rebuild"):
        engine.reader()
    s = ingest([tmp_path / "c"], engine)
    assert s.rebuilt and s.added == 1
    assert SearchService(engine).search(SearchRequest(q="第1项"))["total"] == 1
    with psycopg.connect(url, autocommit=True) as conn:  # built by another analysis version
        conn.execute("""UPDATE archive.state SET meta = '{"analyzer": "0-old", "segmenter": "x"}'""")
    with pytest.raises(IndexOutdated, match=r"分析器 0-old.*--rebuild"):
        engine.reader()
    s = ingest([tmp_path / "c"], engine)
    assert s.rebuilt and s.added == 1
    assert SearchService(engine).search(SearchRequest(q="第1项"))["total"] == 1
    engine.close()
    gone = PostgresEngine(f"postgresql://archive@/nothing?host={tmp_path}/no-such-folder")
    with pytest.raises(DatabaseUnavailable, match="无法连接数据库"):
        gone.reader()
    with pytest.raises(DatabaseUnavailable):
        ingest([tmp_path / "c"], gone)


def test_a_failed_ingest_leaves_the_state_before(pg_server, tmp_path):  # noqa: F811
    for n in range(1, 4):
        write(tmp_path / "c" / f"m{n}.md", meeting_file(n))
    engine = PostgresEngine(pg_server.create_database())
    ingest([tmp_path / "c"], engine)
    write(tmp_path / "c" / "m2.md", meeting_file(2, "第二版。"))
    write(tmp_path / "c" / "m9.md", meeting_file(9))

    def fail(done, total, source):
        if done == total:
            raise KeyboardInterrupt

    for rebuild in (False, True):
        with pytest.raises(KeyboardInterrupt):
            ingest([tmp_path / "c"], engine, rebuild=rebuild, progress=fail)
        service = SearchService(engine)
        assert service.search(SearchRequest(q="会议"))["total"] == 3 * PER_FILE
        assert service.search(SearchRequest(q="第二版"))["total"] == 0
    assert ingest([tmp_path / "c"], engine).added == 1  # and no lock was left behind
    engine.close()


@pytest.mark.slow
def test_a_rebuild_is_swapped_in_after_the_searches_reading_the_old_state(pg_server, tmp_path):  # noqa: F811
    write(tmp_path / "c" / "a.md", meeting_file(1))
    engine = PostgresEngine(pg_server.create_database())
    ingest([tmp_path / "c"], engine)
    service = SearchService(engine)
    for _ in range(8):  # (statements the pool's connections have prepared outlive the swap)
        assert service.search(SearchRequest(q="会议"))["total"] == PER_FILE
    reader = engine.reader()  # a long search in progress
    write(tmp_path / "c" / "b.md", meeting_file(2))
    done = threading.Event()
    rebuild = threading.Thread(target=lambda: (ingest([tmp_path / "c"], engine, rebuild=True), done.set()))
    rebuild.start()
    assert not done.wait(1.5)  # the new schema waits for the reader to finish
    started = time.monotonic()
    assert service.search(SearchRequest(q="会议"))["total"] == PER_FILE  # other searches still answer, from the old state
    assert time.monotonic() - started < 5
    assert reader.find(None, Filters(), False).total == PER_FILE
    reader.close()
    rebuild.join(30)
    assert done.is_set()
    for _ in range(8):
        assert service.search(SearchRequest(q="会议"))["total"] == 2 * PER_FILE
    engine.close()


def stored(url: str) -> list[str]:
    """Every paragraph in the database as "source: text" (as tests/test_reliability.py lists an index)."""
    with psycopg.connect(url) as conn:
        return sorted(f"{source}: {text}" for source, text in
                      conn.execute("SELECT source, text FROM archive.paragraphs").fetchall())


def wait_for_the_lock(url: str, timeout: float = 30) -> None:
    """Until no ingest holds the lock: a killed run's server process has rolled back or committed."""
    with psycopg.connect(url, autocommit=True) as conn:
        deadline = time.monotonic() + timeout
        while not conn.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,)).fetchone()[0]:
            assert time.monotonic() < deadline, "a killed ingest's server process still holds the lock"
            time.sleep(0.05)
        conn.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))


class Watcher(threading.Thread):
    """Searches all along, each reader reading every paragraph: an answer is one of `states`, or it is mixed."""

    def __init__(self, engine, states: set):
        super().__init__(daemon=True)
        self.engine, self.states = engine, states
        self.service = SearchService(engine)
        self.stop = threading.Event()
        self.answers, self.failed, self.mixed = 0, [], []

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                reader = self.engine.reader()
                try:
                    found = reader.find(None, Filters(), False)
                    keys = [k for k, _ in found.page("index", 0, found.total)]
                    seen = tuple(sorted(f"{r['source']}: {r['text']}" for r in reader.paragraphs(keys)))
                finally:
                    reader.close()
                if seen not in self.states:
                    self.mixed.append(len(seen))
                result = self.service.search(SearchRequest(q="会议记录 第1段", per_page=5))
                assert result["total"] >= len(result["hits"]) > 0
                self.answers += 1
            except Exception as exc:  # noqa: BLE001  (counted: a search during an ingest must not fail)
                self.failed.append(repr(exc))


KILLS = (("incremental", 6), ("rebuild", 4))  # per layout: 20 in all, half of them after 100%, in the commit


@pytest.mark.slow
@pytest.mark.parametrize("layout", ["one node", "two shards"])
def test_killed_ingest_leaves_the_state_before_or_after(layout, request, tmp_path):
    """`archive ingest` SIGKILLed, half of the kills spread over a run, half in its commit; searches meanwhile."""
    from .test_reliability import Corpus, Run, kill_at, kill_plan
    servers = request.getfixturevalue("pg_server" if layout == "one node" else "pg_cluster")
    url = servers.create_database()
    corpus = Corpus(tmp_path / "corpus", paragraphs=25)
    for n in range(18):  # 16 files or more: a rebuild prepares them in worker processes
        corpus.put(n, 0)
    engine = PostgresEngine(url)
    ingest([corpus.dir], engine)
    state = corpus.expected()
    assert stored(url) == state
    states = {tuple(state)}
    watcher = Watcher(engine, states)
    watcher.start()
    phases, outcomes, orphans = Counter(), Counter(), []
    try:
        for mode, kills in KILLS:
            args = ("--wait", "60", *(("--rebuild",) if mode == "rebuild" else ()))
            corpus.mutate()
            states.add(tuple(corpus.expected()))
            calibration = Run(corpus.dir, engine, *args)
            assert calibration.wait() == 0, calibration.stderr()
            state = corpus.expected()
            assert stored(url) == state
            corpus.mutate()
            pending = corpus.expected()
            states.add(tuple(pending))
            plan, scale, done = kill_plan(calibration, kills), 1.0, 0
            while done < kills:
                run = Run(corpus.dir, engine, *args)
                phase, left = kill_at(run, plan[done][0], plan[done][1] * scale)
                if phase:
                    phases[phase] += 1
                    done += 1
                else:  # quicker than the run measured: aim earlier from now on
                    scale *= 0.9
                    assert run.wait() == 0, run.stderr()
                orphans += left
                wait_for_the_lock(url)
                after = stored(url)
                assert after in (state, pending), f"{layout}, {mode}: neither the state before nor after"
                assert SearchService(engine).search(SearchRequest())["total"] == len(after)
                if after == pending:
                    outcomes["after"] += 1
                    state = pending
                    corpus.mutate()
                    pending = corpus.expected()
                    states.add(tuple(pending))
                else:
                    outcomes["before"] += 1
            final = Run(corpus.dir, engine, *args)
            assert final.wait() == 0, final.stderr()
            assert stored(url) == pending
            state = pending
    finally:
        watcher.stop.set()
        watcher.join(30)
        engine.close()
    print(f"\nSIGKILL ({layout}):", dict(phases), dict(outcomes), f"searches meanwhile {watcher.answers}, "
          f"failed {len(watcher.failed)}, mixed {len(watcher.mixed)}")
    assert not orphans, f"worker processes outlived their killed ingest: {orphans}"
    assert sum(phases.values()) == sum(k for _, k in KILLS) and phases["last file, commit or publish"] >= 4, phases
    assert not watcher.failed and not watcher.mixed and watcher.answers > 20, (watcher.failed[:3], watcher.mixed[:3])


@pytest.mark.parametrize("engine_kind", ["whoosh"], indirect=True)  # sample_index: the Whoosh index, the reference
def test_cli_takes_a_database(pg_server, sample_index, tmp_path):  # noqa: F811
    """`--database URL` (and $ARCHIVE_DATABASE_URL) chooses PostgreSQL; the answers are the Whoosh index's."""
    url = pg_server.create_database("cli_database")
    corpus = tmp_path / "corpus"  # the sample alone, as sample_index holds it (corpus/ also has the demo)
    corpus.mkdir()
    shutil.copy(SAMPLE, corpus / SAMPLE.name)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cli = [sys.executable, "-m", "archive"]
    done = subprocess.run([*cli, "ingest", str(corpus), "--database", url], capture_output=True, text=True,
                          cwd=ROOT, env=env)
    assert done.returncode == 0, done.stderr
    out = subprocess.run([*cli, "search", "森林防火", "--json"], capture_output=True, text=True, cwd=ROOT,
                         env={**env, "ARCHIVE_DATABASE_URL": url})
    answer = json.loads(out.stdout)
    expected = SearchService(sample_index).search(SearchRequest(q="森林防火"))
    answer.pop("took_ms"), expected.pop("took_ms")
    assert answer == expected and answer["total"] > 0


def test_units_made_by_sql_are_the_units_string(pg_server):  # noqa: F811
    """Where a row leaves `units` NULL, the check of a literal run makes it from the text in SQL."""
    from archive.engines.postgres.rows import FULL_WIDTH, HALF_WIDTH, TEXT_UNITS_SQL, stored_units
    texts = ["第一条　为了保护环境，制定本条例。", "ＧＢ／Ｔ 16180 劳动能力鉴定", "Ａ（ａ） b\u3000c", "環境保護", "x\ty",
             FULL_WIDTH, "Ｅｎｇｌｉｓｈ", "a\u00a0b", "（一）　依法；", ""]
    with psycopg.connect(pg_server.create_database()) as conn:
        for text in texts:
            units = unit_string(text)
            made = conn.execute(f"SELECT {TEXT_UNITS_SQL} FROM (SELECT %s::text AS text) AS p",
                                (FULL_WIDTH, HALF_WIDTH, text)).fetchone()[0]
            assert (made == units) == (stored_units(text, units) is None), text
    assert stored_units("第一条　为了（一）", unit_string("第一条　为了（一）")) is None
    assert stored_units("環境", unit_string("環境")) == "环境"
