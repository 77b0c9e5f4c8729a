"""People and decisions written as sentences (archive.extract.fields.prose), on minutes of our own."""

from archive.extract.fields import ACTION, DECISION, document_fields
from archive.extract.fields.prose import prose_people, stated_action, stated_outcome
from archive.ingest import parse_text

from .test_fields import only_meeting

REPORT = """# 东湖区政府第7次常务会议

4月9日上午，区委副书记、区长马文斌在区政府五楼会议室主持召开区政府第7次常务会议。区领导程立新、贺兰、宋一鸣出席会议；区政府办主任唐宁及各有关部门负责人列席。

会议审议并原则同意《东湖区老旧小区改造实施方案》。

会议听取了区水务局关于防汛准备情况的汇报。会议要求，各街道要落实责任，确保安全度汛。

会议决定于5月上旬召开全区安全生产大会。
"""


def test_report_in_prose_names_host_attendees_and_observers():
    meeting, f = only_meeting(REPORT, "东湖区.md")
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
    meeting, f = only_meeting(ONLINE_DOC, "doc.md")
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
    meeting, f = only_meeting(ACTIONS, "actions.md")
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
    meeting, f = only_meeting(RULES, "规则.md")
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
    meeting, f = only_meeting(VOTES, "votes.md")
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


def test_outcome_verbs_of_list_items_and_who_agreed():
    for text in ("- 同意韩冬接任文档组组长", "同意成立测试SIG。", "委员们赞同评选方案的修订。", "与会委员一致同意延期发布。",
                 "会议决定于下周三召开第二次评审会。"):
        assert stated_outcome(text) == DECISION, text
    for text in ("同意见附件。", "发展速度决定于投资的规模。", "成败不决定于主观愿望，而取决于实际工作。",
                 "申请人经本人同意后方可办理。"):
        assert stated_outcome(text) is None, text


SPEECH = """# 在全县农村工作会议上的讲话

<!-- source: https://example.org/speech -->

同志们：

今天召开全县农村工作会议，主要任务是总结去年工作。去年，县委决定将农民增收作为头号工程。

去年3月，县委书记周岚主持召开县委常委会议，审议并原则同意《乡村振兴三年行动方案》。

我们得出一个坚定的结论：发展必须依靠改革。县政府已经决定：今年新建农村公路200公里。
"""


def test_a_speech_tells_what_others_decided():
    meeting, f = only_meeting(SPEECH, "讲话.md")
    assert f.persons() == [] and f.roles == {} and f.items == []


def test_a_decision_label_inside_someone_elses_sentence():
    doc = parse_text("# 项目周会\n\n主持人：韩冬\n\n讨论中我们得出一个初步的结论：下周继续评估。\n\n"
                     "经研究决定：同意成立文档组。\n\n测试排期 李伟/方保顺结论：同意延期一周\n", "周会.md")
    (meeting,) = doc.records
    f = document_fields(doc)[meeting.index]
    decided = [p.text for p in meeting.paragraphs if f.roles.get(p.n) == DECISION]
    assert decided == ["经研究决定：同意成立文档组。", "测试排期 李伟/方保顺结论：同意延期一周"]


PROCEDURE = """# 青山县人民政府常务会议工作规则

第一条 为规范县政府常务会议，制定本规则。

第二条 常务会议由县长主持；县长因故不能出席的，由常务副县长代为主持。

第三条 副县长、县长助理出席会议，县政府办公室主任列席。因故不能出席的，应向县长请假。

第四条 会议议题经县长同意后列入议程，会议决定的事项由县政府办公室督办。
"""


def test_a_rule_in_articles_names_no_participant_and_decides_nothing():
    meeting, f = only_meeting(PROCEDURE, "规则.md")
    assert f.persons() == [] and f.roles == {}


def test_sentences_that_say_who_is_to():
    assert prose_people("因故不能出席的，应向秘书长请假。") == []
    assert prose_people("计算拟出席会议的股东所代表的股份数。") == []
    assert prose_people("联席会议由工会负责召集，由职工代表、工会委员参加。") == []
    assert prose_people("主席因故不能履行职务时，由副主席代为主持。") == []


