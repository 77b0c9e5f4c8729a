"""Dates as real minutes write them: ISO, day-first, English, header lines, file names.

The rules are tested on text written here in other styles (a county 常务会议纪要, a village
会议记录, a board resolution, Word tables), then on the shared community minutes and laws.
"""

import re
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from archive.extract import dates
from archive.extract.annotate import annotate
from archive.extract.dates import (day_first, find_dates, heading_date, labelled_date, line_date,
                                   path_date)
from archive.ingest import load, parse_text

SHARED = Path("/work/shared/corpora")
MINUTES = SHARED / "community-minutes"
LAWS = SHARED / "lawrefbook-laws"
SAMPLE = Path(__file__).resolve().parents[1] / "corpus" / "2023年环境整治工作会议记录.md"


def ymd(d):
    return None if d is None else (d.year, d.month, d.day)


# --- forms -------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Date日期：2024-04-19", (2024, 4, 19)),
    ("定于2024/4/19召开", (2024, 4, 19)),
    ("2024.04.19", (2024, 4, 19)),
    ("| 20240419 | 议题 |", (2024, 4, 19)),
    ("２０２４－０４－１９", (2024, 4, 19)),
    ("28-10-2020", (2020, 10, 28)),
    ("28/10/2020", (2020, 10, 28)),
    ("28.10.2020", (2020, 10, 28)),
    ("10/28/2020", (2020, 10, 28)),  # month first, as the 28 says
    ("3-3-2021", (2021, 3, 3)),  # either way the same day
    ("Thursday June 10, 2021 at 07:00pm GMT+8", (2021, 6, 10)),
    ("Feb.22, 2022 at 15:00pm", (2022, 2, 22)),
    ("10 Jun 2021", (2021, 6, 10)),
    ("1st of March 2024", (2024, 3, 1)),
    ("MEP weekly meeting #9 - 2020 Sep 24th", (2020, 9, 24)),
    ("September 2024", (2024, 9, None)),
    ("2024年4月19日（星期五）上午9时", (2024, 4, 19)),
    ("2024年4月19日星期五", (2024, 4, 19)),
    ("2025 年 09 月 04 日 15:00–16:00", (2025, 9, 4)),
    ("2025-07-31 14:00-18:10(UTC+08:00)Beijing", (2025, 7, 31)),
    ("2024-04-19T10:00:00+08:00", (2024, 4, 19)),
])
def test_forms(text, expected):
    assert [ymd(d) for d in find_dates(text)] == [expected]


def test_text_is_the_words_as_written():
    assert [d.text for d in find_dates("# Thursday June 10, 2021 at 07:00pm")] == ["June 10, 2021"]
    assert [d.text for d in find_dates("| 28-10-2020 | 15:30 PM |")] == ["28-10-2020"]


@pytest.mark.parametrize("text", [
    "openEuler 22.03 LTS", "24.03 LTS SP1", "内核 5.10 和 6.6", "版本5.1.1", "v2.0.3", "v2023.10.25",
    "2.0.2023", "0.1.2020", "release-2023.10", "9:00~9.05", "10:00-12:00", "15:30 PM to 16:30 PM (UTC+8:00)",
    "电话：010-62345678", "0571-8888-2020", "13812345678", "CVE-2022-23491", "CVE-2021-4034",
    "#20231025", "PR-20231025", "INC20231025", "编号20231025", "金额20231025元", "￥20231025",
    "2024-04-19-001", "https://example.org/20231025/x", "325831元", "18.5亿元", "2025-2026届",
    "12/15 峰会之前", "you may 2021", "Mayor 2021", "Marching 2021", "today 2024",
])
def test_not_dates(text):
    assert find_dates(text) == []


# --- day first or month first ---------------------------------------------------

def test_an_ambiguous_day_first_date_keeps_only_its_year():
    assert [ymd(d) for d in find_dates("05-01-2021")] == [(2021, None, None)]
    assert [ymd(d) for d in find_dates("05-01-2021", day_first=True)] == [(2021, 1, 5)]
    assert [ymd(d) for d in find_dates("05-01-2021", day_first=False)] == [(2021, 5, 1)]


