"""A segment's terms and postings in a compact layout of our own, written and read as arrays.

Whoosh 3 keeps a hash table of ≈ 50 bytes of statistics per term and postings
as pickled tuples in blocks (3–5 bytes a document, ≈ 30 bytes a block). Here,
per field (sorted by name):

    terms file (.lex)   the field's terms, sorted, concatenated; their starts (uint32, n + 1);
                        the starts of their postings in the postings file (uint32 or uint64, n + 1);
                        which terms have weights (a bit each); their document frequencies
    postings (.post)    each term's postings as arrays/codec.py encodes them (varint gaps, and
                        the weights that are not 1)

and at the end of the terms file the pickled directory of these arrays and its length.
Weights are whole numbers (term counts, or 1): no field here has a boost.

LeanTermsReader is the codec's terms reader (stored.py: LeanCodec): Whoosh's searcher, its
merges and deletions read terms through it; the engine's arrays read whole postings with
`postings`.
"""

import bisect
import pickle
import struct

import numpy as np
from whoosh.codec.base import TermsReader
from whoosh.matching import ListMatcher
from whoosh.reading import TermInfo

from ..arrays.codec import decode_field, decode_term, encode_field

TERMS_EXT, POSTS_EXT = ".lex", ".post"
_LENGTH = struct.Struct("<Q")
_SAMPLE = 32  # every 32nd term of a field is held in a list when the segment is opened


def _uint(maximum: int):
    return np.uint32 if maximum < 2 ** 32 else np.uint64


class TermsWriter:
    """Writes a segment's terms file and postings file, one field at a time, its terms in bulk (in runs)."""

    def __init__(self, termsfile, postfile):
        self.termsfile, self.postfile = termsfile, postfile
        self.directory: dict[str, dict] = {}
        self.is_closed = False
        self._field = None

    def _array(self, a: np.ndarray) -> tuple:
        pos = self.termsfile.tell()
        self.termsfile.write(a.tobytes())
        return pos, a.dtype.str, len(a)

    def write_field(self, fieldname: str, terms: list[bytes], bounds: np.ndarray, docs: np.ndarray,
                    weights: np.ndarray) -> None:
        """A field's terms (sorted bytes) with their postings: docs[bounds[i]:bounds[i + 1]] is term i's."""
        self.start_field(fieldname)
        self.add_terms(terms, bounds, docs, weights)
        self.finish_field()

    def start_field(self, fieldname: str) -> None:
        self._field = (fieldname, self.postfile.tell(), [], [], [np.zeros(1, np.int64)], [], [])

    def add_terms(self, terms: list[bytes], bounds: np.ndarray, docs: np.ndarray, weights: np.ndarray) -> None:
        """The next run of the field's terms (sorted after the runs before) with their postings."""
        if not terms:
            return
        bounds = np.asarray(bounds, dtype=np.int64)
        self.add_encoded(terms, np.diff(bounds), *encode_field(bounds, docs, weights))

    def add_encoded(self, terms: list[bytes], df: np.ndarray, data: bytes, offsets: np.ndarray,
                    weighted: np.ndarray) -> None:
        """The next run of the field's terms with their postings encoded by encode_field (anywhere: a merge's workers)."""
        _, base, blobs, lengths, pstarts, flags, dfs = self._field
        dfs.append(df)
        pstarts.append(offsets[1:] + (self.postfile.tell() - base))
        self.postfile.write(data)
        blobs.append(b"".join(terms))
        lengths.append(np.fromiter(map(len, terms), dtype=np.int64, count=len(terms)))
        flags.append(weighted)

    def finish_field(self) -> None:
        fieldname, base, blobs, lengths, pstarts, flags, dfs = self._field
        self._field = None
        if not blobs:
            return
        lengths, pstarts, dfs = np.concatenate(lengths), np.concatenate(pstarts), np.concatenate(dfs)
        self.directory[fieldname] = {
            "n": len(lengths), "base": base,
            "terms": self._array(np.frombuffer(b"".join(blobs), dtype=np.uint8)),
            "tstarts": self._array(np.r_[0, np.cumsum(lengths)].astype(_uint(int(lengths.sum())))),
            "pstarts": self._array(pstarts.astype(_uint(int(pstarts[-1])))),
            "weighted": self._array(np.packbits(np.concatenate(flags))),
            "df": self._array(dfs.astype(np.uint8 if dfs.max() < 256 else np.uint16 if dfs.max() < 65536 else np.uint32)),
        }

    def close(self) -> None:
        raw = pickle.dumps(self.directory, 4)
        self.termsfile.write(raw + _LENGTH.pack(len(raw)))
        self.termsfile.close()
        self.postfile.close()
        self.is_closed = True


class _Terms:
    """One field's sorted terms in the mapped terms file, indexable (bytes) for bisect."""

    def __init__(self, buf, entry: dict):
        def view(key):
            pos, dtype, count = entry[key]
            return np.frombuffer(buf, dtype=dtype, count=count, offset=pos)
        self.n, self.base = entry["n"], entry["base"]
        self.blob = view("terms")
        self.tstarts, self.pstarts = view("tstarts"), view("pstarts")
        self.weighted = np.unpackbits(view("weighted"), count=self.n).astype(bool)
        self.df = view("df")
        self._raw = self.blob.data
        self._sample = [self[i] for i in range(0, self.n, _SAMPLE)]  # a look-up bisects these first

    def __len__(self):
        return self.n

    def __getitem__(self, i: int) -> bytes:
        return bytes(self._raw[self.tstarts[i]:self.tstarts[i + 1]])

    def all(self) -> list[bytes]:
        """Every term, in order (one copy of the blob, sliced: not a look-up per term)."""
        raw, starts = bytes(self._raw), self.tstarts.tolist()
        return [raw[a:b] for a, b in zip(starts, starts[1:])]

    def position(self, tbytes: bytes) -> int:
        """Where `tbytes` is or would be (bisect_left)."""
        j = bisect.bisect_right(self._sample, tbytes)
        if j == 0:
            return 0
        lo = (j - 1) * _SAMPLE
        return bisect.bisect_left(self, tbytes, lo, min(lo + _SAMPLE, self.n))

    def find(self, tbytes: bytes) -> int:
        i = self.position(tbytes)
        return i if i < self.n and self[i] == tbytes else -1

    def extent(self, i: int) -> tuple[int, int]:
        start = self.base + int(self.pstarts[i])
        return start, self.base + int(self.pstarts[i + 1]) - start


