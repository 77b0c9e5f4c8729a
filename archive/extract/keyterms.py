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

import importlib.util
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

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


def _merge_compounds(words: list[str]) -> tuple[list[str], dict[str, float]]:
    """Join recurring neighbours; returns the new word list and each compound's IDF."""
    idf, median = _idf_table()
    compound_idf: dict[str, float] = {}

    def idf_of(w: str) -> float:
        return compound_idf.get(w) or idf.get(w, median)

    for _ in range(_MERGE_ROUNDS):
        counts = Counter(words)  # (gaps, "", are counted but never part of a pair below)
        pairs = Counter(zip(words, words[1:]))
        joined = {p for p, c in pairs.items()
                  if c >= _MIN_PAIR and p[0] and p[1] and c >= _PAIR_SHARE * min(counts[p[0]], counts[p[1]])
                  and len(p[0]) + len(p[1]) <= _MAX_COMPOUND}
        if not joined:
            break
        firsts = {a for a, _ in joined}
        out, i, n = [], 0, len(words)
        while i < n:
            if words[i] in firsts and i + 1 < n and (words[i], words[i + 1]) in joined:
                a, b = words[i], words[i + 1]
                # A compound is at least as specific as its most specific part.
                compound_idf[a + b] = max(idf_of(a), idf_of(b))
                out.append(a + b)
                i += 2
            else:
                out.append(words[i])
                i += 1
        words = out
    return words, compound_idf


def key_terms(text: str, k: int = 8) -> list[str]:
    """The k terms of `text` with the highest TF-IDF, best first."""
    if k <= 0 or not text:
        return []
    idf, median = _idf_table()
    # Non-content words become gaps, so compounds never reach across them.
    words = [w if _is_content(w) else "" for w in rjieba.cut(text)]
    words, compound_idf = _merge_compounds(words)
    counts = Counter(w for w in words if w and _is_term(w))
    first_seen = {w: i for i, w in reversed(list(enumerate(words))) if w in counts}
    # A word the IDF table lacks, seen once, is mostly segmentation debris (中写, 编为).
    score = {w: c * (compound_idf.get(w) or idf.get(w, median)) for w, c in counts.items()
             if c > 1 or w in idf or w in compound_idf}
    chosen: list[str] = []
    for w in sorted(score, key=lambda w: (-score[w], first_seen[w])):
        # 环保督察 adds nothing after 中央环保督察, nor 森林防火 after 防火.
        if not any(w in c or c in w for c in chosen):
            chosen.append(w)
            if len(chosen) == k:
                break
    return chosen
