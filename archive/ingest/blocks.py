"""Markdown to a flat list of text blocks that remember their source lines.

markdown-it-py is used because every block token carries `map`, its source
line range; Python-Markdown keeps no line information.
"""

import re
from bisect import bisect_right

import yaml

from .dialect import markdown_parser
from .model import Block

# Inline tokens are parsed when read (_children), not by markdown-it's core: most hold no markup at all.
_md = markdown_parser().disable(["inline", "text_join"])
_MARKUP = re.compile(r"[\\`*_\[!<&]")  # where an inline rule of the dialect may start, line ends apart
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


def _unparsed(token) -> bool:
    return token.type == "inline" and "parsed" not in token.meta


def _children(token, env: dict) -> list:
    """A token's children; an inline token's parsed now as markdown-it's core would (rules inline, text_join)."""
    if _unparsed(token):
        token.children, token.meta["parsed"] = [], True
        _md.inline.parse(token.content, _md, env, token.children)
        for child in [*token.children, *(c for t in token.children for c in t.children or ())]:
            if child.type == "text_special":
                child.type = "text"
    return token.children or []


def _plain_lines(content: str) -> list[str]:
    """The lines of inline text without markup as markdown-it reads them (rules_inline/newline.py): two
    spaces or more before a line end (a hard break) dropped, else one; spaces and tabs after it skipped."""
    lines = content.split("\n")
    for i, line in enumerate(lines):
        if i:
            line = line.lstrip(" \t")
        if i < len(lines) - 1 and line.endswith(" "):
            line = line.rstrip(" ") if line.endswith("  ") else line[:-1]
        lines[i] = line
    return lines


def inline_lines(token, env: dict | None = None) -> list[str]:
    """The source lines of an inline token as plain text: escapes resolved, markup dropped."""
    if _unparsed(token) and not _MARKUP.search(token.content):
        return _plain_lines(token.content)
    out = []
    for child in _children(token, env if env is not None else {}):
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


def inline_text(token, env: dict | None = None) -> str:
    """Plain text of an inline token: escapes resolved, markup dropped."""
    return join_lines(inline_lines(token, env))[0].strip()


def _cut(text: str, offsets: list[int], lines: list[int], last_line: int, kind: str, **extra) -> list[Block]:
    """`text` as one block, or as parts of at most MAX_BLOCK_CHARS that keep their own source lines.

    offsets[i] is where source line lines[i] starts in `text`; the block ends on last_line.
    """
    if len(text) <= MAX_BLOCK_CHARS or len(text.strip()) <= MAX_BLOCK_CHARS:
        shift = len(text) - len(text.lstrip())
        text = text.strip()
        breaks = tuple(o - shift for o in offsets[1:] if 0 < o - shift < len(text))
        return [Block(kind, text, lines[0], last_line, breaks=breaks, **extra)] if text else []
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


def _is_bold_only(token, env: dict) -> bool:
    if _unparsed(token) and not _MARKUP.search(token.content):
        return False
    kids = [c for c in _children(token, env) if not (c.type == "text" and not c.content.strip())]
    return len(kids) >= 3 and kids[0].type == "strong_open" and kids[-1].type == "strong_close" \
        and all(c.type != "strong_open" for c in kids[1:-1])


# YAML aliases can make a few lines stand for billions of values: front
# matter larger than this, written out, cannot be read (parse_front_matter).
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


def parse_front_matter(content: str) -> tuple[dict, str | None, str]:
    """(mapping, warning, error): front matter that cannot be read completely gives the error.

    Its other keys are dropped, but a file's access level must never fall to a default because of it:
    only its `access:` line, when it can be read exactly (exact_access), is kept, with a warning;
    without one the error fails the file (AccessConfig.level_of)."""
    data, error = _yaml_mapping(content)
    return (data, None, "") if error is None else _salvage(content, error)


