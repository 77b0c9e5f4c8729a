"""A faster Whoosh segment writer: the same segments, built in bulk.

Whoosh's SegmentWriter spends most of an ingest per posting: a Token object
per token, a tuple per posting through a sorting pool that spills to
temporary files, a column read per posting for its document's field length,
and a zlib stream per postings block (≈ 40 µs to set up, while most blocks
hold a handful of postings that do not shrink). This writer writes segments
that Whoosh reads exactly as its own (tests/test_segment_writer.py compares
every term, posting, term statistic and block statistic):

* the text fields (words: text, title, section; units: chars) are held as
  flat arrays of term occurrences, then counted and sorted with NumPy when
  the segment is written; the units field is not tokenized per document at
  all: its single units and bigrams are computed from the segment's units
  text at once;
* the other fields (ids, facets) keep their postings in memory per term;
* postings blocks are written directly in Whoosh 3's layout
  (W3PostingsWriter), compressed only when they are large enough to gain,
  with a small zlib window.

It plugs into Whoosh where Whoosh has a place for it: SegmentWriter is given
a codec (FastCodec) whose per-document writer records each document's field
lengths and units text and stores documents in compressed blocks (stored.py), and
whose field writer writes the pool's postings in bulk, then the side files
(units text, facets) next to the segment's own. The few private Whoosh names
still needed are in private.py.
"""

import pickle
import zlib
from array import array

import numpy as np
from whoosh.codec.base import FieldWriter
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec
from whoosh.fields import KEYWORD, UnknownFieldError
from whoosh.filedb.filetables import OrderedHashWriter
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import IndexingError, SegmentWriter

from ...analysis import normalize, unit_string, words
from ... import facets
from .private import (NO_LOCK_ARG, TERMINFO_STRUCT, StoredColumnPerDocWriter, mark_added, release_writer,
                      write_segment)
from .schema import FACETS_EXT, UNITS_EXT, UNITS_OFFSETS_EXT, Counts
from .stored import STORED_COLUMN, LeanCodec
from .tokenizers import UnitTokenizer, WordTokenizer

# The units field, and the stored field holding the same text (whose units text is kept next to the segment).
UNITS_FIELD, UNITS_STORED = "chars", "text"
# Whoosh 3's defaults (W3Codec): postings per block, zlib level of blocks.
BLOCK_LIMIT, COMPRESSION = 128, 3
COMPRESS_MIN = 128  # bytes of a block's pickle below which zlib only adds its header
# Most postings blocks are under 4 kB: a 4 kB window and little hash memory compress
# them as well as zlib's defaults, and setting up the stream costs ≈ 8 µs instead of ≈ 45 µs.
_WINDOW_BITS, _MEM_LEVEL, _SMALL = 12, 4, 4096


def _compress(data: bytes, level: int) -> bytes:
    if len(data) > _SMALL:
        return zlib.compress(data, level)
    stream = zlib.compressobj(level, zlib.DEFLATED, _WINDOW_BITS, _MEM_LEVEL)
    return stream.compress(data) + stream.flush()


_UNIT_BITS = 22  # a units term as a number: first code point << 22 | (second code point + 1, or 0)


def _unit_key(term: str) -> int:
    if len(term) == 1:
        return ord(term) << _UNIT_BITS
    if len(term) == 2:
        return ord(term[0]) << _UNIT_BITS | (ord(term[1]) + 1)
    raise ValueError(f"not a units term: {term!r}")


