"""Blocks to meetings, sections and paragraphs, repairing what conversion broke.

The rules read the shape of the text, not its wording:

* A file holds several meetings when some headings (or bold lines standing
  in for headings) differ only by an ordinal: 会议记录篇一 … 篇八,
  第1次会议 … 第9次会议. Each of those starts a meeting; what comes before the
  first one is the file's preamble. A file without such a series is one
  meeting titled by its first heading.
* Other headings are sections. So are short unpunctuated lines that open
  with an ordinal (三、建议加大投入) or put a space between two phrases the way
  titles do (市工信委 对于接办交办件第一时间落实).
* A paragraph cut in the middle of a sentence by a blank line is joined to
  the next one.
* A meeting's title (the heading it was split on, or the file's first heading)
  is text like any other: its first paragraph in source order, a heading of
  section "" (is_title tells it), so that the paragraphs below keep their
  sections and a query for the title finds it.
"""

import re

from .model import Block, Meeting, Paragraph

_NUM = "一二三四五六七八九十百千零〇两"
ORDINAL_START = re.compile(
    rf"^\s*(第[{_NUM}\d]+[章节条部分篇次讲项点，、．.\s]"
    rf"|[{_NUM}]+[、．.]"
    rf"|[（(][{_NUM}\d]+[)）]"
    rf"|\d+[、．.](?!\d)"
    rf"|[{_NUM}]是)")
_ORDINAL_RUN = re.compile(rf"[{_NUM}]+|\d+")
_TERMINAL = set("。！？!?；;：:…")
_CLOSERS = "”’」』)）]》"
_INNER_PUNCT = re.compile(r"[，,、；;：:。]")
_CLOCK = re.compile(r"(?<=\d)[:：](?=\d\d)")  # 20:00 is a time, no clause break
_TITLE_SPACE = re.compile(r"[\u4e00-\u9fff]\s+[\u4e00-\u9fff]")
# A form field such as 法定代表人：刘, 起诉人：某公司, 参会人员（排名不分先后）：… or Meeting Date: … is complete
# on its line.
_FORM_FIELD = re.compile(r"^(?:[^，,。；;：:\s]{1,8}(?:[（(][^（）()]{1,12}[)）])?|[A-Za-z][A-Za-z /&-]{1,23})[：:]")
_LATIN = re.compile(r"[A-Za-z0-9]")
# Three words, then at the end a full stop: an English sentence (split ends a paragraph there; dates reads
# no dateline in it).
ENGLISH_SENTENCE = re.compile(r"[A-Za-z]{2,}\s+[A-Za-z]{2,}\s+[A-Za-z]{2,}.*\.$", re.DOTALL)
MAX_HEADING_LINE = 60  # a longer line is prose, whatever its shape


def _ends_sentence(text: str) -> bool:
    stripped = text.rstrip(_CLOSERS + " ")
    return bool(stripped) and (stripped[-1] in _TERMINAL or bool(ENGLISH_SENTENCE.search(stripped)))


def looks_like_heading(block: Block) -> bool:
    """A paragraph that is really a heading: bold alone, or short and title-shaped."""
    if block.kind != "paragraph" or len(block.text) > MAX_HEADING_LINE or _ends_sentence(block.text):
        return False
    if block.bold or ORDINAL_START.match(block.text):
        return True
    return (len(block.text) <= 40 and not _INNER_PUNCT.search(block.text)
            and bool(_TITLE_SPACE.search(block.text)))


def is_broken(first: Block, second: Block) -> bool:
    """Whether `second` continues the sentence that `first` left unfinished."""
    if first.kind != "paragraph" or second.kind != "paragraph" or first.bold or second.bold:
        return False
    if _ends_sentence(first.text) or looks_like_heading(first) or looks_like_heading(second):
        return False
    if ORDINAL_START.match(second.text) or _FORM_FIELD.match(first.text) or _FORM_FIELD.match(second.text):
        return False
    # A short label without inner punctuation ("事实与理由") is complete as it is.
    return (len(first.text) >= 40 or bool(_INNER_PUNCT.search(_CLOCK.sub("", first.text)))
            or first.text[-1] in "，,、")


