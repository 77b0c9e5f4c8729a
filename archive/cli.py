"""`archive`: ingest the corpus, search it, serve the page."""

import argparse
import json
import os
import re
import sys
from pathlib import Path

from . import settings
from .access.levels import ConfigError
from .engines import open_engine
from .engines.base import Engine
from .errors import BadRequest, IndexBusy, IndexMissing, IndexOutdated
from .home import open_archive
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


def run_ingest(paths: list[Path], engine: Engine, rebuild=False, wait=0.0, stream=sys.stderr, config=None,
               allow_lower=False):
    from .index.pipeline import ingest
    summary = ingest(paths, engine, rebuild=rebuild, wait=wait, progress=Progress(stream),
                     ocr_progress=Progress(stream, "OCR", "pages"), config=config, allow_lower=allow_lower)
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
              "sort": args.sort, "expand": "0" if args.no_expand else None, "since": args.since}
    try:
        req = SearchRequest.from_params({k: str(v) for k, v in params.items() if v is not None})
    except BadRequest as exc:
        print(f"archive: {exc}", file=sys.stderr)
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
    from waitress import serve
    from web import create_app
    archive = open_archive(args.index, args.database)
    engine, config, store = archive.engine, archive.config, archive.store
    # Safe by default: beyond loopback (a proxy's clients are beyond it too), either users log in or
    # --public says the lowest level is for all.
    proxy = args.proxy or config.proxy
    mode = "public" if args.public else "local" if _loopback(args.host) and not proxy else "network"
    if mode == "network" and not store.has_users():
        where = "在反向代理后（--proxy）" if proxy else f"不在本机地址（{args.host}）上"
        print(f"archive: {where}无账号服务：先用 `archive users add NAME` 添加用户，"
              f"或加 --public 只向所有人公开最低级别（{config.lowest}）的文件", file=sys.stderr)
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


def _read_password(confirm: bool) -> str:
    """From a prompt on a terminal (twice, to catch a typo), else the first line of standard input."""
    import getpass
    if not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("密码：")
        if confirm and getpass.getpass("再输一次：") != password:
            raise ValueError("两次输入的密码不一致")
    if len(password) < 8:
        raise ValueError("密码至少 8 个字符")
    return password


