"""What the page shows around the hits, made from the search service's facets and the URL state:
the region hierarchy, the date histogram, a list of values for each other facet of archive/facets.py
(topics, people, decisions and open items), active-filter chips, sorting and paging.
"""

from dataclasses import dataclass

from archive import facets
from archive.extract.fields import person_name
from archive.extract.regions import lookup
from archive.search.request import LAST_INGEST, MAX_PAGE, SearchRequest
from archive.search.service import FACET_LIMIT

from .state import State, filters
from .text import bound_text, date_filter_text, region_full, region_name

BAR_STEPS = 20  # histogram bars are CSS classes bar-0 … bar-20 (no inline styles: the CSP forbids them)


@dataclass
class Link:
    label: str
    url: str
    count: int | None = None
    current: bool = False
    bar: int = 0
    title: str = ""
    removes: tuple = ()  # a chip: the parameters its link drops


def _bar(count: int, most: int) -> int:
    return max(1, round(BAR_STEPS * count / most)) if count and most else 0


# -- region: province → city → county --------------------------------------

def _children(counts: dict, parent: str) -> list[str]:
    depth = parent.count("/") + 1 if parent else 0
    kids = [v for v in counts if v.count("/") == depth and (not parent or v.startswith(parent + "/"))]
    return sorted(kids, key=lambda v: (-counts[v], v))


def region_facet(state: State, values: list[dict]) -> dict:
    """A breadcrumb back up to 全部地区 and the places one level down (or beside a county)."""
    counts = {v["value"]: v["count"] for v in values}
    selected = state.get("region")
    is_path = selected in counts or "/" in selected
    if selected and not is_path:  # a name (湖南, 天水) that names one place: the place, even with no hit in it
        places = {r.key() for r in lookup(selected)}
        if len(places) == 1:
            selected, is_path = places.pop(), True
    trail = [Link("全部地区", state.url(region=None), current=not selected)]
    if selected and is_path:
        parts = selected.split("/")
        for i in range(len(parts)):
            prefix = "/".join(parts[:i + 1])
            trail.append(Link(parts[i], state.url(region=prefix), counts.get(prefix), prefix == selected))
    elif selected:  # a name of several places or none (朝阳区): the search service resolves it
        trail.append(Link(f"名称含“{selected}”", state.url(), current=True))
    parent = selected if selected and is_path else ""
    kids, level = _children(counts, parent), "below"
    if parent and not kids:  # a county (or nothing below under the other filters): show it among its neighbours
        kids, level = _children(counts, parent.rsplit("/", 1)[0] if "/" in parent else ""), "beside"
        if parent not in kids:
            kids.insert(0, parent)
    items = [Link(region_name(v), state.url(region=v), counts.get(v, 0), v == selected, title=region_full(v))
             for v in kids]
    return {"trail": trail, "places": items, "level": level}


# -- topic, person, role …: values that a click chooses and a second click takes away ----

def _toggles(state: State, name: str, values: list[dict], chosen=(), label=lambda v: v) -> list[Link]:
    """A link per value; the chosen one (the URL's, or any of `chosen`: the same value spelt as the
    facet files it) removes the filter again, and is listed first when the facet lacks it."""
    selected = state.get(name)
    chosen = {selected, *chosen} - {""}
    items = [Link(label(v["value"]), state.url(**{name: None if v["value"] in chosen else v["value"]}),
                  v["count"], v["value"] in chosen, title="再点一次取消" if v["value"] in chosen else "")
             for v in values]
    if selected and not any(i.current for i in items):
        items.insert(0, Link(label(selected), state.url(**{name: None}), 0, True, title="再点一次取消"))
    return items


# A value as the facet files it, when a filter may spell it otherwise (李建國 in the URL is 李建国 in the facet).
_FILED_AS = {"person": person_name}
_CUT_UNIT = {"person": "位"}  # what the note on a cut list counts


def value_facet(state: State, facet: facets.Facet, values: list[dict], truncated: bool) -> dict:
    """A facet's values as toggles ({name, label, links, cut}); a facet of fixed choices (决定事项 N,
    待办事项 N) lists those found, in their order, by their labels."""
    if facet.choices:
        counts = {v["value"]: v["count"] for v in values}
        values = [{"value": k, "count": counts[k]} for k in facet.choices if counts.get(k)]
    selected, filed_as = state.get(facet.param), _FILED_AS.get(facet.name)
    links = _toggles(state, facet.param, values, chosen=(filed_as(selected),) if selected and filed_as else (),
                     label=facet.choice_label)
    cut = f"仅列出段落最多的前 {FACET_LIMIT} {_CUT_UNIT.get(facet.name, '项')}" if truncated else ""
    return {"name": facet.name, "label": facet.label, "links": links, "cut": cut}


