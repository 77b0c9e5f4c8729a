"""Mark what matched in a paragraph and cut a snippet around it.

Matching is done on the same units the index searches (punctuation and
spaces ignored), so a highlight appears exactly where the literal match is,
even across 、 or a line break; overlapping spans are merged so that 马克思
is marked as one span.
"""

from html import escape

from ..index.analysis import normalize, query_units, query_words, units, word_cover
from .query import Phrase, Term

SNIPPET_CHARS = 160


def _find_all(haystack: list[str], needle: list[str]) -> list[int]:
    if not needle:
        return []
    joined, target = "\x00".join(haystack), "\x00".join(needle)
    starts, i = [], joined.find(target)
    while i != -1:
        # Only matches that start on a unit boundary count.
        if i == 0 or joined[i - 1] == "\x00":
            starts.append(joined.count("\x00", 0, i))
        i = joined.find(target, i + 1)
    return starts


def spans(text: str, leaves) -> list[tuple[int, int]]:
    """Merged (start, end) character spans of `text` matched by the query leaves."""
    seq = units(normalize(text))
    chars = [c for c, _ in seq]
    found = []
    for leaf in leaves:
        needles = [query_units(leaf.text)]
        if isinstance(leaf, Term):
            words = query_words(leaf.text)
            needles += [query_units(w) for word in words for w in (word, *word_cover(word))]
        for needle in needles:
            for start in _find_all(chars, needle):
                found.append((seq[start][1], seq[start + len(needle) - 1][1] + 1))
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
