"""Meeting header fields, people, places, decisions and open items (archive.extract.fields).

On minutes of our own in the styles of formal 纪要 (a county government's standing meeting, a
village committee's record, a board resolution, a Word-style header table), on the community
minutes of the shared corpus (the true values read off each file with simple patterns of their
own), and on the sample corpus, whose speeches must not grow fields.
"""

import re
import time
from pathlib import Path

import pytest

from archive.extract.fields import (ACTION, DECISION, ONLINE, document_fields, meeting_fields, person_key,
                                    place_of, split_people, title_place, vocabulary)
from archive.extract.annotate import annotate
from archive.extract.regions import default_extractor
from archive.ingest import load, parse_text

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "corpus"
COMMUNITY = ROOT.parent / "shared" / "corpora" / "community-minutes"
needs_community = pytest.mark.skipif(not COMMUNITY.is_dir(), reason="shared corpus not mounted")


def only_meeting(text: str, name: str = "纪要.md"):
    doc = parse_text(text, name)
    (meeting,) = doc.records
    return meeting, document_fields(doc)[meeting.index]


def texts_with(meeting, fields, role):
    return [p.text for p in meeting.paragraphs if fields.roles.get(p.n) == role]


# ---------------------------------------------------------------------------------------------
# Minutes of our own.

COUNTY = """# 清河县人民政府常务会议纪要

第12期

县人民政府办公室　　　　　　　　2024年3月8日

2024年3月6日上午，县长王志强主持召开县人民政府第十二次常务会议，研究春季农业生产、城区老旧小区改造等工作。现将会议议定事项纪要如下：

一、关于春季农业生产工作

会议听取了县农业农村局关于春季农业生产准备情况的汇报。会议要求，各乡镇要抓好春耕备耕，确保种子、化肥按时到位。

二、关于城区老旧小区改造项目

会议原则同意县住建局提出的改造方案，由县财政局统筹安排资金1200万元，6月底前完成招标。

三、关于2024年度财政预算调整事项

会议同意按程序提请县人大常委会审议。

出席：王志强、李建国、陈晓燕、赵明、孙立新

列席：县政府办公室主任周伟，县财政局局长吴刚，县住建局局长郑丽

请假：刘海涛（外出学习）

记录：冯小军
"""


def test_county_standing_meeting():
    meeting, f = only_meeting(COUNTY)
    assert f.people["attendees"] == ["王志强", "李建国", "陈晓燕", "赵明", "孙立新"]
    assert f.people["observers"] == ["周伟", "吴刚", "郑丽"]  # titles and offices dropped
    assert f.people["absent"] == ["刘海涛"]
    assert f.people["recorder"] == ["冯小军"]
    assert f.fields["observers"].startswith("县政府办公室主任周伟")  # the text as written
    assert f.people["host"] == ["王志强"] and f.place is None  # `县长王志强主持召开…`: the host, said in prose
    decisions = texts_with(meeting, f, DECISION)
    assert decisions[0] == "一、关于春季农业生产工作" and decisions[-1] == "会议同意按程序提请县人大常委会审议。"
    assert len(decisions) == 6  # the three numbered items and what is said under each
    assert not any(t.startswith(("出席", "列席", "请假", "记录", "2024年3月6日")) for t in decisions)
    assert [i.due for i in f.items if i.due] == ["6月底前"]


VILLAGE = """# 清水村村民委员会会议记录

时间：2024年4月2日上午9时  地点：村委会二楼会议室  主持人：张建华  记录人：李秀英

参加人员：张建华、王德明、刘桂芳、陈国强、赵玉兰，村民代表12人

缺席人员：孙福生（病假）

会议议题：讨论春季植树造林任务分工；研究村内道路硬化项目

会议内容：

一、张建华传达了镇政府关于春季植树造林工作的通知精神，要求全村做好准备。

二、王德明介绍了村内道路硬化项目的初步方案，与会人员进行了讨论。

会议决定：

1. 植树造林任务按村民小组分片包干，4月15日前完成。
2. 道路硬化项目由王德明负责联系施工单位，4月底前报镇政府审批。

下一步工作：

1. 统计各组植树数量，责任人：刘桂芳，完成时间：4月20日
"""


