"""People named where a line starts or ends: who speaks (`张三：…`, `Sam: …`), who brings an item
(`…评审 -  李晓东`, `…汇报--段古纳`, an agenda's time then the name) and who comments on one (`-- 某某：…`).
Read on a paragraph's source lines (`lined`), which a paragraph written without blank lines runs together."""

from __future__ import annotations

import re

import rjieba

from .vocab import _CJK, _IS_CJK, vocabulary
from .people import _ENGLISH_STOP, _person_word, split_people

_NAMED = f"[{_CJK}]{{2,4}}|[A-Za-z][A-Za-z0-9_.\\-]{{1,38}}"  # a Chinese name or an account, as minutes write them
_LINE_START = r"^[ \t]*(?:[-*•+]|\d{1,2}[.、)])?[ \t]*"  # (a list's bullet or number)

# `-- 某某：我认为…`, `—— handle: +1`: a comment under an item, signed by who spoke at the meeting.
_COMMENTER = re.compile(f"(?:^|(?<=[。！？；]))[ \t]*(?:--|——|－－)[ \t]*({_NAMED})[ \t]*[:：]",
                        re.MULTILINE)
_COMMENT_RUN_ON = re.compile(f"(?<![-—])--[ \t]*([{_CJK}]{{2,4}})[ \t]*[:：]")  # `…朱健伟-- 魏建刚：…`: lines run together

# `2、某项申请汇报--段古纳（某单位）`, `…决策；---刘哲`, `…评审  ---杨超豪/范佳臣`: who brings an item, after
# ASCII dashes (lines run together: the next item or a note may follow the name at once);
# `-- 某某：…` is a comment (_COMMENTER).
_DASHED = re.compile(f"(?<![-—])-{{2,3}}\\s*([{_CJK}]{{2,4}}(?:\\s*[/、&]\\s*[{_CJK}]{{2,4}})*)"
                     f"(?=[ \\t]*\\n|\\s*(?:$|[，,。；;（(\\-]|\\d{{1,2}}[、.]))")  # (not `-- 毕昇JDK`: a product)
_NAMES_RUN = f"[{_CJK}]{{2,4}}(?:[ \\t]*[\\\\/、&][ \\t]*[{_CJK}]{{2,4}})*"  # `朱泽旭\袁礼鹏`, `吴峰光/段鹏杰`
# `张三：我认为…`, `  朱泽旭\袁礼鹏: 已咨询…`: who speaks to an item, named at a line's start before a colon.
_SPEAKER = re.compile(f"{_LINE_START}({_NAMES_RUN})[ \\t]*[:：]", re.MULTILINE)
# `- Sam: java-gm readme pr`, `1. suyunlong: 我们现在…`, `David, ghost: Review…`: the same in Latin letters,
# which as often write a label (`Note:`, `Review:`); meeting.py counts them only where a meeting is written so.
_LATIN_NAME = r"@?[A-Za-z][A-Za-z0-9_.\-]{1,38}"
_LATIN_SPEAKER = re.compile(f"{_LINE_START}({_LATIN_NAME}(?:[ \\t]*[,，、/&][ \\t]*{_LATIN_NAME})*)[ \\t]*[:：][ \\t]*"
                            r"(?![`\"'/]|https?:|www\.)(\S.*)$", re.MULTILINE)  # (not `repo: https://…`)
