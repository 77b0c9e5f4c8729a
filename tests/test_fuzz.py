"""Hostile queries and odd URLs, generated with hypothesis, against a real index of the sample minutes.

Over 10,000 generated queries go through the parser, through SearchService.search
and through /api/search (Flask test client): random Unicode with control
characters, unbalanced quotes and parentheses, operators alone, wildcards,
field syntax, very long runs, HTML, and junk in every other parameter (since: also times at both ends
of the calendar, through /api/search and /feed.atom). None
may raise or answer 500; each answers within BOUND seconds; a query that
cannot be searched is a QueryError / 400 with a reason. Meeting URLs with
traversal, encoded dots, very long and non-UTF-8 ids answer 404 or 400 and
never a file.
"""

import re
import time
from collections import Counter
from urllib.parse import quote, quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.search.query import MAX_QUERY_CHARS, QueryError, parse, positives
from archive.search.request import BadRequest, SearchRequest
from web import create_app

pytestmark = pytest.mark.slow  # over 10,000 generated requests: CI runs them, the edit loop skips them

BOUND = 10.0  # seconds for any one query: catches a runaway query, never a loaded CI machine (typical: < 0.05 s)
RUNS = {"parser": 4000, "backend": 1500, "api": 4000, "api raw": 600, "meeting ids": 600}
FUZZED: Counter = Counter()
FUZZ = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

WORDS = ["环境", "整治", "会议", "森林防火", "天水", "麦积区", "督察", "整改", "标准", "工作", "2023", "年", "第一",
         "严格整改标准", "环保", "中央", "区委", "a", "Z", "1"]
SYNTAX = ["AND", "OR", "NOT", "and", "or", "|", "&", "&&", "||", "-", "--", "+", "!", "(", ")", "((", "))", '"', '""',
          "“", "”", "（", "）", "*", "?", "**", "*环*", "环?", "~", "~2", "^", "^3", ":", "title:", "section:",
          "source:", "text:", "kind:", "id:", "chars:", "title:(", "\\", "/", "[", "]", "{", "}", "[* TO *]",
          "<script>alert(1)</script>", "<b>", "&amp;", "%", "%25", "'", ";", "..", "../", "\x00", "\x01", "\x1b[31m",
          "\t", "\n", "\r", "\x7f", "\u200b", "\u202e", "\ufeff", "\u3000", "\ud7ff", "\U00020000", "🙂", "e\u0301",
          "Ａ", "ｏｒ", "İ", "ß", "ﬁ", "\u0000\u0000"]
token = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(SYNTAX),
    st.text(min_size=1, max_size=4),
    st.builds(lambda s, n: s * n, st.sampled_from(["*", "?", "环", "(", ")", '"', "-", "a", "OR ", "NOT ", "环 "]),
              st.integers(1, 250)),
)
queries = st.one_of(
    st.lists(token, max_size=25).map(" ".join),
    st.lists(token, max_size=25).map("".join),
    st.text(max_size=260),
    st.text(alphabet=st.characters(max_codepoint=0x7f), max_size=260),
)
junk = st.one_of(st.none(), st.text(max_size=30), st.sampled_from(
    ["", "0", "-1", "1", "2", "100", "101", "1000", "1001", "99999999999999999999", "1e3", "0x10", " 3 ", "١٢",
     "2023", "2023-02", "2023-02-30", "2023-13", "0000", "9999-12-31", "2023-1-1", "newest", "oldest", "date",
     "relevance", "甘肃", "天水市", "甘肃省/天水市", "森林防火", "../", "\x00", "x" * 300]))
# since: dates and times at both ends of the calendar and offsets that push them past it (a 500 before).
since = st.one_of(junk, st.sampled_from(
    ["last-ingest", "0001-01-01", "0001", "9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+14:00", "9999-12-31",
     "2024-01-01T00:00:00+99:00", "2024-13-01", "2024-03-05T08:00", "2024-03-05 08:00:00.123456+08:00"]),
    st.builds(lambda d, t, z: d + t + z, st.sampled_from(["0001-01-01", "9999-12-31", "2024-02-29", "1970-01-01"]),
              st.sampled_from(["", "T00:00:00", "T23:59:59.999999", " 12:00"]),
              st.sampled_from(["", "Z", "+14:00", "-23:59", "+00:00"])))
params = st.fixed_dictionaries({"q": queries}, optional={
    **{k: junk for k in ("region", "topic", "person", "role", "kind", "from", "to", "month", "page", "per_page", "sort",
                         "expand")}, "since": since})


def _timed(fn, *args):
    started = time.perf_counter()
    out = fn(*args)
    elapsed = time.perf_counter() - started
    assert elapsed < BOUND, (args, elapsed)
    return out


FILTERS = {"region": ("region",), "topic": ("topic",), "date": ("from", "to", "month"), "person": ("person",),
           "role": ("role", "kind"), "kind": ("role", "kind")}  # (facets.kind: role's older name)


def _check_answer(result: dict, per_page: int, query: dict | None = None) -> None:
    assert result["total"] >= len(result["hits"]) and len(result["hits"]) <= per_page
    for name, facet in result["facets"].items():
        # A facet is counted without its own filter (drill-down), with all the others.
        if not any((query or {}).get(p) for p in FILTERS[name]):
            assert all(0 < f["count"] <= result["total"] for f in facet), name
    for hit in result["hits"]:
        # Text of the corpus and of the query are shown as text: only <mark> is markup.
        assert "<" not in re.sub(r"</?mark>", "", hit["highlight"])


