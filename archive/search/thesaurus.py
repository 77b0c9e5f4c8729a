"""Synonyms and abbreviations a query term is also searched by (thesaurus.toml, editable).

Expansion happens at query time: editing the file changes answers at once,
the index is not rebuilt. A term is looked up whole and word by word; each
synonym is then found literally or by all of its words, ranked below the
term itself (archive/search/plan.py).
"""

import tomllib
from functools import lru_cache
from pathlib import Path

from ..analysis import query_units

DEFAULT = Path(__file__).with_name("thesaurus.toml")


def _key(text: str) -> str:
    return "".join(query_units(text))


class Thesaurus:
    def __init__(self, groups: list[list[str]]):
        self._others: dict[str, list[str]] = {}
        for group in groups:
            for name in group:
                others = self._others.setdefault(_key(name), [])
                others.extend(o for o in group if _key(o) != _key(name) and o not in others)

    @classmethod
    def from_file(cls, path: Path) -> "Thesaurus":
        with open(path, "rb") as f:
            data = tomllib.load(f)
        groups = data.get("groups", [])
        if not all(isinstance(g, list) and all(isinstance(n, str) and n.strip() for n in g) for g in groups):
            raise ValueError(f"{path}: groups must be lists of non-empty strings")
        return cls(groups)

    def synonyms(self, text: str) -> tuple[str, ...]:
        """The other names of `text` (none for a text of one character: too ambiguous)."""
        key = _key(text)
        return tuple(self._others.get(key, ())) if len(key) > 1 else ()


@lru_cache(maxsize=1)
def default_thesaurus() -> Thesaurus:
    return Thesaurus.from_file(DEFAULT)
