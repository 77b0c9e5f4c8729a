"""The date forms real Chinese and English-Chinese minutes write, each in minutes written here
(a village 会议记录, a 常务会议 report on a web page, community meeting notes), read end to end."""

import pytest

from archive.extract.annotate import annotate
from archive.extract.dates import find_dates, path_date
from archive.ingest import parse_text

BODY = "\n\n参加人员：张三、李四\n\n会议讨论了春耕工作安排。\n"


def ymd(d):
    return None if d is None else (d.year, d.month, d.day)


def meeting_date(text, source="x.md"):
    return ymd(annotate(parse_text(text, source)).records[0].date)


@pytest.mark.parametrize("header, want", [
    ("时间：二〇二〇年三月二日", (2020, 3, 2)),
    ("时间：二○二三年十二月二十五日", (2023, 12, 25)),  # ○ for 〇
    ("时间：二〇二三年元月廿五日", (2023, 1, 25)),
    ("时间：２０２３年３月２日", (2023, 3, 2)),
    ("时间：2023.3.2", (2023, 3, 2)),
    ("时间：2023/03/02", (2023, 3, 2)),
    ("时间：2023-3-2", (2023, 3, 2)),
    ("时间：20230302", (2023, 3, 2)),
    ("时间：2023年3月2日(星期四)", (2023, 3, 2)),
    ("时间：2023年3月2日【星期四】下午", (2023, 3, 2)),
    ("时间：2023年3月2日［周四］下午", (2023, 3, 2)),
    ("时间：2023年3月2-3日", (2023, 3, 2)),
    ("2023年3月2日至3日，村委会召开会议。", (2023, 3, 2)),
    ("2023年3月2-3日，村委会召开会议。", (2023, 3, 2)),
    ("会议时间：2023年3月2日 14:30-16:00", (2023, 3, 2)),
    ("日期：2023年3月2日", (2023, 3, 2)),
    ("开会时间：2023年3月2日", (2023, 3, 2)),
    ("召开时间：2023年3月2日", (2023, 3, 2)),
    ("**时间**：2023年3月2日 14:30-16:00", (2023, 3, 2)),
    ("**会议时间：** 2023年3月2日 14:30", (2023, 3, 2)),
    ("| 会议时间 | 2023年3月2日 14:30-16:00 |\n|---|---|\n| 地点 | 村委会议室 |", (2023, 3, 2)),
    ("Date: March 2, 2023", (2023, 3, 2)),
    ("Date: 2 March 2023", (2023, 3, 2)),
    ("Date: Mar 2nd, 2023", (2023, 3, 2)),
    ("Meeting date: 2023-03-02 (Thu)", (2023, 3, 2)),
    ("When: 2023-03-02 14:30", (2023, 3, 2)),
])
def test_header_forms(header, want):
    assert meeting_date(f"# 村委会会议记录\n\n{header}{BODY}") == want


@pytest.mark.parametrize("header, want", [
    ("时间：3月2日（周四）下午", (2023, 3, 2)),
    ("时间：3月2日至3日", (2023, 3, 2)),
    ("3月2日至3日，村委会召开会议。", (2023, 3, 2)),
    ("元月5日上午，村委会召开会议。", (2023, 1, 5)),
])
def test_month_day_forms_take_the_titles_year(header, want):
    assert meeting_date(f"# 2023年村委会会议记录\n\n{header}{BODY}") == want


def test_a_first_heading_and_a_file_name():
    assert meeting_date(f"## 2023-03-02 weekly sync{BODY}") == (2023, 3, 2)
    assert meeting_date(f"# 村委会会议记录\n\n会议内容{BODY}", "20230302_会议记录.md") == (2023, 3, 2)


@pytest.mark.parametrize("opening, want", [
    ("发布时间：2023-03-10\n\n3月2日，区政府召开常务会议。", (2023, 3, 2)),
    ("发布日期：2023-01-05\n\n12月28日，区政府召开常务会议。", (2022, 12, 28)),  # a later month: the year before
    ("来源：区政府办 2023-03-10\n\n3月2日，区政府召开常务会议。", (2023, 3, 2)),
    ("发布时间：2023-03-10 来源：区政府办\n\n3月2日上午，区政府召开常务会议。", (2023, 3, 2)),
    ("发布时间：2023-03-10\n\n2022年12月2日，区政府召开常务会议。", (2022, 12, 2)),  # its own day wins
])
def test_a_publication_date_is_not_the_meetings(opening, want):
    assert meeting_date(f"# 区政府常务会议\n\n{opening}{BODY}") == want


@pytest.mark.parametrize("header", ["时间：20xx年x月x日", "时间：XXXX年XX月XX日", "时间：XXXX年", "时间：    年  月  日"])
def test_placeholders_give_no_date(header):
    assert meeting_date(f"# 会议记录\n\n{header}{BODY}") is None


@pytest.mark.parametrize("text, want", [
    ("三月二至三日", [(None, 3, 2)]),
    ("元月5日上午", [(None, 1, 5)]),
    ("二〇二三年元月", [(2023, 1, None)]),
    ("1000美元月薪", []),  # 元月 with no year and no day is a word
    ("工资500元月", []),
])
def test_spans_and_january(text, want):
    assert [ymd(d) for d in find_dates(text)] == want


