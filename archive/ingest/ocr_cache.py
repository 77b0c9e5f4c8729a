"""Where pages read by OCR are kept: one small JSON file a page, by file hash, page and engine.

The cache lives beside the index (archive/home.py decides where): in the Whoosh index folder
(`<index>/ocr-cache`, which a rebuild keeps: it replaces generations, not the folder), for
PostgreSQL in the user's cache folder; $ARCHIVE_CACHE names it for either engine. A page is written to a temporary name and renamed, so
that a killed ingest or two workers never leave half a page. Folders are 0700, pages 0600.
"""

import json
import os
import tempfile
from pathlib import Path


class OcrCache:
    def __init__(self, root: Path | str):
        self.root = Path(root)

    def _path(self, sha: str, page: int, engine: str) -> Path:
        return self.root / engine / sha[:2] / sha / f"{page}.json"

    def get(self, sha: str, page: int, engine: str) -> dict | None:
        try:
            return json.loads(self._path(sha, page, engine).read_text("utf-8"))
        except (OSError, ValueError):
            return None

    def put(self, sha: str, page: int, engine: str, value: dict) -> None:
        path = self._path(sha, page, engine)
        try:
            _private_folders(self.root, path.parent)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")  # (mode 0600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(value, f, ensure_ascii=False)
            os.replace(tmp, path)
        except OSError:
            pass  # a read-only or full disk costs a second reading next time, never the ingest


def _private_folders(root: Path, folder: Path) -> None:
    """`folder` and the folders from `root` down to it, made 0700 where missing (the pages are the
    minutes' text: readable by the archive's owner only, like the index)."""
    if folder.is_dir():
        return
    root.parent.mkdir(parents=True, exist_ok=True)
    inner = folder.relative_to(root).parents[:-1]  # (e.g. engine/ab for engine/ab/abcd…)
    for target in [root, *(root / p for p in reversed(inner)), folder]:
        try:
            target.mkdir(mode=0o700)
        except FileExistsError:
            pass

