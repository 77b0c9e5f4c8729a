"""Every setting the environment gives the archive, read here only, each with its default and help.

Read when asked (not at import), so a test or a bench run that sets a variable is seen by the next
command. Where the archive lives is decided once, from these and the command's --index/--database,
by `place()`; archive/home.py opens what lives there. The README lists the table (Settings).
"""

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS = (
    Setting("ARCHIVE_INDEX", "index", "the Whoosh index folder, when no database is named (--index overrides)"),
    Setting("ARCHIVE_DATABASE_URL", "", "a PostgreSQL database holding the archive instead of a folder "
            "(--database overrides)"),
    Setting("ARCHIVE_CONFIG", "archive.toml", "the access configuration a first ingest stores (--config overrides)"),
    Setting("ARCHIVE_CACHE", "", "the folder of the OCR cache, for either engine (default: the index folder's "
            "ocr-cache, or $XDG_CACHE_HOME/meeting-archive for a database)"),
    Setting("ARCHIVE_OCR_PROCS", "", "worker processes for OCR (default: one a core)"),
    Setting("ARCHIVE_INGEST_PROCS", "", "worker processes for an ingest (default: one a core, for many files)"),
    Setting("XDG_CACHE_HOME", "~/.cache", "where a database archive's OCR cache goes (meeting-archive/ocr-cache)"),
    Setting("XDG_STATE_HOME", "~/.local/state", "where a database archive's audit log goes, unless [web] audit_log "
            "names it (meeting-archive/audit.jsonl)"),
    Setting("NO_COLOR", "", "any value: `archive search` marks matches with 【】 instead of colour"),
)
_DEFAULTS = {s.name: s.default for s in SETTINGS}


def get(name: str) -> str:
    """The variable's value, else its default ("" where there is none); only names of SETTINGS."""
    return os.environ.get(name) or _DEFAULTS[name]


def given(name: str) -> bool:
    return bool(os.environ.get(name))


def folder(name: str) -> Path:
    return Path(get(name)).expanduser()


def procs(name: str) -> int | None:
    """A worker count the environment fixes (ARCHIVE_OCR_PROCS, ARCHIVE_INGEST_PROCS), None if it fixes none."""
    value = get(name)
    return int(value) if value.isdigit() else None


@dataclass(frozen=True)
class Place:
    """Where an archive lives: a PostgreSQL database (url) or a Whoosh index folder (folder), never both."""
    folder: Path | None = None
    url: str | None = None


def place(index: Path | str | None = None, database: str | None = None) -> Place:
    """The one decision: --database, else $ARCHIVE_DATABASE_URL, names a database; else the folder
    --index, else $ARCHIVE_INDEX, else ./index."""
    url = database or get("ARCHIVE_DATABASE_URL")
    if url:
        return Place(url=url)
    return Place(folder=Path(index) if index else Path(get("ARCHIVE_INDEX")))