def _unit_term(key: int) -> str:
    second = key & ((1 << _UNIT_BITS) - 1)
    return chr(key >> _UNIT_BITS) + (chr(second - 1) if second else "")


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

    def _term_ids(self, value: str) -> array:
        found = self._cache.get(value)
        if found is not None:
            return found
        vocab, ids = self.vocab, array("I")
        for _, word, _, _ in words(normalize(value)):
            i = vocab.get(word)
            if i is None:
                i = vocab[word] = len(vocab)
            ids.append(i)
        if len(value) <= 200:  # titles and sections repeat for every paragraph of a meeting
            if len(self._cache) > 20000:
                self._cache.clear()
            self._cache[value] = ids
        return ids

    def add_words(self, docnum: int, value: str) -> int:
        """Add a document's words; returns the field length (tokens, sub-words included)."""
        ids = self._term_ids(value)
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
            given = np.array([_unit_key(t) for t in vocab_terms], dtype=np.int64)
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
        order = np.lexsort((docs, keys))
        keys, docs, freqs = keys[order], docs[order], freqs[order]
        if not len(keys):
            return [], np.zeros(1, dtype=np.int64), docs, freqs
        first = np.flatnonzero(np.r_[True, (keys[1:] != keys[:-1]) | (docs[1:] != docs[:-1])])
        keys, docs, freqs = keys[first], docs[first], np.add.reduceat(freqs, first)
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        if self.units:
            terms = [_unit_term(k).encode("utf-8") for k in keys[starts].tolist()]
        else:
            terms = [vocab_terms[by_text[k]].encode("utf-8") for k in keys[starts].tolist()]
        return terms, np.r_[starts, len(keys)], docs, freqs

    def _unit_occurrences(self):
        """(term key, document, 1) of every unit and every bigram of neighbouring units in each document."""
        text = "".join(self._unit_texts)
        cps = np.frombuffer(text.encode("utf-32-le"), dtype="<u4").astype(np.int64)
        lengths = np.fromiter((len(t) for t in self._unit_texts), dtype=np.int64, count=len(self._unit_texts))
        docs = np.repeat(np.frombuffer(self._unit_docs, dtype=np.uint32).astype(np.int64), lengths)
        same = docs[1:] == docs[:-1]  # a bigram never spans two documents
        keys = np.concatenate([cps << _UNIT_BITS, (cps[:-1][same] << _UNIT_BITS) | (cps[1:][same] + 1)])
        docs = np.concatenate([docs, docs[:-1][same]])
        return keys, docs, np.ones(len(keys), dtype=np.int64)


class _Pool:
    """Postings of the other fields in memory: field -> term -> (documents, weights, values), in document order."""

    def __init__(self, text_fields: dict[str, _Occurrences]):
        self.fields: dict[str, dict[bytes, tuple]] = {}
        self.text_fields = text_fields
        self._count = 0

    def add(self, item):  # Whoosh's pool interface: postings copied from segments being merged
        fieldname, tbytes, docnum, weight, vbytes = item
        occurrences = self.text_fields.get(fieldname)
        if occurrences is not None:
            occurrences.add_posting(tbytes, docnum, int(weight))  # (a Counts field: the weight is the frequency)
            return
        self.add_posting(fieldname, tbytes, docnum, weight, vbytes)

    def add_posting(self, fieldname, tbytes, docnum, weight, vbytes):
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = {}
        entry = terms.get(tbytes)
        if entry is None:
            entry = terms[tbytes] = (array("I"), array("f"), [])
        entry[0].append(docnum)
        entry[1].append(weight)
        entry[2].append(vbytes or b"")
        self._count += 1

    @property
    def count(self) -> int:
        return self._count + sum(o.count for o in self.text_fields.values())

    def iter_postings(self):  # Whoosh's pool interface: what SegmentWriter gives the field writer to write
        return self

    def cleanup(self):
        self.fields.clear()
        for name, o in self.text_fields.items():
            self.text_fields[name] = _Occurrences(o.units)


_KEYWORDS: dict = {}


def _keyword_items(fieldobj, value: str) -> tuple:
    """fieldobj.index(value) for a KEYWORD field: region, topic and date values repeat."""
    key = (id(fieldobj), value)
    found = _KEYWORDS.get(key)
    if found is None:
        if len(_KEYWORDS) > 20000:
            _KEYWORDS.clear()
        found = _KEYWORDS[key] = (fieldobj, tuple(fieldobj.index(value)))
    return found[1]


