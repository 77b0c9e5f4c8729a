"""The timeline of a search (`timeline` in /api/search, the SVG chart above the hits, `archive search
--timeline`), on every engine: its counts are the date facet's, for the same query, filters and levels."""

import re
from html import unescape
from pathlib import Path

import pytest

from archive.access.levels import Viewer
from archive.cli import main
from archive.search.request import SearchRequest
from archive.search.timeline import histogram, timeline
from web.state import State
from web.timeline import chart

from .conftest import cli_args, engine_over
from .test_ledger import SECRET, build

QUERIES = [{}, {"q": "环境"}, {"q": "森林 OR 防火"}, {"q": "会议", "region": "甘肃"}, {"q": "整治", "from": "2023-04"},
           {"kind": "decision"}, {"q": "没有这个词语吧"}]


def test_bars_are_months_and_the_rest_of_each_year():
    facet = [{"value": "2021", "count": 5}, {"value": "2021-03", "count": 2}, {"value": "2021-11", "count": 1},
             {"value": "2022", "count": 4}, {"value": "2022-01", "count": 4}, {"value": "2020", "count": 1},
             {"value": "--03", "count": 7}]
    assert [(b["period"], b["count"]) for b in timeline(facet)] == [
        ("2020", 1), ("2021", 2), ("2021-03", 2), ("2021-11", 1), ("2022-01", 4)]
    assert sum(b["count"] for b in timeline(facet)) == 5 + 4 + 1
    assert histogram([]).startswith("时间分布：没有")
    assert "2021年03月" in histogram(timeline(facet)) and "2021年（全年）" in histogram(timeline(facet))


def test_timeline_counts_equal_the_date_facet(backend):
    for params in QUERIES:
        result = backend.search(SearchRequest.from_params(params))
        facet = {v["value"]: v["count"] for v in result["facets"]["date"]}
        bars = result["timeline"]
        years = {v: n for v, n in facet.items() if len(v) == 4 and v.isdigit()}
        assert sum(b["count"] for b in bars) == sum(years.values()), params
        for bar in bars:
            assert bar["count"] > 0
            if bar["month"]:
                assert facet[bar["period"]] == bar["count"]
        for year, n in years.items():
            assert sum(b["count"] for b in bars if b["year"] == int(year)) == n


@pytest.fixture(scope="module")
def restricted(request, engine_kind, tmp_path_factory):
    full = engine_over(request, engine_kind, build(tmp_path_factory.mktemp("tl")))
    public = engine_over(request, engine_kind, build(tmp_path_factory.mktemp("tl-public"), secret=False))
    return full, public


def test_a_low_level_readers_timeline_is_that_of_an_archive_without_the_restricted_minutes(restricted):
    from archive.search.service import SearchService
    full, public = restricted
    assert "2024年5月6日" in SECRET
    low = SearchService(full).for_viewer(Viewer("alice", ("公开",)))
    for params in ({}, {"q": "会议"}, {"q": "玄武晶石"}, {"kind": "action"}, {"q": "方案", "from": "2024-05"}):
        req = SearchRequest.from_params(params)
        assert low.search(req)["timeline"] == SearchService(public).search(req)["timeline"], params
    may = SearchService(full).search(SearchRequest.from_params({"q": "玄武晶石"}))["timeline"]
    assert [(b["period"], b["count"]) for b in may] == [("2024-05", 2)]


def test_the_chart_draws_each_bar_as_a_link_that_narrows_to_its_period(app):
    client = app.test_client()
    page = client.get("/?q=环境").get_data(as_text=True)
    svg = re.search(r"<figure class=\"timeline\">.*?</figure>", page, re.S)[0]
    assert 'role="group"' in svg and "<title>时间分布" in svg
    bars = client.get("/api/search?q=环境").get_json()["timeline"]
    links = re.findall(r'<a href="([^"]+)" aria-label="([^"]+)"', svg)
    assert len(links) == len(bars)
    for (href, label), bar in zip(links, bars):
        assert label.endswith(f"：{bar['count']} 条")
        narrowed = client.get("/api/search" + unescape(href)[1:]).get_json()
        assert narrowed["total"] == bar["count"], href
    current = client.get(unescape(links[0][0])).get_data(as_text=True)
    assert 'aria-current="true" class="current"' in current


