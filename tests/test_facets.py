"""Regions, dates and topics on a real index: extracted, filterable, counted."""

import pytest

from archive import facets
from archive.index.pipeline import ingest
from archive.search.service import SearchService
from archive.search.request import SearchRequest

from .conftest import write

NUMS = "一二三四五六七八"


def meeting_hits(backend, **kw):
    res = backend.search(SearchRequest(per_page=100, **kw))
    assert res["total"] <= 100
    return res


def by_meeting(backend):
    """meeting title -> list of hits (all paragraphs of the sample)."""
    out = {}
    for page in (1, 2):
        for hit in backend.search(SearchRequest(per_page=100, page=page, sort="oldest"))["hits"]:
            out.setdefault(hit["meeting_title"], []).append(hit)
    return out


def test_meeting_regions_dates_and_topics(backend):
    meetings = by_meeting(backend)
    expect = {
        "一": ("甘肃省/天水市/麦积区", (2023, 12, 6), "环保督察"),
        "二": (None, (2023, 4, 16), "农村环境整治"),
        "四": (None, None, "森林防火"),
        "五": (None, None, "诉讼纠纷"),
        "六": ("四川省/阿坝藏族羌族自治州", None, "城乡环境治理"),
        "七": ("四川省/巴中市", (2023, 2, 26), "营商环境"),
        "八": ("福建省", None, "水环境治理"),
    }
    for n, (region, date, topic) in expect.items():
        hits = meetings[f"环境整治工作会议记录篇{n}"]
        opening = hits[0]
        if region:
            # the meeting's place is inherited by paragraphs that name none (in 篇六, of its first speech)
            first = [h for h in hits if n != "六" or h["line_start"] < 214]
            assert sum(region in h["regions"] for h in first) > len(first) / 2, n
        if date:
            assert any((h["date"] or {}).get("month") == date[1] and h["date"]["day"] == date[2]
                       and h["date"]["year"] == date[0] and h["date"]["year_inferred"] for h in hits), n
        assert all(topic in h["topics"] for h in hits), n
        assert opening["meeting_title"].endswith(n)


def test_paragraph_regions_inherit_and_traps(backend):
    hits = [h for hs in by_meeting(backend).values() for h in hs]
    zhang = [h for h in hits if h["text"].startswith("张强调")]
    assert zhang and zhang[0]["regions"] == ["甘肃省/天水市/麦积区"]
    pengze = next(h for h in hits if h["text"].startswith("12月5日下午，彭泽县"))
    assert pengze["regions"] == ["江西省/九江市/彭泽县"] and pengze["date"]["day"] == 5
    every = {r for h in hits for r in h["regions"]}
    assert not any("全州" in r or "长治" in r or r.endswith("/成县") or r.endswith("/康县") for r in every)
    suit = next(h for h in hits if h["text"] == "x年11月8日")
    assert suit["date"] is None or suit["date"]["year"] is None


@pytest.mark.parametrize("region", ["甘肃", "甘肃省", "天水市", "麦积区", "甘肃省/天水市/麦积区"])
def test_region_filter_matches_subtree(backend, region):
    res = backend.search(SearchRequest(q="督察", region=region, per_page=100))
    assert res["total"] > 0
    assert all(any(r.startswith("甘肃省") for r in h["regions"]) for h in res["hits"])


def test_facet_counts_equal_filtered_totals(backend):
    base = backend.search(SearchRequest(q="环境"))
    for facet, param in (("region", "region"), ("topic", "topic")):
        for value in base["facets"][facet][:6]:
            filtered = backend.search(SearchRequest(q="环境", **{param: value["value"]}))
            assert filtered["total"] == value["count"], (facet, value)
    for value in base["facets"]["date"]:
        v = value["value"]
        kw = {"month": int(v[2:])} if v.startswith("--") else {"date_from": v, "date_to": v}
        assert backend.search(SearchRequest(q="环境", **kw))["total"] == value["count"], v


