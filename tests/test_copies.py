"""One meeting, several files: the sample as .md, .docx (pandoc) and .pdf (printed by Chromium) is indexed once,
its copies listed and each downloadable; removing the primary promotes a copy; only files of one level are copies."""

import re
import shutil

import pytest

from archive.index.copies import primaries, text_key
from archive.index.pipeline import ingest
from archive.search.request import SearchRequest
from archive.search.service import SearchService
from web import create_app

from .conftest import SAMPLE, stored_paragraphs

pypandoc = pytest.importorskip("pypandoc", reason="needs pypandoc-binary (pip install '.[test]')")
MD, DOCX, PDF = (f"{SAMPLE.stem}.{ext}" for ext in ("md", "docx", "pdf"))


@pytest.fixture(scope="module")
def formats(tmp_path_factory, sample_docx, sample_pdf):
    """A folder holding the sample in three formats (read-only: tests copy it)."""
    folder = tmp_path_factory.mktemp("three")
    for name, source in ((MD, SAMPLE), (DOCX, sample_docx), (PDF, sample_pdf)):
        shutil.copy(source, folder / name)
    return folder


def corpus_of(formats, tmp_path, names=(MD, DOCX, PDF)):
    corpus = tmp_path / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(formats / name, corpus / name)
    return corpus


def state(engine):
    """What a reader sees: every paragraph's id and source, and each meeting's source and copies."""
    paragraphs = stored_paragraphs(engine)
    reader = engine.reader()
    meetings = {p["meeting_id"] for p in paragraphs}
    return (sorted((p["id"], p["source"]) for p in paragraphs),
            {m: (reader.meeting(m)["source"], [c["source"] for c in reader.meeting(m)["copies"]]) for m in meetings})


def test_text_key_folds_whitespace_punctuation_and_marks_but_not_words_or_levels():
    assert text_key(["# 会议纪要", "", "一、会议要求：加强领导。"], "公开") == text_key(["会议纪要一 会议要求加强", "领导"], "公开")
    assert text_key(["会议纪要"], "公开") != text_key(["会议纪要"], "内部")
    assert text_key(["会议纪要"], "公开") != text_key(["会议记要"], "公开")
    assert text_key(["——", " "], "公开") == ""  # (nothing to compare: no file is a copy of it)
    assert primaries({"b/x.pdf": "k", "a/x.docx": "k", "z.md": "k", "y.md": "j"}) == {
        "b/x.pdf": "z.md", "a/x.docx": "z.md", "z.md": "z.md", "y.md": "y.md"}


def test_text_key_keeps_exactly_the_letters_and_digits_of_any_text():
    # The key folds by a table of the text's own characters: the same key as a test of every character.
    import hashlib
    import random
    import unicodedata
    rnd = random.Random(7)
    texts = ["ＡＢＣ１２３，。！ e\u0301 x\x00 \U0001F600 ①② []^-\\ ]a[ ^b- \t\n", "-", "]", "^", "\\", "，。 "]
    texts += ["".join(chr(rnd.randrange(0, 0x3100)) for _ in range(60)) for _ in range(300)]
    for text in texts:
        nfkc = unicodedata.normalize("NFKC", text)
        folded = "".join(c for c in nfkc if unicodedata.category(c)[0] in "LN")
        expected = hashlib.sha256(f"公开\0{folded}".encode()).hexdigest()[:24] if folded else ""
        assert text_key([text], "公开") == expected, text


def test_text_key_of_plain_characters_without_nfkc_is_that_of_nfkc():
    # Texts of characters that NFKC keeps or drops whole skip it (copies._fold); mixed with others (full width
    # letters, marks, jamo, a half-width voiced mark, compatibility jamo that NFKC joins), the key is the same.
    import hashlib
    import random
    import unicodedata
    from archive.index.copies import _fold
    assert all(_fold(c) is not None for c in "会议纪要，。、：；“”《》（）3abc é\t—…　")
    assert all(_fold(c) is None for c in "ＡＢ１２①㈠ﬁ\u0301\uff9e\u3131\u314f\u1100\u1161\uac00\u11a8")
    rnd = random.Random(11)
    pool = "会议纪要法第一条，。、：；“”《》（）()[]ＡＢ１２3abcé①㈠ﬁ\t　—…" \
        "\u0301\u0308\uff76\uff9e\u304b\u3099\u3131\u314f\u1100\u1161\uac00\u11a8e"
    for n in range(400):
        text = "".join(rnd.choice(pool) for _ in range(rnd.randrange(1, 30))) if n % 2 else \
            "".join(rnd.choice(pool[:40]) for _ in range(rnd.randrange(1, 30)))
        nfkc = unicodedata.normalize("NFKC", text)
        folded = "".join(c for c in nfkc if unicodedata.category(c)[0] in "LN")
        expected = hashlib.sha256(f"公开\0{folded}".encode()).hexdigest()[:24] if folded else ""
        assert text_key([text], "公开") == expected, text


