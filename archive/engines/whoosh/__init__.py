"""The embedded engine: a Whoosh index in a folder (the default).

    store.py      the folder: generations, CURRENT, the ingest lock, positional reads
    schema.py     the Whoosh schema and records as its fields
    tokenizers.py Whoosh tokenizers over archive/analysis.py
    segment.py    the bulk segment writer (and the units text next to each segment)
    postings.py   terms and postings in a compact layout: writer, and Whoosh's terms reader over it
    stored.py     stored documents compressed in blocks; the codec the segments name
    merge.py      a full build's segments merged into one with array reads
    build.py      the indexer: incremental commits, parallel rebuilds
    arrays.py     per-searcher arrays: postings, facets, lengths, dates, units text
    evaluate.py   match plans as arrays: documents and BM25F scores
    searcher.py   Reader and Found over one searcher
    engine.py     the Engine: one shared reader, renewed when the index changes
    private.py    every private Whoosh name this engine relies on, in one place

Nothing outside this folder imports Whoosh; it is loaded when an index is opened.
"""

from .engine import WhooshEngine

__all__ = ["WhooshEngine"]
