"""What ingest produces: a document is split into meetings, a meeting into paragraphs."""

from dataclasses import dataclass, field


@dataclass
class Block:
    """One markdown block as plain text, with its 1-based source lines."""

    kind: str  # "heading", "paragraph", "item" (list item), "quote", "code", "table"
    text: str
    line_start: int
    line_end: int
    level: int = 0  # heading level; 0 for other blocks
    bold: bool = False  # the whole paragraph is one bold span: a heading in disguise
    breaks: tuple[int, ...] = ()  # where in text each source line after the first starts (soft line breaks)


@dataclass
class Paragraph:
    n: int  # 1-based number within its meeting: the page anchor #p-N
    text: str
    section: str
    line_start: int
    line_end: int
    is_heading: bool = False
    # Filled by extract: facet values and the date this paragraph reports.
    regions: list = field(default_factory=list)
    topics: list = field(default_factory=list)
    date: object = None
    role: str | None = None  # "decision" or "action" (an open item), under such a heading or label
    # Where in text each source line after the first starts: a list or header lines written one a line
    # without blank lines read as one paragraph, but extract reads its lines (not stored in the index).
    breaks: tuple[int, ...] = ()

    def lines(self) -> list[str]:
        """The text cut where its source lines were."""
        bounds = [0, *self.breaks, len(self.text)]
        return [self.text[a:b] for a, b in zip(bounds, bounds[1:])]


@dataclass
class Meeting:
    index: int  # 0 is a preamble before the first meeting of a file, then 1, 2, ...
    title: str
    line_start: int
    line_end: int
    paragraphs: list[Paragraph] = field(default_factory=list)
    regions: list = field(default_factory=list)
    topics: list = field(default_factory=list)
    date: object = None
    keyterms: list[str] = field(default_factory=list)
    fields: object = None  # archive.extract.fields.MeetingFields: host, attendees, place, decisions …

    @property
    def is_preamble(self) -> bool:
        return self.index == 0


@dataclass
class Document:
    source: str  # path relative to the corpus root, with forward slashes
    title: str
    lines: list[str]  # the decoded source, for meeting pages
    meetings: list[Meeting]  # preamble (index 0) first when the file has one
    front_matter: dict = field(default_factory=dict)
    front_matter_error: str = ""  # why its front matter cannot be read completely: its level is then unsure
    warnings: list[str] = field(default_factory=list)
    # (page number, line of its first paragraph) of a PDF or scan; empty for text and Word files.
    pages: list[tuple[int, int]] = field(default_factory=list)
    # (line of a paragraph, page it runs on to, its first characters there): archive/ingest/layout.py
    page_breaks: list[tuple[int, int, str]] = field(default_factory=list)

    @property
    def records(self) -> list[Meeting]:
        """The meetings proper, without the preamble."""
        return [m for m in self.meetings if not m.is_preamble]