def test_three_formats_are_one_meeting_with_its_copies(formats, tmp_path, new_engine):
    engine, alone = new_engine(), new_engine()
    summary = ingest([corpus_of(formats, tmp_path)], engine)
    assert summary.added == 3 and not summary.failed
    single = ingest([corpus_of(formats, tmp_path / "alone", (MD,))], alone)
    assert (summary.meetings, summary.paragraphs) == (single.meetings, single.paragraphs)
    assert state(engine)[0] == state(alone)[0]  # every paragraph once, read from the markdown
    assert all(copies == [DOCX, PDF] for _, copies in state(engine)[1].values())
    service = SearchService(engine)
    found = service.search(SearchRequest(q="森林防火"))
    assert found["total"] == SearchService(alone).search(SearchRequest(q="森林防火"))["total"]
    meeting = service.meeting(found["hits"][0]["meeting_id"])
    assert [(c["source"], c["format"]) for c in meeting["copies"]] == [(DOCX, "docx"), (PDF, "pdf")]
    assert all("root" not in c for c in meeting["copies"])  # (the server's folders stay private)
    assert meeting["title"] not in [r["title"] for r in meeting["related"]]  # never related to itself
    assert ingest([tmp_path / "corpus"], engine).unchanged == 3


def test_the_meeting_page_offers_each_copy_for_download(formats, tmp_path, new_engine):
    engine = new_engine()
    ingest([corpus_of(formats, tmp_path)], engine)
    mid = SearchService(engine).search(SearchRequest(q="森林防火"))["hits"][0]["meeting_id"]
    client = create_app(engine).test_client()
    page = client.get(f"/meetings/{mid}").get_data(as_text=True)
    links = re.findall(r'<a class="original[^"]*" href="([^"]+)" download>([^<]+)</a>', page)
    assert [name for _, name in links] == ["原文下载", DOCX, PDF]
    for (url, _), name in zip(links, (MD, DOCX, PDF)):
        assert client.get(url.replace("&amp;", "&")).data == (formats / name).read_bytes()
    assert client.get(f"/meetings/{mid}/original?copy=3").status_code == 404
    assert client.get(f"/meetings/{mid}/original?copy=x").status_code == 400
    (tmp_path / "corpus" / PDF).write_bytes(b"%PDF-1.4 changed")  # changed since: refused with its reason
    assert client.get(f"/meetings/{mid}/original?copy=2").status_code == 404


def test_whichever_file_comes_first_and_removing_the_primary_promotes_a_copy(formats, tmp_path, new_engine):
    engine, fresh = new_engine(), new_engine()
    corpus = corpus_of(formats, tmp_path, (PDF,))
    ingest([corpus], engine)
    corpus_of(formats, tmp_path, (DOCX,))
    assert ingest([corpus], engine).updated == 1  # the PDF becomes a copy of the Word file
    corpus_of(formats, tmp_path, (MD,))
    ingest([corpus], engine)
    ingest([corpus_of(formats, tmp_path / "all")], fresh)
    assert state(engine) == state(fresh)  # the same index whichever file came first
    (corpus / MD).unlink()
    summary = ingest([corpus], engine)
    assert (summary.removed, summary.updated, summary.unchanged) == (1, 2, 0)  # docx promoted, pdf re-pointed
    paragraphs, meetings = state(engine)
    assert {source for _, source in paragraphs} == {DOCX}
    assert all(m == (DOCX, [PDF]) for m in meetings.values())
    assert len(paragraphs) == len(state(fresh)[0])


def test_only_files_of_the_same_level_are_copies(formats, tmp_path, new_engine):
    engine = new_engine()
    corpus = corpus_of(formats, tmp_path, (DOCX,))
    (corpus / MD).write_text("---\naccess: 内部\n---\n\n" + SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    ingest([corpus], engine)
    paragraphs, meetings = state(engine)
    assert {source for _, source in paragraphs} == {MD, DOCX}
    assert all(copies == [] for _, copies in meetings.values())


def test_files_scanned_by_two_processes_give_the_same_keys_and_documents(tmp_path, monkeypatch):
    # Many files are read before the run by forked processes: the same scans, in order, as one process.
    from archive.access.levels import AccessConfig
    from archive.index import pipeline
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / SAMPLE.name)
    for n in range(40):
        (folder / f"m{n:02}.md").write_text(f"# 第{n % 7}次会议\n\n会议研究了第{n % 7}项工作。\n", encoding="utf-8")
    (folder / "gone.md").symlink_to(folder / "nowhere.md")  # cannot be read: left out of the scans
    (folder / "bad.md").write_bytes(b"\xff\xfe\x00garbage")
    files = [(p, folder, p.name) for p in sorted(folder.iterdir())]
    scans = []
    for procs in ("1", "2"):
        monkeypatch.setenv("ARCHIVE_INGEST_PROCS", procs)
        scans.append(pipeline.scan(files, {"m00.md": "x"}, False, AccessConfig(), None))
    assert list(scans[0]) == list(scans[1])
    assert all(isinstance(s.doc, bytes) for s in scans[1].values())  # (pickled by the reading processes)
    assert [(s.digest, s.key, s.document()) for s in scans[0].values()] == \
        [(s.digest, s.key, s.document()) for s in scans[1].values()]
    assert "gone.md" not in scans[0] and len(scans[0]) == 42  # (the sample, 40 minutes, bad.md read as it can be)
    assert len({s.key for s in scans[0].values()}) == 9  # seven texts among the 40
