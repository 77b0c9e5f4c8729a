"""The README's command lines tell the truth: each example runs, and each synopsis names real flags."""

import json
import os
import re
import shlex
import subprocess
import sys

import pytest

from .conftest import ROOT, cli_help
from .test_fronts import run_cli

_CHINESE = re.compile(r"[\u2e80-\u9fff\uff00-\uffef]")
_NEEDS_MORE = ("serve", "--watch", "postgresql://", "db init",  # a server, a watcher, PostgreSQL nodes
              "/srv/archive")  # the access setup: test_the_access_setup_runs_as_written


def _commands() -> list[tuple[int, str]]:
    """(line number, line) of every line in a fenced code block of README.md that starts with `archive `."""
    found, fenced = [], False
    for number, line in enumerate((ROOT / "README.md").read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("```"):
            fenced = not fenced
        elif fenced and line.startswith("archive "):
            found.append((number, line))
        elif fenced and found and found[-1][0] + 1 == number and line.startswith(" ") and line.strip():
            found[-1] = (number, found[-1][1] + " " + line.strip())  # a synopsis goes on
    return found


def _is_synopsis(line: str) -> bool:
    return any(mark in line for mark in ("[", "|", "..."))


EXAMPLES = [(n, line) for n, line in _commands() if not _is_synopsis(line) and not any(s in line for s in _NEEDS_MORE)]
SYNOPSES = [(n, line) for n, line in _commands() if _is_synopsis(line)]


def test_the_readme_has_examples_of_each_kind():
    assert len(EXAMPLES) >= 6 and len(SYNOPSES) >= 6
    assert any(line.startswith("archive ingest") for _, line in EXAMPLES)


@pytest.mark.slow
def test_every_example_runs(new_engine):
    """In order, on a fresh engine (the first example ingests): exit 0, no traceback, stderr in Chinese, and
    each search finds something (or the correction its comment names)."""
    engine = new_engine()
    for number, line in EXAMPLES:
        args = shlex.split(line, comments=True)[1:]
        out = run_cli(*args, engine=engine)
        where = f"README.md:{number}: {line}\n{out.stderr}"
        assert out.returncode == 0 and "Traceback" not in out.stdout + out.stderr, where
        assert all(_CHINESE.search(text) for text in out.stderr.splitlines() if text.strip()), where
        if args[0] != "search":
            continue
        comment = line.partition("#")[2]
        if "您是不是要找" in comment:
            assert comment.strip() in out.stdout.replace("（", "\n").splitlines()[0], where
        elif "--json" in args:
            assert json.loads(out.stdout)["total"] > 0, where
        else:
            assert not out.stdout.startswith("共 0 条") and "\n1. " in "\n" + out.stdout, where


@pytest.mark.parametrize("number, line", SYNOPSES, ids=[str(n) for n, _ in SYNOPSES])
def test_every_synopsis_names_flags_the_command_has(number, line):
    words = shlex.split(line, comments=True)[1:]
    command = [w for w in words[:2] if re.fullmatch(r"[a-z]+", w)]
    flags = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", line))
    out = cli_help(*command)
    assert out.returncode == 0, out.stderr
    missing = {flag for flag in flags if flag not in out.stdout}
    assert not missing, f"README.md:{number} names {missing}, which `archive {' '.join(command)} --help` lacks"



def _access_setup() -> tuple[str, list[str]]:
    """The README's access setup: its TOML block and the command lines that follow it."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Access control"):]
    toml = re.search(r"```toml\n(.*?)```", section, re.S)[1]
    commands = re.search(r"```\n(archive ingest minutes/.*?)```", section, re.S)[1]
    return toml, [line for line in commands.splitlines() if line.strip()]


@pytest.mark.slow
def test_the_access_setup_runs_as_written(tmp_path):
    """The README's archive.toml and commands, run as written (but for the folder): each folder rule gives its
    level, the users get theirs, and a reader of 内部 reads 公开 and 内部 minutes only."""
    from archive.access.levels import Viewer
    from archive.home import open_archive
    from archive.search.request import SearchRequest
    from archive.search.service import SearchService
    toml, commands = _access_setup()
    (tmp_path / "archive.toml").write_text(toml, encoding="utf-8")
    for folder, level in (("", "公开"), ("内部资料/", "内部"), ("党委/秘密件/", "秘密")):
        path = tmp_path / "minutes" / folder / f"{level}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"# {level}会议纪要\n\n会议研究了河道治理工作，定为{level}级。\n", encoding="utf-8")
    index = tmp_path / "index"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    for line in commands:
        args = shlex.split(line.replace("/srv/archive/index", str(index)), comments=True)[1:]
        if args[0] == "serve":
            continue  # (serving: tests/test_access_cli.py)
        out = subprocess.run([sys.executable, "-m", "archive", *args], capture_output=True, text=True, env=env,
                             cwd=tmp_path, input="示例密码123456\n")
        assert out.returncode == 0 and "Traceback" not in out.stderr, f"{line}\n{out.stderr}"
    archive = open_archive(index)
    levels = {u.name: (u.role, u.level) for u in archive.store.users()}
    assert levels == {"王芳": ("reader", "内部"), "李主任": ("admin", "秘密")}
    reader = SearchService(archive.engine, Viewer("王芳", archive.config.readable("内部")))
    found = {h["source"] for h in reader.search(SearchRequest(q="河道治理"))["hits"]}
    assert found == {"公开.md", "内部资料/内部.md"}
