"""A faster Whoosh segment writer: segments built in bulk, in the archive's own compact layout.

Whoosh's SegmentWriter spends most of an ingest per posting: a Token object
per token, a tuple per posting through a sorting pool that spills to
temporary files, a column read per posting for its document's field length,
and a pickled, zlib'd block per term. This writer:

* holds the text fields (words: text, title, section; units: chars) as
  flat arrays of term occurrences, counted and sorted with NumPy when
  the segment is written; the units field is not tokenized per document at
  all: its single units and bigrams are computed from the segment's units
  text at once;
* keeps the other fields' postings (ids, facets) in memory per term;
* writes each field's terms and postings at once as arrays (postings.py:
  sorted terms, varint document gaps, weights only where not all 1).

It plugs into Whoosh where Whoosh has a place for it: SegmentWriter is given
a codec (FastCodec) whose per-document writer records each document's units
text (written next to the segment's own files) and stores documents in
compressed blocks (stored.py), and whose field writer writes the pool's
postings in bulk (the facets are read from them). Whoosh reads the segments through
LeanCodec (its searcher: stored documents, look-ups by id, deletions, merges).
The few private Whoosh names still needed are in private.py.
"""

from array import array
from itertools import chain

import numpy as np
from whoosh.codec.base import FieldWriter
from whoosh.fields import UnknownFieldError
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.formats import Existence, Frequency
from whoosh.util.numeric import length_to_byte
from whoosh.writing import IndexingError, SegmentWriter

from ...analysis import index_terms, main_words, normalize, unit_string, units_of_normalized
from ..arrays.pairs import count_pairs
from ..arrays.units import unit_key, unit_occurrences, unit_term
from .postings import POSTS_EXT, TERMS_EXT, TermsWriter
from .private import (NO_LOCK_ARG, STORED_COLUMN_NAME, StoredColumnPerDocWriter, column_writer, length_column,
                      mark_added, release_writer, segment_field_lengths, set_field_lengths, write_segment)
from .schema import UNITS_EXT, UNITS_OFFSETS_EXT, Counts
from .stored import STORED_COLUMN, LeanCodec
from .tokenizers import UnitTokenizer, WordTokenizer

# The units field, and the stored field holding the same text (whose units text is kept next to the segment).
UNITS_FIELD, UNITS_STORED = "chars", "text"


_LENGTH_BYTES: dict[int, int] = {}


def _length_byte(length: int) -> int:
    """Whoosh's one-byte code of a field length (a bisection each), remembered."""
    code = _LENGTH_BYTES.get(length)
    if code is None:
        code = _LENGTH_BYTES[length] = length_to_byte(length)
    return code


class _WordIds(dict):
    """Main word -> the numbers of its index terms (analysis.index_terms), numbered on first use."""

    def __init__(self, vocab: dict[str, int]):
        super().__init__()
        self.vocab = vocab

    def __missing__(self, word: str) -> tuple[int, ...]:
        vocab = self.vocab
        for term in index_terms(word):
            if term not in vocab:
                vocab[term] = len(vocab)
        ids = self[word] = tuple(map(vocab.__getitem__, index_terms(word)))
        return ids


