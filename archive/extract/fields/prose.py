"""People and outcomes that minutes write as sentences, not under labels.

`县委副书记、县长某某主持召开…会议。副县长甲、乙参加会议` names a host and attendees; `会议由某某主持`
the host; `…出席会议；…列席` attendees and those who sit in; `审议并原则同意《…》`, `经讨论通过`,
`会议决定…` state a decision. Only sentences of these shapes count: a name elsewhere in prose is not a
participant, and a directive (`会议要求…要…`) is not a decision.
"""

from __future__ import annotations

import re

from .vocab import _CJK, DECISION
from .people import split_people

_SENTENCES = re.compile(r"[^。；;！!？?\n]+")
# A role verb and what may follow it: the verb is the meeting's only when it ends its clause.
_VERB = re.compile(r"(主持召开|召开|主持(?!人|词))|(出席|列席|参加|参会|到会|请假)(?=会议|会|并|了|。|，|,|；|;|\s|$)")
_ROLE = {"主持召开": "host", "主持": "host", "召开": "host", "出席": "attendees", "参加": "attendees",
         "参会": "attendees", "到会": "attendees", "列席": "observers", "请假": "absent"}
_CLAUSE_END = re.compile(r"[，,、]")
_PLACE_TAIL = re.compile(f"[在于][{_CJK}\\w]{{0,30}}$")  # `李四在区政府会议室主持召开`, `李四在主持会议时`
_PLACE_NAME = re.compile(f"[{_CJK}]{{1,4}}[省市区县州镇乡村]$")  # `某某区召开…`: a place convenes, not a person
_ORGANISATIONS = re.compile(r"等(?:部门|单位|机构|企业|乡镇|街道|镇街|县区)")  # `发改、统计等部门`: not people
_MANNER = re.compile(r"(?:应邀|分别|一同|也|均|并)(?=[、，,\s]|$)")
_ETC_TAIL = re.compile(r"等[^、，,]{0,10}$")  # `甲、乙等常委会领导`
_BRACKETED = re.compile(r"[（(][^（）()]*[)）]")  # `请于3月1日（周一）前注册参会`: an aside, not a name
_AND = re.compile(r"以及|及")
# `@某某 分享了…`, `- @handle 介绍了…`: who presented, by the account the online document mentions.
_MENTIONED = f"@\\s?(?:[{_CJK}]{{2,4}}|[A-Za-z][A-Za-z0-9_.\\-]{{1,38}})"
_PRESENTER = re.compile(f"(?:^|(?<=[\\s、，,；;]))({_MENTIONED}(?:\\s*[和与、]\\s*{_MENTIONED})*)\\s*"
                        r"(?:分享|介绍|汇报|讲解|演示|展示)")

# Sentences whose predicate is an outcome; directives are not, unless a label says so.
_DECIDED = re.compile(r"原则上?同意|(?:审议|表决|讨论|协商|一致)通过(?:了|《|“)|听取并通过|审定了|研究决定了"
                      r"|会议(?:研究)?决定(?![的】：:])|(?<!的)决定[^，,。]{0,6}"
                      r"(?:于|暂时|采用|由|将)|确定下次会议|决策[一二三四五六七八九十\d]+[:：]|^\s*结论[:：]|人事任命|人事变动"
                      r"|通过了[《“\"]|不再担任")
_DIRECTIVE = re.compile(r"^\s*(?:会议|会上)?[^，,]{0,6}(?:要求|强调|指出|提出)")
_RULE = re.compile(r"应当|必须|须|需要?由|应由|可以")  # a rule says what is to be decided, not what was
# Who decides, not what was decided: `由主任会议决定列入议程`, `提请常务委员会会议决定`, and a case a rule
# names (`主任会议决定列入议程的，…`).
_DECIDES_WHO = re.compile(r"由[^，,。；;]{1,12}决定|提请[^，,。；;]{0,16}决定|决定[^，,。；;]{0,30}的[，,]")


def _host(subject: str) -> list[str]:
    """The one person before a hosting verb: after the last clause break, or after 由."""
    clause = subject.rsplit("由", 1)[1] if "由" in subject else _CLAUSE_END.split(subject)[-1]
    clause = _PLACE_TAIL.sub("", clause.strip())
    names = split_people(clause)
    if not names:  # `由轮值主席 somebody（…）`: a Latin name after Chinese words
        names = split_people(re.sub(f"[{_CJK}]+", " ", clause))
    return [x for x in names[-1:] if not _PLACE_NAME.fullmatch(x)]


def _group(subject: str) -> list[str]:
    if _ORGANISATIONS.search(subject):
        return []
    subject = _AND.sub("、", _MANNER.sub("", _BRACKETED.sub("", subject)))
    parts = [_ETC_TAIL.sub("", part) for part in re.split(r"([、，,])", subject)]
    return [x for x in split_people("".join(parts)) if not x.isascii()]  # `A vs B`: words in a sentence


def prose_people(text: str) -> list[tuple[str, list[str]]]:
    """(role, names) of each role verb in `text`: `甲主持召开…` -> ("host", ["甲"])."""
    out = []
    for sentence in _SENTENCES.finditer(text):
        s, start = sentence.group(), 0
        if _RULE.search(s):  # `会议由主任主持，应当…`: a rule says who is to, not who did
            continue
        for m in _VERB.finditer(s):
            verb = m.group(1) or m.group(2)
            role, subject = _ROLE[verb], s[start:m.start()]
            start = m.end()
            if role == "host" and "由" not in subject and len(_CLAUSE_END.split(subject)[-1]) > 16:
                continue  # `…会议于3月召开`: no one hosts in that clause
            names = _host(subject) if role == "host" else _group(subject)
            if names:
                out.append((role, names))
    presenters = [x for m in _PRESENTER.finditer(text) for x in split_people(m.group(1))]
    if presenters:
        out.append(("presenters", presenters))
    return out


def stated_outcome(text: str) -> str | None:
    """DECISION if a sentence of `text` states one (`会议审议并原则同意…`), else None."""
    for sentence in _SENTENCES.finditer(text):
        s = sentence.group()
        if _DECIDED.search(s) and not _DIRECTIVE.match(s) and not _RULE.search(s) and not _DECIDES_WHO.search(s):
            return DECISION
    return None
