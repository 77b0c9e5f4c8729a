"""The CSV export of a search: UTF-8 with a BOM, one row per paragraph, formula cells guarded."""

import csv
import io

from archive.search.contract import date_text

EXPORT_LIMIT = 5000


COLUMNS = ("序号", "段落编号", "会议", "小节", "日期", "年份推断", "地区", "主题", "来源文件", "起始行", "结束行",
           "段落内容")


def _cell(value) -> str:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(rows) -> str:
    """UTF-8 text with a BOM, so that Excel opens the Chinese correctly."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for rank, hit in rows:  # (rank, hit fields) from SearchService.export
        date = hit["date"] or {}
        writer.writerow([rank, hit["id"], _cell(hit["meeting_title"]), _cell(hit["section"]),
                         date_text(date, note=False), "是" if date.get("year_inferred") else "",
                         "；".join(r.replace("/", " ") for r in hit["regions"]), "；".join(hit["topics"]),
                         _cell(hit["source"]), hit["line_start"], hit["line_end"], _cell(hit["text"])])
    return out.getvalue()
