"""The header of real minutes through the archive: people as a facet and filter, decisions and open items
as a filter, the place a 会议地点 line gives (and none for an online meeting), the fields in the meeting JSON."""

import json
import subprocess
import sys

import pytest

from archive.engines import open_engine
from archive.index.pipeline import ingest
from archive.search.request import SearchRequest
from archive.search.service import SearchService

from .conftest import COUNTY_MINUTES, ROOT, SHARED, write


ONLINE = """# 技术委员会例会纪要

会议时间：2024-05-10 14:00-16:00
会议方式：线上（腾讯会议）
主持人：张明华
参会人员：刘洋、陈静

## 议题一：版本发布计划

武汉研究所介绍了发布计划。

## 会议结论

同意按计划发布。
"""


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("minutes")
    write(corpus / "county.md", COUNTY_MINUTES)
    write(corpus / "online.md", ONLINE)
    engine = open_engine(tmp_path_factory.mktemp("ix"))
    ingest([corpus], engine)
    return SearchService(engine)


def test_people_are_a_facet_and_a_filter(service):
    res = service.search(SearchRequest(q=""))
    people = {v["value"]: v["count"] for v in res["facets"]["person"]}
    assert {"张明华", "李建国", "王芳", "赵强", "周婷", "刘洋", "陈静"} <= set(people)
    assert "孙丽" not in people  # away (请假) is not taking part
    both = service.search(SearchRequest(q="", person="张明华"))
    assert both["total"] == res["total"]  # chaired both meetings
    assert {h["source"] for h in service.search(SearchRequest(q="", person="李建國"))["hits"]} == {"county.md"}


def test_decisions_and_open_items_can_be_searched_alone(service):
    decided = service.search(SearchRequest(q="", role="decision", per_page=100))
    texts = {h["text"] for h in decided["hits"]}
    assert {"一、同意县林业局提出的森林防火巡查方案。", "同意按计划发布。"} <= texts
    assert all(h["role"] == "decision" for h in decided["hits"])
    assert "会议听取了县林业局关于森林防火工作的汇报。" not in texts
    todo = service.search(SearchRequest(q="护林员", role="action"))
    assert [h["source"] for h in todo["hits"]] == ["county.md"] and todo["hits"][0]["role"] == "action"
    kinds = {v["value"]: v["count"] for v in service.search(SearchRequest(q=""))["facets"]["kind"]}
    assert kinds["decision"] >= 3 and kinds["action"] >= 1


def test_the_place_line_decides_and_online_has_none(service):
    county = service.search(SearchRequest(q="森林防火巡查方案"))["hits"][0]
    meeting = service.meeting(county["meeting_id"])
    assert meeting["regions"] == ["江西省/九江市/彭泽县"] and not meeting["online"]
    assert meeting["fields"]["host"] == "张明华" and meeting["people"]["absent"] == ["孙丽"]
    assert any(i["kind"] == "action" and i["owners"] == ["李建国"] for i in meeting["items"])
    online = service.meeting(service.search(SearchRequest(q="发布计划"))["hits"][0]["meeting_id"])
    assert online["online"] and online["regions"] == []  # 武汉研究所 is an affiliation, not where it met


@pytest.mark.skipif(not (SHARED / "community-minutes").exists(), reason="community minutes not available")
def test_community_hosts_are_people(tmp_path):
    engine = open_engine(tmp_path / "ix")
    ingest([SHARED / "community-minutes"], engine)
    service = SearchService(engine)
    meetings = {h["meeting_id"] for n in range(1, 12) for h in
                service.search(SearchRequest(q="", per_page=100, page=n))["hits"]}
    hosts = {m: service.meeting(m)["people"]["host"][0] for m in meetings if service.meeting(m)["people"].get("host")}
    assert len(set(hosts.values())) >= 8
    for meeting_id, host in hosts.items():  # each host's filter finds the meeting they chaired
        found = service.search(SearchRequest(q="", person=host, per_page=100))
        assert meeting_id in {h["meeting_id"] for h in found["hits"]} or found["total"] > 100, host


def test_cli_filters_by_person_and_kind(service):
    location = service.engine.location
    out = subprocess.run([sys.executable, "-m", "archive", "search", "", "--person", "赵强", "--kind", "decision",
                          "--json", "--index", location], capture_output=True, text=True, cwd=ROOT)
    res = json.loads(out.stdout)
    assert out.returncode == 0 and res["total"] == 2 and {h["role"] for h in res["hits"]} == {"decision"}
    human = subprocess.run([sys.executable, "-m", "archive", "search", "巡查方案", "--kind", "decision", "--index",
                            location], capture_output=True, text=True, cwd=ROOT)
    assert "【决定】" in human.stdout
