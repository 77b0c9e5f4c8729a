#!/usr/bin/env python
"""Benchmarks at scale: ingest, search over HTTP, cold CLI, memory, and three baselines.

    python bench/run.py                      # the law corpus (3,422 files, 58 MB)
    python bench/run.py --subset 5           # a 5 MB random subset, for a quick run
    python bench/run.py --corpus both        # laws and work reports
    python bench/run.py --render WORK/bench-results.json   # rewrite RESULTS.md from a kept run

The corpora are read from <repo>/../shared/corpora at run time and copied into
a temporary work folder (the incremental steps change, add and remove a file
there); nothing is written into the repository except bench/RESULTS.md. The
run prints the tables and rewrites bench/RESULTS.md (machine, versions, date,
load), followed by bench/optimisations.md.
"""

import argparse
import http.client
import json
import os
import platform
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from bisect import bisect_right
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.baselines import Fts5Trigram, JiebaWhoosh, Ripgrep, dir_mb  # noqa: E402
from bench.paragraphs import load_paragraphs  # noqa: E402
from bench.queries import COLD_QUERIES, QUERIES  # noqa: E402

SHARED = REPO.parent / "shared" / "corpora"
CORPORA = {"law": "lawrefbook-laws", "reports": "cn-national-work-reports"}
TARGETS = {"p95_1": 50.0, "p95_8": 150.0, "cold": 0.8, "changed": 2.0, "rss": 400.0, "ingest_ratio": 2.0}


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def pct(values, q):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


# -- corpus ------------------------------------------------------------------

def select_files(corpus: str, subset_mb: float | None, seed: int) -> list[tuple[str, Path]]:
    """(key, file) of the chosen corpora; a subset is a seeded random sample of whole files."""
    keys = list(CORPORA) if corpus == "both" else [corpus]
    files = []
    for key in keys:
        root = SHARED / CORPORA[key]
        if not root.is_dir():
            sys.exit(f"bench: corpus not found: {root}")
        files += [(key, p) for p in sorted(root.rglob("*.md"))]
    if subset_mb:
        random.Random(seed).shuffle(files)
        chosen, total = [], 0
        for key, p in files:
            if total >= subset_mb * 1e6:
                break
            chosen.append((key, p))
            total += p.stat().st_size
        files = sorted(chosen)
    return files


def stage_corpus(files, dest: Path) -> float:
    """Copy the chosen files to dest/<key>/<relative path>; returns MB."""
    total = 0
    for key, p in files:
        rel = p.relative_to(SHARED / CORPORA[key])
        target = dest / key / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(p, target)
        total += p.stat().st_size
    return total / 1e6


# -- processes -----------------------------------------------------------------

