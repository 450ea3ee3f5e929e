"""A process killed with SIGKILL while it drafts the decision from a dossier of 3,000 approved
nominees, at several instants: afterwards there is either no draft at all, or the whole draft
(the document, its 3,000 awards with their private data, the dossier linked to it); and the
office can draft it again."""
from __future__ import annotations

import csv
import io
import subprocess
import sys
import textwrap
import time

import pytest

from portal.config import PROJECT_ROOT
from tests.faults.test_fault_crashes import count, portal_data  # noqa: F401 (fixture)
from tests.honors_helpers import HEADER

pytestmark = pytest.mark.slow
NOMINEES = 3000

PREPARE = textwrap.dedent("""
    import io, sys
    from portal import create_app
    from portal.domain.kernel.actor import Actor
    from portal.domain.campaigns.models import ReviewRound
    from portal.domain.units import by_code, dossier_files, dossier_steps, dossiers
    from portal.extensions import db
    from portal.services import storage
    PDF = b"%PDF-1.4\\n1 0 obj<<>>endobj\\ntrailer<<>>\\n%%EOF\\n"
    app = create_app()
    with app.app_context():
        unit, office = Actor("dv@vks.test", "unit"), Actor("vp@vks.test", "reviewer")
        rnd = db.session.scalar(db.select(ReviewRound).where(ReviewRound.code == "so-ket-2022"))
        dossier = dossiers.create(by_code("vks-cao-loc"), rnd, "bang-khen-chu-tich-ubnd-tinh", "", unit)
        for role in dossiers.FILE_ROLES:
            dossier_files.add_file(dossier, role, io.BytesIO(PDF), role + ".pdf", unit, storage())
        dossier_files.replace_list(dossier, open(sys.argv[1], "rb"), "danh-sach.csv", unit, storage())
        db.session.commit()
        dossier_steps.apply(dossier, "submit", unit)
        dossier_steps.apply(dossier, "appraise", office)
        for nominee in dossier.nominees:
            nominee.verdict = "approved"
        db.session.commit()
        dossier_steps.apply(dossier, "propose", office)
        print(dossier.id)
""")

DRAFT = textwrap.dedent("""
    import sys
    from pathlib import Path
    from portal import create_app
    from portal.domain.kernel.actor import Actor
    from portal.domain.units import decision_drafts
    app = create_app()
    with app.app_context():
        Path(sys.argv[2]).write_text("started")
        decision_drafts.draft_decision([int(sys.argv[1])], {
            "symbol": "30/QĐ-UBND", "issued_on": "2026-12-20", "signing_authority": "KT. CHỦ TỊCH",
            "signer_title": "PHÓ CHỦ TỊCH", "signer": "Hoàng Văn Ký", "level": "tinh",
            "issuer": "Ủy ban nhân dân tỉnh Lạng Sơn", "place": "Lạng Sơn"}, Actor("vp@vks.test", "reviewer"))
        print("done")
""")


def _list(path) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for n in range(1, NOMINEES + 1):
        writer.writerow([n, "Cá nhân", f"Người thứ {n}", "Cán bộ", "Viện kiểm sát nhân dân huyện Cao Lộc", "", "", "",
                         "Hoàn thành xuất sắc nhiệm vụ", "", "", f"{n:012d}", "01/01/1980", "", ""])
    path.write_text(out.getvalue(), encoding="utf-8")


def _state(data, dossier_id: int) -> tuple[int, int, int, int]:
    """(drafts, awards, private rows, dossier linked) as another process sees them."""
    return (count(data, "SELECT count(*) FROM documents WHERE symbol = '30/QĐ-UBND'"),
            count(data, "SELECT count(*) FROM awards"), count(data, "SELECT count(*) FROM award_private"),
            count(data, f"SELECT count(*) FROM dossiers WHERE id = {dossier_id} AND decision_document_id IS NOT NULL"))


def test_a_decision_drafted_from_a_dossier_is_all_or_nothing_when_killed(portal_data):  # noqa: F811
    data, env = portal_data
    _list(data / "list.csv")
    env = {**env, "PYTHONPATH": str(PROJECT_ROOT)}
    prepared = subprocess.run([sys.executable, "-c", PREPARE, str(data / "list.csv")], env=env, check=True,
                              capture_output=True, text=True)
    dossier_id = int(prepared.stdout.split()[-1])
    outcomes = []
    for delay in (0.3, 0.8, 1.5, 3.0):
        marker = data / f"started-{delay}"
        proc = subprocess.Popen([sys.executable, "-c", DRAFT, str(dossier_id), str(marker)], env=env,
                                stdout=subprocess.DEVNULL)
        while not marker.exists():
            assert proc.poll() is None, "the drafting process ended before it started"
            time.sleep(0.01)
        time.sleep(delay)
        finished = proc.poll() is not None
        proc.kill()
        proc.wait()
        state = _state(data, dossier_id)
        assert state in ((0, 0, 0, 0), (1, NOMINEES, NOMINEES, 1)), (delay, state)
        outcomes.append((delay, finished, state[0]))
        if state[0]:
            break
    assert any(drafts == 0 for _, _, drafts in outcomes), outcomes  # at least one kill landed mid-way
    if not any(drafts for _, _, drafts in outcomes):  # the office drafts it again, now in full
        again = subprocess.run([sys.executable, "-c", DRAFT, str(dossier_id), str(data / "again")], env=env,
                               capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stderr[-2000:]
        assert _state(data, dossier_id) == (1, NOMINEES, NOMINEES, 1)
