"""The ledger as CSV (the page's /items.csv and `archive items --csv`): UTF-8 with a BOM for Excel."""

import csv
import io

from ..search.contract import date_text
from .items import KIND_NAMES
from .status import STATUSES

COLUMNS = ("事项编号", "类别", "事项", "责任人/单位（原文）", "责任人", "完成时限（原文）", "截止日期", "状态", "逾期",
           "状态备注", "会议", "会议日期", "来源文件", "行", "建议关闭")


def _cell(value) -> str:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for r in rows:
        close = r.get("suggest_close")
        writer.writerow([r["id"], KIND_NAMES[r["kind"]], _cell(r["text"]), _cell("、".join(r["owners_written"])),
                         _cell("、".join(r["owners"])), _cell(r["due_text"]), r["due"] or "", STATUSES[r["status"]],
                         "是" if r["overdue"] else "", _cell(r["status_note"]), _cell(r["meeting_title"]),
                         date_text(r["meeting_date"], note=False), _cell(r["source"]), r["line_start"],
                         _cell(f"{close['meeting_title']}：{close['text']}") if close else ""])
    return out.getvalue()
