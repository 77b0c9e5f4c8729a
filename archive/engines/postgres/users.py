"""The users store (archive/access/store.py) in the PostgreSQL database the archive is in.

Here, with the engine's connections, so that archive/access needs no database driver: the
store's SQL is the same for SQLite and PostgreSQL, only the connection and the schema differ.
"""

from contextlib import contextmanager

import psycopg

from ...access.store import TABLES, Store
from .connect import NotGranted, connect, not_granted, redact


class PostgresStore(Store):
    """The store in the schema `archive_access`, created by the database's owner (`archive db init`, the
    first ingest, or `users add`), never by `serve`: a reader role (`archive db grant`) uses it as it is."""
    marker = "%s"
    prefix = "archive_access."
    serialized = ("BEGIN", "LOCK TABLE §failures IN EXCLUSIVE MODE")  # (readers of the lockout still read)

    def __init__(self, url: str):
        super().__init__(redact(url))
        self.url = url

    @contextmanager
    def _conn(self):
        conn = connect(self.url, autocommit=True)
        try:
            yield conn
        except (psycopg.errors.UndefinedTable, psycopg.errors.InvalidSchemaName):
            raise NotGranted(f"{self.location} 中还没有用户表：请先以数据库所有者运行 archive db init") from None
        except psycopg.Error as exc:
            refused = not_granted(exc, conn.info.user, "读写用户表")
            if refused is None:
                raise
            raise refused from None
        finally:
            conn.close()

    def created(self) -> bool:
        return self._run("SELECT to_regclass('archive_access.users')", fetch=True)[0][0] is not None

    def create(self) -> None:
        """The schema, its tables and the signing secret, where missing (DDL: the database's owner)."""
        with self._conn() as conn:
            conn.execute("CREATE SCHEMA IF NOT EXISTS archive_access")
            for table in TABLES:
                conn.execute(f"CREATE TABLE IF NOT EXISTS archive_access.{table}")
        self.secret()

    def has_users(self) -> bool:
        return self.created() and super().has_users()  # (asking does not create the tables)

    def add(self, name: str, password: str, role: str, level: str) -> None:
        if not self.created():
            self.create()
        super().add(name, password, role, level)


def create_store(url: str) -> None:
    """The users store's schema and tables, where missing (the owner: `db init`, a first ingest)."""
    PostgresStore(url).create()
