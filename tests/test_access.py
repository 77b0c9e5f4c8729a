"""Access levels through the search service: every answer a viewer gets holds only what its levels allow.

A corpus of our own has minutes at each level (公开 by default, 内部 by a folder rule or front
matter, 秘密 by front matter over a folder rule, or by a folder rule), each level with marker
strings of its own: a word, a county, a host, the file names. For each level, generated
requests over every service entry point (search with any query, filters, page and sort;
export; neighbours; meetings; suggestions) never return a marker above the level, and totals
and facets equal those of an index built from the permitted files alone.
"""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.access.levels import ConfigError, UnknownLevel, Viewer, load_config, parse_config
from archive.engines import open_engine
from archive.home import Archive
from archive.index.pipeline import ingest
from archive.search.query import QueryError
from archive.search.request import SearchRequest
from archive.search.service import SearchService

from .conftest import fresh_engine, write

LEVELS = ("公开", "内部", "秘密")
CONFIG = parse_config({"access": {"folders": {"内部资料": "内部", "机密": "秘密"}}}, "test")
# Per level: what only its minutes hold (a word, its typo's source, a county, a host), and their file names.
MARKS = {
    "公开": {"word": "青松翠柏", "place": "江西省九江市彭泽县", "county": "彭泽县", "host": "张明华",
             "topic": "森林防火", "files": ("open-a.md", "open-b.md")},
    "内部": {"word": "丹霞赤壁", "place": "甘肃省天水市麦积区", "county": "麦积区", "host": "王建设",
             "topic": "垃圾分类", "files": ("内部资料/inner-a.md", "inner-b.md")},
    "秘密": {"word": "玄武晶石", "place": "云南省西双版纳傣族自治州勐海县", "county": "勐海县", "host": "赵守密",
             "topic": "大气污染", "files": ("内部资料/secret-a.md", "机密/secret-b.md")},
}
# How each file gets its level: the folder rule alone, or front matter (which wins over a folder rule).
FRONT = {"内部资料/inner-a.md": None, "inner-b.md": "内部", "内部资料/secret-a.md": "秘密", "机密/secret-b.md": None}


def minutes(level: str, n: int) -> str:
    m = MARKS[level]
    front = FRONT.get(m["files"][n])
    head = f"---\naccess: {front}\n---\n\n" if front else ""
    return head + f"""# 环境整治工作会议纪要（{m['word']}第{n + 1}次）

时间：2024年{3 + n}月{5 + LEVELS.index(level)}日上午
地点：{m['place']}政府会议室
主持人：{m['host']}
出席：李四方、{m['host']}

## 一、研究{m['topic']}工作

会议听取了关于{m['word']}项目和{m['topic']}工作的汇报，要求做好环境整治工作。

## 会议议定事项

一、同意{m['word']}实施方案，由{m['county']}负责落实环境整治。

## 遗留问题

{m['word']}资金问题待下次会议研究，责任人：{m['host']}，完成时间：6月底。
"""


def markers(level: str) -> list[str]:
    m = MARKS[level]
    return [m["word"], m["county"], m["host"]] + [f.rsplit("/", 1)[-1][:-3] for f in m["files"]]


def above(level: str) -> list[str]:
    return [x for other in LEVELS[LEVELS.index(level) + 1:] for x in markers(other)]


def build_corpus(root, levels=LEVELS):
    for level in levels:
        for n, name in enumerate(MARKS[level]["files"]):
            write(root / name, minutes(level, n))
    return root


# Each level's files are ingested at a time of their own, lowest first: a reader's ingest times (the feeds'
# `updated`, since=last-ingest) must be those of an archive that never held the files above its level.
TIMES = {"公开": "2024-01-01T00:00:00Z", "内部": "2024-06-01T00:00:00Z", "秘密": "2025-01-01T00:00:00Z"}
SINCE = ["", "last-ingest", "2023", "2024-03-01", "2024-09-01T08:00:00+08:00"]


