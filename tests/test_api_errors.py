"""The API as people call it: request lines typed unencoded (raw UTF-8, even spaces) on a real socket to the real
server (web/server.py), and every error under /api/ answered in JSON with a Chinese reason."""

import json
import socket
from urllib.parse import quote, urlsplit

from web import create_app
from web.server import encoded_line


def raw_get(base: str, target: bytes) -> tuple[int, str, bytes]:
    """(status, content type, body) of a GET sent byte for byte as given."""
    url = urlsplit(base)
    with socket.create_connection((url.hostname, url.port), timeout=10) as s:
        s.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers.get("Content-Type", ""), body


def test_raw_utf8_request_lines_work_as_if_encoded(live_server):
    for q in ("环境", "环境 保护", "森林 OR 防火"):
        status, kind, body = raw_get(live_server, f"/api/search?q={q}".encode())
        _, _, encoded = raw_get(live_server, f"/api/search?q={quote(q)}".encode())
        assert status == 200 and kind.startswith("application/json")
        assert json.loads(body)["total"] == json.loads(encoded)["total"] > 0
    status, kind, body = raw_get(live_server, "/?q=环境".encode())
    assert status == 200 and "环境 · 会议记录检索" in body.decode()


def test_only_the_target_is_encoded_and_other_bad_lines_are_still_refused(live_server):
    assert encoded_line("GET /a?q=环 境 HTTP/1.1".encode()) == b"GET /a?q=%E7%8E%AF%20%E5%A2%83 HTTP/1.1"
    assert encoded_line(b"GET /plain?q=%E7 HTTP/1.1") == b"GET /plain?q=%E7 HTTP/1.1"
    assert raw_get(live_server, b"")[0] == 400  # (no target at all)


def test_every_error_under_api_is_json(live_server, web_index, tmp_path):
    for target, status in ((b"/api/nothing", 404), (b"/api/meetings/%00", 404),
                           (b"/api/search?per_page=1000", 400), (b"/api/search?q=%22", 400)):
        got, kind, body = raw_get(live_server, target)
        assert got == status and kind.startswith("application/json"), target
        assert json.loads(body)["error"]
    client = create_app(web_index).test_client()
    posted = client.post("/api/search")
    assert posted.status_code == 405 and "只接受 GET" in posted.get_json()["error"]
    assert client.get("/api/search?per_page=1000").get_json()["error"].startswith("per_page")
    empty = create_app(tmp_path / "no-index").test_client().get("/api/search?q=环境")
    assert empty.status_code == 503 and "服务暂不可用" in empty.get_json()["error"]
    broken = create_app(web_index)
    broken.add_url_rule("/api/boom", "boom", lambda: 1 / 0)
    answer = broken.test_client().get("/api/boom")
    assert answer.status_code == 500 and "服务器" in answer.get_json()["error"]