def test_drill_down_counts_ignore_their_own_filter(backend):
    narrowed = backend.search(SearchRequest(q="环境", topic="森林防火"))
    regions_all = backend.search(SearchRequest(q="环境", region="四川"))
    topics = {t["value"] for t in regions_all["facets"]["topic"]}
    assert len({r["value"] for r in narrowed["facets"]["topic"]}) > 1  # other topics still offered
    assert topics and all(t["count"] <= regions_all["total"] for t in regions_all["facets"]["topic"])


def test_topic_and_date_filters(backend):
    res = backend.search(SearchRequest(q="环境", region="四川"))
    assert res["total"] > 0
    dec = backend.search(SearchRequest(q="", date_from="2023-12"))
    assert dec["total"] > 0 and all((h["date"]["year"], h["date"]["month"]) >= (2023, 12) for h in dec["hits"])
    assert backend.search(SearchRequest(q="", topic="森林防火", date_from="2023-12"))["total"] == 0
    december = backend.search(SearchRequest(q="", month=12, per_page=100))
    assert december["total"] > 0 and all(h["date"]["month"] == 12 for h in december["hits"])
    assert {d["value"] for d in december["facets"]["date"] if d["value"].startswith("--")} >= {"--12"}


def test_front_matter_overrides(tmp_path, new_engine):
    write(tmp_path / "c" / "a.md", "---\ntitle: 县长办公会\ndate: 2024-03-05\nregion: 邵武\ntopics: [垃圾处理]\n---\n"
          "# 会议\n\n麦积区召开森林防火会议。\n")
    engine = new_engine()
    ingest([tmp_path / "c"], engine)
    hit = SearchService(engine).search(SearchRequest(q="森林防火"))["hits"][0]
    assert hit["meeting_title"] == "县长办公会"
    assert hit["regions"] == ["福建省/南平市/邵武市"] and hit["topics"] == ["垃圾处理"]
    assert (hit["date"]["year"], hit["date"]["month"], hit["date"]["day"]) == (2024, 3, 5)


