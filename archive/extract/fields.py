"""Header fields of meeting minutes: time, place, host, people, agenda, decisions and open items.

Every formal 纪要 says when and where the meeting was, who chaired it, who came, who was away,
who took the minutes, what was on the agenda, what was decided and what was left to do. Ingest
today keeps all of that as plain text; this module reads it back, from the meeting's paragraphs
alone (pure: no I/O after the label lists are loaded; linear in the text).

    from archive.extract.fields import document_fields, meeting_fields, person_key, ONLINE

    document_fields(doc) -> {meeting.index: MeetingFields}   a Document; the preamble's place is inherited
    meeting_fields(meeting, lines=None) -> MeetingFields     one Meeting (lines: Document.lines)

    f.fields     {"date": "2023-10-25", "time": "10:00-12:00", "host": "田俊", ...}   the value as written
    f.found      [Field("host", "Host 会议主持人", "田俊", paragraph=1), ...]          every field kept
    f.people     {"host": ["田俊"], "attendees": ["刘恺", ...], "presenters": [...], ...}   PEOPLE_ROLES
    f.persons()  every person once, host first
    f.place      "北京 国家会议中心303A会议室", ONLINE ("online") or None; f.online
    f.roles      {7: "decision", 9: "action"}               Paragraph.n -> DECISION | ACTION
    f.items      [Item("decision", 7, "同意成立SIG", owners=(), due=None), ...]   with 责任人 and deadline

    person_key(name) -> str         "" if no person: person_key("張燁（华为）") == person_key("张烨") == "张烨"
    split_people(value) -> [names]  "刘慧玲（华为）、天津大学-高镇、全体委员" -> ["刘慧玲", "高镇"]
    place_of(value) -> str | ONLINE | None        a place field's value: "线上（腾讯会议）" -> ONLINE
    title_place(title) -> str | ONLINE | None     "2025/1/11 21:00-22:00 GMT+8 深圳" -> "深圳"

Where fields are found (labels are listed, in Chinese and English, in fields.toml):

* Inline, label and colon: `Host 会议主持人：田俊`, `**纪要人:** 张倍源`, `- 主持人：…`, and several on
  one line or on lines that conversion ran together (`时间：…地点：…主持人：…`): the longest label
  ending just before each colon wins, so `下次会议主持人：` is not the host and `完成时间：` not the time.
* A heading (or bold line) that is a label, `## 参会人员 (Attendance)`, `### Attendees - 参会人`, or a
  paragraph that is only a label (`遗留问题：`): the paragraphs below it, up to the next heading,
  are its value: a list of names, an attendance table, the items decided.
* Tables: a Word-style header row (`时间 | 地点 | 主持人` over one row of values), key-value rows
  (`会议时间 | 3月1日 | 会议地点 | 二楼会议室`), attendance tables (`姓名 | 账号`), agenda tables whose
  `汇报人`/`Owner` column names the presenters.
* The title: `会议时间：2025-10-11` is a field; a title that ends, after its date, time and time zone,
  in a few words names the place (`2025/1/11 21:00-22:00 GMT+8 深圳`).

Which occurrence counts: time, date and place only in the meeting's header (before its minutes
proper begin, or in a section that is itself a field) — `时间：10 月底 地点：深圳` under a topic is
a future event, not this meeting; host and recorder also on a line of their own further down
(`记录：李四` closing a 纪要); people lists (出席/列席/请假) wherever their label opens a line, the
first list of each kind only; presenters and owners everywhere.

People are cleaned by `split_people`: split on 、，, / ; | and spaces, account handles, e-mail
addresses, links, affiliations (`（华为）`, `天津大学-高镇`) and job titles (`副县长李四`) removed; a
Chinese name must start with a known surname, groups and placeholders (全体委员, 各部门负责人,
议题相关人员, 无, TBD) are not people.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..analysis import normalize

__all__ = ["ACTION", "DECISION", "ONLINE", "PEOPLE_ROLES", "Field", "Item", "MeetingFields", "document_fields",
           "heading_label", "meeting_fields", "person_key", "person_name", "place_of", "split_people", "title_place"]

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
_WHERE_FIELDS = {"date", "time", "place", "mode"}  # only the header's: elsewhere they are other events'
_ACCUMULATE = {"presenters", "owners"}  # collected from everywhere; other people lists come from one place
_ITEM_PARTS = {"owners", "deadline"}  # labels inside a decision or an open item
HEADER_SLACK = 3  # paragraphs before the first field that may still belong to the header (a title, a number)


@dataclass(frozen=True)
class Field:
    """One field as found: its normalised name, the label and value as written, where."""

    name: str  # "host", "attendees", ... (fields.toml)
    label: str  # "Host 会议主持人"
    value: str  # "田俊"
    paragraph: int  # Paragraph.n; 0 for the meeting title


@dataclass(frozen=True)
class Item:
    """A decision or an open item (遗留问题, action item) with its owners and deadline, if given."""

    kind: str  # DECISION or ACTION
    paragraph: int
    text: str
    owners: tuple[str, ...] = ()
    due: str | None = None


@dataclass
class MeetingFields:
    fields: dict[str, str] = field(default_factory=dict)  # name -> value text as written (first found)
    found: list[Field] = field(default_factory=list)  # every accepted field, in order
    people: dict[str, list[str]] = field(default_factory=dict)  # role -> names (PEOPLE_ROLES)
    place: str | None = None  # the place text as written, ONLINE, or None
    roles: dict[int, str] = field(default_factory=dict)  # paragraph n -> DECISION | ACTION
    items: list[Item] = field(default_factory=list)  # decisions and open items, in order

    def persons(self) -> list[str]:
        """Every person named in a role, once (by person_key), host first."""
        seen, out = set(), []
        for role in PEOPLE_ROLES:
            for name in self.people.get(role, ()):
                key = person_key(name)
                if key and key not in seen:
                    seen.add(key)
                    out.append(name)
        return out

    @property
    def online(self) -> bool:
        return self.place == ONLINE


# ---------------------------------------------------------------------------------------------
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
        place = data["place"]
        self.online = sorted((w.casefold() for w in place["online"]), key=len, reverse=True)
        self.physical = [w.casefold() for w in place["physical"]]
        self.title_noise = place["title_noise"]
        self.not_people_re = re.compile("|".join(map(re.escape, self.not_people)))
        self.title_re = re.compile("|".join(map(re.escape, self.titles)))

    def label(self, text: str) -> _Label | None:
        """The label `text` is, whole (Chinese exactly or spread out, English case- and space-insensitively)."""
        text = text.strip().strip("【】")
        found = self.cjk.get(text)
        if found is None and (" " in text or "\u3000" in text):
            found = self.cjk.get(_CJK_SPACES.sub("", text))
        if found is None and text[:1].isascii():
            found = self.en.get(_key(text))
        return found


@lru_cache(maxsize=1)
def vocabulary() -> _Vocabulary:
    return _Vocabulary()


# ---------------------------------------------------------------------------------------------
# People.

_URL = re.compile(r"(?:https?|ftp)://[^\s,;，；、)）\]】>]*|www\.[^\s,;，；、)）\]】>]+")
# (bounded and anchored at a word start: linear on a line of 100,000 letters)
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63})+")
_HANDLE = re.compile(r"@\s?[A-Za-z0-9_.\-]+")
_TAG = re.compile(r"<[^<>]{0,80}>")
_MARKUP = re.compile(r"\*\*|__|`|\\")
_SEPARATORS = set("、,;/|\n\t，；／｜")
_OPEN, _CLOSE = "(（【[<《", ")）】]>》"
_ETC = re.compile(r"(?:等|共|计)\s*(?:[\d一二三四五六七八九十百]+\s*(?:人|位|名|个)?)?(?:同志|人|位)?\s*$")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’.\-]*")
_CJK_NAME = re.compile(f"[{_CJK}]{{2,4}}(?:[·•][{_CJK}]{{1,8}})*")
_AFFILIATION_SPLIT = re.compile(r"\s*[-－—–~～&＆]+\s*")
_TRAILING_PUNCT = " \t:：.。,，!！?？*#-—~～'\"“”‘’「」『』"
_ENGLISH_STOP = {"the", "and", "of", "to", "for", "with", "members", "member", "who", "meeting", "team", "group",
                 "video", "recording", "slides", "will", "link", "send", "out", "please", "here", "add", "all",
                 "tsc", "sig", "pmc", "wg", "item", "items", "notes", "minutes", "agenda", "topic", "topics",
                 "attended", "attendees", "from", "on", "in", "at", "by", "a", "an", "is", "are", "be", "status",
                 "leader", "owner", "board", "devboard", "release", "infra", "community", "committee"}
_GLUED_ORDINAL = re.compile(f"(?<=[{_CJK}])(?=\\d{{1,2}}[、.．](?!\\d))")
_SENTENCE_END = re.compile(r"[。！!？?]|\s[-–]\s|(?<=[)）])\s*-")
_SUFFIX_TITLES = ("老师", "同志", "先生", "女士", "教授", "博士", "律师", "总", "工")


def _top_split(text: str) -> list[str]:
    """`text` cut at separators outside brackets."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0 and ch in _SEPARATORS:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _outside_and_inside(chunk: str) -> tuple[str, list[str]]:
    """A chunk without its bracketed parts, and those parts."""
    outside, inside, depth, current = [], [], 0, []
    for ch in chunk:
        if ch in _OPEN:
            if depth == 0:
                current = []
            else:
                current.append(ch)
            depth += 1
        elif ch in _CLOSE and depth:
            depth -= 1
            if depth == 0:
                inside.append("".join(current))
            else:
                current.append(ch)
        elif depth:
            current.append(ch)
        else:
            outside.append(ch)
    return "".join(outside), inside


