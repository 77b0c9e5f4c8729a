"""Where the archive lives is decided once (archive/settings.py), and what lives beside it is opened from
that one decision (archive/home.py); the environment is read in the settings module only."""

import re
from pathlib import Path

from archive import settings
from archive.access.store import SQLiteStore
from archive.home import Archive, open_archive
from archive.search.query import Phrase, Term
from archive.search.service import SearchService

ROOT = Path(__file__).resolve().parent.parent


def test_a_database_url_wins_over_a_folder(monkeypatch):
    monkeypatch.delenv("ARCHIVE_DATABASE_URL", raising=False)
    monkeypatch.setenv("ARCHIVE_INDEX", "/srv/ix")
    assert settings.place() == settings.Place(folder=Path("/srv/ix"))
    assert settings.place("other") == settings.Place(folder=Path("other"))
    monkeypatch.setenv("ARCHIVE_DATABASE_URL", "postgresql:///a")
    assert settings.place("other") == settings.Place(url="postgresql:///a")
    assert settings.place(database="postgresql:///b") == settings.Place(url="postgresql:///b")


def test_everything_of_a_folder_archive_is_kept_in_its_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("ARCHIVE_DATABASE_URL", raising=False)
    monkeypatch.delenv("ARCHIVE_CACHE", raising=False)
    archive = open_archive(tmp_path / "ix")
    assert archive.engine.place.folder == tmp_path / "ix"
    assert isinstance(archive.store, SQLiteStore) and archive.store.path == tmp_path / "ix" / "access.sqlite"
    assert archive.audit.path == tmp_path / "ix" / "audit.jsonl"
    assert archive.ocr_cache.root == tmp_path / "ix" / "ocr-cache"
    assert archive.config.source == "默认配置"  # (no archive yet, no archive.toml here: the defaults)
    monkeypatch.setenv("ARCHIVE_CACHE", str(tmp_path / "shared"))
    assert Archive(archive.engine).ocr_cache.root == tmp_path / "shared" / "ocr-cache"


def test_only_the_settings_module_reads_the_environment():
    readers = sorted(str(path.relative_to(ROOT)) for folder in ("archive", "web") for path in (ROOT / folder).rglob("*.py")
                     if "environ" in path.read_text(encoding="utf-8"))
    assert readers == ["archive/settings.py"]


def test_every_setting_is_listed_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([A-Z_]+)` \|", readme, re.M))
    assert listed == {s.name for s in settings.SETTINGS}


def test_the_meeting_page_marks_come_from_the_service(sample_index):
    service = SearchService(sample_index)
    assert service.marks("") is None and service.marks("   ") is None
    assert service.marks('环境 -督察 "整改标准"') == [Term("环境"), Phrase("整改标准")]
