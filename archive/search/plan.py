"""Query tree to Whoosh queries.

A term matches a paragraph that contains it literally (a phrase of unit
bigrams in `chars`) or that contains all of its words (`text`); the literal
match is boosted so that it ranks above scattered words. A quoted phrase is
the literal match alone. Each term is widened in place, so NOT excludes
exactly what the same term would find.
"""

from whoosh import query as wq

from ..index.analysis import bigrams, query_units, query_words, word_cover
from .query import And, Not, Or, Phrase, Term

LITERAL_BOOST = 3.0
PHRASE_BOOST = 4.0
TITLE_BOOST = 1.5
SECTION_BOOST = 1.0
RELAXED_WORD = 1000.0  # per word matched: more words always outrank a better score


def literal(text: str, boost: float = 1.0) -> wq.Query:
    grams = bigrams(query_units(text))
    if len(grams) == 1:
        return wq.Term("chars", grams[0], boost=boost)
    return wq.Phrase("chars", grams, boost=boost)


def _word(word: str) -> wq.Query:
    """The word itself, or the shorter words that spell it wherever they stand."""
    cover = word_cover(word)
    term = wq.Term("text", word)
    return wq.Or([term, wq.And([wq.Term("text", w) for w in cover])]) if cover else term


def _words_query(words: list[str]) -> wq.Query | None:
    if not words:
        return None
    terms = [_word(w) for w in words]
    return terms[0] if len(terms) == 1 else wq.And(terms)


def to_whoosh(node) -> wq.Query:
    if isinstance(node, Phrase):
        return literal(node.text, PHRASE_BOOST)
    if isinstance(node, Term):
        words = _words_query(query_words(node.text))
        lit = literal(node.text, LITERAL_BOOST)
        return wq.Or([lit, words]) if words is not None else lit
    if isinstance(node, And):
        return wq.And([to_whoosh(i) for i in node.items])
    if isinstance(node, Or):
        return wq.Or([to_whoosh(i) for i in node.items])
    if isinstance(node, Not):
        return wq.Not(to_whoosh(node.item))
    raise TypeError(node)


def with_context_boost(main: wq.Query, leaves) -> wq.Query:
    """Paragraphs whose meeting title or section also names the words rank higher."""
    words = {w for leaf in leaves for w in query_words(leaf.text)}
    if not words:
        return main
    extra = [wq.Term("title", w, boost=TITLE_BOOST) for w in words]
    extra += [wq.Term("section", w, boost=SECTION_BOOST) for w in words]
    return wq.AndMaybe(main, wq.Or(extra))


def relaxed(leaves, negated) -> wq.Query | None:
    """Any of the query's terms, ranked first by how many of them a paragraph has.

    Only for two terms or more: one term that matches nothing is not cut
    into pieces (第3项 must not turn into 第 OR 3 OR 项).
    """
    if len(leaves) < 2:
        return None
    per_term = [wq.Or([wq.ConstantScoreQuery(to_whoosh(leaf), RELAXED_WORD), to_whoosh(leaf)]) for leaf in leaves]
    q = wq.Or(per_term)
    return wq.AndNot(q, wq.Or(negated)) if negated else q


def negated_leaves(node) -> list:
    """Whoosh queries of the parts a hit must not match, kept when the query is relaxed."""
    if isinstance(node, Not):
        return [to_whoosh(node.item)]
    if isinstance(node, And):
        return [q for item in node.items for q in negated_leaves(item)]
    return []
