"""The ledger of decisions and open items (archive/ledger, web/ledger.py, `archive items`), on every engine.

Minutes of our own: a 常务会议 series of three meetings whose 议定事项 carry 责任单位/责任人 and 完成时限
(the second reports one item done), the conftest's county minutes, and a 秘密 meeting whose items a
low-level reader must never see (rows, counts, CSV, feed, status changes).
"""

import csv
import io
import json
import re
from dataclasses import replace
from datetime import date
from urllib.parse import unquote

import pytest

from archive.access.levels import Viewer
from archive.cli import main
from archive.home import Archive
from archive.index.pipeline import ingest
from archive.ledger.deadlines import resolve, written
from archive.ledger.export import COLUMNS
from archive.ledger.book import ledger
from archive.ledger.items import LedgerRequest, owners_written
from archive.ledger.status import StatusBook
from archive.search.service import SearchService
from web import create_app

from .conftest import COUNTY_MINUTES, cli_args, engine_over, write

SERIES = {
    "常务会议/第1次.md": """# 某县人民政府第1次常务会议纪要

时间：2024年3月5日
地点：县政府三楼会议室
主持人：张明华
出席：李建国、王芳、赵强

## 会议议定事项

一、同意县交通局提出的农村公路养护方案，由县交通局牵头，3月底前完成养护招标。责任单位：县交通局。

二、会议要求县教育局4月15日前完成城区学校校车安全检查，责任人：王芳。

三、会议同意县水务局编制河长制年度考核办法，2024年6月30日前印发实施。责任单位：县水务局、县财政局。

## 遗留问题

县城垃圾中转站选址问题，责任人：赵强，完成时限：下周五前。
""",
    "常务会议/第2次.md": """# 某县人民政府第2次常务会议纪要

时间：2024年4月20日
地点：县政府三楼会议室
主持人：张明华
出席：李建国、王芳、赵强

会议听取了上次会议议定事项落实情况的汇报。农村公路养护招标工作已完成，县交通局已与中标单位签订合同。

## 会议议定事项

一、会议同意县卫健委提出的乡镇卫生院设备更新计划，6月底前完成采购。责任单位：县卫健委。

二、会议决定成立县城垃圾分类工作专班，由李建国任组长。
""",
    "常务会议/第3次.md": """# 某县人民政府第3次常务会议纪要

时间：2024年12月20日
主持人：张明华

## 会议议定事项

一、会议同意县发改委牵头编制下一年度重点项目计划，1月15日前报县政府。责任单位：县发改委。
""",
}
SECRET = """---
access: 秘密
---

# 某县国防动员工作会议纪要

时间：2024年5月6日
主持人：赵守密

## 会议议定事项

一、同意玄武晶石项目保密方案，5月31日前完成。责任单位：县玄武办。

## 遗留问题

玄武晶石仓储选址，责任人：赵守密，完成时限：6月15日前。
"""
TODAY = date(2024, 5, 1)
PASSWORD = "correct horse 1"


def build(folder, secret: bool = True):
    for name, text in SERIES.items():
        write(folder / name, text)
    write(folder / "县/彭泽.md", COUNTY_MINUTES)
    if secret:
        write(folder / "保密/国防动员.md", SECRET)
    return folder


@pytest.fixture(scope="module")
def archive(request, engine_kind, tmp_path_factory):
    """(engine with the secret meeting, engine without it) of one kind."""
    full = engine_over(request, engine_kind, build(tmp_path_factory.mktemp("ledger")))
    public = engine_over(request, engine_kind, build(tmp_path_factory.mktemp("ledger-public"), secret=False))
    return full, public


def rows_of(engine, params=None, viewer=None, statuses=None):
    service = SearchService(engine) if viewer is None else SearchService(engine).for_viewer(viewer)
    return ledger(service, LedgerRequest.from_params(params or {}), statuses or {}, TODAY)


def test_deadlines_resolve_against_the_meeting_date():
    held = {"year": 2024, "month": 3, "day": 5}  # a Tuesday
    cases = {"3月底前": "2024-03-31", "4月15日前": "2024-04-15", "2024年6月30日前": "2024-06-30",
             "6月底前": "2024-06-30", "下周五前": "2024-03-15", "本周五前": "2024-03-08", "4月底": "2024-04-30",
             "十二月底前": "2024-12-31", "5月中旬前": "2024-05-20", "年底前": "2024-12-31", "10个工作日内": "2024-03-19",
             "15日内": "2024-03-20", "月底前": "2024-03-31"}
    for text, expected in cases.items():
        assert str(resolve(text, held)) == expected, text
    assert str(resolve("1月15日前", {"year": 2024, "month": 12, "day": 20})) == "2025-01-15"  # the next January
    for text in ("尽快", "下次例会前", "另行研究"):
        assert resolve(text, held) is None
    assert resolve("4月15日前", None) is None and str(resolve("2024年6月30日前", None)) == "2024-06-30"
    assert resolve("4月15日前", {"year": None, "month": 3, "day": 5}) is None
    assert written("请县水务局于6月底前报送，逾期通报") == "6月底前" and written("会议同意该方案") is None


