"""A meeting's title is text a query finds (archive/ingest/split.py makes it the meeting's first paragraph)."""

from archive.search.request import SearchRequest


def test_a_title_is_found_and_its_meeting_first(backend):
    for q in ('"整治工作会议记录篇四"', "整治工作会议记录篇四"):
        hits = backend.search(SearchRequest(q=q))["hits"]
        assert hits and hits[0]["text"] == "环境整治工作会议记录篇四", q
        assert hits[0]["meeting_title"] == "环境整治工作会议记录篇四" and hits[0]["section"] == ""


def test_a_run_inside_titles_finds_every_title(backend):
    hits = backend.search(SearchRequest(q="记录篇", per_page=100))["hits"]
    titles = {h["text"] for h in hits if h["text"] == h["meeting_title"]}
    assert {f"环境整治工作会议记录篇{n}" for n in "一二三四五六七八"} <= titles


def test_the_files_title_is_found_in_its_preamble(backend):
    hits = backend.search(SearchRequest(q='"环境保护工作会议记录(通用8篇)"'))["hits"]
    assert [h["text"] for h in hits] == ["2023年环境整治工作会议记录 环境保护工作会议记录(通用8篇)"]
