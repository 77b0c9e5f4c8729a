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
    assert service.original(mid) == (str(corpus), f"县里/{NAME}")
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


def test_a_linked_corpus_file_is_served_as_the_file_that_was_indexed(tmp_path):
    """A link in the corpus folder is part of the corpus (its text is on the meeting page already): its
    original is the file it links to, reached through the link's own name inside the folder."""
    target = write(tmp_path / "store" / "会议纪要原件.md", "# 某局办公会议纪要\n\n会议研究了档案数字化工作。\n")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    os.symlink(target, corpus / "link.md")
    engine = open_engine(tmp_path / "index")
    ingest([corpus], engine)
    [hit] = SearchService(engine).search(SearchRequest(q="档案数字化"))["hits"]
    client = create_app(engine).test_client()
    response = client.get(f"/meetings/{hit['meeting_id']}/original")
    assert response.status_code == 200 and response.data == target.read_bytes()
    (corpus / "link.md").unlink()  # the link removed from the folder: nothing is reached by the target's name
    assert client.get(f"/meetings/{hit['meeting_id']}/original").status_code == 404
