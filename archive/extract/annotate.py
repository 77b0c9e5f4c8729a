"""Fill each meeting and paragraph with its regions, date, topics and key terms.

A paragraph keeps what it says itself; otherwise it inherits from its
section, then from its speech, then from its meeting. Front matter in the
file overrides all of it.

A meeting may hold several speeches with no heading between them: a new
speaker's opening (a salutation alone, 同志们： or 各位领导、同志们：, or a short
line naming a speech, …在…会议上的讲话) that is followed by text about another
place starts a new context, whose place and date are found like a meeting's,
so that a second speech given elsewhere is not filed under the first one's
place. The first speech keeps the meeting's; a salutation repeated inside one
speech (各位代表！ before each part of a work report) changes nothing.

A meeting's date is its header's (a 时间/日期/Date line, then its title) before
what its opening reports, and the file name's when it has one meeting and no
other; a year left unknown is the title's, else the meeting date's, else the
file name's.
"""

import datetime
import hashlib
import re
from functools import cache, lru_cache
from itertools import dropwhile
from pathlib import Path

from ..ingest.model import Document, Meeting
from ..ingest.split import is_title
from . import dates, regions, topics
from .fields import ONLINE, MeetingFields, document_fields
from .fields.prose import is_speech
from .keyterms import key_terms

HERE = Path(__file__).parent
OPENING_PARAGRAPHS = 3  # a meeting's date and place are those its first paragraphs give
DOMINANT_SHARE = 0.5  # otherwise, the most specific place that half of the mentions fall under
# A speech's opening: a salutation standing alone, or a short title line of a speech.
_SALUTATION = re.compile(r"^(?:[^，。；：:!！]{1,16}[、，,]\s*)?(?:同志们|同事们|各位代表|各位委员|各位来宾|朋友们|"
                         r"女士们、?先生们)[：:！!，,]?$")
_SPEECH_TITLE = re.compile(r"^[^。；！？!?：:]{0,30}在[^。；！？!?：:]{2,40}(?:会|仪式|典礼)上的(?:讲话|发言|致辞)$")
SPEECH_MENTIONS = 3  # place mentions a speech needs before its own place counts


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """Changes whenever re-running ingest would read or tag the corpus differently: the readers (Word's too),
    the splitting and repair rules, the extraction rules, the taxonomy, the gazetteer."""
    h = hashlib.sha256()
    reading = HERE.parent / "ingest"
    rules = [*HERE.glob("**/*.py"), *HERE.glob("**/*.toml")]  # (the fields package is a folder)
    for path in sorted([*reading.glob("**/*.py"), *rules, *(HERE / "data").glob("*")]):  # (word is a folder)
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _within(region, ancestor) -> bool:
    return region.path[:len(ancestor.path)] == ancestor.path


def _dominant(mentioned: list) -> list:
    """The most specific place (named or implied as a parent) under which half of all mentions fall.

    福建 is never named in a speech that names 沙县, 邵武 and 闽清, yet that is where it was given.
    """
    if not mentioned:
        return []
    keys = {"/".join(r.path[:i]) for r in set(mentioned) for i in range(1, len(r.path) + 1)}
    candidates = {found[-1] for key in keys if (found := regions.lookup(key))}
    support = {r: sum(_within(m, r) for m in mentioned) for r in candidates}
    fit = [r for r, n in support.items() if n >= DOMINANT_SHARE * len(mentioned)]
    if not fit:
        return []
    return [max(fit, key=lambda r: (len(r.path), support[r], r.key()))]


def _front_date(value):
    found = dates.find_dates(str(value)) if value is not None else []
    return found[0].from_source("front matter") if found else None


def _front_regions(value) -> list:
    names = value if isinstance(value, list) else [value] if value else []
    out = []
    for name in names:
        matches = regions.lookup(str(name))
        if matches:
            out.append(matches[0])
    return out


def _front_topics(value) -> list[str]:
    names = value if isinstance(value, list) else [value] if value else []
    return [str(n).strip() for n in names if str(n).strip()]


