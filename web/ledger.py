"""The ledger of decisions and open items: /items (page), /api/items (JSON), /items.csv, /items.atom,
and POST /items/<id>/status (an editor or admin sets open / done / dropped, with a note, from the ledger
or from the meeting page, whose items show their status: meeting_statuses).

Rows come from archive/ledger over the request's service (web/auth.py service()), so a viewer
sees only items of minutes they may read, in every one of these answers. A status change needs the
role editor or admin (403 otherwise; also on loopback without users, where nobody is logged in) and,
from a browser, a CSRF token: an HMAC of the session under the store's secret, as logout has it.
"""

import hashlib
import hmac
import re
import xml.etree.ElementTree as ET
from datetime import date
from urllib.parse import quote

from flask import Blueprint, Response, current_app, g, jsonify, make_response, redirect, render_template, request, \
    url_for

from archive import facets
from archive.errors import BadRequest
from archive.ledger.book import ledger, mark, meeting_rows, readable_item
from archive.ledger.export import to_csv
from archive.ledger.items import KIND_NAMES, LedgerRequest
from archive.ledger.status import STATUSES, StatusBook

from .auth import service
from .feed import ATOM, EPOCH, TAG_DATE, _add
from .state import read_param

bp = Blueprint("ledger", __name__)

EDITORS = ("editor", "admin")
OWN_PARAMS = ("owner", "due_before", "status", "sort")  # beside a search's q, facets, from and to
ITEM_ID = re.compile(r"^[0-9a-f]{16}$")
FEED_ENTRIES = 50
PER_PAGE = 100  # rows of a page of /items (and of /api/items when it is asked for pages)
API_MAX_PER_PAGE = 1000


def _book() -> StatusBook:
    return StatusBook(current_app.config["ACCESS_STORE"])


def _params() -> dict:
    names = ("q", *(f.param for f in facets.filtered()), "from", "to", *OWN_PARAMS)
    return {k: value for k in names if (value := read_param(request.args, k).strip())}  # (kind= is role=)


def _rows(params: dict, marked: bool = False) -> tuple[LedgerRequest, list[dict]]:
    """The request's rows with statuses and closing suggestions; highlighted when `marked` (the JSON)."""
    req = LedgerRequest.from_params(params)
    rows = ledger(service(), req, _book().all(), marked=marked)
    return req, rows


def may_edit() -> bool:
    return g.get("viewer") is not None and g.viewer.role in EDITORS


def status_token() -> str:
    """The CSRF token of the status forms: an HMAC of the session (none without one)."""
    sid = g.get("session_id", "")
    secret = current_app.config["ACCESS_STORE"].secret()
    return hmac.new(secret, f"status:{sid}".encode(), hashlib.sha256).hexdigest() if sid else ""


def meeting_statuses(meeting_id: str) -> dict[tuple, dict]:
    """The ledger rows of a meeting's items the viewer may read, by (kind, paragraph, text): the meeting
    page shows each item's status (and an editor's form) beside it."""
    rows = meeting_rows(service(), meeting_id, _book().all())
    return {(r["kind"], r["paragraph"], r["text"]): r for r in rows}


@bp.app_context_processor
def meeting_page_globals() -> dict:
    """What the meeting page's items need of the ledger (templates/item_status.html)."""
    return {"meeting_statuses": meeting_statuses, "may_edit_status": may_edit, "item_statuses": STATUSES}


def item_url(row: dict) -> str:
    n = row["paragraph"]
    return url_for("pages.meeting", meeting_id=row["meeting_id"], hit=n) + f"#p-{n}"


@bp.get("/items")
def page():
    params = _params()
    req, rows = _rows(params)
    number = _page_number(len(rows))
    shown = rows[(number - 1) * PER_PAGE:number * PER_PAGE]
    mark(shown, req.search.q)
    sorts = [(key, label, url_for("ledger.page", **{**params, "sort": key}))
             for key, label in (("due", "按截止日期"), ("date", "按会议日期"))]
    carried = [f.param for f in facets.filtered() if f.name != "role"] + ["sort"]  # (the form's own: role)
    return render_template("items.html", params=params, req=req, rows=shown, total=len(rows), sorts=sorts,
                           kinds=KIND_NAMES, carried=carried, pages=_pages(params, number, len(rows)),
                           statuses=STATUSES, may_edit=may_edit(), item_url=item_url, q=req.search.q,
                           overdue=sum(r["overdue"] for r in rows), next=request.full_path.rstrip("?"))


