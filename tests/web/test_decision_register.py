"""The register of decision numbers: the procuracy's own decisions drafted without a symbol take
the next number of the year, never twice and never skipped, even with two office members at the
same instant; a refused draft takes none; the register is a page and a CSV export."""
from __future__ import annotations

import io
import re
import threading

from pypdf import PdfReader

from portal.domain.documents import register
from portal.domain.kernel.actor import Actor
from portal.extensions import db
from tests.web.admin.conftest import as_role, users  # noqa: F401 (fixtures)
from tests.web.test_dossiers import dossier_app, upload  # noqa: F401
from tests.web.test_hardening import proposed
from tests.web.test_unit_reports import _unit
from tests.web.test_units import UNIT_EMAIL

ISSUER = "Viện kiểm sát nhân dân tỉnh Lạng Sơn"
DRAFT = {"issued_on": "2026-12-20", "signing_authority": "KT. VIỆN TRƯỞNG", "signer_title": "PHÓ VIỆN TRƯỞNG",
         "signer": "Nguyễn Văn Viện", "place": "Lạng Sơn", "reason": "Có thành tích xuất sắc"}


def test_a_decision_drafted_without_a_symbol_takes_the_next_number(dossier_app, as_role):  # noqa: F811
    app, rounds = dossier_app
    unit, office = _unit(app, UNIT_EMAIL), as_role("editor")
    first = proposed(app, unit, office, rounds["so-ket-2022"], "giay-khen-vien-truong-vksnd-tinh")
    refused = office.post("/quan-tri/quyet-dinh-khen-thuong/du-thao",
                          {**DRAFT, "dossier": [str(first)], "issued_on": "20/13/2026"})
    assert refused.status_code == 400
    with app.app_context():
        assert register.year_of(ISSUER, 2026).entries == []  # a refused draft takes no number
    drafted = office.post("/quan-tri/quyet-dinh-khen-thuong/du-thao", {**DRAFT, "dossier": [str(first)]})
    assert drafted.status_code == 303, drafted.get_data(as_text=True)[:2000]
    page = office.get(drafted.headers["Location"]).get_data(as_text=True)
    assert "1/QĐ-VKS" in page
    book = office.get("/quan-tri/so-quyet-dinh?nam=2026").get_data(as_text=True)
    assert "1/QĐ-VKS" in book and "Dự thảo" in book and "bientap@vks.test" in book and "Thiếu số" not in book
    csv_text = office.get("/quan-tri/so-quyet-dinh.csv?nam=2026").get_data(as_text=True)
    assert "Số, ký hiệu" in csv_text and "1/QĐ-VKS" in csv_text


def test_a_higher_authoritys_decision_keeps_the_symbol_it_was_given(dossier_app, as_role):  # noqa: F811
    app, rounds = dossier_app
    unit, office = _unit(app, UNIT_EMAIL), as_role("editor")
    dossier_id = proposed(app, unit, office, rounds["so-ket-2022"], "bang-khen-chu-tich-ubnd-tinh")
    blank = office.post("/quan-tri/quyet-dinh-khen-thuong/du-thao", {**DRAFT, "dossier": [str(dossier_id)]})
    assert blank.status_code == 400  # the province numbers its own decisions
    with app.app_context():
        assert register.year_of(ISSUER, 2026).entries == []


def test_two_office_members_at_once_get_distinct_numbers_without_gaps(dossier_app):  # noqa: F811
    app, _rounds = dossier_app
    errors: list[Exception] = []

    def take(who: str) -> None:
        try:
            for _ in range(15):
                with app.app_context():
                    register.allocate(ISSUER, 2027, "QĐ-VKS", Actor(who))
                    db.session.commit()
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=take, args=(f"nguoi{i}@vks.test",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    with app.app_context():
        book = register.year_of(ISSUER, 2027)
        assert [e.number for e in book.entries] == list(range(1, 31)) and book.gaps == []
        assert {e.issued_by for e in book.entries} == {"nguoi0@vks.test", "nguoi1@vks.test"}
        assert register.year_of(ISSUER, 2028).entries == []  # each year starts from 01


def test_the_unit_prints_its_own_recipients_certificates_and_no_one_elses(dossier_app, as_role, client):  # noqa: F811
    from tests.web.test_dossiers import OTHER_EMAIL
    app, rounds = dossier_app
    unit, office, reviewer = _unit(app, UNIT_EMAIL), as_role("editor"), as_role("reviewer")
    dossier_id = proposed(app, unit, office, rounds["so-ket-2022"], "giay-khen-vien-truong-vksnd-tinh")
    drafted = office.post("/quan-tri/quyet-dinh-khen-thuong/du-thao", {**DRAFT, "dossier": [str(dossier_id)]})
    document_id = int(drafted.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    page = unit.get(f"/don-vi/ho-so/{dossier_id}").get_data(as_text=True)
    assert "giay-chung-nhan.pdf" not in page  # nothing to print before the decision is published
    reviewer.post(f"/quan-tri/van-ban/{document_id}/chuyen/submit")
    assert reviewer.post(f"/quan-tri/van-ban/{document_id}/chuyen/publish").status_code == 302
    page = unit.get(f"/don-vi/ho-so/{dossier_id}").get_data(as_text=True)
    links = sorted(set(re.findall(r'href="(/don-vi/khen-thuong/\d+/giay-chung-nhan\.pdf)\?kieu=mau"', page)))
    assert len(links) == 3 and "Còn hiệu lực" in page
    response = unit.get(links[0])
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(PdfReader(io.BytesIO(response.data)).pages[0].extract_text().split())
    assert "TẶNG GIẤY KHEN" in text and "VIỆN TRƯỞNG VIỆN KIỂM SÁT NHÂN DÂN TỈNH LẠNG SƠN" in text.upper()
    assert _unit(app, OTHER_EMAIL).get(links[0]).status_code == 404
    assert client.get(links[0]).status_code in (302, 401, 403)
