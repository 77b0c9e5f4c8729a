"""Users, API tokens, login sessions, failed-login counters and the signing secret: one small store.

Kept with the index, never in the corpus: a SQLite file `access.sqlite` (mode 0600) in the
index folder, or the `archive_access` schema of the PostgreSQL database (its own schema, so
that an engine rebuild swapping `archive` never touches it). The same SQL serves both: SQLiteStore
here, PostgresStore with the engine's connections (archive/engines/postgres/users.py).

Session ids and tokens are random (256 bits) and stored as SHA-256 hashes only: a copy of the
store does not give a way in. Passwords are scrypt hashes (passwords.py).
"""

import hashlib
import hmac
import os
import secrets
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .passwords import hash_password, verify

ROLES = ("reader", "editor", "admin")  # editor: reads as a reader of its level, may set items' status
FILE_NAME = "access.sqlite"
NAME_MAX = 64  # characters of a user name


def name_problem(name: str) -> str | None:
    """Why `name` cannot be a user name (None: it can): printable, no surrounding spaces, NAME_MAX at most.
    (A control character could forge lines in `users list` and the audit's text; PostgreSQL refuses NUL.)"""
    if not name or not name.strip():
        return "用户名不能为空"
    if len(name) > NAME_MAX:
        return f"用户名最长 {NAME_MAX} 个字符"
    if name != name.strip():
        return "用户名首尾不能有空格"
    if not all(c.isprintable() or c == " " for c in name):
        return "用户名只能含可打印字符（不能有控制字符、换行或制表符）"
    return None

# (DOUBLE PRECISION: PostgreSQL's REAL is 4 bytes, too coarse for a timestamp; SQLite takes either.)
TABLES = (
    "users (name TEXT PRIMARY KEY, role TEXT NOT NULL, level TEXT NOT NULL, hash TEXT NOT NULL, created DOUBLE PRECISION NOT NULL)",
    "tokens (id TEXT PRIMARY KEY, name TEXT NOT NULL, hash TEXT NOT NULL, created DOUBLE PRECISION NOT NULL)",
    "sessions (id TEXT PRIMARY KEY, name TEXT NOT NULL, created DOUBLE PRECISION NOT NULL, expires DOUBLE PRECISION NOT NULL)",
    "failures (key TEXT PRIMARY KEY, count INTEGER NOT NULL, first DOUBLE PRECISION NOT NULL, locked_until DOUBLE PRECISION NOT NULL)",
    "settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    # The status people keep of the ledger's items (archive/ledger/status.py), by stable item id.
    "item_status (id TEXT PRIMARY KEY, status TEXT NOT NULL, note TEXT NOT NULL, who TEXT NOT NULL, "
    "at DOUBLE PRECISION NOT NULL)",
)


