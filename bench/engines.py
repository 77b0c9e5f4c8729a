#!/usr/bin/env python
"""The engines side by side, and what each costs as the archive grows.

    python bench/engines.py                       # both parts at the default scale (below)
    python bench/engines.py --part compare        # the law corpus on every engine, with the must-holds
    python bench/engines.py --part growth         # the growth curve only
    python bench/engines.py --full                # the growth curve at full scale: law and reports 1×, 2×, 4× (hours)
    python bench/engines.py --render WORK/engines-results.json   # print the report of a kept run again

Engines: `whoosh` (the embedded index folder), `pg` (PostgreSQL, one node) and
`pg2` (PostgreSQL, a coordinator and two shards, laid out by
archive.engines.postgres.cluster.init_cluster; reported as "sharding not
available" where that module is missing). Every PostgreSQL server is a
throwaway one from tests/pg.py, with fsync on, one per node.

Part `compare`, on one corpus (default: the law corpus): for each engine a
fresh `archive ingest` (wall time, MB/s, index or database size), a fresh
`archive serve` loaded with the 40 bench queries (search + facets +
highlight, top 20) at 1 and 8 clients, the serving process's RSS and the
PostgreSQL processes' RSS and PSS after the load; then, in this process
through SearchService.search, the must-holds: literal recall of random runs
on PostgreSQL (plain and quoted), totals and facets equal to Whoosh's for
the 40 queries with and without their filters, and two shards answering the
same JSON as one node.

Part `growth`: copies of a corpus under new names (copy K in folder copyK/,
every year written as digits shifted by K, so no two copies are alike), at
each scale a fresh ingest per engine: ingest time, size and p95 (1 client)
against paragraphs. Default scale, for a shared 2-core machine: work reports
1×, 2×, 4× and the law corpus 1× (`--law-scales 1,2` adds 2×); `--full`:
both at 1×, 2×, 4×. Corpora are read from ../shared/corpora and copied to a
temp folder, never into the repository.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.baselines import dir_mb  # noqa: E402
from bench.paragraphs import load_paragraphs  # noqa: E402
from bench.queries import QUERIES  # noqa: E402
from bench.run import (CORPORA, SHARED, fmt, ingest_step, literal_runs, log, machine_info,  # noqa: E402
                       measure_http, pct, select_files, serving, load_run)

ENGINES = ("whoosh", "pg", "pg2")
MUST = {"p95_1": 100.0, "p95_8": 400.0}
FILTERS = ("region", "topic", "from", "to", "month", "person", "kind")
YEAR = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})(?=年|[-/._][0-9])")


# -- stores: where an engine keeps the archive -------------------------------------------

def sharding_available() -> str | None:
    """None when the sharded layout can be made, else why not."""
    try:
        from archive.engines.postgres.cluster import init_cluster  # noqa: F401
    except ImportError as exc:
        return f"sharding not available ({exc})"
    return None


class WhooshStore:
    key, name = "whoosh", "Whoosh (index folder)"

    def __init__(self, folder: Path):
        self.folder = folder
        shutil.rmtree(folder, ignore_errors=True)

    @property
    def args(self) -> list[str]:
        return ["--index", str(self.folder)]

    def size_mb(self) -> float:
        return dir_mb(self.folder)

    def engine(self):
        from archive.engines.whoosh import WhooshEngine
        return WhooshEngine(self.folder)

    def server_memory(self) -> dict:
        return {}

    def server_cpu(self) -> float:
        return 0.0

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class PostgresStore:
    """A database on each of `nodes` throwaway servers: one node, or a coordinator and its shards."""

    def __init__(self, servers: list, label: str):
        self.servers = servers
        self.urls = [s.create_database(f"bench_{label}") for s in servers]
        self.url = self.urls[0]
        if len(servers) > 1:
            from archive.engines.postgres.cluster import init_cluster
            init_cluster(self.url, self.urls[1:])
        self.key = "pg" if len(servers) == 1 else f"pg{len(servers) - 1}"
        self.name = "PostgreSQL, one node" if len(servers) == 1 else f"PostgreSQL, {len(servers) - 1} shards"
        self._engine = None

    @property
    def args(self) -> list[str]:
        return ["--database", self.url]

    def size_mb(self) -> float:
        import psycopg
        total = 0
        for url in self.urls:
            with psycopg.connect(url, autocommit=True) as conn:
                total += conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        return total / 1e6

    def engine(self):
        from archive.engines.postgres import PostgresEngine
        self._engine = PostgresEngine(self.url)
        return self._engine

    def server_memory(self) -> dict:
        """RSS and PSS (MB) summed over every process of the servers (postmaster, backends, workers)."""
        rss = pss = 0.0
        count = 0
        for server in self.servers:
            for pid in server_pids(server):
                found = smaps_rollup(pid)
                if found:
                    rss += found.get("Rss", 0)
                    pss += found.get("Pss", 0)
                    count += 1
        return {"pg_rss": rss, "pg_pss": pss, "pg_processes": count}

    def server_cpu(self) -> float:
        return sum(server_cpu(s) for s in self.servers)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
        import psycopg
        for server, url in zip(self.servers, self.urls):
            name = url.split("/")[3].split("?")[0]
            with psycopg.connect(server.url(), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server_pids(server) -> list[int]:
    """The postmaster of a tests/pg.py server and its children."""
    try:
        root = int((server.data / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return []
    from tests.pg import children
    return [root, *children(root)]


def server_cpu(server) -> float:
    """CPU seconds of a server: its postmaster, the children it has reaped and the live ones."""
    pids = server_pids(server)
    total = 0.0
    for n, pid in enumerate(pids):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # utime, stime (fields 14, 15), and for the postmaster cutime, cstime (16, 17)
        total += sum(int(x) for x in fields[11:15 if n == 0 else 13])
    return total / os.sysconf("SC_CLK_TCK")


def smaps_rollup(pid: int) -> dict[str, float]:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return {}
    out = {}
    for line in text.splitlines()[1:]:
        key, _, value = line.partition(":")
        if value.strip().endswith("kB"):
            out[key] = int(value.split()[0]) / 1024
    return out


class Servers:
    """The throwaway PostgreSQL servers of a run (fsync on, as in use), started once, stopped at the end."""

    def __init__(self):
        self.started = []

    def get(self, n: int) -> list:
        from tests.pg import TempServer
        while len(self.started) < n:
            self.started.append(TempServer(fsync=True).start())
        return self.started[:n]

    def stop(self) -> None:
        for server in self.started:
            server.stop()


def make_store(key: str, work: Path, servers: Servers, label: str):
    if key == "whoosh":
        return WhooshStore(work / f"index-{label}")
    if key == "pg":
        return PostgresStore(servers.get(1), label)
    return PostgresStore(servers.get(3), label)


# -- in-process answers ------------------------------------------------------------------

def service_of(engine):
    from archive.search.service import SearchService
    return SearchService(engine)


def request(params: dict):
    from archive.search.request import SearchRequest
    return SearchRequest.from_params({**params, "per_page": "20"})


def answers(service, queries) -> tuple[list[dict], list[float]]:
    """Each query's whole answer (without took_ms), and the time of each (ms)."""
    out, times = [], []
    for params in queries:
        t = time.perf_counter()
        result = service.search(request(params))
        times.append((time.perf_counter() - t) * 1000)
        out.append({k: v for k, v in result.items() if k != "took_ms"})
    return out, times


