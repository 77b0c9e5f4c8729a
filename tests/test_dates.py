import csv
import re
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from archive.extract.dates import PartialDate, event_date, find_dates, title_year

SAMPLE = Path(__file__).resolve().parents[1] / "corpus" / "2023年环境整治工作会议记录.md"
REPORTS = Path("/work/shared/corpora/cn-national-work-reports")


def ymd(text):
    return [(d.year, d.month, d.day) for d in find_dates(text)]


# --- forms -------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("12月6日", (None, 12, 6)),
    ("2月26日", (None, 2, 26)),
    ("2023年", (2023, None, None)),
    ("2023年12月", (2023, 12, None)),
    ("2023年12月6日", (2023, 12, 6)),
    ("2023-12-06", (2023, 12, 6)),
    ("2023.12.6", (2023, 12, 6)),
    ("2023/12/6", (2023, 12, 6)),
    ("二〇二三年十二月六日", (2023, 12, 6)),
    ("十二月六日", (None, 12, 6)),
    ("一九九七年", (1997, None, None)),
    ("一九五八年一月三十一日", (1958, 1, 31)),
    ("二零零七年二月一日", (2007, 2, 1)),
    ("1921年7月", (1921, 7, None)),
    ("１９８６年", (1986, None, None)),  # full-width digits, as in the 1980s reports
    ("12月6号", (None, 12, 6)),
    ("本条例自2021年1月 1日起施行", (2021, 1, 1)),  # the law texts' stray spaces
    ("十月一日", (None, 10, 1)),
    ("2024年2月29日", (2024, 2, 29)),
])
def test_forms(text, expected):
    assert ymd(text) == [expected]


def test_text_is_the_words_as_written():
    dates = find_dates("会议于２０２３年１２月６日在县政府召开，12月底前完成整改")
    assert [d.text for d in dates] == ["２０２３年１２月６日", "12月"]


@pytest.mark.parametrize("text, expected", [
    ("20xx年", []),
    ("x年11月8日", [(None, 11, 8)]),
    ("20\\*年", []),
    ("20*年", []),
    ("××年", []),
    ("xx月", []),
    ("20XX年12月", [(None, 12, None)]),
    ("某年某月某日", []),
    ("截止x年9月16日原被告双方对账", [(None, 9, 16)]),
    ("2023年x月", [(2023, None, None)]),
])
def test_placeholders_are_unknown_never_a_year(text, expected):
    assert ymd(text) == expected


@pytest.mark.parametrize("text", [
    "第一时间", "一是", "三个月", "第三季度", "7、8月份", "十三五", "“十三?五”规划",
    "325831元", "1500万元", "40%以上", "第十二条", "18.5亿元", "24小时畅通",
    "农历十月初一", "统一月度考核", "以其最后一月的相应日为期", "俄国十月革命",
    "民国三十八年", "近五年来", "版本1.2.3", "第3月", "5000年",
])
def test_not_dates(text):
    assert find_dates(text) == []


@pytest.mark.parametrize("text, expected", [
    ("2023年13月5日", [(2023, None, None)]),  # a bad month ends the date
    ("2023年2月30日", [(2023, 2, None)]),
    ("2023年2月29日", [(2023, 2, None)]),  # not a leap year
    ("2023-13-01", []),
    ("5000年3月", [(None, 3, None)]),
])
def test_invalid_parts_are_dropped(text, expected):
    assert ymd(text) == expected


def test_several_mentions_in_order():
    text = ("县政府副县长李桂英传达了12月4日市委在彭泽召开的紧急部署会和12月5日上午"
            "全市环境保护工作会议精神，要求2024年3月底前完成。")
    assert ymd(text) == [(None, 12, 4), (None, 12, 5), (2024, 3, None)]


# --- PartialDate -------------------------------------------------------------

def test_with_year_fills_only_unknown_years():
    d = find_dates("12月6日")[0]
    filled = d.with_year(2023)
    assert (filled.year, filled.month, filled.day, filled.year_inferred) == (2023, 12, 6, True)
    assert filled.text == "12月6日"
    known = find_dates("2021年5月")[0]
    assert known.with_year(2023) == known


def test_as_json_and_sort_key():
    d = find_dates("x年11月8日")[0]
    assert d.as_json() == {"year": None, "month": 11, "day": 8,
                           "text": "x年11月8日", "year_inferred": False, "source": "text"}
    assert PartialDate.from_json(d.as_json()) == d
    assert d.sort_key() == 1108
    assert find_dates("2023年12月6日")[0].sort_key() == 20231206
    assert find_dates("2023年")[0].sort_key() == 20230000
    keys = [d.sort_key() for d in find_dates("2023年12月6日 2023年 2023年3月")]
    assert sorted(keys) == [20230000, 20230300, 20231206]


# --- event_date --------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("12月5日下午，彭泽县在行政中心725会议室召开全县环境保护工作会议。县政府全体班子成员出席。",
     (None, 12, 5)),
    ("10月30日，市委、市政府召开了全市农村环境卫生综合整治第三季度讲评会，会议将考核内容整合。",
     (None, 10, 30)),
    ("12月6日，麦积区召开保障中央环境保护督察工作动员推进会议，认真贯彻落实省、市有关会议精神。",
     (None, 12, 6)),
    ("2月26日，巴中市投资软环境建设工作会议召开。巴中市委书记李刚出席会议并讲话。", (None, 2, 26)),
    ("按照区委、区政府关于环境整治工作的要求，乡政府于4月16日召开环境卫生整治工作动员大会，"
     "对全乡环境卫生整治工作进行了全面的安排部署。", (None, 4, 16)),
    # sentences of our own
    ("2023年3月15日上午，县委召开常委会议，研究部署春季森林防火工作。", (2023, 3, 15)),
    ("3月上旬，全县召开安全生产工作会议。", (None, 3, None)),
    ("会议定于6月18日在县政府三楼召开。", (None, 6, 18)),
    ("今年3月5日，县委召开常委会，听取乡村振兴工作汇报。", (None, 3, 5)),
    ("二〇二三年十二月六日，县人大常委会举行第十二次会议。", (2023, 12, 6)),
    # the meeting named by its kind just before its date
    ("开源文档小组启动会 **2019年4月13日 成都**，请于4月8日前报名。", (2019, 4, 13)),
    ("第三季度例会定于 9月6日 在线上进行。", (None, 9, 6)),
])
def test_event_date(text, expected):
    d = event_date(text)
    assert d is not None and (d.year, d.month, d.day) == expected