RESOLUTION = """# 青山县人大常委会关于加强河道保护的决议

青山县人大常委会第九次会议听取了县政府的报告。为加强河道保护，特作如下决议：

一、各乡镇要落实河长责任，加强日常巡查。

二、加强对非法采砂的执法监督。

三、同意县政府提出的河道保护三年计划。
"""


def test_a_resolution_that_directs_decides_only_its_outcomes():
    doc = parse_text(RESOLUTION, "决议.md")
    (meeting,) = doc.records
    f = document_fields(doc)[meeting.index]
    decided = [p.text for p in meeting.paragraphs if f.roles.get(p.n) == DECISION]
    assert decided == ["三、同意县政府提出的河道保护三年计划。"]
    agreed = RESOLUTION.replace("特作如下决议", "会议议定事项如下")  # an agreed item keeps its directive
    doc = parse_text(agreed, "议定.md")
    f = document_fields(doc)[doc.records[0].index]
    assert len(f.roles) == 3


def test_a_promulgated_decision_decides_only_its_outcomes():
    text = RESOLUTION.replace("特作如下决议", "特作出如下决定").replace("二、加强对非法采砂的执法监督。", "二、本决定自公布之日起施行。")
    doc = parse_text(text, "决定.md")
    f = document_fields(doc)[doc.records[0].index]
    decided = [p.text for p in doc.records[0].paragraphs if f.roles.get(p.n) == DECISION]
    assert decided == ["三、同意县政府提出的河道保护三年计划。"]


def test_consent_given_and_consent_a_rule_asks_for():
    assert stated_outcome("已与各厂商对齐一致同意发布新版本") == DECISION
    assert stated_outcome("未经有利害关系的业主一致同意，不得改变房屋用途。") is None
    assert stated_outcome("除经全体合伙人一致同意外，合伙人不得同本企业交易。") is None


AGENDA = """# 技术委员会例会

主持人：韩冬

议题：

1. 开场致辞        9:00~9:05        5min        周海燕
2. 文档工作组申请与介绍 李凯/方远结论：同意成立文档工作组
3. 双内核支持 王一鸣-- 胡峰：建议先写设计文档
4. Rust toolchain update        30min        Edward Tan
5. 版本发布 计划
"""


def test_presenters_written_at_the_end_of_agenda_lines():
    doc = parse_text(AGENDA, "例会.md")
    f = document_fields(doc)[doc.records[0].index]
    # 计划 is no name; 胡峰 commented on item 3 (`-- 胡峰：…`)
    assert f.people["presenters"] == ["周海燕", "李凯", "方远", "王一鸣", "胡峰", "Edward Tan"]


DISCUSSION = """# 技术委员会例会

主持人：韩冬

## Discussion Items

- 工作组与项目组的归属还不清楚，下次会议给出方案 @李凯
- 当前模板还缺失，整理后发给大家 @dev_x7
- 12月份举办开发者沙龙，下周继续讨论议程
- 0.9版本的安全测试已经启动
- 会议要求各组下周提交测试报告
"""


def test_action_sentences_in_discussion_lists():
    meeting, f = only_meeting(DISCUSSION, "例会.md")
    marked = {p.text: f.roles.get(p.n) for p in meeting.paragraphs}
    assert [t for t, role in marked.items() if role == "action"] == [
        "工作组与项目组的归属还不清楚，下次会议给出方案 @李凯", "当前模板还缺失，整理后发给大家 @dev_x7",
        "12月份举办开发者沙龙，下周继续讨论议程"]  # progress is none; a directive is none
    assert {o for i in f.items for o in i.owners} >= {"李凯"}


def test_a_rule_run_together_by_conversion_is_still_a_rule():
    text = ("# 某市政府常务会议议事规则\n\n《议事规则》已经市政府第9次常务会议审议通过，现予印发。第一条 为规范会议，制定本规则。"
            "第二条 会议由市长主持。第三条 会议决定的事项由办公室督办。\n")
    doc = parse_text(text, "规则.md")
    f = document_fields(doc)[doc.records[0].index]
    assert f.roles == {} and f.persons() == []


