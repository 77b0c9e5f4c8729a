"""More date forms of real minutes (online-document exports, community notes, 常务会议 reports),
each in minutes written here and read end to end."""

import pytest

from archive.extract.annotate import annotate
from archive.ingest import parse_text

BODY = "\n\n参会人员：张三、李四\n\n会议讨论了版本发布计划。\n"


def meeting_date(text, source="x.md"):
    d = annotate(parse_text(text, source)).records[0].date
    return None if d is None else (d.year, d.month, d.day)


@pytest.mark.parametrize("header", [
    "⏰2022-12-11 20:00",
    "⏰ 2022-12-11 20:00-21:00",
    "📅 2022-12-11",
    "📅 日期：2022年12月11日",
    "🕗 时间：2022/12/11 20:00",
    "时间：2022年12月11日（周日）20:00-21:00",
    "时间：2022年12月11日 周日 20:00 - 21:00 (GMT+08:00)",
    "会议时间：2022/12/11 20:00-21:00 (GMT+08:00) 中国标准时间 - 北京",
    "时间：2022 年 12 月 11 日 20:00",
    "时间：2022年12月11日晚上8点",
    "时间：2022年12月11日星期日",
    "时间：2022-12-11（周日）晚8点",
    "Date: 2022/12/11",
    "Date: 11 December 2022",
    "Date: Dec. 11, 2022",
    "Date: December 11th, 2022",
    "Date: Sun, Dec 11, 2022",
    "Time: 2022-12-11T20:00+08:00",
    "会议时间：2022.12.11",
    "会议日期：二〇二二年十二月十一日",
    "| 时间 | 2022-12-11 |\n|---|---|\n| 地点 | 腾讯会议 |",
    "| 会议日期 | 2022.12.11 20:00 |\n|---|---|",
    "|时间|2022-12-11 20:00-21:00|\n|---|---|",
    "- 时间：2022-12-11 20:00",
    "* **日期**：2022年12月11日",
    "> 时间：2022-12-11",
])
def test_header_lines(header):
    assert meeting_date(f"# 社区例会纪要\n\n{header}{BODY}") == (2022, 12, 11)


@pytest.mark.parametrize("title", [
    "2022-12-11 例会",
    "社区例会 2022-12-11",
    "2022年12月11日例会纪要",
    "Meeting notes - Dec 11, 2022",
    "Meeting Minutes 11 December 2022",
    "Weekly meeting 2022.12.11",
    "2022/12/11 双周会",
    "二〇二二年十二月十一日村委会会议记录",
])
def test_a_heading_that_carries_the_day(title):
    assert meeting_date(f"## {title}{BODY}") == (2022, 12, 11)


def test_front_matter_date():
    text = "---\ntitle: 社区例会纪要\ndate: 2022-12-11\nauthor: 张三\n---\n\n# 社区例会纪要\n" + BODY
    assert meeting_date(text) == (2022, 12, 11)


def test_front_matter_date_with_time():
    text = "---\ntitle: \"社区例会\"\ndate: 2022-12-11T20:00:00+08:00\n---\n\n会议讨论了版本发布计划。\n"
    assert meeting_date(text) == (2022, 12, 11)


@pytest.mark.parametrize("opening", [
    "12月11日（星期日）晚8点，社区在线上召开例会。",
    "12月11日晚上，社区召开例会。",
    "12月11日晚8点，项目委员会召开例会。",
    "12月11日（周日）20:00，项目委员会召开线上例会。",
])
def test_month_day_in_the_first_sentence_takes_the_titles_year(opening):
    assert meeting_date(f"# 2022年第10次社区例会\n\n{opening}{BODY}") == (2022, 12, 11)


@pytest.mark.parametrize("opening", [
    "发布日期：2022-12-13\n\n12月11日上午，区长张三主持召开区政府第5次常务会议。",
    "来源：区政府办公室  发布日期：2022-12-13\n\n12月11日上午，区长张三主持召开区政府第5次常务会议。",
    "发布时间：2022-12-13 09:30:00  来源：区政府\n\n12月11日，张三主持召开区政府常务会议。",
    "【发布时间：2022-12-13】【来源：区政府】\n\n12月11日，张三主持召开区政府常务会议。",
    "2022-12-13 来源：区政府办\n\n12月11日下午，县长张三主持召开县政府常务会议。",
    "信息来源：县政府办 发布时间：2022年12月13日\n\n12月11日下午，县长张三主持召开县政府常务会议。",
])
def test_a_publication_line_gives_the_year_and_the_text_its_day(opening):
    assert meeting_date(f"# 区政府召开第5次常务会议\n\n{opening}\n\n会议审议并原则同意有关方案。\n") == (2022, 12, 11)


@pytest.mark.parametrize("title, opening", [
    ("区政府召开2022年第5次常务会议", "12月11日上午，区长张三主持召开区政府2022年第5次常务会议。"),
    ("县政府2022年第5次常务会议", "12月11日下午，县长张三主持召开会议。"),
    ("2022年第5次常务会议", "12月11日，张三主持召开会议。"),
])
def test_a_government_report_takes_the_year_of_its_title(title, opening):
    assert meeting_date(f"# {title}\n\n{opening}\n\n会议审议并原则同意有关方案。\n") == (2022, 12, 11)


