"""Nomination dossiers, public consultation and the decision drafted from them (issue: units
take part): from a unit's list to the honor roll with nothing typed twice; who may see what."""
import csv
import io
from datetime import datetime
from pathlib import Path

import pytest
import time_machine

from portal.domain import accounts
from portal.domain.kernel.actor import Actor
from portal.domain.kernel.models_base import VN
from portal.domain.units.dossiers import Dossier
from portal.extensions import db
from tests.honors_helpers import HEADER
from tests.web.admin.conftest import PASSWORD, as_role, users  # noqa: F401 (fixtures)
from tests.web.test_unit_reports import PDF, _unit
from tests.web.test_units import OTHER_EMAIL, UNIT_EMAIL

PRIVATE = {"id": "987650004321", "birth": "14/08/1962", "address": "Số 9 ngõ Riêng Tư", "phone": "0912000111"}
NOMINEES = [
    [1, "Tập thể", "Phòng Thực hành quyền công tố và kiểm sát điều tra", "", "Viện kiểm sát nhân dân huyện Cao Lộc",
     "", "", "", "Hoàn thành xuất sắc nhiệm vụ giải phóng mặt bằng", "", "", "", "", "", ""],
    [2, "Cá nhân", "Lương Thị Hạnh", "Kiểm sát viên", "Viện kiểm sát nhân dân huyện Cao Lộc", "", "", "",
     "Tham mưu tháo gỡ vướng mắc bồi thường", "", "", PRIVATE["id"], PRIVATE["birth"], PRIVATE["address"],
     PRIVATE["phone"]],
    [3, "Tập thể", "Văn phòng tổng hợp", "", "Viện kiểm sát nhân dân huyện Cao Lộc", "", "", "",
     "Bảo đảm hậu cần cho các đoàn kiểm đếm", "", "", "", "", "", ""],
]


def list_csv(rows=None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows if rows is not None else NOMINEES)
    return out.getvalue().encode("utf-8")


@pytest.fixture
def dossier_app(seeded):
    with seeded.app_context():
        accounts.create_user(UNIT_EMAIL, PASSWORD, "unit", Actor("test"), unit_code="vks-cao-loc")
        accounts.create_user(OTHER_EMAIL, PASSWORD, "unit", Actor("test"), unit_code="vks-dinh-lap")
        from portal.domain.campaigns.models import ReviewRound
        rounds = {r.code: r.id for r in db.session.scalars(db.select(ReviewRound))}
    return seeded, rounds


def upload(session, url, content, name, **fields):
    return session.client.post(url, data={**fields, "csrf_token": session.csrf(),
                                          "file": (io.BytesIO(content), name)}, content_type="multipart/form-data")


def prepared_dossier(unit, round_id, form="huan-chuong-lao-dong-hang-ba") -> int:
    """A unit's dossier with its three files and the list of three nominees, not yet submitted."""
    response = unit.post("/don-vi/ho-so", {"round": str(round_id), "distinction": form, "title": ""})
    assert response.status_code == 303, response.get_data(as_text=True)
    dossier_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    for role in ("to-trinh", "bien-ban", "bao-cao-thanh-tich"):
        assert upload(unit, f"/don-vi/ho-so/{dossier_id}/tep", PDF, f"{role}.pdf", role=role).status_code == 303
    assert upload(unit, f"/don-vi/ho-so/{dossier_id}/danh-sach", list_csv(), "danh-sach.csv").status_code == 303
    return dossier_id


def status_of(session, url) -> int:
    response = session.get(url)
    response.close()  # downloads are streamed from disk
    return response.status_code


def nominee_ids(app, dossier_id):
    with app.app_context():
        return [n.id for n in db.session.get(Dossier, dossier_id).nominees]


