"""The sample turned into .docx by pandoc (pypandoc-binary ships it) reads as the same minutes as the markdown."""

import shutil

import pytest

from archive.engines import open_engine
from archive.index.pipeline import ingest
from archive.ingest import load
from archive.search.service import SearchService

from .conftest import SAMPLE
from .test_search import all_paragraphs, cjk_runs, ids

pypandoc = pytest.importorskip("pypandoc", reason="needs pypandoc-binary (pip install '.[test]')")


@pytest.fixture(scope="module")
def docx(tmp_path_factory, sample_docx):
    return shutil.copy(sample_docx, tmp_path_factory.mktemp("docx-corpus") / sample_docx.name)


def shape(doc):
    return [(m.title, [p.section for p in m.paragraphs if p.is_heading]) for m in doc.records]


def test_same_meetings_titles_and_sections(docx):
    word, markdown = load(docx, docx.parent), load(SAMPLE, SAMPLE.parent)
    assert len(word.records) == 8
    assert shape(word) == shape(markdown)


def test_literal_recall_of_random_runs_is_complete(docx, tmp_path):
    engine = open_engine(tmp_path / "ix")
    assert ingest([docx.parent], engine).added == 1
    backend = SearchService(engine)
    paragraphs = all_paragraphs(backend)
    runs = cjk_runs([p.text for m in load(SAMPLE, SAMPLE.parent).meetings for p in m.paragraphs], 200, seed=3)
    found = 0
    for run in runs:
        expected = {pid for pid, text in paragraphs.items() if run in text}
        plain, _ = ids(backend, run)
        found += bool(expected) and expected <= plain
    assert found / len(runs) == 1.0
