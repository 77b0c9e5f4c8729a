"""The search page, meeting page and CSV export through Flask's test client, on a real index:
HTML, escaping, URL state, facets, paging, no-results help, 400/404, read-only."""

import csv
import io
import json
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from archive.search.query import parse, positives

from archive.index.pipeline import ingest
from archive.search.service import SearchService
from archive.search.request import SearchRequest
from web import create_app, minutes, results

from .conftest import COUNTY_MINUTES, SAMPLE, engine_over, stored_paragraphs, write


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def be(app) -> SearchService:
    return app.config["SERVICE"]


class Page(HTMLParser):
    """The links (href, text, attributes) and the text of an HTML page."""

    def __init__(self, html: str):
        super().__init__()
        self.links, self.text, self._open = [], [], []
        self.tags = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "a":
            self._open.append([attrs.get("href"), "", attrs])

    def handle_endtag(self, tag):
        if tag == "a" and self._open:
            href, text, attrs = self._open.pop()
            self.links.append((href, text.strip(), attrs))

    def handle_data(self, data):
        self.text.append(data)
        for link in self._open:
            link[1] += data

    def all_text(self) -> str:
        return "".join(self.text)

    def link(self, text: str):
        found = [(h, t, a) for h, t, a in self.links if t == text]
        assert found, f"no link {text!r} in {[t for _, t, _ in self.links]}"
        return found[0][0]


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code, response.data[:500])
    return response


def page(client, url, status=200) -> tuple[str, Page]:
    html = get(client, url, status).get_data(as_text=True)
    return html, Page(html)


