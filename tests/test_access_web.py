"""Login, sessions, tokens and the lockout through the real app under waitress, over real HTTP.

The index is test_access.py's corpus (minutes at each level with markers of their own); users
of each level log in with the form (CSRF token, session cookie) or call with API tokens.
"""

import dataclasses
import http.client
import json
import re
import statistics
import threading
import time
from urllib.parse import quote, urlencode, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.access.store import SQLiteStore
from archive.engines import open_engine
from archive.index.pipeline import ingest
from archive.search.request import SearchRequest
from archive.search.service import SearchService
from web import create_app

from .test_access import CONFIG, LEVELS, REQUESTS, above, build_corpus, markers

PASSWORD = "correct horse 1"
USERS = {"alice": "公开", "bob": "内部", "carol": "秘密"}


class Client:
    """A browser's cookies over http.client: no redirects followed, so each answer can be checked."""

    def __init__(self, base: str, headers: dict | None = None):
        self.netloc = urlsplit(base).netloc
        self.cookies: dict[str, str] = {}
        self.headers = headers or {}
        self.set_cookies: list[str] = []

    def request(self, method: str, path: str, form: dict | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection(self.netloc, timeout=30)
        all_headers = {**self.headers, **(headers or {})}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, quote(path, safe="/?&=%#;:+,@"), body=body, headers=all_headers)
        response = conn.getresponse()
        data = response.read()
        self.set_cookies = response.headers.get_all("Set-Cookie") or []
        for line in self.set_cookies:
            name, _, rest = line.partition("=")
            value = rest.split(";", 1)[0]
            if "expires=Thu, 01 Jan 1970" in line or "Max-Age=0" in line:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        conn.close()
        return response.status, response.headers, data.decode("utf-8", "replace")

    def get(self, path: str, **headers):
        return self.request("GET", path, headers=headers)

    def login(self, name: str, password: str = PASSWORD, **headers):
        status, _, page = self.get("/login", **headers)
        assert status == 200
        csrf = re.search(r'name="csrf" value="([^"]+)"', page)[1]
        return self.request("POST", "/login", {"csrf": csrf, "name": name, "password": password, "next": "/"},
                            headers=headers)


def serve(app, proxy_headers: bool = False) -> str:
    """The app under waitress on a free port, in a daemon thread (left to end with the test process:
    closing its socket under the running loop makes waitress's thread fail). proxy_headers: waitress
    passes X-Forwarded-* on, as `archive serve --proxy` has it do."""
    from waitress import create_server
    server = create_server(app, host="127.0.0.1", port=0, threads=4, clear_untrusted_proxy_headers=not proxy_headers)
    threading.Thread(target=server.run, daemon=True).start()
    return f"http://127.0.0.1:{server.effective_port}"


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """(engine, store, index folder) of the whole corpus, with a user of each level and an admin."""
    folder = tmp_path_factory.mktemp("web-index")
    engine = open_engine(folder)
    ingest([build_corpus(tmp_path_factory.mktemp("web-corpus"))], engine, config=CONFIG)
    store = SQLiteStore(folder)
    for name, level in USERS.items():
        store.add(name, PASSWORD, "reader", level)
    store.add("root", PASSWORD, "admin", "公开")
    return engine, store, folder


@pytest.fixture(scope="module")
def base(archive):
    engine, store, _ = archive
    return serve(create_app(engine, mode="network", config=CONFIG, store=store))


def test_without_a_login_pages_redirect_and_everything_else_is_401(base):
    anonymous = Client(base)
    for path in ("/", "/?q=环境", "/meetings/abc-1"):
        status, headers, _ = anonymous.get(path)
        assert status == 302 and headers["Location"].startswith("/login?next=")
    for path in ("/api/search?q=环境", "/api/meetings/abc-1"):
        status, headers, body = anonymous.get(path)
        assert status == 401 and json.loads(body)["error"] and "Bearer" in headers["WWW-Authenticate"]
    for path in ("/export.csv", "/feed.atom", "/meetings/abc-1/original"):  # (and anything added later)
        assert anonymous.get(path)[0] == 401
    status, _, page = anonymous.get("/login")
    assert status == 200 and "登录" in page and "<script" not in page