def test_commenters_and_a_recorder_in_prose():
    assert prose_people("会议由韩冬主持，李凯记录。") == [("host", ["韩冬"]), ("recorder", ["李凯"])]
    assert prose_people("讨论了发布计划。\n-- 韩冬：建议推迟一周。\n-- dev_x7: +1") == [("presenters", ["韩冬", "dev_x7"])]
    assert prose_people("讨论了发布计划。-- 韩冬：建议推迟一周。") == [("presenters", ["韩冬"])]  # run into one line
    assert prose_people("-- 结论：下周再议。") == []  # a label, no one
    assert prose_people("请做好记录。") == [] and prose_people("会议记录。") == []


def test_a_page_comment_is_no_commenter():
    assert prose_people("<!-- source: https://example.org/page -->") == []
    assert prose_people("会议结束。<!-- source: https://example.org/page -->") == []


def test_a_latin_name_before_a_label_run_into_it():
    text = "# 架构例会\n\n**议题2、新增开源仓**  \n汇报人：Ann Lee  \n会议结论：  \n1、同意新增。\n"
    doc = parse_text(text, "例会.md")
    assert document_fields(doc)[doc.records[0].index].people["presenters"] == ["Ann Lee"]


def test_who_brings_an_item_after_dashes():
    assert prose_people("2、某sig小组申请汇报--段古纳（某单位）；3、成立SIG决策；---刘哲--反对：0--同意：14") == [
        ("presenters", ["段古纳", "刘哲"])]
    assert prose_people("5、CVE功能  ---赵艳珍/罗钰凯--遗留问题1：流程？") == [("presenters", ["赵艳珍", "罗钰凯"])]
    assert prose_people("8、新增仓 --- 宋彦岭9、捐赠") == [("presenters", ["宋彦岭"])]
    assert prose_people("- Compiler -- 毕昇JDK-21 积累 PR 多。") == []  # a product
    assert prose_people("发展——金融，改革——安全。") == [] and prose_people("议题 --安全") == []


def test_who_opens_a_sentence_by_presenting():
    """A linked name reads as its text (`[陈晨](https://…)分享了…` -> `陈晨分享了…`)."""
    assert prose_people("李华、dev-zhao 分别做了自我介绍。") == [("presenters", ["李华", "dev-zhao"])]
    assert prose_people("陈晨分享了算子开发的经验。") == [("presenters", ["陈晨"])]
    assert prose_people("王小明老师分享了经验。") == [("presenters", ["王小明"])]
    for words in ("林业局汇报了工作。", "项目组介绍了进展。", "Kitex 介绍了新特性。", "会议介绍了情况。", "张家港分享了经验。",
                  "大家分别做了自我介绍。", "开发者介绍了用法。", "王局长汇报了工作。"):
        assert prose_people(words) == [], words


def test_a_rotating_host_is_the_host():
    for text in ("本次会议由轮值主持人王小明（[xmwang](https://github.com/xmwang)）主持。", "本次会议由轮值主席王小明主持。"):
        assert prose_people(text) == [("host", ["王小明"])], text


def test_a_mentioned_display_name_is_a_person_whatever_its_surname():
    meeting, f = only_meeting("# 周报第12期\n\n主持：@阿强\n\n出席：@阿强 @小美 @老王 @Tony\n\n请假：@所有人\n\n讨论。\n", "x.md")
    assert f.persons() == ["阿强", "小美", "老王", "Tony"]


def test_attendees_listed_after_their_count():
    assert prose_people("本次会议共有5人参加，包括张三、李四、王五。") == [("attendees", ["张三", "李四", "王五"])]
    assert prose_people("参会的有张三、李四和alice-w。") == [("attendees", ["张三", "李四", "alice-w"])]
    for words in ("出席会议的有各乡镇负责人、县直各部门主要负责人。", "参加会议的有关单位包括县林业局、县水利局。",
                  "本次会议共有12名成员参会，由来自全国各地的贡献者组成。"):
        assert prose_people(words) == [], words


