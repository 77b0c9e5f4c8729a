"""`archive users`, `archive audit` and `archive serve` beyond loopback: safe by default."""

import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from urllib.parse import quote

import pytest

from archive.access.levels import load_config
from archive.access.store import SQLiteStore
from archive.cli import main
from archive.engines import open_engine
from archive.index.pipeline import ingest

from .conftest import ROOT, write
from .test_access import CONFIG, above, build_corpus

RULES = '[access]\nlevels = ["公开", "内部", "秘密"]\n[access.folders]\n"内部资料" = "内部"\n"机密" = "秘密"\n'


def run(monkeypatch, capsys, *argv, stdin: str = ""):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_users_are_added_listed_changed_and_removed_with_passwords_from_stdin(tmp_path, monkeypatch, capsys):
    index = str(tmp_path)
    assert run(monkeypatch, capsys, "users", "add", "li", "--level", "内部", "--index", index,
               stdin="long enough\n")[0] == 0
    store = SQLiteStore(tmp_path)
    assert store.check_password("li", "long enough").level == "内部"
    assert oct(os.stat(tmp_path / "access.sqlite").st_mode & 0o777) == "0o600"
    assert run(monkeypatch, capsys, "users", "add", "li", "--index", index, stdin="long enough\n")[0] == 2
    code, _, err = run(monkeypatch, capsys, "users", "add", "wu", "--level", "绝密", "--index", index, stdin="x" * 9)
    assert code == 2 and "绝密" in err
    code, _, err = run(monkeypatch, capsys, "users", "add", "wu", "--index", index, stdin="short\n")
    assert code == 2 and "8" in err and store.user("wu") is None
    assert run(monkeypatch, capsys, "users", "add", "zhao", "--role", "admin", "--index", index, stdin="admin pass\n")[0] == 0
    assert store.user("zhao").level == "秘密"  # an admin reads everything; by default the highest level
    code, out, _ = run(monkeypatch, capsys, "users", "list", "--index", index)
    assert code == 0 and out.splitlines() == ["li\treader\t内部\t0 个令牌", "zhao\tadmin\t秘密\t0 个令牌"]
    assert run(monkeypatch, capsys, "users", "passwd", "li", "--level", "公开", "--index", index, stdin="new password\n")[0] == 0
    assert store.check_password("li", "long enough") is None and store.check_password("li", "new password").level == "公开"
    assert run(monkeypatch, capsys, "users", "remove", "li", "--index", index)[0] == 0
    assert store.user("li") is None
    assert run(monkeypatch, capsys, "users", "remove", "li", "--index", index)[0] == 1


def test_a_token_is_printed_alone_once_and_revoked(tmp_path, monkeypatch, capsys):
    index = str(tmp_path)
    run(monkeypatch, capsys, "users", "add", "li", "--index", index, stdin="long enough\n")
    code, out, _ = run(monkeypatch, capsys, "users", "token", "li", "--index", index)
    token = out.strip()
    assert code == 0 and out == token + "\n" and token.startswith("arc_")
    store = SQLiteStore(tmp_path)
    assert store.token_user(token).name == "li"
    assert token.split("_", 2)[2] not in (tmp_path / "access.sqlite").read_bytes().decode("latin-1")  # hashed
    assert run(monkeypatch, capsys, "users", "revoke", "li", "--index", index)[0] == 0
    assert store.token_user(token) is None
    assert run(monkeypatch, capsys, "users", "token", "nobody", "--index", index)[0] == 1


def test_one_token_is_revoked_by_its_id_and_rotating_the_secret_ends_sessions(tmp_path, monkeypatch, capsys):
    index = str(tmp_path)
    run(monkeypatch, capsys, "users", "add", "li", "--index", index, stdin="long enough\n")
    first, second = (run(monkeypatch, capsys, "users", "token", "li", "--index", index)[1].strip() for _ in "12")
    code, _, err = run(monkeypatch, capsys, "users", "revoke", "li", "--token", first.split("_")[1], "--index", index)
    store = SQLiteStore(tmp_path)
    assert code == 0 and "已撤销 1 个令牌" in err
    assert store.token_user(first) is None and store.token_user(second).name == "li"
    session, secret = store.new_session("li", 60), store.secret()
    code, _, err = run(monkeypatch, capsys, "users", "rotate-secret", "--index", index)
    assert code == 0 and "会话已失效" in err and store.secret() != secret and store.session_user(session) is None
    # --role and --level belong to add and passwd; an empty name is refused as before the subcommands.
    with pytest.raises(SystemExit) as usage:
        run(monkeypatch, capsys, "users", "remove", "li", "--role", "admin", "--index", index)
    assert usage.value.code == 2 and "无法识别的参数：--role" in capsys.readouterr().err
    code, _, err = run(monkeypatch, capsys, "users", "remove", "", "--index", index)
    assert code == 2 and "需要用户名" in err and store.user("li") is not None


