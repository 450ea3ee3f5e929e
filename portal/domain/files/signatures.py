"""Digital signatures of PDF originals (Nghị định 30/2020/NĐ-CP), checked with pyHanko when a
file is uploaded or loaded: who signed, when, whether the signed bytes are unchanged, and whether
the signer's certificate chains to a root the portal trusts (certificate files in a folder under
content/). The file itself is never rewritten: downloads are the bytes uploaded.

A hostile PDF (cyclic references, thousands of signatures, a parser trap) must not hold a
worker: the check runs in a child process with a time limit and an address-space limit, and any
failure becomes a line that says the signature could not be checked, never an error page."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from portal.config import PROJECT_ROOT

MAX_SIGNATURES = 20
TIMEOUT_SECONDS = 20
MEMORY_BYTES = 1 << 30
ROOT_SUFFIXES = (".pem", ".crt", ".cer", ".der")
# The folder of trusted root certificates, set from TRUST_ROOTS_DIR when the app is created.
SETTINGS: dict[str, Path | None] = {"roots": None}


def may_be_signed(path: Path) -> bool:
    """Whether the file holds a signature dictionary at all (its /ByteRange), read in chunks: a
    PDF without one costs no child process."""
    tail = b""
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            if b"/ByteRange" in tail + chunk:
                return True
            tail = chunk[-16:]
    return False


def check(path: Path, roots: Path | None = None) -> list[dict]:
    """One entry per signature (at most MAX_SIGNATURES): signer, signed_at (ISO, Vietnam time),
    intact, trusted and problem; [] for a PDF without signature."""
    if not may_be_signed(path):
        return []
    roots = roots or SETTINGS["roots"]
    command = [sys.executable, "-m", "portal.domain.files.signatures", str(path), str(roots or "")]
    try:
        # The child imports this module from the project, whatever the server's working folder.
        path_entries = [str(PROJECT_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
        env = {**os.environ, "PYTHONWARNINGS": "ignore", "PYTHONPATH": os.pathsep.join(path_entries)}
        done = subprocess.run(command, capture_output=True, timeout=TIMEOUT_SECONDS, preexec_fn=_limits,  # noqa: S603
                              env=env, check=False)
        found = json.loads(done.stdout or b"null")
    except (subprocess.TimeoutExpired, ValueError, OSError):
        found = None
    if not isinstance(found, list):
        return [{"signer": "", "signed_at": None, "intact": False, "trusted": False,
                 "problem": "Không kiểm tra được chữ ký số của tệp này."}]
    return found


def _limits() -> None:
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


def _trust_roots(folder: str) -> list:
    from pyhanko.keys import load_certs_from_pemder
    if not folder or not Path(folder).is_dir():
        return []
    files = sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in ROOT_SUFFIXES)
    return list(load_certs_from_pemder([str(p) for p in files])) if files else []


def _signed_at(status) -> str | None:
    moment: datetime | None = status.signer_reported_dt
    if moment is None:
        return None
    from portal.domain.kernel.models_base import VN
    return moment.astimezone(VN).isoformat()


def _one(signature, roots: list) -> dict:
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext
    entry = {"signer": "", "signed_at": None, "intact": False, "trusted": False, "problem": None}
    try:
        cert = signature.signer_cert
        entry["signer"] = cert.subject.human_friendly if cert is not None else ""
        context = ValidationContext(trust_roots=roots, allow_fetching=False)
        status = validate_pdf_signature(signature, context)
        entry["intact"] = bool(status.intact and status.valid and status.docmdp_ok is not False)
        entry["trusted"] = bool(entry["intact"] and status.trusted)
        entry["signed_at"] = _signed_at(status)
    except Exception:  # noqa: BLE001 (a damaged signature is reported, never raised)
        entry["problem"] = "Chữ ký số bị hỏng hoặc không đọc được."
    return entry


def _main(path: str, roots_folder: str) -> list[dict]:
    from pyhanko.pdf_utils.reader import PdfFileReader
    with open(path, "rb") as handle:
        reader = PdfFileReader(handle, strict=False)
        signatures = reader.embedded_signatures[:MAX_SIGNATURES]
        roots = _trust_roots(roots_folder)
        return [_one(signature, roots) for signature in signatures]


if __name__ == "__main__":
    try:
        result = _main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "")
    except Exception:  # noqa: BLE001
        result = [{"signer": "", "signed_at": None, "intact": False, "trusted": False,
                   "problem": "Không đọc được cấu trúc chữ ký số của tệp."}]
    sys.stdout.write(json.dumps(result, ensure_ascii=False))
