"""Who may be nominated: rules as data with citations checked against the law's own text, judged
on a person's published awards found by their ID number (office only; never public)."""
import gzip
import re

import pytest

from portal.config import PROJECT_ROOT
from portal.domain.honors import eligibility
from portal.errors import ValidationFailed
from tests.conftest import load
from tests.honors_helpers import row, write_decision
from tests.web.admin.conftest import as_role, users  # noqa: F401 (fixtures)
from tests.web.test_dossiers import dossier_app  # noqa: F401 (fixture)

PERSON = "001085004321"
LAWS = {"Luật Thi đua, khen thưởng số 06/2022/QH15": PROJECT_ROOT / "bench/qa/laws/thi-dua-khen-thuong-2022.txt.gz"}
CSTDCS = "Chiến sĩ thi đua cơ sở"


def _titles(app, tmp_path, years: list[int], title: str = CSTDCS, person: str = PERSON, start: int = 40):
    for n, year in enumerate(years):
        load(app, write_decision(tmp_path / f"{title[:5]}{year}", [row(1, name="Hoàng Thị Mai", id_number=person)],
                                 symbol=f"{start + n}/QĐ-VKS", date=f"{year}-12-20", form=title, name=f"qd{year}"))


def _article(text: str, number: int) -> str:
    start = text.index(f"\nĐiều {number}.")
    return text[start:text.index(f"\nĐiều {number + 1}.", start)]


def test_every_rule_quotes_the_article_it_cites():
    """Each rule's quote is found in the article, clause and point its citation names; a rule
    whose text is not kept says so in its citation, and its law is indeed not kept."""
    rules = eligibility.rules()
    assert {r.kind for r in rules} == set(eligibility.KINDS)
    for rule in rules:
        if not rule.source_kept:
            assert rule.law not in LAWS and "chưa đối chiếu nguyên văn" in rule.citation, rule.id
            continue
        text = gzip.open(LAWS[rule.law], "rt", encoding="utf-8").read()
        article = _article(text, rule.article)
        if rule.clause:
            article = re.split(r"\n(?=\d+\. )", article)[rule.clause] if rule.point or "\n1. " in article else article
        if rule.point:
            article = next(p for p in article.split("\n") if p.startswith(f"{rule.point}) "))
        assert " ".join(rule.quote.split()).lower() in " ".join(article.split()).lower(), (rule.id, rule.citation)


def test_three_consecutive_years_meet_the_chain_and_a_gap_breaks_it(seeded, tmp_path, as_role):  # noqa: F811
    _titles(seeded, tmp_path, [2022, 2023, 2024])
    office = as_role("editor")
    data = office.get(f"/api/v1/office/eligibility?id_number={PERSON}&title=chien-si-thi-dua-nganh&year=2024")
    rule = data.get_json()["rules"][0]
    assert data.get_json()["status"] == "eligible" and rule["met"] is True
    assert rule["citation"] == "Điểm a khoản 1 Điều 22 Luật Thi đua, khen thưởng số 06/2022/QH15"
    assert "2022" in rule["evidence"] and "40/QĐ-VKS" in rule["evidence"]
    page = office.get(f"/quan-tri/tra-cuu-dieu-kien?so-dinh-danh={PERSON}&danh-hieu=chien-si-thi-dua-nganh&nam=2024")
    html = page.get_data(as_text=True)
    assert "Đủ điều kiện" in html and "Điều 22" in html and html.count("Chiến sĩ thi đua cơ sở") >= 3
    record = office.get(f"/api/v1/office/recipients?id_number={PERSON}").get_json()
    assert [y["year"] for y in record["years"]] == [2024, 2023, 2022] and record["name"] == "Hoàng Thị Mai"


def test_a_missing_year_fails_the_chain_with_its_citation(seeded, tmp_path, as_role):  # noqa: F811
    _titles(seeded, tmp_path, [2022, 2024])
    office = as_role("editor")
    data = office.get(f"/api/v1/office/eligibility?id_number={PERSON}&title=chien-si-thi-dua-nganh&year=2024")
    result = data.get_json()
    assert result["status"] == "not_eligible" and result["rules"][0]["met"] is False
    assert "đứt ở năm 2023" in result["rules"][0]["evidence"] and "Điều 22" in result["rules"][0]["citation"]
    html = office.get(f"/quan-tri/tra-cuu-dieu-kien?so-dinh-danh={PERSON}&danh-hieu=chien-si-thi-dua-nganh"
                      "&nam=2024").get_data(as_text=True)
    assert "Chưa đủ điều kiện" in html and "đứt ở năm 2023" in html