def with_and_without_filters() -> list[dict]:
    """The 40 queries, then those with filters again without them."""
    bare = [{"q": p["q"]} for p in QUERIES if any(k in p for k in FILTERS)]
    return list(QUERIES) + bare


def differences(left: list[dict], right: list[dict], parts) -> list[str]:
    """Queries whose answers differ in any of `parts` (keys of the answer; "hits" compares ids and scores)."""
    out = []
    for params, a, b in zip(with_and_without_filters(), left, right):
        for part in parts:
            x, y = a[part], b[part]
            if part == "hits":
                x = [(h["id"], h.get("score")) for h in x]
                y = [(h["id"], h.get("score")) for h in y]
            if x != y:
                out.append(f"{part} of {params}")
    return out


def literal_recall(service, runs, truth_ids, quoted: bool) -> tuple[float, int]:
    """Of all (run, paragraph containing it) pairs, the share a search for the run finds."""
    hit = total = full = 0
    for run in runs:
        q = f'"{run}"' if quoted else run
        found = {fields["id"] for _, fields in service.export(request({"q": q, "sort": "relevance"}), 10**8)}
        got = len(found & truth_ids[run])
        hit += got
        total += len(truth_ids[run])
        full += got == len(truth_ids[run])
    return hit / max(total, 1), full


