"""`archive`: ingest the corpus, search it, serve the page."""

import argparse
import json
import os
import re
import sys
from pathlib import Path

from .engines import open_engine
from .engines.base import Engine
from .errors import BadRequest, IndexBusy, IndexMissing, IndexOutdated
from .search.contract import date_text
from .search.request import PER_PAGE, SearchRequest

DEFAULT_CORPUS = Path("corpus")


def _engine(args) -> Engine:
    return open_engine(args.index, args.database)


class Progress:
    """A bar on a terminal, a line every few percent otherwise."""

    def __init__(self, stream=sys.stderr, what: str = "ingest", unit: str = "files"):
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
            self.stream.write(f"{self.what}: {done}/{total} {self.unit} ({pct}%)\n")
        self.last = pct
        self.stream.flush()


def run_ingest(paths: list[Path], engine: Engine, rebuild=False, wait=0.0, stream=sys.stderr):
    from .index.pipeline import ingest
    summary = ingest(paths, engine, rebuild=rebuild, wait=wait, progress=Progress(stream),
                     ocr_progress=Progress(stream, "OCR", "pages"))
    for source, reason in summary.failed:
        stream.write(f"跳过 {source}: {reason}\n")
    for source, message in summary.warnings:
        stream.write(f"注意 {source}: {message}\n")
    stream.write(
        f"新增 {summary.added}，更新 {summary.updated}，未变 {summary.unchanged}，删除 {summary.removed}，"
        f"失败 {len(summary.failed)} 个文件；共 {summary.meetings} 场会议、{summary.paragraphs} 个段落；"
        f"用时 {summary.seconds:.2f} 秒{'（重建）' if summary.rebuilt else ''}\n")
    return summary


def cmd_ingest(args) -> int:
    paths = [Path(p) for p in args.paths] or [DEFAULT_CORPUS]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"archive: 找不到 {', '.join(missing)}", file=sys.stderr)
        return 2
    summary = run_ingest(paths, _engine(args), rebuild=args.rebuild, wait=args.wait)
    if args.json:
        print(json.dumps(summary.as_json(), ensure_ascii=False, indent=2))
    return 1 if summary.failed else 0


_MARK = re.compile(r"<mark>(.*?)</mark>")


def _terminal_text(html: str, colour: bool) -> str:
    from html import unescape
    marked = _MARK.sub(lambda m: f"\x1b[1;31m{m[1]}\x1b[0m" if colour else f"【{m[1]}】", html)
    return unescape(marked)


_ROLES = {"decision": "【决定】", "action": "【待办】"}
_FILTER_NAMES = {"region": "地区", "topic": "主题", "person": "人员", "kind": "内容", "from": "日期", "month": "月份"}


def print_results(result: dict, colour: bool, out=sys.stdout) -> None:
    if result["relaxed"]:
        out.write("没有同时包含所有词的段落；以下结果按包含的词数排序。\n")
    for e in result["expanded"]:
        out.write(f"同时搜索了：{'、'.join(e['synonyms'])}（{e['term']}）；只搜原词请加 --no-expand\n")
    if result["suggestion"]:
        out.write(f"您是不是要找：{result['suggestion']['q']}（{result['suggestion']['total']} 条）\n")
    for drop in result["drops"]:
        out.write(f"去掉{_FILTER_NAMES[drop['params'][0]]}条件：{drop['total']} 条\n")
    first = (result["page"] - 1) * result["per_page"]
    out.write(f"共 {result['total']} 条结果（{result['took_ms']} 毫秒），第 {result['page']} 页\n\n")
    for i, hit in enumerate(result["hits"], start=first + 1):
        out.write(f"{i}. {_terminal_text(hit['highlight'], colour)}\n")
        where = " · ".join(x for x in [_ROLES.get(hit["role"], ""), hit["meeting_title"], hit["section"],
                                        date_text(hit["date"]) or "日期不详", "、".join(hit["regions"]),
                                        "、".join(hit["topics"])] if x)
        cite = f"{hit['source']} 第 {hit['page']} 页" if hit.get("page") else f"{hit['source']}:{hit['line_start']}"
        out.write(f"   {where}\n   {cite}\n\n")


def cmd_search(args) -> int:
    from .search.service import SearchService
    params = {"q": args.query, "region": args.region, "topic": args.topic, "person": args.person,
              "kind": args.kind, "from": args.date_from,
              "to": args.date_to, "month": args.month, "page": args.page, "per_page": args.per_page,
              "sort": args.sort, "expand": "0" if args.no_expand else None}
    try:
        req = SearchRequest.from_params({k: str(v) for k, v in params.items() if v is not None})
    except BadRequest as exc:
        print(f"archive: {exc}", file=sys.stderr)
        return 2
    result = SearchService(_engine(args)).search(req)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print_results(result, colour=sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
    return 0


def cmd_serve(args) -> int:
    from waitress import serve
    from web import create_app
    engine = _engine(args)
    if not engine.exists():
        print(f"{engine.location} 中还没有索引，先从 {DEFAULT_CORPUS}/ 建立：", file=sys.stderr)
        run_ingest([DEFAULT_CORPUS], engine)
    print(f"会议记录检索：http://{args.host}:{args.port}/", file=sys.stderr)
    serve(create_app(engine), host=args.host, port=args.port, threads=args.threads)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="archive", description="会议记录检索：导入、检索、网页服务")
    sub = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--index", help="index folder (default: $ARCHIVE_INDEX, else ./index)")
    common.add_argument("--database", metavar="URL",
                        help="a PostgreSQL database instead of the index folder (default: $ARCHIVE_DATABASE_URL)")

    p = sub.add_parser("ingest", parents=[common], help="add new and changed minutes to the index")
    p.add_argument("paths", nargs="*", help="markdown files or folders (default: corpus/)")
    p.add_argument("--rebuild", action="store_true", help="build a fresh index and swap it in")
    p.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                   help="wait this long for another running ingest instead of failing")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("search", parents=[common], help="search the index")
    p.add_argument("query", help='words (ANDed), "exact phrase", OR, -word / NOT, ( )')
    p.add_argument("--region", help="province, city or county, e.g. 甘肃 or 天水市")
    p.add_argument("--topic", help="a topic label, e.g. 森林防火")
    p.add_argument("--person", help="someone who took part (chaired, attended, recorded, presented)")
    p.add_argument("--kind", choices=("decision", "action"), help="only decisions, or only open items")
    p.add_argument("--from", dest="date_from", metavar="DATE", help="YYYY, YYYY-MM or YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="YYYY, YYYY-MM or YYYY-MM-DD")
    p.add_argument("--month", type=int, help="a month (1-12) in any year, also where the year is unknown")
    p.add_argument("--sort", default="relevance", help="relevance, newest or oldest")
    p.add_argument("--page", type=int, default=1)
    p.add_argument("--per-page", type=int, default=PER_PAGE)
    p.add_argument("--no-expand", action="store_true", help="search the words as typed, without their synonyms")
    p.add_argument("--json", action="store_true", help="print exactly what GET /api/search returns")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("serve", parents=[common], help="serve the search page and /api/search")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--threads", type=int, default=4)
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (IndexMissing, IndexOutdated, IndexBusy) as exc:
        print(f"archive: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader (head, less) stopped reading: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
