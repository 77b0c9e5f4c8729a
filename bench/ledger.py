#!/usr/bin/env python
"""Time the ledger (/api/items, /items) through the real Flask app: wall and CPU time per request.

    python bench/ledger.py --index /tmp/ledger-law [--rounds 20] [--live] [--json]
    BENCH_CODE=/work/main python bench/ledger.py --index …     # the same requests on another checkout
    python bench/ledger.py --write-synthetic DIR     # 400 常务会议 of 9 items each (3,999 rows), to ingest

Each request of REQUESTS (unfiltered, a query, filters, each sort) is asked once to warm up (the first
request of a generation builds its ledger: its time is printed apart), then `--rounds` times in turn.
Printed per request: wall p50/p95 ms, CPU p50/p95 ms (the thread's CPU time, which other processes on a
shared machine inflate less than wall time), the rows answered; and the load average before and after.
--live: through the real server (waitress, 4 threads, in this process) over HTTP; CPU is then the whole
process's (server and client) per request.
"""

import argparse
import http.client
import json
import os
import statistics
import sys
import threading
import time
from urllib.parse import quote
from pathlib import Path

# The code under test: this repository's, or another checkout's (BENCH_CODE=/path/to/main: a "before").
sys.path.insert(0, os.environ.get("BENCH_CODE") or str(Path(__file__).resolve().parent.parent))

from archive.home import open_archive  # noqa: E402
from web import create_app  # noqa: E402

REQUESTS = [
    "/api/items", "/items",
    "/api/items?sort=date", "/items?sort=date",
    "/api/items?q=完成", "/items?q=完成",
    "/api/items?q=国务院",
    "/api/items?kind=action", "/api/items?kind=decision&sort=date",
    "/api/items?status=overdue", "/api/items?due_before=2020-12-31",
    "/api/items?owner=国务院", "/api/items?from=2010&to=2020",
    "/api/items?topic=安全生产", "/items?q=完成&kind=decision&sort=due",
]


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


class Live:
    """The app under waitress on a free port, asked over HTTP (one connection, kept alive)."""

    def __init__(self, app):
        from waitress import create_server
        server = create_server(app, host="127.0.0.1", port=0, threads=4)
        threading.Thread(target=server.run, daemon=True).start()
        self.conn = http.client.HTTPConnection("127.0.0.1", server.effective_port)

    def get(self, path: str) -> tuple[int, bytes]:
        self.conn.request("GET", quote(path, safe="/?=&"))
        answer = self.conn.getresponse()
        return answer.status, answer.read()


class Local:
    def __init__(self, app):
        self.client = app.test_client()

    def get(self, path: str) -> tuple[int, bytes]:
        answer = self.client.get(path)
        return answer.status_code, answer.get_data()


def _ask(client, path: str, clock) -> tuple[float, float, int]:
    wall, cpu = time.perf_counter(), clock()
    status, body = client.get(path)
    cpu, wall = clock() - cpu, time.perf_counter() - wall
    if status != 200:
        raise SystemExit(f"{path}: {status}")
    rows = json.loads(body)["total"] if path.startswith("/api/") else body.decode().count("<tr id=")
    return wall * 1000, cpu * 1000, rows


def run(index: str | None, rounds: int, live: bool = False, database: str | None = None) -> dict:
    app = create_app(open_archive(index, database))
    client, clock = (Live(app), time.process_time) if live else (Local(app), time.thread_time)
    load_before = os.getloadavg()
    first = _ask(client, REQUESTS[0], clock)  # (builds the generation's ledger)
    for path in REQUESTS[1:]:
        _ask(client, path, clock)
    times: dict[str, list[tuple[float, float, int]]] = {p: [] for p in REQUESTS}
    for _ in range(rounds):
        for path in REQUESTS:
            times[path].append(_ask(client, path, clock))
    out = {"index": index or "PostgreSQL", "rounds": rounds, "live": live, "load_before": load_before, "load_after": os.getloadavg(),
           "first": {"path": REQUESTS[0], "wall_ms": first[0], "cpu_ms": first[1], "rows": first[2]}, "requests": []}
    for path, seen in times.items():
        walls, cpus = [w for w, _, _ in seen], [c for _, c, _ in seen]
        out["requests"].append({"path": path, "rows": seen[0][2], "wall_p50": statistics.median(walls),
                                "wall_p95": _pct(walls, 0.95), "cpu_p50": statistics.median(cpus),
                                "cpu_p95": _pct(cpus, 0.95)})
    every = [w for seen in times.values() for w, _, _ in seen]
    out["all_wall_p50"], out["all_wall_p95"] = statistics.median(every), _pct(every, 0.95)
    cpus = [c for seen in times.values() for _, c, _ in seen]
    out["all_cpu_p50"], out["all_cpu_p95"] = statistics.median(cpus), _pct(cpus, 0.95)
    return out


