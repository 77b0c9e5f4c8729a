"""The search page, the meeting page and the CSV export: server-rendered, read-only, GET only."""

import hashlib
import hmac
import io
import os
import re
import stat
from urllib.parse import quote

from flask import Blueprint, Response, abort, render_template, request, send_file
from werkzeug.security import safe_join

from archive.errors import BadRequest

from . import card, minutes, sidebar
from .auth import service
from .results import EXPORT_LIMIT, to_csv
from .state import State
from .text import paragraph_number

bp = Blueprint("pages", __name__)

MEETING_ID = re.compile(r"^[0-9A-Za-z_.-]{1,100}$", re.ASCII)  # anything else is not an id: 404 unseen
_NUMBER = re.compile(r"^\d{1,7}$", re.ASCII)


@bp.get("/")
def search():
    state = State.from_args(request.args)
    req = state.request()
    result = service().search(req)
    page = {
        "state": state, "req": req, "result": result,
        "regions": sidebar.region_facet(state, result["facets"]["region"]),
        "facets": sidebar.value_facets(state, result),
        "dates": sidebar.date_facet(state, result["facets"]["date"]),
        "chips": sidebar.chips(state), "clear_all": sidebar.clear_all(state),
        "sorts": sidebar.sort_links(state, req),
        "pages": sidebar.pagination(state, req.page, req.per_page, result["total"]),
        "first_rank": (req.page - 1) * req.per_page + 1,
        "export_limit": EXPORT_LIMIT, "hit_url": hit_url,
    }
    if result["suggestion"]:
        page["suggestion"] = {**result["suggestion"], "url": state.url(q=result["suggestion"]["q"])}
    if result["drops"]:
        by_params = {chip.removes: chip for chip in sidebar.chips(state)}
        page["drops"] = [(by_params[tuple(d["params"])], d["total"]) for d in result["drops"] if d["total"]]
    return render_template("search.html", **page)


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
    info = service().meeting(meeting_id)
    if info is None:
        abort(404)
    marks = service().marks(req.q)
    # Came from a search (its words or filters, or a hit's rank in a list of everything, are in the URL).
    searched = marks is not None or state.has_filters() or pos is not None
    around = service().neighbours(req, meeting_id, hit) if searched else None
    if around and hit is None:
        hit = paragraph_number(around["hit"]["id"])
    back_page = -(-around["pos"] // req.per_page) if around else 1
    return render_template(
        "meeting.html", state=state, req=req, m=info, hit=hit, around=around,
        fields=card.rows(info), outcomes=card.outcomes(info),
        body=minutes.render(info, hit, marks or ()),
        back=state.url(page=back_page) if searched else None, hit_url=hit_url,
        originals=_original_files(meeting_id, len(info.get("copies", ()))),
    )


def _original_files(meeting_id: str, copies: int) -> list[tuple[int, str]]:
    """(0 for the file a meeting was read from, n for its n-th copy; the file's path) of those still where
    their ingest found them (the page links them; the download checks their content too)."""
    found = [(n, service().original(meeting_id, n)) for n in range(copies + 1)]
    return [(n, f[1]) for n, f in found if f is not None and checked_original(*f)[0]]


def checked_original(root: str, source: str, digest: str, content: bool = False) -> tuple:
    """(path, its bytes if `content`, "") when the file is still the one ingested: a regular file inside the
    corpus folder (joined safely from the folder and the source the index holds, never from the URL; no
    symbolic link on the way) whose SHA-256 is the one recorded at ingest; else (None, None, why not)."""
    path = safe_join(root, source)
    if path is None or os.path.realpath(path) != os.path.join(os.path.realpath(root), os.path.normpath(source)):
        return None, None, "原文已不在导入时的位置，或是指向别处的符号链接。"
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None, None, "原文已被移动或删除。"
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            return None, None, "原文不是普通文件。"
        if not content:
            return path, None, ""
        data = f.read()  # (what is checked is what is sent: read once)
    if not digest or not hmac.compare_digest(hashlib.sha256(data).hexdigest(), digest):
        return None, None, "原文在导入后已被修改：请重新导入后再下载。"
    return path, data, ""


@bp.get("/meetings/<meeting_id>/original")
def original(meeting_id: str):
    """The file a meeting was read from (原文下载), as an attachment with its UTF-8 name; 404 with the
    reason when it is gone, moved out, replaced by a link or changed since its ingest."""
    copy = _int_arg("copy") or 0  # (the same minutes in another file)
    if not MEETING_ID.match(meeting_id):
        abort(404)
    found = service().original(meeting_id, copy)
    if found is None:
        abort(404)
    _, data, why = checked_original(*found, content=True)
    if data is None:
        abort(404, why)
    name = found[1].rsplit("/", 1)[-1]
    return send_file(io.BytesIO(data), as_attachment=True, download_name=name, max_age=0)


def hit_url(state: State, hit: dict, rank: int) -> str:
    """A hit on its meeting page, carrying the search and the hit's rank (for previous/next)."""
    n = paragraph_number(hit["id"])
    return state.url("pages.meeting", route={"meeting_id": hit["meeting_id"], "hit": n, "pos": rank}) + f"#p-{n}"


@bp.get("/export.csv")
def export():
    req = State.from_args(request.args).request()
    body = to_csv(service().export(req, limit=EXPORT_LIMIT))
    name = "会议记录检索" + (f"-{req.q.strip()[:30]}" if req.q.strip() else "") + ".csv"
    return Response(body.encode("utf-8"), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=\"archive-search.csv\"; filename*=UTF-8''{quote(name)}",
    })


