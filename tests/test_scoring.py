"""The Whoosh engine's array evaluator against a brute-force reading of the plan's rules.

A small real index (three files, one of them changed and ingested again, so
the index has two segments and deleted documents) is searched with match
plans of every kind; the engine's hits and scores are compared with a
computation that follows archive/search/plan.py literally: which paragraphs
match, and their BM25F scores (to 1e-6, relative), in score order, ties in
document order.

The brute force is independent of the evaluator: it never reads postings,
the units side files or Whoosh's statistics. It reads every stored document
back and analyses its stored text again with archive/analysis.py, then
counts N, document frequencies, field lengths and their totals itself. The
only Whoosh it uses is the one-byte quantization of field lengths, which is
how the engine's index stores them.
"""

import math
from collections import Counter

import pytest
from whoosh.util.numeric import byte_to_length, length_to_byte

from archive.analysis import normalize, unit_string, words
from archive.engines import open_engine
from archive.engines.base import Filters
from archive.index.pipeline import ingest
from archive.search import plan as p
from archive.engines.plan import B, K1  # the documented parameters, computed with independently below
from archive.search.query import Term, parse, positives
from tests.conftest import write


FILES = {
    "a.md": "# 2023年环境保护工作会议记录\n\n5月12日，区政府召开环境保护工作会议，区长主持会议。\n\n"
            "## 一、环境督察整改\n\n会议听取了环境督察整改工作的汇报，环境质量总体改善。\n\n"
            "区长强调，环境保护是头等大事，环境保护工作必须落实到位，督察发现的问题必须整改。\n\n"
            "各部门要加强环境监测，做好大气污染防治。\n\n## 二、生态保护\n\n"
            "生态环境局通报了保护工作情况，生态保护红线不能突破。\n\n"
            "森林资源保护和湿地保护要同步推进，保护生态就是保护生产力。\n\n"
            "会议要求，各乡镇要把生态保护工作放在重要位置。\n",
    "b.md": "# 2023年森林防火工作会议\n\n3月8日，全区森林防火工作会议在林业局召开。\n\n## 森林防火\n\n"
            "森林防火期内，严禁野外用火，森林防火工作人人有责。\n\n"
            "会议强调，防火宣传要进村入户，防火物资要储备充足。\n\n护林员要加强巡山，发现火情立即报告。\n\n"
            "## 环境督察\n\n督察组指出，部分乡镇环境卫生整治不到位。\n\n"
            "会议要求立即整改，整改结果报区政府督察室。\n\n环境督察和森林防火都是当前重点工作。\n",
    "c.md": "# 2024年安全生产会议纪要\n\n1月20日，安全生产工作会议在区政府召开，会议由副区长主持。\n\n"
            "## 安全生产\n\n会议指出，安全生产责任重于泰山，安全检查要全覆盖，检查不留死角。\n\n"
            "## 环境治理\n\n会议要求把环境治理和安全生产结合起来。\n\n"
            "大气污染防治、水污染防治、土壤污染防治要统筹推进。\n\n会议。\n",
}
# The second ingest replaces b.md: its old records stay in the first segment, deleted.
CHANGED_B = FILES["b.md"].replace("护林员要加强巡山，发现火情立即报告。\n\n", "") + \
    "\n会议最后强调，森林防火和环境保护要两手抓，防火防火再防火。\n"


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("scoring")
    for name, text in FILES.items():
        write(tmp / "c" / name, text)
    engine = open_engine(tmp / "ix")
    assert ingest([tmp / "c"], engine).added == 3
    write(tmp / "c" / "b.md", CHANGED_B)
    assert ingest([tmp / "c"], engine).updated == 1
    reader = engine.reader().searcher.reader()
    assert reader.has_deletions() and len(reader.leaf_readers()) == 2
    return engine


