import pytest


def test_an_undeclared_method_names_the_allowed_ones(client):
    response = client.delete("/api/v1/search?q=x")
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "HEAD"}
    assert response.get_json()["error"]["message"] == "Phương thức không được hỗ trợ."


@pytest.mark.parametrize("url, message", [
    ("/api/v1/honors?page=1&page=2", "chỉ được truyền một lần"),
    ("/api/v1/honors?page=", "phải là số nguyên"),
    ("/api/v1/honors?ten=" + "a" * 101, "dài quá 100"),
    ("/api/v1/search?q=" + "a" * 1001, "dài quá 1000"),
    ("/api/v1/search?q=x&type=" + "b" * 301, "dài quá 300"),
])
def test_the_api_refuses_what_its_schema_excludes(seeded, client, url, message):
    response = client.get(url)
    assert response.status_code == 400
    assert message in response.get_json()["error"]["message"]
