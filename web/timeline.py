"""The timeline of a search drawn as a small bar chart above the hits: server-rendered SVG, no script.

Each bar is a link that narrows the search to its month (or year); each has a title and an
aria-label with its period and count. Every text is escaped (markupsafe); the chart scales to the
width of the page (viewBox), so it fits a phone as well as a desktop.
"""

from markupsafe import Markup, escape

from archive.search.timeline import MONTHS_DRAWN, by_year

from .state import State

WIDTH, HEIGHT, GAP = 600, 60, 1


def _label(bar: dict) -> str:
    return f"{bar['year']}年{bar['month']}月" if bar["month"] else f"{bar['year']}年（仅知年份）"


def _slots(bars: list[dict]) -> list[dict]:
    """The bars on a time axis without holes: every month from the first to the last (a year's year-only
    bar before its months), or every year when that is more than MONTHS_DRAWN months."""
    months = [(b["year"], b["month"]) for b in bars if b["month"]]
    span = (months[-1][0] * 12 + months[-1][1]) - (months[0][0] * 12 + months[0][1]) + 1 if months else 0
    if span > MONTHS_DRAWN or not months:
        years = {b["year"]: b for b in by_year(bars)}
        first, last = min(years), max(years)
        return [years.get(y, {"year": y, "month": None, "count": 0}) for y in range(first, last + 1)] \
            if last - first < 200 else list(years.values())
    given = {(b["year"], b["month"]): b for b in bars}
    out = [b for b in bars if not b["month"] and b["year"] < months[0][0]]
    start = months[0][0] * 12 + months[0][1] - 1
    for k in range(start, months[-1][0] * 12 + months[-1][1]):
        year, month = divmod(k, 12)
        if (month == 0 or k == start) and (year, None) in given:
            out.append(given[(year, None)])
        out.append(given.get((year, month + 1), {"year": year, "month": month + 1, "count": 0}))
    return out + [b for b in bars if not b["month"] and b["year"] > months[-1][0]]


def chart(state: State, bars: list[dict]) -> Markup:
    """The chart of a search's timeline; nothing when no matching paragraph has a known year."""
    if not bars:
        return Markup("")
    total = sum(b["count"] for b in bars)
    bars = _slots(bars)
    top, step = max(b["count"] for b in bars), WIDTH / len(bars)
    chosen = (state.get("from"), state.get("to"))
    parts = []
    for i, bar in enumerate(bars):
        if not bar["count"]:
            continue
        period = f"{bar['year']}-{bar['month']:02d}" if bar["month"] else str(bar["year"])
        high = max(2.0, bar["count"] * HEIGHT / top)
        text = escape(f"{_label(bar)}：{bar['count']} 条")
        current = ' aria-current="true" class="current"' if chosen == (period, period) else ""
        parts.append(f'<a href="{escape(state.url(date_from=period, date_to=period, month=None))}" aria-label="{text}"'
                     f'{current}><title>{text}</title>'
                     f'<rect class="hitbox" x="{i * step:.1f}" y="0" width="{step:.1f}" height="{HEIGHT}"/>'
                     f'<rect class="bar" x="{i * step + GAP:.1f}" y="{HEIGHT - high:.1f}" '
                     f'width="{max(step - 2 * GAP, 1):.1f}" height="{high:.1f}"/></a>')
    title = escape(f"时间分布：{_label(bars[0])}至{_label(bars[-1])}，共 {total} 条有年份的段落")
    return Markup(f'<figure class="timeline"><svg viewBox="0 0 {WIDTH} {HEIGHT}" preserveAspectRatio="none" '
                  f'role="group" aria-label="{title}"><title>{title}</title>{"".join(parts)}</svg>'
                  f'<figcaption><span>{escape(_label(bars[0]))}</span><span>时间分布<span class="hint">（点击柱条按月/年筛选）</span></span>'
                  f'<span>{escape(_label(bars[-1]))}</span></figcaption></figure>')
