"""A unit reads its own people's awards across the years (those it nominated or registered with
an ID number): published decisions only; another unit's people are not there for it."""
from __future__ import annotations

from tests.web.admin.conftest import as_role, users  # noqa: F401 (fixtures)
from tests.web.test_dossiers import PRIVATE, dossier_app, prepared_dossier  # noqa: F401
from tests.web.test_eligibility import _titles
from tests.web.test_unit_reports import _unit
from tests.web.test_units import OTHER_EMAIL, UNIT_EMAIL


def _record_id(app, id_number: str) -> int:
    from portal.domain.honors.records import RecipientIdentity
    from portal.extensions import db
    with app.app_context():
        return db.session.scalar(db.select(RecipientIdentity.recipient_id).where(
            RecipientIdentity.id_number == id_number))


def test_a_unit_reads_its_own_peoples_years_and_no_one_elses(dossier_app, tmp_path):  # noqa: F811
    app, rounds = dossier_app
    _titles(app, tmp_path, [2022, 2023], person=PRIVATE["id"])
    _titles(app, tmp_path / "x", [2023], title="Lao động tiên tiến", person="001099000111", start=60)
    unit, other = _unit(app, UNIT_EMAIL), _unit(app, OTHER_EMAIL)
    assert "Chưa có ai" in unit.get("/don-vi/nguoi-duoc-khen").get_data(as_text=True)

    prepared_dossier(unit, rounds["so-ket-2022"])  # Lương Thị Hạnh's line carries PRIVATE["id"]
    listing = unit.get("/don-vi/nguoi-duoc-khen").get_data(as_text=True)
    mine = _record_id(app, PRIVATE["id"])
    assert f"/don-vi/nguoi-duoc-khen/{mine}" in listing and "2023: Chiến sĩ thi đua cơ sở" in listing
    page = unit.get(f"/don-vi/nguoi-duoc-khen/{mine}").get_data(as_text=True)
    assert "40/QĐ-VKS" in page and "41/QĐ-VKS" in page and "Còn hiệu lực" in page
    assert PRIVATE["id"] not in page and PRIVATE["id"] not in listing

    assert other.get(f"/don-vi/nguoi-duoc-khen/{mine}").status_code == 404
    assert f"/don-vi/nguoi-duoc-khen/{mine}" not in other.get("/don-vi/nguoi-duoc-khen").get_data(as_text=True)
    with app.app_context():
        from portal.domain.honors.records import Recipient
        from portal.extensions import db
        others = [r.id for r in db.session.scalars(db.select(Recipient)) if r.id != mine]
    assert others and all(unit.get(f"/don-vi/nguoi-duoc-khen/{r}").status_code == 404 for r in others)