def _page_number(total: int) -> int:
    """The page= of the ledger (1 …; 400 for what is not a number); past the last, the last (a status
    change may have taken the rows of the page it was made on out of the filter)."""
    return min(_positive("page", "1", 999_999), max(1, -(-total // PER_PAGE)))


def _pages(params: dict, number: int, total: int) -> dict | None:
    """Links to the ledger's other pages (the first, the last and two either side of this one)."""
    last = -(-total // PER_PAGE)
    if last <= 1:
        return None
    url = lambda n: url_for("ledger.page", **params, **({"page": n} if n > 1 else {}))  # noqa: E731
    shown, links, before = sorted({1, last, *range(max(1, number - 2), min(last, number + 2) + 1)}), [], 0
    for n in shown:
        if n - before > 1:
            links.append(None)  # (a gap: …)
        links.append({"label": n, "url": url(n), "current": n == number})
        before = n
    return {"prev": url(number - 1) if number > 1 else None, "next": url(number + 1) if number < last else None,
            "links": links, "number": number, "last": last}


@bp.get("/api/items")
def api():
    """Every row, or with page= / per_page= one page of them (`page`, `per_page` and `pages` then say
    where it is); only the rows sent are highlighted."""
    req, rows = _rows(_params())
    total, paged = len(rows), {}
    if "page" in request.args or "per_page" in request.args:
        per_page = _positive("per_page", str(PER_PAGE), API_MAX_PER_PAGE)
        pages = max(1, -(-total // per_page))
        number = _positive("page", "1", 999_999)
        rows, paged = rows[(number - 1) * per_page:number * per_page], {
            "page": number, "per_page": per_page, "pages": pages}
    mark(rows, req.search.q)
    return jsonify(total=total, today=date.today().isoformat(), **paged, items=rows)


def _positive(name: str, default: str, high: int) -> int:
    """A whole number 1 … high from the query string (400 otherwise)."""
    text = request.args.get(name, default).strip() or default
    if not text.isdigit() or len(text) > 7 or not 1 <= int(text) <= high:
        raise BadRequest(f"{name} 应为 1 到 {high} 之间的整数：{text!r}")
    return int(text)


@bp.get("/items.csv")
def csv():
    _, rows = _rows(_params())
    name = quote("督办台账.csv")
    return Response(to_csv(rows).encode("utf-8"), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=\"items.csv\"; filename*=UTF-8''{name}"})


@bp.get("/items.atom")
def atom():
    """New items: those of the meetings ingested last first, up to FEED_ENTRIES."""
    _, rows = _rows(_params())
    rows = sorted(rows, key=lambda r: r["ingested"] or EPOCH, reverse=True)[:FEED_ENTRIES]
    root = request.host_url.rstrip("/")
    doc = ET.Element(f"{{{ATOM}}}feed")
    _add(doc, "id", request.url)
    _add(doc, "title", "会议记录检索：督办台账")
    _add(doc, "updated", max((r["ingested"] or EPOCH for r in rows), default=EPOCH))
    _add(_add(doc, "author"), "name", "会议记录检索")
    _add(doc, "link", rel="self", type="application/atom+xml", href=request.url)
    _add(doc, "link", rel="alternate", type="text/html", href=root + url_for("ledger.page", **_params()))
    host = request.host.split(":")[0] or "localhost"
    for r in rows:
        entry = _add(doc, "entry")
        _add(entry, "id", f"tag:{host},{TAG_DATE}:item:{r['id']}")
        _add(entry, "title", f"【{KIND_NAMES[r['kind']]}】{r['text'][:60]}")
        _add(entry, "updated", r["ingested"] or EPOCH)
        _add(entry, "link", rel="alternate", type="text/html", href=root + item_url(r))
        facts = [f"责任：{'、'.join(r['owners_written'] or r['owners'])}" if r["owners_written"] or r["owners"] else "",
                 f"截止：{r['due']}" if r["due"] else "", f"会议：{r['meeting_title']}"]
        _add(entry, "content", "\n".join([r["text"]] + [f for f in facts if f]), type="text")
    return Response(ET.tostring(doc, encoding="utf-8", xml_declaration=True), mimetype="application/atom+xml")


def _refused(status: int, title: str, reason: str):
    if request.path.startswith("/api/"):
        return make_response(jsonify(error=reason), status)
    return make_response(render_template("error.html", status=status, title=title, reason=reason, q=""), status)


@bp.post("/items/<item_id>/status")
def set_status(item_id: str):
    return _set_status(item_id)


@bp.post("/api/items/<item_id>/status")
def api_set_status(item_id: str):
    return _set_status(item_id)


def _set_status(item_id: str):
    if not may_edit():
        return _refused(403, "没有权限", "只有编辑（editor）或管理员可以更改事项状态：请用这样的账号登录。")
    if not request.headers.get("Authorization"):  # (a browser's form: the session's CSRF token)
        token = status_token()
        if not token or not hmac.compare_digest(token, request.form.get("csrf", "")):
            return _refused(400, "请求有误", "表单已过期或来源不明，请刷新页面后重试。")
    row = readable_item(service(), item_id) if ITEM_ID.match(item_id) else None
    if row is None:  # (an item of minutes the viewer may not read is not confirmed to exist)
        return _refused(404, "找不到事项", f"没有这个事项：{item_id}")
    try:
        given = _book().set(item_id, request.form.get("status", ""), request.form.get("note", ""), g.viewer.name,
                            current_app.config["AUDIT"], request.remote_addr or "")
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
    if request.path.startswith("/api/"):
        return jsonify(id=item_id, status=given.status, note=given.note, who=given.who, at=given.at)
    target = request.form.get("next", "")
    back = target.startswith(("/items", "/meetings/")) and not target.startswith("//")
    return redirect(target if back else url_for("ledger.page"), 303)
