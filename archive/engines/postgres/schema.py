"""The tables of the PostgreSQL engine, all in one schema (`archive`), and its version.

    schema_version  one row: the layout below (SCHEMA_VERSION); another one is rebuilt by ingest
    state           one row: the generation (a fresh token on every commit: readers cache arrays per
                    generation), the meta of the last commit (analysis versions, extraction
                    fingerprint), and the statistics BM25F needs: N (every record, as Whoosh counts
                    documents: paragraphs, meetings, files and the meta record) and the total length
                    of each scored field
    terms           df per (field, term) of the scored fields (chars: units and bigrams; text, title,
                    section: words), kept current by every ingest; also the suggester's vocabulary;
                    and the term's postings as the last rebuild wrote them (postings.py: the
                    paragraphs' seqs as varint gaps and their frequencies), the facet values' too
                    (df 0)
    postings        the parts of postings each incremental run added since, merged into the terms row
                    once a term has postings.PARTS_MAX of them
    files           the manifest: source -> SHA-256, with the file record
    meetings        meeting records, with their values (`facets`: "keyterm:…", "topic:…", "region:…";
                    GIN) for related meetings
    paragraphs      paragraph records: the text as written and, where SQL cannot make it from the
                    text (rows.UNITS_SQL), its units string (the exact check of a literal run's candidates); field lengths (raw: quantized when read);
                    date_sort (their facet values, "field:value" of every facet field of
                    archive/index/records.py, are postings of the field FACET)
    seq             the sequence giving paragraphs and meetings their index order

Paragraphs and meetings carry meeting_id in every unique key, so that a cluster can
hash-partition both by meeting_id across shards (cluster.py, postgres_fdw): a meeting and its
paragraphs stay together; the other tables stay on the coordinator. An ingest writes everything
in one transaction; a rebuild builds the whole schema as `archive_build` and swaps it in at commit.
"""

SCHEMA = "archive"
BUILD_SCHEMA = "archive_build"
SCHEMA_VERSION = 2  # 1: term codes (GIN) and words columns in every paragraph row

# Scored fields: their number in `terms` and `postings`; and the facet values' number in `postings`.
CHARS, TEXT, TITLE, SECTION, FACET = 0, 1, 2, 3, 4
FIELDS = {"chars": CHARS, "text": TEXT, "title": TITLE, "section": SECTION}

# Tables a reader locks (in this order, the state first) before its snapshot is taken.
READ_TABLES = ("state", "schema_version", "terms", "postings", "files", "meetings", "paragraphs")

PARAGRAPH_COLUMNS = (
    "meeting_id", "id", "source", "units",
    "len_text", "len_title", "len_section", "len_chars",
    "date_sort", "text", "info")
MEETING_COLUMNS = ("meeting_id", "source", "facets", "info")
FILE_COLUMNS = ("source", "hash", "info")


MEETINGS_TABLE = """(
            meeting_id text NOT NULL,
            seq bigint NOT NULL{seq},
            source text NOT NULL,
            facets text[] NOT NULL,
            info json NOT NULL)"""
PARAGRAPHS_TABLE = """(
            seq bigint NOT NULL{seq},
            date_sort integer NOT NULL,
            len_text integer NOT NULL,
            len_title integer NOT NULL,
            len_section integer NOT NULL,
            len_chars integer NOT NULL,
            meeting_id text NOT NULL,
            id text NOT NULL,
            source text NOT NULL,
            units text,
            text text NOT NULL,
            info json NOT NULL)"""


def _local_tables(s: str) -> list[str]:
    """The tables that stay on one node (a cluster's coordinator): version, state, sequence, terms, postings,
    files."""
    return [
        f"CREATE SCHEMA {s}",
        f"CREATE TABLE {s}.schema_version (version integer NOT NULL)",
        f"INSERT INTO {s}.schema_version VALUES ({SCHEMA_VERSION})",
        f"""CREATE TABLE {s}.state (
            one boolean PRIMARY KEY DEFAULT true CHECK (one),
            generation text NOT NULL,
            meta json NOT NULL,
            documents bigint NOT NULL,
            len_text bigint NOT NULL,
            len_title bigint NOT NULL,
            len_section bigint NOT NULL,
            len_chars bigint NOT NULL)""",
        f"INSERT INTO {s}.state VALUES (true, '', '{{}}', 0, 0, 0, 0, 0)",
        f"CREATE SEQUENCE {s}.seq AS bigint",
        f"""CREATE TABLE {s}.terms (
            field smallint NOT NULL,
            term text COLLATE "C" NOT NULL,
            df integer NOT NULL,
            base bigint,
            n integer,
            weighted boolean,
            data bytea)""",
        f"""CREATE TABLE {s}.postings (
            field smallint NOT NULL,
            term text COLLATE "C" NOT NULL,
            base bigint NOT NULL,
            n integer NOT NULL,
            weighted boolean NOT NULL,
            data bytea NOT NULL)""",
        # (varint gaps hardly compress: stored as they are, read without decompressing)
        *(f"ALTER TABLE {s}.{t} ALTER COLUMN data SET STORAGE EXTERNAL" for t in ("terms", "postings")),
        f"""CREATE TABLE {s}.files (
            source text NOT NULL,
            hash text NOT NULL,
            info json NOT NULL)""",
    ]