def test_owners_as_written():
    assert owners_written("由县交通局牵头，3月底前完成。责任单位：县交通局、县财政局。") == ["县交通局", "县财政局"]
    assert owners_written("邵文涛：6月19日前修复回归测试。") == ["邵文涛"]
    assert owners_written("加装电梯意见征集，责任人：孙建华、郭敏，5月20日前完成。") == ["孙建华", "郭敏"]
    assert owners_written("由孙建华、郭敏在5月20日前逐户上门听取意见") == ["孙建华", "郭敏"]
    assert owners_written("产权问题由县住建局会同东关街道调查核实") == ["县住建局"]
    assert owners_written("轮值表由彭一鸣起草，下次例会审议。") == ["彭一鸣"]
    assert owners_written("由于天气原因在5月前无法完成，由县气象局负责通报。") == ["县气象局"]
    assert owners_written("理由是在5月底前已完成") == []


def test_every_item_appears_once_with_its_deadline_owners_and_meeting(archive):
    full, _ = archive
    rows = rows_of(full)
    service = SearchService(full)
    expected = sum(len(service.meeting(mid)["items"]) for mid in {r["meeting_id"] for r in rows})
    assert len(rows) == expected == 12 and len({r["id"] for r in rows}) == 12
    by_text = lambda start: next(r for r in rows if r["text"].startswith(start))  # noqa: E731
    road = by_text("一、同意县交通局")
    assert road["due"] == "2024-03-31" and road["owners_written"] == ["县交通局"] and road["kind"] == "decision"
    assert road["meeting_title"] == "某县人民政府第1次常务会议纪要" and road["meeting_date"]["month"] == 3
    assert road["overdue"] and road["status"] == "open"
    assert by_text("县城垃圾中转站")["due"] == "2024-03-15"
    assert by_text("县城垃圾中转站")["owners"] == ["赵强"]
    assert by_text("一、会议同意县发改委")["due"] == "2025-01-15"
    assert by_text("三、会议同意县水务局")["owners_written"] == ["县水务局", "县财政局"]
    with_deadline = [r for r in rows if r["due_text"]]
    assert sum(r["due"] is not None for r in with_deadline) >= 0.9 * len(with_deadline) and len(with_deadline) >= 9


def test_filters_and_sorts_give_the_rows_a_hand_list_gives(archive):
    full, _ = archive
    texts = lambda params: [r["text"][:6] for r in rows_of(full, params)]  # noqa: E731
    assert texts({"owner": "县水务局"}) == ["三、会议同意"]
    assert texts({"owner": "王芳"}) == ["二、会议要求"]
    assert texts({"due_before": "2024-04-15"}) == ["县城垃圾中转", "一、同意县交", "二、会议要求"]
    assert texts({"status": "overdue"}) == texts({"due_before": "2024-04-30"})
    assert {r["kind"] for r in rows_of(full, {"kind": "action"})} == {"action"}
    assert len(rows_of(full, {"kind": "action"})) == 3
    found = rows_of(full, {"q": "河长制"})
    assert len(found) == 1 and "<mark>河长制</mark>" in found[0]["highlight"]
    assert {r["meeting_title"] for r in rows_of(full, {"from": "2024-04", "to": "2024-04"})} == {"某县人民政府第2次常务会议纪要"}
    by_date = rows_of(full, {"sort": "date"})
    keys = [(r["meeting_date"]["year"], r["meeting_date"]["month"], r["meeting_date"]["day"]) for r in by_date]
    assert keys == sorted(keys, reverse=True)
    dues = [r["due"] for r in rows_of(full) if r["due"]]
    assert dues == sorted(dues) and rows_of(full)[-1]["due"] is None  # (no deadline: last)
    for bad in ({"sort": "x"}, {"status": "later"}, {"due_before": "2024-13"}):
        with pytest.raises(Exception, match="应为|日期|不存在"):
            LedgerRequest.from_params(bad)


