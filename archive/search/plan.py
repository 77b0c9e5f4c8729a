"""The query tree compiled into a match plan: what a paragraph must hold and how it scores.

A plan is a small tree that every engine evaluates the same way:

    Literal(run)        the paragraph's units contain `run` (punctuation and spaces aside)
    Word(field, word)   the field (text, title, section) has the word among its words
    All(parts)          every part matches; scores add up
    Any(parts)          some part matches; the scores of those that match add up
    Without(part)       the part does not match; scores 1.0 (a query of NOTs alone is refused)
    Also(must, maybe)   `must` matches; `maybe` adds its score where it matches too
    Except(part, not_)  `part` matches and `not_` does not; scores as `part`
    Constant(part, s)   `part` matches; scores `s`

Scoring is BM25F (k1 1.2, b 0.75, idf = ln(N / (df + 1)) + 1, N all the
documents of the index) on each Word, and on each Literal as the sum of
its unit bigrams in the units view (one character: the unit itself), times
the leaf's boost. Engines return hits by score, ties in document order.

A term matches a paragraph that contains it literally or that contains all
of its words; the literal match is boosted so that it ranks above scattered
words. A quoted phrase is the literal match alone. Each term is widened in
place, so NOT excludes exactly what the same term would find.
"""

from dataclasses import dataclass

from ..analysis import query_units, query_words, word_cover
from .query import And, Not, Or, Phrase, Term

LITERAL_BOOST = 3.0
PHRASE_BOOST = 4.0
TITLE_BOOST = 1.5
SECTION_BOOST = 1.0
RELAXED_WORD = 1000.0  # per term matched: more terms always outrank a better score


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


def literal(text: str, boost: float = 1.0) -> Literal:
    return Literal("".join(query_units(text)), boost)


def _word(word: str):
    """The word itself, or the shorter words that spell it wherever they stand."""
    cover = word_cover(word)
    term = Word("text", word)
    return Any((term, All(tuple(Word("text", w) for w in cover)))) if cover else term


def _words(words: list[str]):
    if not words:
        return None
    terms = tuple(_word(w) for w in words)
    return terms[0] if len(terms) == 1 else All(terms)


def compile_tree(node):
    """The plan of a query tree (archive.search.query)."""
    if isinstance(node, Phrase):
        return literal(node.text, PHRASE_BOOST)
    if isinstance(node, Term):
        words = _words(query_words(node.text))
        lit = literal(node.text, LITERAL_BOOST)
        return Any((lit, words)) if words is not None else lit
    if isinstance(node, And):
        return All(tuple(compile_tree(i) for i in node.items))
    if isinstance(node, Or):
        return Any(tuple(compile_tree(i) for i in node.items))
    if isinstance(node, Not):
        return Without(compile_tree(node.item))
    raise TypeError(node)


def with_context_boost(main, leaves):
    """Paragraphs whose meeting title or section also names the words rank higher."""
    words = sorted({w for leaf in leaves for w in query_words(leaf.text)})
    if not words:
        return main
    extra = [Word("title", w, TITLE_BOOST) for w in words] + [Word("section", w, SECTION_BOOST) for w in words]
    return Also(main, Any(tuple(extra)))


def relaxed(leaves, negated):
    """Any of the query's terms, ranked first by how many of them a paragraph has.

    Only for two terms or more: one term that matches nothing is not cut
    into pieces (第3项 must not turn into 第 OR 3 OR 项).
    """
    if len(leaves) < 2:
        return None
    plan = Any(tuple(Any((Constant(compile_tree(leaf), RELAXED_WORD), compile_tree(leaf))) for leaf in leaves))
    return Except(plan, Any(tuple(negated))) if negated else plan


def negated_leaves(node) -> list:
    """Plans of the parts a hit must not match, kept when the query is relaxed."""
    if isinstance(node, Not):
        return [compile_tree(node.item)]
    if isinstance(node, And):
        return [q for item in node.items for q in negated_leaves(item)]
    return []