def run_measured(cmd: list[str], env: dict | None = None) -> dict:
    """Run a command from the repo; wall seconds, peak RSS (MB) and output."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                env={**os.environ, **env} if env else None)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        result = {"wall": wall, "rss_mb": usage.ru_maxrss / 1024, "rc": proc.returncode,
                  "cpu": usage.ru_utime + usage.ru_stime,  # (with its waited-for children: ingest workers)
                  "stdout": out.read().decode("utf-8", "replace"), "stderr": err.read().decode("utf-8", "replace")}
    if result["rc"] not in (0, 1):
        log(f"command failed ({result['rc']}): {' '.join(cmd)}\n{result['stderr'][-2000:]}")
    return result


def archive_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "archive", *args]


def ingest_step(name: str, index: Path, corpus: Path, mb: float, files: int, env: dict | None = None,
                store_args: list[str] | None = None, size_mb=None) -> dict:
    """One `archive ingest` into the index folder (or the store of `store_args`, sized by `size_mb()`)."""
    r = run_measured(archive_cmd("ingest", *(store_args or ["--index", str(index)]), "--json", str(corpus)), env)
    try:
        summary = json.loads(r["stdout"])
    except json.JSONDecodeError:
        sys.exit(f"bench: ingest failed:\n{r['stderr'][-3000:]}")
    row = {"step": name, "files": files, "wall": r["wall"], "cpu": r["cpu"], "inproc": summary["seconds"], "mb": mb,
           "rss_mb": r["rss_mb"], "index_mb": size_mb() if size_mb else dir_mb(index), "summary": {k: summary[k] for k in (
               "added", "updated", "unchanged", "removed", "meetings", "paragraphs")}}
    log(f"ingest {name}: {r['wall']:.2f} s wall, {summary['seconds']:.2f} s in-process, "
        f"{row['summary']}, RSS {r['rss_mb']:.0f} MB")
    return row


def measure_ingest(work: Path, corpus: Path, index: Path, mb: float, nfiles: int) -> list[dict]:
    rows = [ingest_step("full build", index, corpus, mb, nfiles)]
    # The same build in one process: baseline 1 (one Whoosh writer) uses one core.
    single = work / "index-one-process"
    rows.append(ingest_step("full build, one process", single, corpus, mb, nfiles, {"ARCHIVE_INGEST_PROCS": "1"}))
    shutil.rmtree(single, ignore_errors=True)
    rows.append(ingest_step("re-run, nothing changed", index, corpus, 0.0, 0))
    files = sorted(corpus.rglob("*.md"), key=lambda p: (p.stat().st_size, str(p)))
    changed, removed = files[len(files) // 2], files[len(files) // 3]
    changed_orig, removed_orig = changed.read_bytes(), removed.read_bytes()
    added = corpus / "bench-added.md"
    changed.write_bytes(changed_orig + "\n\n本条例的修改：基准测试追加的一段文字，用于检验增量索引。\n".encode())
    rows.append(ingest_step("one file changed", index, corpus, len(changed_orig) / 1e6, 1))
    added.write_bytes(changed_orig.replace("。".encode(), "；".encode(), 3))
    rows.append(ingest_step("one file added", index, corpus, len(changed_orig) / 1e6, 1))
    removed.unlink()
    rows.append(ingest_step("one file removed", index, corpus, 0.0, 1))
    # Back to the original corpus, so that every engine searches the same paragraphs.
    changed.write_bytes(changed_orig)
    removed.write_bytes(removed_orig)
    added.unlink()
    rows.append(ingest_step("revert the three", index, corpus, 0.0, 3))
    return rows


# -- our engine in-process ------------------------------------------------------

class Ours:
    name = "this archive (Whoosh, rjieba + unit bigrams)"

    def __init__(self, index: Path, paras):
        from archive.engines import open_engine
        from archive.search.service import SearchService
        self.engine = open_engine(index)
        self.service = SearchService(self.engine)
        self.ordinal = {p[0]: n for n, p in enumerate(paras)}

    def search(self, params: dict) -> dict:
        from archive.search.request import SearchRequest
        return self.service.search(SearchRequest.from_params({**params, "per_page": "20"}))

    def find_all(self, run: str) -> set[int]:
        """Every paragraph holding the run literally (the engine's answer to a quoted phrase)."""
        from archive.engines.base import Filters
        from archive.search.plan import literal
        reader = self.engine.reader()
        found = reader.find(literal(run), Filters(), scored=False)
        records = reader.paragraphs(key for key, _ in found.page("index", 0, found.total))
        return {self.ordinal.get(r["id"], -1) for r in records}


def time_queries(fn, queries, rounds: int) -> list[float]:
    for q in queries:  # warm-up: first use of each term
        fn(q)
    times = []
    for _ in range(rounds):
        for q in queries:
            t = time.perf_counter()
            fn(q)
            times.append((time.perf_counter() - t) * 1000)
    return times


# -- recall ------------------------------------------------------------------------

def literal_runs(paras, n: int, seed: int) -> tuple[list[str], dict[str, set[int]]]:
    texts = [p[4] for p in paras]
    big = "\x00".join(texts)
    starts, pos = [], 0
    for t in texts:
        starts.append(pos)
        pos += len(t) + 1
    rng = random.Random(seed)
    runs: list[str] = []
    while len(runs) < n:
        at, length = rng.randrange(len(big)), rng.randint(2, 5)
        run = big[at:at + length]
        if len(run) == length and all("\u4e00" <= c <= "\u9fff" for c in run) and run not in runs:
            runs.append(run)
    truth = {}
    for run in runs:
        found, i = set(), big.find(run)
        while i != -1:
            found.add(bisect_right(starts, i) - 1)
            i = big.find(run, i + 1)
        truth[run] = found
    return runs, truth


def recall(find_all, runs, truth) -> tuple[float, int]:
    hit = total = full = 0
    for run in runs:
        found = find_all(run) & truth[run]
        hit += len(found)
        total += len(truth[run])
        full += len(found) == len(truth[run])
    return hit / max(total, 1), full


# -- HTTP --------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_status_mb(pid: int) -> dict[str, float]:
    """VmRSS, VmHWM, RssAnon, RssFile of a process, in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
            fields[key] = int(value.split()[0]) / 1024
    return fields


def rss_mb(pid: int) -> tuple[float, float]:
    fields = proc_status_mb(pid)
    return fields["VmRSS"], fields["VmHWM"]


def load_run(port: int, clients: int, rounds: int, cap_s: float, seed: int) -> dict:
    """`clients` threads, each sending the 40 queries `rounds` times (own order), stopping at cap_s."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + cap_s

    def client(k: int):
        order = list(QUERIES)
        random.Random(seed + k).shuffle(order)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        try:
            for _ in range(rounds):
                for params in order:
                    if time.monotonic() > deadline:
                        return
                    path = "/api/search?" + urllib.parse.urlencode({**params, "per_page": 20})
                    t = time.perf_counter()
                    conn.request("GET", path)
                    resp = conn.getresponse()
                    body = resp.read()
                    mine.append((time.perf_counter() - t) * 1000)
                    if resp.status != 200 or b'"facets"' not in body:
                        with lock:
                            errors.append(f"{resp.status} {params}")
        except OSError as exc:
            with lock:
                errors.append(repr(exc))
        finally:
            conn.close()
            with lock:
                latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {"clients": clients, "requests": len(latencies), "median": pct(latencies, 0.5),
            "p95": pct(latencies, 0.95), "max": max(latencies, default=float("nan")),
            "rps": len(latencies) / elapsed, "errors": len(errors), "error_samples": errors[:3],
            "capped": time.monotonic() > deadline}


@contextmanager
def serving(store_args: list[str]):
    """A fresh `archive serve` on a free port over a store (`--index DIR` or `--database URL`): (port, process)."""
    port = free_port()
    with tempfile.TemporaryFile() as err:
        server = subprocess.Popen(archive_cmd("serve", *store_args, "--port", str(port)),
                                  cwd=REPO, stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL)
        try:
            up = time.monotonic() + 120
            while True:
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    conn.request("GET", "/api/search?q=")
                    conn.getresponse().read()
                    conn.close()
                    break
                except OSError:
                    if time.monotonic() > up or server.poll() is not None:
                        err.seek(0)
                        sys.exit(f"bench: server did not start:\n{err.read().decode()[-2000:]}")
                    time.sleep(0.2)
            yield port, server
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def measure_http(index: Path, rounds1: int, rounds8: int, cap_s: float, seed: int,
                 store_args: list[str] | None = None, after_load=None) -> dict:
    """First sight, 1 client, 8 clients against a fresh server; `after_load(out)` runs before it stops."""
    with serving(store_args or ["--index", str(index)]) as (port, server):
        out = {"startup_rss": rss_mb(server.pid)[0]}
        log("HTTP: first sight, each query once (caches cold)")
        out["first"] = load_run(port, 1, 1, cap_s, seed)
        log("HTTP: 1 client")
        out["one"] = load_run(port, 1, rounds1, cap_s, seed)
        log(f"  {out['one']['requests']} requests, median {out['one']['median']:.1f} ms, p95 {out['one']['p95']:.1f} ms")
        if rounds8:
            log("HTTP: 8 clients")
            out["eight"] = load_run(port, 8, rounds8, cap_s, seed)
            log(f"  {out['eight']['requests']} requests, median {out['eight']['median']:.1f} ms, "
                f"p95 {out['eight']['p95']:.1f} ms")
        out["rss"], out["hwm"] = rss_mb(server.pid)
        status = proc_status_mb(server.pid)
        out["rss_anon"], out["rss_file"] = status.get("RssAnon"), status.get("RssFile")
        if after_load is not None:
            after_load(out)
    return out


def measure_cold(index: Path, repeat: int) -> list[dict]:
    rows = []
    for args in COLD_QUERIES:
        walls = []
        for _ in range(repeat):
            r = run_measured(archive_cmd("search", "--index", str(index), *args))
            walls.append(r["wall"])
        rows.append({"query": " ".join(args), "median": statistics.median(walls), "max": max(walls)})
        log(f"cold archive search {' '.join(args)}: median {rows[-1]['median']:.2f} s")
    r = [run_measured([sys.executable, "-c", "pass"])["wall"] for _ in range(repeat)]
    rows.append({"query": "(python -c pass, for reference)", "median": statistics.median(r), "max": max(r)})
    return rows


# -- report ----------------------------------------------------------------------

def machine_info() -> dict:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    mem = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/meminfo").read_text().splitlines()
                if ln.startswith("MemTotal")), "?")
    versions = {}
    for mod in ("whoosh", "rjieba", "jieba", "numpy", "flask", "waitress"):
        try:
            from importlib.metadata import version
            versions[mod] = version({"whoosh": "Whoosh-Reloaded"}.get(mod, mod))
        except Exception:
            versions[mod] = "?"
    versions["sqlite"] = sqlite3.sqlite_version
    rg = shutil.which("rg")
    versions["ripgrep"] = subprocess.run([rg, "--version"], capture_output=True, text=True).stdout.split("\n")[0] if rg else "not installed"
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "archive", "web", "bench"], cwd=REPO,
                           capture_output=True, text=True).stdout.strip()
    return {"cpu": cpu, "cores": os.cpu_count(), "mem": mem, "python": platform.python_version(),
            "platform": platform.platform(), "versions": versions, "commit": commit + (" (+ uncommitted changes)" if dirty else "")}


