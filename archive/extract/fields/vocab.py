"""Field kinds, roles and the label vocabulary of fields.toml, loaded once."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ...analysis import simplified


HERE = Path(__file__).resolve().parent
LABELS = HERE / "fields.toml"

ONLINE = "online"
DECISION = "decision"
ACTION = "action"
# The people roles, in the order MeetingFields.persons lists them.
PEOPLE_ROLES = ("host", "attendees", "observers", "absent", "recorder", "presenters", "owners", "next_host")

# Kinds of field (fields.toml): how a value is used.
SINGLE, PEOPLE, TEXT, MODE, BODY, INFO, IGNORE = "single", "people", "text", "online", "body", "info", "ignore"
_HEADER_KINDS = {SINGLE, PEOPLE, TEXT, MODE, INFO}
_BLOCK_KINDS = {PEOPLE, TEXT, MODE, DECISION, ACTION}
_ACCUMULATE = {"presenters", "owners"}  # collected from everywhere; other people lists come from one place
_ITEM_PARTS = {"owners", "deadline"}  # labels inside a decision or an open item
HEADER_SLACK = 3  # paragraphs before the first field that may still belong to the header (a title, a number)


# Vocabulary (fields.toml), loaded once.

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_IS_CJK = re.compile(f"[{_CJK}]")
_CJK_SPACES = re.compile(f"(?<=[{_CJK}])[ \u3000]+(?=[{_CJK}])")


def _key(label: str) -> str:
    """How labels are compared: NFKC, case-folded, without spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", label)).casefold()


@dataclass(frozen=True)
class _Label:
    name: str
    kind: str


class _Vocabulary:
    def __init__(self, path: Path = LABELS):
        with open(path, "rb") as f:
            data = tomllib.load(f)
        self.cjk: dict[str, _Label] = {}  # exact Chinese labels
        self.en: dict[str, _Label] = {}  # _key of English labels
        for name, spec in data["field"].items():
            label = _Label(name, spec["kind"])
            for zh in spec.get("zh", []):
                self.cjk[zh] = label
            for en in spec.get("en", []):
                self.en[_key(en)] = label
        self.cjk_max = max(map(len, self.cjk))
        self.people_heads = {k[:2] for k, v in self.cjk.items() if v.name in PEOPLE_ROLES}
        self.cjk_last = {k[-1] for k in self.cjk}
        names = data["names"]
        ranked = re.sub(r"\s+", "", names["surnames"])
        self.surname_rank: dict[str, int] = {}
        for ch in ranked:
            self.surname_rank.setdefault(ch, len(self.surname_rank))
        self.compound = {s: 0 for s in names["compound_surnames"]}
        self.titles = sorted(names["titles"], key=len, reverse=True)
        self.title_set = set(self.titles)
        self.not_people = names["not_people_words"]
        self.placeholders = {_key(p) for p in names["placeholders"]}
        self.name_columns = {_key(c) for c in names["name_columns"]}
        self.nickname_columns = {_key(c) for c in names["nickname_columns"]}
        place = data["place"]
        self.online = sorted((w.casefold() for w in place["online"]), key=len, reverse=True)
        self.physical = [w.casefold() for w in place["physical"]]
        self.title_noise = place["title_noise"]
        self.not_people_re = re.compile("|".join(map(re.escape, self.not_people)))
        self.title_re = re.compile("|".join(map(re.escape, self.titles)))
        self.title_end_re = re.compile(f"(?:{self.title_re.pattern})$")

    def label(self, text: str) -> _Label | None:
        """The label `text` is, whole (Chinese exactly or spread out, English case- and space-insensitively)."""
        text = simplified(text.strip().strip("【】"))  # (`時間`, `出席人員` as well)
        found = self.cjk.get(text)
        if found is None and (" " in text or "\u3000" in text):
            found = self.cjk.get(_CJK_SPACES.sub("", text))
        if found is None and text[:1].isascii():
            found = self.en.get(_key(text))
        return found


@lru_cache(maxsize=1)
def vocabulary() -> _Vocabulary:
    return _Vocabulary()
