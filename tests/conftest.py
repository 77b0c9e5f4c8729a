"""Fixtures shared by the tests, and one test suite for every engine.

A test that takes `engine_kind`, `new_engine`, `sample_index`, `backend`, `web_index`, `app` or
`live_server` runs once per kind of engine in ENGINE_KINDS, so the engines cannot drift apart. A kind
is one factory, registered with @register_kind: it gets the pytest request (to reach session servers) and
returns a fresh, empty engine. Kinds that start database servers are marked slow (`pytest -m "not slow"`
runs Whoosh only) and are skipped, saying why, where their servers cannot start (tests/pg.py).
A test that is genuinely about one engine (its files, its locks) builds that engine itself and says why.
"""

import atexit
import functools
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from archive.engines import open_engine
from archive.engines.base import Engine, Filters
from archive.index.pipeline import ingest
from archive.search.service import SearchService

# What the archive keeps outside an index folder (the audit log and OCR cache of a database engine) goes
# to a folder of the session's own, for the tests and the processes they start, never the user's.
_STATE = tempfile.mkdtemp(prefix="archive-tests-")
os.environ["XDG_STATE_HOME"], os.environ["XDG_CACHE_HOME"] = f"{_STATE}/state", f"{_STATE}/cache"
atexit.register(shutil.rmtree, _STATE, ignore_errors=True)

from .pg import pg_cluster, pg_server, pytest_runtest_setup  # noqa: E402,F401  (the session's PostgreSQL servers: one node; a coordinator and two shards; the guard that only slow tests start them)

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SAMPLE = next(CORPUS.glob("*.md"))
SHARED = ROOT.parent / "shared" / "corpora"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


# -- the kinds of engine ------------------------------------------------------------

ENGINE_KINDS: dict[str, Callable[[pytest.FixtureRequest], Engine]] = {}
SLOW_KINDS: set[str] = set()


def register_kind(name: str, slow: bool = False):
    """Register a factory (pytest request -> a fresh, empty engine) as a kind every engine test runs on."""
    def register(factory):
        ENGINE_KINDS[name] = factory
        if slow:
            SLOW_KINDS.add(name)
        return factory
    return register


@register_kind("whoosh")
def whoosh_engine(request) -> Engine:
    return open_engine(request.getfixturevalue("tmp_path_factory").mktemp("index"))


@register_kind("postgres", slow=True)
def postgres_engine(request) -> Engine:
    """A fresh database on the session's server (one node)."""
    server = request.getfixturevalue("pg_server")
    from archive.engines.postgres import PostgresEngine
    return PostgresEngine(server.create_database())


@register_kind("sharded", slow=True)
def sharded_engine(request) -> Engine:
    """A fresh archive laid out over two shards behind a coordinator (archive db init)."""
    cluster = request.getfixturevalue("pg_cluster")
    from archive.engines.postgres import PostgresEngine
    return PostgresEngine(cluster.create_database())


ENGINE_PARAMS = [pytest.param(kind, marks=pytest.mark.slow) if kind in SLOW_KINDS else kind for kind in ENGINE_KINDS]


def fresh_engine(request, kind: str) -> Engine:
    """A fresh, empty engine of a kind, closed when the requesting fixture or test ends."""
    engine = ENGINE_KINDS[kind](request)
    if hasattr(engine, "close"):
        request.addfinalizer(engine.close)
    return engine


def engine_over(request, kind: str, corpus: Path) -> Engine:
    """A fresh engine of a kind holding the corpus folder."""
    engine = fresh_engine(request, kind)
    summary = ingest([corpus], engine)
    assert summary.added and not summary.failed, summary.failed
    return engine


def cli_args(engine: Engine) -> list[str]:
    """What names this engine to `archive ingest|search|serve`."""
    url = getattr(engine, "url", None)
    return ["--database", url] if url else ["--index", engine.location]


def cli_env(engine: Engine) -> dict[str, str]:
    """The environment variable that names this engine to `archive`."""
    url = getattr(engine, "url", None)
    return {"ARCHIVE_DATABASE_URL": url} if url else {"ARCHIVE_INDEX": engine.location}


@functools.cache
def cli_help(*command: str) -> subprocess.CompletedProcess:
    """`archive COMMAND --help` as a user runs it, once a session (the help and README tests read the same)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "archive", *command, "--help"], capture_output=True, text=True,
                          env=env, cwd=ROOT)


def stored_paragraphs(engine: Engine) -> list[dict]:
    """Every paragraph the engine holds (id, meeting_id, source, text, info), in index order."""
    reader = engine.reader()
    found = reader.find(None, Filters(), False)
    return reader.paragraphs([key for key, _ in found.page("index", 0, found.total)])


# -- fixtures on every kind -----------------------------------------------------------

@pytest.fixture(scope="session", params=ENGINE_PARAMS)
def engine_kind(request) -> str:
    return request.param


@pytest.fixture()
def new_engine(request, engine_kind) -> Callable[[], Engine]:
    """Fresh, empty engines of the test's kind (closed after the test)."""
    return lambda: fresh_engine(request, engine_kind)


