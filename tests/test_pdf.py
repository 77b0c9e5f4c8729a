"""PDF minutes: the text layer read in order, running headers and page numbers dropped, lines joined into
paragraphs, headings by size and weight, and each hit's page.

The layout rules are tested on lines placed by hand (fast); the must-holds on the sample printed by a real
Chromium (tests/printed.py: running header and 页码 footer on all 24 pages), checked against pdfium's text of
each page.
"""

import re
import shutil

import pytest

from archive.engines import open_engine
from archive.index.pipeline import corpus_files, ingest
from archive.ingest import load, parse_text
from archive.ingest.layout import Line, Page, to_markdown
from archive.search.request import SearchRequest
from archive.search.service import SearchService

from .conftest import SAMPLE, write
from .printed import CHROMIUM
from .test_search import cjk_runs

BODY = 12.0


def body_line(text, top, x0=72.0, x1=None, size=BODY, bold=False):
    return Line(text, x0, top, x1 if x1 is not None else x0 + len(text) * size, top + size, size, bold)


def page(number, lines, height=842.0):
    return Page(number, 595.0, height, lines)


FULL = 36  # characters on a full line of the pages below (72 + 36 × 12 = 504)


def test_lines_of_a_paragraph_join_without_spaces_and_indents_start_paragraphs():
    lines = [body_line("会议要求，各单位要切实加强领导，明确责任分工，确保各项工作", 100, x0=96, x1=504),
             body_line("落实到位。各乡镇要对照任务清单逐项整改，按时上报整改情况，不得", 118, x1=504),
             body_line("拖延。", 136),
             body_line("会议强调，要严格执行森林防火责任制，加强巡查力度，确保不发生重", 154, x0=96, x1=504),
             body_line("大火情。", 172)]
    text = to_markdown([page(1, lines)]).text
    assert text.strip().split("\n\n")[:2] == [
        "会议要求，各单位要切实加强领导，明确责任分工，确保各项工作落实到位。各乡镇要对照任务清单逐项整改，按时上报整改情况，不得拖延。",
        "会议强调，要严格执行森林防火责任制，加强巡查力度，确保不发生重大火情。"]


def test_a_full_line_ending_a_sentence_runs_on_where_paragraphs_are_indented():
    lines = [body_line("第一段开头缩进两个字，这一句在行末正好结束。", 100, x0=96, x1=504),
             body_line("下一行仍属同一段，直到段落结束为止。", 118),
             body_line("第二段开头同样缩进两个字，表示新段落开始。", 136, x0=96, x1=504),
             body_line("这一行结束了第二段。", 154)]
    assert to_markdown([page(1, lines)]).text.strip().count("\n\n") == 1


def test_without_indents_a_sentence_end_or_a_short_line_ends_a_paragraph():
    lines = [body_line("时间：2024年3月5日", 100),
             body_line("地点：县政府三楼会议室", 118),
             body_line("会议听取了县林业局关于森林防火工作的汇报，研究部署了下一阶段的", 136, x1=504),
             body_line("工作。", 154),
             body_line("会议要求各单位加强协作。", 172)]
    paragraphs = to_markdown([page(1, lines)]).text.strip().split("\n\n")
    assert paragraphs == ["时间：2024年3月5日", "地点：县政府三楼会议室",
                          "会议听取了县林业局关于森林防火工作的汇报，研究部署了下一阶段的工作。", "会议要求各单位加强协作。"]


def test_running_headers_footers_and_page_numbers_are_dropped():
    footers = ["- {n} -", "第 {n} 页", "{n}/3"]
    pages = []
    for n in (1, 2, 3):
        pages.append(page(n, [body_line("某县人民政府常务会议纪要", 30, x0=220),  # a running header
                              body_line(f"第{n}页正文，会议研究了第{n}项议题。", 100),
                              body_line(footers[n - 1].format(n=n), 800, x0=280)]))
    text = to_markdown(pages).text
    assert "常务会议纪要" not in text and "页正文" in text
    assert re.findall(r"^\S.*$", text, re.M) == [f"第{n}页正文，会议研究了第{n}项议题。" for n in (1, 2, 3)]


def test_headings_by_size_and_bold_lines():
    lines = [body_line("县政府常务会议纪要", 60, size=20),
             body_line("一、研究森林防火工作", 100, size=15),
             body_line("会议听取了汇报。", 130),
             body_line("（一）加强巡查", 150, bold=True),
             body_line("各乡镇要加强巡查。", 170)]
    assert to_markdown([page(1, lines)]).text.strip().split("\n\n")[:4] == [
        "# 县政府常务会议纪要", "## 一、研究森林防火工作", "会议听取了汇报。", "**（一）加强巡查**"]


def test_two_columns_are_read_one_after_the_other():
    left = [body_line(t, 100 + 18 * i, x0=60, x1=280) for i, t in enumerate(["左栏第一行文字内容很长很长", "左栏第二行。", "左栏第三行。"])]
    right = [body_line(t, 100 + 18 * i, x0=320, x1=540) for i, t in enumerate(["右栏第一行。", "右栏第二行。", "右栏第三行。"])]
    text = to_markdown([page(1, [body_line("两栏排版的标题", 60, x0=200, x1=400, size=18)] + left + right)]).text
    assert text.index("左栏第三行") < text.index("右栏第一行")
    assert text.startswith("# 两栏排版的标题")


def test_page_starts_give_each_paragraph_its_page():
    pages = [page(1, [body_line("第一页的段落。", 100)]), page(2, [body_line("第二页的段落。", 100)])]
    converted = to_markdown(pages)
    doc = parse_text(converted.text, "x.pdf")
    assert converted.page_starts == [(1, 1), (2, 3)]
    assert [p.line_start for m in doc.meetings for p in m.paragraphs] == [1, 3]


