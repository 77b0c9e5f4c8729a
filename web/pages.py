"""The search page, the meeting page and the CSV export: server-rendered, read-only, GET only."""

import re
from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, render_template, request

from archive.search.query import parse, positives
from archive.search.request import BadRequest

from . import minutes, sidebar
from .results import EXPORT_CHUNK, EXPORT_LIMIT, iter_hits, neighbours, to_csv
from .state import State
from .text import paragraph_number

bp = Blueprint("pages", __name__)

MEETING_ID = re.compile(r"^[0-9A-Za-z_.-]{1,100}$", re.ASCII)  # anything else is not an id: 404 unseen
_NUMBER = re.compile(r"^\d{1,7}$", re.ASCII)


def _backend():
    return current_app.config["BACKEND"]


@bp.get("/")
def search():
    state = State.from_args(request.args)
    req = state.request()
    result = _backend().search(req)
    page = {
        "state": state, "req": req, "result": result,
        "regions": sidebar.region_facet(state, result["facets"]["region"]),
        "topics": sidebar.topic_facet(state, result["facets"]["topic"]),
        "dates": sidebar.date_facet(state, result["facets"]["date"]),
        "chips": sidebar.chips(state), "clear_all": sidebar.clear_all(state),
        "sorts": sidebar.sort_links(state, req),
        "pages": sidebar.pagination(state, req.page, req.per_page, result["total"]),
        "first_rank": (req.page - 1) * req.per_page + 1,
        "export_limit": EXPORT_LIMIT, "hit_url": hit_url,
    }
    if result["total"] == 0 or result["relaxed"]:
        page.update(_help(state, req, result))
    return render_template("search.html", **page)


def _help(state: State, req, result) -> dict:
    """For no results: which filters to drop (with what each gives). For no results or a relaxed
    answer: a spelling correction of the words that match nothing."""
    backend = _backend()
    drops = []
    if not result["total"]:
        drops = [(chip, backend.search(state.without(*chip.removes).request().with_(per_page=1))["total"])
                 for chip in sidebar.chips(state)]
    suggestion = None
    unfiltered = req.with_(region="", topic="", date_from="", date_to="", month=None, page=1, per_page=1)
    if req.q.strip() and (result["relaxed"] or not backend.search(unfiltered)["total"]):
        fixed = backend.suggest(req.q)
        if fixed:
            count = backend.search(req.with_(q=fixed, page=1, per_page=1))["total"]
            suggestion = {"q": fixed, "url": state.url(q=fixed), "count": count} if count else None
    return {"drops": drops, "suggestion": suggestion}


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if not _NUMBER.match(raw):
        raise BadRequest(f"{name} 应为正整数：{raw!r}")
    return int(raw)


@bp.get("/meetings/<meeting_id>")
def meeting(meeting_id: str):
    if not MEETING_ID.match(meeting_id):
        abort(404)
    state = State.from_args(request.args)
    req = state.request()
    hit, pos = _int_arg("hit"), _int_arg("pos")
    info = _backend().meeting(meeting_id)
    if info is None:
        abort(404)
    tree = parse(req.q) if req.q.strip() else None
    # Came from a search (its words, filters or a hit's rank are in the URL): find the neighbours.
    searched = tree is not None or state.has_filters() or pos is not None
    around = neighbours(_backend(), req, meeting_id, hit, pos) if searched else None
    if around and hit is None:
        hit = paragraph_number(around["hit"]["id"])
    back_page = -(-around["pos"] // req.per_page) if around else 1
    return render_template(
        "meeting.html", state=state, req=req, m=info, hit=hit, around=around,
        body=minutes.render(info, hit, positives(tree) if tree is not None else ()),
        back=state.url(page=back_page) if searched else None, hit_url=hit_url,
    )


def hit_url(state: State, hit: dict, rank: int) -> str:
    """A hit on its meeting page, carrying the search and the hit's rank (for previous/next)."""
    n = paragraph_number(hit["id"])
    return state.url("pages.meeting", route={"meeting_id": hit["meeting_id"], "hit": n, "pos": rank}) + f"#p-{n}"


@bp.get("/export.csv")
def export():
    req = State.from_args(request.args).request()
    body = to_csv(iter_hits(_backend(), req.with_(page=1), limit=EXPORT_LIMIT, chunk=EXPORT_CHUNK))
    name = "会议记录检索" + (f"-{req.q.strip()[:30]}" if req.q.strip() else "") + ".csv"
    return Response(body.encode("utf-8"), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=\"archive-search.csv\"; filename*=UTF-8''{quote(name)}",
    })


