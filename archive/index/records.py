"""Annotated documents to the records every engine stores: what each hit and meeting page needs.

A meeting record has the key terms, topics and places related meetings
share. A paragraph record has the fields it is searched by (text; title and
section for the context boost), the values of every facet it is filtered and counted
by (archive/facets.py: each ancestor of each region path; topics; year, ym = YYYY-MM and
month = MM of its date, where known; …), date_sort (YYYYMMDD, unknown parts 0)
and `info`, stored as it is and shown with each hit. `ingested` (a hidden facet,
RFC 3339 UTC) is when the file's current content was first ingested: what
`--since` and the feeds' `updated` read; meetings and files also keep the
corpus folder the file was read from (`root`), so its original can be served. Meetings and files
(the manifest) are records too, so that one commit updates all three. A file holding the same minutes as
another (archive/index/copies.py) is stored as a file record only, and listed in the `copies` of the
other's meetings.
"""

import hashlib
from dataclasses import dataclass

from ..extract.fields import PEOPLE_ROLES, MeetingFields, person_name
from ..facets import Source, values_of
from ..ingest.layout import break_offsets, page_of
from ..ingest.model import Document, Meeting, Paragraph
from ..schema import FILE, MEETING, PARAGRAPH, PARTICIPANTS  # (the kinds and fields: archive/schema.py)
from .copies import format_of


def meeting_id(source: str, index: int) -> str:
    """Stable while the file keeps its path: a short hash of the path and the meeting's number."""
    return f"{hashlib.sha1(source.encode()).hexdigest()[:10]}-{index}"


def _date_json(date) -> dict | None:
    return date.as_json() if date is not None else None


def _date_sort(date) -> int:
    """YYYYMMDD of a date, unknown parts 0 (the date facets are archive/facets.py's)."""
    return (date.year or 0) * 10000 + (date.month or 0) * 100 + (date.day or 0) if date is not None else 0


def _header(meeting: Meeting) -> MeetingFields:
    """The meeting's header fields (none for a meeting that was not annotated)."""
    return meeting.fields if meeting.fields is not None else MeetingFields()


def _people(meeting: Meeting) -> dict[str, list[str]]:
    people = _header(meeting).people
    return {role: list(people[role]) for role in PEOPLE_ROLES if people.get(role)}


def _participants(meeting: Meeting) -> list[str]:
    people = _header(meeting).people
    names = (person_name(n) for role in PARTICIPANTS for n in people.get(role, ()))
    return sorted({n for n in names if n and "," not in n})


@dataclass(frozen=True)
class Ingest:
    """What a run knows of a file beyond its text: its content hash, when that content was first
    ingested (RFC 3339 UTC) and the corpus folder it was read from (absolute)."""
    digest: str
    ingested: str = ""
    root: str = ""
    key: str = ""  # the text key (archive/index/copies.py)
    copies: tuple = ()  # the other files holding the same minutes (copies.Copy), for a primary


def paragraph_doc(doc: Document, meeting: Meeting, para: Paragraph, level: str, ingest: Ingest | None = None,
                  shared: tuple | None = None) -> dict:
    """A paragraph's record; `shared` = (meeting id, participants) when the caller made them once per meeting."""
    mid, participants = shared or (meeting_id(doc.source, meeting.index), tuple(_participants(meeting)))
    fields = {
        "kind": PARAGRAPH,
        "id": f"{mid}-p{para.n}",
        "meeting_id": mid,
        "source": doc.source,
        "text": para.text,
        "title": meeting.title,
        "section": para.section,
        "date_sort": _date_sort(para.date),
        "info": {
            "n": para.n,
            "meeting_title": meeting.title,
            "section": para.section,
            "line_start": para.line_start,
            "line_end": para.line_end,
            "is_heading": para.is_heading,
            "regions": [r.key() for r in para.regions],
            "topics": list(para.topics),
            "date": _date_json(para.date),
            "role": para.role,
            "page": page_of(doc.pages, para.line_start),  # PDFs and scans; None for text and Word
            # [offset, page] where the paragraph runs on to the next page: a hit cites its match's page
            "page_breaks": break_offsets(para.text, para.line_start, para.line_end, doc.page_breaks,
                                         doc.pages, doc.lines) if doc.page_breaks or doc.pages else [],
        },
    }
    source = Source(para, meeting, participants, level, ingest.ingested if ingest else "")
    fields.update(values_of(source))
    return fields


