"""The PostgreSQL engine: a pool of connections, one snapshot per reader, arrays shared per generation.

    engine = PostgresEngine("postgresql://user:password@host:5432/dbname")   # or a libpq conninfo string

Opening the engine connects to nothing; the first reader or ingest does. The
archive lives in the schema `archive` of that database, created by the first
ingest (`archive ingest --database URL`), or laid out over shards by
`archive db init` (cluster.py): the engine is the same, given the
coordinator's URL. `close()` closes the pool.
"""

import threading
from collections import OrderedDict

import psycopg

from ...analysis import ANALYZER_VERSION, SEGMENTER
from ...errors import IndexMissing, IndexOutdated
from ...settings import Place
from .arrays import Generation
from .build import current_meta, indexer
from .cluster import divergence, diverged, unavailable
from .connect import POOL_SIZE, Pool, not_granted, redact
from .schema import READ_TABLES, SCHEMA, SCHEMA_VERSION
from .searcher import PostgresReader

KEEP_GENERATIONS = 2  # arrays kept: the live generation's and the one before, for readers still on it


class PostgresEngine:
    name = "postgres"

    def __init__(self, url: str, pool_size: int = POOL_SIZE):
        self.url = url
        self.location = redact(url)
        self.place = Place(url=url)
        self.pool = Pool(url, pool_size)
        self._lock = threading.Lock()
        self._generations: OrderedDict[str, Generation] = OrderedDict()

    def exists(self) -> bool:
        """Whether the archive holds an ingest; if so, one reader is opened, so that a role lacking a
        right (or a shard's user mapping) is told now, in one line (NotGranted), not at the first search;
        the pool is then closed (a command that stops there leaves no connection open)."""
        try:
            return self._exists()
        except BaseException:
            self.pool.close()
            raise

    def _exists(self) -> bool:
        raw = self.pool.get()
        conn = Guarded(raw, self.location)
        try:  # (a cluster laid out by `archive db init` has its tables before its first ingest)
            if conn.execute("SELECT to_regclass(%s)", (f"{SCHEMA}.state",)).fetchone()[0] is None:
                return False
            if not conn.execute(f"SELECT generation <> '' FROM {SCHEMA}.state").fetchone()[0]:
                return False
        finally:
            self.pool.put(raw)
        self.reader().close()
        return True

    def meta(self) -> dict:
        """What the archive's last commit recorded ({} without one): the stored configuration."""
        conn = self.pool.get()
        try:
            return current_meta(Guarded(conn, self.location))
        finally:
            conn.rollback()  # (a refused query leaves the transaction aborted: the pool gets it clean)
            self.pool.put(conn)

    def reader(self) -> PostgresReader:
        raw = self.pool.get()
        conn = Guarded(raw, self.location)
        try:
            state = self._begin(conn)
            gen = self._generation(conn, state)
            if gen.cluster is not None:  # every shard now: one that is down, or left behind, fails the request
                stale = diverged(conn, len(gen.cluster.servers), state[0])
                if stale:
                    raise divergence(self.location, gen.cluster, stale)
        except BaseException:
            self.pool.put(raw)
            raise
        pool = self.pool
        return PostgresReader(conn, gen, lambda: pool.put(raw))

    def _begin(self, conn) -> tuple:
        """Lock the tables (waiting for a rebuild being swapped in), then take the snapshot: the state."""
        try:
            # LOCK takes no snapshot: the first SELECT below does, after the locks are held.
            conn.execute(f"LOCK TABLE {', '.join(f'{SCHEMA}.{t}' for t in READ_TABLES)} IN ACCESS SHARE MODE")
        except (psycopg.errors.UndefinedTable, psycopg.errors.InvalidSchemaName):
            conn.rollback()
            found = conn.execute("SELECT to_regclass(%s)", (f"{SCHEMA}.schema_version",)).fetchone()[0]
            version = conn.execute(f"SELECT max(version) FROM {SCHEMA}.schema_version").fetchone()[0] if found else None
            conn.rollback()
            if version is None:
                raise IndexMissing(f"数据库 {self.location} 中还没有档案："
                                   f"请运行 `archive ingest --database URL`") from None
            raise self._outdated(f"架构版本 {version}，这个版本的 archive 使用 {SCHEMA_VERSION}") from None
        version = conn.execute(f"SELECT max(version) FROM {SCHEMA}.schema_version").fetchone()[0]
        if version != SCHEMA_VERSION:
            raise self._outdated(f"架构版本 {version}，这个版本的 archive 使用 {SCHEMA_VERSION}")
        state = conn.execute(f"""SELECT generation, meta, documents, len_text, len_title, len_section, len_chars
                                 FROM {SCHEMA}.state""").fetchone()
        if not state[0]:  # laid out (`archive db init`), never ingested
            raise IndexMissing(f"数据库 {self.location} 中的档案还没有导入过：请运行 `archive ingest --database URL`")
        meta = state[1] or {}
        built = (meta.get("analyzer"), meta.get("segmenter"))
        if built != (ANALYZER_VERSION, SEGMENTER):
            raise self._outdated(f"分析器 {built[0]} / {built[1]}，这个版本使用 {ANALYZER_VERSION} / {SEGMENTER}")
        return state

    def _outdated(self, what: str) -> IndexOutdated:
        return IndexOutdated(f"数据库 {self.location} 中的档案建立时用的是{what}："
                             f"请运行 `archive ingest --database URL --rebuild` 重建")

    def _generation(self, conn, state) -> Generation:
        token = state[0]
        with self._lock:
            gen = self._generations.get(token)
            if gen is None:
                gen = self._generations[token] = Generation(conn, token, (state[2], *state[3:7]))
                while len(self._generations) > KEEP_GENERATIONS:
                    self._generations.popitem(last=False)
            else:
                self._generations.move_to_end(token)
            return gen

    def indexer(self, rebuild: bool = False, wait: float = 0.0):
        return indexer(self.url, rebuild, wait)

    def close(self) -> None:
        self.pool.close()


class Guarded:
    """A reader's connection on which a server that went away (the database, or a shard of it) is a
    DatabaseUnavailable naming it, and a right the role lacks a NotGranted, whichever query met it."""

    def __init__(self, conn: psycopg.Connection, location: str):
        self._conn, self.location = conn, location

    def execute(self, query, params=None):
        try:
            return self._conn.execute(query, params)
        except psycopg.Error as exc:
            refused = not_granted(exc, self._conn.info.user, "读取档案")
            if refused is not None:
                raise refused from None
            if isinstance(exc, psycopg.OperationalError):
                raise unavailable(self._conn, self.location, exc) from None
            raise

    def rollback(self) -> None:
        self._conn.rollback()
