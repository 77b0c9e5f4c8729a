"""The fast segment writer writes what Whoosh's own SegmentWriter writes (bench/optimisations.md, step 1)."""

from whoosh import index as whoosh_index

from archive.extract.annotate import annotate
from archive.index.documents import whoosh_docs
from archive.index.schema import make_schema
from archive.index.writer import FastSegmentWriter
from archive.ingest import load, parse_text

from .conftest import SAMPLE


def _documents():
    docs = [annotate(load(SAMPLE, SAMPLE.parent)),
            annotate(parse_text("# 第1次会议\n\n李明华在725会议室主持第5次会议，六个100%。\n\n"
                                "- 列表项：环境保护\n\n> 引用：<script>x</script>\n", "other.md"))]
    return [fields for doc in docs for fields in whoosh_docs(doc, "0" * 64)]


def _dump(ix) -> dict:
    """Every field's terms with their postings (document, weight, value) and the stored fields."""
    out = {}
    with ix.searcher() as s:
        reader = s.reader()
        for field in sorted(reader.indexed_field_names()):
            for term in reader.lexicon(field):
                out[(field, term)] = _postings(reader.postings(field, term))
        out["stored"] = [s.stored_fields(n) for n in range(reader.doc_count_all())]
        out["lengths"] = {f: [reader.doc_field_length(n, f) for n in range(reader.doc_count_all())]
                          for f in ("text", "chars", "title", "section")}
    return out


def _postings(m) -> list:
    items = []
    while m.is_active():
        items.append((m.id(), m.weight(), m.value()))
        m.next()
    return items


def test_fast_writer_matches_whoosh(tmp_path):
    docs = _documents()
    indexes = []
    for name, make in (("whoosh", lambda ix: ix.writer()), ("fast", FastSegmentWriter)):
        folder = tmp_path / name
        folder.mkdir()
        ix = whoosh_index.create_in(str(folder), make_schema())
        writer = make(ix)
        for fields in docs:
            writer.add_document(**fields)
        writer.commit()
        indexes.append(_dump(ix))
    stock, fast = indexes
    assert stock.keys() == fast.keys()
    assert stock == fast
