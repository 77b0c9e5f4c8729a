"""Key terms of a meeting: TF-IDF over rjieba words, with recurring compounds.

The IDF table is the one the jieba package ships (jieba/analyse/idf.txt); it is
read as a file, without importing jieba, whose segmenter takes a second to load
(rjieba is the project's segmenter). Words missing from the table get its
median IDF, as jieba does.

rjieba cuts domain terms apart (森林防火 -> 森林 / 防火), so neighbouring content
words that recur together in the text are joined into one term, up to a few
words long (城乡环境综合治理); their occurrences then no longer count for the parts.
"""

from __future__ import annotations

import heapq
import importlib.util
import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import rjieba

_MERGE_ROUNDS = 3  # joins of two: up to 8 words, though _MAX_COMPOUND stops most sooner
_MAX_COMPOUND = 8  # characters; longer runs are repeated sentences, not terms
_MIN_PAIR = 2  # a compound must occur at least this often...
_PAIR_SHARE = 0.5  # ...and make up this share of its rarer part's occurrences

_CJK_OR_WORD = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z][A-Za-z0-9.+\-]+")
_NUMBER_WORD = re.compile(r"第[〇零一二三四五六七八九十百千两几\d].*"
                          r"|[〇零一二三四五六七八九十百千万亿两几半\d.%％]+[余多]?[个年月日号次届条项点期批位名元亿万吨亩篇份件场]*")
_PLACEHOLDER = re.compile(r"[xX×]+|某+")

# Function words and the officialese every meeting uses: they say nothing of the
# topic, and a compound never runs across them.
_STOP_WORDS = frozenset("""
的 地 得 之 了 着 过 和 与 及 或 在 是 为 对 把 被 将 从 以 等 中 上 下 也 又 都 就 要 不 没有 这 那 其
有 无 于 由 向 给 让 使 而 但 并 即 则 如 若 因 且 只 才 还 再 已 会 能 可 应 需 个 各 全 该 本 此 每
我 你 他 她 它 年 月 日 时 次 人 好 大 小 多 少 高 新 更 最 很 一 二 三 四 五 六 七 八 九 十
我们 你们 他们 大家 同志们 同志 各位 自己 这个 那个 这些 那些 这样 那样 这里 一个 一些 有的 其中
一是 二是 三是 四是 五是 六是 首先 其次 最后 同时 另外 此外 因此 所以 但是 而且 并且 还是 以及 通过
根据 按照 关于 对于 围绕 针对 结合 通知 方面 情况 问题 工作 工作会议 会议 讲话 意见 要求 精神 部署 安排
进一步 切实 认真 大力 深化 全面 加强 加大 推进 推动 落实 开展 实施 做好 抓好 确保 坚持 坚决 努力 积极 不断 持续 深入
狠抓 务必 必须 一定 已经 正在 能够 可以 应当 需要 进行 作为 成为 形成 实现 提高 提升 强化 完善 健全 建立
优化 保障 把握 树立 营造 发挥 促进 改善 解决 加快 严格 严肃 及时 主动 高度 重视 统筹 协调 配合 研究 制定
明确 召开 出席 主持 强调 指出 表示 希望 提出 研究部署 全体 各项 各类 各种 所有 一切 存在 不够 更加 非常 十分
各级 各部门 各地 有关 相关 主要 重要 重大 重点 突出 明显 有效 有力 全力 扎实 力度 水平 能力 作用 意识 责任
领导 干部 单位 部门 负责人 成员 各乡镇 各村 各单位 各县 全县 全市 全区 全州 全乡 全镇 全省 全国 我县 我市 我区 我州 我乡 我镇 我省
今年 去年 明年 当前 目前 近年来 今后 以来 期间 年度 阶段 时期 时间 第一 第一时间
或者 以上 以下 规定 其他 依照 前款 本条例 本法 本办法 基本 支持 稳定 一般
取得 成绩 成效 经验 目标 任务 措施 机制 制度 体系 标准 质量 效果 程度 范围 方式 形式 内容 基础 关键 核心
""".split())