class _PerDocWriter(StoredColumnPerDocWriter):
    """Whoosh 3's per-document writer, also keeping what the field writer and the side files need.

    Records each document's field lengths as the segment's length columns will answer them,
    and the units text of each document (given by FastSegmentWriter.add_document, or made from
    the stored text of documents copied from another segment), written next to the segment
    when it closes.
    """

    stored_column = STORED_COLUMN

    def __init__(self, codec, storage, segment):
        super().__init__(codec, storage, segment)
        self.storage, self.segment = storage, segment
        self.docnum = -1
        self.doccount = 0
        self.units: dict[int, str] = {}
        self.lengths: dict[str, dict[int, int]] = {}

    def start_doc(self, docnum):
        super().start_doc(docnum)
        self.docnum, self.doccount = docnum, docnum + 1

    def cancel_doc(self):
        super().cancel_doc()
        self.doccount = self.docnum
        self.units.pop(self.docnum, None)
        for lengths in self.lengths.values():
            lengths.pop(self.docnum, None)

    def add_field(self, fieldname, fieldobj, value, length):
        if fieldname == UNITS_STORED and isinstance(value, str) and self.docnum not in self.units:
            self.units[self.docnum] = unit_string(value)  # documents copied from another segment
        if length:
            # What the segment's length column will answer for this document (0 when its byte is 0).
            byte = length_to_byte(length)
            if byte:
                lengths = self.lengths.get(fieldname)
                if lengths is None:
                    lengths = self.lengths[fieldname] = {}
                lengths[self.docnum] = byte_to_length(byte)
        super().add_field(fieldname, fieldobj, value, length)

    def doc_lengths(self, fieldname: str):
        """The length column's answer for each document of this segment, or None when the field has none."""
        lengths = self.lengths.get(fieldname)
        if not lengths:
            return None
        out = np.zeros(self.doccount, dtype=np.int64)
        out[np.fromiter(lengths.keys(), dtype=np.int64, count=len(lengths))] = np.fromiter(
            lengths.values(), dtype=np.int64, count=len(lengths))
        return out

    def close(self):
        super().close()
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
    """Whoosh 3's terms index and postings files, as W3FieldWriter writes them, each term's postings at once.

    Given FastSegmentWriter's pool, it writes every field in bulk; given postings one by one
    (FieldWriter's interface), the same. Postings blocks are written as W3PostingsWriter._write_block
    writes them. The values and documents of the facet fields go to the segment's facet file.
    """

    def __init__(self, storage, segment, perdoc: _PerDocWriter):
        self.storage, self.segment, self.perdoc = storage, segment, perdoc
        self.tindex = OrderedHashWriter(segment.create_file(storage, W3Codec.TERMS_EXT))
        self.fieldmap = self.tindex.extras["fieldmap"] = {}
        self.postfile = segment.create_file(storage, W3Codec.POSTS_EXT)
        # (the facet fields, archive/facets.py, and kind: their values and documents go to the facet file)
        self.facets = {field: ([], array("I"), array("q", [0])) for field in facets.fields() + ("kind",)}
        self.is_closed = False
        self.fieldname = self.keyprefix = self.fixedsize = self.facet = self.term = None

    def start_field(self, fieldname, fieldobj):
        self.fieldname = fieldname
        self.keyprefix = pack_ushort(self.fieldmap.setdefault(fieldname, len(self.fieldmap)))
        self.fixedsize = fieldobj.format.fixed_value_size()
        self.facet = self.facets.get(fieldname)

    def finish_field(self):
        self.fieldname = self.keyprefix = self.fixedsize = self.facet = None

    # FieldWriter's interface: postings one by one.

    def start_term(self, tbytes):
        self.term = (tbytes, [], [], [], [], self.perdoc.lengths.get(self.fieldname, {}))

    def add(self, docnum, weight, vbytes, length):
        _, ids, weights, values, lengths, recorded = self.term
        ids.append(docnum)
        weights.append(weight)
        values.append(vbytes or b"")
        lengths.append(recorded.get(docnum, 0))

    def finish_term(self):
        tbytes, ids, weights, values, lengths, _ = self.term
        if self.fixedsize and self.fixedsize > 0:
            values = b"".join(values)
        self.write_term(tbytes, ids, weights, values, lengths)
        self.term = None

    # In bulk.

    def add_postings(self, schema, lengths, items):
        if isinstance(items, _Pool):
            self._write_pool(schema, items)
        else:
            super().add_postings(schema, lengths, items)
        self._write_facets()

    def _write_pool(self, schema, pool: _Pool) -> None:
        names = sorted(set(pool.fields) | {n for n, o in pool.text_fields.items() if o.count})
        for fieldname in names:
            fieldobj = schema[fieldname]
            doclens = self.perdoc.doc_lengths(fieldname)
            occurrences = pool.text_fields.get(fieldname)
            if occurrences is not None:
                terms, bounds, docs, freqs = occurrences.postings()
                if not terms:
                    continue
                self.start_field(fieldname, fieldobj)
                write = self.write_term
                weights = freqs.astype(np.float64)
                values = b""  # (a Counts field: the frequency is the weight)
                lens = doclens[docs] if doclens is not None else None
                bounds = bounds.tolist()
                for i, tbytes in enumerate(terms):
                    a, b = bounds[i], bounds[i + 1]
                    write(tbytes, docs[a:b].tolist(), weights[a:b].tolist(), values,
                          lens[a:b].tolist() if lens is not None else None)
            else:
                terms = pool.fields[fieldname]
                if not terms:
                    continue
                self.start_field(fieldname, fieldobj)
                write, joined = self.write_term, self.fixedsize and self.fixedsize > 0
                for tbytes in sorted(terms):
                    ids, weights, values = terms[tbytes]
                    lens = doclens[np.frombuffer(ids, dtype=np.uint32)].tolist() if doclens is not None else None
                    write(tbytes, ids.tolist(), weights.tolist(), b"".join(values) if joined else values, lens)
            self.finish_field()

    def write_term(self, tbytes: bytes, ids: list, weights: list, values, lengths) -> None:
        """One term: ids (document numbers), weights, values (bytes joined when of fixed size), lengths (or None)."""
        postfile, limit, fixedsize = self.postfile, BLOCK_LIMIT, self.fixedsize
        if len(ids) == 1:  # one posting: kept in the terms index (≈ 45 bytes less than a postings block)
            self._add_term(tbytes, self._inlined(ids[0], weights[0], values, lengths[0] if lengths else 0), ids)
            return
        start = postfile.tell()
        out = [WHOOSH3_HEADER_MAGIC]
        n = len(ids)
        total, maxweight, minlength, maxlength = 0.0, 0, None, 0
        for s in range(0, n, limit):
            e = min(s + limit, n)
            bids, bweights = ids[s:e], weights[s:e]
            bmax = max(0, max(bweights))
            total += sum(bweights)
            if bmax > maxweight:
                maxweight = bmax
            bmin = bmaxlen = None
            if lengths is not None:
                lens = [x for x in lengths[s:e] if x]
                if lens:
                    bmin, bmaxlen = min(lens), max(lens)
                    minlength = bmin if minlength is None else min(minlength, bmin)
                    maxlength = max(maxlength, bmaxlen)
            deltas = [bids[0]] + [b - a for a, b in zip(bids, bids[1:])]
            wlow = min(bweights)
            if wlow == bmax == 1.0:
                wmini = None
            elif wlow == max(bweights):
                wmini = bweights[0]
            else:
                wmini = tuple(bweights)
            if fixedsize is None or fixedsize < 0:
                vmini = tuple(v for v in values[s:e] if v)
            elif fixedsize == 0:
                vmini = None
            else:
                vmini = values[s * fixedsize:e * fixedsize]
            data = pickle.dumps((tuple(deltas), wmini, vmini), 2)
            comp = COMPRESSION if len(data) >= COMPRESS_MIN else 0
            if comp:
                data = _compress(data, comp)
            info = pickle.dumps((e - s, bids[-1], bmax, comp, length_to_byte(bmin), length_to_byte(bmaxlen or 0)), 2)
            size = len(info) + len(data)
            out += [pack_int(-size if e == n else size), info, data]
        blob = b"".join(out)
        postfile.write(blob)
        terminfo = TERMINFO_STRUCT.pack(
            False, total, n, 0 if minlength is None else length_to_byte(minlength), length_to_byte(maxlength),
            maxweight, ids[0], ids[-1]) + pack_long(start) + pack_int(len(blob))
        self._add_term(tbytes, terminfo, ids)

    def _inlined(self, docnum: int, weight: float, values, length: int) -> bytes:
        """A term's statistics with its one posting inlined, as W3TermInfo.to_bytes writes them."""
        fixedsize = self.fixedsize
        if fixedsize is None or fixedsize < 0:
            value = tuple(v for v in values[:1] if v)
        else:
            value = (values[:fixedsize],) if fixedsize else (None,)
        lbyte = length_to_byte(length) if length else 0
        return TERMINFO_STRUCT.pack(True, weight, 1, lbyte, lbyte, weight, docnum, docnum) + pickle.dumps(
            ((docnum,), (weight,), value), 2)

    def _add_term(self, tbytes: bytes, terminfo: bytes, ids) -> None:
        self.tindex.add(self.keyprefix + tbytes, terminfo)
        if self.facet is not None:
            values_of, docs, bounds = self.facet
            values_of.append(tbytes)
            docs.extend(ids)
            bounds.append(len(docs))

    def _write_facets(self) -> None:
        arrays = {}
        for field, (values, docs, bounds) in self.facets.items():
            arrays[f"{field}|values"] = np.frombuffer(b"\n".join(values), dtype=np.uint8)
            arrays[f"{field}|docs"] = np.frombuffer(docs, dtype=np.uint32) if len(docs) else np.zeros(0, np.uint32)
            arrays[f"{field}|bounds"] = np.frombuffer(bounds, dtype=np.int64)
        with self.segment.create_file(self.storage, FACETS_EXT) as f:
            np.savez(f, **arrays)

    def close(self):
        self.tindex.close()
        self.postfile.close()
        self.is_closed = True


