"""The search service: the public contract over any engine.

Every front (page, API, CLI, export) asks this service; it asks the engine
only the narrow questions of archive/engines/base.py. Here, once for every
engine: the query is parsed and compiled into a match plan, region names
resolved with the gazetteer, date filters made ranges, the relaxed policy
applied, facets cut and formatted, hits shaped and highlighted, spelling
suggestions and the drop-a-filter help computed, the time taken measured.
"""

import time
from dataclasses import dataclass

from ..engines.base import DateRange, Engine, Filters, Found, Reader
from ..extract import regions as region_names
from ..extract.fields import person_name
from .contract import Drop, FacetValue, Hit, Meeting, Related, Result, Suggestion
from ..ingest.layout import page_at
from .highlight import highlight, spans
from .plan import Compiler, negated_leaves, relaxed, with_context_boost
from .query import Term, parse, positives
from .request import SearchRequest, date_bound
from .suggest import suggest
from .thesaurus import default_thesaurus

FACET_LIMIT = 50  # values listed per facet (regions: per level, so the page can nest them)
RELATED = 5  # related meetings listed with a meeting
# The filters a user can drop: the URL parameters that make each, and the request without it.
FILTER_PARAMS = {("region",): {"region": ""}, ("topic",): {"topic": ""}, ("person",): {"person": ""},
                 ("kind",): {"kind": ""}, ("from", "to"): {"date_from": "", "date_to": ""}, ("month",): {"month": None}}
UNFILTERED = {name: value for cleared in FILTER_PARAMS.values() for name, value in cleared.items()}


@dataclass
class _Search:
    """A request's matches: the engine's Found, what to highlight, whether it was relaxed, what was expanded."""
    found: Found
    leaves: list
    relaxed: bool
    expanded: dict


class SearchService:
    def __init__(self, engine: Engine):
        self.engine = engine

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
        }

    def _find(self, reader: Reader, req: SearchRequest) -> _Search:
        """The paragraphs the request matches; when no paragraph has every term (or every word of a
        single term), those with some."""
        tree = parse(req.q)
        leaves = positives(tree) if tree is not None else []
        compiler = Compiler(default_thesaurus() if req.expand else None)
        plan = with_context_boost(compiler.tree(tree), leaves) if tree is not None else None
        filters = self._filters(reader, req)
        scored = req.sort == "relevance" and tree is not None
        found, relaxed_ = reader.find(plan, filters, scored), False
        if tree is not None and not found.total:
            loose = relaxed(compiler, leaves, negated_leaves(compiler, tree))
            if loose is not None:
                alternative = reader.find(loose, filters, scored)
                if alternative.total:
                    found, relaxed_ = alternative, True
        marks = leaves + [Term(s) for synonyms in compiler.expanded.values() for s in synonyms]
        return _Search(found, marks, relaxed_, compiler.expanded)

    def _filters(self, reader: Reader, req: SearchRequest) -> Filters:
        date = None
        if req.date_from or req.date_to or req.month:
            date = DateRange(date_bound(req.date_from, False) if req.date_from else 0,
                             date_bound(req.date_to, True) if req.date_to else 99999999, req.month)
        return Filters(region=tuple(self._region_values(reader, req.region)) if req.region else None,
                       topic=(req.topic,) if req.topic else None,
                       person=tuple({req.person, person_name(req.person)} - {""}) if req.person else None,
                       role=(req.kind,) if req.kind else None, date=date)

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
        return [{**self._fields(record), "highlight": highlight(record["text"], leaves),
                 "page": _match_page(record, leaves), "score": round(score, 4) if score is not None else None}
                for record, (_, score) in zip(records, page)]

    # -- facets --------------------------------------------------------------------

    @staticmethod
    def _facets(found: Found) -> tuple[dict[str, list[FacetValue]], dict[str, bool]]:
        region, region_cut = _top(found.facet_counts("region"), by_level=True)
        topic, topic_cut = _top(found.facet_counts("topic"))
        person, person_cut = _top(found.facet_counts("person"))
        kind = [{"value": v, "count": n} for v, n in sorted(found.facet_counts("role").items())]
        # Dates: years, YYYY-MM and --MM (a month in any year, ISO 8601's form without the year).
        counts = {**found.facet_counts("year"), **found.facet_counts("ym")}
        counts.update({f"--{month}": n for month, n in found.facet_counts("month").items()})
        date = [{"value": v, "count": counts[v]} for v in sorted(counts)]
        return ({"region": region, "topic": topic, "date": date, "person": person, "kind": kind},
                {"region": region_cut, "topic": topic_cut, "date": False, "person": person_cut, "kind": False})

    # -- help when nothing is found ------------------------------------------------

    def _help(self, reader: Reader, req: SearchRequest, s: _Search) -> tuple[Suggestion | None, list[Drop]]:
        """What each filter's removal would find (when nothing was found), and a spelling correction
        of the terms that match nothing (when nothing, or only a relaxed answer, was found)."""
        drops: list[Drop] = []
        if not s.found.total:
            given = req.filters()
            for params, cleared in FILTER_PARAMS.items():
                if any(p in given for p in params):
                    drops.append({"params": list(params), "total": self._find(reader, req.with_(**cleared)).found.total})
        suggestion = None
        # (Without filters, the search just made is the unfiltered one.)
        found_unfiltered = bool(req.filters()) and self._find(reader, req.with_(**UNFILTERED)).found.total
        if req.q.strip() and (s.relaxed or not found_unfiltered):
            fixed = suggest(reader, _counter(reader), req.q)
            if fixed:
                total = self._find(reader, req.with_(q=fixed)).found.total
                suggestion = {"q": fixed, "total": total} if total else None
        return suggestion, drops

    # -- beyond one page -----------------------------------------------------------

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

    # -- meetings and suggestions --------------------------------------------------

    def meeting(self, meeting_id: str) -> Meeting | None:
        reader = self.engine.reader()
        found = reader.meeting(meeting_id)
        return {**found, "related": self._related(reader, found)} if found is not None else None

    @staticmethod
    def _related(reader: Reader, meeting: dict) -> list[Related]:
        """Up to RELATED meetings sharing the most key terms (counted twice), topics and places."""
        pairs = [("keyterm", t, 2.0) for t in meeting["keyterms"]] + [("topic", t, 1.0) for t in meeting["topics"]]
        pairs += [("region", r, 1.0) for r in meeting["regions"]]
        out = []
        for other, held in reader.meetings_sharing(pairs, RELATED + 4):
            info = reader.meeting(other) if other != meeting["id"] else None
            if info is None or info["preamble"]:  # (the text before a file's first meeting is no meeting)
                continue
            shared = [pairs[i][1].rsplit("/", 1)[-1] for i in held]
            out.append({"meeting_id": other, "title": info["title"], "date": info["date"], "shared": shared})
            if len(out) == RELATED:
                break
        return out

    def suggest(self, q: str) -> str | None:
        """“您是不是要找”: `q` with one character of each unmatched term corrected, or None."""
        reader = self.engine.reader()
        return suggest(reader, _counter(reader), q)


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


def _counter(reader: Reader):
    """How many paragraphs a plan finds, without filters: what the suggester compares corrections by."""
    return lambda plan: reader.find(plan, Filters(), False).total


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
