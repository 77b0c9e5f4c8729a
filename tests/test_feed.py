"""Atom feeds of a search and `--since`, on a real index that grows between ingests: the feed parsed by
feedparser and checked strictly against RFC 4287's required elements, RFC 3339 dates and unique ids."""

import json
import re
import time
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import feedparser
import pytest

from archive.cli import main
from archive.engines import open_engine
from archive.index.pipeline import ingest
from archive.search.request import SearchRequest
from archive.search.service import SearchService
from web import create_app

from .conftest import COUNTY_MINUTES, write

A = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")

NEW_MINUTES = """# 某县秸秆禁烧工作会议纪要

时间：2024年5月8日
主持人：王立新

会议研究部署秸秆禁烧和综合利用工作，要求各乡镇落实网格化巡查。
"""

HOSTILE = """# 标题<script>alert(1)</script> & "引号"

会议要求秸秆禁烧]]><b>不得</b>执行 & 转义也不能破坏订阅。
"""


def atom_check(body: bytes) -> ET.Element:
    """Strict RFC 4287: what a feed and each entry must have, RFC 3339 dates, absolute unique ids."""
    doc = ET.fromstring(body)
    assert doc.tag == f"{A}feed"
    for name in ("id", "title", "updated"):
        assert len(doc.findall(f"{A}{name}")) == 1, name
    assert doc.find(f"{A}author/{A}name").text  # (so that entries need none of their own)
    assert doc.find(f"{A}link[@rel='self']") is not None
    ids = [doc.find(f"{A}id").text]
    for element in doc.iter():
        if element.tag in (f"{A}updated", f"{A}published"):
            assert RFC3339.match(element.text), element.text
    for entry in doc.findall(f"{A}entry"):
        for name in ("id", "title", "updated", "content"):
            assert len(entry.findall(f"{A}{name}")) == 1, name
        assert entry.find(f"{A}link[@rel='alternate']") is not None
        assert entry.find(f"{A}content").get("type") == "html"
        assert urlsplit(entry.find(f"{A}id").text).scheme == "tag"
        ids.append(entry.find(f"{A}id").text)
    assert all(urlsplit(i).scheme for i in ids) and len(set(ids)) == len(ids)
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return doc


def entries(doc: ET.Element) -> list[dict]:
    return [{"id": e.find(f"{A}id").text, "title": e.find(f"{A}title").text, "updated": e.find(f"{A}updated").text,
             "link": e.find(f"{A}link").get("href"), "content": e.find(f"{A}content").text}
            for e in doc.findall(f"{A}entry")]


OLD_MINUTES = """# 某镇环境整治工作会议{n}

时间：2023年{n}月6日

会议要求持续推进农村人居环境整治第{n}阶段工作。
"""


@pytest.fixture(params=["whoosh"])
def growing(request, tmp_path):
    """A corpus folder of three small minutes, indexed, and a client of the web app over that index
    (tests marked `both_engines` run over PostgreSQL too: --since and the ingest times need no engine code)."""
    corpus = tmp_path / "corpus"
    for n in (1, 2, 3):
        write(corpus / f"环境整治{n}.md", OLD_MINUTES.format(n=n))
    if request.param == "postgres":
        from archive.engines.postgres.engine import PostgresEngine
        engine = PostgresEngine(request.getfixturevalue("pg_server").create_database())
    else:
        engine = open_engine(tmp_path / "index")
    ingest([corpus], engine)
    yield corpus, engine, create_app(engine).test_client()
    if request.param == "postgres":
        engine.close()


both_engines = pytest.mark.parametrize("growing", ["whoosh", pytest.param("postgres", marks=pytest.mark.slow)],
                                       indirect=True)


def test_a_feed_of_a_search_shows_new_minutes_after_the_next_ingest(growing):
    corpus, engine, client = growing
    before = atom_check(client.get("/feed.atom?q=秸秆禁烧").data)
    assert entries(before) == []
    old = {e["id"]: e["updated"] for e in entries(atom_check(client.get("/feed.atom?q=环境").data))}
    assert len(old) > 1
    time.sleep(1.1)  # (ingest times are kept to the second)
    write(corpus / "新收录" / "秸秆禁烧.md", NEW_MINUTES)
    ingest([corpus], engine)

    response = client.get("/feed.atom?q=秸秆禁烧")
    assert response.mimetype == "application/atom+xml"
    [entry] = entries(atom_check(response.data))
    assert entry["title"] == "某县秸秆禁烧工作会议纪要"
    assert "<mark>秸秆禁烧</mark>" in entry["content"]  # the highlighted snippet, as escaped HTML
    assert entry["updated"] > max(old.values())
    page = client.get(urlsplit(entry["link"]).path + "?" + urlsplit(entry["link"]).query)
    assert page.status_code == 200 and "某县秸秆禁烧工作会议纪要" in page.get_data(as_text=True)
    # The unchanged file keeps its entries, ids and times; the newest ingested comes first.
    now = entries(atom_check(client.get("/feed.atom?q=会议").data))
    assert now[0]["title"] == "某县秸秆禁烧工作会议纪要"
    assert {e["id"]: e["updated"] for e in now if e["id"] in old} == {i: old[i] for i in old if i in
                                                                      {e["id"] for e in now}}