def _valid_cjk(name: str) -> bool:
    voc = vocabulary()
    if not _CJK_NAME.fullmatch(name) or len(set(name)) == 1:
        return False
    if _key(name) in voc.placeholders or name in voc.title_set or voc.not_people_re.search(name):
        return False
    if "·" in name or "•" in name:  # 阿卜杜·热合曼: a name written in the way of its language
        return True
    base = normalize(name)  # 張燁 is 张烨
    if len(base) >= 3 and base[:2] in voc.compound:
        return True
    return len(base) <= 3 and base[0] in voc.surname_rank


def _valid_latin(name: str) -> bool:
    words = name.split()
    if not 1 <= len(words) <= 3 or not 2 <= len(name) <= 32:
        return False
    if not all(_LATIN_WORD.fullmatch(w) for w in words):
        return False
    if _key(name) in vocabulary().placeholders or any(w.casefold() in _ENGLISH_STOP for w in words):
        return False
    if len(words) == 1 and name.isupper() and len(name) <= 4:  # an acronym: PG, WG, TBD
        return False
    if any(w[0].islower() and (any(c.isupper() for c in w[1:]) or "-" in w) for w in words):
        return False  # openEuler, selina-starfive: a product or an account, not a name
    return True


def _strip_titles(token: str) -> str:
    """`副县长李四` -> 李四, `高镇老师` -> 高镇, `李四县长` -> 李四; else the token."""
    voc = vocabulary()
    if _valid_cjk(token):
        return token
    for suffix in _SUFFIX_TITLES:
        if token.endswith(suffix) and _valid_cjk(token[:-len(suffix)]):
            return token[:-len(suffix)]
    found = list(voc.title_re.finditer(token))
    if found:
        last = found[-1]
        after, before = token[last.end():], token[:found[0].start()]
        if _valid_cjk(after):
            return after
        if _valid_cjk(before):
            return before
    return token


def _cjk_name(token: str) -> str | None:
    """The person in a token that may carry an affiliation (`天津大学-高镇`) or a title."""
    token = token.strip(_TRAILING_PUNCT + "[]【】")
    if not token or not _IS_CJK.search(token):
        return None
    parts = [p for p in _AFFILIATION_SPLIT.split(token) if p] if _AFFILIATION_SPLIT.search(token) else [token]
    voc = vocabulary()
    best, best_rank = None, None
    for part in parts:
        name = _strip_titles(part.strip(_TRAILING_PUNCT))
        if _valid_cjk(name):
            rank = 0 if name[:2] in voc.compound else voc.surname_rank.get(name[0], 9999)
            if best is None or rank < best_rank:
                best, best_rank = name, rank
    return best


