"""Signed originals: the document page shows who signed, when, whether the file is intact since
signing and whether the certificate chains to a trusted root; the download is the uploaded bytes."""
import base64
import hashlib
import re

import pytest

from portal.domain.files import signatures
from tests.pdfs import blank_pdf
from tests.signing import SIGNER, authority, signed_pdf, tampered

from .conftest import create, publish
from .test_uploads import upload


@pytest.fixture(scope="module")
def ca():
    return authority()


@pytest.fixture
def signed(ca, tmp_path_factory):
    return signed_pdf(ca, tmp_path_factory.mktemp("key"))


def _published_page(app, as_role, client, data: bytes) -> str:
    reviewer = as_role("reviewer")
    doc_id = create(reviewer)
    assert upload(reviewer, doc_id, data, "ban-ky-so.pdf").status_code == 302
    publish(reviewer, doc_id)
    return client.get("/van-ban/12-kh-vks-2026").get_data(as_text=True)


def _signature_line(html: str) -> str:
    found = re.search(r'<ul class="signatures".*?</ul>', html, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(0)).split()) if found else ""


def test_a_signed_original_shows_its_signer_and_stays_byte_for_byte(app, as_role, client, signed):
    html = _published_page(app, as_role, client, signed)
    line = _signature_line(html)
    assert SIGNER in line and "Nguyên vẹn từ khi ký" in line and "Chưa xác minh được chứng thư số" in line
    assert re.search(r"lúc \d\d/\d\d/\d{4} \d\d:\d\d \(giờ Việt Nam\)", line)
    href = html[html.index("/van-ban/12-kh-vks-2026/tai-ve/"):].split('"')[0]
    response = client.get(href)
    assert response.get_data() == signed  # never re-saved
    digest = base64.b64encode(hashlib.sha256(signed).digest()).decode()
    assert response.headers["Repr-Digest"] == f"sha-256=:{digest}:"
    response.close()


def test_a_byte_changed_inside_the_signed_range_is_reported(app, as_role, client, signed):
    line = _signature_line(_published_page(app, as_role, client, tampered(signed)))
    assert "Đã bị thay đổi sau khi ký" in line and "Nguyên vẹn từ khi ký" not in line


def test_a_trusted_root_makes_the_certificate_valid(app, as_role, client, ca, signed, tmp_path, monkeypatch):
    monkeypatch.setitem(signatures.SETTINGS, "roots", ca.write_root(tmp_path / "roots"))
    line = _signature_line(_published_page(app, as_role, client, signed))
    assert "Chứng thư số hợp lệ" in line and "Nguyên vẹn từ khi ký" in line


def test_a_pdf_without_signature_says_nothing(app, as_role, client):
    assert 'class="signatures"' not in _published_page(app, as_role, client, blank_pdf())


def test_a_damaged_or_slow_signature_never_breaks_the_page(app, as_role, client, signed, monkeypatch):
    broken = signed.replace(b"/Contents <", b"/Contents <00", 1)
    line = _signature_line(_published_page(app, as_role, client, broken))
    assert line and ("hỏng" in line or "thay đổi" in line or "Không" in line)


def test_a_check_that_overruns_its_time_is_reported_not_waited_for(signed, tmp_path, monkeypatch):
    path = tmp_path / "ky.pdf"
    path.write_bytes(signed)
    monkeypatch.setattr(signatures, "TIMEOUT_SECONDS", 0.01)
    (entry,) = signatures.check(path)
    assert entry["problem"] == "Không kiểm tra được chữ ký số của tệp này." and not entry["intact"]



HOSTILE = {
    # A signature field whose value is itself, in a page tree that contains itself.
    "cyclic": (b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [3 0 R] >> >> endobj\n"
               b"2 0 obj << /Type /Pages /Kids [2 0 R] /Count 1 >> endobj\n"
               b"3 0 obj << /FT /Sig /T (A) /V 3 0 R /ByteRange [0 1 2 3] /Contents <00> >> endobj\n"
               b"trailer << /Root 1 0 R /Size 4 >>\n%%EOF\n"),
    # Two thousand signature fields, none of them real.
    "thousands": b"%PDF-1.7\n1 0 obj << /Type /Catalog /AcroForm << /Fields [" + b" ".join(
        f"{n} 0 R".encode() for n in range(3, 2003)) + b"] >> >> endobj\n" + b"".join(
        f"{n} 0 obj << /FT /Sig /T (S{n}) /V << /ByteRange [0 10 20 30] /Contents <00> >> >> endobj\n".encode()
        for n in range(3, 2003)) + b"trailer << /Root 1 0 R /Size 2003 >>\n%%EOF\n",
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_signed_pdfs_are_reported_in_bounded_time_never_a_500(app, as_role, client, name, tmp_path):
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(HOSTILE[name])
    import time
    started = time.monotonic()
    found = signatures.check(path)
    assert time.monotonic() - started < signatures.TIMEOUT_SECONDS + 2
    assert len(found) <= signatures.MAX_SIGNATURES and not any(entry["intact"] for entry in found)
    html = _published_page(app, as_role, client, HOSTILE[name])
    assert "Nguyên vẹn từ khi ký" not in html and "Chứng thư số hợp lệ" not in html


def test_the_check_works_whatever_the_servers_working_folder(signed, tmp_path, monkeypatch):
    """A server started from another folder (systemd, a container) still checks signatures: the
    child process finds the portal's code."""
    path = tmp_path / "ky.pdf"
    path.write_bytes(signed)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PYTHONPATH", raising=False)
    (entry,) = signatures.check(path)
    assert entry["intact"] and entry["problem"] is None and SIGNER in entry["signer"]
