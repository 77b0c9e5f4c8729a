"""Everyday mistakes as one line on stderr instead of a traceback."""

import errno
import re
import socket

from . import settings
from .access.levels import ConfigError
from .errors import IndexBusy, IndexMissing, IndexOutdated


class Refused(Exception):
    """Something the user must change before the command can run; the message says what (exit 2)."""


_OS_ERRORS = {
    errno.ENOSPC: "磁盘已满：{name}；腾出空间后再运行（已写入的索引不受影响）",
    errno.EDQUOT: "磁盘配额已用完：{name}；腾出空间后再运行",
    errno.EROFS: "只读的文件系统：{name}；请换一个可写的 --index 文件夹",
    errno.EACCES: "没有权限：{name}；请检查文件夹的权限或换一个 --index 文件夹",
    errno.EPERM: "不允许的操作：{name}",
    errno.ENOTDIR: "不是文件夹：{name}；--index 应指向一个文件夹",
    errno.EEXIST: "已存在同名文件：{name}；--index 应指向一个文件夹",
    errno.ENOENT: "找不到：{name}",
    errno.EIO: "读写出错：{name}（磁盘或网络文件系统故障）",
    errno.EMFILE: "打开的文件太多：{name}；请提高 ulimit -n",
}
_CHINESE = re.compile(r"[\u4e00-\u9fff]")
_LEADS = {IndexMissing: "还没有可检索的索引", IndexOutdated: "索引需要重建", IndexBusy: "另一个导入正在进行"}


def explain(exc: BaseException) -> str | None:
    """One Chinese line for an error a user can cause and fix, else None (a bug: let it show)."""
    if isinstance(exc, (Refused, ConfigError)):
        return str(exc)
    if getattr(exc, "unreachable", False):  # a database that does not answer
        return f"无法连接数据库：请确认 PostgreSQL 已启动，--database 或 $ARCHIVE_DATABASE_URL 正确（{exc}）"
    for kind, lead in _LEADS.items():
        if isinstance(exc, kind):  # (the engines' messages that are still English get a Chinese lead)
            return str(exc) if _CHINESE.search(str(exc)) else f"{lead}：{exc}"
    if isinstance(exc, OSError):
        name = exc.filename or ""
        if exc.errno in (errno.EADDRINUSE, errno.EADDRNOTAVAIL):
            return f"无法监听该地址：{exc.strerror}；请换一个 --port 或 --host"
        template = _OS_ERRORS.get(exc.errno)
        if template:
            return template.format(name=name).replace("：；", "；").rstrip("：")
        return f"系统错误 {errno.errorcode.get(exc.errno, exc.errno)}：{exc.strerror or exc} {name}".rstrip()
    return None


def check_index(index: str | None, database: str | None) -> None:
    """A Whoosh index named by --index or $ARCHIVE_INDEX must be a folder (or not exist yet)."""
    where = settings.place(index, database).folder
    if where is not None and where.exists() and not where.is_dir():
        flag = "--index" if index else "$ARCHIVE_INDEX"
        raise Refused(f"{flag} 应指向一个文件夹，而 {where} 是一个文件")


def check_port(host: str, port: int) -> None:
    """Bind the address once before anything else, so a busy port is one line, not a traceback."""
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror:
        raise Refused(f"--host {host} 不是本机的地址或主机名") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as waitress does
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise Refused(f"端口 {port} 已被占用：换一个 --port，或先停止占用它的程序") from None
            if exc.errno == errno.EACCES:
                raise Refused(f"没有权限使用端口 {port}：1024 以下的端口需要管理员权限，请换一个 --port") from None
            if exc.errno == errno.EADDRNOTAVAIL:
                raise Refused(f"--host {host} 不是本机的地址") from None
            raise
