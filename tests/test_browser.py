"""The page in a real browser: Debian's Chromium driven by Playwright, the real app under waitress
(tests/conftest.py's live_server), on every kind of engine.

Skipped (with the reason) only when /usr/bin/chromium is missing; scripts/test.sh installs it
with a CJK font. Screenshots go to test-output/ (git-ignored).
"""

import csv
import io
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from .printed import CHROMIUM

OUT = Path(__file__).resolve().parent.parent / "test-output"

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium fonts-noto-cjk; scripts/test.sh does it)")]
expect = pytest.importorskip("playwright.sync_api", reason="needs playwright (pip install '.[test]')").expect


@pytest.fixture()
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.dialogs = []  # any alert() would mean injected script ran
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.base = live_server
    yield page
    assert not page.dialogs and not page.errors
    context.close()


def query(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def total(page) -> int:
    return int(page.locator(".summary strong").inner_text())


def test_type_a_query_and_see_highlighted_results(page):
    page.goto(page.base + "/")
    page.get_by_label("检索词").fill("环境")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: query(url).get("q") == "环境")
    assert page.get_by_label("检索词").input_value() == "环境"
    marks = page.locator(".hit .snippet mark")
    assert marks.count() > 10 and marks.first.inner_text() == "环境"
    assert total(page) > 20
    assert re.search(r"\.md:\d+", page.locator(".hit .src").first.inner_text())


def test_screenshot_of_the_results_page(page):
    """For the README (docs/screenshot.png is a copy): a query, a date chip, the histogram."""
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.goto(page.base + "/?q=环境&from=2023&to=2023")
    assert page.locator(".hist.months a").count() > 0 and page.locator(".chip").count() == 1
    OUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUT / "results.png"))


def test_region_then_topic_narrow_and_a_chip_removes_one(page):
    page.goto(page.base + "/?q=环境")
    everything = total(page)
    region = page.locator('section[aria-labelledby="h-region"] ul.values a').first
    name, count = region.inner_text(), int(page.locator('section[aria-labelledby="h-region"] ul.values .count')
                                           .first.inner_text())
    region.click()
    page.wait_for_url(re.compile("region="))
    assert total(page) == count < everything
    assert page.locator(".trail a[aria-current]").inner_text() == name

    topic = page.locator('section[aria-labelledby="h-topic"] ul.values li').first
    topic_name, topic_count = topic.locator("a").inner_text(), int(topic.locator(".count").inner_text())
    topic.locator("a").click()
    page.wait_for_url(re.compile("topic="))
    assert total(page) == topic_count <= count
    assert query(page.url)["region"] == name and query(page.url)["topic"] == topic_name
    assert page.locator(".chip").count() == 2

    page.get_by_role("link", name=f"移除筛选条件 地区：{name}").click()
    page.wait_for_url(lambda url: "region=" not in url)
    assert query(page.url) == {"q": "环境", "topic": topic_name}
    assert page.locator(".chip").count() == 1
    assert total(page) >= topic_count


def test_drill_down_the_region_hierarchy_and_back_up(page):
    page.goto(page.base + "/?q=环境&region=四川省")
    child = page.locator('section[aria-labelledby="h-region"] ul.values a').first
    child_name = child.inner_text()
    child.click()
    page.wait_for_url(lambda url: query(url).get("region") == f"四川省/{child_name}")
    page.locator(".trail").get_by_role("link", name="四川省").click()
    page.wait_for_url(lambda url: query(url).get("region") == "四川省")


def test_page_forward_and_back(page):
    page.goto(page.base + "/?q=环境&per_page=5")
    first = page.locator(".hit-title a").first.inner_text()
    page.get_by_role("link", name="下一页 ›").click()
    page.wait_for_url(lambda url: query(url).get("page") == "2")
    assert page.locator("ol.hits").get_attribute("start") == "6"
    page.get_by_role("link", name="第 3 页").click()
    page.wait_for_url(lambda url: query(url).get("page") == "3")
    page.go_back()
    page.wait_for_url(lambda url: query(url).get("page") == "2")
    assert page.locator("ol.hits").get_attribute("start") == "6"
    page.go_back()
    page.wait_for_url(lambda url: "page" not in query(url))
    assert page.locator(".hit-title a").first.inner_text() == first
    page.go_forward()
    page.wait_for_url(lambda url: query(url).get("page") == "2")


