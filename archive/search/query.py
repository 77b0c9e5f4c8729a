"""The query language, parsed into a small tree that no search engine owns.

    环境 保护          both (words separated by spaces are ANDed)
    "严格整改标准"      the exact phrase
    环保 OR 环境        either
    -督察  NOT 督察     without
    (森林 OR 防火) 会议  grouping

Anything else is text: field syntax (title:), wildcards (* ?) and stray
operators are searched as the characters they are, never interpreted, so
no input can make a query slow or fail. Unbalanced quotes and parentheses
are closed at the end of the query.
"""

import re
from dataclasses import dataclass

from ..analysis import query_units
from ..errors import QueryError

MAX_QUERY_CHARS = 200


@dataclass(frozen=True)
class Term:
    text: str


@dataclass(frozen=True)
class Phrase:
    text: str


@dataclass(frozen=True)
class And:
    items: tuple


@dataclass(frozen=True)
class Or:
    items: tuple


@dataclass(frozen=True)
class Not:
    item: object


_TOKEN = re.compile(r'"[^"]*"?|[()]|[^\s()"]+')


def _tokens(text: str) -> list[str]:
    text = text.replace("“", '"').replace("”", '"').replace("（", "(").replace("）", ")")
    return _TOKEN.findall(text)


class _Parser:
    def __init__(self, tokens):
        self.tokens = tokens
        self.i = 0

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self):
        tok = self.peek()
        self.i += 1
        return tok

    def expr(self, depth=0):
        items = [self.conjunction(depth)]
        while self.peek() in ("OR", "|"):
            self.take()
            items.append(self.conjunction(depth))
        return _simplify(Or, items)

    def conjunction(self, depth):
        items = []
        while (tok := self.peek()) is not None and tok not in ("OR", "|") and not (tok == ")" and depth):
            if tok == ")":  # a closing parenthesis with nothing open: skip it
                self.take()
                continue
            if tok in ("AND", "&"):
                self.take()
                continue
            items.append(self.unary(depth))
        return _simplify(And, items)

    def unary(self, depth):
        tok = self.peek()
        if tok == "NOT" or (tok.startswith("-") and len(tok) > 1):
            self.take()
            if tok == "NOT":
                inner = self.unary(depth) if self.peek() not in (None, ")", "OR", "|") else None
            else:
                self.tokens.insert(self.i, tok[1:])
                inner = self.unary(depth)
            return Not(inner) if inner is not None else None
        return self.atom(depth)

    def atom(self, depth):
        tok = self.take()
        if tok == "(":
            inner = self.expr(depth + 1)
            if self.peek() == ")":
                self.take()
            return inner
        if tok.startswith('"'):
            inner = tok.strip('"')  # a lone or empty quote is no phrase
            return Phrase(inner) if query_units(inner) else None
        return Term(tok) if query_units(tok) else None


def _simplify(cls, items):
    items = [i for i in items if i is not None]
    if not items:
        return None
    return items[0] if len(items) == 1 else cls(tuple(items))


def _has_positive(node) -> bool:
    if isinstance(node, (Term, Phrase)):
        return True
    if isinstance(node, And):
        return any(_has_positive(i) for i in node.items)
    if isinstance(node, Or):
        return all(_has_positive(i) for i in node.items)
    return False


def parse(text: str):
    """The query tree of `text`, or None for an empty query (browse everything)."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"查询过长：最多 {MAX_QUERY_CHARS} 个字符（收到 {len(text)} 个）")
    text = "".join(c for c in text if c.isprintable() or c == " ")
    if not text.strip():
        return None
    node = _Parser(_tokens(text)).expr()
    if node is None:
        raise QueryError("查询中没有可检索的文字（只有标点或运算符）")
    if not _has_positive(node):
        raise QueryError("查询不能只有排除条件：请至少给出一个要查找的词")
    return node


def positives(node) -> list:
    """The Term and Phrase leaves that are not negated: what a hit is highlighted for."""
    if isinstance(node, (Term, Phrase)):
        return [node]
    if isinstance(node, (And, Or)):
        return [leaf for item in node.items for leaf in positives(item)]
    return []
