"""Files to meetings, sections and paragraphs."""

from pathlib import Path

import pytest

from archive.ingest import UnreadableFile, load, parse_text
from archive.ingest.split import is_title

from .conftest import SAMPLE

NUMS = "一二三四五六七八"


@pytest.fixture(scope="module")
def sample():
    return load(SAMPLE, SAMPLE.parent)


def test_sample_splits_into_eight_meetings_with_their_titles(sample):
    assert [m.title for m in sample.records] == [f"环境整治工作会议记录篇{n}" for n in NUMS]
    assert sample.title == "2023年环境整治工作会议记录 环境保护工作会议记录(通用8篇)"


def test_preamble_is_kept_but_is_not_a_meeting(sample):
    preamble = sample.meetings[0]
    assert preamble.is_preamble and preamble.paragraphs[0].text == sample.title  # the file's title is text
    assert "小编" in preamble.paragraphs[1].text


def test_headings_inside_a_meeting_are_sections(sample):
    first, sixth = sample.records[0], sample.records[5]
    sections = {p.section for p in first.paragraphs}
    assert "市城管委 迅速行动逐项落实" in sections
    assert "市轨道公司 成立领导小组统筹公司环保工作" in sections
    assert {"一、正视问题，客观认识当前工作严峻形势", "(四)突出部门工作，强化工作联动"} <= {p.section for p in sixth.paragraphs}
    # the bold line opened meeting six and is its title, not a paragraph
    assert sixth.line_start == next(i for i, line in enumerate(sample.lines, 1) if line.startswith("**环境整治"))


def test_paragraphs_keep_their_source_lines(sample):
    for meeting in sample.meetings:
        for p in meeting.paragraphs:
            first_line = sample.lines[p.line_start - 1]
            assert p.text[:6].replace("*", "") in first_line.replace("\\", "").replace("*", "") or first_line.startswith("- ")
            assert meeting.line_start <= p.line_start <= p.line_end <= meeting.line_end


def test_broken_paragraphs_are_joined(sample):
    texts = [p.text for m in sample.meetings for p in m.paragraphs]
    assert any("严格整改标准，加大惩处力度" in t for t in texts)
    assert any("严格按照《关于中央" in t for t in texts)
    joined = next(p for m in sample.meetings for p in m.paragraphs if "严格整改标准" in p.text)
    assert joined.line_end - joined.line_start == 2


def test_escapes_resolved_and_placeholders_kept(sample):
    texts = "\n".join(p.text for m in sample.meetings for p in m.paragraphs)
    assert "\\*" not in texts and "*流域" in texts
    assert "20xx年" in texts and "x年11月8日" in texts


def test_list_items_are_paragraphs(sample):
    items = [p.text for p in sample.records[4].paragraphs]
    assert "1、判令被告立即支付给原告所欠货款325831元。" in items


def test_repair_on_other_text():
    text = ("# 县务会议纪要\n\n"
            "会议听取了水利局关于防汛工作的汇报，要求各乡镇在汛期到来之前完成\n\n"
            "堤防巡查，落实值班制度。\n\n"
            "一、防汛工作\n\n"
            "二、春耕生产\n\n"
            "事实与理由\n\n"
            "原告与被告存在合同关系。\n\n"
            "联系人：王\n\n"
            "电话：12345\n")
    doc = parse_text(text, "x.md")
    paras = [p.text for p in doc.records[0].paragraphs]
    assert "会议听取了水利局关于防汛工作的汇报，要求各乡镇在汛期到来之前完成堤防巡查，落实值班制度。" in paras
    assert {"一、防汛工作", "二、春耕生产", "事实与理由", "原告与被告存在合同关系。", "联系人：王", "电话：12345"} <= set(paras)
    assert doc.records[0].title == "县务会议纪要"


def test_series_of_other_wording_splits_meetings():
    text = "\n\n".join(["# 党委会记录汇编", "前言。", "## 第1次党委会", "议题一。", "### 一、学习",
                       "学习文件。", "## 第2次党委会", "议题二。", "## 第3次党委会", "议题三。"])
    doc = parse_text(text, "y.md")
    assert [m.title for m in doc.records] == ["第1次党委会", "第2次党委会", "第3次党委会"]
    assert doc.records[0].paragraphs[-1].section == "一、学习"


def test_one_document_file_is_one_meeting_titled_by_first_heading():
    text = "# 中华人民共和国森林法\n\n## 第一章 总则\n\n第一条 为了践行绿水青山就是金山银山理念。\n\n## 第二章 森林权属\n\n第十四条 森林资源属于国家所有。\n"
    doc = parse_text(text, "laws/forest.md")
    assert [m.title for m in doc.records] == ["中华人民共和国森林法"]
    assert [p.section for p in doc.records[0].paragraphs if not p.is_heading] == ["第一章 总则", "第二章 森林权属"]


def test_front_matter_overrides_title_and_bad_yaml_is_reported():
    doc = parse_text("---\ntitle: 县长办公会\ndate: 2024-03-05\n---\n# 会议\n\n内容。\n", "z.md")
    assert doc.records[0].title == "县长办公会" and doc.front_matter["date"]
    broken = parse_text("---\ntitle: [unclosed\n---\n# 会议\n\n内容。\n", "w.md")
    assert broken.front_matter_error and broken.records[0].title == "会议"  # (its level is unsure: test_access_config)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_encodings(tmp_path: Path, encoding):
    path = tmp_path / "a.md"
    path.write_bytes("# 麦积区会议\n\n会议要求，严格整改标准。\n".encode(encoding))
    doc = load(path, tmp_path)
    assert [p.text for p in doc.records[0].paragraphs] == ["麦积区会议", "会议要求，严格整改标准。"]


