import hashlib
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from archive.extract.keyterms import key_terms
from archive.extract.topics import Taxonomy, default_taxonomy

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "corpus" / "2023年环境整治工作会议记录.md"
SHIPPED = ROOT / "archive" / "extract" / "topics.toml"


def sample_meetings() -> dict[str, tuple[str, list[str]]]:
    """篇一..篇八 -> (title, paragraphs), split on the `## …篇X` / `**…篇X**` lines.

    Good enough for the test; ingest has the real splitter.
    """
    text = SAMPLE.read_text(encoding="utf-8")
    parts = re.split(r"^(?:#+\s*|\*\*)(.*?(篇[一二三四五六七八]))\**\s*$", text, flags=re.M)
    meetings = {}
    for i in range(1, len(parts), 3):
        title, key, body = parts[i], parts[i + 1], parts[i + 2]
        meetings[key] = (title, [p.strip() for p in body.split("\n\n") if p.strip()])
    return meetings


MEETINGS = sample_meetings()


def test_sample_splits_into_eight_meetings():
    assert list(MEETINGS) == ["篇一", "篇二", "篇三", "篇四", "篇五", "篇六", "篇七", "篇八"]


# --- meeting level -----------------------------------------------------------

# (must have, may also have): 篇七 is as much about 作风建设 as about 投资软环境.
EXPECTED = {
    "篇一": ({"环保督察"}, set()),
    "篇二": ({"农村环境整治"}, set()),
    "篇三": ({"营商环境"}, set()),
    "篇四": ({"森林防火"}, set()),
    "篇五": ({"诉讼纠纷"}, set()),  # a civil complaint (起诉状), not a meeting
    "篇六": ({"城乡环境治理", "农村环境整治"}, {"垃圾处理"}),  # two speeches
    "篇七": ({"营商环境"}, {"作风建设"}),
    "篇八": ({"水环境治理"}, set()),
}


@pytest.mark.parametrize("key", list(EXPECTED))
def test_meeting_topics_of_the_sample(key):
    title, paragraphs = MEETINGS[key]
    required, allowed = EXPECTED[key]
    tags = default_taxonomy().tag_meeting(title, paragraphs)
    assert required <= set(tags) <= required | allowed, tags


def test_meeting_tags_come_in_label_order():
    tx = default_taxonomy()
    tags = tx.tag_meeting(*MEETINGS["篇六"])
    assert tags == sorted(tags, key=tx.labels.index)


def test_a_topic_mentioned_in_passing_does_not_tag_the_meeting():
    # 篇一 names 大气污染防治 once; 篇四 mentions 安全 and 教育 along the way.
    tx = default_taxonomy()
    assert "大气污染防治" not in tx.tag_meeting(*MEETINGS["篇一"])
    assert "大气污染防治" in tx.tag("加大对环境环保和大气污染防治综合整治的宣传力度")
    assert tx.tag_meeting(*MEETINGS["篇四"]) == ["森林防火"]


def test_dominant_topic_wins_over_scattered_mentions():
    paragraphs = [
        "今冬明春森林防火形势严峻，各地要严格野外用火审批，加强火源管理。",
        "要充分发挥护林员和扑火队伍的作用，确保不发生森林火灾。",
        "森林防火指挥部要加强值班调度，发现火情早报告、早扑灭。",
        "同时，要做好安全生产和垃圾分类工作，持续优化营商环境。",
    ]
    tx = default_taxonomy()
    assert tx.tag_meeting("全镇护林防火工作会议", paragraphs) == ["森林防火"]
    # Every one of those topics is still visible at paragraph level.
    assert tx.tag(paragraphs[3]) == ["垃圾处理", "安全生产", "营商环境"]


def test_title_counts_for_a_short_meeting():
    tx = default_taxonomy()
    body = ["会议传达了上级有关文件精神，对下一步工作作了安排。", "要严格扑火队伍管理。"]
    assert tx.tag_meeting("全县森林防火工作会议记录", body) == ["森林防火"]
    assert tx.tag_meeting("全县工作会议记录", body) == []


# --- paragraph level, on sentences of our own --------------------------------

