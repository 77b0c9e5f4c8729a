"""The fast segment writer's segments read as what Whoosh's own SegmentWriter writes (bench/optimisations.md, step 1).

Compared through Whoosh's reader: every term with its statistics (those the
compact layout keeps: no length bounds), every posting, stored fields and
field lengths, for documents added directly and for segments merged by the
fast writer.
"""

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh.fields import TEXT, Schema

from archive.engines.arrays.codec import decode_field, decode_term, encode_field, varint_decode, varint_encode
from archive.engines.whoosh.private import segment_terms

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
                stats = (ti.weight(), ti.doc_frequency(), ti.max_weight(), ti.min_id(), ti.max_id())
                out[(field, term)] = (stats, _postings(reader.postings(field, term)))
        out["stored"] = [s.stored_fields(n) for n in range(reader.doc_count_all())]
        out["lengths"] = {f: [reader.doc_field_length(n, f) for n in range(reader.doc_count_all())]
                          for f in ("text", "chars", "title", "section")}
    return out


def _postings(m) -> list:
    items = []
    while m.is_active():
        items.append((m.id(), m.weight()))
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
        "no term spans two of Whoosh's postings blocks"
    assert any(w > 1 for key, (_, postings) in fast.items() if isinstance(key, tuple) for _, w in postings)
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


def test_postings_read_as_arrays_equal_whooshs_matcher(tmp_path):
    """The engine's array reads (one term, a whole field) give what Whoosh's matcher gives, weights included."""
    ix = _build(tmp_path / "fast", FastSegmentWriter, [_documents()])
    (reader, _), = ix.reader().leaf_readers()
    terms = segment_terms(reader)
    for field in reader.indexed_field_names():
        names = terms.field_terms(field)
        bounds, docs, weights = terms.field_postings(field)
        assert names == list(reader.lexicon(field))
        for i, term in enumerate(names):
            m, want = reader.postings(field, term), []
            while m.is_active():
                want.append((m.id(), m.weight()))
                m.next()
            ids, ws = terms.postings(field, term)
            assert list(zip(ids.tolist(), ws.tolist())) == want
            assert list(zip(docs[bounds[i]:bounds[i + 1]].tolist(), weights[bounds[i]:bounds[i + 1]].tolist())) == want
            assert terms.doc_frequency(field, term) == len(want)


def test_varints_and_fields_round_trip():
    values = np.array([0, 1, 127, 128, 300, 16383, 16384, 2 ** 21, 2 ** 28 - 1, 2 ** 28, 2 ** 35 - 1], dtype=np.int64)
    data, nbytes = varint_encode(values)
    assert nbytes.tolist() == [1, 1, 1, 2, 2, 2, 3, 4, 4, 5, 5] and len(data) == nbytes.sum()
    assert varint_decode(data.tobytes()).tolist() == values.tolist()
    bounds = np.array([0, 1, 4, 6, 10, 11])
    docs = np.array([7, 0, 200, 2 ** 30, 3, 4, 1, 2, 3, 900, 5])
    weights = np.array([1.0, 1, 1, 1, 9, 300, 1, 2, 1, 3, 0])
    blob, offsets, weighted = encode_field(bounds, docs, weights)
    assert weighted.tolist() == [False, False, True, True, True]
    assert decode_term(blob[offsets[1]:offsets[2]], False, 3)[0].tolist() == [0, 200, 2 ** 30]
    assert [a.tolist() for a in decode_term(blob[offsets[2]:offsets[3]], True, 2)] == [[3, 4], [9.0, 300.0]]
    assert [a.tolist() for a in decode_term(blob[offsets[3]:offsets[4]], True, 4)] == [[1, 2, 3, 900], [1, 2, 1, 3]]
    got = decode_field(blob, offsets, weighted, np.diff(bounds))
    assert [a.tolist() for a in got] == [bounds.tolist(), docs.tolist(), weights.tolist()]
    with pytest.raises(ValueError):
        encode_field(np.array([0, 1]), np.array([1]), np.array([0.5]))


def test_fields_with_positions_are_refused(tmp_path):
    ix = whoosh_index.create_in(str(tmp_path), Schema(body=TEXT))
    with pytest.raises(ValueError, match="body"):
        FastSegmentWriter(ix)


def test_random_fields_round_trip():
    rng = np.random.default_rng(7)
    for _ in range(30):
        df = rng.integers(1, 40, size=rng.integers(1, 30))
        bounds = np.r_[0, np.cumsum(df)]
        docs = np.concatenate([np.sort(rng.choice(10 ** rng.integers(2, 8), size=n, replace=False)) for n in df])
        weights = np.where(rng.random(len(docs)) < 0.7, 1, rng.integers(0, 500, size=len(docs))).astype(float)
        blob, offsets, weighted = encode_field(bounds, docs, weights)
        got = decode_field(blob, offsets, weighted, df)
        assert [a.tolist() for a in got] == [bounds.tolist(), docs.tolist(), weights.tolist()]
        for i in range(len(df)):
            ids, ws = decode_term(blob[offsets[i]:offsets[i + 1]], bool(weighted[i]), df[i])
            assert ids.tolist() == docs[bounds[i]:bounds[i + 1]].tolist()
            assert ws.tolist() == weights[bounds[i]:bounds[i + 1]].tolist()
