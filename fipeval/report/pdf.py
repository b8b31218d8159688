"""report.pdf: the HTML report printed by a headless Chromium, so the council reads what the
print stylesheet lays out (A4, no navigation, tables unclipped).

fipeval does not bundle a browser: ``write_pdf`` uses the first of ``BROWSERS`` on the PATH
(the one the browser tests use). Without one, print report.html from any browser.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from ..errors import UsageError

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT_SECONDS = 120


def find_browser() -> str | None:
    """The path of a headless-capable Chromium, or None."""
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def write_pdf(html: Path, pdf: Path) -> Path:
    """Print ``html`` to ``pdf`` with headless Chromium; UsageError when there is none."""
    browser = find_browser()
    if browser is None:
        raise UsageError("--pdf needs Chromium or Google Chrome on the PATH (for example "
                         "`apt-get install chromium`); without it, open report.html in a "
                         "browser and print it to PDF.")
    html, pdf = Path(html).resolve(), Path(pdf).resolve()
    command = [browser, "--headless=new", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-dev-shm-usage",
               "--no-pdf-header-footer", f"--print-to-pdf={pdf}", html.as_uri()]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.insert(1, "--no-sandbox")   # Chromium refuses to run as root otherwise
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired as err:
        raise UsageError(f"{browser} did not finish printing {html.name} within "
                         f"{TIMEOUT_SECONDS} s; print report.html from a browser instead.") from err
    if done.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        last = (done.stderr or done.stdout or "").strip().splitlines()[-1:] or ["no output"]
        raise UsageError(f"{browser} could not print {html.name} to PDF ({last[0]}); print "
                         "report.html from a browser instead.")
    return pdf
