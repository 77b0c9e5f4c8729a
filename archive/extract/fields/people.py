"""Person names in field values: split, cleaned of handles, affiliations and titles, keyed."""

from __future__ import annotations

import re
import unicodedata

import rjieba

from ...analysis import normalize, simplified
from .vocab import _CJK, _IS_CJK, _key, vocabulary


# People.

_URL = re.compile(r"(?:https?|ftp)://[^\s,;，；、)）\]】>]*|www\.[^\s,;，；、)）\]】>]+")
# (bounded and anchored at a word start: linear on a line of 100,000 letters)
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63})+")
_MENTION = re.compile(f"@\\s?(?:[A-Za-z0-9_.\\-]+|(?=[{_CJK}]))")  # `@甲@乙`, `@alice @bob`
_LINK = re.compile(r"\[([^\[\]()]{1,60})\]\([^()\s]{1,300}\)")  # `[handle](https://…/handle)`
# An account handle standing for a name in a list: a word with digits, _ or - inside, or after an @.
_HANDLE_NAME = re.compile(r"@?([A-Za-z][A-Za-z0-9_.\-]{1,38})")
_HANDLE_MARK = re.compile(r"[0-9_\-]")  # (openEuler, iSula: products)
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
_CJK_ONLY = re.compile(f"[{_CJK}]+")
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
                outside.append(" ")  # `吴萍（百度）Ping Wu`: the words either side are apart
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
        if token.endswith(suffix) and len(token) > len(suffix):
            if _valid_cjk(token[:-len(suffix)]):
                return token[:-len(suffix)]
            token = token[:-len(suffix)]  # `区长王大明同志`: the office before the name goes next
            break
    found = list(voc.title_re.finditer(token))
    if found:
        last = found[-1]
        after, before = token[last.end():], token[:found[0].start()]
        if _valid_cjk(after):
            return after
        if _valid_cjk(before):
            return before
    return token


def _is_title_phrase(token: str) -> bool:
    """`村党支部书记`, `县财政局局长`, `网格员代表`: an office written before a name, no name itself."""
    voc = vocabulary()
    if not (2 <= len(token) <= 16 and _CJK_ONLY.fullmatch(token)) or token in voc.title_set:
        return token in voc.title_set
    m = voc.title_end_re.search(token)
    return bool(m) and not _valid_cjk(token[:m.start()])  # `李四县长` is a name with its title


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


def _merge_lone_surnames(tokens: list[str]) -> list[str]:
    """`刘 恺`: a lone character is the surname of the next token."""
    merged: list[str] = []
    for tok in tokens:
        if merged and len(merged[-1]) == 1 and _IS_CJK.match(merged[-1]) and _IS_CJK.match(tok) and len(tok) <= 2:
            merged[-1] += tok
        else:
            merged.append(tok)
    return merged


def _token_names(tok: str) -> list[str] | None:
    """The Chinese names a token is (`张三`, `张三和李四`), or None if it is words."""
    name = _cjk_name(tok)
    if name:
        return [name]
    if not _IS_CJK.search(tok) or _is_title_phrase(tok):
        return []
    halves = [h for h in re.split("[和与及]", tok) if h]  # `张三和李四`
    if len(halves) > 1 and all(_cjk_name(h) for h in halves):
        return [_cjk_name(h) for h in halves]
    glued = _GLUED_ALIAS.fullmatch(tok)  # `孙炼Feline`: a name and its Latin alias run together (not 华为Cloud)
    if glued and _valid_cjk(glued.group(1)) and not rjieba.has_word(glued.group(1)):
        return [glued.group(1)]
    return None


_READING = re.compile(r"[A-Z][A-Za-z]{0,14}")
_GLUED_ALIAS = re.compile(f"([{_CJK}]{{2,4}})[A-Za-z][A-Za-z.]{{1,14}}")


def _unlisted_name(tok: str) -> bool:
    """Two or three Chinese characters that may be a name whose surname is not listed (旷旭卿, 木轶): no title,
    no group, no word of the segmenter's dictionary (开发者)."""
    voc = vocabulary()
    return bool(re.fullmatch(f"[{_CJK}]{{2,3}}", tok) and tok not in voc.title_set
                and not voc.not_people_re.search(tok) and not rjieba.has_word(tok))


def _read_out(tok: str, after: list[str]) -> list[str] | None:
    """`旷旭卿 XQ Kuang`, `木轶 Yi Mu`: such characters followed by their reading in Latin letters (two
    capitalised words) are a name whatever the surname."""
    if len(after) == 2 and all(_READING.fullmatch(w) for w in after) and _unlisted_name(tok):
        return [tok]
    return None


def _names_in(text: str) -> list[str]:
    """Names in a piece without separators or brackets: Chinese names, else a run of Latin words."""
    cjk, latin, run = [], [], []
    prose = False
    tokens = _merge_lone_surnames(text.split()) + [""]
    for i, tok in enumerate(tokens):
        if tok and _LATIN_WORD.fullmatch(tok):
            run.append(tok)
            continue
        if run:
            latin.append(" ".join(run))
            run = []
        if not tok:
            continue
        names = _token_names(tok)
        names = _read_out(tok, tokens[i + 1:i + 3]) if names is None else names
        if names is not None:
            cjk.extend(names)
            continue
        prose = True
        if len(tok) > 4:  # a sentence: the names before it (`陶志恒 计划后续…`), if any
            return cjk
    if cjk:  # a Latin word beside a Chinese name is its alias: 何佳 Justin
        return cjk
    if prose:  # `开发者 Nagesh 希望贡献 …`: words in a sentence, not a list of names
        return []
    return [n for n in latin if _valid_latin(n)]


