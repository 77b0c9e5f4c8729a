"""People and decisions written as sentences (archive.extract.fields.prose), on minutes of our own."""

from archive.extract.fields import DECISION, document_fields
from archive.extract.fields.prose import prose_people, stated_outcome
from archive.ingest import parse_text

REPORT = """# 东湖区政府第7次常务会议

4月9日上午，区委副书记、区长马文斌在区政府五楼会议室主持召开区政府第7次常务会议。区领导程立新、贺兰、宋一鸣出席会议；区政府办主任唐宁及各有关部门负责人列席。

会议审议并原则同意《东湖区老旧小区改造实施方案》。

会议听取了区水务局关于防汛准备情况的汇报。会议要求，各街道要落实责任，确保安全度汛。

会议决定于5月上旬召开全区安全生产大会。
"""


def test_report_in_prose_names_host_attendees_and_observers():
    doc = parse_text(REPORT, "东湖区.md")
    (meeting,) = doc.records
    f = document_fields(doc)[meeting.index]
    assert f.people["host"] == ["马文斌"]  # 区委副书记、区长 dropped, 在…会议室 dropped
    assert f.people["attendees"] == ["程立新", "贺兰", "宋一鸣"]  # 区领导 is a title
    assert f.people["observers"] == ["唐宁"]  # 及各有关部门负责人: a group, not people
    decided = [p.text for p in meeting.paragraphs if f.roles.get(p.n) == DECISION]
    assert decided == ["会议审议并原则同意《东湖区老旧小区改造实施方案》。", "会议决定于5月上旬召开全区安全生产大会。"]


def test_host_shapes():
    assert prose_people("会议由韩冬主持。") == [("host", ["韩冬"])]
    assert prose_people("县长邱明主持召开县长办公会，副县长白雪、江涛等参加。") == [
        ("host", ["邱明"]), ("attendees", ["白雪", "江涛"])]
    assert prose_people("本次例会由轮值主席 robin（[robin](https://example.org/robin)）主持。") == [("host", ["robin"])]
    assert prose_people("常务副区长祁峰召开调度会。") == [("host", ["祁峰"])]


def test_near_misses_name_no_one():
    assert prose_people("6月2日，青山区召开防汛工作会议。") == []  # a district convenes
    assert prose_people("发改、商务、农业等部门参加会议。") == []  # departments
    assert prose_people("全体机关干部共计60余人参加。") == []
    assert prose_people("主持人：张三") == []  # a label, read by the label rules
    assert prose_people("他参加过多次培训，成绩优秀。") == []  # not this meeting's attendance


def test_sentences_that_decide_and_those_that_do_not():
    for text in ("会议研究并原则上同意该项目立项。", "经讨论通过了《章程修订稿》。", "社区成员一致通过了这条提议。",
                 "审定了2025年度培训计划。", "会议决定暂时采用现有方案。", "确定下次会议的时间为6月3日。",
                 "决策一：成立文档工作组。", "结论：下周继续讨论。", "人事任命：韩冬任办公室主任。"):
        assert stated_outcome(text) == DECISION, text
    for text in ("会议要求，各部门要原则同意的事项抓紧落实。", "会议听取了关于春耕的汇报。",
                 "重大事项应当经区政府常务会议研究决定。", "（三）讨论需由主任会议决定的其他事项。",
                 "通过线上方式参加会议。", "【会议决定】"):
        assert stated_outcome(text) is None, text


ONLINE_DOC = """# 文档组第12次例会

**参会人员：** ann-b, KarlW, dev_x7, Mei Lin

参会成员：@周海燕@钱立@孙一鸣

请假成员：@何小川

主持：[kim-dev](https://example.org/kim-dev)

## 议题

- @周海燕 分享了文档翻译的进度。
- @lee_99 介绍了新的构建流程，Sphinx and MkDocs compared。
"""


