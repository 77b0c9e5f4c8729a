"""Connections to the database: a pool for readers, single connections for ingest, clear errors."""

import re
import threading

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from ...errors import IndexMissing

POOL_SIZE = 16  # connections held by readers at once (one per request in flight)
POOL_TIMEOUT = 30.0  # seconds a request waits for a free connection
CONNECT_TIMEOUT = 10  # seconds to reach the server


class DatabaseUnavailable(IndexMissing):
    """The database server cannot be reached: there is no archive to search (the web answers 503)."""
    unreachable = True  # (the 503 does not suggest an ingest)


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    url = re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", url)
    return re.sub(r"(password\s*=\s*)('[^']*'|[^\s&]+)", r"\1***", url)


def connect(url: str, **kwargs) -> psycopg.Connection:
    """A connection of its own (ingest), or DatabaseUnavailable saying why not."""
    try:
        return psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT, **kwargs)
    except psycopg.OperationalError as exc:
        raise DatabaseUnavailable(f"cannot reach the database {redact(url)}: {error_reason(exc)}") from None
    except psycopg.ProgrammingError as exc:  # a malformed URL
        raise DatabaseUnavailable(f"not a database URL: {redact(url)} ({exc})") from None


def error_reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return " ".join(line.strip() for line in text if line.strip()) or type(exc).__name__


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
                self._pool = ConnectionPool(self.url, min_size=1, max_size=self.size, timeout=POOL_TIMEOUT,
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
            raise DatabaseUnavailable(f"no free connection to {redact(self.url)} within {POOL_TIMEOUT:.0f} s "
                                      f"({self.size} in use)") from None

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