def test_from_a_units_list_to_the_honor_roll_with_nothing_typed_twice(dossier_app, as_role, client):  # noqa: F811
    app, rounds = dossier_app
    unit, office, reviewer = _unit(app, UNIT_EMAIL), as_role("editor"), as_role("reviewer")
    dossier_id = prepared_dossier(unit, rounds["so-ket-2022"])
    page = unit.get(f"/don-vi/ho-so/{dossier_id}").get_data(as_text=True)
    assert "Lương Thị Hạnh" in page and "Dự thảo" in page and PRIVATE["id"] not in page
    assert unit.post(f"/don-vi/ho-so/{dossier_id}/chuyen/submit").status_code == 303
    assert "Nộp muộn" in unit.get(f"/don-vi/ho-so/{dossier_id}").get_data(as_text=True)  # due 15/12/2022
    assert "hồ sơ đề nghị khen thưởng mới nộp" in office.get("/quan-tri/").get_data(as_text=True)

    assert office.post(f"/quan-tri/ho-so/{dossier_id}/chuyen/appraise").status_code == 303
    ids = nominee_ids(app, dossier_id)
    for nominee_id in ids:
        office.post(f"/quan-tri/ho-so/{dossier_id}/nguoi/{nominee_id}", {"verdict": "approved", "note": "Đủ điều kiện"})
    refused = office.post(f"/quan-tri/ho-so/{dossier_id}/chuyen/propose")
    assert refused.status_code == 400
    assert "Lương Thị Hạnh: chưa lấy ý kiến nhân dân" in refused.get_data(as_text=True)

    with time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=VN), tick=True):
        office = as_role("editor")  # sessions and form tokens of the day
        opened = office.post(f"/quan-tri/ho-so/{dossier_id}/lay-y-kien", {"nominee": [str(i) for i in ids]})
        assert opened.status_code == 303, opened.get_data(as_text=True)
        listing = client.get("/lay-y-kien").get_data(as_text=True)
        assert "Đang lấy ý kiến" in listing and "còn 10 ngày làm việc" in listing
        slug = listing.split('href="/lay-y-kien/')[1].split('"')[0]
        public = client.get(f"/lay-y-kien/{slug}").get_data(as_text=True)
        # Only the individual is published (collectives are not), with public fields only.
        assert "Lương Thị Hạnh" in public and "Kiểm sát viên" in public and "Văn phòng tổng hợp" not in public
        assert not any(value in public for value in PRIVATE.values())
        assert "đến hết ngày 14/12/2026" in public  # 10 working days from Tuesday 01/12 (weekends skipped)
        entry = public.split('<select id="gy-nguoi" name="nguoi">')[1].split('value="')[1].split('"')[0]
        token = client.get("/quan-tri/dang-nhap").get_data(as_text=True).split('name="csrf-token" content="')[1]
        token = token.split('"')[0]
        sent = client.post(f"/lay-y-kien/{slug}/gop-y", data={
            "nguoi": entry, "noi-dung": "Đồng chí Hạnh gương mẫu, được nhân dân tin yêu.", "ho-ten": "Nông Văn Dân",
            "lien-he": "0988777666", "csrf_token": token})
        assert sent.status_code == 303
        assert "0988777666" not in client.get(f"/lay-y-kien/{slug}").get_data(as_text=True)
        queue = office.get("/quan-tri/y-kien").get_data(as_text=True)
        assert "gương mẫu" in queue and "0988777666" in queue
        still_open = office.post(f"/quan-tri/ho-so/{dossier_id}/chuyen/propose")
        assert "đang lấy ý kiến đến hết ngày 14/12/2026" in still_open.get_data(as_text=True)

    with time_machine.travel(datetime(2026, 12, 15, 9, 0, tzinfo=VN), tick=True):
        office = as_role("editor")
        token = client.get("/quan-tri/dang-nhap").get_data(as_text=True).split('name="csrf-token" content="')[1]
        token = token.split('"')[0]
        archive = client.get(f"/lay-y-kien/{slug}").get_data(as_text=True)
        assert "Đã kết thúc lấy ý kiến" in archive and "Lương Thị Hạnh" in archive and "Gửi ý kiến" not in archive
        late = client.post(f"/lay-y-kien/{slug}/gop-y", data={"nguoi": entry, "noi-dung": "Góp ý sau khi đã hết hạn",
                                                               "csrf_token": token})
        assert late.status_code == 409 and "đã kết thúc" in late.get_data(as_text=True)
        assert office.post(f"/quan-tri/ho-so/{dossier_id}/chuyen/propose").status_code == 303
        # Issue 25: when the window closes the office gets "a report to send up (views, comments
        # per nominee, how each was handled) as .docx and .xlsx".
        _the_result_to_send_up(office, app, dossier_id)

    office, reviewer, unit = as_role("editor"), as_role("reviewer"), _unit(app, UNIT_EMAIL)
    form = office.get("/quan-tri/quyet-dinh-khen-thuong/du-thao").get_data(as_text=True)
    assert "3 người được đồng ý" in form
    drafted = office.post("/quan-tri/quyet-dinh-khen-thuong/du-thao", {
        "dossier": [str(dossier_id)], "symbol": "25/QĐ-VKS", "issued_on": "2026-12-20",
        "signing_authority": "KT. VIỆN TRƯỞNG", "signer_title": "PHÓ VIỆN TRƯỞNG", "signer": "Nguyễn Văn Viện",
        "place": "Lạng Sơn", "reason": "Đã có thành tích xuất sắc trong công tác giải phóng mặt bằng"})
    assert drafted.status_code == 303, drafted.get_data(as_text=True)
    document_id = int(drafted.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    assert "Lương Thị Hạnh" not in client.get("/vinh-danh").get_data(as_text=True)  # a draft is not public
    reviewer.post(f"/quan-tri/van-ban/{document_id}/chuyen/submit")
    # Seen: publishing a decision with no signed original gave no warning.
    confirm = reviewer.post(f"/quan-tri/van-ban/{document_id}/chuyen/publish/xac-nhan").get_data(as_text=True)
    assert "Chưa có bản gốc đã ký" in confirm
    assert reviewer.post(f"/quan-tri/van-ban/{document_id}/chuyen/publish").status_code == 302
    roll = client.get("/vinh-danh?hinh-thuc=huan-chuong-lao-dong-hang-ba").get_data(as_text=True)
    for row in NOMINEES:
        assert row[2] in roll
    assert not any(value in roll for value in PRIVATE.values())
    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        assert dossier.status == "decided" and [s.action for s in dossier.steps][-2:] == ["draft-decision", "decide"]
        from portal.domain.honors.models import AwardPrivate
        assert db.session.scalar(db.select(AwardPrivate.id_number).where(AwardPrivate.id_number == PRIVATE["id"]))
    decided_page = unit.get(f"/don-vi/ho-so/{dossier_id}").get_data(as_text=True)
    assert "Đã quyết định" in decided_page
    # Seen: a Huân chương was published as the provincial procuracy's decision, at level
    # «Cơ quan, đơn vị». It is the President's, at level «Nhà nước».
    with app.app_context():
        decision = db.session.get(Dossier, dossier_id).decision_document
        assert decision.issuer == "Chủ tịch nước Cộng hòa xã hội chủ nghĩa Việt Nam"
    award_page = client.get(roll.split('href="/vinh-danh/khen-thuong/')[1].split('"')[0].join(
        ["/vinh-danh/khen-thuong/", ""])).get_data(as_text=True)
    main = award_page.split("<main")[1].split("</main>")[0]
    assert "Chủ tịch nước Cộng hòa xã hội chủ nghĩa Việt Nam" in main
    assert "Viện kiểm sát nhân dân tỉnh Lạng Sơn" not in main
    # Seen: a decided dossier did not link to its published decision.
    with app.app_context():
        decision = db.session.get(Dossier, dossier_id).decision_document
        assert decision.status == "published"
        assert f'href="/van-ban/{decision.slug}"' in decided_page and decision.symbol in decided_page


def _the_result_to_send_up(office, app, dossier_id):
    import docx
    import openpyxl

    from portal.domain.units import consultations
    with app.app_context():
        consultation_id = consultations.of_dossier(db.session.get(Dossier, dossier_id))[0].id
    page = office.get(f"/quan-tri/ho-so/{dossier_id}").get_data(as_text=True)
    assert f"/quan-tri/lay-y-kien/{consultation_id}/ket-qua.xlsx" in page
    sheet = openpyxl.load_workbook(io.BytesIO(office.get(
        f"/quan-tri/lay-y-kien/{consultation_id}/ket-qua.xlsx").data)).active
    cells = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert "3 lượt xem trang; 1 ý kiến" in cells[1][0]  # the page was opened three times above
    hanh = next(row for row in cells if "Lương Thị Hạnh" in row)
    assert hanh[-4:] == [1, 0, "Đồng chí Hạnh gương mẫu, được nhân dân tin yêu.", "Chưa xem xét"]
    assert not any("0988777666" in str(c) for row in cells for c in row)  # a sender's contact stays private
    text = "\n".join(c.text for row in docx.Document(io.BytesIO(office.get(
        f"/quan-tri/lay-y-kien/{consultation_id}/ket-qua.docx").data)).tables[0].rows for c in row.cells)
    assert "Lương Thị Hạnh" in text and "gương mẫu" in text and "0988777666" not in text
    assert office.get(f"/quan-tri/lay-y-kien/{consultation_id}/ket-qua.pdf").status_code == 404


def test_one_save_keeps_every_nominees_verdict_and_comment(dossier_app, as_role):  # noqa: F811
    """Issue 25: "I ticked Đồng ý for all three nominees and pressed Ghi – two of them are back to
    'Chưa xét' and my comments are gone." The list is one form: what the page sends is saved
    together, or (one refused) nothing is."""
    import lxml.html

    app, rounds = dossier_app
    unit, office = _unit(app, UNIT_EMAIL), as_role("editor")
    dossier_id = prepared_dossier(unit, rounds["so-ket-2022"])
    unit.post(f"/don-vi/ho-so/{dossier_id}/chuyen/submit")
    office.post(f"/quan-tri/ho-so/{dossier_id}/chuyen/appraise")
    ids = nominee_ids(app, dossier_id)
    page = lxml.html.fromstring(office.get(f"/quan-tri/ho-so/{dossier_id}").data)
    forms = [f for f in page.forms if f.xpath(".//select[starts-with(@name, 'verdict')]")]
    assert len(forms) == 1, "each nominee has a form of its own"
    fields = dict(forms[0].form_values())
    assert {f"verdict-{i}" for i in ids} <= set(fields)
    fields.update({f"verdict-{i}": "approved" for i in ids})
    fields.update({f"note-{i}": f"Nhận xét {n}" for n, i in enumerate(ids)})

    bad = {**fields, f"verdict-{ids[-1]}": "maybe"}
    refused = office.post(forms[0].action, bad)
    assert refused.status_code == 400
    again = lxml.html.fromstring(refused.data)  # every value typed is still there, the wrong row marked
    assert [again.get_element_by_id(f"c-{i}").value for i in ids] == [f"Nhận xét {n}" for n in range(len(ids))]
    assert again.get_element_by_id(f"v-{ids[0]}").value == "approved"
    assert again.get_element_by_id(f"v-{ids[-1]}").get("aria-invalid") == "true"
    assert "Chưa xét" in office.get(f"/quan-tri/ho-so/{dossier_id}").get_data(as_text=True)
    with app.app_context():
        assert {n.verdict for n in db.session.get(Dossier, dossier_id).nominees} == {""}

    saved = office.post(forms[0].action, fields)
    assert saved.status_code == 303
    shown = office.get(saved.headers["Location"]).get_data(as_text=True)
    assert f"Đã ghi ý kiến thẩm định của {len(ids)} người" in shown
    with app.app_context():
        nominees = db.session.get(Dossier, dossier_id).nominees
        expected = [("approved", f"Nhận xét {n}") for n in range(len(ids))]
        assert [(n.verdict, n.office_note) for n in nominees] == expected
    unchanged = office.post(forms[0].action, fields)
    assert "Ý kiến thẩm định không thay đổi" in office.get(unchanged.headers["Location"]).get_data(as_text=True)


def test_a_new_bien_ban_replaces_the_old_one(dossier_app, as_role):  # noqa: F811
    """Issue 25: "I sent the signed biên bản as asked, but now the dossier has two biên bản and the
    office doesn't know which one counts." A tờ trình or biên bản replaces the one of its kind
    (the history keeps both names); reports of achievements add up."""
    app, rounds = dossier_app
    unit, office = _unit(app, UNIT_EMAIL), as_role("editor")
    dossier_id = prepared_dossier(unit, rounds["so-ket-2022"])
    with app.app_context():
        old_stored = next(f.stored_name for f in db.session.get(Dossier, dossier_id).files if f.role == "bien-ban")
    sent = upload(unit, f"/don-vi/ho-so/{dossier_id}/tep", PDF, "bien-ban-da-ky.pdf", role="bien-ban")
    assert sent.status_code == 303
    shown = unit.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Đã thay biên bản họp xét «bien-ban.pdf» bằng «bien-ban-da-ky.pdf»" in shown
    upload(unit, f"/don-vi/ho-so/{dossier_id}/tep", PDF, "bao-cao-2.pdf", role="bao-cao-thanh-tich")
    with app.app_context():
        files = db.session.get(Dossier, dossier_id).files
        assert sorted(f.filename for f in files if f.role == "bien-ban") == ["bien-ban-da-ky.pdf"]
        assert len([f for f in files if f.role == "bao-cao-thanh-tich"]) == 2
        assert not (Path(app.config["UPLOAD_DIR"]) / old_stored).exists()
    unit.post(f"/don-vi/ho-so/{dossier_id}/chuyen/submit")
    page = office.get(f"/quan-tri/ho-so/{dossier_id}").get_data(as_text=True)
    files_section = page.split('id="h-files"')[1].split("</section>")[0]
    assert "bien-ban-da-ky.pdf" in files_section and "«bien-ban.pdf»" not in files_section
    assert files_section.count("Biên bản họp xét") == 1
    assert "«bien-ban-da-ky.pdf» thay «bien-ban.pdf»" in page  # the history says what was replaced


def test_a_higher_award_cannot_be_drafted_as_the_procuracys_own_decision(dossier_app, as_role):  # noqa: F811
    """Issue 25: a Huân chương Lao động "is drafted and published as a decision of «Viện kiểm sát
    nhân dân tỉnh Lạng Sơn» at level «Cơ quan, đơn vị»"."""
    app, rounds = dossier_app
    unit, office = _unit(app, UNIT_EMAIL), as_role("editor")
    dossier_id = prepared_dossier(unit, rounds["so-ket-2022"])
    unit.post(f"/don-vi/ho-so/{dossier_id}/chuyen/submit")
    office.post(f"/quan-tri/ho-so/{dossier_id}/chuyen/appraise")
    office.post(f"/quan-tri/ho-so/{dossier_id}/tham-dinh",
                {f"verdict-{i}": "approved" for i in nominee_ids(app, dossier_id)})
    with app.app_context():  # consultation and proposal as the office would, without the wait
        dossier = db.session.get(Dossier, dossier_id)
        dossier.status = "proposed"
        db.session.commit()
    draft = {"dossier": [str(dossier_id)], "symbol": "7/QĐ-CTN", "issued_on": "2026-12-20", "place": "Hà Nội"}
    wrong = office.post("/quan-tri/quyet-dinh-khen-thuong/du-thao", {**draft, "level": "co-quan"})
    assert wrong.status_code == 400
    assert "do Chủ tịch nước Cộng hòa xã hội chủ nghĩa Việt Nam quyết định" in wrong.get_data(as_text=True)
    wrong = office.post("/quan-tri/quyet-dinh-khen-thuong/du-thao",
                        {**draft, "issuer": "Viện kiểm sát nhân dân tỉnh Lạng Sơn"})
    assert wrong.status_code == 400
    drafted = office.post("/quan-tri/quyet-dinh-khen-thuong/du-thao", draft)
    assert drafted.status_code == 303, drafted.get_data(as_text=True)
    with app.app_context():
        from portal.domain.honors.models import decision_for
        document = db.session.get(Dossier, dossier_id).decision_document
        assert (document.issuer, decision_for(document).level) == ("Chủ tịch nước Cộng hòa xã hội chủ nghĩa Việt Nam",
                                                                    "nha-nuoc")


def test_returning_needs_a_reason_the_unit_sees_and_it_submits_again(dossier_app, as_role):  # noqa: F811
    app, rounds = dossier_app
    unit, office = _unit(app, UNIT_EMAIL), as_role("reviewer")
    dossier_id = prepared_dossier(unit, rounds["so-ket-2022"], "bang-khen-chu-tich-ubnd-tinh")
    unit.post(f"/don-vi/ho-so/{dossier_id}/chuyen/submit")
    no_reason = office.post(f"/quan-tri/ho-so/{dossier_id}/chuyen/return", {"comment": "  "})
    assert no_reason.status_code == 400 and "Hãy ghi lý do trả lại" in no_reason.get_data(as_text=True)
    office.post(f"/quan-tri/ho-so/{dossier_id}/chuyen/return", {"comment": "Thiếu chữ ký trên biên bản họp xét"})
    page = unit.get(f"/don-vi/ho-so/{dossier_id}").get_data(as_text=True)
    assert "Bị trả lại" in page and "Thiếu chữ ký trên biên bản họp xét" in page
    home = unit.get("/don-vi/").get_data(as_text=True)
    assert "hồ sơ bị trả lại" in home
    # Seen: "1 hồ sơ bị trả lại" led to the list, not the dossier.
    assert f'href="/don-vi/ho-so/{dossier_id}"' in home.split("hồ sơ bị trả lại")[0].rsplit("<li", 1)[1]
    assert upload(unit, f"/don-vi/ho-so/{dossier_id}/tep", PDF, "bien-ban-ky.pdf", role="bien-ban").status_code == 303
    assert unit.post(f"/don-vi/ho-so/{dossier_id}/chuyen/submit").status_code == 303
    # Bằng khen of the provincial chairman needs no consultation: appraised, then proposed.
    office.post(f"/quan-tri/ho-so/{dossier_id}/chuyen/appraise")
    individual = str(nominee_ids(app, dossier_id)[1])
    opened = office.post(f"/quan-tri/ho-so/{dossier_id}/lay-y-kien", {"nominee": [individual]})
    assert opened.status_code == 400 and "không thuộc các hình thức phải lấy ý kiến" in opened.get_data(as_text=True)
    office.post(f"/quan-tri/ho-so/{dossier_id}/nguoi/{nominee_ids(app, dossier_id)[0]}", {"verdict": "approved"})
    assert office.post(f"/quan-tri/ho-so/{dossier_id}/chuyen/propose").status_code == 303
    with app.app_context():
        steps = [s.action for s in db.session.get(Dossier, dossier_id).steps]
    assert steps == ["create", "file", "file", "file", "list", "submit", "return", "file", "submit", "appraise",
                     "verdict", "propose"]


def test_a_faulty_list_or_file_changes_nothing(dossier_app, as_role):  # noqa: F811
    app, rounds = dossier_app
    unit = _unit(app, UNIT_EMAIL)
    response = unit.post("/don-vi/ho-so", {"round": str(rounds["so-ket-2022"]), "distinction": "giay-khen-thu-truong"})
    dossier_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        from portal.services import storage
        before = len(storage().names())
    bad = [[1, "Cá nhân", "Hoàng Văn Sai", "", "", "", "", "", "", "", "", "12345", "", "", ""],
           [1, "Hội", "", "", "", "", "", "", "", "", "", "", "", "", ""]]
    refused = upload(unit, f"/don-vi/ho-so/{dossier_id}/danh-sach", list_csv(bad), "sai.csv")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "dòng 2, cột Số định danh: phải gồm 9 hoặc 12 chữ số" in text and "dòng 3, cột Đối tượng" in text
    fake = upload(unit, f"/don-vi/ho-so/{dossier_id}/tep", b"MZ\x90\x00 not a pdf", "to-trinh.pdf", role="to-trinh")
    assert fake.status_code == 400 and "không đúng định dạng PDF" in fake.get_data(as_text=True)
    empty_submit = unit.post(f"/don-vi/ho-so/{dossier_id}/chuyen/submit")
    assert empty_submit.status_code == 400 and "chưa có tờ trình" in empty_submit.get_data(as_text=True)
    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        assert dossier.nominees == [] and dossier.files == [] and dossier.status == "draft"
        from portal.services import storage
        assert len(storage().names()) == before


def test_each_role_sees_only_what_is_its_own(dossier_app, as_role, client):  # noqa: F811
    app, rounds = dossier_app
    unit, other = _unit(app, UNIT_EMAIL), _unit(app, OTHER_EMAIL)
    dossier_id = prepared_dossier(unit, rounds["so-ket-2022"])
    with app.app_context():
        file_id = db.session.get(Dossier, dossier_id).files[0].id
    unit_urls = ["/don-vi/ho-so", f"/don-vi/ho-so/{dossier_id}", f"/don-vi/ho-so/tep/{file_id}"]
    office_urls = ["/quan-tri/ho-so", f"/quan-tri/ho-so/{dossier_id}", f"/quan-tri/ho-so/tep/{file_id}",
                   "/quan-tri/quyet-dinh-khen-thuong/du-thao", "/quan-tri/y-kien"]
    api_urls = ["/api/v1/office/dossiers", f"/api/v1/office/dossiers/{dossier_id}",
                f"/api/v1/office/rounds/{rounds['so-ket-2022']}/reports", "/api/v1/office/documents/1/receipts"]
    for url in unit_urls:
        assert status_of(unit, url) == 200, url
        assert client.get(url).status_code == 302, url  # the public is sent to sign in
    assert other.get("/don-vi/ho-so").status_code == 200
    assert "Lương Thị Hạnh" not in other.get("/don-vi/ho-so").get_data(as_text=True)
    for url in unit_urls[1:]:
        assert other.get(url).status_code == 404, url  # another unit's dossier: as if it did not exist
    for url in office_urls:
        assert unit.get(url).status_code == 403, url
        assert client.get(url).status_code == 302, url
    for role in ("editor", "reviewer", "admin"):
        session = as_role(role)
        for url in office_urls + api_urls:
            assert status_of(session, url) == 200, (role, url)
        assert session.get(unit_urls[0]).status_code == 403
    for url in api_urls:
        assert client.get(url).status_code == 401, url
        assert unit.get(url).status_code == 403, url
    detail = as_role("editor").get(f"/api/v1/office/dossiers/{dossier_id}").get_json()
    assert [n["name"] for n in detail["list"]][1] == "Lương Thị Hạnh"
    assert not any(value in str(detail) for value in PRIVATE.values())
    # A unit cannot act for the office, nor the office for the unit.
    assert unit.post(f"/quan-tri/ho-so/{dossier_id}/chuyen/appraise").status_code == 403
    assert as_role("reviewer").post(f"/don-vi/ho-so/{dossier_id}/chuyen/submit").status_code == 403


def test_two_office_members_acting_at_once_cannot_both_win(dossier_app, as_role):  # noqa: F811
    app, rounds = dossier_app
    unit = _unit(app, UNIT_EMAIL)
    dossier_id = prepared_dossier(unit, rounds["so-ket-2022"])
    unit.post(f"/don-vi/ho-so/{dossier_id}/chuyen/submit")
    first, second = as_role("editor"), as_role("reviewer")
    first.get(f"/quan-tri/ho-so/{dossier_id}")
    second.get(f"/quan-tri/ho-so/{dossier_id}")
    assert first.post(f"/quan-tri/ho-so/{dossier_id}/chuyen/return", {"comment": "Bổ sung tờ trình"}).status_code == 303
    late = second.post(f"/quan-tri/ho-so/{dossier_id}/chuyen/appraise")
    assert late.status_code == 409 and "Bị trả lại" in late.get_data(as_text=True)


def test_notices_go_by_mail_when_a_server_is_set(dossier_app, as_role):  # noqa: F811
    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
            self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
            return "250 OK"

    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app, rounds = dossier_app
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port,
                          MAIL_OFFICE=["thuongtruc@vks.test"])
        unit, office = _unit(app, UNIT_EMAIL), as_role("reviewer")
        dossier_id = prepared_dossier(unit, rounds["so-ket-2022"])
        unit.post(f"/don-vi/ho-so/{dossier_id}/chuyen/submit")
        office.post(f"/quan-tri/ho-so/{dossier_id}/chuyen/return", {"comment": "Thiếu biên bản"})
    finally:
        controller.stop()
    (to_office, body_office), (to_unit, body_unit) = inbox.messages
    assert "thuongtruc@vks.test" in to_office and UNIT_EMAIL not in to_office
    assert to_unit == [UNIT_EMAIL]
    import email
    message = email.message_from_string(body_unit, policy=email.policy.default)
    assert "Bị trả lại" in message["Subject"] and "Lý do: Thiếu biên bản" in message.get_content()