def _names_in(text: str) -> list[str]:
    """Names in a piece without separators or brackets: Chinese names, else a run of Latin words."""
    tokens = text.split()
    # `刘 恺`: a lone character is the surname of the next token.
    merged: list[str] = []
    for tok in tokens:
        if merged and len(merged[-1]) == 1 and _IS_CJK.match(merged[-1]) and _IS_CJK.match(tok) and len(tok) <= 2:
            merged[-1] += tok
        else:
            merged.append(tok)
    cjk, latin, run = [], [], []
    prose = False
    for tok in merged + [""]:
        if tok and _LATIN_WORD.fullmatch(tok):
            run.append(tok)
            continue
        if run:
            latin.append(" ".join(run))
            run = []
        if tok:
            name = _cjk_name(tok)
            if name:
                cjk.append(name)
            elif _IS_CJK.search(tok) and tok not in vocabulary().title_set:
                halves = [h for h in re.split("[和与及]", tok) if h]  # `张三和李四`
                if len(halves) > 1 and all(_cjk_name(h) for h in halves):
                    cjk.extend(_cjk_name(h) for h in halves)
                    continue
                prose = True
                if len(tok) > 4:  # a sentence: the names before it (`陶志恒 计划后续…`), if any
                    return cjk
    if cjk:  # a Latin word beside a Chinese name is its alias: 何佳 Justin
        return cjk
    if prose:  # `开发者 Nagesh 希望贡献 …`: words in a sentence, not a list of names
        return []
    return [n for n in latin if _valid_latin(n)]


def _chunk_names(chunk: str) -> list[str]:
    chunk = _ETC.sub("", chunk.strip()).strip(_TRAILING_PUNCT)
    if ":" in chunk:  # `PG：章清洁` — a sub-label
        chunk = chunk.rsplit(":", 1)[1]
    if not chunk:
        return []
    outside, inside = _outside_and_inside(chunk)
    names = _names_in(_ETC.sub("", outside.strip()))
    if names:
        return names
    # `Lydina(深开鸿-刘艺婷)`, `(刘锐鑫)`: the bracket holds the real name.
    for part in inside:
        found = [n for n in _names_in(part.replace(",", " ")) if _IS_CJK.match(n)]
        if found:
            return found[:1]
    return names


def _is_prose(chunk: str) -> bool:
    """A piece of a value that is words of a sentence, not one (unknown) name."""
    chunk = _outside_and_inside(chunk.strip(_TRAILING_PUNCT))[0]
    return len(re.sub(r"\s+", "", chunk)) > 6 or len(chunk.split()) > 2


def _leading_text(value: str) -> str:
    """An inline value as written, without the sentence it runs on into."""
    value = _SENTENCE_END.split(value, 1)[0]
    return _GLUED_ORDINAL.split(value, 1)[0].strip()


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _URL.sub(" ", text)
    text = _EMAIL.sub(" ", text)
    text = _HANDLE.sub(" ", text)
    text = _TAG.sub(" ", text)
    text = _GLUED_ORDINAL.sub("\n", text)  # `王建民2、为欧拉…`: lines that conversion ran together
    return _MARKUP.sub("", text).replace("()", " ").replace("[]", " ")


def split_people(text: str, leading: bool = False) -> list[str]:
    """The person names in a field value, cleaned, in order, each once (by person_key).

    `刘恺、侯健，王志钢 / Satish` -> [刘恺, 侯健, 王志钢, Satish]; `刘慧玲（华为）` -> [刘慧玲];
    `天津大学-高镇` -> [高镇]; `胡光明@huguangming123` -> [胡光明]; `丁冀等104人` -> [丁冀];
    `全体委员`, `各部门负责人`, `无`, `TBD` -> [].

    leading: the value of an inline label, which may run on into a sentence (lines that conversion
    joined): only the names before the sentence ends, or before the first piece that names no one.
    """
    out, seen = [], set()
    text = _clean(text)
    if leading:  # (a line break here is one that conversion lost: _GLUED_ORDINAL)
        text = _SENTENCE_END.split(text, 1)[0].split("\n", 1)[0]
    for chunk in _top_split(text):
        names = _chunk_names(chunk)
        if leading and not names and _is_prose(chunk):
            break
        for name in names:
            key = _fold(name)
            if key not in seen:
                seen.add(key)
                out.append(name)
    return out


def _fold(name: str) -> str:
    name = normalize(unicodedata.normalize("NFKC", name))  # (traditional to simplified, lower case)
    return re.sub(r"[\s·•.'’\-_]+", "", name)


def person_name(name: str) -> str:
    """The name a person is filed under (the person facet's value), "" if `name` names no one:
    a Chinese name by its key (張燁 → 张烨), a Latin one with its words capitalized (fred li → Fred Li)."""
    key = person_key(name)
    if not key or not key.isascii():
        return key
    return " ".join(w.capitalize() for w in normalize(split_people(name)[0]).split())


def person_key(name: str) -> str:
    """A key that is the same for the same person across files, or "" if `name` names no one.

    Handles, links, affiliations, titles, spaces, full-width forms, case and traditional
    characters do not matter: person_key("張燁（华为）") == person_key("张 烨") == "张烨".
    """
    names = split_people(name)
    return _fold(names[0]) if names else ""


# ---------------------------------------------------------------------------------------------
# Places.

def place_of(text: str) -> str | None:
    """A place field's value as the meeting's place: the text, ONLINE, or None (nothing said).

    ONLINE when the value speaks only of meeting online (线上, 腾讯会议, Zoom, a link); a value
    that also names a room or a place (`县政府三楼会议室（视频会议主会场）`, `北京线下+线上`) is a place.
    """
    voc = vocabulary()
    value = _MARKUP.sub("", text).strip().strip(_TRAILING_PUNCT)
    if not value or _key(value) in voc.placeholders:
        return None
    bare = _URL.sub(" ", value).strip().strip(_TRAILING_PUNCT)
    if _says_online(value) and not _physical_beyond_online(bare):
        return ONLINE
    return bare or None


def _says_online(text: str) -> bool:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return bool(_URL.search(text)) or any(w in folded for w in vocabulary().online)


def _physical_beyond_online(text: str) -> bool:
    """Whether `text`, without its online words, still says where (a room, a street, 线下)."""
    voc = vocabulary()
    folded = unicodedata.normalize("NFKC", text).casefold()
    for w in voc.online:  # longest first
        folded = folded.replace(w, " ")
    return any(w in folded for w in voc.physical)


_CLOCK = re.compile(r"\d{1,2}\s*[:：]\s*\d{2}(?:\s*[-~～–—至到]\s*\d{1,2}\s*[:：]\s*\d{2})?\s*(?:[ap]\.?m\.?)?",
                    re.IGNORECASE)
_ZONE = re.compile(r"[(（]?\s*(?:UTC|GMT)\s*(?:[+\-]\s*\d{1,2}(?::?\d{2})?)?\s*[)）]?(?:\s*[A-Za-z]+(?:\s+Time)?)?"
                   r"|北京时间|Beijing\s+Time", re.IGNORECASE)


