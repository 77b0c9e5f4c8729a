"""`archive users`: who may log in, the level each may read, their API tokens; a function a subcommand.

Each subcommand runs on the opened archive's users store: an unknown user exits 1, a bad name, role,
level or password exits 2, each with one Chinese line.
"""

import sys
from functools import partial

from .cli_errors import check_index
from .cli_parser import Formatter
from .home import open_archive

def _run(command, args) -> int:
    check_index(args.index, args.database)
    archive = open_archive(args.index, args.database)
    name = getattr(args, "name", None)
    try:
        if name == "":
            raise ValueError(f"users {args.users_command} 需要用户名")
        command(args, archive.store, archive.config)
    except KeyError:
        print(f"archive: 没有用户 {name}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"archive: {exc}", file=sys.stderr)
        return 2
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


def _role_and_level(args, config) -> tuple[str | None, str | None]:
    """--role and --level as given (None: not given), checked."""
    from .access.store import ROLES
    if args.role is not None and args.role not in ROLES:
        raise ValueError(f"角色应为 {' 或 '.join(ROLES)}")
    return args.role, config.check(args.level) if args.level is not None else None


def add_user(args, store, config) -> None:
    from .access.store import NAME_MAX, name_problem
    role, level = _role_and_level(args, config)
    if name_problem(args.name):  # (before any lookup: PostgreSQL refuses a NUL in a query)
        raise ValueError(f"{name_problem(args.name)}：{args.name[:NAME_MAX]!r}")
    if store.user(args.name) is not None:
        raise ValueError(f"用户 {args.name} 已存在")
    role = role or "reader"
    store.add(args.name, _read_password(True), role, level or (config.highest if role == "admin" else config.lowest))
    print(f"已添加用户 {args.name}", file=sys.stderr)


def change_user(args, store, config) -> None:
    role, level = _role_and_level(args, config)
    store.update(args.name, password=_read_password(True) if store.user(args.name) else None, role=role, level=level)
    print(f"已更新用户 {args.name}（新密码：其登录会话已失效，API 令牌已全部撤销，需要时用 users token 重新发放）",
          file=sys.stderr)


def remove_user(args, store, config) -> None:
    if not store.remove(args.name):
        raise KeyError(args.name)
    print(f"已删除用户 {args.name} 及其令牌和会话", file=sys.stderr)


def list_users(args, store, config) -> None:
    users = store.users()
    if not users:
        print("还没有用户；用 `archive users add NAME` 添加（密码从提示或标准输入读取）", file=sys.stderr)
    for user in users:
        print(f"{user.name}\t{user.role}\t{user.level}\t{len(store.tokens(user.name))} 个令牌")


def new_token(args, store, config) -> None:
    print(store.new_token(args.name))  # alone on standard output, shown this once


def revoke_tokens(args, store, config) -> None:
    if store.user(args.name) is None:
        raise KeyError(args.name)
    print(f"已撤销 {store.revoke(args.name, args.token)} 个令牌", file=sys.stderr)


def rotate_secret(args, store, config) -> None:
    store.rotate_secret()
    print("已更换签名密钥：所有登录会话已失效。", file=sys.stderr)


# name -> (function, what it does, whether it takes NAME, its options beyond --index/--database: flag -> help)
SUBCOMMANDS = {
    "add": (add_user, "添加用户；密码从提示（输两次）或标准输入的第一行读取", True, {
        "--role": "reader（默认）、editor（可设置待办事项状态的读者）或 admin（可读所有级别）",
        "--level": "用户可读的最高访问级别（默认：最低级别；admin 为最高级别）"}),
    "passwd": (change_user, "给用户设新密码（其登录会话失效、API 令牌全部撤销），也可改角色和级别", True, {
        "--role": "新角色：reader、editor 或 admin（默认：不变）",
        "--level": "新的最高访问级别（默认：不变）"}),
    "remove": (remove_user, "删除用户及其令牌和会话", True, {}),
    "list": (list_users, "列出用户：名字、角色、访问级别、令牌数", False, {}),
    "token": (new_token, "给用户生成一个 API 令牌，单独打印到标准输出（只显示这一次）", True, {}),
    "revoke": (revoke_tokens, "撤销用户的所有 API 令牌，或 --token 指定的一个", True, {
        "--token": "只撤销这个令牌（arc_ 之后的 ID）"}),
    "rotate-secret": (rotate_secret, "更换签名密钥：所有登录会话失效", False, {}),
}
_METAVARS = {"--role": "ROLE", "--level": "LEVEL", "--token": "ID"}


class _GroupFormatter(Formatter):
    """argparse measures a subcommand's name without the 4 columns it is indented by, and would put
    rotate-secret's help on a line of its own: the help column starts past the longest name."""

    def __init__(self, prog):
        super().__init__(prog)
        self._action_max_length = 4 + max(map(len, SUBCOMMANDS))


def add_parser(sub, common) -> None:
    """`archive users COMMAND`: a subparser per SUBCOMMANDS entry, each with the common --index/--database."""
    p = sub.add_parser("users", help="可以登录的用户、其访问级别和 API 令牌",
                       description="管理可以登录的用户、其访问级别和 API 令牌", formatter_class=_GroupFormatter)
    users = p.add_subparsers(dest="users_command", required=True, title="子命令", metavar="命令")
    for name, (command, says, named, options) in SUBCOMMANDS.items():
        p = users.add_parser(name, parents=[common], help=says, description=says)
        if named:
            p.add_argument("name", metavar="NAME", help="用户名")
        for flag, help_text in options.items():
            p.add_argument(flag, metavar=_METAVARS[flag], help=help_text)
        p.set_defaults(func=partial(_run, command))
