"""What the PostgreSQL engine stores of a paragraph comes back as it was: its info without its keys,
and its postings (no server needed: the encodings alone)."""

import json
import random

import numpy as np

from archive.engines.postgres.postings import FIELDS, Postings, decode_parts, part_rows
from archive.engines.postgres.rows import PARAGRAPH_INFO, pack_info, unpack_info
from archive.engines.postgres.schema import CHARS, FACET, TEXT

DATE = {"year": 1994, "month": 4, "day": 28, "text": "1994年4月28日", "year_inferred": False, "source": "text"}


def infos():
    full = {"n": 73, "meeting_title": "河南省黄河工程管理条例", "section": "第六章", "line_start": 151, "line_end": 151,
            "is_heading": False, "regions": ["河南省"], "topics": ["水环境治理"], "date": DATE, "role": None,
            "page": None, "page_breaks": []}
    yield full
    yield {**full, "date": None, "meeting_title": "另一个标题"}
    yield {**full, "date": {"month": 12, "text": "x年12月"}, "meeting_title": 0}
    yield {**full, "date": {"text": "x", "year": 1}}  # keys out of order: kept as it is
    yield {**full, "date": "2024-01-01", "extra": 1}  # another key: the whole info kept as it is
    yield {k: full[k] for k in reversed(PARAGRAPH_INFO)}
    rng = random.Random(7)
    for _ in range(200):
        yield {k: full[k] for k in PARAGRAPH_INFO if rng.random() < 0.6}
    yield None
    yield {}


def test_paragraph_info_comes_back_as_it_was():
    title = "河南省黄河工程管理条例"
    for info in infos():
        stored = json.loads(json.dumps(pack_info(info, title), ensure_ascii=False))
        back = unpack_info(stored, title)
        assert back == info and list(back or {}) == list(info or {}), (info, stored)
    packed = json.dumps(pack_info(next(infos()), title), ensure_ascii=False, separators=(",", ":"))
    assert "meeting_title" not in packed and title not in packed and len(packed) < 110, packed


def test_postings_come_back_with_their_frequencies():
    rng = random.Random(3)
    paragraphs = ["".join(rng.choice("哈环境保护法") for _ in range(rng.randint(1, 30))) for _ in range(300)]
    collected = Postings()
    for units in paragraphs:
        collected.add(units, tuple(units[:2]), (), (), [f"year:{len(units) % 3}"])
    seqs = np.arange(1000, 1000 + 3 * len(paragraphs), 3, dtype=np.int64)  # seqs as a run gets them
    rows = {(f, t): row for f, t, *row in part_rows(collected, seqs)}
    assert {f for f, _ in rows} <= set(FIELDS)
    for term in ("哈", "哈哈", "环境", "year:1"):
        field = FACET if ":" in term else CHARS
        found, tfs = decode_parts([rows[(field, term)]])
        want = [(s, units.count(term[0]) if len(term) == 1 else sum(units[i:i + 2] == term
                                                                     for i in range(len(units) - 1)))
                for s, units in zip(seqs.tolist(), paragraphs)] if field == CHARS else \
            [(s, 1) for s, units in zip(seqs.tolist(), paragraphs) if f"year:{len(units) % 3}" == term]
        want = [(s, n) for s, n in want if n]
        assert list(zip(found.tolist(), tfs.astype(int).tolist())) == want, term  # 哈哈 counted overlapping
    assert decode_parts([rows[(TEXT, "哈")]])[0].size == sum("哈" in u[:2] for u in paragraphs)


def counted(collected: Postings, seqs: np.ndarray) -> dict:
    """{(field, term): [(seq, frequency), …]} of the rows a run writes."""
    out = {}
    for field, term, *row in part_rows(collected, seqs):
        found, tfs = decode_parts([row])
        out[(field, term)] = list(zip(found.tolist(), tfs.astype(int).tolist()))
    return out