def title_place(title: str) -> str | None:
    """The place a title names after its clock time: `2025/1/11 21:00-22:00 GMT+8 深圳` -> 深圳.

    A time zone (`(UTC+08:00)Beijing`, `GMT+8`) is not a place; `北京线下+线上会议` -> 北京;
    `… 19:00 线上` -> ONLINE.
    """
    title = _ZONE.sub(" ", title)
    clocks = list(_CLOCK.finditer(title))
    if not clocks:
        return None
    rest = title[clocks[-1].end():].strip(" \t,，;；:：-—|")
    if not rest or len(rest) > 24 or re.search(r"\d", rest) or not _IS_CJK.search(rest):
        return None
    where = place_of(rest)
    if where in (None, ONLINE):
        return where
    for noise in vocabulary().title_noise:
        where = where.replace(noise, " ")
    return re.sub(r"\s+", " ", where).strip() or None


# ---------------------------------------------------------------------------------------------
# Labels in a paragraph.

@dataclass
class _Hit:
    name: str
    kind: str
    label: str
    start: int  # where the label starts
    end: int  # just after its colon: where the value starts
    value: str = ""


_COLON = re.compile(r"[:：】]")  # `会议时间：…`, `【会议时间】…`
_ORDINAL_TAIL = re.compile(r"\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*$")
_LEAD = re.compile(r"^[\s\-*+•·>#]*(?:(?:\d{1,2}(?:\.\d{1,2})*|[一二三四五六七八九十]{1,3})[、.．)）]\s*"
                   r"|[（(](?:\d{1,2}|[一二三四五六七八九十]{1,3})[)）]\s*)?[\s*]*")
_EN_RUN = re.compile(r"[A-Za-z][A-Za-z&'\-]*(?:\s+[A-Za-z][A-Za-z&'\-]*){0,3}\s*$")
_CAPITALISED = re.compile(r"[A-Z][a-z]{1,14}")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def _words_start(text: str, end: int, words: list[str]) -> int:
    """Where the run of `words` that ends at text[end] (before spaces) starts."""
    m = re.search(r"\s*".join(map(re.escape, words)) + r"\s*$", text[max(0, end - 60):end])
    return max(0, end - 60) + m.start() if m else end


def _at_word_start(text: str, start: int) -> bool:
    """At a word's start, or at a capital run on to the word before (`Tom BrownApologies:`: two
    lines that conversion joined)."""
    if start == 0 or not (text[start - 1].isascii() and text[start - 1].isalnum()):
        return True
    return text[start].isupper() and text[start - 1].islower()


def _english_prefix(text: str, start: int, voc: _Vocabulary) -> int:
    """Where a bilingual label starts: `Host 会议主持人`, `Participants与会人`, `Data 日期`."""
    m = _EN_RUN.search(text, max(0, start - 40), start)
    if not m:
        return start
    words = m.group().split()
    for k in range(len(words)):  # the longest run first
        run = words[k:]
        if voc.en.get(_key(" ".join(run))) or (len(run) == 1 and _CAPITALISED.fullmatch(run[0])):
            begin = _words_start(text, start, run)
            if _at_word_start(text, begin):
                return begin
    return start


def _label_before(text: str, j: int, voc: _Vocabulary) -> tuple[_Label, int] | None:
    """The longest label that ends at text[j] (exclusive), and where it starts."""
    if j <= 0:
        return None
    last = text[j - 1]
    if last in voc.cjk_last:
        for size in range(min(voc.cjk_max, j), 1, -1):
            label = voc.cjk.get(text[j - size:j])
            if label:
                return label, _english_prefix(text, j - size, voc)
        if " " in text[max(0, j - 2 * voc.cjk_max):j] or "\u3000" in text[max(0, j - 2 * voc.cjk_max):j]:
            return _spaced_label_before(text, j, voc)  # `时　　间：`, `主 持 人：`
        return None
    if last.isascii() and last.isalpha():
        m = _EN_RUN.search(text, max(0, j - 40), j)
        if not m:
            return None
        words = _CAMEL.sub(" ", m.group()).split()  # `Tom BrownApologies`: lines run together
        for k in range(len(words)):
            label = voc.en.get(_key(" ".join(words[k:])))
            if label:
                begin = _words_start(text, j, words[k:])
                if _at_word_start(text, begin):
                    return label, begin
    return None


def _spaced_label_before(text: str, j: int, voc: _Vocabulary) -> tuple[_Label, int] | None:
    """A Chinese label spread out for alignment, as Word forms do: `时　　间`, `主 持 人`."""
    chars: list[tuple[str, int]] = []
    k = j - 1
    while k >= 0 and len(chars) < voc.cjk_max:
        c = text[k]
        if c in " \u3000":
            before = k - 1
            while before >= 0 and text[before] in " \u3000":
                before -= 1
            if not chars or before < 0 or not _IS_CJK.match(text[before]) or k - before > 6:
                break
        elif _IS_CJK.match(c):
            chars.append((c, k))
        else:
            break
        k -= 1
    for size in range(len(chars), 1, -1):
        label = voc.cjk.get("".join(c for c, _ in reversed(chars[:size])))
        if label:
            return label, chars[size - 1][1]
    return None


def _scan(text: str) -> list[_Hit]:
    """Every label followed by a colon in `text`, each with its value: the text up to the next label."""
    voc = vocabulary()
    hits: list[_Hit] = []
    for m in _COLON.finditer(text):
        i = j = m.start()
        while j > 0 and text[j - 1] in " \t*":
            j -= 1
        found = _label_before(text, j, voc)
        if found is None and j > 0 and text[j - 1] in ")）":  # `与会人（Attendees）：`
            k = max(text.rfind("(", 0, j), text.rfind("（", 0, j))
            if k > 0 and j - k <= 30:
                found = _label_before(text, len(text[:k].rstrip()), voc)
        if found is None:  # `议题1：`, `议题一：`
            tail = _ORDINAL_TAIL.search(text, max(0, j - 6), j)
            if tail and tail.start() > 0:
                found = _label_before(text, tail.start(), voc)
                if found and found[0].name != "agenda":
                    found = None
        if found is None:
            continue
        label, start = found
        if m.group() == "】":
            if start == 0 or text[start - 1] != "【":
                continue
            start -= 1
        if hits and start < hits[-1].end:
            continue
        hits.append(_Hit(label.name, label.kind, text[start:j].strip(" *"), start, i + 1))
    for a, b in zip(hits, hits[1:] + [None]):
        a.value = text[a.end:b.start if b else len(text)].strip(" \t*")
    return hits