def test_meeting_page_lands_on_the_highlighted_paragraph(page):
    page.goto(page.base + "/?q=环境&sort=oldest&per_page=5&page=2")
    link = page.locator(".hit-title a").nth(2)
    n = re.search(r"#p-(\d+)$", link.get_attribute("href"))[1]
    link.click()
    page.wait_for_url(re.compile(rf"/meetings/.*#p-{n}$"))
    target = page.locator(f"#p-{n}")
    # expect() retries until the page's script has scrolled and focused (a loaded machine is slow)
    expect(target).to_have_class(re.compile(r"\bhit\b"))
    assert target.locator("mark").count() >= 1
    expect(target).to_be_in_viewport()
    expect(target).to_be_focused()
    assert page.locator(".hitnav .pos").inner_text().startswith("第 8 条命中")
    page.screenshot(path=str(OUT / "meeting.png"))

    page.get_by_role("link", name="下一条命中").click()
    page.wait_for_url(re.compile(r"pos=9"))
    assert page.locator(".para.hit").count() >= 1
    # As above: let the page land on its hit before clicking, or the scroll to #p-N can move the
    # page under the click (seen once in a whole-suite run on a loaded machine).
    landed = page.locator("#" + urlsplit(page.url).fragment)
    expect(landed).to_be_in_viewport()
    expect(landed).to_be_focused()
    page.get_by_role("link", name="‹ 返回检索结果").click()
    page.wait_for_url(lambda url: "/meetings/" not in url)
    assert query(page.url) == {"q": "环境", "sort": "oldest", "per_page": "5", "page": "2"}


def test_csv_downloads_with_chinese_intact(page):
    page.goto(page.base + "/?q=环境&region=四川省")
    expected = total(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="导出 CSV").first.click()  # (above the hits; again below them)
    download = info.value
    assert download.suggested_filename.endswith(".csv") and "会议记录检索" in download.suggested_filename
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert rows[0][0] == "\ufeff序号" and "会议" in rows[0] and "段落内容" in rows[0]
    assert len(rows) == 1 + expected
    assert all("环境" in row[-1] for row in rows[1:])
    assert any("四川" in row[rows[0].index("地区")] for row in rows[1:])


def test_xss_paragraph_stays_text(page):
    page.goto(page.base + "/?q=onerror")
    snippet = page.locator(".hit .snippet").first
    assert '"><img src=x onerror=alert(1)>' in snippet.inner_text()
    assert snippet.locator("img").count() == 0
    page.locator(".hit-title a").first.click()
    page.wait_for_url(re.compile("/meetings/"))
    body = page.locator(".minutes").inner_text()
    assert '<script>alert("xss")</script>' in body and "onerror=alert(1)>" in body
    assert page.locator(".minutes img, .minutes script").count() == 0
    assert "<script>" in page.locator("h1").inner_text()
    page.goto(page.base + "/?q=" + '"><script>alert(1)</script>')
    assert page.get_by_label("检索词").input_value() == '"><script>alert(1)</script>'


def test_keyboard_and_phone_width(page):
    page.goto(page.base + "/?q=环境")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").startswith("跳到")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base + "/?q=环境&region=四川省")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not page.locator(".filters-box").evaluate("d => d.open")  # folded: results first
    page.locator(".filters-box > summary").click()
    assert page.locator('section[aria-labelledby="h-region"]').is_visible()
    page.screenshot(path=str(OUT / "phone.png"), full_page=False)


def test_works_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/?per_page=5")  # the form carries per_page along with the new query
    page.get_by_label("检索词").fill("环境")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile("q="))
    page.locator('section[aria-labelledby="h-topic"] ul.values a').first.click()
    page.wait_for_url(re.compile("topic="))
    page.get_by_role("link", name="下一页 ›").click()
    page.wait_for_url(lambda url: query(url).get("page") == "2")
    assert page.locator(".hit mark").count() > 0
    context.close()
