"""Full search rebuild throughput on the pages benchmark's data (documents and honor-roll entries).

Usage: python bench/rebuild.py --work DIR [--backend postgresql] [--repeat 1]
DIR is a folder seeded by `bench/pages.py --work DIR` (20,000 documents and 100,000 awards by
default; with --backend postgresql the PostgreSQL copy too). Prints entries per second of
`rebuild()` as `flask search rebuild` runs it: read from the database, analyse, write a new
Whoosh folder and switch to it (or rewrite the PostgreSQL search tables in one transaction).
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


def measure(env: dict, repeat: int) -> None:
    """In this process: rebuild `repeat` times and print the figures."""
    os.environ.update(env)
    from portal import create_app
    from portal.search import rebuild

    app = create_app({"SEARCH_CHECK_ON_START": False})
    with app.app_context():
        for _ in range(repeat):
            started = time.perf_counter()
            count = rebuild()
            seconds = time.perf_counter() - started
            print(f"  {count} entries in {seconds:.1f} s: {count / seconds:.0f} entries/s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work", required=True)
    parser.add_argument("--backend", choices=["whoosh", "postgresql"], default="whoosh")
    parser.add_argument("--repeat", type=int, default=1)
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
    print(f"{os.cpu_count()} CPUs")
    for label, env in portals.items():
        print(f"-- {label}", flush=True)
        # A process per portal: each keeps its own settings and module state.
        subprocess.run([sys.executable, "-c", f"import bench.rebuild as r; r.measure({env!r}, {args.repeat})"],
                       check=True, cwd=ROOT)


if __name__ == "__main__":
    main()