@both_engines
def test_since_finds_only_files_first_ingested_from_then(growing, capsys):
    corpus, engine, client = growing
    service = SearchService(engine)
    everything = service.search(SearchRequest(q="会议"))["total"]
    time.sleep(1.1)
    write(corpus / "秸秆禁烧.md", NEW_MINUTES)
    ingest([corpus], engine)
    newest = service.last_ingested()
    found = service.search(SearchRequest(q="会议", since="last-ingest"))
    assert {h["source"] for h in found["hits"]} == {"秸秆禁烧.md"}
    assert service.search(SearchRequest(q="会议", since=newest))["total"] == found["total"]
    assert service.search(SearchRequest(q="会议", since="2000-01-01"))["total"] == everything + found["total"]
    assert service.search(SearchRequest(q="会议", since="2999-01"))["total"] == 0

    where = ["--database", engine.url] if hasattr(engine, "url") else ["--index", str(engine.location)]
    assert main(["search", "会议", *where, "--since", "last-ingest", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == found["total"]
    assert main(["search", "会议", *where, "--since", "昨天"]) == 2
    assert "since" in capsys.readouterr().err
    api = client.get("/api/search?q=会议&since=last-ingest").get_json()
    assert api["total"] == found["total"]
    assert client.get("/api/search?since=2024-13-01").status_code == 400
    assert client.get("/feed.atom?since=nonsense").status_code == 400
    page = client.get("/?q=会议").get_data(as_text=True)
    assert 'href="/?q=%E4%BC%9A%E8%AE%AE&amp;since=last-ingest">只看最近一次收录的</a>' in page
    page = client.get("/?q=会议&since=last-ingest").get_data(as_text=True)
    assert "收录：最近一次收录" in page and "只看最近一次收录的" not in page


@both_engines
def test_retagging_keeps_the_ingest_time_and_a_changed_file_gets_a_new_one(growing):
    corpus, engine, client = growing
    service = SearchService(engine)
    write(corpus / "秸秆禁烧.md", NEW_MINUTES)
    ingest([corpus], engine)
    first = {e["id"]: e["updated"] for e in entries(atom_check(client.get("/feed.atom?q=会议&per_page=50").data))}
    time.sleep(1.1)
    ingest([corpus], engine, rebuild=True)  # every file read again, none changed
    again = {e["id"]: e["updated"] for e in entries(atom_check(client.get("/feed.atom?q=会议&per_page=50").data))}
    assert again == first
    time.sleep(1.1)
    write(corpus / "秸秆禁烧.md", NEW_MINUTES + "\n会议还要求做好宣传。\n")
    ingest([corpus], engine)
    changed = {e["id"]: e["updated"] for e in entries(atom_check(client.get("/feed.atom?q=会议&per_page=50").data))}
    moved = {i for i in changed if changed[i] != first[i]}
    assert len(moved) == 1 and changed[moved.pop()] > max(first.values())
    assert service.search(SearchRequest(q="宣传", since="last-ingest"))["total"] == 1


def test_feed_escapes_everything(growing):
    corpus, engine, client = growing
    write(corpus / "转义.md", HOSTILE)
    ingest([corpus], engine)
    body = client.get('/feed.atom?q=秸秆禁烧&topic=<x>"').data
    atom_check(body)
    body = client.get("/feed.atom?q=秸秆禁烧").data
    [entry] = entries(atom_check(body))
    assert b"<script>" not in body and b"<b>" not in body
    assert entry["title"] == '标题<script>alert(1)</script> & "引号"'  # (text: the reader shows it as written)
    assert "&lt;b&gt;不得&lt;/b&gt;" in entry["content"]  # the snippet's HTML escapes the text's markup


def test_results_and_meeting_pages_link_their_feeds(growing):
    corpus, engine, client = growing
    write(corpus / "县政府常务会议.md", COUNTY_MINUTES)  # (a meeting with a place, topics and key terms)
    ingest([corpus], engine)
    html = client.get("/?q=会议&topic=森林防火").get_data(as_text=True)
    link = re.search(r'<link rel="alternate" type="application/atom\+xml"[^>]* href="([^"]+)"', html)
    assert link and link[1].startswith("/feed.atom?") and "topic=" in link[1]
    assert ">订阅</a>" in html
    feed = atom_check(client.get(link[1].replace("&amp;", "&")).data)
    assert entries(feed) and all("森林防火" in (e.get("term") for e in entry.findall(f"{A}category"))
                                 for entry in feed.findall(f"{A}entry"))
    service = SearchService(engine)
    meetings = [service.meeting(h["meeting_id"]) for h in service.search(SearchRequest(q="森林防火"))["hits"]]
    meeting = next(m for m in meetings if m["topics"] and m["regions"] and m["keyterms"])
    page = client.get(f"/meetings/{meeting['id']}").get_data(as_text=True)
    feeds = re.findall(r'<a class="feed" href="([^"]+)"', page)
    assert "/feed.atom?topic=%E6%A3%AE%E6%9E%97%E9%98%B2%E7%81%AB" in feeds
    assert sum("region=" in f for f in feeds) == len(meeting["regions"])
    assert sum("?q=" in f for f in feeds) == len(meeting["keyterms"])
    for url in feeds[:3]:
        assert entries(atom_check(client.get(url.replace("&amp;", "&")).data))