def test_a_mail_server_that_does_not_answer_loses_nothing(dossier_app, as_role):  # noqa: F811
    app, rounds = dossier_app
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=9)  # nothing listens there
    unit = _unit(app, UNIT_EMAIL)
    dossier_id = prepared_dossier(unit, rounds["so-ket-2022"])
    assert unit.post(f"/don-vi/ho-so/{dossier_id}/chuyen/submit").status_code == 303
    with app.app_context():
        assert db.session.get(Dossier, dossier_id).status == "submitted"


def test_nobody_but_the_office_opens_a_window_and_it_counts_tet(dossier_app, as_role):  # noqa: F811
    app, rounds = dossier_app
    unit, office = _unit(app, UNIT_EMAIL), as_role("editor")
    dossier_id = prepared_dossier(unit, rounds["so-ket-2022"])
    unit.post(f"/don-vi/ho-so/{dossier_id}/chuyen/submit")
    office.post(f"/quan-tri/ho-so/{dossier_id}/chuyen/appraise")
    individual = nominee_ids(app, dossier_id)[1]
    with time_machine.travel(datetime(2027, 2, 1, 9, 0, tzinfo=VN), tick=True):
        office = as_role("editor")
        past = office.post(f"/quan-tri/ho-so/{dossier_id}/lay-y-kien", {"nominee": [str(individual)],
                                                                       "opens_on": "2027-01-20"})
        assert past.status_code == 400 and "không được trước hôm nay" in past.get_data(as_text=True)
        opened = office.post(f"/quan-tri/ho-so/{dossier_id}/lay-y-kien", {"nominee": [str(individual)]})
        assert opened.status_code == 303
        listing = office.get(f"/quan-tri/ho-so/{dossier_id}").get_data(as_text=True)
    # From Monday 01/02/2027: 1-3 Feb (3 days), Tết 2027 off from 4 to 10 Feb, then 11, 12 and 15-19 Feb.
    assert "Từ 01/02/2027 đến hết 19/02/2027</a> (10 ngày làm việc, 1 người): đang lấy ý kiến, còn 10" in listing


