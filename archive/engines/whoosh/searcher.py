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


class _Unsupported(Exception):
    """A query the array evaluator does not handle: the request takes Whoosh's own path."""


def _weighted_tree(weights):
    """The shape of Whoosh's make_weighted_tree over parts of these weights: nested pairs of part numbers."""
    from bisect import bisect_right
    items = sorted(((w, i) for i, w in enumerate(weights)), key=lambda item: item[0])
    while len(items) > 1:
        (wa, a), (wb, b) = items[0], items[1]
        del items[:2]
        joined = wa + wb
        items.insert(bisect_right([w for w, _ in items], joined), (joined, (a, b)))
    return items[0][1]


def _eval_tree(node, flags, values):
    """(matches, score) of a tree of two-way matchers: both sides add up, else the side that matches."""
    if isinstance(node, int):
        return flags[node], values[node]
    fa, va = _eval_tree(node[0], flags, values)
    fb, vb = _eval_tree(node[1], flags, values)
    return fa | fb, np.where(fa & fb, va + vb, np.where(fa, va, vb))


def _tree_sum(parts):
    """Sum in the order of Whoosh's make_binary_tree (how a phrase adds up its words' scores)."""
    if len(parts) == 1:
        return parts[0]
    half = len(parts) // 2
    return _tree_sum(parts[:half]) + _tree_sum(parts[half:])


