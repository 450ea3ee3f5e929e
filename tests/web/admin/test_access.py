"""Every route of the webmaster area, enumerated from the URL map: none answers without a
login, and the role-restricted ones refuse the roles they exclude."""
import pytest
from werkzeug.routing import IntegerConverter

from portal import create_app
from portal.web.admin import OPEN_ENDPOINTS

from .conftest import Session


def _admin_rules():
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SEARCH_CHECK_ON_START": False,
                      "SECRET_KEY": "x"})
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("admin.")]
    return app, rules


APP, RULES = _admin_rules()


def _url(rule) -> str:
    values = {name: (1 if isinstance(rule._converters[name], IntegerConverter) else "abc")
              for name in rule.arguments}
    with APP.test_request_context():
        from flask import url_for
        return url_for(rule.endpoint, **values)


def test_the_admin_area_has_the_routes_we_enumerate():
    assert len(RULES) >= 25
    assert all(r.rule.startswith("/quan-tri") for r in RULES)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r.endpoint}")
def test_no_admin_route_answers_without_login(app, rule):
    client = app.test_client()
    url = _url(rule)
    for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
        if rule.endpoint in OPEN_ENDPOINTS:
            continue
        response = client.open(url, method=method, data={})
        if method == "POST":
            assert response.status_code in (302, 403), (method, url)  # no CSRF token (403) or the login page
        else:
            assert response.status_code == 302, (method, url)
            assert response.headers["Location"].startswith("/quan-tri/dang-nhap"), url
        assert "no-store" in response.headers.get("Cache-Control", "")


def _view(rule):
    return APP.view_functions[rule.endpoint]


RESTRICTED = [r for r in RULES if getattr(_view(r), "required_roles", None)]


def test_restricted_routes_are_the_expected_ones():
    names = {r.endpoint for r in RESTRICTED}
    assert {"admin.users", "admin.user_update", "admin.audit_log", "admin.trash_purge", "admin.worklist",
            "admin.request_queue", "admin.request_close"} <= names


@pytest.mark.parametrize("rule", RESTRICTED, ids=lambda r: r.endpoint)
def test_restricted_routes_refuse_other_roles(app, users, rule):
    allowed = set(_view(rule).required_roles) | {"admin"}
    for role in ("editor", "reviewer"):
        if role in allowed:
            continue
        session = Session(app.test_client(), users[role])
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = session.client.open(_url(rule), method=method,
                                           data={"csrf_token": session.csrf()} if method == "POST" else None)
            assert response.status_code == 403, (role, method, rule.rule)
            assert "không có quyền" in response.get_data(as_text=True)


def test_admin_pages_are_never_cached(app, users):
    session = Session(app.test_client(), users["editor"])
    for url in ("/quan-tri/", "/quan-tri/van-ban", "/quan-tri/dang-nhap"):
        assert session.get(url).headers["Cache-Control"] == "no-store"
