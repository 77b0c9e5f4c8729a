"""Database URLs read and redacted here, never by the driver: no message may show a password.

libpq's own parse errors quote what they choke on (a password with a stray `%` was printed whole;
a raw `@` in it moved its tail into the host name of the next error), so a URL is checked and
split here, and the driver only ever gets libpq keywords (`conninfo()`). Every problem is named
in Chinese with the URL shown as `redact()` gives it, or as UNPARSABLE when no part of it can be
shown safely.

    postgresql://user:password@host:port,host2:port2/dbname?key=value&…   (libpq's URI form)
    host=… dbname=… user=…                                                 (a libpq key=value string)
"""

import re
from urllib.parse import unquote

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from ...errors import IndexMissing

SCHEMES = ("postgresql://", "postgres://")
UNPARSABLE = "（URL 无法解析）"
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


class DatabaseURLError(IndexMissing):
    """A database URL that cannot be used; the message names the problem, never the password."""
    unreachable = True  # (no ingest cures it)


def _decode(text: str, what: str, shown: str) -> str:
    if _BAD_PERCENT.search(text):
        raise DatabaseURLError(f"数据库 URL 的{what}中有无效的百分号转义（% 本身须写作 %25）：{shown}")
    try:
        return unquote(text, errors="strict")
    except UnicodeDecodeError:
        raise DatabaseURLError(f"数据库 URL 的{what}中的百分号转义不是 UTF-8 文字：{shown}") from None


def _split(url: str) -> dict:
    """A URL's raw parts; DatabaseURLError where the password's end is ambiguous."""
    scheme, rest = url.split("://", 1)
    cut = min([i for i in (rest.find("/"), rest.find("?")) if i >= 0], default=len(rest))
    netloc, tail = rest[:cut], rest[cut:]
    # libpq ends the user part at the first @: a raw @ (or a / or ? before one) in a password
    # leaves its tail in the host name or the path.
    if netloc.count("@") > 1 or ("@" not in netloc and "@" in tail):
        raise DatabaseURLError(f"数据库 URL 的用户名或密码中有未转义的 @、/ 或 ?（依次写作 %40、%2F、%3F）：{UNPARSABLE}")
    userinfo, at, hosts = netloc.rpartition("@")
    user, colon, password = userinfo.partition(":")
    path, question, query = tail.partition("?")
    pairs = [p.partition("=") for p in query.split("&") if p] if question else []
    return {"scheme": scheme, "user": user, "password": password if colon else None, "at": at, "hosts": hosts,
            "path": path, "pairs": pairs}


def _shown(parts: dict) -> str:
    """The URL as given, but for its password (in the user part or the parameters)."""
    query = "&".join(k + ("=***" if k == "password" else s + v) for k, s, v in parts["pairs"])
    return (f"{parts['scheme']}://{parts['user']}{':***' if parts['password'] is not None else ''}{parts['at']}"
            f"{parts['hosts']}{parts['path']}{'?' + query if parts['pairs'] else ''}")


def _hosts(hosts: str) -> tuple[list[str], list[str]]:
    """(hosts, ports) of `host:port,[v6]:port,…`; a port left out is ''."""
    names, ports = [], []
    for spec in hosts.split(","):
        if spec.startswith("["):
            name, bracket, port = spec[1:].partition("]")
            if not bracket or (port and not port.startswith(":")):
                raise DatabaseURLError(f"数据库 URL 的 IPv6 地址缺少 ]（写作 [::1]:5432）：{UNPARSABLE}")
            port = port[1:]
        else:
            name, _, port = spec.partition(":")
        if port and not (port.isascii() and port.isdigit() and 0 < int(port) < 65536):
            raise DatabaseURLError(f"数据库 URL 的端口不是 1 到 65535 之间的数：{UNPARSABLE}")
        names.append(name)
        ports.append(port)
    return names, ports


def parse_url(url: str) -> dict[str, str]:
    """The libpq keywords a URL (or a key=value string) gives; DatabaseURLError if it is malformed."""
    if not url.startswith(SCHEMES):
        try:
            return {k: str(v) for k, v in conninfo_to_dict(url).items() if v is not None}
        except psycopg.Error:  # (its message quotes the string)
            raise DatabaseURLError("数据库连接串无法解析（连接串不予显示）：应为 postgresql://用户@主机:端口/数据库") from None
    parts = _split(url)
    shown = _shown(parts)
    out = {}
    if parts["user"]:
        out["user"] = _decode(parts["user"], "用户名", shown)
    if parts["password"]:
        out["password"] = _decode(parts["password"], "密码", shown)
    if parts["hosts"]:
        names, ports = _hosts(parts["hosts"])
        out["host"] = ",".join(_decode(n, "主机", shown) for n in names)
        if any(ports):
            out["port"] = ",".join(ports)
    if parts["path"].strip("/"):
        out["dbname"] = _decode(parts["path"][1:], "数据库名", shown)
    for key, sign, value in parts["pairs"]:
        if not sign:
            raise DatabaseURLError(f"数据库 URL 的参数缺少 =（应为 ?键=值&键=值）：{shown}")
        out[_decode(key, "参数", shown)] = _decode(value, "参数", shown)
    return out


def conninfo(url: str) -> str:
    """The key=value string libpq is given for a URL (its values quoted by psycopg, not re-parsed from text)."""
    return make_conninfo("", **parse_url(url))


def redact(url: str) -> str:
    """The URL without its password, for messages; UNPARSABLE if it cannot be read."""
    try:
        params = parse_url(url)
    except DatabaseURLError:
        return UNPARSABLE
    if url.startswith(SCHEMES):
        return _shown(_split(url))
    return " ".join(f"{k}={'***' if k == 'password' else v}" for k, v in params.items())


def scrub(text: str, url: str) -> str:
    """A driver's message with the URL's password (as written, or decoded) replaced by ***."""
    secrets = set()
    try:
        if url.startswith(SCHEMES):
            secrets.add(_split(url)["password"] or "")
        secrets.add(parse_url(url).get("password", ""))
    except DatabaseURLError:
        pass
    for secret in sorted(filter(None, secrets), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text
