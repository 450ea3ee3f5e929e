"""The honor roll's name search itself, without the page around it: the portal's (the name
index, the roll's order, the counts its page shows: `roll.listed_fields` and `counts.facets`)
beside SQLite FTS5 doing the same (`bench.fts5_names_app.found`: 20 rows, the total, the counts
by kind, form, year and district), in one process, on names typed once each. The two run in
alternating blocks of 100 names, so the machine's drift touches both alike.

Needs the data of `bench/pages.py --work DIR` (with `--backend postgresql` for the PostgreSQL
portal, measured with `--backend postgresql` here).

Usage: python bench/names_search.py --work DIR [--backend postgresql] [--names N]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work", required=True)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--names", type=int, default=6000)
    args = parser.parse_args()
    work = Path(args.work)
    os.environ.update({"INSTANCE_DIR": str(work / "instance"), "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
                       "SEARCH_INDEX_DIR": str(work / "index"), "UPLOAD_DIR": str(work / "uploads"),
                       "SECRET_KEY": "bench", "FTS_NAMES_DB": str(work / "names-fts5.sqlite3")})
    if args.backend == "postgresql":
        server = os.environ.get("PG_URL", "postgresql://postgres@127.0.0.1:5432")
        os.environ.update({"INSTANCE_DIR": str(work / "instance-pg"), "DATABASE_URL": f"{server}/portal_bench_pages",
                           "SEARCH_INDEX_DIR": str(work / "index-pg"), "UPLOAD_DIR": str(work / "uploads-pg"),
                           "SEARCH_BACKEND": "postgresql"})
    from bench import fts5_names_app
    from bench.corpus import cold_names
    from portal import create_app
    from portal.domain.honors import counts, roll

    if not Path(os.environ["FTS_NAMES_DB"]).exists():
        fts5_names_app.build(str(work / "bench.sqlite3"), os.environ["FTS_NAMES_DB"])
    app = create_app()
    names = cold_names(2 * args.names)
    measured, warm = names[:args.names], names[args.names:]

    def portal(text: str) -> tuple[int, list]:
        with app.test_request_context("/vinh-danh"):
            flt = roll.HonorFilter(name=text)
            started = time.perf_counter()
            page = roll.listed_fields(flt, 1, 20)
            counts.facets(flt)
            return time.perf_counter() - started, page.total

    def fts(text: str) -> tuple[int, list]:
        started = time.perf_counter()
        _rows, total, _facets = fts5_names_app.found(text)
        return time.perf_counter() - started, total

    with app.test_request_context("/vinh-danh"):
        roll.listed_fields(roll.HonorFilter(name="a"), 1, 20)  # the name index, read once per process
    for text in warm[:2000]:
        portal(text), fts(text)
    spent = {"portal": 0.0, "fts5": 0.0}
    same = 0
    for block in range(0, len(measured), 100):
        totals = {}
        for label, search in (("portal", portal), ("fts5", fts)):
            for text in measured[block:block + 100]:
                seconds, total = search(text)
                spent[label] += seconds
                totals.setdefault(text, []).append(total)
        same += sum(1 for a, b in totals.values() if a == b)
    portal_ms, fts_ms = (spent[k] / len(measured) * 1000 for k in ("portal", "fts5"))
    print(f"{len(measured)} names, each once; {os.cpu_count()} CPUs; portal database: {args.backend}")
    print(f"portal (name index, order, counts): {portal_ms:.3f} ms a search")
    print(f"SQLite FTS5 (the same rows and counts): {fts_ms:.3f} ms a search")
    print(f"portal speed = {fts_ms / portal_ms:.2f}x FTS5; the same total for {same} of {len(measured)} names "
          "(FTS5's unicode61 keeps đ apart from d and y from i, as the portal's folding does not)")


if __name__ == "__main__":
    main()