def test_an_annulled_title_no_longer_counts(seeded, tmp_path, as_role):  # noqa: F811
    _titles(seeded, tmp_path, [2022, 2023, 2024])
    from portal.domain.honors.models import Award
    from portal.extensions import db
    with seeded.app_context():
        award_id = db.session.scalars(db.select(Award.id).order_by(Award.id)).all()[1]
    assert seeded.test_cli_runner().invoke(args=["honors", "annul", str(award_id), "--decision", "9/QĐ-VKS",
                                                 "--date", "2025-01-10", "--reason", "Kê khai không trung thực"]
                                           ).exit_code == 0
    data = as_role("editor").get(f"/api/v1/office/eligibility?id_number={PERSON}&title=chien-si-thi-dua-nganh"
                                 "&year=2024").get_json()
    assert data["status"] == "not_eligible" and "2023" in data["rules"][0]["evidence"]


def test_a_prerequisite_of_the_same_year_and_a_collective_rule_to_review(seeded, tmp_path, as_role):  # noqa: F811
    _titles(seeded, tmp_path, [2024], title="Lao động tiên tiến")
    office = as_role("editor")
    met = office.get(f"/api/v1/office/eligibility?id_number={PERSON}&title=chien-si-thi-dua-co-so&year=2024")
    assert met.get_json()["status"] == "eligible" and "Điều 23" in met.get_json()["rules"][0]["citation"]
    unmet = office.get(f"/api/v1/office/eligibility?id_number={PERSON}&title=chien-si-thi-dua-co-so&year=2025")
    assert unmet.get_json()["status"] == "not_eligible"
    members = office.get(f"/api/v1/office/eligibility?id_number={PERSON}&title=tap-the-lao-dong-xuat-sac&year=2024")
    assert members.get_json()["status"] == "review" and {r["met"] for r in members.get_json()["rules"]} == {None}
    before_the_law = office.get(f"/api/v1/office/eligibility?id_number={PERSON}&title=chien-si-thi-dua-nganh"
                                "&year=2021").get_json()
    assert before_the_law["status"] == "review" and before_the_law["rules"] == []  # the 2022 law is in force from 2024


def test_the_lookup_is_for_the_office_only(seeded, client, as_role):  # noqa: F811
    url = f"/api/v1/office/eligibility?id_number={PERSON}&title=chien-si-thi-dua-nganh&year=2024"
    assert client.get(url).status_code == 401
    assert client.get(f"/api/v1/office/recipients?id_number={PERSON}").status_code == 401
    office = as_role("editor")
    assert office.get(url.replace(PERSON, "12ab")).status_code == 400
    assert office.get(url.replace("chien-si-thi-dua-nganh", "khong-co")).status_code == 400
    assert office.get(f"/api/v1/office/recipients?id_number={PERSON}").status_code == 404
    spec = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"/api/v1/office/eligibility", "/api/v1/office/recipients"} <= set(spec)


def test_a_rules_file_that_does_not_parse_names_its_line():
    with pytest.raises(ValidationFailed) as bad:
        eligibility.parse_rules('[[rule]]\nid = "x"\ntitles = lao-dong-tien-tien\n', "thu.toml")
    assert bad.value.message.startswith("thu.toml, dòng 3: không đọc được")
    with pytest.raises(ValidationFailed) as unknown:
        eligibility.parse_rules('[[rule]]\nid = "x"\ntitles = ["khong-co"]\nkind = "chain"\n'
                                'effective_from = 2024-01-01\nsummary = "s"\nlaw = "l"\narticle = 1\nquote = "q"\n')
    assert "không có danh hiệu khong-co" in unknown.value.problems[0]


def test_the_dossier_shows_each_nominees_check_to_the_unit_and_the_office(dossier_app, tmp_path, as_role):  # noqa: F811
    from tests.web.test_dossiers import PRIVATE, prepared_dossier
    from tests.web.test_unit_reports import _unit
    from tests.web.test_units import UNIT_EMAIL
    app, rounds = dossier_app
    _titles(app, tmp_path, [2022, 2024], person=PRIVATE["id"])
    from datetime import date

    from portal.domain.campaigns.models import ReviewRound
    from portal.extensions import db
    with app.app_context():  # the office opens the 2024 round to dossiers
        db.session.get(ReviewRound, rounds["so-ket-2024"]).report_due_on = date(2024, 12, 15)
        db.session.commit()
    unit, office = _unit(app, UNIT_EMAIL), as_role("editor")
    dossier_id = prepared_dossier(unit, rounds["so-ket-2024"], "chien-si-thi-dua-nganh")
    for session, url in ((unit, f"/don-vi/ho-so/{dossier_id}"), (office, f"/quan-tri/ho-so/{dossier_id}")):
        html = session.get(url).get_data(as_text=True)
        row = html[html.index("Lương Thị Hạnh<br>"):]
        row = row[:row.index("</tr>")]
        assert "Chưa đủ điều kiện" in row and "đứt ở năm 2023" in row and "Điều 22" in row, url
        assert PRIVATE["id"] not in html


