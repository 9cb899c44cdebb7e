"""scripts/audit_report.py: vulnerabilities fail CI; an unreachable advisory service only warns."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hardening.support import REPO

VULN = {
    "dependencies": [
        {
            "name": "jinja2",
            "version": "3.1.2",
            "vulns": [
                {"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"], "aliases": [], "description": "xss"}
            ],
        },
        {"name": "pydantic", "version": "2.9.0", "vulns": []},
    ]
}
CLEAN = {"dependencies": [{"name": "pydantic", "version": "2.9.0", "vulns": []}]}
SKIPPED = {"dependencies": [{"name": "pydantic", "skip_reason": "Dependency not found on PyPI"}]}
OFFLINE_ERR = (
    "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='pypi.org'): Max retries exceeded"
)


@pytest.mark.slow  # spawns a stockreport process
@pytest.mark.parametrize(
    ("report", "stderr", "rc", "expected", "says"),
    [
        (VULN, "", 1, 1, "VULNERABLE jinja2 3.1.2: GHSA-h5c8-rqwp-cp95"),
        (CLEAN, "", 0, 0, "1 packages audited"),
        (SKIPPED, "", 0, 0, "NOT audited"),
        (None, OFFLINE_ERR, 1, 0, "unreachable"),
        (None, "ValueError: something else broke", 1, 1, "something else broke"),
    ],
)
def test_audit_report(report: object, stderr: str, rc: int, expected: int, says: str, tmp_path: Path) -> None:
    (tmp_path / "r.json").write_text("" if report is None else json.dumps(report))
    (tmp_path / "err").write_text(stderr)
    proc = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "audit_report.py"),
            str(tmp_path / "r.json"),
            str(tmp_path / "err"),
            str(rc),
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == expected, proc.stdout + proc.stderr
    assert says in proc.stdout
