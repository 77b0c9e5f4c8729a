"""Match plans: the small trees every engine evaluates, and the BM25 constants they are scored with.

Below both the search service, which compiles queries into plans (archive/search/plan.py), and the
engines, which evaluate them (archive/engines/arrays/evaluate.py, postgres/evaluate.py):

    Literal(run)        the paragraph's units contain `run` (punctuation and spaces aside)
    Word(field, word)   the field (text, title, section) has the word among its words
    All(parts)          every part matches; scores add up
    Any(parts)          some part matches; the scores of those that match add up
    Without(part)       the part does not match; scores 1.0 (a query of NOTs alone is refused)
    Also(must, maybe)   `must` matches; `maybe` adds its score where it matches too
    Except(part, not_)  `part` matches and `not_` does not; scores as `part`
    Constant(part, s)   `part` matches; scores `s`

Scoring is BM25F (k1 K1, b B below, idf = ln(N / (df + 1)) + 1, N all the
documents of the index) on each Word, and on each Literal as the sum of
its unit bigrams in the units view (one character: the unit itself), times
the leaf's boost. Engines return hits by score, ties in document order.
"""

from dataclasses import dataclass

# BM25's parameters. b is low: a one-line heading or list item that names the words should not
# outrank the paragraph that is about them (b 0.75 → 0.3: nDCG@10 0.659 → 0.688 on bench/judgements).
K1, B = 1.2, 0.3


@dataclass(frozen=True)
class Literal:
    run: str  # units, normalized (two or more: a run of bigrams; one: a single unit)
    boost: float = 1.0


@dataclass(frozen=True)
class Word:
    field: str
    word: str
    boost: float = 1.0


@dataclass(frozen=True)
class All:
    parts: tuple


@dataclass(frozen=True)
class Any:
    parts: tuple


@dataclass(frozen=True)
class Without:
    part: object


@dataclass(frozen=True)
class Also:
    must: object
    maybe: object


@dataclass(frozen=True)
class Except:
    part: object
    not_: object


@dataclass(frozen=True)
class Constant:
    part: object
    score: float
