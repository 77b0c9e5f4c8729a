"""Decisions and open items: ordinals, announcing clauses, owners, deadlines, placeholders, table rows."""

from __future__ import annotations

import re

from .vocab import _CJK, _Label, vocabulary
from .people import _MARKUP
from .labels import heading_label


# Ordinals that number the items of a block: `1、` `2.` `（3）` `一、` `(二)`.
_ORDINAL = re.compile(r"^\s*(?:(\d{1,3})\s*[、.．)）](?!\d)|[（(](\d{1,2})[)）]|([一二三四五六七八九十]{1,3})\s*[、.．]"
                      r"|[（(]([一二三四五六七八九十]{1,3})[)）])")
_ARTICLE = re.compile(r"^\s*第[一二三四五六七八九十百零〇\d]+[条章节]")
_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}


def _cn_number(text: str) -> int:
    tens, ten, ones = text.partition("十")
    if not ten:
        return _CN_DIGITS.get(text, 0)
    return (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)


def _ordinal(text: str) -> tuple[int, int] | None:
    """(style, number) of a numbered line (`3、` -> (0, 3), `（二）` -> (3, 2)), or None."""
    m = _ORDINAL.match(text)
    if not m:
        return None
    for style, group in enumerate(m.groups()):
        if group:
            return style, int(group) if group.isdigit() else _cn_number(group)
    return None


# A clause that announces decisions or open items below it: `现将会议议定事项纪要如下：`,
# `一致通过如下决议：`, `会议研究决定：`, `会议决定如下：` (but not `下列事项由村民会议讨论决定：`,
# a law's article, nor `……决定方可办理：`).
_DECISION_WORDS = re.compile(r"(?:议定事项|议定|决议|决定|结论|决策)(?:事项)?(?:纪要)?(?:如下|以下)[:：]$"
                             r"|(?:如下|以下)的?(?:决议|决定|结论)[:：]$"
                             r"|^.{0,5}(?:议定事项|决议|决定|结论|决策|表决|投票)(?:项目)?(?:结果)?[:：]$"
                             r"|^(?:the\s+)?(?:following\s+)?(?:conclusions?|decisions?|resolutions?)\b.{0,30}[:：]$",
                             re.IGNORECASE)
_ACTION_WORDS = re.compile(r"(?:遗留问题|遗留事项|待办事项|下一步工作|下一步计划|后续工作|行动项|跟进事项)(?:如下|以下)?[:：]$"
                           r"|^.{0,5}(?:遗留|待办|下一步)[^，。]{0,6}[:：]$|^(?:action items?|next steps|to-?dos?)\b.{0,30}[:：]$",
                           re.IGNORECASE)
_OPENS = re.compile(r"(?:如下|以下)?[:：。]?")
_OWNER = re.compile(r"(?:责任人|负责人|牵头人|跟进人|责任单位|Owner|Assignee|Responsible)(?:\s*[:：]\s*|\s+)"
                    r"([^。；;，,|\n:：]{1,60})", re.IGNORECASE)
# An action item that opens with its owner (`周海燕：整理清单`) or mentions one (`修复链接 (@lee_99)`).
_LEAD_OWNER = re.compile(r"^\s*([^：:，,。；;\s()（）]{2,20})\s*[:：]\s*\S")
_MENTIONED_OWNER = re.compile(r"[(（]\s*(@[^()（）]{1,60})[)）]\s*$")
_TRAILING_MENTION = re.compile(r"(?<=\s)(@[^\s@()（）]{1,40})\s*[。.]?\s*$")  # `…给出方案 @于洋`
_OWNER_STOP = re.compile(r"完成|截止|时间|时限|期限|deadline|due", re.IGNORECASE)
# `… --连志安，完成时间…`, `… --- 梁开祝、孙炼`: owners after dashes.
_DASHED_NAMES = re.compile(f"(?<![-—])(?:-{{2,}}+|—{{1,2}}+)\\s*([{_CJK}·]{{2,4}}(?:\\s*[、，,/和及]\\s*[{_CJK}·]{{2,4}})*)"
                           f"(?=\\s*(?:$|[，,。；;)）]))")