def _handle(chunk: str) -> str | None:
    """The account a piece of a list is when it is one (`@alice`, `user_c99`, `dev-ops1`), else None."""
    m = _HANDLE_NAME.fullmatch(chunk)
    if not m or _key(m.group(1)) in vocabulary().placeholders or m.group(1).casefold() in _ENGLISH_STOP:
        return None
    name = m.group(1).rstrip(".-_")
    if chunk.startswith("@") or _HANDLE_MARK.search(name):
        return name if sum(c.isalpha() for c in name) >= 2 else None
    return None


_SPOKEN_NAME = re.compile(r"[A-Z][a-z]+(?: [A-Z][a-z]+){1,2}")


def _display_name(name: str) -> bool:
    """Two to four Chinese characters after an @ that are no group, title or placeholder (`@所有人`), and
    no word the segmenter knows other than as a person's (`@运营`, `@开发者`: roles; `@老王`: a person)."""
    voc = vocabulary()
    if not re.fullmatch(f"[{_CJK}]{{2,4}}", name) or _key(name) in voc.placeholders or name in voc.title_set:
        return False
    if voc.not_people_re.search(name) or _is_title_phrase(name):
        return False
    return not known_word(name)


def known_word(name: str) -> bool:
    """Whether the segmenter knows `name` as a word, other than as a person's name (nr)."""
    name = simplified(name)  # (`時間`: 时间)
    tags = rjieba.tag(name)
    return rjieba.has_word(name) and not (len(tags) == 1 and tags[0][1].startswith("nr"))


_BODY_END = re.compile(r"[局区县市省港组部办委会站所队院厅处科室司社团校厂方]$")


def _person_word(name: str) -> bool:
    """A name the segmenter does not know, or tags as a person's (nr), that ends like no body."""
    return not (_BODY_END.search(name) or _is_title_phrase(name) or known_word(name))  # (`王局长`: an office)


def _chunk_names(chunk: str) -> list[str]:
    chunk = _ETC.sub("", chunk.strip()).strip(_TRAILING_PUNCT)
    if ":" in chunk:  # `PG：章清洁` — a sub-label
        chunk = chunk.rsplit(":", 1)[1]
    if not chunk:
        return []
    outside, inside = _outside_and_inside(chunk)
    outside = _ETC.sub("", outside.strip())
    if outside.startswith("@") and _IS_CJK.match(outside[1:]):  # `@小美`: a display name, whatever its surname
        outside = outside[1:]
        if _display_name(outside):
            return [outside]
    elif outside.startswith("@"):  # `@Zhang San` a display name of words; `@alice 负责` an account
        spoken = _SPOKEN_NAME.fullmatch(outside[1:])
        if spoken and _valid_latin(spoken.group()):
            return [spoken.group()]
        outside = outside.split()[0]
    names = _names_in(outside) or [h for h in [_handle(outside)] if h]
    if names and not all(n.isascii() for n in names):
        return names
    # `Lydina(深开鸿-刘艺婷)`, `(刘锐鑫)`: the bracket holds the real name; beside a Latin nickname only
    # a name that is no word (`Alice(华为)`: a company) or that follows an affiliation.
    for part in inside:
        found = [n for n in _names_in(part.replace(",", " ")) if _IS_CJK.match(n)]
        if found and (not names or _AFFILIATION_SPLIT.search(part) or not rjieba.has_word(found[0])):
            return found[:1]
    return names


def _is_prose(chunk: str) -> bool:
    """A piece of a value that is words of a sentence, not one (unknown) name."""
    chunk = _outside_and_inside(chunk.strip(_TRAILING_PUNCT))[0]
    chunk = " ".join(w for w in chunk.split() if not _is_title_phrase(w))
    return len(re.sub(r"\s+", "", chunk)) > 6 or len(chunk.split()) > 2


def _leading_text(value: str) -> str:
    """An inline value as written, without the sentence it runs on into."""
    value = _SENTENCE_END.split(value, 1)[0]
    return _GLUED_ORDINAL.split(value, 1)[0].strip()


def _mention(m: re.Match) -> str:
    """`@甲@乙` and `@alice @bob` are names; `胡光明@hgm`, `Li Ming @lm` a name's account (its alias)."""
    if not m.group().strip("@ "):
        return "、@"  # `@` before a Chinese name (kept: _chunk_names reads it as a display name)
    tail = m.string[max(0, m.start() - 40):m.start()].rstrip()
    tail = tail.split()[-1] if tail.split() else ""
    alias = tail not in ("", "和", "与", "及", "and") and "@" not in tail and (tail[-1].isalnum() or tail[-1] in ")）")
    return " " if alias else "、@" + m.group().lstrip("@ ")


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _LINK.sub(r" \1 ", text)
    text = _URL.sub(" ", text)
    text = _EMAIL.sub(" ", text)
    text = _MENTION.sub(_mention, text)
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
    bare = name.strip()  # (found with its reading, or after an @)
    names = split_people(name) or ([bare] if _unlisted_name(bare) or _display_name(bare) else [])
    return _fold(names[0]) if names else ""
