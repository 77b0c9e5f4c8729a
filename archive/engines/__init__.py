"""Engines store the archive and answer match plans; the choice of engine is made here only.

`open_engine()` gives PostgreSQL when a database is named (`--database URL`,
else $ARCHIVE_DATABASE_URL), else the embedded default, a Whoosh index in a
folder (`--index DIR`, else $ARCHIVE_INDEX, else ./index). The engine's
package is imported only when an engine is opened, so the fronts load no
engine code (and neither Whoosh nor psycopg) until they search.
"""

import os
from pathlib import Path

from .base import Engine


def default_index_dir() -> Path:
    return Path(os.environ.get("ARCHIVE_INDEX") or "index")


def open_engine(index: Path | str | None = None, database: str | None = None) -> Engine:
    url = database or os.environ.get("ARCHIVE_DATABASE_URL")
    if url:
        from .postgres import PostgresEngine
        return PostgresEngine(url)
    from .whoosh import WhooshEngine
    return WhooshEngine(index or default_index_dir())
