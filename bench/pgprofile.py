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


def explain_probes(reader) -> None:
    """EXPLAIN ANALYZE of each probe: a unit or bigram, its terms row; a longer run, the check of its candidates."""
    import numpy as np
    from archive.engines.postgres.arrays import POSTINGS_SQL, check_sql
    from archive.engines.postgres.schema import CHARS
    conn, gen = reader.conn, reader.gen
    for term in PROBES:
        if len(term) <= 2:
            sql, params = POSTINGS_SQL, {"f": CHARS, "t": term}
        else:
            docs = None
            for gram in gen.run_grams(term):
                found = gen.postings(conn, "chars", gram)[0]
                docs = found if docs is None else np.intersect1d(docs, found, assume_unique=True)
            sql, params = check_sql(term, gen.seqs[docs].tolist())
            print(f"\n{term}: {len(docs)} candidates")
        plan = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params).fetchall()
        print(f"\nEXPLAIN ANALYZE, postings of {term}:")
        print("\n".join("  " + row[0] for row in plan))


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
        engine = PostgresEngine(url)
        t = time.perf_counter()
        reader = engine.reader()
        print(f"first reader (loads the generation's arrays): {time.perf_counter() - t:.2f} s, "
              f"{reader.gen.size} paragraphs")
        explain_probes(reader)
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
