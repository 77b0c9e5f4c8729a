"""The CLI and the JSON API share one contract."""

import json
import os
import subprocess
import sys

import pytest

from web import create_app

from .conftest import ROOT, cli_env


@pytest.fixture(scope="module")
def client(sample_index):
    return create_app(sample_index).test_client()


def run_cli(*args, engine=None):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", **(cli_env(engine) if engine else {})}
    return subprocess.run([sys.executable, "-m", "archive", *args], capture_output=True, text=True, env=env, cwd=ROOT)


def test_cli_json_is_the_api_answer(client, sample_index):
    out = run_cli("search", "森林防火", "--json", "--per-page", "5", engine=sample_index)
    assert out.returncode == 0, out.stderr
    cli = json.loads(out.stdout)
    api = client.get("/api/search", query_string={"q": "森林防火", "per_page": 5}).get_json()
    for result in (cli, api):
        result.pop("took_ms")
    assert cli == api and cli["total"] > 0


def test_cli_human_output(sample_index):
    out = run_cli("search", "严格整改标准", engine=sample_index)
    assert out.returncode == 0 and "【严格整改标准】" in out.stdout and ".md:23" in out.stdout


@pytest.mark.parametrize("params", [{"q": "x" * 201}, {"q": "环境", "per_page": 101}, {"q": "环境", "from": "2023-13"},
                                   {"q": "环境", "page": "abc"}, {"q": "NOT"}, {"q": "环境", "sort": "random"},
                                   {"q": "环境", "from": "2024", "to": "2023"}])
def test_bad_parameters_are_400_with_a_reason(client, params):
    res = client.get("/api/search", query_string=params)
    assert res.status_code == 400 and res.get_json()["error"]


def test_cli_bad_query_exits_2(sample_index):
    out = run_cli("search", "--", "-环境", engine=sample_index)
    assert out.returncode == 2 and "排除" in out.stderr


def test_cli_missing_index_is_a_clear_message(new_engine):
    out = run_cli("search", "环境", engine=new_engine())
    assert out.returncode == 2 and "archive ingest" in out.stderr


def test_unknown_meeting_is_404(client):
    assert client.get("/api/meetings/nope").status_code == 404