def test_village_record_with_fields_on_one_line():
    meeting, f = only_meeting(VILLAGE)
    assert f.fields["time"] == "2024年4月2日上午9时"
    assert f.fields["place"] == f.place == "村委会二楼会议室"
    assert f.people["host"] == ["张建华"] and f.people["recorder"] == ["李秀英"]
    assert f.people["attendees"] == ["张建华", "王德明", "刘桂芳", "陈国强", "赵玉兰"]  # not 村民代表12人
    assert f.people["absent"] == ["孙福生"]
    assert f.fields["agenda"].startswith("讨论春季植树造林")
    assert texts_with(meeting, f, DECISION) == ["植树造林任务按村民小组分片包干，4月15日前完成。",
                                                "道路硬化项目由王德明负责联系施工单位，4月底前报镇政府审批。"]
    (action,) = [i for i in f.items if i.kind == ACTION]
    assert action.owners == ("刘桂芳",) and action.due == "4月20日" and f.roles[action.paragraph] == ACTION
    assert f.people["owners"] == ["刘桂芳"]
    assert not any(f.roles.get(p.n) for p in meeting.paragraphs if p.text.startswith(("一、", "二、")))


BOARD = """# 华信科技股份有限公司第三届董事会第八次会议决议

会议时间：2024年5月20日
会议地点：公司总部十二楼会议室（同时以视频会议方式召开）
会议主持：董事长陈志明
应到董事：7人，实到董事：6人
出席董事：陈志明、林晓东、黄丽华、郑国平、何志强、欧阳明
缺席董事：吴建新（委托林晓东代为表决）
列席人员：监事会主席许文，董事会秘书杨帆
记录人：杨帆

经与会董事审议，一致通过如下决议：

一、审议通过《关于2023年度董事会工作报告的议案》

表决结果：同意6票，反对0票，弃权0票。

二、审议通过《关于2024年度财务预算方案的议案》

表决结果：同意6票，反对0票，弃权0票。
"""


def test_board_resolution_with_lines_run_together():
    meeting, f = only_meeting(BOARD)
    assert meeting.paragraphs[0].text == meeting.title  # (the title is paragraph 1)
    assert len(meeting.paragraphs[1].text) > 100  # the header lines are one paragraph
    assert f.fields["time"] == "2024年5月20日"
    assert f.people["host"] == ["陈志明"] and f.fields["host"] == "董事长陈志明"
    assert f.people["attendees"] == ["陈志明", "林晓东", "黄丽华", "郑国平", "何志强", "欧阳明"]
    assert f.people["absent"] == ["吴建新"] and f.people["observers"] == ["许文", "杨帆"]
    assert f.place == "公司总部十二楼会议室（同时以视频会议方式召开）"  # a room, also on video: a place
    assert [p.text[:2] for p in meeting.paragraphs if f.roles.get(p.n) == DECISION] == ["一、", "表决", "二、", "表决"]
    assert f.persons()[0] == "陈志明"


TABLE = """# 2024年第一季度安全生产工作会议纪要

| 会议时间 | 会议地点 | 主持人 | 记录人 |
| --- | --- | --- | --- |
| 2024年3月28日 14:30 | 线上（腾讯会议） | 周立新 | 郑敏 |

| 参会人员 | 王强、刘洋、陈静、赵磊 |
| --- | --- |
| 请假人员 | 孙鹏 |

## 会议结论

1. 一季度未发生安全生产事故，各部门隐患整改率达到95%。
2. 二季度重点开展消防设施专项检查。

## 待办事项

| 事项 | 责任人 | 完成时间 |
| --- | --- | --- |
| 完成隐患排查台账 | 王强 | 4月10日 |
| 组织消防演练 | 刘洋 | 4月30日 |
"""


