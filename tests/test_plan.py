"""Query trees compiled into match plans: the widening every engine evaluates alike."""

from archive.analysis import query_words
from archive.search.plan import (LITERAL_BOOST, PHRASE_BOOST, RELAXED_WORD, All, Also, Any, Constant, Except, Literal,
                                 Without, Word, compile_tree, negated_leaves, relaxed, with_context_boost)
from archive.search.query import parse, positives


def test_a_term_is_its_literal_or_all_its_words():
    plan = compile_tree(parse("环境保护"))
    assert plan == Any((Literal("环境保护", LITERAL_BOOST),
                        Any((Word("text", "环境保护"), All((Word("text", "环境"), Word("text", "保护")))))))


def test_a_phrase_is_its_literal_alone_normalized():
    assert compile_tree(parse('"ＡＢ　环境"')) == Literal("ab环境", PHRASE_BOOST)  # full width, spaces: units


def test_operators_map_to_nodes():
    plan = compile_tree(parse("(森林 OR 防火) -督察"))
    assert isinstance(plan, All) and isinstance(plan.parts[0], Any) and isinstance(plan.parts[1], Without)


def test_context_boost_adds_title_and_section_words():
    tree = parse("森林防火")
    plan = with_context_boost(compile_tree(tree), positives(tree))
    assert isinstance(plan, Also) and plan.must == compile_tree(tree)
    fields = {(w.field, w.word) for w in plan.maybe.parts}
    assert fields == {(f, w) for f in ("title", "section") for w in query_words("森林防火")} and len(fields) == 4


def test_relaxed_ranks_by_terms_and_keeps_negations():
    tree = parse("环境 督察 -整改")
    plan = relaxed(positives(tree), negated_leaves(tree))
    assert isinstance(plan, Except) and plan.not_ == Any((compile_tree(parse("整改")),))
    assert all(isinstance(p.parts[0], Constant) and p.parts[0].score == RELAXED_WORD for p in plan.part.parts)
    assert relaxed(positives(parse("第3项")), []) is None  # one term is never cut into pieces