@settings(max_examples=RUNS["parser"], **FUZZ)
@given(queries)
def test_parser_never_fails(q):
    FUZZED["parser"] += 1
    try:
        tree = _timed(parse, q)
    except QueryError as exc:
        assert str(exc)
        return
    assert len(q) <= MAX_QUERY_CHARS
    assert tree is None or positives(tree)


@pytest.fixture(scope="module")
def client(sample_index):
    return create_app(sample_index).test_client()


@settings(max_examples=RUNS["backend"], **FUZZ)
@given(queries, st.sampled_from(["relevance", "newest", "oldest"]), st.integers(1, 3))
def test_backend_answers_every_query(backend, q, sort, page):
    FUZZED["backend"] += 1
    req = SearchRequest(q=q, sort=sort, page=page, per_page=10)
    try:
        req.validate()
    except BadRequest as exc:
        assert str(exc)
        return
    _check_answer(_timed(backend.search, req), 10)


@settings(max_examples=RUNS["api"], **FUZZ)
@given(params)
def test_api_never_answers_500(client, query):
    FUZZED["api"] += 1
    query = {k: v for k, v in query.items() if v is not None}
    response = _timed(lambda: client.get("/api/search", query_string=query))
    assert response.status_code in (200, 400), (query, response.status_code)
    if "since" in query:  # (the feed reads ingest times its own way)
        assert _timed(lambda: client.get("/feed.atom", query_string=query)).status_code in (200, 400), query
    body = response.get_json()
    if response.status_code == 400:
        assert isinstance(body["error"], str) and body["error"]
    else:
        _check_answer(body, body["per_page"], query)


raw_bytes = st.one_of(st.binary(max_size=80), st.lists(st.sampled_from(
    [b"%", b"%f", b"%ff", b"%fe", b"%e4%b8", b"%c0%ae", b"%00", b"&", b"=", b"q=", b"+", b";", b"%2e%2e", b"\xff"]),
    max_size=20).map(b"".join))


@settings(max_examples=RUNS["api raw"], **FUZZ)
@given(raw_bytes, st.booleans())
def test_api_raw_query_strings(client, raw, encode):
    """Query strings no form would send: broken percent escapes, bytes that are not UTF-8."""
    FUZZED["api raw"] += 1
    query = quote_from_bytes(raw, safe=b"%&=+;") if encode else raw.decode("latin-1")
    response = _timed(lambda: client.get("/api/search?q=" + query))
    assert response.status_code in (200, 400), (raw, response.status_code)


@pytest.fixture(scope="module")
def meeting_id(backend):
    return backend.search(SearchRequest(q="会议"))["hits"][0]["meeting_id"]


def test_a_real_meeting_is_found(client, meeting_id):
    assert client.get(f"/api/meetings/{meeting_id}").status_code == 200
    assert client.get(f"/meetings/{meeting_id}").status_code == 200


ODD_IDS = ["..", "../..", "..%2f..%2fetc%2fpasswd", "%2e%2e", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "%252e%252e",
           "....//....//etc/passwd", "..\\..\\windows", "%00", "x%00.md", "%ff%fe", "%c0%ae%c0%ae", "x" * 5000,
           "%e4%b8", "index", "CURRENT", "ingest.lock", "gen-000001", "file:x.md", "meta", "*", "%2a", "'%20OR%201=1"]


@pytest.mark.parametrize("odd", ODD_IDS)
@pytest.mark.parametrize("prefix", ["/api/meetings/", "/meetings/"])
def test_odd_meeting_ids_are_404_or_400(client, prefix, odd):
    response = client.get(prefix + odd)
    assert response.status_code in (400, 404), (odd, response.status_code)
    assert b"root:" not in response.data and b"MAIN_" not in response.data


@settings(max_examples=RUNS["meeting ids"], **FUZZ)
@given(st.one_of(st.text(min_size=1, max_size=300), st.binary(min_size=1, max_size=100)),
       st.sampled_from(["/api/meetings/", "/meetings/"]))
def test_generated_meeting_ids(client, meeting_id, odd, prefix):
    FUZZED["meeting ids"] += 1
    path = quote(odd, safe="") if isinstance(odd, str) else quote_from_bytes(odd, safe=b"")
    response = _timed(lambda: client.get(prefix + path))
    if response.status_code == 308:  # an encoded "//" merged by Werkzeug: a redirect within the site
        assert response.headers["Location"].startswith("http://localhost/"), response.headers["Location"]
        response = client.get(response.headers["Location"])
    assert response.status_code in (400, 404) or odd == meeting_id, (odd, response.status_code)
    assert b"root:" not in response.data


def test_queries_fuzzed_in_all():
    """Runs last: the figure for docs/reliability.md (only when the whole module ran)."""
    if set(FUZZED) != set(RUNS):
        pytest.skip("part of the module was deselected")
    print(f"\nqueries fuzzed: {dict(FUZZED)}, in all {sum(FUZZED.values())}")
    assert FUZZED["parser"] + FUZZED["backend"] + FUZZED["api"] + FUZZED["api raw"] >= 10_000