def _with_year(date, year):
    # A year written as a placeholder (x年, 20xx年) stays unknown: only a date
    # given without any year borrows the title's.
    if date is None or date.year is not None or year is None or "年" in date.text:
        return date
    return date.with_year(year)


def _first(found):
    return next((d for d in found if d), None)


def _body(paragraphs) -> list:
    """A meeting's paragraphs below its title (the title is read as the title)."""
    return [p for p in paragraphs if not is_title(p)]


# A web page's chrome before the report: `|`, `admin`, `首页 > 新闻中心 > …`, `您当前的位置：…`.
_CHROME = re.compile(r"^[^\u4e00-\u9fff\d]*(?:[\u4e00-\u9fff][^\u4e00-\u9fff\d]*)?$|首页\s*[>»]|当前(?:的)?位置")


# A byline run on to the report (`2020-02-18 10:20 来源：区政府办2月17日下午，…`, `…区政府办17日，…`): the report
# starts at its day.
_BYLINE = re.compile(r"来源|作者|编辑|发布|浏览|点击|阅读|字号|打印|\d{1,2}:\d{2}")
_MONTH_DAY = re.compile(r"(?:\d{1,2}月)?\d{1,2}日")
_TITLE_LINE = re.compile(r"[^，,。；;：:！？!?\d]{1,30}")  # `为夺取…伟大胜利`, `——在…大会上的报告`: the title's lines
_BYLINE_ONLY = re.compile(r"^[^。！？]*(?:来源|作者|编辑|发布(?:时间|日期)?|浏览|点击|阅读|字号|供稿|审核)(?:次数|量)?\s*[:：][^。！？]*$")


def _after_byline(line: str) -> list[str]:
    m = _MONTH_DAY.search(line)
    return [line[m.start():]] if m and m.start() and _BYLINE.search(line, 0, m.start()) else []


def _unchromed(paragraphs) -> list[tuple]:
    """(paragraph, its text) of a meeting's first paragraphs without a page's chrome, which may lead a
    paragraph (a page's lines written without blank lines run into one: `您的位置：首页 > …` `发布时间：…`
    `12月31日下午，…`). A paragraph of a byline or of a title's lines only (`来源：… 发布时间：…`,
    `——在…大会上的报告`) is kept but not counted."""
    out, counted = [], 0
    for p in _body(paragraphs):
        lines = list(dropwhile(lambda line: _CHROME.search(line.strip()), p.lines()))
        if lines and counted < OPENING_PARAGRAPHS:
            out.append((p, "\n".join(lines)))
            counted += not all(_BYLINE_ONLY.search(line) or _TITLE_LINE.fullmatch(line.strip()) for line in lines)
    return out


def _opening(paragraphs) -> list[str]:
    """The first paragraphs of a meeting's body, not counting a page's chrome."""
    return [text for p, text in _unchromed(paragraphs) if not p.is_heading]


def _labelled(paragraphs, day_first: bool | None):
    """The date a header line of the opening labels; a numbered one (`一、会议时间：…`) is read as a
    heading, so the opening's headings count here."""
    return _first(dates.labelled_date(text, day_first) for _, text in _unchromed(paragraphs))


def _reported_date(paragraphs, day_first: bool | None, title: str = "", published=lambda: None):
    """What an opening reports: an event, a day alone in the month of the page's publication date
    (`published()`), else a dateline. A page runs its chrome, its title again and its byline into the report
    (`admin<title>1月14日上午，…`, `… 阅读次数:87 |12月28日，…`): each piece counts."""
    opening = _opening(paragraphs)
    lead = re.compile(rf"^[\x00-\x7f]{{0,20}}{re.escape(title)}") if title else None  # (only where it leads)
    pieces = [re.split(r"[\n|]", lead.sub("\n", t) if lead else t) for t in opening]
    lines = [line for piece in pieces for line in piece if not _CHROME.search(line.strip())]
    lines = [rest for line in lines for rest in (line, *_after_byline(line))]
    if is_speech(paragraphs):  # (a speech's events are others': `…同志于今年4月8日向常委会作了报告`)
        lines = []
    return (_first(dates.event_date(t, day_first) for t in lines)
            or ((day := _first(dates.day_event(t) for t in lines)) and (page := published())
                and dates.in_month_of(day, page))
            or _first(dates.line_date(t, day_first) for t in opening))


