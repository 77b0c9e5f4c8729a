"""“您是不是要找”: a one-character correction of a query term that matches nothing.

Whoosh's word suggester measures edit distance on whole words, which for
Chinese mostly proposes unrelated words sharing one character, and it scans
the lexicon unless a prefix is fixed. A Chinese typo is nearly always one
wrong character (a homophone: 径济 for 经济), and the index already holds
every character bigram (`chars`). So for each position of the term, the
candidates are the characters that really follow the left neighbour (a prefix
look-up) and precede the right one; the replacement whose corrected run is
found in the most paragraphs wins. For the first character, bigrams are
looked up by their second character (the engine's `previous_units`).
"""

import unicodedata

from ..analysis import normalize, units
from .plan import compile_tree, literal
from .query import Phrase, Term, parse, positives

PER_POSITION = 20  # candidates tried per position, the most frequent bigrams first


def _is_text(char: str) -> bool:
    return unicodedata.category(char)[0] in "LN"


def _candidates(reader, chars: list[str], p: int) -> list[str]:
    """Characters for position p that form known bigrams with both neighbours, most frequent first."""
    df = reader.bigram_frequency
    options = set(reader.next_units(chars[p - 1]) if p > 0 else reader.previous_units(chars[1]))
    if 0 < p < len(chars) - 1:  # (it must also precede the next character: ask once, not per candidate)
        options &= set(reader.previous_units(chars[p + 1]))
    scored = []
    for c in options:
        if c == chars[p] or not _is_text(c):
            continue
        left = df(chars[p - 1] + c) if p > 0 else None
        right = df(c + chars[p + 1]) if p + 1 < len(chars) else None
        if left == 0 or right == 0:
            continue
        scored.append((min(x for x in (left, right) if x is not None), c))
    return [c for _, c in sorted(scored, reverse=True)[:PER_POSITION]]


def _best_fix(reader, count, chars: list[str]) -> tuple[int, str] | None:
    """(position, character) of the single-character change found in the most paragraphs."""
    best, best_hits = None, 0
    for p in range(len(chars)):
        for c in _candidates(reader, chars, p):
            run = "".join(chars[:p] + [c] + chars[p + 1:])
            hits = count(literal(run))
            if hits > best_hits:
                best, best_hits = (p, c), hits
    return best


def suggest(reader, count, q: str) -> str | None:
    """The query with its unmatched terms corrected, or None when nothing sensible is found.

    `reader` is an engine's Reader (its bigram vocabulary); `count(plan)` the number of
    paragraphs a match plan finds.
    """
    try:
        tree = parse(q)
    except ValueError:
        return None
    if tree is None:
        return None
    corrected = q
    for leaf in positives(tree):
        if not isinstance(leaf, (Term, Phrase)):
            continue
        seq = units(normalize(leaf.text))
        chars = [c for c, _ in seq]
        if len(chars) < 2 or count(compile_tree(leaf)):
            continue  # found as it is (literally or by its words): nothing to correct
        fix = _best_fix(reader, count, chars)
        if fix:
            p, char = fix
            offset = seq[p][1]  # normalize keeps offsets, so this is the character as typed
            corrected = corrected.replace(leaf.text, leaf.text[:offset] + char + leaf.text[offset + 1:], 1)
    return corrected if corrected != q else None