@pytest.mark.parametrize("opening", [
    "The meeting was held on 11 December 2022.",
    "Meeting held 2022-12-11T12:00Z.",
    "Minutes of the meeting on Sunday, December 11, 2022.",
])
def test_english_prose(opening):
    assert meeting_date(f"# Weekly meeting\n\n{opening}\n\nAttendees: Alice, Bob\n\nWe discussed the plan.\n") == (2022, 12, 11)

@pytest.mark.parametrize("header", [
    "时  间：2022年12月11日",
    "时　间：2022年12月11日",
    "会议时间:2022年12月11日",
    "【会议时间】2022年12月11日",
    "[会议时间] 2022-12-11",
    "会议时间\n\n2022年12月11日 20:00",
    "时间 | 2022-12-11",
    "时间：2022年12月11日-12日",
    "时间：2022年12月11日至12月12日",
    "时间：2022年12月11号",
    "日期：2022-12-11 时间：20:00-21:00 地点：线上",
    "会议主题：社区例会 会议时间：2022年12月11日 20:00-21:00 会议地点：线上",
    "2022年12月11日 星期日 20:00-21:00 | 腾讯会议",
    "Time: 2022-12-11 20:00 (UTC+8)",
    "| Date | 2022-12-11 |\n|---|---|",
    "Meeting Date: Sunday 11th December 2022",
    "**Date**: 2022-12-11 (Sunday) 20:00-21:00 UTC+8",
    "时间：2022年12月11日（星期日）下午2:30",
    "时间：2022年12月11日 下午两点半",
])
def test_header_lines_of_exports_and_pages(header):
    assert meeting_date(f"# 社区例会纪要\n\n{header}{BODY}") == (2022, 12, 11)

@pytest.mark.parametrize("title, opening", [
    ("2022年社区例会", "时间：12月11日 20:00"),
    ("2022年社区例会", "十二月十一日晚，社区召开例会。"),
    ("2022年社区例会", "12月11号晚上8点，社区召开例会。"),
    ("2022年社区例会", "Date: Dec 11"),
])
def test_month_day_header_or_prose_takes_the_titles_year(title, opening):
    assert meeting_date(f"# {title}\n\n{opening}{BODY}") == (2022, 12, 11)

@pytest.mark.parametrize("source", ["repo__meetings__2022__12-11.md", "repo/meetings/2022/12.11.md", "repo__2022__12月11日例会.md", "20221211_minutes.md", "2022-12-11-meeting.md", "meeting_2022_12_11.md", "2022-12-11.md", "minutes-20221211.md"])
def test_file_names_that_date_the_meeting(source):
    assert meeting_date(f"# 社区例会纪要{BODY}", source) == (2022, 12, 11)

def test_agenda_dates_do_not_win():
    text = "# 社区例会纪要\n\n时间：2022年12月11日\n\n## 议程\n\n1. 回顾2022年12月4日例会待办\n" + BODY
    assert meeting_date(text) == (2022, 12, 11)

def test_a_review_of_last_week_before_the_date_line():
    text = "# 社区例会纪要\n\n上次会议（2022年12月4日）待办已完成。\n\n时间：2022年12月11日" + BODY
    assert meeting_date(text) == (2022, 12, 11)


@pytest.mark.parametrize("opening", [
    "发布时间：2022-12-13\n\n为进一步做好工作，12月11日上午，区长王伟主持召开区政府第5次常务会议。",
    "2022-12-13 来源：区政府办\n\n12月11日，王伟主持召开区政府常务会议。",
    "2022年12月13日 来源：区政府办 【字体：大 中 小】\n\n12月11日，王伟主持召开区政府常务会议。",
    "发布时间：2022-12-13\n\n12月11日，第十八届区政府第5次常务会议召开。",
])
def test_a_report_whose_day_follows_a_clause_or_a_byline(opening):
    assert meeting_date(f"# 区政府常务会议\n\n{opening}\n\n会议审议并原则同意有关方案。\n") == (2022, 12, 11)


@pytest.mark.parametrize("header", ["Date: 11-Dec-2022", "Date: Dec 11", "Date: Dec. 11th"])
def test_english_day_month_forms(header):
    assert meeting_date(f"# 2022年社区例会\n\n{header}{BODY}") == (2022, 12, 11)


def test_a_lowercase_month_word_is_no_date():
    from archive.extract.dates import find_dates
    assert find_dates("we may 5 times, mar 2 lines") == []


@pytest.mark.parametrize("number", ["〔2022〕5号", "[2022]第5期", "【2022】5号"])
def test_a_minutes_number_gives_the_year(number):
    text = f"# 县政府常务会议纪要\n\n{number}\n\n12月11日上午，县长王伟主持召开县政府第5次常务会议。\n\n会议审议并原则同意有关方案。\n"
    assert meeting_date(text) == (2022, 12, 11)


