"""A coordinator and two shards answer as one PostgreSQL node does.

The corpus of tests/test_postgres.py is ingested into one node and into a
cluster (tests/pg.py: three throwaway servers, the archive laid out by
init_cluster); the search service must give the same JSON for the same wide
set of requests (hits, scores, totals, facets, filters, sorts, pages),
meetings, suggestions, neighbours and exports. Then what is the cluster's
own: the rows are spread over both shards by meeting; the Remote SQL carries
the text conditions and the facet aggregation runs on the shards (EXPLAIN
VERBOSE); a stopped shard is an error naming it from the service and ingest, a generic 503 from the web API
under waitress, and the cluster answers again once it is back;
incremental ingest and removal, a rebuild swapped in under a reader, and
`archive db init`.
"""

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import quote

import pytest

psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed (pip install -e .)")

from archive.engines.base import Filters  # noqa: E402
from archive.engines.postgres import PostgresEngine  # noqa: E402
from archive.engines.postgres.arrays import check_sql  # noqa: E402
from archive.engines.postgres.cluster import SETS  # noqa: E402
from archive.engines.postgres.connect import DatabaseUnavailable, redact  # noqa: E402
from archive.index.pipeline import ingest  # noqa: E402
from archive.search.request import SearchRequest  # noqa: E402
from archive.search.service import SearchService  # noqa: E402
from web import create_app  # noqa: E402

from .conftest import ROOT, SAMPLE, write  # noqa: E402
from .test_postgres import (INCREMENTAL_QUERIES, PER_FILE, SMALL, all_texts, assert_same_search,  # noqa: E402
                            filters_sorts_and_pages_answer_alike, meeting_file,
                            meetings_suggestions_neighbours_exports_alike, queries_answer_alike, without_timing)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("shardcorpus")
    write(root / SAMPLE.name, SAMPLE.read_text(encoding="utf-8"))
    for name, text in SMALL.items():
        write(root / name, text)
    return root


@pytest.fixture(scope="module")
def engines(pg_server, pg_cluster, corpus):  # noqa: F811
    """(one node, two shards) as search services over the same corpus."""
    one, sharded = PostgresEngine(pg_server.create_database()), PostgresEngine(pg_cluster.create_database())
    s1, s2 = ingest([corpus], one), ingest([corpus], sharded)
    assert (s2.added, s2.meetings, s2.paragraphs, s2.failed) == (s1.added, s1.meetings, s1.paragraphs, s1.failed)
    assert s2.rebuilt and s2.added == len(SMALL) + 1
    yield SearchService(one), SearchService(sharded)
    one.close()
    sharded.close()


@pytest.fixture(scope="module")
def small_cluster(pg_cluster, tmp_path_factory):  # noqa: F811
    """A clustered archive of three meetings (for the tests that the edit loop runs too): (engine, corpus)."""
    corpus = tmp_path_factory.mktemp("small") / "c"
    for n in range(1, 4):
        write(corpus / f"m{n}.md", meeting_file(n))
    engine = PostgresEngine(pg_cluster.create_database())
    ingest([corpus], engine)
    yield engine, corpus
    engine.close()


def shard_rows(cluster, url: str, table: str) -> list[int]:
    """The rows of a table in each shard's live set of the clustered archive at `url`."""
    name = url.split("@/", 1)[1].split("?", 1)[0]
    with psycopg.connect(url) as conn:
        live = conn.execute("SELECT live FROM archive_cluster.layout").fetchone()[0]
    counts = []
    for shard in cluster.shards:
        with psycopg.connect(shard.url(name)) as conn:
            counts.append(conn.execute(f"SELECT count(*) FROM {live}.{table}").fetchone()[0])
    return counts


@pytest.mark.slow
def test_rows_are_spread_over_the_shards_by_meeting(engines, pg_cluster):  # noqa: F811
    one, sharded = engines
    url = sharded.engine.url
    paragraphs, meetings = shard_rows(pg_cluster, url, "paragraphs"), shard_rows(pg_cluster, url, "meetings")
    total = one.search(SearchRequest())["total"]
    assert sum(paragraphs) == total and min(paragraphs) > 0, paragraphs
    assert min(meetings) > 0, meetings
    with psycopg.connect(url) as conn:  # a meeting and its paragraphs on one shard
        split = conn.execute("""SELECT count(*) FROM (SELECT meeting_id FROM archive.paragraphs
                                GROUP BY meeting_id HAVING count(DISTINCT tableoid) > 1) AS m""").fetchone()[0]
        local = [conn.execute(f"SELECT count(*) FROM archive.{t}").fetchone()[0] for t in ("terms", "files")]
    assert split == 0 and min(local) > 0


@pytest.mark.slow
def test_queries_answer_alike(engines):
    queries_answer_alike(*engines)


@pytest.mark.slow
def test_filters_sorts_and_pages_answer_alike(engines):
    filters_sorts_and_pages_answer_alike(*engines)


