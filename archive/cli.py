"""`archive`: ingest the corpus, search it, serve the page."""

import json
import os
import sys
from pathlib import Path

from . import settings
from .cli_errors import check_index, check_port, explain
from .cli_parser import Parser, ShowVersion, Words, add_facet_flags, bounded, day, facet_params
from .cli_text import Progress, print_results
from .engines import open_engine
from .engines.base import Engine
from .errors import BadRequest
from .home import open_archive
from .search.request import MAX_PAGE, MAX_PER_PAGE, PER_PAGE, SORTS, SearchRequest

DEFAULT_CORPUS = Path("corpus")


def _engine(args) -> Engine:
    check_index(args.index, args.database)
    return open_engine(args.index, args.database)


def run_ingest(paths: list[Path], engine: Engine, rebuild=False, wait=0.0, stream=sys.stderr, config=None,
               allow_lower=False):
    from .index.pipeline import ingest
    summary = ingest(paths, engine, rebuild=rebuild, wait=wait, progress=Progress(stream),
                     ocr_progress=Progress(stream, "识别", "页"), config=config, allow_lower=allow_lower)
    stream.write(f"访问配置 {summary.access}（{summary.access_from}）\n")
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
    if args.watch:
        return cmd_watch(paths, args)
    from .access.levels import load_config
    from .index.pipeline import LevelsLowered
    try:
        summary = run_ingest(paths, _engine(args), rebuild=args.rebuild, wait=args.wait, allow_lower=args.allow_lower,
                             config=load_config(args.config) if args.config else None)
    except LevelsLowered as exc:
        for source, before, after in exc.files:
            print(f"降低 {source}: {before} → {after}", file=sys.stderr)
        print(f"archive: {exc}，未作任何改动；确要如此请加 --allow-lower", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(summary.as_json(), ensure_ascii=False, indent=2))
    return 1 if summary.failed else 0


def cmd_watch(paths: list[Path], args) -> int:
    from .index.watch import watch
    files = [str(p) for p in paths if not p.is_dir()]
    if files:
        print(f"archive: --watch 只监视文件夹：{', '.join(files)}", file=sys.stderr)
        return 2
    return watch(paths, _engine(args), settle=args.settle, polling=args.poll)


def _flag_named(message: str) -> str:
    """A request error names the URL parameter (per_page); on the command line, the flag (--per-page)."""
    name = message.split(" ", 1)[0]
    return "--" + name.replace("_", "-") + message[len(name):] if name.isascii() and name.isidentifier() else message


def cmd_search(args) -> int:
    from .search.service import SearchService
    params = {"q": args.query, **facet_params(args), "from": args.date_from, "to": args.date_to, "month": args.month, "page": args.page, "per_page": args.per_page,
              "sort": args.sort, "expand": "0" if args.no_expand else None, "since": args.since}
    try:
        req = SearchRequest.from_params({k: str(v) for k, v in params.items() if v is not None})
    except BadRequest as exc:
        print(f"archive: {_flag_named(str(exc))}", file=sys.stderr)
        return 2
    result = SearchService(_engine(args)).search(req)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print_results(result, colour=sys.stdout.isatty() and not settings.given("NO_COLOR"))
    if args.timeline and not args.json:
        from .search.timeline import histogram
        print(histogram(result["timeline"]), end="")
    return 0


