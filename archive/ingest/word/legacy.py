"""Old binary Word (.doc) and WPS (.wps) files, through the first converter installed.

LibreOffice converts to .docx (then read as any .docx); antiword and catdoc to text.
"""

import os
import shutil
import subprocess
import tempfile

from ..reader import UnreadableFile
from .document import ZIP_MAGIC, docx_to_markdown
from .escape import clean, escape

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
CONVERT_TIMEOUT = 120  # seconds for one legacy conversion


def _text_to_markdown(text: str) -> str:
    lines = [clean(line) for line in text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").split("\n")]
    return "\n\n".join(escape(line) for line in lines if line) + "\n"


def _soffice(path: str, workdir: str) -> str:
    profile = os.path.join(workdir, "profile")
    out = os.path.join(workdir, "out")
    subprocess.run([_which("soffice", "libreoffice"), f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", "docx", "--outdir", out, path],
                   check=True, capture_output=True, timeout=CONVERT_TIMEOUT, stdin=subprocess.DEVNULL)
    produced = [f for f in os.listdir(out) if f.endswith(".docx")] if os.path.isdir(out) else []
    if not produced:
        raise RuntimeError("LibreOffice 没有生成 .docx")
    with open(os.path.join(out, produced[0]), "rb") as f:
        return docx_to_markdown(f.read())


def _antiword(path: str, workdir: str) -> str:
    done = subprocess.run(["antiword", "-w", "0", "-m", "UTF-8.txt", path], check=True, capture_output=True,
                          timeout=CONVERT_TIMEOUT, stdin=subprocess.DEVNULL)
    return _text_to_markdown(done.stdout.decode("utf-8", "replace"))


def _catdoc(path: str, workdir: str) -> str:
    done = subprocess.run(["catdoc", "-w", "-d", "utf-8", path], check=True, capture_output=True,
                          timeout=CONVERT_TIMEOUT, stdin=subprocess.DEVNULL)
    return _text_to_markdown(done.stdout.decode("utf-8", "replace"))


def _which(*names: str) -> str | None:
    return next((found for found in map(shutil.which, names) if found), None)


CONVERTERS = (("LibreOffice", ("soffice", "libreoffice"), _soffice),
              ("antiword", ("antiword",), _antiword),
              ("catdoc", ("catdoc",), _catdoc))
_KIND = {".doc": "Word", ".wps": "WPS"}
INSTALL_HINT = ("请 apt-get install antiword（或 catdoc，或提供 soffice 的 libreoffice-writer），"
                "或把它另存为 .docx")


def _check_legacy(data: bytes, suffix: str) -> None:
    """Raise UnreadableFile, naming what it is if it can, unless `data` is an OLE (old Office) file."""
    if data.startswith(OLE_MAGIC):
        return
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    kind = ("RTF 文件" if head.startswith(b"{\\rtf") else
            "网页（HTML）" if head.startswith((b"<html", b"<!doctype", b"<?xml", b"mime-version")) else None)
    if kind:
        raise UnreadableFile(f"这是改名为 {suffix} 的 {kind}，不是 Word 文件：请用 Word 或 WPS 打开并另存为 .docx")
    raise UnreadableFile(f"不是 Word {suffix} 文件（没有 Word 或 WPS 的文件标记）：已损坏，或是其他格式")


def _attempt(name: str, fn, path: str, workdir: str) -> tuple[str | None, str | None]:
    """(markdown, None) if converter `fn` read text from the file, else (None, why not)."""
    try:
        text = fn(path, workdir)
    except subprocess.TimeoutExpired:
        return None, f"{name} 超时（{CONVERT_TIMEOUT} 秒）"
    except subprocess.CalledProcessError as exc:
        err = (exc.stderr or b"").decode("utf-8", "replace").strip().splitlines()
        last = err[-1].replace(path, "该文件") if err else f"退出码 {exc.returncode}"
        return None, f"{name} 失败（{last}）"
    except (OSError, RuntimeError, UnreadableFile) as exc:
        return None, f"{name} 失败（{exc}）"
    return (text, None) if text.strip() else (None, f"{name} 没有读出文字")


def legacy_to_markdown(data: bytes, suffix: str) -> str:
    """An old binary Word (.doc) or WPS (.wps) file as markdown, through the first converter installed."""
    if data.startswith(ZIP_MAGIC):
        return docx_to_markdown(data)  # a .docx saved under an old name
    _check_legacy(data, suffix)
    available = [(name, fn) for name, cmds, fn in CONVERTERS if _which(*cmds)]
    if not available:
        raise UnreadableFile(f"旧版 {_KIND[suffix]} {suffix} 文件，而没有安装转换工具：{INSTALL_HINT}")
    failures = []
    with tempfile.TemporaryDirectory(prefix="archive-word-") as workdir:
        path = os.path.join(workdir, "input" + suffix)
        with open(path, "wb") as f:
            f.write(data)
        for name, fn in available:
            text, failure = _attempt(name, fn, path, workdir)
            if text is not None:
                return text
            failures.append(failure)
    raise UnreadableFile(f"旧版 {_KIND[suffix]} {suffix} 文件无法转换：" + "；".join(failures))