def test_the_office_may_judge_otherwise_in_writing_and_the_unit_sees_it(dossier_app, tmp_path, as_role):  # noqa: F811
    from datetime import date

    from portal.domain.campaigns.models import ReviewRound
    from portal.extensions import db
    from tests.web.test_dossiers import nominee_ids, prepared_dossier
    from tests.web.test_unit_reports import _unit
    from tests.web.test_units import UNIT_EMAIL
    app, rounds = dossier_app
    with app.app_context():
        db.session.get(ReviewRound, rounds["so-ket-2024"]).report_due_on = date(2024, 12, 15)
        db.session.commit()
    unit, office = _unit(app, UNIT_EMAIL), as_role("editor")
    dossier_id = prepared_dossier(unit, rounds["so-ket-2024"], "chien-si-thi-dua-nganh")
    unit.post(f"/don-vi/ho-so/{dossier_id}/chuyen/submit")
    office.post(f"/quan-tri/ho-so/{dossier_id}/chuyen/appraise")
    nominee = str(nominee_ids(app, dossier_id)[1])
    reason = "Năm 2023 công tác biệt phái, có xác nhận của đơn vị tiếp nhận"
    url = f"/quan-tri/ho-so/{dossier_id}/dieu-kien"
    assert office.post(url, {"nominee": nominee, "reason": "ngắn"}).status_code == 400
    assert unit.post(url, {"nominee": nominee, "reason": reason}).status_code in (302, 303, 403)
    assert "Cơ quan thường trực xét khác" not in unit.get(f"/don-vi/ho-so/{dossier_id}").get_data(as_text=True)
    assert office.post(url, {"nominee": nominee, "reason": reason}).status_code == 303
    for page in (unit.get(f"/don-vi/ho-so/{dossier_id}"), office.get(f"/quan-tri/ho-so/{dossier_id}")):
        assert f"Cơ quan thường trực xét khác:</strong> {reason}" in page.get_data(as_text=True)
    log = as_role("admin").get("/quan-tri/nhat-ky").get_data(as_text=True)
    assert "Điều kiện của Lương Thị Hạnh" in log


def test_a_share_cap_is_counted_over_the_round(dossier_app, tmp_path, as_role):  # noqa: F811
    """Tập thể lao động xuất sắc for at most 20% of the collectives graded Tập thể lao động tiên
    tiến: with five graded, one collective proposed meets the cap, two go to the office's choice."""
    from datetime import date

    from portal.domain.campaigns.models import ReviewRound
    from portal.extensions import db
    from tests.web.test_dossiers import NOMINEES
    from tests.web.test_hardening import proposed
    from tests.web.test_unit_reports import _unit
    from tests.web.test_units import UNIT_EMAIL
    app, rounds = dossier_app
    graded = [row(n, kind="Tập thể", name=f"Phòng nghiệp vụ {n}") for n in range(1, 6)]
    load(app, write_decision(tmp_path / "ttldtt", graded, symbol="70/QĐ-VKS", date="2024-12-20",
                             form="Tập thể lao động tiên tiến", name="ttldtt2024"))
    with app.app_context():
        db.session.get(ReviewRound, rounds["so-ket-2024"]).report_due_on = date(2024, 12, 15)
        db.session.commit()
    unit, office = _unit(app, UNIT_EMAIL), as_role("editor")
    dossier_id = proposed(app, unit, office, rounds["so-ket-2024"], "tap-the-lao-dong-xuat-sac")

    def collective_row(name: str) -> str:
        html = office.get(f"/quan-tri/ho-so/{dossier_id}").get_data(as_text=True)
        cell = html[html.index(f"{name}<br>"):]
        return cell[:cell.index("</tr>")]

    first, second = NOMINEES[0][2], NOMINEES[2][2]  # the dossier's two collectives
    assert "Thông tư số 02/2024/TT-VKSTC (văn bản chưa lưu trên cổng" in collective_row(first)
    assert "vượt tỷ lệ" in collective_row(first) and "tối đa 1 (20% của 5 tập thể" in collective_row(first)
    assert office.post(f"/quan-tri/ho-so/{dossier_id}/chuyen/return",
                       {"comment": "Chỉ đề nghị một tập thể"}).status_code == 303
    from tests.web.test_dossiers import list_csv, upload
    assert upload(unit, f"/don-vi/ho-so/{dossier_id}/danh-sach", list_csv([NOMINEES[0]]),
                  "danh-sach.csv").status_code == 303
    unit.post(f"/don-vi/ho-so/{dossier_id}/chuyen/submit")
    page = unit.get(f"/don-vi/ho-so/{dossier_id}").get_data(as_text=True)
    row_html = page[page.index(f"{first}<br>"):]
    row_html = row_html[:row_html.index("</tr>")]
    assert "Đạt: Không quá 20%" in row_html and "1 tập thể được đề nghị" in row_html
    assert f"{second}<br>" not in page  # no longer a nominee (its name stays in the history)
