"""What a new user typed on the portal's own content, each seen failing before: partial symbols,
abbreviations, who signed, a syllable typed without its mark, did-you-mean, honest highlights,
documents and honor-roll entries apart, and long questions."""
import re

import pytest

from portal.vietnamese.syllables import folded_text

PLAN, LETTER = "/van-ban/174-kh-ubnd-2022", "/van-ban/1033-vks-vp-2022"


def api(app, query: str, **args) -> dict:
    response = app.test_client().get("/api/v1/search", query_string={"q": query, **args})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()


def urls(app, query: str, **args) -> list[str]:
    return [r["url"].removeprefix(app.config["SITE_URL"]) for r in api(app, query, **args)["results"]]


@pytest.mark.parametrize("query", ["174/KH", "kh 174", "174 kh", "KH-174", "174", "ke hoach 174",
                                   "ke hoach so 174", "Kế hoạch 174"])
def test_a_number_or_partial_symbol_ranks_the_document_carrying_it_first(search_app, query):
    assert urls(search_app, query)[0] == PLAN  # before: 1033/VKS-VP, which only mentions it


def test_an_abbreviation_finds_its_expansion_and_the_expansion_finds_it(search_app):
    assert urls(search_app, "GPMB")[0] == PLAN  # before: nothing, and no suggestion
    assert "/van-ban/113-tb-vks-2024" in urls(search_app, "GPMB")
    assert "/van-ban/113-tb-vks-2024" in urls(search_app, "giải phóng mặt bằng", per_page=50)
    assert "/van-ban/113-tb-vks-2024" in urls(search_app, "ban chi dao", per_page=50)
    assert PLAN in urls(search_app, "UBND tinh Lang Son", per_page=50)


def test_did_you_mean_offers_only_close_suggestions_that_have_results(search_app):
    page = search_app.test_client().get("/tim-kiem?q=1200").get_data(as_text=True)
    assert "Có phải bạn muốn tìm" not in page  # before: "12"
    typo = api(search_app, "giai phong mat bagn")
    assert typo["suggestion"] == "giai phong mat bang"
    assert api(search_app, typo["suggestion"])["total"] >= 1
    assert api(search_app, "xyzzyq")["suggestion"] is None


def _marked(result: dict) -> list[str]:
    return [result["snippet"][a:b] for a, b in result["highlights"]]


def test_highlights_mark_only_what_was_typed_and_never_the_space(search_app):
    for result in api(search_app, "giai phong mat bang", per_page=20)["results"]:
        for text in _marked(result):
            assert text == text.strip() and text, result["snippet"]
            # no lone "Phong", "giai", "Bằng"; the abbreviation of what was typed is marked
            assert len(text.split()) >= 2 or text == "GPMB", (text, result["snippet"])
            assert "phong trao" not in folded_text(text) and "giai doan" not in folded_text(text)
    accented = api(search_app, "phóng", per_page=20)["results"]
    marked = [t for r in accented for t in _marked(r)]
    assert marked and all(t.lower() == "phóng" for t in marked), marked  # not "phòng", not "Phong"
    html = search_app.test_client().get("/tim-kiem?q=giai+phong+mat+bang").get_data(as_text=True)
    assert not re.search(r"<mark>\s", html) and not re.search(r"\s</mark>", html)


QUESTIONS = [
    ("Xin cho hỏi trong trường hợp người dân có việc cần gặp trực tiếp thì lãnh đạo Viện tiếp công dân "
     "vào thứ mấy hằng tuần?", "/van-ban/110-tb-vks-2024"),
    ("Hộ gia đình hiến đất có giá trị bao nhiêu thì được đề nghị Bằng khen của Thủ tướng Chính phủ?", PLAN),
    ("ho gia dinh hien dat co gia tri bao nhieu thi duoc de nghi bang khen cua thu tuong chinh phu", PLAN),
    ("Viện kiểm sát nhân dân tỉnh Lạng Sơn yêu cầu các đơn vị làm gì với kế hoạch phát động phong trào "
     "thi đua giải phóng mặt bằng?", LETTER),
]


@pytest.mark.parametrize("question, expected", QUESTIONS)
def test_long_questions_find_the_document_that_answers_them(search_app, question, expected):
    assert urls(search_app, question)[0] == expected


def test_the_api_takes_a_question_of_1000_characters_without_dropping_words(search_app):
    filler = "xin hỏi cụ thể là như thế nào " * 40
    question = (filler + "Huân chương Lao động hạng Ba")[-1000:]
    assert len(question) == 1000
    assert urls(search_app, question)[0] == PLAN  # before: 400, and only the first 16 syllables kept
    page = search_app.test_client().get("/tim-kiem", query_string={"q": question}).get_data(as_text=True)
    assert "trang này tìm theo phần đầu" in page  # the page trims, and says so


def test_search_filters_fold_like_the_honor_roll(search_app):
    """On a phone the facets filled the first screen before any result (seen on a fresh run)."""
    client = search_app.test_client()
    page = client.get("/tim-kiem?q=giai+phong+mat+bang").get_data(as_text=True)
    assert '<details class="filters filter-fold"' in page and "đang chọn" not in page
    chosen = client.get("/tim-kiem?q=giai+phong+mat+bang&loai=ke-hoach").get_data(as_text=True)
    assert "Lọc kết quả <span class=\"fold-count\">(1 đang chọn)</span>" in chosen
