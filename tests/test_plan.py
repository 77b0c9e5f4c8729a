"""Query trees compiled into match plans: the widening every engine evaluates alike."""

from archive.analysis import query_words
from archive.search.plan import (LITERAL_BOOST, PHRASE_BOOST, RELAXED_WORD, SYNONYM_WEIGHT, All, Also, Any, Compiler,
                                 Constant, Except, Literal, Without, Word, compile_tree, negated_leaves, relaxed,
                                 with_context_boost)
from archive.search.query import parse, positives
from archive.search.thesaurus import Thesaurus, default_thesaurus


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
    compiler = Compiler()
    plan = relaxed(compiler, positives(tree), negated_leaves(compiler, tree))
    assert isinstance(plan, Except) and plan.not_ == Any((compile_tree(parse("整改")),))
    assert all(isinstance(p.parts[0], Constant) and p.parts[0].score == RELAXED_WORD for p in plan.part.parts)


def test_one_term_relaxes_by_its_words_never_by_characters():
    plan = relaxed(Compiler(), positives(parse("区域限批")), [])
    assert [p.parts[1] for p in plan.parts] == [compile_tree(parse("区域")), compile_tree(parse("限批"))]
    assert relaxed(Compiler(), positives(parse("第3项")), []) is None  # 第 OR 3 OR 项 would find anything
    assert relaxed(Compiler(), positives(parse('"区域限批"')), []) is None  # a phrase stays exact


def test_synonyms_are_searched_at_half_weight_and_reported():
    compiler = Compiler(Thesaurus([["二孩", "两孩"], ["环保", "环境保护"]]))
    plan = compiler.tree(parse("二孩政策"))
    spelled = plan.parts[1]  # the term's words: 二孩 (or its synonym) and 政策
    assert spelled.parts[0] == Any((Word("text", "二孩"), compiler.term("两孩", SYNONYM_WEIGHT, expand=False)))
    assert compiler.expanded == {"二孩": ("两孩",)}
    assert Literal("两孩", LITERAL_BOOST * SYNONYM_WEIGHT) in compiler.term("两孩", SYNONYM_WEIGHT, expand=False).parts
    whole = Compiler(Thesaurus([["环保", "环境保护"]])).tree(parse("环保"))
    assert whole.parts[-1] == Compiler().term("环境保护", SYNONYM_WEIGHT, expand=False)


def test_quoted_phrases_and_unknown_terms_are_not_expanded():
    compiler = Compiler(Thesaurus([["环保", "环境保护"]]))
    assert compiler.tree(parse('"环保"')) == Literal("环保", PHRASE_BOOST)
    assert compiler.tree(parse("森林")) == compile_tree(parse("森林")) and compiler.expanded == {}


def test_the_shipped_thesaurus_loads_and_is_symmetric():
    t = default_thesaurus()
    assert "环境保护" in t.synonyms("环保") and "环保" in t.synonyms("环境保护")
    assert t.synonyms("ｗｔｏ") == t.synonyms("WTO")  # looked up normalized


def test_the_shipped_thesaurus_knows_community_and_office_abbreviations():
    from archive.search.thesaurus import default_thesaurus
    t = default_thesaurus()
    assert "合并请求" in t.synonyms("PR") and "持续集成" in t.synonyms("CI") and "村民委员会" in t.synonyms("村委会")
    assert t.synonyms("仓库") == ()  # (a warehouse too: no code repository for it)