def test_private_fields_of_nominees_appear_on_no_page(dossier_app, as_role, client):  # noqa: F811
    app, rounds = dossier_app
    unit, office = _unit(app, UNIT_EMAIL), as_role("editor")
    dossier_id = prepared_dossier(unit, rounds["so-ket-2022"])
    unit.post(f"/don-vi/ho-so/{dossier_id}/chuyen/submit")
    office.post(f"/quan-tri/ho-so/{dossier_id}/chuyen/appraise")
    office.post(f"/quan-tri/ho-so/{dossier_id}/lay-y-kien", {"nominee": [str(i) for i in nominee_ids(app, dossier_id)]})
    listing = client.get("/lay-y-kien").get_data(as_text=True)
    slug = listing.split('href="/lay-y-kien/')[1].split('"')[0]
    public = ["/lay-y-kien", f"/lay-y-kien/{slug}", "/sitemap.xml", "/so-do-trang", "/rss.xml", "/vinh-danh",
              "/tim-kiem?q=L%C6%B0%C6%A1ng+Th%E1%BB%8B+H%E1%BA%A1nh", "/api/v1/search?q=luong+thi+hanh"]
    for url in public:
        response = client.get(url)
        assert response.status_code == 200, url
        assert not any(value in response.get_data(as_text=True) for value in PRIVATE.values()), url
    for value in PRIVATE.values():  # searching for a private value finds nothing (the query is echoed only)
        assert value not in str(client.get("/api/v1/search", query_string={"q": value}).get_json()["results"])
    assert f"/lay-y-kien/{slug}" in client.get("/sitemap.xml").get_data(as_text=True)
    signed_in = [(unit, f"/don-vi/ho-so/{dossier_id}"), (unit, "/don-vi/ho-so"), (unit, "/don-vi/"),
                 (office, f"/quan-tri/ho-so/{dossier_id}"), (office, "/quan-tri/ho-so"), (office, "/quan-tri/"),
                 (office, f"/api/v1/office/dossiers/{dossier_id}"), (office, "/api/v1/office/dossiers")]
    for session, url in signed_in:  # kept for the record, shown to no one
        assert not any(value in session.get(url).get_data(as_text=True) for value in PRIVATE.values()), url