def _starts_with_label(text: str, hits: list[_Hit]) -> bool:
    if not hits:
        return False
    lead = _LEAD.match(text)
    return hits[0].start <= (lead.end() if lead else 0)


_HEADING_SPLIT = re.compile(r"\s+[-–—]\s+|[()（）/&|｜]")
_HEADING_AFFIXES = re.compile(r"^(?:主要|本次|其他|其它|全体)|(?:名单|列表|信息|情况|如下|一览)$")


@lru_cache(maxsize=8192)
def heading_label(text: str) -> _Label | None:
    """The label a heading (or a line that is only a label) is: `## 参会人员 (Attendance):`,
    `Attendees - 参会人`, `2. 出席者`, `主要参会人员`; None for any other heading."""
    voc = vocabulary()
    text = _MARKUP.sub("", text).strip()
    if not text or len(text) > 48:
        return None
    lead = _LEAD.match(text)
    text = (text[lead.end():] if lead else text).strip().rstrip(" :：")
    label = voc.label(text) or voc.label(_HEADING_AFFIXES.sub("", text))
    if label:
        return label
    parts = [x.strip(" :：") for x in _HEADING_SPLIT.split(text)]
    parts = [x for x in parts if x]
    if len(parts) < 2:
        return None
    first = parts[0]  # `参会人员 (Attendance)`, `Schedule - 例会时间`, `Meeting Agenda & Minutes`
    return voc.label(first) or voc.label(_HEADING_AFFIXES.sub("", first))


_BARE = re.compile(f"^\\s*([{_CJK}]{{2,7}})\\s*([{_CJK}·]{{1,12}}(?:\\s+[{_CJK}·]{{2,4}}){{0,4}})\\s*$")


def _bare_people(text: str) -> tuple[_Label, str] | None:
    """A short line `汇报人吴志辉` or `主持人 张三`: a people label and names, without a colon."""
    voc = vocabulary()
    if text.lstrip()[:2] not in voc.people_heads:
        return None
    m = _BARE.match(text)
    if not m:
        return None
    joined = m.group(1) + m.group(2)
    for size in range(min(voc.cjk_max, len(m.group(1))), 1, -1):
        label = voc.cjk.get(joined[:size])
        if label and label.name in PEOPLE_ROLES:
            value = text.strip()[size:].strip()
            names = split_people(value)
            if names and "".join(names) == re.sub(r"\s+", "", value):
                return label, value
            return None
    return None


# Ordinals that number the items of a block: `1、` `2.` `（3）` `一、` `(二)`.
_ORDINAL = re.compile(r"^\s*(?:(\d{1,3})\s*[、.．)）](?!\d)|[（(](\d{1,2})[)）]|([一二三四五六七八九十]{1,3})\s*[、.．]"
                      r"|[（(]([一二三四五六七八九十]{1,3})[)）])")
_ARTICLE = re.compile(r"^\s*第[一二三四五六七八九十百零〇\d]+[条章节]")
_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}


def _cn_number(text: str) -> int:
    tens, ten, ones = text.partition("十")
    if not ten:
        return _CN_DIGITS.get(text, 0)
    return (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)


def _ordinal(text: str) -> tuple[int, int] | None:
    """(style, number) of a numbered line (`3、` -> (0, 3), `（二）` -> (3, 2)), or None."""
    m = _ORDINAL.match(text)
    if not m:
        return None
    for style, group in enumerate(m.groups()):
        if group:
            return style, int(group) if group.isdigit() else _cn_number(group)
    return None


# A clause that announces decisions or open items below it: `现将会议议定事项纪要如下：`,
# `一致通过如下决议：`, `会议研究决定：`, `会议决定如下：` (but not `下列事项由村民会议讨论决定：`,
# a law's article, nor `……决定方可办理：`).
_DECISION_WORDS = re.compile(r"(?:议定事项|议定|决议|决定|结论|决策)(?:事项)?(?:纪要)?(?:如下|以下)[:：]$"
                             r"|(?:如下|以下)的?(?:决议|决定|结论)[:：]$"
                             r"|^.{0,5}(?:议定事项|决议|决定|结论|决策|表决|投票)(?:项目)?(?:结果)?[:：]$"
                             r"|^(?:the\s+)?(?:following\s+)?(?:conclusions?|decisions?|resolutions?)\b.{0,30}[:：]$",
                             re.IGNORECASE)
_ACTION_WORDS = re.compile(r"(?:遗留问题|遗留事项|待办事项|下一步工作|下一步计划|后续工作|行动项|跟进事项)(?:如下|以下)?[:：]$"
                           r"|^.{0,5}(?:遗留|待办|下一步)[^，。]{0,6}[:：]$|^(?:action items?|next steps|to-?dos?)\b.{0,30}[:：]$",
                           re.IGNORECASE)
_OPENS = re.compile(r"(?:如下|以下)?[:：。]?")
_OWNER = re.compile(r"(?:责任人|负责人|牵头人|跟进人|责任单位|Owner|Assignee|Responsible)(?:\s*[:：]\s*|\s+)"
                    r"([^。；;，,|\n:：]{1,60})", re.IGNORECASE)
_OWNER_STOP = re.compile(r"完成|截止|时间|时限|期限|deadline|due", re.IGNORECASE)
# `… --连志安，完成时间…`, `… --- 梁开祝、孙炼`: owners after dashes.
_DASHED_NAMES = re.compile(f"(?<![-—])(?:-{{2,}}+|—{{1,2}}+)\\s*([{_CJK}·]{{2,4}}(?:\\s*[、，,/和及]\\s*[{_CJK}·]{{2,4}})*)"
                           f"(?=\\s*(?:$|[，,。；;)）]))")
_TRAILING_NAMES = re.compile(f"(?<![-—])(?:-{{2,}}+|—++|\\sby\\s)\\s*([{_CJK}A-Za-z·][{_CJK}A-Za-z·\\s、，,/&]{{0,40}})$")
_TRAILING_LATIN = re.compile(r"\s[-–]\s([A-Za-z][A-Za-z .\-]{1,30})$")
_DUE = re.compile(r"(?:完成时间|截止时间|截止日期|完成时限|完成期限|完成日期|时限|deadline|due(?:\s*date)?)\s*[:：]?\s*"
                  r"([^，,。；;\s|]{1,20})"
                  r"|((?:\d{4}\s*[年/.\-]\s*)?\d{1,2}\s*[月/.\-]\s*\d{1,2}\s*[日号]?\s*之?前"
                  r"|(?:\d{2,4}\s*年\s*)?\d{1,2}\s*月(?:底|中旬|上旬|下旬|末)?\s*之?前)", re.IGNORECASE)