def test_the_search_filters_give_the_rows_a_hand_list_gives(archive):
    full, _ = archive
    texts = lambda params: [r["text"][:6] for r in rows_of(full, params)]  # noqa: E731
    # 彭泽's meeting: its one deadline first, then the two without one in the order written.
    assert texts({"region": "彭泽"}) == texts({"topic": "森林防火"}) == ["护林员培训方", "一、同意县林", "二、由县财政"]
    # 赵强 took part in the 1st and 2nd 常务会议 and 彭泽's (4 + 2 + 3 items), not the 3rd or the secret one.
    attended = rows_of(full, {"person": "赵强"})
    assert len(attended) == 9 and {r["meeting_title"] for r in attended} == {
        "某县人民政府第1次常务会议纪要", "某县人民政府第2次常务会议纪要", "某县人民政府常务会议纪要"}
    assert texts({"q": "垃圾"}) == ["县城垃圾中转", "二、会议决定"]
    assert texts({"q": "垃圾", "kind": "decision", "sort": "date"}) == ["二、会议决定"]
    assert texts({"q": "垃圾", "owner": "赵强"}) == ["县城垃圾中转"]


def test_a_later_report_suggests_closing_but_changes_nothing(archive):
    full, _ = archive
    from archive.ledger.status import Status
    service = SearchService(full)
    rows = ledger(service, LedgerRequest(), {}, TODAY)
    suggested = [r for r in rows if r["suggest_close"]]
    assert [r["text"][:6] for r in suggested] == ["一、同意县交"]
    assert suggested[0]["suggest_close"]["meeting_title"] == "某县人民政府第2次常务会议纪要"
    assert "已完成" in suggested[0]["suggest_close"]["text"] and suggested[0]["status"] == "open"
    closed = ledger(service, LedgerRequest(), {suggested[0]["id"]: Status("done")}, TODAY)
    assert not any(r["suggest_close"] for r in closed)  # (a closed item needs no suggestion)


def test_a_low_level_reader_sees_no_item_of_restricted_minutes(archive):
    full, public = archive
    reader = Viewer("alice", ("公开",))
    for params in ({}, {"q": "玄武晶石"}, {"owner": "赵守密"}, {"kind": "action"}, {"status": "overdue"}):
        seen = rows_of(full, params, reader)
        assert [r["id"] for r in seen] == [r["id"] for r in rows_of(public, params)]
        assert "玄武" not in json.dumps(seen, ensure_ascii=False)
    assert any("玄武" in r["text"] for r in rows_of(full, {}, Viewer("carol", ("公开", "内部", "秘密"))))


def _login(client, name):
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)[1]
    assert client.post("/login", data={"csrf": csrf, "name": name, "password": PASSWORD, "next": "/"}).status_code == 303


def status_csrf(page: str) -> str:
    return re.search(r'class="set-status".*?name="csrf" value="([0-9a-f]+)"', page, re.S)[1]


@pytest.fixture()
def served(request, engine_kind, tmp_path_factory):
    """A fresh archive of the ledger's minutes and its app (login required) with a reader, a 公开 editor, a
    秘密 editor and an admin."""
    corpus = build(tmp_path_factory.mktemp("served"))
    engine = engine_over(request, engine_kind, corpus)
    store = Archive(engine).store
    for name, role, level in (("reader", "reader", "秘密"), ("editor", "editor", "公开"),
                              ("chief", "editor", "秘密"), ("root", "admin", "公开")):
        store.add(name, PASSWORD, role, level)
    # (Its own audit log: on PostgreSQL the default is the user's, shared by the session's databases.)
    config = replace(Archive(engine).config, audit_log=str(tmp_path_factory.mktemp("audit") / "audit.jsonl"))
    return corpus, engine, store, create_app(engine, mode="network", store=store, config=config)


def test_an_editor_sets_status_a_reader_cannot_and_the_audit_log_has_it(served):
    corpus, engine, store, app = served
    client = app.test_client()
    _login(client, "chief")
    page = client.get("/items?owner=县交通局").get_data(as_text=True)
    item = re.search(r'action="/items/([0-9a-f]{16})/status"', page)[1]
    csrf = status_csrf(page)
    assert client.post(f"/items/{item}/status", data={"status": "done", "note": "已签合同"}).status_code == 400
    answer = client.post(f"/items/{item}/status", data={"csrf": csrf, "status": "done", "note": "已签合同",
                                                        "next": "/items?owner=县交通局"})
    assert answer.status_code == 303 and unquote(answer.headers["Location"]) == "/items?owner=县交通局"
    assert client.post(f"/items/{item}/status", data={"csrf": csrf, "status": "finished"}).status_code == 400
    row = client.get("/api/items?owner=县交通局").get_json()["items"][0]
    assert (row["status"], row["status_note"], row["status_by"], row["overdue"]) == ("done", "已签合同", "chief", False)
    entries = list(app.config["AUDIT"].read(event="item_status"))
    assert [(e["user"], e["item"], e["status"], e["note"]) for e in entries] == [("chief", item, "done", "已签合同")]

    reader = app.test_client()
    _login(reader, "reader")
    page = reader.get("/items").get_data(as_text=True)
    assert "set-status" not in page and "已签合同" in page
    assert reader.post(f"/items/{item}/status", data={"csrf": csrf, "status": "open"}).status_code == 403
    assert app.test_client().post(f"/items/{item}/status", data={"status": "open"}).status_code == 401
    assert StatusBook(store).get(item).status == "done"

    # A status survives `archive ingest --rebuild`; an item whose text changes is a new, open item.
    assert main(["ingest", str(corpus), "--rebuild", *cli_args(engine)]) == 0
    assert client.get("/api/items?owner=县交通局").get_json()["items"][0]["status"] == "done"
    text = SERIES["常务会议/第1次.md"].replace("3月底前完成养护招标", "4月底前完成养护招标")
    write(corpus / "常务会议/第1次.md", text)
    ingest([corpus], engine)
    assert client.get("/api/items?owner=县交通局").get_json()["items"][0]["status"] == "open"


