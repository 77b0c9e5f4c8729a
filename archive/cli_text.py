"""What the command line prints: the progress line and search results as text."""

import re
import sys
from html import unescape

from . import facets
from .search.contract import date_text


class Progress:
    """A bar on a terminal, a line every few percent otherwise."""

    def __init__(self, stream=sys.stderr, what: str = "导入", unit: str = "个文件"):
        self.stream, self.what, self.unit = stream, what, unit
        self.tty = stream.isatty()
        self.last = -1

    def __call__(self, done: int, total: int, source: str) -> None:
        pct = done * 100 // max(total, 1)
        if self.tty:
            bar = "█" * (pct // 4) + "·" * (25 - pct // 4)
            self.stream.write(f"\r{bar} {done}/{total} {source[-40:]:<40}")
            if done == total:
                self.stream.write("\n")
        elif pct // 10 != self.last // 10 or done == total:
            self.stream.write(f"{self.what}：{done}/{total} {self.unit}（{pct}%）\n")
        self.last = pct
        self.stream.flush()


_MARK = re.compile(r"<mark>(.*?)</mark>")


def _terminal_text(html: str, colour: bool) -> str:
    marked = _MARK.sub(lambda m: f"\x1b[1;31m{m[1]}\x1b[0m" if colour else f"【{m[1]}】", html)
    return unescape(marked)


_ROLES = {"decision": "【决定】", "action": "【待办】"}
_FILTER_NAMES = {"from": "日期", "month": "月份", "since": "收录时间"}  # and each facet's label (archive/facets.py)


def _filter_name(param: str) -> str:
    found = facets.param_names().get(param)
    return found.label if found is not None else _FILTER_NAMES.get(param, param)


def print_results(result: dict, colour: bool, out=sys.stdout) -> None:
    if result["relaxed"]:
        out.write("没有同时包含所有词的段落；以下结果按包含的词数排序。\n")
    for e in result["expanded"]:
        out.write(f"同时搜索了：{'、'.join(e['synonyms'])}（{e['term']}）；只搜原词请加 --no-expand\n")
    if result["suggestion"]:
        out.write(f"您是不是要找：{result['suggestion']['q']}（{result['suggestion']['total']} 条）\n")
    for drop in result["drops"]:
        out.write(f"去掉{_filter_name(drop['params'][0])}条件：{drop['total']} 条\n")
    first = (result["page"] - 1) * result["per_page"]
    out.write(f"共 {result['total']} 条结果（{result['took_ms']} 毫秒），第 {result['page']} 页\n\n")
    for i, hit in enumerate(result["hits"], start=first + 1):
        out.write(f"{i}. {_terminal_text(hit['highlight'], colour)}\n")
        where = " · ".join(x for x in [_ROLES.get(hit["role"], ""), hit["meeting_title"], hit["section"],
                                        date_text(hit["date"]) or "日期不详", "、".join(hit["regions"]),
                                        "、".join(hit["topics"])] if x)
        cite = f"{hit['source']} 第 {hit['page']} 页" if hit.get("page") else f"{hit['source']}:{hit['line_start']}"
        out.write(f"   {where}\n   {cite}\n\n")