def _loopback(host: str) -> bool:
    import ipaddress
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def cmd_serve(args) -> int:
    from web import create_app
    from web.server import serve  # (waitress, taking unencoded request lines as typed)
    archive = open_archive(args.index, args.database)
    check_port(args.host, args.port)  # before an index is built, and as one line, not waitress's traceback
    engine, config, store = archive.engine, archive.config, archive.store
    # Safe by default: beyond loopback (a proxy's clients are beyond it too), either users log in or
    # --public says the lowest level is for all.
    proxy = args.proxy or config.proxy
    mode = "public" if args.public else "local" if _loopback(args.host) and not proxy else "network"
    if mode == "network" and not store.has_users():
        where = "在反向代理后面（--proxy）" if proxy else f"在 {args.host} 上"
        print(f"archive: 还没有任何用户，不能{where}向其他计算机提供服务。请先添加用户：archive users add 用户名；"
              f"或者加 --public，让所有人不登录就能查看最低级别（{config.lowest}）的文件", file=sys.stderr)
        return 2
    if not engine.exists():
        print(f"{engine.location} 中还没有索引，先从 {DEFAULT_CORPUS}/ 建立：", file=sys.stderr)
        run_ingest([DEFAULT_CORPUS], engine)
    note = {"public": f"（未登录者只能看到“{config.lowest}”级别）", "network": "（需要登录）",
            "local": "（需要登录）" if store.has_users() else ""}[mode]
    print(f"会议记录检索：http://{args.host}:{args.port}/{note}", file=sys.stderr)
    app = create_app(archive, mode=mode, proxy=proxy)
    # Waitress drops X-Forwarded-* headers unless told otherwise; behind the proxy, ProxyFix reads them.
    serve(app, host=args.host, port=args.port, threads=args.threads, clear_untrusted_proxy_headers=not proxy)
    return 0


def cmd_audit(args) -> int:
    from .access.audit import check_since, printable
    try:
        since = check_since(args.since) if args.since is not None else None
    except ValueError as exc:
        print(f"archive: {exc}", file=sys.stderr)
        return 2
    for entry in open_archive(args.index, args.database).audit.read(user=args.user, event=args.event, since=since):
        if args.json:
            print(json.dumps(entry, ensure_ascii=False))
        else:  # (every value escaped: a name with a newline or an escape sequence forges no line)
            rest = {k: v for k, v in entry.items() if k not in ("time", "event", "user", "address")}
            print(printable(f"{entry.get('time')}  {entry.get('event'):<12} {entry.get('user') or '-':<12} "
                            f"{entry.get('address') or '-':<15} {json.dumps(rest, ensure_ascii=False)}"))
    return 0


def _db_url(args) -> str | None:
    url = settings.place(database=args.database).url
    if not url:
        print("archive: 请用 --database URL 指定数据库（或设置 ARCHIVE_DATABASE_URL）", file=sys.stderr)
    return url


def cmd_db_init(args) -> int:
    from .engines.postgres.cluster import ClusterError, holds_archive, init_cluster
    from .engines.postgres.connect import redact
    from .engines.postgres.roles import init_node
    from .engines.postgres.users import create_store
    url = _db_url(args)
    if not url:
        return 2
    if holds_archive(url) and not args.replace:
        create_store(url)  # (an archive ingested before `db init` existed gets its users' tables, nothing else)
        print(f"archive: {redact(url)} 中已有档案（未改动；用户表已就绪）；确要删除并重新建立，请加 --replace",
              file=sys.stderr)
        return 2
    try:
        if args.shard:
            init_cluster(url, args.shard)
        else:
            init_node(url)
    except ClusterError as exc:
        print(f"archive: {exc}", file=sys.stderr)
        return 2
    layout = f"分片档案（{len(args.shard)} 个分片）" if args.shard else "档案和用户表"
    print(f"已在 {redact(url)} 建立{layout}；接着运行 archive ingest，再用 archive db grant ROLE "
          f"让只读角色运行 archive serve", file=sys.stderr)
    return 0


def cmd_db_grant(args) -> int:
    from .engines.postgres.cluster import ClusterError
    from .engines.postgres.connect import redact
    from .engines.postgres.roles import grant
    url = _db_url(args)
    if not url:
        return 2
    try:
        notes = grant(url, args.role, args.shard)
    except ClusterError as exc:
        print(f"archive: {exc}", file=sys.stderr)
        return 2
    for note in notes:
        print(f"注意：{note}", file=sys.stderr)
    print(f"已在 {redact(url)} 授权给 {args.role}：可以用它运行 archive serve", file=sys.stderr)
    return 0