def _salvage(content: str, error: str) -> tuple[dict, str | None, str]:
    level = exact_access(content)
    if level is None:
        return {}, None, error
    return {"access": level}, f"front matter 无法完整读取（{error}）：其他键被忽略，访问级别按 access 行定为 {level}", ""


def _yaml_mapping(content: str) -> tuple[dict, str | None]:
    """(mapping, None), or ({}, why the front matter cannot be read)."""
    if len(content) > MAX_FRONT_MATTER_CHARS:
        return {}, f"超过 {MAX_FRONT_MATTER_CHARS} 个字符"
    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError as exc:
        return {}, "YAML 错误：" + (str(exc).splitlines()[0] if str(exc) else "无效的 YAML")
    except RecursionError:
        return {}, "嵌套过深"
    except Exception as exc:  # a value YAML accepts but cannot build, e.g. the date 2023-13-45
        return {}, f"无法读取的值（{type(exc).__name__}: {exc}）"
    if not _values_within(data, MAX_FRONT_MATTER_VALUES):
        return {}, f"超过 {MAX_FRONT_MATTER_VALUES} 个值（YAML 别名？）"
    if data is None:
        return {}, None
    if not isinstance(data, dict):
        return {}, "不是“键: 值”的映射"
    return data, None


# `access: 秘密` alone on its line, from its first column: a plain or quoted level name, maybe a comment.
_ACCESS_LINE = re.compile(r"""access:[ \t]+(?:"([^"\\\n]+)"|'([^'\n]+)'|([^\s#"'{}\[\],&*!|>%@`][^\s#]*))"""
                          r"""[ \t]*(?:#.*)?""")
_ACCESS_KEY = re.compile(r"""^[ \t]*["']?access["']?[ \t]*:""", re.M)


def exact_access(content: str) -> str | None:
    """The level on the one line of `content` that mentions access, if that line is `access: LEVEL`.

    Two such lines, or one YAML would read otherwise (indented, a list, an alias …), give None."""
    lines = [line for line in content.split("\n") if "access" in line]
    if len(lines) != 1:
        return None
    found = _ACCESS_LINE.fullmatch(lines[0].rstrip())
    return next(g for g in found.groups() if g).strip() if found else None


# An HTML comment is not shown (`<!-- source: … -->`, `<!-- INFO END -->`, a translation's original kept in
# one): it is dropped before parsing but for its line ends, so that lines keep their numbers; a code fence
# keeps its own.
_COMMENT_OR_FENCE = re.compile(r"<!--.*?-->|^[ \t]{0,3}(```|~~~).*?(?:^[ \t]{0,3}\1|\Z)", re.DOTALL | re.MULTILINE)


def _blank(m: re.Match) -> str:
    return m.group() if m.group(1) else "\n" * m.group().count("\n")


def without_comments(text: str) -> str:
    return _COMMENT_OR_FENCE.sub(_blank, text) if "<!--" in text else text


def parse(text: str) -> tuple[list[Block], dict, list[str], str]:
    """Blocks of a markdown text, its front matter, any warnings, and why its front matter cannot be read
    completely ("" when it can, or there is none)."""
    env: dict = {}  # (link references, for inline tokens parsed later)
    text = without_comments(text)
    tokens = _md.parse(text, env)
    walk = _Walk(tokens, env)
    for i, tok in enumerate(tokens):
        step = _Walk.STEPS.get(tok.type)
        if step:
            step(walk, i, tok)
    if tokens and max(tok.level for tok in tokens) >= MAX_NESTING - 1:
        walk.recover_too_deep(text)
    if not (tokens and tokens[0].type == "front_matter") and text.startswith("---") and _ACCESS_KEY.search(text):
        # Front matter without its closing ---, read as text, yet it names a level: it is broken front matter.
        walk.front, warning, walk.broken = _salvage(text.split("\n", 1)[-1], "没有结束的 ---")
        walk.warnings += [warning] if warning else []
    return walk.blocks, walk.front, walk.warnings, walk.broken