class _Evaluator:
    """Evaluates the Whoosh query that compile.py builds with arrays, instead of Whoosh matchers.

    Two passes. `match(q)`: the documents each node matches, as boolean
    arrays (exactly Whoosh's sets; literal runs, phrases of unit bigrams,
    are candidates from the bigrams' postings checked against the segment's
    units text). `scores(q, docs)`: each node's score at the given documents
    (all matched by the node), with Whoosh's formula (BM25F with the
    searcher's idf and average lengths) and Whoosh's order of additions, so
    the floats are Whoosh's. Scores are computed only where they are needed:
    at the documents the whole query (and the filters) let through.
    """

    def __init__(self, searcher, cache: FacetCache, scored: bool):
        from whoosh.scoring import BM25F
        self.searcher, self.cache, self.scored = searcher, cache, scored
        self.n = cache.size
        w = searcher.weighting
        if scored and type(w) is not BM25F:
            raise _Unsupported("weighting")
        self.weighting = w
        self.schema = searcher.schema
        self._masks: dict[int, np.ndarray] = {}
        # Whoosh sums the scores of an And or Or of three or more parts in a tree shaped by
        # each segment's term counts: the same documents can then differ in the last bit.
        self.inexact = False

    # -- which documents match ---------------------------------------------

    def match(self, q) -> np.ndarray:
        mask = self._masks.get(id(q))
        if mask is None:
            mask = self._masks[id(q)] = self._match(q)
        return mask

    def _match(self, q) -> np.ndarray:
        t = type(q)
        if t is wq.Term:
            ids, _ = self.cache.postings(q.fieldname, q.text)
            mask = np.zeros(self.n, dtype=bool)
            mask[ids] = True
            return mask
        if t is wq.Phrase:
            return self._phrase_match(q)
        if t is wq.Or or t is wq.And:
            if not q.subqueries:
                raise _Unsupported("empty")
            mask = self.match(q.subqueries[0]).copy()
            for sub in q.subqueries[1:]:
                if t is wq.Or:
                    mask |= self.match(sub)
                else:
                    mask &= self.match(sub)
            return mask
        if t is wq.Not:
            return self.cache.live & ~self.match(q.query)
        if t is wq.AndMaybe:
            self.match(q.b)
            return self.match(q.a)
        if t is wq.AndNot:
            return self.match(q.a) & ~self.match(q.b)
        if t is wq.ConstantScoreQuery:
            return self.match(q.child)
        raise _Unsupported(t.__name__)

    def _phrase_match(self, q) -> np.ndarray:
        grams = list(q.words)
        if q.slop != 1 or len(grams) < 2 or any(len(g) != 2 for g in grams) or any(
                a[1] != b[0] for a, b in zip(grams, grams[1:])):
            raise _Unsupported("phrase shape")
        mask = np.zeros(self.n, dtype=bool)
        mask[self.cache.run_docs(q.fieldname, grams[0] + "".join(g[1] for g in grams[1:]))] = True
        return mask

    # -- scores at given documents -----------------------------------------

    def scores(self, q, docs: np.ndarray) -> np.ndarray:
        """Whoosh's score of q at each of `docs` (sorted, all matched by q)."""
        t = type(q)
        if t is wq.Term or t is wq.Phrase:
            # A phrase scores as the sum of its bigrams, added as Whoosh's binary tree adds them.
            grams = [q.text] if t is wq.Term else q.words
            vals = _tree_sum([self._bm25(q.fieldname, g, docs) for g in grams])
            return vals * q.boost if q.boost != 1.0 else vals
        if t is wq.Or or t is wq.And:
            return self._sum(q, docs)
        if t is wq.Not:
            return np.ones(len(docs))  # Whoosh's InverseMatcher scores 1.0
        if t is wq.AndMaybe:
            vals = self.scores(q.a, docs)
            also = self.match(q.b)[docs]
            if also.any():
                vals[also] += self.scores(q.b, docs[also])
            return vals
        if t is wq.AndNot:
            return self.scores(q.a, docs)
        if t is wq.ConstantScoreQuery:
            return np.full(len(docs), float(q.score))
        raise _Unsupported(t.__name__)

    def _bm25(self, field: str, text: str, docs: np.ndarray) -> np.ndarray:
        if not self.schema[field].scorable:
            raise _Unsupported("unscorable field")
        w = self.weighting
        B = w._field_B.get(field, w.B)
        K1 = w.K1
        idf = self.searcher.idf(field, text)
        avgfl = self.searcher.avg_field_length(field) or 1
        ids, weights = self.cache.postings(field, text)
        if len(docs) * 8 > self.n:  # many documents: a rank table beats binary search
            rank = np.empty(self.n, dtype=np.int32)
            rank[ids] = np.arange(len(ids), dtype=np.int32)
            at = rank[docs]
        else:
            at = np.searchsorted(ids, docs)
        weights = weights[at].astype(np.float64)  # float32 in the cache; Whoosh uses double
        fl = self.cache.lengths(field)[docs].astype(np.float64)
        return idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * fl / avgfl)))

    def _parts_at(self, q, docs: np.ndarray):
        """(flags, values) of each part at docs: whether it matches there, and its score (0.0 where not)."""
        flags, values = [], []
        for sub in q.subqueries:
            f = self.match(sub)[docs]
            v = np.zeros(len(docs))
            if f.all():
                v = self.scores(sub, docs)
            elif f.any():
                v[f] = self.scores(sub, docs[f])
            flags.append(f)
            values.append(v)
        return flags, values

    def _sum(self, q, docs: np.ndarray) -> np.ndarray:
        flags, values = self._parts_at(q, docs)
        if len(values) > 2:
            if len(values) < 1024:
                return self._tree_sums(q, docs, flags, values)
            self.inexact = True
        vals = np.zeros(len(docs))
        for v in values:  # in Whoosh's order: 0.0 + a + b
            vals += v
        return vals * q.boost if q.boost != 1.0 else vals

    def _tree_sums(self, q, docs, flags, values):
        """Scores of an Or or And of three or more parts, added up as Whoosh does in each segment.

        Whoosh builds a tree of two-way matchers ordered by each part's
        estimated size in the segment (make_weighted_tree: a stable sort,
        then the two smallest joined, the join inserted after equal
        weights); an Or over a small segment (at most 5,000 documents) adds
        its parts one after another instead (ArrayUnionMatcher). The sums
        are then the same floats as Whoosh's.
        """
        is_or = type(q) is wq.Or
        vals = np.zeros(len(docs))
        offsets = [seg.offset for seg in self.cache.segments] + [self.n]
        bounds = np.searchsorted(docs, offsets)
        for i, seg in enumerate(self.cache.segments):
            lo, hi = bounds[i], bounds[i + 1]
            if lo == hi:
                continue
            f = [x[lo:hi] for x in flags]
            v = [x[lo:hi] for x in values]
            if is_or and seg.size <= 5000:
                acc = np.zeros(hi - lo)
                for fi, vi in zip(f, v):
                    acc += np.where(fi, vi * q.boost, 0.0)
                vals[lo:hi] = acc
                continue
            r = seg.reader
            weights = [sub.estimate_size(r) if is_or else 0 - sub.estimate_size(r) for sub in q.subqueries]
            _, out = _eval_tree(_weighted_tree(weights), f, v)
            vals[lo:hi] = out * q.boost if q.boost != 1.0 else out
        return vals


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
            if state is None or state[0] != name or not state[1].up_to_date():
                # A fresh searcher, never Searcher.refresh(): Whoosh's reader reuse brings back
                # segments merged away and keeps old deletions (a live server showed removed
                # paragraphs), and closes readers that requests may still be reading.
                for _ in range(5):
                    searcher = self.index_dir.open().searcher()
                    cache = FacetCache(searcher)
                    # A commit between opening the segments and their side files may have merged one
                    # away: open again.
                    if cache.complete() or searcher.up_to_date():
                        break
                state = (name, searcher, cache)
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

    @staticmethod
    def _match(searcher, cache: FacetCache, q, scored: bool):
        """(evaluator or None, paragraphs matched by q): with arrays, else with Whoosh's matchers."""
        try:
            evaluate = _Evaluator(searcher, cache, scored)
            return evaluate, evaluate.match(q) & cache.paragraphs
        except _Unsupported:
            return None, cache.mask(searcher.docs_for_query(q))

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
        scored = req.sort == "relevance" and tree is not None
        evaluate, base = self._match(searcher, cache, main, scored)
        matched = self._combine(base, masks)
        relaxed = False
        if tree is not None and not matched.any():
            loose = qc.relaxed(leaves, qc.negated_leaves(tree))
            if loose is not None:
                loose_evaluate, loose_base = self._match(searcher, cache, loose, scored)
                if self._combine(loose_base, masks).any():
                    main, evaluate, base, relaxed = loose, loose_evaluate, loose_base, True
                    matched = self._combine(base, masks)
        total = int(matched.sum())

        first = (req.page - 1) * req.per_page
        if scored:
            page = None
            if evaluate is not None:
                try:
                    docs = np.flatnonzero(matched)
                    scores = evaluate.scores(main, docs)
                    page = self._top_by_score(searcher, main, docs, scores, first, req.per_page, evaluate.inexact)
                except _Unsupported:
                    page = None
            if page is None and masks and not total:
                page = []  # (an empty filter set would read as no filter at all)
            if page is None:
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
        cache.warm = True
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
    def _top_by_score(searcher, main, docs: np.ndarray, scores: np.ndarray, first: int, per_page: int,
                      inexact: bool):
        """The page of hits Whoosh's top-N collector gives: score descending, then document number.

        The array scores are Whoosh's, computed in the same order, except
        where Whoosh adds three or more parts in a tree that depends on the
        segment (`inexact`): there, near ties between documents of
        different segments are settled by scoring those few documents with
        Whoosh's own matchers. Returns None if the two ever disagree on what
        matches (the caller then ranks with Whoosh).
        """
        k = first + per_page
        if len(docs) > k:
            kth = np.partition(scores, len(docs) - k)[len(docs) - k]
            keep = scores >= kth - 1e-9 * max(1.0, abs(kth))
            docs, scores = docs[keep], scores[keep]
        order = np.lexsort((docs, -scores))
        docs, scores = docs[order], scores[order]
        if inexact and len(docs) > 1:
            near = np.abs(np.diff(scores)) <= 1e-9 * np.maximum(1.0, np.abs(scores[1:]))
            if near.any():
                offsets = np.array([off for _, off in searcher.leaf_searchers()])
                segment = np.searchsorted(offsets, docs, side="right") - 1
                label = np.cumsum(np.r_[True, ~near])
                settle = []
                for lab in np.unique(label[np.r_[near, False] | np.r_[False, near]]):
                    members = np.flatnonzero(label == lab)
                    if len(set(segment[members].tolist())) > 1 or len(set(scores[members].tolist())) > 1:
                        settle.extend(docs[members].tolist())
                if settle:
                    exact = Backend._whoosh_scores(searcher, main, np.array(sorted(settle)))
                    if exact is None:
                        return None
                    at = {d: i for i, d in enumerate(docs.tolist())}
                    for d, sc in exact.items():
                        scores[at[d]] = sc
                    order = np.lexsort((docs, -scores))
                    docs, scores = docs[order], scores[order]
        return [(int(d), float(sc)) for d, sc in zip(docs[first:first + per_page], scores[first:first + per_page])]

    @staticmethod
    def _whoosh_scores(searcher, main, docs: np.ndarray) -> dict | None:
        """Whoosh's scores of the given (sorted) documents, with the matchers its collector uses."""
        exact = {}
        context = searcher.context()
        for sub, offset in searcher.leaf_searchers():
            size = sub.reader().doc_count_all()
            local = docs[(docs >= offset) & (docs < offset + size)] - offset
            if not len(local):
                continue
            m = main.matcher(sub, context)
            for d in local.tolist():
                if not m.is_active():
                    break
                if m.id() < d:
                    m.skip_to(d)
                    if not m.is_active():
                        break
                if m.id() == d:
                    exact[d + offset] = m.score()
        return exact if len(exact) == len(docs) else None

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
        try:
            mask = _Evaluator(searcher, cache, False).match(qc.to_whoosh(tree))
            return np.flatnonzero(mask & cache.paragraphs)
        except _Unsupported:
            return np.flatnonzero(cache.mask(searcher.docs_for_query(qc.to_whoosh(tree))))

    def suggest(self, q: str) -> str | None:
        """“您是不是要找”: `q` with one character of each unmatched term corrected, or None."""
        searcher, cache = self._current()

        def count(query) -> int:
            return int(self._match(searcher, cache, query, False)[1].sum())
        return suggest(searcher.reader(), count, q)

    # -- meeting pages ---------------------------------------------------

    def meeting(self, meeting_id: str) -> dict | None:
        """A meeting with its markdown, paragraphs' lines and facets; None if unknown."""
        searcher, _ = self._current()
        doc = searcher.document(id=meeting_id)
        if not doc or doc.get("kind") != MEETING:
            return None
        return {"id": meeting_id, **doc["info"]}
