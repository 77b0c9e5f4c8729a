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
"""

import pickle
import zlib
from array import array

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.fields import KEYWORD
from whoosh.formats import Frequency
from whoosh.system import pack_int, pack_long, pack_ushort, unpack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from .analysis import UnitTokenizer, WordTokenizer, normalize, unit_string, words
from .schema import FACET_FIELDS, FACETS_EXT, UNITS_EXT, UNITS_OFFSETS_EXT

# The units field, and the stored field holding the same text (whose units text is kept next to the segment).
UNITS_FIELD, UNITS_STORED = "chars", "text"
COMPRESS_MIN = 128  # bytes of a block's pickle below which zlib only adds its header
# Blocks and most stored documents are under 4 kB: a 4 kB window and little hash memory compress
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
            occurrences.add_posting(tbytes, docnum, unpack_uint(vbytes)[0])
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


class _TermWriter:
    """Writes terms' postings in Whoosh 3's layout: blocks (W3PostingsWriter._write_block), then term info."""

    def __init__(self, fieldwriter, fieldobj):
        self.fw = fieldwriter
        self.postfile = fieldwriter._postfile
        self.blocklimit = fieldwriter._codec._blocklimit
        self.compression = fieldwriter._codec._compression
        self.fixedsize = fieldobj.format.fixed_value_size()

    def write(self, tbytes: bytes, ids: list, weights: list, values, lengths) -> None:
        """One term: ids (document numbers), weights, values (bytes joined when of fixed size), lengths (or None)."""
        postfile, limit, fixedsize = self.postfile, self.blocklimit, self.fixedsize
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
            comp = self.compression if len(data) >= COMPRESS_MIN else 0
            if comp:
                data = _compress(data, comp)
            info = pickle.dumps((e - s, bids[-1], bmax, comp, length_to_byte(bmin), length_to_byte(bmaxlen or 0)), 2)
            size = len(info) + len(data)
            out += [pack_int(-size if e == n else size), info, data]
        blob = b"".join(out)
        postfile.write(blob)
        terminfo = W3TermInfo._struct.pack(
            False, total, n, 0 if minlength is None else length_to_byte(minlength), length_to_byte(maxlength),
            maxweight, ids[0], ids[-1]) + pack_long(start) + pack_int(len(blob))
        self.fw._tindex.add(pack_ushort(self.fw._fieldid) + tbytes, terminfo)


class FastSegmentWriter(SegmentWriter):
    def __init__(self, ix, **kwargs):
        # Segments stay separate files: a compound segment is read into memory (BytesIO copies
        # of its parts) each time a reader opens it, which is slow and costs the whole index in RAM.
        kwargs.setdefault("compound", False)
        super().__init__(ix, **kwargs)
        self._text_fields = {
            name: _Occurrences(units=type(f.analyzer) is UnitTokenizer) for name, f in self.schema.items()
            if f.indexed and type(getattr(f, "analyzer", None)) in (UnitTokenizer, WordTokenizer)
            and type(f.format) is Frequency and f.format.field_boost == 1.0}
        self.pool = _Pool(self._text_fields)
        self._units: dict[int, str] = {}
        self._lengths: dict[str, dict[int, int]] = {}
        self._general = any(f.separate_spelling() or f.vector for _, f in self.schema.items())
        pdw = self.perdocwriter
        add_field = pdw.add_field

        def add_field_keeping_length(fieldname, fieldobj, value, length):
            # What the segment's length column will answer for this document (0 when its byte is 0).
            if fieldname == UNITS_STORED and isinstance(value, str) and self.docnum not in self._units:
                self._units[self.docnum] = unit_string(value)  # documents copied from another segment
            if length:
                byte = length_to_byte(length)
                if byte:
                    lengths = self._lengths.get(fieldname)
                    if lengths is None:
                        lengths = self._lengths[fieldname] = {}
                    lengths[self.docnum] = byte_to_length(byte)
            add_field(fieldname, fieldobj, value, length)

        pdw.add_field = add_field_keeping_length
        # Whoosh compresses each document's stored fields with zlib.compress: the same, set up faster.
        pdw._get_column("_stored")._child._compress = _compress

    @property
    def held(self) -> int:
        """Postings and term occurrences held in memory: the measure for cutting segments."""
        return self.pool.count

    def add_document(self, **fields):
        if self._general or any(name.startswith("_") for name in fields):
            return super().add_document(**fields)
        self._check_state()
        perdocwriter, schema, docnum = self.perdocwriter, self.schema, self.docnum
        fieldnames = sorted(fields)
        self._check_fields(schema, fieldnames)
        pool, text_fields = self.pool, self._text_fields
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
                        seq = self._units[docnum] = unit_string(value)
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
        self._added = True
        self.docnum += 1

    def _finish(self):
        if self.writelock is None:
            # A worker's writer: the temporary folder is shared by name with the parent's and
            # the other workers' (column files in progress); the parent removes it when it finishes.
            self._tempstorage.destroy = lambda: None
        super()._finish()

    def finish_segment(self):
        """Write this writer's segment without committing it; a parent writer commits it."""
        self._check_state()
        segment = self._finalize_segment()
        self._finish()
        return segment

    def commit_with(self, segments) -> None:
        """Commit, adding finished segments of other writers after the existing ones; nothing is merged."""
        self._check_state()
        final = list(self.segments) + list(segments)
        if self._added:
            final.append(self._finalize_segment())
        else:
            self._close_segment()
        self._commit_toc(final)
        self._finish()

    def _finalize_segment(self):
        facets = self._facet_arrays()
        segment = super()._finalize_segment()
        self._write_units(segment)
        self._write_facets(segment, facets)
        return segment

    def _facet_arrays(self) -> dict:
        out = {}
        for field in FACET_FIELDS + ("kind",):
            terms = self.pool.fields.get(field, {})
            values = sorted(terms)
            docs = array("I")
            bounds = array("q", [0])
            for v in values:
                docs.extend(terms[v][0])
                bounds.append(len(docs))
            out[field] = (b"\n".join(values), docs, bounds)
        return out

    def _write_facets(self, segment, facets: dict) -> None:
        arrays = {}
        for field, (values, docs, bounds) in facets.items():
            arrays[f"{field}|values"] = np.frombuffer(values, dtype=np.uint8)
            arrays[f"{field}|docs"] = np.frombuffer(docs, dtype=np.uint32) if len(docs) else np.zeros(0, np.uint32)
            arrays[f"{field}|bounds"] = np.frombuffer(bounds, dtype=np.int64)
        with segment.create_file(self.storage, FACETS_EXT) as f:
            np.savez(f, **arrays)

    def _write_units(self, segment) -> None:
        parts = [self._units.get(i, "").encode("utf-8") for i in range(segment.doc_count_all())]
        offsets, pos = array("q", [0]), 0
        for part in parts:
            pos += len(part) + 1
            offsets.append(pos)
        with segment.create_file(self.storage, UNITS_EXT) as f:
            f.write(b"\n".join(parts) + b"\n" if parts else b"")
        with segment.create_file(self.storage, UNITS_OFFSETS_EXT) as f:
            f.write(offsets.tobytes())
        self._units.clear()

    def _doc_lengths(self, fieldname: str):
        """The length column's answer for each document of this segment, or None when the field has none."""
        lengths = self._lengths.get(fieldname)
        if not lengths:
            return None
        out = np.zeros(self.docnum, dtype=np.int64)
        out[np.fromiter(lengths.keys(), dtype=np.int64, count=len(lengths))] = np.fromiter(
            lengths.values(), dtype=np.int64, count=len(lengths))
        return out

    def _flush_segment(self):
        self.perdocwriter.close()
        fw = self.fieldwriter
        names = sorted(set(self.pool.fields) | {n for n, o in self._text_fields.items() if o.count})
        for fieldname in names:
            fieldobj = self.schema[fieldname]
            doclens = self._doc_lengths(fieldname)
            occurrences = self._text_fields.get(fieldname)
            if occurrences is not None:
                terms, bounds, docs, freqs = occurrences.postings()
                if not terms:
                    continue
                fw.start_field(fieldname, fieldobj)
                out = _TermWriter(fw, fieldobj)
                weights = freqs.astype(np.float64)
                values = freqs.astype(">u4").tobytes()  # Frequency's value: the frequency as an unsigned int
                lens = doclens[docs] if doclens is not None else None
                bounds = bounds.tolist()
                for i, tbytes in enumerate(terms):
                    a, b = bounds[i], bounds[i + 1]
                    out.write(tbytes, docs[a:b].tolist(), weights[a:b].tolist(), values[4 * a:4 * b],
                              lens[a:b].tolist() if lens is not None else None)
            else:
                terms = self.pool.fields[fieldname]
                if not terms:
                    continue
                fw.start_field(fieldname, fieldobj)
                out = _TermWriter(fw, fieldobj)
                for tbytes in sorted(terms):
                    ids, weights, values = terms[tbytes]
                    lens = doclens[np.frombuffer(ids, dtype=np.uint32)].tolist() if doclens is not None else None
                    if out.fixedsize and out.fixedsize > 0:
                        values = b"".join(values)
                    out.write(tbytes, ids.tolist(), weights.tolist(), values, lens)
            fw.finish_field()
        fw.close()
