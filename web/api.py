"""GET /api/search and /api/meetings/<id>: the JSON contract (archive/search/contract.py).

A bad parameter is 400 with the reason, no index 503: see the error handlers in web/__init__.py.
"""

from flask import Blueprint, jsonify, request

from archive.search.request import SearchRequest

from .auth import service
from .pages import MEETING_ID

bp = Blueprint("api", __name__)


@bp.get("/api/search")
def search():
    return jsonify(service().search(SearchRequest.from_params(request.args)))


@bp.get("/api/meetings/<meeting_id>")
def meeting(meeting_id: str):
    # What the page takes for an id, nothing else reaches the engine (PostgreSQL text cannot even hold NUL).
    found = service().meeting(meeting_id) if MEETING_ID.match(meeting_id) else None
    if found is None:
        return jsonify(error=f"没有这个会议：{meeting_id}"), 404
    return jsonify(found)
