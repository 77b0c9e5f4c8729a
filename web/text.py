"""How dates, regions and date filters read in Chinese (page and CSV alike)."""

import re

_BOUND = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def date_text(date: dict | None, note: bool = True) -> str:
    """2023年4月16日, 4月16日 (year unknown), with （年份推断） when the year was inferred."""
    if not date:
        return ""
    out = "".join(f"{date[k]}{unit}" for k, unit in (("year", "年"), ("month", "月"), ("day", "日"))
                  if date.get(k))
    if note and date.get("year_inferred"):
        out += "（年份推断）"
    return out


def bound_text(value: str) -> str:
    """A from/to parameter (YYYY, YYYY-MM, YYYY-MM-DD) as 2023年4月."""
    m = _BOUND.match(value or "")
    if not m:
        return value
    return date_text({"year": int(m[1]), "month": m[2] and int(m[2]), "day": m[3] and int(m[3])})


def date_filter_text(date_from: str, date_to: str) -> str:
    if date_from and date_from == date_to:
        return bound_text(date_from)
    if date_from and date_to:
        return f"{bound_text(date_from)} 至 {bound_text(date_to)}"
    if date_from:
        return f"{bound_text(date_from)}起"
    return f"{bound_text(date_to)}止" if date_to else ""


def region_name(path: str) -> str:
    """The last part of a region path: 甘肃省/天水市/麦积区 -> 麦积区."""
    return path.rsplit("/", 1)[-1]


def region_full(path: str) -> str:
    return path.replace("/", " ")


def paragraph_number(hit_id: str) -> int:
    """N of a paragraph id `<meeting_id>-p<N>`."""
    return int(hit_id.rsplit("-p", 1)[1])
