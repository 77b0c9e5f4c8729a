"""GET /api/search: the JSON contract, with 400 and a reason for any bad parameter."""

from flask import Blueprint, current_app, jsonify, request

from archive.index.store import IndexMissing, IndexOutdated
from archive.search.request import BadRequest, SearchRequest

bp = Blueprint("api", __name__)


@bp.get("/api/search")
def search():
    try:
        req = SearchRequest.from_params(request.args)
    except BadRequest as exc:
        return jsonify(error=str(exc)), 400
    try:
        return jsonify(current_app.config["BACKEND"].search(req))
    except (IndexMissing, IndexOutdated) as exc:
        return jsonify(error=str(exc)), 503


@bp.get("/api/meetings/<meeting_id>")
def meeting(meeting_id: str):
    try:
        found = current_app.config["BACKEND"].meeting(meeting_id)
    except (IndexMissing, IndexOutdated) as exc:
        return jsonify(error=str(exc)), 503
    if found is None:
        return jsonify(error=f"没有这个会议：{meeting_id}"), 404
    return jsonify(found)