def test_accounts_and_mentions_are_people_with_their_roles():
    doc = parse_text(ONLINE_DOC, "doc.md")
    (meeting,) = doc.records
    f = document_fields(doc)[meeting.index]
    assert f.people["attendees"] == ["ann-b", "KarlW", "dev_x7", "Mei Lin"]  # the first list of attendees
    assert f.people["absent"] == ["何小川"] and f.people["host"] == ["kim-dev"]
    assert f.people["presenters"] == ["周海燕", "lee_99"]
    assert "Sphinx" not in f.persons() and "MkDocs" not in f.persons()  # Latin words in prose: no one


ACTIONS = """# 项目组周会

时间：2024年3月1日

## 讨论

讨论了发布计划。

**Action**

- 周海燕：整理翻译清单
- 修复文档链接 (@lee_99)

后续行动：

1. 完成接口评审

TODO:
- 联系赞助方

### 后续行动

- 整理会议纪要

会议决定暂时采用现有方案。

## 其他

建立台账制度，负责人：县住建局，完成时间：6月底。

会议要求，各部门要抓好落实。
"""


def test_action_items_under_every_kind_of_label_and_decisions_among_them():
    doc = parse_text(ACTIONS, "actions.md")
    (meeting,) = doc.records
    f = document_fields(doc)[meeting.index]
    marked = {p.text: f.roles.get(p.n) for p in meeting.paragraphs}
    for text in ("周海燕：整理翻译清单", "修复文档链接 (@lee_99)", "完成接口评审", "联系赞助方", "整理会议纪要",
                 "建立台账制度，负责人：县住建局，完成时间：6月底。"):
        assert marked[text] == "action", text
    assert marked["会议决定暂时采用现有方案。"] == DECISION  # a decision stays one under an action heading
    assert marked["讨论了发布计划。"] is None and marked["会议要求，各部门要抓好落实。"] is None
    owners = {i.text: i.owners for i in f.items}
    assert owners["周海燕：整理翻译清单"] == ("周海燕",) and owners["修复文档链接 (@lee_99)"] == ("lee_99",)


RULES = """# 某县人大常委会议事规则

第四条 常务委员会会议的开会日期由主任会议决定。

第九条 会议由主任主持，主任不能主持时，应当由副主任主持。

第十条 对下列议案，根据不同情况，应当分别作出如下决定：

（一）符合条件的，列入议程；

（二）不符合条件的，不予列入。
"""


def test_a_rule_book_states_no_decision_and_names_no_host():
    doc = parse_text(RULES, "规则.md")
    (meeting,) = doc.records
    f = document_fields(doc)[meeting.index]
    assert f.roles == {} and f.items == [] and f.persons() == []


VOTES = """# 新建文档工作组的投票

## 投票结果
参考 [文档工作组投票结果](https://example.org/votes/pull/7)。

## Action items
- https://example.org/tracker/issues/31

## 会议结论
详见附件。

## 决议
同意成立文档工作组，详见 [章程](https://example.org/charter)。
"""


def test_a_link_or_a_pointer_alone_is_no_decision_nor_action():
    doc = parse_text(VOTES, "votes.md")
    (meeting,) = doc.records
    f = document_fields(doc)[meeting.index]
    marked = {p.text: f.roles.get(p.n) for p in meeting.paragraphs if not p.is_heading}
    assert [t for t, role in marked.items() if role] == ["同意成立文档工作组，详见 章程。"], marked
    assert [i.text for i in f.items] == ["同意成立文档工作组，详见 章程。"]


def test_who_decides_in_a_rule_is_no_decision_taken():
    for text in ("街道议事规则草案，由主任会议决定提交居民代表会议审议。",
                 "会议期间需要调整议程的，由召集人提请全体会议决定。",
                 "召集人会议决定列入议程的，有关小组的意见印发全体成员。",
                 "按照理事会的决定由秘书处答复。", "本规定所称的决定包括由理事长签发的文件。"):
        assert stated_outcome(text) is None, text
    for text in ("会议决定由韩冬负责筹备工作。", "会议表决通过了《关于调整议程的决定》。"):
        assert stated_outcome(text) == DECISION, text


def test_bodies_that_convene_are_not_people():
    assert prose_people("党中央召开三次全会，国务院召开常务会议。") == []