NEW_ENDPOINTS = ("units.dossier", "admin.dossier", "admin.nominee", "admin.consultation", "admin.decision",
                 "admin.comment", "public.consultation", "api.office")


def _routes(app, dossier_id, ids):
    """Every route of dossiers, consultations and the office API, with real arguments."""
    values = {"dossier_id": dossier_id, "file_id": ids["file"], "nominee_id": ids["nominee"], "name": "submit",
              "comment_id": ids["comment"], "slug": ids["slug"], "round_id": ids["round"], "document_id": 1,
              "consultation_id": ids["consultation"], "ext": "xlsx"}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(NEW_ENDPOINTS):
            url = rule.rule
            for key, value in values.items():
                url = url.replace(f"<int:{key}>", str(value)).replace(f"<{key}>", str(value))
            for method in sorted(rule.methods & {"GET", "POST"}):
                yield rule.endpoint, method, url


def test_every_new_route_against_every_role(dossier_app, as_role, client):  # noqa: F811
    app, rounds = dossier_app
    unit, other = _unit(app, UNIT_EMAIL), _unit(app, OTHER_EMAIL)
    dossier_id = prepared_dossier(unit, rounds["so-ket-2022"])
    unit.post(f"/don-vi/ho-so/{dossier_id}/chuyen/submit")
    office = as_role("editor")
    office.post(f"/quan-tri/ho-so/{dossier_id}/chuyen/appraise")
    office.post(f"/quan-tri/ho-so/{dossier_id}/lay-y-kien", {"nominee": [str(i) for i in nominee_ids(app, dossier_id)]})
    with app.app_context():
        from portal.domain.units.consultations import Consultation, ConsultationComment
        dossier = db.session.get(Dossier, dossier_id)
        consultation = db.session.scalars(db.select(Consultation)).one()
        comment = ConsultationComment(consultation=consultation, message="Một ý kiến thử nghiệm")
        db.session.add(comment)
        db.session.commit()
        ids = {"file": dossier.files[0].id, "nominee": dossier.nominees[0].id, "comment": comment.id,
               "slug": consultation.slug, "round": rounds["so-ket-2022"], "consultation": consultation.id}
    checked = 0
    for endpoint, method, url in _routes(app, dossier_id, ids):
        public = endpoint.startswith("public.")
        api = endpoint.startswith("api.")
        office_route = endpoint.startswith(("admin.", "api."))
        for who, session in (("anonymous", None), ("unit", unit), ("other unit", other),
                             *((role, as_role(role)) for role in ("editor", "reviewer", "admin"))):
            own_list = endpoint in ("units.dossier_list", "units.dossier_create")
            if public or (session is not None and (who in ("editor", "reviewer", "admin")) == office_route
                          and (who != "other unit" or own_list)):
                continue  # allowed: behaviour is tested above
            if session is None:
                response = client.get(url) if method == "GET" else client.post(url)
                # Sent to sign in; a POST without a form token is refused before anything (403).
                expected = {401} if api else {302} if method == "GET" else {403}
            else:
                response = session.get(url) if method == "GET" else session.post(url)
                expected = {404} if who == "other unit" and not office_route else {403}
            response.close()
            assert response.status_code in expected, (who, method, url, response.status_code)
            checked += 1
    assert checked > 60
    with app.app_context():
        assert db.session.get(Dossier, dossier_id).status == "consulting"  # nothing moved it