@pytest.mark.parametrize("text, order", [
    ("上次会议 28-10-2020，本次 05-01-2021", True),
    ("Last met 10/28/2020, next 05/01/2021", False),
    ("28-10-2020 and 10/28/2020", None),  # the text contradicts itself
    ("05-01-2021", None),
    ("2024-04-19", None),
])
def test_day_first_is_settled_by_the_dates_that_can_be_read_one_way(text, order):
    assert day_first(text) is order


# --- header lines, headings, datelines --------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("时间：2024年4月19日（星期五）上午9时　地点：村委会二楼会议室", (2024, 4, 19)),
    ("时　间：2024年3月5日", (2024, 3, 5)),
    ("**会议时间**: 2020-10-19  16:00-17:30", (2020, 10, 19)),
    ("2025-2026届技术委员会第一次线下会议Data日期：2025-03-13 Time时间：9:00 - 17:30", (2025, 3, 13)),
    ("会议名称 | 第三季度支委会\n会议时间 | 2024年9月27日 14:30", (2024, 9, 27)),
    ("Date: June 10, 2021", (2021, 6, 10)),
    ("时间：2024年4月19日\n下次会议时间：2024年5月17日", (2024, 4, 19)),
    ("下次会议时间：2024年5月17日", None),
    ("Next meeting date: 2024-05-17", None),
    ("报名截止日期：2024-05-01", None),
    ("发布日期：2024-05-01", None),
    ("Update: 2024-05-01", None),
    ("完成时间：12月底前", None),
    ("会议在2024年4月19日召开", None),  # not a label: that is event_date's
])
def test_labelled_date(text, expected):
    assert ymd(labelled_date(text)) == expected


@pytest.mark.parametrize("text, expected", [
    ("PMC 例会 2024-01-11", (2024, 1, 11)),
    ("Meeting Day | Meeting Time\n28-10-2020 | 15:30 PM to 16:30 PM (UTC+8:00)", (2020, 10, 28)),
    ("x年11月8日", (None, 11, 8)),
    ("某某科技股份有限公司董事会 2024年3月16日", (2024, 3, 16)),
    ("二〇二四年三月五日", (2024, 3, 5)),
    ("12月31日前", None),  # a deadline
    ("2024年3月1日起施行", None),
    ("2024年3月", None),  # no day: a month is no dateline
    ("会议要求，各乡镇务必在2024年3月31日完成隐患排查并上报县政府办公室备案。", None),  # a sentence
])
def test_line_date(text, expected):
    assert ymd(line_date(text)) == expected


@pytest.mark.parametrize("text, expected", [
    ("DevBoard SIG例会 2025-07-31 14:00-18:10(UTC+08:00)Beijing", (2025, 7, 31)),
    ("2021-8-11 会议纪要(Notes)", (2021, 8, 11)),
    ("2024年3月5日-6日全县经济工作会议", (2024, 3, 5)),  # a meeting over two days: its first
    ("关于2024年工作安排的会议", None),  # a year is no date
    ("关于12月31日前完成整改的通知", None),
])
def test_heading_date(text, expected):
    assert ymd(heading_date(text)) == expected


# --- file names -------------------------------------------------------------------

@pytest.mark.parametrize("source, expected, text", [
    ("2024/20240419_minutes.md", (2024, 4, 19), "20240419"),
    ("2025_01_11_meeting.md", (2025, 1, 11), "2025_01_11"),
    ("sig/ 2025_01_11_meeting.md", (2025, 1, 11), "2025_01_11"),
    ("meeting-notes/2022-03-24.md", (2022, 3, 24), "2022-03-24"),
    ("meetings/003-20210610.md", (2021, 6, 10), "20210610"),
    ("202010/28-10-2020 Meeting Minutes.md", (2020, 10, 28), "28-10-2020"),
    ("Meetings/28_10_2020.md", (2020, 10, 28), "28_10_2020"),
    ("Weekly Meeting/2020-09.md", (2020, 9, None), "2020-09"),
    ("2022/ActionItems.md", (2022, None, None), "2022"),
    ("纪要/2023年12月6日县委常委会.md", (2023, 12, 6), "2023年12月6日"),
    ("年度纪要汇总/架构SIG年度纪要_2021年.md", (2021, None, None), "2021年"),
    ("Integration WG/Meetings/05-01-2021.md", (2021, None, None), "05-01-2021"),
    ("a/minutes_1234.md", None, None),
    ("notes/index.md", None, None),
])
def test_path_date(source, expected, text):
    d = path_date(source)
    assert ymd(d) == expected
    if d:
        assert d.text == text and d.source == "filename"


