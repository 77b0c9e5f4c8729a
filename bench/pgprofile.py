#!/usr/bin/env python
"""Where a PostgreSQL ingest and search spend their time (for the must-holds bench/engines.py checks).

    python bench/pgprofile.py                 # the law corpus
    python bench/pgprofile.py --subset 5      # a 5 MB seeded subset

A throwaway server (tests/pg.py, fsync on) logs every statement that takes
over --log-ms; one `archive ingest --database` is timed, its client CPU
(the ingest process and its workers) against the server's statements (COPY,
index builds, ANALYZE), summed by kind from the server log. Then, in one
reader's snapshot: the time to load a generation's arrays (what a server does
on the first request after each commit), and EXPLAIN (ANALYZE, BUFFERS) of the
postings fetch of the most frequent terms of the bench queries.
"""

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.run import archive_cmd, run_measured, select_files  # noqa: E402
from bench.engines import stage_copies  # noqa: E402

PROBES = ("的", "应当", "人民政府", "罚款", "个人信息")
SENT = re.compile(r"LOG:  (?:statement|execute [^:]*): (.*)")  # simple and extended protocol
DURATION = re.compile(r"duration: ([0-9.]+) ms\s+statement: (.*)")


def statement_kind(sql: str) -> str:
    words = sql.split()
    head = " ".join(words[:2]).upper()
    if head.startswith("COPY"):
        return "COPY " + words[1].split("(")[0]
    if head.startswith("CREATE INDEX") or head.startswith("ALTER TABLE"):
        return "index builds (CREATE INDEX, primary keys)"
    return " ".join(words[:3])[:60]


def statements_per_search(server, url: str) -> None:
    """How many statements (round trips) each of the 40 bench queries sends, through SearchService."""
    import psycopg
    from archive.engines.postgres import PostgresEngine
    from archive.search.request import SearchRequest
    from archive.search.service import SearchService
    from bench.queries import QUERIES
    with psycopg.connect(server.url(), autocommit=True) as conn:
        conn.execute("ALTER DATABASE profile SET log_statement = 'all'")
    engine = PostgresEngine(url)
    service = SearchService(engine)
    for params in QUERIES:  # warm: the generation's arrays and the postings cache
        service.search(SearchRequest.from_params({**params, "per_page": "20"}))
    start = len(server.log.read_text(errors="replace").splitlines())
    for params in QUERIES:
        service.search(SearchRequest.from_params({**params, "per_page": "20"}))
    engine.close()
    lines = server.log.read_text(errors="replace").splitlines()[start:]
    sent = [m.group(1) or "(empty: the pool's connection check)" for m in map(SENT.search, lines) if m]
    kinds: dict[str, int] = {}
    for sql in sent:
        key = " ".join(sql.split()[:4])
        kinds[key] = kinds.get(key, 0) + 1
    print(f"\nstatements per search, warm (40 queries): {len(sent) / len(QUERIES):.1f}")
    for key, n in sorted(kinds.items(), key=lambda kv: -kv[1])[:12]:
        print(f"  {n / len(QUERIES):5.1f}  {key}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default="law")
    ap.add_argument("--subset", type=float)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--log-ms", type=int, default=100)
    args = ap.parse_args(argv)
    import psycopg
    from tests.pg import TempServer
    work = Path(tempfile.mkdtemp(prefix="archive-pgprofile-"))
    server = TempServer(fsync=True).start()
    try:
        files = select_files(args.corpus, args.subset, args.seed)
        mb = stage_copies(files, work / "corpus", 1)
        url = server.create_database("profile")
        with psycopg.connect(server.url(), autocommit=True) as conn:
            conn.execute(f"ALTER DATABASE profile SET log_min_duration_statement = {args.log_ms}")
        before = os.times()
        r = run_measured(archive_cmd("ingest", "--database", url, "--json", str(work / "corpus")))
        after = os.times()
        client_cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
        print(f"ingest: {mb:.1f} MB, {r['wall']:.1f} s wall ({mb / r['wall']:.3f} MB/s), client CPU "
              f"(ingest process + workers) {client_cpu:.1f} s, exit {r['rc']}")
        by_kind: dict[str, list[float]] = {}
        for line in server.log.read_text(errors="replace").splitlines():
            m = DURATION.search(line)
            if m:
                by_kind.setdefault(statement_kind(m.group(2)), []).append(float(m.group(1)) / 1000)
        print(f"server statements over {args.log_ms} ms, by kind (seconds):")
        for kind, secs in sorted(by_kind.items(), key=lambda kv: -sum(kv[1])):
            print(f"  {sum(secs):8.1f} s  {len(secs):5d}×  {kind}")

        from archive.engines.postgres import PostgresEngine
        from archive.engines.postgres.arrays import _tf_sql
        from archive.engines.postgres.rows import code
        from archive.engines.postgres.schema import CHARS, SCHEMA
        engine = PostgresEngine(url)
        t = time.perf_counter()
        reader = engine.reader()
        print(f"first reader (loads the generation's arrays): {time.perf_counter() - t:.2f} s, "
              f"{reader.gen.size} paragraphs")
        conn = reader.conn
        for term in PROBES:
            if len(term) == 1:
                params: list = []
                tf = _tf_sql(CHARS, term, params)
                params.append([code(CHARS, term)])
                sql = (f"SELECT array_agg(seq ORDER BY seq), array_agg(tf ORDER BY seq) FROM (SELECT seq, {tf} AS tf "
                       f"FROM {SCHEMA}.paragraphs WHERE terms @> %s::integer[]) AS m WHERE tf > 0")
            else:
                grams = [term[i:i + 2] for i in range(len(term) - 1)]
                params = [sorted({code(CHARS, g) for g in grams}), term]
                sql = (f"SELECT array_agg(seq ORDER BY seq) FROM {SCHEMA}.paragraphs "
                       f"WHERE terms @> %s::integer[] AND strpos(units, %s) > 0")
            plan = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params).fetchall()
            print(f"\nEXPLAIN ANALYZE, postings of {term}:")
            print("\n".join("  " + row[0] for row in plan))
            for work_mem in ("4MB", "64MB"):  # the default, and enough for an exact bitmap: warm, both
                conn.execute(f"SET LOCAL work_mem = '{work_mem}'")
                plan = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params).fetchall()
                keep = [r[0].strip() for r in plan if r[0].strip().startswith(("Heap Blocks", "Execution Time"))
                        or "temp" in r[0]]
                print(f"  again, warm, work_mem {work_mem}: " + "; ".join(keep))
        reader.close()
        engine.close()
        statements_per_search(server, url)
    finally:
        server.stop()
        import shutil
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
