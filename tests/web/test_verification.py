"""Certificates anyone can check: each award's random code, its public verification page, and
annulment instead of deletion (the award stays, marked, with the annulling decision's reason)."""
import csv
import io
import re

import pytest

from portal.domain.honors.models import CODE_ALPHABET, Award, grouped_code
from portal.extensions import db
from tests.conftest import load
from tests.honors_helpers import row, write_decision

PRIVATE = {"id": "987650004321", "birth": "13/07/1931", "address": "Số 77 ngõ Bí Mật", "phone": "0912 000 777"}
REASON = "Kê khai không trung thực diện tích đất hiến"


@pytest.fixture
def decision(seeded, tmp_path):
    rows = [row(1, name="Nguyễn Văn An", id_number=PRIVATE["id"], birth=PRIVATE["birth"],
                address=PRIVATE["address"], phone=PRIVATE["phone"]),
            row(2, kind="Hộ gia đình", name="Hộ ông Hoàng Văn Chiến", district="Văn Lãng")]
    load(seeded, write_decision(tmp_path / "a", rows))
    return seeded


def codes(app) -> dict[str, tuple[int, str]]:
    with app.app_context():
        return {a.name: (a.id, a.verification_code) for a in db.session.scalars(db.select(Award))}


def annul(app, award_id: int, *extra: str):
    return app.test_cli_runner().invoke(args=["honors", "annul", str(award_id), "--decision", "45/QĐ-UBND",
                                              "--date", "2023-03-10", "--reason", REASON, *extra])


def test_every_award_gets_a_random_code_without_look_alike_characters(decision):
    found = codes(decision)
    assert len(found) == 2 and len({c for _, c in found.values()}) == 2
    for award_id, code in found.values():
        assert len(code) == 12 and set(code) <= set(CODE_ALPHABET) and code != f"{award_id:012d}"
        assert not set(code) & set("01OIL")
    # Random, not derived from anything: a thousand draws are all different and use the whole alphabet.
    from portal.domain.honors.models import new_verification_code
    draws = [new_verification_code() for _ in range(1000)]
    assert len(set(draws)) == 1000 and set("".join(draws)) == set(CODE_ALPHABET)


