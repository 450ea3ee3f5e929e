"""Seed the browser checks' portal with a dossier in appraisal and an open consultation, so the
dashboard, dossier and consultation pages have content: `python -m tests.browser.seed_dossier`
with the portal's settings in the environment."""
from __future__ import annotations

import io

from portal import create_app
from portal.domain.campaigns.models import ReviewRound
from portal.domain.kernel.actor import Actor
from portal.domain.units import by_code, consultations, dossier_files, dossier_steps, dossiers
from portal.extensions import db
from portal.services import storage
from tests.web.test_dossiers import list_csv
from tests.web.test_unit_reports import PDF

# The verification pages checked like the others: a standing award and an annulled one of the
# demo decision 9001/QĐ-MH (document 4), with codes fixed here so the pages have known addresses.
DECISION_DOCUMENT = 4
STANDING, ANNULLED = "HQ7K2M4PXR9T", "W3NC8DVJ5GZB"


def main() -> None:
    app = create_app()
    with app.app_context():
        unit_actor, office = Actor("caoloc@vks.test", "unit"), Actor("bientap@vks.test", "editor")
        review_round = db.session.scalar(db.select(ReviewRound).where(ReviewRound.code == "so-ket-2022"))
        dossier = dossiers.create(by_code("vks-cao-loc"), review_round, "huan-chuong-lao-dong-hang-ba", "", unit_actor)
        for role in dossiers.FILE_ROLES:
            dossier_files.add_file(dossier, role, io.BytesIO(PDF), f"{role}.pdf", unit_actor, storage())
        dossier_files.replace_list(dossier, io.BytesIO(list_csv()), "danh-sach.csv", unit_actor, storage())
        db.session.commit()
        dossier_steps.apply(dossier, "submit", unit_actor)
        dossier_steps.apply(dossier, "appraise", office)
        dossier_steps.set_verdict(dossier, dossier.nominees[0].id, "approved", "Đủ tiêu chuẩn", office)
        consultations.open_consultation(dossier, [n.id for n in dossier.nominees], None, office)
        _verification_pages()
        _registrations()
        print(consultations.of_dossier(dossier)[0].slug)


def _verification_pages() -> None:
    from datetime import date

    from portal.domain.honors import annulments
    from portal.domain.honors.models import Award
    first, second = db.session.scalars(db.select(Award).order_by(Award.id).limit(2))
    assert first.decision.document_id == DECISION_DOCUMENT, "the demo decision moved: update DECISION_DOCUMENT"
    first.verification_code, second.verification_code = STANDING, ANNULLED
    annulments.annul([second], "12/QĐ-MH", date(2023, 3, 10), "Kê khai không trung thực diện tích đất hiến "
                     "(dữ liệu minh họa)", Actor("duyet@vks.test", "reviewer"))
    db.session.commit()


def _registrations() -> None:
    """The office's own unit registered for the coming year, so the consolidated page has rows."""
    from portal.domain.units import registrations
    unit, year, office = by_code("van-phong"), registrations.open_years()[0], Actor("bientap@vks.test", "editor")
    for kind, name, title in (("tap-the", unit.name, "tap-the-lao-dong-xuat-sac"),
                              ("ca-nhan", "Hoàng Thị Mai", "chien-si-thi-dua-co-so"),
                              ("ca-nhan", "Lê Văn An", "lao-dong-tien-tien"),
                              ("ca-nhan", "Nguyễn Thị Thu Trang", "chien-si-thi-dua-nganh")):
        registrations.register(unit, year, registrations.Entry(kind, name, title), office)
    db.session.commit()


if __name__ == "__main__":
    main()