def test_login_sets_a_new_http_only_session_and_shows_only_the_users_level(base):
    bob = Client(base)
    bob.cookies["archive_session"] = "planted.by-an-attacker"  # fixation: a cookie set before login
    status, headers, _ = bob.login("bob")
    assert status == 303 and headers["Location"] == "/"
    cookie = next(c for c in bob.set_cookies if c.startswith("archive_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie  # (plain HTTP here)
    assert bob.cookies["archive_session"] != "planted.by-an-attacker"
    first = bob.cookies["archive_session"]
    status, _, page = bob.get("/?q=环境整治")
    assert status == 200 and "bob" in page
    assert not [m for m in above("内部") if m in page]
    assert bob.login("bob")[0] == 303 and bob.cookies["archive_session"] != first  # a new id at every login
    assert Client(base, ).get("/")[0] == 302
    stolen = Client(base)
    stolen.cookies["archive_session"] = first  # the session the second login replaced is gone
    assert stolen.get("/")[0] == 302


def test_the_same_answer_for_an_unknown_user_and_a_wrong_password(base):
    unknown, wrong = Client(base).login("nobody-here", "whatever1"), Client(base).login("alice", "whatever1")
    assert unknown[0] == wrong[0] == 401
    message = re.search(r'role="alert">([^<]+)<', unknown[2])[1]
    assert message == re.search(r'role="alert">([^<]+)<', wrong[2])[1] == "用户名或密码不正确。"


def test_a_login_without_its_csrf_token_is_rejected(base):
    c = Client(base)
    c.get("/login")
    status, _, page = c.request("POST", "/login", {"csrf": "forged", "name": "bob", "password": PASSWORD})
    assert status == 400 and "archive_session" not in c.cookies
    c2 = Client(base)  # a token from another browser (another csrf cookie) is no good either
    _, _, page = Client(base).get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page)[1]
    c2.get("/login")
    assert c2.request("POST", "/login", {"csrf": token, "name": "bob", "password": PASSWORD})[0] == 400
    assert "archive_session" not in c2.cookies


def test_logout_ends_the_session_on_the_server(base):
    c = Client(base)
    c.login("alice")
    cookie = c.cookies["archive_session"]
    _, _, page = c.get("/")
    token = re.search(r'name="csrf" value="([^"]+)"', page)[1]
    assert c.request("POST", "/logout", {"csrf": "forged"})[0] == 303 and c.get("/")[0] == 200  # forged: no effect
    assert c.request("POST", "/logout", {"csrf": token})[0] == 303
    replay = Client(base)
    replay.cookies["archive_session"] = cookie
    assert replay.get("/")[0] == 302


def test_api_tokens_work_until_revoked(base, archive):
    _, store, _ = archive
    token = store.new_token("carol")
    carol = Client(base, {"Authorization": f"Bearer {token}"})
    status, _, body = carol.get("/api/search?q=玄武晶石")
    assert status == 200 and json.loads(body)["total"] > 0
    status, headers, body = carol.get("/export.csv?q=玄武晶石")
    assert status == 200 and "玄武晶石" in body
    store.revoke("carol")
    assert carol.get("/api/search?q=玄武晶石")[0] == 401
    assert carol.get("/export.csv")[0] == 401
    assert carol.get("/")[0] == 401  # (a script's token refused: no redirect to a form)
    assert Client(base, {"Authorization": "Bearer arc_00000000_guess"}).get("/api/search")[0] == 401


def test_an_expired_session_is_refused(archive):
    engine, store, _ = archive
    brief = dataclasses.replace(CONFIG, session_minutes=1 / 60)  # one second
    url = serve(create_app(engine, mode="network", config=brief, store=store))
    c = Client(url)
    assert c.login("alice")[0] == 303 and c.get("/")[0] == 200
    time.sleep(1.5)
    assert c.get("/")[0] == 302 and c.get("/api/search")[0] == 401


def test_a_rotated_secret_ends_every_session(tmp_path, archive):
    engine, _, _ = archive
    store = SQLiteStore(tmp_path)
    store.add("dave", PASSWORD, "reader", "公开")
    url = serve(create_app(engine, mode="network", config=CONFIG, store=store))
    c = Client(url)
    c.login("dave")
    assert c.get("/")[0] == 200
    store.rotate_secret()
    assert c.get("/")[0] == 302


def test_public_mode_serves_the_lowest_level_without_login(archive):
    engine, store, _ = archive
    url = serve(create_app(engine, mode="public", config=CONFIG, store=store))
    anonymous = Client(url)
    status, _, body = anonymous.get("/api/search?per_page=100")
    everything = SearchService(engine).search(SearchRequest(per_page=100))
    public = [h for h in everything["hits"] if SearchService(engine).meeting(h["meeting_id"])["access"] == "公开"]
    assert status == 200 and json.loads(body)["total"] == len(public) > 0
    assert not [m for m in above("公开") if m in body]
    status, _, page = anonymous.get("/")
    assert status == 200 and 'href="/login?next=' in page
    bob = Client(url)  # and a user still logs in for more
    bob.login("bob")
    assert json.loads(bob.get("/api/search?per_page=100")[2])["total"] > len(public)


def test_the_audit_log_records_logins_searches_and_meetings(base, archive):
    _, store, folder = archive
    c = Client(base)
    c.login("alice", "wrong-password")
    c.login("alice")
    c.get("/?q=青松翠柏")
    from archive.access.audit import AuditLog
    events = [(e["event"], e["user"]) for e in AuditLog(folder / "audit.jsonl").read(user="alice")]
    assert ("login_failed", "alice") in events and ("login", "alice") in events and ("search", "alice") in events
    search = [e for e in AuditLog(folder / "audit.jsonl").read(event="search") if e["user"] == "alice"][-1]
    assert search["params"]["q"] == ["青松翠柏"] and search["status"] == 200


@pytest.mark.slow
@pytest.mark.parametrize("level", LEVELS)
def test_no_http_answer_holds_anything_above_the_users_level(base, archive, level):
    """Property-based requests over every endpoint as a user of each level (by an API token)."""
    engine, store, _ = archive
    name = next(n for n, lv in USERS.items() if lv == level)
    user = Client(base, {"Authorization": f"Bearer {store.new_token(name)}"})
    everyone = SearchService(engine)
    meetings = sorted({h["meeting_id"] for h in everyone.search(SearchRequest(per_page=100))["hits"]})
    hidden = [m for m in meetings if everyone.meeting(m)["access"] not in CONFIG.readable(level)]
    forbidden = above(level) + hidden

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
    @given(REQUESTS, st.sampled_from(meetings), st.integers(0, 12))
    def check(params, meeting_id, paragraph):
        query = {"q": params["q"], "region": params["region"], "topic": params["topic"], "person": params["person"],
                 "role": params["role"], "from": params["date_from"], "sort": params["sort"],
                 "page": params["page"], "per_page": params["per_page"], "month": params["month"] or "",
                 "since": params["since"]}
        query = urlencode({k: v for k, v in query.items() if v != ""})
        asked = json.dumps(params, ensure_ascii=False) + meeting_id
        for path in (f"/api/search?{query}", f"/?{query}", f"/export.csv?{query}", f"/api/meetings/{meeting_id}",
                     f"/feed.atom?{query}", f"/meetings/{meeting_id}/original",
                     f"/meetings/{meeting_id}?{query}&hit={paragraph}", f"/meetings/{meeting_id}?{query}&pos=1"):
            status, _, body = user.get(path)
            assert status in (200, 400, 404), (path, status)
            assert not [m for m in forbidden if m in body and m not in asked], (path, body[:300])
            if meeting_id in hidden and "/meetings/" in path:  # answered as a meeting that does not exist
                assert status == user.get(path.replace(meeting_id, "0000000000-1"))[0] in (400, 404)

    check()
    assert all(m in user.get(f"/api/search?q={m}")[2] for m in markers(level)[:3])


def _timed(url: str, name: str, password: str, address: str) -> tuple[int, float]:
    c = Client(url, {"X-Forwarded-For": address})
    c.get("/login")
    started = time.perf_counter()
    status = c.login(name, password)[0]
    return status, time.perf_counter() - started


@pytest.mark.slow
def test_a_hundred_wrong_passwords_lock_the_account_and_the_address_in_constant_time(archive, capsys):
    """Behind a proxy (ProxyFix), so that each client can come from an address of its own."""
    engine, store, _ = archive
    lock = dataclasses.replace(CONFIG, lockout_failures=10, lockout_minutes=10)
    url = serve(create_app(engine, mode="network", proxy=True, config=lock, store=store), proxy_headers=True)
    store.add("erin", PASSWORD, "reader", "公开")
    store.add("frank", PASSWORD, "reader", "公开")

    wrong, unknown = [], []
    for i in range(100):  # wrong passwords for erin from one address; unknown names, each from its own address
        wrong.append(_timed(url, "erin", f"wrong-{i}", "10.0.0.1"))
        if i % 3 == 0:
            unknown.append(_timed(url, f"nobody-{i}", f"wrong-{i}", f"10.0.1.{i}"))
    assert [s for s, _ in wrong[:10]] == [401] * 10 and {s for s, _ in wrong[10:]} == {429}
    assert {s for s, _ in unknown} == {401}
    groups = {"wrong password": [t for s, t in wrong if s == 401], "unknown user": [t for _, t in unknown],
              "locked": [t for s, t in wrong if s == 429]}
    medians = {k: statistics.median(v) for k, v in groups.items()}
    spread = (max(medians.values()) - min(medians.values())) / min(medians.values())
    with capsys.disabled():
        print("\nlogin answer medians (ms):", {k: round(v * 1000, 1) for k, v in medians.items()},
              f"spread {spread:.1%}")
    assert spread < 0.25  # the scrypt verification dominates every answer, whatever it says

    assert _timed(url, "erin", PASSWORD, "10.0.0.3")[0] == 429  # the account is locked, from anywhere
    assert _timed(url, "frank", PASSWORD, "10.0.0.1")[0] == 429  # and the address, for anyone
    assert _timed(url, "frank", PASSWORD, "10.0.0.4")[0] == 303


@pytest.mark.slow
def test_a_correct_password_is_refused_until_the_lockout_ends(archive):
    engine, store, _ = archive
    brief = dataclasses.replace(CONFIG, lockout_failures=10, lockout_minutes=0.05)  # three seconds
    url = serve(create_app(engine, mode="network", proxy=True, config=brief, store=store), proxy_headers=True)
    store.add("gina", PASSWORD, "reader", "公开")
    assert [_timed(url, "gina", "wrong", "10.0.2.1")[0] for _ in range(10)] == [401] * 10
    assert _timed(url, "gina", PASSWORD, "10.0.2.2")[0] == 429
    time.sleep(3.5)
    assert _timed(url, "gina", PASSWORD, "10.0.2.2")[0] == 303


@pytest.mark.slow
def test_a_secure_cookie_behind_a_tls_proxy(archive):
    engine, store, _ = archive
    url = serve(create_app(engine, mode="network", proxy=True, config=CONFIG, store=store), proxy_headers=True)
    c = Client(url, {"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.1.0.1"})
    assert c.login("alice")[0] == 303
    assert all("Secure" in line for line in c.set_cookies)
    direct = Client(serve(create_app(engine, mode="network", config=CONFIG, store=store), proxy_headers=True),
                    {"X-Forwarded-Proto": "https"})  # without --proxy the app does not believe the header
    assert direct.login("alice")[0] == 303 and not any("Secure" in line for line in direct.set_cookies)


@pytest.mark.parametrize("target", ["//evil.example", "/\\evil.example", "https://evil.example/", "/\t/evil.example"])
def test_after_login_only_a_path_of_this_site_is_followed(base, target):
    c = Client(base)
    _, _, page = c.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)[1]
    status, headers, _ = c.request("POST", "/login", {"csrf": csrf, "name": "alice", "password": PASSWORD,
                                                      "next": target})
    assert status == 303 and headers["Location"] == "/"
