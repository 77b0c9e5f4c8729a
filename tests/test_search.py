"""Search on a real index: literal recall, the query language, ranking, highlighting."""

import random
import unicodedata

import pytest

from archive.analysis import unit_string
from archive.index.pipeline import ingest
from archive.search.query import QueryError, parse
from archive.search.request import SearchRequest
from archive.search.service import SearchService

from .conftest import stored_paragraphs, write


def all_paragraphs(backend):
    return {p["id"]: p["text"] for p in stored_paragraphs(backend.engine)}


def ids(backend, q, **kw):
    res = backend.search(SearchRequest(q=q, per_page=100, **kw))
    out = {h["id"] for h in res["hits"]}
    page = 2
    while len(out) < res["total"]:
        more = backend.search(SearchRequest(q=q, per_page=100, page=page, **kw))
        out |= {h["id"] for h in more["hits"]}
        page += 1
    return out, res


def _cjk(c):
    return unicodedata.category(c) == "Lo"


def cjk_runs(texts, count, seed):
    """Random 2-5 character runs of Chinese characters taken from the texts."""
    rng = random.Random(seed)
    pool = [t for t in texts if sum(map(_cjk, t)) > 10]
    runs = set()
    while len(runs) < count:
        text = rng.choice(pool)
        n = rng.randint(2, 5)
        i = rng.randrange(0, len(text) - n)
        run = text[i:i + n]
        if all(map(_cjk, run)):
            runs.add(run)
    return sorted(runs)


def test_literal_recall_oracle(backend):
    """Every paragraph containing a run is found by the plain and the quoted query; quoted finds nothing else."""
    paragraphs = all_paragraphs(backend)
    for run in cjk_runs(list(paragraphs.values()), 200, seed=7):
        expected = {pid for pid, text in paragraphs.items() if run in text}
        plain, _ = ids(backend, run)
        quoted, _ = ids(backend, f'"{run}"')
        assert expected <= plain, run
        assert quoted == expected, run


def test_substring_of_a_word_is_found(tmp_path, new_engine):
    write(tmp_path / "c" / "a.md", "# 会\n\n李明华同志主持会议。\n\n第5次会议在725会议室召开，完成六个100%目标。\n")
    engine = new_engine()
    ingest([tmp_path / "c"], engine)
    b = SearchService(engine)
    for q in ["明华", "李明华", "第5次", "725会议室", "六个100%", '"5次会议"', "100"]:
        assert b.search(SearchRequest(q=q))["total"] >= 1, q


def test_phrase_across_broken_paragraph(backend):
    hits = backend.search(SearchRequest(q='"严格整改标准"'))["hits"]
    assert len(hits) == 1 and "<mark>严格整改标准</mark>" in hits[0]["highlight"]


def test_and_or_not(backend):
    both, _ = ids(backend, "森林 防火")
    forest, _ = ids(backend, "森林")
    fire, _ = ids(backend, "防火")
    assert both == forest & fire and both
    either, _ = ids(backend, "森林 OR 督察")
    supervision, _ = ids(backend, "督察")
    assert either == forest | supervision
    without, _ = ids(backend, "环境 -督察")
    env, _ = ids(backend, "环境")
    assert without == env - supervision and without
    assert ids(backend, "环境 NOT 督察")[0] == without
    grouped, _ = ids(backend, "(森林 OR 督察) 会议")
    meeting, _ = ids(backend, "会议")
    assert grouped == (forest | supervision) & meeting


def test_not_excludes_literal_matches(backend):
    paragraphs = all_paragraphs(backend)
    without, _ = ids(backend, "环境 -环保", expand=False)
    assert all("环保" not in paragraphs[p] for p in without)
    assert without == {p for p, t in paragraphs.items() if "环境" in t and "环保" not in t}
    # Expanded, NOT excludes what the term finds: its synonym 环境保护 too (literally or by its words).
    expanded, _ = ids(backend, "环境 -环保")
    assert expanded == without - ids(backend, "环境保护", expand=False)[0] and expanded < without


def test_literal_match_ranks_above_scattered_words(tmp_path, new_engine):
    write(tmp_path / "c" / "a.md", "# 记录\n\n生态环境局通报保护工作情况，各地环境质量总体改善。\n\n"
          "会议强调做好环境保护工作。\n")
    engine = new_engine()
    ingest([tmp_path / "c"], engine)
    res = SearchService(engine).search(SearchRequest(q="环境保护"))
    assert res["total"] == 2
    assert "环境保护" in res["hits"][0]["text"]


def test_relaxed_when_words_never_meet(backend):
    res = backend.search(SearchRequest(q="森林防火 巴中市"))
    assert res["relaxed"] is True and res["total"] > 0
    strict = backend.search(SearchRequest(q="森林防火"))
    assert strict["relaxed"] is False