def build_parser() -> Parser:
    parser = Parser(prog="archive", description="会议记录检索：导入、检索、网页服务")
    parser.add_argument("--version", action=ShowVersion, help="显示版本号并退出")
    sub = parser.add_subparsers(dest="command", required=True, title="子命令", metavar="命令")
    common = Parser(add_help=False)
    common.add_argument("--index", metavar="DIR", help="索引文件夹（默认：$ARCHIVE_INDEX，否则 ./index）")
    common.add_argument("--database", metavar="URL",
                        help="用 PostgreSQL 数据库代替索引文件夹（默认：$ARCHIVE_DATABASE_URL）")

    from .cli_users import add_parser as add_users
    from .ledger.cli import add_parser as add_items
    _add_ingest(sub, common)
    _add_search(sub, common)
    add_items(sub, common)
    _add_serve(sub, common)
    _add_db(sub)
    add_users(sub, common)
    _add_audit(sub, common)  # (the order of `archive --help`)
    return parser


def _add_ingest(sub, common: Parser) -> None:
    p = sub.add_parser("ingest", parents=[common], help="把新增和改动的会议记录导入索引",
                       description="读取会议记录（markdown、纯文本、Word .docx/.doc/.wps、PDF、扫描图片），"
                                   "导入新增和改动的文件，删除已不存在的文件")
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="文件或文件夹：markdown、Word、PDF 或图片（默认：corpus/）")
    p.add_argument("--rebuild", action="store_true", help="重新建立整个索引，建好后再替换旧索引")
    p.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                   help="另一个导入正在进行时，最多等这么多秒，而不是立即退出")
    p.add_argument("--json", action="store_true", help="以 JSON 输出导入摘要")
    p.add_argument("--watch", action="store_true",
                   help="持续运行：文件夹中的文件新增、改动或删除时随即导入（Ctrl-C 或 SIGTERM 停止）")
    p.add_argument("--settle", type=float, default=2.0, metavar="SECONDS",
                   help="配合 --watch：文件要保持这么多秒不变才读取（默认 2）")
    p.add_argument("--poll", action="store_true", help="配合 --watch：定时扫描文件夹，而不用 inotify")
    p.add_argument("--config", metavar="FILE", help="与档案一起保存、今后使用的访问配置（TOML）（默认：档案中保存的；"
                   "第一次导入时保存 $ARCHIVE_CONFIG 或 ./archive.toml）")
    p.add_argument("--allow-lower", action="store_true", help="允许 --config 的规则降低已导入文件的访问级别")
    p.set_defaults(func=cmd_ingest)


def _add_search(sub, common: Parser) -> None:
    p = sub.add_parser("search", parents=[common], help="检索索引",
                       description="检索索引；查询可以不加引号：archive search 环境 保护 --region 甘肃。"
                                   "以 - 开头的查询写在 -- 之后：archive search -- -督察 环境")
    p.add_argument("query", nargs="+", action=Words, metavar="QUERY",
                   help='查询词（空格分隔表示同时包含）、"精确短语"、OR、-词 或 NOT 词（排除）、( ) 分组')
    add_facet_flags(p)
    p.add_argument("--from", dest="date_from", metavar="DATE", type=day, help="起始日期：YYYY、YYYY-MM 或 YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", metavar="DATE", type=day, help="结束日期：YYYY、YYYY-MM 或 YYYY-MM-DD")
    p.add_argument("--month", type=bounded(1, 12), metavar="M", help="任何年份的某个月（1–12），包括年份不详的日期")
    p.add_argument("--since", metavar="DATE", help="只看在 DATE 当天或之后首次导入的文件（YYYY-MM-DD 或 "
                   "ISO 8601 时间），或 last-ingest：最近一次导入带来的文件")
    p.add_argument("--sort", default="relevance", choices=(*SORTS, "date"),
                   help="排序：relevance 相关度（默认）、newest 最新在前、oldest 最早在前；date 同 newest")
    p.add_argument("--page", type=bounded(1, MAX_PAGE), default=1, metavar="N", help="第几页（默认 1）")
    p.add_argument("--per-page", type=bounded(1, MAX_PER_PAGE), default=PER_PAGE, metavar="N",
                   help=f"每页条数（1–{MAX_PER_PAGE}，默认 {PER_PAGE}）")
    p.add_argument("--no-expand", action="store_true", help="只搜输入的词，不同时搜同义词")
    p.add_argument("--json", action="store_true", help="输出与 GET /api/search 完全相同的 JSON")
    p.add_argument("--timeline", action="store_true", help="同时按月份打印命中段落数的文字直方图")
    p.set_defaults(func=cmd_search)