def test_editors_change_only_items_they_may_read(served):
    _, engine, store, app = served
    secret = next(r for r in rows_of(engine) if "玄武" in r["text"])
    low = app.test_client()
    _login(low, "editor")
    page = low.get("/items").get_data(as_text=True)
    csrf = status_csrf(page)
    assert "玄武" not in page and secret["id"] not in page
    assert low.post(f"/items/{secret['id']}/status", data={"csrf": csrf, "status": "done"}).status_code == 404
    token = store.new_token("root")  # (an API token: no CSRF form, the admin reads every level)
    answer = app.test_client().post(f"/api/items/{secret['id']}/status", data={"status": "dropped"},
                                    headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200 and answer.get_json()["status"] == "dropped"


def test_low_level_answers_of_every_front_hold_no_restricted_item(archive, tmp_path):
    full, public = archive
    from archive.access.levels import parse_config
    from archive.access.store import SQLiteStore
    store = SQLiteStore(tmp_path)
    store.add("alice", PASSWORD, "reader", "公开")
    client = create_app(full, mode="network", store=store, config=parse_config({}, "test")).test_client()
    _login(client, "alice")
    open_rows = rows_of(public)
    for path in ("/items", "/api/items", "/items.csv", "/items.atom", "/api/items?kind=action", "/items?status=overdue"):
        body = client.get(path).get_data(as_text=True)
        assert "玄武" not in body and "赵守密" not in body, path
    assert client.get("/api/items").get_json()["total"] == len(open_rows)
    assert client.get("/api/items?q=玄武晶石").get_json()["total"] == 0
    assert "共 <strong>0</strong> 项" in client.get("/items?owner=赵守密").get_data(as_text=True)


def test_csv_opens_in_excel_with_chinese_intact(archive):
    full, _ = archive
    client = create_app(full).test_client()
    answer = client.get("/items.csv?kind=decision")
    raw = answer.get_data()
    assert answer.mimetype == "text/csv" and raw.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert tuple(table[0]) == COLUMNS and all(len(row) == len(COLUMNS) for row in table)
    assert len(table) - 1 == len(rows_of(full, {"kind": "decision"}))
    road = next(row for row in table if row[2].startswith("一、同意县交通局"))
    assert road[1] == "决定事项" and road[3] == "县交通局" and road[6] == "2024-03-31"
    assert "建议关闭" == table[0][-1] and "已完成" in road[-1]


def test_feed_and_page_of_the_ledger(archive):
    full, _ = archive
    client = create_app(full).test_client()
    import feedparser
    parsed = feedparser.parse(client.get("/items.atom").get_data())
    assert not parsed.bozo and len(parsed.entries) == len(rows_of(full))
    assert len({e.id for e in parsed.entries}) == len(parsed.entries)
    page = client.get("/items?q=<script>alert(1)</script>").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    page = client.get("/items").get_data(as_text=True)
    assert "逾期" in page and "建议关闭" in page and "set-status" not in page  # (no login on loopback: no editor)
    assert client.get("/items?sort=nope").status_code == 400 and client.get("/api/items?status=x").status_code == 400


def test_archive_items_on_the_command_line(archive, capsys):
    full, _ = archive
    assert main(["items", "--owner", "县水务局", *cli_args(full)]) == 0
    out = capsys.readouterr().out
    assert "共 1 项事项" in out and "截止 2024-06-30" in out and "河长制" in out
    assert main(["items", "--csv", "--kind", "action", *cli_args(full)]) == 0
    table = list(csv.reader(io.StringIO(capsys.readouterr().out.lstrip("\ufeff"))))
    assert tuple(table[0]) == COLUMNS and len(table) == 1 + len(rows_of(full, {"kind": "action"}))
    assert main(["items", "--due-before", "2024-99", *cli_args(full)]) == 2
