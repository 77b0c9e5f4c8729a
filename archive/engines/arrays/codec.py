"""Postings as bytes, the same for both engines: a term's document numbers as varint gaps (the first
absolute); when a weight is not 1, each gap doubled plus a flag (weight ≠ 1), then the flagged
postings' weights, as varints. Whoosh's segments (whoosh/postings.py) and PostgreSQL's postings per
term (postgres/postings.py) store these bytes."""

import numpy as np


def varint_encode(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(bytes as uint8, bytes per value) of non-negative integers below 2**35, 7 bits a byte, low first."""
    v = values.astype(np.uint64, copy=False)
    nbytes = np.ones(len(v), dtype=np.int64)
    for k in range(1, 5):
        nbytes += v >= (1 << (7 * k))
    out = np.empty(int(nbytes.sum()), dtype=np.uint8)
    starts = np.cumsum(nbytes) - nbytes
    for k in range(5):
        at = np.flatnonzero(nbytes > k)
        if not len(at):
            break
        chunk = (v[at] >> np.uint64(7 * k)) & np.uint64(0x7F)
        more = (nbytes[at] > k + 1).astype(np.uint64) << np.uint64(7)
        out[starts[at] + k] = (chunk | more).astype(np.uint8)
    return out, nbytes


def varint_decode(data) -> np.ndarray:
    """The integers (int64) of varint bytes."""
    b = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(b < 128)
    if len(ends) == len(b):  # every value one byte (most gaps and weights)
        return b.astype(np.int64)
    starts = np.empty_like(ends)
    starts[:1] = 0
    starts[1:] = ends[:-1] + 1
    out = (b[starts] & 0x7F).astype(np.int64)
    longer = np.flatnonzero(ends > starts)  # values of two bytes or more, fewer at each byte
    for k in range(1, 5):
        if not len(longer):
            break
        out[longer] |= (b[starts[longer] + k] & 0x7F).astype(np.int64) << (7 * k)
        longer = longer[ends[longer] > starts[longer] + k]
    return out


def encode_field(bounds: np.ndarray, docs: np.ndarray, weights: np.ndarray) -> tuple[bytes, np.ndarray, np.ndarray]:
    """(postings bytes, postings starts (n + 1), weighted flags) of a field's terms.

    bounds: each term's first posting (n + 1, the last = len(docs)); docs ascending within a term.
    A term whose weights are all 1 has its gaps only; another has each gap doubled, plus one when the
    posting's weight is not 1, then those weights in order.
    """
    starts, df = bounds[:-1], np.diff(bounds)
    docs = docs.astype(np.int64, copy=False)
    w = np.asarray(weights)
    wi = np.rint(w).astype(np.int64)
    if len(w) and (not np.array_equal(wi, w) or wi.min() < 0):
        raise ValueError("postings weights must be whole numbers ≥ 0 (no field boosts)")
    gaps = docs.copy()
    gaps[1:] -= docs[:-1]
    gaps[starts] = docs[starts]
    other = wi != 1
    weighted = np.add.reduceat(other, starts) > 0 if len(starts) else np.zeros(0, dtype=bool)
    term_of = np.repeat(np.arange(len(df)), df)
    flagged = other & weighted[term_of]  # (a term with all weights 1 has none)
    before = np.r_[0, np.cumsum(flagged)]  # flagged postings before each posting
    extra = before[bounds[1:]] - before[starts]  # each term's weights written
    size = df + extra
    first = np.cumsum(size) - size
    values = np.empty(int(size.sum()), dtype=np.int64)
    within = np.arange(len(docs)) - bounds[term_of]
    values[first[term_of] + within] = np.where(weighted[term_of], gaps * 2 + flagged, gaps)
    at = np.flatnonzero(flagged)
    values[first[term_of[at]] + df[term_of[at]] + before[at] - before[starts][term_of[at]]] = wi[at]
    data, nbytes = varint_encode(values)
    term_bytes = np.add.reduceat(nbytes, first) if len(first) else np.zeros(0, dtype=np.int64)
    return data.tobytes(), np.r_[0, np.cumsum(term_bytes)], weighted


def decode_term(data, weighted: bool, df: int) -> tuple[np.ndarray, np.ndarray]:
    """(document numbers int32, weights float32) of one term's postings bytes."""
    values = varint_decode(data)
    if not weighted:
        return np.cumsum(values).astype(np.int32), np.ones(len(values), dtype=np.float32)
    gaps = values[:df]
    weights = np.ones(df, dtype=np.float32)
    weights[(gaps & 1).astype(bool)] = values[df:]
    return np.cumsum(gaps >> 1).astype(np.int32), weights


def decode_field(data, offsets: np.ndarray, weighted: np.ndarray, df: np.ndarray):
    """(bounds, docs int64, weights int64) of every term of a field, from its postings bytes (decode_term for all)."""
    df = df.astype(np.int64)
    bounds = np.r_[0, np.cumsum(df)]
    if not len(df):
        return bounds, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    values = varint_decode(data)
    counts = np.add.reduceat(np.frombuffer(data, dtype=np.uint8) < 128, offsets[:-1].astype(np.int64)).astype(np.int64)
    term_of = np.repeat(np.arange(len(df)), counts)
    is_gap = np.arange(len(values)) - (np.cumsum(counts) - counts)[term_of] < df[term_of]
    shifted = weighted[term_of]
    flags = (shifted & (values & 1).astype(bool))[is_gap]
    gaps = np.where(shifted, values >> 1, values)[is_gap]
    c = np.cumsum(gaps)
    docs = c - np.repeat(c[bounds[:-1]] - gaps[bounds[:-1]], df)
    weights = np.ones(len(docs), dtype=np.int64)
    weights[flags] = values[~is_gap]
    return bounds, docs, weights
