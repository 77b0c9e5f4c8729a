"""Word minutes: .docx converted to the archive's markdown, then ingested and searched like any file.

The .docx files are built here with python-docx; automatic numbering and a
footnote are added as the WordprocessingML Word itself writes.
"""

import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import qn

from archive.engines import open_engine
from archive.index.pipeline import corpus_files, ingest
from archive.ingest import UnreadableFile, load
from archive.ingest.word import docx_to_markdown, format_number, to_markdown
from archive.search.request import SearchRequest
from archive.search.service import SearchService

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def chinese_numbering(doc) -> str:
    """A list numbered 一、 / （一） / 1. as Chinese Word writes it; returns its numId."""
    numbering = doc.part.numbering_part.element
    abstract = parse_xml(f'''<w:abstractNum {W} w:abstractNumId="90">
      <w:multiLevelType w:val="multilevel"/>
      <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
      <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
      <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>
    </w:abstractNum>''')
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)  # the schema puts every abstractNum before the nums
    else:
        numbering.append(abstract)
    numbering.append(parse_xml(f'<w:num {W} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    return "90"


def numbered(doc, text: str, num: str, level: int = 0):
    p = doc.add_paragraph(text)
    p._p.get_or_add_pPr().append(
        parse_xml(f'<w:numPr {W}><w:ilvl w:val="{level}"/><w:numId w:val="{num}"/></w:numPr>'))
    return p


def footnote(doc, paragraph, text: str) -> None:
    """A footnotes part with one note, referenced at the end of `paragraph` so far."""
    xml = (f'<w:footnotes {W} {R}>'
           '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
           '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p>'
           '</w:footnote><w:footnote w:id="1"><w:p><w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
           f'<w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> {text}</w:t></w:r></w:p></w:footnote>'
           '</w:footnotes>')
    part = Part(PackURI("/word/footnotes.xml"),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
                xml.encode(), doc.part.package)
    doc.part.relate_to(part, RT.FOOTNOTES)
    paragraph._p.append(parse_xml(f'<w:r {W}><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
                                  '<w:footnoteReference w:id="1"/></w:r>'))


def minutes(path: Path) -> Path:
    """A 纪要: Heading-1 title, header lines, Heading-2 and 标题 2 sections, numbered list, bold line, table, footnote."""
    doc = Document()
    num = chinese_numbering(doc)
    zh = doc.styles.add_style("标题 2", WD_STYLE_TYPE.PARAGRAPH)  # a heading style named in Chinese (WPS)
    zh._element.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {W} w:val="1"/>'))
    doc.add_heading("麦积区环境整治工作会议纪要", level=1)
    doc.add_paragraph("时间：2024年3月5日上午9时")
    doc.add_paragraph("地点：区政府三楼会议室")
    doc.add_paragraph("主持人：李明华")
    doc.add_heading("参会人员", level=2)
    table = doc.add_table(rows=3, cols=2)
    for r, (name, unit) in enumerate([("姓名", "单位"), ("王建国", "区生态环境分局"), ("赵丽", "区住建局")]):
        table.cell(r, 0).text, table.cell(r, 1).text = name, unit
    doc.add_heading("会议议定事项", level=2)
    numbered(doc, "加强秸秆禁烧巡查，落实网格化管理。", num)
    numbered(doc, "全面排查散乱污企业，建立整改台账。", num)
    numbered(doc, "乡镇每周上报一次巡查情况。", num, 1)
    numbered(doc, "周五前报送区督查办。", num, 2)
    doc.add_paragraph().add_run("三、关于河湖长制").bold = True
    p = doc.add_paragraph("会议要求各乡镇落实河湖长制，开展清河行动")
    footnote(doc, p, "依据《甘肃省河湖长制工作规定》。")
    p.add_run("，确保汛期安全。")
    doc.add_paragraph("森林防火", style="标题 2")
    doc.add_paragraph("会议强调进入防火期后严禁野外用火，*号与 <b> 照原样保留。")
    doc.add_paragraph("1. 不是自动编号")
    doc.save(path)
    return path


EXPECTED = """\
# 麦积区环境整治工作会议纪要

时间：2024年3月5日上午9时

地点：区政府三楼会议室

主持人：李明华

## 参会人员

| 姓名 | 单位 |
| --- | --- |
| 王建国 | 区生态环境分局 |
| 赵丽 | 区住建局 |

## 会议议定事项

一、加强秸秆禁烧巡查，落实网格化管理。

二、全面排查散乱污企业，建立整改台账。

（一）乡镇每周上报一次巡查情况。

1\\. 周五前报送区督查办。

**三、关于河湖长制**

会议要求各乡镇落实河湖长制，开展清河行动\\[1\\]，确保汛期安全。

## 森林防火

会议强调进入防火期后严禁野外用火，\\*号与 \\<b\\> 照原样保留。

1\\. 不是自动编号

**脚注**

\\[1\\] 依据《甘肃省河湖长制工作规定》。
"""


@pytest.fixture(scope="module")
def word_corpus(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("word")
    minutes(corpus / "麦积区纪要.docx")
    (corpus / "损坏.docx").write_bytes(b"this is not a zip archive at all")
    with zipfile.ZipFile(corpus / "缺正文.docx", "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    # An old binary Word file: the OLE signature, then nothing a converter could read.
    (corpus / "旧格式.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    (corpus / "~$麦积区纪要.docx").write_bytes(b"\x00" * 162)  # the lock file Word leaves beside an open file
    (corpus / "other.md").write_text("# 秦州区会议纪要\n\n会议研究了城区供暖工作。\n", encoding="utf-8")
    return corpus


def test_docx_converts_to_the_archive_markdown(word_corpus):
    assert docx_to_markdown((word_corpus / "麦积区纪要.docx").read_bytes()) == EXPECTED


def test_converted_minutes_split_into_title_sections_and_paragraphs(word_corpus):
    doc = load(word_corpus / "麦积区纪要.docx", word_corpus)
    [meeting] = doc.records
    assert meeting.title == "麦积区环境整治工作会议纪要"
    by_text = {p.text: p for p in meeting.paragraphs}
    assert by_text["二、全面排查散乱污企业，建立整改台账。"].section == "会议议定事项"
    assert by_text["会议要求各乡镇落实河湖长制，开展清河行动[1]，确保汛期安全。"].section == "三、关于河湖长制"
    assert by_text["会议强调进入防火期后严禁野外用火，*号与 <b> 照原样保留。"].section == "森林防火"
    assert by_text["[1] 依据《甘肃省河湖长制工作规定》。"].section == "脚注"
    # The line cited is the paragraph's line in the converted text.
    assert doc.lines[by_text["主持人：李明华"].line_start - 1] == "主持人：李明华"


@pytest.fixture(scope="module")
def word_index(word_corpus, tmp_path_factory, monkeypatch_module):
    monkeypatch_module.setenv("PATH", str(tmp_path_factory.mktemp("no-converters")))  # no soffice/antiword/catdoc
    engine = open_engine(tmp_path_factory.mktemp("index"))
    return ingest([word_corpus], engine), engine


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def test_word_lock_files_are_not_corpus_files(word_corpus):
    names = {p.name for p, _ in corpus_files([word_corpus])}
    assert names == {"麦积区纪要.docx", "损坏.docx", "缺正文.docx", "旧格式.doc", "other.md"}


def test_ingest_reports_bad_word_files_by_name_and_keeps_the_others(word_index):
    summary, _ = word_index
    failed = dict(summary.failed)
    assert set(failed) == {"损坏.docx", "缺正文.docx", "旧格式.doc"}
    assert "不是 zip 压缩包" in failed["损坏.docx"]
    assert "word/document.xml" in failed["缺正文.docx"]
    assert "没有安装转换工具" in failed["旧格式.doc"] and "apt-get install antiword" in failed["旧格式.doc"]
    assert summary.added == 2


@pytest.mark.parametrize("q, text, section", [
    ("秸秆禁烧", "一、加强秸秆禁烧巡查，落实网格化管理。", "会议议定事项"),
    ("清河行动", "会议要求各乡镇落实河湖长制，开展清河行动[1]，确保汛期安全。", "三、关于河湖长制"),
    ("野外用火", "会议强调进入防火期后严禁野外用火，*号与 <b> 照原样保留。", "森林防火"),
    ("区住建局", None, "参会人员"),
    ("河湖长制工作规定", "[1] 依据《甘肃省河湖长制工作规定》。", "脚注"),
])
def test_search_finds_word_paragraphs_with_meeting_and_section(word_index, q, text, section):
    _, engine = word_index
    hits = SearchService(engine).search(SearchRequest(q=q))["hits"]
    hit = next(h for h in hits if h["source"] == "麦积区纪要.docx")
    assert hit["meeting_title"] == "麦积区环境整治工作会议纪要"
    assert hit["section"] == section
    if text:
        assert hit["text"] == text
    assert hit["line_start"] >= 1


def test_header_of_word_minutes_is_read(word_index):
    _, engine = word_index
    service = SearchService(engine)
    hit = service.search(SearchRequest(q="秸秆禁烧"))["hits"][0]
    meeting = service.meeting(hit["meeting_id"])
    fields = meeting["fields"] if isinstance(meeting, dict) else meeting.fields
    assert "李明华" in str(fields.get("host"))
    assert hit["date"]["year"] == 2024 and hit["date"]["month"] == 3


def test_markdown_of_other_files_still_ingested(word_index):
    _, engine = word_index
    hits = SearchService(engine).search(SearchRequest(q="城区供暖"))["hits"]
    assert [h["source"] for h in hits] == ["other.md"]


def test_centred_title_without_heading_styles_is_the_title(tmp_path):
    doc = Document()
    title = doc.add_paragraph()
    title.add_run("县长办公会议纪要").bold = True
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph("时间：2024年4月19日\n地点：县政府会议室")  # a line break: two fields
    doc.add_paragraph().add_run("一、关于春耕生产").bold = True
    doc.add_paragraph("会议听取了农业农村局的汇报。")
    box = doc.add_table(rows=1, cols=1)  # a one-cell table boxing text is its paragraphs
    box.cell(0, 0).text = "会议要求抓好春播备耕。"
    doc.save(tmp_path / "x.docx")
    text = docx_to_markdown((tmp_path / "x.docx").read_bytes())
    assert text == ("# 县长办公会议纪要\n\n时间：2024年4月19日\n\n地点：县政府会议室\n\n**一、关于春耕生产**\n\n"
                    "会议听取了农业农村局的汇报。\n\n会议要求抓好春播备耕。\n")


def test_merged_cells_are_written_once(tmp_path):
    doc = Document()
    doc.add_heading("会议纪要", 1)
    t = doc.add_table(rows=3, cols=3)
    t.cell(0, 0).merge(t.cell(0, 2)).text = "参会人员"
    t.cell(1, 0).merge(t.cell(2, 0)).text = "区直部门"
    t.cell(1, 1).text, t.cell(1, 2).text = "王建国", "区生态环境分局"
    t.cell(2, 1).text, t.cell(2, 2).text = "赵丽", "区住建局"
    doc.save(tmp_path / "t.docx")
    text = docx_to_markdown((tmp_path / "t.docx").read_bytes())
    assert ("| 参会人员 |  |  |\n| --- | --- | --- |\n| 区直部门 | 王建国 | 区生态环境分局 |\n"
            "|  | 赵丽 | 区住建局 |") in text


def test_number_formats():
    assert [format_number(n, "chineseCounting") for n in (1, 10, 11, 20, 21, 100, 101, 110)] == \
        ["一", "十", "十一", "二十", "二十一", "一百", "一百零一", "一百一十"]
    assert format_number(3, "decimalEnclosedCircle") == "③"
    assert format_number(2, "ideographTraditional") == "乙"
    assert format_number(4, "upperRoman") == "IV" and format_number(28, "lowerLetter") == "bb"
    assert format_number(10, "chineseLegalSimplified") == "壹拾" and format_number(12, "ideographZodiac") == "亥"
    assert format_number(12, "decimalFullWidth") == "１２" and format_number(7, "decimalZero") == "07"
    # Past the end of a format's symbols, and for an unknown format, Word writes the decimal number.
    assert [format_number(11, "ideographTraditional"), format_number(21, "decimalEnclosedCircle"),
            format_number(0, "lowerLetter"), format_number(5, "someNewFormat")] == ["11", "21", "0", "5"]


def test_editing_the_word_reader_changes_the_fingerprint(tmp_path, monkeypatch):
    """The Word reader is a folder below ingest/: a change to it still re-reads the corpus."""
    import shutil

    from archive.extract import annotate
    for part in ("extract", "ingest"):
        shutil.copytree(annotate.HERE.parent / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(annotate, "HERE", tmp_path / "extract")
    annotate.fingerprint.cache_clear()
    before = annotate.fingerprint()
    with open(tmp_path / "ingest" / "word" / "converter.py", "a", encoding="utf-8") as f:
        f.write("\n# 一行注释\n")
    annotate.fingerprint.cache_clear()
    assert annotate.fingerprint() != before
    annotate.fingerprint.cache_clear()


@pytest.mark.parametrize("data, suffix, reason", [
    (b"", ".docx", "不是 zip 压缩包"),
    (b"PK\x03\x04garbage", ".docx", "已损坏的 .docx"),
    (b"{\\rtf1 not word}", ".doc", "改名为 .doc 的 RTF 文件"),
    (b"garbage", ".wps", "没有 Word 或 WPS 的文件标记"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"), ".docx", "有密码保护"),
])
def test_broken_word_files_say_why(data, suffix, reason):
    with pytest.raises(UnreadableFile, match=reason):
        to_markdown(data, suffix)
