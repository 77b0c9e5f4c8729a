"""The timeline of a search: matching paragraphs per month, and per year where only the year is known.

Derived from the date facet of the same search (so it counts what the facet counts, under the same
query, filters and levels): a month's bar is its `YYYY-MM` count; a year's own bar is its `YYYY`
count minus its months (the paragraphs dated by year alone). Its counts add up to the paragraphs
whose year is known.
"""

from .contract import FacetValue, TimelineBar

MONTHS_DRAWN = 48  # more months than this: a chart draws years


def timeline(date_facet: list[FacetValue]) -> list[TimelineBar]:
    """Bars in time order: a year's year-only bar before its months."""
    years = {int(v["value"]): v["count"] for v in date_facet if len(v["value"]) == 4 and v["value"].isdigit()}
    months: dict[tuple[int, int], int] = {}
    for v in date_facet:
        if len(v["value"]) == 7 and v["value"][4] == "-" and v["value"][:4].isdigit():
            months[(int(v["value"][:4]), int(v["value"][5:]))] = v["count"]
    bars: list[TimelineBar] = []
    for year in sorted(years):
        alone = years[year] - sum(n for (y, _), n in months.items() if y == year)
        if alone > 0:
            bars.append({"period": f"{year}", "year": year, "month": None, "count": alone})
        bars += [{"period": f"{year}-{m:02d}", "year": year, "month": m, "count": months[(year, m)]}
                 for (y, m) in sorted(months) if y == year]
    return bars


def by_year(bars: list[TimelineBar]) -> list[TimelineBar]:
    """The same bars summed per year (for a long span)."""
    years: dict[int, int] = {}
    for bar in bars:
        years[bar["year"]] = years.get(bar["year"], 0) + bar["count"]
    return [{"period": f"{y}", "year": y, "month": None, "count": n} for y, n in sorted(years.items())]


def histogram(bars: list[TimelineBar], width: int = 40) -> str:
    """A text histogram (archive search --timeline): a line a bar; a long span per year."""
    if len(bars) > MONTHS_DRAWN:
        bars = by_year(bars)
    if not bars:
        return "时间分布：没有已知年份的段落\n"
    top = max(b["count"] for b in bars)
    lines = ["时间分布（段落数；只有年份的计入“全年”）："]
    for bar in bars:
        label = f"{bar['year']}年{bar['month']:02d}月" if bar["month"] else f"{bar['year']}年（全年）"
        lines.append(f"{label:<12}{'█' * max(1, round(bar['count'] * width / top))} {bar['count']}")
    return "\n".join(lines) + "\n"
