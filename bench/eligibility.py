"""A person's history and an eligibility check, in process, at 100,000 awards over 10 years.

6,250 people, each with one award a year for 10 years (Lao động tiên tiến, most years also
Chiến sĩ thi đua cơ sở), in 20 published decisions; then the history and the check for the
sector's Chiến sĩ thi đua of 2024 (a chain of three years) for 1,000 people drawn at random.

    .venv/bin/python bench/eligibility.py                       # embedded SQLite
    .venv/bin/python bench/eligibility.py --backend postgresql  # PG_URL, default 127.0.0.1:5432
"""
from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PEOPLE, YEARS = 6_250, list(range(2016, 2026))  # about 100,000 awards


def _fill(db) -> None:
    from portal.domain.documents.models import Document
    from portal.domain.honors.models import Award, AwardPrivate, HonorDecision
    now = datetime.now(UTC)
    rng = random.Random(7)
    decisions = {}
    for year in YEARS:
        for code in ("lao-dong-tien-tien", "chien-si-thi-dua-co-so"):
            n = len(decisions) + 1
            document = Document(symbol=f"{n}/QĐ-VKS", symbol_key=f"{n}qdvks", number=n, year=year,
                                issuer_code="VKS", slug=f"{n}-qd-vks-{year}",
                                doc_type="quyet-dinh", issuer="Viện kiểm sát nhân dân tỉnh Lạng Sơn", place="Lạng Sơn",
                                issued_on=date(year, 12, 20), subject="Về việc công nhận danh hiệu", status="published",
                                published_at=now)
            db.session.add(document)
            db.session.flush()
            decision = HonorDecision(document_id=document.id, distinction=code, achievement_year=year, reason="")
            db.session.add(decision)
            db.session.flush()
            decisions[(year, code)] = decision.id
    awards, private, seq = [], [], {}
    next_id = 1
    for person in range(PEOPLE):
        number = f"{1_000_000_000_00 + person:012d}"
        for year in YEARS:
            codes = ["lao-dong-tien-tien"] + (["chien-si-thi-dua-co-so"] if rng.random() < 0.6 else [])
            for code in codes:
                key = (year, code)
                seq[key] = seq.get(key, 0) + 1
                awards.append({"id": next_id, "decision_id": decisions[key], "seq": seq[key], "kind": "ca-nhan",
                               "name": f"Người thứ {person}", "name_folded": f"nguoi thu {person}",
                               "sort_key": f"{person:08d}", "publication": "public",
                               "verification_code": secrets.token_hex(6).upper(), "annulled": False,
                               "created_at": now, "updated_at": now})
                private.append({"award_id": next_id, "id_number": number})
                next_id += 1
    db.session.execute(Award.__table__.insert(), awards)
    db.session.execute(AwardPrivate.__table__.insert(), private)
    db.session.commit()
    print(f"{len(awards):,} awards, {PEOPLE:,} people, {len(decisions)} decisions")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    from bench.apps import embedded_app, postgres_app
    from portal.domain.honors import eligibility
    from portal.extensions import db
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        if args.backend == "sqlite":
            app = embedded_app(work)
        else:
            app = postgres_app(os.environ.get("PG_URL", "postgresql://postgres@127.0.0.1:5432"), work,
                               "portal_bench_eligibility")
        with app.app_context():
            db.create_all()
            started = time.perf_counter()
            _fill(db)
            print(f"filled in {time.perf_counter() - started:.1f} s ({args.backend})")
            people = random.Random(1).sample(range(PEOPLE), 1000)
            for what, call in (("history", lambda n: eligibility.history(n)),
                               ("check", lambda n: eligibility.check(n, "chien-si-thi-dua-nganh", 2024))):
                times = []
                for person in people:
                    number = f"{1_000_000_000_00 + person:012d}"
                    t = time.perf_counter()
                    call(number)
                    times.append((time.perf_counter() - t) * 1000)
                times.sort()
                print(f"{what:8} p50 {statistics.median(times):6.2f} ms  p95 {times[949]:6.2f} ms  "
                      f"max {times[-1]:6.2f} ms  (target 20 ms)")
            db.session.remove()


if __name__ == "__main__":
    main()