# --- meetings of our own, in other styles -------------------------------------------

def meeting_date(text, source="x.md"):
    doc = annotate(parse_text(text, source))
    assert len(doc.records) == 1
    return doc.records[0]


def test_county_standing_committee_minutes():
    # The issuing line under the title is the day the minutes were sent, not the meeting's.
    m = meeting_date(
        "# 某某县人民政府常务会议纪要\n\n第12期\n\n某某县人民政府办公室　　　　2024年3月8日\n\n"
        "2024年3月5日上午，县长王某主持召开县政府第12次常务会议，研究部署春季森林防火工作。"
        "现将会议议定事项纪要如下：\n\n一、关于春季森林防火工作\n\n"
        "会议要求，各乡镇务必在3月31日前完成隐患排查。\n")
    assert ymd(m.date) == (2024, 3, 5) and m.date.source == "text"
    assert ymd(m.paragraphs[-1].date) == (2024, 3, 5)  # the deadline is no date of its own


def test_village_minutes_with_time_and_place_on_one_line():
    m = meeting_date(
        "# 石门村村民代表会议记录\n\n时间：2024年4月19日（星期五）上午9时　地点：村委会二楼会议室\n\n"
        "主持人：张三　记录人：李四\n\n会上，张三通报了5月1日前完成垃圾分类点建设的计划。\n")
    assert ymd(m.date) == (2024, 4, 19)
    assert all(ymd(p.date) == (2024, 4, 19) for p in m.paragraphs)


def test_company_board_resolution():
    m = meeting_date(
        "# 某某科技股份有限公司第三届董事会第五次会议决议\n\n"
        "某某科技股份有限公司第三届董事会第五次会议于2024年3月15日在公司会议室以现场结合通讯方式召开。"
        "会议通知已于2024年3月5日以电子邮件方式送达全体董事。\n\n"
        "一、审议通过《关于2023年度董事会工作报告的议案》\n\n表决结果：同意9票，反对0票，弃权0票。\n\n"
        "某某科技股份有限公司董事会\n\n2024年3月16日\n")
    assert ymd(m.date) == (2024, 3, 15)
    assert ymd(m.paragraphs[-1].date) == (2024, 3, 16)  # the dateline keeps its own date


@pytest.mark.parametrize("table", [
    "| 会议名称 | 第三季度支委会 |\n|---|---|\n| 会议时间 | 2024年9月27日 14:30 |\n| 会议地点 | 党员活动室 |\n",
    "| 日期 | 地点 | 主持人 |\n|---|---|---|\n| 2024/9/27 | 党员活动室 | 王五 |\n",
    "| Meeting Day | Meeting Time |\n|---|---|\n| 27-09-2024 | 14:30 to 15:30 (UTC+8) |\n",
])
def test_word_style_table_header(table):
    m = meeting_date(f"# 党支部委员会会议记录\n\n{table}\n会议议题：研究发展党员工作。\n")
    assert ymd(m.date) == (2024, 9, 27) and m.date.source == "text"


def test_a_header_date_comes_before_the_body_and_the_title_before_the_file_name():
    m = meeting_date("# 周例会\n\nDate日期：2023-11-22\n\n4. 年度述职：初步计划在 12 月 14 日北京召开述职会议\n",
                     "2023/20231025_minutes.md")
    assert ymd(m.date) == (2023, 11, 22) and m.date.source == "text"
    assert ymd(m.paragraphs[-1].date) == (2023, 12, 14)  # its year is the meeting's
    m = meeting_date("# 2023/06/13 19:00-20:00 GMT+8 深圳\n\n## 议题\n\n- SDK 仓库初始化\n",
                     "meetings/2023_05_16_meeting.md")
    assert ymd(m.date) == (2023, 6, 13) and m.date.source == "title"
    m = meeting_date("# Release SIG weekly meeting, March 3, 2024\n\n## Notes\n\n- 发布计划\n")
    assert ymd(m.date) == (2024, 3, 3) and m.date.source == "title"


