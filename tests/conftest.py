import shutil
from pathlib import Path

import pytest

from archive.engines import open_engine
from archive.engines.base import Engine
from archive.index.pipeline import ingest
from archive.search.service import SearchService

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SAMPLE = next(CORPUS.glob("*.md"))
SHARED = ROOT.parent / "shared" / "corpora"


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory) -> Engine:
    """A real index of the sample corpus, built once for the read-only tests."""
    corpus = tmp_path_factory.mktemp("corpus")
    shutil.copy(SAMPLE, corpus / SAMPLE.name)
    engine = open_engine(tmp_path_factory.mktemp("index"))
    summary = ingest([corpus], engine)
    assert summary.added == 1 and not summary.failed
    return engine


@pytest.fixture(scope="session")
def backend(sample_index) -> SearchService:
    return SearchService(sample_index)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path