@pytest.mark.parametrize("opening, expected", [
    ("发布时间：2022-12-13 09:30\n\n11日上午，区长王伟主持召开区政府第5次常务会议。", (2022, 12, 11)),
    ("2022-12-13 来源：区政府办\n\n11日，王伟主持召开区政府常务会议。", (2022, 12, 11)),
    ("发布时间：2022-12-13\n\n本报讯（记者 李明）十一日下午，县长王伟主持召开县政府常务会议。", (2022, 12, 11)),
    ("发布日期：2023-01-03\n\n30日，县长王伟主持召开县政府常务会议。", (2022, 12, 30)),  # the month before
    ("发布日期：2023-03-02\n\n30日，县长王伟主持召开县政府常务会议。", (2023, 3, 2)),  # no 30 February: the page's
])
def test_a_day_alone_is_in_the_month_of_the_page(opening, expected):
    assert meeting_date(f"# 区政府常务会议\n\n{opening}\n\n会议审议并原则同意有关方案。\n") == expected


@pytest.mark.parametrize("opening", [
    "11日，王伟主持召开区政府常务会议。",  # no page date to take the month from
    "发布时间：2022-12-13\n\n11日，全区降雨量达到50毫米。",  # a day, but no meeting
    "发布时间：2022-12-13\n\n11日前，各单位报送材料。",  # a deadline
])
def test_a_day_alone_without_a_page_month_or_a_meeting_dates_nothing(opening):
    d = meeting_date(f"# 区政府工作动态\n\n{opening}\n")
    assert d is None or d == (2022, 12, 13)  # (the page's own line may date it, never the 11th)


@pytest.mark.parametrize("header", ["时间：2022. 12. 11", "会议时间：2022. 12. 11 19:00"])
def test_a_date_with_spaces_after_its_dots(header):
    assert meeting_date(f"# 社区例会纪要\n\n{header}{BODY}") == (2022, 12, 11)


@pytest.mark.parametrize("source, title", [
    ("x.md", "【会议纪要】2022年第12期（12.11）"),
    ("2022/w.md", "Weekly 12.11"),
    ("2022/w.md", "周会 12/11"),
    ("x.md", "20221211会议纪要"),
])
def test_a_title_that_ends_or_opens_with_its_day(source, title):
    assert meeting_date(f"# {title}{BODY}", source) == (2022, 12, 11)


@pytest.mark.parametrize("title", ["编号20221211", "周会（第3.1版）"])
def test_numbers_in_titles_that_are_no_day(title):
    assert meeting_date(f"# {title}{BODY}") is None


def test_a_month_folder_without_a_year_dates_no_day_of_a_file_name():
    from archive.extract.dates import path_date
    d = path_date("12月/1-1")  # (found by the property test: it raised a TypeError)
    assert (d.year, d.month, d.day) == (None, 12, None)


@pytest.mark.parametrize("header, want", [
    ("Date: 12/11/2022 (Sunday)", (2022, 12, 11)),  # 11 December 2022 was a Sunday, 12 November a Saturday
    ("日期：05-01-2021 星期六", (2021, 5, 1)),
    ("Date: 12/11/2022 (Mon)", None),  # neither reading: only the year is sure
])
def test_a_weekday_settles_an_ambiguous_date(header, want):
    assert meeting_date(f"# 社区例会纪要\n\n{header}{BODY}") == want


@pytest.mark.parametrize("page", [
    # a news lead in half-width brackets and commas, as pages are often typed
    "# 第8次县长办公会议召开\n\n发布时间:2021年07月03日\n来源:东湖新闻网\n\n"
    "东湖新闻网讯(记者 林一 王二)7月2日下午,县长韩冬主持召开第8次县长办公会议。\n",
    # a page's chrome, the title again and its publication line run into the report's paragraph
    "# 学院召开第二届院务委员会第一次全体会议\n\n依法治院\n\n您的位置 : 首页 > 院务公开 > 院务委员会\n"
    "学院召开第二届院务委员会第一次全体会议\n发布时间: 2021年07月03日\n\n"
    "7月2日下午,第二届院务委员会第一次全体会议在学术交流中心三楼会议室举行。全体委员出席会议。\n",
    # a byline of list items and a `打印` line, then the report
    "# 东湖县召开重点项目第一次调度会\n\n东湖县召开重点项目第一次调度会\n  • 发布时间:2021-07-03 08:26\n"
    "  • 信息来源:\n  • 编辑:林一\n打印\n\n7月2日,东湖县召开2021年重点项目建设第一次调度会。\n",
])
def test_a_reports_day_behind_a_pages_chrome_and_byline(page):
    assert meeting_date(page) == (2021, 7, 2)


def test_english_sentences_are_not_joined_across_blank_lines():
    doc = parse_text("# Weekly meeting\n\nThe release was tagged on March 2, 2023.\n\nWe discussed the plan.\n", "x.md")
    assert [p.text for p in doc.records[0].paragraphs][1:] == ["The release was tagged on March 2, 2023.",
                                                                "We discussed the plan."]
