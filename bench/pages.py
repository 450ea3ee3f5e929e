"""Page throughput of the portal at scale, as ratios to a minimal Flask page.

Usage: python bench/pages.py [N] [--seconds S]   (N synthetic documents, default 20000)
Both apps run under gunicorn with 2 sync workers in the same run; wrk drives them.
"""
from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import corpus  # noqa: E402
from bench.harness import Result, gunicorn, load, report  # noqa: E402


def seed(env: dict, count: int) -> None:
    """Migrate a fresh database and insert `count` published documents through the models."""
    os.environ.update(env)
    from flask_migrate import upgrade

    from portal import create_app
    from portal.config import PROJECT_ROOT
    from portal.domain import content
    from portal.domain.documents import Document
    from portal.domain.markdown import render
    from portal.domain.symbols import parse_symbol, slug_for
    from portal.extensions import db
    from portal.services import storage

    app = create_app()
    with app.app_context():
        upgrade(directory=str(PROJECT_ROOT / "migrations"))
        content.load(PROJECT_ROOT / "content", storage())
        batch = []
        for item in corpus.documents(count):
            parsed = parse_symbol(item["symbol"])
            batch.append(Document(
                slug=slug_for(parsed.text, item["issued_on"].year), symbol=parsed.text, symbol_key=parsed.key,
                number=parsed.number, year=item["issued_on"].year, doc_type=item["doc_type"],
                issuer_code=parsed.issuer_code, unit_code=parsed.unit_code, issuer=item["issuer"],
                place="Lạng Sơn", issued_on=item["issued_on"], subject=item["subject"], body=item["body"],
                body_html=render(item["body"]), status="published"))
            if len(batch) == 1000:
                db.session.add_all(batch)
                db.session.commit()
                batch = []
        db.session.add_all(batch)
        db.session.commit()
        rebuild = getattr(app, "rebuild_search_index", None)
        if rebuild:
            rebuild()


def doc_slug(item: dict) -> str:
    from portal.domain.symbols import slug_for
    return slug_for(item["symbol"], item["issued_on"].year)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("count", nargs="?", type=int, default=20000)
    parser.add_argument("--seconds", type=int, default=8)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    env = {"INSTANCE_DIR": str(work / "instance"), "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
           "SEARCH_INDEX_DIR": str(work / "index"), "UPLOAD_DIR": str(work / "uploads"), "SECRET_KEY": "bench"}
    started = time.perf_counter()
    seed(env, args.count)
    print(f"seeded {args.count} documents in {time.perf_counter() - started:.1f}s ({work})")
    from urllib.parse import quote

    from bench.search import query_mix
    queries = query_mix(240, args.count)
    step = max(1, args.count // 1000)
    slugs = [doc_slug(item) for item in itertools.islice(corpus.documents(args.count), 0, args.count, step)]
    pages = {
        "/ (section home)": ["/"],
        "/van-ban (list, page 1)": ["/van-ban"],
        "/van-ban filtered + page 2": ["/van-ban?loai=ke-hoach&nam=2020&trang=2"],
        "/van-ban/<slug> (document page)": ["/van-ban/174-kh-ubnd-2022"],
        "/van-ban/<slug>, 1,000 documents in rotation": [f"/van-ban/{slug}" for slug in slugs],
        "/rss.xml (feed)": ["/rss.xml"],
        "/tim-kiem, 240 queries in rotation": [f"/tim-kiem?q={quote(text)}" for text in queries],
    }
    with gunicorn("bench.minimal_app:app", env) as base:
        before = load(base, ["/"], args.seconds)
    rows = []
    with gunicorn("portal:create_app()", env) as base:
        for name, paths in pages.items():
            rows.append((name, load(base, paths, args.seconds)))
    with gunicorn("bench.minimal_app:app", env) as base:
        after = load(base, ["/"], args.seconds)
    baseline = Result((before.rps + after.rps) / 2, (before.p50_ms + after.p50_ms) / 2,
                      (before.p99_ms + after.p99_ms) / 2)
    print(f"\n{args.count} documents; gunicorn 2 sync workers; baseline runs: {before.rps:.0f} and "
          f"{after.rps:.0f} req/s; {os.cpu_count()} CPUs")
    report(rows, baseline)


if __name__ == "__main__":
    main()
