"""The PostgreSQL engine's indexer: one ingest run, one transaction.

An incremental run deletes the rows of changed and removed files and COPYs the
new ones into the live tables, updates the term statistics and the manifest,
and commits once: readers (each in its own snapshot) see the state before or
after, and a run killed at any moment leaves the state before. A rebuild
(asked for, or the analysis or the schema layout changed) fills a whole new
schema, `archive_build`, indexes it after the load, and at commit drops
`archive` and renames the new schema in its place, in the same transaction
(lock_state()): searches go on answering from the old state meanwhile.

On a cluster (cluster.py) the same run writes through the coordinator: rows
are COPYed into temporary tables there and INSERTed into the partitioned
tables, which postgres_fdw sends to the shards in batches (COPY straight into
foreign partitions sends a statement a row; docs/postgres.md has the figures);
a rebuild fills each shard's spare set of tables instead of a new schema, and
a commit stamps every shard and waits for the searches in flight (cluster.py).

One ingest at a time: the run holds a session advisory lock, which the server
releases when the run's connection ends, so a killed ingest leaves no lock.
"""

import os
import time
import uuid
from contextlib import contextmanager

import numpy as np
import psycopg
from psycopg.types.json import Json

from ...analysis import ANALYZER_VERSION, SEGMENTER, unit_string
from ...errors import IndexOutdated
from ...workers import in_parallel, total_bytes, worker_count
from .cluster import CLUSTER, Layout, diverged, layout, unavailable
from .connect import connect, redact
from .lock import lock_ingest, release
from .roles import carry_grants
from . import postings as parts
from .postings import POSTINGS_COLUMNS, Spills, compact, part_rows
from .rows import Stats, lines, unpack_info, word_tokens
from .schema import (BUILD_SCHEMA, FILE_COLUMNS, MEETING_COLUMNS, PARAGRAPH_COLUMNS, SCHEMA, SCHEMA_VERSION,
                     coordinator_tables, indexes, local_indexes, tables)
from .users import create_store

COPY_ROWS = 5000  # paragraphs held before they are copied to the server
SWAP_WAIT = 2.0  # seconds a swap (or a cluster's commit) waits at a time for the searches in flight
SWAP_GIVE_UP = 3600.0  # and at most, all in all
COLUMNS = {"paragraphs": PARAGRAPH_COLUMNS, "meetings": MEETING_COLUMNS, "files": FILE_COLUMNS}


def _current(conn: psycopg.Connection) -> tuple[bool, int | None, dict]:
    """(schema present, its layout version, the meta of its last commit)."""
    if conn.execute("SELECT to_regclass(%s)", (f"{SCHEMA}.schema_version",)).fetchone()[0] is None:
        return False, None, {}
    version = conn.execute(f"SELECT max(version) FROM {SCHEMA}.schema_version").fetchone()[0]
    if version != SCHEMA_VERSION:
        return True, version, {}
    meta = conn.execute(f"SELECT meta FROM {SCHEMA}.state").fetchone()
    return True, version, (meta[0] if meta else {}) or {}


def current_meta(conn: psycopg.Connection) -> dict:
    """The meta of the archive's last commit, whatever its layout version ({} without an archive)."""
    if conn.execute("SELECT to_regclass(%s)", (f"{SCHEMA}.state",)).fetchone()[0] is None:
        return {}
    meta = conn.execute(f"SELECT meta FROM {SCHEMA}.state").fetchone()
    return (meta[0] if meta else {}) or {}


def lock_state(cur) -> None:
    """Wait until no search reads the archive, and keep new ones waiting until this transaction ends.

    Readers lock the state table first (engine.py): holding it ACCESS EXCLUSIVE, a rebuild drops
    the old schema without a deadlock once the searches reading it have finished, and a cluster
    commits its shards with no reader in between. New searches queue behind the lock meanwhile,
    so it is asked for SWAP_WAIT seconds at a time: a search that takes long (a large export)
    delays the commit, never the other searches for long.
    """
    deadline = time.monotonic() + SWAP_GIVE_UP
    cur.execute(f"SET LOCAL lock_timeout = '{int(SWAP_WAIT * 1000)}ms'")
    while True:
        cur.execute("SAVEPOINT swap")
        try:
            cur.execute(f"LOCK TABLE {SCHEMA}.state IN ACCESS EXCLUSIVE MODE")
            break
        except psycopg.errors.LockNotAvailable:
            cur.execute("ROLLBACK TO SAVEPOINT swap")
            if time.monotonic() > deadline:
                raise
            time.sleep(SWAP_WAIT / 4)
    cur.execute("RESET lock_timeout")


