"""Whoosh tokenizers over the engine-neutral analysis (archive/analysis.py): the schema's two views."""

from whoosh.analysis import Token, Tokenizer

from ...analysis import normalize, units, words


class _Tokenizer(Tokenizer):
    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __hash__(self):
        return hash(self.__class__.__name__)


class WordTokenizer(_Tokenizer):
    """Whoosh tokenizer for the words view."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, mode="", **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for pos, word, start, end in words(normalize(value)):
            t.text = word
            t.boost = 1.0
            if keeporiginal:
                t.original = word
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t


class UnitTokenizer(_Tokenizer):
    """Whoosh tokenizer for the units view: each unit and each bigram at the unit's position."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, mode="", **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        seq = units(normalize(value))
        for pos, (c, off) in enumerate(seq):
            grams = [c]
            if pos + 1 < len(seq):
                grams.append(c + seq[pos + 1][0])
            for gram in grams:
                t.text = gram
                t.boost = 1.0
                if keeporiginal:
                    t.original = gram
                if positions:
                    t.pos = start_pos + pos
                if chars:
                    t.startchar = start_char + off
                    t.endchar = start_char + off + len(gram)
                yield t
