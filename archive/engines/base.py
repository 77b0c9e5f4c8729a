"""What an engine does for the search service and for ingest: the narrow interface.

An engine stores paragraphs, meetings and the file manifest, and answers
match plans (archive/engines/plan.py) under filters. Everything a user sees
(the query language, region names, the relaxed policy, facet formatting,
highlights, suggestions, the JSON) is the search service's, so engines
cannot drift apart in what they answer; tests run against each engine.

    Engine.reader()      a consistent view of the index as it is now
      Reader.find()        a plan under filters -> Found (the matched paragraphs)
        Found.total          how many
        Found.page()         a page in relevance, date or index order
        Found.facet_counts() values with counts, every filter applied but the facet's own
        Found.position()     where a paragraph or meeting stands in an order
      Reader.paragraphs()  stored records of found keys
      Reader.meeting()     a meeting's record
      Reader.meetings_sharing()   meetings by the key terms, topics and places they share
      Reader.next_units() / previous_units() / bigram_frequency()   the suggester's vocabulary
    Engine.indexer()     one ingest run: manifest, write, remove, one atomic commit

Keys are the engine's own handles of paragraphs (document numbers, row
ids): only the engine that gave them reads them.

Writing a new engine (the route both engines took):

1. Store: an Indexer that writes the records of archive/index/records.py
   (archive/schema.py: kind p/m/f/meta, their facet fields and `info`) and makes one commit
   visible atomically; Engine.exists/location; a lock against two ingests.
2. Postings: number the paragraphs 0 … n-1 and implement
   arrays/evaluate.PostingsSource over them (postings of words and of
   single units/bigrams in the `chars` field, exact literal runs, N, df,
   field totals and lengths). The shared Evaluator then matches and scores
   every plan the same way as the other engines.
3. Found: return arrays/found.ArrayFound from Reader.find, giving it the
   matched documents, a mask per filter group (arrays/found.filter_masks),
   and callbacks for date_sort, facet counting, a value's documents and keys.
4. The rest of Reader (paragraphs, meeting, meetings_sharing, the
   suggester's vocabulary) reads stored records.
5. Register a factory in tests/conftest.py (register_kind): every search,
   facet, page, access and reliability test then runs on it, and
   bench/compare.py diffs its answers against Whoosh's.
"""

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from ..facets import value_groups
from ..schema import Outcome
from ..settings import Place

# The facet fields and the filter group each is counted without (drill-down): archive/facets.py.
ORDERS = ("relevance", "newest", "oldest", "index")


@dataclass(frozen=True)
class DateRange:
    low: int = 0            # YYYYMMDD of the first day, 0: open (only dates with a known year match a bound)
    high: int = 99999999    # YYYYMMDD of the last day
    month: int | None = None  # a month of any year, also of dates whose year is unknown


@dataclass(frozen=True, init=False)
class Filters:
    """Resolved filters: facet values (any of them) per filter group of archive/facets.py, and a date range.

    Filters(region=(…), role=("decision",), date=DateRange(…)); two groups are hidden: `ingested`, the
    RFC 3339 times a --since bound selects, and `access`, the levels the reader may read (None: all)."""
    values: dict  # group -> tuple of values; a group not filtered is absent
    date: DateRange | None

    def __init__(self, date: DateRange | None = None, **groups):
        unknown = set(groups) - set(value_groups())
        if unknown:
            raise TypeError(f"no facet filter group {', '.join(sorted(unknown))} (archive/facets.py)")
        object.__setattr__(self, "values", {g: tuple(v) for g, v in groups.items() if v is not None})
        object.__setattr__(self, "date", date)

    def get(self, group: str) -> tuple[str, ...] | None:
        return self.values.get(group)

    def but(self, **groups) -> "Filters":
        """These filters with some groups' values replaced (None: not filtered)."""
        return Filters(self.date, **{**self.values, **groups})


class Found(Protocol):
    total: int

    def page(self, order: str, offset: int, limit: int) -> list[tuple[Any, float | None]]:
        """(key, score) of hits offset+1 … offset+limit; score None unless order is relevance.

        relevance: score descending, then index order; newest/oldest: date, undated last, then
        index order; index: the order paragraphs were added (files, then paragraphs)."""

    def facet_counts(self, field: str) -> dict[str, int]:
        """Paragraphs per value of a facet field, under every filter but the field's own group."""

    def position(self, order: str, paragraph_id: str | None = None, meeting_id: str | None = None) -> int | None:
        """The rank (from 1) in `order` of this paragraph, or of the meeting's first paragraph found."""


class Reader(Protocol):
    generation: object  # the same object for every reader of one committed state (weak-referenceable): a key
    #                     for what is worth computing once per state (the ledger)

    def facet_values(self, field: str) -> list[str]: ...

    def find(self, plan, filters: Filters, scored: bool) -> Found:
        """The paragraphs a plan matches (every paragraph if plan is None) under the filters."""

    def paragraphs(self, keys: Iterable) -> list[dict]:
        """Stored records of paragraphs: id, meeting_id, source, text, info (archive/index/records.py)."""

    def meeting(self, meeting_id: str) -> dict | None:
        """A meeting's info (archive/index/records.py) with its id, or None."""

    def meetings_sharing(self, values: list[tuple[str, str, float]], limit: int) -> list[tuple[str, list[int]]]:
        """Meetings holding (field, value) pairs of their records (keyterm, topic, region), ranked by the
        summed weights of the pairs each holds: (meeting_id, indices of the pairs it holds), at most `limit`."""

    def next_units(self, unit: str) -> list[str]:
        """Units that follow `unit` somewhere in the paragraphs."""

    def previous_units(self, unit: str) -> list[str]:
        """Units that precede `unit` somewhere in the paragraphs."""

    def bigram_frequency(self, bigram: str) -> int:
        """How many documents hold this pair of neighbouring units."""


class Indexer(Protocol):
    """One ingest run, holding the index's ingest lock; nothing is visible before commit()."""
    rebuilding: bool  # a fresh, empty index is being filled (nothing to skip or replace)

    def manifest(self) -> dict[str, str]:
        """source -> SHA-256 of every file the index holds."""

    def meta(self) -> dict:
        """What the last commit recorded (analysis versions, extraction fingerprint)."""

    def write(self, files: list, prepare: Callable[[tuple], Outcome], report: Callable[[Outcome], None],
              progress: Callable[[int, int, str], None] | None) -> None:
        """Prepare each (path, root, source) and store what comes out, replacing the source's records;
        `report` sees every outcome. The engine may prepare files in parallel."""

    def remove(self, source: str) -> None: ...

    def commit(self, meta: dict) -> None:
        """Make everything written visible at once, recording `meta`."""

    def counts(self) -> tuple[int, int]:
        """(meetings, paragraphs) in the index after the commit."""


class Engine(Protocol):
    name: str
    location: str  # where the index is, for messages only (a redacted URL on PostgreSQL)
    place: Place  # where the archive lives (archive/settings.py): what archive/home.py opens beside it

    def exists(self) -> bool: ...

    def reader(self) -> Reader: ...

    def meta(self) -> dict:
        """What the live index's last commit recorded ({} without one): e.g. the stored access configuration."""

    def indexer(self, rebuild: bool = False, wait: float = 0.0) -> AbstractContextManager[Indexer]: ...
