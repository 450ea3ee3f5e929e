"""Page throughput of the portal at scale, as ratios to a minimal Flask page.

Usage: python bench/pages.py [N] [--seconds S] [--awards A] [--only TEXT] [--work DIR] [--warm W]
                              [--backend postgresql]
(N synthetic documents, default 20000; A honor-roll entries, default 100000; --work keeps the
seeded data in DIR and reuses it on the next run; --backend postgresql also seeds a PostgreSQL
database `portal_bench_pages` on PG_URL with the PostgreSQL search backend, and measures both
portals in the same run, side by side.)
Both apps run under gunicorn with 2 sync workers in the same run; wrk drives them.

The cold name search is measured beside plain SQLite FTS5 pages doing the same search
(bench/fts5_names_app.py): every server up at once, each measured in ROUNDS short turns (A B C
A B C …), so that the machine's drift touches all alike.

"cold" rows send a different query with every request (thousands of distinct ones), so neither
the page cache nor the result cache can answer: the speed of a search typed once. With
--warm W, each cold row first runs W seconds of other unique queries of its kind, unmeasured: a
portal that has been answering for a while (its processes have met the common syllables).
"""
from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import corpus  # noqa: E402
from bench.corpus import cold_names, cold_queries  # noqa: E402
from bench.harness import Result, gunicorn, load, report, side_by_side  # noqa: E402
from portal.domain.documents.models import Document  # noqa: E402


def seed(env: dict, count: int, awards: int) -> None:
    """Migrate a fresh database and insert `count` published documents through the models."""
    os.environ.update(env)
    from flask_migrate import upgrade

    from portal import create_app
    from portal.config import PROJECT_ROOT
    from portal.domain.content import loader as content
    from portal.domain.documents.markdown import render
    from portal.domain.documents.symbols import parse_symbol, slug_for
    from portal.domain.kernel import changes
    from portal.extensions import db
    from portal.search import service
    from portal.services import storage

    app = create_app({"SCHEMA_CHECK": False})  # it migrates the fresh database itself, below
    changes.committed.disconnect(service._on_commit)  # bulk seeding: one rebuild at the end instead
    changes.recorded.disconnect(service._on_recorded)
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
        seed_awards(awards)
        from portal.search import rebuild
        rebuild()
        if db.engine.dialect.name == "postgresql":
            # As autovacuum would, in time: plans need statistics, index-only scans the visibility map.
            from sqlalchemy import text
            db.session.commit()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))


def seed_awards(count: int) -> None:
    """`count` awards over 40 decisions, in bulk (deterministic); names from common parts."""
    import random

    from sqlalchemy import insert

    from portal.domain.honors.models import Award, AwardWord, HonorDecision, name_words
    from portal.domain.honors.places import Area
    from portal.extensions import db
    from portal.vietnamese.collation import sort_key
    from portal.vietnamese.folding import fold

    if not count:
        return
    rng = random.Random(11)
    families = "Nguyễn Trần Lê Phạm Hoàng Vi Lương Hà Nông Chu Lý Đinh Đỗ Bế Hứa Lăng Triệu Mã".split()
    middles = "Văn Thị Đức Minh Thu Hồng Quang Ngọc Kim Xuân".split()
    givens = "An Anh Ánh Ân Bình Chiến Cường Dũng Đào Đức Giang Hà Hải Hoa Hùng Lan Linh Long Mai Nam Oanh Phúc".split()
    areas = [a.id for a in db.session.scalars(db.select(Area))]
    decisions = []
    for n in range(40):
        year = 2022 + n % 4
        doc = Document(slug=f"bench-qd-{n}", symbol=f"{500 + n}/QĐ-UBND", symbol_key=f"{500 + n}qdubnd",
                       number=500 + n, year=year, doc_type="quyet-dinh", issuer_code="UBND",
                       issuer="Ủy ban nhân dân tỉnh Lạng Sơn", place="Lạng Sơn", issued_on=date(year, 12, 20),
                       subject=f"Khen thưởng giải phóng mặt bằng năm {year} (đợt {n})", status="published")
        db.session.add(doc)
        db.session.flush()
        decision = HonorDecision(document_id=doc.id, distinction="bang-khen-chu-tich-ubnd-tinh" if n % 3
                                 else "giay-khen-thu-truong", achievement_year=year)
        db.session.add(decision)
        db.session.flush()
        decisions.append(decision.id)
    rows = []
    for i in range(count):
        kind = ("ca-nhan", "tap-the", "ho-gia-dinh")[i % 3]
        person = f"{rng.choice(families)} {rng.choice(middles)} {rng.choice(givens)}"
        name = {"ca-nhan": person, "ho-gia-dinh": f"Hộ ông {person}",
                "tap-the": f"Ủy ban nhân dân xã {rng.choice(givens)} {i}"}[kind]
        rows.append({"decision_id": decisions[i % 40], "seq": i // 40 + 1, "kind": kind, "name": name,
                     "name_folded": fold(name), "sort_key": sort_key(name, kind), "unit": f"Đơn vị {i % 50}",
                     "district_area_id": areas[i % len(areas)] if areas else None, "publication": "public",
                     "achievement": "Vận động nhân dân bàn giao mặt bằng đúng hạn", "created_at": datetime.now(UTC),
                     "updated_at": datetime.now(UTC)})
        if len(rows) == 5000:
            db.session.execute(insert(Award), rows)
            rows = []
    if rows:
        db.session.execute(insert(Award), rows)
    words = []
    for award_id, name in db.session.execute(db.select(Award.id, Award.name)):
        words += [{"word": w, "award_id": award_id} for w in sorted(name_words(name))]
        if len(words) >= 20000:
            db.session.execute(insert(AwardWord), words)
            words = []
    if words:
        db.session.execute(insert(AwardWord), words)
    db.session.commit()


