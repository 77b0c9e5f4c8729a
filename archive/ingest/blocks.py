"""Markdown to a flat list of text blocks that remember their source lines.

markdown-it-py is used because every block token carries `map`, its source
line range; Python-Markdown keeps no line information.
"""

import re
from bisect import bisect_right

import yaml

from .dialect import markdown_parser
from .model import Block

_md = markdown_parser()
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")

# markdown-it stops descending (and drops the text) below this many nested
# block quotes / list levels; parse() reads the dropped lines back as text.
MAX_NESTING = _md.options["maxNesting"]
_CONTAINER_MARKERS = re.compile(r"^(?:[ \t]*(?:>|[-+*](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$)))*[ \t]*")
_LEAF_BLOCKS = {"paragraph_open", "heading_open", "fence", "code_block", "table_open", "hr", "html_block",
                "front_matter"}

# A block longer than this (a file without blank lines is one paragraph) is
# cut into pieces of kind "part", at a sentence end where there is one, so
# that indexing stays linear and a hit stays readable. Parts are never joined
# back or taken for headings by split.
MAX_BLOCK_CHARS = 4000
_CUT_AFTER = "。！？!?；;\n"


def _join_lines(left: str, right: str) -> str:
    """Join soft-wrapped lines: Chinese runs on without a space, Latin words need one."""
    if left and right and _ASCII_WORD.match(left[-1]) and _ASCII_WORD.match(right[0]):
        return left + " " + right
    return left + right


def inline_lines(token) -> list[str]:
    """The source lines of an inline token as plain text: escapes resolved, markup dropped."""
    out = []
    for child in token.children or ():
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif child.type == "image":
            out.append(inline_text(child))
    return "".join(out).split("\n")


def join_lines(lines: list[str]) -> tuple[str, list[int]]:
    """Soft-wrapped lines as one text, and the offset in it where each line starts.

    Linear in the length of the text: a file without blank lines is one
    paragraph of millions of characters.
    """
    parts, starts, size, last = [], [], 0, ""
    for i, line in enumerate(lines):
        if i:
            line = line.strip()
            if last and line and _ASCII_WORD.match(last) and _ASCII_WORD.match(line[0]):
                parts.append(" ")
                size += 1
        starts.append(size)
        parts.append(line)
        size += len(line)
        last = line[-1] if line else last
    return "".join(parts), starts


def inline_text(token) -> str:
    """Plain text of an inline token: escapes resolved, markup dropped."""
    return join_lines(inline_lines(token))[0].strip()


def _cut(text: str, offsets: list[int], lines: list[int], last_line: int, kind: str, **extra) -> list[Block]:
    """`text` as one block, or as parts of at most MAX_BLOCK_CHARS that keep their own source lines.

    offsets[i] is where source line lines[i] starts in `text`; the block ends on last_line.
    """
    if len(text) <= MAX_BLOCK_CHARS or len(text.strip()) <= MAX_BLOCK_CHARS:
        text = text.strip()
        return [Block(kind, text, lines[0], last_line, **extra)] if text else []
    parts, pos = [], 0
    while pos < len(text):
        end = len(text)
        if end - pos > MAX_BLOCK_CHARS:
            end = pos + MAX_BLOCK_CHARS
            window = text[end - MAX_BLOCK_CHARS // 2:end]
            cut = max(window.rfind(c) for c in _CUT_AFTER)
            if cut >= 0:
                end = end - MAX_BLOCK_CHARS // 2 + cut + 1
        piece = text[pos:end].strip()
        if piece:
            first = lines[bisect_right(offsets, pos) - 1]
            last = lines[bisect_right(offsets, end - 1) - 1] if end < len(text) else last_line
            parts.append(Block("part", piece, first, last))
        pos = end
    return parts


def _line_offsets(lines: list[str]) -> list[int]:
    offsets, size = [], 0
    for line in lines:
        offsets.append(size)
        size += len(line) + 1
    return offsets


def _is_bold_only(token) -> bool:
    kids = [c for c in token.children or () if not (c.type == "text" and not c.content.strip())]
    return len(kids) >= 3 and kids[0].type == "strong_open" and kids[-1].type == "strong_close" \
        and all(c.type != "strong_open" for c in kids[1:-1])


# YAML aliases can make a few lines stand for billions of values: front
# matter larger than this, written out, is ignored.
MAX_FRONT_MATTER_CHARS = 65536
MAX_FRONT_MATTER_VALUES = 10000


def _values_within(data, limit: int) -> bool:
    """Whether `data` holds at most `limit` values, counting each use of a YAML alias again."""
    stack, seen = [data], 0
    while stack:
        value = stack.pop()
        seen += 1
        if seen > limit:
            return False
        if isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, (list, tuple, set)):
            stack.extend(value)
    return True


