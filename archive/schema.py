"""The shape of what an engine stores, below both ingest (archive/index) and the engines.

archive/index/records.py builds the records from annotated documents (its note says what each
field holds); the engines store them and count and filter by their facet fields. Both import
the names from here, so neither imports the other.
"""

from dataclasses import dataclass, field

# Values of a record's `kind` field: a paragraph, a meeting, a file of the manifest, the commit's meta.
PARAGRAPH, MEETING, FILE, META = "p", "m", "f", "meta"
# The fields a paragraph is filtered and counted by, and their groups: archive/facets.py.
# The people a meeting's paragraphs are filed under (person facet): those who took part.
PARTICIPANTS = ("host", "attendees", "observers", "recorder", "presenters")


@dataclass
class Outcome:
    """What ingest made of one file: its records to store, or why not."""
    source: str
    status: str  # added, updated, unchanged, failed
    digest: str = ""
    records: list[dict] = field(default_factory=list)
    reason: str = ""
    warnings: list[str] = field(default_factory=list)
    level: str = ""  # the access level its records were given