def test_a_visitor_verifies_a_code_and_sees_no_private_value(decision, client):
    _, code = codes(decision)["Nguyễn Văn An"]
    page = client.get(f"/xac-minh/{grouped_code(code)}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Còn hiệu lực" in html
    assert "Nguyễn Văn An" in html and "15/QĐ-UBND" in html and "Bằng khen của Chủ tịch UBND tỉnh" in html
    assert "no-store" in page.headers["Cache-Control"]
    for value in [*PRIVATE.values(), "1931"]:
        assert value not in html
    # As typed from paper: lower case, spaces; and through the form.
    assert client.get(f"/xac-minh/{code.lower()}").status_code == 200
    typed = client.get("/xac-minh", query_string={"ma": f" {code[:4].lower()} {code[4:8]}-{code[8:]} "})
    assert typed.status_code == 303 and typed.headers["Location"].endswith(f"/xac-minh/{grouped_code(code)}")


def test_unknown_or_malformed_codes_give_no_hint(decision, client):
    _, code = codes(decision)["Nguyễn Văn An"]
    wrong = ("2" if code[0] != "2" else "3") + code[1:]
    for attempt in (wrong, "ABCD", "x" * 300, "<script>"):
        response = client.get(f"/xac-minh/{attempt}")
        assert response.status_code == 404
        assert "Nguyễn" not in response.get_data(as_text=True)
    form = client.get("/xac-minh", query_string={"ma": "0OIL-????"})
    assert form.status_code == 400 and "12 ký tự" in form.get_data(as_text=True)


def test_lookups_are_throttled_per_address(decision, client):
    _, code = codes(decision)["Nguyễn Văn An"]
    statuses = [client.get(f"/xac-minh/{code}").status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30 and statuses[30] == 429
    other = decision.test_client()
    assert other.get(f"/xac-minh/{code}", environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 200


def test_an_annulled_award_stays_on_the_roll_marked_and_says_why(decision, client):
    award_id, code = codes(decision)["Nguyễn Văn An"]
    result = annul(decision, award_id)
    assert result.exit_code == 0, result.output
    html = client.get(f"/xac-minh/{code}").get_data(as_text=True)
    assert "Đã bị hủy bỏ" in html and "45/QĐ-UBND" in html and REASON in html and "Còn hiệu lực" not in html
    assert "10/03/2023" in html
    page = client.get(f"/vinh-danh/khen-thuong/{award_id}").get_data(as_text=True)
    assert "Đã bị hủy bỏ" in page and REASON in page
    roll = client.get("/vinh-danh").get_data(as_text=True)
    assert re.search(r"Nguyễn Văn An</a> <span class=\"annulled-tag\">Đã bị hủy bỏ</span>", roll)
    table = list(csv.reader(io.StringIO(client.get("/vinh-danh/xuat.csv").get_data(as_text=True).lstrip("\ufeff"))))
    status = {r[2]: r[-1] for r in table[1:]}
    assert table[0][-1] == "Tình trạng" and status["Nguyễn Văn An"] == "Đã bị hủy bỏ"
    assert status["Hộ ông Hoàng Văn Chiến"] == "Còn hiệu lực"
    api = client.get("/api/v1/honors").get_json()["results"]
    assert {r["name"]: r["status"] for r in api}["Nguyễn Văn An"] == "Đã bị hủy bỏ"
    assert code not in str(api)  # the public API shows the status, never the code
    stats = client.get("/vinh-danh/thong-ke").get_data(as_text=True)
    assert "Không tính 1 lượt khen thưởng đã bị hủy bỏ" in stats
    assert re.search(r"<th scope=\"row\">2022</th><td>1</td>", stats)


def test_annulling_twice_is_refused_and_a_correcting_decision_restores_with_history(decision, client):
    award_id, code = codes(decision)["Nguyễn Văn An"]
    assert annul(decision, award_id).exit_code == 0
    again = annul(decision, award_id)
    assert again.exit_code != 0 and "đã bị hủy bỏ" in again.output
    restored = decision.test_cli_runner().invoke(args=[
        "honors", "restore", str(award_id), "--decision", "60/QĐ-UBND", "--date", "2023-05-02",
        "--reason", "Đơn khiếu nại đã được giải quyết, thành tích là đúng"])
    assert restored.exit_code == 0, restored.output
    assert "Còn hiệu lực" in client.get(f"/xac-minh/{code}").get_data(as_text=True)
    page = client.get(f"/vinh-danh/khen-thuong/{award_id}").get_data(as_text=True)
    assert "Đã hủy bỏ, sau đó thu hồi" in page and "45/QĐ-UBND" in page and "60/QĐ-UBND" in page


def test_annulment_needs_a_reason_a_valid_symbol_and_a_date_after_the_award(decision):
    award_id, _ = codes(decision)["Nguyễn Văn An"]
    runner = decision.test_cli_runner()
    short = runner.invoke(args=["honors", "annul", str(award_id), "--decision", "45/QĐ-UBND", "--reason", "sai"])
    assert short.exit_code != 0 and "ít nhất 10 ký tự" in short.output
    early = annul(decision, award_id, "--date", "2020-01-01")
    assert early.exit_code != 0 and "trước quyết định khen thưởng" in early.output
    missing = runner.invoke(args=["honors", "annul", "999999", "--decision", "45/QĐ-UBND", "--reason", REASON])
    assert missing.exit_code != 0 and "Không có khen thưởng" in missing.output
    with decision.app_context():
        assert not db.session.get(Award, award_id).annulled


def test_a_whole_decision_is_annulled_at_once(decision, client):
    found = codes(decision)
    assert annul(decision, found["Nguyễn Văn An"][0], "--whole-decision").exit_code == 0
    for _, code in found.values():
        assert "Đã bị hủy bỏ" in client.get(f"/xac-minh/{code}").get_data(as_text=True)


def test_codes_of_unpublished_or_removed_awards_are_not_found(decision, client):
    found = codes(decision)
    with decision.app_context():
        db.session.get(Award, found["Nguyễn Văn An"][0]).publication = "removed"
        db.session.commit()
    assert client.get(f"/xac-minh/{found['Nguyễn Văn An'][1]}").status_code == 404
    assert client.get(f"/xac-minh/{found['Hộ ông Hoàng Văn Chiến'][1]}").status_code == 200