def test_comments_are_limited_per_address_and_need_a_message(dossier_app, as_role, client):  # noqa: F811
    app, rounds = dossier_app
    unit, office = _unit(app, UNIT_EMAIL), as_role("editor")
    dossier_id = prepared_dossier(unit, rounds["so-ket-2022"])
    unit.post(f"/don-vi/ho-so/{dossier_id}/chuyen/submit")
    office.post(f"/quan-tri/ho-so/{dossier_id}/chuyen/appraise")
    office.post(f"/quan-tri/ho-so/{dossier_id}/lay-y-kien", {"nominee": [str(i) for i in nominee_ids(app, dossier_id)]})
    listing = client.get("/lay-y-kien").get_data(as_text=True)
    slug = listing.split('href="/lay-y-kien/')[1].split('"')[0]
    page = client.get(f"/lay-y-kien/{slug}").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    short = client.post(f"/lay-y-kien/{slug}/gop-y", data={"nguoi": "chung", "noi-dung": "ngắn", "csrf_token": token})
    assert short.status_code == 400 and "ít nhất 10 ký tự" in short.get_data(as_text=True)
    stranger = client.post(f"/lay-y-kien/{slug}/gop-y", data={"nguoi": "999999", "noi-dung": "Một ý kiến đủ dài",
                                                               "csrf_token": token})
    assert stranger.status_code == 400 and "Hãy chọn người được góp ý" in stranger.get_data(as_text=True)
    statuses = [client.post(f"/lay-y-kien/{slug}/gop-y", data={
        "nguoi": "chung", "noi-dung": f"Ý kiến chung số {n} về danh sách", "csrf_token": token}).status_code
        for n in range(5)]
    assert statuses[:3] == [303, 303, 303] and statuses[-1] == 429  # 5 an hour, the refused ones counted
    with app.app_context():
        from portal.domain.units.consultations import ConsultationComment
        assert db.session.scalar(db.select(db.func.count(ConsultationComment.id))) == 3


