"""The search service: the public contract over any engine.

Every front (page, API, CLI, export) asks this service; it asks the engine
only the narrow questions of archive/engines/base.py. Here, once for every
engine: the query is parsed and compiled into a match plan, region names
resolved with the gazetteer, date filters made ranges, the relaxed policy
applied, facets cut and formatted, hits shaped and highlighted, spelling
suggestions and the drop-a-filter help computed, the time taken measured.

Access control is enforced here and only here: a service answers for one
Viewer (archive/access/levels.py), whose levels are a filter of every find
(hits, totals, facets, suggestions, drops, neighbours, export) and hide the
meetings above them (meeting pages, related meetings). One mechanism for every
front: a service is made for the whole archive (`SearchService(engine)`, the trusted
viewer EVERYONE: the CLI's), and a front serving people asks it for the service of each
request's viewer with `for_viewer(viewer)` (web/auth.py `service()`), a new object, so no
state is shared between requests.
"""

import time
from dataclasses import dataclass
from functools import cached_property

from .. import facets
from ..access.levels import EVERYONE, Viewer
from ..engines.base import DateRange, Engine, Filters, Found, Reader
from ..extract import regions as region_names
from ..extract.fields import person_name
from .contract import Drop, FacetValue, Hit, Meeting, Related, Result, Suggestion
from ..ingest.layout import page_at
from .highlight import highlight, spans
from .plan import Compiler, negated_leaves, relaxed, with_context_boost
from .query import Term, parse, positives
from .request import LAST_INGEST, SearchRequest, date_bound, since_bound
from .suggest import suggest
from .timeline import timeline
from .thesaurus import default_thesaurus

FACET_LIMIT = facets.TOP_N  # values listed per facet (regions: per level, so the page can nest them)
RELATED = 5  # related meetings listed with a meeting
# The JSON facet keys kept for clients of before `role` was named so (the same list under its old name).
FACET_ALIASES = {"kind": "role"}


def filter_params() -> dict[tuple, dict]:
    """The filters a user can drop: the URL parameters that make each, and the request's changes without it."""
    out: dict[tuple, dict] = {(f.param,): {f.name: ""} for f in facets.filtered()}
    out.update({("from", "to"): {"date_from": "", "date_to": ""}, ("month",): {"month": None},
                ("since",): {"since": ""}})
    return out


def unfiltered() -> dict:
    return {name: value for cleared in filter_params().values() for name, value in cleared.items()}


class _Query:
    """A request's query compiled once (the help re-asks it under other filters): its tree, the plan,
    the relaxed plan when nothing matches all the terms, and what the thesaurus added."""

    def __init__(self, q: str, expand: bool):
        self.tree = parse(q)
        self.leaves = positives(self.tree) if self.tree is not None else []
        self.compiler = Compiler(default_thesaurus() if expand else None)
        self.plan = with_context_boost(self.compiler.tree(self.tree), self.leaves) if self.tree is not None else None

    @cached_property
    def loose(self):
        return relaxed(self.compiler, self.leaves, negated_leaves(self.compiler, self.tree))

    def marks(self) -> list:
        """What a hit is highlighted for: the terms typed and the synonyms searched with them."""
        return self.leaves + [Term(s) for synonyms in self.compiler.expanded.values() for s in synonyms]


@dataclass
class _Search:
    """A request's matches: the engine's Found, what to highlight, whether it was relaxed, what was expanded;
    the plan and filters that found them (to ask again, narrowed)."""
    found: Found
    leaves: list
    relaxed: bool
    expanded: dict
    plan: object = None
    filters: Filters | None = None
    query: _Query | None = None