def value_facets(state: State, result: dict) -> dict[str, dict]:
    """Every facet listed as values (TOP or ALL in archive/facets.py), by name: what search.html's
    facet_section(name) shows."""
    return {f.name: value_facet(state, f, result["facets"][f.name], result["facets_truncated"][f.name])
            for f in facets.filtered() if f.listed in (facets.TOP, facets.ALL)}


# -- date: years, the months of the chosen year, a month in any year ---------

def _year_scope(state: State) -> str:
    """The year the date filter stays within (from=2023&to=2023-04 …), else ''."""
    f, t = state.get("from"), state.get("to")
    return f[:4] if f and t and f[:4] == t[:4] and f[:4].isdigit() else ""


def date_facet(state: State, values: list[dict]) -> dict:
    counts = {v["value"]: v["count"] for v in values}
    f, t = state.get("from"), state.get("to")
    years = sorted(v for v in counts if len(v) == 4 and v.isdigit())
    most = max((counts[y] for y in years), default=0)
    scope = _year_scope(state)
    year_links = [Link(f"{y}年", state.url(**{"from": y, "to": y}), counts[y], y == scope, _bar(counts[y], most))
                  for y in years]
    months = []
    if scope and any(k.startswith(scope + "-") for k in counts):
        keys = [f"{scope}-{m:02d}" for m in range(1, 13)]
        most = max((counts.get(k, 0) for k in keys), default=0)
        months = [Link(f"{m}月", state.url(**{"from": k, "to": k}), counts.get(k, 0),
                       f == t and bound_text(f) == bound_text(k), _bar(counts.get(k, 0), most),
                       title=f"{scope}年{m}月")
                  for m, k in enumerate(keys, start=1)]
    chosen_month = _month(state)
    any_year = [Link(f"{int(v[2:])}月", state.url(month=None if int(v[2:]) == chosen_month else int(v[2:])),
                     counts[v], int(v[2:]) == chosen_month)
                for v in sorted(v for v in counts if v.startswith("--"))]
    return {"years": year_links, "scope": scope, "months": months, "any_year": any_year,
            "from": f, "to": t}


def _month(state: State) -> int | None:
    raw = state.get("month")
    return int(raw) if raw.isdigit() else None


# -- chips, sorting, paging ----------------------------------------------------

def chips(state: State) -> list[Link]:
    """The active filters, each with the link that removes it."""
    out = []
    for f in facets.filtered():
        value = state.get(f.param)
        if value:
            shown = region_full(value) if f.name == "region" else f.choice_label(value)
            out.append((f"{f.label}：{shown}", (f.param,)))
    if state.get("from") or state.get("to"):
        out.append((f"日期：{date_filter_text(state.get('from'), state.get('to'))}", ("from", "to")))
    if state.get("month"):
        out.append((f"月份：每年{int(state.get('month'))}月", ("month",)))
    if state.get("since"):
        since = state.get("since")
        out.append((f"收录：{'最近一次收录' if since == LAST_INGEST else since + ' 以来'}", ("since",)))
    return [Link(label, state.without(*names).url(), removes=names) for label, names in out]


def clear_all(state: State) -> str:
    return state.url(**{name: None for name in filters()})


SORTS = (("relevance", "相关度"), ("newest", "最新"), ("oldest", "最早"))


def sort_links(state: State, req: SearchRequest) -> list[Link]:
    """Relevance needs words to rank by; without a query the service lists newest first."""
    current = req.sort if req.q.strip() or req.sort != "relevance" else "newest"
    return [Link(label, state.url(sort=key), current=key == current)
            for key, label in SORTS if key != "relevance" or req.q.strip()]


def pagination(state: State, page: int, per_page: int, total: int) -> dict | None:
    last = min(-(-total // per_page), MAX_PAGE)
    if last <= 1:
        return None
    shown = sorted({1, last, *range(max(1, page - 2), min(last, page + 2) + 1)})
    items, before = [], 0
    for n in shown:
        if n - before > 1:
            items.append(None)  # a gap: …
        items.append(Link(str(n), state.url(page=n), current=n == page))
        before = n
    return {
        "prev": state.url(page=page - 1) if page > 1 else None,
        "next": state.url(page=page + 1) if page < last else None,
        "links": items, "last": last,
    }
