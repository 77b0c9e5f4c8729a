"""A search request, validated once for every front (CLI, page, API)."""

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone

from ..errors import BadRequest, QueryError
from .query import MAX_QUERY_CHARS, parse

MAX_PER_PAGE = 100
MAX_PAGE = 1000
PER_PAGE = 20  # the default page size of every front
SORTS = ("relevance", "newest", "oldest")
KINDS = ("decision", "action")  # paragraphs under 决定/决议/议定事项, under 遗留问题/待办
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


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    region: str = ""
    topic: str = ""
    person: str = ""
    kind: str = ""  # decision or action: only the paragraphs that record one
    date_from: str = ""
    date_to: str = ""
    month: int | None = None  # a month in any year, also dates whose year is unknown
    page: int = 1
    per_page: int = PER_PAGE
    sort: str = "relevance"
    expand: bool = True  # also search each term's synonyms (archive/search/thesaurus.toml)
    since: str = ""  # only files whose content was first ingested on/after this (or LAST_INGEST)

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
        req = cls(
            q=params.get("q") or "",
            region=text("region"),
            topic=text("topic"),
            person=text("person"),
            kind=text("kind"),
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
        for name, value in (("region", self.region), ("topic", self.topic), ("person", self.person)):
            if len(value) > MAX_QUERY_CHARS:
                raise BadRequest(f"{name} 过长")
        if self.since and self.since != LAST_INGEST:
            since_bound(self.since)
        if self.kind and self.kind not in KINDS:
            raise BadRequest(f"kind 应为 {' | '.join(KINDS)}：{self.kind!r}")

    def with_(self, **changes) -> "SearchRequest":
        return replace(self, **changes)

    def filters(self) -> dict[str, str]:
        """The filters given, by the URL parameter each came from."""
        values = {"region": self.region, "topic": self.topic, "person": self.person, "kind": self.kind,
                  "from": self.date_from, "to": self.date_to, "month": str(self.month) if self.month else "", "since": self.since}
        return {name: value for name, value in values.items() if value}
