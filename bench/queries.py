"""The 40 benchmark queries: what people look up in laws and work reports.

Each is the parameters of GET /api/search (q plus optional region, topic,
from, to). The baselines get `q` only: they have no facets to filter on.
Kinds: single common terms, rare terms, multi-word, quoted phrases, OR/NOT,
one-character and very common terms, and the same with filters.
"""

QUERIES: list[dict] = [
    # single terms, common to very common
    {"q": "人民政府"},
    {"q": "法律责任"},
    {"q": "国务院"},
    {"q": "罚款"},
    {"q": "应当"},                      # in a large share of all paragraphs
    {"q": "的"},                        # one character, nearly everywhere
    {"q": "税"},                        # one character, common
    {"q": "个人信息"},
    {"q": "食品安全"},
    {"q": "未成年人"},
    # rare terms
    {"q": "饕餮"},
    {"q": "无人驾驶航空器"},
    {"q": "麻醉药品"},
    {"q": "文物保护单位"},
    # multi-word (ANDed)
    {"q": "环境 保护 责任"},
    {"q": "劳动合同 解除"},
    {"q": "土地 征收 补偿"},
    {"q": "知识产权 侵权 赔偿"},
    {"q": "安全生产 事故 报告"},
    {"q": "政府 工作 报告"},
    # quoted phrases
    {"q": '"违反本法规定"'},
    {"q": '"由县级以上地方人民政府"'},
    {"q": '"处五万元以上"'},
    {"q": '"依法追究刑事责任"'},
    {"q": '"自公布之日起施行"'},
    {"q": '"中华人民共和国"'},
    # OR / NOT
    {"q": "森林 OR 草原 防火"},
    {"q": "污染 -大气"},
    # filters: region, topic, dates, combined
    {"q": "罚款", "region": "北京"},
    {"q": "条例", "region": "上海"},
    {"q": "安全生产", "topic": "安全生产"},
    {"q": "环境", "topic": "大气污染防治"},
    {"q": "诉讼", "topic": "诉讼纠纷"},
    {"q": "国务院", "from": "2010"},
    {"q": "个人信息", "from": "2015", "to": "2023"},
    {"q": '"依法追究刑事责任"', "from": "2000-01", "to": "2010-12"},
    {"q": "污染 防治", "region": "广东", "from": "2010"},
    {"q": "人民政府", "region": "浙江", "topic": "经济发展"},
    {"q": "乡村振兴", "topic": "乡村振兴", "from": "2018"},
    {"q": "罚款", "region": "重庆", "topic": "安全生产", "from": "2005", "to": "2024"},
]

assert len(QUERIES) == 40

# `archive search` from a cold process: a common term, a phrase, a filtered query.
COLD_QUERIES: list[list[str]] = [
    ["人民政府"],
    ['"依法追究刑事责任"'],
    ["罚款", "--region", "北京", "--from", "2010"],
]


def positive_terms(q: str) -> list[str]:
    """The texts a hit must contain, for engines without our query language.

    Quoted phrases stay whole; OR keeps the first alternative, NOT terms are
    dropped: good enough to give grep and FTS5 comparable work.
    """
    import re
    out, skip = [], False
    for tok in re.findall(r'"[^"]*"|\S+', q):
        if tok == "OR":
            skip = True
            continue
        if skip:
            skip = False
            continue
        if tok.startswith("-") or tok == "NOT":
            continue
        out.append(tok.strip('"'))
    return [t for t in out if t]