def test_the_file_name_is_the_last_fallback():
    m = meeting_date("# TSC Meeting\n\n## Attendees\n\n- 张三\n", "2024/20240419_minutes.md")
    assert ymd(m.date) == (2024, 4, 19) and m.date.source == "filename"
    # a file without headings is titled by its name: that is the file name's date, not a title's
    m = meeting_date("议题：\n1. SIG 申请\n", "2024/20240419_minutes.md")
    assert m.date.source == "filename"
    # 05-01-2021 is settled by the document's 28-12-2020
    m = meeting_date("# Integration WG\n\n上次会议（28-12-2020）的遗留问题已关闭。\n", "WG/05-01-2021.md")
    assert ymd(m.date) == (2021, 1, 5) and m.date.source == "filename"
    # unsettled, it gives no day, but still the year of dates written without one
    m = meeting_date("# Integration WG\n\n3月2日召开下次会议。\n", "WG/05-01-2021.md")
    assert ymd(m.date) == (2021, 3, 2) and m.date.year_inferred


def test_a_file_with_several_meetings_does_not_date_them_by_its_name():
    doc = annotate(parse_text("# 会议\n\n## 第1次例会\n\n内容。\n\n## 第2次例会\n\n内容。\n", "2024/20240419.md"))
    assert len(doc.records) == 2 and all(m.date is None for m in doc.records)


def test_front_matter_date_says_so():
    m = meeting_date("---\ndate: 2024-03-05\n---\n# 会议\n\n2024年4月1日上午，县委召开常委会议。\n")
    assert ymd(m.date) == (2024, 3, 5) and m.date.source == "front matter"
    assert m.date.as_json()["source"] == "front matter"


def test_a_placeholder_year_still_gives_month_and_day():
    doc = annotate(load(SAMPLE, SAMPLE.parent))
    dated = [p for m in doc.meetings for p in m.paragraphs if p.text == "x年11月8日"]
    assert [ymd(p.date) for p in dated] == [(None, 11, 8)]
    assert not dated[0].date.year_inferred


# --- the shared corpora -------------------------------------------------------

# Each meeting's date, read by hand from its file: the heading or header line, else the file
# name. None: not settled by anything written (05-01-2021 is 5 January or 1 May).
COMMUNITY = {
    "AppStore and Developer Joint PT__Meetings__2020-11-23 meeting.md": [(2020, 11, 23)],
    "Architecture WG__Meetings__202010 Meetings__Architecture 20-10-2020 Meeting.md": [(2020, 10, 20)],
    "Blockchain WG__Meeting__19-10-2020 Meeting Info.md": [(2020, 10, 19)],
    "Integration WG__Meetings__05-01-2021.md": [None],
    "MEP PT__Weekly Meeting__2020-09.md": [(2020, 9, 24), (2020, 9, 17), (2020, 9, 10)],
    "Security WG__Meetings__Meeting Minutes 28-10-2020.md": [(2020, 10, 28)],
    "TSC__Meetings__202010__28-10-2020 Meeting Minutes.md": [(2020, 10, 28)],
    "TSC__Meetings__202011__18-11-2020 Meeting Minute.md": [(2020, 11, 18)],
    "content__join__meetings__index.md": [(2022, 9, 7), (2022, 8, 24), (2022, 7, 27), (2022, 7, 13)],
    "compiler__meetings__003-20210610.md": [(2021, 6, 10)],
    "2023__20231025_minutes.md": [(2023, 10, 25)],
    "2023__20231122_minutes.md": [(2023, 11, 22)],
    "2023__20231206_mintues.md": [(2023, 12, 6)],
    "2023__20231214_minutes.md": [(2023, 12, 14)],
    "2024__20240207_minutes.md": [(2024, 2, 7)],
    "2024__20240419_minutes.md": [(2024, 4, 19)],
    "2024__20240829_minutes.md": [(2024, 8, 29)],
    "2024__20241023_minutes.md": [(2024, 10, 23)],
    "2024__20241218_minutes.md": [(2024, 12, 18)],
    "2025__ 20250528_minutes.md": [(2025, 5, 28)],
    "2025__20250212_minutes.md": [(2025, 2, 12)],
    "2025__20250313_minutes.md": [(2025, 3, 13)],
    "2025__20250611_minutes.md": [(2025, 6, 11)],
    "meeting-notes__2022-03-24.md": [(2022, 3, 24)],
    "meeting-notes__2023-07-14.md": [(2023, 7, 14)],
    "meeting-notes__2024_01_11.md": [(2024, 1, 11)],
    "meeting-notes__2024_04_11.md": [(2024, 4, 11)],
    "meeting-notes__2025_01_12.md": [(2025, 1, 12)],
    "meeting-notes__2025_10_30.md": [(2025, 10, 30)],
    "meeting-notes__2025_12_04.md": [(2025, 12, 4)],
    "架构SIG年度纪要_2021年.md": [(2021, 8, 11), (2021, 8, 17), (2021, 8, 24), (2021, 9, 7), (2021, 9, 22),
                          (2021, 11, 9), (2021, 11, 23), (2021, 12, 1), (2021, 12, 14), (2021, 12, 21),
                          (2021, 12, 28)],
    "sig_arm__meetings__2025_09_04_meeting.md": [(2025, 9, 4)],
    "sig_bdoh__meetings__2025_02_26_meeting.md": [(2025, 2, 26)],
    "sig_devboard__meetings__2025_07_31_meeting.md": [(2025, 7, 31)],
    "sig_devboard__meetings__2026_03_23_meeting.md": [(2026, 3, 23)],
    "sig_gateway__meetings__2025_03_06_meeting.md": [(2025, 3, 6)],
    "sig_huaweicloud__meetings__2023_05_16_meeting.md": [(2023, 6, 13)],  # its heading, not its name
    "sig_ib__meetings__ 2025_01_11_meeting.md": [(2025, 1, 11)],
    "sig_knowlege__meetings__2022-02-22-meeting.md": [(2022, 2, 22)],
    "sig_knowlege__meetings__2025-10-11-meeting.md": [(2025, 10, 11)],
    "sig_programanalysis__meetings__2025_04_10_meeting.md": [(2025, 4, 10)],
    "sig_qt__meetings__2022-10-11-meeting.md": [(2022, 10, 11)],
    "sig_riscv__meetings__2021-07-08-meeting.md": [(2021, 7, 8)],
}


