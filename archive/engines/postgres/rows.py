"""Records (archive/index/records.py) as rows, with the engine-neutral analysis done here, in Python.

What the Whoosh engine indexes, this engine stores: the units view (`chars`:
every unit and every bigram of unit_string(text)) and the words views (text,
title, section: archive.analysis.words, sub-words included), with field
lengths as Whoosh counts them (chars: 2n - 1 for n units; words: tokens),
stored raw (for the totals; quantized to Whoosh's byte when read, for scoring).
Facet values are tokenized as Whoosh's KEYWORD fields tokenize them and
stored as "field:value" (one array, whatever facet fields records have).

Each paragraph's terms and their frequencies go to the run's postings
(postings.py), written per term at the end of the run; the rows keep the
units string only for the exact check of literal runs.
"""

import json
import re
from collections import Counter
from functools import lru_cache

import numpy as np

from ...analysis import normalize, unit_string, word_terms
from ... import facets
from ...schema import FILE, MEETING, PARAGRAPH
from .postings import Postings
from .schema import CHARS, SECTION, TEXT, TITLE

# Whoosh's field-length byte (whoosh.util.numeric): the length each byte stands for, and the byte of
# a length (the first byte standing for at least that length; 255 from 106374 on).
BYTE_LENGTHS = [int(round((pow(1.033, n) - 1) * 27)) for n in range(256)]


def quantize(lengths: np.ndarray) -> np.ndarray:
    """Field lengths as Whoosh's length column answers them."""
    return QUANTIZED[np.minimum(np.searchsorted(QUANTIZED, lengths), 255)]


QUANTIZED = np.array(BYTE_LENGTHS, dtype=np.float64)


@lru_cache(maxsize=20000)
def _word_tokens(value: str) -> tuple[str, ...]:
    return tuple(word_terms(normalize(value)))


def word_tokens(value: str | None) -> tuple[str, ...]:
    """The tokens of a words field (text, title, section), as the Whoosh engine's tokenizer gives them."""
    if not value:
        return ()
    if len(value) <= 200:  # titles and sections repeat for every paragraph of a meeting
        return _word_tokens(value)
    return _word_tokens.__wrapped__(value)


# -- the units view --------------------------------------------------------------

# What SQL makes of a paragraph's text as its units string, when the row leaves `units` NULL: spaces
# (ASCII and ideographic) dropped, full-width ASCII as ASCII. Python's unit_string folds more (case,
# traditional script, other spaces): the row keeps `units` when the two differ.
FULL_WIDTH = "".join(map(chr, range(0xFF01, 0xFF5F)))
HALF_WIDTH = "".join(map(chr, range(0x21, 0x7F)))
_SQL_FOLD = str.maketrans(FULL_WIDTH, HALF_WIDTH)
SPACELESS_SQL = "replace(replace(text, ' ', ''), '\u3000', '')"
TEXT_UNITS_SQL = f"translate({SPACELESS_SQL}, %s, %s)"  # (FULL_WIDTH, HALF_WIDTH)


def stored_units(text: str, units: str) -> str | None:
    """The `units` column of a paragraph: None when TEXT_UNITS_SQL gives the units string from its text."""
    return None if text.replace(" ", "").replace("\u3000", "").translate(_SQL_FOLD) == units else units


def chars_terms(units: str) -> set[str]:
    """The distinct terms of the units view: each unit and each bigram of neighbouring units."""
    terms = set(units)
    terms.update(map(str.__add__, units, units[1:]))
    return terms


def chars_length(units: str) -> int:
    return 2 * len(units) - 1 if units else 0


# -- facet values as Whoosh's KEYWORD fields tokenize them ------------------------

_COMMA_TOKEN = re.compile(r"[^,]+")
_SPACE_TOKEN = re.compile(r"[^ \t\r\n]+")
NOT_VALUES = ("kind", "id", "meeting_id", "source", "text", "title", "section", "info", "date_sort")