def _add_serve(sub, common: Parser) -> None:
    p = sub.add_parser("serve", parents=[common], help="提供检索网页和 /api/search",
                       description="在 waitress 下提供检索网页和 JSON 接口（还没有索引时先从 corpus/ 建立）")
    p.add_argument("--host", default="127.0.0.1", help="监听的地址（默认 127.0.0.1，只有本机可访问）")
    p.add_argument("--port", type=bounded(1, 65535), default=8000, help="监听的端口（默认 8000）")
    p.add_argument("--threads", type=bounded(1, 256), default=4, help="处理请求的线程数（默认 4）")
    p.add_argument("--public", action="store_true",
                   help="不登录的人也能看到最低访问级别的文件（不在本机地址上且没有用户时必须加）")
    p.add_argument("--proxy", action="store_true",
                   help="在一个反向代理之后：信任它的 X-Forwarded-For/-Proto/-Host（Werkzeug ProxyFix）")
    p.set_defaults(func=cmd_serve)


def _add_db(sub) -> None:
    p = sub.add_parser("db", help="PostgreSQL：建立档案（单节点或多个分片），授权只读角色",
                       description="PostgreSQL：建立档案（单节点或多个分片），授权只读角色")
    db = p.add_subparsers(dest="db_command", required=True, title="子命令", metavar="命令")
    p = db.add_parser("init", help="以所有者身份建立档案表和用户表；加 --shard 时按会议把档案分区到各分片数据库（postgres_fdw）",
                      description="以所有者身份建立档案表和用户表；加 --shard 时按会议把档案分区到各分片数据库（postgres_fdw）")
    p.add_argument("--database", metavar="URL", help="数据库，或协调节点的数据库（默认：$ARCHIVE_DATABASE_URL）")
    p.add_argument("--shard", metavar="URL", action="append", default=[],
                   help="一个分片的数据库（每个分片写一次 --shard）")
    p.add_argument("--replace", action="store_true", help="删除这些数据库中已有的档案")
    p.set_defaults(func=cmd_db_init)
    p = db.add_parser("grant", help="给只读角色授予 archive serve 所需的权限（以所有者身份运行）",
                      description="给只读角色授予 archive serve 所需的权限（以所有者身份运行）")
    p.add_argument("role", metavar="ROLE", help="已有的数据库角色（createuser ROLE）")
    p.add_argument("--database", metavar="URL", help="数据库、协调节点的数据库或某个分片的数据库"
                                                     "（默认：$ARCHIVE_DATABASE_URL）")
    p.add_argument("--shard", metavar="URL", action="append", default=[],
                   help="在协调节点上：ROLE 访问各分片所用的用户和密码，按 db init 的分片顺序（默认：所有者的）")
    p.set_defaults(func=cmd_db_grant)


def _add_audit(sub, common: Parser) -> None:
    p = sub.add_parser("audit", parents=[common], help="查看审计日志（登录、检索、查看会议、导出）",
                       description="查看审计日志（登录、检索、查看会议、导出）")
    p.add_argument("--user", help="只看这个用户的事件")
    p.add_argument("--event", help="只看这类事件：login、login_failed、login_locked、search、meeting、"
                                   "export、logout、request")
    p.add_argument("--since", metavar="TIME", help="从这个 UTC 时间起，如 2026-11-30 或 2026-11-30T08")
    p.add_argument("--json", action="store_true", help="每行一个 JSON 对象，与存储的相同")
    p.set_defaults(func=cmd_audit)


def main(argv=None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return args.func(args)
    except KeyboardInterrupt:
        print(("\n" if sys.stderr.isatty() else "") + "archive: 已中断", file=sys.stderr)  # (after a bar)
        return 130
    except BrokenPipeError:  # the reader (head, less) stopped reading: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:
        message = explain(exc)
        if message is None:
            raise
        print(f"archive: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