def _sharded_tables(s: str, seq: str) -> list[str]:
    """Meetings and paragraphs, where their rows are stored (one node, or each shard of a cluster)."""
    return [
        f"CREATE TABLE {s}.meetings {MEETINGS_TABLE.format(seq=seq)}",
        f"CREATE TABLE {s}.paragraphs {PARAGRAPHS_TABLE.format(seq=seq)}",
        # (the exact check of a literal run reads text and units: kept in the row, uncompressed)
        *(f"ALTER TABLE {s}.paragraphs ALTER COLUMN {c} SET STORAGE MAIN" for c in ("units", "text")),
    ]


def tables(s: str) -> list[str]:
    """The schema's tables on one node, without their secondary indexes (see indexes())."""
    return _local_tables(s) + _sharded_tables(s, f" DEFAULT nextval('{s}.seq')")


def shard_tables(s: str) -> list[str]:
    """A shard's schema: meetings and paragraphs with their indexes (the coordinator gives their seq), and
    the generation of the last commit that wrote to it (`stamp`: the coordinator's state.generation)."""
    return [f"CREATE SCHEMA {s}", *_sharded_tables(s, ""), *sharded_indexes(s),
            f"CREATE TABLE {s}.stamp (generation text NOT NULL)", f"INSERT INTO {s}.stamp VALUES ('')"]


def coordinator_tables(s: str, servers: list[str], shard_schema: str) -> list[str]:
    """A cluster's coordinator schema: the local tables, and meetings and paragraphs hash-partitioned by
    meeting_id whose partitions are the foreign tables of `shard_schema` on each server (postgres_fdw)."""
    out, seq = _local_tables(s), f" DEFAULT nextval('{s}.seq')"
    for table, body in (("meetings", MEETINGS_TABLE), ("paragraphs", PARAGRAPHS_TABLE)):
        out.append(f"CREATE TABLE {s}.{table} {body.format(seq=seq)} PARTITION BY HASH (meeting_id)")
        out += [f"""CREATE FOREIGN TABLE {s}.{table}_shard{i} PARTITION OF {s}.{table}
                    FOR VALUES WITH (MODULUS {len(servers)}, REMAINDER {i}) SERVER {server}
                    OPTIONS (schema_name '{shard_schema}', table_name '{table}')""" for i, server in enumerate(servers)]
    out += [f"""CREATE FOREIGN TABLE {s}.stamp_shard{i} (generation text NOT NULL) SERVER {server}
                OPTIONS (schema_name '{shard_schema}', table_name 'stamp')""" for i, server in enumerate(servers)]
    return out


def local_indexes(s: str) -> list[str]:
    """Keys and indexes of the tables that stay on one node."""
    return [
        f"ALTER TABLE {s}.terms ADD PRIMARY KEY (field, term)",
        f"CREATE INDEX terms_second ON {s}.terms (right(term, 1)) WHERE field = {CHARS} AND length(term) = 2",
        f"ALTER TABLE {s}.postings ADD PRIMARY KEY (field, term, base)",
        f"ALTER TABLE {s}.files ADD PRIMARY KEY (source)",
    ]


def sharded_indexes(s: str) -> list[str]:
    """Keys and indexes of meetings and paragraphs (on one node, or each shard)."""
    return [
        f"ALTER TABLE {s}.meetings ADD PRIMARY KEY (meeting_id, seq)",
        f"CREATE INDEX meetings_source ON {s}.meetings (source)",
        f"CREATE INDEX meetings_facets ON {s}.meetings USING gin (facets)",
        f"ALTER TABLE {s}.paragraphs ADD PRIMARY KEY (meeting_id, seq)",
        f"CREATE INDEX paragraphs_seq ON {s}.paragraphs (seq)",
        f"CREATE INDEX paragraphs_id ON {s}.paragraphs (id)",
        f"CREATE INDEX paragraphs_source ON {s}.paragraphs (source)",
    ]


def indexes(s: str) -> list[str]:
    """Keys and indexes, made after a bulk load (or with the tables, for an empty schema)."""
    return local_indexes(s) + sharded_indexes(s)
