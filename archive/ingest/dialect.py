"""The markdown dialect of the minutes: CommonMark with tables and front matter, raw HTML as text.

Ingest reads blocks' source lines with it and the meeting page renders
with it: both must parse alike, or paragraph anchors would miss their lines.
"""

from markdown_it import MarkdownIt
from mdit_py_plugins.front_matter import front_matter_plugin


def markdown_parser() -> MarkdownIt:
    # Raw HTML in minutes is text that was typed, not markup: keep it as text.
    return MarkdownIt("commonmark", {"html": False}).enable("table").use(front_matter_plugin)
