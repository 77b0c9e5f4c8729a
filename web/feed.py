"""GET /feed.atom: a search as an Atom 1.0 feed (RFC 4287) of its newest matching meetings.

The same parameters as the page (q, region, topic, person, role (or kind), from, to, month, since, expand,
per_page = how many entries); entries come only from SearchService (so whatever the service enforces,
the feed inherits), newest ingested first. The XML is built with ElementTree, which escapes every
text and attribute; the snippet is the hit's highlighted HTML, carried as escaped text (type="html").
"""

import html
import ipaddress
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, request, url_for

from .auth import service
from .sidebar import chips
from .state import State
from .text import paragraph_number

bp = Blueprint("feed", __name__)

ATOM = "http://www.w3.org/2005/Atom"
TAG_DATE = "2026"  # the date part of the entries' tag: URIs (RFC 4151): fixed, so ids never change
EPOCH = "1970-01-01T00:00:00Z"  # `updated` of a feed of an empty index
# Characters XML 1.0 cannot carry at all (a control character in a corpus file must not break the feed).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

ET.register_namespace("", ATOM)


def _xml(text) -> str:
    return _NOT_XML.sub("", str(text or ""))


def _add(parent, name: str, text=None, **attrs):
    element = ET.SubElement(parent, f"{{{ATOM}}}{name}", {k: _xml(v) for k, v in attrs.items()})
    if text is not None:
        element.text = _xml(text)
    return element


def site_root() -> str:
    """The site's address for the feed's links: `[web] base_url` when configured; else the request's, behind
    the proxy as ProxyFix read it from the one trusted proxy (X-Forwarded-Host), and directly only when
    the Host names no other site (a loopback name or an IP address); any other Host is a client's claim
    (`Host: evil.example`): then "" and the links are relative to the feed's own address (RFC 4287)."""
    config = current_app.config["ACCESS_CONFIG"]
    if config.base_url:
        return config.base_url
    if current_app.config.get("ACCESS_PROXY") or _no_other_site(request.host.rsplit(":", 1)[0].strip("[]")):
        return request.host_url.rstrip("/")
    return ""


def _no_other_site(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def entry_id(meeting_id: str) -> str:
    """A meeting's entry id: stable as long as the meeting id is (its file's path and its number)."""
    host = urlsplit(site_root()).hostname or "localhost"
    return f"tag:{host},{TAG_DATE}:meeting:{meeting_id}"


def feed_title(state: State) -> str:
    parts = ([f"“{state.get('q').strip()}”"] if state.get("q").strip() else []) + [c.label for c in chips(state)]
    return "会议记录检索" + (f"：{' · '.join(parts)}" if parts else "：全部会议")


@bp.get("/feed.atom")
def feed():
    state = State.from_args(request.args)
    req = state.request()
    viewed = service()
    found = viewed.newest_meetings(req, limit=req.per_page)
    root = site_root()
    here = root + request.script_root + request.full_path.rstrip("?")

    doc = ET.Element(f"{{{ATOM}}}feed")
    _add(doc, "id", here if root else f"tag:localhost,{TAG_DATE}:feed:{here}")  # (an IRI: the feed is its search)
    _add(doc, "title", feed_title(state))
    _add(doc, "updated", max((f["meeting"].get("ingested") or EPOCH for f in found), default=None)
         or viewed.last_ingested() or EPOCH)
    _add(_add(doc, "author"), "name", "会议记录检索")
    _add(doc, "link", rel="self", type="application/atom+xml", href=here)
    _add(doc, "link", rel="alternate", type="text/html", href=root + state.url(page=None))
    _add(doc, "generator", "会议记录检索")
    for item in found:
        meeting, hit = item["meeting"], item["hit"]
        n = paragraph_number(hit["id"])
        entry = _add(doc, "entry")
        _add(entry, "id", entry_id(meeting["id"]))
        _add(entry, "title", meeting["title"])
        _add(entry, "updated", meeting.get("ingested") or EPOCH)
        _add(entry, "link", rel="alternate", type="text/html",
             href=root + state.url("pages.meeting", route={"meeting_id": meeting["id"], "hit": n}) + f"#p-{n}")
        for topic in meeting.get("topics", []):
            _add(entry, "category", term=topic)
        where = f"{hit['source']}:{hit['line_start']}" + (f" · {hit['section']}" if hit["section"] else "")
        _add(entry, "content", f"<p>{hit['highlight']}</p><p>{html.escape(where)}</p>", type="html")
    body = ET.tostring(doc, encoding="utf-8", xml_declaration=True)
    return Response(body, mimetype="application/atom+xml")


def feed_url(**params) -> str:
    """The feed of a filter (the meeting page's subjects)."""
    return url_for("feed.feed", **params)