def repair(blocks: list[Block]) -> list[Block]:
    out: list[Block] = []
    for block in blocks:
        if out and is_broken(out[-1], block):
            prev = out[-1]
            space = " " if _LATIN.match(prev.text[-1]) and _LATIN.match(block.text[0]) else ""  # (words, not 字)
            shift = len(prev.text) + len(space)
            out[-1] = Block(prev.kind, prev.text + space + block.text, prev.line_start, block.line_end,
                            breaks=(*prev.breaks, shift, *(b + shift for b in block.breaks)))
        else:
            out.append(block)
    return out


def _template(text: str) -> str:
    return _ORDINAL_RUN.sub("#", re.sub(r"\s+", "", text))


def _candidates(blocks: list[Block]) -> list[int]:
    return [i for i, b in enumerate(blocks)
            if b.kind == "heading" or (b.bold and looks_like_heading(b))]


# A heading that opens with a day (`### 20240708-问题讨论`, `## 2022-12-11 周会`, `## 12月11日`): a log of
# meetings dated so is one series at its level, whatever each meeting was about.
_DATED = re.compile(r"^\s*(?:\d{8}(?!\d)|\d{4}[-./]\d{1,2}[-./]\d{1,2}(?!\d)|(?:\d{4}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*[日号])")


def meeting_starts(blocks: list[Block]) -> list[int]:
    """Indexes of the blocks that open meetings: the largest series of headings alike but for an ordinal,
    or of headings that open with a day."""
    series: dict[str, list[int]] = {}
    for i in _candidates(blocks):
        tpl = _template(blocks[i].text)
        if "#" in tpl and len(tpl.replace("#", "")) >= 2:
            series.setdefault(tpl, []).append(i)
        if (day := _DATED.match(blocks[i].text)) and _template(blocks[i].text) != _template(day.group()):
            series.setdefault(f"\0dated{blocks[i].level}", []).append(i)
    best: list[int] = []
    best_key = None
    for members in series.values():
        ordinals = {tuple(_ORDINAL_RUN.findall(blocks[i].text)) for i in members}
        if len(members) < 2 or len(ordinals) < len(members):
            continue
        levels = [blocks[i].level for i in members if blocks[i].level]
        key = (min(levels) if levels else 7, -len(members), members[0])
        if best_key is None or key < best_key:
            best, best_key = members, key
    return best


def is_title(p: Paragraph) -> bool:
    """The meeting's title paragraph: the one heading that opens no section."""
    return p.is_heading and p.section == ""


def _paragraphs(blocks: list[Block], title: Block | None = None) -> list[Paragraph]:
    paras: list[Paragraph] = []
    section = ""
    for block in blocks:
        if block is title:
            paras.append(Paragraph(len(paras) + 1, block.text, "", block.line_start, block.line_end,
                                   is_heading=True))
            continue
        heading = block.kind == "heading" or looks_like_heading(block)
        if heading:
            section = block.text
        paras.append(Paragraph(len(paras) + 1, block.text, section, block.line_start,
                               block.line_end, is_heading=heading, breaks=block.breaks))
    return paras


def split(blocks: list[Block], fallback_title: str) -> tuple[str, list[Meeting]]:
    """(document title, meetings) of a file's blocks; meeting 0 is the preamble, if any."""
    blocks = repair(blocks)
    if not blocks:
        return fallback_title, []
    first_heading = next((b for b in blocks if b.kind == "heading"), None)
    starts = meeting_starts(blocks)
    if not starts:
        title = first_heading.text if first_heading else fallback_title
        meeting = Meeting(1, title, blocks[0].line_start, blocks[-1].line_end, _paragraphs(blocks, first_heading))
        return title, [meeting]
    doc_title = first_heading.text if first_heading and blocks.index(first_heading) < starts[0] else fallback_title
    meetings: list[Meeting] = []
    preamble = blocks[:starts[0]]
    if any(b is not first_heading for b in preamble):
        meetings.append(Meeting(0, doc_title, blocks[0].line_start, preamble[-1].line_end,
                                _paragraphs(preamble, first_heading)))
    bounds = starts + [len(blocks)]
    for n, (a, b) in enumerate(zip(bounds, bounds[1:]), start=1):
        meetings.append(Meeting(n, blocks[a].text, blocks[a].line_start, blocks[b - 1].line_end,
                                _paragraphs(blocks[a:b], blocks[a])))
    return doc_title, meetings
