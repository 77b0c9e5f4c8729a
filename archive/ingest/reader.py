"""Turn a file's bytes into text, or say clearly why it cannot be read."""

import codecs

MAX_CONTROL_RATIO = 0.01  # more control characters than this is not a text file


class UnreadableFile(Exception):
    """A corpus file that is skipped; the message says why."""


# Chinese punctuation has different byte codes in GBK and Big5, so the codec
# that turns a file's bytes into many of these marks is the one it was written in.
_CJK_PUNCT = set("，。、；：？！“”《》（）")


def _punctuation_score(text: str) -> int:
    return sum(1 for c in text if c in _CJK_PUNCT)


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name) or raise UnreadableFile."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    elif b"\x00" in data:
        raise UnreadableFile("binary file (contains NUL bytes)")
    else:
        candidates = ["utf-8", "gb18030", "big5"]
    decoded = []
    for enc in candidates:
        try:
            decoded.append((data.decode(enc), enc))
        except UnicodeDecodeError:
            continue
        if enc.startswith("utf"):
            break  # a strict UTF decode is conclusive
    if not decoded:
        raise UnreadableFile("not UTF-8, UTF-16, GB18030 or Big5 text")
    if len(decoded) > 1:
        # Both Chinese codecs accepted the bytes; sorting is stable, so GB18030
        # wins a tie.
        decoded.sort(key=lambda te: _punctuation_score(te[0]), reverse=True)
    text, enc = decoded[0]
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\t\n\r\f")
    if text and controls / len(text) > MAX_CONTROL_RATIO:
        raise UnreadableFile(f"not a text file ({controls} control characters)")
    return text.replace("\r\n", "\n").replace("\r", "\n"), enc