def test_outcomes_written_as_sentences_of_many_shapes():
    decided = ["会议研究了春季造林工作，同意县林业局提出的实施方案。", "经会议研究，同意成立工作专班。", "会议通过了2023年工作计划。",
               "投票结果：赞成7票，反对0票，弃权1票，议案通过。", "达成共识：下个版本移除旧接口。", "会议确定了下一阶段的工作重点。",
               "PMC同意该项目进入孵化阶段。", "TC投票通过了该提案。", "该提案获得通过。", "会议明确，由县住建局负责项目推进。",
               "会议决定：免去张三的职务。", "该议题暂缓讨论。", "Approved: the new logo.", "Agreed to move the meeting to Thursday.",
               "The TSC voted to accept the proposal.", "The meeting approved the budget.", "该方案经讨论通过。",
               "经全体委员表决，一致通过。", "会议审议并原则通过县城乡供水一体化实施方案。", "会议研究同意了县财政局关于追加预算的请示。",
               "会议同意县教育局提出的意见。"]
    for text in decided:
        assert stated_outcome(text) == DECISION, text
    for text in ("会议要求，各单位要加强安全生产。", "会议通过视频形式召开。", "会议明确要求各单位加强管理。", "会议指出，同意的意见要落实。",
                 "会议强调，要认真贯彻落实。", "I agreed with him.", "本办法经市政府常务会议审议通过，自公布之日起施行。"):
        assert stated_outcome(text) is None, text


def test_an_item_of_a_task_list_is_an_action():
    assert stated_action("[ ] 李四 提交 PR") == ACTION and stated_action("- [x] 王五 修复文档") == ACTION
    assert stated_action("[链接](https://example.org) 见附件") is None


def test_outcomes_not_reached_or_reached_elsewhere():
    for text in ("对调解后仍未达成一致的问题，由计量局主持仲裁。", "确保省人大一次会议确定的发展目标的实现。", "双方没有达成共识。",
                 "会议听取了上次会议议定事项落实情况的汇报。"):
        assert stated_outcome(text) is None, text


def test_a_host_with_offices_before_and_a_courtesy_after():
    assert prose_people("会议由区委副书记、区长王大明同志主持。") == [("host", ["王大明"])]


def test_who_speaks_at_a_lines_start_before_a_colon():
    lined = "1. 工具链SIG合并的结果？\n    孙小萌\\葛明远: 已咨询两个SIG，同意合并\n2. 默认开启PAC？\n    贺文涛：\n1）有性能影响"
    assert prose_people(lined.replace("\n", ""), lined) == [("presenters", ["孙小萌", "葛明远", "贺文涛"])]
    for line in ("纪要人：孙小萌", "王总：同意", "投票结果：同意14", "高度重视：各单位", "结论：下周再议", "另：邮件退信"):
        assert prose_people(line, line) == [], line  # a label, how a speaker is called, words


def test_who_brings_an_item_at_its_lines_end():
    lined = "3. 双内核测试进展、发布件评审 -  葛明远 \n下一次会议闭环\n7、项目创建申请(sig-hpc); --- 孙小萌\n项目简介"
    assert prose_people(lined.replace("\n", ""), lined) == [("presenters", ["孙小萌", "葛明远"])]
    for line in ("版本 2023 - 2024", "议题 - 讨论", "第二阶段 - 试运行"):
        assert prose_people(line, line) == [], line


LINES_RUN = """# 技术委员会例会

议题：
1、开场致辞        9:00-9:15        15min        周海燕
2、新型软件包分享     15:00~15:30   30min     吴一凡/段晓鹏
3、发布件评审 -  葛明远
下一次会议闭环
"""


def test_presenters_on_lines_written_without_blank_lines_between():
    _, f = only_meeting(LINES_RUN, "例会.md")
    assert f.people["presenters"] == ["周海燕", "吴一凡", "段晓鹏", "葛明远"]


