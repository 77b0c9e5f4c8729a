"""PostgreSQL in production: an owner role ingests, a reader role serves, and no message shows a password.

On the session's servers (tests/pg.py) with password authentication for the roles made here: an owner
that is no superuser lays out (`archive db init`) and ingests; `archive db grant` lets a reader role serve
searches, logins and the audit through the real app under waitress, also after a rebuild; the reader
cannot change the archive nor create anything; a role without the grant is told in one line which command
to run. On a coordinator over two shards the reader reads the shards as a shard role of its own. Every
malformed URL, given to every command that takes one, is refused without its password.
"""

import dataclasses
import io
import json
import sys

import pytest

psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed (pip install -e .)")

from archive.access.audit import AuditLog  # noqa: E402
from archive.cli import main  # noqa: E402
from archive.engines.postgres import PostgresEngine  # noqa: E402
from archive.engines.postgres.users import PostgresStore  # noqa: E402
from archive.search.request import SearchRequest  # noqa: E402
from archive.search.service import SearchService  # noqa: E402
from web import create_app  # noqa: E402

from .test_access import CONFIG, build_corpus  # noqa: E402
from .test_access_web import Client, serve  # noqa: E402

pytestmark = pytest.mark.slow  # PostgreSQL servers

CANARY = "Canary9zQ"  # every password here: it must appear in no message
PASSWORD = "correct horse 1"


def run(capsys, *argv, stdin: str = "") -> tuple[int, str]:
    """`archive ARGV` in this process: (exit status, stdout + stderr)."""
    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        status = main(list(argv))
    finally:
        sys.stdin = old
    out = capsys.readouterr()
    return status, out.out + out.err


def make_roles(server, *roles: str, superuser_url: str | None = None) -> None:
    with psycopg.connect(superuser_url or server.url(), autocommit=True) as conn:
        for role in roles:
            conn.execute(f'CREATE ROLE "{role}" LOGIN PASSWORD \'{CANARY}{role}\'')
    server.require_password(*roles)


@pytest.fixture(scope="module")
def one_node(pg_server, tmp_path_factory):
    """(server, database name, corpus): a database owned by a role that is no superuser, laid out and
    ingested by it, with a user; the roles `pr_reader` (granted) and `pr_nobody` (not)."""
    make_roles(pg_server, "pr_owner", "pr_reader", "pr_nobody")
    with psycopg.connect(pg_server.url(), autocommit=True) as conn:
        conn.execute('CREATE DATABASE pr_archive OWNER "pr_owner"')
    corpus = build_corpus(tmp_path_factory.mktemp("privileges-corpus"))
    return pg_server, "pr_archive", corpus


def url(server, db: str, role: str) -> str:
    return server.role_url(db, role, CANARY + role)


def test_an_owner_lays_out_and_ingests_and_a_granted_reader_serves(one_node, capsys, tmp_path):
    server, db, corpus = one_node
    owner, reader = url(server, db, "pr_owner"), url(server, db, "pr_reader")
    assert run(capsys, "db", "init", "--database", owner)[0] == 0
    status, out = run(capsys, "ingest", str(corpus), "--database", owner)
    assert status == 0 and CANARY not in out
    assert run(capsys, "users", "add", "bob", "--level", "内部", "--database", owner,
               stdin=PASSWORD + "\n")[0] == 0
    status, out = run(capsys, "db", "grant", "pr_reader", "--database", owner)
    assert status == 0 and "pr_reader" in out and CANARY not in out

    audit = tmp_path / "audit.jsonl"
    engine = PostgresEngine(reader)
    try:
        assert engine.exists()
        app = create_app(engine, mode="network", config=dataclasses.replace(CONFIG, audit_log=str(audit)),
                         store=PostgresStore(reader))
        client = Client(serve(app))
        assert client.login("bob", "wrong password")[0] == 401  # counted: the reader writes failures
        assert client.login("bob")[0] == 303
        status, _, body = client.get("/api/search?q=丹霞赤壁")
        assert status == 200 and json.loads(body)["total"] > 0
        events = [entry["event"] for entry in AuditLog(audit).read()]  # (both streams: a failed login is anonymous)
        assert {"login_failed", "login", "search"} <= set(events)
        assert run(capsys, "audit", "--database", reader)[0] == 0
    finally:
        engine.close()

    # A rebuild swaps in a new schema: the reader keeps reading it.
    assert run(capsys, "ingest", str(corpus), "--rebuild", "--database", owner)[0] == 0
    engine = PostgresEngine(reader)
    try:
        assert SearchService(engine).search(SearchRequest(q="青松翠柏"))["total"] > 0
    finally:
        engine.close()


def test_the_reader_cannot_change_the_archive_nor_create_anything(one_node, capsys):
    server, db, corpus = one_node
    owner = url(server, db, "pr_owner")
    if run(capsys, "db", "grant", "pr_reader", "--database", owner)[0] != 0:  # (alone: lay it out first)
        assert run(capsys, "ingest", str(corpus), "--database", owner)[0] == 0
        assert run(capsys, "db", "grant", "pr_reader", "--database", owner)[0] == 0
    statements = ("DELETE FROM archive.paragraphs", "INSERT INTO archive.paragraphs SELECT * FROM archive.paragraphs",
                  "UPDATE archive.state SET generation = ''", "DELETE FROM archive_access.users",
                  "CREATE TABLE archive.extra (x int)", "CREATE SCHEMA extra", "DROP SCHEMA archive CASCADE")
    with psycopg.connect(url(server, db, "pr_reader"), autocommit=True) as conn:
        for statement in statements:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)