def test_word_style_tables():
    meeting, f = only_meeting(TABLE)
    assert f.fields["time"] == "2024年3月28日 14:30" and f.fields["place"] == "线上（腾讯会议）"
    assert f.place == ONLINE and f.online
    assert f.people["host"] == ["周立新"] and f.people["recorder"] == ["郑敏"]
    assert f.people["attendees"] == ["王强", "刘洋", "陈静", "赵磊"] and f.people["absent"] == ["孙鹏"]
    assert len(texts_with(meeting, f, DECISION)) == 2
    actions = [(i.owners, i.due) for i in f.items if i.kind == ACTION]
    assert actions == [(("王强",), "4月10日"), (("刘洋",), "4月30日")]


ACTIVITY = """# 第5次项目例会

会议时间：2024年6月3日 10:00
会议链接：https://meeting.tencent.com/dm/abcdefg
主持人：韩梅
下次会议主持人：李雷
与会人：韩梅、李雷、王芳

## 会议纪要

1. 下月举办开发者沙龙：

- 时间：7月20日
- 地点：杭州
- 主持人：待定

2. 文档翻译进度正常。
"""


def test_an_event_planned_in_the_minutes_is_not_the_meeting():
    meeting, f = only_meeting(ACTIVITY)
    assert f.fields["time"] == "2024年6月3日 10:00"
    assert f.place == ONLINE  # a meeting link, and 杭州 is the salon's
    assert f.people["host"] == ["韩梅"] and f.people["next_host"] == ["李雷"]
    assert "待定" not in f.persons()


def test_bilingual_labels_and_headings():
    text = """# SIG weekly meeting

Date 日期：2024-09-12
Time 时间：14:00-15:00
Location 地点：深圳 南山区科技园会议室B
Host 主持人：Zhang Wei

## Attendees - 参会人
- 刘慧玲（华为）
- [王超](https://gitee.com/wangchao)
- 胡光明@huguangming123
- Bhanu Soni
- 全体委员

## Action Items
- 完善设计文档 -- 刘慧玲
"""
    meeting, f = only_meeting(text)
    assert f.fields["date"] == "2024-09-12" and f.place == "深圳 南山区科技园会议室B"
    assert [r.key() for r in default_extractor().regions(f.place)] == ["广东省/深圳市/南山区"]
    assert f.people["host"] == ["Zhang Wei"]
    assert f.people["attendees"] == ["刘慧玲", "王超", "胡光明", "Bhanu Soni"]
    (item,) = f.items
    assert item.kind == ACTION and item.owners == ("刘慧玲",)


def test_labels_spread_out_or_in_brackets():
    text = """# 第三党支部委员会会议记录

时　　间：2024年7月1日
地　　点：支部活动室
主 持 人：刘建军
记 录 人：王丽
参会人员：刘建军 陈刚 赵敏 周涛
缺席人员：无

【会议议题】学习贯彻上级会议精神

【会议决定】下周开展主题党日活动。
"""
    meeting, f = only_meeting(text)
    assert f.fields["time"] == "2024年7月1日" and f.place == "支部活动室"
    assert f.people["host"] == ["刘建军"] and f.people["recorder"] == ["王丽"]
    assert f.people["attendees"] == ["刘建军", "陈刚", "赵敏", "周涛"] and "absent" not in f.people
    assert f.fields["agenda"] == "学习贯彻上级会议精神"
    assert [i.text for i in f.items] == ["下周开展主题党日活动。"]