@pytest.mark.parametrize("text, tags", [
    ("县委召开森林防火工作会议，要求严格野外用火审批，加强护林员巡查。", ["森林防火"]),
    ("各乡镇要加快生活垃圾分类，垃圾焚烧炉年底前建成。", ["垃圾处理"]),
    ("中央第三生态环境保护督察组交办的信访件要按时办结。", ["环保督察"]),
    ("全市PM2.5平均浓度下降12%，重污染天气天数减少。", ["大气污染防治"]),
    ("原告请求判令被告支付货款，诉讼费用由被告承担。", ["诉讼纠纷"]),
    ("持续优化营商环境，深化放管服改革，全面推行政务服务一网通办。", ["营商环境"]),
    ("今年全市国内生产总值增长6.5%，固定资产投资增长8%。", ["经济发展"]),
    ("坚决整治形式主义、官僚主义，严格落实中央八项规定精神。", ["作风建设"]),
    ("全面推进乡村振兴，巩固拓展脱贫攻坚成果。", ["乡村振兴"]),
    ("加强饮用水水源地保护，全面落实河长制，消除黑臭水体。", ["水环境治理"]),
    ("开展安全生产大检查，深化危险化学品隐患排查治理。", ["安全生产"]),
    ("扎实推进农村人居环境整治，开展村容村貌提升行动，推进农村改厕。", ["农村环境整治"]),
    ("深化城乡环境综合治理，整治五乱，提升城乡风貌。", ["城乡环境治理"]),
    ("做好防汛抗旱和地质灾害防治工作。", ["防灾减灾"]),
    ("加强基层党组织建设，推进全面从严治党。", ["党的建设"]),
    ("推进法治政府建设，坚持依法行政，深入开展普法宣传。", ["法治建设"]),
    ("实施创新驱动发展战略，加大研发投入，培育高新技术企业。", ["科技创新"]),
    ("完善社会保障体系，提高城乡居民基本养老保险待遇。", ["社会民生"]),
    ("扎实推进生态文明建设，坚持绿色发展，做好碳达峰碳中和工作。", ["生态文明建设"]),
    ("今天天气很好，大家辛苦了。", []),
    ("会议由县长主持。", []),
])
def test_paragraph_tags(text, tags):
    assert default_taxonomy().tag(text) == tags


def test_one_weak_signal_is_not_enough():
    tx = default_taxonomy()
    assert tx.tag("要把垃圾清理干净。") == []  # 垃圾: weak
    assert tx.tag("生活垃圾要日产日清。") == ["垃圾处理"]  # 生活垃圾: strong


def test_overlapping_signals_count_once_longest_wins(tmp_path):
    toml = tmp_path / "t.toml"
    toml.write_text("""
[scoring]
threshold = 1
[[topic]]
label = "甲"
[topic.signals]
"环保督察" = 1
"中央环保督察" = 5
"督察督察" = 2
[[topic]]
label = "乙"
weak = ["经济发展"]
[[topic]]
label = "丙"
strong = ["经济发展环境"]
""", encoding="utf-8")
    tx = Taxonomy.load(toml)
    assert tx.scores("中央环保督察")["甲"] == 5
    assert tx.scores("环保督察，中央环保督察")["甲"] == 6
    assert tx.scores("督察督察督察")["甲"] == 2  # non-overlapping occurrences
    # Across labels too: 经济发展环境 is 丙's, not also 乙's 经济发展.
    assert tx.scores("优化经济发展环境") == {"甲": 0, "乙": 0, "丙": 3}
    assert tx.tag("优化经济发展环境，促进经济发展") == ["乙", "丙"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["党", "党建", "党风廉政", "环保", "环保督察", "中央环保督察", "督察", "经济发展",
                                 "经济发展环境", "营商", "PM2.5", "，", "工作", "的"]), max_size=30))
def test_signals_are_counted_as_one_alternation_longest_first_finds_them(parts):
    # Signals are found by their first characters (topics._heads): the counts of the alternation of all
    # signals, longest first, that this replaced.
    tx = default_taxonomy()
    text = "".join(parts)
    alternation = re.compile("|".join(map(re.escape, sorted(tx._credits, key=lambda s: (-len(s), s)))))
    expected = [0.0] * len(tx.topics)
    for m in alternation.finditer(text.lower()):
        for i, weight in tx._credits[m.group()]:
            expected[i] += weight
    assert tx.scores(text) == dict(zip(tx.labels, expected))


