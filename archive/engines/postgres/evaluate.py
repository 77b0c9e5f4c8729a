"""The PostgreSQL engine's postings for the shared evaluator (archive/engines/arrays/evaluate.py).

Documents are the generation's paragraphs in index order: terms and literal
runs from their postings, fetched with SQL and checked exactly on the rows'
strings. The statistics: N is every record (paragraphs, meetings, files and
the meta record, as Whoosh counts its documents), the average field length
from the total of the field's lengths, field lengths quantized to Whoosh's
byte. Unlike Whoosh, deleted records never count: N, df and the totals are
those of the live records.
"""

import numpy as np

from .. import plan as p
from .arrays import Generation
from .schema import CHARS, FIELDS


def leaves(node, out: list) -> list:
    """The (field number, term) of every term a plan's scores need, for reading their df at once."""
    t = type(node)
    if t is p.Word:
        out.append((FIELDS[node.field], node.word))
    elif t is p.Literal:
        run = node.run
        out += [(CHARS, run)] if len(run) == 1 else [(CHARS, run[i:i + 2]) for i in range(len(run) - 1)]
    elif t is p.All or t is p.Any:
        for part in node.parts:
            leaves(part, out)
    elif t is p.Also:
        leaves(node.must, out)
        leaves(node.maybe, out)
    elif t is p.Except:
        leaves(node.part, out)
        leaves(node.not_, out)
    elif t is p.Without or t is p.Constant:
        leaves(node.part, out)
    return out


class PostgresPostings:
    def __init__(self, conn, gen: Generation):
        self.conn, self.gen = conn, gen
        self.size = gen.size
        self.live = gen.everything
        self.lengths = gen.lengths

    def postings(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        return self.gen.postings(self.conn, field, text)

    def run_docs(self, run: str) -> np.ndarray:
        return self.gen.run(self.conn, run)[0]

    def run_postings(self, run: str) -> list[tuple[np.ndarray, np.ndarray]]:
        found = self.gen.run(self.conn, run)
        column = {g: i for i, g in enumerate(self.gen.run_grams(run))}
        return [(found[0], found[1 + column[run[i:i + 2]]]) for i in range(len(run) - 1)]

    def doc_count(self) -> int:
        return self.gen.documents

    def doc_frequency(self, field: str, text: str) -> int:
        return self.gen.df(self.conn, FIELDS[field], text)

    def field_total(self, field: str) -> float:
        return self.gen.field_totals[field]
