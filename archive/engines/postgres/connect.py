"""Connections to the database: a pool for readers, single connections for ingest, clear errors."""

import threading

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from ...errors import IndexMissing
from .urls import DatabaseURLError, conninfo, redact, scrub  # noqa: F401  (redact: imported from here too)

POOL_SIZE = 16  # connections held by readers at once (one per request in flight)
POOL_TIMEOUT = 30.0  # seconds a request waits for a free connection
CONNECT_TIMEOUT = 10  # seconds to reach the server


class DatabaseUnavailable(IndexMissing):
    """The database server cannot be reached: there is no archive to search (the web answers 503)."""
    unreachable = True  # (the 503 does not suggest an ingest)


class NotGranted(IndexMissing):
    """The role lacks a table or a right the archive needs: the message names the command that gives it."""
    unreachable = True  # (an ingest does not cure it)


def connect(url: str, **kwargs) -> psycopg.Connection:
    """A connection of its own (ingest), or DatabaseUnavailable saying why not (never with the password)."""
    info = conninfo(url)  # (a malformed URL: DatabaseURLError, said without the password)
    try:
        return psycopg.connect(info, connect_timeout=CONNECT_TIMEOUT, **kwargs)
    except psycopg.OperationalError as exc:
        raise DatabaseUnavailable(f"无法连接数据库 {redact(url)}：{error_reason(exc, url)}") from None
    except psycopg.ProgrammingError:  # (its message may quote the string)
        raise DatabaseURLError(f"数据库 URL 中有 libpq 不认识的参数或取值：{redact(url)}") from None


def error_reason(exc: Exception, url: str = "") -> str:
    """A driver's error in one line, without the URL's password."""
    text = str(exc).strip().splitlines()
    reason = " ".join(line.strip() for line in text if line.strip()) or type(exc).__name__
    return scrub(reason, url) if url else reason


def not_granted(exc: Exception, user: str, what: str) -> NotGranted | None:
    """The one-line NotGranted for a driver's error that says a right is missing, or a shard's user mapping
    (postgres_fdw: none for this role, or one without the password a role that is not a superuser must give)."""
    mapping = isinstance(exc, psycopg.errors.ProhibitedSqlStatementAttempted) or (
        isinstance(exc, psycopg.errors.UndefinedObject) and "user mapping" in str(exc))
    if mapping:
        return NotGranted(f"数据库角色 {user} 在分片上没有可用的用户映射（不是超级用户的角色须在映射中给出分片所要的密码）："
                          f"请先以数据库所有者运行 archive db grant {user} --shard URL …")
    if not isinstance(exc, psycopg.errors.InsufficientPrivilege):
        return None
    return NotGranted(f"数据库角色 {user} 没有{what}的权限：请先以数据库所有者运行 archive db grant {user}")


READER_WORK_MEM = "64MB"  # a frequent term's bitmap stays exact and its sort in memory (的 on the law corpus: 1.3 → 0.8 s)


def _configure_reader(conn: psycopg.Connection) -> None:
    """Settings of a reader's session, made once per connection rather than once per request."""
    # A frequent term's candidates are better read through the GIN index too: a sequential scan
    # would test every row's codes (and read them from TOAST), which costs far more. On a cluster,
    # aggregates grouped by the partition key are made on the shards. No JIT: the cost of a disabled
    # sequential scan (even of a one-row table) is above its threshold, and compiling took 10-25 ms a query.
    conn.execute("""SELECT set_config('enable_seqscan', 'off', false), set_config('jit', 'off', false),
                           set_config('work_mem', %s, false),
                           set_config('enable_partitionwise_aggregate', 'on', false),
                           set_config('enable_partitionwise_join', 'on', false)""", (READER_WORK_MEM,))
    conn.commit()
    conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    conn.read_only = True


class Pool:
    """A pool of reader connections (REPEATABLE READ, read only), opened on first use."""

    def __init__(self, url: str, size: int = POOL_SIZE):
        self.url, self.size = url, size
        self._pool: ConnectionPool | None = None
        self._lock = threading.Lock()

    def _open(self) -> ConnectionPool:
        with self._lock:
            if self._pool is None:
                connect(self.url).close()  # unreachable or refused: say so now, not after a timeout
                # Each connection is checked as it is handed out: a restarted server's dead connections
                # are replaced instead of failing a request.
                self._pool = ConnectionPool(conninfo(self.url), min_size=1, max_size=self.size, timeout=POOL_TIMEOUT,
                                            kwargs={"autocommit": False, "connect_timeout": CONNECT_TIMEOUT},
                                            configure=_configure_reader, check=ConnectionPool.check_connection,
                                            open=True, name="archive")
            return self._pool

    def get(self) -> psycopg.Connection:
        pool = self._open()
        try:
            return pool.getconn()
        except PoolTimeout:
            connect(self.url).close()  # the server went away: its reason
            raise DatabaseUnavailable(f"{POOL_TIMEOUT:.0f} 秒内没有到 {redact(self.url)} 的空闲连接"
                                      f"（{self.size} 个都在使用中）") from None

    def put(self, conn: psycopg.Connection) -> None:
        pool = self._pool
        try:
            if not conn.closed:
                conn.rollback()
        except psycopg.Error:
            pass
        if pool is not None:
            pool.putconn(conn)
        else:
            conn.close()

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None
