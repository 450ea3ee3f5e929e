"""A certificate authority made in the test and a PDF signed with it (pyHanko), as a unit's
signed original would arrive: a root, a signer certificate it issued, and the signed bytes."""
from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from tests.pdfs import blank_pdf

SIGNER = "Viện kiểm sát nhân dân tỉnh Lạng Sơn"


@dataclass
class Authority:
    root_pem: bytes
    key_pem: bytes
    cert_pem: bytes

    def write_root(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "goc.pem").write_bytes(self.root_pem)
        return folder


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, common),
                      x509.NameAttribute(NameOID.COMMON_NAME, common)])


def authority() -> Authority:
    now = datetime.now(UTC) - timedelta(days=1)
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root = (x509.CertificateBuilder().subject_name(_name("Gốc thử nghiệm")).issuer_name(_name("Gốc thử nghiệm"))
            .public_key(root_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .sign(root_key, hashes.SHA256()))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (x509.CertificateBuilder().subject_name(_name(SIGNER)).issuer_name(root.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + timedelta(days=365))
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(root_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    return Authority(root.public_bytes(pem), key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                               serialization.NoEncryption()), cert.public_bytes(pem))


def signed_pdf(ca: Authority, folder: Path) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "key.pem").write_bytes(ca.key_pem)
    (folder / "cert.pem").write_bytes(ca.cert_pem)
    signer = signers.SimpleSigner.load(str(folder / "key.pem"), str(folder / "cert.pem"))

    def sign() -> bytes:
        out = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(blank_pdf())),
                               signers.PdfSignatureMetadata(field_name="ChuKy"), signer=signer)
        return out.getvalue()

    # pyHanko signs through asyncio.run(), which refuses to run where an event loop already runs
    # (a test before this one in the same worker may have left one): a thread of its own has none.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(sign).result()


def tampered(data: bytes) -> bytes:
    """One byte changed inside the signed range (in the page's dictionary, before the signature)."""
    at = data.index(b"/MediaBox")
    return data[:at + 2] + (b"e" if data[at + 2:at + 3] != b"e" else b"f") + data[at + 3:]