@pytest.mark.parametrize("text", [
    "关于乡镇经费投入问题，在这里我要重点强调几句：凡是11月底之前前三季度村级经费没有拨付到位、"
    "12月底之前全年经费没有到位的，该乡镇环境综合整治工作实行一票否决。",
    "去年以来，全区各级各部门严格按照区委、区政府的统一部署要求进行了认真整改。",
    "今年以来，全县召开各类会议二十次。",
    "会议要求，各乡镇务必在12月31日前完成整改。",
    "12月31日前，各单位要召开专题会议研究整改。",
    "截至9月16日，全县共召开调度会议12次。",
    "去年12月，我市召开了全市安全生产大会。",  # a year we could not fill from the title
    "5月20日，全市降雨量达到80毫米。",  # dated, but no meeting
    "第四季度，市整治领导小组部署了专项整治工作，12月底将进行全面验收。",
    "会议强调，要在12月20日至25日开展集中检查。",
    "2023年，我县经济社会发展取得新成绩，全年召开常务会议32次。",  # a year, no month
    "同志们：今天我们召开全县森林防火工作会议。",
    # a notice that promulgates a rule names the adopting meeting in passing
    "《某县人民政府工作规则》已经2023年5月9日县政府第12次常务会议通过，现予印发，请认真贯彻执行。",
    "协会 2019年4月13日 成立。",  # 协会 is no meeting
])
def test_no_event_date(text):
    assert event_date(text) is None


def test_event_dates_of_the_sample():
    paragraphs = SAMPLE.read_text(encoding="utf-8").split("\n\n")
    found = [(d.month, d.day) for d in map(event_date, paragraphs) if d]
    assert found == [(12, 6), (12, 5), (12, 5), (4, 16), (10, 30), (2, 26)]


# --- title_year --------------------------------------------------------------

@pytest.mark.parametrize("title, year", [
    ("2023年环境整治工作会议记录", 2023),
    ("# 2023年环境整治工作会议记录 环境保护工作会议记录(通用8篇)", 2023),
    ("二〇二三年度全县安全生产工作会议纪要", 2023),
    ("20xx年环境整治工作会议记录", None),
    ("20\\*年城乡环境综合治理工作会议上的讲话", None),
    ("××年农村工作会议记录", None),
    ("环境整治工作会议记录篇一", None),
    ("在全县“十三五”规划编制工作会议上的讲话", None),
])
def test_title_year(title, year):
    assert title_year(title) == year


@pytest.mark.skipif(not REPORTS.is_dir(), reason="shared corpus not mounted")
def test_title_year_of_the_government_work_reports():
    with open(REPORTS / "MANIFEST.tsv", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if r["path"].startswith("政府工作报告/")]
    assert len(rows) > 40
    for row in rows:
        first_line = (REPORTS / row["path"]).read_text(encoding="utf-8").splitlines()[0]
        assert title_year(first_line) == int(row["date"][:4]), first_line


@pytest.mark.skipif(not REPORTS.is_dir(), reason="shared corpus not mounted")
def test_all_dates_of_the_reports_are_valid():
    for path in REPORTS.glob("*/*.md"):
        text = path.read_text(encoding="utf-8")
        for d in find_dates(text):
            assert_valid(d, text)


# --- properties --------------------------------------------------------------

def assert_valid(d, text):
    assert d.month is None or 1 <= d.month <= 12
    assert d.day is None or 1 <= d.day <= 31
    assert d.year is None or 1800 <= d.year <= 2100
    assert (d.year, d.month, d.day) != (None, None, None)
    assert d.text and d.text in text
    assert not d.year_inferred


# Characters that make dates, so that random text often comes close to one.
DATEISH = st.lists(st.sampled_from(
    list("0123456789０１２〇零○一二三四五六七八九十廿卅年月日号xX×*\\□某第、至底前，。 .-/")
    + ["2023年", "12月", "6日", "二〇二三", "十二月", "20xx", "召开", "会议", "下午"]),
    max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=200), DATEISH))
def test_find_dates_never_raises_nor_returns_invalid_parts(text):
    for d in find_dates(text):
        assert_valid(d, text)
    event_date(text)
    title_year(text)


@settings(max_examples=200, deadline=None)
@given(st.integers(1900, 2100), st.integers(1, 12), st.integers(1, 28))
def test_round_trip_of_written_dates(y, m, d):
    for text in (f"{y}年{m}月{d}日", f"{y}-{m:02d}-{d:02d}", f"{y}.{m}.{d}"):
        assert ymd(f"会议于{text}召开") == [(y, m, d)]


def test_sample_has_no_invalid_dates():
    text = SAMPLE.read_text(encoding="utf-8")
    dates = find_dates(text)
    for d in dates:
        assert_valid(d, text)
    # The placeholder years of the template never become a year.
    assert not any(re.search(r"[x×*]", d.text) and d.year for d in dates)
