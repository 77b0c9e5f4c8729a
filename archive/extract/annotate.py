"""Fill each meeting and paragraph with its regions, date, topics and key terms.

A paragraph keeps what it says itself; otherwise it inherits from its
section, then from its meeting. Front matter in the file overrides all of it.
"""

import hashlib
from functools import lru_cache
from pathlib import Path

from ..ingest.model import Document, Meeting
from . import dates, regions, topics
from .keyterms import key_terms

EXTRACT_VERSION = "1"  # bump when extraction rules change, so that ingest re-tags the corpus
DATA_DIR = Path(__file__).parent / "data"
OPENING_PARAGRAPHS = 3  # a meeting's date is the event date of one of its first paragraphs


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """Changes whenever re-running ingest would tag the corpus differently."""
    h = hashlib.sha256(EXTRACT_VERSION.encode())
    h.update(topics.default_taxonomy().fingerprint.encode())
    for data in sorted(DATA_DIR.glob("gazetteer*")):
        h.update(data.read_bytes())
    return h.hexdigest()[:16]


def _front_date(value):
    found = dates.find_dates(str(value)) if value is not None else []
    return found[0] if found else None


def _front_regions(value) -> list:
    names = value if isinstance(value, list) else [value] if value else []
    out = []
    for name in names:
        matches = regions.lookup(str(name))
        if matches:
            out.append(matches[0])
    return out


def _front_topics(value) -> list[str]:
    names = value if isinstance(value, list) else [value] if value else []
    return [str(n).strip() for n in names if str(n).strip()]


def _with_year(date, year):
    # A year written as a placeholder (x年, 20xx年) stays unknown: only a date
    # given without any year borrows the title's.
    if date is None or date.year is not None or year is None or "年" in date.text:
        return date
    return date.with_year(year)


def _annotate_meeting(meeting: Meeting, year: int | None) -> None:
    extractor = regions.default_extractor()
    taxonomy = topics.default_taxonomy()
    texts = [p.text for p in meeting.paragraphs]
    meeting.regions = extractor.regions("\n".join([meeting.title, *texts]))
    meeting.topics = taxonomy.tag_meeting(meeting.title, texts)
    meeting.keyterms = key_terms("\n".join(texts))
    opening = [dates.event_date(p.text) for p in meeting.paragraphs[:OPENING_PARAGRAPHS] if not p.is_heading]
    meeting.date = _with_year(next((d for d in opening if d), None), year)

    section_regions, section_dates = {}, {}
    for p in meeting.paragraphs:
        own_regions = extractor.regions(p.text, context=meeting.regions)
        own_date = _with_year(dates.event_date(p.text), year)
        if p.section not in section_dates:  # the section's opening sets its context
            section_regions[p.section] = own_regions
            section_dates[p.section] = own_date
        p.regions = own_regions or section_regions[p.section] or meeting.regions
        p.date = own_date or section_dates[p.section] or meeting.date
        p.topics = list(dict.fromkeys([*meeting.topics, *taxonomy.tag(p.text)]))


def annotate(doc: Document) -> Document:
    front = doc.front_matter
    fdate = _front_date(front.get("date"))
    year = (fdate.year if fdate else None) or dates.title_year(doc.title)
    for meeting in doc.meetings:
        _annotate_meeting(meeting, year or dates.title_year(meeting.title))
    overrides = {}
    if fdate:
        overrides["date"] = fdate
    if front.get("region"):
        overrides["regions"] = _front_regions(front["region"])
    if front.get("topics"):
        overrides["topics"] = _front_topics(front["topics"])
    for meeting in doc.meetings:
        for target in [meeting, *meeting.paragraphs]:
            for name, value in overrides.items():
                setattr(target, name, value)
    return doc