_PLACEHOLDER_WORDS = {"无", "暂无", "n/a", "na", "none", "tbd", "item", "items", "who", "due_date", "done?", "name",
                      "company", "email", "y", "n", "-", "—", "/"}
_PLACEHOLDER_SPLIT = re.compile(r"[\s|。.、,，;；]+")


def _placeholder_words(text: str) -> bool:
    return len(text) <= 200 and all(
        w.casefold() in _PLACEHOLDER_WORDS for w in _PLACEHOLDER_SPLIT.split(text) if w)


def _is_placeholder_text(text: str) -> bool:
    """`无。`, `N/A`, a template table whose rows hold only `item | who | due_date`."""
    if _placeholder_words(text):
        return True
    rows = _table_rows(text)
    return bool(rows) and all(_placeholder_words(" | ".join(r)) for r in rows[1:])


# ---------------------------------------------------------------------------------------------
# Tables: a block's text has one row a line, cells joined by " | " (archive.ingest.blocks).

def _table_rows(text: str) -> list[list[str]] | None:
    if "\n" not in text or " | " not in text:
        return None
    lines = text.split("\n")
    if len({line.count(" | ") for line in lines}) != 1:
        return None
    return [[c.strip() for c in line.split(" | ")] for line in lines]


def _cell_label(cell: str) -> _Label | None:
    cell = _MARKUP.sub("", cell).strip().rstrip(":：")
    if not cell or len(cell) > 24:
        return None
    return vocabulary().label(cell) or heading_label(cell)


# ---------------------------------------------------------------------------------------------
# A meeting.

@dataclass
class _Block:
    """A label whose value is the paragraphs below it (until the next heading)."""

    name: str
    kind: str
    label: str
    origin: str  # "heading", "label" (a line that is only a label) or "title"
    source: int  # the paragraph that opened it (0: the title)
    ordinal: tuple[int, int] | None = None


class _Collector:
    """What one meeting's paragraphs say, kept by the rules of which occurrence counts."""

    def __init__(self):
        self.out = MeetingFields()
        self.sources: dict[str, object] = {}  # people list or text field -> where it was taken from
        self.online = False
        self.row_items: str | None = None  # the kind of the items in the rows of the next table

    def _record(self, name: str, label: str, value: str, n: int) -> None:
        self.out.found.append(Field(name, label, value, n))

    def _append(self, name: str, value: str) -> None:
        fields = self.out.fields
        fields[name] = fields[name] + "\n" + value if name in fields else value

    def single(self, name: str, label: str, value: str, n: int) -> None:
        value = value.strip()
        if name in self.out.fields or not value or _key(value) in vocabulary().placeholders:
            return
        if name in PEOPLE_ROLES:
            names = split_people(value, leading=True)
            if not names:
                return
            self.out.people[name] = names
            value = _leading_text(value)
        self.out.fields[name] = value
        self._record(name, label, value, n)

    def people(self, name: str, label: str, value: str, n: int, source: object, leading: bool = False) -> None:
        if name not in _ACCUMULATE and self.sources.get(name, source) != source:
            return  # the first list of attendees is the list
        names = split_people(value, leading)
        if not names:
            return
        self.sources.setdefault(name, source)
        known = self.out.people.setdefault(name, [])
        keys = {_fold(x) for x in known}
        known += [x for x in names if _fold(x) not in keys]
        value = _leading_text(value) if leading else value.strip()
        self._append(name, value)
        self._record(name, label, value, n)

    def text(self, name: str, label: str, value: str, n: int, source: object) -> None:
        value = value.strip()
        if not value or self.sources.get(name, source) != source:
            return
        self.sources.setdefault(name, source)
        self._append(name, value)
        self._record(name, label, value, n)

    def mode(self, label: str, value: str, n: int) -> None:
        """A meeting link or a way of meeting: a link says online; a way, if it says so."""
        value = value.strip()
        if not value or _key(value) in vocabulary().placeholders:
            return
        way = re.search("方式|形式", label)
        if _says_online(value) or (not way and (not _IS_CJK.search(value) or re.search(r"\d{6,}", value))):
            self.online = True
        if "mode" not in self.out.fields:
            self.out.fields["mode"] = value
        self._record("mode", label, value, n)

    def item(self, kind: str, n: int, text: str, owners: list[str] | None = None, due: str | None = None) -> None:
        text = text.strip()
        if not text or _is_placeholder_text(text):
            return
        if owners is not None:  # a table row: its columns say who and when
            if owners:
                self.people("owners", "责任人", "、".join(owners), n, n)
            self.out.items.append(Item(kind, n, text, tuple(owners), due))
            return
        owners = []
        for m in _OWNER.finditer(text):
            value = m.group(1)
            stop = _OWNER_STOP.search(value)
            owners += split_people(value[:stop.start()] if stop else value, leading=True)
        if kind == ACTION:
            for m in _DASHED_NAMES.finditer(text):
                owners += split_people(m.group(1), leading=True)
            tail = _TRAILING_NAMES.search(text)
            if tail:
                owners += split_people(tail.group(1), leading=True)
        m = _DUE.search(text)
        due = ((m.group(1) or m.group(2) or "").strip() or None) if m else None
        owners = list(dict.fromkeys(owners))
        if owners:
            self.people("owners", "责任人", "、".join(owners), n, n)
        self.out.items.append(Item(kind, n, text, tuple(owners), due))


_ATX_HEADING = re.compile(r"^\s{0,3}#{1,6}\s")
_SETEXT_RULE = re.compile(r"^\s{0,3}=+\s*$")


def _title_line(meeting, lines: list[str] | None) -> int:
    """The source line of the meeting's title heading; 0 when it comes first (or is unknown)."""
    paragraphs = meeting.paragraphs
    if not lines or not paragraphs or paragraphs[0].line_start > meeting.line_start:
        return 0
    end = min(len(lines), meeting.line_end)
    for i in range(max(0, meeting.line_start - 1), end):
        line = lines[i]
        if _ATX_HEADING.match(line) or (line.strip() and i + 1 < end and _SETEXT_RULE.match(lines[i + 1])):
            return i + 1
    return 0


