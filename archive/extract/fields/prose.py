"""People and outcomes that minutes write as sentences, not under labels.

`县委副书记、县长某某主持召开…会议。副县长甲、乙参加会议` names a host and attendees; `会议由某某主持`
the host; `…出席会议；…列席` attendees and those who sit in; `审议并原则同意《…》`, `经讨论通过`,
`会议决定…` state a decision. Only sentences of these shapes count: a name elsewhere in prose is not a
participant, and a directive (`会议要求…要…`) is not a decision.
"""

from __future__ import annotations

import re

from .vocab import _CJK, _IS_CJK, ACTION, DECISION, vocabulary
from .people import _person_word, split_people
from .lines import _LINE_START, _NAMED, line_people
from .items import _ARTICLE

_SENTENCES = re.compile(r"[^。；;！!？?\n]+")
# A role verb and what may follow it: the verb is the meeting's only when it ends its clause.
_VERB = re.compile(r"(主持召开|召开|主持(?!人|词)|记录(?=[。，,；;]|\s*$))"
                   r"|(出席|列席|参加|参会|到会|请假)(?=会议|会|并|了|。|，|,|；|;|\s|$)")
_ROLE = {"主持召开": "host", "主持": "host", "召开": "host", "记录": "recorder", "出席": "attendees",
         "参加": "attendees", "参会": "attendees", "到会": "attendees", "列席": "observers", "请假": "absent"}
_ONE = {"host", "recorder"}  # roles one person holds: the name right before the verb
_CLAUSE_END = re.compile(r"[，,、]")
# `李四在区政府会议室主持召开`, `李四在主持会议时`, `…于区政府`; 在 first (`县长张中于在…会议室`: 于 a name's).
_PLACE_TAIL = re.compile(f"在[{_CJK}\\w]{{0,30}}$|(?<!在)于[{_CJK}\\w]{{0,30}}$")
_PLACE_NAME = re.compile(f"[{_CJK}]{{1,4}}[省市区县州镇乡村]$")  # `某某区召开…`: a place convenes, not a person
_ORGANISATIONS = re.compile(r"等(?:部门|单位|机构|企业|乡镇|街道|镇街|县区)")  # `发改、统计等部门`: not people
_MANNER = re.compile(r"(?:应邀|分别|一同|也|均|并)(?=[、，,\s]|$)")
_ETC_TAIL = re.compile(r"等[^、，,]{0,10}$")  # `甲、乙等常委会领导`
_BRACKETED = re.compile(r"[（(][^（）()]*[)）]")  # `请于3月1日（周一）前注册参会`: an aside, not a name
_AND = re.compile(r"以及|及")
# `@某某 分享了…`, `- @handle 介绍了…`: who presented, by the account the online document mentions.
_MENTIONED = f"@\\s?(?:{_NAMED})"
_PRESENTER = re.compile(f"(?:^|(?<=[\\s、，,；;]))({_MENTIONED}(?:\\s*[和与、]\\s*{_MENTIONED})*)\\s*"
                        r"(?:分享|介绍|汇报|讲解|演示|展示)")

# `1. @zhaoxiaomeng gmssl-go 贡献到上游`: an item opened by who brings it.
_OPENS_WITH_MENTION = re.compile(f"{_LINE_START}({_MENTIONED}(?:[ \\t]*[、,，和&]?[ \\t]*{_MENTIONED})*)[ \\t]+(?=[^\\s:：])",
                                 re.MULTILINE)
# `李华、dev-zhao 分别做了自我介绍`, `陈晨分享了…`: a sentence that opens with who presented (a linked name
# reads so once its link is gone). Only names the segmenter tags as a person's or does not know, and
# no body (`林业局汇报了…`, `项目组介绍…`).
_OPENS_WITH_PRESENTER = re.compile(f"^\\s*(?:[-*•+]\\s*)?由?((?:{_NAMED})(?:\\s*[、和与及]\\s*(?:{_NAMED}))*)\\s*"
                                   r"(?:老师|同学|同志|先生|女士)?(?:分别|先后|依次)?(?:为大家|向大家|给大家)?(?:做了|作了|进行了)?"
                                   r"(?:自我介绍|分享|介绍了|汇报了|讲解|演示|展示了)")


