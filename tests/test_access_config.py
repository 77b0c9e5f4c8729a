"""Where levels come from fails closed: broken front matter, the archive's stored configuration, modes, limits.

Front matter that cannot be read completely never gives a file a lower level than it wrote; the
access configuration is the one stored with the archive (index folder or database), whatever the
working directory; an unknown section or key is an error naming its line; a change of rules that would
lower any file's level is refused without --allow-lower; the index and the OCR cache are private to
their owner; a huge paragraph is cut, a huge file or meeting fails with its reason.
"""

import os
import stat
import subprocess
import sys

import pytest

from archive.access.levels import ConfigError, load_config, parse_config, parse_toml
from archive.home import Archive
from archive.index.pipeline import LevelsLowered, ingest
from archive.ingest import parse_text
from archive.search.request import SearchRequest
from archive.search.service import SearchService

from .conftest import ROOT, cli_args, write

CONFIG = parse_config({"access": {"folders": {"内部资料": "内部"}}}, "test")
BODY = "# 白虎行动会议\n\n会议研究了{word}的部署工作。\n"


def _front(lines: str, word: str) -> str:
    return f"---\n{lines}\n---\n" + BODY.format(word=word)


def _levels(engine) -> dict[str, str]:
    """source -> the level its meetings are stored with."""
    from archive.engines.base import Filters
    reader = engine.reader()
    found = reader.find(None, Filters(), False)
    return {p["source"]: reader.meeting(p["meeting_id"])["access"]
            for p in reader.paragraphs([k for k, _ in found.page("index", 0, found.total)])}


# -- broken front matter ---------------------------------------------------------------------------

BROKEN = {  # name -> (front matter lines, what becomes of the file: a level, or None = fails)
    "yaml-error.md": ("access: 秘密\ntitle: 白虎行动会议: 机密", "秘密"),
    "bad-date.md": ("access: 秘密\ndate: 2023-13-45", "秘密"),
    "quoted.md": ("title: [unclosed\naccess: \"秘密\"  # 定密", "秘密"),
    "no-access.md": ("title: [unclosed", None),  # the broken YAML may have hidden a level
    "two-access.md": ("access: 秘密\naccess: 公开\ntitle: a: b", None),
    "indented.md": ("meta:\n  access: 公开\ntitle: a: b", None),  # not the top-level key
    "flow.md": ("{access: 秘密, title: a: b}", None),
    "list.md": ("- access: 秘密", None),
    "oversized.md": ("access: 秘密\nnote: " + "很长" * 40000, "秘密"),
    "oversized-hidden.md": ("note: " + "很长" * 40000 + "\n\"acc\\x65ss\": 秘密", None),
    "内部资料/in-folder.md": ("title: [unclosed", None),  # not 内部 by the folder rule: unknown
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_front_matter_keeps_its_exact_level_or_fails(name):
    lines, level = BROKEN[name]
    doc = parse_text(_front(lines, "白虎"), name)
    if level is None:
        assert doc.front_matter_error and "access" not in doc.front_matter
        with pytest.raises(ValueError, match="无法完整读取"):
            CONFIG.level_of(name, doc.front_matter, doc.front_matter_error)
    else:
        assert CONFIG.level_of(name, doc.front_matter, doc.front_matter_error) == level
        assert any("access 行" in w for w in doc.warnings)


def test_unclosed_front_matter_that_names_a_level_keeps_it():
    doc = parse_text("---\naccess: 秘密\ntitle: 没有结束\n\n正文写着白虎。\n", "u.md")
    assert CONFIG.level_of("u.md", doc.front_matter, doc.front_matter_error) == "秘密"
    plain = parse_text("---\ntitle: 没有结束\n\n正文。\n", "p.md")  # names no level: as before
    assert not plain.front_matter_error and CONFIG.level_of("p.md", plain.front_matter) == "公开"


def test_broken_front_matter_is_never_public_in_the_index(new_engine, tmp_path):
    corpus = tmp_path / "c"
    for name, (lines, _) in BROKEN.items():
        write(corpus / name, _front(lines, f"白虎{sorted(BROKEN).index(name)}号"))
    write(corpus / "fine.md", _front("access: 内部", "白虎正常"))
    engine = new_engine()
    summary = ingest([corpus], engine, config=CONFIG)
    failed = dict(summary.failed)
    assert set(failed) == {n for n, (_, level) in BROKEN.items() if level is None}
    assert all("无法完整读取" in reason for reason in failed.values())
    stored = _levels(engine)
    assert stored == {"fine.md": "内部", **{n: level for n, (_, level) in BROKEN.items() if level}}
    public = SearchService(engine, viewer=_viewer("公开"))
    assert public.search(SearchRequest(q="白虎"))["total"] == 0


def _viewer(level: str):
    from archive.access.levels import Viewer
    return Viewer("test", CONFIG.readable(level))


# -- the configuration belongs to the archive ----------------------------------------------------

RULES = '[access]\nlevels = ["公开", "内部", "秘密"]\n[access.folders]\n"内部资料" = "内部"\n'


def _archive(cwd, *args) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("ARCHIVE_CONFIG", "ARCHIVE_INDEX", "ARCHIVE_DATABASE_URL")}
    return subprocess.run([sys.executable, "-m", "archive", *args], cwd=cwd, capture_output=True, text=True,
                          env={**env, "PYTHONPATH": str(ROOT)}, input="password-1234\n", timeout=300)