class _Occurrences:
    """One text field's postings as arrays of term occurrences, counted when the segment is written."""

    def __init__(self, units: bool):
        self.units = units
        self.vocab: dict[str, int] = {}
        self.count = 0
        # Words: term numbers of each document's tokens, with the document and its token count.
        self._tids, self._docs, self._ns = array("I"), array("I"), array("I")
        # Units (chars): each document's units text, tokenized at flush.
        self._unit_docs, self._unit_texts = array("I"), []
        # Postings given one by one (documents copied from other segments when merging).
        self._ptids, self._pdocs, self._pfreqs = array("I"), array("I"), array("I")
        self._cache: dict[str, array] = {}
        self._word_ids = _WordIds(self.vocab)

    def _term_ids(self, value: str, norm: str | None = None) -> array:
        """The term numbers of a value's words (`norm`: its normalized text, when the caller has it)."""
        found = self._cache.get(value)
        if found is not None:
            return found
        text = normalize(value) if norm is None else norm
        ids = array("I", chain.from_iterable(map(self._word_ids.__getitem__, main_words(text))))
        if len(value) <= 200:  # titles and sections repeat for every paragraph of a meeting
            if len(self._cache) > 20000:
                self._cache.clear()
            self._cache[value] = ids
        return ids

    def add_words(self, docnum: int, value: str, norm: str | None = None) -> int:
        """Add a document's words; returns the field length (tokens, sub-words included)."""
        ids = self._term_ids(value, norm)
        self._tids.extend(ids)
        self._docs.append(docnum)
        self._ns.append(len(ids))
        self.count += len(ids)
        return len(ids)

    def add_units(self, docnum: int, seq: str) -> int:
        """Add a document's units text; returns the field length (each unit and each bigram)."""
        if not seq:
            return 0
        self._unit_docs.append(docnum)
        self._unit_texts.append(seq)
        self.count += 2 * len(seq) - 1
        return 2 * len(seq) - 1

    def add_posting(self, tbytes: bytes, docnum: int, freq: int) -> None:
        term = tbytes.decode("utf-8")
        i = self.vocab.get(term)
        if i is None:
            i = self.vocab[term] = len(self.vocab)
        self._ptids.append(i)
        self._pdocs.append(docnum)
        self._pfreqs.append(freq)
        self.count += 1

    def postings(self):
        """(sorted term bytes, term bounds, documents, frequencies): each term's postings in document order."""
        vocab_terms = list(self.vocab)
        ptids = np.frombuffer(self._ptids, dtype=np.uint32).astype(np.int64)
        pdocs = np.frombuffer(self._pdocs, dtype=np.uint32).astype(np.int64)
        pfreqs = np.frombuffer(self._pfreqs, dtype=np.uint32).astype(np.int64)
        if self.units:
            keys, docs, freqs = self._unit_occurrences()
            given = np.array([unit_key(t) for t in vocab_terms], dtype=np.int64)
            keys = np.concatenate([keys, given[ptids]])
        else:
            by_text = sorted(range(len(vocab_terms)), key=vocab_terms.__getitem__)  # code point order = UTF-8 order
            rank = np.empty(len(by_text), dtype=np.int64)
            rank[by_text] = np.arange(len(by_text))
            tids = np.frombuffer(self._tids, dtype=np.uint32).astype(np.int64)
            docs = np.repeat(np.frombuffer(self._docs, dtype=np.uint32).astype(np.int64),
                             np.frombuffer(self._ns, dtype=np.uint32))
            keys = np.concatenate([rank[tids], rank[ptids]])
            freqs = np.ones(len(tids), dtype=np.int64)
        docs = np.concatenate([docs, pdocs])
        freqs = np.concatenate([freqs, pfreqs])
        if not len(keys):
            return [], np.zeros(1, dtype=np.int64), docs, freqs
        keys, docs, freqs = count_pairs(keys, docs, freqs if len(pfreqs) else None)
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        if self.units:
            terms = [unit_term(k).encode("utf-8") for k in keys[starts].tolist()]
        else:
            terms = [vocab_terms[by_text[k]].encode("utf-8") for k in keys[starts].tolist()]
        return terms, np.r_[starts, len(keys)], docs, freqs

    def _unit_occurrences(self):
        """(term key, document, 1) of every unit and every bigram of neighbouring units in each document."""
        docs = np.frombuffer(self._unit_docs, dtype=np.uint32).astype(np.int64)
        keys, docs = unit_occurrences(self._unit_texts, docs)
        return keys, docs, np.ones(len(keys), dtype=np.int64)