# -- part 1: the engines on one corpus -------------------------------------------------------

def ingest(store, corpus: Path, mb: float, nfiles: int) -> dict:
    """A fresh `archive ingest` into the store, with the CPU seconds of the client and of the server."""
    before = store.server_cpu()
    row = ingest_step("full build", None, corpus, mb, nfiles, store_args=store.args, size_mb=store.size_mb)
    row["server_cpu"] = store.server_cpu() - before
    log(f"  CPU: client {row['cpu']:.1f} s, server {row['server_cpu']:.1f} s")
    return row


def compare(args, work: Path, servers: Servers) -> dict:
    files = select_files(args.corpus, args.subset, args.seed)
    corpus = work / "corpus"
    mb = stage_copies(files, corpus, 1)
    paras = load_paragraphs(corpus)
    log(f"compare: {len(files)} files, {mb:.1f} MB, {len(paras)} paragraphs")
    res = {"corpus": args.corpus + (f" (subset ~{args.subset:g} MB)" if args.subset else ""), "files": len(files),
           "mb": mb, "paragraphs": len(paras), "engines": [], "checks": []}
    runs, truth = literal_runs(paras, args.recall_runs, args.seed)
    truth_ids = {run: {paras[i][0] for i in found} for run, found in truth.items()}
    answers_of = {}
    for key in args.engines:
        why = sharding_available() if key == "pg2" else None
        if why:
            log(f"{key}: {why}")
            res["engines"].append({"key": key, "name": "PostgreSQL, 2 shards", "skipped": why})
            continue
        store = make_store(key, work, servers, "compare")
        log(f"{store.name}: ingest")
        row = ingest(store, corpus, mb, len(files))
        entry = {"key": key, "name": store.name, "ingest": row, "mbps": mb / row["wall"], "size_mb": row["index_mb"]}
        log(f"{store.name}: HTTP load")
        entry["http"] = measure_http(None, args.rounds, args.rounds8, args.cap, args.seed, store_args=store.args,
                                     after_load=lambda out, s=store: out.update(s.server_memory()))
        service = service_of(store.engine())
        answers(service, QUERIES)  # warm, as the server was
        got, times = answers(service, with_and_without_filters())
        answers_of[key] = got
        entry["inproc_median"], entry["inproc_p95"] = statistics.median(times), pct(times, 0.95)
        if key != "whoosh":
            for quoted in (False, True):
                rec, full = literal_recall(service, runs, truth_ids, quoted)
                entry["recall_quoted" if quoted else "recall_plain"] = rec
                entry["full_quoted" if quoted else "full_plain"] = full
                log(f"{store.name}: recall {'quoted' if quoted else 'plain'} {rec:.3f} ({full}/{len(runs)})")
        res["engines"].append(entry)
        store.close()
    res["checks"] = checks(res, answers_of, len(runs))
    return res


