"""The README's command lines tell the truth: each example runs, and each synopsis names real flags."""

import json
import re
import shlex
import pytest

from .conftest import ROOT
from .test_fronts import run_cli

_CHINESE = re.compile(r"[\u2e80-\u9fff\uff00-\uffef]")
_NEEDS_MORE = ("serve", "--watch", "postgresql://", "db init")  # a server, a watcher, PostgreSQL nodes


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
    out = run_cli(*command, "--help")
    assert out.returncode == 0, out.stderr
    missing = {flag for flag in flags if flag not in out.stdout}
    assert not missing, f"README.md:{number} names {missing}, which `archive {' '.join(command)} --help` lacks"