# Words too common in minutes to be a key term alone, though fine inside one (环境卫生整治).
_GENERIC = frozenset("""
环境 整治 治理 整改 建设 发展 管理 服务 项目 资金 政府 省政府 市政府 县政府 区政府 各市 群众 宣传
监督 检查 综合 经济 社会 企业 组织 到位 防治 保护 安全 生产 政策 建议 中央 省委 市委 县委 区委
乡镇 街道 考核 处理 资源 设施 人员 地方 地区 城市 活动 行动 专项 计划 方案 规划 文明 分类 队伍
""".split())
@lru_cache(maxsize=1)
def _idf_table() -> tuple[dict[str, float], float]:
    """(IDF by word, median IDF), read once on first use."""
    spec = importlib.util.find_spec("jieba")  # locates the package without running it
    if spec is None or spec.origin is None:
        raise RuntimeError("the jieba package (for its IDF table) is not installed")
    path = Path(spec.origin).parent / "analyse" / "idf.txt"
    idf: dict[str, float] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            word, _, value = line.strip().partition(" ")
            if value:
                idf[word] = float(value)
    values = sorted(idf.values())
    return idf, values[len(values) // 2]


@lru_cache(maxsize=65536)
def _is_content(word: str) -> bool:
    """A word that may be part of a term: no punctuation, number, placeholder or stop word."""
    return (_CJK_OR_WORD.fullmatch(word) is not None and word not in _STOP_WORDS
            and not _NUMBER_WORD.fullmatch(word) and not _PLACEHOLDER.fullmatch(word))


def _is_term(word: str) -> bool:
    """A content word or compound that may stand as a key term by itself."""
    return len(word) > 1 and word not in _GENERIC


def _ids(words: list[str]) -> tuple[np.ndarray, list[str], dict[str, int]]:
    """Each word as an id into a vocabulary (the gap, "", is 0), non-content words as gaps."""
    index = dict.fromkeys([""])
    index.update(dict.fromkeys(words))  # (in C: the distinct words in text order)
    vocab = list(index)
    index = dict(zip(vocab, range(len(vocab))))
    a = np.fromiter(map(index.__getitem__, words), dtype=np.int64, count=len(words))
    content = np.fromiter(map(_is_content, vocab), dtype=bool, count=len(vocab))
    return np.where(content[a], a, 0), vocab, index


def _joins(a: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """Positions i where words i and i + 1 (of these lengths by id) are joined this round (left to right,
    a word joins once)."""
    size = len(lens)
    counts = np.bincount(a, minlength=size)
    left, right = a[:-1], a[1:]
    valid = np.flatnonzero((left != 0) & (right != 0))  # gaps are never part of a pair
    pairs, pair_of, c = np.unique(left[valid] * size + right[valid], return_inverse=True, return_counts=True)
    x, y = pairs // size, pairs % size
    ok = ((c >= _MIN_PAIR) & (c >= _PAIR_SHARE * np.minimum(counts[x], counts[y]))
          & (lens[x] + lens[y] <= _MAX_COMPOUND))
    at = valid[ok[pair_of]]
    if not len(at):
        return at
    # In a run of consecutive candidates (a b a b), the first joins, the next is taken by it, and so on.
    run_start = np.maximum.accumulate(np.where(np.diff(at, prepend=-2) != 1, np.arange(len(at)), 0))
    return at[(np.arange(len(at)) - run_start) % 2 == 0]


def _compound_ids(firsts: list[int], seconds: list[int], vocab: list[str], index: dict[str, int],
                  idf_of, compound_idf: dict[str, float]) -> list[int]:
    """The id of each join's compound (new ones added to the vocabulary), setting each compound's IDF."""
    pairs = dict.fromkeys(zip(firsts, seconds))
    strings = {vocab[i] + vocab[j] for i, j in pairs}
    parts = {vocab[i] for pair in pairs for i in pair}
    if len(strings) < len(pairs) or not strings.isdisjoint(parts):
        pairs = list(zip(firsts, seconds))  # a compound's IDF may change within the round: one by one, in order
    for i, j in pairs:
        first, second = vocab[i], vocab[j]
        # A compound is at least as specific as its most specific part.
        compound_idf[first + second] = max(idf_of(first), idf_of(second))
        if first + second not in index:
            index[first + second] = len(vocab)
            vocab.append(first + second)
    return [index[vocab[i] + vocab[j]] for i, j in zip(firsts, seconds)]


def _merge_compounds(words: list[str]) -> tuple[np.ndarray, list[str], dict[str, float]]:
    """Join recurring neighbours; returns the new words (ids into the vocabulary) and each compound's IDF."""
    idf, median = _idf_table()
    compound_idf: dict[str, float] = {}

    def idf_of(w: str) -> float:
        return compound_idf.get(w) or idf.get(w, median)

    a, vocab, index = _ids(words)
    lens = np.fromiter(map(len, vocab), dtype=np.int64, count=len(vocab))
    for _ in range(_MERGE_ROUNDS):
        if len(a) < 2:
            break
        at = _joins(a, lens)
        if not len(at):
            break
        size = len(vocab)
        joined = _compound_ids(a[at].tolist(), a[at + 1].tolist(), vocab, index, idf_of, compound_idf)
        lens = np.concatenate([lens, np.fromiter(map(len, vocab[size:]), dtype=np.int64, count=len(vocab) - size)])
        a = a.copy()
        a[at] = joined
        keep = np.ones(len(a), dtype=bool)
        keep[at + 1] = False
        a = a[keep]
    return a, vocab, compound_idf


def _distinct(ranked: list[str], k: int) -> list[str]:
    """The first k terms of ranked that are no part of a term before them, nor hold one."""
    chosen: list[str] = []
    for w in ranked:
        # 环保督察 adds nothing after 中央环保督察, nor 森林防火 after 防火.
        if not any(w in c or c in w for c in chosen):
            chosen.append(w)
            if len(chosen) == k:
                break
    return chosen


def key_terms(text: str, k: int = 8) -> list[str]:
    """The k terms of `text` with the highest TF-IDF, best first."""
    if k <= 0 or not text:
        return []
    idf, median = _idf_table()
    # Non-content words become gaps, so compounds never reach across them.
    a, vocab, compound_idf = _merge_compounds(rjieba.cut(text))
    present, first, c = np.unique(a, return_index=True, return_counts=True)
    score, first_seen = {}, {}
    for i, at, n in zip(present.tolist(), first.tolist(), c.tolist()):
        w = vocab[i]
        # A word the IDF table lacks, seen once, is mostly segmentation debris (中写, 编为).
        if i and _is_term(w) and (n > 1 or w in idf or w in compound_idf):
            score[w] = n * (compound_idf.get(w) or idf.get(w, median))
            first_seen[w] = at

    def rank(w: str) -> tuple[float, int]:
        return -score[w], first_seen[w]

    # The best few are enough unless most of them are parts of others (then all, in order).
    chosen = _distinct(heapq.nsmallest(8 * k, score, key=rank), k)
    if len(chosen) < k and len(score) > 8 * k:
        chosen = _distinct(sorted(score, key=rank), k)
    return chosen