def _meeting_date(meeting: Meeting, title: str, day_first: bool | None, published=lambda: None):
    """Its header's date (a labelled line, the title), else what its opening reports."""
    titled = dates.heading_date(title, day_first)
    titled = titled and titled.from_source("title")
    header = _labelled(meeting.paragraphs, day_first) or titled
    if header and header.day is None:  # `2018年11月…启动会`, `时间：2024年3月`: the opening may say the day
        reported = _reported_date(meeting.paragraphs, day_first, meeting.title)
        if dates.same_month(reported, header):
            header = reported if reported.year or not header.year else reported.with_year(header.year)
    return (header
            or (None if _tracker(meeting.paragraphs, day_first) else
                _reported_date(meeting.paragraphs, day_first, meeting.title, published)))


# A form that records its meeting at its end (`| 会议时间 | 2025年7月7日 |` under `审视结论`): a line that
# labels the meeting's own time, wherever it stands.
_MEETING_TIME = re.compile(r"(?:会议|开会)(?:时间|日期)|(?i:meeting\s+(?:date|time))")


def _stated_late(paragraphs, day_first: bool | None):
    labelled = (dates.labelled_date(p.text, day_first) for p in _body(paragraphs) if _MEETING_TIME.search(p.text))
    return next((d for d in labelled if d and d.day), None)


def _by_weekday(source: str, opening: list[str]):
    """The reading of a file name's ambiguous date (05-01-2021) on the weekday the opening names."""
    day = _first(dates.weekday(t) for t in opening)
    if day is None:
        return None
    read = [dates.path_date(source, order) for order in (True, False)]
    return next((d for d in read if d and d.day and datetime.date(d.year, d.month, d.day).weekday() == day), None)


TRACKER_DATES = 3  # days a meeting's headings or table rows begin with, that make it a tracker of meetings


def _tracker(paragraphs, day_first: bool | None) -> bool:
    """A list of what many meetings left to do (`| 20220706 | … |` rows, `## 2021-8-11` headings) is no
    meeting of its own: its first row's day is not its date."""
    days = set()
    for p in paragraphs:
        if p.is_heading or " | " in p.text:
            rows = p.text.split("\n") if not p.is_heading else [p.text]
            days |= {dates.line_date(row.split(" | ")[0], day_first) for row in rows}
            days.discard(None)
            if len(days) >= TRACKER_DATES:
                return True
    return False


def _paragraph_date(p, day_first: bool | None):
    """The date a paragraph names: a heading's, the event it reports, or a dateline."""
    if p.is_heading:
        d = dates.heading_date(p.text, day_first)
        return d and d.from_source("title")
    return dates.event_date(p.text, day_first) or dates.line_date(p.text, day_first)


def _place(extractor, title: str, paragraphs) -> list:
    """Where a meeting (or a speech) was: the one place its opening names, else where most mentions fall."""
    opening_text = "\n".join([title, *(p.text for p in _body(paragraphs)[:OPENING_PARAGRAPHS])])
    dominant = _dominant([r for p in paragraphs for _, _, r in extractor.mentions(p.text)])
    # Where the opening says where the meeting was (one place), that wins; a list of places
    # there is a list of examples, and the place most mentions fall under says more.
    opening_regions = extractor.regions(opening_text, context=dominant)
    return opening_regions if len(opening_regions) == 1 else dominant or opening_regions


def _meeting_place(extractor, meeting: Meeting, fields: MeetingFields) -> list:
    """Minutes with a header say where in it: its place field (会议地点; online is no place), else the
    one place their title names. Places in their body are others' (affiliations, cases, time zones).
    Minutes without a header (speeches) are placed by what they say."""
    if fields.place == ONLINE:
        return []
    placed = extractor.regions(fields.place) if fields.place else []
    if placed:
        return placed
    if fields.fields:
        titled = extractor.regions(meeting.title)
        return titled if len(titled) == 1 else []
    return _place(extractor, meeting.title, meeting.paragraphs)


