"""Webmaster accounts: roles, password rules, and the operations that change them."""
from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from portal.domain.kernel import audit
from portal.domain.kernel.actor import Actor
from portal.domain.kernel.bounds import parse_int
from portal.domain.kernel.models_base import created_column, utcnow
from portal.domain.kernel.vocab import Term, Vocabulary, strip_controls
from portal.errors import NotFound, ValidationFailed
from portal.extensions import db

ROLES = Vocabulary("role", [
    Term("admin", "Quản trị hệ thống"),
    Term("reviewer", "Người duyệt"),
    Term("editor", "Biên tập viên"),
    Term("unit", "Đơn vị"),  # an account of one unit: its documents, receipts (and later reports)
])
MIN_PASSWORD = 12
# How new passwords are hashed (werkzeug's method string), set by the app from its settings.
HASHING = {"method": "scrypt:32768:8:1"}
# Checked against when the e-mail is unknown, so both failures take the same time (one per method).
_DUMMY_HASHES: dict[str, str] = {}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class User(db.Model):
    __tablename__ = "users"
    __private_state__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(default=True)
    # Part of the login session's identity: changing it signs the account out everywhere.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = created_column()
    last_login_at: Mapped[datetime | None]

    # Flask-Login's user protocol.
    @property
    def is_active(self) -> bool:
        return self.active

    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def role_label(self) -> str:
        return ROLES.label(self.role)

    @property
    def display(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email

    unit = relationship("Unit")

    def has_role(self, *roles: str) -> bool:
        """Admins have every webmaster role; a unit account has none of them."""
        return (self.role == "admin" and "unit" not in roles) or self.role in roles


def normalize_email(email: str) -> str:
    return strip_controls(email or "").strip().lower()[:254]


def check_password_rules(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise ValidationFailed(f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự.")
    if password.strip() != password or len(set(password)) < 4:
        raise ValidationFailed(
            "Mật khẩu quá đơn giản: không để khoảng trắng ở đầu, cuối và dùng nhiều ký tự khác nhau.")


def by_email(email: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.email == normalize_email(email)))


def load_session_user(session_id: str) -> User | None:
    """The user a login session names, unless its password changed since or it was disabled."""
    ident, _, version = (session_id or "").partition(":")
    if parse_int(ident) is None or parse_int(version) is None:
        return None
    user = db.session.get(User, int(ident))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=HASHING["method"])


def _dummy_hash() -> str:
    method = HASHING["method"]
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash("not-a-real-password", method=method)
    return _DUMMY_HASHES[method]


def password_matches(user: User, password: str) -> bool:
    return check_password_hash(user.password_hash, password or "")


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, else None (same work either way)."""
    user = by_email(email)
    if user is None:
        check_password_hash(_dummy_hash(), password or "")
        return None
    if not password_matches(user, password) or not user.active:
        return None
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def create_user(email: str, password: str, role: str, actor: Actor, name: str = "", unit_code: str = "") -> User:
    """Create an account; the e-mail is unique, the role known, the password long enough; a
    unit account names its unit (by code), and only a unit account has one."""
    email = normalize_email(email)
    if not _EMAIL.match(email):
        raise ValidationFailed(f"«{email}» không phải địa chỉ thư điện tử hợp lệ.")
    if role not in ROLES:
        raise ValidationFailed(f"Vai trò «{role}» không hợp lệ; dùng {', '.join(t.code for t in ROLES)}.")
    if by_email(email) is not None:
        raise ValidationFailed(f"Đã có tài khoản {email}.")
    check_password_rules(password)
    unit = None
    if role == "unit" or unit_code:
        from portal.domain.units import by_code
        unit = by_code(unit_code) if unit_code else None
        if role != "unit":
            raise ValidationFailed("Chỉ tài khoản vai trò «unit» (Đơn vị) mới thuộc một đơn vị.")
        if unit is None:
            raise ValidationFailed(f"Không có đơn vị mã «{unit_code}»; tài khoản đơn vị cần --unit MÃ.")
    user = User(email=email, name=" ".join(strip_controls(name).split())[:200], role=role, unit=unit,
                password_hash=hash_password(password))
    db.session.add(user)
    audit.record(actor, "user.create", f"user:{email}", f"Tạo tài khoản {email} ({ROLES.label(role)})")
    db.session.commit()
    return user


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("Không có tài khoản này.")
    return user


def set_password(user: User, password: str, actor: Actor) -> None:
    """New password; every session of the account ends (a new session version)."""
    check_password_rules(password)
    user.password_hash = hash_password(password)
    user.session_version += 1
    audit.record(actor, "user.password", f"user:{user.email}", "Đổi mật khẩu; mọi phiên đăng nhập cũ bị hủy")
    db.session.commit()


def end_sessions(user: User, actor: Actor) -> None:
    """Sign out: the session version moves, so a copied session cookie is worthless afterwards."""
    user.session_version += 1
    audit.record(actor, "logout", f"user:{user.email}", "Đăng xuất")
    db.session.commit()


def set_active(user: User, active: bool, actor: Actor) -> None:
    if not active and user.email == actor.name:
        raise ValidationFailed("Không thể tự khóa tài khoản của chính mình.")
    user.active = active
    if not active:
        user.session_version += 1
    audit.record(actor, "user.enable" if active else "user.disable", f"user:{user.email}",
                 ("Mở khóa" if active else "Khóa") + f" tài khoản {user.email}")
    db.session.commit()


def set_role(user: User, role: str, actor: Actor) -> None:
    if role not in ROLES:
        raise ValidationFailed(f"Vai trò «{role}» không hợp lệ.")
    if user.email == actor.name and role != user.role:
        raise ValidationFailed("Không thể tự đổi vai trò của chính mình.")
    old = user.role
    user.role = role
    audit.record(actor, "user.role", f"user:{user.email}", f"Đổi vai trò {ROLES.label(old)} → {ROLES.label(role)}")
    db.session.commit()


def all_users() -> list[User]:
    return list(db.session.scalars(db.select(User).order_by(User.email)))
