"""The ledger of one generation of the index: every item's row built once, and each request's rows from it.

Collecting the rows reads every decision and action paragraph, its meeting, and the reports that say
something is done (the law corpus: 0.25 s of CPU; 4,000 items: 0.6 s). That is done once per generation of the index, by the
trusted service (every level), and kept with the level of each row's minutes; a request then picks the
rows its viewer may read (the level, as the service filters paragraphs) — or, with a query or a filter
of the search, the rows of the paragraphs the viewer's service finds — and adds statuses, the ledger's
own filters and the sort. A generation is the object an engine shares between the readers of one
committed state (`Reader.generation`); weak keys, so a
generation nobody reads any more is dropped with it.
"""

import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date

from .. import facets
from ..access.levels import EVERYONE
from ..search.highlight import highlight
from ..search.query import parse, positives
from .closing import candidates, reports
from .items import LIMIT, LedgerRequest, collect, keeper, number_repeats, order, with_status
from .status import OPEN, Status

BUILD_LIMIT = 1_000_000  # paragraphs of each kind in a generation's ledger (every one, in practice)
SEARCHES_KEPT = 128


@dataclass
class Entry:
    row: dict    # the row without status (items._row)
    level: str   # the access level of its minutes
    paragraph: str  # its paragraph's id


@dataclass
class Book:
    entries: list[Entry]
    by_paragraph: dict[str, list[Entry]] = field(default_factory=dict)
    closing: dict[str, list[tuple[str, dict]]] = field(default_factory=dict)  # row id -> (level, suggestion)
    # The paragraph ids of the searches asked on this generation (levels and search -> ids), the last ones:
    # paging and the status forms ask the same search again.
    found: OrderedDict = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def search(self, service, req: LedgerRequest) -> list[str]:
        s = req.search
        key = (service.viewer.levels, s.q, tuple(sorted(s.chosen.items())), s.date_from, s.date_to, s.month,
               s.since, s.expand)
        with self.lock:
            if key in self.found:
                self.found.move_to_end(key)
                return self.found[key]
        kinds = (s.value("role"),) if s.value("role") else tuple(facets.ROLES)
        ids = [hit["id"] for kind in kinds for _, hit in service.export(s.with_(role=kind), LIMIT)]
        with self.lock:
            self.found[key] = ids
            while len(self.found) > SEARCHES_KEPT:
                self.found.popitem(last=False)
        return ids


_BOOKS: "weakref.WeakKeyDictionary[object, Book]" = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()  # (one build per generation; the others wait for it rather than build it again)


def _build(service) -> Book:
    trusted = service.for_viewer(EVERYONE)
    entries = [Entry(row, level, pid) for row, level, pid in collect(trusted, LedgerRequest(), [], BUILD_LIMIT)]
    number_repeats([e.row for e in entries])
    book = Book(entries, closing=candidates([e.row for e in entries], reports(trusted)))
    for e in entries:
        book.by_paragraph.setdefault(e.paragraph, []).append(e)
    return book


def book_of(service) -> Book:
    """The ledger of the generation the service's engine reads now (built on first use)."""
    key = service.engine.reader().generation
    with _LOCK:
        found = _BOOKS.get(key)
        if found is None:
            found = _BOOKS[key] = _build(service)
    return found


def _plain(req: LedgerRequest) -> bool:
    """No query and no filter of the search but the kind: the rows are the book's, by level."""
    s = req.search
    return not s.q.strip() and set(s.chosen) <= {"role"} and not (s.date_from or s.date_to or s.month or s.since)


def _matched(service, req: LedgerRequest, book: Book, marked: bool) -> list[dict]:
    """The rows of the paragraphs the viewer's service finds for the request, highlighted for its query
    when `marked`."""
    leaves = positives(parse(req.search.q)) if req.search.q.strip() and marked else []
    found = book.search(service, req)
    if any(pid not in book.by_paragraph for pid in found):
        # (a paragraph of a newer generation than the book's: this request's rows as collected)
        rows = [row for row, _, _ in collect(service, req, leaves, LIMIT)]
        number_repeats(rows)
        return rows
    rows = [e.row for pid in found for e in book.by_paragraph[pid]]
    return [{**r, "highlight": highlight(r["text"], leaves)} for r in rows] if leaves else rows


def ledger(service, req: LedgerRequest, statuses: dict[str, Status], today: date | None = None,
           marked: bool = True) -> list[dict]:
    """The rows of a ledger request as the service's viewer may read them, filtered and sorted, each with its
    status and closing suggestion; highlighted for the query when `marked` (else `highlight` is None: mark())."""
    today = today or date.today()
    book = book_of(service)
    if _plain(req):
        kind, viewer = req.search.value("role"), service.viewer
        base = [e.row for e in book.entries if viewer.may_read(e.level) and (not kind or e.row["kind"] == kind)]
    else:
        base = _matched(service, req, book, marked)
    keep = keeper(req, today)
    kept = ((r, statuses.get(r["id"], OPEN)) for r in base)
    rows = [with_status(r, status, today) for r, status in kept if keep(r, status)]
    _suggest(book, service.viewer, rows)
    return order(rows, req.sort)


def mark(rows: list[dict], q: str) -> None:
    """Highlight rows for a query (those a page shows, of a ledger asked with marked=False)."""
    leaves = positives(parse(q)) if q.strip() else []
    for row in rows:
        row["highlight"] = highlight(row["text"], leaves) if leaves else None


def _suggest(book: Book, viewer, rows: list[dict]) -> None:
    """Set each open row's `suggest_close` (the first later report the viewer may read) or None."""
    for row in rows:
        found = book.closing.get(row["id"], ()) if row["status"] == "open" else ()
        row["suggest_close"] = next((s for level, s in found if viewer.may_read(level)), None)


def meeting_rows(service, meeting_id: str, statuses: dict[str, Status], today: date | None = None) -> list[dict]:
    """The rows of one meeting the viewer may read (its page's status forms), in paragraph order."""
    today, book = today or date.today(), book_of(service)
    rows = [with_status(e.row, statuses.get(e.row["id"], OPEN), today) for e in book.entries
            if e.row["meeting_id"] == meeting_id and service.viewer.may_read(e.level)]
    _suggest(book, service.viewer, rows)
    return sorted(rows, key=lambda r: r["line_start"])


def readable_item(service, item_id: str) -> dict | None:
    """An item's row when the viewer may read its minutes, else None (as if there were none)."""
    return next((e.row for e in book_of(service).entries
                 if e.row["id"] == item_id and service.viewer.may_read(e.level)), None)