class LeanTermsReader(TermsReader):
    """Whoosh's TermsReader over a segment's terms and postings files (TermsWriter's layout)."""

    def __init__(self, termsfile, postfile):
        # A file of the index folder is mapped (store.PositionalFile.map); another (a compound segment's) read whole.
        mapper = getattr(termsfile, "map", None)
        self._buf = mapper() if mapper is not None else termsfile.read()
        self._file = termsfile
        size = len(self._buf)
        n = _LENGTH.unpack(self._buf[size - 8:size])[0]
        directory = pickle.loads(self._buf[size - 8 - n:size - 8])
        self._fields = {name: _Terms(self._buf, entry) for name, entry in directory.items()}
        self._postfile = postfile

    def _find(self, fieldname, tbytes):
        terms = self._fields.get(fieldname)
        i = terms.find(tbytes) if terms is not None else -1
        if i < 0:
            raise KeyError((fieldname, tbytes))
        return terms, i

    def raw_postings(self, fieldname: str, tbytes: bytes):
        """(postings bytes, weighted, document frequency) of a term; KeyError when the segment does not have it."""
        terms, i = self._find(fieldname, tbytes)
        offset, length = terms.extent(i)
        return self._postfile.get(offset, length), bool(terms.weighted[i]), int(terms.df[i])

    def postings(self, fieldname: str, tbytes: bytes) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers int32, weights float32) of a term; KeyError when the segment does not have it."""
        return decode_term(*self.raw_postings(fieldname, tbytes))

    def field_terms(self, fieldname: str) -> list[bytes]:
        terms = self._fields.get(fieldname)
        return terms.all() if terms is not None else []

    def field_postings(self, fieldname: str, start: int = 0, stop: int | None = None):
        """(bounds, docs, weights) of the field's terms start … stop - 1, decoded at once (merging segments)."""
        terms = self._fields[fieldname]
        stop = terms.n if stop is None else stop
        offsets = terms.pstarts[start:stop + 1].astype(np.int64)
        if stop <= start:
            return np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        data = self._postfile.get(terms.base + int(offsets[0]), int(offsets[-1] - offsets[0]))
        return decode_field(data, offsets - offsets[0], terms.weighted[start:stop], terms.df[start:stop])

    def field_bytes(self, fieldname: str, split=None) -> dict:
        """{part: [terms, terms file bytes, postings bytes, postings]} of a field (bench/index_bytes.py),
        its terms grouped by split(term bytes) when given."""
        t = self._fields[fieldname]
        postings = t.df.astype(np.int64)
        tbytes = np.diff(t.tstarts.astype(np.int64)) + t.tstarts.itemsize + t.pstarts.itemsize + t.df.itemsize + 1 / 8
        pbytes = np.diff(t.pstarts.astype(np.int64))
        groups = np.array([split(t[i]) for i in range(t.n)]) if split else np.zeros(t.n, dtype=int)
        out = {}
        for g in np.unique(groups):
            at = groups == g
            out[g] = [int(at.sum()), float(tbytes[at].sum()), int(pbytes[at].sum()), int(postings[at].sum())]
        return out

    def indexed_field_names(self):
        return list(self._fields)

    def __contains__(self, term):
        terms = self._fields.get(term[0])
        return terms is not None and terms.find(term[1]) >= 0

    def terms_from(self, fieldname, prefix):
        names = sorted(self._fields)
        for name in names[bisect.bisect_left(names, fieldname):]:
            terms = self._fields[name]
            start = terms.position(prefix) if name == fieldname else 0
            for i in range(start, terms.n):
                yield name, terms[i]

    def terms(self):
        return self.terms_from("", b"")

    def items_from(self, fieldname, prefix):
        for name, tbytes in self.terms_from(fieldname, prefix):
            yield (name, tbytes), self.term_info(name, tbytes)

    def items(self):
        return self.items_from("", b"")

    def term_info(self, fieldname, tbytes):
        ids, weights = self.postings(fieldname, tbytes)
        return TermInfo(weight=float(weights.sum()), df=len(ids), maxweight=float(weights.max()),
                        minid=int(ids[0]), maxid=int(ids[-1]))

    def frequency(self, fieldname, tbytes):
        return float(self.postings(fieldname, tbytes)[1].sum())

    def doc_frequency(self, fieldname, tbytes):
        terms, i = self._find(fieldname, tbytes)
        return int(terms.df[i])

    def matcher(self, fieldname, tbytes, format_, scorer=None):
        ids, weights = self.postings(fieldname, tbytes)
        return ListMatcher(ids.tolist(), weights.tolist(), format=format_, scorer=scorer, term=(fieldname, tbytes))

    def cursor(self, fieldname, fieldobj):
        raise NotImplementedError("no spelling cursor: the archive suggests from its own vocabulary")

    def close(self):
        # The mapping stays valid for arrays still referring to it; the file may be deleted by a merge.
        self._postfile.close()
        self._file.close()
