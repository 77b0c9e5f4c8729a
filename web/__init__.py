"""The web front: the search page and the JSON API over the same Backend as the CLI."""

from pathlib import Path

from flask import Flask

from archive.index.store import IndexDir, default_index_dir
from archive.search.backend import Backend


def create_app(index_dir: IndexDir | Path | str | None = None) -> Flask:
    app = Flask(__name__)
    if not isinstance(index_dir, IndexDir):
        index_dir = IndexDir(index_dir or default_index_dir())
    app.config["BACKEND"] = Backend(index_dir)
    app.json.ensure_ascii = False

    from . import api
    app.register_blueprint(api.bp)
    return app