def _opening_presenters(sentence: str) -> list[str]:
    m = _OPENS_WITH_PRESENTER.match(sentence)
    if not m:
        return []
    names = split_people(m.group(1))
    cjk = [x for x in names if not x.isascii() and _person_word(x)]
    return [x for x in names if x in cjk or x.isascii()] if cjk else []  # (a Latin word alone: a product)

# `会上，局党组书记、局长吴建荣肯定了…`, `实验室秘书李丽珺总结了…`, `支部书记侯薄同志对…提出了希望`, `江波理事动议…`:
# an office holder who spoke to the meeting, as a report tells it (an office with the name: not the leaders a
# meeting quotes, `习近平总书记指出`, nor the country's, `国家主席某某强调`).
_SPOKE = re.compile(r"^\s*(?:(?:会上|会议上|随后|最后|首先|接着|同时)[，,]?\s*)?([^，,。；;：:]{3,24}?)(?:同志)?"
                    r"(?:首先|随后|最后|还|也|代表[^，,。]{1,16}?|就[^，,。]{1,30}?|对[^，,。]{1,30}?|围绕[^，,。]{1,30}?){0,2}"
                    r"(?:指出|强调|总结了|肯定了|提出了?(?:要求|希望|意见)|讲话|发言|动议|提议"
                    r"|作了[^，,。]{0,12}(?:讲话|说明|布置|总结|发言|报告))")
_NATIONAL = re.compile(r"总书记|国家主席|总理|委员长|中央")


def _speaking_officers(sentence: str) -> list[str]:
    m = _SPOKE.match(sentence)
    if not m or _NATIONAL.search(m.group(1)) or not vocabulary().title_re.search(m.group(1)):
        return []
    names = _host(m.group(1))
    return names if names and all(_person_word(x) for x in names) else []


# `本次会议共有5人参加，包括张三、李四、王五`: who came, listed after the count; only a list of names.
_LISTED = re.compile(r"(?:参加|参会|出席|与会|到会)[^。；;]{0,12}?[，,]?\s*(?:包括|分别是|分别为|名单如下|有)[:：]?\s*"
                     r"([^。；;！!？?]+)$")


def _listed_attendees(sentence: str) -> list[str]:
    m = _LISTED.search(sentence)
    if not m:
        return []
    listed = re.split(r"[，,](?=还有|另有|以及|其中|共)", m.group(1))[0]  # (`…朱某某，还有一位同学`: the names)
    chunks = [c for c in re.split(r"[、，,]|以及|和|及", _ETC_TAIL.sub("", listed).strip()) if c.strip()]
    names = [split_people(c) for c in chunks]
    return [n[0] for n in names] if chunks and all(len(n) == 1 for n in names) else []


