"""Waitress as `archive serve` runs it, taking request lines as people type them.

`curl 'http://127.0.0.1:8000/api/search?q=环境 保护'` sends its request target unencoded: raw UTF-8, even
spaces. Waitress answers that with an English plain-text `400 Bad URI` before the app sees it. The parser
below percent-encodes such a target first (bytes beyond ASCII, and the spaces between the method and the
final HTTP/x.y), so it is answered as if it had been encoded; any other bad request line is still refused.
"""

import logging
import re

from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import create_server as _create_server

_LINE = re.compile(rb"^([A-Z]+) (.+) (HTTP/\d\.\d)$")
_RAW = re.compile(rb"[\x80-\xff ]")


def encoded_line(line: bytes) -> bytes:
    """The request line with its target's raw bytes beyond ASCII and spaces percent-encoded."""
    found = _LINE.match(line)
    if not found or not _RAW.search(found[2]):
        return line
    target = _RAW.sub(lambda m: b"%%%02X" % m[0][0], found[2])
    return b" ".join((found[1], target, found[3]))


class LenientParser(HTTPRequestParser):
    def parse_header(self, header_plus: bytes):
        first, sep, rest = header_plus.partition(b"\r\n")
        return super().parse_header(encoded_line(first) + sep + rest)


class LenientChannel(HTTPChannel):
    parser_class = LenientParser


def create_server(app, **kw):
    """waitress.create_server, its connections parsed by LenientParser."""
    server = _create_server(app, **kw)
    # (one socket: the server itself; several: MultiSocketServer keeps each one's server in its map)
    for one in [server, *getattr(server, "map", {}).values()]:
        if hasattr(one, "channel_class"):
            one.channel_class = LenientChannel
    return server


def serve(app, **kw) -> None:
    """waitress.serve with LenientParser (the same arguments)."""
    logging.basicConfig()  # (waitress's warnings, as waitress.serve shows them)
    server = create_server(app, **kw)
    server.print_listen("Serving on http://{}:{}")
    server.run()
