"""A large ingest run writes its postings in parts as it goes and merges them per term at commit.

Forced here on a small corpus (a part every few postings, encoded and merged a few at a time): the
terms rows and parts hold the same postings, term for term, as a run that held them all until its
commit, after a rebuild (files prepared by worker processes) and after incremental runs (adds, a
change, a removal), on one node and on two shards; and the searches answer the same.
"""

import shutil

import pytest

psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed (pip install -e .)")

from archive.engines.postgres import PostgresEngine, build, postings  # noqa: E402
from archive.index.pipeline import ingest  # noqa: E402
from archive.search.request import SearchRequest  # noqa: E402
from archive.search.service import SearchService  # noqa: E402

from .conftest import SAMPLE, write  # noqa: E402
from .test_postgres import SMALL, meeting_file, without_timing  # noqa: E402

QUERIES = ["环境", "会议", "防火", '"会议要求"', "的", "第12项", "哈哈", "森林 OR 防火"]


def term_postings(url: str) -> dict:
    """(df, paragraph ids, frequencies) of every term: its terms row and its parts, decoded (the seqs
    of deleted paragraphs left out; seqs themselves differ with the order rows were written in)."""
    with psycopg.connect(url) as conn:
        ids = dict(conn.execute("SELECT seq, id FROM archive.paragraphs"))
        df = dict(((f, t), d) for f, t, d in conn.execute("SELECT field, term, df FROM archive.terms"))
        rows = conn.execute("""SELECT field, term, base, n, weighted, data FROM archive.terms WHERE data IS NOT NULL
                               UNION ALL SELECT field, term, base, n, weighted, data FROM archive.postings""")
        parts: dict = {}
        for field, term, *part in rows:
            if term.startswith("ingested:"):  # (each run's own time)
                continue
            parts.setdefault((field, term), []).append(part)
    out = {}
    for key, found in parts.items():
        seqs, tfs = postings.decode_parts(sorted(found, key=lambda part: part[0]))
        out[key] = (df.get(key), *zip(*((ids[seq], tf) for seq, tf in zip(seqs.tolist(), tfs.tolist()) if seq in ids)))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("servers", ["pg_server", "pg_cluster"])  # (one node; a coordinator and two shards)
def test_spilled_parts_hold_the_same_postings(request, servers, tmp_path, monkeypatch):
    server = request.getfixturevalue(servers)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SAMPLE, corpus / SAMPLE.name)
    for name, text in SMALL.items():
        write(corpus / name, text)
    for n in range(1, 21):  # (16 files or more: a rebuild prepares them in worker processes)
        write(corpus / f"m{n}.md", meeting_file(n, "环境整治的工作。" * (n % 4)))
    held, spilled = PostgresEngine(server.create_database()), PostgresEngine(server.create_database())

    def run(step) -> int:
        step()
        ingest([corpus], held)
        written = []
        with monkeypatch.context() as m:
            m.setattr(postings, "SPILL_POSTINGS", 50)
            m.setattr(postings, "MERGE_POSTINGS", 7)
            m.setattr(postings, "MERGE_ROWS", 3)
            m.setattr(postings, "ENCODE_POSTINGS", 5)
            m.setattr(build, "COPY_ROWS", 2)
            add = postings.Spills.add
            m.setattr(postings.Spills, "add", lambda self, *args: written.append(add(self, *args)))
            ingest([corpus], spilled)
        counts = []
        for engine in (held, spilled):
            with psycopg.connect(engine.url) as conn:
                counts.append(conn.execute("SELECT count(*) FROM archive.postings").fetchone()[0])
        assert counts[0] == counts[1]  # (one part a term and run, however many it was written in)
        assert term_postings(spilled.url) == term_postings(held.url)
        a, b = SearchService(held), SearchService(spilled)
        for q in QUERIES:
            req = SearchRequest(q=q, per_page=100)
            assert without_timing(a.search(req)) == without_timing(b.search(req)), q
        return len(written)

    assert run(lambda: None) >= 2  # (the rebuild written in parts)
    assert run(lambda: [write(corpus / f"n{n}.md", meeting_file(n, "新增森林防火工作。")) for n in (30, 31)])
    assert run(lambda: (write(corpus / "m2.md", meeting_file(2, "第二版：环境保护的工作。")), (corpus / "m3.md").unlink()))
    held.close()
    spilled.close()
