"""The Whoosh schema: one index holds paragraphs, meetings and the file manifest.

Keeping the manifest (one document per source file with its content hash)
inside the index means a commit updates paragraphs and manifest together:
an ingest killed at any moment leaves both as they were.
"""

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.formats import Frequency

from ... import facets
from ...schema import PARAGRAPH
from .tokenizers import UnitTokenizer, WordTokenizer

# Files the writer puts next to each segment, named after it so that Whoosh
# deletes them with it: the units text of every document (what literal
# matching compares; empty for documents without one) with its byte offsets.
UNITS_EXT, UNITS_OFFSETS_EXT = ".units", ".uoff"


class Counts(Frequency):
    """Frequency without a value per posting: a posting's frequency is its weight (no term here
    has a boost), which the postings blocks hold already; its 4 bytes a posting were stored twice."""

    posting_size = 0

    def word_values(self, value, analyzer, **kwargs):
        return ((w, freq, weight, b"") for w, freq, weight, _ in super().word_values(value, analyzer, **kwargs))


def _text(analyzer) -> TEXT:
    field = TEXT(analyzer=analyzer, phrase=False, stored=False)
    field.format = Counts()
    return field


def make_schema() -> Schema:
    words, units = WordTokenizer(), UnitTokenizer()
    text = _text(words)
    text.stored = True
    return Schema(
        kind=ID(stored=True),
        id=ID(stored=True, unique=True),
        meeting_id=ID(stored=True),
        source=ID(stored=True),
        text=text,
        chars=_text(units),
        title=_text(words),
        section=_text(words),
        keyterm=KEYWORD(commas=True),
        **{f.name: KEYWORD(commas=f.commas) for f in facets.FACETS},  # (archive/facets.py)
        date_sort=NUMERIC(int, bits=32, sortable=True),
        info=STORED,
    )


def to_fields(record: dict) -> dict:
    """A record (archive/index/records.py) as this schema's fields: the text also in its units view,
    lists of facet values as comma-separated keywords."""
    fields = dict(record)
    if "text" in fields and fields.get("kind") == PARAGRAPH:
        fields["chars"] = fields["text"]
    for name in ("keyterm", *facets.fields()):
        if isinstance(fields.get(name), list):
            fields[name] = ",".join(fields[name])
    return fields
