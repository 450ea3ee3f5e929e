from portal.domain.accounts import by_email
from portal.domain.kernel import audit
from portal.extensions import db

from .conftest import EMAILS, PASSWORD, Session


def test_login_then_dashboard_then_logout(app, users):
    session = Session(app.test_client(), None)
    response = session.login(EMAILS["editor"])
    assert response.status_code == 302 and response.headers["Location"] == "/quan-tri/"
    page = session.get("/quan-tri/")
    assert page.status_code == 200 and "bientap@vks.test" in page.get_data(as_text=True)
    assert session.post("/quan-tri/dang-xuat").status_code == 302
    assert session.get("/quan-tri/").status_code == 302


def test_one_message_for_unknown_user_and_wrong_password(app, users):
    wrong = Session(app.test_client(), None).login(EMAILS["editor"], "không đúng mật khẩu")
    unknown = Session(app.test_client(), None).login("ai-do@vks.test", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    for response in (wrong, unknown):
        assert "Email hoặc mật khẩu không đúng." in response.get_data(as_text=True)


def test_next_only_goes_to_a_path_of_this_site(app, users):
    for target, expected in [("/quan-tri/van-ban", "/quan-tri/van-ban"), ("https://evil.example/", "/quan-tri/"),
                             ("//evil.example/x", "/quan-tri/"), ("/\\evil.example", "/quan-tri/"),
                             ("javascript:alert(1)", "/quan-tri/")]:
        session = Session(app.test_client(), None)
        response = session.post("/quan-tri/dang-nhap", {"email": EMAILS["editor"], "password": PASSWORD,
                                                        "next": target})
        assert response.headers["Location"] == expected, target


def test_session_cookie_is_httponly_and_samesite(app, users):
    response = Session(app.test_client(), None).login(EMAILS["editor"])
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_secure_cookie_when_configured(app, users):
    app.config["SESSION_COOKIE_SECURE"] = True
    response = Session(app.test_client(), None).login(EMAILS["editor"])
    assert "Secure" in response.headers["Set-Cookie"]


def test_post_without_csrf_token_is_refused(app, users):
    client = app.test_client()
    response = client.post("/quan-tri/dang-nhap", data={"email": EMAILS["editor"], "password": PASSWORD})
    assert response.status_code == 403 and "tải lại trang" in response.get_data(as_text=True)
    assert client.get("/quan-tri/").status_code == 302  # not signed in


def test_password_change_signs_out_every_other_session(app, users):
    laptop = Session(app.test_client(), EMAILS["editor"])
    phone = Session(app.test_client(), EMAILS["editor"])
    assert phone.get("/quan-tri/").status_code == 200
    response = laptop.post("/quan-tri/mat-khau", {"current": PASSWORD, "new": "một mật khẩu mới dài",
                                                  "confirm": "một mật khẩu mới dài"})
    assert response.status_code == 302
    assert laptop.get("/quan-tri/").status_code == 200
    assert phone.get("/quan-tri/").status_code == 302
    short = laptop.post("/quan-tri/mat-khau", {"current": "một mật khẩu mới dài", "new": "ngắn", "confirm": "ngắn"})
    assert short.status_code == 400 and "ít nhất 12" in short.get_data(as_text=True)


def test_failed_logins_are_throttled_per_account(app, users):
    for _ in range(app.config["LOGIN_LIMIT_ACCOUNT"]):
        assert Session(app.test_client(), None).login(EMAILS["editor"], "sai mật khẩu nhé").status_code == 401
    blocked = Session(app.test_client(), None).login(EMAILS["editor"])  # even the right password
    assert blocked.status_code == 429
    assert "quá nhiều lần" in blocked.get_data(as_text=True)
    assert Session(app.test_client(), None).login(EMAILS["reviewer"]).status_code == 302  # others unaffected


def test_failed_logins_are_throttled_per_address(app, users):
    app.config["LOGIN_LIMIT_ADDRESS"] = 3
    for number in range(3):
        Session(app.test_client(), None).login(f"thu{number}@vks.test", "sai mật khẩu nhé")
    assert Session(app.test_client(), None).login(EMAILS["reviewer"]).status_code == 429


def test_logins_and_failures_are_in_the_audit_log(app, users):
    Session(app.test_client(), None).login(EMAILS["editor"], "sai mật khẩu nhé")
    Session(app.test_client(), EMAILS["editor"])
    with app.app_context():
        actions = [e.action for e in db.session.scalars(db.select(audit.AuditEntry))]
    assert "login.failed" in actions and "login" in actions


def test_admin_disables_an_account_and_its_session_ends(app, users):
    editor = Session(app.test_client(), EMAILS["editor"])
    admin = Session(app.test_client(), EMAILS["admin"])
    with app.app_context():
        editor_id = by_email(EMAILS["editor"]).id
    assert admin.post(f"/quan-tri/nguoi-dung/{editor_id}", {"action": "disable"}).status_code == 302
    assert editor.get("/quan-tri/").status_code == 302
    assert Session(app.test_client(), None).login(EMAILS["editor"]).status_code == 401


def test_admin_creates_an_account_in_the_browser_form(app, users):
    admin = Session(app.test_client(), EMAILS["admin"])
    response = admin.post("/quan-tri/nguoi-dung", {"email": "moi@vks.test", "name": "Người Mới", "role": "editor",
                                                   "password": "mật khẩu người mới", "confirm": "mật khẩu người mới"})
    assert response.status_code == 302
    assert Session(app.test_client(), None).login("moi@vks.test", "mật khẩu người mới").status_code == 302
    bad = admin.post("/quan-tri/nguoi-dung", {"email": "x@vks.test", "role": "editor", "password": "ngắn",
                                              "confirm": "ngắn"})
    assert bad.status_code == 400 and "ít nhất 12" in bad.get_data(as_text=True)