def test_a_vote_recorded_and_a_deadline_written_short():
    assert stated_outcome("2) 工作组表决:  通过") == DECISION and stated_outcome("表决：未通过") is None
    assert stated_outcome("-- 会议上赞同该项目放在SBC工作组下") == DECISION
    assert stated_outcome("会议以举手表决的方式通过了大会议程；通过了主席团名单") == DECISION
    assert stated_outcome("大会以无记名投票方式选举产生主席团。") is None  # an election: its result is no decision
    assert stated_action("研讨版本的演进周期 -- 25年6月前有结论") == ACTION
    assert stated_action("样例收集，最晚要求3.15之前开发完。") == ACTION
    assert stated_action("应当在6月底前完成") is None  # a rule


SPOKEN = """# 国密工作组例会

## 维护者更新

- Sam: java-gm readme pr
- Sam: 私钥导出格式确认
- 1. 桂军：代码需要 rebase
- kelvin_w: 我们现在用的单证书
- Typo: 图中的版本号应该是24.03
- Demonstration: automated deploy on metal
- repo: https://example.org/fabric

## 议题

1. @zhaoxm gmssl-go 贡献到上游
"""


def test_who_said_what_in_latin_letters_where_a_meeting_is_written_so():
    _, f = only_meeting(SPOKEN, "例会.md")
    # Sam speaks twice; an account is followed by Chinese; Typo, Demonstration and repo are labels
    assert sorted(f.people["presenters"]) == sorted(["桂军", "Sam", "kelvin_w", "zhaoxm"])


def test_one_latin_line_is_no_discussion():
    _, f = only_meeting("# 例会\n\n- kelvin_w: 我们现在用的单证书\n", "例会.md")
    assert f.persons() == []


def test_an_outcome_a_form_records_in_a_table_row():
    text = ("# 超大变更例外申请\n\n### 一、基本信息\n\n| 标题 | 资源中心优化 |\n|---|---|\n| 申请人 | 王超 |\n\n"
            "### 四、评审结论\n\n| 会议时间 | 2025年7月7日 |\n|---|---|\n| 参与committer | 陈琛/胡正超/陈栋 |\n"
            "| 会议结论 | 通过 |\n")
    doc = parse_text(text, "MR1.md")
    (meeting,) = doc.records
    f = document_fields(doc)[meeting.index]
    assert f.people["attendees"] == ["陈琛", "胡正超", "陈栋"]
    assert [i.text for i in f.items] == ["通过"] and list(f.roles.values()) == [DECISION]
    from archive.extract.annotate import annotate
    d = annotate(doc).records[0].date
    assert (d.year, d.month, d.day) == (2025, 7, 7)  # the form's meeting time, at its end


def test_what_a_meeting_shelved_and_work_left_to_do_inline():
    for text in ("2. mesh暂时搁置；", "**[暂缓]** 桌面图像界面的支持", "6. **[延迟到11月]** 演示图形界面", "该方案暂缓实施。"):
        assert stated_outcome(text) == DECISION, text
    for text in ("不得搁置群众诉求。", "各单位要防止工作搁置。", "避免项目长期搁置。"):
        assert stated_outcome(text) is None, text  # a directive or a rule
    assert stated_action("David: TODO review PR#14") == ACTION and stated_action("TODO：联系赞助方") == ACTION
    assert stated_action("讨论了TODOList组件的设计") is None


def test_the_items_of_a_plan_for_the_weeks_to_come_are_actions():
    meeting, f = only_meeting("# SIG双周报\n\n## 本期进展\n\n1. 完成构建\n\n## 未来两周计划\n\n1. 建立构建状态跟踪表格\n", "周报.md")
    assert [p.text for p in meeting.paragraphs if f.roles.get(p.n) == ACTION] == ["建立构建状态跟踪表格"]