def test_the_chart_escapes_what_it_writes(app):
    with app.test_request_context("/"):
        state = State.from_args({"q": '"><script>alert(1)</script>', "topic": "<b>"})
        svg = str(chart(state, [{"period": "2024-03", "year": 2024, "month": 3, "count": 2},
                                {"period": "2024", "year": 2024, "month": None, "count": 1}]))
    assert "<script>" not in svg and "<b>" not in svg and "&amp;" in svg
    assert svg.count("<a ") == 2 and "2024年（仅知年份）：1 条" in svg
    page = app.test_client().get('/?q="><script>alert(1)</script>环境').get_data(as_text=True)
    assert "<script>alert" not in page


def test_a_long_span_is_drawn_by_year_and_gaps_stay_empty(app):
    bars = [{"period": f"{y}-01", "year": y, "month": 1, "count": y - 1990} for y in (2000, 2010)]
    with app.test_request_context("/"):
        svg = str(chart(State({}), bars))
    assert svg.count("<a ") == 2 and svg.count('class="hitbox"') == 2 and "2000年（仅知年份）" in svg
    assert 'width="54.5"' in svg  # (11 years from 2000 to 2010: 600 / 11 each)


def test_archive_search_timeline(sample_index, backend, capsys):
    assert main(["search", "环境", "--timeline", *cli_args(sample_index)]) == 0
    out = capsys.readouterr().out
    bars = backend.search(SearchRequest.from_params({"q": "环境"}))["timeline"]
    lines = out[out.index("时间分布"):].splitlines()[1:]
    assert len(lines) == len(bars) and [int(line.rsplit(" ", 1)[1]) for line in lines] == [b["count"] for b in bars]


REPORTS = Path("/work/shared/corpora/cn-national-work-reports")


@pytest.fixture(scope="module")
def reports(request, engine_kind):
    if not REPORTS.is_dir():
        pytest.skip("shared corpus of the national work reports not mounted")
    return engine_over(request, engine_kind, REPORTS)


@pytest.mark.slow
def test_the_work_reports_timeline_counts_equal_the_date_facet_and_the_narrowed_searches(reports):
    """Each month's bar is the paragraphs a search narrowed to that month finds; each year's bars add up to
    the year's facet count and to a search narrowed to the year."""
    from archive.search.service import SearchService
    service, drawn = SearchService(reports), 0
    for params in ({}, {"q": "经济"}, {"q": "改革 开放"}, {"q": "就业", "from": "2010", "to": "2020"},
                   {"kind": "decision"}, {"q": "脱贫 OR 扶贫", "sort": "newest"}):
        result = service.search(SearchRequest.from_params(params))
        facet = {v["value"]: v["count"] for v in result["facets"]["date"]}
        bars = result["timeline"]
        drawn += len(bars)
        years = {int(v): n for v, n in facet.items() if len(v) == 4 and v.isdigit()}
        assert sum(b["count"] for b in bars) == sum(years.values()), params
        for year, n in years.items():
            assert sum(b["count"] for b in bars if b["year"] == year) == n
            narrowed = {**params, "from": str(year), "to": str(year)}
            assert service.search(SearchRequest.from_params(narrowed))["total"] == n, narrowed
        for bar in (b for b in bars if b["month"]):
            assert facet[bar["period"]] == bar["count"]
            narrowed = {**params, "from": bar["period"], "to": bar["period"]}
            assert service.search(SearchRequest.from_params(narrowed))["total"] == bar["count"], narrowed
    assert drawn >= 10  # (few of the reports' paragraphs have a known year: see bench/RESULTS.md)
