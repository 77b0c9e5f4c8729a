"""A meeting's markdown as HTML, each paragraph block anchored `id="p-N"`.

The index knows paragraphs by source lines; markdown-it knows each block's
lines (`token.map`), so a block gets the number of the paragraph whose lines
it overlaps. A paragraph that ingest repaired across a blank line (a line
broken mid-sentence, `…严格整改标` / `准，加大…`) is shown joined, as its hits
are: its blocks become one. Raw HTML is
off, so anything typed in the minutes is escaped text; query terms are marked
with the same matcher the snippets use. Minutes read from a PDF or scan show
where each page begins (「第 N 页」), a label before the first block on it.
"""

from html import escape

from markdown_it.token import Token
from markupsafe import Markup

from archive.ingest.dialect import markdown_parser
from archive.search.highlight import spans

BLOCKS = {"paragraph_open", "heading_open", "fence", "code_block", "table_open"}


def _text(self, tokens, idx, options, env):
    text = tokens[idx].content
    out, pos = [], 0
    for start, end in spans(text, env.get("leaves") or ()):
        out += [escape(text[pos:start]), "<mark>", escape(text[start:end]), "</mark>"]
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out)


def _image(self, tokens, idx, options, env):
    # Archives run offline and the CSP allows no remote images: show what the picture was.
    alt = self.renderInlineAsText(tokens[idx].children or [], options, env)
    return f'<span class="image">[图片{"：" + escape(alt) if alt else ""}]</span>'


def _link_open(self, tokens, idx, options, env):
    tokens[idx].attrSet("rel", "noopener noreferrer nofollow")
    return self.renderToken(tokens, idx, options, env)


# The dialect ingest reads (tables, front matter), so that blocks line up with paragraphs.
_md = markdown_parser()
_md.add_render_rule("text", _text)
_md.add_render_rule("image", _image)
_md.add_render_rule("link_open", _link_open)


def _paragraph_at(paragraphs, first: int, last: int):
    for n, line_start, line_end in paragraphs:
        if line_start <= last and first <= line_end:
            return n
    return None


def render(meeting: dict, hit: int | None = None, leaves=()) -> Markup:
    """HTML of a meeting (the search service's `meeting()` dict) with paragraph anchors and marks."""
    tokens = _md.parse(meeting["markdown"])
    offset = meeting["line_start"]  # markdown line 0 is this line of the source file
    paragraphs = meeting["paragraphs"]
    _join_repaired(tokens, paragraphs, offset)
    anchored, items = set(), []
    for i, tok in enumerate(tokens):
        if tok.type == "list_item_open":
            items.append(tok)
        elif tok.type == "list_item_close":
            items.pop()
        if tok.type not in BLOCKS or not tok.map:
            continue
        first, last = tok.map[0] + offset, tok.map[1] - 1 + offset
        n = _paragraph_at(paragraphs, first, last)
        if n is None:
            continue
        # A tight list hides its paragraph tags: the list item carries the anchor instead.
        target = items[-1] if tok.hidden and items else tok
        target.attrJoin("class", "para hit" if n == hit else "para")
        target.attrSet("data-line", str(first))
        if n not in anchored:
            anchored.add(n)
            target.attrSet("id", f"p-{n}")
            target.attrSet("tabindex", "-1")  # focusable, so a screen reader lands on the hit
    _drop_title(tokens, meeting.get("title", ""))
    _mark_pages(tokens, meeting.get("pages") or [], offset)
    return Markup(_md.renderer.render(tokens, _md.options, {"leaves": list(leaves)}))


def _join_repaired(tokens, paragraphs, offset: int) -> None:
    """Make one block of consecutive paragraph blocks that ingest read as one paragraph."""
    i = 0
    while i + 5 < len(tokens):
        first, second = tokens[i], tokens[i + 3]
        if first.type == second.type == "paragraph_open" and first.level == second.level and first.map \
                and second.map and _paragraph_at(paragraphs, first.map[0] + offset, first.map[1] - 1 + offset) \
                == _paragraph_at(paragraphs, second.map[0] + offset, second.map[1] - 1 + offset) is not None:
            left, right = tokens[i + 1], tokens[i + 4]
            children = (left.children or []) + (right.children or [])
            for k in range(len(children) - 1, 0, -1):  # (the text either side of the break: one text, so a
                a, b = children[k - 1], children[k]     # word across it is marked whole)
                if a.type == b.type == "text":
                    a.content += b.content
                    del children[k]
            left.children, left.content = children, left.content + right.content
            first.map = [first.map[0], second.map[1]]
            del tokens[i + 2:i + 5]
            continue
        i += 1


def _mark_pages(tokens, pages, offset: int) -> None:
    """A 「第 N 页」 label before the first top-level block at or after the line where page N begins."""
    pending = sorted(pages, key=lambda p: p[1])
    marks = []
    for i, tok in enumerate(tokens):
        if not pending or tok.level != 0 or tok.nesting == -1 or not tok.map:
            continue
        first = tok.map[0] + offset
        numbers = []
        while pending and pending[0][1] <= first:
            numbers.append(pending.pop(0)[0])
        if numbers:
            marks.append((i, numbers[-1]))
    for i, number in reversed(marks):
        mark = Token("html_block", "", 0)
        mark.content = f'<div class="page-mark" role="note">第 {int(number)} 页</div>\n'
        tokens.insert(i, mark)


def _drop_title(tokens, title: str) -> None:
    """The meeting's own heading is the page's h1 already; drop the repeat. It is the meeting's first
    paragraph (titles are searchable): its anchor stays, and when the hit is the title it stays whole."""
    for i, tok in enumerate(tokens):
        if tok.type == "front_matter":
            continue
        if tok.type == "heading_open" and tokens[i + 1].content.strip() == title.strip():
            if "hit" in (tok.attrGet("class") or "").split():
                return  # (the hit is the title: it stays, marked, where the hit link lands)
            anchor = tok.attrGet("id")
            keep = [] if anchor is None else [_anchor(anchor, tok)]
            tokens[i:i + 3] = keep
        return


def _anchor(anchor: str, like: Token) -> Token:
    token = Token("html_block", "", 0, map=like.map, level=like.level)
    token.content = f'<span id="{escape(str(anchor))}"></span>\n'
    return token