def build_in_steps(engine, corpus, levels=LEVELS):
    """The corpus of `levels`, each level's files ingested at its own TIMES, lowest level first."""
    import archive.index.pipeline as pipeline
    for i, level in enumerate(levels):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(pipeline, "now_utc", lambda level=level: TIMES[level])
            summary = ingest([build_corpus(corpus, levels[:i + 1])], engine, config=CONFIG)
        assert summary.added == 2 and not summary.failed
    return engine


@pytest.fixture(scope="module")
def indexes(request, engine_kind, tmp_path_factory):
    """The whole corpus, and for each level an archive of the files it may read alone (on each engine)."""
    full = build_in_steps(fresh_engine(request, engine_kind), tmp_path_factory.mktemp("corpus"))
    only = {LEVELS[-1]: full}  # (the highest level reads every file)
    for i, level in enumerate(LEVELS[:-1]):
        only[level] = build_in_steps(fresh_engine(request, engine_kind), tmp_path_factory.mktemp(f"corpus-{i}"),
                                     LEVELS[:i + 1])
    return full, only


def viewer(level: str) -> Viewer:
    return Viewer(f"reader-{level}", CONFIG.readable(level))


# -- configuration and ingest ---------------------------------------------------------------

def test_a_files_level_is_its_front_matter_else_the_longest_folder_rule_else_the_default():
    config = parse_config({"access": {"levels": ["公开", "内部", "秘密"], "default": "内部",
                                      "folders": {"a": "公开", "a/b/": "秘密"}}})
    assert config.level_of("x.md", {}) == "内部"
    assert config.level_of("a/x.md", {}) == "公开"
    assert config.level_of("a/b/x.md", {}) == "秘密"
    assert config.level_of("ab/x.md", {}) == "内部"  # a prefix of folders, not of characters
    assert config.level_of("a/b/x.md", {"access": "公开"}) == "公开"
    assert config.readable("内部") == ("公开", "内部")
    with pytest.raises(UnknownLevel, match="绝密"):
        config.level_of("x.md", {"access": "绝密"})


@pytest.mark.parametrize("bad, reason", [
    ({"access": {"levels": []}}, "levels"),
    ({"access": {"levels": ["甲", "甲"]}}, "levels"),
    ({"access": {"default": "绝密"}}, "绝密"),
    ({"access": {"folders": {"x": "绝密"}}}, "绝密"),
    ({"access": {"folders": ["x"]}}, "folders"),
])
def test_a_configuration_that_cannot_be_used_says_why(bad, reason):
    with pytest.raises(ConfigError, match=reason):
        parse_config(bad)


