"""Where a meeting was: a place field's value, online or not, and the place a title names."""

from __future__ import annotations

import re
import unicodedata

from .vocab import ONLINE, _IS_CJK, _key, vocabulary
from .people import _MARKUP, _TRAILING_PUNCT, _URL


# Places.

def place_of(text: str) -> str | None:
    """A place field's value as the meeting's place: the text, ONLINE, or None (nothing said).

    ONLINE when the value speaks only of meeting online (线上, 腾讯会议, Zoom, a link); a value
    that also names a room or a place (`县政府三楼会议室（视频会议主会场）`, `北京线下+线上`) is a place.
    """
    voc = vocabulary()
    value = _MARKUP.sub("", text).strip().strip(_TRAILING_PUNCT)
    if not value or _key(value) in voc.placeholders:
        return None
    bare = _URL.sub(" ", value).strip().strip(_TRAILING_PUNCT)
    if _says_online(value) and not _physical_beyond_online(bare):
        return ONLINE
    return bare or None


def _says_online(text: str) -> bool:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return bool(_URL.search(text)) or any(w in folded for w in vocabulary().online)


def _physical_beyond_online(text: str) -> bool:
    """Whether `text`, without its online words, still says where (a room, a street, 线下)."""
    voc = vocabulary()
    folded = unicodedata.normalize("NFKC", text).casefold()
    for w in voc.online:  # longest first
        folded = folded.replace(w, " ")
    return any(w in folded for w in voc.physical)


_CLOCK = re.compile(r"\d{1,2}\s*[:：]\s*\d{2}(?:\s*[-~～–—至到]\s*\d{1,2}\s*[:：]\s*\d{2})?\s*(?:[ap]\.?m\.?)?",
                    re.IGNORECASE)
_ZONE = re.compile(r"[(（]?\s*(?:UTC|GMT)\s*(?:[+\-]\s*\d{1,2}(?::?\d{2})?)?\s*[)）]?(?:\s*[A-Za-z]+(?:\s+Time)?)?"
                   r"|北京时间|Beijing\s+Time", re.IGNORECASE)


def title_place(title: str) -> str | None:
    """The place a title names after its clock time: `2025/1/11 21:00-22:00 GMT+8 深圳` -> 深圳.

    A time zone (`(UTC+08:00)Beijing`, `GMT+8`) is not a place; `北京线下+线上会议` -> 北京;
    `… 19:00 线上` -> ONLINE.
    """
    title = _ZONE.sub(" ", title)
    clocks = list(_CLOCK.finditer(title))
    if not clocks:
        return None
    rest = title[clocks[-1].end():].strip(" \t,，;；:：-—|")
    if not rest or len(rest) > 24 or re.search(r"\d", rest) or not _IS_CJK.search(rest):
        return None
    where = place_of(rest)
    if where in (None, ONLINE):
        return where
    for noise in vocabulary().title_noise:
        where = where.replace(noise, " ")
    return re.sub(r"\s+", " ", where).strip() or None