def test_english_minutes():
    text = """# Project board meeting

Date: 12 March 2024

Location: Room 301, Building A

Chair: John Smith

Attendees: Jane Doe, Li Wei, Tom Brown

Apologies: Mary Jones

Minutes taker: Alan Lee

## Decisions
- The budget was approved.

## Action items
- Jane Doe to send the report by Friday.
"""
    meeting, f = only_meeting(text)
    assert f.fields["date"] == "12 March 2024" and f.place == "Room 301, Building A"
    assert f.people == {"host": ["John Smith"], "attendees": ["Jane Doe", "Li Wei", "Tom Brown"],
                        "absent": ["Mary Jones"], "recorder": ["Alan Lee"]}
    assert [(i.kind, i.text) for i in f.items] == [(DECISION, "The budget was approved."),
                                                   (ACTION, "Jane Doe to send the report by Friday.")]


# ---------------------------------------------------------------------------------------------
# The pieces.

@pytest.mark.parametrize("value, names", [
    ("刘恺、侯健，王志钢 / Satish;Bhanu Soni", ["刘恺", "侯健", "王志钢", "Satish", "Bhanu Soni"]),
    ("刘慧玲（华为）", ["刘慧玲"]), ("天津大学-高镇", ["高镇"]), ("[梁开祝-润开鸿]", ["梁开祝"]),
    ("胡光明@huguangming123", ["胡光明"]), ("[@dongjinguang](https://gitee.com/dongjinguang)", ["dongjinguang"]),
    ("索小聪<suoxiaocong@kylinos.cn>", ["索小聪"]), ("丁冀等104人", ["丁冀"]), ("何佳 Justin（Arm）", ["何佳"]),
    ("副县长李四、县财政局局长王五", ["李四", "王五"]), ("高镇老师", ["高镇"]), ("张三和李四", ["张三", "李四"]),
    ("欧阳明", ["欧阳明"]), ("王超（代组长周益）", ["王超"]), ("刘 恺", ["刘恺"]),
    ("全体委员", []), ("各部门负责人", []), ("议题相关人员", []), ("各厂商代表", []), ("无", []), ("略", []),
    ("TBD", []), ("@ALL", []), ("All", []), ("who", []), ("Name", []), ("村民代表12人", []),
    # An office of several words written before the name, with a space (Word and PDF forms).
    ("镇党委副书记 郑秋实", ["郑秋实"]), ("东村党支部委员 宁小禾", ["宁小禾"]), ("居民小组代表 尹青", ["尹青"]),
    ("街道办事处主任 路遥、区卫健局局长 符晴", ["路遥", "符晴"]), ("党支部书记、村主任 盛夏", ["盛夏"]),
    ("推选代表", []),
    # Accounts: @-mention runs, handles in a list, linked handles; a handle after a name is its alias.
    ("@周海燕@钱立@孙一鸣", ["周海燕", "钱立", "孙一鸣"]), ("@周海燕 @dev-kim @lee_99", ["周海燕", "dev-kim", "lee_99"]),
    ("ann-b, KarlW, dev_x7, Mei Lin", ["ann-b", "KarlW", "dev_x7", "Mei Lin"]),
    ("[kim-dev](https://example.org/kim-dev)、[@lee99](https://example.org/lee99)", ["kim-dev", "lee99"]),
    ("何小川@hexc01", ["何小川"]), ("何小川 @hexc01", ["何小川"]), ("Mei Lin @meil", ["Mei Lin"]),
    ("openEuler", []), ("v2.0", []), ("2024-05-01", []), ("@all", []),
    # A meeting app's nickname with the real name in brackets; a name and its Latin alias run together.
    ("Lydia(某某科技-刘一婷)", ["刘一婷"]), ("Jianyu Liu(刘建宇)", ["刘建宇"]), ("(刘锐鑫)", ["刘锐鑫"]),
    ("Alice(华为)", ["Alice"]), ("user_a(阿里)", ["user_a"]), ("Kevin(Kevin)", ["Kevin"]),
    ("孙炼Feline(孙炼Feline)", ["孙炼"]), ("韩冬Tony", ["韩冬"]), ("华为Cloud", []),
])
def test_split_people(value, names):
    assert split_people(value) == names