def test_the_configuration_file_is_read_from_archive_config(tmp_path, monkeypatch):
    path = write(tmp_path / "a.toml", '[access]\nlevels = ["普通", "机要"]\n[access.folders]\n"机要室" = "机要"\n')
    monkeypatch.setenv("ARCHIVE_CONFIG", str(path))
    config = load_config()
    assert config.levels == ("普通", "机要") and config.level_of("机要室/x.md", {}) == "机要"
    monkeypatch.setenv("ARCHIVE_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(ConfigError, match="missing.toml"):
        load_config()
    write(tmp_path / "broken.toml", "[access\n")
    with pytest.raises(ConfigError, match="broken.toml"):
        load_config(tmp_path / "broken.toml")


def test_an_unknown_level_fails_its_file_and_the_others_are_ingested(tmp_path):
    write(tmp_path / "c" / "bad.md", "---\naccess: 绝密\n---\n# 会议\n\n内容。\n")
    write(tmp_path / "c" / "good.md", "# 会议\n\n内容。\n")
    summary = ingest([tmp_path / "c"], open_engine(tmp_path / "i"), config=CONFIG)
    assert summary.added == 1
    assert [(s, "绝密" in r) for s, r in summary.failed] == [("bad.md", True)]


def test_changing_a_level_re_tags_the_file(tmp_path):
    corpus, engine = tmp_path / "c", open_engine(tmp_path / "i")
    write(corpus / "a.md", minutes("内部", 1))  # inner-b.md's text: front matter 内部
    write(corpus / "sub" / "b.md", minutes("公开", 0))
    ingest([corpus], engine, config=CONFIG)
    public = SearchService(engine, viewer("公开"))
    assert public.search(SearchRequest(q="丹霞赤壁"))["total"] == 0
    assert public.search(SearchRequest(q="青松翠柏"))["total"] == 4  # (its title too)

    write(corpus / "a.md", minutes("内部", 1).replace("access: 内部", "access: 公开"))  # front matter: a new hash
    assert ingest([corpus], engine, config=CONFIG).updated == 1
    assert public.search(SearchRequest(q="丹霞赤壁"))["total"] == 4

    stricter = parse_config({"access": {"folders": {"sub": "秘密"}}})  # a new folder rule: every file re-tagged
    summary = ingest([corpus], engine, config=stricter)
    assert summary.updated == 2 and summary.unchanged == 0
    assert public.search(SearchRequest(q="青松翠柏"))["total"] == 0
    assert ingest([corpus], engine, config=stricter).unchanged == 2  # and then left alone


# -- what each viewer sees -------------------------------------------------------------------

def test_a_restricted_meeting_is_none_to_those_below_it(indexes):
    full, _ = indexes
    everyone = SearchService(full)
    secret = everyone.search(SearchRequest(q="玄武晶石"))["hits"][0]["meeting_id"]
    assert everyone.meeting(secret)["access"] == "秘密"
    assert SearchService(full, viewer("内部")).meeting(secret) is None
    assert SearchService(full, viewer("秘密")).meeting(secret)["id"] == secret
    assert SearchService(full, Viewer("nobody", ())).search(SearchRequest())["total"] == 0


def test_a_suggestion_never_comes_from_restricted_words(indexes):
    full, _ = indexes
    typo = "丹霞赤璧"  # one character off an internal marker
    assert SearchService(full, viewer("内部")).search(SearchRequest(q=typo))["suggestion"]["q"] == "丹霞赤壁"
    assert SearchService(full, viewer("公开")).search(SearchRequest(q=typo))["suggestion"] is None
    assert SearchService(full, viewer("公开")).suggest(typo) is None


def _all_meetings(engine) -> list[str]:
    hits = SearchService(engine).search(SearchRequest(per_page=100))["hits"]
    return sorted({h["meeting_id"] for h in hits})


WORDS = ["环境整治", "会议", "工作", "实施方案", "资金", "李四方", "汇报"] + \
        [MARKS[level][k] for level in LEVELS for k in ("word", "county", "host", "topic")] + \
        ["丹霞赤璧", "玄武晶右", "青松翠伯", "-", "OR", '"']
REGIONS = ["", "江西", "彭泽县", "甘肃省", "麦积区", "云南省", "勐海县"]
TOPICS = ["", "森林防火", "垃圾处理", "大气污染防治"]
PEOPLE = ["", "张明华", "王建设", "赵守密", "李四方"]
REQUESTS = st.fixed_dictionaries({
    "q": st.lists(st.sampled_from(WORDS), max_size=3).map(" ".join),
    "region": st.sampled_from(REGIONS), "topic": st.sampled_from(TOPICS), "person": st.sampled_from(PEOPLE),
    "role": st.sampled_from(["", "decision", "action"]), "month": st.sampled_from([None, 3, 4, 6]),
    "date_from": st.sampled_from(["", "2024-04", "2024"]), "sort": st.sampled_from(["relevance", "newest", "oldest"]),
    "page": st.integers(1, 3), "per_page": st.sampled_from([1, 2, 20]), "since": st.sampled_from(SINCE),
})


@pytest.mark.parametrize("level", LEVELS)
def test_no_answer_holds_anything_above_the_viewers_level(indexes, level):
    full, only = indexes
    service, alone = SearchService(full, viewer(level)), SearchService(only[level])
    meetings = _all_meetings(full)
    # Above the level: its markers and the ids of its meetings.
    forbidden = above(level) + [m for m in meetings if SearchService(full).meeting(m)["access"] not in viewer(level).levels]

    def clean(answer, asked: str) -> None:
        """No marker above the level, but those the viewer typed (a query is echoed, a typo corrected)."""
        text = json.dumps(answer, ensure_ascii=False)
        assert not [m for m in forbidden if m in text and m not in asked], text[:300]

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
    @given(REQUESTS, st.sampled_from(meetings), st.integers(0, 12))
    def check(params, meeting_id, paragraph):
        req = SearchRequest(**params)
        asked = json.dumps(params, ensure_ascii=False)
        try:
            expected = alone.search(req)
        except QueryError:  # (a query of operators alone is refused the same way to everyone)
            with pytest.raises(QueryError):
                service.search(req)
            return
        result = service.search(req)
        clean(result, asked)
        # Totals, facets and the drop-a-filter counts are those of an index of the permitted files alone.
        assert result["total"] == expected["total"]
        assert result["facets"] == expected["facets"]
        assert result["drops"] == expected["drops"]
        if req.sort != "relevance":  # (relevance scores use the whole index's statistics)
            assert [h["id"] for h in result["hits"]] == [h["id"] for h in expected["hits"]]
        clean(list(service.export(req, 50)), asked)
        clean(service.neighbours(req, meeting_id, paragraph), asked)
        clean(service.neighbours(req, meeting_id, None), asked)
        clean(service.meeting(meeting_id), asked)
        clean(service.suggest(req.q), asked)
        feed = service.newest_meetings(req, 20)  # (the feeds: their entries and times)
        clean(feed, asked)
        assert [(f["meeting"]["id"], f["meeting"]["ingested"]) for f in feed] == \
            [(f["meeting"]["id"], f["meeting"]["ingested"]) for f in alone.newest_meetings(req, 20)]
        clean(service.original(meeting_id), asked)
        assert (service.original(meeting_id) is None) == (service.meeting(meeting_id) is None)

    check()
    assert service.last_ingested() == alone.last_ingested() == TIMES[level]  # (a feed's `updated`)
    # And what the level may read is there: its own markers are found.
    for own in markers(level)[:3]:
        assert service.search(SearchRequest(q=own))["total"] > 0


def test_public_feeds_and_since_equal_an_archive_without_the_restricted_files(indexes, tmp_path):
    """Over HTTP, served with --public (the lowest level without a login): the feeds (entries and `updated`),
    since=last-ingest and the drop-a-filter counts of the whole archive are those of one that never held the
    files above the lowest level, to the byte."""
    import dataclasses
    from urllib.parse import urlencode

    from web import create_app
    full, only = indexes

    def client(engine, name):
        config = dataclasses.replace(CONFIG, audit_log=str(tmp_path / name / "audit.jsonl"))
        return create_app(engine, mode="public", config=config, store=Archive(engine).store).test_client()

    whole, alone = client(full, "full"), client(only[LEVELS[0]], "alone")
    for query in ("", "q=环境整治", "q=玄武晶石", "q=青松翠柏&region=云南省"):
        for since in SINCE:
            url = f"?{query}&sort=newest&{urlencode({'since': since})}"  # (scores: whole-index statistics)
            for path in ("/feed.atom", "/export.csv"):
                a, b = whole.get(path + url), alone.get(path + url)
                assert a.status_code == b.status_code == 200 and a.data == b.data, (path, url)
            a, b = whole.get("/api/search" + url).get_json(), alone.get("/api/search" + url).get_json()
            assert {**a, "took_ms": 0} == {**b, "took_ms": 0}, url
