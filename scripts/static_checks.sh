#!/usr/bin/env bash
# Static checks for CI (see docs/security.md): ruff lint, ruff format, mypy --strict (settings in
# pyproject.toml), the architecture audit (no import cycles, no private names imported across modules:
# scripts/architecture_audit.py) and pip-audit on the installed dependencies. Runs every check, then exits 1
# if any failed.
# pip-audit needs PyPI's vulnerability data over the network: when the service cannot be reached (or
# answers for none of the packages), that is a warning, not a failure; a vulnerability found is a failure.
# Use the active environment's python (CI activates .venv), or PYTHON=... to pick one.
set -uo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python}"
failed=()

echo "== ruff check pipeline tests"
"$PY" -m ruff check pipeline tests || failed+=(ruff)

echo "== ruff format --check pipeline tests scripts benchmarks"
"$PY" -m ruff format --check pipeline tests scripts benchmarks || failed+=(ruff-format)

echo "== mypy (strict, per pyproject.toml)"
"$PY" -m mypy || failed+=(mypy)

echo "== architecture (import cycles, private cross-module imports)"
"$PY" scripts/architecture_audit.py --check || failed+=(architecture)

echo "== pip-audit (installed dependencies)"
report="$(mktemp)"; errors="$(mktemp)"
trap 'rm -f "$report" "$errors"' EXIT
"$PY" -m pip_audit --progress-spinner off --skip-editable --format json --output "$report" 2>"$errors"
audit_rc=$?
"$PY" scripts/audit_report.py "$report" "$errors" "$audit_rc" || failed+=(pip-audit)

if [ ${#failed[@]} -gt 0 ]; then
  echo "static checks FAILED: ${failed[*]}"
  exit 1
fi
echo "static checks passed"