def cmd_users(args) -> int:
    from .access.store import NAME_MAX, ROLES, name_problem
    archive = open_archive(args.index, args.database)
    store, config = archive.store, archive.config
    action = args.action
    try:
        if action == "list":
            for user in store.users():
                tokens = len(store.tokens(user.name))
                print(f"{user.name}\t{user.role}\t{user.level}\t{tokens} 个令牌")
            return 0
        if action == "rotate-secret":
            store.rotate_secret()
            print("已更换签名密钥：所有登录会话已失效。", file=sys.stderr)
            return 0
        if not args.name:
            raise ValueError(f"users {action} 需要用户名")
        if args.role is not None and args.role not in ROLES:
            raise ValueError(f"角色应为 {' 或 '.join(ROLES)}")
        level = config.check(args.level) if args.level is not None else None
        if action == "add":
            if name_problem(args.name):  # (before any lookup: PostgreSQL refuses a NUL in a query)
                raise ValueError(f"{name_problem(args.name)}：{args.name[:NAME_MAX]!r}")
            if store.user(args.name) is not None:
                raise ValueError(f"用户 {args.name} 已存在")
            role = args.role or "reader"
            store.add(args.name, _read_password(True), role,
                      level or (config.highest if role == "admin" else config.lowest))
            print(f"已添加用户 {args.name}", file=sys.stderr)
        elif action == "passwd":
            store.update(args.name, password=_read_password(True) if store.user(args.name) else None,
                         role=args.role, level=level)
            print(f"已更新用户 {args.name}（新密码：其登录会话已失效，API 令牌已全部撤销，需要时用 users token 重新发放）",
                  file=sys.stderr)
        elif action == "remove":
            if not store.remove(args.name):
                raise KeyError(args.name)
            print(f"已删除用户 {args.name} 及其令牌和会话", file=sys.stderr)
        elif action == "token":
            print(store.new_token(args.name))  # alone on standard output, shown this once
        elif action == "revoke":
            if store.user(args.name) is None:
                raise KeyError(args.name)
            print(f"已撤销 {store.revoke(args.name, args.token)} 个令牌", file=sys.stderr)
    except KeyError:
        print(f"archive: 没有用户 {args.name}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"archive: {exc}", file=sys.stderr)
        return 2
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
    p.add_argument("--watch", action="store_true",
                   help="keep running: ingest files as they arrive, change or go (stop with Ctrl-C or SIGTERM)")
    p.add_argument("--settle", type=float, default=2.0, metavar="SECONDS",
                   help="with --watch: how long a file must stay unchanged before it is read (default 2)")
    p.add_argument("--poll", action="store_true", help="with --watch: poll the folders instead of using inotify")
    p.add_argument("--config", metavar="FILE", help="the access configuration (TOML) to store with the archive and "
                   "use from now on (default: the stored one; the first ingest stores $ARCHIVE_CONFIG or ./archive.toml)")
    p.add_argument("--allow-lower", action="store_true",
                   help="apply a --config whose rules lower the level of files already ingested")
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
    p.add_argument("--since", metavar="DATE", help="only files whose content was first ingested on/after DATE "
                   "(YYYY-MM-DD or an ISO 8601 time), or 'last-ingest'")
    p.add_argument("--sort", default="relevance", help="relevance, newest or oldest")
    p.add_argument("--page", type=int, default=1)
    p.add_argument("--per-page", type=int, default=PER_PAGE)
    p.add_argument("--no-expand", action="store_true", help="search the words as typed, without their synonyms")
    p.add_argument("--json", action="store_true", help="print exactly what GET /api/search returns")
    p.add_argument("--timeline", action="store_true", help="also print the matches per month as a text histogram")
    p.set_defaults(func=cmd_search)

    from .ledger.cli import add_parser as add_items
    add_items(sub, common)

    p = sub.add_parser("serve", parents=[common], help="serve the search page and /api/search")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--public", action="store_true",
                   help="serve the lowest access level to everyone without login (needed beyond loopback without users)")
    p.add_argument("--proxy", action="store_true",
                   help="behind one reverse proxy: trust its X-Forwarded-For/-Proto/-Host (Werkzeug ProxyFix)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("db", help="PostgreSQL: lay the archive out (one node or several), grant a reader role")
    db = p.add_subparsers(dest="db_command", required=True)
    p = db.add_parser("init", help="create the archive's and the users' tables as the owner; with --shard, "
                                   "partition the archive by meeting over shard databases (postgres_fdw)")
    p.add_argument("--database", metavar="URL", help="the database, or the coordinator's (default: $ARCHIVE_DATABASE_URL)")
    p.add_argument("--shard", metavar="URL", action="append", default=[],
                   help="a shard's database (give --shard once for each)")
    p.add_argument("--replace", action="store_true", help="delete the archive these databases already hold")
    p.set_defaults(func=cmd_db_init)
    p = db.add_parser("grant", help="give a reader role what `archive serve` needs (run as the owner)")
    p.add_argument("role", help="an existing role (createuser ROLE)")
    p.add_argument("--database", metavar="URL", help="the database, the coordinator's, or a shard's "
                                                     "(default: $ARCHIVE_DATABASE_URL)")
    p.add_argument("--shard", metavar="URL", action="append", default=[],
                   help="on a coordinator: the user and password ROLE reads each shard as, in the order of "
                        "db init (default: the owner's)")
    p.set_defaults(func=cmd_db_grant)

    p = sub.add_parser("users", parents=[common], help="users who may log in, their levels and API tokens")
    p.add_argument("action", choices=("add", "passwd", "remove", "list", "token", "revoke", "rotate-secret"),
                   help="passwd also changes --role/--level; token prints a new API token once; "
                        "revoke removes a user's tokens (or --token ID); rotate-secret ends every session")
    p.add_argument("name", nargs="?")
    p.add_argument("--role", help="reader (default), editor (a reader who may set items' status) or admin "
                                  "(reads every level)")
    p.add_argument("--level", help="the highest access level the user may read (default: the lowest)")
    p.add_argument("--token", metavar="ID", help="revoke only this token (the id after arc_)")
    p.set_defaults(func=cmd_users)

    p = sub.add_parser("audit", parents=[common], help="read the audit log (logins, searches, meetings, exports)")
    p.add_argument("--user", help="only this user's events")
    p.add_argument("--event", help="only events of this kind: login, login_failed, login_locked, search, meeting, "
                                   "export, logout, request")
    p.add_argument("--since", metavar="TIME", help="from this UTC time on, e.g. 2026-11-30 or 2026-11-30T08")
    p.add_argument("--json", action="store_true", help="one JSON object a line, as stored")
    p.set_defaults(func=cmd_audit)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (IndexMissing, IndexOutdated, IndexBusy, ConfigError) as exc:
        print(f"archive: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader (head, less) stopped reading: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