def parse_front_matter(content: str) -> tuple[dict, str | None]:
    """(mapping, warning): broken YAML gives an empty mapping and a warning, never an error."""
    if len(content) > MAX_FRONT_MATTER_CHARS:
        return {}, f"已忽略文件头（front matter）：超过 {MAX_FRONT_MATTER_CHARS} 个字符"
    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "YAML 无效"
        return {}, f"已忽略文件头（front matter）：{first}"
    except RecursionError:
        return {}, "已忽略文件头（front matter）：嵌套过深"
    except Exception as exc:  # a value YAML accepts but cannot build, e.g. the date 2023-13-45
        return {}, f"已忽略文件头（front matter）：{type(exc).__name__}: {exc}"
    if not _values_within(data, MAX_FRONT_MATTER_VALUES):
        return {}, f"已忽略文件头（front matter）：多于 {MAX_FRONT_MATTER_VALUES} 个值（YAML 别名？）"
    if data is None:
        return {}, None
    if not isinstance(data, dict):
        return {}, "已忽略文件头（front matter）：不是“键: 值”的映射"
    return data, None


def parse(text: str) -> tuple[list[Block], dict, list[str]]:
    """Blocks of a markdown text, its front matter and any warnings."""
    tokens = _md.parse(text)
    source = text
    blocks: list[Block] = []
    front: dict = {}
    warnings: list[str] = []
    containers: list[str] = []  # enclosing list items / block quotes
    table_rows: list[tuple[str, int]] = []
    cells: list[str] = []
    table_map = row_line = None
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
            text, offsets = join_lines(inline_lines(tokens[i + 1]))
            lines = list(range(tok.map[0] + 1, tok.map[0] + 1 + len(offsets)))
            blocks += _cut(text, offsets, lines, tok.map[1], "heading", level=int(tok.tag[1]))
        elif tok.type == "paragraph_open":
            inline = tokens[i + 1]
            text, offsets = join_lines(inline_lines(inline))
            lines = list(range(tok.map[0] + 1, tok.map[0] + 1 + len(offsets)))
            kind = containers[-1] if containers else "paragraph"
            bold = _is_bold_only(inline) if len(text) <= MAX_BLOCK_CHARS else False
            blocks += _cut(text, offsets, lines, tok.map[1], kind, bold=bold)
        elif tok.type in ("fence", "code_block"):
            content = tok.content.split("\n")
            first = tok.map[0] + 1 + (tok.type == "fence")
            lines = [tok.map[0] + 1] + list(range(first + 1, first + len(content)))
            blocks += _cut(tok.content, _line_offsets(content), lines, tok.map[1], "code")
        elif tok.type == "table_open":
            table_rows, table_map = [], tok.map
        elif tok.type == "tr_open":
            row_line = tok.map[0] + 1 if tok.map else table_map[0] + 1
        elif tok.type == "inline" and table_map is not None:
            cells.append(inline_text(tok))
        elif tok.type == "tr_close":
            row = " | ".join(cells)
            if row.strip(" |"):
                table_rows.append((row, row_line))
            cells = []
        elif tok.type == "table_close":
            if table_rows:
                rows = [r for r, _ in table_rows]
                text = "\n".join(rows)
                if len(text) <= MAX_BLOCK_CHARS:
                    blocks.append(Block("table", text, table_map[0] + 1, table_map[1]))
                else:
                    lines = [table_map[0] + 1] + [n for _, n in table_rows[1:]]
                    blocks += _cut(text, _line_offsets(rows), lines, table_map[1], "table")
            table_map = None
    if tokens and max(tok.level for tok in tokens) >= MAX_NESTING - 1:
        recovered = _too_deep(source, tokens)
        if recovered:
            warnings.append(f"{len(recovered)} 处嵌套超过 {MAX_NESTING} 层的列表或引用按普通文字读入")
            blocks = sorted(blocks + recovered, key=lambda b: b.line_start)
    return blocks, front, warnings


def _too_deep(text: str, tokens) -> list[Block]:
    """The text of lines that markdown-it dropped below its nesting limit, as quote blocks.

    Every other line inside a list or block quote belongs to some leaf block
    (paragraph, heading, code, table, rule) or holds nothing but markers.
    """
    covered = set()
    inside = set()
    for tok in tokens:
        if tok.map is None:
            continue
        if tok.type in _LEAF_BLOCKS:
            covered.update(range(*tok.map))
        elif tok.type in ("blockquote_open", "list_item_open"):
            inside.update(range(*tok.map))
    source = text.split("\n")
    out: list[Block] = []
    run: list[tuple[int, str]] = []
    for n in sorted(inside - covered) + [None]:
        line = _CONTAINER_MARKERS.sub("", source[n]).strip() if n is not None and n < len(source) else ""
        if line and (not run or run[-1][0] == n - 1):
            run.append((n, line))
            continue
        if run:
            joined, offsets = join_lines([t for _, t in run])
            out += _cut(joined, offsets, [k + 1 for k, _ in run], run[-1][0] + 1, "quote")
        run = [(n, line)] if line else []
    return out
