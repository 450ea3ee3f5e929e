"""Fixtures for the webmaster area: accounts of each role and a signed-in test client."""
from __future__ import annotations

import re

import pytest

from portal.domain import accounts
from portal.domain.kernel.actor import Actor

PASSWORD = "mật khẩu đủ dài 2024"
EMAILS = {"admin": "quantri@vks.test", "reviewer": "duyet@vks.test", "editor": "bientap@vks.test"}
FORM = {
    "symbol": "12/KH-VKS", "type": "ke-hoach", "issuer": "Viện kiểm sát nhân dân tỉnh Lạng Sơn",
    "place": "Lạng Sơn", "issued_on": "2026-03-02", "subject": "Tổ chức phong trào thi đua năm 2026",
    "signing_authority": "KT. VIỆN TRƯỞNG", "signer_title": "PHÓ VIỆN TRƯỞNG", "signer": "Nguyễn Văn An",
    "recipients": "Các đơn vị thuộc Viện\nViện kiểm sát khu vực", "distribution": "Như trên\nLưu: VT",
    "body": "## Mục đích\n\nĐẩy mạnh phong trào thi đua trong toàn ngành.\n",
}


class Session:
    """A test client signed in as one user; posts carry the CSRF token of its session."""

    def __init__(self, client, email: str | None):
        self.client, self.token = client, None
        if email:
            self.login(email)

    def login(self, email: str, password: str = PASSWORD):
        response = self.post("/quan-tri/dang-nhap", {"email": email, "password": password})
        self.token = None
        return response

    def csrf(self) -> str:
        if self.token is None:
            html = self.client.get("/quan-tri/dang-nhap").get_data(as_text=True)
            if 'name="csrf-token"' not in html:
                html = self.client.get("/quan-tri/").get_data(as_text=True)
            self.token = re.search(r'name="csrf[-_]token"[^>]*(?:content|value)="([^"]+)"', html)[1]
        return self.token

    def get(self, url: str, **kwargs):
        return self.client.get(url, **kwargs)

    def post(self, url: str, data: dict | None = None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf())
        return self.client.post(url, data=data, **kwargs)


@pytest.fixture
def users(app):
    with app.app_context():
        for role, email in EMAILS.items():
            accounts.create_user(email, PASSWORD, role, Actor("test"))
    return EMAILS


@pytest.fixture
def as_role(app, users):
    """Factory: a fresh client signed in with the given role (or anonymous for None)."""

    def make(role: str | None) -> Session:
        return Session(app.test_client(), users[role] if role else None)

    return make


def create(session: Session, **changes) -> int:
    """Create a draft through the editor; returns its id."""
    response = session.post("/quan-tri/van-ban/moi", {**FORM, **changes})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def publish(session: Session, doc_id: int, comment: str = ""):
    """Submit a draft, then publish it: a draft is never published in one step."""
    session.post(f"/quan-tri/van-ban/{doc_id}/chuyen/submit")
    return session.post(f"/quan-tri/van-ban/{doc_id}/chuyen/publish", {"comment": comment} if comment else None)
