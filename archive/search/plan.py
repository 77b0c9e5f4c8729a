"""The query tree compiled into a match plan (archive/engines/plan.py): what a paragraph must hold and how it scores.

The plan's node types and the BM25 constants are below both this compiler and the engines
(archive/engines/plan.py, which describes each node and the scoring); the boosts are chosen here.

A term matches a paragraph that contains it literally or that contains all
of its words; the literal match is boosted so that it ranks above scattered
words. With a thesaurus, the term and each of its words also match their
synonyms (literally or by their words), at half weight. A quoted phrase is
the literal match alone. Each term is widened in place, so NOT excludes
exactly what the same term would find.
"""

from ..analysis import query_units, query_words, word_cover
from ..engines.plan import Also, All, Any, Constant, Except, Literal, Without, Word
from .query import And, Not, Or, Phrase, Term

LITERAL_BOOST = 3.0
PHRASE_BOOST = 4.0
TITLE_BOOST = 1.5
SECTION_BOOST = 1.0
RELAXED_WORD = 1000.0  # per term matched: more terms always outrank a better score
SYNONYM_WEIGHT = 0.5  # a synonym's match counts half the term's own


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