def _two_level_corpus(root):
    write(root / "内部资料" / "in.md", BODY.format(word="丹霞"))
    write(root / "open.md", BODY.format(word="青松"))
    return root


def test_the_configuration_is_the_archives_whatever_the_working_directory(new_engine, tmp_path):
    engine, corpus = new_engine(), _two_level_corpus(tmp_path / "corpus")
    admin_dir, home = tmp_path / "srv", tmp_path / "home"
    write(admin_dir / "archive.toml", RULES)
    first = _archive(admin_dir, "ingest", str(corpus), *cli_args(engine))
    assert first.returncode == 0, first.stderr
    fingerprint = load_config(admin_dir / "archive.toml").fingerprint()
    assert f"访问配置 {fingerprint}" in first.stderr and "本次导入后保存在档案中" in first.stderr
    # Another working directory, with an archive.toml of its own that would make every file 公开.
    write(home / "archive.toml", '[access]\nlevels = ["公开", "内部", "秘密"]\n')
    again = _archive(home, "ingest", str(corpus), *cli_args(engine))
    assert again.returncode == 0, again.stderr
    assert f"访问配置 {fingerprint}（档案中保存的配置" in again.stderr and "未使用" in again.stderr
    assert _levels(engine) == {"内部资料/in.md": "内部", "open.md": "公开"}
    assert Archive(engine).config.fingerprint() == fingerprint and Archive(engine).config.folders
    # The other commands read it too: a level only the stored configuration names is accepted.
    write(home / "archive.toml", '[access]\nlevels = ["普通"]\n')
    users = _archive(home, "users", "add", "李明", "--level", "内部", *cli_args(engine))
    assert users.returncode == 0, users.stderr


def test_a_misspelt_section_or_a_misplaced_rule_is_an_error_with_its_line(tmp_path):
    cases = {
        '# 访问控制\n[acess]\nlevels = ["公开", "内部"]\n': ("第 2 行", "[acess]"),
        '[access]\nlevels = ["公开", "内部"]\n"内部资料" = "内部"\n': ("第 3 行", "[access.folders]"),
        '[access.folders]\n"内部资料" = "内部"\n[web]\n"机密" = "秘密"\n': ("第 4 行", "机密"),
        '[access.folders]\n"内部资料" = ""\n': ("第 2 行", "没有指定级别"),
        '[access]\nlevel = ["公开"]\n': ("第 2 行", "level"),
        '[web]\nproxi = true\n': ("第 2 行", "proxi"),
    }
    for text, (line, words) in cases.items():
        with pytest.raises(ConfigError) as found:
            load_config(write(tmp_path / "archive.toml", text))
        assert line in str(found.value) and words in str(found.value), (text, str(found.value))
    proc = _archive(tmp_path, "ingest", str(_two_level_corpus(tmp_path / "c")), "--index", str(tmp_path / "i"),
                    "--config", str(write(tmp_path / "bad.toml", '[acess]\n"内部资料" = "内部"\n')))
    assert proc.returncode == 2 and "第 1 行" in proc.stderr and "[acess]" in proc.stderr
    assert not (tmp_path / "i").exists() or not list((tmp_path / "i").glob("gen-*"))


