#!/usr/bin/env python
"""Record the whole answers of ~200 searches, to check that a change alters none.

    python bench/compare.py record --index IX --out before.json [--requests law|sample] [--code DIR]
    python bench/compare.py diff before.json after.json [--ignore KEY ...]

`record` runs every request as `python -m archive.cli search --json` in a
subprocess whose working directory (and PYTHONPATH) is --code, by default the
repository this script is in: the same script drives an old checkout and the
new code alike. It stores each request's parameters with the JSON answer minus
`took_ms`, or the exit code and stderr of a command that failed.

`diff` prints what differs per request (top-level keys; hit ids, order and
scores; facet values and counts) and exits 1 if anything does.

Request sets: `law`, the 40 queries of bench/queries.py at four pages/sorts
plus edge cases, for an index of (part of) the law corpus; `sample`, for the
minutes in corpus/. Build each index with the code under test, e.g.

    cd DIR && python -m archive.cli ingest corpus --index IX
"""

import argparse
import importlib.util
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OPTIONS = {"region": "--region", "topic": "--topic", "from": "--from", "to": "--to", "month": "--month",
           "sort": "--sort", "page": "--page", "per_page": "--per-page"}


def law_requests() -> list[dict]:
    spec = importlib.util.spec_from_file_location("bench_queries", Path(__file__).with_name("queries.py"))
    queries = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(queries)
    variants = [{"page": 1, "per_page": 20}, {"page": 2, "per_page": 20},
                {"sort": "newest", "per_page": 10}, {"sort": "oldest", "per_page": 10}]
    extra = [
        {"q": "饕餮 个人信息"},  # relaxed: the words never meet
        {"q": "饕餮 麻醉药品 无人驾驶航空器"},
        {"q": "污染 (-大气)"},  # NOT only inside parentheses
        {"q": "(罚款 NOT 警告) 人民政府"},
        {"q": "-大气 污染"},  # leading '-': needs `--`
        {"q": "(个人信息 OR 隐私) 保护"},
        {"q": "人民政府", "month": 3},
        {"q": "罚款", "month": 12},
        {"q": "", "month": 12},
        {"q": "", "month": 12, "sort": "newest"},
        {"q": "", "sort": "newest"},
        {"q": "", "sort": "oldest"},
        {"q": ""},
        {"q": "法"},
        {"q": "罚", "sort": "newest"},
        {"q": '"违反本条例规定的行为，法律、法规已有法律责任规定的，从其规定"'},
        {"q": '"由县级以上地方人民政府卫生健康部门没收违法所得"', "sort": "oldest"},
        {"q": '"县级以上地方人民政府应当加强对本行政区域内"'},  # a long phrase found nowhere
        {"q": "坏境保护"},  # typo
        {"q": "坏境"},
        {"q": "", "region": "北京", "sort": "newest"},
        {"q": "", "region": "广东省"},
        {"q": "条例", "region": "浙江", "sort": "newest"},
        {"q": "", "region": "杭州"},
        {"q": "", "topic": "森林防火"},
        {"q": "", "topic": "安全生产", "sort": "oldest"},
        {"q": "人民政府", "per_page": 100},
        {"q": "人民政府", "per_page": 100, "page": 2},
        {"q": "应当", "page": 50},
        {"q": "国务院", "from": "2010", "to": "2010"},
        {"q": "罚款", "from": "2020-01-01", "to": "2020-12-31"},
        {"q": "", "to": "1999", "sort": "newest"},
        {"q": "条例", "from": "2023-06"},
        {"q": "条例", "from": "2020", "to": "2010"},  # an error: from after to
        {"q": "第一百条 GB 5000元"},
        {"q": "title:环境 环保*"},
    ]
    return ([{"per_page": 20, **q, **v} for q in queries.QUERIES for v in variants]
            + [{"per_page": 20, **e} for e in extra])


def sample_requests() -> list[dict]:
    base = [
        {"q": "森林防火"}, {"q": "环境保护"}, {"q": '"严格整改标准"'}, {"q": "环境 -督察"}, {"q": "-督察 环境"},
        {"q": "森林 OR 防火"}, {"q": "(森林 OR 防火) 会议"}, {"q": "污染 (-大气)"}, {"q": "生态 文明 建设"},
        {"q": "环境", "region": "甘肃"}, {"q": "环境", "region": "天水市"}, {"q": "", "region": "麦积区"},
        {"q": "整治", "region": "四川"}, {"q": "督察 OR 整改", "region": "福建"},
        {"q": "", "topic": "森林防火"}, {"q": "环境", "topic": "营商环境"},
        {"q": "垃圾", "region": "湖南", "topic": "垃圾处理"},
        {"q": "环境", "month": 12}, {"q": "", "month": 12}, {"q": "环境", "from": "2023-12", "to": "2023-12"},
        {"q": "环境", "to": "2022"}, {"q": ""},
        {"q": "汶川 援建 森林防火"}, {"q": "饕餮"}, {"q": "坏境"}, {"q": "坏境保护"}, {"q": "环"}, {"q": "的"},
        {"q": "3258"}, {"q": "整改", "per_page": 100}, {"q": "环境", "page": 2},
    ]
    return [{"per_page": 10, **b, "sort": s} for b in base for s in ("relevance", "newest")]


REQUESTS = {"law": law_requests, "sample": sample_requests}


def run(code: Path, index: str, params: dict) -> dict:
    cmd = [sys.executable, "-m", "archive.cli", "search", "--json", "--index", index]
    for name, value in params.items():
        if name != "q":
            cmd += [OPTIONS[name], str(value)]
    cmd += ["--", params["q"]]
    env = {**os.environ, "PYTHONPATH": str(code)}
    proc = subprocess.run(cmd, cwd=code, env=env, capture_output=True, text=True)
    if proc.returncode:
        return {"params": params, "exit": proc.returncode, "stderr": proc.stderr.strip()}
    response = json.loads(proc.stdout)
    response.pop("took_ms", None)
    return {"params": params, "response": response}


