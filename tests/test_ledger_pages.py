"""Status on the meeting page, and the ledger's must-holds on the demo corpus, on every engine.

The meeting page shows each decision and open item's status (and note, and a suggestion to close it);
an editor or admin has a form beside each, posting to the ledger's /items/<id>/status with its CSRF
token; a reader sees the status but no form and is refused (403); every change is in the audit log.
"""

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from archive.access.levels import Viewer
from archive.ledger.book import ledger
from archive.ledger.items import LedgerRequest
from archive.search.service import SearchService
from web import create_app

from .conftest import engine_over, write
from .test_ledger import TODAY, _login, build, rows_of, served, status_csrf  # noqa: F401 (served: a fixture)

DEMO = Path(__file__).resolve().parent.parent / "corpus" / "示例纪要"


def _form_items(page: str) -> list[str]:
    return re.findall(r'action="/items/([0-9a-f]{16})/status"', page)


def test_an_editor_sets_status_on_the_meeting_page_a_reader_sees_it(served):
    _, engine, store, app = served
    road = next(r for r in rows_of(engine) if r["text"].startswith("一、同意县交通局"))
    page_url = f"/meetings/{road['meeting_id']}"
    chief = app.test_client()
    _login(chief, "chief")
    page = chief.get(page_url).get_data(as_text=True)
    assert road["id"] in _form_items(page) and len(_form_items(page)) == 4  # (三个议定事项，一个遗留问题)
    assert "建议关闭" in page and "未完成" in page
    csrf = status_csrf(page)
    assert chief.post(f"/items/{road['id']}/status", data={"status": "done", "next": page_url}).status_code == 400
    answer = chief.post(f"/items/{road['id']}/status", data={
        "csrf": csrf, "status": "done", "note": "合同已签", "next": f"{page_url}#item-{road['id']}"})
    assert answer.status_code == 303 and unquote(answer.headers["Location"]) == f"{page_url}#item-{road['id']}"
    page = chief.get(page_url).get_data(as_text=True)
    status = re.search(rf'id="item-{road["id"]}">(.*?)</div>', page, re.S)[1]
    assert "已完成" in status and "合同已签" in status and "chief" in status and "建议关闭" not in status
    assert chief.get("/api/items?owner=县交通局").get_json()["items"][0]["status_note"] == "合同已签"
    entries = list(app.config["AUDIT"].read(event="item_status"))
    assert [(e["user"], e["item"], e["status"]) for e in entries] == [("chief", road["id"], "done")]

    reader = app.test_client()
    _login(reader, "reader")
    page = reader.get(page_url).get_data(as_text=True)
    assert "合同已签" in page and "set-status" not in page and not _form_items(page)
    assert reader.post(f"/items/{road['id']}/status", data={"csrf": csrf, "status": "open"}).status_code == 403
    # (a next= elsewhere is not followed)
    answer = chief.post(f"/items/{road['id']}/status", data={"csrf": csrf, "status": "done", "next": "//evil.example/"})
    assert answer.headers["Location"].endswith("/items")


def test_a_low_editor_has_no_form_for_restricted_minutes(served):
    _, engine, _, app = served
    secret = next(r for r in rows_of(engine) if "玄武" in r["text"])
    low = app.test_client()
    _login(low, "editor")
    assert low.get(f"/meetings/{secret['meeting_id']}").status_code == 404
    csrf = status_csrf(low.get("/items").get_data(as_text=True))
    assert low.post(f"/items/{secret['id']}/status", data={"csrf": csrf, "status": "done"}).status_code == 404
    chief = app.test_client()
    _login(chief, "chief")
    assert secret["id"] in _form_items(chief.get(f"/meetings/{secret['meeting_id']}").get_data(as_text=True))


@pytest.fixture(scope="module")
def demo(request, engine_kind):
    return engine_over(request, engine_kind, DEMO)


def test_every_item_of_the_demo_corpus_is_in_the_ledger_once(demo):
    service = SearchService(demo)
    rows = ledger(service, LedgerRequest(), {}, TODAY)
    meetings = {r["meeting_id"] for r in rows}
    recorded = [(mid, i["kind"], i["paragraph"], i["text"]) for mid in meetings for i in service.meeting(mid)["items"]]
    listed = [(r["meeting_id"], r["kind"], r["paragraph"], r["text"]) for r in rows]
    assert sorted(listed) == sorted(recorded) and len(set(r["id"] for r in rows)) == len(rows) >= 10
    # Deadlines written are resolved to dates (>= 0.9 of them), owners as written.
    written = [r for r in rows if r["due_text"]]
    assert len(written) >= 5 and sum(r["due"] is not None for r in written) >= 0.9 * len(written)
    assert sum(bool(r["owners_written"] or r["owners"]) for r in rows) >= 0.8 * len(rows)


