"""The paragraphs of a corpus folder as our ingest splits them, with their hit ids (for benchmarks and judgements)."""

from pathlib import Path


def load_paragraphs(corpus: Path):
    """(pid, source, line_start, line_end, text) of every paragraph, as our ingest splits them."""
    from archive.index.pipeline import corpus_files
    from archive.index.records import meeting_id
    from archive.ingest import UnreadableFile, load
    paras = []
    for path, root in corpus_files([corpus]):
        try:
            doc = load(path, root)
        except UnreadableFile:
            continue
        for m in doc.meetings:
            mid = meeting_id(doc.source, m.index)
            for p in m.paragraphs:
                paras.append((f"{mid}-p{p.n}", doc.source, p.line_start, p.line_end, p.text))
    return paras
