"""The PostgreSQL engine: the archive in a database, answering as the Whoosh engine does.

    schema.py    the tables and indexes (all in the schema `archive`), the schema version
    rows.py      records (archive/index/records.py) as rows: the engine-neutral analysis done in Python
    postings.py  postings per term (varint gaps and frequencies), written per ingest run, merged
    urls.py      database URLs parsed and redacted here (no message shows a password)
    connect.py   connections, the pool, the errors a front understands
    roles.py     `archive db init` on one node, `archive db grant ROLE` (the reader role `serve` runs as)
    build.py     the indexer: one transaction per ingest, COPY, the advisory lock, rebuilds swapped in
    arrays.py    per-generation arrays (index order, dates, field lengths, facets) and term postings
    evaluate.py  match plans as arrays: documents and BM25F scores
    searcher.py  Reader and Found over one snapshot
    engine.py    the Engine: a pool of connections, a reader per request
    cluster.py   the layout over shard nodes (init_cluster, `archive db init`): partitions as
                 postgres_fdw foreign tables, the shards' stamps, the shard a failure names

Nothing outside this folder imports psycopg; it is loaded when an engine is opened:
`PostgresEngine(url)`.
"""

from .engine import PostgresEngine

__all__ = ["PostgresEngine"]
