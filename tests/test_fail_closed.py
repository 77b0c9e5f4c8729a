"""Fail closed (#19, #25): when the archive cannot be sure who may read something, nobody but an admin reads it.

On every engine (the real Flask app over a real index or database, the real users store): a server
in proxy or network mode without users answers 503 everywhere; login names no user can have are a
wrong login (401, counted, audited cut), bodies over 64 KB a 413; failure rows expire; the audit's
anonymous stream cannot push the users' history out and its text view escapes control characters;
the original download sends only the file that was ingested; date bounds out of range are a 400;
a 503 says nothing of the layout; feed links never follow an unchecked Host.
"""

import dataclasses
import io
import os
import re
import sys

import pytest

from archive.access.audit import AuditLog
from archive.access.store import SQLiteStore
from archive.cli import main
from archive.home import Archive
from archive.index.pipeline import ingest
from web import create_app

from .conftest import cli_args, write
from .test_access import CONFIG

SECRET = "玄武晶石"  # only the 秘密 file holds it
PUBLIC = "# 公开的会议纪要\n\n2024年3月5日，会议研究了档案数字化工作。\n"
PRIVATE = f"---\naccess: 秘密\n---\n# 秘密的会议纪要\n\n2024年3月6日，会议研究了{SECRET}项目。\n"
PASSWORD = "correct horse 1"


def _archive(new_engine, tmp_path):
    """(engine, config with the audit log under tmp_path, corpus folder): a 公开 and a 秘密 file."""
    corpus = tmp_path / "corpus"
    write(corpus / "open.md", PUBLIC)
    write(corpus / "secret.md", PRIVATE)
    engine = new_engine()
    assert ingest([corpus], engine, config=CONFIG).added == 2
    return engine, dataclasses.replace(CONFIG, audit_log=str(tmp_path / "log" / "audit.jsonl")), corpus


def _csrf(client) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/login").get_data(as_text=True))[1]


PATHS = ["/", f"/?q={SECRET}", f"/api/search?q={SECRET}", f"/export.csv?q={SECRET}", "/feed.atom", "/login",
         "/static/style.css", "/api/meetings/x"]


def _all_closed(client, **headers) -> None:
    for path in PATHS:
        response = client.get(path, headers=headers)
        assert response.status_code == 503, (path, response.status_code)
        assert SECRET not in response.get_data(as_text=True) and "没有任何用户" in response.get_data(as_text=True)


