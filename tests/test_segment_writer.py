"""The fast segment writer writes what Whoosh's own SegmentWriter writes (bench/optimisations.md, step 1).

Compared through Whoosh's reader: every term with its statistics, every
posting with the statistics of its block, stored fields and field lengths,
for documents added directly and for segments merged by the fast writer.
"""

import pytest
from whoosh import index as whoosh_index

from archive.engines.whoosh.schema import make_schema, to_fields
from archive.engines.whoosh.segment import FastSegmentWriter
from archive.extract.annotate import annotate
from archive.index.records import records
from archive.ingest import load, parse_text

from .conftest import SAMPLE


def _documents():
    docs = [annotate(load(SAMPLE, SAMPLE.parent)),
            annotate(parse_text("# 第1次会议\n\n李明华在725会议室主持第5次会议，六个100%。\n\n"
                                "- 列表项：环境保护\n\n> 引用：<script>x</script>\n\n"
                                "𠀀𠀁 Ǆ İstanbul ＡＢＣ１２３ 表情😀符号\n", "other.md"))]
    return [to_fields(record) for doc in docs for record in records(doc, "0" * 64, "公开")]


def _dump(ix) -> dict:
    out = {}
    with ix.searcher() as s:
        reader = s.reader()
        for field in sorted(reader.indexed_field_names()):
            for term in reader.lexicon(field):
                ti = reader.term_info(field, term)
                stats = (ti.weight(), ti.doc_frequency(), ti.min_length(), ti.max_length(), ti.max_weight(),
                         ti.min_id(), ti.max_id())
                out[(field, term)] = (stats, _postings(reader.postings(field, term)))
        out["stored"] = [s.stored_fields(n) for n in range(reader.doc_count_all())]
        out["lengths"] = {f: [reader.doc_field_length(n, f) for n in range(reader.doc_count_all())]
                          for f in ("text", "chars", "title", "section")}
    return out


def _postings(m) -> list:
    items = []
    while m.is_active():
        block = (m.block_min_length(), m.block_max_length(), m.block_max_weight())
        items.append((m.id(), m.weight(), m.value(), block))
        m.next()
    return items


def _build(folder, make, batches):
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), make_schema())
    for i, batch in enumerate(batches):
        writer = make(ix)
        for fields in batch:
            writer.add_document(**fields)
        writer.commit(optimize=i == len(batches) - 1 and len(batches) > 1)
    return ix


def test_fast_writer_matches_whoosh(tmp_path):
    docs = _documents()
    stock = _dump(_build(tmp_path / "whoosh", lambda ix: ix.writer(), [docs]))
    fast = _dump(_build(tmp_path / "fast", FastSegmentWriter, [docs]))
    assert any(len(postings) > 128 for key, (_, postings) in stock.items() if isinstance(key, tuple)), \
        "no term spans two postings blocks"
    assert stock.keys() == fast.keys()
    assert stock == fast


@pytest.mark.slow
def test_fast_writer_merges_segments_like_whoosh(tmp_path):
    """Merging copies postings through the writer's pool: the merged segment is the same as Whoosh's."""
    docs = _documents()
    half = len(docs) // 2
    stock = _dump(_build(tmp_path / "whoosh", lambda ix: ix.writer(), [docs[:half], docs[half:]]))
    fast = _dump(_build(tmp_path / "fast", FastSegmentWriter, [docs[:half], docs[half:]]))
    assert stock == fast
