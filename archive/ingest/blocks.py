"""Markdown to a flat list of text blocks that remember their source lines.

markdown-it-py is used because every block token carries `map`, its source
line range; Python-Markdown keeps no line information.
"""

import re

import yaml
from markdown_it import MarkdownIt
from mdit_py_plugins.front_matter import front_matter_plugin

from .model import Block

# Raw HTML in minutes is text that was typed, not markup: keep it as text.
_md = MarkdownIt("commonmark", {"html": False}).enable("table").use(front_matter_plugin)
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")


def _join_lines(left: str, right: str) -> str:
    """Join soft-wrapped lines: Chinese runs on without a space, Latin words need one."""
    if left and right and _ASCII_WORD.match(left[-1]) and _ASCII_WORD.match(right[0]):
        return left + " " + right
    return left + right


def inline_text(token) -> str:
    """Plain text of an inline token: escapes resolved, markup dropped."""
    out = ""
    for child in token.children or ():
        if child.type in ("text", "code_inline"):
            out += child.content
        elif child.type == "softbreak":
            out += "\n"
        elif child.type == "hardbreak":
            out += "\n"
        elif child.type == "image":
            out += inline_text(child)
    lines = out.split("\n")
    text = lines[0]
    for line in lines[1:]:
        text = _join_lines(text, line.strip())
    return text.strip()


def _is_bold_only(token) -> bool:
    kids = [c for c in token.children or () if not (c.type == "text" and not c.content.strip())]
    return len(kids) >= 3 and kids[0].type == "strong_open" and kids[-1].type == "strong_close" \
        and all(c.type != "strong_open" for c in kids[1:-1])


def parse_front_matter(content: str) -> tuple[dict, str | None]:
    """(mapping, warning): broken YAML gives an empty mapping and a warning, never an error."""
    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "invalid YAML"
        return {}, f"front matter ignored: {first}"
    if data is None:
        return {}, None
    if not isinstance(data, dict):
        return {}, "front matter ignored: not a mapping of keys to values"
    return data, None


def parse(text: str) -> tuple[list[Block], dict, list[str]]:
    """Blocks of a markdown text, its front matter and any warnings."""
    tokens = _md.parse(text)
    blocks: list[Block] = []
    front: dict = {}
    warnings: list[str] = []
    containers: list[str] = []  # enclosing list items / block quotes
    table_rows: list[str] = []
    cells: list[str] = []
    table_map = None
    for i, tok in enumerate(tokens):
        if tok.type == "front_matter":
            front, warning = parse_front_matter(tok.content)
            if warning:
                warnings.append(warning)
        elif tok.type in ("list_item_open", "blockquote_open"):
            containers.append("item" if tok.type == "list_item_open" else "quote")
        elif tok.type in ("list_item_close", "blockquote_close"):
            containers.pop()
        elif tok.type == "heading_open":
            text = inline_text(tokens[i + 1])
            if text:
                blocks.append(Block("heading", text, tok.map[0] + 1, tok.map[1], level=int(tok.tag[1])))
        elif tok.type == "paragraph_open":
            inline = tokens[i + 1]
            text = inline_text(inline)
            if text:
                kind = containers[-1] if containers else "paragraph"
                blocks.append(Block(kind, text, tok.map[0] + 1, tok.map[1], bold=_is_bold_only(inline)))
        elif tok.type in ("fence", "code_block"):
            text = tok.content.strip()
            if text:
                blocks.append(Block("code", text, tok.map[0] + 1, tok.map[1]))
        elif tok.type == "table_open":
            table_rows, table_map = [], tok.map
        elif tok.type == "inline" and table_map is not None:
            cells.append(inline_text(tok))
        elif tok.type == "tr_close":
            table_rows.append(" | ".join(cells))
            cells = []
        elif tok.type == "table_close":
            text = "\n".join(r for r in table_rows if r.strip(" |"))
            if text:
                blocks.append(Block("table", text, table_map[0] + 1, table_map[1]))
            table_map = None
    return blocks, front, warnings