@pytest.mark.skipif(not MINUTES.is_dir(), reason="shared corpus not mounted")
def test_meeting_dates_of_the_community_minutes():
    found = {}
    for path in MINUTES.glob("*.md"):
        key = next((k for k in COMMUNITY if path.name.endswith("__" + k)), None)
        if key:
            found[key] = [ymd(m.date) for m in annotate(load(path, MINUTES)).records]
    assert found == COMMUNITY


def numeric_mentions(root, paths):
    """Every date written in digits or English, with its line."""
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        order = day_first(text)
        for line in text.split("\n"):
            for d in find_dates(line, order):
                if not re.search("[年月日号]", d.text):
                    yield d, line


@pytest.mark.skipif(not MINUTES.is_dir(), reason="shared corpus not mounted")
def test_numeric_dates_of_the_community_minutes_are_dates():
    # Version numbers (22.03 LTS, 24.03, 5.10, 6.6), times, CVE ids, e-mail addresses and
    # URLs abound; the communities met from 2020 on, so any other year is a misreading
    # (`Sep 20th` has none: the title's or the file's year completes it).
    found = list(numeric_mentions(MINUTES, sorted(MINUTES.glob("*.md"))))
    assert len(found) > 50
    for d, line in found:
        assert d.month and (2020 <= d.year <= 2026 if d.year else d.day), (d, line)


@pytest.mark.skipif(not LAWS.is_dir(), reason="shared corpus not mounted")
def test_dates_of_the_laws_are_dates():
    paths = sorted(LAWS.rglob("*.md"))[::20]
    assert not list(numeric_mentions(LAWS, paths))  # the laws write dates in Chinese only
    for path in paths:
        text = path.read_text(encoding="utf-8")
        for d in find_dates(text):
            assert d.text in text and (d.year is None or 1900 <= d.year <= 2030), (d, path)


# --- properties --------------------------------------------------------------------

DATEISH = st.lists(st.sampled_from(
    list("0123456789年月日-./_| :：\n") + ["2024", "Jun", "June", "10th", "时间", "Date", "下次", "前",
                                           "星期五", "PMC 例会", "12月", "x年"]),
    max_size=30).map("".join)


@settings(max_examples=300, deadline=None)
@given(DATEISH, st.sampled_from([None, True, False]))
def test_header_and_path_dates_are_valid(text, order):
    for d in [heading_date(text, order), labelled_date(text, order), line_date(text, order),
              path_date(text.replace("\n", "/"), order), dates.title_month_day(text)]:
        if d:
            assert d.year is None or dates.YEAR_MIN <= d.year <= dates.YEAR_MAX
            assert d.month is None or 1 <= d.month <= 12
            assert d.day is None or 1 <= d.day <= 31
            assert (d.year, d.month, d.day) != (None, None, None)



