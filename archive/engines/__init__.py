"""Engines store the archive and answer match plans; the choice of engine is made here only.

`engine_at(place)` gives PostgreSQL for a database, else the embedded default, a Whoosh index in a
folder; where the archive is (archive/settings.py `place()`) is decided before. The engine's
package is imported only when an engine is opened, so the fronts load no engine code (and
neither Whoosh nor psycopg) until they search.
"""

from pathlib import Path

from ..settings import Place, place
from .base import Engine


def engine_at(where: Place) -> Engine:
    # (imports inside: they keep Whoosh and psycopg unloaded until an engine of theirs is opened)
    if where.url:
        from .postgres import PostgresEngine
        return PostgresEngine(where.url)
    from .whoosh import WhooshEngine
    return WhooshEngine(where.folder)


def open_engine(index: Path | str | None = None, database: str | None = None) -> Engine:
    """The engine of the archive --index/--database name (else the settings: archive/settings.py)."""
    return engine_at(place(index, database))
