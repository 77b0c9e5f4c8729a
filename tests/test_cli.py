"""The command line as a person meets it: the query as typed, Chinese everywhere, one line for a mistake."""

import errno
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tomllib

import pytest

from archive.cli_errors import explain
from web import create_app

from .conftest import ROOT, cli_args, cli_help, write
from .test_fronts import run_cli

SUBCOMMANDS = [[], ["ingest"], ["search"], ["serve"], ["db"], ["db", "init"], ["users"], ["audit"],
               *(["users", c] for c in ("add", "passwd", "remove", "list", "token", "revoke", "rotate-secret"))]
_CHINESE = re.compile(r"[\u2e80-\u9fff\uff00-\uffef]")
_ARGPARSE_ENGLISH = re.compile(r"usage:|options:|positional arguments|show this help|error:|"
                               r"unrecognized|required|invalid|expected|argument", re.I)


def _one_chinese_line(out: subprocess.CompletedProcess, code: int = 2) -> str:
    """The run exited `code` with one line on stderr, Chinese, without a traceback."""
    lines = out.stderr.strip().splitlines()
    assert out.returncode == code and len(lines) == 1 and "Traceback" not in out.stderr, out.stderr
    assert _CHINESE.search(lines[0]), lines[0]
    return lines[0]


def _json(*args, engine):
    out = run_cli("search", "--json", *args, engine=engine)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    result.pop("took_ms")
    return result


# (Plain words joined are the edit loop's test_cli_json_is_the_api_answer_for_several_words: slow here.)
@pytest.mark.parametrize("words", [pytest.param(["环境", "保护"], marks=pytest.mark.slow),
                                   pytest.param(["森林", "OR", "防火"], marks=pytest.mark.slow),
                                   ['"严格整改标准"', "-督察"], ["环境", "-督察", "保护"], ["(森林", "OR", "环境)", "防火"]])
def test_an_unquoted_query_is_the_quoted_one(sample_index, words):
    unquoted = _json(*words, engine=sample_index)
    assert unquoted == _json(" ".join(words), engine=sample_index) and unquoted["total"] > 0


def test_options_stand_before_between_or_after_the_words(sample_index):
    quoted = _json("环境 保护", "--region", "甘肃", "--sort", "newest", engine=sample_index)
    assert quoted["total"] > 0
    assert _json("环境", "保护", "--region", "甘肃", "--sort", "newest", engine=sample_index) == quoted
    assert _json("--region=甘肃", "环境", "--sort", "newest", "保护", engine=sample_index) == quoted
    assert _json("环境", "--reg", "甘肃", "保护", "--sort=newest", engine=sample_index) == quoted


def test_a_query_starting_with_minus_after_double_dash(sample_index):
    after, same = _json("--", "-督察", "环境", engine=sample_index), _json("环境 -督察", engine=sample_index)
    assert after["query"] == "-督察 环境" and after["total"] > 0
    assert (after["total"], after["hits"]) == (same["total"], same["hits"])


def test_cli_json_is_the_api_answer_for_several_words(sample_index):
    cli = _json("环境", "保护", engine=sample_index)
    api = create_app(sample_index).test_client().get("/api/search", query_string={"q": "环境 保护"}).get_json()
    api.pop("took_ms")
    assert cli == api and cli["total"] > 0


@pytest.mark.parametrize("command", SUBCOMMANDS, ids=lambda c: " ".join(c) or "archive")
def test_help_is_chinese(command):
    out = cli_help(*command)
    assert out.returncode == 0 and not out.stderr and not _ARGPARSE_ENGLISH.search(out.stdout), out.stdout
    usage, _, rest = out.stdout.partition("\n\n")
    assert usage.startswith("用法：archive")
    for line in rest.splitlines():  # every line says something in Chinese, or names only flags
        assert not line.strip() or _CHINESE.search(line) or re.fullmatch(r"\s+-[-\w]+( [A-Z{][\w,{}]*)?", line), line


