#!/usr/bin/env bash
# Build the wheel, install it into a fresh venv in a temporary folder outside the checkout, and make a report
# from a sample bundle there: proves `pip install stockreport` carries everything the package reads at run
# time (prompt templates, report templates, the price table). Run by .ci/run; by hand:
#     bash scripts/wheel_check.sh            # uses the active python (needs `build`: pip install -e ".[dev]")
# Prints the wheel's data files and the report files it made; exits 1 on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$(pwd)"
PY="${PYTHON:-python}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/stockreport-wheel.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

echo "== python -m build: the sdist, then the wheel from the unpacked sdist (no stale build/ can leak in)"
"$PY" -m build --outdir "$WORK/dist" "$REPO" >"$WORK/build.log" 2>&1 || { tail -40 "$WORK/build.log"; exit 1; }
WHEEL="$(ls "$WORK"/dist/*.whl)"
echo "$(basename "$WHEEL"): data files"
"$PY" - "$WHEEL" <<'EOF'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
data = sorted(n for n in names if n.startswith("pipeline/") and not n.endswith(".py"))
print("\n".join(f"  {n}" for n in data))
need = ["pipeline/model/prices.json", "pipeline/render/templates/report.html.j2",
        "pipeline/render/templates/report.md.j2", "pipeline/render/templates/report.css",
        "pipeline/narrate/templates/factors.user.j2"]
missing = [n for n in need if n not in names]
if missing:
    sys.exit(f"wheel lacks {missing}")
EOF

echo "== install it into a fresh venv in $WORK/venv"
"$PY" -m venv "$WORK/venv"
"$WORK/venv/bin/python" -m pip install -q "$WHEEL" >"$WORK/install.log" 2>&1 || { tail -40 "$WORK/install.log"; exit 1; }

echo "== stockreport generate, from $WORK (outside the checkout, no source tree on the path)"
cp -r "$REPO/fixtures/bundles/HK_3896" "$WORK/HK_3896"
cd "$WORK"
env -u STOCKREPORT_PROMPTS -u PYTHONPATH "$WORK/venv/bin/stockreport" generate HK_3896 --out "$WORK/out" --no-cache
"$WORK/venv/bin/python" - "$WORK/out/HK_3896" <<'EOF'
import json, pathlib, sys
from importlib.metadata import entry_points
import pipeline
folder = pathlib.Path(sys.argv[1])
assert "site-packages" in pipeline.__file__, pipeline.__file__  # the installed wheel, not the checkout
providers = sorted(ep.name for ep in entry_points(group="stockreport.providers"))
assert providers == ["local", "offline", "replay"], providers  # the model providers the package registers
report = json.loads((folder / "report.json").read_text())
assert report["factors"]["positive"] and report["sections"]["summary"]["text"], "no model prose"
assert set(report["provenance"]["prompt_versions"]) >= {"factors", "summary"}
for name in ("report.json", "report.md", "report.html"):
    print(f"  {name}: {(folder / name).stat().st_size:,} bytes")
print(f"wheel check passed: {pipeline.__file__}")
EOF
