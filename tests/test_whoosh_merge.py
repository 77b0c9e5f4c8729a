"""A full build's segments merged into one (archive/engines/whoosh/merge.py) read as the segments did."""

import numpy as np
import pytest

from archive.engines import open_engine
from archive.engines.whoosh import build, merge
from archive.engines.whoosh.arrays import read_facets, read_units
from archive.engines.whoosh.private import segment_terms
from archive.index.pipeline import ingest
from archive.search.request import SearchRequest
from archive.search.service import SearchService

from .conftest import SAMPLE, write

QUERIES = ["会议", "森林防火", '"会议要求"', "第3项 -第4项", "环境 OR 防火", "研究"]


def _corpus(folder):
    write(folder / SAMPLE.name, SAMPLE.read_text(encoding="utf-8"))
    for n in range(1, 7):
        write(folder / f"m{n}.md", f"# 第{n}次县务会议\n\n会议研究了第{n}项工作，森林防火与环境保护。\n\n"
                                   f"会议要求各部门抓好落实，第{n}项由李明华负责。\n")
    return folder


def _dump(engine) -> dict:
    """Everything a search reads, by document number: terms and postings, stored fields, lengths, units, facets."""
    ix = engine.index_dir.open()
    out = {"segments": len(ix.reader().leaf_readers()) if hasattr(ix.reader(), "leaf_readers") else 1}
    with ix.searcher() as s:
        reader = s.reader()
        n = reader.doc_count_all()
        out["stored"] = [_timeless(s.stored_fields(i)) for i in range(n)]
        for field in sorted(set(reader.indexed_field_names()) - {"ingested"}):  # (the time of each build)
            for term in reader.lexicon(field):
                m, postings = reader.postings(field, term), []
                while m.is_active():
                    postings.append((m.id(), m.weight()))
                    m.next()
                out[(field, term)] = (postings, reader.doc_frequency(field, term))
        for field in ("text", "chars", "title", "section"):
            out[("length", field)] = ([reader.doc_field_length(i, field) for i in range(n)], reader.field_length(field))
        out["dates"] = [s.reader().column_reader("date_sort")[i] for i in range(n)]
        units, facets = [], {}
        for seg, offset in reader.leaf_readers():
            text, offsets = read_units(seg)
            units += [bytes(text[offsets[i]:offsets[i + 1]]) for i in range(seg.doc_count_all())]
            for field, (values, docs, bounds) in read_facets(seg).items():
                for v, a, b in zip(values if field != "ingested" else ["…"] * len(values), bounds[:-1], bounds[1:]):
                    facets.setdefault((field, v), []).extend((docs[a:b] + offset).tolist())
        out["units"], out["facets"] = units, facets
    return out


def _timeless(value):
    """A stored document or an answer without the times of its ingest and search (each has its own)."""
    if isinstance(value, dict):
        return {k: _timeless(v) for k, v in value.items() if k not in ("ingested", "root", "took_ms")}
    if isinstance(value, list):
        return [_timeless(v) for v in value]
    return value


def _answers(engine) -> list:
    service = SearchService(engine)
    return [service.search(SearchRequest(q=q)) for q in QUERIES]


def test_merged_build_reads_as_its_segments(tmp_path, monkeypatch):
    corpus = _corpus(tmp_path / "corpus")
    one = open_engine(tmp_path / "one")
    ingest([corpus], one)
    monkeypatch.setattr(build, "SEGMENT_POSTINGS", 1)  # a segment after every file: 8 segments to merge
    merged_engine = open_engine(tmp_path / "merged")
    ingest([corpus], merged_engine)
    single, merged = _dump(one), _dump(merged_engine)
    gen = merged_engine.index_dir.current_path()
    assert len(list(gen.glob("*.lex"))) == 1 and len(list(gen.glob("*.units"))) == 1  # the parts' files are gone
    assert single.keys() == merged.keys()
    for key in single:
        assert single[key] == merged[key], key
    assert _timeless(_answers(one)) == _timeless(_answers(merged_engine))
    assert _answers(one)[1]["total"] >= 6


def test_merged_index_takes_incremental_ingests(tmp_path, monkeypatch):
    corpus = _corpus(tmp_path / "corpus")
    monkeypatch.setattr(build, "SEGMENT_POSTINGS", 1)
    engine = open_engine(tmp_path / "ix")
    ingest([corpus], engine)
    write(corpus / "m2.md", "# 第2次县务会议\n\n会议改为研究植树造林。\n")
    s = ingest([corpus], engine)
    assert s.updated == 1
    service = SearchService(engine)
    assert service.search(SearchRequest(q="植树造林"))["total"] == 1
    assert service.search(SearchRequest(q="第2项"))["total"] == 0
    terms = segment_terms(engine.index_dir.open().reader().leaf_readers()[0][0])
    assert np.all(np.diff(terms.postings("chars", "会议".encode())[0]) > 0)


@pytest.mark.parametrize("size", [0, 1, 5])
def test_merging_stored_blocks_keeps_every_document(size):
    from io import BytesIO

    from archive.engines.whoosh.stored import BlockBytesColumn, concat_blocks

    class _File(BytesIO):
        def get(self, pos, n):
            return self.getvalue()[pos:pos + n]

    def column(docs):
        f = _File()
        w = BlockBytesColumn().writer(f)
        for i, d in enumerate(docs):
            w.add(i, d)
        w.finish(len(docs))
        return f.getvalue()

    parts = [[bytes([65 + i % 26]) * (i * 997 % 20000) for i in range(k)] for k in (size, 40, size + 3)]
    raw = concat_blocks([column(p) for p in parts], [len(p) for p in parts])
    everything = [d for p in parts for d in p]
    reader = BlockBytesColumn().reader(_File(raw), 0, len(raw), len(everything))
    assert [reader[i] for i in range(len(everything))] == everything


@pytest.mark.slow
def test_runs_merged_by_two_processes_make_the_same_index(tmp_path, monkeypatch):
    # Both cores merge runs of terms (forked processes, written in order): the same index as one process.
    corpus = _corpus(tmp_path / "corpus")
    monkeypatch.setattr(build, "SEGMENT_POSTINGS", 1)
    monkeypatch.setattr(merge, "RUN_TERMS", 7)  # many runs per field
    dumps = []
    for procs in ("1", "2"):
        monkeypatch.setenv("ARCHIVE_INGEST_PROCS", procs)
        engine = open_engine(tmp_path / f"ix{procs}")
        ingest([corpus], engine)
        dumps.append(_dump(engine))
    assert dumps[0] == dumps[1]
    assert sum(1 for key in dumps[0] if isinstance(key, tuple) and key[0] == "chars") > 100