def test_a_role_without_the_grant_is_told_the_command_in_one_line(one_node, capsys):
    server, db, corpus = one_node
    owner, nobody = url(server, db, "pr_owner"), url(server, db, "pr_nobody")
    if run(capsys, "db", "init", "--database", owner)[0] == 0:  # (a fresh layout, empty: ingest it)
        assert run(capsys, "ingest", str(corpus), "--database", owner)[0] == 0
    for argv in (("serve", "--port", "1"), ("search", "丹霞"), ("users", "list")):
        status, out = run(capsys, *argv, "--database", nobody)
        assert status == 2 and "archive db grant pr_nobody" in out, out
        assert len(out.strip().splitlines()) == 1 and "Traceback" not in out and CANARY not in out


def test_serve_creates_nothing_a_missing_store_names_db_init(pg_server, capsys):
    with psycopg.connect(pg_server.url(), autocommit=True) as conn:
        conn.execute('CREATE DATABASE pr_empty OWNER "pr_owner"')
    status, out = run(capsys, "users", "list", "--database", url(pg_server, "pr_empty", "pr_nobody"))
    assert status == 2 and "archive db init" in out and len(out.strip().splitlines()) == 1
    with psycopg.connect(pg_server.url("pr_empty")) as conn:
        assert conn.execute("SELECT to_regnamespace('archive_access')").fetchone()[0] is None
    # An archive without the users' tables (ingested before `db init` made them): db init adds them only.
    owner = url(pg_server, "pr_empty", "pr_owner")
    assert run(capsys, "db", "init", "--database", owner)[0] == 0
    with psycopg.connect(owner, autocommit=True) as conn:
        conn.execute("DROP SCHEMA archive_access CASCADE")
    assert "archive db init" in run(capsys, "users", "list", "--database", owner)[1]
    status, out = run(capsys, "db", "init", "--database", owner)
    assert status == 2 and "--replace" in out
    status, out = run(capsys, "users", "list", "--database", owner)
    assert status == 0 and "还没有用户" in out  # (the users' tables are there now, empty)


def test_a_reader_serves_a_coordinator_over_two_shards(pg_cluster, capsys, tmp_path):
    coordinator = pg_cluster.create_database("pr_sharded")  # (laid out as the superuser `archive`)
    assert run(capsys, "ingest", str(build_corpus(tmp_path)), "--database", coordinator)[0] == 0
    make_roles(pg_cluster.coordinator, "pr_reader", "pr_unmapped")
    shard_urls = []
    for shard in pg_cluster.shards:  # a shard role of the reader's own, which reads and writes nothing else
        make_roles(shard, "pr_shard_reader")
        assert run(capsys, "db", "grant", "pr_shard_reader", "--database", shard.url("pr_sharded"))[0] == 0
        shard_urls.append(url(shard, "pr_sharded", "pr_shard_reader"))
    given = [a for u in shard_urls for a in ("--shard", u)]
    status, out = run(capsys, "db", "grant", "pr_reader", "--database", coordinator, *given)
    assert status == 0 and CANARY not in out
    reader = url(pg_cluster.coordinator, "pr_sharded", "pr_reader")
    engine = PostgresEngine(reader)
    try:
        assert engine.exists() and SearchService(engine).search(SearchRequest(q="青松翠柏"))["total"] > 0
    finally:
        engine.close()
    with psycopg.connect(reader, autocommit=True) as conn:  # nor through the foreign tables
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM archive.paragraphs")
    # Granted on the coordinator, without a usable mapping (the owner's has no password): one line.
    assert run(capsys, "db", "grant", "pr_unmapped", "--database", coordinator)[0] == 0
    status, out = run(capsys, "search", "青松", "--database", url(pg_cluster.coordinator, "pr_sharded", "pr_unmapped"))
    assert status == 2 and "archive db grant pr_unmapped" in out and len(out.strip().splitlines()) == 1, out


MALFORMED = {
    "raw %": f"postgresql://archive:{CANARY}%zz@localhost/archive",
    "raw @": f"postgresql://archive:{CANARY}@Pw_9f3k@localhost/archive",
    "raw /": f"postgresql://archive:{CANARY}/x@localhost/archive",
    "IPv6 without ]": f"postgresql://archive:{CANARY}@[::1/archive",
    "bad port": f"postgresql://archive:{CANARY}@localhost:99999/archive",
    "port not a number": f"postgresql://archive:{CANARY}@localhost:5x/archive",
    "unknown host": f"postgresql://archive:{CANARY}@no-such-host.invalid/archive",
    "conninfo": f"host=/nonexistent password='{CANARY}",
    "password parameter": f"postgresql:///archive?password={CANARY}%z&host=/nonexistent",
}


@pytest.mark.parametrize("shape", MALFORMED)
def test_no_command_shows_the_password_of_a_malformed_url(shape, pg_server, capsys, tmp_path):
    bad = MALFORMED[shape]
    good = pg_server.create_database()
    commands = [("ingest", str(tmp_path), "--database", bad), ("search", "环境", "--database", bad),
                ("serve", "--port", "1", "--database", bad), ("users", "list", "--database", bad),
                ("users", "add", "eve", "--database", bad), ("db", "init", "--database", bad),
                ("db", "init", "--database", good, "--shard", bad), ("db", "grant", "r", "--database", bad)]
    for argv in commands:
        status, out = run(capsys, *argv, stdin=PASSWORD + "\n")
        assert status == 2, (argv, out)
        assert CANARY not in out and "Traceback" not in out, (argv, out)
        assert len(out.strip().splitlines()) == 1, (argv, out)