def test_split_people_in_a_sentence():
    # Lines that conversion ran together: the names end where the sentence begins.
    assert split_people("庾志辉（深信服）- 混沌工程能力中的模块后续会全部开源", leading=True) == ["庾志辉"]
    assert split_people("王建民2、为欧拉开源社区呈现的机器人原型机", leading=True) == ["王建民"]
    assert split_people("各厂商代表", leading=True) == []
    assert split_people("社区党委书记、居委会主任 钟言", leading=True) == ["钟言"]


def test_person_key():
    assert person_key("張燁（华为）") == person_key("张烨") == person_key("张 烨") == "张烨"
    assert person_key("Libu（华为）") == person_key("libu") == "libu"
    assert person_key("刘芷若    （信通院）") == person_key("[刘芷若](https://gitee.com/x)") == "刘芷若"
    assert person_key("全体委员") == person_key("无") == person_key("") == ""


@pytest.mark.parametrize("value, place", [
    ("北京 国家会议中心303A会议室", "北京 国家会议中心303A会议室"), ("线上（腾讯会议）", ONLINE), ("Zoom", ONLINE),
    ("腾讯会议（会议号：123 456 789）", ONLINE), ("https://welink-meeting.zoom.us/j/845826668", ONLINE),
    ("视频会议", ONLINE), ("Welink", ONLINE), ("县政府三楼会议室（视频会议主会场）", "县政府三楼会议室（视频会议主会场）"),
    ("北京线下+线上", "北京线下+线上"), ("无", None), ("", None),
])
def test_place_of(value, place):
    assert place_of(value) == place


@pytest.mark.parametrize("title, place", [
    ("2025/1/11 21:00-22:00 GMT+8  深圳", "深圳"), ("2025/2/26 14:15-16:00 北京线下+线上会议", "北京"),
    ("2024年3月1日 14:30 线上", ONLINE), ("DevBoard SIG例会 2025-07-31 14:00-18:10(UTC+08:00)Beijing", None),
    ("Oct 11, 2022 at 10:00am GMT+8", None), ("PMC 例会 2023-07-14", None), ("2021-8-11 会议纪要(Notes)", None),
])
def test_title_place(title, place):
    assert title_place(title) == place


# ---------------------------------------------------------------------------------------------
# The community minutes: true values read off the files.

HOST_LINE = re.compile(r"^\s*(?:Host\s*)?(?:会议)?主持(?:人)?\s*[:：]\s*(\S+)\s*$")
PLACE_LINE = re.compile(r"^\s*(?:Place\s*)?(?:会议)?地点\s*[:：]\s*(.+?)\s*$")
PARTICIPANTS_LINE = re.compile(r"^\s*(?:Participants\s*)?与会人\s*[:：]\s*(.+?)\s*$")
LINK_LINE = re.compile(r"会议链接|参会链接|Conference Bridge|Conference links|参会方式")
TITLE_WITH_PLACE = re.compile(r"^#\s+\d{4}/\d{1,2}/\d{1,2}\s+\d{1,2}:\d{2}-\d{1,2}:\d{2}\s+(?:GMT\+8\s+)?(\S+)\s*$")
NOT_PEOPLE = re.compile(r"人员|会议|议题|主持|负责|代表|相关|全体|纪要|结论|遗留|汇报|\d|@|http|^(?:All|who|Name|TBD)$")


@pytest.fixture(scope="module")
def community():
    """{file name: (raw lines, Document, {meeting index: MeetingFields})}, and the seconds the fields took."""
    out, spent = {}, 0.0
    for path in sorted(COMMUNITY.glob("*.md")):
        doc = load(path, COMMUNITY)
        start = time.perf_counter()
        found = document_fields(doc)
        spent += time.perf_counter() - start
        out[path.name] = (path.read_text(encoding="utf-8").splitlines(), doc, found)
    return out, spent


