"""“建议关闭”: a later meeting reports an open item done. Shown next to the item, never applied.

A later meeting's sentence that says 已完成 / 已落实 / 已办结 (…) and holds enough of the item's key
words (at least two, and at least 40% of them) suggests closing the item. The suggestions of the whole
archive are found once per generation of the index (book.py), each with the level of the minutes it
cites, and a viewer is shown the first one of minutes they may read: never one they may not.
"""

import re
from collections import Counter
from functools import lru_cache

import rjieba

from ..search.request import SearchRequest

DONE_WORDS = ("已完成", "已落实", "已办结", "已全部完成", "已整改完毕")
_QUERY = " OR ".join(f'"{w}"' for w in DONE_WORDS)
REPORTS = 2000  # report paragraphs read
_SENTENCE = re.compile(r"[^。；;！!？?\n]+")
_WORD = re.compile(r"^[\u4e00-\u9fffA-Za-z0-9]{2,}$")
# Words of every item: they say nothing about which item it is.
_COMMON = set("会议 同意 要求 决定 研究 完成 负责 牵头 责任 责任人 责任单位 单位 工作 各乡镇 人民政府 县政府 政府 "
              "提交 报告 下次 时间 以前 之前 落实 确保 进一步 相关 有关 部门 方案 事项 问题 前完 年底 月底".split())


@lru_cache(maxsize=8192)
def key_words(text: str) -> tuple[str, ...]:
    """The words that tell an item apart: segmented words of two characters or more, not dates."""
    words = [w for w in rjieba.cut(text) if _WORD.match(w) and w not in _COMMON and not w.isdigit()]
    return tuple(dict.fromkeys(w for w in words if not re.search(r"\d+[月日号年]", w)))


def _date_key(d: dict | None) -> tuple | None:
    if not d or not d.get("year") or not d.get("month"):
        return None
    return (d["year"], d["month"], d.get("day") or 0)


def reports(service) -> list[tuple[dict, str]]:
    """(hit, its meeting's access level) of the paragraphs that say something is done, newest first."""
    req = SearchRequest(q=_QUERY, sort="newest", expand=False)
    reader, levels = service.engine.reader(), {}
    out = []
    for _, hit in service.export(req, REPORTS):
        if hit["meeting_id"] not in levels:
            meeting = reader.meeting(hit["meeting_id"])
            levels[hit["meeting_id"]] = meeting.get("access", "") if meeting else None
        if levels[hit["meeting_id"]] is not None:
            out.append((hit, levels[hit["meeting_id"]]))
    return out


def candidates(rows: list[dict], found: list[tuple[dict, str]]) -> dict[str, list[tuple[str, dict]]]:
    """Row id -> (access level, suggestion {meeting_id, paragraph, meeting_title, date, text}) of the first
    later report sentence of each level that holds enough of the row's key words, in report order (a viewer
    is shown the first one they may read: the first of the levels they read)."""
    sentences = _done_sentences(found)
    levels = {level for _, _, level, _ in sentences}
    holding: dict[str, list[int]] = {}  # a key word -> the sentences holding it (each word looked for once)
    out: dict[str, list[tuple[str, dict]]] = {}
    for row in rows:
        held, words = _date_key(row["meeting_date"]), key_words(row["text"])
        if held is None or len(words) < 2:
            continue
        need = max(2, -(-len(words) * 2 // 5))
        for w in words:
            if w not in holding:
                holding[w] = [i for i, (_, _, _, sentence) in enumerate(sentences) if w in sentence]
        counts = Counter(i for w in words for i in holding[w])
        first: dict[str, dict] = {}
        for i in sorted(i for i, n in counts.items() if n >= need):
            when, hit, level, sentence = sentences[i]
            if when > held and hit["meeting_id"] != row["meeting_id"] and level not in first:
                first[level] = {"meeting_id": hit["meeting_id"], "paragraph": int(hit["id"].rsplit("-p", 1)[1]),
                                "meeting_title": hit["meeting_title"], "date": hit["date"], "text": sentence.strip()}
                if len(first) == len(levels):
                    break
        if first:
            out[row["id"]] = list(first.items())
    return out


def _done_sentences(found: list[tuple[dict, str]]) -> list[tuple[tuple, dict, str, str]]:
    """(date, hit, level, sentence) of the reports' dated sentences that say something is done, in report order."""
    out = []
    for hit, level in found:
        when = _date_key(hit["date"])
        if when is not None:
            out += [(when, hit, level, s) for s in _SENTENCE.findall(hit["text"]) if any(w in s for w in DONE_WORDS)]
    return out
