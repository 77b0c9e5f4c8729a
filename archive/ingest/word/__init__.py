"""Word files to the archive's markdown dialect.

A .docx is read with python-docx (its package, styles, numbering and
footnotes parts; the body is walked as WordprocessingML) and written as
markdown that the rest of ingest reads like any corpus file:

* Word headings (Heading 1-6, 标题 1-6, Title, or a style or paragraph with an
  outline level) are `#` headings; with no heading at all, a short centred
  first paragraph (the usual 纪要 title) is the `#` title.
* A paragraph whose text is all bold is `**…**`, a bold line standing in for a heading.
* Automatic numbering is written out as Word shows it (一、 （一） 1. ① 甲 …) at
  the start of its paragraph, so a numbered line reads as if typed; bullets are `- ` items.
* Tables are pipe tables (merged cells once); a one-column table (a box
  around text) is its paragraphs.
* Footnote and endnote references are `[1]` in the text; the notes follow
  under a bold 脚注 / 尾注 line.
* A line break inside a paragraph starts a new paragraph (时间…<br>地点… are two fields).

Each Word paragraph is one line of the markdown, so the line a hit cites is
the paragraph of the converted text. Old .doc and .wps files are converted
with LibreOffice (to .docx, then as above), antiword or catdoc (to text), the
first that is installed and succeeds; without one the file is reported.

The modules: document (the package checked, then converted), converter (the
body walked, a method per element kind), numbering and styles (what Word's
numbering and styles parts say), escape (text as markdown), legacy (.doc and
.wps), wordml (WordprocessingML names).
"""

from ..reader import UnreadableFile
from .document import docx_to_markdown
from .legacy import OLE_MAGIC, legacy_to_markdown
from .numbering import format_number

LEGACY_SUFFIXES = (".doc", ".wps")  # the suffixes ingest reads as Word are archive.ingest.WORD_SUFFIXES

__all__ = ["LEGACY_SUFFIXES", "docx_to_markdown", "format_number", "legacy_to_markdown", "to_markdown"]


def to_markdown(data: bytes, suffix: str) -> str:
    """A Word file's bytes (by its suffix, .docx, .doc or .wps) as markdown; raises UnreadableFile."""
    suffix = suffix.lower()
    if suffix in LEGACY_SUFFIXES:
        return legacy_to_markdown(data, suffix)
    if data.startswith(OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise UnreadableFile("有密码保护的 .docx：请在 Word 中去掉密码后重新保存")
        return legacy_to_markdown(data, ".doc")  # an old Word file renamed .docx
    return docx_to_markdown(data)
