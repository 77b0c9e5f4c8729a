"""Text as markdown of the archive's dialect that reads back as the same characters."""

import re

_ESCAPE = re.compile(r"([\\`*_\[\]<>&|~])")
_LINE_START = re.compile(r"^(#|[-+=>]|\d{1,9}(?=[.)]))")


def escape_inline(text: str) -> str:
    """Text inside a heading line."""
    text = _ESCAPE.sub(r"\\\1", text)
    return text[:-1] + "\\#" if text.endswith("#") else text  # a closing # would be dropped


def escape(text: str) -> str:
    """Text as markdown that reads back as the same characters."""
    text = _ESCAPE.sub(r"\\\1", text)
    m = _LINE_START.match(text)
    if m:
        if m.group(1)[0].isdigit():
            end = m.end()
            text = text[:end] + "\\" + text[end:]
        else:
            text = "\\" + text
    return text


def clean(text: str) -> str:
    """A run of blanks with a space or tab in it as one space (only no-break or ideographic spaces: kept);
    the ends stripped."""
    return re.sub(r"[ \t\u00a0\u3000]+", lambda m: " " if " " in m.group() or "\t" in m.group() else m.group(),
                  text).strip(" \t\u00a0\u3000\r\n")