def test_markdown_characters_in_a_pdf_stay_text():
    lines = [body_line("# 不是标题", 100), body_line("- 不是列表", 118), body_line("1. 不是编号", 136),
             body_line("*强调*与[链接](x)", 154)]
    doc = parse_text(to_markdown([page(1, lines)]).text, "x.pdf")
    assert [p.text for m in doc.meetings for p in m.paragraphs] == ["# 不是标题", "- 不是列表", "1. 不是编号", "*强调*与[链接](x)"]


def test_pdf_and_image_files_are_corpus_files(tmp_path):
    for name in ("a.pdf", "b.PNG", "c.jpg", "d.jpeg", "e.tif", "f.tiff", "g.txt"):
        (tmp_path / name).write_bytes(b"")
    assert sorted(p.name for p, _ in corpus_files([tmp_path])) == ["a.pdf", "b.PNG", "c.jpg", "d.jpeg", "e.tif", "f.tiff"]


def test_broken_files_fail_alone_with_a_reason(tmp_path):
    broken = {"空.pdf": (b"", "不是可读取的 PDF"), "坏.pdf": (b"%PDF-1.7\n garbage", "不是可读取的 PDF"),
              "坏.png": (b"\x89PNG\r\n\x1a\n broken", "不是可读取的图片"),
              "空白.png": (None, "没有找到文字")}
    corpus = tmp_path / "c"
    write(corpus / "纪要.md", "# 县政府常务会议纪要\n\n会议研究部署森林防火工作。\n")
    for name, (data, _) in broken.items():
        if data is None:
            from PIL import Image
            Image.new("L", (200, 100), 255).save(corpus / name)  # a blank page: nothing to read
        else:
            (corpus / name).write_bytes(data)
    summary = ingest([corpus], open_engine(tmp_path / "ix"))
    failed = dict(summary.failed)
    assert summary.added == 1 and set(failed) == set(broken)
    for name, (_, reason) in broken.items():
        assert reason in failed[name], (name, failed[name])


# -- the sample printed by Chromium -------------------------------------------------------

chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's Chromium (apt-get install chromium fonts-noto-cjk; scripts/test.sh)")


@pytest.fixture(scope="module")
def printed(tmp_path_factory, sample_pdf):
    corpus = tmp_path_factory.mktemp("pdf-corpus")
    pdf = shutil.copy(sample_pdf, corpus / sample_pdf.name)
    engine = open_engine(tmp_path_factory.mktemp("pdf-index"))
    summary = ingest([corpus], engine)
    assert summary.added == 1 and not summary.failed
    return pdf, SearchService(engine)


def shape(doc):
    return [(m.title, [p.section for p in m.paragraphs if p.is_heading]) for m in doc.records]


def page_texts(pdf):
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(str(pdf))
    texts = []
    for i in range(len(doc)):
        text = doc[i].get_textpage().get_text_range()
        text = text.replace(SAMPLE.stem, "")  # the running header this test printed
        texts.append(re.sub(r"-\s*\d+\s*-", "", re.sub(r"\s+", "", text)))  # and its footer
    return texts


@pytest.mark.slow
@chromium
def test_printed_sample_gives_the_same_meetings_titles_and_sections(printed):
    pdf, _ = printed
    assert shape(load(pdf, pdf.parent)) == shape(load(SAMPLE, SAMPLE.parent))


@pytest.mark.slow
@chromium
def test_printed_sample_recall_and_pages(printed):
    """Recall of 200 random runs ≥ 0.99; each hit's page holds the run, checked against pdfium's text of that
    page (a run cut by a page break begins on it)."""
    pdf, service = printed
    paragraphs = [p.text for m in load(SAMPLE, SAMPLE.parent).meetings for p in m.paragraphs]
    runs = cjk_runs(paragraphs, 200, seed=11)
    texts = page_texts(pdf)
    found, across = 0, 0
    for run in runs:
        hits = [h for h in service.search(SearchRequest(q=f'"{run}"', per_page=100))["hits"] if run in h["text"]]
        if not hits:
            continue
        found += 1
        p = hits[0]["page"]
        if run not in texts[p - 1]:
            assert run in texts[p - 1][-len(run):] + texts[p][:len(run)], (run, p)
            across += 1
    print(f"PDF recall of {len(runs)} runs: {found / len(runs):.3f}; runs cut by a page break: {across}")
    assert found / len(runs) >= 0.99
    assert across <= 3


@pytest.mark.slow
@chromium
def test_meeting_page_and_cli_show_pages(printed):
    import io

    from archive.cli import print_results
    from web.minutes import render
    pdf, service = printed
    result = service.search(SearchRequest(q="森林防火"))
    hit = result["hits"][0]
    out = io.StringIO()
    print_results(result, colour=False, out=out)
    assert f"{pdf.name} 第 {hit['page']} 页" in out.getvalue()
    meeting = service.meeting(hit["meeting_id"])
    html = str(render(meeting))
    marks = [int(n) for n in re.findall(r'class="page-mark"[^>]*>第 (\d+) 页', html)]
    assert marks and marks == sorted(marks) and hit["page"] in marks
    assert len(re.findall(r'id="p-\d+"', html)) == len({n for n, *_ in meeting["paragraphs"]})


def test_hits_of_text_files_have_no_page(backend):
    hits = backend.search(SearchRequest(q="森林防火"))["hits"]
    assert hits and all(h["page"] is None for h in hits)
