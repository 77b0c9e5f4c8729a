"""How regions and date filters read in Chinese (page and CSV alike)."""

from archive.search.contract import date_text
from archive.search.request import date_parts


def bound_text(value: str) -> str:
    """A from/to parameter (YYYY, YYYY-MM, YYYY-MM-DD) as 2023年4月."""
    parts = date_parts(value)
    if parts is None:
        return value
    return date_text(dict(zip(("year", "month", "day"), parts)))


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
