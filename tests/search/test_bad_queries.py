"""No query a person (or a scanner) can type gives a 500 or shows a syntax error."""
import pytest

BAD = ["", " ", "x" * 2000, "giải phóng " * 300, "!!!", "?!.,;:/\\-", '"', '"giải phóng', "((", "(a",
       "a)", "title:x", "body_f:phong", "*", "?", "a OR", "OR", "AND NOT", "NOT", "phong*", "~2", "^3",
       "[a TO z]", "{}", "<script>alert(1)</script>", "' OR 1=1 --", "%00", "\x00", "\u200b", "🙂",
       "174/", "/KH-UBND", "17 4 / / KH", "ǅ", "İstanbul"]


@pytest.mark.parametrize("text", BAD)
def test_bad_queries_render_a_normal_page(seeded, client, text):
    response = client.get("/tim-kiem", query_string={"q": text})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Traceback" not in html and "QueryParserError" not in html and "whoosh" not in html.lower()
    assert "<script>alert(1)</script>" not in html


@pytest.mark.parametrize("text", BAD)
def test_bad_queries_through_the_api_are_json(seeded, client, text):
    response = client.get("/api/v1/search", query_string={"q": text})
    assert response.status_code in (200, 400)
    assert response.is_json


@pytest.mark.parametrize("page", ["1000000000", "0", "-1", "abc", "1e9", "99999999999999999999999"])
def test_absurd_pages_give_a_normal_page(seeded, client, page):
    response = client.get("/tim-kiem", query_string={"q": "giai phong", "trang": page})
    assert response.status_code == 200


@pytest.mark.parametrize("args", [{"page": "1000000000"}, {"page": "0"}, {"page": "x"}, {"per_page": "101"},
                                  {"per_page": "0"}, {"q": "x" * 2001}])
def test_api_rejects_out_of_range_arguments_with_a_message(seeded, client, args):
    response = client.get("/api/v1/search", query_string={"q": "giai phong", **args})
    assert response.status_code == 400
    assert "phải" in response.get_json()["error"]["message"] or "dài" in response.get_json()["error"]["message"]


def test_page_beyond_the_results_is_empty_not_an_error(seeded, client):
    html = client.get("/tim-kiem?q=giai+phong&trang=40").get_data(as_text=True)
    assert "không có kết quả" in html
