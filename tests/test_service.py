"""The search service owns the contract: help in the JSON, facet cuts, neighbours and export without
full searches, the fronts' shared defaults, and no engine loaded by the fronts."""

import json
import subprocess
import sys

import pytest

from archive.index.pipeline import ingest
from archive.search import service as service_module
from archive.search.request import PER_PAGE, SearchRequest
from archive.search.service import SearchService

from .conftest import ROOT, cli_args, write


def test_fronts_import_no_engine():
    code = ("import sys, web, web.pages, web.api, archive.cli, archive.search.service, archive.index.pipeline; "
            "print([m for m in sys.modules if m.split('.')[0] in ('whoosh', 'psycopg', 'psycopg_pool')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


def test_every_front_pages_alike():
    assert SearchRequest().per_page == SearchRequest.from_params({}).per_page == PER_PAGE
    from archive.cli import build_parser
    assert build_parser().parse_args(["search", "x"]).per_page == PER_PAGE


def test_a_typo_is_corrected_in_the_json(backend):
    res = backend.search(SearchRequest(q="坏境"))
    assert res["total"] == 0 and res["suggestion"]["q"] == "环境"
    assert res["suggestion"]["total"] == backend.search(SearchRequest(q="环境"))["total"] > 0


def test_nothing_under_filters_says_what_each_filter_costs(backend):
    req = SearchRequest(q="环境", region="四川", date_from="2020", date_to="2020")
    res = backend.search(req)
    assert res["total"] == 0 and res["suggestion"] is None
    drops = {tuple(d["params"]): d["total"] for d in res["drops"]}
    assert drops == {("region",): backend.search(req.with_(region=""))["total"],
                     ("from", "to"): backend.search(req.with_(date_from="", date_to=""))["total"]}
    assert drops[("from", "to")] > 0 and drops[("region",)] == 0


def test_found_answers_carry_no_help(backend):
    res = backend.search(SearchRequest(q="森林防火"))
    assert res["total"] > 0 and res["suggestion"] is None and res["drops"] == []


def test_facets_say_when_values_were_cut(backend, monkeypatch):
    full = backend.search(SearchRequest(q="环境"))
    assert not any(full["facets_truncated"].values())
    assert len(full["facets"]["topic"]) > 2
    monkeypatch.setattr(service_module, "FACET_LIMIT", 2)
    cut = backend.search(SearchRequest(q="环境"))
    assert cut["facets_truncated"]["topic"] and len(cut["facets"]["topic"]) == 2
    assert cut["facets"]["topic"] == full["facets"]["topic"][:2]  # the most frequent kept
    assert cut["facets"]["date"] == full["facets"]["date"] and not cut["facets_truncated"]["date"]


def _all_hits(backend, req):
    total = backend.search(req)["total"]
    return [h for n in range(1, total // 100 + 2) for h in backend.search(req.with_(page=n, per_page=100))["hits"]]


def test_an_id_no_meeting_can_have_is_no_meeting(backend):
    for odd in ("", "\x00", "x\x00.md", "../x", "环境" * 100):
        assert backend.meeting(odd) is None, odd


def test_neighbours_are_the_search_order(backend):
    for req in (SearchRequest(q="环境"), SearchRequest(q="环境", sort="oldest"), SearchRequest(q="", region="四川")):
        hits = _all_hits(backend, req)
        for rank in (1, 2, len(hits) // 2, len(hits)):
            hit = hits[rank - 1]
            n = int(hit["id"].rsplit("-p", 1)[1])
            around = backend.neighbours(req, hit["meeting_id"], n)
            assert (around["pos"], around["total"], around["hit"]["id"]) == (rank, len(hits), hit["id"])
            assert (around["prev"] or {}).get("id") == (hits[rank - 2]["id"] if rank > 1 else None)
            assert (around["next"] or {}).get("id") == (hits[rank]["id"] if rank < len(hits) else None)
    first = _all_hits(backend, SearchRequest(q="森林防火"))[0]
    assert backend.neighbours(SearchRequest(q="森林防火"), first["meeting_id"], None)["hit"]["id"] == first["id"]
    assert backend.neighbours(SearchRequest(q="森林防火"), "no-such-meeting", None) is None


def test_export_is_every_hit_in_order_without_highlights(backend):
    req = SearchRequest(q="环境", sort="newest")
    hits = _all_hits(backend, req)
    rows = list(backend.export(req, limit=10_000))
    assert [r for r, _ in rows] == list(range(1, len(hits) + 1))
    assert [h["id"] for _, h in rows] == [h["id"] for h in hits]
    assert all("highlight" not in h and "score" not in h for _, h in rows)
    assert len(list(backend.export(req, limit=3))) == 3


def test_relaxed_answer_keeps_what_the_words_find(tmp_path, new_engine):
    write(tmp_path / "c" / "a.md", "# 会议\n\n研究森林防火。\n\n部署河道清理。\n")
    engine = new_engine()
    ingest([tmp_path / "c"], engine)
    res = SearchService(engine).search(SearchRequest(q="森林防火 河道清理"))
    assert res["relaxed"] and res["total"] == 2
    assert {h["text"] for h in res["hits"]} == {"研究森林防火。", "部署河道清理。"}


def test_cli_json_prints_the_help_too(sample_index):
    out = subprocess.run([sys.executable, "-m", "archive", "search", "坏境", "--json", *cli_args(sample_index)],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0 and json.loads(out.stdout)["suggestion"]["q"] == "环境"
    human = subprocess.run([sys.executable, "-m", "archive", "search", "坏境", *cli_args(sample_index)],
                           capture_output=True, text=True, cwd=ROOT)
    assert "您是不是要找：环境" in human.stdout


def test_related_meetings_share_what_they_say(tmp_path, new_engine):
    write(tmp_path / "c" / "a.md", "# 第1次森林防火会议\n\n研究森林防火和护林员巡山。森林防火责任落实到人。\n")
    write(tmp_path / "c" / "b.md", "# 第2次森林防火会议\n\n部署森林防火，护林员巡山每日两次。\n")
    write(tmp_path / "c" / "c.md", "# 招商引资会议\n\n研究招商引资项目落地。\n")
    engine = new_engine()
    ingest([tmp_path / "c"], engine)
    service = SearchService(engine)
    ids = {service.search(SearchRequest(q="招商引资"))["hits"][0]["meeting_id"]}
    first = service.search(SearchRequest(q="责任落实到人"))["hits"][0]["meeting_id"]
    related = service.meeting(first)["related"]
    assert [r["title"] for r in related] == ["第2次森林防火会议"] and "森林防火" in related[0]["shared"]
    assert all(r["meeting_id"] != first and r["meeting_id"] not in ids for r in related)


def test_api_meeting_lists_related(sample_index, backend):
    from web import create_app
    client = create_app(sample_index).test_client()
    for meeting_id in {h["meeting_id"] for h in backend.search(SearchRequest(q="", per_page=100))["hits"]}:
        res = client.get(f"/api/meetings/{meeting_id}").get_json()
        assert res["related"] == backend.meeting(meeting_id)["related"]
        for r in res["related"]:
            assert set(r) == {"meeting_id", "title", "date", "shared"} and r["shared"] and r["meeting_id"] != meeting_id
            other = backend.meeting(r["meeting_id"])
            mine = set(res["keyterms"]) | set(res["topics"]) | {p.rsplit("/", 1)[-1] for p in res["regions"]}
            theirs = set(other["keyterms"]) | set(other["topics"]) | {p.rsplit("/", 1)[-1] for p in other["regions"]}
            assert set(r["shared"]) <= mine & theirs
