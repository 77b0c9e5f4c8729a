"""One meeting, several files: the same minutes kept as markdown, Word and PDF are indexed once.

A file's text key is the hash of its access level and of its meetings' text with everything but letters
and digits folded away (whitespace, punctuation, markdown marks, a PDF's line breaks), so the .md, the
.docx made from it and its printed .pdf share one key. Of the files sharing a key, the primary is the
first by format (md, then Word, then PDF, then images) and then by path, whichever came first: its
meetings and paragraphs are indexed and its meeting records list the others as `copies`; a copy keeps
only its file record (so ingest still skips it while unchanged). Only files of the same level are copies
of each other, so a meeting never offers a copy above its own level.

Which file is a copy of which is kept in the index's meta (COPIES: source -> [key, primary, root]), so
a run knows the roles it stored without reading any unchanged file again, and rewrites exactly the files
whose role or list of copies changes (a new copy, a copy changed or gone, a primary removed: its first
copy is promoted).
"""

import hashlib
import pickle
import re
from functools import lru_cache
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..ingest import IMAGE_SUFFIXES, PDF_SUFFIXES, WORD_SUFFIXES

COPIES = "copies"  # the meta key
VERSION = 1  # of the key and the records: an index built before (or otherwise) is re-tagged


def text_key(lines: list[str], level: str) -> str:
    """The key of a document's meetings' text (its lines) at an access level; "" for a text with no
    letter or digit (an unread scan is no copy of another)."""
    text = "".join(lines)
    chars = set(text)
    if all(_fold(c) is not None for c in chars):  # (the letters and digits kept as they are, the rest dropped)
        dropped = "".join(re.escape(c) for c in chars if not _fold(c))
    else:
        text = unicodedata.normalize("NFKC", text)
        dropped = "".join(re.escape(c) for c in set(text) if not _letter_or_digit(c))  # (each tested once)
    folded = re.sub(f"[{dropped}]+", "", text) if dropped else text
    if not folded:
        return ""
    return hashlib.sha256(f"{level}\0{folded}".encode()).hexdigest()[:24]


@lru_cache(maxsize=65536)
def _letter_or_digit(char: str) -> bool:
    return unicodedata.category(char)[0] in "LN"


@lru_cache(maxsize=65536)
def _fold(char: str) -> bool | None:
    """True for a letter or digit that NFKC leaves as it is, False for a character whose NFKC form holds
    no letter or digit, None for any other: a text of the first two alone is its NFKC form character by
    character, as none of them, nor their NFKC forms, is a mark or a Hangul jamo (which compose or
    reorder with their neighbours)."""
    normal = unicodedata.normalize("NFKC", char)
    if any(_composing(c) for c in char + normal):
        return None
    if normal == char and _letter_or_digit(char):
        return True
    return None if any(_letter_or_digit(c) for c in normal) else False


def _composing(char: str) -> bool:
    return unicodedata.category(char)[0] == "M" or unicodedata.combining(char) != 0 \
        or "HANGUL" in unicodedata.name(char, "")


def meeting_lines(doc) -> list[str]:
    """The lines of a document's meetings (front matter and anything outside a meeting left out)."""
    return [line for m in doc.meetings for line in doc.lines[m.line_start - 1:m.line_end]]


def format_of(source: str) -> str:
    return Path(source).suffix.lower().lstrip(".")


def _rank(source: str) -> tuple:
    suffix = Path(source).suffix.lower()
    order = 0 if suffix == ".md" else 1 if suffix in WORD_SUFFIXES else 2 if suffix in PDF_SUFFIXES \
        else 3 if suffix in IMAGE_SUFFIXES else 4
    return order, source


def primaries(keys: dict[str, str]) -> dict[str, str]:
    """source -> the primary of its group (itself for a primary), for every source with a key."""
    groups: dict[str, list[str]] = {}
    for source, key in keys.items():
        if key:
            groups.setdefault(key, []).append(source)
    return {s: min(members, key=_rank) for members in groups.values() for s in members}


@dataclass(frozen=True)
class Copy:
    source: str
    hash: str
    root: str

    def as_json(self) -> dict:
        return {"source": self.source, "hash": self.hash, "format": format_of(self.source), "root": self.root}


def copies_of(primary_of: dict[str, str], hashes: dict[str, str], roots: dict[str, str]) -> dict[str, tuple]:
    """primary -> its copies (in rank order), each with the hash and folder it is read from."""
    out: dict[str, list] = {}
    for source in sorted(primary_of, key=_rank):
        primary = primary_of[source]
        if source != primary:
            out.setdefault(primary, []).append(Copy(source, hashes.get(source, ""), roots.get(source, "")))
    return {p: tuple(c) for p, c in out.items()}


def held_roles(meta: dict) -> dict[str, list]:
    """source -> [key, primary, root] as the index's last commit stored them ({} for an index built
    before copies were kept: it is re-tagged)."""
    held = meta.get(COPIES)
    return dict(held["files"]) if isinstance(held, dict) and held.get("version") == VERSION else {}


def stored(meta: dict) -> bool:
    return isinstance(meta.get(COPIES), dict) and meta[COPIES].get("version") == VERSION


def to_meta(roles: dict[str, list]) -> dict:
    return {"version": VERSION, "files": dict(sorted(roles.items()))}


@dataclass
class Scan:
    """What reading a changed file before the run told: its hash, key and (within the budget) the
    document itself, or the bytes of it pickled, so that preparing it does not read it twice."""
    digest: str
    key: str
    doc: object = None

    def document(self):
        return pickle.loads(self.doc) if isinstance(self.doc, bytes) else self.doc


@dataclass
class Plan:
    """The roles of a run: source -> primary, primary -> copies, the text keys and folders the roles are
    stored with, and the unchanged files to write again because their role or list of copies changed."""
    primary_of: dict
    copies: dict
    keys: dict
    roots: dict
    forced: set


def plan(held: dict[str, list], scans: dict[str, Scan], gone: set[str], manifest: dict[str, str],
         roots: dict[str, str]) -> Plan:
    """The roles after this run: `held` as stored, `scans` of the files read anew, `gone` the files
    removed; `roots` the folders of the files listed in this run (else the stored ones)."""
    keys = {s: h[0] for s, h in held.items() if s not in gone}
    keys.update((s, scan.key) for s, scan in scans.items())
    hashes = {**manifest, **{s: scan.digest for s, scan in scans.items()}}
    roots = {**{s: h[2] for s, h in held.items()}, **roots}
    primary_of = primaries(keys)
    copies = copies_of(primary_of, hashes, roots)
    # (the copies each primary's records list now)
    before = copies_of({s: h[1] for s, h in held.items() if h[1] not in gone and s not in gone}, manifest, roots)
    forced = set()
    for source, primary in primary_of.items():
        was = held.get(source)
        if source in scans or was is None:
            continue
        if was[1] != primary or (primary == source and copies.get(source, ()) != before.get(source, ())):
            forced.add(source)
    return Plan(primary_of, copies, keys, roots, forced)
