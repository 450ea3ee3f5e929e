"""The tờ trình đề nghị: a form the procuracy does not confer (a Bằng khen of the Thủ tướng) is
proposed to the authority that does, in a tờ trình drafted from the dossiers; the higher decision recorded when
it comes back names that authority as issuer and rests on the tờ trình."""
from __future__ import annotations

import re

from portal.domain.documents.models import Document
from portal.extensions import db
from tests.web.admin.conftest import as_role, users  # noqa: F401 (fixtures)
from tests.web.test_dossiers import PRIVATE, dossier_app  # noqa: F401
from tests.web.test_hardening import proposed
from tests.web.test_unit_reports import _unit
from tests.web.test_units import UNIT_EMAIL

SIGNED = {"issued_on": "2026-12-20", "signing_authority": "KT. VIỆN TRƯỞNG", "signer_title": "PHÓ VIỆN TRƯỞNG",
          "signer": "Nguyễn Văn Viện", "place": "Lạng Sơn", "reason": ""}


def _document(app, document_id: int) -> dict:
    with app.app_context():
        document = db.session.get(Document, document_id)
        return {"symbol": document.symbol, "subject": document.subject, "type": document.doc_type,
                "issuer": document.issuer,
                "status": document.status, "body": document.body, "recipients": list(document.recipients),
                "relations": [(r.kind, r.target_key) for r in document.relations]}


def test_a_prime_ministers_bang_khen_is_proposed_up_and_the_higher_decision_recorded(dossier_app, as_role):  # noqa: F811
    app, rounds = dossier_app
    unit, office = _unit(app, UNIT_EMAIL), as_role("editor")
    dossier_id = proposed(app, unit, office, rounds["so-ket-2022"], "bang-khen-thu-tuong")
    page = office.get("/quan-tri/quyet-dinh-khen-thuong/du-thao").get_data(as_text=True)
    assert "do Thủ tướng Chính phủ quyết định: chưa có tờ trình" in page
    assert "Dự thảo tờ trình đề nghị cấp trên" in page

    drafted = office.post("/quan-tri/to-trinh-khen-thuong/du-thao", {"dossier": [str(dossier_id)], **SIGNED})
    assert drafted.status_code == 303, drafted.get_data(as_text=True)[:2000]
    proposal = _document(app, int(drafted.headers["Location"].rstrip("/").rsplit("/", 1)[1]))
    assert proposal["symbol"].endswith("/TTr-VKS") and proposal["status"] == "draft"
    assert proposal["issuer"] == "Viện kiểm sát nhân dân tỉnh Lạng Sơn"
    assert proposal["recipients"] == ["Thủ tướng Chính phủ"]
    assert "Bằng khen của Thủ tướng Chính phủ" in proposal["body"] and proposal["subject"].startswith(
        "Đề nghị Thủ tướng Chính phủ tặng Bằng khen của Thủ tướng Chính phủ") and "Lương Thị Hạnh" in proposal["body"]
    assert PRIVATE["id"] not in proposal["body"] and PRIVATE["address"] not in proposal["body"]
    page = office.get("/quan-tri/quyet-dinh-khen-thuong/du-thao").get_data(as_text=True)
    assert "đã có <a href=\"/quan-tri/van-ban/" in page and f"tờ trình {proposal['symbol']}" in page
    assert f"Dự thảo tờ trình {proposal['symbol']}" in unit.get(f"/don-vi/ho-so/{dossier_id}").get_data(as_text=True)

    blank = office.post("/quan-tri/quyet-dinh-khen-thuong/du-thao", {"dossier": [str(dossier_id)], **SIGNED})
    assert blank.status_code == 400  # the Prime Minister's decision carries the number his office gave it
    recorded = office.post("/quan-tri/quyet-dinh-khen-thuong/du-thao",
                           {"dossier": [str(dossier_id)], **SIGNED, "symbol": "1520/QĐ-TTg"})
    assert recorded.status_code == 303, recorded.get_data(as_text=True)[:2000]
    decision = _document(app, int(recorded.headers["Location"].rstrip("/").rsplit("/", 1)[1]))
    assert decision["issuer"] == "Thủ tướng Chính phủ"
    key = re.sub(r"[^a-z0-9]", "", proposal["symbol"].lower())
    assert ("based_on", key) in decision["relations"]  # "Căn cứ": the tờ trình it answers


def test_a_form_the_procuracy_confers_needs_no_proposal(dossier_app, as_role):  # noqa: F811
    app, rounds = dossier_app
    unit, office = _unit(app, UNIT_EMAIL), as_role("editor")
    dossier_id = proposed(app, unit, office, rounds["so-ket-2022"], "giay-khen-vien-truong-vksnd-tinh")
    with app.app_context():
        before = db.session.scalar(db.select(db.func.count()).select_from(Document))
    refused = office.post("/quan-tri/to-trinh-khen-thuong/du-thao", {"dossier": [str(dossier_id)], **SIGNED})
    assert refused.status_code == 400 and "do Viện quyết định" in refused.get_data(as_text=True)
    assert "Dự thảo tờ trình đề nghị cấp trên" not in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Document)) == before
