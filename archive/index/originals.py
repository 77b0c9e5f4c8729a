"""The original of an ingested file: opened only while it is still what was ingested.

Every meeting record keeps what its file's ingest knew (archive/index/records.py): `hash`, the SHA-256
of the file's bytes as ingested (the same hash by which ingest skips unchanged files), `root`, the
absolute corpus folder it was read from, and `source`, its path inside that folder. A file changed
since (a 公开 file now holding secret text), replaced by a link out of the folder, or not a regular
file is not the original any more: open_original refuses it, saying why.
"""

import hashlib
import os
import stat
from typing import BinaryIO

CHUNK = 1 << 20


def open_original(meeting: dict) -> tuple[BinaryIO | None, str]:
    """(the file opened for reading at its start, "") or (None, why not, in Chinese) for a meeting's info
    as the engine's Reader.meeting() gives it. The bytes were hashed through the very descriptor
    returned, so what is sent is what was checked; the caller closes it."""
    root, source, expected = meeting.get("root"), meeting.get("source"), meeting.get("hash")
    if not root or not source or not expected:
        return None, "索引中没有这份原文的位置或校验值：请重新导入"
    real_root = os.path.realpath(root)
    real = os.path.realpath(os.path.join(root, source))
    if os.path.commonpath([real_root, real]) != real_root or real == real_root:
        return None, f"原文 {source} 已不在导入时的文件夹 {root} 中"
    try:
        fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        return None, f"原文 {source} 无法打开（{exc.strerror or exc}）：已被移动或删除？"
    f = os.fdopen(fd, "rb")
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValueError(f"原文 {source} 不是普通文件")
        digest = hashlib.sha256()
        while chunk := f.read(CHUNK):
            digest.update(chunk)
        if digest.hexdigest() != expected:
            raise ValueError(f"原文 {source} 在导入后已被修改：请重新导入后再下载")
        f.seek(0)
    except (OSError, ValueError) as exc:
        f.close()
        return None, str(exc)
    return f, ""