# `决定于3月1日召开` is a decision, `决定于生产的发展速度` (depends on) is none: a date or a time must follow.
_WHEN = r"(?:[\d一二三四五六七八九十〇零]{1,4}\s*[年月日号]|[\d一二三四五六七八九十]{1,2}\s*[:：.]|[今明本下次近][年月周天日期]|下周|下次|近期)"
# Sentences whose predicate is an outcome; directives are not, unless a label says so.
_DECIDED = re.compile(r"原则上?(?:同意|通过)|研究同意|(?:审议|表决|讨论|协商|一致)通过(?:了|《|“)|听取并通过|审定了|研究决定了"
                      r"|会议(?:研究)?决定(?![的】：:])|经[^，,。]{0,6}讨论决定(?![的】：:])|(?<!的)决定[^，,。于]{0,6}(?:暂时|采用|由|将)"
                      f"|(?<!的)决定于{_WHEN}|确定下次会议|决策[一二三四五六七八九十\\d]+[:：]|^\\s*结论[:：]|人事任命|人事变动"
                      r"|通过了[《“\"]|不再担任|^\s*(?:(?:[-*•+]|--|——)\s*|[（(]?[一二三四五六七八九十\d]{1,3}[、.．)）]\s*)?(?:会议上?|会上)?(?:同意|赞同)(?!见)"
                      r"|(?:委员们?|成员们?|大家|与会[^，,]{0,4}|全体[^，,]{0,6})(?:一致|均|都)?(?:表示)?(?:同意|赞同)(?!见)"
                      r"|一致(?:同意|赞同)(?!见)|表决\s*[:：]\s*(?:一致)?通过"
                      r"|(?:会议|会上|大会)以[^，,。；;]{0,12}(?:表决|投票)的?方式[^，,。；;]{0,4}通过"  # `会议以举手表决的方式通过了…`
                      # `会议研究了…，同意…`, `经研究，同意…`: the consent closes what the meeting studied
                      r"|^\s*(?:会议|会上)[^。；;]{0,60}[，,]\s*(?:并|会议)?(?:原则上?)?同意(?!见)"
                      r"|^\s*经[^，,。]{0,12}(?:研究|讨论|审议|协商)[，,]\s*(?:会议)?(?:原则上?)?(?:同意|决定|通过)"
                      r"|经(?:会议|大家|全体[^，,。]{0,4})?(?:研究|讨论|审议|协商|表决)后?[，,]?\s*(?:一致)?通过(?!的)"
                      r"|(?:会议|会上)(?:审议|讨论|表决)?通过了(?!解)|(?:获得?|予以|全票|投票|表决)通过"
                      r"|(?:议案|提案|动议)(?:获得?)?(?:一致)?通过|(?<![未没无不有难])达成(?:了)?(?:共识|一致)"
                      r"|(?<![次届])(?:会议|会上)(?:研究)?(?:确定|明确|议定)(?!的|事项|要求|指出|提出|强调)"
                      r"|^\s*[A-Z][A-Za-z]{1,9}(?:委员会|成员们?)?(?:一致)?(?:同意|批准)(?!见)|(?:同意|决定|会议)任命"
                      r"|免去[^。，,；;]{1,20}(?:职务|职)|(?:议题|提案|事项|方案|PR)[^。，,；;]{0,6}(?:搁置|取消|暂缓)"
                      # `mesh暂时搁置；`, `**[暂缓]** 桌面支持`, `[延迟到11月] 演示`: what the meeting shelved
                      r"|(?:^|[，,；;。])(?:(?!防止|避免|不得|不能|不要|禁止|以免|严禁|导致)[^，,；;。])*?(?:搁置|暂缓)"
                      r"(?=\s*(?:[；;。，,]|$))"
                      r"|^\s*(?:[（(]?\d{1,2}[.、)）]\s*)?\**[\[【](?:暂缓|搁置|取消|延[迟后期][^\]】]{0,8}|推迟[^\]】]{0,8})[\]】]"
                      r"|(?i:^\s*(?:[-*•+]\s*)?(?:agreed|approved|resolved|decided)\b|\bvoted\s+to\b"
                      r"|\b(?:was|were|is|are)\s+(?:approved|accepted|agreed)\b"
                      r"|\b(?:meeting|committee|board|TSC|TC|PMC|group)\s+(?:approved|agreed|decided|resolved)\b)")
# A consent a rule asks for (`未经…业主一致同意的`, `经全体合伙人一致同意`) is no consent given.
_CONSENT_ASKED = re.compile(r"(?:未|非|经|须|如|若)[^，,。；;]{0,24}(?:同意|赞同)")
_DIRECTIVE = re.compile(r"^\s*(?:会议|会上)?[^，,]{0,6}(?:要求|强调|指出|提出)(?!的)")  # (`…提出的意见`: whose, not a directive)
_RULE = re.compile(r"应当|必须|须|需要?由|应由|可以")  # a rule says what is to be decided, not what was
# Who decides, not what was decided: `由主任会议决定列入议程`, `提请常务委员会会议决定`, and a case a rule
# names (`主任会议决定列入议程的，…`).
_DECIDES_WHO = re.compile(r"由[^，,。；;]{1,12}决定|提请[^，,。；;]{0,16}决定|决定[^，,。；;]{0,30}的[，,]")