def checks(res: dict, answers_of: dict, nruns: int) -> list:
    out = []
    eng = {e["key"]: e for e in res["engines"] if "skipped" not in e}
    n = len(with_and_without_filters())
    if "pg" in eng:
        pg = eng["pg"]
        for kind in ("plain", "quoted"):
            out.append((f"PG one node: literal recall 1.000 on {nruns} random runs, {kind}",
                        f"{pg[f'recall_{kind}']:.3f} ({pg[f'full_{kind}']}/{nruns} runs whole)", pg[f"recall_{kind}"] >= 1.0))
        h = pg["http"]
        out.append(("PG one node: p95 ≤ 100 ms, 1 client (HTTP)", f"{h['one']['p95']:.1f} ms", h["one"]["p95"] <= MUST["p95_1"]))
        if "eight" in h:
            out.append(("PG one node: p95 ≤ 400 ms, 8 clients (HTTP)", f"{h['eight']['p95']:.1f} ms",
                        h["eight"]["p95"] <= MUST["p95_8"]))
    if "pg" in eng and "whoosh" in eng:
        diff = differences(answers_of["whoosh"], answers_of["pg"], ("total", "facets", "facets_truncated"))
        out.append((f"PG one node: totals and facets equal to Whoosh's ({n} requests: the 40 queries, and those "
                    f"with filters without them)", f"{n - len(diff)}/{n} equal" + (f"; first: {diff[0]}" if diff else ""),
                    not diff))
        hits = differences(answers_of["whoosh"], answers_of["pg"], ("hits",))
        out.append(("(not a must-hold) PG one node: same top 20 hits and scores as Whoosh", f"{n - len(hits)}/{n} equal", not hits))
        w, p = eng["whoosh"]["mbps"], eng["pg"]["mbps"]
        wc = eng["whoosh"]["ingest"]["cpu"]
        pc = eng["pg"]["ingest"]["cpu"] + eng["pg"]["ingest"]["server_cpu"]
        out.append(("PG one node: ingest at least as fast as Whoosh", f"{p:.3f} vs {w:.3f} MB/s ({p / w:.2f}×); CPU "
                    f"{pc:.0f} s (client + server) vs {wc:.0f} s", p >= w))
    if "pg2" in eng and "pg" in eng:
        diff = differences(answers_of["pg"], answers_of["pg2"], ("total", "hits", "facets", "facets_truncated"))
        out.append((f"2 shards: the same JSON as one node ({n} requests; hits, totals, facets)",
                    f"{n - len(diff)}/{n} equal" + (f"; first: {diff[0]}" if diff else ""), not diff))
    return out


# -- part 2: the growth curve ---------------------------------------------------------------

def shifted(text: str, k: int) -> str:
    return YEAR.sub(lambda m: str(int(m.group(1)) + k), text) if k else text


def stage_copies(files, dest: Path, copies: int) -> float:
    """copies × the files under dest/copyK/<corpus>/…, years shifted by K in names and text; MB written."""
    shutil.rmtree(dest, ignore_errors=True)
    total = 0
    for k in range(copies):
        for key, p in files:
            rel = p.relative_to(SHARED / CORPORA[key])
            target = dest / f"copy{k}" / key / rel.parent / shifted(rel.name, k)
            target.parent.mkdir(parents=True, exist_ok=True)
            data = p.read_bytes()
            try:
                data = shifted(data.decode("utf-8"), k).encode("utf-8")
            except UnicodeDecodeError:
                pass  # (not UTF-8: copied as it is; its new name keeps it apart)
            target.write_bytes(data)
            total += len(data)
    return total / 1e6


def growth(args, work: Path, servers: Servers, compared: dict | None) -> dict:
    scales = [("reports", s) for s in args.report_scales] + [("law", s) for s in args.law_scales]
    rows = []
    for corpus_key, scale in scales:
        if scale == 1 and compared and compared["corpus"] == corpus_key:
            rows += from_compare(compared)  # (the same build, measured already)
            continue
        files = select_files(corpus_key, None, args.seed)
        corpus = work / "growth"
        mb = stage_copies(files, corpus, scale)
        log(f"growth: {corpus_key} {scale}×, {len(files) * scale} files, {mb:.1f} MB")
        for key in args.engines:
            why = sharding_available() if key == "pg2" else None
            if why:
                rows.append({"corpus": corpus_key, "scale": scale, "key": key, "skipped": why})
                continue
            store = make_store(key, work, servers, f"g{corpus_key}{scale}")
            row = ingest(store, corpus, mb, len(files) * scale)
            with serving(store.args) as (port, _):
                load_run(port, 1, 1, args.cap, args.seed)  # first sight
                one = load_run(port, 1, args.growth_rounds, args.cap, args.seed)
            rows.append({"corpus": corpus_key, "scale": scale, "key": key, "name": store.name, "mb": mb,
                         "files": len(files) * scale, "paragraphs": row["summary"]["paragraphs"], "ingest_s": row["wall"],
                         "cpu": row["cpu"], "server_cpu": row["server_cpu"], "size_mb": row["index_mb"], "median": one["median"], "p95": one["p95"]})
            log(f"  {store.name}: {row['wall']:.1f} s, {row['index_mb']:.0f} MB, p95 {one['p95']:.1f} ms")
            store.close()
        shutil.rmtree(corpus, ignore_errors=True)
    return {"rows": rows}


