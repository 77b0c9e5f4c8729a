"""The login page in a real browser (Debian's Chromium through Playwright) over the real app under waitress."""

import pytest

from web import create_app

from .test_access import above
from .test_access_web import PASSWORD, archive, serve  # noqa: F401 (archive: the fixture)
from .printed import ARGS, CHROMIUM

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (scripts/test.sh installs it)")]
sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (pip install '.[test]')")


@pytest.fixture(scope="module")
def page(archive):
    from .test_access import CONFIG
    engine, store, _ = archive
    url = serve(create_app(engine, mode="network", config=CONFIG, store=store))
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.errors = []
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.on("console", lambda m: page.errors.append(m.text) if "Content Security Policy" in m.text else None)
        page.base = url
        yield page
        browser.close()


def test_log_in_search_within_the_level_and_log_out(page):
    page.goto(page.base + "/?q=环境整治")
    assert "/login" in page.url
    expect = sync_api.expect
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    page.get_by_label("用户名").fill("bob")
    page.get_by_label("密码").fill("not the password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_have_text("用户名或密码不正确。")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/?q=*")  # back where the login was asked for
    body = page.content()
    assert "丹霞赤壁" in body and not [m for m in above("内部") if m in body]
    cookie = next(c for c in page.context.cookies() if c["name"] == "archive_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/login")
    page.goto(page.base + "/")
    assert "/login" in page.url
    assert not page.errors
