"""Chinese administrative regions (行政区划) named in a text, for the region facet.

Names come from data/gazetteer.tsv (built by scripts/build_gazetteer.py from the Ministry of
Civil Affairs code tables, current as of 2024): every province, prefecture and county with its
full name, short forms and former names. They are found by their first two characters; a match
counts only if it starts and ends on an rjieba word boundary (长治久安 holds no 长治, 完成县委
no 成县, 雨湖区 no 湖区) and a short form is not the head of a town or street (龙口乡).
Some names must be backed by another place of the text or its context: a county's
two-character short form (连城, but also 商城, 河口) by one of its province, a district's short
form or one that is also a word (麦积, 江南, 来宾, 和县) by one of its parent. A name with
several readings (朝阳) takes the one the other places back; else it is kept at the level all
its readings share (阿坝 -> 阿坝州) or dropped.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import rjieba

GAZETTEER = Path(__file__).resolve().parent / "data" / "gazetteer.tsv"
# A short form right before one of these names a town, street or river, not the county:
# 龙口乡, 石鼓镇, 中山路, 晋江流域.
NOT_AFTER_SHORT = ("乡", "镇", "村", "街", "路", "巷", "流域")
LEVEL_WORDS = "省市县区州盟旗"
# After a level word, these make a word that still belongs to the place: 县委, 市长, 区政府.
OWN_WORD_AFTER = "委长政府人属直辖"


@dataclass(frozen=True)
class Region:
    code: str  # 6-digit 2024 code of the most specific level known
    path: tuple[str, ...]  # full names from province down: ("甘肃省", "天水市", "麦积区")

    @property
    def name(self) -> str:
        return self.path[-1]

    def key(self) -> str:
        """The facet value: "甘肃省/天水市/麦积区"."""
        return "/".join(self.path)


def expand(key: str) -> list[str]:
    """Every prefix of a facet key, so a filter on a province finds its counties."""
    parts = key.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def _shared(a: Region, b: Region) -> int:
    """How many levels two regions have in common (0: different provinces)."""
    n = 0
    for x, y in zip(a.path, b.path):
        if x != y:
            break
        n += 1
    return n


def _rank(reading: Region, score: int) -> tuple[bool, bool, int]:
    """Order the readings of a name. A province wins (河北 in a list of provinces, even if
    天津 is named too); then readings whose every ancestor is named, the higher level first
    (大同 with 山西 and 大庆 named is 大同市, not 大庆's 大同区); then the more levels shared
    with a named place, the better (朝阳 near 北京 is 朝阳区)."""
    full = 0 < score >= len(reading.path) - 1
    return (len(reading.path) == 1, full, -len(reading.path) if full else score)


class RegionExtractor:
    COLUMNS = ["code", "level", "name", "parent", "short", "weak", "old", "word"]

    def __init__(self, gazetteer_path: str | Path | None = None):
        with open(gazetteer_path or GAZETTEER, encoding="utf-8") as f:
            rows = [line.rstrip("\n").split("\t") for line in f if not line.startswith("#")]
        if rows[0] != self.COLUMNS:
            raise ValueError(f"unexpected gazetteer columns {rows[0]}")
        self._by_code: dict[str, Region] = {}
        # alias -> {code: how many levels of that reading another named place must share}
        self._aliases: dict[str, dict[str, int]] = defaultdict(dict)
        self._full: set[str] = set()  # official and former full names, suffix included
        self._names: dict[str, set[str]] = defaultdict(set)  # every name, for lookup()
        for code, level, name, parent, short, weak, old, word in rows[1:]:
            # Rows are sorted by code, so a parent always comes before its children.
            path = (self._by_code[parent].path if parent else ()) + (name,)
            self._by_code[code] = Region(code, path)
            full = _split(old) + ([] if word else [name])
            need = dict.fromkeys(full, 0)
            for s in _split(short):
                # A county's two-character short form is often a word too (商城, 河口,
                # 临海): only another place of its province makes it one.
                need.setdefault(s, 1 if level == "county" and len(s) == 2 else 0)
            for s in _split(weak):  # 江南, 来宾, 和县: only near their parent
                need[s] = len(path) - 1
            self._full.update(full)
            for s, n in need.items():
                self._aliases[s][code] = n
                self._names[s].add(code)
            self._names[name].add(code)
        self._by_path = {r.path: r for r in self._by_code.values()}
        self._heads, self._head_pattern = _heads(self._aliases)

    def region(self, code: str) -> Region:
        return self._by_code[code]

    def lookup(self, name: str) -> list[Region]:
        """Regions a user's filter text may mean: 甘肃, 甘肃省, 天水, 麦积区 or a facet key."""
        name = name.strip()
        found = {self._by_code[c] for c in self._names.get(name, ())}
        if tuple(name.split("/")) in self._by_path:
            found.add(self._by_path[tuple(name.split("/"))])
        return sorted(found, key=lambda r: (len(r.path), r.code))

    # -- matching ---------------------------------------------------------------------------

    @functools.lru_cache(maxsize=4096)  # annotate asks for each paragraph twice: mentions, then regions
    def _matches(self, text: str) -> tuple[tuple[int, int, str], ...]:
        """(start, end, alias) of the names in text on word boundaries; longest wins."""
        heads, hits = self._heads, []
        for m in self._head_pattern.finditer(text):
            start = m.start()
            hits += [(start, start + len(a), a) for a in heads.get(text[start:start + 2], ())
                     if text.startswith(a, start)]
        if not hits:
            return ()
        starts, ends = _word_bounds(text, hits)
        hits.sort(key=lambda m: (m[0] - m[1], m[0]))  # longest first: full names before stems
        kept: list[tuple[int, int, str]] = []
        taken: set[int] = set()
        for start, end, alias in hits:
            if self._stands(text, start, end, alias, starts, ends) and end in ends \
                    and not taken.intersection(range(start, end)):
                taken.update(range(start, end))
                kept.append((start, end, alias))
        return tuple(sorted(kept))

    def _stands(self, text: str, start: int, end: int, alias: str, starts: set[int], ends: set[int]) -> bool:
        """Whether the name may start here and is no town's head; a full name's level word may move `ends`."""
        if start not in starts:
            return False
        if alias not in self._full:
            return not text.startswith(NOT_AFTER_SHORT, end)
        if alias[-1] in LEVEL_WORDS and end < len(text):
            # The level word may start a word with what follows: 南江县委 is still
            # 南江县's, but 新建县道 is 新建 + 县道 and 四川省城 is 四川 + 省城.
            if text[end] in OWN_WORD_AFTER and end - 1 in starts:
                ends.add(end)
            elif rjieba.has_word(text[end - 1: end + 1]):
                ends.add(end - 1)  # so the stem may stand: 四川
                return False
        return True

    def _resolve(self, aliases: Iterable[str], context: Sequence[Region]) -> dict[str, Region]:
        """The region each alias stands for, given the others and the context."""
        return _Resolution(self, aliases, context).run()

    def _common(self, readings: Sequence[Region]) -> Region | None:
        """The most specific region containing all readings, or None if none is shared."""
        if not readings:
            return None
        depth = min(_shared(readings[0], r) for r in readings)
        return self._by_path[readings[0].path[:depth]] if depth else None

    # -- public -----------------------------------------------------------------------------

    def mentions(self, text: str) -> list[tuple[int, int, Region]]:
        """Every place named in text, with character offsets, after filtering false matches.

        Each name is resolved as in regions() without context; a name that stays ambiguous
        gives the level all its readings share (阿坝 -> 阿坝州) or is left out."""
        matches = self._matches(text)
        if not matches:  # (most paragraphs name no place)
            return []
        resolved = self._resolve((a for _, _, a in matches), ())
        return [(s, e, resolved[a]) for s, e, a in matches if a in resolved]

    def regions(self, text: str, context: Sequence[Region] = ()) -> list[Region]:
        """The distinct places a text is about, most specific first.

        Ambiguous names are resolved by the other names in the text and by context (the
        regions of the enclosing section or meeting), else kept at the level that is certain
        or dropped. A region whose descendant is also named collapses into that descendant.
        """
        matches = self._matches(text)
        if not matches:
            return []
        resolved = self._resolve((a for _, _, a in matches), context)
        count: dict[Region, int] = defaultdict(int)
        first: dict[Region, int] = {}
        for start, _, alias in matches:
            if alias in resolved:
                count[resolved[alias]] += 1
                first.setdefault(resolved[alias], start)
        keep = [r for r in count
                if not any(o != r and o.path[: len(r.path)] == r.path for o in count)]
        return sorted(keep, key=lambda r: (-len(r.path), -count[r], first[r]))


def _word_bounds(text: str, hits: list[tuple[int, int, str]]) -> tuple[set[int], set[int]]:
    """Where rjieba's words start and end on the lines with a hit, a word made of names (山西大同) cut
    between them."""
    following = defaultdict(set)
    for start, end, _ in hits:
        following[start].add(end)
    starts, ends = set(), set()
    lines = {text.rfind("\n", 0, start) + 1 for start, _, _ in hits}
    for line in lines:  # jieba cuts at line ends anyway: only lines with a hit matter
        stop = text.find("\n", line)
        stop = len(text) if stop < 0 else stop
        for _, s, e in rjieba.tokenize(text[line:stop]):
            s, e = s + line, e + line
            starts.add(s)
            ends.add(e)
            if e - s > 3 and e not in following[s]:  # a word made of names: 山西大同
                cuts = _chain(following, s, e)
                starts.update(cuts)
                ends.update(cuts)
    return starts, ends


class _Resolution:
    """The aliases of one text resolved to regions, each settled name an anchor for the rest.

    Names with a single reading first, then those the anchors decide, then one name at the
    level all its readings share (a province first); a name none of whose readings may stand
    yet waits."""

    def __init__(self, extractor: RegionExtractor, aliases: Iterable[str], context: Sequence[Region]):
        self.extractor = extractor
        self.todo = {a: extractor._aliases[a] for a in set(aliases)}
        self.anchors: dict[str, list[Region]] = {"": list(context)}  # alias -> regions it gave
        self.result: dict[str, Region] = {}

    def run(self) -> dict[str, Region]:
        while True:
            scored = {a: self._viable(a) for a in sorted(self.todo)}
            decided = self._single(scored) or self._anchored(scored) or self._fallback(scored)
            if decided is None:
                return self.result
            for alias, top in decided.items():
                self._settle(alias, top)

    def _viable(self, alias: str) -> dict[Region, int]:
        """Readings of alias that may stand, each scored by its best support."""
        support = [r for a, rs in self.anchors.items() if a != alias for r in rs]
        out = {}
        for code, need in self.todo[alias].items():
            reading = self.extractor.region(code)
            score = max((_shared(reading, r) for r in support), default=0)
            if score >= need:
                out[reading] = score
        return out

    def _single(self, scored: dict[str, dict[Region, int]]) -> dict[str, list[Region]]:
        return {a: list(s) for a, s in scored.items() if s and len(self.todo[a]) == 1}

    @staticmethod
    def _anchored(scored: dict[str, dict[Region, int]]) -> dict[str, list[Region]]:
        decided = {}
        for alias, readings in scored.items():
            if readings and max(readings.values()) > 0:
                best = max(_rank(r, v) for r, v in readings.items())
                decided[alias] = [r for r, v in readings.items() if _rank(r, v) == best]
        return decided

    def _fallback(self, scored: dict[str, dict[Region, int]]) -> dict[str, list[Region]] | None:
        """One name at the level all its readings share, the highest such level first; None if none is left."""
        common = self.extractor._common
        fallback = {a: common([p for p in s if len(p.path) == 1] or list(s)) for a, s in scored.items() if s}
        if not fallback:
            return None
        alias = min(fallback, key=lambda a: len(fallback[a].path) if fallback[a] else 9)
        return {alias: [fallback[alias]] if fallback[alias] else []}

    def _settle(self, alias: str, readings: list[Region]) -> None:
        region = self.extractor._common(readings)
        if region:
            self.result[alias] = region
            self.anchors[alias] = [region]
        del self.todo[alias]


def _chain(following: dict[int, set[int]], start: int, end: int) -> list[int]:
    """Cut points (end included) if text[start:end] is a chain of names (山西|大同), else []."""
    for cut in sorted(following.get(start, ()), reverse=True):
        if cut == end:
            return [end]
        if cut < end and (rest := _chain(following, cut, end)):
            return [cut, *rest]
    return []


def _heads(aliases) -> tuple[dict[str, list[str]], re.Pattern]:
    """Names by their first two characters, and where a text may hold one: a character that begins a name
    before one that is second in a name (a third of the characters of minutes, a tenth of the places; a
    regular expression finds them faster than an automaton walks every character)."""
    heads: dict[str, list[str]] = defaultdict(list)
    for alias in aliases:
        if len(alias) < 2:
            raise ValueError(f"gazetteer: a name of one character would match everywhere: {alias!r}")
        heads[alias[:2]].append(alias)
    firsts, seconds = ({h[i] for h in heads} for i in (0, 1))
    pattern = re.compile("[%s](?=[%s])" % tuple(re.escape("".join(sorted(c))) for c in (firsts, seconds)))
    return dict(heads), pattern


def _split(field: str) -> list[str]:
    return field.split("|") if field else []


@functools.lru_cache(maxsize=None)
def default_extractor() -> RegionExtractor:
    """The extractor over the shipped gazetteer, loaded once."""
    return RegionExtractor()


def lookup(name: str) -> list[Region]:
    """Resolve a user's --region filter text: "甘肃", "甘肃省", "天水", "麦积区"."""
    return default_extractor().lookup(name)