def from_compare(c: dict) -> list[dict]:
    """Growth rows at 1× of the corpus part compare measured (its p95: the 1-client rounds)."""
    return [{"corpus": c["corpus"], "scale": 1, "key": e["key"], "skipped": e["skipped"]} if "skipped" in e else
            {"corpus": c["corpus"], "scale": 1, "key": e["key"], "name": e["name"], "mb": c["mb"], "files": c["files"],
             "paragraphs": e["ingest"]["summary"]["paragraphs"], "ingest_s": e["ingest"]["wall"],
             "cpu": e["ingest"]["cpu"], "server_cpu": e["ingest"]["server_cpu"],
             "size_mb": e["size_mb"], "median": e["http"]["one"]["median"], "p95": e["http"]["one"]["p95"]}
            for e in c["engines"]]


# -- report -----------------------------------------------------------------------------------

def render(res: dict) -> str:
    m = res["machine"]
    L = [f"## Engines side by side and the growth curve ({res['date']})", "",
         f"Generated by `{res['command']}`.", "",
         f"- Machine: {m['cpu']}, {m['cores']} cores, {m['mem']} RAM; Python {m['python']}; PostgreSQL: "
         f"{res.get('pg_version', '?')} (throwaway servers from tests/pg.py, fsync on, shared_buffers 128 MB)",
         f"- Code: commit {m['commit']}",
         f"- Load average before: {res['load_before']}, after: {res['load_after']} (the machine is shared)", ""]
    c = res.get("compare")
    if c:
        L += [f"### The {c['corpus']} corpus on each engine", "",
              f"{c['files']} files, {c['mb']:.1f} MB of markdown, {c['paragraphs']} paragraphs. Ingest: a fresh "
              f"`archive ingest` (two worker processes). Search: a fresh `archive serve` (waitress), the 40 bench "
              f"queries (search + facets + highlight, top 20), each once on first sight, then rounds at 1 and 8 "
              f"clients. Memory after the 8-client load: the serving Python process's RSS, and the PostgreSQL "
              f"processes' summed RSS (counts shared buffers in every process) and PSS (shares divided).", "",
              "| engine | ingest s | MB/s | CPU s client / server | size MB | first sight p95 ms | 1 client p50 / p95 ms | 8 clients p50 / p95 ms "
              "| in-process p50 / p95 ms | Python RSS MB | PG RSS / PSS MB (processes) |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
        for e in c["engines"]:
            if "skipped" in e:
                L.append(f"| {e['name']} | {e['skipped']} | | | | | | | | | |")
                continue
            h = e["http"]
            eight = h.get("eight") or {}
            pg = (f"{fmt(h['pg_rss'], 0)} / {fmt(h['pg_pss'], 0)} ({h['pg_processes']})" if "pg_rss" in h else "—")
            L.append(f"| {e['name']} | {fmt(e['ingest']['wall'], 1)} | {fmt(e['mbps'], 3)} | "
                     f"{fmt(e['ingest']['cpu'], 0)} / {fmt(e['ingest']['server_cpu'], 0)} | {fmt(e['size_mb'], 0)} | "
                     f"{fmt(h['first']['p95'])} | {fmt(h['one']['median'])} / {fmt(h['one']['p95'])} | "
                     f"{fmt(eight.get('median'))} / {fmt(eight.get('p95'))} | {fmt(e['inproc_median'])} / "
                     f"{fmt(e['inproc_p95'])} | {fmt(h['rss'], 0)} | {pg} |")
        errors = sum(e["http"][k]["errors"] for e in c["engines"] if "http" in e for k in ("first", "one", "eight")
                     if k in e["http"])
        L += ["", f"HTTP errors: {errors}.", "", "Must-holds (issue 11):", "", "| must hold | measured | met |", "|---|---|---|"]
        L += [f"| {t} | {v} | {'yes' if ok else '**no**'} |" for t, v, ok in c["checks"]]
        L.append("")
    g = res.get("growth")
    if g:
        L += ["### Growth: ingest time, size and p95 against paragraphs", "",
              "Copies of each corpus under new names, years shifted by the copy's number, so nothing repeats; "
              "at each scale a fresh ingest per engine, then the 40 queries at one client (p95 after a first-sight "
              f"round). Scale chosen for a shared 2-core machine: {res.get('scale_note', '')}.", "",
              "| corpus | scale | engine | files | MB | paragraphs | ingest s | MB/s | CPU s client / server | size MB | MB per 100k paragraphs "
              "| p50 ms | p95 ms |", "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in g["rows"]:
            if "skipped" in r:
                L.append(f"| {r['corpus']} | {r['scale']}× | {r['key']} | {r['skipped']} | | | | | | | | | |")
                continue
            L.append(f"| {r['corpus']} | {r['scale']}× | {r['name']} | {r['files']} | {fmt(r['mb'])} | {r['paragraphs']} | "
                     f"{fmt(r['ingest_s'], 1)} | {fmt(r['mb'] / r['ingest_s'], 3)} | "
                     f"{fmt(r['cpu'], 0)} / {fmt(r['server_cpu'], 0)} | {fmt(r['size_mb'], 0)} | "
                     f"{fmt(r['size_mb'] / r['paragraphs'] * 1e5, 0)} | {fmt(r['median'])} | {fmt(r['p95'])} |")
        L.append("")
    return "\n".join(L)


def pg_version() -> str:
    try:
        from tests.pg import find_bindir
        import subprocess
        return subprocess.run([str(find_bindir() / "postgres"), "--version"], capture_output=True, text=True).stdout.strip()
    except Exception as exc:  # (the report says so rather than failing at the end of a long run)
        return f"? ({exc})"


def scales(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()] if text else []


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--part", choices=["compare", "growth", "both"], default="both")
    ap.add_argument("--engines", default=",".join(ENGINES), help="of whoosh,pg,pg2")
    ap.add_argument("--corpus", choices=["law", "reports", "both"], default="law", help="corpus of part compare")
    ap.add_argument("--subset", type=float, metavar="MB", help="part compare on a seeded random subset")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--rounds", type=int, default=3, help="rounds of the 40 queries at 1 client")
    ap.add_argument("--rounds8", type=int, default=1, help="rounds per client at 8 clients")
    ap.add_argument("--growth-rounds", type=int, default=2, help="rounds at 1 client in part growth")
    ap.add_argument("--cap", type=float, default=300.0, help="seconds after which a load run stops")
    ap.add_argument("--recall-runs", type=int, default=200)
    ap.add_argument("--report-scales", default="1,2,4")
    ap.add_argument("--law-scales", default="1")
    ap.add_argument("--full", action="store_true", help="growth of both corpora at 1×, 2×, 4× (hours here)")
    ap.add_argument("--workdir", help="work folder (default: a new temp folder, removed afterwards)")
    ap.add_argument("--render", metavar="JSON", help="only print the report of a saved engines-results.json")
    args = ap.parse_args(argv)
    if args.render:
        print(render(json.loads(Path(args.render).read_text(encoding="utf-8"))))
        return 0
    args.engines = [e for e in args.engines.split(",") if e]
    if args.full:
        args.report_scales = args.law_scales = "1,2,4"
    args.report_scales, args.law_scales = scales(args.report_scales), scales(args.law_scales)
    res = {"command": "python bench/engines.py " + " ".join(argv if argv is not None else sys.argv[1:]),
           "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
           "load_before": " ".join(f"{x:.2f}" for x in os.getloadavg()), "machine": machine_info(),
           "pg_version": pg_version(),
           "scale_note": (f"work reports {', '.join(f'{s}×' for s in args.report_scales)}; law corpus "
                          f"{', '.join(f'{s}×' for s in args.law_scales) or 'none'}"
                          + ("" if args.full else "; `--full` runs both at 1×, 2×, 4×"))}
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="archive-engines-"))
    work.mkdir(parents=True, exist_ok=True)
    servers = Servers()
    try:
        if args.part in ("compare", "both"):
            res["compare"] = compare(args, work, servers)
        if args.part in ("growth", "both"):
            res["growth"] = growth(args, work, servers, res.get("compare"))
    finally:
        servers.stop()
        res["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
        (work if args.workdir else Path(tempfile.gettempdir())).joinpath("engines-results.json").write_text(
            json.dumps(res, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    print(render(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
