"""A cluster: paragraphs and meetings hash-partitioned by meeting over shard nodes (postgres_fdw).

    init_cluster("postgresql://…/coordinator", ["postgresql://…/shard1", "postgresql://…/shard2"])
    PostgresEngine("postgresql://…/coordinator")   # then ingests and searches as on one node

The coordinator keeps what every search needs whole: the schema version, the
state (generation, N, field totals), the term statistics, the manifest and
the sequence giving the index order. Its `archive.paragraphs` and
`archive.meetings` are partitioned by HASH (meeting_id), each partition a
foreign table on one shard (`async_capable`, so the shards are scanned at
once; `fetch_size` rows a round trip; `batch_size` rows an INSERT), so a
meeting and its paragraphs live on one shard and the text conditions run
there (the Remote SQL carries the WHERE).

Each shard holds two sets of those tables, the schemas `archive_a` and
`archive_b`: the live one, and the one a rebuild fills (TRUNCATEd first,
through the coordinator) while searches go on reading the live one. The
rebuild's coordinator schema points at the spare set; at commit the old
set is TRUNCATEd and the schemas are swapped on the coordinator, in the
ingest's one transaction (postgres_fdw commits the shards' transactions with
it). Which set is live, the shards and their redacted URLs (for messages)
are in the schema `archive_cluster`, which no swap touches.

A cluster's commit waits for the searches in flight (the state table locked
ACCESS EXCLUSIVE, as a one-node rebuild does): postgres_fdw commits the
shards one after the other, and no reader may take its snapshots between
them. A reader holds its lock on the state for its whole transaction, so all
its shard snapshots see one state.

postgres_fdw has no two-phase commit: a shard that fails (or a coordinator
that crashes) in the moment between the shards' commits can leave one
shard with a commit the others lack. Each commit therefore writes its
generation into every shard it writes (`stamp`); a reader compares the
shards' stamps with the coordinator's state and refuses to answer from a
shard that differs (DatabaseUnavailable naming it), and the next ingest
rebuilds.

A shard that cannot be reached fails every request with DatabaseUnavailable
naming it (the web answers 503), never with a partial answer: each reader
opens its transaction on every shard before it answers.
"""

import re
from dataclasses import dataclass

import psycopg
from psycopg import sql
from .connect import DatabaseUnavailable, connect, error_reason, redact
from .lock import lock_ingest, release
from .urls import parse_url, scrub
from .schema import BUILD_SCHEMA, SCHEMA, SCHEMA_VERSION, coordinator_tables, local_indexes, shard_tables
from .users import create_store

CLUSTER = "archive_cluster"  # the coordinator's record of its shards
SETS = ("archive_a", "archive_b")  # each shard's two sets of tables: the live one and a rebuild's
SERVER_PREFIX = "archive_shard_"
FETCH_SIZE = 2000  # rows a foreign scan fetches a round trip (postgres_fdw's default, 100, is slow)
BATCH_SIZE = 100  # rows an INSERT through the coordinator sends a shard at once (21 columns a row)
CONNECT_TIMEOUT = 10  # seconds the coordinator waits for a shard (a TCP host that is down)
# libpq options a postgres_fdw server takes from the shard's URL (user and password go to the user
# mapping; postgres_fdw sets the others itself).
NOT_SERVER_OPTIONS = {"user", "password", "passfile", "client_encoding", "fallback_application_name", "replication"}


class ClusterError(Exception):
    """The cluster cannot be laid out as asked (the message says why)."""


@dataclass
class Layout:
    """A cluster as its coordinator records it."""

    servers: list[str]  # the foreign servers, in shard order (partition REMAINDER = position)
    locations: list[str]  # their redacted URLs
    live: str  # the shards' schema holding the live tables
    version: int  # the schema version the shards' tables were laid out for

    @property
    def spare(self) -> str:
        return SETS[1 - SETS.index(self.live)]


