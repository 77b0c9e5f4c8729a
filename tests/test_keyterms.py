"""Key terms' compound merging (archive/extract/keyterms.py), done on arrays, against the plain word-by-word reading
it replaced: the same compounds at the same places, with the same IDF, for any sequence of words."""

from collections import Counter

from hypothesis import given, settings, strategies as st

from archive.extract import keyterms
from archive.extract.keyterms import _merge_compounds, key_terms

# Words whose joins collide: 森林+防火 = 森+林防火 = the word 森林防火; 的 and 1 are gaps.
WORDS = ["森林", "防火", "森林防火", "森", "林防火", "林", "防", "火", "环境", "整治", "环境整治", "的", "1"]


def reference_merge(words: list[str]) -> tuple[list[str], dict[str, float]]:
    """The word-by-word merge, left to right, each round over the whole list."""
    idf, median = keyterms._idf_table()
    words = [w if keyterms._is_content(w) else "" for w in words]
    compound_idf: dict[str, float] = {}

    def idf_of(w: str) -> float:
        return compound_idf.get(w) or idf.get(w, median)

    for _ in range(keyterms._MERGE_ROUNDS):
        counts, pairs = Counter(words), Counter(zip(words, words[1:]))
        joined = {p for p, c in pairs.items() if c >= keyterms._MIN_PAIR and p[0] and p[1]
                  and c >= keyterms._PAIR_SHARE * min(counts[p[0]], counts[p[1]])
                  and len(p[0]) + len(p[1]) <= keyterms._MAX_COMPOUND}
        if not joined:
            break
        out, i = [], 0
        while i < len(words):
            if i + 1 < len(words) and (words[i], words[i + 1]) in joined:
                compound_idf[words[i] + words[i + 1]] = max(idf_of(words[i]), idf_of(words[i + 1]))
                out.append(words[i] + words[i + 1])
                i += 2
            else:
                out.append(words[i])
                i += 1
        words = out
    return words, compound_idf


def merged(words: list[str]) -> tuple[list[str], dict[str, float]]:
    ids, vocab, compound_idf = _merge_compounds(words)
    return [vocab[i] for i in ids.tolist()], compound_idf


def test_a_run_of_candidates_joins_left_to_right():
    words = ["森林", "防火", "森林", "防火", "森林", "的", "森林", "防火"]
    assert merged(words) == reference_merge(words)
    assert merged(words)[0] == ["森林防火", "森林防火", "森林", "", "森林防火"]


def test_compounds_that_spell_the_same_word_share_it():
    # 森+林防火 is met first and last: its IDF (林防火's, the table's median) is the compound's, not 防火's.
    words = ["森", "林防火", "的", "森林", "防火", "的", "森林", "防火", "的", "森", "林防火", "的", "森林防火"]
    assert merged(words) == reference_merge(words)
    assert merged(words)[0].count("森林防火") == 5
    assert merged(words)[1]["森林防火"] == keyterms._idf_table()[1]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=60))
def test_merge_is_the_word_by_word_one(words):
    assert merged(words) == reference_merge(words)


def test_key_terms_of_nothing_and_of_one_word():
    assert key_terms("") == [] and key_terms("的") == []
    assert key_terms("森林防火", k=0) == []
    assert key_terms("森林防火森林防火") == ["森林防火"]