def _corpus(tmp_path_factory, name: str, files: dict[str, str]) -> Path:
    folder = tmp_path_factory.mktemp(name)
    shutil.copy(SAMPLE, folder / SAMPLE.name)
    for file, text in files.items():
        write(folder / file, text)
    return folder


@pytest.fixture(scope="session")
def sample_index(request, engine_kind, tmp_path_factory) -> Engine:
    """A real index of the sample corpus, built once per kind for the read-only tests."""
    return engine_over(request, engine_kind, _corpus(tmp_path_factory, "corpus", {}))


@pytest.fixture(scope="session")
def backend(sample_index) -> SearchService:
    return SearchService(sample_index)


# A meeting that tries to inject markup everywhere, plus a list and a table to anchor (page and browser tests).
XSS_MD = """# 安全<script>alert("title")</script>测试会议纪要

2024年3月5日，县政府召开安全测试会议。

会议指出<script>alert("xss")</script>必须当作文字显示。

有人提交了"><img src=x onerror=alert(1)>这样的内容，也要原样显示。

- 第一项：试验田甲的整改
- 第二项：其他事项

| 事项 | 负责人 |
| --- | --- |
| 试验田乙 | 张三 |

会议要求[点击](javascript:alert(1))不得执行，图片![示意图](http://example.com/x.png)不得加载。
"""


@pytest.fixture(scope="session")
def web_index(request, engine_kind, tmp_path_factory) -> Engine:
    """The sample corpus plus the XSS meeting, for the page and browser tests."""
    return engine_over(request, engine_kind, _corpus(tmp_path_factory, "web-corpus", {"安全测试.md": XSS_MD}))


@pytest.fixture(scope="session")
def app(web_index):
    from web import create_app
    return create_app(web_index)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright, one per test module (the tests that use it skip without it)."""
    from .printed import ARGS, CHROMIUM
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (pip install '.[test]')")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def sample_pdf(tmp_path_factory) -> Path:
    """The sample printed to PDF by Chromium, once a session (read-only: tests copy it)."""
    from .printed import CHROMIUM, print_pdf
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's Chromium (apt-get install chromium fonts-noto-cjk; scripts/test.sh)")
    pytest.importorskip("playwright.sync_api", reason="needs playwright (pip install '.[test]')")
    return print_pdf(SAMPLE.read_text("utf-8"), tmp_path_factory.mktemp("printed") / f"{SAMPLE.stem}.pdf", SAMPLE.stem)


@pytest.fixture(scope="session")
def sample_docx(tmp_path_factory) -> Path:
    """The sample turned into .docx by pandoc, once a session (read-only: tests copy it)."""
    pypandoc = pytest.importorskip("pypandoc", reason="needs pypandoc-binary (pip install '.[test]')")
    out = tmp_path_factory.mktemp("pandoc") / f"{SAMPLE.stem}.docx"
    pypandoc.convert_file(str(SAMPLE), "docx", format="markdown", outputfile=str(out))
    return out


@pytest.fixture(scope="session")
def live_server(app):
    """The real app under waitress on 127.0.0.1 and a free port, in a thread: its base URL."""
    from web.server import create_server
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    thread.join(timeout=5)


# Minutes with a full header (时间/地点/主持人/出席/请假/记录), decisions and an open item: used by the
# page, fields and PostgreSQL tests alike.
COUNTY_MINUTES = """# 某县人民政府常务会议纪要

时间：2024年3月5日上午
地点：江西省九江市彭泽县政府三楼会议室
主持人：张明华
出席：李建国、王芳（县政府办）、赵强
请假：孙丽
记录：周婷

## 一、研究全县森林防火工作

会议听取了县林业局关于森林防火工作的汇报。

## 会议议定事项

一、同意县林业局提出的森林防火巡查方案。

二、由县财政局安排专项资金用于护林员补助。

## 遗留问题

护林员培训方案待县林业局下次会议汇报，责任人：李建国，完成时间：4月底。
"""


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    """The edit loop (`pytest -m "not slow"`, every file) runs on two worker processes, one a core, where
    pytest-xdist is installed and no -n was given (`-n 0` runs it in one). Named files keep one process (two
    workers' start costs more than they save there), and so does the full suite, as CI runs it."""
    if (config.option.markexpr == "not slow" and config.args_source != pytest.Config.ArgsSource.ARGS
            and config.pluginmanager.has_plugin("xdist")
            and config.option.numprocesses is None and not hasattr(config, "workerinput")
            and not config.option.usepdb):
        config.option.numprocesses = 2


def pytest_collection_modifyitems(items):
    """Every test that starts a PostgreSQL server is slow: `pytest -m "not slow"` needs no database."""
    for item in items:
        if {"pg_server", "pg_cluster"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