def record(args) -> int:
    code = Path(args.code).resolve()
    # the virtualenv holds an installed copy of archive too: make sure it is not the one run
    where = subprocess.run([sys.executable, "-c", "import archive; print(archive.__file__)"], cwd=code,
                           env={**os.environ, "PYTHONPATH": str(code)}, capture_output=True, text=True).stdout
    if not Path(where.strip()).resolve().is_relative_to(code):
        sys.exit(f"compare: archive is imported from {where.strip() or '?'}, not from {code}")
    requests, index = REQUESTS[args.requests](), str(Path(args.index).resolve())
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda p: run(code, index, p), requests))
    Path(args.out).write_text(json.dumps(results, ensure_ascii=False, sort_keys=True, indent=1) + "\n")
    failed = sum("exit" in r for r in results)
    print(f"{len(results)} requests recorded to {args.out} ({failed} failed)", file=sys.stderr)
    return 0


def _label(params: dict) -> str:
    return " ".join([repr(params["q"])] + [f"{k}={v}" for k, v in params.items() if k != "q"])


def _facet_changes(a: dict, b: dict) -> list[str]:
    out = []
    for name in sorted(set(a) | set(b)):
        ca = {f["value"]: f["count"] for f in a.get(name, [])}
        cb = {f["value"]: f["count"] for f in b.get(name, [])}
        changes = [f"{v}: {ca.get(v, '-')}→{cb.get(v, '-')}"
                   for v in sorted(set(ca) | set(cb)) if ca.get(v) != cb.get(v)]
        if changes:
            more = f" (+{len(changes) - 8} more)" if len(changes) > 8 else ""
            out.append(f"facet {name}: " + ", ".join(changes[:8]) + more)
        elif [f["value"] for f in a.get(name, [])] != [f["value"] for f in b.get(name, [])]:
            out.append(f"facet {name}: same counts, different order")
    return out


def _hit_changes(a: list, b: list) -> list[str]:
    ids_a, ids_b = [h["id"] for h in a], [h["id"] for h in b]
    out = []
    if ids_a != ids_b:
        gone, new = [i for i in ids_a if i not in ids_b], [i for i in ids_b if i not in ids_a]
        if not gone and not new:
            first = next(n for n, (x, y) in enumerate(zip(ids_a, ids_b)) if x != y)
            out.append(f"hits: same ids, order differs from position {first + 1}")
        else:
            out.append(f"hits: {len(gone)} only in A {gone[:3]}, {len(new)} only in B {new[:3]}")
    by_id = {h["id"]: h for h in b}
    pairs = [(h, by_id[h["id"]]) for h in a if h["id"] in by_id]
    deltas = [abs(x["score"] - y["score"]) for x, y in pairs
              if x["score"] != y["score"] and None not in (x["score"], y["score"])]
    if deltas:
        out.append(f"scores: {len(deltas)} differ, max |Δ| {max(deltas):.4g}")
    fields = sorted({k for x, y in pairs for k in set(x) | set(y) if k != "score" and x.get(k) != y.get(k)})
    if fields:
        out.append(f"hit fields differ: {', '.join(fields)}")
    return out


def _key(result: dict) -> str:
    return json.dumps(result["params"], sort_keys=True, ensure_ascii=False)


def _without(recording: list, keys: list[str]) -> list:
    """The recording with response keys left out (keys the contract added on purpose): top-level, or
    inside one (facets.role)."""
    for r in recording:
        for key in keys:
            *outer, last = key.split(".")
            found = r.get("response", {})
            for name in outer:
                found = found.get(name, {}) if isinstance(found, dict) else {}
            if isinstance(found, dict):
                found.pop(last, None)
    return recording


def diff(args) -> int:
    a, b = (_without(json.loads(Path(f).read_text()), args.ignore) for f in (args.a, args.b))
    rb = {_key(r): r for r in b}
    same = differ = 0
    for ra in a:
        other = rb.pop(_key(ra), None)
        if other == ra:
            same += 1
            continue
        differ += 1
        print(f"✗ {_label(ra['params'])}")
        if other is None:
            lines = ["only in A"]
        elif "response" not in ra or "response" not in other:
            lines = [f"{side}: exit {r.get('exit', 0)} {r.get('stderr', '')}" for side, r in (("A", ra), ("B", other))]
        else:
            x, y = ra["response"], other["response"]
            lines = [f"{k}: {x.get(k)!r} → {y.get(k)!r}" for k in sorted(set(x) | set(y))
                     if k not in ("hits", "facets") and x.get(k) != y.get(k)]
            lines += _hit_changes(x.get("hits", []), y.get("hits", []))
            lines += _facet_changes(x.get("facets", {}), y.get("facets", {}))
        print("\n".join(f"    {line}" for line in lines))
    for r in rb.values():
        differ += 1
        print(f"✗ {_label(r['params'])}\n    only in B")
    print(f"{same + differ} requests, {same} identical, {differ} differ")
    return 0 if differ == 0 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("record", help="run the requests and store the answers")
    p.add_argument("--index", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--requests", choices=sorted(REQUESTS), default="sample")
    p.add_argument("--code", default=str(REPO), help="the checkout to run (default: this repository)")
    p.set_defaults(func=record)
    p = sub.add_parser("diff", help="compare two recordings")
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--ignore", action="append", default=[], metavar="KEY",
                   help="a response key to leave out (repeatable), e.g. one a change added; "
                        "facets.role: a key inside one")
    p.set_defaults(func=diff)
    args = parser.parse_args()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
