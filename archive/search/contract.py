"""The public contract: what `GET /api/search`, `archive search --json` and `/api/meetings/<id>` return.

These types are documented in the README ("JSON contract"); the search
service builds them, every front shows them, no engine type leaks out.
"""

from typing import TypedDict


class Date(TypedDict):
    year: int | None           # None: not stated (or a placeholder such as 20xx年)
    month: int | None
    day: int | None
    text: str                  # as written
    year_inferred: bool        # the year was taken from a title, the meeting's date or the file name
    source: str                # where the date was written: text, title, filename, front matter


class Hit(TypedDict):
    id: str                    # <meeting_id>-p<N>
    meeting_id: str
    meeting_title: str
    section: str
    text: str
    highlight: str             # HTML: escaped text with <mark> around matches, cut to a snippet
    source: str                # the file, relative to the corpus root
    line_start: int
    line_end: int
    regions: list[str]         # paths: 甘肃省/天水市/麦积区
    topics: list[str]
    date: Date | None
    role: str | None           # "decision" or "action" (an open item) when the paragraph records one
    page: int | None           # the page of a PDF or scan where the match is; None for text and Word
    score: float | None        # None unless sorted by relevance


class FacetValue(TypedDict):
    value: str
    count: int


class Suggestion(TypedDict):
    q: str                     # the query with one character of each unmatched term corrected
    total: int                 # what it finds under the same filters


class Drop(TypedDict):
    params: list[str]          # the URL parameters of one active filter (e.g. ["from", "to"])
    total: int                 # what the search finds without that filter


class Expansion(TypedDict):
    term: str                  # a term of the query, or one of its words
    synonyms: list[str]        # also searched (thesaurus.toml), ranked below the term itself


class TimelineBar(TypedDict):
    period: str                # "2024-03" (a month), or "2024" (paragraphs dated by the year alone)
    year: int
    month: int | None
    count: int                 # matching paragraphs of that month (or of that year, no month known)


class Result(TypedDict):
    query: str
    total: int
    page: int
    per_page: int
    took_ms: float
    relaxed: bool              # no paragraph has every term: ranked by how many terms each has
    expanded: list[Expansion]  # what was also searched; none with expand=0 or a quoted phrase
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]   # each listed facet of archive/facets.py, date, and kind (role, its older name)
    facets_truncated: dict[str, bool]     # a facet listed only its FACET_LIMIT most frequent values
    suggestion: Suggestion | None         # only when nothing (or only a relaxed answer) was found
    drops: list[Drop]                     # only when nothing was found under the filters
    timeline: list[TimelineBar]           # paragraphs per month (per year where only the year is known)


class Related(TypedDict):
    meeting_id: str
    title: str
    date: Date | None
    shared: list[str]          # the key terms, topics and places both meetings have


class Meeting(TypedDict):
    id: str
    title: str
    document_title: str
    preamble: bool             # the text before a file's first meeting
    source: str
    line_start: int
    line_end: int
    markdown: str              # the meeting's lines of the source file
    paragraphs: list[list[int]]  # [N, line_start, line_end] of each paragraph
    pages: list[list[int]]     # [page, line] where each page of a PDF or scan begins; [] for text and Word
    regions: list[str]
    topics: list[str]
    date: Date | None
    keyterms: list[str]
    fields: dict[str, str]     # the header as written: time, place, host, attendees, agenda … (by name)
    people: dict[str, list[str]]  # role (host, attendees, absent, recorder, presenters …) -> names
    online: bool               # the minutes say the meeting was held online (it then has no place)
    items: list[dict]          # decisions and open items: kind, paragraph, text, owners, due
    related: list[Related]     # up to 5 meetings sharing the most key terms, topics and places
    ingested: str              # when the file's current content was first ingested (RFC 3339 UTC)
    hash: str                  # the file's SHA-256


def date_text(date: Date | dict | None, note: bool = True) -> str:
    """2023年4月16日, 4月16日 (year unknown), with （年份推断） when the year was inferred."""
    if not date:
        return ""
    out = "".join(f"{date[k]}{unit}" for k, unit in (("year", "年"), ("month", "月"), ("day", "日"))
                  if date.get(k))
    if note and date.get("year_inferred"):
        out += "（年份推断）"
    return out
