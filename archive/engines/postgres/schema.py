"""The tables of the PostgreSQL engine, all in one schema (`archive`), and its version.

    schema_version  one row: the layout below (SCHEMA_VERSION); another one is rebuilt by ingest
    state           one row: the generation (a fresh token on every commit: readers cache arrays per
                    generation), the meta of the last commit (analysis versions, extraction
                    fingerprint), and the statistics BM25F needs: N (every record, as Whoosh counts
                    documents: paragraphs, meetings, files and the meta record) and the total length
                    of each scored field
    terms           df per (field, term) of the scored fields (chars: units and bigrams; text, title,
                    section: words), kept current by every ingest; also the suggester's vocabulary
    files           the manifest: source -> SHA-256, with the file record
    meetings        meeting records, with their values (`facets`: "keyterm:…", "topic:…", "region:…";
                    GIN) for related meetings
    paragraphs      paragraph records: the text as written and its units string (literal checks);
                    the words of text, title and section encoded for counting a word's frequency
                    (\\x01word\\x02 per token); field lengths, raw and quantized to Whoosh's byte;
                    date_sort and the facet values (`facets`: "field:value" of every facet field of
                    archive/index/records.py); `terms`, the distinct terms of all four fields as
                    32-bit codes (GIN: candidates, each checked exactly on the strings)
    seq             the sequence giving paragraphs and meetings their index order

Paragraphs and meetings carry meeting_id in every unique key, so that both can later be
hash-partitioned by meeting_id across shards (postgres_fdw): a meeting and its paragraphs
stay together. An ingest writes everything in one transaction; a rebuild builds the whole
schema as `archive_build` and swaps it in at commit.
"""

SCHEMA = "archive"
BUILD_SCHEMA = "archive_build"
SCHEMA_VERSION = 1

# Scored fields: their number in `terms` and in the term codes, and their words column.
CHARS, TEXT, TITLE, SECTION = 0, 1, 2, 3
FIELDS = {"chars": CHARS, "text": TEXT, "title": TITLE, "section": SECTION}
WORD_COLUMNS = {TEXT: "words_text", TITLE: "words_title", SECTION: "words_section"}

# Tables a reader locks (in this order, the state first) before its snapshot is taken.
READ_TABLES = ("state", "schema_version", "terms", "files", "meetings", "paragraphs")

PARAGRAPH_COLUMNS = (
    "meeting_id", "id", "source", "units", "words_text", "words_title", "words_section",
    "len_text", "len_title", "len_section", "len_chars", "qlen_text", "qlen_title", "qlen_section", "qlen_chars",
    "date_sort", "facets", "terms", "text", "info")
MEETING_COLUMNS = ("meeting_id", "source", "facets", "info")
FILE_COLUMNS = ("source", "hash", "info")


def tables(s: str) -> list[str]:
    """The schema's tables, without their secondary indexes (see indexes())."""
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
            df integer NOT NULL)""",
        f"""CREATE TABLE {s}.files (
            source text NOT NULL,
            hash text NOT NULL,
            info json NOT NULL)""",
        f"""CREATE TABLE {s}.meetings (
            meeting_id text NOT NULL,
            seq bigint NOT NULL DEFAULT nextval('{s}.seq'),
            source text NOT NULL,
            facets text[] NOT NULL,
            info json NOT NULL)""",
        f"""CREATE TABLE {s}.paragraphs (
            seq bigint NOT NULL DEFAULT nextval('{s}.seq'),
            date_sort integer NOT NULL,
            len_text integer NOT NULL,
            len_title integer NOT NULL,
            len_section integer NOT NULL,
            len_chars integer NOT NULL,
            qlen_text integer NOT NULL,
            qlen_title integer NOT NULL,
            qlen_section integer NOT NULL,
            qlen_chars integer NOT NULL,
            meeting_id text NOT NULL,
            id text NOT NULL,
            source text NOT NULL,
            facets text[] NOT NULL,
            units text NOT NULL,
            words_text text NOT NULL,
            words_title text NOT NULL,
            words_section text NOT NULL,
            terms integer[] NOT NULL,
            text text NOT NULL,
            info json NOT NULL)""",
        # What a search reads of every match stays in the row, uncompressed; the codes are read
        # only to build the GIN index: out of line, so that rows stay narrow.
        *(f"ALTER TABLE {s}.paragraphs ALTER COLUMN {c} SET STORAGE MAIN"
          for c in ("units", "words_text", "words_title", "words_section")),
        f"ALTER TABLE {s}.paragraphs ALTER COLUMN terms SET STORAGE EXTERNAL",
    ]


def indexes(s: str) -> list[str]:
    """Keys and indexes, made after a bulk load (or with the tables, for an empty schema)."""
    return [
        f"ALTER TABLE {s}.terms ADD PRIMARY KEY (field, term)",
        f"CREATE INDEX terms_second ON {s}.terms (right(term, 1)) WHERE field = {CHARS} AND length(term) = 2",
        f"ALTER TABLE {s}.files ADD PRIMARY KEY (source)",
        f"ALTER TABLE {s}.meetings ADD PRIMARY KEY (meeting_id, seq)",
        f"CREATE INDEX meetings_source ON {s}.meetings (source)",
        f"CREATE INDEX meetings_facets ON {s}.meetings USING gin (facets)",
        f"ALTER TABLE {s}.paragraphs ADD PRIMARY KEY (meeting_id, seq)",
        f"CREATE INDEX paragraphs_seq ON {s}.paragraphs (seq)",
        f"CREATE INDEX paragraphs_id ON {s}.paragraphs (id)",
        f"CREATE INDEX paragraphs_source ON {s}.paragraphs (source)",
        f"CREATE INDEX paragraphs_terms ON {s}.paragraphs USING gin (terms) WITH (gin_pending_list_limit = 16384)",
    ]
