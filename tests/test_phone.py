"""The page at 390 px (a phone) and 1280 px in a real Chromium: short labels whole, 订阅 and 导出 CSV at the top of the
results, the reading view's repaired lines joined, zero-hit help that leads somewhere, the signed-in header in one
row, and an error page with a way back. Screenshots go to /tmp/web2/ (looked at by eye: see the branch's report)."""

from pathlib import Path

import pytest

from archive.access.store import SQLiteStore
from web import create_app

from .test_access_web import serve
from .printed import CHROMIUM

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (scripts/test.sh installs it)")]
pytest.importorskip("playwright.sync_api", reason="needs playwright (pip install '.[test]')")
SHOTS = Path("/tmp/web2")
WIDTHS = (390, 1280)


def opened(browser, width: int, base: str):
    page = browser.new_page(viewport={"width": width, "height": 900}, locale="zh-CN")
    page.set_default_timeout(10_000)
    page.base = base
    return page


def one_line(locator) -> bool:
    """The element's text stands on one line (its box is no taller than one line of its font)."""
    return locator.evaluate("e => e.getBoundingClientRect().height <= 1.6 * parseFloat(getComputedStyle(e).lineHeight"
                            " === 'normal' ? 1.3 * parseFloat(getComputedStyle(e).fontSize) : "
                            "getComputedStyle(e).lineHeight)")


def shot(page, name: str, engine_kind: str, width: int) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{engine_kind}-{width}.png"))


@pytest.mark.parametrize("width", WIDTHS)
def test_short_labels_whole_and_subscribe_and_export_at_the_top(browser, live_server, engine_kind, width):
    page = opened(browser, width, live_server)
    page.goto(page.base + "/?q=环境")
    tools = page.locator(".toolbar .tools a")
    assert tools.all_inner_texts() == ["订阅", "导出 CSV"]
    first_hit = page.locator(".hit").first.bounding_box()
    for link in tools.all():
        assert link.is_visible() and link.bounding_box()["y"] < first_hit["y"] and one_line(link)
    assert one_line(page.locator(".took"))
    placeholders = [page.locator(f'input[name="{n}"]').get_attribute("placeholder") for n in ("from", "to")]
    assert placeholders == ["如 2021", "如 2023-06"]
    shot(page, "results", engine_kind, width)
    page.locator(".hit a").first.click()
    original = page.locator("a.original").first
    assert original.inner_text() == "原文下载" and one_line(original)
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_reading_view_joins_a_line_broken_in_the_source(browser, live_server, engine_kind, width):
    page = opened(browser, width, live_server)
    page.goto(page.base + "/?q=%22严格整改标准%22")
    page.locator(".hit a").first.click()
    hit = page.locator(".minutes .para.hit")
    assert "严格整改标准，加大惩处力度" in hit.inner_text()
    assert hit.locator("mark", has_text="严格整改标准").count() == 1  # marked whole across the old break
    hit.scroll_into_view_if_needed()
    shot(page, "reading", engine_kind, width)
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_zero_hits_with_filters_offer_only_drops_that_find_something(browser, live_server, engine_kind, width):
    page = opened(browser, width, live_server)
    page.goto(page.base + "/?q=严格整改标准&region=湖南省&topic=生态环保")  # (without the region: 0 too)
    assert page.locator(".summary strong").inner_text() == "0"
    drops = page.locator(".drops li")
    assert drops.count() == 1 and "主题" in drops.inner_text() and "：0 条" not in drops.inner_text()
    assert "湖南省" in page.locator("ol.trail").text_content() and "名称含" not in page.content()
    shot(page, "zero", engine_kind, width)
    drops.first.locator("a").click()
    assert int(page.locator(".summary strong").inner_text()) > 0
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_error_page_says_why_and_leads_back(browser, live_server, engine_kind, width):
    page = opened(browser, width, live_server)
    page.goto(page.base + "/?q=环境&from=20x1")
    assert "日期格式" in page.locator(".reason").inner_text()
    shot(page, "error", engine_kind, width)
    page.get_by_role("link", name="去掉有误的条件，重新检索").click()
    assert "from=" not in page.url and int(page.locator(".summary strong").inner_text()) > 0
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_signed_in_the_name_and_logout_share_one_row(browser, web_index, engine_kind, width, tmp_path):
    store = SQLiteStore(tmp_path)
    store.add("欧阳晓明", "a long enough password", "reader", "公开")
    page = opened(browser, width, serve(create_app(web_index, mode="network", store=store)))
    page.goto(page.base + "/")
    page.get_by_label("用户名").fill("欧阳晓明")
    page.get_by_label("密码").fill("a long enough password")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(page.base + "/")
    name, out = page.locator(".who span"), page.get_by_role("button", name="退出")
    assert abs(name.bounding_box()["y"] + name.bounding_box()["height"] / 2
               - out.bounding_box()["y"] - out.bounding_box()["height"] / 2) < 6
    assert one_line(name) and one_line(out)
    search_red = page.locator("form.search button").evaluate("e => getComputedStyle(e).backgroundColor")
    assert out.evaluate("e => getComputedStyle(e).backgroundColor") != search_red
    shot(page, "signed-in", engine_kind, width)
    page.close()