def speech_starts(paragraphs) -> list[int]:
    """Indices of the paragraphs that open a second, third … speech of a meeting."""
    openings = [i for i, p in enumerate(paragraphs) if not is_title(p)
                and (_SALUTATION.match(p.text.strip()) or _SPEECH_TITLE.match(p.text.strip()))]
    # A salutation right after a speech's title line belongs to the same speech.
    openings = [i for n, i in enumerate(openings) if n == 0 or i - openings[n - 1] > 1]
    return openings[1:]


def _annotate_meeting(meeting: Meeting, fields: MeetingFields, date, year: int | None,
                      day_first: bool | None) -> None:
    extractor = regions.default_extractor()
    taxonomy = topics.default_taxonomy()
    texts = [p.text for p in _body(meeting.paragraphs)]
    meeting.fields = fields
    meeting.regions = _meeting_place(extractor, meeting, fields)
    meeting.topics = taxonomy.tag_meeting(meeting.title, texts)
    meeting.keyterms = key_terms("\n".join(texts))
    meeting.date = _with_year(date, year)

    for speech, place, when in _speeches(extractor, meeting, year, day_first):
        section_regions, section_dates = {}, {}
        for p in speech:
            if is_title(p):  # the meeting's own place and date, setting no section's
                p.regions, p.date, p.topics = place, when, list(meeting.topics)
                continue
            own_regions = extractor.regions(p.text, context=place)
            own_date = _with_year(_paragraph_date(p, day_first), year)
            if p.section not in section_dates:  # the section's opening sets its context
                section_regions[p.section] = own_regions
                section_dates[p.section] = own_date
            p.regions = own_regions or section_regions[p.section] or place
            p.date = own_date or section_dates[p.section] or when
            p.topics = list(dict.fromkeys([*meeting.topics, *taxonomy.tag(p.text)]))
            p.role = fields.roles.get(p.n)


def _related(places: list, others: list) -> bool:
    return any(_within(a, b) or _within(b, a) for a in places for b in others)


def _speeches(extractor, meeting: Meeting, year, day_first):
    """(paragraphs, place, date) of each speech: the meeting's own first, then each opening whose text
    is about a place outside the one before (a meeting without a place is one speech)."""
    bounds = [0, *speech_starts(meeting.paragraphs), len(meeting.paragraphs)]
    out = [[meeting.paragraphs[:bounds[1]], meeting.regions, meeting.date]]
    for start, end in zip(bounds[1:], bounds[2:]):
        part = meeting.paragraphs[start:end]
        mentions = sum(1 for p in part for _ in extractor.mentions(p.text)) if meeting.regions else 0
        place = _place(extractor, "", part) if mentions >= SPEECH_MENTIONS else []
        if len(place) == 1 and not _related(place, out[-1][1]):  # (a list of places is a list of examples)
            out.append([part, place, _with_year(_reported_date(part, day_first), year) or meeting.date])
        else:
            out[-1][0] = out[-1][0] + part
    return out


def _published(doc: Document, day_first: bool | None):
    """The date a page was published on (`发布时间：…`, a byline or dateline): never a meeting's own."""
    return dates.published_date(doc.lines, day_first) or dates.dateline_date(doc.lines, day_first)


def _published_year(date, published) -> int | None:
    """The year of a meeting its page reports by month and day, from the page's publication date
    (`published()`)."""
    if date is None or date.month is None:
        return None
    page = published()
    return page and dates.year_before(date, page)


