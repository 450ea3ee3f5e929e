"""Certificates of one decision as one PDF: time and peak memory for a list of N awards.

Each size runs in its own process, so the figure is that process's peak resident memory: a
batch renders CHUNK certificates at a time, so 500 should need about what 100 needs.

    .venv/bin/python bench/certificates.py            # 100 and 500
    .venv/bin/python bench/certificates.py --sizes 40 500 1000
"""
from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = ["STT", "Đối tượng", "Họ tên", "Chức vụ", "Đơn vị", "Thành tích", "Số vào sổ"]
GIVEN = ["An", "Bình", "Chiến", "Dũng", "Hòa", "Khánh", "Lan", "Mai", "Nga", "Phương", "Quỳnh", "Thảo"]


def _decision(folder: Path, size: int) -> Path:
    with open(folder / "qd.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(1, size + 1):
            writer.writerow([n, "Cá nhân", f"Nguyễn Văn {GIVEN[n % len(GIVEN)]} {n}", "Chuyên viên",
                             f"Phòng {n % 9 + 1}", "Hoàn thành xuất sắc nhiệm vụ giải phóng mặt bằng", f"S-{n}"])
    path = folder / "qd.md"
    path.write_text(textwrap.dedent("""\
        ---
        symbol: 77/QĐ-UBND
        type: QĐ
        issuer: Ủy ban nhân dân tỉnh Lạng Sơn
        place: Lạng Sơn
        issued_on: 2025-12-20
        subject: Về việc tặng Bằng khen
        award_form: Bằng khen của Chủ tịch UBND tỉnh
        achievement_year: 2025
        awards: qd.csv
        ---
        Quyết định.
        """), encoding="utf-8")
    return path


def one(size: int, chunk: int) -> dict:
    """In this process: load a decision of `size` awards, render its batch, report."""
    from portal.domain.honors import certificates as certs
    certs.CHUNK = chunk
    from bench.apps import embedded_app
    from portal.domain.content import loader
    from portal.domain.documents.models import Document
    from portal.domain.honors.models import decision_for
    from portal.extensions import db
    from portal.services import storage
    from portal.web import certificates

    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        app = embedded_app(work)
        with app.app_context():
            db.create_all()
            (work / "content").mkdir()
            _decision(work / "content", size)
            report = loader.load(work / "content", storage())
            assert report is not None
            document = db.session.scalar(db.select(Document))
            decision = decision_for(document)
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            with app.test_request_context():
                started = time.perf_counter()
                response = certificates.batch(decision, document)
                seconds = time.perf_counter() - started
            response.direct_passthrough = False
            pdf = response.get_data()
            response.close()
    import io

    from pypdf import PdfReader
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"size": size, "pages": pages, "seconds": round(seconds, 2), "bytes": len(pdf),
            "rss_before_mb": round(before / 1024), "peak_rss_mb": round(peak / 1024)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 500])
    parser.add_argument("--chunk", type=int, nargs="+", default=[40],
                        help="certificates per WeasyPrint document (the portal's: 40)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.chunk[0])))
        return
    print(f"{'chunk':>6} {'awards':>7} {'pages':>6} {'seconds':>8} {'ms/cert':>8} {'PDF KB':>8} "
          f"{'RSS before':>11} {'peak RSS':>9}")
    for chunk in args.chunk:
        for size in args.sizes:
            out = subprocess.run([sys.executable, str(Path(__file__)), "--one", str(size), "--chunk", str(chunk)],
                                 cwd=ROOT, check=True, capture_output=True, text=True,
                                 env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
            r = json.loads(out.stdout.strip().splitlines()[-1])
            per = 1000 * r["seconds"] / r["size"]
            print(f"{chunk:>6} {r['size']:>7} {r['pages']:>6} {r['seconds']:>8} {per:>8.0f} "
                  f"{r['bytes'] // 1024:>8} {r['rss_before_mb']:>9} MB {r['peak_rss_mb']:>6} MB")


if __name__ == "__main__":
    main()
