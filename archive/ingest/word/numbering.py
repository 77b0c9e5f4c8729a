"""Word's automatic numbering: the number text Word shows before each numbered paragraph."""

import re

from .wordml import q, val

_CN_DIGITS = "零一二三四五六七八九"
_CN_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"
_DIZHI = "子丑寅卯辰巳午未申酉戌亥"


def _chinese(n: int, digits: str = _CN_DIGITS, units: str = "十百千万") -> str:
    if n <= 0:
        return digits[0]
    if n >= 100000:
        return str(n)
    parts, zero = [], False
    for value, unit in ((10000, units[3]), (1000, units[2]), (100, units[1]), (10, units[0]), (1, "")):
        d, n = divmod(n, value)
        if d:
            if zero and parts:
                parts.append(digits[0])
            parts.append(digits[d] + unit)
            zero = False
        elif parts:
            zero = True
    text = "".join(parts)
    return text[1:] if text.startswith(digits[1] + units[0]) and digits is _CN_DIGITS else text  # 十一, not 一十一


def _roman(n: int) -> str:
    out = ""
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                       (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + sym, n - value
    return out


def _letter(n: int) -> str:
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


_ANY = (float("-inf"), float("inf"))
_POSITIVE = (1, float("inf"))
_CHINESE = (_chinese, *_ANY)
_LEGAL = (lambda n: _chinese(n, _CN_LEGAL, "拾佰仟万"), *_ANY)
_CIRCLED = (lambda n: chr(0x2460 + n - 1), 1, 20)

# w:numFmt -> (how a counter is written, lowest and highest counter so written); others are decimal.
_FORMATS = {
    "chineseCounting": _CHINESE, "chineseCountingThousand": _CHINESE, "japaneseCounting": _CHINESE,
    "taiwaneseCounting": _CHINESE, "ideographDigital": _CHINESE, "taiwaneseDigital": _CHINESE,
    "chineseLegalSimplified": _LEGAL, "japaneseLegal": _LEGAL, "ideographLegalTraditional": _LEGAL,
    "ideographTraditional": (lambda n: _TIANGAN[n - 1], 1, 10),
    "ideographZodiac": (lambda n: _DIZHI[n - 1], 1, 12),
    "decimalEnclosedCircle": _CIRCLED, "decimalEnclosedCircleChinese": _CIRCLED,
    "decimalEnclosedParen": (lambda n: chr(0x2474 + n - 1), 1, 20),
    "decimalEnclosedFullstop": (lambda n: chr(0x2488 + n - 1), 1, 20),
    "decimalFullWidth": (lambda n: "".join(chr(0xFF10 + int(d)) for d in str(n)), *_ANY),
    "decimalZero": (lambda n: f"{n:02d}", *_ANY),
    "lowerLetter": (_letter, *_POSITIVE),
    "upperLetter": (lambda n: _letter(n).upper(), *_POSITIVE),
    "lowerRoman": (lambda n: _roman(n).lower(), *_POSITIVE),
    "upperRoman": (_roman, *_POSITIVE),
}


def format_number(n: int, fmt: str) -> str:
    """A counter as Word shows it in the number format `fmt` (w:numFmt)."""
    write, low, high = _FORMATS.get(fmt, (str, *_ANY))
    return write(n) if low <= n <= high else str(n)


Level = tuple[int, str, str]  # (start, numFmt, lvlText)


def _levels_of(lvls, default_ilvl: int = 0) -> dict[int, Level]:
    out = {}
    for lvl in lvls:
        ilvl = int(val(lvl, "ilvl") or default_ilvl)
        start = val(lvl.find(q("start")))
        out[ilvl] = (int(start) if start and start.lstrip("-").isdigit() else 1,
                     val(lvl.find(q("numFmt"))) or "decimal", val(lvl.find(q("lvlText"))) or "")
    return out


class Numbering:
    """Word's automatic numbering: the number text of each numbered paragraph, in document order."""

    def __init__(self, root):
        self.abstract: dict[str, dict[int, Level]] = {}  # abstractNumId -> ilvl -> level
        self.nums: dict[str, tuple[str, dict[int, Level], bool]] = {}  # numId -> (abstract, overrides, restarts)
        self.counters: dict[object, list[int | None]] = {}
        if root is None:
            return
        for absn in root.iter(q("abstractNum")):
            self.abstract[val(absn, "abstractNumId")] = _levels_of(absn.findall(q("lvl")))
        for num in root.iter(q("num")):
            self.nums[val(num, "numId")] = self._num(num)

    def _num(self, num) -> tuple[str, dict[int, Level], bool]:
        abs_id = val(num.find(q("abstractNumId")))
        overrides, restart = {}, False
        for ov in num.iter(q("lvlOverride")):
            ilvl = int(val(ov, "ilvl") or 0)
            lvl = ov.find(q("lvl"))
            if lvl is not None:
                overrides.update(_levels_of([lvl], ilvl))
            start = val(ov.find(q("startOverride")))
            if start is not None:
                restart = True
                base = overrides.get(ilvl) or self.abstract.get(abs_id, {}).get(ilvl, (1, "decimal", ""))
                overrides[ilvl] = (int(start), base[1], base[2])
        return abs_id, overrides, restart

    def label(self, num_id: str, ilvl: int) -> tuple[str, bool] | None:
        """(number text, is a bullet) of the next paragraph numbered `num_id` at level `ilvl`."""
        if num_id not in self.nums:
            return None
        abs_id, overrides, restart = self.nums[num_id]
        levels = {**self.abstract.get(abs_id, {}), **overrides}
        if ilvl not in levels:
            return None
        # Instances of one list continue each other's count unless one restarts it.
        counters = self.counters.setdefault(("num", num_id) if restart else abs_id, [None] * 10)
        ilvl = min(max(ilvl, 0), 9)
        counters[ilvl] = levels[ilvl][0] if counters[ilvl] is None else counters[ilvl] + 1
        for deeper in range(ilvl + 1, 10):
            counters[deeper] = None
        start, fmt, text = levels[ilvl]
        if fmt == "bullet":
            return "", True
        if fmt == "none":
            return re.sub(r"%\d", "", text), False

        def place(m):
            k = int(m.group(1)) - 1
            if k not in levels:
                return ""
            value = counters[k] if counters[k] is not None else levels[k][0]
            return format_number(value, levels[k][1])
        return re.sub(r"%([1-9])", place, text), False
