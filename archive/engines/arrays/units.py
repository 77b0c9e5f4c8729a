"""A units term (one character, or a bigram of neighbouring ones) as a number, for both engines' writers:
its first code point << UNIT_BITS | (its second code point + 1, or 0). Counting such numbers by sorting
needs no dictionary of the ≈ 1 M units and bigrams of a large corpus."""

import numpy as np

UNIT_BITS = 22  # (code points need 21 bits; + 1 for "no second")


def unit_key(term: str) -> int:
    if len(term) == 1:
        return ord(term) << UNIT_BITS
    if len(term) == 2:
        return ord(term[0]) << UNIT_BITS | (ord(term[1]) + 1)
    raise ValueError(f"not a units term: {term!r}")


def unit_term(key: int) -> str:
    second = key & ((1 << UNIT_BITS) - 1)
    return chr(key >> UNIT_BITS) + (chr(second - 1) if second else "")


def unit_occurrences(texts: list[str], docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(term key, document) of every unit and every bigram of neighbouring units of each units string,
    texts[i] being document docs[i]'s."""
    cps = np.frombuffer("".join(texts).encode("utf-32-le"), dtype="<u4").astype(np.int64)
    of = np.repeat(docs, np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)))
    same = of[1:] == of[:-1]  # a bigram never spans two documents
    keys = np.concatenate([cps << UNIT_BITS, (cps[:-1][same] << UNIT_BITS) | (cps[1:][same] + 1)])
    return keys, np.concatenate([of, of[:-1][same]])
