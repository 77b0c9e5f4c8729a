"""原文下载: the file a meeting was read from, served only from the corpus folder its ingest recorded."""

import os
import re
from urllib.parse import quote

import pytest

from archive.engines import open_engine
from archive.index.pipeline import ingest
from archive.search.request import SearchRequest
from archive.search.service import SearchService
from web import create_app

from .conftest import COUNTY_MINUTES, write

NAME = "2024年 县政府常务会议纪要（第3次）.md"


def _served(tmp_path):
    corpus = tmp_path / "corpus"
    write(corpus / "县里" / NAME, COUNTY_MINUTES)
    write(corpus / "其他.md", "# 某局办公会议纪要\n\n会议研究了档案数字化工作。\n")
    engine = open_engine(tmp_path / "index")
    assert not ingest([corpus], engine).failed
    service = SearchService(engine)
    mid = service.search(SearchRequest(q="护林员培训"))["hits"][0]["meeting_id"]
    return corpus, engine, service, mid, create_app(engine).test_client()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Read-only: the tests below do not change the corpus."""
    return _served(tmp_path_factory.mktemp("original"))


def test_the_meeting_page_links_its_original_file(served):
    corpus, _, service, mid, client = served
    page = client.get(f"/meetings/{mid}").get_data(as_text=True)
    link = re.search(r'<a class="original" href="([^"]+)" download>原文下载</a>', page)
    assert link and link[1] == f"/meetings/{mid}/original"
    response = client.get(link[1])
    assert response.status_code == 200
    assert response.data == (corpus / "县里" / NAME).read_bytes()
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and f"filename*=UTF-8''{quote(NAME)}" in disposition
    assert service.original(mid)[:2] == (str(corpus), f"县里/{NAME}")
    api = client.get(f"/api/meetings/{mid}").get_json()
    assert "root" not in api and str(corpus) not in str(api)  # (the server's folders stay private)
    assert api["ingested"] and api["hash"]


def test_a_file_gone_or_moved_is_404(tmp_path):
    corpus, _, _, mid, client = _served(tmp_path)
    (corpus / "县里" / NAME).rename(corpus / NAME)  # moved (the index still names the old place)
    assert client.get(f"/meetings/{mid}/original").status_code == 404
    assert "原文下载" not in client.get(f"/meetings/{mid}").get_data(as_text=True)
    (corpus / NAME).unlink()
    assert client.get(f"/meetings/{mid}/original").status_code == 404
    corpus.rename(corpus.with_name("elsewhere"))  # the whole corpus folder moved
    assert client.get(f"/meetings/{mid}/original").status_code == 404


@pytest.mark.parametrize("url", [
    "/meetings/../original", "/meetings/..%2F..%2Fetc%2Fpasswd/original", "/meetings/%2Fetc%2Fpasswd/original",
    "/meetings/{mid}/original/../../../../etc/passwd", "/meetings/{mid}/original/%2E%2E/%2E%2E/etc/passwd",
    "/meetings/{mid}%2F..%2F..%2Fetc%2Fpasswd/original", "/meetings/no-such-meeting/original",
])
def test_nothing_is_served_by_a_path_from_the_url(served, url):
    _, _, _, mid, client = served
    response = client.get(url.format(mid=mid))
    assert response.status_code == 404
    assert b"root:" not in response.data


def test_the_url_cannot_choose_another_file(served):
    corpus, _, _, mid, client = served
    response = client.get(f"/meetings/{mid}/original?path=/etc/passwd&source=../../etc/passwd")
    assert response.data == (corpus / "县里" / NAME).read_bytes()


def test_a_linked_corpus_file_is_not_served(tmp_path):
    """A link in the corpus folder is read at ingest (its text is on the meeting page), but the download
    sends only a regular file inside the folder: a link could be turned to any file of the server."""
    target = write(tmp_path / "store" / "会议纪要原件.md", "# 某局办公会议纪要\n\n会议研究了档案数字化工作。\n")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    os.symlink(target, corpus / "link.md")
    engine = open_engine(tmp_path / "index")
    ingest([corpus], engine)
    [hit] = SearchService(engine).search(SearchRequest(q="档案数字化"))["hits"]
    client = create_app(engine).test_client()
    response = client.get(f"/meetings/{hit['meeting_id']}/original")
    assert response.status_code == 404 and "符号链接" in response.get_data(as_text=True)
    assert "原文下载" not in client.get(f"/meetings/{hit['meeting_id']}").get_data(as_text=True)


def test_a_file_changed_or_replaced_by_a_link_since_its_ingest_is_404_with_the_reason(tmp_path):
    """What is sent is what was ingested: a 公开 file rewritten as 秘密 without a new ingest, or replaced by
    a link to a file of the server, is not sent (the first because its SHA-256 is not the recorded one)."""
    corpus, _, _, mid, client = _served(tmp_path)
    path = corpus / "县里" / NAME
    original = path.read_bytes()
    path.write_text("---\naccess: 秘密\n---\n# 绝密的新内容\n", encoding="utf-8")
    response = client.get(f"/meetings/{mid}/original")
    assert response.status_code == 404 and "绝密" not in response.get_data(as_text=True)
    assert "修改" in response.get_data(as_text=True)
    path.unlink()
    os.symlink("/etc/hostname", path)
    response = client.get(f"/meetings/{mid}/original")
    assert response.status_code == 404 and "符号链接" in response.get_data(as_text=True)
    path.unlink()
    path.write_bytes(original)  # the very content ingested, back in place: served again
    assert client.get(f"/meetings/{mid}/original").data == original