def test_taxonomy_edit_changes_fingerprint(tmp_path, monkeypatch):
    import shutil

    from archive.extract import annotate
    copy = tmp_path / "extract"
    shutil.copytree(annotate.HERE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(annotate, "HERE", copy)
    annotate.fingerprint.cache_clear()
    before = annotate.fingerprint()
    with open(copy / "topics.toml", "a", encoding="utf-8") as f:
        f.write("\n# 新增一行注释\n")
    annotate.fingerprint.cache_clear()
    assert annotate.fingerprint() != before
    annotate.fingerprint.cache_clear()


def test_changed_fingerprint_retags_unchanged_files(tmp_path, new_engine, monkeypatch):
    from archive.index import pipeline
    write(tmp_path / "c" / "a.md", "# 会议\n\n研究了无人机巡检工作。\n")
    engine = new_engine()
    ingest([tmp_path / "c"], engine)
    assert ingest([tmp_path / "c"], engine).unchanged == 1
    monkeypatch.setattr(pipeline, "fingerprint", lambda: "taxonomy-edited")
    s = ingest([tmp_path / "c"], engine)
    assert (s.updated, s.unchanged) == (1, 0)


def test_filter_matching_nothing_lists_no_hits(backend):
    for sort in ("relevance", "newest"):
        res = backend.search(SearchRequest(q="环境", region="北京", sort=sort))
        assert res["total"] == 0 and res["hits"] == [], sort


def test_a_second_speech_elsewhere_is_filed_where_it_was_given(backend):
    """篇六 holds two speeches with no heading between them: 阿坝州's, then a county of 湘潭's."""
    xiangtan = backend.search(SearchRequest(q="", region="湘潭市", per_page=100))
    aba = backend.search(SearchRequest(q="", region="阿坝州", per_page=100))
    assert xiangtan["total"] >= 20 and all(h["meeting_title"].endswith("篇六") for h in xiangtan["hits"])
    assert not {h["id"] for h in xiangtan["hits"]} & {h["id"] for h in aba["hits"]}
    lines = lambda hits: sorted(h["line_start"] for h in hits)  # noqa: E731
    assert max(lines(aba["hits"])) < min(lines(xiangtan["hits"]))  # the first speech stays under 阿坝州


def _annotated(text: str):
    from archive.extract.annotate import annotate
    from archive.ingest import parse_text
    return annotate(parse_text(text, "t.md")).meetings


def test_speeches_split_only_where_another_place_speaks():
    two = ("# 全市环境整治推进会\n\n同志们：\n\n今天召开全市会议，邵武市、建阳区、光泽县要抓好整治。邵武市要带头。\n\n"
           "各位领导、同志们：\n\n下面我讲三点。我县与湘乡、韶山相比差距明显，雨湖区经验值得学习。\n\n要抓好落实。\n")
    (meeting,) = [m for m in _annotated(two) if m.paragraphs]
    places = [p.regions[0].key() if p.regions else "" for p in meeting.paragraphs]
    assert places[0].startswith("福建省/南平市") and places[-1].startswith("湖南省/湘潭市"), places
    report = ("# 政府工作报告\n\n各位代表：\n\n过去一年，广东、浙江、江苏经济平稳增长。\n\n各位代表！\n\n"
              "今后要推进西部大开发，四川、云南、贵州加快发展。\n\n各位代表！\n\n让我们团结奋斗。\n")
    (meeting,) = [m for m in _annotated(report) if m.paragraphs]
    assert [p.regions for p in meeting.paragraphs][-1] == meeting.regions  # one speech: nothing moves


# -- adding a facet: one entry in archive/facets.py's table --------------------------------------

ONLINE = facets.Facet("online", lambda s: ["线上" if s.meeting.fields is not None and s.meeting.fields.online else "线下"],
                      param="online", label="形式", help="线上 或 线下", listed=facets.ALL)


@pytest.fixture
def online_facet():
    facets.register(ONLINE)
    yield ONLINE
    facets.unregister("online")


def test_a_registered_facet_is_stored_filtered_counted_and_dropped(tmp_path, new_engine, online_facet):
    write(tmp_path / "c" / "a.md", "# 县长办公会纪要\n\n会议时间：2024年3月5日\n会议地点：腾讯会议\n\n"
          "会议研究了森林防火工作。\n\n会议要求加强巡查。\n")
    write(tmp_path / "c" / "b.md", "# 乡镇工作会纪要\n\n会议时间：2024年4月8日\n会议地点：县政府三楼会议室\n\n"
          "会议研究了森林防火工作。\n")
    engine = new_engine()
    ingest([tmp_path / "c"], engine)
    service = SearchService(engine)
    everything = service.search(SearchRequest(q="森林防火", per_page=100))
    counts = {v["value"]: v["count"] for v in everything["facets"]["online"]}
    assert set(counts) == {"线上", "线下"} and everything["facets_truncated"]["online"] is False
    online = service.search(SearchRequest.from_params({"q": "森林防火", "online": "线上"}))
    assert online["total"] == counts["线上"] == 1 and online["hits"][0]["source"] == "a.md"
    # counted without its own filter (drill-down), like every facet
    assert {v["value"] for v in online["facets"]["online"]} == {"线上", "线下"}
    # the drop-a-filter help names its URL parameter
    none = service.search(SearchRequest(q="巡查", online="线下"))
    assert none["total"] == 0 and {"params": ["online"], "total": 1} in none["drops"]


def test_a_registered_facet_has_a_flag_a_chip_and_a_url_parameter(tmp_path, new_engine, online_facet):
    from archive.cli import build_parser
    from web import create_app
    write(tmp_path / "c" / "a.md", "# 县长办公会纪要\n\n会议地点：腾讯会议\n\n会议研究了森林防火工作。\n")
    engine = new_engine()
    ingest([tmp_path / "c"], engine)
    assert build_parser().parse_args(["search", "--online", "线上", "x"]).facet_online == "线上"
    html = create_app(engine).test_client().get("/?online=线上&q=森林防火").get_data(as_text=True)
    assert "形式：线上" in html and "online=%E7%BA%BF%E4%B8%8A" in html  # a chip; links carry it
