"""`--format pdf`: print report.html to PDF with headless Chromium.

Chromium is looked up as $STOCKREPORT_CHROMIUM, then `chromium`, `chromium-browser`, `google-chrome` on PATH.
Network is off for the print (the page needs none; its CSP forbids it anyway).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from pipeline.errors import StockreportError
from pipeline.files import staging_prefix

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
APT_HINT = "install it with `apt-get install -y chromium` (Debian/Ubuntu) or set STOCKREPORT_CHROMIUM"


def find_chromium() -> str | None:
    explicit = os.environ.get("STOCKREPORT_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).is_file() else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def html_to_pdf(
    html_path: Path, pdf_path: Path, *, chromium: str | None = None, timeout_s: float = 90
) -> Path:
    """Print `html_path` to `pdf_path` atomically (temp file in the same folder, then rename)."""
    exe = chromium or find_chromium()
    if exe is None:
        raise StockreportError(f"--format pdf needs headless Chromium, which was not found: {APT_HINT}")
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=pdf_path.parent, prefix=staging_prefix(pdf_path.name), suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        with tempfile.TemporaryDirectory(prefix="stockreport-chromium-") as profile:
            cmd = [
                exe,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-extensions",
                "--no-first-run",
                "--no-pdf-header-footer",
                f"--user-data-dir={profile}",
                f"--print-to-pdf={tmp}",
                html_path.resolve().as_uri(),
            ]
            try:
                done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, check=False)
            except subprocess.TimeoutExpired as exc:
                raise StockreportError(
                    f"Chromium did not finish printing {html_path} in {timeout_s:.0f}s"
                ) from exc
            except OSError as exc:
                raise StockreportError(f"could not run Chromium at {exe}: {exc.strerror}") from exc
        if done.returncode != 0 or tmp.stat().st_size == 0 or not tmp.read_bytes()[:5] == b"%PDF-":
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise StockreportError(
                f"Chromium failed to print {html_path} to PDF (exit {done.returncode}): {last}"
            )
        tmp.chmod(0o644)  # mkstemp creates 0600; reports are meant to be shared
        os.replace(tmp, pdf_path)
    finally:
        tmp.unlink(missing_ok=True)
    return pdf_path
