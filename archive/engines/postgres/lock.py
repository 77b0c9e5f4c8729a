"""One ingest at a time: a session advisory lock, which the server releases when the session ends.

Taken by an ingest run (build.py) and by laying an archive out (roles.py, cluster.py): a killed
ingest leaves no lock behind.
"""

import hashlib
import time

import psycopg

from ...errors import IndexBusy

LOCK_KEY = int.from_bytes(hashlib.sha1(b"archive ingest").digest()[:8], "big", signed=True)


def lock_ingest(conn: psycopg.Connection, location: str, wait: float) -> None:
    deadline = time.monotonic() + wait
    while not conn.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,)).fetchone()[0]:
        if time.monotonic() >= deadline:
            raise IndexBusy(f"另一个导入（{_holder(conn)}）正持有 {location} 的导入锁，在更新档案；"
                            f"请等它结束后再试，或加 --wait SECONDS")
        time.sleep(0.2)


def release(conn: psycopg.Connection) -> None:
    """Unlock, then end the session. A closed session's advisory locks go only when its server process
    has exited, a moment later: an ingest right after this one must not find the lock still held."""
    try:
        if not conn.closed:
            conn.rollback()
            conn.execute("SELECT pg_advisory_unlock_all()")
    except psycopg.Error:
        pass  # (a broken session: closing it releases the lock all the same)
    conn.close()


def _holder(conn: psycopg.Connection) -> str:
    """Who holds the ingest lock: the application name the holder gave (with its pid), else its server pid."""
    found = conn.execute(
        """SELECT a.application_name, l.pid FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
           WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
             AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
             AND l.classid::bigint = %s AND l.objid::bigint = %s""",
        ((LOCK_KEY >> 32) & 0xFFFFFFFF, LOCK_KEY & 0xFFFFFFFF)).fetchone()
    if found is None:
        return "?"
    name, pid = found
    return f"{name}，服务器进程 {pid}" if name else f"服务器进程 {pid}"
