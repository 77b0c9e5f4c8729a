"""Turn a file's bytes into text, or say clearly why it cannot be read."""

import codecs
import re
import unicodedata
from collections import Counter
from functools import lru_cache

MAX_CONTROL_RATIO = 0.01  # more control characters than this is not a text file
# Bytes in one legacy encoding decoded with another give rare characters, kana,
# Greek and box drawing; real Chinese text is almost all common characters
# (at least 98% in every file of the shared corpora, at most 60% when garbled).
MIN_PLAUSIBLE = 0.85
MIN_EVIDENCE = 8  # letters needed before a text is judged garbled
SAMPLE_CHARS = 200_000  # judging the start of a file is enough: garbling is uniform


class UnreadableFile(Exception):
    """A corpus file that is skipped; the message says why."""


# Chinese punctuation has different byte codes in GBK and Big5, so the codec
# that turns a file's bytes into many of these marks is the one it was written in.
_CJK_PUNCT = set("，。、；：？！“”《》（）")


def _punctuation_score(text: str) -> int:
    return sum(1 for c in text if c in _CJK_PUNCT)


@lru_cache(maxsize=65536)
def _plausible(char: str) -> bool | None:
    """True for a common Chinese character, False for one that garbling produces, None for others."""
    o = ord(char)
    if o < 0x80:
        return None
    if 0x370 <= o <= 0x4FF or 0x2500 <= o <= 0x257F:  # Greek, Cyrillic, box drawing
        return False
    if unicodedata.category(char) not in ("Lo", "Lm", "Co", "Cn"):
        return None  # punctuation, symbols, digits, Latin letters
    if 0x4E00 <= o <= 0x9FFF:
        try:
            char.encode("gb2312")  # the 6,763 common simplified characters
            return True
        except UnicodeEncodeError:
            pass
        try:
            code = int.from_bytes(char.encode("big5"), "big")
        except UnicodeEncodeError:
            return False
        return 0xA440 <= code <= 0xC67E  # Big5's 5,401 common traditional characters
    return False  # kana, hangul, private use, unassigned, rare ideographs


def plausibility(text: str) -> tuple[float, int]:
    """(share of common Chinese characters among the letters, number of letters) of a text's start."""
    letters = common = 0
    for char, n in Counter(text[:SAMPLE_CHARS]).items():
        verdict = _plausible(char)
        if verdict is not None:
            letters += n
            common += n * verdict
    return (common / letters if letters else 1.0), letters


def _garbled(text: str) -> bool:
    score, letters = plausibility(text)
    return letters >= MIN_EVIDENCE and score < MIN_PLAUSIBLE


_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f]")  # below 32, less \t \n \r \f


def _controls(text: str) -> int:
    return len(_CONTROL.findall(text))


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 text saved without a byte-order mark, if the bytes read as plausible text that way."""
    if len(data) % 2:
        return None
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text and _controls(text) <= len(text) * MAX_CONTROL_RATIO \
                and plausibility(text)[1] >= MIN_EVIDENCE and not _garbled(text):
            return text, enc
    return None


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name) or raise UnreadableFile."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    elif b"\x00" in data:
        found = _utf16_without_bom(data)
        if found is None:
            raise UnreadableFile("二进制文件（含 NUL 字节）")
        candidates = [found[1]]
    else:
        candidates = ["utf-8", "gb18030", "big5", "cp950"]
    decoded = []
    for enc in candidates:
        if enc == "cp950" and any(e == "big5" for _, e in decoded):
            continue  # cp950 is Big5 with a few more characters
        try:
            decoded.append((data.decode(enc), enc))
        except UnicodeDecodeError:
            continue
        if enc.startswith("utf"):
            break  # a strict UTF decode is conclusive
    if not decoded:
        raise UnreadableFile("不是 UTF-8、UTF-16、GB18030 或 Big5 编码的文本")
    if not decoded[0][1].startswith("utf"):
        # Both Chinese codecs may accept the bytes: the right one gives common
        # characters (then more Chinese punctuation); sorting is stable, so
        # GB18030 wins a tie. Neither reading plausible: say so, never index garble.
        scored = [(plausibility(t)[0], _punctuation_score(t[:SAMPLE_CHARS]), t, e) for t, e in decoded]
        scored.sort(key=lambda s: s[:2], reverse=True)
        decoded = [(t, e) for _, _, t, e in scored]
        if _garbled(decoded[0][0]):
            tried = " / ".join(e.upper() for _, e in decoded)
            raise UnreadableFile(f"无法识别编码：按 {tried} 读出的是乱码（多为生僻字）；"
                                 "请另存为 UTF-8")
    text, enc = decoded[0]
    controls = _controls(text)
    if text and controls / len(text) > MAX_CONTROL_RATIO:
        raise UnreadableFile(f"不是文本文件（含 {controls} 个控制字符）")
    return text.replace("\r\n", "\n").replace("\r", "\n"), enc
