"""The audit log: who searched what, opened which meeting, exported what, logged in or failed.

JSON lines (one event an object: time, event, user, address, and what it concerns; mode 0600),
written through the standard library's RotatingFileHandler: at 10 MB the file becomes `.1` (…`.9`,
the oldest dropped), so the log never fills the disk. What nobody logged in did (anonymous
requests, failed or locked logins, whose name is only what was typed) goes to a stream of its
own, `audit-anonymous.jsonl` (2 MB, four old files): a burst of anonymous requests rotates that
stream only and can never push the users' history out. Every string is cut to MAX_VALUE
characters. `archive audit` reads both streams, oldest first. Where the log is: archive/home.py.
"""

import heapq
import json
import logging
import logging.handlers
import os
import re
import threading
import time
import unicodedata
from pathlib import Path

MAX_BYTES = 10 * 1024 * 1024
BACKUPS = 9
ANONYMOUS_BYTES, ANONYMOUS_BACKUPS = 2 * 1024 * 1024, 4
MAX_VALUE = 200  # characters of any logged string (a name, a path, a parameter)
MAX_ITEMS = 20  # parameters (and values of one) logged per request
UNAUTHENTICATED = ("login_failed", "login_locked", "login_csrf")  # their user is only what was typed
_lock = threading.Lock()
_SINCE = re.compile(r"^\d{4}(-\d{2}(-\d{2}([T ]\d{2}(:\d{2}(:\d{2})?)?)?)?)?$")


def printable(text: str) -> str:
    """`text` with every control, format or line separator character written as an escape (\\n, \\x1b, \\u202e):
    what a terminal shows of it is what it holds, and no value can start a forged line."""
    def escape(c: str) -> str:
        if c in "\n\r\t":
            return repr(c)[1:-1]
        return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}"
    def shown(c: str) -> bool:
        category = unicodedata.category(c)
        return category[0] != "C" and category not in ("Zl", "Zp")
    return "".join(c if shown(c) else escape(c) for c in str(text))


def check_since(value: str) -> str:
    """An `archive audit --since` value (a UTC time's prefix: 2026-11-30, 2026-11-30T08); ValueError if not."""
    if not _SINCE.match(value.strip()):
        raise ValueError(f"--since 应为 UTC 时间或其开头，如 2026-11-30 或 2026-11-30T08：{value!r}")
    return value.strip().replace(" ", "T")


def _cut(value, depth: int = 0):
    """A logged value bounded: strings cut to MAX_VALUE characters, lists and dicts to MAX_ITEMS entries."""
    if isinstance(value, str):
        return value if len(value) <= MAX_VALUE else value[:MAX_VALUE] + "…"
    if isinstance(value, dict) and depth < 2:
        return {_cut(k): _cut(v, depth + 1) for k, v in list(value.items())[:MAX_ITEMS]}
    if isinstance(value, (list, tuple)) and depth < 2:
        return [_cut(v, depth + 1) for v in value[:MAX_ITEMS]]
    return value if isinstance(value, (int, float, bool, type(None))) else _cut(str(value))


class _PrivateRotatingHandler(logging.handlers.RotatingFileHandler):
    """Each file of the log readable by its owner only (it holds who searched what)."""

    def _open(self):
        fd = os.open(self.baseFilename, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600)
        return open(fd, "a", encoding=self.encoding)


class _Stream:
    """One rotated file of JSON lines."""

    def __init__(self, path: Path, max_bytes: int, backups: int):
        self.path, self.max_bytes, self.backups = path, max_bytes, backups
        self._logger = None

    def logger(self) -> logging.Logger:
        with _lock:
            if self._logger is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                logger = logging.getLogger(f"archive.audit.{self.path.resolve()}")
                logger.propagate = False
                logger.setLevel(logging.INFO)
                if not logger.handlers:
                    handler = _PrivateRotatingHandler(self.path, maxBytes=self.max_bytes, backupCount=self.backups,
                                                      encoding="utf-8")
                    handler.setFormatter(logging.Formatter("%(message)s"))
                    logger.addHandler(handler)
                self._logger = logger
        return self._logger

    def files(self) -> list[Path]:
        """The stream's files, oldest first."""
        rotated = sorted((p for p in self.path.parent.glob(self.path.name + ".*") if p.suffix[1:].isdigit()),
                         key=lambda p: -int(p.suffix[1:]))
        return rotated + ([self.path] if self.path.exists() else [])

    def entries(self):
        for path in self.files():
            with path.open(encoding="utf-8", errors="replace") as f:
                for line in f:
                    try:
                        yield json.loads(line)
                    except json.JSONDecodeError:
                        continue  # (a line cut by a crash)


class AuditLog:
    def __init__(self, path: Path | str, max_bytes: int = MAX_BYTES, backups: int = BACKUPS,
                 anonymous_bytes: int = ANONYMOUS_BYTES, anonymous_backups: int = ANONYMOUS_BACKUPS):
        self.path = Path(path)
        self.users = _Stream(self.path, max_bytes, backups)
        anonymous = self.path.with_name(self.path.name.replace(".jsonl", "") + "-anonymous.jsonl")
        self.anonymous = _Stream(anonymous, anonymous_bytes, anonymous_backups)

    def write(self, event: str, user: str = "", address: str = "", **details) -> None:
        entry = {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "event": event, "user": _cut(user),
                 "address": _cut(address), **{k: _cut(v) for k, v in details.items()}}
        stream = self.users if user and event not in UNAUTHENTICATED else self.anonymous
        stream.logger().info(json.dumps(entry, ensure_ascii=False))

    def files(self) -> list[Path]:
        """The log's files (the users' stream, then the anonymous one), each stream oldest first."""
        return self.users.files() + self.anonymous.files()

    def read(self, user: str | None = None, event: str | None = None, since: str | None = None):
        """Events oldest first, those of a user, of a kind, at or after a time (ISO prefix, e.g. 2026-11-30)."""
        both = heapq.merge(self.users.entries(), self.anonymous.entries(), key=lambda e: str(e.get("time", "")))
        for entry in both:
            if user is not None and entry.get("user") != user:
                continue
            if event is not None and entry.get("event") != event:
                continue
            if since is not None and str(entry.get("time", "")) < since:
                continue
            yield entry