def test_rules_that_lower_a_level_are_refused_without_allow_lower(new_engine, tmp_path):
    engine, corpus = new_engine(), _two_level_corpus(tmp_path / "corpus")
    ingest([corpus], engine, config=CONFIG)
    looser = parse_config({"access": {"folders": {}}}, "looser.toml")
    with pytest.raises(LevelsLowered) as found:
        ingest([corpus], engine, config=looser)
    assert found.value.files == [("内部资料/in.md", "内部", "公开")]
    assert _levels(engine)["内部资料/in.md"] == "内部" and Archive(engine).config.fingerprint() == CONFIG.fingerprint()
    stricter = parse_config({"access": {"folders": {"内部资料": "秘密", "open.md": "内部"}}}, "stricter.toml")
    assert ingest([corpus], engine, config=stricter).updated == 2  # raising a level needs no flag
    reordered = parse_config({"access": {"levels": ["秘密", "内部", "公开"], "folders": {"内部资料": "秘密",
                                                                                 "open.md": "内部"}}}, "r")
    with pytest.raises(LevelsLowered):  # the same names, now below 公开: readable by every 公开 reader
        ingest([corpus], engine, config=reordered)
    ingest([corpus], engine, config=looser, allow_lower=True)
    assert _levels(engine) == {"内部资料/in.md": "公开", "open.md": "公开"}


@pytest.mark.slow  # three `archive ingest` processes: the refusal itself is test_rules_that_lower_a_level_…
def test_the_cli_refuses_a_lowering_config_with_exit_2(tmp_path):
    corpus, index = _two_level_corpus(tmp_path / "corpus"), str(tmp_path / "index")
    assert _archive(tmp_path, "ingest", str(corpus), "--index", index,
                    "--config", str(write(tmp_path / "a.toml", RULES))).returncode == 0
    looser = str(write(tmp_path / "b.toml", '[access]\nlevels = ["公开", "内部", "秘密"]\n'))
    proc = _archive(tmp_path, "ingest", str(corpus), "--index", index, "--config", looser)
    assert proc.returncode == 2 and "降低 内部资料/in.md: 内部 → 公开" in proc.stderr and "--allow-lower" in proc.stderr
    proc = _archive(tmp_path, "ingest", str(corpus), "--index", index, "--config", looser, "--allow-lower")
    assert proc.returncode == 0, proc.stderr


def test_a_configuration_built_in_code_is_stored_as_toml_that_reads_back_the_same():
    config = parse_config({"access": {"levels": ["甲", "乙\"丙"], "folders": {"a/b": "乙\"丙"}},
                           "web": {"proxy": True, "audit_log": "/x"}}, "code")
    again = parse_toml(config.toml(), "stored")
    assert (again.fingerprint(), again.proxy, again.audit_log) == (config.fingerprint(), True, "/x")


# -- the index and the OCR cache are their owner's alone --------------------------------------------

def _modes(root) -> set[tuple[str, int]]:
    """The modes of the folders and files under root, and root's; Whoosh's empty lock file
    (MAIN_WRITELOCK, made 0777 less the umask: 0700) counted as 0600 when it is its owner's alone."""
    found = {("dir", stat.S_IMODE(root.stat().st_mode))}
    for path in root.rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        if path.name.endswith("WRITELOCK") and mode == 0o700 and path.stat().st_size == 0:
            mode = 0o600
        found.add(("dir" if path.is_dir() else "file", mode))
    return found