def test_hosts_named_so_that_a_place_word_might_swallow_them():
    assert prose_people("4月8日上午,区委副书记、区长于晓东主持召开区政府第4次常务会议,研究部署了防汛工作。") == [
        ("host", ["于晓东"])]  # 于 a surname, not `于区政府`
    assert prose_people("3月24日,县长张中于在县政务服务中心会议室主持召开县政府第21次常务会议。") == [("host", ["张中于"])]
    assert prose_people("6月17日,副区长张超在区政府一号楼三楼会议室主持召开区政府第9次常务会议。") == [("host", ["张超"])]
    assert prose_people("王立新副校长主持了会议。") == [("host", ["王立新"])]  # the office after the name
    assert prose_people("会议于3月召开。") == [] and prose_people("县长在会议室主持召开会议。") == []


def test_office_holders_who_spoke_as_a_report_tells_it():
    assert prose_people("会上,教研室主任叶一新首先就本学期工作作了相关布置和说明。") == [("presenters", ["叶一新"])]
    assert prose_people("局党组书记、局长吴一荣肯定了去年的工作。") == [("presenters", ["吴一荣"])]
    assert prose_people("最后,支部书记侯一同志对新党员提出了希望。") == [("presenters", ["侯一"])]
    for text in ("会议传达学习了习近平总书记重要讲话精神。", "国家主席习近平强调，要坚持。", "各部门负责人对工作提出了意见。",
                 "区委书记对下一步工作提出要求。", "会议强调，要抓好落实。"):
        assert prose_people(text) == [], text


def test_attendees_listed_then_someone_unnamed():
    assert prose_people("参加此次会议的有祝一宠、顾一昊、童一献，还有一位同学。") == [("attendees", ["祝一宠", "顾一昊", "童一献"])]
    assert prose_people("参加会议的有各部门负责人，还有一位同学。") == []


def test_a_council_member_who_moves_a_motion():
    assert prose_people("庄一伟理事动议“设立重大事项讨论规则”，会议一致同意。") == [("presenters", ["庄一伟"])]
    assert prose_people("会议提议下次再议。") == [] and prose_people("理事会动议设立工作组。") == []


def test_work_given_to_an_owner_and_a_decision_taken_after_discussion():
    assert stated_action("由张一三负责联系赞助方。") == ACTION
    assert stated_action("请县住建局牵头，各乡镇配合，6月底前完成。") == ACTION
    assert stated_action("kelvin_w 牵头整理发布清单") == ACTION
    for text in ("应当由县政府负责。", "会议要求，由各部门负责落实。", "负责人：张三", "项目组负责联系。",
                 "审结的案件，由人民法庭负责执行。", "工作人员由于严重不负责任，造成损失的"):  # rules: no time set
        assert stated_action(text) is None, text
    assert stated_outcome("经会议讨论决定评选晁一倩为本年度开源之星。") == DECISION
    assert stated_outcome("常务会议讨论决定区政府工作中的重大问题。") is None  # what such a meeting does


def test_labels_of_what_was_concluded_and_what_is_to_be_done():
    meeting, f = only_meeting("# 工作会议\n\n讨论结果：方案可行，下周确认细节。\n\n需做：多找演讲者。\n", "会议.md")
    assert [(i.kind, i.text) for i in f.items] == [(DECISION, "方案可行，下周确认细节。"), (ACTION, "多找演讲者。")]


def test_a_section_headed_by_what_was_decided():
    text = ("# 某县人民政府第5次常务会议纪要\n\n3月2日，县长张一三主持召开县政府第5次常务会议。\n\n"
            "一、审议并原则通过《某县老旧小区改造实施方案》\n\n会议指出，要抓好落实。\n\n"
            "二、研究同意县教育局关于学校建设的请示\n\n会议要求，各部门要配合。\n\n三、关于防汛工作\n\n会议听取了汇报。\n")
    meeting, f = only_meeting(text, "纪要.md")
    assert [p.text for p in meeting.paragraphs if f.roles.get(p.n) == DECISION] == [
        "一、审议并原则通过《某县老旧小区改造实施方案》", "二、研究同意县教育局关于学校建设的请示"]
