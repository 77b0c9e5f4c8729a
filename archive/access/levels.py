"""Access levels: their order, which level each corpus file has, and who may read which.

The configuration is a TOML file that belongs to the archive: the first ingest stores its text
with the index (the index meta: in the index folder, or in the PostgreSQL database), and every
command then reads the stored one (archive/home.py Archive.config), whatever the working directory. It is given
by `archive ingest --config FILE` (which also changes it later), else, while the archive holds
none, `$ARCHIVE_CONFIG`, else `archive.toml` in the working directory, else the defaults below.
Unknown tables and keys are errors naming their line.

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
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from .. import settings

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
    origin: str = field(default="默认配置", compare=False)  # the file first read (kept while it is stored)
    text: str = field(default="", compare=False, repr=False)  # the TOML it was read from
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

    def level_of(self, source: str, front_matter: dict, broken: str = "") -> str:
        """A file's level: its front matter's `access`, else the longest folder rule, else the default.

        Front matter that could not be read completely (`broken`, the reason) may have hidden an
        `access` key: without one read exactly, the level is unknown, never the folder's or default."""
        if broken and "access" not in front_matter:
            raise UnknownLevel(f"front matter 无法完整读取（{broken}），访问级别无法确定：请修正后重新导入")
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


    def toml(self) -> str:
        """The TOML this configuration was read from; written out when it was built otherwise."""
        if self.text:
            return self.text
        q = lambda value: json.dumps(value, ensure_ascii=False)  # noqa: E731 (a JSON string is a TOML string)
        return "\n".join(["[access]", f"levels = [{', '.join(map(q, self.levels))}]", f"default = {q(self.default)}",
                          "[access.folders]", *(f"{q(k)} = {q(v)}" for k, v in self.folders),
                          "[web]", f"session_minutes = {self.session_minutes}",
                          f"lockout_failures = {self.lockout_failures}", f"lockout_minutes = {self.lockout_minutes}",
                          f"proxy = {str(self.proxy).lower()}", f"audit_log = {q(self.audit_log)}", ""])

    def lowers(self, before: str, after: "AccessConfig", now: str) -> bool:
        """Whether a file at level `before` under these rules, at `now` under `after`, could be read by a
        reader who could not read it before: a reader of a level both configurations name, or the lowest."""
        if before not in self.levels or now not in after.levels:
            return before != now  # (a level the old or new rules do not know: say so rather than guess)
        for level in set(self.levels) & set(after.levels):
            could = self.levels.index(before) <= self.levels.index(level)
            if not could and after.levels.index(now) <= after.levels.index(level):
                return True
        return now == after.lowest and before != self.lowest


# The index meta's keys (archive/index/pipeline.py index_meta) for the stored configuration.
STORED_TEXT, STORED_ORIGIN = "access_config", "access_config_from"


def stored_config(meta: dict) -> AccessConfig | None:
    """The configuration an archive's meta holds, None when it holds none (empty, or built before)."""
    text = meta.get(STORED_TEXT)
    if not isinstance(text, str):
        return None
    origin = str(meta.get(STORED_ORIGIN) or "?")
    config = parse_toml(text, f"档案中保存的配置（最初来自 {origin}）")
    return replace(config, origin=origin)


def config_path() -> Path:
    return Path(settings.get("ARCHIVE_CONFIG"))


def load_config(path: Path | str | None = None) -> AccessConfig:
    """The configuration at `path` (default: config_path()); defaults when the default file is absent."""
    given = path is not None or settings.given("ARCHIVE_CONFIG")
    path = Path(path) if path is not None else config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if given:
            raise ConfigError(f"配置文件不存在：{path}") from None
        return AccessConfig()
    except (UnicodeDecodeError, OSError) as exc:
        raise ConfigError(f"配置文件 {path} 无法读取：{exc}") from None
    return replace(parse_toml(text, str(path)), origin=os.path.abspath(path))


def parse_toml(text: str, source: str) -> AccessConfig:
    """A configuration from its TOML text; ConfigError names the line of an unknown table or key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"配置文件 {source} 无法读取：{exc}") from None
    _check_keys(data, text, source)
    return replace(parse_config(data, source), text=text)


# What each table may hold; any other table or key is a mistake (a misspelt [acess] would leave every
# folder rule out, and every file at the default level).
KEYS = {"access": ("levels", "default", "folders"),
        "web": ("session_minutes", "lockout_failures", "lockout_minutes", "proxy", "audit_log", "base_url")}


def _check_keys(data: dict, text: str, source: str) -> None:
    for name, table in data.items():
        if name not in KEYS:
            what = f"未知的配置节 [{name}]" if isinstance(table, dict) else f"未知的配置项 {name}"
            raise ConfigError(f"{source}{_line(text, name)}：{what}（可用的为 [access]、[access.folders]、[web]）")
        for key, value in table.items() if isinstance(table, dict) else ():
            if key not in KEYS[name]:
                hint = "；文件夹规则应写在 [access.folders] 下" if isinstance(value, str) else ""
                raise ConfigError(f"{source}{_line(text, key, name)}：[{name}] 中没有 {key} 这一项"
                                  f"（可用的为 {'、'.join(KEYS[name])}）{hint}")
    folders = data.get("access", {}).get("folders", {}) if isinstance(data.get("access"), dict) else {}
    for prefix, level in folders.items() if isinstance(folders, dict) else ():
        if not isinstance(level, str) or not level.strip():
            raise ConfigError(f"{source}{_line(text, prefix, 'access.folders')}：文件夹规则 {prefix!r} 没有指定级别"
                              f"（应为 \"{prefix}\" = \"级别\"）")


def _line(text: str, key: str, table: str = "") -> str:
    """"（第 N 行）" where `key` is set in `table` (or opened as a table), found by a plain scan of the text."""
    current, anywhere = "", None
    for n, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            current = re.sub(r"\s*\.\s*", ".", stripped.split("]")[0].strip("[ ")).replace('"', "").replace("'", "")
            if not table and current.split(".")[0] == key:
                return f"（第 {n} 行）"
        elif "=" in stripped and not stripped.startswith("#"):
            if stripped.split("=", 1)[0].strip().strip("\"'") == key:
                if current == table:
                    return f"（第 {n} 行）"
                anywhere = anywhere or n
    return f"（第 {anywhere} 行）" if anywhere else ""


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
                              bool(web.get("proxy", False)), str(web.get("audit_log", "")), source, source,
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

    def may_read(self, level: str | None) -> bool:
        """Whether minutes of this access level are this viewer's to read."""
        return self.levels is None or level in self.levels


EVERYONE = Viewer()