class FastCodec(LeanCodec):
    """Whoosh 3's codec with this module's per-document and field writers.

    Its segments name LeanCodec (stored.py), which reads them: the TOC pickles each segment
    with its codec.
    """

    length_stats = False  # the field writer has the documents' field lengths from the per-document writer

    def __init__(self):
        super().__init__(blocklimit=BLOCK_LIMIT, compression=COMPRESSION)
        self.segment_codec = LeanCodec(blocklimit=BLOCK_LIMIT, compression=COMPRESSION)
        self.perdoc_writers: dict[str, _PerDocWriter] = {}  # segment id -> its per-document writer

    def new_segment(self, storage, indexname):
        return self.segment_codec.new_segment(storage, indexname)

    def per_document_writer(self, storage, segment):
        writer = self.perdoc_writers[segment.segment_id()] = _PerDocWriter(self, storage, segment)
        return writer

    def field_writer(self, storage, segment):
        return _FieldWriter(storage, segment, self.perdoc_writers[segment.segment_id()])


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
        self.general = any(f.separate_spelling() or f.vector for _, f in self.schema.items())

    @property
    def held(self) -> int:
        """Postings and term occurrences held in memory: the measure for cutting segments."""
        return self.pool.count

    @property
    def added(self) -> bool:
        """Whether documents were added (a segment to write)."""
        return self.doc_count() > 0

    def add_document(self, **fields):
        if self.general or any(name.startswith("_") for name in fields):
            return super().add_document(**fields)
        if self.is_closed:
            raise IndexingError("This writer is closed")
        perdocwriter, schema, docnum = self.perdocwriter, self.schema, self.docnum
        fieldnames = sorted(fields)
        for name in fieldnames:
            if name not in schema:
                raise UnknownFieldError("No field named %r in %s" % (name, schema))
        pool, text_fields, units = self.pool, self.text_fields, perdocwriter.units
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields[fieldname]
                if value is None:
                    continue
                fieldobj = schema[fieldname]
                length = 0
                occurrences = text_fields.get(fieldname)
                if occurrences is not None and isinstance(value, str):
                    if occurrences.units:
                        seq = units[docnum] = unit_string(value)
                        length = occurrences.add_units(docnum, seq)
                    else:
                        length = occurrences.add_words(docnum, value)
                elif fieldobj.indexed:
                    if type(fieldobj) is KEYWORD and isinstance(value, str) and fieldobj.format.field_boost == 1.0:
                        items = _keyword_items(fieldobj, value)
                    else:
                        items = fieldobj.index(value)
                    scorable = fieldobj.scorable
                    for tbytes, freq, weight, vbytes in items:
                        if scorable:
                            length += freq
                        pool.add_posting(fieldname, tbytes, docnum, weight, vbytes)
                perdocwriter.add_field(fieldname, fieldobj, value if fieldobj.stored else None, length)
                column = fieldobj.column_type
                if column:
                    perdocwriter.add_column_value(fieldname, column, fieldobj.to_column_value(value))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        mark_added(self)
        self.docnum += 1

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