def records(entry):
    _lines, doc, found = entry
    return [(m, found[m.index]) for m in doc.records]


@needs_community
def test_community_hosts(community):
    files, _ = community
    hosts = {name: m.group(1) for name, (lines, _d, _f) in files.items()
             for m in map(HOST_LINE.match, lines) if m}
    assert len(hosts) >= 10
    for name, host in hosts.items():
        for _meeting, f in records(files[name]):
            assert f.people["host"] == [host], name
            assert host in f.persons(), name


@needs_community
def test_community_places(community):
    files, _ = community
    checked = {"place": 0, "online": 0, "title": 0, "none": 0}
    for name, entry in files.items():
        lines = entry[0]
        place = next((m.group(1) for m in map(PLACE_LINE.match, lines) if m), None)
        title = next((m.group(1) for m in map(TITLE_WITH_PLACE.match, lines) if m), None)
        for _meeting, f in records(entry):
            if place:
                assert f.place == place, name
                assert default_extractor().regions(f.place), name  # the gazetteer knows where
                checked["place"] += 1
            elif title:
                assert f.place and f.place in title and default_extractor().regions(f.place), name
                checked["title"] += 1
            elif any(LINK_LINE.search(line) for line in lines):
                assert f.place == ONLINE, name
                checked["online"] += 1
            else:
                assert f.place is None, name  # nothing says where: no guess
                checked["none"] += 1
    assert checked["place"] >= 4 and checked["online"] >= 15 and checked["title"] >= 3 and checked["none"] >= 10


@needs_community
def test_community_attendance(community):
    files, _ = community
    tables = lines_ = 0
    for name, entry in files.items():
        lines = entry[0]
        expected = []
        for i, line in enumerate(lines):
            if re.match(r"^\|\s*姓名\s*\|", line):  # an attendance table: 姓名 | 账号
                rows = [row for row in lines[i + 2:] if row.startswith("|")]
                for row in rows[:next((k for k, r in enumerate(lines[i + 2:]) if not r.startswith("|")), len(rows))]:
                    expected.append(row.strip("|").split("|")[0].strip())
                tables += 1
            m = PARTICIPANTS_LINE.match(line)
            if m:
                expected += [x.strip() for x in re.split("[、，,]", m.group(1)) if x.strip()]
                lines_ += 1
        expected = [x for x in expected if x != "议题相关人员"]
        for _meeting, f in records(entry) if expected else ():
            keys = {person_key(x) for x in f.people["attendees"]}
            assert {person_key(x) for x in expected} <= keys, name
            assert "议题相关人员" not in f.people["attendees"]
    assert tables >= 6 and lines_ >= 10


@needs_community
def test_community_no_false_people(community):
    files, _ = community
    everyone = handles = 0
    for name, entry in files.items():
        for _meeting, f in records(entry):
            for role, names in f.people.items():
                for person in names:
                    everyone += 1
                    if HANDLE.fullmatch(person) and written_as_handle(entry[0], person):
                        handles += 1  # an account in a list of people: its digits are its name's
                        continue
                    assert not NOT_PEOPLE.search(person), (name, role, person)
                    assert split_people(person) == [person] and person_key(person), (name, role, person)
                    assert vocabulary().label(person) is None, (name, role, person)
    assert everyone > 500 and handles < everyone // 20


HANDLE = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]+")


def written_as_handle(lines: list[str], person: str) -> bool:
    """`@x`, `[x](…)` or a list item that is only the account, with a link or an affiliation after it."""
    shape = re.compile(rf"@{re.escape(person)}\b|\[@?{re.escape(person)}\]\(|^\s*[-*]\s*{re.escape(person)}\s*[(（]")
    return any(shape.search(line) for line in lines)