class _Pool:
    """Postings of the other fields in memory: field -> term -> (documents, weights, values), in document order."""

    def __init__(self, text_fields: dict[str, _Occurrences]):
        self.fields: dict[str, dict[bytes, tuple]] = {}
        self.text_fields = text_fields
        self._count = 0
        # field -> value -> (its documents, its terms as (term bytes, weight), its field length)
        self.values: dict[str, dict] = {}

    def add(self, item):  # Whoosh's pool interface: postings copied from segments being merged
        fieldname, tbytes, docnum, weight, _ = item
        occurrences = self.text_fields.get(fieldname)
        if occurrences is not None:
            occurrences.add_posting(tbytes, docnum, int(weight))  # (a Counts field: the weight is the frequency)
            return
        self.add_posting(fieldname, tbytes, docnum, weight)

    def add_posting(self, fieldname, tbytes, docnum, weight):
        """(postings.py keeps documents and weights only: no per-posting values.)"""
        entry = self._entry(fieldname, tbytes)
        entry[0].append(docnum)
        entry[1].append(weight)
        self._count += 1

    def _entry(self, fieldname: str, tbytes: bytes) -> tuple:
        """A term's (documents, weights) arrays, made on its first posting."""
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = {}
        entry = terms.get(tbytes)
        if entry is None:
            entry = terms[tbytes] = (array("I"), array("f"))
        return entry

    def add_indexed(self, fieldname: str, fieldobj, value, docnum: int) -> int:
        """Add a document's postings of a field's value (fieldobj.index(value)); returns the field length.

        A value met before in this segment only has the document added to its own list: kind, meeting,
        source, the facets and date_sort repeat for every paragraph of a meeting (a unique field's, id,
        do not); its terms are given the documents of each of their values when the segment is written."""
        if fieldobj.unique or type(value) not in (str, int):
            length = 0
            for tbytes, freq, weight, _ in fieldobj.index(value):
                self.add_posting(fieldname, tbytes, docnum, weight)
                length += freq
            return length if fieldobj.scorable else 0
        values = self.values.get(fieldname)
        if values is None:
            values = self.values[fieldname] = {}
        found = values.get(value)
        if found is None:
            terms, length = [], 0
            for tbytes, freq, weight, _ in fieldobj.index(value):
                terms.append((tbytes, weight))
                length += freq
            found = values[value] = (array("I"), terms, length if fieldobj.scorable else 0)
        found[0].append(docnum)
        self._count += len(found[1])
        return found[2]

    def field_postings(self, fieldname: str):
        """(sorted term bytes, term bounds, documents, weights) of a field given by add_posting and add_indexed;
        None if it has no term (its values had none, e.g. "")."""
        parts = [(t, ids, ws) for t, (ids, ws) in self.fields.get(fieldname, {}).items()]
        parts += [(t, ids, w) for ids, terms, _ in self.values.get(fieldname, {}).values() for t, w in terms]
        if not parts:
            return None
        tbytes = sorted({t for t, _, _ in parts})
        rank = dict(zip(tbytes, range(len(tbytes))))
        sizes = np.fromiter((len(ids) for _, ids, _ in parts), dtype=np.int64, count=len(parts))
        keys = np.repeat(np.fromiter((rank[t] for t, _, _ in parts), dtype=np.int64, count=len(parts)), sizes)
        docs = np.concatenate([np.frombuffer(ids, dtype=np.uint32) for _, ids, _ in parts]).astype(np.int64)
        weights = np.concatenate([np.frombuffer(w, dtype=np.float32) if isinstance(w, array)
                                  else np.full(len(ids), w, dtype=np.float32) for _, ids, w in parts])
        order = np.lexsort((docs, keys))  # (a document has a term once: no ties)
        bounds = np.searchsorted(keys[order], np.arange(len(tbytes) + 1))
        return tbytes, bounds, docs[order].astype(np.uint32), weights[order].astype(np.float64)

    @property
    def count(self) -> int:
        return self._count + sum(o.count for o in self.text_fields.values())

    def iter_postings(self):  # Whoosh's pool interface: what SegmentWriter gives the field writer to write
        return self

    def cleanup(self):
        self.fields.clear()
        self.values.clear()
        for name, o in self.text_fields.items():
            self.text_fields[name] = _Occurrences(o.units)


class _PerDocWriter(StoredColumnPerDocWriter):
    """Whoosh 3's per-document writer, also keeping the units text of each document (given by
    FastSegmentWriter.add_document, or made from the stored text of documents copied from another
    segment), written next to the segment when it closes.
    """

    stored_column = STORED_COLUMN

    def __init__(self, codec, storage, segment):
        super().__init__(codec, storage, segment)
        self.storage, self.segment = storage, segment
        self.docnum = -1
        self.doccount = 0
        self.units: dict[int, str] = {}
        self.lengths: dict[str, int] = {}  # each field's total length, of documents given by add_document
        self._length_adds: dict[str, object] = {}
        self._stored_add = column_writer(self, STORED_COLUMN_NAME, self.stored_column).add

    def start_doc(self, docnum):
        super().start_doc(docnum)
        self.docnum, self.doccount = docnum, docnum + 1

    def cancel_doc(self):
        super().cancel_doc()
        self.doccount = self.docnum
        self.units.pop(self.docnum, None)

    def add_field(self, fieldname, fieldobj, value, length):
        if fieldname == UNITS_STORED and isinstance(value, str) and self.docnum not in self.units:
            self.units[self.docnum] = unit_string(value)  # documents copied from another segment
        super().add_field(fieldname, fieldobj, value, length)

    def add_document(self, docnum: int, stored: dict, lengths: list) -> None:
        """A document in one call (FastSegmentWriter): its stored fields, and (field, length) of its counted
        fields; what start_doc, add_field for each field and finish_doc would write."""
        self.start_doc(docnum)
        if UNITS_STORED in stored and docnum not in self.units and isinstance(stored[UNITS_STORED], str):
            self.units[docnum] = unit_string(stored[UNITS_STORED])
        for name, length in lengths:
            add = self._length_adds.get(name) or self._length_add(name)
            add(docnum, _length_byte(length))
            self.lengths[name] += length
        if stored:
            self._stored_add(docnum, stored)
        self.finish_doc()

    def _length_add(self, name: str):
        add = self._length_adds[name] = column_writer(self, length_column(name), LENGTHS_COLUMN).add
        self.lengths[name] = 0
        return add

    def close(self):
        super().close()
        if self.lengths:
            totals = segment_field_lengths(self.segment)
            set_field_lengths(self.segment, {**totals, **{
                name: totals.get(name, 0) + n for name, n in self.lengths.items()}})
        parts = [self.units.get(i, "").encode("utf-8") for i in range(self.doccount)]
        offsets, pos = array("q", [0]), 0
        for part in parts:
            pos += len(part) + 1
            offsets.append(pos)
        with self.segment.create_file(self.storage, UNITS_EXT) as f:
            f.write(b"\n".join(parts) + b"\n" if parts else b"")
        with self.segment.create_file(self.storage, UNITS_OFFSETS_EXT) as f:
            f.write(offsets.tobytes())
        self.units.clear()


