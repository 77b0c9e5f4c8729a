"""The facets: what paragraphs are filtered and counted by, each declared once, here.

A facet is a field of every paragraph record: archive/index/records.py makes its values with
`values`, both engines store it as a keyword field (`commas`: values may hold spaces) and count and
filter it by its `group`. Everything else reads this table instead of naming facets: the search
request (the URL parameter and its older spelling), the CLI's flags, the service's JSON facets (how
each is listed), the drop-a-filter help, the web sidebar, chips and URL state, the ledger's filters.

Adding one takes one entry here (or `register(...)`, as tests/test_facets.py does) and, to show it
on the search page, one line in web/templates/search.html: `{{ facet_section('online') }}`. An index
holds the facet's values once its files are ingested again (`archive ingest --rebuild`).

Nothing in the project is imported here: every room may import this one.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# How a facet's values are listed in a search's JSON facets.
TOP, BY_LEVEL, ALL, DATE, HIDDEN = "top", "by_level", "all", "date", "hidden"
DATE_GROUP = "date"  # year, ym and month: filtered by a DateRange (from, to, month), listed as one `date` facet
TOP_N = 50  # values listed per facet (BY_LEVEL: per level of a path, so the page can nest them)


@dataclass(frozen=True)
class Source:
    """What a paragraph's facet values are made from (archive/index/records.py fills it)."""
    paragraph: Any       # archive/ingest/model.Paragraph: text, regions, topics, date, role …
    meeting: Any         # archive/ingest/model.Meeting: its header fields (`fields`) among others
    participants: tuple  # the people who took part, as the person facet files them
    level: str           # the file's access level
    ingested: str        # RFC 3339 UTC: when the file's content was first ingested ("" unknown)


@dataclass(frozen=True)
class Facet:
    name: str                            # the record field, the Filters group, the JSON facet key
    values: Callable[[Source], list]     # a paragraph's values
    param: str = ""                      # the URL parameter filtering by one value (CLI: --param); "" none
    aliases: tuple[str, ...] = ()        # older spellings of the parameter and flag, still accepted
    label: str = ""                      # Chinese: the sidebar heading, the chip, the CLI's drop line
    help: str = ""                       # the CLI flag's help
    group: str = ""                      # the filter group it is counted without (drill-down); "": name
    listed: str = TOP                    # TOP (TOP_N most frequent), BY_LEVEL, ALL (by value), DATE, HIDDEN
    commas: bool = True                  # values are comma-separated keywords (they may hold spaces)
    choices: dict = field(default_factory=dict)  # the only values a filter may name, with their labels

    @property
    def filter_group(self) -> str:
        return self.group or self.name

    def choice_label(self, value: str) -> str:
        return self.choices.get(value, value)


def _paths(regions) -> list[str]:
    """Every region's path and the paths of its ancestors, so a filter on any level finds it."""
    keys = set()
    for region in regions:
        path = region.path
        keys.update("/".join(path[:i]) for i in range(1, len(path) + 1))
    return sorted(keys)


def _year(s: Source) -> list[str]:
    d = s.paragraph.date
    return [str(d.year)] if d is not None and d.year else []


def _ym(s: Source) -> list[str]:
    d = s.paragraph.date
    return [f"{d.year}-{d.month:02d}"] if d is not None and d.year and d.month else []


def _month(s: Source) -> list[str]:
    d = s.paragraph.date
    return [f"{d.month:02d}"] if d is not None and d.month else []


# The paragraphs that record a decision (under 决定/决议/议定事项) or an open item (under 遗留问题/待办).
ROLES = {"decision": "决定事项", "action": "待办事项"}

FACETS: list[Facet] = [
    Facet("region", lambda s: _paths(s.paragraph.regions), param="region", label="地区",
          help="省、市或县，如 甘肃 或 天水市", listed=BY_LEVEL),
    Facet("topic", lambda s: list(s.paragraph.topics), param="topic", label="主题", help="主题，如 森林防火"),
    Facet("year", _year, group=DATE_GROUP, listed=DATE, commas=False),
    Facet("month", _month, group=DATE_GROUP, listed=DATE, commas=False),
    Facet("ym", _ym, group=DATE_GROUP, listed=DATE, commas=False),
    Facet("person", lambda s: list(s.participants), param="person", label="人员",
          help="参会人员（主持、出席、记录、汇报）"),
    Facet("role", lambda s: [s.paragraph.role] if s.paragraph.role else [], param="role", aliases=("kind",),
          label="内容", help="只看决定事项（decision）或待办事项（action）", listed=ALL, commas=False,
          choices=ROLES),
    # Hidden (never listed): the times a --since bound selects, and the levels a reader may read (archive/access).
    Facet("ingested", lambda s: [s.ingested] if s.ingested else [], listed=HIDDEN, commas=False),
    Facet("access", lambda s: [s.level], listed=HIDDEN),
]


def register(facet: Facet) -> None:
    """Add a facet (a deployment's own, or a test's); records made from now on hold it."""
    if any(f.name == facet.name for f in FACETS):
        raise ValueError(f"facet {facet.name} is declared already")
    FACETS.append(facet)


def unregister(name: str) -> None:
    FACETS[:] = [f for f in FACETS if f.name != name]


def named(name: str) -> Facet:
    for f in FACETS:
        if f.name == name:
            return f
    raise KeyError(f"no facet {name} (archive/facets.py)")


def fields() -> tuple[str, ...]:
    """The record fields of every facet (what the engines store as facet values)."""
    return tuple(f.name for f in FACETS)


def comma_separated(name: str) -> bool:
    """Whether a facet field's values are comma-separated keywords (else separated by spaces)."""
    return any(f.name == name and f.commas for f in FACETS)


def group_of(name: str) -> str:
    """The filter group a facet field is counted without."""
    return named(name).filter_group


def value_groups() -> tuple[str, ...]:
    """The groups filtered by values (any of them); the date group is a DateRange."""
    return tuple(dict.fromkeys(f.filter_group for f in FACETS if f.filter_group != DATE_GROUP))


def filtered() -> list[Facet]:
    """The facets a request filters by one value of, in the order URLs, flags and chips list them."""
    return [f for f in FACETS if f.param]


def param_names() -> dict[str, Facet]:
    """Every URL parameter naming a facet filter, its older spellings too, with its facet."""
    return {name: f for f in filtered() for name in (f.param, *f.aliases)}


def values_of(source: Source) -> dict[str, list]:
    """A paragraph's record fields of every facet."""
    return {f.name: f.values(source) for f in FACETS}
