"""Full search rebuild throughput on the pages benchmark's data (documents and honor-roll entries).

Usage: python bench/rebuild.py --work DIR [--backend postgresql] [--repeat 1] [--procs 1,2]
DIR is a folder seeded by `bench/pages.py --work DIR` (20,000 documents and 100,000 awards by
default; with --backend postgresql the PostgreSQL copy too). Prints entries per second of
`rebuild()` as `flask search rebuild` runs it: read from the database, analyse, write a new
Whoosh folder and switch to it (or rewrite the PostgreSQL search tables in one transaction).
--procs lists the worker-process counts to measure (1: one process; the command's default is
the number of CPUs, at most 4); the ratios are to the first.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _cpu() -> tuple[float, float]:
    import resource
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def measure(env: dict, repeat: int, procs: list[int]) -> None:
    """In this process: rebuild `repeat` times with each worker count and print the figures."""
    os.environ.update(env)
    from portal import create_app
    from portal.search import rebuild

    app = create_app({"SEARCH_CHECK_ON_START": False})
    first = None
    with app.app_context():
        for workers in procs:
            for _ in range(repeat):
                started, cpu = time.perf_counter(), _cpu()
                count = rebuild(procs=workers)
                rate = count / (time.perf_counter() - started)
                used = [after - before for before, after in zip(cpu, _cpu(), strict=True)]
                first = first or rate
                print(f"  procs={workers}: {count} entries in {count / rate:.1f} s: {rate:.0f} entries/s "
                      f"({rate / first:.2f}x); CPU s: this process {used[0]:.0f}, workers {used[1]:.0f}", flush=True)
    from portal.search.whoosh import fork
    assert not fork.FALLBACKS, f"a fast path fell back to Whoosh's own: {dict(fork.FALLBACKS)}"
    print("  fast paths: every one taken in this process")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work", required=True)
    parser.add_argument("--backend", choices=["whoosh", "postgresql"], default="whoosh")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--procs", default=f"1,{min(os.cpu_count() or 1, 4)}")
    args = parser.parse_args()
    work = Path(args.work)
    if not (work / "bench.sqlite3").exists():
        sys.exit(f"{work} holds no seeded data: run bench/pages.py --work {work} first")
    portals = {"embedded (SQLite, Whoosh)": {
        "INSTANCE_DIR": str(work / "instance"), "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
        "SEARCH_INDEX_DIR": str(work / "index"), "UPLOAD_DIR": str(work / "uploads"), "SECRET_KEY": "bench"}}
    if args.backend == "postgresql":
        if not (work / "pg-seeded").exists():
            sys.exit(f"{work} holds no PostgreSQL copy: run bench/pages.py --work {work} --backend postgresql")
        server = os.environ.get("PG_URL", "postgresql://postgres@127.0.0.1:5432")
        portals["PostgreSQL (database and search)"] = {
            "INSTANCE_DIR": str(work / "instance-pg"), "DATABASE_URL": f"{server}/portal_bench_pages",
            "SEARCH_INDEX_DIR": str(work / "index-pg"), "UPLOAD_DIR": str(work / "uploads-pg"),
            "SECRET_KEY": "bench", "SEARCH_BACKEND": "postgresql"}
    procs = [int(n) for n in args.procs.split(",")]
    print(f"{os.cpu_count()} CPUs")
    for label, env in portals.items():
        print(f"-- {label}", flush=True)
        # A process per portal: each keeps its own settings and module state.
        code = f"import bench.rebuild as r; r.measure({env!r}, {args.repeat}, {procs!r})"
        subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


if __name__ == "__main__":
    main()