# A speech or a report to a congress (`同志们：`, `各位代表：`, `我代表国务院，向大会报告…`) tells what others
# decided and who chaired other meetings: its sentences name no participant and state no outcome of its own.
_SALUTATION = re.compile(r"^(?:[^，。；：:!！]{1,16}[、，,]\s*)?(?:同志们|同事们|各位代表|各位委员|各位来宾|朋友们|"
                         r"女士们、?先生们)[：:！!，,]?$")
_REPORTS = re.compile(r"^[^。]{0,8}我代表[^。]{1,30}向[^。]{0,30}(?:报告|汇报)")
SPEECH_OPENING = 6  # the paragraphs after the title where a speech greets its audience


RULE_ARTICLES = 3  # a document with this many articles (第一条 …) is a law or rules of procedure
# An article, also where conversion ran its line on to the one before (`…议事规则第一章 总 则第一条 为…`).
_ARTICLE_ANYWHERE = re.compile(r"第[一二三四五六七八九十百零〇\d]+条(?=[\s\u3000])")


def is_speech(paragraphs) -> bool:
    """True if the opening paragraphs greet an audience or report to one in the first person."""
    opening = [p.text.strip() for p in paragraphs[:SPEECH_OPENING] if not p.is_heading]
    return any(_SALUTATION.match(x) or _REPORTS.match(x) for x in opening)


def reports_others(paragraphs) -> bool:
    """A speech, or a rule written in articles (`第四条 常务会议由县长主持`): what its sentences say is
    decided, and who chairs or attends, is not what this meeting decided or who came to it."""
    articles = 0
    for p in paragraphs:
        within = sum(1 for _ in zip(range(RULE_ARTICLES), _ARTICLE_ANYWHERE.finditer(p.text)))
        articles += max(within, bool(_ARTICLE.match(p.text)))
        if articles >= RULE_ARTICLES:
            return True
    return is_speech(paragraphs)


# Sentences that say who is to, not who did: a case a rule names (`因故不能出席的，应向…请假`), a plan
# (`计算拟出席会议的股东`), who stands in (`由副主席代为主持`), who a body is made of (`由工会…参加`).
_CASE = re.compile(r"^[^，,]{2,30}的[，,]|拟(?:出席|参加|列席|主持)|应[向于在]")
_STANDS_IN = re.compile(r"(?:代为|亲自|共同|轮流|负责|临时)$")


def _placeless(clause: str) -> str:
    """The clause without where it happened: the tail from 在, else from 于."""
    at = clause.find("在")
    return clause[:at] if at >= 0 and len(clause) - at <= 31 else _PLACE_TAIL.sub("", clause)


def _host(subject: str) -> list[str]:
    """The one person before a hosting verb: after the last clause break, or after 由."""
    clause = subject.rsplit("由", 1)[1] if "由" in subject else _CLAUSE_END.split(subject)[-1]
    clause = _STANDS_IN.sub("", clause.strip())
    placeless = _STANDS_IN.sub("", _placeless(clause))
    names = split_people(placeless) or split_people(clause)  # (`区长于晓东`: 于 a surname, not a place's 于)
    if not names:  # `王立新副校长主持了会议`: the office after the name
        names = split_people(re.sub(r"(?:常务)?副$", "", vocabulary().title_end_re.sub("", placeless)))
    if not names:  # `由轮值主席 somebody（…）`: a Latin name after Chinese words
        names = split_people(re.sub(f"[{_CJK}]+", " ", clause))
    return [x for x in names[-1:] if not _PLACE_NAME.fullmatch(x)]


