#!/usr/bin/env python
"""Where a PostgreSQL archive's bytes go, and what a term costs the first time it is searched.

    python bench/pg_bytes.py                  # the law corpus
    python bench/pg_bytes.py --subset 10      # a 10 MB seeded subset (bench/run.py's select_files)

A throwaway server (tests/pg.py, fsync on); one `archive ingest --database` timed (wall, client CPU
with its workers, the server's CPU). Then the bytes of every relation of the schema `archive`: heap,
TOAST (with its index) and each index, per table, against the corpus; the stored bytes of each
paragraphs column (pg_column_size: after compression, as held in the row or in TOAST). Last, in
this process, a fresh engine: the first reader (a generation's arrays loaded), the 40 bench queries
once each (first sight: postings fetched from the server) and then --rounds times warm, as
SearchService answers them (search, facets, highlight, 20 hits): p50 / p95 in ms.
"""

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.engines import server_cpu, stage_copies  # noqa: E402
from bench.run import archive_cmd, run_measured, select_files  # noqa: E402

RELATIONS_SQL = """
SELECT c.relname, pg_relation_size(c.oid), coalesce(pg_total_relation_size(nullif(c.reltoastrelid, 0)), 0),
       pg_indexes_size(c.oid), pg_total_relation_size(c.oid),
       coalesce((SELECT json_object_agg(i.relname, pg_relation_size(i.oid) ORDER BY i.relname)
                 FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = c.oid), '{}')
FROM pg_class c WHERE c.relnamespace = 'archive'::regnamespace AND c.relkind IN ('r', 'p')
ORDER BY pg_total_relation_size(c.oid) DESC"""


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def byte_breakdown(url: str, corpus_mb: float) -> dict:
    """Bytes by relation and part, and by paragraphs column."""
    import psycopg
    with psycopg.connect(url, autocommit=True) as conn:
        database = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        rows = conn.execute(RELATIONS_SQL).fetchall()
        columns = [r[0] for r in conn.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = 'archive.paragraphs'::regclass AND attnum > 0 "
            "AND NOT attisdropped ORDER BY attnum").fetchall()]
        sums = ", ".join(f'sum(pg_column_size("{c}"))' for c in columns)
        stored = dict(zip(columns, conn.execute(f"SELECT {sums} FROM archive.paragraphs").fetchone()))
    mb = 1e6
    print(f"\ndatabase: {database / mb:.1f} MB = {database / mb / corpus_mb:.2f}× the corpus ({corpus_mb:.1f} MB)")
    print(f"{'table':<16}{'heap':>9}{'TOAST':>9}{'indexes':>9}{'total':>9}  MB; each index")
    tables = []
    for name, heap, toast, idx, total, each in rows:
        each = json.loads(each) if isinstance(each, str) else each
        print(f"{name:<16}{heap / mb:9.1f}{toast / mb:9.1f}{idx / mb:9.1f}{total / mb:9.1f}  "
              + ", ".join(f"{k} {v / mb:.1f}" for k, v in each.items()))
        tables.append({"table": name, "heap": heap, "toast": toast, "indexes": idx, "total": total, "each": each})
    print("paragraphs, stored bytes per column (MB): "
          + ", ".join(f"{c} {(v or 0) / mb:.1f}" for c, v in sorted(stored.items(), key=lambda kv: -(kv[1] or 0))))
    return {"database": database, "tables": tables, "columns": stored}


def search_times(url: str, rounds: int) -> dict:
    """First reader, first sight of the 40 queries and warm rounds, in this process (ms)."""
    from archive.engines.postgres import PostgresEngine
    from archive.search.request import SearchRequest
    from archive.search.service import SearchService
    from bench.queries import QUERIES
    engine = PostgresEngine(url)
    service = SearchService(engine)
    t = time.perf_counter()
    engine.reader().close()
    first_reader = (time.perf_counter() - t) * 1000

    def once() -> list[float]:
        out = []
        for params in QUERIES:
            t = time.perf_counter()
            service.search(SearchRequest.from_params({**params, "per_page": "20"}))
            out.append((time.perf_counter() - t) * 1000)
        return out

    first = once()
    warm = [ms for _ in range(rounds) for ms in once()]
    engine.close()
    slowest = sorted(zip(first, (q["q"] for q in QUERIES)), reverse=True)[:5]
    res = {"first_reader_ms": first_reader, "first_p50": statistics.median(first), "first_p95": pct(first, 0.95),
           "warm_p50": statistics.median(warm), "warm_p95": pct(warm, 0.95), "slowest_first": slowest}
    print(f"\nfirst reader (the generation's arrays): {first_reader:.0f} ms")
    print(f"first sight (40 queries once): p50 {res['first_p50']:.1f} ms, p95 {res['first_p95']:.1f} ms; slowest: "
          + ", ".join(f"{q} {ms:.0f}" for ms, q in slowest))
    print(f"warm ({rounds} rounds): p50 {res['warm_p50']:.1f} ms, p95 {res['warm_p95']:.1f} ms")
    return res


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default="law")
    ap.add_argument("--subset", type=float, metavar="MB")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", metavar="FILE", help="also write the figures here")
    args = ap.parse_args(argv)
    from tests.pg import TempServer
    work = Path(tempfile.mkdtemp(prefix="archive-pgbytes-"))
    server = TempServer(fsync=True).start()
    try:
        files = select_files(args.corpus, args.subset, args.seed)
        mb = stage_copies(files, work / "corpus", 1)
        url = server.create_database("bytes")
        cpu_before = server_cpu(server)
        r = run_measured(archive_cmd("ingest", "--database", url, "--json", str(work / "corpus")))
        if r["rc"] != 0:
            sys.exit(f"ingest failed:\n{r['stderr'][-3000:]}")
        summary = json.loads(r["stdout"])
        ingest = {"files": len(files), "mb": mb, "paragraphs": summary["paragraphs"], "wall": r["wall"],
                  "client_cpu": r["cpu"], "server_cpu": server_cpu(server) - cpu_before, "rss_mb": r["rss_mb"]}
        print(f"ingest: {len(files)} files, {mb:.1f} MB, {summary['paragraphs']} paragraphs: {r['wall']:.1f} s wall, "
              f"CPU client {r['cpu']:.1f} s, server {ingest['server_cpu']:.1f} s, peak RSS {r['rss_mb']:.0f} MB "
              f"(load {os.getloadavg()[0]:.1f})")
        res = {"ingest": ingest, "bytes": byte_breakdown(url, mb), "search": search_times(url, args.rounds)}
        if args.json:
            Path(args.json).write_text(json.dumps(res, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
