"""The ledger's rows: every decision and open item the search finds, joined to its meeting.

Rows come from the search service (SearchService.export of the paragraphs that record a decision
or an open item, under a query and filters; book.py keeps those of the whole archive per generation).
Each paragraph is joined to its meeting's `items` (owners, deadline as written); the deadline is
resolved to a date (deadlines.py); the status people keep (status.py) is added per request.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from .. import facets
from ..errors import BadRequest
from ..extract.fields import person_name, split_people
from ..search.highlight import highlight
from ..search.request import SearchRequest, date_bound
from .deadlines import resolve, written
from .status import STATUSES, Status, item_id

LIMIT = 5000  # paragraphs of each kind read for one ledger
SORTS = ("due", "date")  # by deadline (none last), or by meeting date (newest first)
STATUS_FILTERS = (*STATUSES, "overdue")
KIND_NAMES = facets.ROLES  # an item's kind is the role of its paragraph (archive/facets.py)

# Owners as written: `责任单位：县林草局、各乡镇人民政府`, `由县住建局牵头`, `邵文涛：6月19日前…`.
_LABELLED = re.compile(r"(?:责任人|负责人|牵头人|责任单位|牵头单位|承办单位|责任部门|配合单位)\s*[:：]\s*"
                       r"([^。；;，,\n|]{1,60}?)(?=\s*(?:[。；;，,\n|]|完成|于\s*\d|$))")
# `由X牵头/负责/会同…/起草/安排/任组长`, `由X在5月20日前…` (not 由于, 由此, 理由, 自由).
_LED_BY = re.compile(r"(?<![自理缘])由(?![于此来])([^，,。；;由]{2,24}?)"
                     r"(?:牵头|负责|统筹|组织|会同|起草|安排|任组长|(?:在|于)\s*[0-9一二三四五六七八九十下本]{1,4}[月周日])")
_LEADING_NAME = re.compile(r"^([\u4e00-\u9fff·]{2,4})[:：]")


@dataclass(frozen=True)
class LedgerRequest:
    search: SearchRequest = field(default_factory=SearchRequest)
    owner: str = ""
    due_before: str = ""   # YYYY, YYYY-MM or YYYY-MM-DD: deadlines on or before it
    status: str = ""       # open, done, dropped, overdue
    sort: str = "due"

    @classmethod
    def from_params(cls, params) -> "LedgerRequest":
        """From a mapping of strings (URL query or CLI options); raises BadRequest with the reason."""
        def text(name):
            value = params.get(name) or ""
            return value.strip() if isinstance(value, str) else ""
        search = SearchRequest.from_params({k: params.get(k) for k in
                                            ("q", *facets.param_names(), "from", "to", "month", "since", "expand")
                                            if params.get(k) is not None})
        req = cls(search.with_(sort="newest"), text("owner"), text("due_before"), text("status"),
                  text("sort") or "due")
        if req.sort not in SORTS:
            raise BadRequest(f"sort 应为 {' | '.join(SORTS)}：{req.sort!r}")
        if req.status and req.status not in STATUS_FILTERS:
            raise BadRequest(f"status 应为 {' | '.join(STATUS_FILTERS)}：{req.status!r}")
        if req.due_before:
            date_bound(req.due_before, True)
        if len(req.owner) > 100:
            raise BadRequest("owner 过长")
        return req


def owners_written(text: str) -> list[str]:
    """Who an item names as responsible, as written (people and offices), each once."""
    found = [m[1] for m in _LABELLED.finditer(text)] + [m[1] for m in _LED_BY.finditer(text)]
    m = _LEADING_NAME.match(text)
    if m and not _LABELLED.match(text):
        found.insert(0, m[1])
    parts = [p.strip() for value in found for p in re.split(r"[、/]|和|及", value)]
    return list(dict.fromkeys(p for p in parts if 1 < len(p) <= 30))


def _date_key(d: dict | None) -> tuple:
    return (d.get("year") or 0, d.get("month") or 0, d.get("day") or 0) if d else (0, 0, 0)


def _row(hit: dict, meeting: dict, item: dict, leaves) -> dict:
    text = item["text"]
    owners = owners_written(text)
    people = list(dict.fromkeys(item["owners"] + [n for o in owners for n in split_people(o)]))
    due_text = item.get("due") or written(text)
    due = resolve(due_text, meeting["date"]) or resolve(written(text), meeting["date"])
    return {
        "id": item_id(meeting["source"], text), "kind": item["kind"], "text": text,
        "highlight": highlight(text, leaves) if leaves else None,
        "meeting_id": meeting["id"], "meeting_title": meeting["title"], "meeting_date": meeting["date"],
        "paragraph": item["paragraph"], "source": meeting["source"], "line_start": hit["line_start"],
        "page": hit.get("page"), "regions": hit["regions"], "topics": hit["topics"],
        "owners_written": owners, "owners": people,
        "due_text": due_text, "due": due.isoformat() if due else None,
        "ingested": meeting.get("ingested"),
    }


def collect(service, req: LedgerRequest, leaves, limit: int = LIMIT) -> list[tuple[dict, str, str]]:
    """(row without status, its meeting's access level, its paragraph id) of the decision and action
    paragraphs the service finds for the request (each of its kinds, newest first, up to `limit`)."""
    reader, meetings, out = service.engine.reader(), {}, []
    kinds = (req.search.value("role"),) if req.search.value("role") else tuple(facets.ROLES)
    for kind in kinds:
        for _, hit in service.export(req.search.with_(role=kind), limit):
            mid = hit["meeting_id"]
            if mid not in meetings:
                # (the service gave this viewer a paragraph of the meeting: the viewer may read the meeting)
                meetings[mid] = reader.meeting(mid)
            meeting = meetings[mid]
            if meeting is None:
                continue
            n = int(hit["id"].rsplit("-p", 1)[1])
            items = [i for i in meeting.get("items", []) if i["paragraph"] == n and i["kind"] == kind]
            for item in items or [{"kind": kind, "paragraph": n, "text": hit["text"], "owners": [], "due": None}]:
                out.append((_row(hit, meeting, item, leaves), meeting.get("access", ""), hit["id"]))
    return out


def number_repeats(rows: list[dict]) -> None:
    """The same words twice in one file: the second is its own item (rows of the whole archive, so that
    an id never depends on which rows a request matched)."""
    seen: dict[str, int] = {}
    for row in sorted(rows, key=lambda r: (r["source"], r["line_start"])):
        seen[row["id"]] = seen.get(row["id"], 0) + 1
        if seen[row["id"]] > 1:
            row["id"] = item_id(row["source"], f"{row['text']}#{seen[row['id']]}")


def overdue(row: dict, status: Status, today: str) -> bool:
    """Open and past its deadline (today: YYYY-MM-DD)."""
    return status.status == "open" and row["due"] is not None and row["due"] < today


def with_status(row: dict, status: Status, today: date) -> dict:
    return {**row, "status": status.status, "status_note": status.note, "status_by": status.who,
            "status_at": status.at or None, "overdue": overdue(row, status, today.isoformat())}


def keeper(req: LedgerRequest, today: date):
    """The ledger's own filters (owner, due_before, status) as a test of (row, its status)."""
    wanted = {w for w in (req.owner, person_name(req.owner)) if w} if req.owner else set()
    bound = date_bound(req.due_before, True) if req.due_before else None
    day = today.isoformat()

    def keep(row: dict, status: Status) -> bool:
        if wanted and not any(w in o for w in wanted for o in row["owners_written"] + row["owners"]):
            return False
        if bound is not None and (row["due"] is None or int(row["due"].replace("-", "")) > bound):
            return False
        if req.status == "overdue":
            return overdue(row, status, day)
        return not req.status or status.status == req.status
    return keep


def order(rows: list[dict], sort: str) -> list[dict]:
    """By deadline (none last, then meeting date) or by meeting date (newest first); file order within."""
    rows.sort(key=lambda r: (r["source"], r["line_start"]))
    if sort == "date":
        rows.sort(key=lambda r: _date_key(r["meeting_date"]), reverse=True)
    else:
        rows.sort(key=lambda r: (r["due"] is None, r["due"] or "", _date_key(r["meeting_date"])))
    return rows