class _FieldWriter(FieldWriter):
    """The segment's terms and postings (postings.py's layout), each field written in bulk.

    Given FastSegmentWriter's pool, it writes every field from its arrays; given postings one
    by one (FieldWriter's interface: Whoosh merging segments), it gathers a field's, then writes
    them the same way.
    """

    def __init__(self, storage, segment):
        self.storage, self.segment = storage, segment
        self.writer = TermsWriter(segment.create_file(storage, TERMS_EXT), segment.create_file(storage, POSTS_EXT))
        self.is_closed = False
        self.fieldname = self.gathered = None

    # FieldWriter's interface: postings one by one (or runs of terms in bulk: add_terms).

    def start_field(self, fieldname, fieldobj):
        self.fieldname = fieldname
        self.gathered = ([], [0], array("I"), array("d"))
        self.writer.start_field(fieldname)

    def start_term(self, tbytes):
        self.gathered[0].append(tbytes)

    def add(self, docnum, weight, vbytes, length):
        self.gathered[2].append(docnum)
        self.gathered[3].append(weight)

    def finish_term(self):
        self.gathered[1].append(len(self.gathered[2]))

    def finish_field(self):
        terms, bounds, docs, weights = self.gathered
        self.add_terms(terms, np.asarray(bounds, dtype=np.int64), np.frombuffer(docs, dtype=np.uint32),
                       np.frombuffer(weights, dtype=np.float64))
        self.writer.finish_field()
        self.fieldname = self.gathered = None

    def add_terms(self, terms: list, bounds: np.ndarray, docs: np.ndarray, weights) -> None:
        """The field's next sorted terms (bytes) with their postings: docs[bounds[i]:bounds[i + 1]] are term i's."""
        if not terms:
            return
        self.writer.add_terms(terms, bounds, docs, weights)

    def add_encoded(self, terms: list, df, data: bytes, offsets, weighted) -> None:
        """The field's next sorted terms, their postings encoded already (postings.encode_field)."""
        self.writer.add_encoded(terms, df, data, offsets, weighted)

    # In bulk.

    def add_postings(self, schema, lengths, items):
        if isinstance(items, _Pool):
            self._write_pool(items)
        else:
            super().add_postings(schema, lengths, items)

    def _write_pool(self, pool: _Pool) -> None:
        names = sorted(set(pool.fields) | set(pool.values) | {n for n, o in pool.text_fields.items() if o.count})
        for fieldname in names:
            occurrences = pool.text_fields.get(fieldname)
            if occurrences is not None:
                self.write_field(fieldname, *occurrences.postings())
            elif (postings := pool.field_postings(fieldname)) is not None:
                self.write_field(fieldname, *postings)

    def write_field(self, fieldname: str, terms: list, bounds: np.ndarray, docs: np.ndarray, weights) -> None:
        self.start_field(fieldname, None)
        self.add_terms(terms, bounds, docs, weights)
        self.finish_field()

    def close(self):
        self.writer.close()
        self.is_closed = True


class FastCodec(LeanCodec):
    """Whoosh 3's codec with this module's per-document and field writers.

    Its segments name LeanCodec (stored.py), which reads them: the TOC pickles each segment
    with its codec.
    """

    length_stats = False  # the field writer keeps no length statistics

    def __init__(self):
        super().__init__()
        self.segment_codec = LeanCodec()

    def new_segment(self, storage, indexname):
        return self.segment_codec.new_segment(storage, indexname)

    def per_document_writer(self, storage, segment):
        return _PerDocWriter(self, storage, segment)

    def field_writer(self, storage, segment):
        return _FieldWriter(storage, segment)


