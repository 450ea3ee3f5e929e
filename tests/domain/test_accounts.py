import pytest

from portal.config import DEFAULTS
from portal.domain import accounts
from portal.domain.kernel.actor import Actor
from portal.errors import ValidationFailed

ACTOR = Actor("test")


def test_passwords_are_stored_as_modern_hashes_and_checked(app, monkeypatch):
    # At the cost a served portal uses, not the tests' lower one.
    monkeypatch.setitem(accounts.HASHING, "method", DEFAULTS["PASSWORD_HASH_METHOD"])
    with app.app_context():
        user = accounts.create_user("Webmaster@VKS.test", "một mật khẩu dài", "editor", ACTOR)
        assert user.email == "webmaster@vks.test"
        assert "một mật khẩu dài" not in user.password_hash
        assert user.password_hash.startswith("scrypt:32768:8:1$")
        assert accounts.authenticate("webmaster@vks.test", "một mật khẩu dài") is user
        assert accounts.authenticate("WEBMASTER@vks.test", "một mật khẩu dài") is user
        assert accounts.authenticate("webmaster@vks.test", "sai mật khẩu rồi") is None
        assert accounts.authenticate("nobody@vks.test", "một mật khẩu dài") is None


@pytest.mark.parametrize("email, password, role, message", [
    ("a@vks.test", "ngắn", "editor", "ít nhất 12"),
    ("a@vks.test", "aaaaaaaaaaaaaaaa", "editor", "quá đơn giản"),
    ("not-an-email", "một mật khẩu dài", "editor", "không phải địa chỉ"),
    ("a@vks.test", "một mật khẩu dài", "god", "Vai trò"),
])
def test_account_rules_refuse_with_a_vietnamese_message(app, email, password, role, message):
    with app.app_context():
        with pytest.raises(ValidationFailed, match=message):
            accounts.create_user(email, password, role, ACTOR)
        assert accounts.all_users() == []


def test_duplicate_email_is_refused(app):
    with app.app_context():
        accounts.create_user("a@vks.test", "một mật khẩu dài", "editor", ACTOR)
        with pytest.raises(ValidationFailed, match="Đã có tài khoản"):
            accounts.create_user("A@vks.test", "một mật khẩu dài khác", "admin", ACTOR)


def test_disabled_account_cannot_sign_in_and_its_sessions_end(app):
    with app.app_context():
        user = accounts.create_user("a@vks.test", "một mật khẩu dài", "editor", ACTOR)
        session_id = user.get_id()
        assert accounts.load_session_user(session_id) is user
        accounts.set_active(user, False, Actor("admin@vks.test"))
        assert accounts.authenticate("a@vks.test", "một mật khẩu dài") is None
        assert accounts.load_session_user(session_id) is None


def test_password_change_ends_every_session(app):
    with app.app_context():
        user = accounts.create_user("a@vks.test", "một mật khẩu dài", "editor", ACTOR)
        old_session = user.get_id()
        accounts.set_password(user, "mật khẩu mới cũng dài", ACTOR)
        assert accounts.load_session_user(old_session) is None
        assert accounts.load_session_user(user.get_id()) is user


def test_cli_creates_a_user_from_portal_password(app, monkeypatch):
    monkeypatch.setenv("PORTAL_PASSWORD", "mật khẩu cho kịch bản")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "reviewer@vks.test", "--role", "reviewer"])
    assert result.exit_code == 0, result.output
    assert "Đã tạo tài khoản reviewer@vks.test" in result.output
    with app.app_context():
        assert accounts.authenticate("reviewer@vks.test", "mật khẩu cho kịch bản").role == "reviewer"
    monkeypatch.setenv("PORTAL_PASSWORD", "ngắn")
    result = runner.invoke(args=["users", "create", "x@vks.test", "--role", "editor"])
    assert result.exit_code != 0 and "ít nhất 12" in result.output


def test_cli_prompts_for_the_password_when_not_given(app, monkeypatch):
    monkeypatch.delenv("PORTAL_PASSWORD", raising=False)
    result = app.test_cli_runner().invoke(args=["users", "create", "e@vks.test", "--role", "editor"],
                                          input="một mật khẩu dài\nmột mật khẩu dài\n")
    assert result.exit_code == 0, result.output
    listing = app.test_cli_runner().invoke(args=["users", "list"])
    assert "e@vks.test\teditor\thoạt động" in listing.output