class SearchService:
    def __init__(self, engine: Engine, viewer: Viewer = EVERYONE):
        self.engine, self.viewer = engine, viewer

    def for_viewer(self, viewer: Viewer) -> "SearchService":
        """The same archive as `viewer` may read it."""
        return SearchService(self.engine, viewer)

    def _may_read(self, info: dict) -> bool:
        return self.viewer.may_read(info.get("access"))

    # -- the search --------------------------------------------------------------

    def search(self, req: SearchRequest) -> Result:
        started = time.perf_counter()
        reader = self.engine.reader()
        s = self._find(reader, req)
        first = (req.page - 1) * req.per_page
        hits = self._hits(reader, s.found.page(req.sort, first, req.per_page), s.leaves)
        expanded = [{"term": term, "synonyms": list(synonyms)} for term, synonyms in s.expanded.items()]
        facets, truncated = self._facets(s.found)
        suggestion, drops = None, []
        if not s.found.total or s.relaxed:
            suggestion, drops = self._help(reader, req, s)
        return {
            "query": req.q,
            "total": s.found.total,
            "page": req.page,
            "per_page": req.per_page,
            "took_ms": round((time.perf_counter() - started) * 1000, 1),
            "relaxed": s.relaxed,
            "expanded": expanded,
            "hits": hits,
            "facets": facets,
            "facets_truncated": truncated,
            "suggestion": suggestion,
            "drops": drops,
            "timeline": timeline(facets["date"]),
        }

    def _find(self, reader: Reader, req: SearchRequest, query: _Query | None = None) -> _Search:
        """The paragraphs the request matches; when no paragraph has every term (or every word of a
        single term), those with some. `query`: the request's query already compiled."""
        query = query or _Query(req.q, req.expand)
        plan, filters = query.plan, self._filters(reader, req)
        scored = req.sort == "relevance" and query.tree is not None
        found, relaxed_ = reader.find(plan, filters, scored), False
        if query.tree is not None and not found.total and query.loose is not None:
            alternative = reader.find(query.loose, filters, scored)
            if alternative.total:
                found, relaxed_, plan = alternative, True, query.loose
        return _Search(found, query.marks(), relaxed_, query.compiler.expanded, plan, filters, query)

    def _filters(self, reader: Reader, req: SearchRequest) -> Filters:
        date = None
        if req.date_from or req.date_to or req.month:
            date = DateRange(date_bound(req.date_from, False) if req.date_from else 0,
                             date_bound(req.date_to, True) if req.date_to else 99999999, req.month)
        groups = {f.filter_group: self._facet_values(reader, f.name, value) for f in facets.filtered()
                  if (value := req.value(f.name))}
        return Filters(date, **groups, ingested=self._ingested_since(reader, req.since) if req.since else None,
                       access=self.viewer.levels)

    def _facet_values(self, reader: Reader, name: str, value: str) -> tuple[str, ...]:
        """The facet values a filter's text selects: a region's by name, a person's also as the facet files it."""
        if name == "region":
            return tuple(self._region_values(reader, value))
        if name == "person":
            return tuple({value, person_name(value)} - {""})
        return (value,)

    def _ingest_times(self, reader: Reader) -> list[str]:
        """The ingest times (hidden facet values, RFC 3339 UTC: they sort as text) of the paragraphs the
        viewer may read, oldest first: a restricted file's re-ingest must not move a lower reader's times."""
        if self.viewer.levels is None:
            return sorted(reader.facet_values("ingested"))
        counts = reader.find(None, Filters(access=self.viewer.levels), False).facet_counts("ingested")
        return sorted(t for t, n in counts.items() if n)

    def _ingested_since(self, reader: Reader, since: str) -> tuple[str, ...]:
        """The ingest times the viewer may see on or after `since`."""
        times = self._ingest_times(reader)
        if since == LAST_INGEST:
            return tuple(times[-1:])
        bound = since_bound(since)
        return tuple(t for t in times if t >= bound)

    @staticmethod
    def _region_values(reader: Reader, text: str) -> list[str]:
        """Facet values a region filter selects: an exact path, the gazetteer's places, else a path part."""
        known = set(reader.facet_values("region"))
        if text in known:
            return [text]
        keys = [r.key() for r in region_names.lookup(text)]
        chosen = [k for k in keys if k in known] or keys
        if not chosen:
            chosen = sorted(v for v in known if text in v.split("/"))
        return chosen

    # -- hits ----------------------------------------------------------------------

    @staticmethod
    def _fields(record: dict) -> dict:
        info = record["info"]
        return {
            "id": record["id"],
            "meeting_id": record["meeting_id"],
            "meeting_title": info["meeting_title"],
            "section": info["section"],
            "text": record["text"],
            "source": record["source"],
            "line_start": info["line_start"],
            "line_end": info["line_end"],
            "regions": info["regions"],
            "topics": info["topics"],
            "date": info["date"],
            "role": info.get("role"),
            "page": info.get("page"),
        }

    def _hits(self, reader: Reader, page, leaves) -> list[Hit]:
        records = reader.paragraphs(key for key, _ in page)
        return [self._hit(record, leaves, score) for record, (_, score) in zip(records, page)]

    def _hit(self, record: dict, leaves, score: float | None) -> Hit:
        return {**self._fields(record), "highlight": highlight(record["text"], leaves),
                "page": _match_page(record, leaves), "score": round(score, 4) if score is not None else None}

    # -- facets --------------------------------------------------------------------

    @staticmethod
    def _facets(found: Found) -> tuple[dict[str, list[FacetValue]], dict[str, bool]]:
        """Each listed facet's values (archive/facets.py says how), the date facets as one `date`."""
        listed, cut, dates = {}, {}, {}
        for f in facets.FACETS:
            if f.listed in (facets.TOP, facets.BY_LEVEL):
                listed[f.name], cut[f.name] = _top(found.facet_counts(f.name), by_level=f.listed == facets.BY_LEVEL)
            elif f.listed == facets.ALL:
                counts = sorted(found.facet_counts(f.name).items())
                listed[f.name], cut[f.name] = [{"value": v, "count": n} for v, n in counts], False
            elif f.listed == facets.DATE:
                dates[f.name] = found.facet_counts(f.name)
        # Dates: years, YYYY-MM and --MM (a month in any year, ISO 8601's form without the year).
        counts = {**dates.get("year", {}), **dates.get("ym", {})}
        counts.update({f"--{month}": n for month, n in dates.get("month", {}).items()})
        listed["date"], cut["date"] = [{"value": v, "count": counts[v]} for v in sorted(counts)], False
        for old, name in FACET_ALIASES.items():
            listed[old], cut[old] = listed[name], cut[name]
        return listed, cut

    # -- help when nothing is found ------------------------------------------------

    def _help(self, reader: Reader, req: SearchRequest, s: _Search) -> tuple[Suggestion | None, list[Drop]]:
        """What each filter's removal would find (when nothing was found), and a spelling correction
        of the terms that match nothing (when nothing, or only a relaxed answer, was found)."""
        drops: list[Drop] = []
        if not s.found.total:
            given = req.filters()
            for params, cleared in filter_params().items():
                if any(p in given for p in params):
                    total = self._find(reader, req.with_(**cleared), s.query).found.total
                    drops.append({"params": list(params), "total": total})
        suggestion = None
        # (Without filters, the search just made is the unfiltered one.)
        found_unfiltered = bool(req.filters()) and self._find(reader, req.with_(**unfiltered()), s.query).found.total
        if req.q.strip() and (s.relaxed or not found_unfiltered):
            fixed = suggest(reader, self._counter(reader), req.q)
            if fixed:
                total = self._find(reader, req.with_(q=fixed)).found.total
                suggestion = {"q": fixed, "total": total} if total else None
        return suggestion, drops

    # -- beyond one page -----------------------------------------------------------

    @staticmethod
    def marks(q: str) -> list | None:
        """What a meeting page opened from a search marks: the query's terms and phrases that are not
        negated (as typed: without the synonyms a hit is also marked for); None for an empty query."""
        tree = parse(q)
        return positives(tree) if tree is not None else None

    def neighbours(self, req: SearchRequest, meeting_id: str, paragraph: int | None) -> dict | None:
        """Where a paragraph (or, without one, the meeting's first hit) stands in the search:
        {pos, total, hit, prev, next}, or None when the search does not find it."""
        reader = self.engine.reader()
        s = self._find(reader, req)
        pid = f"{meeting_id}-p{paragraph}" if paragraph is not None else None
        pos = s.found.position(req.sort, paragraph_id=pid, meeting_id=meeting_id)
        if pos is None:
            return None
        first = max(pos - 2, 0)
        page = s.found.page(req.sort, first, pos + 1 - first)
        by_rank = dict(zip(range(first + 1, first + 1 + len(page)), self._hits(reader, page, s.leaves)))
        return {"pos": pos, "total": s.found.total, "hit": by_rank[pos], "prev": by_rank.get(pos - 1),
                "next": by_rank.get(pos + 1)}

    def export(self, req: SearchRequest, limit: int):
        """(rank from 1, hit fields without highlight or score) of the search's first `limit` hits."""
        reader = self.engine.reader()
        s = self._find(reader, req)
        page = s.found.page(req.sort, 0, limit)
        chunk = 1000
        for start in range(0, len(page), chunk):
            records = reader.paragraphs(key for key, _ in page[start:start + chunk])
            for rank, record in enumerate(records, start=start + 1):
                yield rank, self._fields(record)

    def newest_meetings(self, req: SearchRequest, limit: int) -> list[dict]:
        """The feed of a search: up to `limit` meetings it matches, those whose content was ingested last
        first (then by date), each {"meeting": its record, "hit": its newest-dated hit}."""
        reader = self.engine.reader()
        s = self._find(reader, req)
        if not s.found.total:
            return []
        times = s.found.facet_counts("ingested")  # (counted without the since filter: apply it again)
        allowed = set(s.filters.get("ingested")) if s.filters.get("ingested") is not None else set(times)
        out: dict[str, dict] = {}
        for at in sorted(set(times) & allowed, reverse=True):  # RFC 3339 UTC: newest sorts last
            found = reader.find(s.plan, s.filters.but(ingested=(at,)), False)
            # A rebuild stamps the whole corpus with one time: look at its newest hits only.
            page = found.page("newest", 0, max(limit * 50, 500))
            for record in reader.paragraphs(key for key, _ in page):
                meeting = reader.meeting(record["meeting_id"]) if record["meeting_id"] not in out else None
                if meeting is not None:
                    out[record["meeting_id"]] = {"meeting": meeting, "hit": self._hit(record, s.leaves, None)}
                    if len(out) == limit:
                        return list(out.values())
        return list(out.values())

    def last_ingested(self) -> str | None:
        """When the newest content the viewer may read was first ingested (RFC 3339 UTC), or None."""
        return max(self._ingest_times(self.engine.reader()), default=None)

    # -- meetings and suggestions --------------------------------------------------

    def meeting(self, meeting_id: str) -> Meeting | None:
        """A meeting with its related meetings; None when there is none or the viewer may not read it
        (the same answer, so a restricted meeting's existence is not confirmed)."""
        reader = self.engine.reader()
        found = reader.meeting(meeting_id)
        if found is None or not self._may_read(found):
            return None
        found = {k: v for k, v in found.items() if k != "root"}  # (a folder of the server: not for the public)
        found["copies"] = [{k: v for k, v in c.items() if k != "root"} for c in found.get("copies", ())]
        return {**found, "related": self._related(reader, found)}

    def _related(self, reader: Reader, meeting: dict) -> list[Related]:
        """Up to RELATED meetings sharing the most key terms (counted twice), topics and places."""
        pairs = [("keyterm", t, 2.0) for t in meeting["keyterms"]] + [("topic", t, 1.0) for t in meeting["topics"]]
        pairs += [("region", r, 1.0) for r in meeting["regions"]]
        out = []
        # (A restricted viewer skips the meetings above its levels, so it looks further down the list.)
        wanted = RELATED + 4 if self.viewer.levels is None else 10 * RELATED
        for other, held in reader.meetings_sharing(pairs, wanted):
            info = reader.meeting(other) if other != meeting["id"] else None
            if info is None or info["preamble"] or not self._may_read(info):  # (a preamble is no meeting)
                continue
            shared = [pairs[i][1].rsplit("/", 1)[-1] for i in held]
            out.append({"meeting_id": other, "title": info["title"], "date": info["date"], "shared": shared})
            if len(out) == RELATED:
                break
        return out

    def original(self, meeting_id: str, copy: int = 0) -> tuple[str, str, str] | None:
        """(corpus folder, the file's path inside it, its SHA-256) a meeting was read from, as its ingest
        recorded them, or of its `copy`-th copy (from 1: the same minutes in another file, of the same
        level); None for an unknown meeting or copy, or one indexed before folders were recorded."""
        found = self.engine.reader().meeting(meeting_id)
        # (whoever may not read a meeting may not have its file either)
        if found is None or not self._may_read(found) or not 0 <= copy <= len(found.get("copies", ())):
            return None
        found = found["copies"][copy - 1] if copy else found
        return (found["root"], found["source"], found.get("hash", "")) if found.get("root") else None

    def suggest(self, q: str) -> str | None:
        """“您是不是要找”: `q` with one character of each unmatched term corrected, or None."""
        reader = self.engine.reader()
        return suggest(reader, self._counter(reader), q)

    def _counter(self, reader: Reader):
        """How many paragraphs a plan finds without filters (but the viewer's levels): what the suggester
        compares corrections by, so a word only restricted paragraphs hold is never suggested."""
        return lambda plan: reader.find(plan, Filters(access=self.viewer.levels), False).total


def _match_page(record: dict, leaves) -> int | None:
    """The page of a PDF or scan where the hit's longest match is (its paragraph may run on to the next)."""
    info = record["info"]
    breaks = info.get("page_breaks")
    if not breaks:
        return info.get("page")
    found = spans(record["text"], leaves)
    if not found:
        return info["page"]
    start = max(found, key=lambda s: s[1] - s[0])[0]
    return page_at(start, info["page"], breaks)


def _top(counts: dict[str, int], by_level: bool = False) -> tuple[list[FacetValue], bool]:
    """The most frequent values (per level of a path when by_level), and whether any were cut."""
    ranked = sorted(counts.items(), key=lambda c: (-c[1], c[0]))
    kept, per_level = [], {}
    for value, count in ranked:
        level = value.count("/") if by_level else 0
        if per_level.get(level, 0) < FACET_LIMIT:
            per_level[level] = per_level.get(level, 0) + 1
            kept.append({"value": value, "count": count})
    return kept, len(kept) < len(ranked)
