"""The search engine behind one seam: `Backend.search(request) -> dict` and `Backend.meeting(id)`.

Fronts (CLI, page, API) only ever call these two, so a server-based engine
can replace Whoosh later without touching them. The dict is the public JSON
contract documented in the README.
"""

import threading
import time

import numpy as np
from whoosh import query as wq

from ..extract import regions as region_names
from ..index.schema import MEETING, PARAGRAPH
from ..index.store import IndexDir
from . import compile as qc
from .facets import FacetCache
from .highlight import highlight
from .query import parse, positives
from .request import SearchRequest, date_bound
from .suggest import suggest

FACET_LIMIT = 50  # values listed per facet (regions: per level, so the page can nest them)


class Backend:
    """Whoosh searcher shared by all requests, refreshed when the index changes."""

    def __init__(self, index_dir: IndexDir):
        self.index_dir = index_dir
        self._lock = threading.Lock()
        self._state = None  # (generation name, searcher, facet cache)

    def _current(self):
        with self._lock:
            name = self.index_dir.current_name()
            state = self._state
            if state is None or state[0] != name:
                searcher = self.index_dir.open().searcher()
                state = (name, searcher, FacetCache(searcher))
            elif not state[1].up_to_date():
                searcher = state[1].refresh()
                state = (name, searcher, FacetCache(searcher))
            # The previous searcher is not closed here: a request may still be reading it.
            self._state = state
            return state[1], state[2]

    # -- filters ---------------------------------------------------------

    def _region_values(self, cache: FacetCache, text: str) -> list[str]:
        """Facet values a region filter selects: exact paths, gazetteer look-up, then a path component."""
        known = cache.values("region")
        if text in known:
            return [text]
        keys = [r.key() for r in region_names.lookup(text)]
        chosen = [k for k in keys if k in known] or keys
        if not chosen:
            chosen = [v for v in known if text in v.split("/")]
        return chosen

    def _filters(self, cache: FacetCache, req: SearchRequest) -> dict[str, np.ndarray]:
        masks = {}
        if req.region:
            masks["region"] = cache.mask_of("region", self._region_values(cache, req.region))
        if req.topic:
            masks["topic"] = cache.mask_of("topic", [req.topic])
        if req.date_from or req.date_to or req.month:
            lo = date_bound(req.date_from, False) if req.date_from else 0
            hi = date_bound(req.date_to, True) if req.date_to else 99999999
            mask = np.ones(cache.size, dtype=bool)
            if req.date_from or req.date_to:
                mask &= (cache.date_sort >= max(lo, 10000000)) & (cache.date_sort <= hi)
            if req.month:
                mask &= cache.mask_of("month", [f"{req.month:02d}"])
            masks["date"] = mask
        return masks

    @staticmethod
    def _combine(base: np.ndarray, masks: dict, skip: str | None = None) -> np.ndarray:
        out = base.copy()
        for name, mask in masks.items():
            if name != skip:
                out &= mask
        return out

    # -- the one search function -----------------------------------------

    def search(self, req: SearchRequest) -> dict:
        started = time.perf_counter()
        searcher, cache = self._current()
        tree = parse(req.q)
        leaves = positives(tree) if tree is not None else []
        if tree is None:
            main = wq.Term("kind", PARAGRAPH)
        else:
            main = qc.with_context_boost(qc.to_whoosh(tree), leaves)
        masks = self._filters(cache, req)
        base = cache.mask(searcher.docs_for_query(main))
        matched = self._combine(base, masks)
        relaxed = False
        if tree is not None and not matched.any():
            loose = qc.relaxed(leaves, qc.negated_leaves(tree))
            if loose is not None:
                loose_base = cache.mask(searcher.docs_for_query(loose))
                if self._combine(loose_base, masks).any():
                    main, base, relaxed = loose, loose_base, True
                    matched = self._combine(base, masks)
        total = int(matched.sum())

        first = (req.page - 1) * req.per_page
        if total == 0:  # Whoosh reads an empty filter set as "no filter"
            page = []
        elif req.sort == "relevance" and tree is not None:
            allowed = set(np.flatnonzero(matched).tolist()) if masks else None
            results = searcher.search(main, limit=first + req.per_page, filter=allowed, terms=False)
            page = [(hit.docnum, hit.score) for hit in results[first:first + req.per_page]]
        else:
            page = [(int(d), None) for d in self._by_date(cache, matched, req.sort)[first:first + req.per_page]]

        hits = [self._hit(searcher, docnum, score, leaves) for docnum, score in page]
        facets = {
            "region": self._top(cache.counts("region", self._combine(base, masks, "region")), by_level=True),
            "topic": self._top(cache.counts("topic", self._combine(base, masks, "topic"))),
            "date": self._date_facet(cache, self._combine(base, masks, "date")),
        }
        return {
            "query": req.q,
            "total": total,
            "page": req.page,
            "per_page": req.per_page,
            "took_ms": round((time.perf_counter() - started) * 1000, 1),
            "relaxed": relaxed,
            "hits": hits,
            "facets": facets,
        }

    @staticmethod
    def _by_date(cache: FacetCache, matched: np.ndarray, sort: str) -> np.ndarray:
        docs = np.flatnonzero(matched)
        keys = cache.date_sort[docs]
        # Newest or oldest first; undated paragraphs last either way, then in corpus order.
        primary = -keys if sort != "oldest" else np.where(keys == 0, np.iinfo(np.int64).max, keys)
        return docs[np.lexsort((docs, primary))]

    @staticmethod
    def _top(counts: list[dict], by_level: bool = False) -> list[dict]:
        counts.sort(key=lambda c: (-c["count"], c["value"]))
        if not by_level:
            return counts[:FACET_LIMIT]
        kept, per_level = [], {}
        for c in counts:
            level = c["value"].count("/")
            if per_level.get(level, 0) < FACET_LIMIT:
                per_level[level] = per_level.get(level, 0) + 1
                kept.append(c)
        return kept

    @staticmethod
    def _date_facet(cache: FacetCache, within: np.ndarray) -> list[dict]:
        values = cache.counts("year", within) + cache.counts("ym", within)
        values += [{"value": f"--{c['value']}", "count": c["count"]} for c in cache.counts("month", within)]
        return sorted(values, key=lambda c: c["value"])

    @staticmethod
    def _hit(searcher, docnum: int, score, leaves) -> dict:
        stored = searcher.stored_fields(docnum)
        info = stored["info"]
        return {
            "id": stored["id"],
            "meeting_id": stored["meeting_id"],
            "meeting_title": info["meeting_title"],
            "section": info["section"],
            "text": stored["text"],
            "highlight": highlight(stored["text"], leaves),
            "source": stored["source"],
            "line_start": info["line_start"],
            "line_end": info["line_end"],
            "regions": info["regions"],
            "topics": info["topics"],
            "date": info["date"],
            "score": round(score, 4) if score is not None else None,
        }

    def matching_docnums(self, q: str) -> np.ndarray:
        """Document numbers of the paragraphs a query matches (no filters, no relaxing): for checks and benchmarks."""
        searcher, cache = self._current()
        tree = parse(q)
        if tree is None:
            return np.flatnonzero(cache.paragraphs)
        return np.flatnonzero(cache.mask(searcher.docs_for_query(qc.to_whoosh(tree))))

    def suggest(self, q: str) -> str | None:
        """“您是不是要找”: `q` with one character of each unmatched term corrected, or None."""
        searcher, _ = self._current()
        return suggest(searcher, q)

    # -- meeting pages ---------------------------------------------------

    def meeting(self, meeting_id: str) -> dict | None:
        """A meeting with its markdown, paragraphs' lines and facets; None if unknown."""
        searcher, _ = self._current()
        doc = searcher.document(id=meeting_id)
        if not doc or doc.get("kind") != MEETING:
            return None
        return {"id": meeting_id, **doc["info"]}