class FastSegmentWriter(SegmentWriter):
    """Whoosh's SegmentWriter with FastCodec and an in-memory pool, adding documents of the usual fields in bulk."""

    def __init__(self, ix, lock: bool = True, **kwargs):
        # Segments stay separate files: a compound segment is read into memory (BytesIO copies
        # of its parts) each time a reader opens it, which is slow and costs the whole index in RAM;
        # and the units text next to each segment is mapped into memory by searchers.
        kwargs["compound"] = False
        if not lock:
            kwargs[NO_LOCK_ARG] = False
        super().__init__(ix, codec=FastCodec(), **kwargs)
        self.text_fields = {
            name: _Occurrences(units=type(f.analyzer) is UnitTokenizer) for name, f in self.schema.items()
            if f.indexed and type(getattr(f, "analyzer", None)) in (UnitTokenizer, WordTokenizer)
            and type(f.format) is Counts and f.format.field_boost == 1.0}
        self.pool = _Pool(self.text_fields)
        valued = [name for name, f in self.schema.items() if f.indexed and not (
            type(f.format) in (Existence, Frequency, Counts) and f.format.field_boost == 1.0)]
        if valued:  # postings.py keeps documents and weights (= frequencies) only
            raise ValueError(f"fields with per-posting values (positions, frequencies) cannot be written: {valued}")
        self.general = any(f.separate_spelling() or f.vector for _, f in self.schema.items())
        self._plans: dict[str, tuple] = {}
        self._last = (None, "")
        self._column_adds: dict[str, object] = {}

    @property
    def held(self) -> int:
        """Postings and term occurrences held in memory: the measure for cutting segments."""
        return self.pool.count

    @property
    def added(self) -> bool:
        """Whether documents were added (a segment to write)."""
        return self.doc_count() > 0

    def add_document(self, **fields):
        names = sorted(fields)
        plans = [self._plans.get(name) or self._plan(name) for name in names]
        if self.general or None in plans:  # (a field named _…: Whoosh's own per-document options)
            return super().add_document(**fields)
        if self.is_closed:
            raise IndexingError("This writer is closed")
        docnum, stored, lengths, columns = self.docnum, {}, [], []
        for name, (fieldobj, occurrences, indexed, keep, column) in zip(names, plans):
            value = fields[name]
            if value is None:
                continue
            if occurrences is not None and isinstance(value, str):
                length = self._add_text(docnum, occurrences, value)
            else:
                length = self.pool.add_indexed(name, fieldobj, value, docnum) if indexed else 0
            if keep:
                stored[name] = value
            if length:
                lengths.append((name, length))
            if column:
                columns.append((name, column, fieldobj.to_column_value(value)))
        for name, column, value in columns:  # (written once nothing above can fail)
            add = self._column_adds.get(name) or self._column_add(name, column)
            add(docnum, value)
        self.perdocwriter.add_document(docnum, stored, lengths)
        mark_added(self)
        self.docnum += 1

    def _plan(self, name: str):
        """(field, its text occurrences or None, indexed, stored, column type) of a field, looked up once;
        None for a name starting with _ (left to SegmentWriter.add_document)."""
        if name.startswith("_"):
            return None
        if name not in self.schema:
            raise UnknownFieldError("No field named %r in %s" % (name, self.schema))
        f = self.schema[name]
        plan = self._plans[name] = (f, self.text_fields.get(name), f.indexed, f.stored, f.column_type)
        return plan

    def _column_add(self, name: str, column):
        add = self._column_adds[name] = column_writer(self.perdocwriter, name, column).add
        return add

    def _add_text(self, docnum: int, occurrences, value: str) -> int:
        norm = self._normalized(value)
        if occurrences.units:
            seq = self.perdocwriter.units[docnum] = units_of_normalized(norm)
            return occurrences.add_units(docnum, seq)
        return occurrences.add_words(docnum, value, norm)

    def _normalized(self, value: str) -> str:
        """normalize(value), kept for the next call: a paragraph's text is both its chars and its text field."""
        if value is not self._last[0]:
            self._last = (value, normalize(value))
        return self._last[1]

    def finish_segment(self):
        """Write this writer's segment without committing it; a parent writer commits it."""
        if self.is_closed:
            raise IndexingError("This writer is closed")
        segment = write_segment(self)
        release_writer(self)
        return segment

    def commit_with(self, segments) -> None:
        """Commit, adding finished segments of other writers after the existing ones; nothing is merged."""
        segments = list(segments)
        self.commit(mergetype=lambda writer, existing: list(existing) + segments)