_NAME_SHAPE = re.compile(r"[A-Z][a-z]{1,20}|[a-z][a-z0-9_.\-]{2,38}")  # `Sam`, `suyunlong`, `dev_x7` (not `BrainStorm`)
_LABEL_WORDS = {"note", "review", "update", "updates", "todo", "action", "actions", "summary", "conclusion", "decision",
                "question", "questions", "answer", "issue", "issues", "docs", "doc", "plan", "progress", "result",
                "results", "background", "goal", "goals", "proposal", "problem", "feedback", "comment", "comments",
                "discussion", "demo", "example", "reference", "solution", "next", "steps", "date", "time", "location",
                "links", "code", "test", "tests", "bug", "bugs", "feature", "features", "design", "roadmap",
                "milestone", "version", "tips", "warning", "info", "input", "output", "tbd", "none", "http", "https",
                "mailto", "ftp", "done", "ongoing", "closed", "open", "yes", "no", "ok", "pass", "fail", "vote",
                "votes", "approve", "approved", "reject", "rejected", "abstain", "memo", "remark", "remarks", "q", "a",
                # roles, not who holds them
                "mentor", "mentors", "maintainer", "maintainers", "committer", "committers", "reviewer", "reviewers",
                "contributor", "contributors", "speaker", "speakers", "host", "moderator", "presenter", "guest",
                "guests", "chair", "lead", "organizer", "sponsor", "user", "users", "developer", "developers"}
# `…发布件评审 -  李晓东`, `1、…致辞   9:00-9:15   15min   徐磊`: who brings an item, at its line's end
# after a dash, or after the time an agenda gives it.
_LINE_OWNER = re.compile(f"(?:[ \\t]-[ \\t]*|\\d[:：]\\d\\d[ \\t]+|\\d[ \\t]*(?:min|mins|分钟)[ \\t]+)({_NAMES_RUN})[ \\t]*$",
                         re.MULTILINE)
_HONORIFIC = re.compile(f"^[{_CJK}][总工董老]$")  # `王总：…`: how a speaker is called, not a name


def line_speakers(lined: str) -> tuple[list[tuple[str, bool]], int]:
    """(name, whether Chinese follows it) of each Latin name opening a line of `lined` before a colon, and how
    many lines of it open so with names (Chinese or Latin)."""
    latin, lines = [], sum(1 for m in _SPEAKER.finditer(lined) if _spoken_names(m.group(1)))
    voc = vocabulary()
    for m in _LATIN_SPEAKER.finditer(lined):
        names = [x.lstrip("@") for x in re.split(r"[ \t]*[,，、/&][ \t]*", m.group(1))]
        if all(_NAME_SHAPE.fullmatch(x) and x.casefold() not in _LABEL_WORDS | _ENGLISH_STOP and not voc.label(x)
               for x in names):
            latin += [(x, bool(_IS_CJK.search(m.group(2)))) for x in names]
            lines += 1
    return latin, lines


def _spoken_names(run: str) -> list[str]:
    """The names of `run`, when every piece of it is a person's name (else none: `投票结果`, `高度重视`)."""
    voc, names = vocabulary(), re.split(r"[ \t]*[\\/、&][ \t]*", run)
    ok = all(split_people(x) == [x] and _person_word(x) and not _HONORIFIC.match(x) and not voc.label(x)
             for x in names)  # (`纪要人：`: a label)
    return names if ok else []


def line_people(text: str, lined: str) -> list[str]:
    """Who brings an item after dashes or at its line's end, who comments on one and who speaks at a
    line's start: all spoke to the meeting's items (kept with the presenters). `lined` is `text` with its
    source lines apart."""
    spoke = [x for m in _DASHED.finditer(lined) for x in split_people(m.group(1))
             if len(x) > 2 or not rjieba.has_word(x)]  # (`--安全`, `--同意：14`: words)
    spoke += [m.group(1) for m in _COMMENTER.finditer(lined) if split_people(m.group(1)) == [m.group(1)]]
    spoke += [x for m in (*_SPEAKER.finditer(lined), *_LINE_OWNER.finditer(lined)) for x in _spoken_names(m.group(1))]
    spoke += [m.group(1) for m in _COMMENT_RUN_ON.finditer(text) if split_people(m.group(1)) == [m.group(1)]
              and (len(m.group(1)) > 2 or not rjieba.has_word(m.group(1)))]
    return list(dict.fromkeys(spoke))