def test_relaxed_ranks_by_words_contained(tmp_path, new_engine):
    write(tmp_path / "c" / "a.md", "# 记录\n\n汶川特大地震灾后恢复重建，重建家园。\n\n地震局开会。\n\n重建工作开会。\n")
    engine = new_engine()
    ingest([tmp_path / "c"], engine)
    res = SearchService(engine).search(SearchRequest(q="汶川地震 灾后重建 援建"))
    assert res["relaxed"] and "汶川特大地震" in res["hits"][0]["text"]


def test_highlight_merges_overlaps_and_escapes(tmp_path, new_engine):
    write(tmp_path / "c" / "a.md", "# 学习\n\n学习马克思主义理论，<script>alert(1)</script>不忘初心。\n")
    engine = new_engine()
    ingest([tmp_path / "c"], engine)
    hit = SearchService(engine).search(SearchRequest(q="马克思 script"))["hits"][0]
    assert "<mark>马克思</mark>" in hit["highlight"]
    assert "<script>" not in hit["highlight"] and "&lt;" in hit["highlight"]
    assert hit["text"].count("<script>") == 1  # plain text field keeps the paragraph as written


def test_contract_fields(backend):
    res = backend.search(SearchRequest(q="森林防火", per_page=3))
    assert set(res) >= {"query", "total", "page", "per_page", "took_ms", "hits", "facets", "relaxed"}
    hit = res["hits"][0]
    assert set(hit) == {"id", "meeting_id", "meeting_title", "section", "text", "highlight", "source",
                        "line_start", "line_end", "regions", "topics", "date", "role", "page", "score"}
    assert hit["source"].endswith(".md") and hit["line_start"] <= hit["line_end"]
    assert set(res["facets"]) == set(res["facets_truncated"]) == {"region", "topic", "date", "person", "role", "kind"}
    assert res["facets"]["kind"] == res["facets"]["role"]  # (the key of before `role`, kept for clients)


def test_pagination_is_consistent(backend):
    whole = backend.search(SearchRequest(q="环境", per_page=100))["hits"]
    pages = [h for p in (1, 2, 3) for h in backend.search(SearchRequest(q="环境", per_page=10, page=p))["hits"]]
    assert [h["id"] for h in pages] == [h["id"] for h in whole[:30]]


@pytest.mark.parametrize("q", ["", "  "])
def test_empty_query_browses_everything(backend, q):
    assert backend.search(SearchRequest(q=q))["total"] == len(all_paragraphs(backend))


@pytest.mark.parametrize("q", ["NOT", "-环境", "OR", "x" * 201])
def test_unsearchable_queries_raise(q):
    with pytest.raises(QueryError):
        parse(q)


def test_query_syntax_is_text(backend):
    """Field syntax, wildcards and stray operators are searched as the characters they are."""
    texts = all_paragraphs(backend).values()
    plain = ids(backend, "环境")[0]
    for q in ['"环境', '((环境', '环境 )', 'OR 环境']:
        assert ids(backend, q)[0] == plain, q
    found, res = ids(backend, "?")
    assert res["total"] == sum("?" in unit_string(t) for t in texts)  # ？ is ? once normalized
    assert all("<mark>" in h["highlight"] for h in res["hits"])
    # No paragraph holds "title:环境": its words relax apart, and the answer says so.
    found, res = ids(backend, "title:环境")
    assert res["relaxed"] and found == plain
    star, _ = ids(backend, "环境*")
    assert star and star <= plain  # 环境 next to a placeholder *, never a wildcard
    with pytest.raises(QueryError):
        parse("AND")


def test_traditional_and_simplified_script_are_one(tmp_path, new_engine):
    write(tmp_path / "c" / "t.md", "# 會議紀要\n\n會議要求實行限批，加強環境保護。\n")
    write(tmp_path / "c" / "s.md", "# 会议纪要\n\n会议要求加强环境保护工作。\n")
    engine = new_engine()
    ingest([tmp_path / "c"], engine)
    service = SearchService(engine)
    for q in ("環境保護", "环境保护", '"環境保護"', '"环境保护"', '"加強環境"'):
        assert service.search(SearchRequest(q=q, expand=False))["total"] == 2, q
    hits = service.search(SearchRequest(q="环境保护 实行"))["hits"]
    assert [h["highlight"] for h in hits] == ["會議要求<mark>實行</mark>限批，加強<mark>環境保護</mark>。"]


def test_a_term_whose_words_never_meet_relaxes_by_its_words(tmp_path, new_engine):
    write(tmp_path / "c" / "a.md", "# 会议\n\n对违规园区实行限批。\n\n划定重点区域名单。\n\n部署森林防火。\n")
    engine = new_engine()
    ingest([tmp_path / "c"], engine)
    res = SearchService(engine).search(SearchRequest(q="区域限批"))
    assert res["relaxed"] and {h["text"] for h in res["hits"]} == {"对违规园区实行限批。", "划定重点区域名单。"}
    assert SearchService(engine).search(SearchRequest(q='"区域限批"'))["total"] == 0  # a phrase stays exact