REPORTED_IN_SECRET = """---
access: 秘密
---

# 某县人民政府专题会议纪要

时间：2024年5月10日

会议听取了城区学校校车安全检查工作汇报，县教育局校车安全检查已完成。
"""


def test_a_closing_suggestion_never_cites_minutes_the_viewer_may_not_read(request, engine_kind, tmp_path):
    folder = build(tmp_path / "c", secret=False)
    write(folder / "保密/专题会议.md", REPORTED_IN_SECRET)
    engine = engine_over(request, engine_kind, folder)

    def suggested(viewer):
        service = SearchService(engine).for_viewer(viewer)
        rows = ledger(service, LedgerRequest(), {}, TODAY)
        return {r["text"][:6]: r["suggest_close"]["meeting_title"] for r in rows if r["suggest_close"]}

    assert suggested(Viewer("carol", ("公开", "内部", "秘密"))) == {
        "一、同意县交": "某县人民政府第2次常务会议纪要", "二、会议要求": "某县人民政府专题会议纪要"}
    assert suggested(Viewer("alice", ("公开",))) == {"一、同意县交": "某县人民政府第2次常务会议纪要"}


def test_the_ledger_page_is_paged_and_its_summary_counts_every_row(demo, monkeypatch):
    import web.ledger
    monkeypatch.setattr(web.ledger, "PER_PAGE", 4)
    client = create_app(demo).test_client()
    every = client.get("/api/items").get_json()["items"]
    pages = -(-len(every) // 4)
    seen = []
    for n in range(1, pages + 1):
        page = client.get(f"/items?page={n}" if n > 1 else "/items").get_data(as_text=True)
        assert f"共 <strong>{len(every)}</strong> 项" in page and f"第 {n}/{pages} 页" in page
        seen += re.findall(r'<tr id="item-([0-9a-f]{16})"', page)
        assert ('rel="next"' in page) == (n < pages) and ('rel="prev"' in page) == (n > 1)
    assert seen == [r["id"] for r in every]  # (every row once, in the ledger's order)
    marked = client.get("/items?q=清水").get_data(as_text=True)
    assert "<mark>清水</mark>" in marked
    for bad in ("0", "x", "-1"):
        assert client.get(f"/items?page={bad}").status_code == 400
    past = client.get(f"/items?page={pages + 3}").get_data(as_text=True)  # (the last page)
    last_rows = re.findall(r'<tr id="item-([0-9a-f]{16})"', past)
    assert f"第 {pages}/{pages} 页" in past and last_rows and last_rows == seen[-len(last_rows):]


def test_the_ledger_is_built_once_per_generation_of_the_index(request, engine_kind, tmp_path):
    from archive.index.pipeline import ingest
    from archive.ledger.book import book_of
    folder = build(tmp_path / "c", secret=False)
    engine = engine_over(request, engine_kind, folder)
    service = SearchService(engine)
    first = book_of(service)
    assert book_of(service) is first and book_of(service.for_viewer(Viewer("alice", ("公开",)))) is first
    write(folder / "常务会议/第4次.md", "# 某县人民政府第4次常务会议纪要\n\n时间：2025年1月6日\n\n## 会议议定事项\n\n"
                                   "一、会议同意县文旅局提出的春节文化活动方案，1月20日前完成。责任单位：县文旅局。\n")
    ingest([folder], engine)
    again = book_of(service)
    assert again is not first and len(again.entries) == len(first.entries) + 1
    assert any(r["due"] == "2025-01-20" for r in ledger(service, LedgerRequest(), {}, TODAY))


def test_the_ledger_api_gives_pages_when_asked_and_every_row_otherwise(demo):
    client = create_app(demo).test_client()
    whole = client.get("/api/items?q=完成").get_json()
    assert "page" not in whole and whole["total"] == len(whole["items"]) >= 3
    seen = []
    for n in range(1, whole["total"] + 1):
        part = client.get(f"/api/items?q=完成&per_page=1&page={n}").get_json()
        assert (part["total"], part["page"], part["per_page"], part["pages"]) == (whole["total"], n, 1, whole["total"])
        seen += part["items"]
    assert seen == whole["items"]  # (the same rows, highlighted alike, in the same order)
    assert client.get(f"/api/items?q=完成&per_page=1&page={whole['total'] + 1}").get_json()["items"] == []
    first = client.get("/api/items?per_page=2").get_json()
    assert first["page"] == 1 and len(first["items"]) == 2
    for bad in ("page=0", "page=x", "per_page=0", "per_page=1001", "page=99999999"):
        answer = client.get(f"/api/items?{bad}")
        assert answer.status_code == 400 and "应为 1 到" in answer.get_json()["error"]
