"""Schemathesis against the API's own OpenAPI document, on the real portal under gunicorn:
every check (server errors, status codes, content types, headers, response schemas, invalid
input rejected, valid input accepted, undeclared methods) must pass."""
import shutil
import subprocess
import sys
from pathlib import Path

from tests.servers import ARTIFACTS


def test_the_api_passes_every_schemathesis_check(scanned_portal, tmp_path):
    binary = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    assert binary, "schemathesis is pinned in requirements-dev.txt"
    result = subprocess.run(
        [binary, "run", f"{scanned_portal}/api/v1/openapi.json", "--checks", "all", "--max-examples", "100",
         "--workers", "2", "--seed", "20261128", "--generation-database", "none",
         "--report-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "schemathesis.txt").write_text(result.stdout + result.stderr)
    assert result.returncode == 0, result.stdout[-6000:]
    assert "passed" in result.stdout
