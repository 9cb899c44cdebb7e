"""Judge a `pip-audit --format json` report for scripts/static_checks.sh.

Usage: audit_report.py REPORT_JSON STDERR_FILE EXIT_CODE. Exit 1 on any known vulnerability or an
unexplained pip-audit failure; exit 0 with a warning when the vulnerability service was unreachable or
answered for no package (then nothing was audited, and the line says so).
"""

import json
import re
import sys
from pathlib import Path

report, errors, rc = Path(sys.argv[1]), Path(sys.argv[2]).read_text(errors="replace"), int(sys.argv[3])
try:
    deps = json.loads(report.read_text() or "null")["dependencies"]
except (ValueError, TypeError, KeyError):
    deps = None
if deps is None:  # pip-audit gave no report: unreachable service is a warning, anything else fails
    offline = re.search(
        r"ConnectionError|NameResolution|Max retries exceeded|timed out|Temporary failure"
        r"|Network is unreachable|SSLError|ProxyError",
        errors,
    )
    print(errors.strip().splitlines()[-1] if errors.strip() else f"pip-audit exited {rc} with no report")
    if offline:
        print("warning: vulnerability service unreachable; dependencies NOT audited")
        sys.exit(0)
    sys.exit(1)
vulnerable = [d for d in deps if d.get("vulns")]
audited = [d for d in deps if "skip_reason" not in d]
for d in vulnerable:
    for v in d["vulns"]:
        fixes = ", ".join(v.get("fix_versions") or []) or "no fix yet"
        print(f"VULNERABLE {d['name']} {d.get('version')}: {v['id']} (fixed in: {fixes})")
if vulnerable:
    sys.exit(1)
if not audited:
    print(
        f"warning: the index answered for none of the {len(deps)} packages (no vulnerability data, e.g. "
        "a mirror without PyPI's JSON API); dependencies NOT audited"
    )
else:
    print(
        f"pip-audit: {len(audited)} packages audited, no known vulnerabilities "
        f"({len(deps) - len(audited)} skipped)"
    )