def _group(subject: str) -> list[str]:
    if _ORGANISATIONS.search(subject) or "由" in subject:
        return []
    subject = _AND.sub("、", _MANNER.sub("", _BRACKETED.sub("", subject)))
    parts = [_ETC_TAIL.sub("", part) for part in re.split(r"([、，,])", subject)]
    return [x for x in split_people("".join(parts)) if not x.isascii()]  # `A vs B`: words in a sentence


def prose_people(text: str, lined: str | None = None) -> list[tuple[str, list[str]]]:
    """(role, names) of each role verb in `text`: `甲主持召开…` -> ("host", ["甲"]). `lined` is the text
    with its source lines apart, for who is named at a line's start or end."""
    lined = lined or text
    out = []
    sentences = _SENTENCES.findall(text)
    for s in sentences:
        start = 0
        if _RULE.search(s) or _CASE.search(s) or _ARTICLE.match(s):  # `会议由主任主持，应当…`: who is to
            continue
        for m in _VERB.finditer(s):
            verb = m.group(1) or m.group(2)
            role, subject = _ROLE[verb], s[start:m.start()]
            start = m.end()
            if role in _ONE and "由" not in subject and len(_placeless(_CLAUSE_END.split(subject)[-1])) > 16:
                continue  # `…会议于3月召开`: no one hosts in that clause
            names = _host(subject) if role in _ONE else _group(subject)
            if names:
                out.append((role, names))
    listed = [x for s in sentences for x in _listed_attendees(s)]
    if listed:
        out.append(("attendees", listed))
    presenters = [x for m in _PRESENTER.finditer(text) for x in split_people(m.group(1))]
    presenters += [x for m in _OPENS_WITH_MENTION.finditer(lined) for x in split_people(m.group(1))]
    presenters += [x for s in sentences for x in _opening_presenters(s) + _speaking_officers(s)]
    if presenters:
        out.append(("presenters", list(dict.fromkeys(presenters))))
    spoke = line_people(text, lined)
    if spoke:
        out.append(("presenters", spoke))
    return out


# Work a discussion item leaves to someone or to a time: `…下次TSC会议给出方案 @于洋`, `…，下周进行评审`.
_OWNER_MENTION = re.compile(f"(?:^|[\\s，,。；;]){_MENTIONED}\\s*[。.]?\\s*$")
_FOLLOW_UP = re.compile(r"(?:下次|下一次|下周|下个?月|会后|近期|本周内?|月底前"
                        r"|[一二三四五六七八九十\d]+月(?:\d{1,2}日?|底|中旬|上旬|下旬)?之?前|\d{1,2}[./]\d{1,2}之?前)[^，,。；;]{0,12}"
                        r"(?:给出|评审|讨论|提交|完成|跟进|输出|确认|反馈|同步|准备|整理|汇报|上会|review|提供|有结论|开发完|交付)")

_TASK = re.compile(r"\s*(?:[-*+]\s+)?\[[ xX]\]\s*\S")  # `- [ ] 李四 提交 PR`: an item of a task list
_TODO = re.compile(r"(?:^|[:：]\s*)(?:TODO|待办)(?![A-Za-z])\s*[:：]?\s*\S")  # `David: TODO review PR#14`
# Work given to an owner: `由张三负责联系赞助方`, `请县住建局牵头，各乡镇配合，6月底前完成`, `kelvin 牵头整理…`;
# a body is an owner where a time is set (a rule gives bodies work for ever: `…的案件，由执行机构负责执行`).
_OWNED_BY = re.compile(r"(?:^|[，,；;。:：]\s*)(?:由(?!于)|请)\s*([^，,。；;由请]{2,20}?)\s*(?:负责|牵头|跟进|对接)(?![人的任])")
_SET_TIME = re.compile(r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})月(?:\d{1,2}日|底|中旬|上旬|下旬)?之?前|\d{1,2}日之?前"
                       r"|年底前|月底前|本周|下周|尽快|会后|近期|限期")