class _Walk:
    """What parse() has read so far of markdown-it's tokens; a step for each token type that makes,
    opens or closes a block (STEPS)."""

    def __init__(self, tokens, env: dict):
        self.tokens, self.env = tokens, env
        self.blocks: list[Block] = []
        self.front: dict = {}
        self.broken = ""
        self.warnings: list[str] = []
        self.containers: list[str] = []  # enclosing list items / block quotes
        self.table_rows: list[tuple[str, int]] = []  # (cells joined by " | ", source line)
        self.cells: list[str] = []
        self.table_map = self.row_line = None

    def front_matter(self, i: int, tok):
        self.front, warning, self.broken = parse_front_matter(tok.content)
        if warning:
            self.warnings.append(warning)

    def open_container(self, i: int, tok):
        self.containers.append("item" if tok.type == "list_item_open" else "quote")

    def close_container(self, i: int, tok):
        self.containers.pop()

    def heading(self, i: int, tok):
        text, offsets = join_lines(inline_lines(self.tokens[i + 1], self.env))
        lines = list(range(tok.map[0] + 1, tok.map[0] + 1 + len(offsets)))
        self.blocks += _cut(text, offsets, lines, tok.map[1], "heading", level=int(tok.tag[1]))

    def paragraph(self, i: int, tok):
        inline = self.tokens[i + 1]
        text, offsets = join_lines(inline_lines(inline, self.env))
        lines = list(range(tok.map[0] + 1, tok.map[0] + 1 + len(offsets)))
        kind = self.containers[-1] if self.containers else "paragraph"
        bold = _is_bold_only(inline, self.env) if len(text) <= MAX_BLOCK_CHARS else False
        self.blocks += _cut(text, offsets, lines, tok.map[1], kind, bold=bold)

    def code(self, i: int, tok):
        content = tok.content.split("\n")
        first = tok.map[0] + 1 + (tok.type == "fence")
        lines = [tok.map[0] + 1] + list(range(first + 1, first + len(content)))
        self.blocks += _cut(tok.content, _line_offsets(content), lines, tok.map[1], "code")

    def table_open(self, i: int, tok):
        self.table_rows, self.table_map = [], tok.map

    def row_open(self, i: int, tok):
        self.row_line = tok.map[0] + 1 if tok.map else self.table_map[0] + 1

    def cell(self, i: int, tok):
        if self.table_map is not None:  # the text of headings and paragraphs is read at their open token
            self.cells.append(inline_text(tok, self.env))

    def row_close(self, i: int, tok):
        row = " | ".join(self.cells)
        if row.strip(" |"):
            self.table_rows.append((row, self.row_line))
        self.cells = []

    def table_close(self, i: int, tok):
        if self.table_rows:
            rows = [r for r, _ in self.table_rows]
            text = "\n".join(rows)
            first, last = self.table_map[0] + 1, self.table_map[1]
            if len(text) <= MAX_BLOCK_CHARS:
                self.blocks.append(Block("table", text, first, last))
            else:
                lines = [first] + [n for _, n in self.table_rows[1:]]
                self.blocks += _cut(text, _line_offsets(rows), lines, last, "table")
        self.table_map = None

    def recover_too_deep(self, text: str):
        recovered = _too_deep(text, self.tokens)
        if recovered:
            self.warnings.append(f"{len(recovered)} 处嵌套超过 {MAX_NESTING} 层的列表或引用按普通文字读入")
            self.blocks = sorted(self.blocks + recovered, key=lambda b: b.line_start)

    STEPS = {
        "front_matter": front_matter,
        "list_item_open": open_container, "blockquote_open": open_container,
        "list_item_close": close_container, "blockquote_close": close_container,
        "heading_open": heading, "paragraph_open": paragraph, "fence": code, "code_block": code,
        "table_open": table_open, "tr_open": row_open, "inline": cell, "tr_close": row_close,
        "table_close": table_close,
    }


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
