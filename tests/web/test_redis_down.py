"""REDIS_URL set but Redis unreachable: the portal keeps serving and the login limit holds,
counted in the database; the log says so once."""
import logging

from tests.web.admin.conftest import as_role, users  # noqa: F401 (fixtures)


def test_login_limit_falls_back_to_the_database(app, users, caplog):  # noqa: F811
    app.config["REDIS_URL"] = "redis://127.0.0.1:9/0"  # nothing listens on the discard port
    client = app.test_client()
    page = client.get("/quan-tri/dang-nhap").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    with caplog.at_level(logging.WARNING, logger="portal.web.throttle"):
        statuses = [client.post("/quan-tri/dang-nhap", data={
            "csrf_token": token, "email": users["editor"], "password": "sai mật khẩu rồi"}).status_code
            for _ in range(7)]
    assert statuses == [401] * 5 + [429] * 2
    assert sum("Redis unreachable" in r.message for r in caplog.records) == 1
