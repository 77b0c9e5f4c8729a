"""Topic labels from an editable taxonomy (topics.toml).

A label's score on a text is the weighted count of its signal phrases, each a
literal substring counted without overlaps: all labels' signals are matched
together and where two overlap the longest wins, so 中央环保督察 is not also
counted as 环保督察, nor 经济发展环境 (营商环境) as 经济发展. A signal of weight 0
is a mask: it scores nothing but keeps its shorter parts from scoring.

A paragraph gets every label whose score reaches the threshold. A meeting gets
only its dominant labels: paragraph evidence (capped, so one long paragraph
cannot carry a meeting) plus the title's, kept when it is large in absolute
terms and close enough to the best label's.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Sequence

_GROUPS = ("strong", "medium", "weak")  # signal lists whose weights [scoring] sets


@dataclass(frozen=True)
class Topic:
    label: str
    threshold: float  # a paragraph scoring at least this gets the label
    signals: dict[str, float]  # signal (lower-cased) -> weight


class Taxonomy:
    def __init__(self, topics: list[Topic], scoring: dict, fingerprint: str, path: str = ""):
        self.topics = topics
        self.labels = [t.label for t in topics]
        self.fingerprint = fingerprint
        self.path = path
        self.meeting_threshold = float(scoring.get("meeting_threshold", 12))
        self.title_weight = float(scoring.get("title_weight", 4))
        self.paragraph_cap = float(scoring.get("paragraph_cap", 2))
        self.dominance = float(scoring.get("dominance", 0.4))
        self.max_meeting_topics = int(scoring.get("max_meeting_topics", 3))
        # All topics' signals in one alternation, longest first: where signals
        # overlap, even across topics, the longest one is the reading that counts
        # (经济发展环境 is 营商环境, not also 经济发展).
        self._credits: dict[str, list[tuple[int, float]]] = {}
        for i, topic in enumerate(topics):
            for signal, weight in topic.signals.items():
                self._credits.setdefault(signal, []).append((i, weight))
        self._nothing = (0.0,) * len(topics)
        self._heads, self._head_pattern = _heads(self._credits)

    @classmethod
    def load(cls, path: str | Path | None = None) -> Taxonomy:
        """Read a taxonomy file; by default the topics.toml shipped next to this module."""
        if path is None:
            data = resources.files(__package__).joinpath("topics.toml").read_bytes()
            path = "topics.toml"
        else:
            data = Path(path).read_bytes()
        return cls.from_bytes(data, str(path))

    @classmethod
    def from_bytes(cls, data: bytes, path: str = "") -> Taxonomy:
        config = tomllib.loads(data.decode("utf-8"))
        scoring = config.get("scoring", {})
        default_threshold = float(scoring.get("threshold", 3))
        group_weight = {g: float(scoring.get(f"{g}_weight", w)) for g, w in zip(_GROUPS, (3, 2, 1))}
        topics, seen = [], set()
        for entry in config.get("topic", []):
            label = str(entry.get("label", "")).strip()
            if not label or label in seen:
                raise ValueError(f"{path}: topic label missing or repeated: {label!r}")
            seen.add(label)
            signals: dict[str, float] = {}
            for group in _GROUPS:
                for signal in entry.get(group, []):
                    signals[signal.lower()] = group_weight[group]
            for signal, weight in entry.get("signals", {}).items():
                signals[signal.lower()] = float(weight)
            signals = {s: w for s, w in signals.items() if s}
            if any(w < 0 for w in signals.values()) or not any(w > 0 for w in signals.values()):
                raise ValueError(f"{path}: topic {label} needs signals of weight >= 0, some > 0")
            topics.append(Topic(label, float(entry.get("threshold", default_threshold)), signals))
        if not topics:
            raise ValueError(f"{path}: no [[topic]] entries")
        return cls(topics, scoring, hashlib.sha256(data).hexdigest(), path)

    @lru_cache(maxsize=4096)  # annotate scores each paragraph twice: for its meeting, then alone
    def _vector(self, text: str) -> tuple[float, ...]:
        """The weighted count of the signals in text: from left to right, the longest signal that starts
        at a place, then on after it (what one alternation of all signals, longest first, finds)."""
        vec = [0.0] * len(self.topics)
        text, end, heads = text.lower(), 0, self._heads
        for m in self._head_pattern.finditer(text):
            at = m.start()
            if at < end:
                continue
            for signal in heads.get(text[at:at + 2], heads.get(text[at], ())):
                if text.startswith(signal, at):
                    for i, weight in self._credits[signal]:
                        vec[i] += weight
                    end = at + len(signal)
                    break
        return tuple(vec)

    def scores(self, text: str) -> dict[str, float]:
        """Every label's score on one text (0 for labels with no signal in it)."""
        return dict(zip(self.labels, self._vector(text)))

    def tag(self, text: str) -> list[str]:
        """Labels of one paragraph, in label order."""
        return [t.label for t, s in zip(self.topics, self._vector(text)) if s >= t.threshold]

    def meeting_scores(self, title: str, paragraphs: Sequence[str]) -> dict[str, float]:
        """Evidence per label for a whole meeting: capped paragraph scores plus the title's."""
        totals = [self.title_weight * s for s in self._vector(title)]
        caps = [self.paragraph_cap * t.threshold for t in self.topics]
        nothing = self._nothing if min(caps, default=0) >= 0 else None  # (a paragraph without signals adds 0)
        for paragraph in paragraphs:
            vec = self._vector(paragraph)
            if vec != nothing:
                for i, s in enumerate(vec):
                    totals[i] += min(s, caps[i])
        return dict(zip(self.labels, totals))

    def tag_meeting(self, title: str, paragraphs: Sequence[str]) -> list[str]:
        """The dominant labels of a meeting, in label order."""
        totals = self.meeting_scores(title, paragraphs)
        best = max(totals.values(), default=0.0)
        kept = [label for label, s in totals.items()
                if s >= self.meeting_threshold and s >= self.dominance * best]
        kept = sorted(kept, key=lambda label: -totals[label])[:self.max_meeting_topics]
        return [label for label in self.labels if label in kept]


def _heads(signals) -> tuple[dict[str, tuple[str, ...]], re.Pattern]:
    """Signals by their first two characters (a signal of one character by itself; under a two-character
    head also the one-character signal that begins it, last), longest first, and where a text may hold
    one: a character that begins a signal before one that is second in one, or a signal of one character
    (a regular expression finds those places faster than an alternation of all signals tries each)."""
    singles = sorted(s for s in signals if len(s) == 1)
    heads: dict[str, list[str]] = {s: [s] for s in singles}
    for signal in sorted(signals, key=lambda s: (-len(s), s)):
        if len(signal) > 1:
            heads.setdefault(signal[:2], []).append(signal)
    for head, found in heads.items():
        if len(head) == 2 and head[0] in singles:
            found.append(head[0])
    firsts, seconds = ({h[i] for h in heads if len(h) == 2} for i in (0, 1))
    pattern = "[%s](?=[%s])" % tuple(re.escape("".join(sorted(c))) for c in (firsts, seconds))
    if singles:
        pattern += "|[%s]" % re.escape("".join(singles))
    return {h: tuple(found) for h, found in heads.items()}, re.compile(pattern)


@lru_cache(maxsize=1)
def default_taxonomy() -> Taxonomy:
    return Taxonomy.load()