@needs_community
def test_community_decisions_and_open_items(community):
    files, _ = community
    decisions = actions = 0
    for name, entry in files.items():
        for meeting, f in records(entry):
            items = {(i.kind, i.paragraph) for i in f.items}
            label = None
            for p in meeting.paragraphs:
                text = p.text
                if re.match(r"^(?:会议决策|会议结论|结论)\s*[:：]\s*[^\s无]", text):
                    assert f.roles.get(p.n) == DECISION and (DECISION, p.n) in items, (name, text)
                    decisions += 1
                for m in re.finditer(r"遗留问题\s*[:：]\s*(\S)", text):
                    if m.group(1) != "无":
                        assert (ACTION, p.n) in items, (name, text)
                        actions += 1
                if p.is_heading:  # `#### 会议结论：` / `#### 遗留问题：` over their items
                    label = {"会议结论：": DECISION, "遗留问题：": ACTION}.get(text)
                elif label and text not in ("无。", "无"):
                    assert f.roles.get(p.n) == label, (name, text)
                    decisions, actions = decisions + (label == DECISION), actions + (label == ACTION)
    assert decisions >= 15 and actions >= 15, (decisions, actions)


@needs_community
def test_community_fields_are_fast(community):
    files, spent = community
    size = sum((COMMUNITY / name).stat().st_size for name in files)
    assert spent < 1.0, f"{spent:.2f} s for {size / 1e6:.1f} MB"


def test_sample_corpus_has_no_fields():
    """Speeches with no header: no field and no place is made up; only people their sentences name
    (`区长成少平主持会议`), never a place that convenes (`某某区召开…`)."""
    for path in SAMPLE.glob("*.md"):
        doc = load(path, SAMPLE)
        for meeting in doc.meetings:
            f = meeting_fields(meeting)
            assert f.fields == {} and f.place is None, meeting.title
            names = [x for names in f.people.values() for x in names]
            assert not [x for x in names if re.search("[省市区县镇乡]$", x)], meeting.title


def test_bilingual_people_heading_and_names_run_on_into_their_latin_form():
    text = "# 研讨会\n\n## 参会人员 Attendees\n\n1. 孟秋（某研究院）Qiu Meng (Institute)\n1. 白露（某公司） Lu Bai (Co)\n"
    _meeting, f = only_meeting(text)
    assert f.people["attendees"] == ["孟秋", "白露"]


def test_a_name_with_its_reading_whatever_the_surname():
    assert split_people("旷旭卿（腾讯） XQ Kuang (Tencent)、木轶（阿里巴巴） Yi Mu (Alibaba)") == ["旷旭卿", "木轶"]
    assert split_people("开发者 Nagesh Rao") == [] and split_people("旷旭卿") == []  # a word; no reading
    assert person_key("旷旭卿") == "旷旭卿" and person_key("开发者") == ""


@pytest.mark.parametrize("text, people", [
    ("参会：@张三 @李四", ["张三", "李四"]),
    ("与会：王五、赵六", ["王五", "赵六"]),
    ("参与者：alice, bob-k", ["alice", "bob-k"]),
    ("未出席：钱七", ["钱七"]),
    ("旁听：孙八", ["孙八"]),
    ("参会：线上", []),
    ("参会人数：12人", []),
])
def test_short_people_labels(text, people):
    doc = annotate(parse_text(f"# 周会\n\n参会方式：腾讯会议\n\n{text}\n\n讨论了发布计划。\n", "x.md"))
    assert doc.records[0].fields.persons() == people


