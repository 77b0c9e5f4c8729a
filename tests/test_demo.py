"""The demo minutes in corpus/ show a newcomer what the archive does: people, decisions, open items, places,
dates and page cites on the first page, over every engine; the sample beside them reads as it always did."""

import pytest

from archive.ingest import load
from archive.search.request import SearchRequest
from archive.search.service import SearchService

from .conftest import CORPUS, SAMPLE, engine_over

DEMO = CORPUS / "示例纪要"


@pytest.fixture(scope="module")
def demo(request, engine_kind):
    return SearchService(engine_over(request, engine_kind, CORPUS))


def facet_values(result, name):
    return {v["value"]: v["count"] for v in result["facets"][name]}


def test_demo_holds_each_kind_of_file():
    assert sorted(p.suffix for p in DEMO.iterdir()) == [".docx", ".md", ".md", ".pdf"]


def test_first_page_facets_show_people_and_decisions(demo):
    first = demo.search(SearchRequest(q=""))
    people = facet_values(first, "person")
    assert {"韩立新", "林思远", "孙建华"} <= set(people)
    assert {"decision", "action"} <= set(facet_values(first, "kind"))
    assert "甘肃省/天水市/清水县" in facet_values(first, "region")


def test_a_meeting_shows_its_header_decisions_and_open_items(demo):
    hit = demo.search(SearchRequest(q="防火隔离带", person="韩立新"))["hits"][0]
    meeting = demo.meeting(hit["meeting_id"])
    assert meeting["people"]["host"] == ["韩立新"]
    assert {"decision", "action"} <= {item["kind"] for item in meeting["items"]}
    assert any(item["due"] for item in meeting["items"])
    assert meeting["related"], "the demo meetings share places and topics"


def test_the_pdf_cites_pages_and_the_word_file_is_searchable(demo):
    pdf = demo.search(SearchRequest(q="花椒 保底收购"))["hits"]
    assert pdf and all(h["page"] for h in pdf)
    word = demo.search(SearchRequest(q="安全漏洞 轮值"))["hits"]
    assert word and word[0]["source"].endswith(".docx")


def test_the_sample_splits_as_before():
    assert len(load(SAMPLE, CORPUS).records) == 8
