"""The private Whoosh names archive/engines/whoosh/private.py relies on are still there, with the same shape.

Each test checks one item against the installed Whoosh (real Whoosh: tiny
indexes written by Whoosh's own writer in a temporary folder, read back
through private.py and compared with what Whoosh's public API answers). A
failure names the item and private.py: an upgrade of Whoosh changed it.
"""

import inspect
import zlib
from contextlib import contextmanager

import pytest
import whoosh
from whoosh import index as whoosh_index
from whoosh.codec.base import TermsReader
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3PerDocWriter
from whoosh.columns import CompressedBytesColumn, PickleColumn, VarBytesColumn
from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.util.numeric import byte_to_length
from whoosh.writing import SegmentWriter

INSTALLED = whoosh.versionstring()


def _changed(name: str, detail: str = "") -> str:
    return (f"Whoosh {INSTALLED} changed {name}: archive/engines/whoosh/private.py needs updating"
            + (f" ({detail})" if detail else ""))


try:
    from archive.engines.whoosh import private
except (ImportError, AttributeError) as e:
    raise ImportError(_changed("a private name private.py imports", f"{type(e).__name__}: {e}")) from e


@contextmanager
def _item(name: str):
    """Report anything but a failed check inside as `name` having changed."""
    try:
        yield
    except AssertionError:
        raise
    except Exception as e:  # an attribute gone, a different signature...
        pytest.fail(_changed(name, f"{type(e).__name__}: {e}"), pytrace=False)


def _schema():
    return Schema(id=ID(stored=True), body=TEXT(stored=True), tag=KEYWORD, day=NUMERIC(int, bits=32, sortable=True))


def _docs():
    # 300 documents: "common" spans three postings blocks with different frequencies (weights);
    # the last documents have no day, so the day column ends before the documents do.
    for i in range(300):
        fields = {"id": f"d{i}", "body": " ".join(["common"] * (1 + i % 3) + [f"w{i % 7}", f"u{i}"]),
                  "tag": f"t{i % 4}"}
        if i < 280:
            fields["day"] = 20200101 + i
        yield fields


def _index(folder, compound=False):
    """A tiny index written by Whoosh's own SegmentWriter."""
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), _schema())
    with ix.writer() as w:
        w.compound = compound
        for fields in _docs():
            w.add_document(**fields)
    return ix


def test_pinned_version():
    assert tuple(whoosh.__version__[:3]) == tuple(int(n) for n in private.WHOOSH_VERSION.split(".")), (
        f"Whoosh {INSTALLED} is installed, archive/engines/whoosh/private.py was checked against "
        f"{private.WHOOSH_VERSION}: run tests/test_whoosh_private.py, update what fails, then WHOOSH_VERSION")


# -- writing ------------------------------------------------------------------------


def test_no_lock_argument(tmp_path):
    ix = _index(tmp_path / "ix")
    with _item(f"SegmentWriter's {private.NO_LOCK_ARG} keyword"):
        assert private.NO_LOCK_ARG in inspect.signature(SegmentWriter.__init__).parameters, \
            _changed(f"SegmentWriter's {private.NO_LOCK_ARG} keyword", "no such parameter")
        w = SegmentWriter(ix, **{private.NO_LOCK_ARG: False})
        try:
            lock = ix.lock("WRITELOCK")
            free = lock.acquire(False)
            if free:
                lock.release()
            assert w.writelock is None and free, _changed(f"SegmentWriter's {private.NO_LOCK_ARG} keyword", "it took the lock")
        finally:
            w.cancel()


def test_mark_added(tmp_path):
    """commit() writes a segment when the flag is set, and only then."""
    ix = _index(tmp_path / "ix")
    with _item("SegmentWriter._added"):
        w = ix.writer()
        assert w._added is False, _changed("SegmentWriter._added", "a new writer's flag is not False")
        w.commit(merge=False)
        assert len(ix.reader().leaf_readers()) == 1, _changed("SegmentWriter._added", "a commit without it wrote a segment")
        w = ix.writer()
        private.mark_added(w)
        w.commit(merge=False)
        assert len(ix.reader().leaf_readers()) == 2, _changed("SegmentWriter._added", "commit() did not flush a segment")


def test_write_segment_and_release_writer(tmp_path):
    """A segment written without a commit, then committed by another writer (commit(mergetype=...))."""
    ix = _index(tmp_path / "ix")
    with _item("SegmentWriter._finalize_segment / SegmentWriter._finish"):
        w = ix.writer()
        w.add_document(id="new", body="fresh words", tag="t9")
        segment = private.write_segment(w)
        private.release_writer(w)
        assert w.is_closed and segment.doc_count_all() == 1, \
            _changed("SegmentWriter._finalize_segment / _finish", "the writer is open or the segment empty")
        assert ix.doc_count_all() == 300, _changed("SegmentWriter._finalize_segment", "it committed")
        w = ix.writer()  # the lock was released
        w.commit(mergetype=lambda writer, segments: list(segments) + [segment])
        with ix.searcher() as s:
            assert ix.doc_count_all() == 301 and s.document(id="new")["body"] == "fresh words", \
                _changed("SegmentWriter._finalize_segment", "the written segment is not readable")


class _CountingStoredWriter(VarBytesColumn.Writer):
    used = 0

    def add(self, docnum, v):
        _CountingStoredWriter.used += 1
        super().add(docnum, zlib.compress(v, 3))


class _CountingColumn(CompressedBytesColumn):
    def writer(self, dbfile):
        return _CountingStoredWriter(dbfile)


class _PerDoc(private.StoredColumnPerDocWriter):
    stored_column = PickleColumn(_CountingColumn())


class _Codec(W3Codec):
    def per_document_writer(self, storage, segment):
        return _PerDoc(self, storage, segment)