@pytest.mark.slow
def test_meetings_suggestions_neighbours_exports(engines):
    one, sharded = engines
    assert all_texts(sharded) == all_texts(one)
    meetings_suggestions_neighbours_exports_alike(one, sharded)


# -- pushdown -------------------------------------------------------------------------

def explain(url: str, query: str, params=None) -> str:
    with psycopg.connect(url) as conn:
        conn.execute("SET enable_partitionwise_aggregate = on")
        return "\n".join(r[0] for r in conn.execute("EXPLAIN VERBOSE " + query, params).fetchall())


def remote_sql(plan: str) -> list[str]:
    return [line.split("Remote SQL:", 1)[1].strip() for line in plan.splitlines() if "Remote SQL:" in line]


def test_the_check_of_a_runs_candidates_runs_on_the_shards(small_cluster):
    url = small_cluster[0].url
    run = "环境保护"
    plan = explain(url, *check_sql(run, [1, 2, 3]))
    remote = remote_sql(plan)
    assert plan.count("Async Foreign Scan") == 2 and len(remote) == 2, plan  # both shards at once
    for sql in remote:  # the exact check of a run's candidates, on the shard
        assert "seq = ANY (" in sql and "strpos(replace(replace(text" in sql and f"'{run}'::text" in sql, sql


# -- a shard that is down ----------------------------------------------------------------

def get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(quote(url, safe=":/?=&"), timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.fixture()
def served(small_cluster):
    """The small clustered archive behind the real app under waitress: (engine, base URL, corpus)."""
    from waitress import create_server
    engine, corpus = small_cluster
    server = create_server(create_app(engine), host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield engine, f"http://127.0.0.1:{server.effective_port}", corpus
    server.close()
    thread.join(timeout=5)


def test_a_stopped_shard_is_a_503_never_a_partial_answer(pg_cluster, served):  # noqa: F811
    engine, base, corpus = served
    service = SearchService(engine)
    before = without_timing(service.search(SearchRequest(q="会议")))
    meeting_id = before["hits"][0]["meeting_id"]
    assert before["total"] == 3 * PER_FILE and get(f"{base}/api/search?q=会议")[0] == 200
    shard = pg_cluster.shards[1]
    location = redact(shard.url(engine.url.split("@/", 1)[1].split("?", 1)[0]))
    pg_cluster.stop_shard(1)
    try:
        for req in (SearchRequest(q="会议"), SearchRequest(q="第2项"), SearchRequest(), SearchRequest(q="会议")):
            with pytest.raises(DatabaseUnavailable, match="分片 2/2") as found:
                service.search(req)
            assert location in str(found.value)
        with pytest.raises(DatabaseUnavailable, match="分片 2/2"):
            service.meeting(meeting_id)
        for path in ("/api/search?q=会议", "/api/search", f"/api/meetings/{meeting_id}"):
            status, answer = get(base + path)
            # The service names the shard (above); a client is told nothing of the layout (the server's log is).
            assert status == 503 and answer["error"] == "服务暂不可用，请稍后再试。", answer
            assert "shard" not in answer["error"] and "分片" not in answer["error"] and "postgresql://" not in answer["error"]
        write(corpus / "m9.md", meeting_file(9))
        with pytest.raises(DatabaseUnavailable, match="分片 2/2"):
            ingest([corpus], engine)
    finally:
        pg_cluster.start_shard(1)
    # Back: the same answers, without a restart; the failed ingest left nothing behind.
    assert without_timing(service.search(SearchRequest(q="会议"))) == before
    assert get(f"{base}/api/search?q=会议")[1]["total"] == 3 * PER_FILE
    assert ingest([corpus], engine).added == 1
    assert service.search(SearchRequest(q="会议"))["total"] == 4 * PER_FILE


# -- ingest on the cluster ------------------------------------------------------------------

@pytest.mark.slow
def test_incremental_ingest_and_removal_answer_as_one_node(pg_server, pg_cluster, tmp_path):  # noqa: F811
    corpus = tmp_path / "corpus"
    for n in range(1, 4):
        write(corpus / f"m{n}.md", meeting_file(n))
    one, sharded = PostgresEngine(pg_server.create_database()), PostgresEngine(pg_cluster.create_database())
    a, b = SearchService(one), SearchService(sharded)
    steps = [
        lambda: None,
        lambda: write(corpus / "m4.md", meeting_file(4, "新增森林防火工作。")),
        lambda: write(corpus / "m2.md", meeting_file(2, "第二版：环境保护的工作。")),
        lambda: (corpus / "m1.md").unlink(),
        lambda: [write(corpus / f"n{n}.md", meeting_file(n, "又一批。")) for n in range(10, 30)],
        lambda: [(corpus / f"n{n}.md").unlink() for n in range(10, 30, 2)],
        lambda: None,
    ]
    keys = ("added", "updated", "unchanged", "removed", "meetings", "paragraphs")
    for i, step in enumerate(steps):
        step()
        s1, s2 = ingest([corpus], one), ingest([corpus], sharded)
        assert {k: getattr(s1, k) for k in keys} == {k: getattr(s2, k) for k in keys}, i
        for q in INCREMENTAL_QUERIES + ["又一批", ""]:
            for sort in ("relevance", "newest"):
                assert_same_search(a, b, SearchRequest(q=q, sort=sort, per_page=100))
    assert b.search(SearchRequest(q="又一批"))["total"] == 10
    one.close()
    sharded.close()


@pytest.mark.slow
def test_a_rebuild_fills_the_spare_tables_and_is_swapped_in_after_the_readers(pg_cluster, tmp_path):  # noqa: F811
    write(tmp_path / "c" / "a.md", meeting_file(1))
    url = pg_cluster.create_database()
    engine = PostgresEngine(url)
    ingest([tmp_path / "c"], engine)  # the first ingest is a rebuild: into the second set
    service = SearchService(engine)
    assert service.search(SearchRequest(q="会议"))["total"] == PER_FILE
    assert shard_rows(pg_cluster, url, "paragraphs") != [0, 0]
    reader = engine.reader()  # a long search in progress
    write(tmp_path / "c" / "b.md", meeting_file(2))
    done = threading.Event()
    rebuild = threading.Thread(target=lambda: (ingest([tmp_path / "c"], engine, rebuild=True), done.set()))
    rebuild.start()
    assert not done.wait(1.5)  # the swap waits for the reader
    assert reader.find(None, Filters(), False).total == PER_FILE
    reader.close()
    rebuild.join(30)
    assert done.is_set()
    assert service.search(SearchRequest(q="会议"))["total"] == 2 * PER_FILE
    name = url.split("@/", 1)[1].split("?", 1)[0]
    with psycopg.connect(url) as conn:
        live = conn.execute("SELECT live FROM archive_cluster.layout").fetchone()[0]
    assert live == SETS[0]  # a, b, a: the sets take turns
    for shard in pg_cluster.shards:  # the replaced set was emptied in the swap
        with psycopg.connect(shard.url(name)) as conn:
            assert conn.execute(f"SELECT count(*) FROM {SETS[1]}.paragraphs").fetchone()[0] == 0
    assert sum(shard_rows(pg_cluster, url, "paragraphs")) == 2 * PER_FILE
    engine.close()


@pytest.mark.slow
def test_db_init_from_the_command_line(pg_cluster, tmp_path):  # noqa: F811
    name = f"cli{int(time.time() * 1e6)}"
    url = pg_cluster.coordinator.create_database(name)
    shards = [shard.create_database(name) for shard in pg_cluster.shards]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ARCHIVE_DATABASE_URL": url}
    env.pop("ARCHIVE_INDEX", None)

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "archive", *args], capture_output=True, text=True,
                              cwd=ROOT, env=env)

    init = ["db", "init", *(x for s in shards for x in ("--shard", s))]
    done = cli(*init)
    assert done.returncode == 0 and "2 个分片" in done.stderr, done.stderr
    write(tmp_path / "c" / "a.md", meeting_file(1))
    assert cli("ingest", str(tmp_path / "c")).returncode == 0
    answer = json.loads(cli("search", "第1项", "--json").stdout)
    assert answer["total"] == 1
    again = cli(*init)  # an archive is never replaced unasked
    assert again.returncode == 2 and "--replace" in again.stderr, again.stderr
    assert json.loads(cli("search", "第1项", "--json").stdout)["total"] == 1
    assert cli(*init, "--replace").returncode == 0
    assert "archive ingest" in cli("search", "第1项", "--json").stderr  # empty: ingest first
    bad = cli("db", "init", "--shard", shards[0], "--shard", shards[0], "--replace")
    assert bad.returncode == 2 and "只能给一次" in bad.stderr