@pytest.mark.parametrize("title, source, want", [
    ("1954年政府工作报告", "x.md", (1954, None, None)),
    ("2023年国务院政府工作报告", "x.md", (2023, None, None)),
    ("政府工作报告", "1992_050_政府工作报告.md", (1992, None, None)),
    ("2023年度工作总结会议", "x.md", None),  # a year's review may be held the next year
    ("1990年代的回顾", "x.md", None),
])
def test_a_report_titled_by_its_year_is_dated_to_the_year(title, source, want):
    doc = annotate(parse_text(f"# {title}\n\n各位代表：\n\n我代表政府向大会报告工作。\n", source))
    assert meeting_date(f"# {title}\n\n各位代表：\n\n我代表政府向大会报告工作。\n", source) == want
    assert all(ymd(p.date) == want for p in doc.records[0].paragraphs)  # the timeline counts each paragraph


def test_a_year_titled_meeting_still_takes_its_day():
    assert meeting_date(f"# 2023年第一次村民代表会议\n\n时间：3月2日{BODY}") == (2023, 3, 2)


@pytest.mark.parametrize("flat, nested", [
    ("repo__meetings__2021__3月15日例会.md", "repo/meetings/2021/3月15日例会.md"),
    ("repo__202011__05-11-2020 Meeting.md", "repo/202011/05-11-2020 Meeting.md"),
    ("repo__2022__周会 4.8.md", "repo/2022/周会 4.8.md"),
])
def test_a_flattened_path_reads_its_folders(flat, nested):
    assert ymd(path_date(flat)) == ymd(path_date(nested)) and path_date(flat).day is not None


@pytest.mark.parametrize("opening", [
    "一、会议时间：2023年3月2日\n\n二、会议地点：村部",  # numbered header lines read as headings
    "（一）时间：2023年3月2日",
    "2023年3月2日（星期四）上午，村委会召开会议。",
    "2023年3月2日【周四】，村委会召开会议。",
])
def test_numbered_headers_and_a_weekday_before_the_comma(opening):
    assert meeting_date(f"# 村委会会议记录\n\n{opening}{BODY}") == (2023, 3, 2)


@pytest.mark.parametrize("byline", [
    "来源：区政府办  时间：2023-03-10",
    "时间：2023-03-10 来源：区政府办",
    "作者：张三 时间：2023-03-10 浏览次数：120",
    "日期：2023-03-10 来源：区政府办 字号：大 中 小",
    "时间：2023-03-10 | 来源：区政府办",
])
def test_a_bylines_time_is_the_pages_not_the_meetings(byline):
    text = f"# 区政府召开第3次常务会议\n\n{byline}\n\n3月2日，区政府召开常务会议。{BODY}"
    assert meeting_date(text) == (2023, 3, 2)


@pytest.mark.parametrize("opening", [
    "3月2日下午，县委书记张三主持县委常委会，传达学习有关精神。",
    "3月2日，县长张三主持县政府常务会，研究有关事项。",
    "3月2日上午9时，县政府召开第5次常务会议。",
    "3月2日上午9:00，县政府召开第5次常务会议。",
    "3月2日（星期四）下午三时半，县政府召开常务会议。",
])
def test_a_reports_own_day_wins_over_its_publication(opening):
    text = f"# 县政府召开常务会议\n\n发布时间：2023-03-05\n\n{opening}\n\n会议强调，要抓好落实。\n"
    assert meeting_date(text) == (2023, 3, 2)


def test_a_standing_committee_of_a_congress_is_a_body_not_a_meeting():
    text = "# 关于加强生态保护的决议\n\n2023年5月24日至28日，全国人大常委会副委员长张三在本省检查。\n\n决议如下。\n"
    assert meeting_date(text) is None


@pytest.mark.parametrize("opening", [
    "The meeting was held on Thursday, March 2, 2023.",
    "The TSC meeting took place on 2023-03-02.",
    "**Date:** Thursday, 2 March 2023",
    "- **When**: Mar 2, 2023, 10:00 PST",
])
def test_english_minutes(opening):
    assert meeting_date(f"# Weekly meeting\n\n{opening}\n\nAttendees: Alice, Bob\n\nWe discussed the plan.\n") == (2023, 3, 2)


def test_an_english_date_that_no_meeting_was_held_on():
    text = "# Weekly meeting\n\nThe release was tagged on March 2, 2023.\n\nWe discussed the plan.\n"
    assert meeting_date(text) is None


@pytest.mark.parametrize("closing, want", [
    ("某某村民委员会\n\n二〇二三年三月二日", (2023, 3, 2)),  # signed under its body
    ("某某村民委员会\n\n2023年3月2日印发", (2023, 3, 2)),
    ("下次会议时间：2023年3月9日", None),  # the next meeting's
    ("2023年3月9日前完成。", None),
])
def test_minutes_dated_only_by_their_closing_line(closing, want):
    text = f"# 村委会会议纪要\n\n参加人员：张三\n\n会议研究了春耕工作。\n\n{closing}\n"
    assert meeting_date(text) == want


@pytest.mark.parametrize("line", ["下次会议时间：2023年3月9日", "| 截止日期 | 2023年3月9日 |\n|---|---|"])
def test_a_next_meeting_or_a_deadline_in_the_opening_dates_nothing(line):
    assert meeting_date(f"# 村委会会议纪要\n\n{line}\n\n会议研究了春耕工作。\n") is None
