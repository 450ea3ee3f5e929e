import io
import zipfile

import pytest
from sqlalchemy import func

from portal.domain.campaigns.models import Campaign
from portal.domain.documents import models as docs
from portal.domain.documents.models import Attachment, Document, Relation
from portal.domain.documents.workflow import HistoryEntry
from portal.errors import ValidationFailed
from portal.extensions import db
from tests.conftest import CONTENT, load

MINIMAL = """
symbol: {symbol}
type: {type}
issuer: Viện kiểm sát nhân dân tỉnh Lạng Sơn
place: Lạng Sơn
issued_on: {date}
subject: {subject}
"""


def minimal(symbol="12/TB-VKS", type="TB", date="2023-03-01", subject="Thông báo thử", extra=""):
    return MINIMAL.format(symbol=symbol, type=type, date=date, subject=subject) + extra


def counts(app) -> tuple:
    with app.app_context():
        return tuple(db.session.scalar(db.select(func.count()).select_from(model))
                     for model in (Document, Campaign, Relation, Attachment, HistoryEntry))


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def test_seed_content_loads_the_chain(seeded):
    with seeded.app_context():
        letter = docs.by_slug("1033-vks-vp-2022")
        plan = docs.by_slug("174-kh-ubnd-2022")
        decision = docs.by_slug("57-2018-qd-ubnd")
        assert letter.doc_type == "cong-van" and letter.signer == "Nguyễn Thúc Liễu"
        assert letter.authority_line == "KT. VIỆN TRƯỞNG"
        assert plan.signer == "Hồ Tiến Thiệu" and plan.authority_line == "TM. ỦY BAN NHÂN DÂN"
        assert [t.slug for _, t in docs.outgoing(letter)] == ["174-kh-ubnd-2022"]
        assert [t.slug for _, t in docs.outgoing(plan)] == ["57-2018-qd-ubnd"]
        assert [s.slug for _, s in docs.incoming(decision)] == ["174-kh-ubnd-2022"]
        assert decision.body == ""
        assert plan.campaign.rounds[-1].kind == "tong-ket"
        assert [r.get("min_contribution") for r in plan.campaign.award_rules
                if r.get("recipient") == "ho-gia-dinh"] == [100_000_000, 500_000_000]


def test_loading_twice_changes_nothing(seeded):
    before = counts(seeded)
    with seeded.app_context():
        stamps = [d.updated_at for d in db.session.scalars(db.select(Document).order_by(Document.id))]
    report = load(seeded, CONTENT)
    assert report.created == [] and report.updated == [] and len(report.unchanged) == 4
    assert counts(seeded) == before
    with seeded.app_context():
        assert stamps == [d.updated_at for d in db.session.scalars(db.select(Document).order_by(Document.id))]


def test_a_changed_file_updates_its_document_and_keeps_its_url(app, content_dir):
    load(app, content_dir)
    letter = content_dir / "van-ban" / "1033-vks-vp-2022.md"
    letter.write_text(letter.read_text(encoding="utf-8").replace("nghiêm túc", "khẩn trương"), encoding="utf-8")
    report = load(app, content_dir)
    assert report.updated == ["1033/VKS-VP"]
    with app.app_context():
        document = docs.by_slug("1033-vks-vp-2022")
        assert "khẩn trương" in document.body
        assert db.session.scalar(db.select(func.count(Document.id))) == 3


def test_a_corrected_symbol_keeps_the_old_url_as_a_redirect(app, write_doc, client):
    path = write_doc("tb.md", minimal(symbol="12/TB-VKS"), "Nội dung.\n")
    load(app, path)
    path.write_text(path.read_text(encoding="utf-8").replace("12/TB-VKS", "13/TB-VKS"), encoding="utf-8")
    load(app, path)
    response = client.get("/van-ban/12-tb-vks-2023")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/van-ban/13-tb-vks-2023")