def test_stored_column_hook(tmp_path):
    name = "W3PerDocWriter._create_column"
    with _item(name):
        assert callable(getattr(W3PerDocWriter, "_create_column", None)), _changed(name, "no such method")
        folder = tmp_path / "ix"
        folder.mkdir()
        ix = whoosh_index.create_in(str(folder), _schema())
        _CountingStoredWriter.used = 0
        w = SegmentWriter(ix, codec=_Codec())
        docs = list(_docs())
        for fields in docs:
            w.add_document(**fields)
        w.commit()
        assert _CountingStoredWriter.used == len(docs), _changed(name, "the stored fields went to another column")
        reader = ix.reader()
        segment = reader.segment()
        assert reader.storage().file_exists(W3Codec.column_filename(segment, private.STORED_COLUMN_NAME)), \
            _changed(f"the stored fields' column name {private.STORED_COLUMN_NAME!r}")
        assert [reader.stored_fields(n) for n in range(len(docs))] == [
            {"id": d["id"], "body": d["body"]} for d in docs], _changed(name, "stored fields read back differently")


def test_column_writer(tmp_path):
    """column_writer's add writes what add_column_value writes, into the same column: documents given a day
    through it and through Whoosh's own add_document read back alike."""
    folder = tmp_path / "ix"
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), _schema())
    w = SegmentWriter(ix)
    name = "W3PerDocWriter._has_column/_create_column/_get_column"
    with _item(name):
        add = private.column_writer(w.perdocwriter, "day", ix.schema["day"].column_type).add
        for i in range(4):
            w.add_document(id=f"d{i}")
            add(i, ix.schema["day"].to_column_value(20200101 + i))
        w.add_document(id="d4", day=20200105)
        assert private.column_writer(w.perdocwriter, "day", None).add == add, _changed(name, "a second writer")
        w.commit()
    with ix.searcher() as s:
        col = s.reader().column_reader("day")
        assert [col[i] for i in range(5)] == [20200101 + i for i in range(5)], _changed(name, "other values")


# -- reading --------------------------------------------------------------------------


@pytest.mark.parametrize("compound", [False, True])
def test_segment_terms(tmp_path, compound):
    """The terms reader a segment reader has open is the one answering its term look-ups."""
    ix = _index(tmp_path / "ix", compound=compound)
    (reader, _), = ix.reader().leaf_readers()
    with _item("SegmentReader._terms"):
        terms = private.segment_terms(reader)
        assert isinstance(terms, TermsReader), _changed("SegmentReader._terms", f"a {type(terms).__name__}")
        term = next(iter(reader.lexicon("body")))
        assert terms.doc_frequency("body", term) == reader.doc_frequency("body", term), \
            _changed("SegmentReader._terms", "it answers differently from its reader")


def test_column_array(tmp_path):
    """A numeric column read in one piece equals its values read one by one, defaults after its end included."""
    ix = _index(tmp_path / "ix")
    (reader, _), = ix.reader().leaf_readers()
    n = reader.doc_count_all()
    col = reader.column_reader("day", translate=False)
    assert reader.storage().file_length(W3Codec.column_filename(reader.segment(), "day")) < 4 * n, \
        "the day column covers every document: the default is not checked"
    with _item("NumericColumn.Reader's _count/_dbfile/_basepos/_fixedlen/_default/_typecode"):
        assert private.column_array(col, n).tolist() == [col[i] for i in range(n)], \
            _changed("NumericColumn.Reader's private attributes", "the column reads differently")


def test_length_column(tmp_path):
    """The field-length column's name, read in one piece, answers as doc_field_length does."""
    name = "whoosh.codec.whoosh3._lenfield"
    ix = _index(tmp_path / "ix")
    (reader, _), = ix.reader().leaf_readers()
    n = reader.doc_count_all()
    with _item(name):
        perdoc = reader.codec().per_document_reader(reader.storage(), reader.segment())
        try:
            assert perdoc.has_column(private.length_column("body")), _changed(name, "no column of that name")
            raw = private.column_array(perdoc.column_reader(private.length_column("body"), LENGTHS_COLUMN), n)
        finally:
            perdoc.close()
        assert [byte_to_length(b) for b in raw.tolist()] == [reader.doc_field_length(i, "body") for i in range(n)], \
            _changed(name, "the lengths read differently")


def test_numeric_column_bytes_and_default(tmp_path):
    """A numeric column file written in one piece reads back as the column's reader answers, defaults included."""
    ix = _index(tmp_path / "ix")
    (reader, _), = ix.reader().leaf_readers()
    n = reader.doc_count_all()
    column = reader.schema["day"].column_type
    with _item("NumericColumn's _default/_typecode and its file layout"):
        values = private.column_array(reader.column_reader("day", translate=False), n)
        assert private.column_default(column) == column.default_value(), _changed("NumericColumn._default")
        raw = private.numeric_column_bytes(column, values)
        col = column.reader(_Bytes(raw), 0, len(raw), n)
        assert [col[i] for i in range(n)] == values.tolist(), _changed("NumericColumn's file layout")


class _Bytes:
    def __init__(self, raw):
        self.raw = raw

    def get(self, pos, length):
        return self.raw[pos:pos + length]


def test_segment_field_lengths(tmp_path):
    ix = _index(tmp_path / "ix")
    (reader, _), = ix.reader().leaf_readers()
    with _item("W3Segment._fieldlengths"):
        totals = private.segment_field_lengths(reader.segment())
        assert totals["body"] == reader.field_length("body") > 0, _changed("W3Segment._fieldlengths")
        segment = reader.segment()
        private.set_field_lengths(segment, {"body": 7})
        assert reader.field_length("body") == 7, _changed("W3Segment._fieldlengths", "the reader does not answer it")