class BruteForce:
    """Every document's terms per field, recounted from its stored text."""

    def __init__(self, searcher):
        reader = searcher.reader()
        self.n = reader.doc_count_all()  # deleted documents included, as Whoosh counts until a merge
        self.terms, self.units, self.hits = [], [], set()
        for d in range(self.n):
            doc = searcher.stored_fields(d)
            fields = {}
            if doc.get("kind") == "p":
                info = doc["info"]
                for field, value in (("text", doc["text"]), ("title", info["meeting_title"]),
                                     ("section", info["section"])):
                    fields[field] = Counter(w for _, w, _, _ in words(normalize(value or "")))
                u = unit_string(doc["text"])
                fields["chars"] = Counter(list(u) + [a + b for a, b in zip(u, u[1:])])
                if not reader.is_deleted(d):
                    self.hits.add(d)
            self.terms.append(fields)
            self.units.append(unit_string(doc["text"]) if doc.get("kind") == "p" else "")
        # Document frequencies and total field lengths count deleted documents too (Whoosh's rule
        # until a merge drops them): the plan's N is all the documents of the index.
        self.df = Counter((f, t) for fields in self.terms for f, c in fields.items() for t in c)
        self.total = Counter()
        for fields in self.terms:
            for f, c in fields.items():
                self.total[f] += sum(c.values())

    def bm25(self, field, term, d):
        tf = self.terms[d][field][term]
        idf = math.log(self.n / (self.df[field, term] + 1)) + 1
        avg = self.total[field] / self.n or 1
        fl = byte_to_length(length_to_byte(sum(self.terms[d][field].values())))  # one byte, as stored
        return idf * tf * (K1 + 1) / (tf + K1 * ((1 - B) + B * fl / avg))

    def score(self, node, d):
        """The node's score at document d, or None when it does not match there."""
        t = type(node)
        if t is p.Literal:
            if node.run not in self.units[d]:
                return None
            run = node.run
            grams = [run] if len(run) == 1 else [a + b for a, b in zip(run, run[1:])]
            return sum(self.bm25("chars", g, d) for g in grams) * node.boost
        if t is p.Word:
            found = self.terms[d].get(node.field, {})
            return self.bm25(node.field, node.word, d) * node.boost if node.word in found else None
        if t in (p.All, p.Any):
            scores = [self.score(part, d) for part in node.parts]
            matched = [s for s in scores if s is not None]
            ok = len(matched) == len(scores) if t is p.All else bool(matched)
            return sum(matched) if ok else None
        if t is p.Without:
            return 1.0 if self.score(node.part, d) is None else None
        if t is p.Also:
            must = self.score(node.must, d)
            maybe = self.score(node.maybe, d)
            return None if must is None else must + (maybe or 0.0)
        if t is p.Except:
            part = self.score(node.part, d)
            return part if part is not None and self.score(node.not_, d) is None else None
        if t is p.Constant:
            return None if self.score(node.part, d) is None else node.score
        raise TypeError(node)

    def find(self, plan) -> dict[int, float]:
        scores = {d: self.score(plan, d) for d in sorted(self.hits)}
        return {d: s for d, s in scores.items() if s is not None}


@pytest.fixture(scope="module")
def brute(engine):
    return BruteForce(engine.reader().searcher)


def boosted(q):
    tree = parse(q)
    return p.with_context_boost(p.compile_tree(tree), positives(tree))


def loose(q):
    tree = parse(q)
    compiler = p.Compiler()
    return p.relaxed(compiler, positives(tree), p.negated_leaves(compiler, tree))


PLANS = {
    "one unit": p.literal("环"),
    "two units": p.literal("督察"),
    "four units": p.literal("森林防火"),
    "repeated bigram": p.literal("防火防火", 2.0),
    "word": p.Word("text", "保护"),
    "title word": p.Word("title", "森林"),
    "term widened": p.compile_tree(Term("环境保护")),
    "phrase": p.compile_tree(parse('"环境督察"')),
    "all": p.compile_tree(parse("森林 防火")),
    "any": p.compile_tree(parse("督察 OR 生态")),
    "without": p.compile_tree(parse("环境 -督察")),
    "also": boosted("环境 工作"),
    "relaxed": loose("森林 安全 湿地"),
    "relaxed except": loose("森林 安全 -督察"),
    "absent word": p.Word("text", "火箭"),
    "deleted only": p.Word("text", "护林员"),  # only in deleted documents: df counts them, nothing matches
}


@pytest.mark.parametrize("name", PLANS)
def test_scores_match_brute_force(engine, brute, name):
    plan = PLANS[name]
    expected = brute.find(plan)
    found = engine.reader().find(plan, Filters(), scored=True)
    page = found.page("relevance", 0, max(found.total, 1))
    assert found.total == len(page) == len(expected)
    assert {d for d, _ in page} == set(expected)
    for d, score in page:
        assert score == pytest.approx(expected[d], rel=1e-6), (name, d)
    assert [(-s, d) for d, s in page] == sorted((-s, d) for d, s in page)  # by score, ties by number
    if name not in ("absent word", "deleted only"):
        assert expected, name  # every other plan is meant to find something
    if found.total > 1:  # the top-k path gives the same first hits
        assert found.page("relevance", 0, found.total // 2) == page[:found.total // 2]


@pytest.mark.parametrize("order", ["index", "newest", "oldest"])
def test_other_orders_list_each_hit_once(engine, brute, order):
    for plan in (PLANS["two units"], PLANS["without"], PLANS["relaxed except"]):
        found = engine.reader().find(plan, Filters(), scored=True)
        keys = [d for d, _ in found.page(order, 0, found.total)]
        assert len(keys) == found.total and sorted(keys) == sorted(brute.find(plan))