def fmt(x, digits=1):
    if x is None or (isinstance(x, float) and x != x):
        return "—"
    return f"{x:.{digits}f}"


def render(res: dict) -> str:
    m = res["machine"]
    L = [f"# Benchmark results", "",
         f"Generated by `{res['command']}` on {res['date']}.", "",
         f"- Machine: {m['cpu']}, {m['cores']} cores, {m['mem']} RAM; {m['platform']}; Python {m['python']}",
         "- Versions: " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()),
         f"- Code: commit {m['commit']}",
         f"- Load average (1/5/15 min) before: {res['load_before']}, after: {res['load_after']} "
         f"(the machine is shared: other engineers' tests may run at the same time)",
         f"- Corpus: {res['corpus']} — {res['files']} files, {res['mb']:.1f} MB of markdown, "
         f"{res['paragraphs']} paragraphs; read from `../shared/corpora`, staged in a temp folder", ""]

    L += ["## Ingest (`archive ingest`, a fresh process each step)", "",
          "| step | files | wall s | in-process s | MB/s | peak RSS MB | index MB | added/updated/removed |",
          "|---|---:|---:|---:|---:|---:|---:|---|"]
    for r in res["ingest"]:
        s = r["summary"]
        rate = fmt(r["mb"] / r["wall"], 3) if r["mb"] and r["step"].startswith("full build") else ""
        L.append(f"| {r['step']} | {r['files']} | {fmt(r['wall'], 2)} | {fmt(r['inproc'], 2)} | {rate} | "
                 f"{fmt(r['rss_mb'], 0)} | {fmt(r['index_mb'], 0)} | {s['added']}/{s['updated']}/{s['removed']} |")
    L.append("")

    if res.get("http"):
        h = res["http"]
        L += ["## Search over HTTP (`archive serve`, waitress, 4 threads; search + facets + highlight, top 20)", "",
              "A fresh server. First each query once, as first seen (cold caches: the server keeps term "
              "postings and the documents of literal runs in an LRU cache, as it does in use for pages and "
              "facet clicks); then the 40 queries in rounds (warm): one client, then eight at once.", "",
              "| clients | requests | median ms | p95 ms | max ms | req/s | errors |", "|---:|---:|---:|---:|---:|---:|---:|"]
        rows = [("1, first sight", h["first"])] if h.get("first") else []
        for label, r in rows + [(str(h["one"]["clients"]), h["one"]), (str(h["eight"]["clients"]), h["eight"])]:
            L.append(f"| {label} | {r['requests']}{' (capped)' if r['capped'] else ''} | {fmt(r['median'])} | "
                     f"{fmt(r['p95'])} | {fmt(r['max'])} | {fmt(r['rps'])} | {r['errors']} |")
        split = (f"; {fmt(h['rss_anon'], 0)} MB of it the process's own memory, {fmt(h['rss_file'], 0)} MB "
                 f"mapped files (the units text of the index and the libraries)") if h.get("rss_anon") else ""
        L += ["", f"Serving process RSS: {fmt(h['startup_rss'], 0)} MB after start-up, **{fmt(h['rss'], 0)} MB after the load** "
              f"(peak {fmt(h['hwm'], 0)} MB{split}).", ""]

    if res.get("cold"):
        L += [f"## `archive search` from a cold process (wall time, {res.get('cold_repeat', 5)} runs)", "",
              "| query | median s | max s |", "|---|---:|---:|"]
        L += [f"| `{r['query']}` | {fmt(r['median'], 2)} | {fmt(r['max'], 2)} |" for r in res["cold"]]
        L.append("")

    if res.get("engines"):
        L += ["## Side by side on the same paragraphs and queries (in-process)", "",
              f"Ingest MB/s is corpus MB over build time. For the baselines the build starts from paragraph "
              f"texts already extracted by our ingest ({fmt(res['extract_s'], 1)} s, not counted), so their "
              f"figures are flattering; ours is the whole `archive ingest` process. Query times: the 40 queries "
              f"× {res['rounds']} rounds after a warm-up; ours is `SearchService.search` (search + facets + "
              f"highlight, top 20, with filters), the baselines get the query text only (top 20, highlighting "
              f"where the engine has it). Recall: {res['recall_runs']} random 2–5 character runs of Chinese "
              f"characters; of all (run, paragraph containing it) pairs, the share returned.", "",
              "| engine | ingest MB/s | index MB | query median ms | query p95 ms | literal recall | runs fully found |",
              "|---|---:|---:|---:|---:|---:|---:|"]
        for e in res["engines"]:
            L.append(f"| {e['name']} | {fmt(e.get('mbps'), 3)} | {fmt(e.get('index_mb'), 0)} | {fmt(e.get('median'))} | "
                     f"{fmt(e.get('p95'))} | {fmt(e.get('recall'), 3)} | {e.get('full', '—')}/{res['recall_runs']} |")
        for e in res["engines"]:
            if e.get("note"):
                L.append(f"\n- {e['name']}: {e['note']}")
        L.append("")

    if res.get("targets"):
        L += ["## Targets", "", "| target | measured | met |", "|---|---|---|"]
        L += [f"| {t} | {v} | {'yes' if ok else '**no**'} |" for t, v, ok in res["targets"]]
        L.append("")

    if res.get("per_query"):
        L += ["## The 40 queries (in-process, ours)", "", "| query | filters | total | median ms |", "|---|---|---:|---:|"]
        for r in res["per_query"]:
            flt = " ".join(f"{k}={v}" for k, v in r["params"].items() if k != "q")
            L.append(f"| `{r['params']['q']}` | {flt} | {r['total']} | {fmt(r['median'])} |")
        L.append("")
    return "\n".join(L)


