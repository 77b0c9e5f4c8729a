"""Who may do what: the owner lays the archive out and ingests, a reader role serves it, and
nothing run by `serve` creates anything.

    init_node(url)                 one node: the archive's empty schema and the users store, as the owner
                                   (`archive db init`; a cluster: init_cluster, then the users store)
    grant(url, role, shard_urls)   what `serve` needs, for a reader role (`archive db grant ROLE`):
                                   USAGE on the schemas, SELECT on the archive's tables and the users store's,
                                   and INSERT/UPDATE/DELETE on the sessions, failed-login counters and ledger status only;
                                   on a coordinator its user mapping on each shard; run on a shard's own
                                   database, SELECT on both sets of tables there
    carry_grants(cur, old, new)    a rebuild's new schema readable by the roles that could read the old one
"""

import psycopg
from psycopg import sql

from .cluster import CLUSTER, SETS, ClusterError, Layout, layout
from .connect import connect, error_reason, redact
from .lock import lock_ingest, release
from .schema import BUILD_SCHEMA, SCHEMA, indexes, tables
from .urls import parse_url
from .users import create_store

ACCESS = "archive_access"  # the users store's schema (archive/access/store.py)
STORE_READ = ("users", "tokens", "settings")  # what serving reads of the store
STORE_WRITTEN = ("sessions", "failures", "item_status")  # and what it writes: logins, lockouts, ledger status


def init_node(url: str) -> None:
    """An empty archive on one node (replacing any this database holds) and the users store."""
    conn = connect(url, autocommit=True)
    try:
        lock_ingest(conn, redact(url), 0.0)  # (no ingest runs meanwhile)
        with conn.transaction():
            for schema in (SCHEMA, BUILD_SCHEMA, CLUSTER):
                conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            for statement in tables(SCHEMA) + indexes(SCHEMA):
                conn.execute(statement)
    except psycopg.Error as exc:  # e.g. no right to create schemas in this database
        raise ClusterError(f"无法建立档案：{error_reason(exc, url)}") from None
    finally:
        release(conn)
    create_store(url)


def grant(url: str, role: str, shard_urls: list[str] | None = None) -> list[str]:
    """Give `role` what `serve` needs in the database at `url`; notes on what could not be set (Chinese)."""
    shard_urls = shard_urls or []
    with connect(url, autocommit=True) as conn:
        try:
            if _is_shard(conn):
                return _grant_shard(conn, role)
            if conn.execute("SELECT to_regnamespace(%s)", (SCHEMA,)).fetchone()[0] is None:
                raise ClusterError("这个数据库中还没有档案：请先以数据库所有者运行 archive db init")
            create_store(url)
            with conn.transaction():
                found = layout(conn)
                _grant_archive(conn, role, found)
                if found is not None:
                    _map_user(conn, role, found, shard_urls)
                elif shard_urls:
                    raise ClusterError("--shard 只用于分片档案的协调节点")
        except psycopg.Error as exc:  # e.g. no such role, or not the owner of the tables
            raise ClusterError(f"无法给 {role} 授权：{error_reason(exc, url)}") from None
    return []


def _is_shard(conn) -> bool:
    """Whether the database is a shard's: both sets of tables, no archive of its own."""
    present = [conn.execute("SELECT to_regnamespace(%s)", (s,)).fetchone()[0] is not None for s in (SCHEMA, *SETS)]
    return not present[0] and all(present[1:])


def _grant_archive(conn, role: str, found: Layout | None) -> None:
    who = sql.Identifier(role)
    for schema in (SCHEMA, CLUSTER) if found is not None else (SCHEMA,):
        _grant_schema(conn, schema, who)
    conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(ACCESS), who))
    for rights, names in (("SELECT", STORE_READ), ("SELECT, INSERT, UPDATE, DELETE", STORE_WRITTEN)):
        conn.execute(sql.SQL("GRANT " + rights + " ON {} TO {}").format(
            sql.SQL(", ").join(sql.Identifier(ACCESS, t) for t in names), who))


def _grant_schema(conn, schema: str, who: sql.Identifier) -> None:
    conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(schema), who))
    conn.execute(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(sql.Identifier(schema), who))


def _map_user(conn, role: str, found: Layout, shard_urls: list[str]) -> None:
    """The role's user mapping on each shard's server: the credentials of `shard_urls` (in the order
    of `archive db init`), else those of the owner's own mapping."""
    if shard_urls and len(shard_urls) != len(found.servers):
        raise ClusterError(f"档案有 {len(found.servers)} 个分片，--shard 给了 {len(shard_urls)} 个")
    for i, server in enumerate(found.servers):
        if shard_urls:
            params = parse_url(shard_urls[i])
            options = {k: params[k] for k in ("user", "password") if params.get(k)}
        else:
            row = conn.execute("SELECT umoptions FROM pg_user_mappings WHERE srvname = %s AND usename = current_user",
                               (server,)).fetchone()
            options = dict(o.split("=", 1) for o in (row[0] or [])) if row else {}
        target = sql.SQL("FOR {} SERVER {}").format(sql.Identifier(role), sql.Identifier(server))
        conn.execute(sql.SQL("DROP USER MAPPING IF EXISTS {}").format(target))
        given = sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(k), sql.Literal(v)) for k, v in options.items())
        conn.execute(sql.SQL("CREATE USER MAPPING {} {}").format(
            target, sql.SQL("OPTIONS ({})").format(given) if options else sql.SQL("")))


def _grant_shard(conn, role: str) -> list[str]:
    """On a shard: SELECT on both sets (a rebuild swaps which is live), and the readers' settings."""
    who, notes = sql.Identifier(role), []
    with conn.transaction():
        for schema in SETS:
            _grant_schema(conn, schema, who)
    database = conn.execute("SELECT current_database()").fetchone()[0]
    for setting in ("enable_seqscan = off", "jit = off"):  # as the owner's (cluster.py): candidates from the GIN index
        try:
            conn.execute(sql.SQL("ALTER ROLE {} IN DATABASE {} SET " + setting).format(who, sql.Identifier(database)))
        except psycopg.errors.InsufficientPrivilege:
            notes.append(f"未能为 {role} 设置 {setting}（需要 CREATEROLE）：请超级用户运行 "
                         f"ALTER ROLE {role} IN DATABASE {database} SET {setting}；不设也能检索，只是较慢")
    return notes


def carry_grants(cur, old: str, new: str) -> None:
    """Grant on the schema `new` what each role other than the owner may read in `old` (USAGE, SELECT)."""
    roles = cur.execute("""SELECT r.rolname FROM pg_namespace n CROSS JOIN LATERAL aclexplode(n.nspacl) a
                           JOIN pg_roles r ON r.oid = a.grantee
                           WHERE n.nspname = %s AND a.privilege_type = 'USAGE' AND a.grantee <> n.nspowner""",
                        (old,)).fetchall()
    for (role,) in roles:
        _grant_schema(cur, new, sql.Identifier(role))