def keyword_values(field: str, value) -> list[str]:
    """The values of a keyword field as Whoosh indexes them (lists are joined with commas first)."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        value = ",".join(value)
    value = str(value)
    if field == "keyterm" or facets.comma_separated(field):  # KEYWORD(commas=True); the others: KEYWORD()
        return sorted({t.strip() for t in _COMMA_TOKEN.findall(value)})
    return sorted(set(_SPACE_TOKEN.findall(value)))


def facet_values(record: dict, fields) -> list[str]:
    """"field:value" of every value of the given fields of a record."""
    out = []
    for field in fields:
        value = record.get(field)
        if value is None:
            continue
        if isinstance(value, list):
            value = tuple(value)
        try:
            out += _field_values(field, value)
        except TypeError:  # (a value that cannot be a key: not remembered)
            out += _field_values.__wrapped__(field, value)
    return out


@lru_cache(maxsize=20000, typed=True)  # (typed: True is not 1)
def _field_values(field: str, value) -> tuple[str, ...]:
    """Facet values repeat for every paragraph of a meeting: tokenized once."""
    return tuple(f"{field}:{v}" for v in keyword_values(field, value))


# -- rows, as lines of COPY's text format ---------------------------------------------

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})
_COPY_SPECIAL = re.compile(r"[\\\n\r\t]")


def _text(value) -> str:
    if value is None:
        return "\\N"
    return value.translate(_COPY_ESCAPES) if _COPY_SPECIAL.search(value) else value


def _texts(values: list[str]) -> str:
    """A text[] value."""
    quoted = ('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
    return _text("{" + ",".join(quoted) + "}")


def _plain(value):
    """What JSON cannot hold as it is (sets, dates …), as the nearest it can."""
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    return str(value)


def _json(value) -> str:
    return _text(json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_plain))


# -- a paragraph's info, without its keys -------------------------------------------

# A paragraph's info (archive/index/records.py) is stored as [bits of the keys present, their values]
# when its keys are these, in this order (its date likewise); its meeting_title as 0 when it is its
# meeting's title (restored from the meetings row). Any other info is stored as it is.
PARAGRAPH_INFO = ("n", "meeting_title", "section", "line_start", "line_end", "is_heading", "regions", "topics",
                  "date", "role", "page", "page_breaks")
DATE_INFO = ("year", "month", "day", "text", "year_inferred", "source")
FROM_MEETING = 0


def _pack(value, keys):
    """A dict whose keys are some of `keys` in their order as [bits, values]; else None."""
    if not isinstance(value, dict):
        return None
    bits, at = 0, 0
    for key in value:
        while at < len(keys) and keys[at] != key:
            at += 1
        if at == len(keys):
            return None
        bits |= 1 << at
    return [bits, *value.values()]


def _unpack(packed, keys) -> dict:
    values = iter(packed[1:])
    return {key: next(values) for i, key in enumerate(keys) if packed[0] >> i & 1}


def pack_info(info, meeting_title):
    """A paragraph's info as stored: keys left out, the meeting's title left to the meetings row."""
    packed = _pack(info, PARAGRAPH_INFO)
    if packed is None or not isinstance(info.get("meeting_title", ""), (str, type(None))):  # (0: the meeting's)
        return info
    values = dict(zip((k for i, k in enumerate(PARAGRAPH_INFO) if packed[0] >> i & 1), range(1, len(packed))))
    if "meeting_title" in values and isinstance(meeting_title, str) and packed[values["meeting_title"]] == meeting_title:
        packed[values["meeting_title"]] = FROM_MEETING
    if values.get("date") and packed[values["date"]] is not None:
        date = _pack(packed[values["date"]], DATE_INFO)
        packed[values["date"]] = date if date is not None else {"": packed[values["date"]]}
    return packed


def unpack_info(stored, meeting_title):
    """A paragraph's info as its record had it (pack_info undone; meeting_title: the meetings row's)."""
    if not isinstance(stored, list):
        return stored
    info = _unpack(stored, PARAGRAPH_INFO)
    if info.get("meeting_title") == FROM_MEETING:
        info["meeting_title"] = meeting_title
    date = info.get("date")
    if isinstance(date, list):
        info["date"] = _unpack(date, DATE_INFO)
    elif isinstance(date, dict):  # (a date that was not a dict of DATE_INFO's keys: kept as it was)
        info["date"] = date[""]
    return info


class Stats:
    """What rows add to (or take from) the statistics: df per field and term, N, field length totals."""

    def __init__(self):
        self.df = {f: Counter() for f in (CHARS, TEXT, TITLE, SECTION)}
        self.documents = 0
        self.lengths = {"text": 0, "title": 0, "section": 0, "chars": 0}
        self.postings = Postings()  # what the run's paragraphs add (df: counted from these when written)

    def add_terms(self, units: str, text, title, section, sign: int = 1) -> None:
        terms = ((CHARS, chars_terms(units)), (TEXT, set(text)), (TITLE, set(title)), (SECTION, set(section)))
        for field, found in terms:
            if sign > 0:
                self.df[field].update(found)
            else:
                self.df[field].subtract(found)

    def add_lengths(self, lengths: dict, sign: int = 1) -> None:
        for name, value in lengths.items():
            self.lengths[name] += sign * value

    def merge(self, other: "Stats") -> None:
        for field, counts in other.df.items():
            self.df[field].update(counts)
        self.postings.merge(other.postings)
        self.documents += other.documents
        for name, value in other.lengths.items():
            self.lengths[name] += value


def paragraph_line(record: dict, stats: Stats, titles: dict) -> str:
    """The paragraphs row of a paragraph record (schema.PARAGRAPH_COLUMNS), counted into `stats`;
    `titles`: the title of each meeting of the record's file."""
    text = record.get("text") or ""
    units = unit_string(text)
    tokens = word_tokens(text)
    title = word_tokens(record.get("title"))
    section = word_tokens(record.get("section"))
    lengths = (len(tokens), len(title), len(section), chars_length(units))
    stats.postings.add(units, tokens, title, section, facet_values(record, facets.fields()))
    totals = stats.lengths
    totals["text"] += lengths[0]
    totals["title"] += lengths[1]
    totals["section"] += lengths[2]
    totals["chars"] += lengths[3]
    stats.documents += 1
    return "\t".join((
        _text(record["meeting_id"]), _text(record["id"]), _text(record["source"]), _text(stored_units(text, units)),
        *(str(n) for n in lengths), str(int(record.get("date_sort") or 0)), _text(text),
        _json(pack_info(record.get("info"), titles.get(record["meeting_id"]))),
    )) + "\n"


def meeting_line(record: dict, stats: Stats, titles: dict) -> str:
    stats.documents += 1
    fields = [f for f in record if f not in NOT_VALUES]
    return "\t".join((_text(record["id"]), _text(record["source"]), _texts(facet_values(record, fields)),
                      _json(record.get("info")))) + "\n"


def file_line(record: dict, stats: Stats, titles: dict) -> str:
    stats.documents += 1
    return "\t".join((_text(record["source"]), _text(record["info"]["hash"]), _json(record["info"]))) + "\n"


LINE_OF = {PARAGRAPH: ("paragraphs", paragraph_line), MEETING: ("meetings", meeting_line), FILE: ("files", file_line)}


def lines(records, stats: Stats):
    """(table, COPY line) of each record, in order."""
    records = list(records)
    titles: dict = {}
    for record in records:
        if record["kind"] == MEETING:
            titles.setdefault(record["id"], (record.get("info") or {}).get("title"))
    for record in records:
        table, make = LINE_OF[record["kind"]]
        yield table, make(record, stats, titles)
