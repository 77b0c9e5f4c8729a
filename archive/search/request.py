"""A search request, validated once for every front (CLI, page, API)."""

import re
from dataclasses import dataclass, fields
from datetime import date, datetime, timezone

from .. import facets
from ..errors import BadRequest, QueryError
from .query import MAX_QUERY_CHARS, parse

MAX_PER_PAGE = 100
MAX_PAGE = 1000
PER_PAGE = 20  # the default page size of every front
SORTS = ("relevance", "newest", "oldest")
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def date_parts(value: str) -> tuple[int, int | None, int | None] | None:
    """(year, month, day) of `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (unknown parts None), or None."""
    m = _DATE.match((value or "").strip())
    return (int(m[1]), m[2] and int(m[2]), m[3] and int(m[3])) if m else None


def date_bound(value: str, upper: bool) -> int:
    """`YYYY`, `YYYY-MM` or `YYYY-MM-DD` as the first (or last) YYYYMMDD it covers."""
    parts = date_parts(value)
    if parts is None:
        raise BadRequest(f"日期格式应为 YYYY、YYYY-MM 或 YYYY-MM-DD：{value!r}")
    year, month, day = parts
    try:
        date(year, month or 1, day or 1)
    except ValueError:
        raise BadRequest(f"不存在的日期：{value!r}") from None
    if upper:
        return year * 10000 + (month or 99) * 100 + (day or 99)
    return year * 10000 + (month or 0) * 100 + (day or 0)


LAST_INGEST = "last-ingest"  # since: the files whose content the newest ingest time holds


def since_bound(value: str) -> str:
    """A `since` value (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`, or an ISO 8601 time; local time unless it says
    its offset) as the RFC 3339 UTC time ingest times are compared with."""
    value = value.strip()
    parts = date_parts(value)
    try:
        if parts is not None:
            year, month, day = parts
            moment = datetime(year, month or 1, day or 1)
        else:
            moment = datetime.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"since 应为 YYYY-MM-DD、ISO 8601 时间或 {LAST_INGEST}：{value!r}") from None
    try:  # (in UTC a time at either end of the calendar may fall outside it: years 1 to 9999)
        utc = moment.astimezone(timezone.utc).replace(tzinfo=None)
    except (OverflowError, ValueError):
        raise BadRequest(f"since 超出可用的时间范围（0001 年到 9999 年，按 UTC）：{value!r}") from None
    return utc.isoformat(timespec="seconds") + "Z"  # (four-digit years: strftime would write year 2 as "2")


def _int(params, name, default, low, high) -> int:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise BadRequest(f"{name} 应为整数：{raw!r}") from None
    if not low <= value <= high:
        raise BadRequest(f"{name} 应在 {low} 到 {high} 之间：{value}")
    return value


@dataclass(frozen=True, init=False)
class SearchRequest:
    """SearchRequest(q="环境", region="甘肃", role="decision", date_from="2023"): a facet's filter is
    given by its name (archive/facets.py), held in `chosen` and read with value(name)."""
    q: str
    chosen: dict  # facet name -> the value it is filtered by (only those given)
    date_from: str
    date_to: str
    month: int | None  # a month in any year, also dates whose year is unknown
    page: int
    per_page: int
    sort: str
    expand: bool  # also search each term's synonyms (archive/search/thesaurus.toml)
    since: str  # only files whose content was first ingested on/after this (or LAST_INGEST)

    def __init__(self, q: str = "", date_from: str = "", date_to: str = "", month: int | None = None, page: int = 1,
                 per_page: int = PER_PAGE, sort: str = "relevance", expand: bool = True, since: str = "", **chosen):
        names = {f.name for f in facets.filtered()}
        if set(chosen) - names:
            raise TypeError(f"no facet filter {', '.join(sorted(set(chosen) - names))} (archive/facets.py)")
        given = dict(q=q, chosen={n: v for n, v in chosen.items() if v}, date_from=date_from, date_to=date_to,
                     month=month, page=page, per_page=per_page, sort=sort, expand=expand, since=since)
        for name, value in given.items():
            object.__setattr__(self, name, value)

    def value(self, facet: str) -> str:
        """The value the facet of this name is filtered by, or ""."""
        return self.chosen.get(facet, "")

    @classmethod
    def from_params(cls, params) -> "SearchRequest":
        """From a mapping of strings (URL query or CLI options); raises BadRequest."""
        def text(name):
            value = params.get(name) or ""
            return value.strip() if isinstance(value, str) else ""

        sort = text("sort") or "relevance"
        if sort == "date":
            sort = "newest"
        if sort not in SORTS:
            raise BadRequest(f"sort 应为 {' | '.join(SORTS)} 或 date：{sort!r}")
        chosen = {f.name: next((v for v in map(text, (f.param, *f.aliases)) if v), "") for f in facets.filtered()}
        req = cls(
            q=params.get("q") or "",
            **chosen,
            date_from=text("from"),
            date_to=text("to"),
            month=_int(params, "month", None, 1, 12),
            page=_int(params, "page", 1, 1, MAX_PAGE),
            per_page=_int(params, "per_page", PER_PAGE, 1, MAX_PER_PAGE),
            sort=sort,
            expand=_int(params, "expand", 1, 0, 1) == 1,
            since=text("since"),
        )
        req.validate()
        return req

    def validate(self) -> None:
        try:
            parse(self.q)
        except QueryError as exc:
            raise BadRequest(str(exc)) from None
        for value, upper in ((self.date_from, False), (self.date_to, True)):
            if value:
                date_bound(value, upper)
        if self.date_from and self.date_to and date_bound(self.date_from, False) > date_bound(self.date_to, True):
            raise BadRequest(f"起始日期 {self.date_from} 晚于结束日期 {self.date_to}")
        for f in facets.filtered():
            value = self.value(f.name)
            if len(value) > MAX_QUERY_CHARS:
                raise BadRequest(f"{f.param} 过长")
            if value and f.choices and value not in f.choices:
                raise BadRequest(f"{f.param} 应为 {' | '.join(f.choices)}：{value!r}")
        if self.since and self.since != LAST_INGEST:
            since_bound(self.since)

    def with_(self, **changes) -> "SearchRequest":
        """This request with fields or facet filters changed (a facet's "" or None: not filtered)."""
        given = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "chosen"}
        return SearchRequest(**{**given, **self.chosen, **changes})

    def filters(self) -> dict[str, str]:
        """The filters given, by the URL parameter each is written with."""
        values = {f.param: self.value(f.name) for f in facets.filtered()}
        values.update({"from": self.date_from, "to": self.date_to, "month": str(self.month) if self.month else "",
                       "since": self.since})
        return {name: value for name, value in values.items() if value}