@pytest.mark.parametrize("lines, people", [
    ("参会人员：\n张三\n李四\n王五", ["张三", "李四", "王五"]),  # one a line, no blank lines: one paragraph
    ("参会人员\n张三\n李四", ["张三", "李四"]),
    ("参会人员：张三、李四\n王五、赵六", ["张三", "李四", "王五", "赵六"]),
    ("## 参会人员\n\n张三\n李四\n王五", ["张三", "李四", "王五"]),
    ("主持人：张三\n记录人：李四", ["张三", "李四"]),
    ("5. 某项目申请    汇报人：\n索小聪<suo@example.cn>\n- 安全相关的工作", ["索小聪"]),
])
def test_people_written_one_a_line_do_not_run_together(lines, people):
    doc = parse_text(f"# 周会\n\n{lines}\n\n讨论了发布计划。\n", "x.md")
    assert any(p.breaks for p in doc.records[0].paragraphs)  # (one paragraph that knows where its lines start)
    assert document_fields(doc)[1].persons() == people


def test_a_nickname_table_gives_the_real_names_where_it_has_them():
    doc = parse_text("# 周会\n\n## 参会人员\n\n| 昵称 | 真实姓名 |\n|---|---|\n| 阿飞 | 王飞 |\n| 小鱼 | 于小雨 |\n"
                     "| 阿强 |  |\n\n## 议题\n\n讨论了发布计划。\n", "x.md")
    assert document_fields(doc)[1].persons() == ["王飞", "于小雨", "阿强"]


def test_an_at_mention_of_words_is_a_display_name():
    assert split_people("@YangRui @felix99 @li_ming @Zhang San") == ["YangRui", "felix99", "li_ming", "Zhang San"]
    assert split_people("@The Team") == []


@pytest.mark.parametrize("text, name", [
    ("县政府党组成员刘洋", "刘洋"), ("四级调研员马丽", "马丽"), ("区政府二级巡视员韩梅", "韩梅"), ("县人民检察院检察长郑直", "郑直"),
])
def test_offices_of_county_government_before_a_name(text, name):
    assert split_people(text) == [name]


def test_a_label_on_a_line_of_its_own_then_its_list():
    meeting, f = only_meeting("# 圆桌会议\n\n会议嘉宾\n\n- David Liu\n- 同济：陈一序\n- 北大: 关一志\n\n讨论了国密支持。\n")
    assert f.people["attendees"] == ["David Liu", "陈一序", "关一志"]  # (an organisation before a guest: not a name)
    meeting, f = only_meeting("# 例会\n\n会议结论\n\n1. 同意发布1.0版本\n2. 下周再议路线图\n")
    assert [p.text for p in meeting.paragraphs if f.roles.get(p.n) == DECISION] == ["同意发布1.0版本", "下周再议路线图"]


def test_labels_in_traditional_script_and_values_that_end_with_their_line():
    meeting, f = only_meeting("# 20200902 小黑客松\n\n時間：2020/09/02 週三 19:00-21:00\n地點：社會創新實驗中心\n"
                              "出席：陳雨蒼、楊皓勻、tmonk\n線上組：isabel\nWifi：PDIS_Public_5G/ji394pdis\n\n"
                              "主持人(facilitator)：\nTranslation：English\n\n討論了預算。\n")
    assert f.fields["time"] == "2020/09/02 週三 19:00-21:00" and f.place == "社會創新實驗中心"
    assert f.people["attendees"] == ["陳雨蒼", "楊皓勻", "tmonk"]  # as written; the next line's field ends the list
    assert "host" not in f.people  # an empty label, and the next line is another field
    meeting, f = only_meeting("# 例会\n\n结论：\n同意成立程序分析SIG：\n1、建议和其他SIG协同。\n")
    assert [i.text for i in f.items][:1] == ["同意成立程序分析SIG：1、建议和其他SIG协同。"]  # a list's lead, no field


def test_who_has_already_sent_apologies():
    meeting, f = only_meeting("# 2024/6 TC 例会\n\n## 参会人员：\n\n- BLumia\n- pitt\n\n### 已请假人员：\n\n"
                              "(如果你请过假但参会了，记得删掉下面的名字)\n\n- zccrs\n- ony\n")
    assert f.people["attendees"] == ["BLumia", "pitt"] and f.people["absent"] == ["zccrs", "ony"]
