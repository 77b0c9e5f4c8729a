"""A .docx file's bytes, checked before python-docx opens them, as markdown."""

import io
import zipfile

from lxml import etree

from ..reader import UnreadableFile
from .converter import Converter

ZIP_MAGIC = b"PK\x03\x04"
MAX_UNPACKED = 256 * 1024 * 1024  # the XML parts of one .docx, unpacked: more is a zip bomb


def _check_package(data: bytes) -> None:
    """Raise UnreadableFile unless `data` is a zip with a Word body and a sane unpacked size."""
    if not data.startswith(ZIP_MAGIC):
        raise UnreadableFile("不是 .docx 文件：不是 zip 压缩包（已损坏，或是其他格式改名为 .docx）")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            names = {i.filename for i in infos}
            bad = None if "word/document.xml" in names else "no word/document.xml in it"
            unpacked = sum(i.file_size for i in infos if i.filename.endswith(".xml") or i.filename.endswith(".rels"))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise UnreadableFile(f"已损坏的 .docx：不是可读的 zip 压缩包（{exc}）") from None
    if bad:
        raise UnreadableFile(f"已损坏的 .docx，或不是 Word 文档：{bad}")
    if unpacked > MAX_UNPACKED:
        raise UnreadableFile(f"已损坏的 .docx：其 XML 解压后有 {unpacked // 2**20} MiB（最多读取 "
                             f"{MAX_UNPACKED // 2**20} MiB）")


def docx_to_markdown(data: bytes) -> str:
    """A .docx file's bytes as markdown of the archive's dialect; raises UnreadableFile."""
    _check_package(data)
    import docx  # python-docx is imported only when a Word file is met
    from docx.opc.exceptions import PackageNotFoundError
    try:
        document = docx.Document(io.BytesIO(data))
        if document.element.body is None:
            return ""  # a document without a body: empty, like an empty .md
        converter = Converter(document)
    except PackageNotFoundError as exc:
        raise UnreadableFile(f"已损坏的 .docx：{exc}") from None
    except Exception as exc:  # whatever python-docx meets in a damaged package: XML errors, missing parts
        raise UnreadableFile(f"已损坏的 .docx：{type(exc).__name__}: {exc}") from None
    try:
        return converter.markdown()
    except (KeyError, ValueError, etree.XMLSyntaxError) as exc:  # a part a note or number refers to is missing
        raise UnreadableFile(f"已损坏的 .docx：{type(exc).__name__}: {exc}") from None