def _pages(doc: Document, meeting: Meeting) -> list[list[int]]:
    """[page, line] where each page of a PDF or scan begins within the meeting (its first line's page first)."""
    if not doc.pages:
        return []
    first = page_of(doc.pages, meeting.line_start)
    starts = [[first, meeting.line_start]] if first is not None else []
    return starts + [[n, line] for n, line in doc.pages if meeting.line_start < line <= meeting.line_end and n != first]


def meeting_doc(doc: Document, meeting: Meeting, level: str, ingest: Ingest | None = None) -> dict:
    record = {
        "kind": MEETING,
        "id": meeting_id(doc.source, meeting.index),
        "source": doc.source,
        # What related meetings share (SearchService.related): key terms, topics, places.
        "keyterm": [t for t in meeting.keyterms if "," not in t],
        "topic": list(meeting.topics),
        "region": [r.key() for r in meeting.regions],
        "info": {
            "title": meeting.title,
            "document_title": doc.title,
            "preamble": meeting.is_preamble,
            "access": level,
            "source": doc.source,
            "line_start": meeting.line_start,
            "line_end": meeting.line_end,
            "markdown": "\n".join(doc.lines[meeting.line_start - 1:meeting.line_end]),
            "paragraphs": [[p.n, p.line_start, p.line_end] for p in meeting.paragraphs],
            "pages": _pages(doc, meeting),
            "regions": [r.key() for r in meeting.regions],
            "topics": list(meeting.topics),
            "date": _date_json(meeting.date),
            "keyterms": list(meeting.keyterms),
            # The header of the minutes: fields as written, people by role, decisions and open items.
            "fields": dict(_header(meeting).fields),
            "people": _people(meeting),
            "online": _header(meeting).online,
            "items": [{"kind": i.kind, "paragraph": i.paragraph, "text": i.text, "owners": list(i.owners),
                       "due": i.due} for i in _header(meeting).items],
        },
    }
    record["info"]["format"] = format_of(doc.source)
    if ingest is not None:
        record["info"].update(hash=ingest.digest, ingested=ingest.ingested, root=ingest.root,
                              copies=[c.as_json() for c in ingest.copies])
    return record


def file_doc(doc: Document, digest: str, ingest: Ingest | None = None) -> dict:
    record = {
        "kind": FILE,
        "id": f"file:{doc.source}",
        "source": doc.source,
        "info": {
            "hash": digest,
            "title": doc.title,
            "meetings": len(doc.records),
            "paragraphs": sum(len(m.paragraphs) for m in doc.meetings),
            "warnings": list(doc.warnings),
        },
    }
    if ingest is not None:
        record["info"].update(ingested=ingest.ingested, root=ingest.root, text=ingest.key)
    return record


def copy_records(doc: Document, digest: str, ingest: Ingest, primary: str) -> list[dict]:
    """A copy of another file's minutes: its file record only (no meeting or paragraph of its own)."""
    record = file_doc(doc, digest, ingest)
    record["info"].update(meetings=0, paragraphs=0, copy_of=primary)
    return [record]


def records(doc: Document, digest: str, level: str, ingest: Ingest | None = None):
    """The meeting, paragraph and file records of an annotated document whose access level is `level`."""
    for meeting in doc.meetings:
        yield meeting_doc(doc, meeting, level, ingest)
        shared = (meeting_id(doc.source, meeting.index), tuple(_participants(meeting)))
        for para in meeting.paragraphs:
            yield paragraph_doc(doc, meeting, para, level, ingest, shared)
    yield file_doc(doc, digest, ingest)