@pytest.mark.parametrize("text, source, want", [
    # month and day only: the year is the title's, else the folder's, else the page's publication year
    ("# 镇政府2019年第7次常务会议\n\n3月12日上午，镇长韦清主持召开会议。\n", "a.md", (2019, 3, 12)),
    ("# 镇政府第7次常务会议\n\n发布时间：2019年03月14日 10:20\n\n3月12日上午，镇长韦清主持召开会议。\n", "b.md",
     (2019, 3, 12)),  # the publication line is not the meeting's date
    ("# 镇政府第9次常务会议\n\n发布日期：2020-01-03\n\n12月30日，镇长韦清主持召开会议。\n", "c.md", (2019, 12, 30)),
    ("# 开发者周会\n\n⏰2023-02-05 19:30\n\n讨论了版本计划。\n", "d.md", (2023, 2, 5)),
    ("# 开发者周会\n\n讨论了版本计划。\n", "2023/周会 5.9.md", (2023, 5, 9)),
    # a page's chrome and its title again before the report
    ("# 镇人大主席团第二次会议\n\nadmin\n镇人大主席团第二次会议\n2月3日上午，镇人大主席团举行第二次会议。\n", "e.md",
     (None, 2, 3)),
    ("# 镇政协会议\n\n2021-03-02 09:10 编辑: 某某 |\n3月1日，镇政协召开会议。\n", "f.md", (2021, 3, 1)),  # (the byline's year)
])
def test_month_day_dates_and_their_years(text, source, want):
    doc = annotate(parse_text(text, source))
    assert ymd(doc.records[0].date) == want


def test_a_file_names_month_and_day_need_a_year_folder():
    assert ymd(path_date("2023/周会 5.9.md")) == (2023, 5, 9)
    assert ymd(path_date("周会 5.9.md")) is None and ymd(path_date("2023/v5.9.md")) == (2023, None, None)


def test_a_title_that_names_only_the_month_takes_the_day_its_opening_reports():
    text = ("# 前端性能研讨会・2021年6月\n\n前端性能研讨会将于**2021年6月19日**在线举行，请于6月15日前报名。\n\n"
            "## 议程\n\n- 开场\n")
    (meeting,) = annotate(parse_text(text, "meetup.md")).records
    assert (meeting.date.year, meeting.date.month, meeting.date.day) == (2021, 6, 19)
    other = "# 前端性能研讨会・2021年6月\n\n上次研讨会已于2021年5月22日举行。\n"
    (meeting,) = annotate(parse_text(other, "meetup.md")).records  # another month's: the title's month stays
    assert (meeting.date.year, meeting.date.month, meeting.date.day) == (2021, 6, None)


def test_a_file_names_date_completed_by_its_folders():
    assert ymd(path_date("纪要/2021/3月15日例会.md")) == (2021, 3, 15)  # the year from the folder
    assert ymd(path_date("2020/Meeting Minutes 28-10.md")) == (2020, 10, 28)  # a day that cannot be a month
    assert ymd(path_date("TSC/202011/05-11-2020 Meeting.md")) == (2020, 11, 5)  # the folder's month: day first
    assert ymd(path_date("TSC/202005/05-11-2020 Meeting.md")) == (2020, 5, 11)  # … or month first
    assert ymd(path_date("WG/05-11-2020 Meeting.md")) == (2020, None, None)  # nothing settles the order
    assert ymd(path_date("会议/3月15日例会.md")) == (None, 3, 15)


