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

Scoring is BM25F (k1 K1, b B below, idf = ln(N / (df + 1)) + 1, N all the
documents of the index) on each Word, and on each Literal as the sum of
its unit bigrams in the units view (one character: the unit itself), times
the leaf's boost. Engines return hits by score, ties in document order.

A term matches a paragraph that contains it literally or that contains all
of its words; the literal match is boosted so that it ranks above scattered
words. With a thesaurus, the term and each of its words also match their
synonyms (literally or by their words), at half weight. A quoted phrase is
the literal match alone. Each term is widened in place, so NOT excludes
exactly what the same term would find.
"""

from dataclasses import dataclass

from ..analysis import query_units, query_words, word_cover
from .query import And, Not, Or, Phrase, Term

# BM25's parameters. b is low: a one-line heading or list item that names the words should not
# outrank the paragraph that is about them (b 0.75 → 0.3: nDCG@10 0.659 → 0.688 on bench/judgements).
K1, B = 1.2, 0.3
LITERAL_BOOST = 3.0
PHRASE_BOOST = 4.0
TITLE_BOOST = 1.5
SECTION_BOOST = 1.0
RELAXED_WORD = 1000.0  # per term matched: more terms always outrank a better score
SYNONYM_WEIGHT = 0.5  # a synonym's match counts half the term's own


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


class Compiler:
    """Compiles query trees, expanding terms with a thesaurus (None: no expansion).

    `expanded` records what was also searched: {term or word: its synonyms}.
    """

    def __init__(self, thesaurus=None):
        self.thesaurus = thesaurus
        self.expanded: dict[str, tuple[str, ...]] = {}

    def tree(self, node):
        if isinstance(node, Phrase):
            return literal(node.text, PHRASE_BOOST)  # quoted: exactly this, never expanded
        if isinstance(node, Term):
            return self.term(node.text)
        if isinstance(node, And):
            return All(tuple(self.tree(i) for i in node.items))
        if isinstance(node, Or):
            return Any(tuple(self.tree(i) for i in node.items))
        if isinstance(node, Not):
            return Without(self.tree(node.item))
        raise TypeError(node)

    def term(self, text: str, weight: float = 1.0, expand: bool = True):
        """The term literally, or all of its words, or (weighted down) each of its synonyms."""
        words = query_words(text)
        parts = [literal(text, LITERAL_BOOST * weight)]
        if words:
            alone = len(words) == 1  # a one-word term is expanded whole, below
            spelled = tuple(self._word(w, weight, expand and not alone) for w in words)
            parts.append(spelled[0] if alone else All(spelled))
        if expand:
            parts += [self.term(s, weight * SYNONYM_WEIGHT, expand=False) for s in self._synonyms(text)]
        return parts[0] if len(parts) == 1 else Any(tuple(parts))

    def _word(self, word: str, weight: float, expand: bool):
        """The word itself, or the shorter words that spell it wherever they stand, or its synonyms."""
        cover = word_cover(word)
        parts = [Word("text", word, weight)]
        if cover:
            parts.append(All(tuple(Word("text", w, weight) for w in cover)))
        if expand:
            parts += [self.term(s, weight * SYNONYM_WEIGHT, expand=False) for s in self._synonyms(word)]
        return parts[0] if len(parts) == 1 else Any(tuple(parts))

    def _synonyms(self, text: str) -> tuple[str, ...]:
        found = self.thesaurus.synonyms(text) if self.thesaurus is not None else ()
        if found:
            self.expanded[text] = found
        return found


def compile_tree(node, thesaurus=None):
    """The plan of a query tree (archive.search.query), expanded with `thesaurus` if given."""
    return Compiler(thesaurus).tree(node)


def with_context_boost(main, leaves):
    """Paragraphs whose meeting title or section also names the words rank higher."""
    words = sorted({w for leaf in leaves for w in query_words(leaf.text)})
    if not words:
        return main
    extra = [Word("title", w, TITLE_BOOST) for w in words] + [Word("section", w, SECTION_BOOST) for w in words]
    return Also(main, Any(tuple(extra)))


def relaxed(compiler: Compiler, leaves, negated: list):
    """Any of the query's terms, ranked first by how many of them a paragraph has.

    Two terms or more: by terms. One term of two words or more (区域限批 → 区域, 限批): by its words.
    Single characters are never relaxed apart: 第3项 must not turn into 第 OR 3 OR 项.
    """
    if len(leaves) >= 2:
        pieces = [compiler.tree(leaf) for leaf in leaves]
    elif len(leaves) == 1 and isinstance(leaves[0], Term):
        words = [w for w in query_words(leaves[0].text) if len(w) > 1]
        if len(words) < 2:
            return None
        pieces = [compiler.term(w) for w in words]
    else:
        return None
    plan = Any(tuple(Any((Constant(piece, RELAXED_WORD), piece)) for piece in pieces))
    return Except(plan, Any(tuple(negated))) if negated else plan


def negated_leaves(compiler: Compiler, node) -> list:
    """Plans of the parts a hit must not match, kept when the query is relaxed."""
    if isinstance(node, Not):
        return [compiler.tree(node.item)]
    if isinstance(node, And):
        return [q for item in node.items for q in negated_leaves(compiler, item)]
    return []
