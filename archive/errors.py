"""The errors every front understands, whichever engine answered.

The CLI prints them and exits 2; the web answers 400 (a request it cannot
use) or 503 (no index to search). Engines raise these, never their own.
"""


class IndexMissing(Exception):
    """There is no index (or database schema) to search yet: run `archive ingest`."""


class IndexOutdated(Exception):
    """The index was built by another version of the analysis or schema: rebuild or migrate."""


class IndexBusy(Exception):
    """Another ingest holds the index."""


class BadRequest(ValueError):
    """A parameter that cannot be used; the message says which and why (shown to the user)."""


class QueryError(BadRequest):
    """A query that cannot be searched; the message is shown to the user."""
