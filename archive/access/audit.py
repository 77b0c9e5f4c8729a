"""The audit log: who searched what, opened which meeting, exported what, logged in or failed.

JSON lines (one event an object: time, event, user, address, and what it concerns; mode 0600),
written through the standard library's RotatingFileHandler: at 10 MB the file becomes `.1` (…`.9`,
the oldest dropped), so the log never fills the disk. `archive audit` reads the rotated
files oldest first.
"""

import json
import logging
import logging.handlers
import os
import threading
import time
from pathlib import Path

MAX_BYTES = 10 * 1024 * 1024
BACKUPS = 9
_lock = threading.Lock()


class _PrivateRotatingHandler(logging.handlers.RotatingFileHandler):
    """Each file of the log readable by its owner only (it holds who searched what)."""

    def _open(self):
        fd = os.open(self.baseFilename, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600)
        return open(fd, "a", encoding=self.encoding)


class AuditLog:
    def __init__(self, path: Path | str, max_bytes: int = MAX_BYTES, backups: int = BACKUPS):
        self.path = Path(path)
        self.max_bytes, self.backups = max_bytes, backups
        self._logger = None

    def _get_logger(self) -> logging.Logger:
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

    def write(self, event: str, user: str = "", address: str = "", **details) -> None:
        entry = {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "event": event, "user": user,
                 "address": address, **details}
        self._get_logger().info(json.dumps(entry, ensure_ascii=False))

    def files(self) -> list[Path]:
        """The log's files, oldest first."""
        rotated = sorted((p for p in self.path.parent.glob(self.path.name + ".*") if p.suffix[1:].isdigit()),
                         key=lambda p: -int(p.suffix[1:]))
        return rotated + ([self.path] if self.path.exists() else [])

    def read(self, user: str | None = None, event: str | None = None, since: str | None = None):
        """Events oldest first, those of a user, of a kind, at or after a time (ISO prefix, e.g. 2026-11-30)."""
        for path in self.files():
            with path.open(encoding="utf-8", errors="replace") as f:
                for line in f:
                    try:
                        entry = json.loads(line)
                    except json.JSONDecodeError:
                        continue  # (a line cut by a crash)
                    if user is not None and entry.get("user") != user:
                        continue
                    if event is not None and entry.get("event") != event:
                        continue
                    if since is not None and entry.get("time", "") < since:
                        continue
                    yield entry


def audit_log(store, config) -> AuditLog:
    """The log beside the store's SQLite file (the index folder); for PostgreSQL config's audit_log, else
    the user's state folder ($XDG_STATE_HOME, else ~/.local/state, then meeting-archive/audit.jsonl)."""
    path = getattr(store, "path", None)
    if path is not None:
        return AuditLog(path.parent / "audit.jsonl")
    if config.audit_log:
        return AuditLog(Path(config.audit_log))
    state = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return AuditLog(Path(state) / "meeting-archive" / "audit.jsonl")