def layout(conn) -> Layout | None:
    """The cluster the coordinator's database holds, or None (one node)."""
    if conn.execute("SELECT to_regclass(%s)", (f"{CLUSTER}.layout",)).fetchone()[0] is None:
        return None
    live, version = conn.execute(f"SELECT live, version FROM {CLUSTER}.layout").fetchone()
    rows = conn.execute(f"SELECT server, location FROM {CLUSTER}.shards ORDER BY position").fetchall()
    return Layout([r[0] for r in rows], [r[1] for r in rows], live, version)


def stamps_sql(shards: int, schema: str = SCHEMA) -> str:
    """SQL giving (position, generation stamp) of each shard, in one statement (the shards at once)."""
    return " UNION ALL ".join(f"SELECT {i}, generation FROM {schema}.stamp_shard{i}" for i in range(shards))


def diverged(conn, shards: int, generation: str) -> list[int]:
    """The positions of the shards whose last commit is not the coordinator's `generation`."""
    return [i for i, stamp in conn.execute(stamps_sql(shards)).fetchall() if stamp != generation]


def divergence(location: str, found: Layout, positions: list[int]) -> DatabaseUnavailable:
    return DatabaseUnavailable(f"{location} 中档案的{_shards(found, positions)}与协调节点的状态不同"
                               f"（一次提交因故障中断）：请运行 `archive ingest --database URL --rebuild`")


def _shards(found: Layout, positions) -> str:
    """Shards by position, as messages name them: 分片 2/3（postgresql://…）."""
    return "、".join(f"分片 {i + 1}/{len(found.servers)}（{found.locations[i]}）" for i in positions)


def holds_archive(url: str) -> bool:
    """Whether the database already holds an archive (one node or a cluster's coordinator)."""
    with connect(url, autocommit=True) as conn:
        return any(conn.execute("SELECT to_regnamespace(%s)", (s,)).fetchone()[0] is not None
                   for s in (SCHEMA, CLUSTER))


def init_cluster(coordinator_url: str, shard_urls: list[str]) -> None:
    """Lay out an empty archive over the shards, replacing any archive these databases hold.

    Each shard database gets both sets of tables with their indexes; the coordinator gets
    postgres_fdw, one foreign server and user mapping per shard, and the archive's schema whose
    meetings and paragraphs are partitioned over the shards. The first ingest fills it.
    """
    if not shard_urls:
        raise ClusterError("分片档案至少需要一个分片 URL（--shard）")
    if len(set(shard_urls)) != len(shard_urls) or coordinator_url in shard_urls:
        raise ClusterError("每个数据库只能给一次（协调节点不能同时是分片）")
    for url in shard_urls:
        parse_url(url)  # (a malformed one is refused before anything is dropped)
    coordinator = connect(coordinator_url, autocommit=True)
    try:
        lock_ingest(coordinator, redact(coordinator_url), 0.0)  # (no ingest runs meanwhile)
        users = [_lay_out_shard(url) for url in shard_urls]
        with coordinator.transaction():
            _lay_out_coordinator(coordinator, shard_urls, users)
    except psycopg.Error as exc:  # e.g. postgres_fdw not installed, no right to create schemas
        reason = error_reason(exc)
        for url in (coordinator_url, *shard_urls):  # (a driver's text never shows a password)
            reason = scrub(reason, url)
        raise ClusterError(f"无法建立分片档案：{reason}") from None
    finally:
        release(coordinator)
    create_store(coordinator_url)


def _lay_out_shard(url: str) -> str:
    """Both sets of tables on a shard (replacing any); the role the coordinator is to connect as."""
    with connect(url, autocommit=True) as conn:
        with conn.transaction():
            for schema in SETS:
                conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
                for statement in shard_tables(schema):
                    conn.execute(statement)
        # The coordinator's queries read a term's candidates through the GIN index, as one node's
        # readers do (connect.py): a sequential scan would test every row's codes; and without JIT,
        # which the costs of disabled scans would otherwise set off for every small query.
        database = conn.execute("SELECT current_database()").fetchone()[0]
        for setting in ("enable_seqscan = off", "jit = off"):
            conn.execute(sql.SQL("ALTER ROLE CURRENT_USER IN DATABASE {} SET " + setting)
                         .format(sql.Identifier(database)))
        return conn.execute("SELECT current_user").fetchone()[0]


