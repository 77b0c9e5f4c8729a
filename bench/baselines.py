"""The three baselines, fed the same paragraphs (from our ingest) and queries.

1. Whoosh with jieba's stock `jieba.analyse.ChineseAnalyzer`, set up the way
   jieba's README shows it (default writer, QueryParser, hit.highlights);
2. SQLite FTS5 with the `trigram` tokenizer; a scan (instr) for terms under 3 characters;
3. ripgrep over the raw corpus files, no index.

Each has build(paras) -> seconds, size_mb(), query(q) -> top-20 hits, and
find_all(run) -> the paragraph ordinals it returns for a literal run (for
recall). Paragraphs are (pid, source, line_start, line_end, text).
"""

import os
import shutil
import sqlite3
import subprocess
import time
from bisect import bisect_right
from pathlib import Path

from bench.queries import positive_terms


def dir_mb(path: Path) -> float:
    total = 0
    for dirpath, _, files in os.walk(path):
        total += sum(os.path.getsize(os.path.join(dirpath, f)) for f in files)
    return total / 1e6


class JiebaWhoosh:
    name = "Whoosh + jieba ChineseAnalyzer"

    def __init__(self, workdir: Path):
        self.dir = workdir / "jieba-whoosh"

    def build(self, paras) -> float:
        import jieba
        from jieba.analyse import ChineseAnalyzer
        from whoosh.fields import ID, TEXT, Schema
        from whoosh.index import create_in
        jieba.setLogLevel(60)
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True)
        started = time.perf_counter()
        jieba.initialize()
        schema = Schema(n=ID(stored=True), content=TEXT(stored=True, analyzer=ChineseAnalyzer()))
        ix = create_in(str(self.dir), schema)
        writer = ix.writer()
        for n, para in enumerate(paras):
            writer.add_document(n=str(n), content=para[4])
        writer.commit()
        seconds = time.perf_counter() - started
        self._open()
        return seconds

    def _open(self):
        from whoosh.index import open_dir
        from whoosh.qparser import QueryParser
        self.ix = open_dir(str(self.dir))
        self.searcher = self.ix.searcher()
        self.parser = QueryParser("content", self.ix.schema)
        # docnum -> paragraph ordinal (one writer, one segment: they should be equal; checked).
        self.ordinal = [int(f["n"]) for f in (self.searcher.stored_fields(d) for d in range(self.searcher.doc_count_all()))]

    def size_mb(self) -> float:
        return dir_mb(self.dir)

    def query(self, q: str):
        parsed = self.parser.parse(q)
        results = self.searcher.search(parsed, limit=20)
        return [(hit["n"], hit.highlights("content")) for hit in results]

    def find_all(self, run: str, quoted: bool = False) -> set[int]:
        parsed = self.parser.parse(f'"{run}"' if quoted else run)
        return {self.ordinal[d] for d in self.searcher.docs_for_query(parsed)}

    def close(self):
        self.searcher.close()


class Fts5Trigram:
    name = "SQLite FTS5 trigram"

    def __init__(self, workdir: Path):
        self.path = workdir / "fts5.sqlite"

    def build(self, paras) -> float:
        if self.path.exists():
            self.path.unlink()
        started = time.perf_counter()
        db = sqlite3.connect(self.path)
        db.execute("CREATE VIRTUAL TABLE p USING fts5(text, tokenize='trigram')")
        db.executemany("INSERT INTO p(rowid, text) VALUES (?, ?)", ((n, p[4]) for n, p in enumerate(paras)))
        db.commit()
        db.close()
        seconds = time.perf_counter() - started
        self.db = sqlite3.connect(self.path, check_same_thread=False)
        return seconds

    def size_mb(self) -> float:
        return self.path.stat().st_size / 1e6

    def _where(self, terms: list[str]):
        long = [t for t in terms if len(t) >= 3]
        short = [t for t in terms if len(t) < 3]
        clauses, args = [], []
        if long:
            clauses.append("p MATCH ?")
            args.append(" AND ".join('"' + t.replace('"', '""') + '"' for t in long))
        for t in short:
            # A full scan. (`text LIKE '%xy%'` would be the textbook form, but SQLite 3.40's
            # trigram tokenizer answers LIKE patterns under 3 characters with no rows at all.)
            clauses.append("instr(text, ?) > 0")
            args.append(t)
        return " AND ".join(clauses), args, bool(long)

    def query(self, q: str):
        terms = positive_terms(q)
        where, args, ranked = self._where(terms)
        if ranked:
            sql = f"SELECT rowid, highlight(p, 0, '<mark>', '</mark>') FROM p WHERE {where} ORDER BY rank LIMIT 20"
        else:
            sql = f"SELECT rowid, text FROM p WHERE {where} LIMIT 20"
        return self.db.execute(sql, args).fetchall()

    def find_all(self, run: str) -> set[int]:
        where, args, _ = self._where([run])
        return {r[0] for r in self.db.execute(f"SELECT rowid FROM p WHERE {where}", args)}

    def close(self):
        self.db.close()


class Ripgrep:
    name = "ripgrep (no index)"

    def __init__(self, corpus: Path):
        self.corpus = corpus
        self.rg = shutil.which("rg")

    def available(self) -> bool:
        return self.rg is not None

    def build(self, paras) -> float:
        # Lines of each file -> paragraph ordinals whose span covers them, for recall.
        self.spans: dict[str, tuple[list[int], list[tuple[int, int, int]]]] = {}
        by_source: dict[str, list[tuple[int, int, int]]] = {}
        for n, (_, source, start, end, _) in enumerate(paras):
            by_source.setdefault(source, []).append((start, end, n))
        for source, items in by_source.items():
            items.sort()
            self.spans[source] = ([s for s, _, _ in items], items)
        return 0.0

    def size_mb(self) -> float:
        return 0.0

    def _rg(self, pattern: str) -> list[str]:
        out = subprocess.run([self.rg, "-F", "-n", "--no-heading", "--with-filename", "-g", "*.md",
                              "-e", pattern, "."], cwd=self.corpus, capture_output=True)
        return out.stdout.decode("utf-8", "replace").splitlines()

    def query(self, q: str):
        terms = positive_terms(q)
        if not terms:
            return []
        lines = self._rg(max(terms, key=len))
        others = [t for t in terms if t != max(terms, key=len)]
        return [ln for ln in lines if all(t in ln for t in others)][:20]

    def find_all(self, run: str) -> set[int]:
        found = set()
        for ln in self._rg(run):
            path, _, rest = ln.partition(":")
            lineno = rest.partition(":")[0]
            source = path[2:] if path.startswith("./") else path
            if source not in self.spans or not lineno.isdigit():
                continue
            starts, items = self.spans[source]
            line = int(lineno)
            i = bisect_right(starts, line) - 1
            while i >= 0:
                start, end, n = items[i]
                if start <= line <= end:
                    found.add(n)
                if start < line - 200:
                    break
                i -= 1
        return found

    def close(self):
        pass