@pytest.mark.parametrize("args, says", [
    (["search"], "缺少必需的参数：QUERY"),
    (["nonsense"], "无效的选择"),
    (["search", "环境", "--per-page", "1000"], "--per-page 应在 1 到 100 之间"),
    (["search", "环境", "--page", "x"], "--page 应为整数"),
    (["search", "环境", "--sort", "random"], "'date'"),
    (["search", "环境", "--from", "2023-13"], "--from 不存在的日期"),
    (["search", "环境", "--since", "yesterday"], "--since 应为"),
    (["search", "环境", "--regoin", "甘肃"], "无法识别的参数：--regoin"),
    (["search", "环境", "--region"], "--region 需要一个值"),
    (["serve", "--port", "http"], "--port 应为整数"),
    (["users", "frobnicate"], "无效的选择"),
    (["users", "add"], "缺少必需的参数：NAME"),
    (["users", "list", "--role", "admin"], "无法识别的参数：--role"),
    (["db", "grant"], "缺少必需的参数：ROLE"),
])
def test_usage_errors_are_chinese_and_name_the_flag(sample_index, args, says):
    out = run_cli(*args, engine=sample_index)
    assert out.returncode == 2 and says in out.stderr, out.stderr
    assert not _ARGPARSE_ENGLISH.search(out.stderr.replace("--regoin", "")) and "Traceback" not in out.stderr
    assert all(_CHINESE.search(line) for line in out.stderr.splitlines() if not line.startswith(" ")), out.stderr


def test_version_is_the_package_version():
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    out = run_cli("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"archive {version}"


def test_progress_and_summary_are_chinese(tmp_path):
    write(tmp_path / "corpus" / "会议.md", "# 会议纪要\n\n会议研究了森林防火工作。\n")
    out = run_cli("ingest", str(tmp_path / "corpus"), "--index", str(tmp_path / "index"))
    assert out.returncode == 0 and "导入：1/1 个文件（100%）" in out.stderr and "新增 1" in out.stderr, out.stderr


@pytest.mark.parametrize("command", [["search", "环境"], ["serve"], ["ingest", "corpus"],
                                     ["users", "list"]])
def test_index_that_is_a_file_is_one_line(tmp_path, command):
    index = write(tmp_path / "index", "not a folder")
    line = _one_chinese_line(run_cli(*command, "--index", str(index)))
    assert "--index" in line and str(index) in line


def test_busy_port_is_one_line(sample_index):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        line = _one_chinese_line(run_cli("serve", "--port", str(port), *cli_args(sample_index)))
    assert f"端口 {port} 已被占用" in line and "--port" in line


def test_database_that_does_not_answer_is_one_line():
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    line = _one_chinese_line(run_cli("search", "环境", "--database", f"postgresql://127.0.0.1:{port}/archive"))
    assert "无法连接数据库" in line


def test_full_disk_is_one_line(sample_index):
    with open("/dev/full", "w") as full:  # every write: ENOSPC
        out = subprocess.run([sys.executable, "-m", "archive", "search", "环境", "--json", "--per-page", "100",
                              *cli_args(sample_index)], stdout=full, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert "磁盘已满" in _one_chinese_line(out)


def test_every_os_error_a_user_causes_reads_chinese():
    for code in (errno.ENOSPC, errno.EACCES, errno.EROFS, errno.ENOTDIR, errno.ENOENT, errno.EIO, errno.ELOOP):
        message = explain(OSError(code, os.strerror(code), "/srv/index"))
        assert _CHINESE.search(message) and "/srv/index" in message, message


def test_ctrl_c_is_one_line_and_130(tmp_path):
    for i in range(40):
        write(tmp_path / "corpus" / f"m{i}.md", f"# 会议纪要 {i}\n\n" + "会议研究了森林防火工作。\n\n" * 200)
    run = subprocess.Popen([sys.executable, "-m", "archive", "ingest", str(tmp_path / "corpus"),
                            "--index", str(tmp_path / "index")], stderr=subprocess.PIPE, text=True, cwd=ROOT,
                           env={**os.environ, "PYTHONPATH": str(ROOT)}, start_new_session=True)
    assert run.stderr.readline().startswith("导入：")
    os.killpg(run.pid, signal.SIGINT)  # as a terminal sends it: to the whole group
    rest = run.stderr.read()
    assert run.wait(60) == 130 and rest.strip() == "archive: 已中断", rest


def test_no_users_says_how_to_add_one(tmp_path):
    out = run_cli("users", "list", "--index", str(tmp_path / "index"))
    assert "archive users add" in _one_chinese_line(out, code=0) and not out.stdout
