"""argparse in Chinese, and a search query typed as several words.

argparse builds its messages through the module's own `_`/`ngettext` (gettext); a small catalog in their
place translates usage, errors and help headings, so every line a person reads is Chinese.
"""

import argparse
import gettext
import re
import unicodedata
from pathlib import Path

from . import facets

_MESSAGES = {
    "usage: ": "用法：",
    "argument %(argument_name)s: %(message)s": "%(argument_name)s %(message)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "positional arguments": "位置参数",
    "options": "选项",
    "subcommands": "子命令",
    "show this help message and exit": "显示本帮助并退出",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "one of the arguments %s is required": "需要以下参数之一：%s",
    "not allowed with argument %s": "不能与 %s 同时使用",
    "ignored explicit argument %r": "多余的值：%r",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多需要一个值",
    "expected at least one argument": "至少需要一个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是：%(matches)s",
    "unexpected option string: %s": "意外的选项：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择：%(value)r（可选：%(choices)s）",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "未知的子命令 %(parser_name)r（可选：%(choices)s）",
    "can't open '%(filename)s': %(error)s": "无法打开 %(filename)s：%(error)s",
}
_TYPES = {"int": "整数", "float": "数字"}


class _Catalog(gettext.NullTranslations):
    def gettext(self, message):
        return _MESSAGES.get(message, message)

    def ngettext(self, singular, plural, n):
        if singular == "expected %s argument":
            return "需要 %s 个值"
        return super().ngettext(singular, plural, n)


_catalog = _Catalog()
argparse._ = _catalog.gettext
argparse.ngettext = _catalog.ngettext


_TOKEN = re.compile(r"[\x21-\x7e]+|\s+|.")  # an ASCII word stays whole; Chinese breaks between characters


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` terminal columns (a Chinese character takes two)."""
    lines, line = [], ""
    for token in _TOKEN.findall(" ".join(text.split())):
        if line.strip() and _width(line + token) > width:
            lines.append(line.rstrip())
            line = ""
            if token.isspace():
                continue
        line += token
    return lines + [line.rstrip()] if line.strip() else lines


class Formatter(argparse.HelpFormatter):
    """Wraps by terminal columns, and ends headings with a Chinese colon."""

    def _split_lines(self, text, width):
        return wrap(text, width)

    def _fill_text(self, text, width, indent):
        return "\n".join(indent + line for line in wrap(text, width))

    def format_help(self):
        return re.sub(r"^(\S[^\n]*):$", r"\1：", super().format_help(), flags=re.M)


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose own words are Chinese, and which lets a `Words` positional take the query
    as typed: every word that is not an option of this parser, in order, wherever the options stand."""

    def __init__(self, *args, formatter_class=Formatter, **kwargs):
        super().__init__(*args, formatter_class=formatter_class, **kwargs)

    def _get_value(self, action, arg_string):
        # argparse names the type by its function name (int, float): say it in Chinese.
        type_func = self._registry_get("type", action.type, action.type)
        if type_func in (int, float):
            try:
                return type_func(arg_string)
            except ValueError:
                raise argparse.ArgumentError(action, f"应为{_TYPES[type_func.__name__]}：{arg_string!r}") from None
        return super()._get_value(action, arg_string)

    def parse_known_args(self, args=None, namespace=None):
        if args is not None and any(isinstance(a, Words) for a in self._actions):
            args = self._words_last(list(args))
        return super().parse_known_args(args, namespace)

    def _option(self, token: str):
        """The option action a token names (exactly or by an unambiguous prefix, as argparse allows)."""
        name = token.split("=", 1)[0]
        found = [a for a in self._actions if name in a.option_strings]
        if not found and name.startswith("--"):
            found = [a for a in self._actions if any(o.startswith(name) for o in a.option_strings if o[:2] == "--")]
        return found[0] if len(found) == 1 else None

    def _words_last(self, args: list[str]) -> list[str]:
        """The options first, then `--` and the query words in the order typed (`-督察` is a word)."""
        options, words, i = [], [], 0
        while i < len(args):
            token = args[i]
            if token == "--":
                words += args[i + 1:]
                break
            action = self._option(token) if token.startswith("-") else None
            if action is None and not token.startswith("--"):
                words.append(token)
            else:
                options.append(token)
                takes = action is not None and action.nargs != 0 and "=" not in token
                if takes and i + 1 < len(args):
                    options.append(args[i + 1])
                    i += 1
            i += 1
        return options + ["--", *words] if words else options


class Words(argparse.Action):
    """One or more words, joined by spaces into one query string."""

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, " ".join(values))


def bounded(low: int, high: int):
    """An int option's type: an integer from low to high."""
    def check(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"应为整数：{text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"应在 {low} 到 {high} 之间：{value}")
        return value
    return check


def day(text: str) -> str:
    """A date option's type: YYYY, YYYY-MM or YYYY-MM-DD, an existing date."""
    from .errors import BadRequest
    from .search.request import date_bound
    try:
        date_bound(text, False)
    except BadRequest as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


class ShowVersion(argparse.Action):
    """--version: looked up only when asked (importlib.metadata costs every other run 20 ms)."""

    def __init__(self, option_strings, dest, help=None):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"{parser.prog} {version()}")
        parser.exit()


def version() -> str:
    """The installed package's version, else the one in pyproject.toml beside the source."""
    from importlib import metadata
    try:
        return metadata.version("meeting-archive")
    except metadata.PackageNotFoundError:
        import tomllib
        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        try:
            return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]
        except (OSError, KeyError, ValueError):
            return "未知"


def add_facet_flags(p: argparse.ArgumentParser) -> None:
    """A flag per facet a search filters by (archive/facets.py): --region, --topic, --person, --role (also --kind)."""
    for f in facets.filtered():
        older = "".join(f"（旧写法 --{a} 同样可用）" for a in f.aliases)
        kept = dict(dest=f"facet_{f.name}", choices=tuple(f.choices) or None)
        p.add_argument(f"--{f.param}", help=f.help + older, metavar=None if f.choices else f.param.upper(), **kept)
        for alias in f.aliases:  # (accepted, not listed)
            p.add_argument(f"--{alias}", help=argparse.SUPPRESS, **kept)


def facet_params(args) -> dict[str, str]:
    """The facet flags given, by URL parameter (what SearchRequest.from_params reads)."""
    return {f.param: value for f in facets.filtered() if (value := getattr(args, f"facet_{f.name}", None))}