def show(r: dict) -> None:
    print(f"index {r['index']}, {r['rounds']} rounds, {'waitress over HTTP' if r['live'] else 'Flask test client'}; load {r['load_before'][0]:.1f} before, "
          f"{r['load_after'][0]:.1f} after")
    f = r["first"]
    print(f"first request {f['path']} (builds the ledger): {f['wall_ms']:.0f} ms wall, {f['cpu_ms']:.0f} ms CPU, "
          f"{f['rows']} rows")
    print(f"{'request':<40}{'rows':>7}{'wall p50':>10}{'p95':>8}{'CPU p50':>10}{'p95':>8}")
    for q in r["requests"]:
        print(f"{q['path']:<40}{q['rows']:>7}{q['wall_p50']:>10.1f}{q['wall_p95']:>8.1f}"
              f"{q['cpu_p50']:>10.1f}{q['cpu_p95']:>8.1f}")
    print(f"{'every request':<47}{r['all_wall_p50']:>10.1f}{r['all_wall_p95']:>8.1f}"
          f"{r['all_cpu_p50']:>10.1f}{r['all_cpu_p95']:>8.1f}")


UNITS = ["县交通局", "县教育局", "县水务局", "县财政局", "县卫健委", "县林草局", "县住建局", "县发改委", "县应急局",
         "县农业农村局"]
WORKS = ["农村公路养护招标", "校车安全检查", "河长制考核办法印发", "乡镇卫生院设备采购", "森林防火巡查", "老旧小区改造",
         "重点项目计划编制", "安全生产大检查", "高标准农田建设", "垃圾分类专班组建"]


def write_synthetic(folder: Path, meetings: int = 400) -> None:
    """A county's 常务会议 over eight years: 8 议定事项 with 责任单位 and 时限, a 遗留问题, a report of one done."""
    import random
    rng = random.Random(1)
    for n in range(1, meetings + 1):
        year, month, day = 2016 + (n - 1) // 50, 1 + ((n - 1) % 50) // 5, 1 + ((n - 1) % 5) * 5
        lines = [f"# 某县人民政府第{n}次常务会议纪要", "", f"时间：{year}年{month}月{day}日", "主持人：张明华",
                 "出席：李建国、王芳、赵强", "", "## 会议议定事项", ""]
        for k in range(1, 9):
            unit, work = rng.choice(UNITS), rng.choice(WORKS)
            due = rng.choice([f"{rng.randint(1, 12)}月底前", f"{rng.randint(1, 12)}月{rng.randint(1, 28)}日前", "年底前", "尽快"])
            lines += [f"{k}、会议同意{unit}提出的{work}方案（第{n}-{k}项），{due}完成。责任单位：{unit}。", ""]
        lines += ["## 遗留问题", "", f"{rng.choice(WORKS)}相关问题（第{n}项遗留），责任人：赵强，完成时限：下周五前。", ""]
        if n > 1:
            lines += [f"会议听取了上次会议议定事项落实情况汇报，{rng.choice(WORKS)}方案（第{n - 1}-1项）已完成。", ""]
        path = folder / str(year) / f"第{n}次.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index")
    parser.add_argument("--database", help="a PostgreSQL archive's URL instead of --index")
    parser.add_argument("--write-synthetic", metavar="DIR", type=Path, help="write the synthetic minutes and stop")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--live", action="store_true", help="through waitress over HTTP")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.write_synthetic:
        return write_synthetic(args.write_synthetic)
    if not args.index and not args.database:
        parser.error("--index or --database is needed")
    result = run(args.index, args.rounds, args.live, args.database)
    print(json.dumps(result, ensure_ascii=False, indent=1)) if args.json else show(result)


if __name__ == "__main__":
    main()
