"""The ledger, the timeline of a search and the meeting page's status forms in a real Chromium at 390 px (a
phone) and 1280 px, over the real app under waitress, signed in as an editor and as a reader. Nothing runs off
the side of the page; the chart, the rows and the forms are visible and usable; an editor changes a status
from the meeting page. Screenshots go to /tmp/ledger-shots/ (looked at by eye: see the branch's report)."""

import shutil
from pathlib import Path

import pytest

from archive.home import Archive
from web import create_app

from .conftest import engine_over
from .test_access_web import serve
from .printed import CHROMIUM
from .test_ledger import PASSWORD, build

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (scripts/test.sh installs it)")]
pytest.importorskip("playwright.sync_api", reason="needs playwright (pip install '.[test]')")
SHOTS = Path("/tmp/ledger-shots")
WIDTHS = (390, 1280)
CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture(scope="module")
def site(request, engine_kind, tmp_path_factory):
    """The ledger's minutes, the sample and the demo minutes, served with login: an editor and a reader."""
    folder = build(tmp_path_factory.mktemp("ledger-browser"))
    shutil.copytree(CORPUS, folder / "corpus")
    engine = engine_over(request, engine_kind, folder)
    store = Archive(engine).store
    store.add("chief", PASSWORD, "editor", "秘密")
    store.add("reader", PASSWORD, "reader", "秘密")
    return serve(create_app(engine, mode="network", store=store))


def signed_in(browser, base: str, width: int, name: str):
    page = browser.new_page(viewport={"width": width, "height": 900}, locale="zh-CN")
    page.set_default_timeout(10_000)
    page.goto(base + "/login")
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base + "/")
    return page


def shot(page, name: str, engine_kind: str, width: int) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{engine_kind}-{width}.png"), full_page=True)


def fits(page, width: int) -> bool:
    """Nothing runs off the right of the page (no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth") <= width


def inside(box, width: int) -> bool:
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5 and box["height"] > 0


@pytest.mark.parametrize("width", WIDTHS)
def test_the_ledger_and_the_timeline_fit_the_page(browser, site, engine_kind, width):
    page = signed_in(browser, site, width, "chief")
    page.goto(site + "/items")
    rows = page.locator("table.items tbody tr")
    assert rows.count() >= 20 and fits(page, width)
    for cell in ("td:first-child", "form.set-status button", "form.set-status select"):
        assert inside(rows.first.locator(cell).bounding_box(), width), cell
    shot(page, "items", engine_kind, width)
    page.goto(site + "/items?status=overdue&sort=date")
    assert fits(page, width) and page.locator(".summary .overdue").is_visible()
    page.goto(site + "/?q=会议")
    chart = page.locator("figure.timeline svg")
    assert chart.is_visible() and inside(chart.bounding_box(), width) and fits(page, width)
    bar = page.locator("figure.timeline a").first
    assert bar.bounding_box()["width"] >= 1
    shot(page, "timeline", engine_kind, width)
    bar.click()  # (narrows the search to its period)
    page.wait_for_url("**from=*")
    assert page.locator("figure.timeline a[aria-current]").count() == 1


@pytest.mark.parametrize("width", WIDTHS)
def test_an_editor_changes_a_status_on_the_meeting_page_a_reader_reads_it(browser, site, engine_kind, width):
    page = signed_in(browser, site, width, "chief")
    page.goto(site + "/items?owner=县交通局")
    page.locator("table.items a", has_text="第1次常务会议纪要").first.click()
    meeting = page.url.split("?")[0].split("#")[0]
    forms = page.locator(".item-status form.set-status")
    assert forms.count() == 4 and fits(page, width)
    road = page.locator(".item-status").first
    assert inside(road.locator("button").bounding_box(), width)
    road.locator("select").select_option("dropped")
    road.locator("input[name=note]").fill(f"合并到新方案（{width}）")
    road.locator("button").click()
    page.wait_for_url(meeting + "*")
    assert "已撤销" in page.locator(".item-status").first.inner_text()
    shot(page, "meeting-editor", engine_kind, width)
    reader = signed_in(browser, site, width, "reader")
    reader.goto(meeting)
    status = reader.locator(".item-status").first
    assert f"合并到新方案（{width}）" in status.inner_text() and reader.locator("form.set-status").count() == 0
    assert fits(reader, width)
    shot(reader, "meeting-reader", engine_kind, width)
