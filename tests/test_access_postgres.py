"""Access control on the PostgreSQL engine: the same levels through the same service, the users store
in the database (its own schema, untouched by an engine rebuild)."""

import time

import pytest

from archive.access.levels import Viewer
from archive.engines.postgres.users import PostgresStore
from archive.engines import open_engine
from archive.engines.postgres.engine import PostgresEngine
from archive.index.pipeline import ingest
from archive.search.request import SearchRequest
from archive.search.service import SearchService

from .test_access import CONFIG, LEVELS, above, build_corpus

pytestmark = pytest.mark.slow  # a PostgreSQL server of its own


@pytest.fixture(scope="module")
def engines(pg_server, tmp_path_factory):  # noqa: F811
    corpus = build_corpus(tmp_path_factory.mktemp("pg-access-corpus"))
    whoosh, pg = open_engine(tmp_path_factory.mktemp("wix")), PostgresEngine(pg_server.create_database())
    ingest([corpus], whoosh, config=CONFIG)
    ingest([corpus], pg, config=CONFIG)
    yield whoosh, pg
    pg.close()


@pytest.mark.parametrize("level", LEVELS)
def test_each_level_sees_on_postgresql_what_it_sees_on_whoosh(engines, level):
    whoosh, pg = engines
    viewer = Viewer(level, CONFIG.readable(level))
    for q in ("", "环境整治", "玄武晶石", "丹霞赤璧"):
        for sort in ("relevance", "oldest"):
            req = SearchRequest(q=q, sort=sort, per_page=100)
            w, p = SearchService(whoosh, viewer).search(req), SearchService(pg, viewer).search(req)
            assert (p["total"], p["facets"], p["suggestion"]) == (w["total"], w["facets"], w["suggestion"])
            assert [h["id"] for h in p["hits"]] == [h["id"] for h in w["hits"]]
            assert not [m for m in above(level) if m in str(p) and m != q]


def test_the_users_store_lives_in_the_database_and_survives_a_rebuild(engines, tmp_path):
    _, pg = engines
    store = PostgresStore(pg.url)
    store.add("li", "long enough", "reader", "内部")
    token, sid = store.new_token("li"), store.new_session("li", 10)
    ingest([build_corpus(tmp_path / "c")], pg, rebuild=True, config=CONFIG)  # swaps the engine's schema
    assert store.check_password("li", "long enough").level == "内部" and store.check_password("li", "wrong") is None
    assert store.token_user(token).name == "li" and store.session_user(sid).name == "li"
    now = time.time()
    for _ in range(3):
        store.fail(["user:li", "address:x"], now, 3, 60)
    assert store.locked(["user:li"], now) > 0
    store.revoke("li")
    assert store.token_user(token) is None
    assert store.remove("li") and store.session_user(sid) is None