def test_a_dossier_is_cancelled_only_with_a_reason(dossier_app, as_role):  # noqa: F811
    # Seen: "I clicked 'Hủy hồ sơ' by mistake and the dossier is gone – no question asked."
    app, rounds = dossier_app
    unit = _unit(app, UNIT_EMAIL)
    dossier_id = prepared_dossier(unit, rounds["so-ket-2022"], "bang-khen-chu-tich-ubnd-tinh")
    page = unit.get(f"/don-vi/ho-so/{dossier_id}").get_data(as_text=True)
    assert "Xác nhận hủy hồ sơ" in page and 'name="comment"' in page
    stray = unit.post(f"/don-vi/ho-so/{dossier_id}/chuyen/cancel")
    assert stray.status_code == 400 and "Hãy ghi lý do hủy hồ sơ" in stray.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Dossier, dossier_id).status == "draft"
    assert unit.post(f"/don-vi/ho-so/{dossier_id}/chuyen/cancel", {"comment": "Lập nhầm đợt"}).status_code == 303
    page = unit.get(f"/don-vi/ho-so/{dossier_id}").get_data(as_text=True)
    assert "Đã hủy" in page and "Lập nhầm đợt" in page
    # Issue 25: a cancellation "can be undone while the round is open"; after the round, never.
    assert "Khôi phục hồ sơ đã hủy" in page
    late = unit.post(f"/don-vi/ho-so/{dossier_id}/chuyen/reopen")  # today: the 2022 round is long over
    assert late.status_code == 409 and "đã kết thúc ngày 31/12/2022" in late.get_data(as_text=True)
    with time_machine.travel(datetime(2022, 12, 20, 9, 0, tzinfo=VN), tick=True):
        unit = _unit(app, UNIT_EMAIL)
        assert unit.post(f"/don-vi/ho-so/{dossier_id}/chuyen/reopen").status_code == 303
    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        assert dossier.status == "draft" and [s.action for s in dossier.steps][-2:] == ["cancel", "reopen"]