def test_postings_counted_in_batches_and_merged_as_a_counter_counts(monkeypatch):
    """The occurrences counted with NumPy (a few at a time, some runs merged) give the postings a Counter of
    each paragraph's terms gives: units and overlapping bigrams (empty paragraphs, characters beyond the
    BMP), words repeated within a paragraph, facet values."""
    from collections import Counter

    from archive.engines.postgres import postings as module
    monkeypatch.setattr(module, "COUNT_OCCURRENCES", 17)
    rng = random.Random(5)
    alphabet = "哈环境保护法a1𠀀\U0002a6a5"
    paragraphs = []
    for _ in range(120):
        units = "".join(rng.choice(alphabet) for _ in range(rng.choice([0, 1, 2, rng.randint(3, 25)])))
        words = tuple(rng.choice(["环境", "保护", "法", "的"]) for _ in range(rng.randint(0, 6)))
        paragraphs.append((units, words, ("标题",) * rng.randint(0, 2), (), [f"year:{rng.randint(1, 3)}"]))
    want: dict = {}
    for seq, (units, words, title, section, values) in enumerate(paragraphs, start=50):
        terms = Counter(units) + Counter(units[i:i + 2] for i in range(len(units) - 1))
        for field, found in ((CHARS, terms), (TEXT, Counter(words)), (2, Counter(title)), (FACET, Counter(values))):
            for term, n in found.items():
                want.setdefault((field, term), []).append((seq, n))
    one, runs = Postings(), [Postings(), Postings(), Postings()]
    for i, paragraph in enumerate(paragraphs):
        one.add(*paragraph)
        runs[min(i // 50, 2)].add(*paragraph)  # (as three workers' runs, merged in order)
    for run in runs[1:]:
        run.count()
        runs[0].merge(run)
    seqs = np.arange(50, 50 + len(paragraphs), dtype=np.int64)
    assert counted(one, seqs) == want
    assert counted(runs[0], seqs) == want


def test_spilled_parts_merge_into_the_postings_held_at_once(monkeypatch):
    """A run written in parts (Spills, merged a few postings and terms at a time) gives each term the postings
    of the run that held them all, a term of one part with the part's own base."""
    from archive.engines.postgres import postings as module
    for name, value in (("MERGE_POSTINGS", 7), ("MERGE_ROWS", 3), ("ENCODE_POSTINGS", 5)):
        monkeypatch.setattr(module, name, value)
    rng = random.Random(11)
    paragraphs = [("".join(rng.choice("哈环境保护法𠀀") for _ in range(rng.randint(0, 12))),
                   tuple(rng.choice(["环境", "保护", "法"]) for _ in range(rng.randint(0, 4))), (), (),
                   [f"year:{rng.randint(1, 3)}"]) for _ in range(90)]
    seqs = np.arange(7, 7 + 2 * len(paragraphs), 2, dtype=np.int64)
    whole = Postings()
    for paragraph in paragraphs:
        whole.add(*paragraph)
    spills, collected, at = module.Spills(), Postings(), 0
    for end in (10, 11, 40, 90):  # (parts of 10, 1, 29 and 50 paragraphs)
        for paragraph in paragraphs[at:end]:
            collected.add(*paragraph)
        spills.add(collected, seqs[at:end])
        collected, at = collected.emptied(), end
    merged, bases = {}, {}
    for field, term, *row in spills.rows(collected):
        assert (field, term) not in merged
        found, tfs = decode_parts([row])
        merged[(field, term)] = list(zip(found.tolist(), tfs.astype(int).tolist()))
        bases[(field, term)] = row[0]
    assert merged == counted(whole, seqs)
    starts = [int(seqs[i]) for i in (0, 10, 11, 40)]
    for key, found in merged.items():  # one part: its base; several, merged: the term's first seq
        part = {max(s for s in starts if s <= seq) for seq, _ in found}
        assert bases[key] == (part.pop() if len(part) == 1 else found[0][0]), key
