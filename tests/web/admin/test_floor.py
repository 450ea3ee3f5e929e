"""What every request pays (portal/web/floor.py): its shortcuts keep Flask's and Flask-Login's behaviour."""
from __future__ import annotations

import pytest

from tests.web.admin.conftest import PASSWORD, Session


def test_a_global_added_after_pages_were_rendered_is_seen_by_the_next_render(app, client):
    assert client.get("/vinh-danh").status_code == 200  # base.html and its imports loaded
    template = app.jinja_env.from_string('{% from "_macros.html" import breadcrumb %}{{ late_global }}')
    app.jinja_env.globals["late_global"] = "thêm sau"
    with app.test_request_context("/"):
        assert template.render() == "thêm sau"


def test_a_template_cannot_take_globals_that_would_reach_every_page(app, client):
    assert client.get("/vinh-danh").status_code == 200
    for ask in (lambda: app.jinja_env.get_template("_macros.html", globals={"only_here": 1}),
                lambda: app.jinja_env.select_template(["base.html"], globals={"only_here": 1}),
                lambda: app.jinja_env.from_string("{{ only_here }}", globals={"only_here": 1})):
        with pytest.raises(ValueError, match="share the environment's globals"):
            ask()
    assert "only_here" not in app.jinja_env.globals


def test_a_session_signed_with_a_retired_key_is_not_believed(app, users):
    editor = Session(app.test_client(), users["editor"])
    assert editor.get("/quan-tri/").status_code == 200
    app.secret_key = app.config["SECRET_KEY"] = "a new key, the old one retired"
    response = editor.get("/quan-tri/")
    assert response.status_code == 302 and "/quan-tri/dang-nhap" in response.headers["Location"]


def test_the_editors_cookie_still_signs_them_in_and_no_cookie_is_the_anonymous_visitor(app, users):
    editor = Session(app.test_client(), users["editor"])
    assert users["editor"] in editor.get("/quan-tri/").get_data(as_text=True)
    response = app.test_client().get("/quan-tri/")
    assert response.status_code == 302 and "/quan-tri/dang-nhap" in response.headers["Location"]


def test_a_wrong_password_still_fails_and_the_right_one_signs_in(app, users):
    visitor = Session(app.test_client(), None)
    assert "Đăng xuất" not in visitor.login(users["editor"], PASSWORD + "x").get_data(as_text=True)
    visitor.login(users["editor"])
    assert visitor.get("/quan-tri/").status_code == 200


def test_a_public_page_sets_no_cookie_but_varies_on_it_and_a_flash_still_reaches_its_visitor(app, client):
    """An empty session that nothing changed writes no cookie; shared caches are still told that
    the page depends on one (a visitor with a flashed message sees their own page)."""
    page = client.get("/vinh-danh?ten=Ho%C3%A0ng")
    assert "Set-Cookie" not in page.headers and "Cookie" in page.headers.get("Vary", "")
    with client.session_transaction() as session:
        session["_flashes"] = [("message", "Đã gửi yêu cầu đính chính.")]
    own = client.get("/vinh-danh")
    assert "Đã gửi yêu cầu đính chính." in own.get_data(as_text=True) and "Set-Cookie" in own.headers
    assert "Đã gửi yêu cầu đính chính." not in client.get("/vinh-danh").get_data(as_text=True)
