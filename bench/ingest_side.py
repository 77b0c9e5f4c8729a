"""Ingest of this archive (Whoosh) and of the naive Whoosh + jieba baseline, side by side: wall and CPU.

    python bench/ingest_side.py [--subset MB] [--pairs N] [--together]

Each pair runs `archive ingest --rebuild` of the corpus (a fresh process; CPU of it and its workers)
and the naive baseline's build (bench/baselines.py JiebaWhoosh, one process, fed the paragraphs our
ingest splits, which are not counted), one after the other, or at the same time with --together (on a
shared machine both then meet the same load). Prints one JSON line per run and the ratios naive/ours.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.run import select_files, stage_corpus  # noqa: E402


def _start(cmd: list[str], env: dict | None = None) -> tuple:
    out = tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=out, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                            env={**os.environ, **(env or {})})
    return proc, out, time.perf_counter()


def _finish(started: tuple) -> dict:
    proc, out, t0 = started
    _, status, usage = os.wait4(proc.pid, 0)
    out.seek(0)
    return {"wall": time.perf_counter() - t0, "cpu": usage.ru_utime + usage.ru_stime,
            "rss_mb": usage.ru_maxrss / 1024, "rc": os.waitstatus_to_exitcode(status),
            "stdout": out.read().decode("utf-8", "replace")}


def naive_build(corpus: Path, work: Path) -> None:
    """In a child process: the baseline's build, timed from after the paragraphs are read."""
    from bench.baselines import JiebaWhoosh
    from bench.paragraphs import load_paragraphs
    paras = load_paragraphs(corpus)
    cpu = time.process_time()
    seconds = JiebaWhoosh(work).build(paras)
    print(json.dumps({"build_wall": seconds, "build_cpu": time.process_time() - cpu, "paragraphs": len(paras)}))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--subset", type=float, metavar="MB")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--pairs", type=int, default=1)
    ap.add_argument("--together", action="store_true", help="run both builds of a pair at the same time")
    ap.add_argument("--workdir")
    ap.add_argument("--naive", nargs=2, metavar=("CORPUS", "WORK"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.naive:
        naive_build(Path(args.naive[0]), Path(args.naive[1]))
        return 0
    work = Path(args.workdir or tempfile.mkdtemp(prefix="ingest-side-"))
    corpus = work / "corpus"
    shutil.rmtree(corpus, ignore_errors=True)
    mb = stage_corpus(select_files("law", args.subset, args.seed), corpus)
    ours_cmd = [sys.executable, "-m", "archive", "ingest", "--rebuild", "--json", "--index", str(work / "ours"), str(corpus)]
    naive_cmd = [sys.executable, str(Path(__file__).resolve()), "--naive", str(corpus), str(work)]
    for pair in range(args.pairs):
        load = os.getloadavg()[0]
        if args.together:
            a, b = _start(ours_cmd), _start(naive_cmd)
            ours, naive = _finish(a), _finish(b)
        else:
            ours = _finish(_start(ours_cmd))
            naive = _finish(_start(naive_cmd))
        built = json.loads(naive["stdout"].strip().splitlines()[-1])
        row = {"pair": pair, "mb": round(mb, 2), "load_before": load, "load_after": os.getloadavg()[0],
               "ours_wall": round(ours["wall"], 1), "ours_cpu": round(ours["cpu"], 1), "ours_rss_mb": round(ours["rss_mb"]),
               "naive_wall": round(built["build_wall"], 1), "naive_cpu": round(built["build_cpu"], 1),
               "wall_ratio": round(built["build_wall"] / ours["wall"], 2),
               "cpu_ratio": round(built["build_cpu"] / ours["cpu"], 2)}
        print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