ROUNDS = 5  # turns of the side-by-side comparison (seconds / ROUNDS each)


def repeats(name: str, paths: list[str], result: Result, seconds: int) -> None:
    """Say so when a cold row sent more requests than it has distinct paths (a page cache may
    then have answered some)."""
    if "cold" in name and result.rps * seconds > len(paths):
        print(f"warning: {name}: about {result.rps * seconds:.0f} requests for {len(paths)} distinct paths")


def doc_slug(item: dict) -> str:
    from portal.domain.documents.symbols import slug_for
    return slug_for(item["symbol"], item["issued_on"].year)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("count", nargs="?", type=int, default=20000)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--warm", type=int, default=0,
                        help="seconds of other unique queries before each cold row (a portal answering for a while)")
    parser.add_argument("--awards", type=int, default=100000)
    parser.add_argument("--only", default="", help="measure only pages whose name contains this text")
    parser.add_argument("--work", default="", help="keep the seeded data here and reuse it")
    parser.add_argument("--backend", choices=["whoosh", "postgresql"], default="whoosh",
                        help="postgresql: measure a PostgreSQL portal (database and search) beside the default")
    args = parser.parse_args()
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="portal-bench-"))
    env = {"INSTANCE_DIR": str(work / "instance"), "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
           "SEARCH_INDEX_DIR": str(work / "index"), "UPLOAD_DIR": str(work / "uploads"), "SECRET_KEY": "bench"}
    started = time.perf_counter()
    if not (work / "bench.sqlite3").exists():
        work.mkdir(parents=True, exist_ok=True)
        seed(env, args.count, args.awards)
        print(f"seeded {args.count} documents and {args.awards} awards in {time.perf_counter() - started:.1f}s")
    portals = {"embedded (SQLite, Whoosh)": env}
    if args.backend == "postgresql":
        portals["PostgreSQL (database and search)"] = seed_postgres(work, args.count, args.awards)
    print(f"data in {work}")
    from urllib.parse import quote

    from bench.search import query_mix
    queries = query_mix(240, args.count)
    names = [f"{f} {g}" for f in ("Nguyễn", "tran", "Hoàng", "vi", "Lý") for g in
             ("An", "anh", "Bình", "chien", "Dũng", "dao", "Hà", "hung", "Mai", "nam", "Oanh", "phuc", "Linh", "long",
              "Giang", "hai", "Hoa", "lan", "Cường", "duc")]
    step = max(1, args.count // 1000)
    names_cold = cold_names(40000)  # 26,000 measured, 14,000 to warm up: none sent twice in a run
    slugs = [doc_slug(item) for item in itertools.islice(corpus.documents(args.count), 0, args.count, step)]
    pages = {
        "/ (section home)": ["/"],
        "/van-ban (list, page 1)": ["/van-ban"],
        "/van-ban filtered + page 2": ["/van-ban?loai=ke-hoach&nam=2020&trang=2"],
        "/van-ban/<slug> (document page)": ["/van-ban/174-kh-ubnd-2022"],
        "/van-ban/<slug>, 1,000 documents in rotation": [f"/van-ban/{slug}" for slug in slugs],
        "/rss.xml (feed)": ["/rss.xml"],
        "/tim-kiem, 240 queries in rotation": [f"/tim-kiem?q={quote(text)}" for text in queries],
        "/vinh-danh (honor roll, page 1)": ["/vinh-danh"],
        "/vinh-danh filtered (district + kind), page 2": ["/vinh-danh?dia-ban=huyen-cao-loc&doi-tuong=ca-nhan&trang=2"],
        "/vinh-danh name search, 100 names in rotation": [f"/vinh-danh?ten={quote(n)}" for n in names],
        "/vinh-danh/xuat.csv?nam=2023 (export)": ["/vinh-danh/xuat.csv?nam=2023"],
        "/tim-kiem cold, every query unique": [f"/tim-kiem?q={quote(text)}" for text in cold_queries(6000)],
        "/tim-kiem cold, common name words": [f"/tim-kiem?q={quote(text)}" for text in cold_names(3000)],
        "/vinh-danh?ten= cold, every name unique": [f"/vinh-danh?ten={quote(text)}" for text in names_cold[:26000]],
    }
    # A warm-up for the cold rows: other unique queries of the same kinds, never measured.
    warm = {"/tim-kiem cold, every query unique": [f"/tim-kiem?q={quote(t)}" for t in cold_queries(12000)[6000:]],
            "/tim-kiem cold, common name words": [f"/tim-kiem?q={quote(t)}" for t in cold_names(6000)[3000:]],
            "/vinh-danh?ten= cold, every name unique": [f"/vinh-danh?ten={quote(t)}" for t in names_cold[26000:]]}
    with gunicorn("bench.minimal_app:app", env) as base:
        before = load(base, ["/"], args.seconds)
    cold_names_row = "/vinh-danh?ten= cold, every name unique"
    beside_fts5 = args.only in cold_names_row  # that row is measured below, in turns with FTS5's pages
    measured = {}
    for label, portal_env in portals.items():
        rows = measured[label] = []
        with gunicorn("portal:create_app()", portal_env) as base:
            for name, paths in pages.items():
                if args.only not in name or (beside_fts5 and name == cold_names_row):
                    continue
                if args.warm and name in warm:
                    load(base, warm[name], args.warm)
                rows.append((name, load(base, paths, args.seconds)))
                repeats(name, paths, rows[-1][1], args.seconds)
    reference = []
    if beside_fts5:  # the same name search on plain SQLite FTS5 pages, same run, in turns
        from bench import fts5_names_app
        fts_env = {**env, "FTS_NAMES_DB": str(work / "names-fts5.sqlite3")}
        listed = fts5_names_app.build(str(work / "bench.sqlite3"), fts_env["FTS_NAMES_DB"])
        print(f"FTS5 reference: {listed} listed names; each server measured in {ROUNDS} turns")
        cold, warm_up = pages[cold_names_row], warm[cold_names_row]
        with ExitStack() as stack:
            servers = {label: stack.enter_context(gunicorn("portal:create_app()", portal_env))
                       for label, portal_env in portals.items()}
            fts_base = stack.enter_context(gunicorn("bench.fts5_names_app:app", fts_env))
            targets = {}
            for label, base, prefix in ([(label, base, "/vinh-danh?") for label, base in servers.items()]
                                        + [("FTS5 page, same content", fts_base, "/vinh-danh?"),
                                           ("FTS5 page, bare table", fts_base, "/bang?")]):
                if args.warm:
                    load(base, [p.replace("/vinh-danh?", prefix) for p in warm_up], args.warm)
                targets[label] = (base, [p.replace("/vinh-danh?", prefix) for p in cold])
            results = side_by_side(targets, args.seconds, ROUNDS)
        for label, result in results.items():
            repeats(cold_names_row, cold[:len(cold) // ROUNDS], result, max(1, args.seconds // ROUNDS))
            if label in measured:
                measured[label].append((cold_names_row, result))
            else:
                reference.append((label, result))
    with gunicorn("bench.minimal_app:app", env) as base:
        after = load(base, ["/"], args.seconds)
    baseline = Result((before.rps + after.rps) / 2, (before.p50_ms + after.p50_ms) / 2,
                      (before.p99_ms + after.p99_ms) / 2)
    print(f"\n{args.count} documents; gunicorn 2 sync workers; baseline runs: {before.rps:.0f} and "
          f"{after.rps:.0f} req/s; {os.cpu_count()} CPUs")
    for label, rows in measured.items():
        print(f"\n-- {label}")
        report(rows, baseline)
    if reference:
        print("\n-- references: plain SQLite FTS5 pages, the same name search (bench/fts5_names_app.py)")
        report(reference, baseline)
        for label, rows in measured.items():
            portal = dict(rows).get(cold_names_row)
            if portal:
                ratios = ", ".join(f"{portal.rps / fts.rps:.2f}x the {name} ({fts.rps:.0f} req/s)"
                                   for name, fts in reference)
                print(f"{label}: name search {portal.rps:.0f} req/s = {ratios}")


def seed_postgres(work: Path, count: int, awards: int) -> dict:
    """The same data in a PostgreSQL database with the PostgreSQL search backend (seeded once
    per --work folder); returns its settings."""
    import subprocess

    server = os.environ.get("PG_URL", "postgresql://postgres@127.0.0.1:5432")
    env = {"INSTANCE_DIR": str(work / "instance-pg"), "DATABASE_URL": f"{server}/portal_bench_pages",
           "SEARCH_INDEX_DIR": str(work / "index-pg"), "UPLOAD_DIR": str(work / "uploads-pg"),
           "SECRET_KEY": "bench", "SEARCH_BACKEND": "postgresql"}
    if (work / "pg-seeded").exists():
        return env
    import psycopg
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS portal_bench_pages WITH (FORCE)")
        admin.execute("CREATE DATABASE portal_bench_pages")
    started = time.perf_counter()
    # A process of its own: the settings of the embedded portal stay in this one.
    subprocess.run([sys.executable, "-c", f"import bench.pages as p; p.seed({env!r}, {count}, {awards})"],
                   check=True, cwd=Path(__file__).resolve().parent.parent)
    (work / "pg-seeded").write_text("ok")
    print(f"seeded PostgreSQL in {time.perf_counter() - started:.1f}s")
    return env


if __name__ == "__main__":
    main()