_LEADS = re.compile(f"^\\s*(?:[-*•+]\\s*)?({_NAMED})\\s*(?:负责|牵头|跟进)(?![人的])")


def stated_action(text: str) -> str | None:
    """ACTION if `text` leaves work to an owner it mentions last or to a time to come, else None."""
    if _RULE.search(text) or _DIRECTIVE.match(text):
        return None
    found = (_OWNER_MENTION.search(text) or _FOLLOW_UP.search(text) or _TASK.match(text) or _TODO.search(text)
             or ((owned := _OWNED_BY.search(text)) and (split_people(owned.group(1)) or _SET_TIME.search(text)))
             or ((lead := _LEADS.match(text)) and split_people(lead.group(1))))
    return ACTION if found else None


def stated_outcome(text: str) -> str | None:
    """DECISION if a sentence of `text` states one (`会议审议并原则同意…`), else None."""
    for sentence in _SENTENCES.finditer(text):
        s = sentence.group()
        if (_DECIDED.search(s) and not _DIRECTIVE.match(s) and not _RULE.search(s) and not _DECIDES_WHO.search(s)
                and not _CONSENT_ASKED.search(s)):
            return DECISION
    return None


# A decision or action label inside someone else's sentence reports their conclusion or decision:
# `我们得出一个坚定的结论：`, `国务院已经决定：`, `…作出三项具有深远意义的决策：`; the meeting's own are
# `经研究决定：`, `讨论的结论：`, and (lines joined by conversion) `… 李伟/方保顺结论：同意成立SIG`.
_CLAUSE_BREAK = re.compile(r"[。；;！!？?，,：:\n|*#>•·【】\[\]()（）/\s-]")
_REPORTED = re.compile(r"(?<!讨论|会议|研究|评审|审议|表决|投票|会上)的$|已经?$|曾经?$|先后$")


def own_labels(text: str, hits: list, reported: bool) -> list:
    """The label hits of `text` without the decision and action labels that stand inside someone else's
    sentence (in a speech or a rule, reports_others: any that does not open its clause)."""
    out = []
    for hit in hits:
        if hit.kind in (DECISION, ACTION):
            k = max((m.end() for m in _CLAUSE_BREAK.finditer(text, 0, hit.start)), default=0)
            before = text[k:hit.start].strip()
            if before and _IS_CJK.match(before[-1]) and (reported or _REPORTED.search(before)):
                continue
        out.append(hit)
    return out


# Under `特作如下决议：` or `…作出如下决定：` a resolution promulgates provisions: what others are to do
# (`各级检察机关要…`, `任何单位和个人不得…`, `本决定自公布之日起施行`); only an item that states an outcome
# (`同意…`) is a decision taken there. Under `会议决定如下：` an item that only directs (`各乡镇要…`) is none
# either; items under `议定事项` are what the meeting agreed, directives included.
_RESOLVES = re.compile(r"决议|决定")
_PROMULGATES = re.compile(r"作出?如下(?:决议|决定)")
_DIRECTS = re.compile(r"应当|必须|务必|(?<![重主需只纪概摘提])要(?![求点素件闻])|^\s*(?:[（(]?[一二三四五六七八九十\d]{1,3}"
                      r"[、.．)）]\s*)?(?:加强|加快|坚持|严格|推进|深化|强化|完善|健全|落实|提高|做好|抓好|确保|切实|全面|"
                      r"积极|大力|进一步|依法|认真|不断|着力|努力|重视|保障|规范|推动|支持|实行)")


def only_directs(label: str, text: str) -> bool:
    """True if `text`, an item under the decision label `label`, directs rather than decides."""
    if "议定" in label or not _RESOLVES.search(label) or stated_outcome(text):
        return False
    return bool(_PROMULGATES.search(label) or _DIRECTS.search(text))