_TRAILING_NAMES = re.compile(f"(?<![-—])(?:-{{2,}}+|—++|\\sby\\s)\\s*([{_CJK}A-Za-z·][{_CJK}A-Za-z·\\s、，,/&]{{0,40}})$")
_TRAILING_LATIN = re.compile(r"\s[-–]\s([A-Za-z][A-Za-z .\-]{1,30})$")
# An agenda line's presenter after a gap, before what the minutes add to it: `领导致辞    9:00~9:05    5min    周红卫`,
# `双内核的支持 王文宽-- 胡峰：…`, `…的贡献 李伟/方保顺结论：同意`, `Moxin 介绍    30min    Edward Tan`.
_ITEM_NOTES = re.compile(r"\s*(?:--|——|(?:会议)?(?:结论|决策|决议|遗留问题|遗留事项)\s*[:：]).*$", re.DOTALL)
_SPACED_NAMES = re.compile(f"(?<=\\S)(?:\\s+([{_CJK}·]{{2,4}}(?:\\s*[/、]\\s*[{_CJK}·]{{2,4}})*)"
                           f"|(?:\\s{{2,}}|\\t)([A-Z][a-z]+(?: [A-Z][a-z]+)?))\\s*$")


def agenda_presenter(text: str) -> str | None:
    """The names an agenda line ends with after a gap (see _SPACED_NAMES), or None."""
    m = _SPACED_NAMES.search(_ITEM_NOTES.sub("", text, count=1))
    return (m.group(1) or m.group(2)) if m else None


_DUE = re.compile(r"(?:完成时间|截止时间|截止日期|完成时限|完成期限|完成日期|时限|deadline|due(?:\s*date)?)\s*[:：]?\s*"
                  r"([^，,。；;\s|]{1,20})"
                  r"|((?:\d{4}\s*[年/.\-]\s*)?\d{1,2}\s*[月/.\-]\s*\d{1,2}\s*[日号]?\s*之?前"
                  r"|(?:\d{2,4}\s*年\s*)?\d{1,2}\s*月(?:底|中旬|上旬|下旬|末)?\s*之?前)", re.IGNORECASE)
_PLACEHOLDER_WORDS = {"无", "暂无", "n/a", "na", "none", "tbd", "item", "items", "who", "due_date", "done?", "name",
                      "company", "email", "y", "n", "-", "—", "/"}
_PLACEHOLDER_SPLIT = re.compile(r"[\s|。.、,，;；]+")


def _placeholder_words(text: str) -> bool:
    return len(text) <= 200 and all(
        w.casefold() in _PLACEHOLDER_WORDS for w in _PLACEHOLDER_SPLIT.split(text) if w)


# What says nothing of its own but where to look: a bare link, `参考 [某某投票结果](…)` (the link's words
# stay, its address is gone), `详见附件`, `see PR #12`.
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_POINTER = re.compile(r"^(?:请?参[考见阅]|详见|请见|见|链接|see|refer\s+to|ref)\s*[:：]?\s*[^，,。；;:：]{0,40}[。.]?$",
                      re.IGNORECASE)


def _is_pointer(text: str) -> bool:
    rest = _URL.sub("", text).strip(" \t\n-*•·。.，,;；:：()（）[]【】<>")
    return not rest or bool(_POINTER.match(rest))


def _is_placeholder_text(text: str) -> bool:
    """`无。`, `N/A`, a template table whose rows hold only `item | who | due_date`, a link or a
    pointer to one: nothing decided or to do is written there."""
    if _placeholder_words(text) or _is_pointer(text):
        return True
    rows = _table_rows(text)
    return bool(rows) and all(_placeholder_words(" | ".join(r)) for r in rows[1:])


# Tables: a block's text has one row a line, cells joined by " | " (archive.ingest.blocks).

def _table_rows(text: str) -> list[list[str]] | None:
    if "\n" not in text or " | " not in text:
        return None
    lines = text.split("\n")
    if len({line.count(" | ") for line in lines}) != 1:
        return None
    return [[c.strip() for c in line.split(" | ")] for line in lines]


def _cell_label(cell: str) -> _Label | None:
    cell = _MARKUP.sub("", cell).strip().rstrip(":：")
    if not cell or len(cell) > 24:
        return None
    return vocabulary().label(cell) or heading_label(cell)
