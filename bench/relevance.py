#!/usr/bin/env python
"""Search quality on the judged development set in bench/judgements/: nDCG@10 and recall@100.

    python bench/relevance.py                          # our search, both corpora
    python bench/relevance.py --system ours,bm25,literal --verbose
    python bench/relevance.py --corpus sample --json
    python bench/relevance.py --code /tmp/old-checkout # our search as another checkout has it
    python bench/relevance.py --system all --pool unjudged.tsv   # top 20 not yet judged, to judge

Corpora: `sample` is the sample file in corpus/ of this repository, `reports` the folder
../shared/corpora/cn-national-work-reports (relative to the repository), read at
run time and never copied. Each is ingested whole with `python -m archive ingest
FOLDER --index DIR/<corpus>` (an unchanged index is reused; the ingest itself
skips unchanged files); paragraph ids are the archive's hit ids
`<meeting_id>-p<N>`, which depend only on a file's path inside that folder.

Systems (each returns at most 100 paragraph ids, best first):
  ours       the archive's SearchService, `SearchRequest(q=query, per_page=100)`;
  bm25       BM25 (k1 1.2, b 0.75) over rjieba search-mode words, the query's words OR'ed;
  literal    paragraphs holding the query text (spaces dropped), then those holding its
             words in order; more occurrences first, then corpus order;
  expansion  bm25 fed the query plus its hand-written rewrites (expansions.tsv:
             synonyms, full forms, simplified script). Used for pooling.

Metrics: nDCG@10 with gain 2^grade - 1 and discount log2(rank + 1), the ideal
ranking taken from all judged paragraphs of the query; recall@100 of the
paragraphs graded 1 or more. Unjudged paragraphs count as grade 0; `unj@10`
says how many of a query's top 10 are unjudged (judge them with --pool when a
ranking change makes it grow). Means are over queries, per corpus, per kind
and overall.
"""

import argparse
import contextlib
import hashlib
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
JUDGED = REPO / "bench" / "judgements"
# The sample is the judged file alone (corpus/ also holds demo minutes nobody judged).
FOLDERS = {"sample": next((REPO / "corpus").glob("*.md")),
           "reports": REPO.parent / "shared" / "corpora" / "cn-national-work-reports"}
SYSTEMS = ("ours", "bm25", "literal", "expansion")
KINDS = ("literal", "synonym", "abbreviation", "paraphrase", "traditional")
DEPTH = 100


# -- the judged set --------------------------------------------------------------

def read_tsv(path: Path) -> list[list[str]]:
    """Rows of a tab-separated file, without its header line and '#' comments."""
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    return [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]


def load_judgements():
    """(queries, qrels, expansions): queries as dicts, qrels {qid: {pid: grade}}, expansions {qid: text}."""
    queries = [dict(zip(("id", "corpus", "kind", "query", "note"), row)) for row in read_tsv(JUDGED / "queries.tsv")]
    qrels = defaultdict(dict)
    for qid, pid, grade in read_tsv(JUDGED / "qrels.tsv"):
        qrels[qid][pid] = int(grade)
    expansions = {row[0]: row[1] for row in read_tsv(JUDGED / "expansions.tsv")}
    return queries, qrels, expansions


# -- corpora and our search ------------------------------------------------------

def build_index(code: Path, corpus: str, index: Path | str) -> None:
    """Ingest the corpus folder with the archive at `code` into a Whoosh folder or a database URL
    (incremental: unchanged files are skipped)."""
    folder = FOLDERS[corpus]
    if not folder.exists():
        sys.exit(f"relevance: corpus not found: {folder}")
    done = subprocess.run([sys.executable, "-m", "archive", "ingest", str(folder),
                           *(["--database", index] if isinstance(index, str) else ["--index", str(index)]), "--json"],
                          cwd=code, env={**os.environ, "PYTHONPATH": str(code)},
                          capture_output=True, text=True)
    if done.returncode not in (0, 1):
        sys.exit(f"relevance: ingest of {folder} failed:\n{done.stderr[-3000:]}")


def load_paragraphs(corpus: str) -> list[tuple[str, str]]:
    """(paragraph id, text) of every paragraph of a corpus, as our ingest splits them."""
    from paragraphs import load_paragraphs as paragraphs  # bench/paragraphs.py, beside this script
    return [(pid, text) for pid, _, _, _, text in paragraphs(FOLDERS[corpus])]


class Ours:
    def __init__(self, index: Path | str):
        from archive.engines import open_engine
        from archive.search.request import SearchRequest
        from archive.search.service import SearchService
        engine = open_engine(database=index) if isinstance(index, str) else open_engine(index)
        self.service, self.request = SearchService(engine), SearchRequest

    def search(self, query: str) -> list[str]:
        return [hit["id"] for hit in self.service.search(self.request(q=query, per_page=DEPTH))["hits"]]


# -- the baselines ---------------------------------------------------------------

