"""Mark what matched in a paragraph and cut a snippet around it.

Matching is done on the same units the index searches (punctuation and
spaces ignored), so a highlight appears exactly where the literal match is,
even across 、 or a line break; overlapping spans are merged so that 马克思
is marked as one span.
"""

from functools import lru_cache
from html import escape

from ..analysis import is_unit, normalize, query_units, query_words, word_cover
from .query import Term

SNIPPET_CHARS = 160


@lru_cache(maxsize=1024)
def _needles(leaves: tuple) -> tuple[str, ...]:
    """The unit strings a query's leaves are found by: each term literally, and its words."""
    found = set()
    for leaf in leaves:
        found.add("".join(query_units(leaf.text)))
        if isinstance(leaf, Term):
            for word in query_words(leaf.text):
                found.update("".join(query_units(w)) for w in (word, *word_cover(word)))
    return tuple(sorted(n for n in found if n))


def spans(text: str, leaves) -> list[tuple[int, int]]:
    """Merged (start, end) character spans of `text` matched by the query leaves."""
    norm = normalize(text)
    offsets = [i for i, c in enumerate(norm) if is_unit(c)]  # a unit is one character
    seq = "".join(norm[i] for i in offsets)
    found = []
    for needle in _needles(tuple(leaves)):
        i = seq.find(needle)
        while i != -1:
            found.append((offsets[i], offsets[i + len(needle) - 1] + 1))
            i = seq.find(needle, i + 1)
    found.sort()
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _window(text: str, marks: list[tuple[int, int]], size: int) -> tuple[int, int]:
    """The `size`-character window holding the most marked characters."""
    if len(text) <= size or not marks:
        return 0, min(len(text), size)
    best, best_start = -1, 0
    for anchor, _ in marks:
        start = max(0, min(anchor - size // 4, len(text) - size))
        covered = sum(max(0, min(e, start + size) - max(s, start)) for s, e in marks)
        if covered > best:
            best, best_start = covered, start
    return best_start, best_start + size


def highlight(text: str, leaves, size: int = SNIPPET_CHARS) -> str:
    """An HTML snippet of `text`: escaped, with <mark> around each match."""
    marks = spans(text, leaves)
    start, end = _window(text, marks, size)
    out = ["…" if start > 0 else ""]
    pos = start
    for s, e in marks:
        s, e = max(s, start), min(e, end)
        if s >= e:
            continue
        out.append(escape(text[pos:s]))
        out.append(f"<mark>{escape(text[s:e])}</mark>")
        pos = e
    out.append(escape(text[pos:end]))
    out.append("…" if end < len(text) else "")
    return "".join(out)
