"""Text analysis shared by indexing, querying and highlighting.

Two views of every text:

* words: rjieba segmentation, with the search-mode sub-words of a long word
  counted too, so that 人民 also finds 中华人民共和国;
* units: every character but white space, indexed as single units and as
  bigrams of neighbouring units. A query run of n units has as candidates
  the texts holding all of its n-1 bigrams, and is then checked against
  each candidate's units text (kept next to every segment): it matches
  exactly the texts that contain the run (white space and line breaks
  aside), so literal recall never depends on how the segmenter happened to
  cut a sentence.

Neither view stores positions: no query needs them (a run is checked on
the text itself, and words are matched as a set), and without them the
index is a quarter smaller.

Both views see text through `normalize`, which keeps every character at its
offset so that highlights computed on the normalized text apply to the
original: full-width ASCII becomes half-width, letters lower case, and
traditional characters simplified one for one (data/t2s.tsv, from OpenCC),
so that 環境保護 and 环境保护 are the same text to the index and to queries.

The segmenter also knows the words of data/userdict.txt (terms of government
writing it would cut apart). Both files are part of ANALYZER_VERSION: after
editing either, the next ingest rebuilds the index.
"""

import hashlib
import unicodedata
from functools import lru_cache
from itertools import chain
from pathlib import Path

import rjieba

DATA = Path(__file__).resolve().parent / "data"
T2S, USERDICT = DATA / "t2s.tsv", DATA / "userdict.txt"
_VERSION = "5"  # bump when tokens or what is stored of them change
# An index built with another version (or other data files) must be rebuilt.
ANALYZER_VERSION = f"{_VERSION}-{hashlib.sha256(T2S.read_bytes() + USERDICT.read_bytes()).hexdigest()[:12]}"
SEGMENTER = f"rjieba-{getattr(rjieba, '__version__', '0.2.2')}"


def _lines(path: Path):
    """The data lines of a file: comments (#) and blank lines left out."""
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            yield line


_T2S = {ord(a): ord(b) for a, b in (line.split("\t") for line in _lines(T2S))}
_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}  # full-width ASCII
_FOLD[0x3000] = 0x20
_FOLD.update(_T2S)
for _word in _lines(USERDICT):
    rjieba.add_word(_word.split()[0], None, None)  # (the segmenter works out a frequency that keeps it whole)
_KEPT_PUNCT = set("%*#&@")


def simplified(text: str) -> str:
    """Traditional characters to simplified, one for one (offsets stay): how labels and words are looked up."""
    return text.translate(_T2S)


def normalize(text: str) -> str:
    """Full-width ASCII to half-width, traditional to simplified, lower case: one character for one."""
    out = text.translate(_FOLD)
    lowered = out.lower()
    # A few characters (e.g. 'İ') grow when lowered; keep offsets stable.
    return lowered if len(lowered) == len(out) else "".join(
        c.lower() if len(c.lower()) == 1 else c for c in out)


@lru_cache(maxsize=4096)
def is_unit(char: str) -> bool:
    """Every visible character counts for literal matching, punctuation included."""
    return char.isprintable() and not char.isspace()


@lru_cache(maxsize=4096)
def _is_word_char(char: str) -> bool:
    return unicodedata.category(char)[0] in "LNS" or char in _KEPT_PUNCT


def units(text: str) -> list[tuple[str, int]]:
    """(character, offset) for every searchable character of normalized text."""
    return [(c, i) for i, c in enumerate(text) if is_unit(c)]


@lru_cache(maxsize=65536)
def is_word(token: str) -> bool:
    """Letters, digits and symbols make words; punctuation alone does not."""
    return any(_is_word_char(c) for c in token)


@lru_cache(maxsize=1 << 18)
def _search_subs(word: str) -> tuple[tuple[str, int, int], ...]:
    """The search-mode sub-words of a main word (shorter than it), with their offsets in it."""
    if len(word) <= 2:
        return ()
    return tuple((sub, s, e) for sub, s, e in rjieba.tokenize(word, mode="search") if e - s < len(word))


class _Expansions(dict):
    """Main word -> its index terms: its sub-words, then itself; () for punctuation. Each word is
    worked out once (a word's sub-words do not depend on its context)."""

    def __missing__(self, word: str) -> tuple[str, ...]:
        terms = (*(sub for sub, _, _ in _search_subs(word)), word) if is_word(word) else ()
        if len(self) > 1_000_000:  # (a bound; a corpus's vocabulary is far smaller)
            self.clear()
        self[word] = terms
        return terms


_EXPANSIONS = _Expansions()


def main_words(text: str) -> list[str]:
    """The segmenter's cut of normalized text, punctuation included (as words() cuts it)."""
    return rjieba.cut(text)


def index_terms(word: str) -> tuple[str, ...]:
    """The terms a main word is indexed as, in words() order: its sub-words, then itself; () if not a word."""
    return _EXPANSIONS[word]


def word_terms(text: str) -> list[str]:
    """The words of normalized text as words() gives them, without positions and offsets."""
    return list(chain.from_iterable(map(_EXPANSIONS.__getitem__, rjieba.cut(text))))


def words(text: str) -> list[tuple[int, str, int, int]]:
    """(position, word, start, end) of normalized text; sub-words share their word's position."""
    main = [(w, s, e) for w, s, e in rjieba.tokenize(text) if is_word(w)]
    out = []
    for pos, (word, start, end) in enumerate(main):
        for sub, s, e in _search_subs(word):
            out.append((pos, sub, start + s, start + e))
        out.append((pos, word, start, end))
    return out


def query_words(text: str) -> list[str]:
    """The words of a query term, cut the way the index cuts main words."""
    return [w for w in rjieba.cut(normalize(text)) if is_word(w)]


@lru_cache(maxsize=4096)
def word_cover(word: str) -> tuple[str, ...]:
    """Shorter dictionary words that together spell `word` (环境保护 -> 环境, 保护), or ()."""
    subs = {}
    for sub, s, e in rjieba.tokenize(word, mode="search"):
        if e - s < len(word) and e - s > subs.get(s, ("", 0, 0))[2] - s:
            subs[s] = (sub, s, e)
    cover, pos = [], 0
    while pos < len(word):
        if pos not in subs:
            return ()
        sub, _, pos = subs[pos]
        cover.append(sub)
    return tuple(cover) if len(cover) > 1 else ()


def query_units(text: str) -> list[str]:
    return [c for c, _ in units(normalize(text))]


def bigrams(chars: list[str]) -> list[str]:
    """The chars-field terms that, as a phrase, match exactly the runs equal to chars."""
    if len(chars) == 1:
        return chars
    return [a + b for a, b in zip(chars, chars[1:])]


def unit_string(value: str) -> str:
    """The units of `value` as one string: what literal matching compares."""
    return units_of_normalized(normalize(value))


def units_of_normalized(norm: str) -> str:
    """unit_string of text normalized already."""
    # Printable text has only ASCII spaces to skip; anything else takes the general test.
    return norm.replace(" ", "") if norm.isprintable() else "".join(c for c in norm if is_unit(c))