def meeting_fields(meeting, lines: list[str] | None = None) -> MeetingFields:
    """The header fields, people, place, decisions and open items of one meeting.

    `meeting` is an archive.ingest.model.Meeting (title, line_start, line_end, paragraphs with n,
    text, section, line_start, is_heading). `lines` (Document.lines) tells where the title heading
    stands when text comes before it; without them the title is taken to come first.
    """
    col = _Collector()
    header = True  # still in the meeting's header: before its minutes proper
    seen_field = False
    slack = 0
    block: _Block | None = None
    label_sections: set[str] = set()

    title = meeting.title or ""
    title_label = heading_label(title)
    title_block = None
    if title_label and title_label.kind in (BODY, DECISION, ACTION):
        header = False
    if title_label and title_label.kind in _BLOCK_KINDS:
        title_block = _Block(title_label.name, title_label.kind, title, "title", 0)
    for hit in _scan(title):  # `会议时间：2025-10-11 10:00`
        _accept(col, hit, 0, True, True, True)
        seen_field = seen_field or hit.kind in _HEADER_KINDS
    where = title_place(title)
    title_after = _title_line(meeting, lines)

    for p in meeting.paragraphs:
        text, n = p.text, p.n
        if title_block and p.line_start > title_after:
            block, title_block = title_block, None
            seen_field = seen_field or block.kind in _HEADER_KINDS
        if (block is None and not header and not p.is_heading and len(text) > 24 and ":" not in text
                and "：" not in text and "\n" not in text):
            continue  # prose, outside any field: most of a long document
        meta = p.section == "" or p.section in label_sections
        hits = _scan(text)
        starts = _starts_with_label(text, hits)

        if p.is_heading:
            label = heading_label(text)
            if label and not (hits and hits[0].value):
                if label.kind in _HEADER_KINDS:
                    label_sections.add(p.section)  # a field's section: `## 会议信息`, `## 参会人员`
                block = _Block(label.name, label.kind, text, "heading", n)
                if label.kind in (BODY, DECISION, ACTION):
                    header = False
                elif label.kind in _HEADER_KINDS:
                    seen_field = True
                continue
            bare = _bare_people(text)
            if bare:
                _accept(col, _Hit(bare[0].name, bare[0].kind, text, 0, 0, bare[1]), n, header, True, meta)
                continue
            o = _ordinal(text)
            if block and block.kind in (DECISION, ACTION, TEXT) and o and (
                    (block.ordinal is None and o[1] == 1)
                    or (block.ordinal and block.ordinal[0] == o[0] and o[1] == block.ordinal[1] + 1)):
                # `一、关于…` under `会议议定事项如下：`, `1、…` under `### 遗留问题`: one more item
                block.ordinal = o
                _in_block(col, block, p, hits)
                _inline(col, p, hits, header, starts, meta, block)
                continue
            if starts and hits[0].kind in _HEADER_KINDS | {IGNORE}:  # `### 会议时间：…`
                seen_field = True
                _inline(col, p, hits, header, True, meta, None)
                block = None
                continue
            block = None
            if starts and hits[0].kind in (DECISION, ACTION, BODY):
                header = False
                last = hits[-1]
                if last.kind in (DECISION, ACTION) and _OPENS.fullmatch(last.value):
                    block = _Block(last.name, last.kind, last.label, "label", n)
            elif header and (seen_field or slack >= HEADER_SLACK):
                header = False
            elif header:
                slack += 1
            _inline(col, p, hits, header, starts, meta, None)
            continue

        if not hits and len(text) <= 24:
            bare = _bare_people(text)
            if bare:
                _accept(col, _Hit(bare[0].name, bare[0].kind, text, 0, 0, bare[1]), n, header, True, meta)
                continue

        if starts:
            first, last = hits[0], hits[-1]
            if first.kind in (BODY, DECISION, ACTION):
                header = False
            elif first.kind in _HEADER_KINDS:
                seen_field = True
            _inline(col, p, hits, header, True, meta, block)
            if last.kind in _BLOCK_KINDS and _OPENS.fullmatch(last.value):
                block = _Block(last.name, last.kind, last.label, "label", n)
            elif block is not None and (first.name in _ACCUMULATE or first.kind in (IGNORE, block.kind)):
                _in_block(col, block, p, hits)  # `责任人：张三`, `表决结果：…` below an item belong to it
            else:
                block = None
            continue

        stripped = text.rstrip()
        if stripped[-1:] in (":", "："):  # the last clause announces what follows
            stripped = stripped[max(map(stripped.rfind, "。！？；;，")) + 1:].strip()
        if stripped and len(stripped) <= 40 and stripped[-1] in ":：":
            if _DECISION_WORDS.search(stripped):
                block, header = _Block("decision", DECISION, stripped, "label", n), False
                continue
            if _ACTION_WORDS.search(stripped):
                block, header = _Block("action", ACTION, stripped, "label", n), False
                continue
            if block is not None and block.origin != "heading":
                block = None  # another label, not one of ours: `视频回放地址：`

        if block is not None and block.origin == "label" and _ARTICLE.match(text):
            block = None  # `第二十四条 …`: the next article of a rule, not one more item
        if block is not None:
            if block.kind in (DECISION, ACTION):
                block.ordinal = _ordinal(text) or block.ordinal
            _in_block(col, block, p, hits)
        elif header:
            if seen_field or slack >= HEADER_SLACK:
                header = False
            else:
                slack += 1
        _inline(col, p, hits, header, False, meta, block)

    out = col.out
    if "place" in out.fields:
        out.place = place_of(out.fields["place"])
    if out.place is None:
        out.place = where
    if out.place is None and col.online:
        out.place = ONLINE
    return out


def _accept(col: _Collector, hit: _Hit, n: int, header: bool, starts: bool, meta: bool) -> None:
    """Keep a field found in paragraph n if where it stands makes it the meeting's own.

    header: the paragraph is in the meeting's header; starts: the label opens its line (or
    follows other fields that do); meta: the paragraph's section is none or a field's.
    """
    name, kind, value = hit.name, hit.kind, hit.value
    if kind == SINGLE:
        if header or (starts and (meta or name in PEOPLE_ROLES)):
            col.single(name, hit.label, value, n)
    elif kind == MODE:
        if header or (starts and meta):
            col.mode(hit.label, value, n)
    elif kind == PEOPLE and name != "owners":  # (owners are read with their items)
        if name in _ACCUMULATE or header or starts:
            col.people(name, hit.label, value, n, ("inline", n), leading=True)
    elif kind == TEXT:
        if header or (starts and meta):
            col.text(name, hit.label, value, n, ("inline", n))


