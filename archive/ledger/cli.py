"""`archive items`: the ledger on the command line (trusted, like `archive search`: every level)."""

import json
import sys

from ..cli_parser import add_facet_flags, facet_params
from ..errors import BadRequest
from .book import ledger
from .export import to_csv
from .items import KIND_NAMES, SORTS, STATUS_FILTERS, LedgerRequest
from .status import STATUSES, StatusBook


def add_parser(sub, common) -> None:
    p = sub.add_parser("items", parents=[common], help="决定事项和待办事项的督办台账",
                       description="决定事项和待办事项的督办台账：可按查询词、地区、责任人、时限、状态筛选")
    p.add_argument("query", nargs="*", metavar="QUERY", help="查询词，与 search 相同（默认：全部事项）")
    add_facet_flags(p)
    p.add_argument("--from", dest="date_from", metavar="DATE", help="会议起始日期：YYYY、YYYY-MM 或 YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="会议结束日期：YYYY、YYYY-MM 或 YYYY-MM-DD")
    p.add_argument("--owner", help="责任人或责任单位（按原文）")
    p.add_argument("--due-before", metavar="DATE", help="时限在 DATE 当天或之前")
    p.add_argument("--status", choices=STATUS_FILTERS, help="状态：open 未办结、done 已办结、dropped 已撤销、overdue 逾期")
    p.add_argument("--sort", choices=SORTS, default="due", help="排序：due 按时限（默认）、date 按会议日期")
    p.add_argument("--csv", action="store_true", help="输出 CSV（带 BOM 的 UTF-8，与 /items.csv 相同）")
    p.add_argument("--json", action="store_true", help="输出与 /api/items 相同的 JSON")
    p.set_defaults(func=cmd_items)


def _line(r: dict) -> str:
    due = f"截止 {r['due']}" if r["due"] else f"时限 {r['due_text']}" if r["due_text"] else "无时限"
    flags = "（逾期）" if r["overdue"] else ""
    head = f"[{STATUSES[r['status']]}] {due}{flags} · {KIND_NAMES[r['kind']]}"
    who = f"   责任：{'、'.join(r['owners_written'] or r['owners'])}\n" if r["owners_written"] or r["owners"] else ""
    close = f"   建议关闭：{r['suggest_close']['meeting_title']}：{r['suggest_close']['text']}\n" \
        if r.get("suggest_close") else ""
    when = r["meeting_date"]["text"] if r["meeting_date"] else "日期不详"
    return f"{head}\n   {r['text']}\n{who}   {r['meeting_title']} · {when} · {r['source']}:{r['line_start']}\n{close}"


def cmd_items(args) -> int:
    from ..home import open_archive
    from ..search.service import SearchService
    params = {"q": " ".join(args.query), **facet_params(args), "from": args.date_from, "to": args.date_to, "owner": args.owner,
              "due_before": args.due_before, "status": args.status, "sort": args.sort}
    try:
        req = LedgerRequest.from_params({k: v for k, v in params.items() if v})
    except BadRequest as exc:
        print(f"archive: {exc}", file=sys.stderr)
        return 2
    archive = open_archive(args.index, args.database)
    service = SearchService(archive.engine)
    rows = ledger(service, req, StatusBook(archive.store).all())
    if args.csv:
        sys.stdout.write(to_csv(rows))
    elif args.json:
        print(json.dumps({"total": len(rows), "items": rows}, ensure_ascii=False, indent=2))
    else:
        overdue = sum(r["overdue"] for r in rows)
        print(f"共 {len(rows)} 项事项" + (f"，逾期 {overdue} 项" if overdue else "") + "\n")
        print("\n".join(_line(r) for r in rows))
    return 0
