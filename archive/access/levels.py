"""Access levels: their order, which level each corpus file has, and who may read which.

The archive's configuration is a TOML file: `$ARCHIVE_CONFIG`, else `archive.toml`
in the working directory (like `corpus/` and `index/`), else the defaults below.

    [access]
    levels = ["公开", "内部", "秘密"]     # lowest first
    default = "公开"                    # the level of a file no rule names
    [access.folders]                   # corpus path prefix -> level; the longest prefix wins
    "内部资料" = "内部"
    [web]
    session_minutes = 480              # a login lasts this long
    lockout_failures = 10              # failed logins (per user, per address) before a lockout
    lockout_minutes = 15
    proxy = false                      # trust X-Forwarded-* from one reverse proxy (ProxyFix)
    audit_log = "/var/log/archive/audit.jsonl"  # PostgreSQL only (default: $XDG_STATE_HOME/meeting-archive/);
                                       # with an index folder it is kept there

A file's front matter `access: 内部` wins over the folder rules. A level that
is not in the list fails that file (never a silent default).
"""

import hashlib
import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

DEFAULT_LEVELS = ("公开", "内部", "秘密")


class ConfigError(ValueError):
    """The configuration cannot be used: the reason, in a sentence."""


class UnknownLevel(ValueError):
    pass


@dataclass(frozen=True)
class AccessConfig:
    levels: tuple[str, ...] = DEFAULT_LEVELS
    default: str = DEFAULT_LEVELS[0]
    folders: tuple[tuple[str, str], ...] = ()  # (path prefix, level), longest prefix first
    session_minutes: float = 480.0
    lockout_failures: int = 10
    lockout_minutes: float = 15.0
    proxy: bool = False
    audit_log: str = ""  # (PostgreSQL: "" is the user's state folder, archive/access/audit.py)
    source: str = "默认配置"  # where it was read, for messages
    base_url: str = ""  # [web] base_url: the site's address for feed links ("": the request's, checked; web/feed.py)

    @property
    def lowest(self) -> str:
        return self.levels[0]

    @property
    def highest(self) -> str:
        return self.levels[-1]

    def check(self, level: str) -> str:
        if level not in self.levels:
            raise UnknownLevel(f"未知的访问级别 {level!r}：可用的级别为 {'、'.join(self.levels)}（{self.source}）")
        return level

    def level_of(self, source: str, front_matter: dict) -> str:
        """A file's level: its front matter's `access`, else the longest folder rule, else the default."""
        if "access" in front_matter:
            given = front_matter["access"]
            if not isinstance(given, str):
                raise UnknownLevel(f"front matter 的 access 应为一个级别名称，而不是 {given!r}")
            return self.check(given.strip())
        for prefix, level in self.folders:
            if source == prefix or source.startswith(prefix + "/"):
                return level
        return self.default

    def readable(self, level: str) -> tuple[str, ...]:
        """The levels a reader of `level` may read: it and those below."""
        return self.levels[:self.levels.index(self.check(level)) + 1]

    def fingerprint(self) -> str:
        """What decides documents' levels: a change re-tags every file at the next ingest."""
        rules = {"levels": self.levels, "default": self.default, "folders": self.folders}
        return hashlib.sha256(json.dumps(rules, ensure_ascii=False).encode()).hexdigest()[:16]


def config_path() -> Path:
    return Path(os.environ.get("ARCHIVE_CONFIG") or "archive.toml")


def load_config(path: Path | str | None = None) -> AccessConfig:
    """The configuration at `path` (default: config_path()); defaults when the default file is absent."""
    given = path is not None or bool(os.environ.get("ARCHIVE_CONFIG"))
    path = Path(path) if path is not None else config_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if given:
            raise ConfigError(f"配置文件不存在：{path}") from None
        return AccessConfig()
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        raise ConfigError(f"配置文件 {path} 无法读取：{exc}") from None
    return parse_config(data, str(path))


def parse_config(data: dict, source: str = "(given)") -> AccessConfig:
    access, web = data.get("access", {}), data.get("web", {})
    try:
        levels = tuple(access.get("levels", DEFAULT_LEVELS))
        if not levels or not all(isinstance(x, str) and x.strip() for x in levels) or len(set(levels)) != len(levels):
            raise ConfigError("access.levels 应为不重复的级别名称列表（从低到高）")
        default = access.get("default", levels[0])
        folders = access.get("folders", {})
        if not isinstance(folders, dict):
            raise ConfigError("access.folders 应为 “路径前缀 = 级别” 的表")
        for name, level in [("access.default", default)] + [(f"access.folders.{k}", v) for k, v in folders.items()]:
            if level not in levels:
                raise ConfigError(f"{name} 的级别 {level!r} 不在 access.levels（{'、'.join(levels)}）中")
        rules = tuple(sorted(((k.strip("/"), v) for k, v in folders.items()), key=lambda r: (-len(r[0]), r[0])))
        config = AccessConfig(levels, default, rules, float(web.get("session_minutes", 480)),
                              int(web.get("lockout_failures", 10)), float(web.get("lockout_minutes", 15)),
                              bool(web.get("proxy", False)), str(web.get("audit_log", "")), source,
                              base_url=str(web.get("base_url", "")).rstrip("/"))
    except (TypeError, ValueError) as exc:  # (ConfigError included: say which file)
        raise ConfigError(f"{source}: {exc}") from None
    return config


@dataclass(frozen=True)
class Viewer:
    """Who is asking the search service: a name (for the audit log) and the levels they may read.

    `levels` None means everything: the trusted local user of the CLI, or a server on loopback with
    no users (as before access control)."""
    name: str = ""
    levels: tuple[str, ...] | None = None
    role: str = "reader"


EVERYONE = Viewer()