def _lay_out_coordinator(conn, shard_urls: list[str], users: list[str]) -> None:
    conn.execute("CREATE EXTENSION IF NOT EXISTS postgres_fdw")
    for schema in (SCHEMA, BUILD_SCHEMA, CLUSTER):
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    for (name,) in conn.execute("SELECT srvname FROM pg_foreign_server WHERE starts_with(srvname, %s)",
                                (SERVER_PREFIX,)).fetchall():
        conn.execute(sql.SQL("DROP SERVER {} CASCADE").format(sql.Identifier(name)))
    servers = [f"{SERVER_PREFIX}{i}" for i in range(len(shard_urls))]
    for server, url, user in zip(servers, shard_urls, users):
        params = parse_url(url)
        options = {k: v for k, v in params.items() if k not in NOT_SERVER_OPTIONS}
        options.setdefault("connect_timeout", str(CONNECT_TIMEOUT))
        options.update(async_capable="true", fetch_size=str(FETCH_SIZE), batch_size=str(BATCH_SIZE))
        conn.execute(sql.SQL("CREATE SERVER {} FOREIGN DATA WRAPPER postgres_fdw OPTIONS ({})").format(
            sql.Identifier(server), _options(options)))
        mapping = {"user": params.get("user") or user}
        if params.get("password"):
            mapping["password"] = params["password"]
        conn.execute(sql.SQL("CREATE USER MAPPING FOR CURRENT_USER SERVER {} OPTIONS ({})").format(
            sql.Identifier(server), _options(mapping)))
    conn.execute(f"CREATE SCHEMA {CLUSTER}")
    conn.execute(f"""CREATE TABLE {CLUSTER}.shards (position integer PRIMARY KEY, server text NOT NULL,
                                                    location text NOT NULL)""")
    for i, (server, url) in enumerate(zip(servers, shard_urls)):
        conn.execute(f"INSERT INTO {CLUSTER}.shards VALUES (%s, %s, %s)", (i, server, redact(url)))
    conn.execute(f"""CREATE TABLE {CLUSTER}.layout (one boolean PRIMARY KEY DEFAULT true CHECK (one),
                                                    live text NOT NULL, version integer NOT NULL)""")
    conn.execute(f"INSERT INTO {CLUSTER}.layout VALUES (true, %s, %s)", (SETS[0], SCHEMA_VERSION))
    for statement in coordinator_tables(SCHEMA, servers, SETS[0]) + local_indexes(SCHEMA):
        conn.execute(statement)


def _options(options: dict) -> sql.Composed:
    return sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(k), sql.Literal(v)) for k, v in options.items())


# -- a shard that does not answer ------------------------------------------------------

def unavailable(conn, location: str, exc: Exception) -> DatabaseUnavailable:
    """The error a front shows for a lost server: the shard (or shards) that do not answer, by name.

    `conn` is the coordinator connection the error came through; its transaction is rolled back.
    postgres_fdw names the server it could not connect to; a connection lost during a query is
    not named, so then every shard is tried.
    """
    reason = error_reason(exc)
    try:
        conn.rollback()
        found = layout(conn)
        conn.rollback()
    except psycopg.Error:
        found = None
    if found is not None:
        named = re.search(r'server "([^"]+)"', str(exc))
        down = [i for i, server in enumerate(found.servers) if named and server == named[1]] or _probe(conn, found)
        if down:
            return DatabaseUnavailable(f"{location} 中档案的{_shards(found, down)}无法连接（{reason}）；"
                                       f"缺一个分片就不给出回答")
    return DatabaseUnavailable(f"数据库 {location} 没有应答：{reason}")


def _probe(conn, found: Layout) -> list[int]:
    """The positions of the shards the coordinator cannot open a transaction on."""
    down = []
    for i in range(len(found.servers)):
        try:
            conn.execute(f"SELECT 1 FROM {SCHEMA}.meetings_shard{i} LIMIT 0")
        except psycopg.Error:
            down.append(i)
        finally:
            try:
                conn.rollback()
            except psycopg.Error:
                return []  # the coordinator itself is gone
    return down
