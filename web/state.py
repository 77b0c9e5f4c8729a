"""The page's whole state is its URL query string: read it once, write links from it.

Every link on the page (facets, chips, sort, paging, hits) is a plain URL made
here, so any view can be bookmarked, shared and reached with the back button.
"""

from dataclasses import dataclass

from flask import url_for

from archive import facets
from archive.search.request import PER_PAGE, SearchRequest

DEFAULTS = {"sort": "relevance", "per_page": str(PER_PAGE), "expand": "1", "page": "1"}


def filters() -> tuple[str, ...]:
    """The parameters that filter a search: each facet's (archive/facets.py), then the dates and since."""
    return (*(f.param for f in facets.filtered()), "from", "to", "month", "since")


def params() -> tuple[str, ...]:
    """The parameters of a search, in the order they appear in links."""
    return ("q", *filters(), "sort", "per_page", "expand", "page")


def read_param(args, name: str) -> str:
    """A parameter's value, also under an older name of a facet's (kind= is role=)."""
    facet = facets.param_names().get(name)
    names = (name, *facet.aliases) if facet is not None and facet.param == name else (name,)
    return next((args.get(n) for n in names if args.get(n)), "")


@dataclass(frozen=True)
class State:
    params: dict  # the search parameters that were given, as strings

    @classmethod
    def from_args(cls, args) -> "State":
        given = {}
        for name in params():
            value = read_param(args, name)
            value = value if name == "q" else value.strip()
            if value and DEFAULTS.get(name) != value:
                given[name] = value
        return cls(given)

    def request(self) -> SearchRequest:
        """The validated search; raises BadRequest with the reason."""
        return SearchRequest.from_params(self.params)

    def get(self, name: str) -> str:
        return self.params.get(name, "")

    def changed(self, **changes) -> dict:
        """The parameters with `changes` applied (None or "" removes one).

        Any change but paging itself starts again at page 1."""
        out = dict(self.params)
        if "page" not in changes:
            out.pop("page", None)
        for key, value in changes.items():
            name = {"date_from": "from", "date_to": "to"}.get(key, key)
            if value in (None, "") or DEFAULTS.get(name) == str(value):
                out.pop(name, None)
            else:
                out[name] = str(value)
        return {name: out[name] for name in params() if name in out}

    def url(self, endpoint: str = "pages.search", route: dict | None = None, **changes) -> str:
        """A link with the state changed; `route` holds the endpoint's own values (meeting_id, hit)."""
        return url_for(endpoint, **self.changed(**changes), **(route or {}))

    def without(self, *names) -> "State":
        return State(self.changed(**{name: None for name in names}))

    def has_filters(self) -> bool:
        return any(self.get(name) for name in filters())

    def hidden_fields(self) -> list[tuple[str, str]]:
        """What the search form carries along when a new query is typed: filters and sort."""
        return [(k, v) for k, v in self.changed(q=None).items()]


def repaired_search(request) -> str | None:
    """For an error page: the search of a bad request with the parameters that are bad on their own left
    out (a date like 20x1, a page of 0, an unclosed quote), or None when none is."""
    from archive.errors import BadRequest
    from archive.search.query import parse
    if request.path != url_for("pages.search"):
        return None
    given = {name: read_param(request.args, name) or request.args.get(name) for name in params()}
    given = {name: value for name, value in given.items() if value is not None}
    kept = {}
    for name, value in given.items():
        try:
            parse(value) if name == "q" else SearchRequest.from_params({name: value})
            kept[name] = value
        except BadRequest:
            continue
    return url_for("pages.search", **kept) if len(kept) < len(given) else None
