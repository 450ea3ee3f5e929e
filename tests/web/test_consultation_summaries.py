"""Consultation a citizen can judge (issue 25, item 9): each published nominee shows what they
are proposed for and a short public summary of their achievement written by the office."""
from portal.domain.units.consultations import Consultation
from portal.extensions import db
from tests.web.admin.conftest import as_role, users  # noqa: F401 (fixtures)
from tests.web.test_dossiers import PRIVATE, dossier_app, nominee_ids, prepared_dossier  # noqa: F401
from tests.web.test_unit_reports import _unit
from tests.web.test_units import UNIT_EMAIL

SUMMARY = "Trực tiếp vận động 42 hộ bàn giao mặt bằng dự án cửa khẩu Tân Thanh trước thời hạn"


def _appraising(app, rounds, as_role):  # noqa: F811
    unit, office = _unit(app, UNIT_EMAIL), as_role("editor")
    dossier_id = prepared_dossier(unit, rounds["so-ket-2022"])
    unit.post(f"/don-vi/ho-so/{dossier_id}/chuyen/submit")
    office.post(f"/quan-tri/ho-so/{dossier_id}/chuyen/appraise")
    return office, dossier_id, nominee_ids(app, dossier_id)[1]  # Lương Thị Hạnh, the individual


def test_the_public_page_shows_the_proposal_and_the_offices_summary(dossier_app, as_role, client):  # noqa: F811
    app, rounds = dossier_app
    office, dossier_id, person = _appraising(app, rounds, as_role)
    form = office.get(f"/quan-tri/ho-so/{dossier_id}").get_data(as_text=True)
    assert f'name="tom-tat-{person}"' in form and "Tham mưu tháo gỡ vướng mắc bồi thường" in form  # prefilled
    opened = office.post(f"/quan-tri/ho-so/{dossier_id}/lay-y-kien",
                         {"nominee": [str(person)], f"tom-tat-{person}": SUMMARY})
    assert opened.status_code == 303, opened.get_data(as_text=True)[:2000]
    with app.app_context():
        slug = db.session.scalar(db.select(Consultation.slug))
    public = client.get(f"/lay-y-kien/{slug}").get_data(as_text=True)
    assert "Đề nghị tặng Huân chương Lao động hạng Ba" in public and SUMMARY in public
    assert not any(value in public for value in PRIVATE.values())


def test_a_summary_too_long_opens_nothing(dossier_app, as_role):  # noqa: F811
    app, rounds = dossier_app
    office, dossier_id, person = _appraising(app, rounds, as_role)
    refused = office.post(f"/quan-tri/ho-so/{dossier_id}/lay-y-kien",
                          {"nominee": [str(person)], f"tom-tat-{person}": "x" * 700})
    assert refused.status_code == 400 and "dài quá 600 ký tự" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Consultation.id))) == 0
