"""The status people keep of each item: open, done or dropped, with a note, who and when.

Kept outside the index, in the users store (archive/access/store.py: `access.sqlite` in the index
folder, or the database's `archive_access` schema), so that a re-ingest or `--rebuild` never loses
it; keyed by a stable item id (item_id), which stays the same while the item's file and text do.
Every change also goes to the audit log, which keeps the history.
"""

import hashlib
import re
import time
from dataclasses import dataclass

STATUSES = {"open": "未完成", "done": "已完成", "dropped": "已撤销"}
NOTE_LIMIT = 500
_SPACE = re.compile(r"\s+")


def item_id(source: str, text: str) -> str:
    """The id of an item: its file and its text, blanks ignored (a re-ingest keeps it)."""
    key = source + "\n" + _SPACE.sub("", text)
    return hashlib.sha256(key.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Status:
    status: str
    note: str = ""
    who: str = ""
    at: float = 0.0


OPEN = Status("open")


class StatusBook:
    """The statuses of a store (its connection per operation and SQL dialect)."""

    def __init__(self, store):
        self.store = store

    def all(self) -> dict[str, Status]:
        rows = self.store._run("SELECT id, status, note, who, at FROM §item_status", fetch=True)
        return {row[0]: Status(*row[1:]) for row in rows}

    def get(self, key: str) -> Status:
        rows = self.store._run("SELECT status, note, who, at FROM §item_status WHERE id = ?", (key,), fetch=True)
        return Status(*rows[0]) if rows else OPEN

    def set(self, key: str, status: str, note: str, who: str, audit=None, address: str = "") -> Status:
        """Record a status (ValueError for an unknown one or a note too long) and write it to the audit log."""
        if status not in STATUSES:
            raise ValueError(f"状态应为 {' | '.join(STATUSES)}：{status!r}")
        note = note.strip()
        if len(note) > NOTE_LIMIT:
            raise ValueError(f"备注最多 {NOTE_LIMIT} 个字符")
        given = Status(status, note, who, time.time())
        self.store._run("INSERT INTO §item_status (id, status, note, who, at) VALUES (?, ?, ?, ?, ?) "
                        "ON CONFLICT (id) DO UPDATE SET status = excluded.status, note = excluded.note, "
                        "who = excluded.who, at = excluded.at", (key, status, note, who, given.at))
        if audit is not None:
            audit.write("item_status", who, address, item=key, status=status, note=note)
        return given