def test_proxy_mode_without_users_is_503_everywhere_also_when_the_users_are_removed(new_engine, tmp_path):
    engine, config, _ = _archive(new_engine, tmp_path)
    client = create_app(engine, proxy=True, config=config).test_client()
    _all_closed(client, **{"X-Forwarded-For": "203.0.113.5"})
    store = Archive(engine).store
    store.add("li", PASSWORD, "admin", "秘密")
    assert client.get(f"/api/search?q={SECRET}").status_code == 401  # users: a login is asked for
    token = store.new_token("li")
    assert client.get(f"/api/search?q={SECRET}", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    store.remove("li")  # the last user removed while the server runs
    _all_closed(client)
    _all_closed(client, Authorization=f"Bearer {token}")


def test_a_network_server_whose_users_are_removed_is_503(new_engine, tmp_path):
    engine, config, _ = _archive(new_engine, tmp_path)
    client = create_app(engine, mode="network", config=config).test_client()
    _all_closed(client)


@pytest.mark.parametrize("name", ["a\x00b", "boss\n2026-01-01T00:00:00Z  login        boss", "\x1b[2Jx",
                                  "x" * 65, "李" * 5000, " \u202eevil"])
def test_a_login_name_no_user_can_have_is_a_wrong_login_counted_and_audited(new_engine, tmp_path, name):
    engine, config, _ = _archive(new_engine, tmp_path)
    store = Archive(engine).store
    store.add("li", PASSWORD, "reader", "公开")
    app = create_app(engine, mode="network", config=config)
    client = app.test_client()
    for _ in range(2):
        response = client.post("/login", data={"csrf": _csrf(client), "name": name, "password": PASSWORD})
        assert response.status_code == 401 and "用户名或密码不正确" in response.get_data(as_text=True)
    rows = dict(store._run("SELECT key, count FROM §failures", fetch=True))
    assert rows["address:127.0.0.1"] == 2 and len(rows) == 2  # counted, under one cut key
    failed = list(app.config["AUDIT"].read(event="login_failed"))
    assert len(failed) == 2 and all(len(e["user"]) <= 201 for e in failed)


def test_a_body_over_64_kb_is_413_and_a_query_string_is_logged_cut(new_engine, tmp_path):
    engine, config, _ = _archive(new_engine, tmp_path)
    Archive(engine).store.add("li", PASSWORD, "reader", "公开")
    app = create_app(engine, mode="network", config=config)
    client = app.test_client()
    response = client.post("/login", data={"csrf": _csrf(client), "name": "x" * 100_000, "password": "p"})
    assert response.status_code == 413 and "过大" in response.get_data(as_text=True)
    assert client.get("/api/search?q=" + "环" * 200_000).status_code == 401
    assert list(app.config["AUDIT"].read())
    assert max(len(line) for path in app.config["AUDIT"].files()
                          for line in path.read_text(encoding="utf-8").splitlines()) < 10_000


def test_failure_rows_expire_and_a_locked_address_adds_no_row_per_new_name(new_engine):
    store = Archive(new_engine()).store
    if hasattr(store, "create"):  # (PostgreSQL: the owner makes the tables once, as `archive db init` does)
        store.create()

    def rows() -> int:
        return store._run("SELECT count(*) FROM §failures", fetch=True)[0][0]

    for _ in range(3):
        store.fail(["user:a", "address:x"], 1000.0, 3, 60.0)
    assert store.locked(["address:x"], 1001.0) > 0
    for i in range(50):  # an attack going on from the locked address, a new name each time
        store.fail([f"user:new{i}", "address:x"], 1010.0 + i / 100, 3, 60.0)
    assert rows() == 2
    store.fail(["user:b", "address:y"], 5000.0, 3, 60.0)  # long after: the old rows are gone
    assert rows() == 2 and store.locked(["address:x"], 5000.0) == 0


def test_a_burst_of_anonymous_events_cannot_push_out_the_users_history(tmp_path):
    log = AuditLog(tmp_path / "audit.jsonl", max_bytes=4000, backups=2, anonymous_bytes=4000, anonymous_backups=1)
    for i in range(5):
        log.write("search", "alice", "10.0.0.1", params={"q": [f"词{i}"]})
    for i in range(2000):
        log.write("login_failed", "x" * 10_000 + str(i), "203.0.113.5")
        log.write("request", "", "203.0.113.6", path="/" + "a" * 10_000)
    assert [e["params"]["q"][0] for e in log.read(user="alice")] == [f"词{i}" for i in range(5)]
    assert len(log.files()) <= 1 + 2 + 1 + 1  # each stream: its file and its backups
    assert sum(p.stat().st_size for p in log.files()) < 5 * 4000 + 2 * 1000


def test_the_audit_text_view_escapes_control_characters_and_since_is_checked(tmp_path, monkeypatch, capsys):
    log = AuditLog(tmp_path / "audit.jsonl")
    log.write("login_failed", "eve\n2026-01-01T00:00:00Z  login        boss         10.1.2.3 {}\x1b[2J", "10.9.9.9")
    log.write("login", "li", "10.0.0.1")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["audit", "--index", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert len(out.splitlines()) == 2 and "\x1b" not in out and "\\n2026" in out and "\\x1b[2J" in out
    assert main(["audit", "--since", "foo", "--index", str(tmp_path)]) == 2
    assert "--since" in capsys.readouterr().err
    assert main(["audit", "--since", "2026-11-30T08", "--index", str(tmp_path)]) == 0


def test_users_add_refuses_names_nobody_could_log_in_with(tmp_path, monkeypatch, capsys):
    for bad in ["eve\tadmin\t秘密", " pub", "pub ", "x" * 65, "a\x1bb", ""]:
        monkeypatch.setattr(sys, "stdin", io.StringIO("long enough\n"))
        assert main(["users", "add", bad, "--index", str(tmp_path)]) == 2, bad
        assert "用户名" in capsys.readouterr().err
    assert SQLiteStore(tmp_path).users() == []


def test_a_new_password_revokes_the_users_tokens(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("long enough\n"))
    main(["users", "add", "li", "--index", str(tmp_path)])
    store = SQLiteStore(tmp_path)
    token = store.new_token("li")
    monkeypatch.setattr(sys, "stdin", io.StringIO("another password\n"))
    assert main(["users", "passwd", "li", "--index", str(tmp_path)]) == 0
    assert store.token_user(token) is None and "令牌" in capsys.readouterr().err


def test_the_original_is_sent_only_as_it_was_ingested(new_engine, tmp_path):
    engine, config, corpus = _archive(new_engine, tmp_path)
    client = create_app(engine, config=config).test_client()
    mid = client.get("/api/search?q=档案数字化").get_json()["hits"][0]["meeting_id"]
    assert client.get(f"/meetings/{mid}/original").data == PUBLIC.encode()
    (corpus / "open.md").write_text(PRIVATE, encoding="utf-8")  # re-tagged 秘密 on disk, not re-ingested
    response = client.get(f"/meetings/{mid}/original")
    assert response.status_code == 404 and SECRET not in response.get_data(as_text=True)
    (corpus / "open.md").unlink()
    os.symlink(corpus / "secret.md", corpus / "open.md")
    assert client.get(f"/meetings/{mid}/original").status_code == 404


BOUNDS = ["since=0001-01-01", "since=9999-12-31T23:59:59-23:59", "since=0001-01-01T00:00:00%2B14:00", "since=foo",
          "from=0000", "to=2024-02-30", "month=13", "from=9999&to=0001"]


@pytest.mark.parametrize("bound", BOUNDS)
def test_a_date_bound_out_of_range_is_400_with_a_reason(app, bound):
    client = app.test_client()
    for path in ("/", "/api/search", "/export.csv", "/feed.atom"):
        response = client.get(f"{path}?q=会议&{bound}")
        assert response.status_code == 400, (path, bound, response.status_code)
        assert re.search("[\u4e00-\u9fff]", response.get_data(as_text=True))


@pytest.mark.parametrize("since", ["0001-01-01", "9999-12-31T23:59:59-23:59"])
def test_a_since_out_of_range_exits_2_on_the_command_line(sample_index, since, capsys):
    assert main(["search", "会议", "--since", since, *cli_args(sample_index)]) == 2
    assert "since" in capsys.readouterr().err


def test_a_503_says_nothing_of_the_layout(tmp_path):
    from archive.engines.postgres import PostgresEngine
    url = "postgresql://archive:Pw_9f3kSecret@127.0.0.1:9/archive_db"  # (nothing listens on port 9)
    client = create_app(PostgresEngine(url), config=dataclasses.replace(
        CONFIG, audit_log=str(tmp_path / "audit.jsonl"))).test_client()
    for path in ("/", "/api/search?q=x", "/login", "/static/style.css", "/feed.atom"):
        response = client.get(path)
        body = response.get_data(as_text=True)
        assert response.status_code == 503 and "服务暂不可用" in body, (path, response.status_code)
        assert not [x for x in ("postgresql://", "127.0.0.1", ":9", "Pw_9f3k", "archive_db") if x in body], body


def test_feed_links_never_follow_an_unchecked_host(app, tmp_path):
    client = app.test_client()
    body = client.get("/feed.atom?q=会议", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert "<entry>" in body and "evil.example" not in body
    assert 'href="http://127.0.0.1/meetings/' in client.get("/feed.atom?q=会议", headers={"Host": "127.0.0.1"}).get_data(
        as_text=True)
    engine = app.config["SERVICE"].engine
    config = dataclasses.replace(CONFIG, base_url="https://minutes.example.gov.cn",
                                 audit_log=str(tmp_path / "audit.jsonl"))
    body = create_app(engine, config=config).test_client().get(
        "/feed.atom?q=会议", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert 'href="https://minutes.example.gov.cn/meetings/' in body and "evil.example" not in body