def test_index_folders_are_0700_and_files_0600(tmp_path):
    """Whoosh's own files (PostgreSQL keeps its data in the server's folder, with its own modes)."""
    from archive.engines import open_engine
    engine = open_engine(tmp_path / "index")
    ingest([_two_level_corpus(tmp_path / "corpus")], engine, config=CONFIG)
    Archive(engine).ocr_cache.put("ab" * 32, 1, "rapidocr-test", {"lines": []})
    assert _modes(tmp_path / "index") == {("dir", 0o700), ("file", 0o600)}
    assert (tmp_path / "index" / "ocr-cache").is_dir()
    # An index written before (world-readable) is closed by its next ingest.
    for path in [tmp_path / "index", *(tmp_path / "index").rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    ingest([tmp_path / "corpus"], engine, config=CONFIG)
    assert stat.S_IMODE((tmp_path / "index").stat().st_mode) == 0o700
    live = engine.index_dir.current_path()
    assert _modes(live) == {("dir", 0o700), ("file", 0o600)}


def test_the_ocr_cache_outside_the_index_is_private(tmp_path, monkeypatch):
    from archive.ingest.ocr_cache import OcrCache
    cache = OcrCache(tmp_path / "cache" / "meeting-archive" / "ocr-cache")
    cache.put("cd" * 32, 3, "engine-1", {"lines": [["秘密", 0.9]]})
    assert cache.get("cd" * 32, 3, "engine-1") == {"lines": [["秘密", 0.9]]}
    assert _modes(tmp_path / "cache" / "meeting-archive" / "ocr-cache") == {("dir", 0o700), ("file", 0o600)}


# -- limits for huge files ------------------------------------------------------------------------

def test_a_huge_paragraph_is_cut_at_sentence_ends_and_a_huge_meeting_or_file_fails(tmp_path, monkeypatch):
    import archive.ingest as reading
    from archive.ingest.blocks import MAX_BLOCK_CHARS
    corpus = tmp_path / "corpus"
    sentence = "会议要求各单位切实做好环境整治工作。"
    write(corpus / "paragraph.md", "# 长段落会议\n\n" + sentence * 2000 + "\n")  # one paragraph of 36,000 characters
    monkeypatch.setattr(reading, "MAX_MEETING_CHARS", 50_000)  # (the real limits, scaled down for the test)
    monkeypatch.setattr(reading, "MAX_FILE_CHARS", 200_000)
    write(corpus / "meeting.md", "# 过长的会议\n\n" + (sentence * 200 + "\n\n") * 20)  # 72,000 in one meeting
    write(corpus / "file.md", "".join(f"# 第{i}次会议\n\n{sentence * 500}\n\n" for i in range(30)))
    (corpus / "bytes.md").write_bytes(b"x" * (4 * 200_000 + 1))  # refused before it is decoded
    from archive.engines import open_engine
    engine = open_engine(tmp_path / "index")
    summary = ingest([corpus], engine, config=CONFIG)
    failed = dict(summary.failed)
    assert set(failed) == {"meeting.md", "file.md", "bytes.md"}
    assert "会议过长" in failed["meeting.md"] and "50,000" in failed["meeting.md"]
    assert "文件过大" in failed["file.md"] and "文件过大" in failed["bytes.md"] and "MB" in failed["bytes.md"]
    hits = SearchService(engine).search(SearchRequest(q="环境整治", per_page=100))["hits"]
    assert {h["source"] for h in hits} == {"paragraph.md"}
    hits.sort(key=lambda h: h["n"] if "n" in h else int(h["id"].rsplit("-p", 1)[1]))
    assert all(len(h["text"]) <= MAX_BLOCK_CHARS and h["text"].endswith("。") for h in hits)
    assert "".join(h["text"] for h in hits) == sentence * 2000  # cut, nothing lost


# -- the ingested original: its SHA-256 is kept, a changed or escaped file is refused ----------------

def test_the_original_opens_only_while_it_is_what_was_ingested(new_engine, tmp_path):
    import hashlib
    from archive.index.originals import open_original
    from archive.index.records import meeting_id
    corpus = _two_level_corpus(tmp_path / "corpus")
    engine = new_engine()
    ingest([corpus], engine, config=CONFIG)
    info = engine.reader().meeting(meeting_id("open.md", 1))
    data = (corpus / "open.md").read_bytes()
    assert info["hash"] == hashlib.sha256(data).hexdigest()
    f, reason = open_original(info)
    with f:
        assert f.read() == data and reason == ""
    write(corpus / "open.md", _front("access: 秘密", "玄武"))  # changed without re-ingesting
    f, reason = open_original(info)
    assert f is None and "已被修改" in reason
    (corpus / "open.md").unlink()
    (corpus / "open.md").symlink_to("/etc/hostname")  # a link out of the folder
    f, reason = open_original(info)
    assert f is None and "不在导入时的文件夹" in reason
    (corpus / "open.md").unlink()
    f, reason = open_original(info)
    assert f is None and "移动或删除" in reason
