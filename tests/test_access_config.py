"""Where levels come from fails closed: broken front matter, the archive's stored configuration, modes, limits.

Front matter that cannot be read completely never gives a file a lower level than it wrote; the
access configuration is the one stored with the archive (index folder or database), whatever the
working directory; an unknown section or key is an error naming its line; a change of rules that would
lower any file's level is refused without --allow-lower; the index and the OCR cache are private to
their owner; a huge paragraph is cut, a huge file or meeting fails with its reason.
"""

import pytest

from archive.access.levels import parse_config
from archive.index.pipeline import ingest
from archive.ingest import parse_text
from archive.search.request import SearchRequest
from archive.search.service import SearchService

from .conftest import write

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
