"""Walking a search's hits beyond one page: the CSV export and a meeting page's previous/next hit.

Both run the very search the page ran (same SearchRequest, same Backend),
page after page.
"""

import csv
import io

from archive.search.request import MAX_PER_PAGE, SearchRequest

from .text import date_text, paragraph_number

EXPORT_LIMIT = 5000
EXPORT_CHUNK = 1000
NEIGHBOUR_SCAN = 500  # how far to look for a hit whose rank the link did not carry


def iter_hits(backend, req: SearchRequest, limit: int, start: int = 0, chunk: int = MAX_PER_PAGE):
    """(rank from 1, hit) for hits start+1 … limit of the search, in the search's order.

    `chunk` may exceed the API's per_page limit: each Backend call also counts
    the facets, so the export asks for large pages (see the report)."""
    page = start // chunk + 1
    rank = (page - 1) * chunk
    while rank < limit:
        result = backend.search(req.with_(page=page, per_page=chunk))
        # Never past `total`: with a filter that matches nothing, relevance order lists unfiltered hits.
        limit = min(limit, result["total"])
        for hit in result["hits"]:
            rank += 1
            if rank > limit:
                return
            if rank > start:
                yield rank, hit
        if page * chunk >= result["total"] or not result["hits"]:
            return
        page += 1


def _page(backend, req: SearchRequest, page: int) -> tuple[int, dict]:
    """(total, {rank: hit}) of one page of MAX_PER_PAGE hits."""
    result = backend.search(req.with_(page=page, per_page=MAX_PER_PAGE))
    first = (page - 1) * MAX_PER_PAGE
    hits = result["hits"][:max(0, result["total"] - first)]  # see iter_hits: never past total
    return result["total"], {first + i + 1: h for i, h in enumerate(hits)}


def neighbours(backend, req: SearchRequest, meeting_id: str, hit: int | None, pos: int | None) -> dict | None:
    """Where this paragraph stands in the search: {pos, total, hit, prev, next} (hits or None).

    `pos` is the rank the result link carried: usually one Backend call finds
    the hit and both neighbours. If the index changed since, or no rank was
    given, the paragraph (or, without `hit`, the meeting's first hit) is
    looked up among the first NEIGHBOUR_SCAN hits."""
    def wanted(h):
        return h["meeting_id"] == meeting_id and (hit is None or paragraph_number(h["id"]) == hit)

    ranks, total, fetched, found = {}, 0, set(), None

    def fetch(page):
        nonlocal total
        if page not in fetched:
            fetched.add(page)
            total, more = _page(backend, req, page)
            ranks.update(more)

    if pos:
        fetch((pos - 1) // MAX_PER_PAGE + 1)
        found = pos if pos in ranks and wanted(ranks[pos]) else None
    page = 1
    while found is None and page <= NEIGHBOUR_SCAN // MAX_PER_PAGE:
        fetch(page)
        found = next((r for r in range((page - 1) * MAX_PER_PAGE + 1, page * MAX_PER_PAGE + 1)
                      if r in ranks and wanted(ranks[r])), None)
        if page * MAX_PER_PAGE >= total:
            break
        page += 1
    if found is None:
        return None
    for rank in (found - 1, found + 1):  # a neighbour across a page boundary
        if 1 <= rank <= total:
            fetch((rank - 1) // MAX_PER_PAGE + 1)
    return {"pos": found, "total": total, "hit": ranks[found], "prev": ranks.get(found - 1),
            "next": ranks.get(found + 1)}


COLUMNS = ("序号", "段落编号", "会议", "小节", "日期", "年份推断", "地区", "主题", "来源文件", "起始行", "结束行",
           "段落内容")


def _cell(value) -> str:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(rows) -> str:
    """UTF-8 text with a BOM, so that Excel opens the Chinese correctly."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for rank, hit in rows:
        date = hit["date"] or {}
        writer.writerow([rank, hit["id"], _cell(hit["meeting_title"]), _cell(hit["section"]),
                         date_text(date, note=False), "是" if date.get("year_inferred") else "",
                         "；".join(r.replace("/", " ") for r in hit["regions"]), "；".join(hit["topics"]),
                         _cell(hit["source"]), hit["line_start"], hit["line_end"], _cell(hit["text"])])
    return out.getvalue()