def test_the_audit_command_filters_by_user_and_event(tmp_path, monkeypatch, capsys):
    from archive.access.audit import AuditLog
    log = AuditLog(tmp_path / "audit.jsonl", max_bytes=300, backups=3)
    for i in range(12):
        log.write("search" if i % 2 else "login", f"user{i % 3}", "127.0.0.1", params={"q": [f"词{i}"]})
    assert len(list(tmp_path.glob("audit.jsonl.*"))) == 3  # rotated, the oldest dropped
    assert {oct(p.stat().st_mode & 0o777) for p in tmp_path.glob("audit.jsonl*")} == {"0o600"}
    kept = list(log.read())
    assert [e["params"]["q"][0] for e in kept] == [f"词{i}" for i in range(12 - len(kept), 12)]  # oldest first
    code, out, _ = run(monkeypatch, capsys, "audit", "--user", "user1", "--event", "search", "--json",
                       "--index", str(tmp_path))
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and lines and all(e["user"] == "user1" and e["event"] == "search" for e in lines)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served_index(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve-index")
    ingest([build_corpus(tmp_path_factory.mktemp("serve-corpus"))], open_engine(folder), config=CONFIG)
    config = write(tmp_path_factory.mktemp("config") / "archive.toml", RULES)
    return folder, config


def _serve(folder, config, *extra, host: str = "0.0.0.0"):
    port = _free_port()
    env = {**os.environ, "ARCHIVE_CONFIG": str(config), "ARCHIVE_INDEX": str(folder)}
    env.pop("ARCHIVE_DATABASE_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "archive", "serve", "--host", host, "--port", str(port), *extra],
                            cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    return proc, f"http://127.0.0.1:{port}"


def _get(url: str) -> tuple[int, str]:
    """Status and body, once the server answers."""
    url = quote(url, safe=":/?&=%")
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()
        except urllib.error.URLError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.slow
def test_serve_beyond_loopback_without_users_exits_with_a_clear_message(served_index):
    proc, _ = _serve(*served_index)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and "archive users add" in err and "--public" in err


@pytest.mark.slow
def test_serve_beyond_loopback_with_public_serves_only_the_lowest_level(served_index):
    proc, url = _serve(*served_index, "--public")
    try:
        status, body = _get(url + "/api/search?per_page=100&q=环境整治")
        assert status == 200 and json.loads(body)["total"] > 0
        assert not [m for m in above("公开") if m in body]
        assert json.loads(_get(url + "/api/search?q=丹霞赤壁")[1])["total"] == 0
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.slow
def test_serve_beyond_loopback_with_users_requires_a_login(served_index, tmp_path):
    folder, config = served_index
    store = SQLiteStore(folder)
    store.add("li", "long enough", "reader", "秘密")
    proc, url = _serve(folder, config)
    try:
        assert _get(url + "/api/search?q=玄武晶石")[0] == 401
        request = urllib.request.Request(url + "/api/search?q=" + quote("玄武晶石"),
                                         headers={"Authorization": f"Bearer {store.new_token('li')}"})
        with urllib.request.urlopen(request, timeout=10) as r:
            assert json.loads(r.read())["total"] > 0
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        store.remove("li")


@pytest.mark.slow
def test_serve_as_an_admin_gets_it_wrong_never_answers_200_with_restricted_content(served_index, tmp_path):
    """The README's proxy recipe without users (by flag or by setting) refuses to start; users removed while
    a proxied server runs close it (503), with or without a forwarded address."""
    folder, config = served_index
    proc, _ = _serve(folder, config, "--proxy", host="127.0.0.1")
    assert proc.wait(timeout=60) == 2 and "--proxy" in proc.stderr.read()
    # The setting: stored with an archive (the configuration is the archive's, not the environment's).
    proxied = write(tmp_path / "proxied.toml", RULES + "[web]\nproxy = true\n")
    behind = tmp_path / "proxied-index"
    ingest([build_corpus(tmp_path / "proxied-corpus")], open_engine(behind), config=load_config(proxied))
    proc, _ = _serve(behind, proxied, host="127.0.0.1")
    assert proc.wait(timeout=60) == 2 and "--proxy" in proc.stderr.read()
    store = SQLiteStore(folder)
    store.add("admin", "long enough", "admin", "秘密")
    proc, url = _serve(folder, config, "--proxy", host="127.0.0.1")
    try:
        assert _get(url + "/api/search?q=玄武晶石")[0] == 401
        store.remove("admin")
        for path in ("/api/search?q=玄武晶石", "/?q=玄武晶石", "/feed.atom?q=玄武晶石", "/login"):
            status, body = _get(url + path)
            assert status == 503 and "玄武晶石" not in body.replace("q=玄武晶石", ""), (path, status)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