def test_big5_is_not_garbled(tmp_path: Path):
    path = tmp_path / "tw.md"
    path.write_bytes("# 會議紀錄\n\n會議要求，各單位嚴格整改。\n".encode("big5"))
    assert [p.text for p in load(path, tmp_path).records[0].paragraphs] == ["會議紀錄", "會議要求，各單位嚴格整改。"]


@pytest.mark.parametrize("data,reason", [(b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "二进制文件"),
                                         (bytes(range(128, 256)) * 4, "不是 UTF-8")])
def test_undecodable_files_raise_with_reason(tmp_path: Path, data, reason):
    path = tmp_path / "bad.md"
    path.write_bytes(data)
    with pytest.raises(UnreadableFile, match=reason):
        load(path, tmp_path)


def test_a_meetings_title_is_its_first_paragraph_and_opens_no_section():
    text = "前言一段。\n\n## 例会第1次\n\n时间：3月1日\n\n### 议题\n\n讨论方案。\n\n## 例会第2次\n\n内容。\n"
    doc = parse_text(text, "t.md")
    first, second = doc.records
    assert [(p.n, p.text, p.section, p.is_heading) for p in first.paragraphs] == [
        (1, "例会第1次", "", True), (2, "时间：3月1日", "", False), (3, "议题", "议题", True),
        (4, "讨论方案。", "议题", False)]
    assert [p.text for p in second.paragraphs] == ["例会第2次", "内容。"]
    assert [is_title(p) for p in first.paragraphs] == [True, False, False, False]
    single = parse_text("开头一句。\n\n# 标题\n\n正文。\n", "s.md").records[0]
    assert [(p.text, p.section) for p in single.paragraphs] == [("开头一句。", ""), ("标题", ""), ("正文。", "")]


def test_inline_text_read_without_markdown_it_is_what_its_inline_parser_gives():
    # Inline tokens are parsed only when they hold markup (blocks._children); the text of the others is
    # read line by line (blocks._plain_lines): the same lines, and bold-only paragraphs, on random markdown.
    import random
    from archive.ingest import blocks
    from archive.ingest.dialect import markdown_parser
    full = markdown_parser()
    rnd = random.Random(5)
    plain = marked = 0
    pool = ["会议", "纪要", "，", "。", " ", "  ", "   ", "\t", "\n", "\n\t", "\n  ", " \n", "  \n", "\n\n", "a", "1", "**", "*", "_", "\\",
            "`", "[x]", "[x]: /u\n", "![图](p.png)", "<b>", "<http://a.b>", "&amp;", "&#x41;", "!", "# ", "| a | b |\n|---|---|\n"]
    for n in range(600):  # (every other text without markup: line ends, spaces and tabs read without it)
        text = "".join(rnd.choice(pool[:17] if n % 2 else pool) for _ in range(rnd.randrange(1, 40)))
        env: dict = {}
        lazy = blocks._md.parse(text, env)
        whole = full.parse(text)
        pairs = [(a, b) for a, b in zip(lazy, whole) if a.type == "inline"]
        assert [a.type for a in lazy] == [b.type for b in whole]
        for a, b in pairs:
            plain, marked = (plain + 1, marked) if not blocks._MARKUP.search(a.content) else (plain, marked + 1)
            b.meta["parsed"] = True  # (read through its children, as markdown-it's core parsed them)
            assert blocks.inline_lines(a, env) == blocks.inline_lines(b), text
            assert blocks._is_bold_only(a, env) == blocks._is_bold_only(b, {}), text
    assert plain > 200 and marked > 200  # (both ways taken)


def test_a_label_line_is_complete_and_latin_words_rejoin_with_a_space():
    text = ("# 周会\n\n参会人员（排名不分先后）：张三、李四、alice-w\n\n讨论了发布计划\n\n"
            "Meeting Date: December 11, 2022\n\nAttendees: alice, bob\n\n"
            "libu introduced the dns code, and asked for an\n\nexception to the rule.\n")
    paras = [p.text for p in parse_text(text, "x.md").records[0].paragraphs]
    assert paras[1:] == ["参会人员（排名不分先后）：张三、李四、alice-w", "讨论了发布计划", "Meeting Date: December 11, 2022",
                         "Attendees: alice, bob", "libu introduced the dns code, and asked for an exception to the rule."]


def test_a_log_of_meetings_under_dated_headings_splits_by_day():
    text = ("# 项目组会议记录\n\n### 20240723-工作安排\n\n与会人员：吴一 杨二\n\n### 20240708-问题讨论\n\n与会人员：吴一 陈三\n\n"
            "### 2024-06-26 进度同步\n\n与会人员：杨二\n\n#### 讨论\n\n内容。\n")
    doc = parse_text(text, "log.md")
    assert [m.title for m in doc.records] == ["20240723-工作安排", "20240708-问题讨论", "2024-06-26 进度同步"]


def test_html_comments_are_not_text_and_lines_keep_their_numbers():
    text = ("# 社区例会\n\n<!-- source: https://example.org/page -->\n\n<!--\n---\ndate: 2016-02-23\n---\n-->\n"
            "会议讨论了发布<!-- 旧稿 -->计划。\n\n```html\n<!-- 代码里的注释 -->\n```\n")
    doc = parse_text(text, "x.md")
    assert [(p.text, p.line_start) for p in doc.records[0].paragraphs][1:] == [
        ("会议讨论了发布计划。", 10), ("<!-- 代码里的注释 -->", 12)]