class PostgresIndexer:
    """The engine's Indexer (archive/engines/base.py) over one transaction of one connection."""

    def __init__(self, conn: psycopg.Connection, rebuilding: bool, meta: dict, cluster: Layout | None = None):
        self.conn = conn
        self.rebuilding = rebuilding
        self.cluster = cluster
        self.schema = BUILD_SCHEMA if rebuilding else SCHEMA
        self._meta = {} if rebuilding else meta
        self.stats = Stats()  # what this run adds to the statistics (deletions subtract)
        self.buffers: dict[str, list] = {"meetings": [], "paragraphs": [], "files": []}
        self.staged: set[str] = set()  # a cluster's temporary tables made so far
        self.seqs: list[np.ndarray] = []  # the seqs given to the paragraphs whose postings are held, in order
        self.spills: Spills | None = None  # the postings written as parts before the commit, if any
        self.committed = False
        if rebuilding:
            conn.execute(f"DROP SCHEMA IF EXISTS {BUILD_SCHEMA} CASCADE")
            if cluster is None:
                for sql in tables(BUILD_SCHEMA):
                    conn.execute(sql)
            else:  # the shards' spare tables, emptied (the live ones answer the searches meanwhile)
                for sql in coordinator_tables(BUILD_SCHEMA, cluster.servers, cluster.spare):
                    conn.execute(sql)
                conn.execute(f"TRUNCATE {BUILD_SCHEMA}.meetings, {BUILD_SCHEMA}.paragraphs")

    def manifest(self) -> dict[str, str]:
        if self.rebuilding:
            return {}
        return dict(self.conn.execute(f"SELECT source, hash FROM {SCHEMA}.files").fetchall())

    def meta(self) -> dict:
        return self._meta

    def write(self, files, prepare, report, progress) -> None:
        procs = worker_count(len(files), INGEST_PROCS, PARALLEL_MIN_FILES) if self.rebuilding else 1
        if procs > 1:
            pace = Pace(procs)
            for data, stats in _prepare_parallel(files, procs, prepare, report, progress, pace):
                for table, text in data.items():
                    self.buffers[table].append(text)
                self.stats.merge(stats)
                self._flush()
                pace.written()
            return
        for done, item in enumerate(files, start=1):
            if progress:
                progress(done, len(files), item[2])
            outcome = prepare(item)
            self._store(outcome)
            report(outcome)

    def _store(self, outcome) -> None:
        if not outcome.records:
            return
        if outcome.status == "updated" and not self.rebuilding:
            self._flush()
            self._delete(outcome.source)
        held = self.buffers
        for table, line in lines(outcome.records, self.stats):
            held[table].append(line)
        if len(held["paragraphs"]) >= COPY_ROWS:
            self._flush()

    def _flush(self) -> None:
        with self.conn.cursor() as cur:
            for table in ("meetings", "paragraphs", "files"):
                buffered = self.buffers[table]
                if not buffered:
                    continue
                target = f"{self.schema}.{table}"
                if self.cluster is not None and table != "files":
                    target = self._stage(cur, table)
                rows = sum(text.count("\n") for text in buffered)  # (one a line: COPY escapes newlines)
                with cur.copy(f"COPY {target} ({', '.join(COLUMNS[table])}) FROM STDIN") as copy:
                    copy.write("".join(buffered).encode("utf-8"))
                buffered.clear()
                if table == "paragraphs":  # given by the sequence, one after the other (one ingest at a time)
                    last = cur.execute(f"SELECT currval('{self.schema}.seq')").fetchone()[0]
                    self.seqs.append(np.arange(last - rows + 1, last + 1, dtype=np.int64))
                if target != f"{self.schema}.{table}":
                    cur.execute(f"INSERT INTO {self.schema}.{table} SELECT * FROM {target}")
                    cur.execute(f"TRUNCATE {target}")
            if self.stats.postings.size >= parts.SPILL_POSTINGS:
                self._spill()

    def _spill(self) -> None:
        """Write the postings held as parts (the paragraphs they were counted on are written), and let go."""
        if self.spills is None:
            self.spills = Spills()
        self.spills.add(self.stats.postings, self._seqs())
        self.stats.postings, self.seqs = self.stats.postings.emptied(), []

    def _seqs(self) -> np.ndarray:
        """The seqs of the paragraphs whose postings are held (the i-th at [i])."""
        seqs = np.concatenate(self.seqs) if self.seqs else np.zeros(0, dtype=np.int64)
        if len(seqs) != self.stats.postings.n:
            raise RuntimeError(f"{self.stats.postings.n} paragraphs analysed, {len(seqs)} written")
        return seqs

    def _stage(self, cur, table: str) -> str:
        """A cluster's temporary table for COPYing a table's rows (its seq given here, in order)."""
        name = f"stage_{table}"
        if name not in self.staged:
            cur.execute(f"CREATE TEMPORARY TABLE {name} (LIKE {self.schema}.{table} INCLUDING DEFAULTS) "
                        "ON COMMIT DROP")
            self.staged.add(name)
        return name

    def _delete(self, source: str) -> None:
        """Delete a source's rows, taking them out of the statistics."""
        s, stats = self.schema, self.stats
        with self.conn.cursor() as cur:
            titles = dict(cur.execute(f"SELECT meeting_id, info->>'title' FROM {s}.meetings WHERE source = %s "
                                      "ORDER BY seq DESC", (source,)).fetchall())  # (the first row's title last)
            cur.execute(f"""DELETE FROM {s}.paragraphs WHERE source = %s RETURNING units, text, meeting_id, info,
                            len_text, len_title, len_section, len_chars""", (source,))
            for units, text, meeting_id, info, lt, lti, ls, lc in cur.fetchall():
                info = unpack_info(info, titles.get(meeting_id)) or {}
                stats.add_terms(unit_string(text) if units is None else units, word_tokens(text), word_tokens(info.get("meeting_title")),
                                word_tokens(info.get("section")), sign=-1)
                stats.add_lengths({"text": lt, "title": lti, "section": ls, "chars": lc}, sign=-1)
                stats.documents -= 1
            for table in ("meetings", "files"):
                cur.execute(f"DELETE FROM {s}.{table} WHERE source = %s", (source,))
                stats.documents -= cur.rowcount

    def remove(self, source: str) -> None:
        self._flush()
        self._delete(source)

    def commit(self, meta: dict) -> None:
        self._flush()
        s, conn, stats = self.schema, self.conn, self.stats
        with conn.cursor() as cur:
            self._write_postings(cur)
            if not self.rebuilding:
                self._update_terms(cur)
            lengths, generation = stats.lengths, uuid.uuid4().hex
            if self.cluster is not None:  # every shard is stamped with the commit (see cluster.py)
                for i in range(len(self.cluster.servers)):
                    cur.execute(f"UPDATE {s}.stamp_shard{i} SET generation = %s", (generation,))
            cur.execute(f"""UPDATE {s}.state SET generation = %s, meta = %s, documents = documents + %s,
                            len_text = len_text + %s, len_title = len_title + %s,
                            len_section = len_section + %s, len_chars = len_chars + %s""",
                        (generation, Json(meta), stats.documents + (1 if self.rebuilding else 0),
                         lengths["text"], lengths["title"], lengths["section"], lengths["chars"]))
            if self.rebuilding:
                cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
                if self.cluster is None:
                    for sql in indexes(s):
                        cur.execute(sql)
                    cur.execute(f"ANALYZE {s}.paragraphs, {s}.meetings, {s}.terms, {s}.postings, {s}.files")
                else:  # (the shards' tables have their indexes; ANALYZE of a foreign table reads all of it)
                    for sql in local_indexes(s):
                        cur.execute(sql)
                    cur.execute(f"ANALYZE {s}.terms, {s}.postings, {s}.files")
                self._swap(cur)
            elif self.cluster is not None:  # postgres_fdw commits the shards one after the other: no reader in between
                lock_state(cur)
        self.committed = True
        conn.commit()

    def _write_postings(self, cur) -> None:
        """The run's postings: a rebuild's in the terms rows (with their df), an incremental run's as a part
        of each term it adds to (its df added to the statistics; a term with too many parts, merged)."""
        postings = self.stats.postings
        if self.spills is not None:  # (a large run: its parts merged per term, half a million postings at a time)
            if postings:
                self._spill()
            batches = [self.spills.rows(self.stats.postings)]
        elif postings:
            batches = [part_rows(postings, self._seqs())]
        else:
            return
        table, columns = (("terms", ("field", "term", "df", *POSTINGS_COLUMNS[2:])) if self.rebuilding
                          else ("postings", POSTINGS_COLUMNS))
        df, touched = self.stats.df, []
        for rows in batches:
            with cur.copy(f"COPY {self.schema}.{table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(["int2", "text", *(["int4"] if self.rebuilding else []), "int8", "int4", "bool", "bytea"])
                for row in rows:
                    scored = row[0] in df  # (not the facet values: df 0)
                    if self.rebuilding:
                        copy.write_row((row[0], row[1], row[3] if scored else 0, *row[2:]))
                        continue
                    copy.write_row(row)
                    if scored:
                        df[row[0]][row[1]] += row[3]
                    touched.append(row[:2])
        if self.spills is not None:
            self.spills.file.close()
        compact(cur, self.schema, touched)

    def _swap(self, cur) -> None:
        """Drop the old schema and rename the new one in its place (in this transaction).

        On a cluster the old schema's shard tables are emptied first (the next rebuild fills
        them) and the spare set becomes the live one.
        """
        if cur.execute("SELECT to_regclass(%s)", (f"{SCHEMA}.state",)).fetchone()[0] is not None:
            lock_state(cur)
            if self.cluster is not None:
                cur.execute(f"TRUNCATE {SCHEMA}.meetings, {SCHEMA}.paragraphs")
        if self.cluster is not None:
            cur.execute(f"UPDATE {CLUSTER}.layout SET live = %s", (self.cluster.spare,))
        carry_grants(cur, SCHEMA, BUILD_SCHEMA)  # (the reader roles of `archive db grant` read the new one)
        cur.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        cur.execute(f"ALTER SCHEMA {BUILD_SCHEMA} RENAME TO {SCHEMA}")

    def _update_terms(self, cur) -> None:
        """Add this run's document frequencies to the term statistics; drop terms no document holds."""
        fields, terms, deltas = [], [], []
        for field, counts in self.stats.df.items():
            for term, delta in counts.items():
                if delta:
                    fields.append(field)
                    terms.append(term)
                    deltas.append(delta)
        if not terms:
            return
        s = self.schema
        cur.execute(f"""INSERT INTO {s}.terms AS t (field, term, df)
                        SELECT * FROM unnest(%s::smallint[], %s::text[], %s::integer[])
                        ON CONFLICT (field, term) DO UPDATE SET df = t.df + excluded.df""", (fields, terms, deltas))
        cur.execute(f"""DELETE FROM {s}.terms t USING unnest(%s::smallint[], %s::text[]) AS d(field, term)
                        WHERE t.field = d.field AND t.term = d.term AND t.df <= 0""",
                    ([f for f, d in zip(fields, deltas) if d < 0], [t for t, d in zip(terms, deltas) if d < 0]))

    def cancel(self) -> None:
        if not self.committed:
            try:
                self.conn.rollback()
            except psycopg.Error:
                pass

    def counts(self) -> tuple[int, int]:
        found = self.conn.execute(f"""SELECT coalesce(sum((info->>'meetings')::int), 0),
                                             coalesce(sum((info->>'paragraphs')::int), 0) FROM {SCHEMA}.files""").fetchone()
        self.conn.rollback()
        return int(found[0]), int(found[1])


@contextmanager
def indexer(url: str, rebuild: bool, wait: float):
    """Hold the ingest lock and give the run's indexer; anything raised rolls back what it wrote."""
    conn = connect(url, autocommit=True, application_name=f"archive ingest (pid {os.getpid()})")
    try:
        try:  # a killed ingest's server process stops within a second, even in a long statement (PostgreSQL 14+)
            conn.execute("SET client_connection_check_interval = 1000")
        except psycopg.Error:
            pass
        lock_ingest(conn, redact(url), wait)
        cluster = layout(conn)
        if cluster is not None and cluster.version != SCHEMA_VERSION:
            raise IndexOutdated(f"{redact(url)} 的分片按架构版本 {cluster.version} 建立，这个版本的 archive 使用 "
                                f"{SCHEMA_VERSION}：请重新运行 `archive db init`，再运行 `archive ingest`")
        present, version, meta = _current(conn)
        if not present:  # a first ingest lays out the users store too (`serve` creates nothing)
            create_store(url)
        if not rebuild:
            built = (meta.get("analyzer"), meta.get("segmenter"))
            rebuild = not present or version != SCHEMA_VERSION or built != (ANALYZER_VERSION, SEGMENTER)
        if not rebuild and cluster is not None:  # a shard left with another commit: built afresh
            generation = conn.execute(f"SELECT generation FROM {SCHEMA}.state").fetchone()[0]
            try:
                rebuild = bool(diverged(conn, len(cluster.servers), generation))
            except psycopg.OperationalError as exc:
                raise unavailable(conn, redact(url), exc) from None
        conn.autocommit = False
        run = None
        try:
            run = PostgresIndexer(conn, rebuild, meta, cluster)
            yield run
        except psycopg.OperationalError as exc:  # a shard (or the server) went away: say which
            if run is not None:
                run.cancel()
            raise unavailable(conn, redact(url), exc) from None
        except BaseException:
            if run is not None:
                run.cancel()
            raise
    finally:
        release(conn)


# -- a rebuild of many files: files prepared in worker processes ---------------------

# A rebuild of at least this many files prepares them in worker processes (one per core, at most
# INGEST_PROCS; ARCHIVE_INGEST_PROCS overrides), which send back their rows as COPY text; this
# process copies them to the server in corpus order.
PARALLEL_MIN_FILES = 16
INGEST_PROCS = 2
CHUNK_BYTES = 1_000_000  # runs of files the workers take in turn


class Pace:
    """Keeps the workers a few runs ahead of what this process has written: the runs in between wait in
    memory (in the workers' sending threads and here): without it, a server slower than the workers would
    let the ingest's memory grow with the corpus."""

    def __init__(self, procs: int):
        import multiprocessing
        ctx = multiprocessing.get_context("fork")  # (as archive/workers.py: shared with the workers it forks)
        self.ahead = 2 * procs  # (≥ procs: the run this process waits for never waits itself)
        self.begun, self.done = ctx.Value("i", 0), ctx.Value("i", 0)

    def wait(self) -> None:
        """In a worker, before a run: wait while it is too far ahead (at most PACE_WAIT s: a pause, never a hang)."""
        with self.begun.get_lock():
            number = self.begun.value
            self.begun.value += 1
        deadline = time.monotonic() + PACE_WAIT
        while number >= self.done.value + self.ahead and time.monotonic() < deadline:
            time.sleep(0.02)

    def written(self) -> None:
        with self.done.get_lock():
            self.done.value += 1


PACE_WAIT = 60.0


def _prepare_run(pace, files, prepare, sent):
    """(COPY text per table, what they add to the statistics) of a run of files (in a worker process)."""
    pace.wait()
    stats, held = Stats(), {"meetings": [], "paragraphs": [], "files": []}
    for item in files:
        outcome = prepare(item)
        for table, line in lines(outcome.records, stats):
            held[table].append(line)
        sent(outcome)
    stats.postings.count()  # (here, in the worker: what it sends back is counted)
    return {t: "".join(v) for t, v in held.items()}, stats


def _prepare_parallel(files, procs, prepare, report, progress, pace: Pace):
    """Yield (rows per table, statistics) of each run of files, in corpus order."""
    return in_parallel(files, procs, max(4 * procs, -(-total_bytes(files) // CHUNK_BYTES)),
                       lambda: pace, _prepare_run, prepare, report, progress)