def params(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def total_of(html: str) -> int:
    return int(re.search(r"共 <strong>(\d+)</strong>", html)[1])


# -- the results page -------------------------------------------------------------

def test_home_browses_everything_with_landmarks(client, be):
    html, doc = page(client, "/")
    assert '<html lang="zh-CN">' in html
    assert 'role="search"' in html and '<label for="q"' in html
    assert "<main" in html and '<aside class="filters" aria-label="筛选">' in html
    assert 'class="skip" href="#main"' in html
    assert total_of(html) == be.search(SearchRequest())["total"]
    # Without words there is nothing to rank by relevance: newest and oldest only.
    assert [t for h, t, a in doc.links if "sort=" in (h or "") or t in ("最新", "相关度")] == ["最新", "最早"]


def test_query_is_kept_and_hits_are_highlighted(client, be):
    html, doc = page(client, "/?q=环境")
    assert 'value="环境"' in html
    expected = be.search(SearchRequest(q="环境"))
    assert total_of(html) == expected["total"]
    assert "<mark>环境</mark>" in html
    first = expected["hits"][0]
    assert f'{first["source"]}:{first["line_start"]}' in html
    assert first["meeting_title"] in html
    assert "年份推断" in html  # the sample's dates take their year from the document title
    assert "毫秒" in html


def test_every_link_is_a_plain_local_url(client):
    html, doc = page(client, "/?q=环境")
    for href, _, _ in doc.links:
        assert href and not href.startswith(("javascript:", "http:", "https:", "//")), href
    for tag, attrs in doc.tags:
        for name in ("src", "href"):
            value = attrs.get(name) or ""
            assert not value.startswith(("http:", "https:", "//")), (tag, value)
        assert "style" not in attrs, (tag, attrs)  # the CSP forbids inline styles
        if tag == "script":
            assert attrs.get("src"), "no inline scripts"
    for asset in ("style.css", "app.js", "favicon.svg"):
        get(client, f"/static/{asset}")


def test_region_drills_down_and_back_up(client, be):
    facets = be.search(SearchRequest(q="环境"))["facets"]["region"]
    province = next(v for v in facets if "/" not in v["value"] and any(
        w["value"].startswith(v["value"] + "/") for w in facets))["value"]
    html, doc = page(client, "/?q=环境")
    url = doc.link(province)
    assert params(url) == {"q": "环境", "region": province}

    html, doc = page(client, url)
    assert total_of(html) == be.search(SearchRequest(q="环境", region=province))["total"]
    city_values = [v for v in be.search(SearchRequest(q="环境", region=province))["facets"]["region"]
                   if v["value"].startswith(province + "/") and v["value"].count("/") == 1]
    city = city_values[0]["value"]
    city_url = doc.link(city.split("/")[1])
    assert params(city_url)["region"] == city
    assert params(doc.link("全部地区")) == {"q": "环境"}

    html, doc = page(client, city_url)
    assert total_of(html) == be.search(SearchRequest(q="环境", region=city))["total"]
    assert params(doc.link(province))["region"] == province  # back up one level
    assert f'aria-current="true">{city.split("/")[1]}</a>' in html


def test_topic_narrows_and_counts_follow_other_filters(client, be):
    base = be.search(SearchRequest(q="环境"))
    topic = base["facets"]["topic"][0]["value"]
    html, doc = page(client, "/?q=环境")
    if len(base["facets"]["topic"]) > 10:  # the rest are folded, still plain links
        assert f'<summary>其余 {len(base["facets"]["topic"]) - 10} 项</summary>' in html
    url = doc.link(topic)
    assert params(url) == {"q": "环境", "topic": topic}
    html, doc = page(client, url)
    assert params(doc.link(topic)) == {"q": "环境"}  # the chosen topic's link takes it away again
    narrowed = be.search(SearchRequest(q="环境", topic=topic))
    assert total_of(html) == narrowed["total"] < base["total"]
    # The region counts shown are those within the topic.
    for v in narrowed["facets"]["region"]:
        if "/" not in v["value"]:
            assert re.search(rf'>{re.escape(v["value"])}</a><span class="count">{v["count"]}</span>', html)


def test_chips_remove_one_filter_each(client):
    url = "/?q=环境&region=四川省&topic=农村环境整治&from=2023&to=2023&month=4&sort=newest"
    html, doc = page(client, url)
    chips = {t.rstrip("×").strip(): params(h) for h, t, a in doc.links if "chip" in (a.get("class") or "")}
    assert chips == {
        "地区：四川省": {"q": "环境", "topic": "农村环境整治", "from": "2023", "to": "2023", "month": "4", "sort": "newest"},
        "主题：农村环境整治": {"q": "环境", "region": "四川省", "from": "2023", "to": "2023", "month": "4", "sort": "newest"},
        "日期：2023年": {"q": "环境", "region": "四川省", "topic": "农村环境整治", "month": "4", "sort": "newest"},
        "月份：每年4月": {"q": "环境", "region": "四川省", "topic": "农村环境整治", "from": "2023", "to": "2023",
                     "sort": "newest"},
    }
    assert params(doc.link("全部清除")) == {"q": "环境", "sort": "newest"}
    # A new query keeps the filters (hidden fields of the search form).
    assert '<input type="hidden" name="region" value="四川省">' in html


def test_date_histogram_years_months_and_any_year(client, be):
    html, doc = page(client, "/?q=环境")
    dates = {v["value"]: v["count"] for v in be.search(SearchRequest(q="环境"))["facets"]["date"]}
    year = next(v for v in dates if len(v) == 4 and v.isdigit())
    year_link = next(h for h, t, a in doc.links if t.startswith(f"{year}年"))
    assert params(year_link) == {"q": "环境", "from": year, "to": year}
    assert re.search(r'class="bar bar-(1?\d|20)"', html)
    html, doc = page(client, year_link)
    assert f"{year}年各月" in html
    month_key = next(v for v in dates if v.startswith(year + "-"))
    month_link = next(h for h, t, a in doc.links if a.get("aria-label", "").startswith(
        f"{year}年{int(month_key[5:])}月："))
    assert params(month_link)["from"] == params(month_link)["to"] == month_key
    any_month = next(v for v in dates if v.startswith("--"))
    assert any(params(h).get("month") == str(int(any_month[2:])) for h, _, _ in doc.links)


def test_paging_sorting_and_rank_numbers(client, be):
    html, doc = page(client, "/?q=环境&per_page=5")
    assert '<ol class="hits" start="1">' in html
    nxt = next(h for h, t, a in doc.links if a.get("rel") == "next")
    assert params(nxt) == {"q": "环境", "per_page": "5", "page": "2"}
    html, doc = page(client, nxt)
    assert '<ol class="hits" start="6">' in html
    assert params(next(h for h, t, a in doc.links if a.get("rel") == "prev")) == {"q": "环境", "per_page": "5"}
    assert 'aria-current="page">2</a>' in html
    # Changing the sort starts again at page 1 and keeps everything else.
    assert params(doc.link("最新")) == {"q": "环境", "sort": "newest", "per_page": "5"}
    html, _ = page(client, "/?q=环境&sort=oldest")
    assert 'aria-current="true">最早</a>' in html
    expected = be.search(SearchRequest(q="环境", sort="oldest"))["hits"][0]
    hits = html[html.index('<ol class="hits"'):]
    assert hits.index(expected["meeting_title"]) < hits.index("</ol>")


def test_page_beyond_the_last_says_so(client):
    html, _ = page(client, "/?q=环境&page=999")
    assert "这一页没有结果了" in html


def test_relaxed_notice(client):
    html, _ = page(client, "/?q=试验田甲 试验田乙")
    assert "没有同时包含全部检索词的段落" in html
    assert total_of(html) == 2


# -- no results ----------------------------------------------------------------------

def test_no_results_offers_a_correction(client, be):
    html, doc = page(client, "/?q=环竟")
    assert "没有找到包含“环竟”的段落" in html
    assert params(doc.link("环境")) == {"q": "环境"}
    assert f'（{be.search(SearchRequest(q="环境"))["total"]} 条）' in html


def test_correction_of_the_first_character_and_none_for_nonsense(be):
    assert be.suggest("坏境") == "环境"
    assert be.suggest("环境 整冶") == "环境 整治"
    assert be.suggest("qqqzzz") is None
    assert be.suggest("环境") is None


def test_expansion_is_shown_and_can_be_turned_off(client, be):
    html, doc = page(client, "/?q=环保&sort=newest")
    assert "同时搜索了：环境保护（环保）" in html
    literal = doc.link("只搜原词")
    assert params(literal) == {"q": "环保", "sort": "newest", "expand": "0"}
    html, doc = page(client, literal)
    assert "只搜了原词" in html and total_of(html) == be.search(SearchRequest(q="环保", expand=False))["total"]
    assert total_of(html) < be.search(SearchRequest(q="环保"))["total"]
    assert params(doc.link("同时搜索同义词和简称")) == {"q": "环保", "sort": "newest"}


def test_no_results_lists_filters_to_drop(client, be):
    html, doc = page(client, "/?q=环境&topic=不存在的主题&sort=newest")
    assert "没有找到包含“环境”的段落" in html
    assert '<ol class="hits"' not in html
    drop = doc.link("去掉“主题：不存在的主题”")
    assert params(drop) == {"q": "环境", "sort": "newest"}
    assert f'：{be.search(SearchRequest(q="环境"))["total"]} 条' in html


# -- escaping -------------------------------------------------------------------------

def test_xss_paragraph_is_text_in_results(client):
    html, _ = page(client, "/?q=onerror")
    assert "<img" not in html
    assert "&#34;&gt;&lt;img src=x <mark>onerror</mark>=alert(1)&gt;" in html or \
           "&quot;&gt;&lt;img src=x <mark>onerror</mark>=alert(1)&gt;" in html
    html, _ = page(client, "/?q=当作文字")
    assert "<script>alert" not in html and "&lt;script&gt;alert(" in html
    assert "安全&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;测试会议纪要" in html


@pytest.mark.parametrize("q", ['"><script>alert(1)</script>', "<img src=x onerror=alert(1)>"])
def test_xss_query_is_text(client, q):
    for url in (f"/?q={q}", f"/?q={q}&topic=<b>x</b>"):
        html = get(client, url).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>x" not in html
        assert "&lt;script&gt;" in html or "&lt;img" in html


def test_xss_in_a_too_long_query_and_in_the_reason(client):
    q = "<script>alert(1)</script>" + "长" * 200
    html = get(client, f"/?q={q}", 400).get_data(as_text=True)
    assert "<script>alert(1)" not in html and "查询过长" in html
    html = get(client, "/?from=<script>", 400).get_data(as_text=True)
    assert "<script>" not in html.split("</head>")[1] and "&lt;script&gt;" in html


def test_meeting_page_escapes_everything(client, be):
    mid = be.search(SearchRequest(q="当作文字"))["hits"][0]["meeting_id"]
    html, doc = page(client, f"/meetings/{mid}")
    body = html.split("<body>")[1]
    assert "<script>alert" not in body and "<img" not in body
    assert "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in body or \
           "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;" in body
    assert 'href="javascript:' not in body  # markdown-it refuses the link: it stays text
    assert "[图片：示意图]" in body and "example.com" not in body


# -- meeting page ------------------------------------------------------------------------

def test_meeting_page_anchors_every_paragraph(client, be):
    hit = be.search(SearchRequest(q="环境"))["hits"][0]
    info = be.meeting(hit["meeting_id"])
    html, doc = page(client, f"/meetings/{hit['meeting_id']}")
    for n, _, _ in info["paragraphs"]:
        assert html.count(f'id="p-{n}"') == 1, n
    assert f"{info['source']}</span> 第 {info['line_start']}–{info['line_end']} 行" in html
    assert html.count(f"<h1 id=\"m-title\">{info['title']}</h1>") == 1
    for term in info["keyterms"]:  # (a key term may also be a topic, linked as a filter)
        assert {"q": term} in [params(h) for h, t, _ in doc.links if t == term]
    assert "返回检索结果" not in html  # not reached from a search


def test_meeting_page_marks_the_hit_and_links_neighbours(client, be):
    req = SearchRequest(q="环境")
    hits = be.search(req.with_(per_page=3))["hits"]
    html, doc = page(client, "/?q=环境")
    second = next(h for h, t, a in doc.links if (h or "").startswith(f"/meetings/{hits[1]['meeting_id']}?")
                  and "pos=2" in h)
    n = int(hits[1]["id"].rsplit("-p", 1)[1])
    assert second.endswith(f"#p-{n}") and params(second) == {"q": "环境", "hit": str(n), "pos": "2"}
    html, doc = page(client, second)
    assert re.search(rf'<p class="para hit" data-line="\d+" id="p-{n}" tabindex="-1">', html)
    assert "<mark>环境</mark>" in html
    assert "第 2 条命中，共" in html
    prev = next(h for h, t, a in doc.links if a.get("rel") == "prev")
    nxt = next(h for h, t, a in doc.links if a.get("rel") == "next")
    assert prev.startswith(f"/meetings/{hits[0]['meeting_id']}?") and params(prev)["pos"] == "1"
    assert nxt.startswith(f"/meetings/{hits[2]['meeting_id']}?") and params(nxt)["pos"] == "3"
    assert params(doc.link("‹ 返回检索结果")) == {"q": "环境"}


def test_meeting_page_finds_its_rank_without_one(client, be):
    hit = be.search(SearchRequest(q="环境", sort="oldest", per_page=1, page=4))["hits"][0]
    n = int(hit["id"].rsplit("-p", 1)[1])
    html, _ = page(client, f"/meetings/{hit['meeting_id']}?q=环境&sort=oldest&hit={n}")
    assert "第 4 条命中" in html
    # A stale rank (the index changed since the link was made) is looked up again.
    html, _ = page(client, f"/meetings/{hit['meeting_id']}?q=环境&sort=oldest&hit={n}&pos=1")
    assert "第 4 条命中" in html


def test_meeting_page_links_related_meetings(client, be):
    shown = 0
    for meeting_id in {h["meeting_id"] for h in be.search(SearchRequest(q="", per_page=100))["hits"]}:
        related = be.meeting(meeting_id)["related"]
        html, doc = page(client, f"/meetings/{meeting_id}")
        assert ("相关会议" in html) == bool(related)
        for r in related:
            assert doc.link(r["title"]).startswith(f"/meetings/{r['meeting_id']}") and "、".join(r["shared"]) in html
        shown += len(related)
    assert shown


def test_render_anchors_lists_tables_and_repaired_paragraphs():
    md = "## 标题\n\n第一段前半\n\n后半。\n\n- 甲项\n- 乙项\n\n| a | b |\n| - | - |\n| 丙 | 丁 |\n"
    meeting = {"title": "标题", "markdown": md, "line_start": 10,
               "paragraphs": [[1, 12, 14], [2, 16, 16], [3, 17, 17], [4, 19, 21]]}
    html = minutes.render(meeting, hit=1, leaves=[])
    assert "<h2" not in html  # the meeting's own heading is the page's h1
    # a paragraph repaired across a blank line reads joined, as its hits do, and a word across the break is marked
    assert '<p class="para hit" data-line="12" id="p-1" tabindex="-1">第一段前半后半。</p>' in html
    assert "第一段<mark>前半后半</mark>。" in minutes.render(meeting, leaves=positives(parse("前半后半")))
    assert '<li class="para" data-line="16" id="p-2" tabindex="-1">甲项</li>' in html
    assert 'id="p-4"' in html and "<table" in html


# -- CSV ----------------------------------------------------------------------------------

def read_csv(response) -> list[list[str]]:
    data = response.data
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_export_is_the_same_search(client, be):
    response = get(client, "/export.csv?q=环境&region=四川省&sort=newest&page=3")
    assert response.content_type == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0][:3] == ["序号", "段落编号", "会议"] and "段落内容" in rows[0]
    req = SearchRequest(q="环境", region="四川省", sort="newest", per_page=10)
    total = be.search(req)["total"]
    expected = [h["id"] for n in range(1, total // 10 + 2) for h in be.search(req.with_(page=n))["hits"]]
    assert total > 10 and [r[1] for r in rows[1:]] == expected  # page is ignored: every hit, in the search's order
    assert all("环境" in r[-1] for r in rows[1:])
    html, _ = page(client, "/?q=环境")
    assert "最多 5000 条" in html


def test_csv_stops_at_the_limit_and_guards_formulas(client, monkeypatch):
    monkeypatch.setattr("web.pages.EXPORT_LIMIT", 7)
    rows = read_csv(get(client, "/export.csv"))
    assert len(rows) == 1 + 7 and [r[0] for r in rows[1:]] == [str(i) for i in range(1, 8)]
    assert results._cell("=1+1") == "'=1+1" and results._cell("环境") == "环境"


def test_csv_with_no_hits_has_only_the_header(client):
    rows = read_csv(get(client, "/export.csv?q=环境&topic=不存在的主题"))
    assert len(rows) == 1


# -- errors, API, safety -------------------------------------------------------------------

@pytest.mark.parametrize("query, reason", [
    ("q=" + "长" * 201, "查询过长"),
    ("q=环境&per_page=101", "per_page"),
    ("q=环境&from=2023-13", "不存在的日期"),
    ("q=环境&from=2024&to=2023", "晚于"),
    ("q=环境&sort=best", "sort"),
    ("q=环境&month=13", "month"),
    ("q=环境&page=abc", "page"),
    ("q=-督察", "排除"),
])
def test_bad_parameters_answer_400_with_the_reason(client, query, reason):
    html = get(client, f"/?{query}", 400).get_data(as_text=True)
    assert reason in html and 'role="alert"' in html
    api = get(client, f"/api/search?{query}", 400)
    assert reason in api.get_json()["error"]
    get(client, f"/export.csv?{query}", 400)


def test_meeting_page_bad_parameters(client, be):
    mid = be.search(SearchRequest(q="环境"))["hits"][0]["meeting_id"]
    assert "hit 应为正整数" in get(client, f"/meetings/{mid}?hit=abc", 400).get_data(as_text=True)
    get(client, f"/meetings/{mid}?q=" + "长" * 201, 400)


@pytest.mark.parametrize("path", ["/meetings/0000000000-9", "/meetings/%3Cscript%3E", "/meetings/a%2Fb",
                                  "/meetings/", "/meetings/../etc/passwd", "/nope", "/static/../pyproject.toml",
                                  "/meetings/" + "a" * 300])
def test_unknown_pages_answer_404(client, path):
    html = get(client, path, 404).get_data(as_text=True)
    assert "找不到页面" in html and "<script>" not in html.split("</head>")[1]


def test_api_404_and_405_are_json(client):
    assert "error" in get(client, "/api/meetings/0000000000-9", 404).get_json()
    assert "error" in get(client, "/api/nope", 404).get_json()
    assert client.post("/api/search").status_code == 405


def test_read_only(client):
    for path in ("/", "/export.csv", "/meetings/x", "/api/search"):
        for method in (client.post, client.put, client.delete):
            assert method(path).status_code == 405, (method, path)


def test_api_search_is_exactly_the_backend_dict(client, be):
    got = get(client, "/api/search?q=环境&region=四川省&sort=newest&per_page=7").get_json()
    expected = be.search(SearchRequest(q="环境", region="四川省", sort="newest", per_page=7))
    got.pop("took_ms"), expected.pop("took_ms")
    assert got == json.loads(json.dumps(expected, ensure_ascii=False))


def test_security_headers(client):
    response = get(client, "/?q=环境")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_reindex_is_picked_up_without_restart(tmp_path, new_engine):
    corpus = tmp_path / "c"
    write(corpus / "a.md", "# 甲会议\n\n讨论蓝莓种植补贴。\n")
    engine = new_engine()
    ingest([corpus], engine)
    client = create_app(engine).test_client()
    assert total_of(get(client, "/?q=蓝莓").get_data(as_text=True)) == 1
    write(corpus / "b.md", "# 乙会议\n\n蓝莓基地验收。\n")
    ingest([corpus], engine)
    assert total_of(get(client, "/?q=蓝莓").get_data(as_text=True)) == 2
    ingest([corpus], engine, rebuild=True)
    assert total_of(get(client, "/?q=蓝莓").get_data(as_text=True)) == 2


def test_missing_index_answers_503(new_engine):
    client = create_app(new_engine()).test_client()
    assert "archive ingest" in get(client, "/", 503).get_data(as_text=True)
    assert "error" in get(client, "/api/search?q=x", 503).get_json()


# -- meeting fields: people, decisions and open items ----------------------------------------

COUNTY_MD = COUNTY_MINUTES.replace("常务会议纪要", "第十二次常务会议纪要", 1)

# Online, and a host whose value tries to inject a script.
ONLINE_MD = """# 信息化工作专班例会纪要

会议时间：2024-05-10 14:00-16:00
会议方式：线上（腾讯会议）
主持人：刘洋<script>alert("host")</script>
参会人员：陈静、何伟

## 议题一：政务平台上线计划

专班介绍了政务平台上线计划。

## 会议结论

同意按计划上线政务平台。
"""

# More people than the facet lists (50).
CROWD = "、".join(s + g for s in "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯" for g in ("子涵", "浩然"))
ASSEMBLY_MD = f"# 全县安全生产大会记录\n\n时间：2024年6月1日\n地点：县政府礼堂\n出席：{CROWD}\n\n会议部署了安全生产大检查。\n"


@pytest.fixture(scope="module")
def fields_app(request, engine_kind, tmp_path_factory):
    corpus = tmp_path_factory.mktemp("fields-corpus")
    write(corpus / "county.md", COUNTY_MD)
    write(corpus / "online.md", ONLINE_MD)
    write(corpus / "assembly.md", ASSEMBLY_MD)
    engine = engine_over(request, engine_kind, corpus)
    assert {p["source"] for p in stored_paragraphs(engine)} == {"county.md", "online.md", "assembly.md"}
    return create_app(engine)


@pytest.fixture()
def fc(fields_app):
    return fields_app.test_client()


@pytest.fixture(scope="module")
def fs(fields_app) -> SearchService:
    return fields_app.config["SERVICE"]


def meeting_of(fs, q: str) -> dict:
    return fs.meeting(fs.search(SearchRequest(q=q))["hits"][0]["meeting_id"])


def chips_of(doc: Page) -> dict:
    return {t.rstrip("×").strip(): params(h) for h, t, a in doc.links if "chip" in (a.get("class") or "")}


def section(html: str, heading_id: str) -> str:
    start = html.index(f'aria-labelledby="{heading_id}"')
    return html[start:html.index("</section>", start)]


def test_person_facet_links_filter_and_chip(fc, fs):
    html, doc = page(fc, "/?q=森林防火")
    people = section(html, "h-person")
    assert re.search(r'>张明华</a><span class="count">\d+</span>', people)
    assert "孙丽" not in people  # away (请假) is not taking part
    url = doc.link("张明华")
    assert params(url) == {"q": "森林防火", "person": "张明华"}
    html, doc = page(fc, url)
    assert total_of(html) == fs.search(SearchRequest(q="森林防火", person="张明华"))["total"] > 0
    assert 'aria-current="true">张明华</a>' in html
    assert params(doc.link("张明华")) == {"q": "森林防火"}  # a second click takes it away
    assert chips_of(doc) == {"人员：张明华": {"q": "森林防火"}}
    assert '<input type="hidden" name="person" value="张明华">' in html  # a new query keeps it
    # The person's links on the meeting page lead here; a traditional spelling is the same person.
    html, doc = page(fc, "/?person=李建國")
    assert 'aria-current="true">李建国</a>' in html and params(doc.link("李建国")) == {}
    assert total_of(html) == fs.search(SearchRequest(person="李建国"))["total"] > 0


def test_person_facet_says_when_it_is_cut(fc, fs):
    html, _ = page(fc, "/")
    assert fs.search(SearchRequest())["facets_truncated"]["person"]
    assert "仅列出段落最多的前 50 位" in section(html, "h-person")
    html, _ = page(fc, "/?q=森林防火")
    assert "仅列出" not in section(html, "h-person")


def test_role_links_filter_and_chip(fc, fs):
    html, doc = page(fc, "/")
    kinds = {v["value"]: v["count"] for v in fs.search(SearchRequest())["facets"]["role"]}
    content = section(html, "h-role")
    assert f'>决定事项</a><span class="count">{kinds["decision"]}</span>' in content
    assert f'>待办事项</a><span class="count">{kinds["action"]}</span>' in content
    assert content.index("决定事项") < content.index("待办事项")
    url = doc.link("决定事项")
    assert params(url) == {"role": "decision"}
    html, doc = page(fc, url + "&sort=oldest")
    assert total_of(html) == kinds["decision"] == html.count('<span class="role decision"')
    assert params(doc.link("决定事项")) == {"sort": "oldest"}
    assert chips_of(doc) == {"内容：决定事项": {"sort": "oldest"}}
    html, doc = page(fc, "/?kind=action&person=张明华")  # (kind= is the older spelling of role=)
    assert total_of(html) == fs.search(SearchRequest(role="action", person="张明华"))["total"] == 1
    assert chips_of(doc) == {"人员：张明华": {"role": "action"}, "内容：待办事项": {"person": "张明华"}}
    assert params(doc.link("全部清除")) == {}


def test_no_results_offers_to_drop_person_or_kind(fc, fs):
    html, doc = page(fc, "/?q=同意&kind=action")
    assert params(doc.link("去掉“内容：待办事项”")) == {"q": "同意"}
    assert f'：{fs.search(SearchRequest(q="同意"))["total"]} 条' in html
    html, doc = page(fc, "/?q=政务平台&person=孙丽")
    assert total_of(html) == 0
    assert params(doc.link("去掉“人员：孙丽”")) == {"q": "政务平台"}


def test_hits_that_record_a_decision_or_an_open_item_carry_a_badge(fc, fs):
    html, _ = page(fc, "/?q=护林员")
    roles = [h["role"] for h in fs.search(SearchRequest(q="护林员"))["hits"]]
    assert sorted(roles) == ["action", "decision"]
    assert '<span class="role decision" title="本段记录会议决定事项">决定</span>' in html
    assert '<span class="role action" title="本段记录待办事项（遗留问题）">待办</span>' in html
    html, _ = page(fc, "/?q=听取")  # a paragraph that records neither
    assert total_of(html) == 1 and 'class="role' not in html


def card(html: str) -> list[tuple[str, str]]:
    """The card's rows: (label, value text)."""
    head = html[html.index('<dl class="facts">'):html.index("</dl>")]
    return [(dt, re.sub(r"<[^>]+>", "", dd)) for dt, dd in
            re.findall(r'<div class="field[^"]*"><dt>(.*?)</dt><dd[^>]*>(.*?)</dd></div>', head)]


def test_meeting_card_shows_the_header_with_person_links(fc, fs):
    m = meeting_of(fs, "巡查方案")
    html, doc = page(fc, f"/meetings/{m['id']}")
    assert card(html) == [("时间", "2024年3月5日上午"), ("地点", "江西省九江市彭泽县政府三楼会议室"),
                          ("主持人", "张明华"), ("出席人员", "李建国、王芳（县政府办）、赵强"), ("请假", "孙丽"),
                          ("记录人", "周婷"), ("责任人", "李建国")]
    people = {t: h for h, t, a in doc.links if a.get("class") == "person"}
    assert set(people) == {"张明华", "李建国", "王芳", "赵强", "周婷"}  # 孙丽 was away: not filed under her name
    for name, url in people.items():
        assert urlsplit(url).path == "/" and params(url) == {"person": name}
    assert "来源" in html and f"{m['source']}</span> 第 {m['line_start']}–{m['line_end']} 行" in html
    # Each person's link finds the meetings they took part in, this one among them.
    html, _ = page(fc, people["王芳"])
    assert total_of(html) == len(m["paragraphs"])


def test_online_meeting_card(fc, fs):
    m = meeting_of(fs, "政务平台上线")
    assert m["online"]
    html, doc = page(fc, f"/meetings/{m['id']}")
    rows = dict(card(html))
    assert list(rows)[:3] == ["时间", "地点", "方式"]
    assert rows["地点"] == "线上会议" and rows["方式"] == "线上（腾讯会议）"
    assert params(doc.link("刘洋")) == {"person": "刘洋"}
    assert params(doc.link("何伟")) == {"person": "何伟"}


def test_hostile_host_is_escaped(fc, fs):
    m = meeting_of(fs, "政务平台上线")
    body = get(fc, f"/meetings/{m['id']}").get_data(as_text=True).split("<body>")[1]
    assert "<script>" not in body
    assert '刘洋</a>&lt;script&gt;alert(&#34;host&#34;)&lt;/script&gt;</dd>' in body
    html = get(fc, "/?q=政务平台").get_data(as_text=True)
    assert "<script>alert" not in html


def test_meeting_lists_decisions_and_open_items_linking_to_their_paragraphs(fc, fs):
    m = meeting_of(fs, "巡查方案")
    html, doc = page(fc, f"/meetings/{m['id']}")
    outcomes = html[html.index('<div class="outcomes">'):html.index('<div class="minutes">')]
    assert outcomes.index("会议决定") < outcomes.index("待办事项")
    assert '<h2 id="h-decision">会议决定 <span class="count">2 项</span></h2>' in outcomes
    for item in m["items"]:
        url = doc.link(item["text"])
        assert url == f"#p-{item['paragraph']}"
        anchor = html.index(f'id="p-{item["paragraph"]}"')
        assert item["text"] in html[anchor:html.index("</", anchor)]
    assert "责任人：<a class=\"person\" href=\"/?person=%E6%9D%8E%E5%BB%BA%E5%9B%BD\">李建国</a>" in outcomes
    assert "完成时限：4月底" in outcomes
    assert outcomes.count("<span>责任人：") == 1  # the decisions name none


def test_sample_meeting_pages_have_no_card(client, be):
    shown = 0
    for meeting_id in {h["meeting_id"] for h in be.search(SearchRequest(q="", per_page=100))["hits"]}:
        m = be.meeting(meeting_id)
        if m["source"] != SAMPLE.name:
            continue
        assert not m["fields"] and not m["items"]
        html, _ = page(client, f"/meetings/{meeting_id}")
        assert 'class="outcomes"' not in html
        # only the people its report names in sentences (`区长成少平主持会议`, `市纪委书记某某总结了…`): no made-up time or place
        assert all(re.search("主持|出席|列席|请假|汇报", label) for label, _ in card(html)), card(html)
        shown += 1
    assert shown
    html, _ = page(client, "/?q=环境")  # no decisions: no empty section
    assert 'id="h-kind"' not in html and 'class="role' not in html