def words(text: str) -> list[str]:
    """rjieba search-mode words (a long word and its sub-words) that hold a letter or digit."""
    import rjieba
    return [w for w in rjieba.cut_for_search(text.lower())
            if any(unicodedata.category(c)[0] in "LN" for c in w)]


class BM25:
    def __init__(self, paras, k1: float = 1.2, b: float = 0.75):
        self.ids = [pid for pid, _ in paras]
        self.tfs = [Counter(words(text)) for _, text in paras]
        self.lens = [sum(tf.values()) for tf in self.tfs]
        self.avg = sum(self.lens) / max(1, len(self.lens))
        self.postings = defaultdict(list)
        for n, tf in enumerate(self.tfs):
            for w in tf:
                self.postings[w].append(n)
        self.k1, self.b = k1, b

    def search(self, query: str) -> list[str]:
        total, scores = len(self.ids), defaultdict(float)
        for w in set(words(query)):
            docs = self.postings.get(w, ())
            idf = math.log(1 + (total - len(docs) + 0.5) / (len(docs) + 0.5))
            for n in docs:
                tf = self.tfs[n][w]
                norm = self.k1 * (1 - self.b + self.b * self.lens[n] / self.avg)
                scores[n] += idf * tf * (self.k1 + 1) / (tf + norm)
        best = sorted(scores, key=lambda n: (-scores[n], n))[:DEPTH]
        return [self.ids[n] for n in best]


class Literal:
    def __init__(self, paras):
        self.paras = paras

    def search(self, query: str) -> list[str]:
        parts = [p for p in re.split(r"[\s\"“”]+", query) if p and p.upper() not in ("AND", "OR", "NOT")]
        whole = "".join(parts).lower()
        ordered = re.compile(".*?".join(re.escape(w) for w in words(" ".join(parts))) or re.escape(whole))
        ranked = []
        for n, (pid, text) in enumerate(self.paras):
            text = text.lower()
            if whole and whole in text:
                ranked.append((0, -text.count(whole), n, pid))
            elif ordered.search(text):
                ranked.append((1, 0, n, pid))
        return [pid for *_, pid in sorted(ranked)[:DEPTH]]


# -- metrics -----------------------------------------------------------------------

def ndcg(ranked: list[str], grades: dict[str, int], k: int = 10) -> float:
    def dcg(gs):
        return sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(gs[:k]))
    ideal = dcg(sorted(grades.values(), reverse=True))
    return dcg([grades.get(pid, 0) for pid in ranked]) / ideal if ideal else 0.0


def recall(ranked: list[str], grades: dict[str, int], k: int = DEPTH) -> float:
    relevant = {pid for pid, g in grades.items() if g > 0}
    return len(relevant & set(ranked[:k])) / len(relevant) if relevant else 0.0


def mean(values) -> float:
    values = list(values)
    return sum(values) / len(values) if values else float("nan")


def summarize(rows: list[dict]) -> dict:
    return {"n": len(rows), "ndcg@10": mean(r["ndcg@10"] for r in rows), "recall@100": mean(r["recall@100"] for r in rows)}


# -- the run -----------------------------------------------------------------------

def run(args) -> tuple[dict, list]:
    """Every system on every query: {system: {corpus: {overall, kinds, queries}}}, and the unjudged top 20."""
    queries, qrels, expansions = load_judgements()
    corpora = ["sample", "reports"] if args.corpus == "both" else [args.corpus]
    systems = list(SYSTEMS) if args.system == "all" else args.system.split(",")
    if unknown := set(systems) - set(SYSTEMS):
        sys.exit(f"relevance: unknown system {', '.join(sorted(unknown))}; choose from {', '.join(SYSTEMS)}")
    results, pool = {s: {} for s in systems}, []
    for corpus in corpora:
        runners = {}  # system -> (query row -> ranked paragraph ids)
        if "ours" in systems:
            index = args.databases[corpus] if args.databases else args.index_dir / corpus
            build_index(args.code, corpus, index)
            ours = Ours(index)
            runners["ours"] = lambda q: ours.search(q["query"])
        if {"bm25", "literal", "expansion"} & set(systems):
            paras = load_paragraphs(corpus)
            bm25, literal = BM25(paras), Literal(paras)
            runners["bm25"] = lambda q: bm25.search(q["query"])
            runners["literal"] = lambda q: literal.search(q["query"])
            runners["expansion"] = lambda q: bm25.search(f"{q['query']} {expansions.get(q['id'], '')}")
        for system in systems:
            rows = []
            for q in (q for q in queries if q["corpus"] == corpus):
                grades, ranked = qrels.get(q["id"], {}), runners[system](q)
                rows.append({"id": q["id"], "kind": q["kind"], "query": q["query"],
                             "ndcg@10": ndcg(ranked, grades), "recall@100": recall(ranked, grades),
                             "unjudged@10": sum(pid not in grades for pid in ranked[:10]),
                             "first_relevant": next((i + 1 for i, pid in enumerate(ranked) if grades.get(pid, 0) > 0), None),
                             "returned": len(ranked)})
                pool.extend((q["id"], pid, system, rank + 1)
                            for rank, pid in enumerate(ranked[:20]) if pid not in grades)
            results[system][corpus] = {
                "overall": summarize(rows),
                "kinds": {kind: summarize([r for r in rows if r["kind"] == kind])
                          for kind in KINDS if any(r["kind"] == kind for r in rows)},
                "queries": rows}
    return results, pool