def _procs_note() -> str:
    from archive.engines.whoosh.build import INGEST_PROCS
    return f"a fresh build uses up to {INGEST_PROCS} worker processes, one per core"


def targets(res: dict) -> list:
    out = []
    eng = {e["key"]: e for e in res.get("engines", [])}
    full = res["ingest"][0]
    if "ours" in eng and "jieba" in eng and eng["jieba"].get("mbps"):
        ratio = eng["ours"]["mbps"] / eng["jieba"]["mbps"]
        one = next((r for r in res["ingest"] if r["step"] == "full build, one process"), None)
        per_core = (f"; in one process {one['mb'] / one['wall'] / eng['jieba']['mbps']:.2f}×, baseline 1 "
                    f"being one process") if one else ""
        out.append(("ingest ≥ 2× baseline 1 throughput", f"{ratio:.2f}× ({eng['ours']['mbps']:.3f} vs "
                    f"{eng['jieba']['mbps']:.3f} MB/s, {_procs_note()}{per_core})",
                    ratio >= TARGETS["ingest_ratio"]))
    if res.get("http"):
        h = res["http"]
        out.append(("search p95 < 50 ms, 1 client (HTTP)", f"{h['one']['p95']:.1f} ms", h["one"]["p95"] < TARGETS["p95_1"]))
        out.append(("search p95 < 150 ms, 8 clients (HTTP)", f"{h['eight']['p95']:.1f} ms", h["eight"]["p95"] < TARGETS["p95_8"]))
        out.append(("serving RSS < 400 MB after the load", f"{h['rss']:.0f} MB", h["rss"] < TARGETS["rss"]))
    if res.get("cold"):
        worst = max(r["median"] for r in res["cold"][:-1])
        out.append(("cold `archive search` < 0.8 s", f"{worst:.2f} s (slowest median)", worst < TARGETS["cold"]))
    changed = next(r for r in res["ingest"] if r["step"] == "one file changed")
    out.append((f"one changed file re-indexed < 2 s ({full['files']} files)", f"{changed['wall']:.2f} s wall "
                f"({changed['inproc']:.2f} s in-process)", changed["wall"] < TARGETS["changed"]))
    if "ours" in eng:
        out.append(("literal recall 1.000", f"{eng['ours']['recall']:.3f}", eng["ours"]["recall"] >= 1.0))
    return out