def test_a_shard_left_with_another_commit_is_refused_and_the_next_ingest_rebuilds(pg_cluster, tmp_path):  # noqa: F811
    """postgres_fdw has no two-phase commit: a shard that committed alone (as a failure between the
    shards' commits leaves it) is found by its stamp, named, and set right by the next ingest."""
    for n in range(1, 4):
        write(tmp_path / "c" / f"m{n}.md", meeting_file(n))
    url = pg_cluster.create_database()
    engine = PostgresEngine(url)
    ingest([tmp_path / "c"], engine)
    service = SearchService(engine)
    before = without_timing(service.search(SearchRequest(q="会议")))
    name = url.split("@/", 1)[1].split("?", 1)[0]
    with psycopg.connect(pg_cluster.shards[0].url(name)) as conn:  # as if it alone had committed a run
        live = SETS[1]
        conn.execute(f"DELETE FROM {live}.paragraphs WHERE id LIKE '%%-p1'")
        conn.execute(f"UPDATE {live}.stamp SET generation = 'interrupted'")
    for request in (SearchRequest(q="会议"), SearchRequest()):
        with pytest.raises(DatabaseUnavailable, match=r"分片 1/2（.*状态不同.*--rebuild"):
            service.search(request)
    summary = ingest([tmp_path / "c"], engine)
    assert summary.rebuilt and summary.added == 3
    assert without_timing(service.search(SearchRequest(q="会议"))) == before
    engine.close()