@pytest.mark.parametrize("text, source, want", [
    # the year of the meeting the opening names with its ordinal
    ("# 区政府常务会议\n\n2月17日下午，区长马文主持召开区政府2020年第4次常务会议。\n", "a.md", (2020, 2, 17)),
    # a byline or the dateline under the report
    ("# 第4次常务会议\n\n来源：区政府办 2020年02月18日\n\n2月17日下午，区长马文主持召开会议。\n", "b.md", (2020, 2, 17)),
    ("# 第4次常务会议\n\n2月17日下午，区长马文主持召开会议。\n\n区政府办\n\n2020年2月18日\n", "c.md", (2020, 2, 17)),
    # rules about meetings describe none; a tracker of many meetings' items is none
    ("# 区政府常务会议议事规则（印发通知）\n\n2024年11月20日\n\n第一条 为规范会议，制定本规则。\n", "d.md", None),
    ("# ActionItems\n\n| 会议时间 | 事项 | 责任人 |\n|--|--|--|\n| 20220706 | 整理清单 | 刘一 |\n"
     "| 20220720 | 修复链接 | 王二 |\n| 20220811 | 发布公告 | 张三 |\n", "e.md", None),
])
def test_years_of_month_day_reports_and_documents_with_no_meeting_date(text, source, want):
    assert ymd(annotate(parse_text(text, source)).records[0].date) == want


def test_a_dotted_file_name_keeps_its_date():
    assert ymd(path_date("example.gov.cn__t20240326_198036.md")) == (2024, 3, 26)


@pytest.mark.parametrize("text, source, want", [
    ("# 社区周会 4.8\n\n讨论了版本计划。\n", "2022/a.md", (2022, 4, 8)),  # a title's month and day, the folder's year
    ("# 社区例会（4.8）\n\n讨论了版本计划。\n", "2022/a.md", (2022, 4, 8)),
    ("# Release 4.8\n\n讨论了版本计划。\n", "2022/a.md", None),  # a version, not a day
    ("# Weekly meeting\n\nTuesday, discussion of the release.\n", "WG/05-01-2021.md", (2021, 1, 5)),  # its weekday
    ("# Weekly meeting\n\nSaturday, discussion of the release.\n", "WG/05-01-2021.md", (2021, 5, 1)),
    ("# 县政府工作规则\n\n（2021年3月1日县政府第5次常务会议通过）\n\n第一条 为规范工作。\n", "a.md", None),
])
def test_titles_weekdays_and_rules(text, source, want):
    assert ymd(annotate(parse_text(text, source)).records[0].date) == want


def test_a_file_names_order_and_day_complete_what_the_text_leaves_open():
    text = "# Weekly meeting\n\nDate: 05/11/2020\n\nReview of the release.\n"
    assert ymd(annotate(parse_text(text, "Minutes 28-10-2020.md")).records[0].date) == (2020, 11, 5)
    text = "# 2021年第一次例会\n\n讨论了版本计划。\n"
    assert ymd(annotate(parse_text(text, "2021-03-15.md")).records[0].date) == (2021, 3, 15)


def test_a_byline_run_on_to_the_report():
    text = "# 第4次常务会议\n\n2020-02-18 10:20 来源：区政府办\n2月17日下午，区长马文主持召开会议。\n"
    assert ymd(annotate(parse_text(text, "a.md")).records[0].date) == (2020, 2, 17)


def test_a_header_that_gives_only_the_month_takes_the_day_its_opening_reports():
    text = "# 理事会会议\n\n时间：2024年3月\n\n3月5日，理事会召开第二次会议。\n"
    assert ymd(annotate(parse_text(text, "a.md")).records[0].date) == (2024, 3, 5)


def test_a_labelled_meeting_day_wins_over_the_day_a_post_was_published():
    m = meeting_date("---\ntitle: 社区周会\ndate: 2022-12-13\n---\n# 社区周会\n\n会议时间：12月11日 20:00\n\n讨论了发布。\n")
    assert ymd(m.date) == (2022, 12, 11) and all(ymd(p.date) == (2022, 12, 11) for p in m.paragraphs if p.date)


def test_a_title_that_states_the_day_wins_over_the_day_a_post_was_published():
    m = meeting_date("---\ntitle: 社区会议记录 - 20160218\ndate: 2016-02-23\n---\n\n笔记如下。\n\n* 记录员: 张三\n")
    assert ymd(m.date) == (2016, 2, 18)


def test_a_speech_is_dated_by_its_dateline_not_by_what_it_reports():
    text = ("# 政府工作报告\n\n为夺取新的胜利\n\n——在人民代表大会第二次会议上的报告\n\n（1980年8月30日）\n\n各位代表：\n\n"
            "我受国务院的委托，现在向大会提出报告。\n\n国家计委副主任某某同志，于今年4月8日向常委会作了报告。\n")
    assert ymd(meeting_date(text).date) == (1980, 8, 30)