@pytest.mark.parametrize("front, key, fragment", [
    (minimal(symbol="174 KH UBND"), "symbol", "không đúng dạng"),
    (minimal(date="2023-02-30"), "issued_on", "không phải ngày hợp lệ"),
    (minimal(type="Kế hoạch lớn"), "type", "không phải tên loại"),
    (minimal(symbol="12/KH-VKS", type="TB"), "type", "không khớp"),
    (minimal(extra="status: secret\n"), "status", "không hợp lệ"),
    (minimal(extra="attachments: [khong-co.pdf]\n"), "attachments", "không tìm thấy tệp"),
    (minimal(extra="relations: {cites: [174/KH-UBND]}\n"), "relations.cites", "loại quan hệ"),
    (minimal(extra="relations: {based_on: [not a symbol]}\n"), "relations.based_on", "không đúng dạng"),
    (minimal(extra="campaign: khong-co\n"), "campaign", "không có phong trào"),
    (minimal(extra="signing_authority: XYZ GIÁM ĐỐC\n"), "signing_authority", "TM., KT."),
    (minimal(extra="colour: red\n"), "colour", "không được hỗ trợ"),
    (MINIMAL.format(symbol="1/TB-X", type="TB", date="2023-01-01", subject=""), "subject", "bắt buộc"),
])
def test_bad_content_names_file_and_key_and_writes_nothing(seeded, write_doc, front, key, fragment):
    good = write_doc("a-good.md", minimal(symbol="99/TB-VKS"), "Văn bản hợp lệ.\n")
    bad = write_doc("b-bad.md", front, "Nội dung.\n")
    before = counts(seeded)
    with pytest.raises(ValidationFailed) as info:
        load(seeded, good.parent)
    problems = "\n".join(info.value.problems)
    assert f"{bad}: {key}: " in problems and fragment in problems
    assert str(good) not in problems
    assert counts(seeded) == before


def test_unparseable_front_matter_is_reported(app, tmp_path):
    path = tmp_path / "broken.md"
    path.write_text("---\nsymbol: [unclosed\n---\nbody", encoding="utf-8")
    with pytest.raises(ValidationFailed) as info:
        load(app, path)
    assert "YAML không hợp lệ" in info.value.problems[0]


def test_duplicate_symbol_in_one_load_is_refused(app, write_doc):
    write_doc("a.md", minimal(symbol="5/TB-VKS"))
    path = write_doc("b.md", minimal(symbol="5/TB-VKS", subject="Khác"))
    with pytest.raises(ValidationFailed) as info:
        load(app, path.parent)
    assert "đã có trong" in info.value.problems[0]
    assert counts(app)[0] == 0


def test_same_number_in_another_year_is_another_document(app, write_doc):
    write_doc("a.md", minimal(symbol="5/TB-VKS", date="2022-05-01"))
    path = write_doc("b.md", minimal(symbol="5/TB-VKS", date="2023-05-01"))
    load(app, path.parent)
    with app.app_context():
        assert docs.by_slug("5-tb-vks-2022") and docs.by_slug("5-tb-vks-2023")


def test_a_relation_to_a_missing_document_resolves_when_it_arrives(app, write_doc, client):
    letter = write_doc("letter.md", minimal(symbol="7/VKS-VP", type="Công văn",
                                            extra="relations: {implements: [8/KH-UBND]}\n"), "Thân.\n")
    load(app, letter)
    page = client.get("/van-ban/7-vks-vp-2023").get_data(as_text=True)
    assert "8/KH-UBND" in page and "chưa có trên cổng" in page
    load(app, write_doc("plan.md", minimal(symbol="8/KH-UBND", type="KH", date="2023-01-05")))
    page = client.get("/van-ban/7-vks-vp-2023").get_data(as_text=True)
    assert 'href="/van-ban/8-kh-ubnd-2023"' in page and "chưa có trên cổng" not in page


def test_attachments_are_stored_under_random_names_with_their_hash(app, write_doc, tmp_path):
    folder = tmp_path / "extra"
    folder.mkdir()
    original = docx_bytes()  # once: a zip carries its time, so two calls may differ
    (folder / "Kế hoạch gốc.docx").write_bytes(original)
    path = write_doc("tb.md", minimal(extra="attachments: [Kế hoạch gốc.docx]\n"), "Nội dung.\n")
    load(app, path)
    load(app, path)
    with app.app_context():
        (item,) = db.session.scalars(db.select(Attachment)).all()
        assert item.filename == "Kế hoạch gốc.docx" and len(item.sha256) == 64
        assert item.stored_name.isalnum() and item.stored_name not in item.filename
        from portal.services import storage
        store = storage()
        assert store.names() == [item.stored_name]
        with store.open(item.stored_name) as handle:
            assert handle.read() == original


def test_an_attachment_lying_about_its_type_stops_the_load(app, write_doc, tmp_path):
    folder = tmp_path / "extra"
    folder.mkdir()
    (folder / "ban-goc.pdf").write_bytes(b"MZ\x90\x00 this is an executable")
    path = write_doc("tb.md", minimal(extra="attachments: [ban-goc.pdf]\n"))
    with pytest.raises(ValidationFailed) as info:
        load(app, path)
    assert f"{path}: attachments: nội dung tệp «ban-goc.pdf» không đúng định dạng PDF" in info.value.problems
    assert counts(app) == (0, 0, 0, 0, 0)
    assert not [p for p in (tmp_path / "uploads").rglob("*") if p.is_file()]
