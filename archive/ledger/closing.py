"""“建议关闭”: a later meeting reports an open item done. Shown next to the item, never applied.

A later meeting's sentence that says 已完成 / 已落实 / 已办结 (…) and holds enough of the item's key
words (at least two, and at least 40% of them) suggests closing the item. The reports are found by
the search service under the viewer's levels, so a suggestion never cites minutes the viewer may not
read.
"""

import re
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


def _reports(service) -> list[dict]:
    req = SearchRequest(q=_QUERY, sort="newest", expand=False)
    return [hit for _, hit in service.export(req, REPORTS)]


def suggest_closing(service, rows: list[dict]) -> None:
    """Set each open row's `suggest_close` ({meeting_id, paragraph, meeting_title, date, text}) or None."""
    open_rows = [r for r in rows if r["status"] == "open"]
    for row in rows:
        row["suggest_close"] = None
    if not open_rows:
        return
    reports = _done_sentences(_reports(service))
    for row in open_rows:
        held, words = _date_key(row["meeting_date"]), key_words(row["text"])
        if held is None or len(words) < 2:
            continue
        need = max(2, -(-len(words) * 2 // 5))
        for when, hit, sentence in reports:
            if when > held and hit["meeting_id"] != row["meeting_id"] and sum(w in sentence for w in words) >= need:
                row["suggest_close"] = {"meeting_id": hit["meeting_id"], "paragraph": int(hit["id"].rsplit("-p", 1)[1]),
                                        "meeting_title": hit["meeting_title"], "date": hit["date"],
                                        "text": sentence.strip()}
                break


def _done_sentences(reports: list[dict]) -> list[tuple[tuple, dict, str]]:
    """(date, hit, sentence) of the reports' dated sentences that say something is done, in report order."""
    out = []
    for hit in reports:
        when = _date_key(hit["date"])
        if when is not None:
            out += [(when, hit, s) for s in _SENTENCE.findall(hit["text"]) if any(w in s for w in DONE_WORDS)]
    return out