def print_tables(results: dict, verbose: bool) -> None:
    """Mean nDCG@10 and recall@100 per corpus and kind, then overall; with verbose, every query."""
    systems = list(results)
    corpora = list(results[systems[0]])
    rows = {s: [r for c in corpora for r in results[s][c]["queries"]] for s in systems}
    print(f"{'':24}" + "".join(f"{s:>20}" for s in systems))
    print(f"{'':24}" + f"{'nDCG@10  R@100':>20}" * len(systems))

    def line(label, keep):
        cells = [summarize([r for r in rows[s] if keep(r)]) for s in systems]
        print(f"{label:<18}{cells[0]['n']:>4}  " + "".join(f"{c['ndcg@10']:>11.3f}{c['recall@100']:>7.3f}  " for c in cells))

    ids = {c: {r["id"] for r in results[systems[0]][c]["queries"]} for c in corpora}
    for corpus in corpora:
        line(corpus, lambda r, c=corpus: r["id"] in ids[c])
        for kind in results[systems[0]][corpus]["kinds"]:
            line(f"  {kind}", lambda r, c=corpus, k=kind: r["id"] in ids[c] and r["kind"] == k)
    line("all", lambda r: True)
    line("  literal", lambda r: r["kind"] == "literal")
    line("  non-literal", lambda r: r["kind"] != "literal")
    if verbose:
        print(f"\n{'query':<34}" + "".join(f"{s + ' nDCG R unj@10 1st':>30}" for s in systems))
        for i, row in enumerate(rows[systems[0]]):
            cells = [rows[s][i] for s in systems]
            print(f"{row['id'] + ' ' + row['kind'][:5] + ' ' + row['query']:<34}" + "".join(
                f"{c['ndcg@10']:>14.3f}{c['recall@100']:>6.2f}{c['unjudged@10']:>4}{c['first_relevant'] or '-':>6}"
                for c in cells))


def write_pool(path: Path, pool: list, corpus: str) -> None:
    """One row per unjudged (query, paragraph): the systems and best rank that found it, and its text."""
    texts = dict(p for c in (["sample", "reports"] if corpus == "both" else [corpus]) for p in load_paragraphs(c))
    found = defaultdict(lambda: [set(), DEPTH])
    for qid, pid, system, rank in pool:
        found[qid, pid][0].add(system)
        found[qid, pid][1] = min(found[qid, pid][1], rank)
    with path.open("w", encoding="utf-8") as out:
        out.write("query\tparagraph\tsystems\tbest_rank\ttext\n")
        for (qid, pid), (systems, rank) in sorted(found.items(), key=lambda kv: (kv[0][0], kv[1][1])):
            out.write(f"{qid}\t{pid}\t{','.join(sorted(systems))}\t{rank}\t{texts.get(pid, '')}\n")



@contextlib.contextmanager
def servers(engine: str):
    """{corpus: database URL} on throwaway PostgreSQL servers for --engine postgres|sharded, else None."""
    if engine == "whoosh":
        yield None
        return
    sys.path.insert(0, str(REPO))
    from tests.pg import TempCluster, TempServer
    with (TempServer() if engine == "postgres" else TempCluster()) as server:
        yield {corpus: server.create_database() for corpus in FOLDERS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", choices=("sample", "reports", "both"), default="both")
    parser.add_argument("--system", default="ours", help="ours, bm25, literal, expansion, a comma list, or all")
    parser.add_argument("--index-dir", type=Path, help="where the indexes are built (default: a temporary folder per --code)")
    parser.add_argument("--code", type=Path, default=REPO, help="the checkout whose archive is measured (default: this one)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--verbose", action="store_true", help="also print every query")
    parser.add_argument("--engine", choices=("whoosh", "postgres", "sharded"), default="whoosh",
                        help="where ours is stored: a Whoosh folder, or throwaway PostgreSQL servers (tests/pg.py) "
                             "on one node or a coordinator and two shards")
    parser.add_argument("--pool", type=Path, help="write the unjudged paragraphs of the systems' top 20 to this TSV")
    args = parser.parse_args()
    args.code = args.code.resolve()
    sys.path.insert(0, str(args.code))
    if args.index_dir is None:
        tag = hashlib.sha1(str(args.code).encode()).hexdigest()[:8]
        args.index_dir = Path(tempfile.gettempdir()) / f"archive-relevance-{tag}"
    with servers(args.engine) as databases:
        args.databases = databases
        results, pool = run(args)
    if args.pool:
        write_pool(args.pool, pool, args.corpus)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=1))
    else:
        print_tables(results, args.verbose)


if __name__ == "__main__":
    main()
