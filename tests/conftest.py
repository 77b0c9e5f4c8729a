import shutil
from pathlib import Path

import pytest

from archive.index.store import IndexDir
from archive.index.writer import ingest
from archive.search.backend import Backend

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SAMPLE = next(CORPUS.glob("*.md"))
SHARED = ROOT.parent / "shared" / "corpora"


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory) -> IndexDir:
    """A real index of the sample corpus, built once for the read-only tests."""
    corpus = tmp_path_factory.mktemp("corpus")
    shutil.copy(SAMPLE, corpus / SAMPLE.name)
    index_dir = IndexDir(tmp_path_factory.mktemp("index"))
    summary = ingest([corpus], index_dir)
    assert summary.added == 1 and not summary.failed
    return index_dir


@pytest.fixture(scope="session")
def backend(sample_index) -> Backend:
    return Backend(sample_index)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path