def _inline(col: _Collector, p, hits: list[_Hit], header: bool, starts: bool, meta: bool,
            block: _Block | None) -> None:
    """The labels inside paragraph p: its fields, and the decisions and open items it states."""
    n = p.n
    stated = {DECISION: 0, ACTION: 0}
    chain = starts
    header_fields = False  # a line of header fields that ends in `遗留问题：…` is not an open item
    for i, hit in enumerate(hits):
        chain = chain and hit.kind in _HEADER_KINDS | {IGNORE}
        if hit.kind in (DECISION, ACTION):
            # The item runs on over its owner and deadline (`… --责任人：李凯 完成时间：4月30日`).
            after = next((h for h in hits[i + 1:] if h.name not in _ITEM_PARTS), None)
            value = p.text[hit.end:after.start if after else len(p.text)].strip()
            if hit.value and not _is_placeholder_text(hit.value):
                col.item(hit.kind, n, value)
                stated[hit.kind] += len(value)
            continue
        header_fields = header_fields or hit.kind in (SINGLE, MODE) or (
            hit.kind == PEOPLE and hit.name not in _ACCUMULATE)
        _accept(col, hit, n, header, chain, meta)
    if stated[DECISION] + stated[ACTION] and n not in col.out.roles and not header_fields:
        col.out.roles[n] = DECISION if stated[DECISION] >= stated[ACTION] else ACTION
    elif not (starts and hits[0].name == "owners") and not header_fields and n not in col.out.roles and (block is None or block.kind not in (
            DECISION, ACTION)) and any(h.name == "owners" and split_people(h.value, True) for h in hits):
        col.out.roles[n] = ACTION  # `… 责任人：任慰`: a task with its owner
        col.item(ACTION, n, p.text)
    rows = _table_rows(p.text)
    if rows:
        _table(col, rows, n, header, block)


def _in_block(col: _Collector, block: _Block, p, hits: list[_Hit]) -> None:
    """Paragraph p is (part of) the value of the open block."""
    n, text = p.n, p.text
    if block.kind in (DECISION, ACTION):
        if not _is_placeholder_text(text):
            col.out.roles.setdefault(n, block.kind)
            if _table_rows(text):  # one item a row, read by _table
                col.row_items = block.kind
            elif not any(h.kind in (DECISION, ACTION) for h in hits):
                col.item(block.kind, n, text)
        return
    if _table_rows(text):
        return  # read by _table, with the block as its context
    source = ("block", block.source)
    if block.kind == PEOPLE:
        if not (hits and hits[0].start == 0):
            col.people(block.name, block.label, text, n, source)
    elif block.kind == TEXT:
        col.text(block.name, block.label, text, n, source)
        if block.name == "agenda":  # `… -- 梁冰`, `… by 陈海霞`, `… - mingjiang`: the presenter
            tail = _TRAILING_NAMES.search(text) or _TRAILING_LATIN.search(text)
            if tail:
                col.people("presenters", block.label, tail.group(1), n, source, leading=True)
    elif block.kind == MODE:
        col.mode(block.label, text, n)


def _table(col: _Collector, rows: list[list[str]], n: int, header: bool, block: _Block | None) -> None:
    """Fields in a table: key-value rows, a header row over values, name columns, agenda owners."""
    voc = vocabulary()
    pairs = [(lab, row[k], row[k + 1]) for row in rows for k in range(0, len(row) - 1, 2)
             if (lab := _cell_label(row[k])) and lab.kind in _HEADER_KINDS and not _cell_label(row[k + 1])]
    if len(pairs) >= 2 or (pairs and len(rows) == 1):  # `会议时间 | 3月1日 | 会议地点 | 二楼会议室`
        for lab, cell, value in pairs:
            _accept(col, _Hit(lab.name, lab.kind, cell, 0, 0, value), n, header, True, True)
        return
    head, data = rows[0], rows[1:]
    labels = [_cell_label(c) for c in head]
    names = {lab.name for lab in labels if lab}
    context = block.name if block else None
    people_block = block is not None and block.kind == PEOPLE
    name_columns = [k for k, c in enumerate(head) if _key(_MARKUP.sub("", c)) in voc.name_columns]
    if name_columns and (header or people_block):  # an attendance table: `姓名 | 账号`
        role = context if people_block and context in PEOPLE_ROLES else "attendees"
        source = ("block", block.source) if block else ("table", n)
        for row in data:
            for k in name_columns:
                if k < len(row):
                    col.people(role, head[k], row[k], n, source)
    if not names:
        return
    agenda = "agenda" in names or context == "agenda"
    action = "deadline" in names or (block is not None and block.kind == ACTION)
    kind, col.row_items = col.row_items or (ACTION if action else None), None
    if kind:  # an action-item table: an item a row, with its owners and deadline
        owner_cols = [k for k, lab in enumerate(labels) if lab and lab.name in ("owners", "presenters")]
        due_cols = [k for k, lab in enumerate(labels) if lab and lab.name == "deadline"]
        for row in data:
            cells = " | ".join(row)
            if _is_placeholder_text(cells):
                continue
            owners = [x for k in owner_cols if k < len(row) for x in split_people(row[k])]
            due = next((row[k] for k in due_cols if k < len(row) and row[k].strip()), None)
            col.item(kind, n, cells, list(dict.fromkeys(owners)), due)
        if col.out.items and col.out.items[-1].paragraph == n:
            col.out.roles.setdefault(n, kind)
        return
    for k, label in enumerate(labels):
        values = [row[k] for row in data if k < len(row) and row[k].strip()] if label else []
        if not values:
            continue
        if label.name in ("presenters", "owners"):
            role = "owners" if action or not agenda else "presenters"
            if label.name == "presenters" and not action:
                role = "presenters"
            for value in values:
                col.people(role, head[k], value, n, ("table", n))
        elif label.name == "agenda" and agenda and not action:
            col.text("agenda", head[k], "\n".join(values), n, ("table", n))
        elif len(data) == 1 and header and label.kind in (SINGLE, MODE, PEOPLE):  # `时间 | 地点 | 主持人`
            _accept(col, _Hit(label.name, label.kind, head[k], 0, 0, values[0]), n, header, True, True)


def document_fields(doc) -> dict[int, MeetingFields]:
    """meeting.index -> MeetingFields for every meeting of an archive.ingest.model.Document.

    A meeting that says nothing of its place takes the place (or ONLINE) of the file's preamble
    (`## 参会方式 … 腾讯会议` above a series of meetings).
    """
    result = {m.index: meeting_fields(m, doc.lines) for m in doc.meetings}
    preamble = result.get(0)
    if preamble is not None and preamble.place:
        for index, fields in result.items():
            if index and fields.place is None:
                fields.place = preamble.place
    return result