@dataclass(frozen=True)
class User:
    name: str
    role: str
    level: str
    created: float


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class Store:
    """The store over a connection per operation; `marker` is the driver's parameter style, `prefix` the
    tables' schema (§ in the SQL)."""
    prefix = ""
    serialized: tuple[str, ...] = ()  # what opens a transaction in which failure counts are serialized

    def __init__(self, location: str):
        self.location = location

    @contextmanager
    def _conn(self):
        raise NotImplementedError

    def _sql(self, sql: str) -> str:
        return sql.replace("?", self.marker).replace("§", self.prefix)

    def _run(self, sql: str, args=(), fetch: bool = False):
        with self._conn() as conn:
            cur = conn.execute(self._sql(sql), args)
            return cur.fetchall() if fetch else cur.rowcount

    # -- users -----------------------------------------------------------------------

    def has_users(self) -> bool:
        return bool(self._run("SELECT 1 FROM §users LIMIT 1", fetch=True))

    def users(self) -> list[User]:
        rows = self._run("SELECT name, role, level, created FROM §users ORDER BY name", fetch=True)
        return [User(*row) for row in rows]

    def user(self, name: str) -> User | None:
        rows = self._run("SELECT name, role, level, created FROM §users WHERE name = ?", (name,), fetch=True)
        return User(*rows[0]) if rows else None

    def add(self, name: str, password: str, role: str, level: str) -> None:
        problem = name_problem(name)
        if problem:
            raise ValueError(f"{problem}：{name[:NAME_MAX]!r}")
        if self.user(name) is not None:
            raise ValueError(f"用户 {name} 已存在")
        self._run("INSERT INTO §users (name, role, level, hash, created) VALUES (?, ?, ?, ?, ?)",
                  (name, role, level, hash_password(password), time.time()))

    def update(self, name: str, *, password: str | None = None, role: str | None = None,
               level: str | None = None) -> None:
        """Change a user; a new password also ends their sessions and revokes their API tokens."""
        if self.user(name) is None:
            raise KeyError(name)
        if password is not None:
            self._run("UPDATE §users SET hash = ? WHERE name = ?", (hash_password(password), name))
            self._run("DELETE FROM §sessions WHERE name = ?", (name,))
            self._run("DELETE FROM §tokens WHERE name = ?", (name,))
        if role is not None:
            self._run("UPDATE §users SET role = ? WHERE name = ?", (role, name))
        if level is not None:
            self._run("UPDATE §users SET level = ? WHERE name = ?", (level, name))

    def remove(self, name: str) -> bool:
        """Remove a user with their tokens and sessions."""
        for table in ("tokens", "sessions"):
            self._run(f"DELETE FROM §{table} WHERE name = ?", (name,))
        return self._run("DELETE FROM §users WHERE name = ?", (name,)) > 0

    def check_password(self, name: str, password: str) -> User | None:
        """The user if the password is theirs; the same work whether or not the user exists."""
        rows = self._run("SELECT hash FROM §users WHERE name = ?", (name,), fetch=True)
        ok = verify(password, rows[0][0] if rows else None)
        return self.user(name) if ok else None

    # -- API tokens --------------------------------------------------------------------

    def new_token(self, name: str) -> str:
        """A new token for `name`, returned once: `arc_<id>_<secret>`; only the secret's hash is kept."""
        if self.user(name) is None:
            raise KeyError(name)
        token_id, secret = secrets.token_hex(4), secrets.token_urlsafe(32)
        self._run("INSERT INTO §tokens (id, name, hash, created) VALUES (?, ?, ?, ?)",
                  (token_id, name, _digest(secret), time.time()))
        return f"arc_{token_id}_{secret}"

    def tokens(self, name: str | None = None) -> list[tuple[str, str, float]]:
        """(id, user, created) of the tokens (of one user)."""
        sql = "SELECT id, name, created FROM §tokens" + (" WHERE name = ?" if name else "") + " ORDER BY created"
        return [tuple(r) for r in self._run(sql, (name,) if name else (), fetch=True)]

    def revoke(self, name: str, token_id: str | None = None) -> int:
        """Revoke one token of a user, or all of them; how many were revoked."""
        if token_id:
            return self._run("DELETE FROM §tokens WHERE name = ? AND id = ?", (name, token_id))
        return self._run("DELETE FROM §tokens WHERE name = ?", (name,))

    def token_user(self, token: str) -> User | None:
        parts = token.split("_", 2)
        if len(parts) != 3 or parts[0] != "arc":
            return None
        rows = self._run("SELECT name, hash FROM §tokens WHERE id = ?", (parts[1],), fetch=True)
        if not rows or not hmac.compare_digest(rows[0][1], _digest(parts[2])):
            return None
        return self.user(rows[0][0])

    # -- sessions ----------------------------------------------------------------------

    def new_session(self, name: str, minutes: float) -> str:
        sid, now = secrets.token_urlsafe(32), time.time()
        self._run("DELETE FROM §sessions WHERE expires < ?", (now,))  # (expired ones are swept here)
        self._run("INSERT INTO §sessions (id, name, created, expires) VALUES (?, ?, ?, ?)",
                  (_digest(sid), name, now, now + minutes * 60))
        return sid

    def session_user(self, sid: str) -> User | None:
        rows = self._run("SELECT name, expires FROM §sessions WHERE id = ?", (_digest(sid),), fetch=True)
        if not rows or rows[0][1] < time.time():
            return None
        return self.user(rows[0][0])

    def end_session(self, sid: str) -> None:
        self._run("DELETE FROM §sessions WHERE id = ?", (_digest(sid),))

    # -- failed logins -------------------------------------------------------------------

    def locked(self, keys: list[str], now: float) -> float:
        """Seconds until every key's lockout ends (0: none is locked)."""
        rows = self._run(f"SELECT locked_until FROM §failures WHERE key IN ({', '.join('?' * len(keys))})",
                         tuple(keys), fetch=True)
        return max([until - now for (until,) in rows if until > now], default=0.0)

    def fail(self, keys: list[str], now: float, limit: int, window: float) -> None:
        """Count a refusal against each key, in one transaction; the `limit`-th within `window` seconds
        locks the key for `window` seconds (and counting starts again, so an attack that goes on
        keeps it locked). Rows past their window are deleted here; while the last key (the address) is
        locked, a key without a row gets none: new names tried from a locked address add no rows."""
        with self._conn() as conn:
            for statement in self.serialized:
                conn.execute(self._sql(statement))
            conn.execute(self._sql("DELETE FROM §failures WHERE first < ? AND locked_until < ?"), (now - window, now))
            held = {key: row for key, *row in conn.execute(self._sql(
                f"SELECT key, count, first, locked_until FROM §failures WHERE key IN ({', '.join('?' * len(keys))})"),
                tuple(keys)).fetchall()}
            address_locked = held.get(keys[-1], (0, 0.0, 0.0))[2] > now
            for key in keys:
                if key not in held and address_locked:
                    continue
                row = held.get(key)
                count, first, until = row if row and row[1] > now - window else (0, now, 0.0)
                count += 1
                if count >= limit:
                    count, first, until = 0, now, now + window
                conn.execute(self._sql("DELETE FROM §failures WHERE key = ?"), (key,))
                conn.execute(self._sql("INSERT INTO §failures (key, count, first, locked_until) VALUES (?, ?, ?, ?)"),
                             (key, count, first, until))
            conn.execute("COMMIT")

    def clear_failures(self, key: str) -> None:
        self._run("DELETE FROM §failures WHERE key = ?", (key,))

    # -- the signing secret ------------------------------------------------------------------

    def secret(self) -> bytes:
        """The key cookies and CSRF tokens are signed with, generated on first use."""
        rows = self._run("SELECT value FROM §settings WHERE key = 'secret'", fetch=True)
        if rows:
            return bytes.fromhex(rows[0][0])
        self._run("INSERT INTO §settings (key, value) VALUES ('secret', ?) ON CONFLICT (key) DO NOTHING",
                  (secrets.token_hex(32),))
        return self.secret()

    def rotate_secret(self) -> None:
        """A new secret: every session cookie and form signed with the old one stops working."""
        self._run("DELETE FROM §settings WHERE key = 'secret'")
        self._run("DELETE FROM §sessions")
        self.secret()


class SQLiteStore(Store):
    marker = "?"
    serialized = ("BEGIN IMMEDIATE",)  # the write lock first, so two counts of one key never interleave

    def __init__(self, folder: Path):
        self.path = Path(folder) / FILE_NAME
        super().__init__(str(self.path))
        self._ready = False

    @contextmanager
    def _conn(self):
        if not self._ready:
            self._create()
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)  # autocommit
        conn.execute("PRAGMA synchronous = NORMAL")  # (with WAL: durable at checkpoints, never corrupt)
        try:
            yield conn
        finally:
            conn.close()

    def has_users(self) -> bool:
        return self.path.exists() and super().has_users()  # (asking does not create the file)

    def _create(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))  # restrictive before any data is written
        os.chmod(self.path, 0o600)
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = WAL")  # readers (every request) do not wait for a writer
            for table in TABLES:
                conn.execute(f"CREATE TABLE IF NOT EXISTS {table}")
        finally:
            conn.close()
        self._ready = True
