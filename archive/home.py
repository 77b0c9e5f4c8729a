"""The opened archive: its engine and everything kept beside it, from one decision of where it lives.

    open_archive(index=None, database=None) -> Archive   (where: archive/settings.py place())
      .engine     the index (archive/engines): Whoosh in the folder, or the PostgreSQL database
      .store      users, tokens, sessions (archive/access/store.py): access.sqlite in the folder,
                  or the database's archive_access schema
      .config     the access configuration: the one stored with the archive, else the file
                  ($ARCHIVE_CONFIG, else ./archive.toml; archive/access/levels.py), else the defaults
      .audit      the audit log: audit.jsonl in the folder; for a database [web] audit_log, else
                  $XDG_STATE_HOME/meeting-archive/audit.jsonl
      .ocr_cache  pages read by OCR: $ARCHIVE_CACHE/ocr-cache, else the folder's ocr-cache, else
                  $XDG_CACHE_HOME/meeting-archive/ocr-cache

`Archive(engine)` opens the same beside an engine already open (the engine keeps the Place it was
opened on). Each part is opened when first asked for, so a search touches neither store nor log.
"""

from functools import cached_property
from pathlib import Path

from . import settings
from .access.audit import AuditLog
from .access.levels import AccessConfig, load_config, stored_config
from .access.store import SQLiteStore, Store
from .engines import open_engine
from .engines.base import Engine
from .ingest.ocr_cache import OcrCache

APP = "meeting-archive"  # the folder of ours under the user's state and cache folders


class Archive:
    def __init__(self, engine: Engine, *, config: AccessConfig | None = None, store: Store | None = None):
        """`config` and `store`, when given, are used instead of the archive's own (tests, a stricter server)."""
        self.engine, self.place = engine, engine.place
        if config is not None:
            self.config = config
        if store is not None:
            self.store = store

    @cached_property
    def config(self) -> AccessConfig:
        return stored_config(self.engine.meta()) or load_config()

    @cached_property
    def store(self) -> Store:
        if self.place.url:
            from .engines.postgres.users import PostgresStore  # (inside: psycopg only for a database)
            return PostgresStore(self.place.url)
        return SQLiteStore(self.place.folder)

    @cached_property
    def audit(self) -> AuditLog:
        if self.place.folder is not None:
            return AuditLog(self.place.folder / "audit.jsonl")
        if self.config.audit_log:
            return AuditLog(Path(self.config.audit_log))
        return AuditLog(settings.folder("XDG_STATE_HOME") / APP / "audit.jsonl")

    @cached_property
    def ocr_cache(self) -> OcrCache:
        if settings.given("ARCHIVE_CACHE"):
            return OcrCache(settings.folder("ARCHIVE_CACHE") / "ocr-cache")
        if self.place.folder is not None:
            return OcrCache(self.place.folder / "ocr-cache")
        return OcrCache(settings.folder("XDG_CACHE_HOME") / APP / "ocr-cache")


def open_archive(index: Path | str | None = None, database: str | None = None) -> Archive:
    """The archive --index/--database name (else $ARCHIVE_DATABASE_URL, $ARCHIVE_INDEX, ./index)."""
    return Archive(open_engine(index, database))