def annotate(doc: Document) -> Document:
    front = doc.front_matter
    fdate = _front_date(front.get("date"))
    year = (fdate.year if fdate else None) or dates.title_year(doc.title)
    day_first = dates.day_first("\n".join([Path(doc.source).name, *doc.lines]))  # (`28-10-2020 纪要.md` too)
    named = dates.path_date(doc.source, day_first)
    header = document_fields(doc)
    published = cache(lambda: _published(doc, day_first))  # (read once, and only if a meeting needs it)
    for meeting in doc.meetings:
        date, own_year = _meeting_when(doc, meeting, year, named, day_first, published)
        _annotate_meeting(meeting, header[meeting.index], date, own_year, day_first)
    overrides = _front_overrides(front, fdate)
    for meeting in doc.meetings:
        own = {**overrides}
        if "date" in own and _own_day(meeting, front.get("title"), day_first):
            del own["date"]  # `会议时间：12月11日` under a blog post's `date:` (the day it was posted)
        for target in [meeting, *meeting.paragraphs]:
            for name, value in own.items():
                setattr(target, name, value)
    return doc


def _own_day(meeting: Meeting, title, day_first: bool | None) -> bool:
    """Whether a header line of the meeting labels the day it was held (`会议时间：12月11日 20:00`), or its
    title states it (`社区会议记录 - 20160218`, `## 2月18号 - 演示…`)."""
    found = [_labelled(meeting.paragraphs, day_first),
             *(dates.heading_date(t, day_first) for t in (meeting.title, title) if isinstance(t, str))]
    return any(d and d.day for d in found)


# Rules about meetings (`常务会议议事规则`, `会议公开制度`, `…工作准则（印发通知）`) describe no meeting: the
# date they were adopted or published on is no meeting's, unless a header line says it is.
CLOSING_PARAGRAPHS = 2  # minutes close with the body that issued them and their date
_MINUTES_TITLE = re.compile(r"纪要|记录|minutes", re.IGNORECASE)
_RULES_OF_MEETINGS = re.compile(r"(?:会|议事|工作)[^，。；]{0,16}(?:规则|制度|准则|规程|细则)\s*(?:[（(][^（）()]*[)）]\s*)?$")


def _meeting_when(doc: Document, meeting: Meeting, year: int | None, named, day_first: bool | None, published):
    """(date, year): the meeting's date and the year that completes a date written without one;
    `published()` is the date its page was published on."""
    stem = Path(doc.source).stem  # the title of a file without headings: its date is the file name's
    if _RULES_OF_MEETINGS.search(meeting.title or doc.title or ""):
        labelled = _labelled(meeting.paragraphs, day_first)
        return labelled, year or (labelled and labelled.year)
    date = _meeting_date(meeting, meeting.title if meeting.title != stem else "", day_first, published)
    date = date or dates.title_month_day(meeting.title or "") or _stated_late(meeting.paragraphs, day_first)
    if named and named.month is None and day_first is None:  # `05-01-2021.md`: its weekday may settle it
        opening = [meeting.title or "", *(p.text for p in _body(meeting.paragraphs)[:OPENING_PARAGRAPHS])]
        named = _by_weekday(doc.source, opening) or named
    if (named and named.month and len(doc.records) == 1 and not meeting.is_preamble
            and (date is None or date.month is None and date.year in (None, named.year))):
        date = named  # the file name dates a file's only meeting, when nothing in it gives the day
    if date is None and _MINUTES_TITLE.search(meeting.title or doc.title or ""):
        date = dates.closing_date([p.text for p in _body(meeting.paragraphs)[-CLOSING_PARAGRAPHS:]], day_first)
    if date is None and not meeting.is_preamble:  # a work report's year: `1954年政府工作报告`, `1992_….md`
        date = dates.leading_year(meeting.title or "", "title") or (
            dates.leading_year(Path(doc.source).name, "filename") if len(doc.records) == 1 else None)
    opening_year = _first(dates.named_year(t) for t in _opening(meeting.paragraphs))
    own_year = (year or dates.title_year(meeting.title) or (date and date.year) or opening_year
                or (named and named.year) or _published_year(date, published))
    return date, own_year


def _front_overrides(front: dict, fdate) -> dict:
    """What the front matter sets on the meetings and every paragraph: date, regions, topics."""
    overrides = {}
    if fdate:
        overrides["date"] = fdate
    if front.get("region"):
        overrides["regions"] = _front_regions(front["region"])
    if front.get("topics"):
        overrides["topics"] = _front_topics(front["topics"])
    return overrides