def test_signals_ignore_ascii_case():
    tx = default_taxonomy()
    assert tx.tag("pm2.5浓度持续下降") == tx.tag("PM2.5浓度持续下降") == ["大气污染防治"]


# --- the taxonomy file -------------------------------------------------------

def test_shipped_taxonomy():
    tx = default_taxonomy()
    assert tx is default_taxonomy()  # cached
    assert tx.fingerprint == hashlib.sha256(SHIPPED.read_bytes()).hexdigest()
    assert 15 <= len(tx.labels) <= 25
    for label in ["环保督察", "农村环境整治", "城乡环境治理", "森林防火", "水环境治理",
                  "垃圾处理", "营商环境", "诉讼纠纷"]:
        assert label in tx.labels


def test_editing_the_toml_changes_tags_and_fingerprint(tmp_path):
    copy = tmp_path / "topics.toml"
    shutil.copy(SHIPPED, copy)
    before = Taxonomy.load(copy)
    sentence = "开展食品安全专项检查，严查农贸市场过期食品。"
    assert "食品安全" not in before.tag(sentence)

    with open(copy, "a", encoding="utf-8") as f:
        f.write('\n[[topic]]\nlabel = "食品安全"\nstrong = ["食品安全", "过期食品"]\n')
    after = Taxonomy.load(copy)
    assert after.fingerprint != before.fingerprint
    assert after.labels == before.labels + ["食品安全"]
    assert "食品安全" in after.tag(sentence)

    # A higher threshold is an edit too.
    text = copy.read_text(encoding="utf-8").replace("threshold = 3.0", "threshold = 99.0", 1)
    copy.write_text(text, encoding="utf-8")
    strict = Taxonomy.load(copy)
    assert strict.fingerprint not in (before.fingerprint, after.fingerprint)
    assert strict.tag(sentence) == []


def test_bad_taxonomy_files_are_refused(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[topic]]\nlabel = "甲"\nweak = ["a"]\n[[topic]]\nlabel = "甲"\nweak = ["b"]\n',
                   encoding="utf-8")
    with pytest.raises(ValueError, match="repeated"):
        Taxonomy.load(bad)
    bad.write_text('[[topic]]\nlabel = "甲"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="signals"):
        Taxonomy.load(bad)


# --- key terms ---------------------------------------------------------------

def meeting_text(key):
    title, paragraphs = MEETINGS[key]
    return "\n\n".join(paragraphs)


def test_key_terms_of_sample_meetings():
    assert "森林防火" in key_terms(meeting_text("篇四"))  # joined from 森林 + 防火
    assert {"原告", "被告"} <= set(key_terms(meeting_text("篇五")))
    assert "城乡环境综合治理" in key_terms(meeting_text("篇六"))
    terms = key_terms(meeting_text("篇八"))
    assert {"流域", "水质"} <= set(terms)


def test_key_terms_of_text_we_wrote():
    text = ("今天召开全镇秸秆禁烧工作会议。秸秆禁烧关系大气环境质量，各村要落实秸秆禁烧责任，"
            "组织网格员巡查，发现焚烧秸秆立即处置。20xx年12月6日前完成秸秆综合利用台账，"
            "第三季度考核扣分的村要在1500万元奖补资金中扣减。")
    terms = key_terms(text, k=5)
    assert terms[0] in ("秸秆禁烧", "秸秆")
    assert len(terms) <= 5
    for t in terms:
        assert len(t) > 1
        assert not re.search(r"\d|[xX×]", t)
        assert t not in {"工作", "会议", "要", "的", "各村", "第三季度"}


def test_key_terms_are_distinct_and_bounded():
    terms = key_terms(meeting_text("篇一"), k=8)
    assert len(terms) == 8 == len(set(terms))
    assert "中央环保督察" in terms
    # No term repeats a better one: 环保督察 is inside 中央环保督察.
    assert not any(a != b and a in b for a in terms for b in terms)
    assert key_terms("", 8) == [] and key_terms("的了和", 3) == []
    assert key_terms(meeting_text("篇四"), k=0) == []


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_tagging_and_key_terms_never_raise(text):
    tx = default_taxonomy()
    assert set(tx.tag(text)) <= set(tx.labels)
    assert set(tx.tag_meeting(text[:20], text.split("\n"))) <= set(tx.labels)
    terms = key_terms(text, k=5)
    assert len(terms) <= 5 and all(len(t) > 1 for t in terms)