KEPT = ("<!-- engines.py -->", "<!-- /engines.py -->")


def kept_sections(results: Path) -> str:
    """The engines' section of RESULTS.md (bench/engines.py, written by hand from its output), kept on a rewrite."""
    text = results.read_text(encoding="utf-8") if results.exists() else ""
    start, end = text.find(KEPT[0]), text.find(KEPT[1])
    return "\n" + text[start:end + len(KEPT[1])] + "\n" if 0 <= start < end else ""


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", choices=["law", "reports", "both"], default="law")
    ap.add_argument("--subset", type=float, metavar="MB", help="a seeded random subset of about MB megabytes")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--rounds", type=int, default=3, help="rounds of the 40 queries (in-process and 1 client)")
    ap.add_argument("--rounds8", type=int, default=2, help="rounds of the 40 queries per client with 8 clients")
    ap.add_argument("--cap", type=float, default=300.0, help="seconds after which a load run stops")
    ap.add_argument("--recall-runs", type=int, default=200)
    ap.add_argument("--cold-repeat", type=int, default=5)
    ap.add_argument("--skip-baselines", action="store_true")
    ap.add_argument("--skip-http", action="store_true")
    ap.add_argument("--workdir", help="work folder (default: a new temp folder, removed afterwards)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("--results", default=str(REPO / "bench" / "RESULTS.md"), help="where to write the report ('-': nowhere)")
    ap.add_argument("--render", metavar="JSON", help="only rewrite the report from a saved bench-results.json")
    args = ap.parse_args(argv)
    notes = REPO / "bench" / "optimisations.md"
    if args.render:
        res = json.loads(Path(args.render).read_text(encoding="utf-8"))
        report = render(res)
        Path(args.results).write_text(report + kept_sections(Path(args.results)) +
                                      ("\n" + notes.read_text(encoding="utf-8") if notes.exists() else ""),
                                      encoding="utf-8")
        print(report)
        return 0

    res = {"command": "python bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:]),
           "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
           "load_before": " ".join(f"{x:.2f}" for x in os.getloadavg()), "machine": machine_info(),
           "rounds": args.rounds, "recall_runs": args.recall_runs}
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="archive-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    corpus, index = work / "corpus", work / "index"
    try:
        shutil.rmtree(corpus, ignore_errors=True)
        shutil.rmtree(index, ignore_errors=True)
        files = select_files(args.corpus, args.subset, args.seed)
        mb = stage_corpus(files, corpus)
        res.update(corpus=args.corpus + (f" (subset ~{args.subset:g} MB, seed {args.seed})" if args.subset else ""),
                   files=len(files), mb=mb)
        log(f"corpus: {len(files)} files, {mb:.1f} MB in {corpus}")

        res["ingest"] = measure_ingest(work, corpus, index, mb, len(files))
        full = res["ingest"][0]

        t = time.perf_counter()
        paras = load_paragraphs(corpus)
        res["extract_s"] = time.perf_counter() - t
        res["paragraphs"] = len(paras)
        log(f"{len(paras)} paragraphs extracted in {res['extract_s']:.1f} s")
        runs, truth = literal_runs(paras, args.recall_runs, args.seed)

        ours = Ours(index, paras)
        per_query = {i: [] for i in range(len(QUERIES))}
        totals = {}

        def ours_query(i):
            t0 = time.perf_counter()
            out = ours.search(QUERIES[i])
            per_query[i].append((time.perf_counter() - t0) * 1000)
            totals[i] = out["total"]

        times = time_queries(ours_query, range(len(QUERIES)), args.rounds)
        res["per_query"] = [{"params": QUERIES[i], "total": totals[i], "median": statistics.median(per_query[i][1:])}
                            for i in range(len(QUERIES))]
        rec, fully = recall(ours.find_all, runs, truth)
        engines = [{"key": "ours", "name": ours.name, "mbps": mb / full["wall"], "index_mb": full["index_mb"],
                    "median": statistics.median(times), "p95": pct(times, 0.95), "recall": rec, "full": fully,
                    "note": "ingest includes markdown parsing, tagging (regions, topics, dates, key terms), "
                            "both text views and facets; queries include facet counts and highlighting."}]
        log(f"ours in-process: median {engines[0]['median']:.1f} ms, p95 {engines[0]['p95']:.1f} ms, recall {rec:.3f}")
        del ours

        if not args.skip_baselines:
            texts_mb = sum(len(p[4].encode()) for p in paras) / 1e6
            for key, engine in (("jieba", JiebaWhoosh(work)), ("fts5", Fts5Trigram(work)), ("rg", Ripgrep(corpus))):
                if isinstance(engine, Ripgrep) and not engine.available():
                    engines.append({"key": key, "name": engine.name, "note": "ripgrep is not installed (apt-get install ripgrep)"})
                    continue
                log(f"baseline {engine.name}: building")
                seconds = engine.build(paras)
                row = {"key": key, "name": engine.name}
                if key != "rg":
                    row.update(mbps=mb / seconds, index_mb=engine.size_mb(), build_s=seconds)
                times = time_queries(lambda i: engine.query(QUERIES[i]["q"]), range(len(QUERIES)), args.rounds)
                row.update(median=statistics.median(times), p95=pct(times, 0.95))
                row["recall"], row["full"] = recall(engine.find_all, runs, truth)
                if key == "jieba":
                    quoted, _ = recall(lambda r: engine.find_all(r, quoted=True), runs, truth)
                    row["note"] = (f"built in {seconds:.1f} s ({texts_mb:.1f} MB of paragraph text); recall with the run "
                                   f"as typed (QueryParser ANDs jieba's words); with the run in quotes: {quoted:.3f}.")
                elif key == "fts5":
                    row["note"] = f"built in {seconds:.1f} s; terms under 3 characters use a full scan with instr() (LIKE with under 3 characters returns no rows in SQLite 3.40's trigram tokenizer)."
                else:
                    row["note"] = ("no index: each query scans the raw files (longest term, then the other terms "
                                   "filtered per line); a run broken across lines in the file is missed.")
                log(f"  {engine.name}: {row}")
                engine.close()
                engines.append(row)
        res["engines"] = engines

        if not args.skip_http:
            res["http"] = measure_http(index, args.rounds, args.rounds8, args.cap, args.seed)
        res["cold"] = measure_cold(index, args.cold_repeat)
        res["cold_repeat"] = args.cold_repeat
        res["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
        res["targets"] = targets(res)
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(work, ignore_errors=True)

    report = render(res)
    if args.results != "-":
        text = report + kept_sections(Path(args.results)) + ("\n" + notes.read_text(encoding="utf-8") if notes.exists() else "")
        Path(args.results).write_text(text, encoding="utf-8")
        (work if args.keep or args.workdir else Path(tempfile.gettempdir())).joinpath("bench-results.json").write_text(
            json.dumps(res, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
