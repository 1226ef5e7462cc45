"""Headless Chromium (Debian's ``chromium`` package) for the report tests: render a page to
PNG and PDF and read back its DOM after rendering.

Missing Chromium fails the test in CI (``CI`` set to true) and skips it elsewhere: ``make
test`` installs it (``make browser``), so CI cannot pass without having run the check.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

#: Names the Debian package and upstream builds install the browser under.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Seconds a single headless run may take before the test fails (first start is the slowest).
TIMEOUT_S = 120
#: Flags for a container: no sandbox (root, no user namespaces), no GPU, no first-run work.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--hide-scrollbars",
    "--allow-file-access-from-files",
)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def chromium() -> str:
    """Path of the Chromium binary; fails in CI and skips elsewhere when there is none."""
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    message = "chromium not found (make browser installs Debian's chromium package)"
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [chromium(), *FLAGS, *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=True,
    )


def screenshot(page: Path, png: Path, width_px: int = 900, height_px: int = 3000) -> None:
    """Render ``page`` to a PNG of ``width_px`` x ``height_px``."""
    _run(f"--window-size={width_px},{height_px}", f"--screenshot={png}", page.as_uri())
    assert png.is_file(), f"chromium wrote no screenshot to {png}"


def print_pdf(page: Path, pdf: Path) -> None:
    """Print ``page`` to PDF with the page's own @page size (A4), no header or footer."""
    _run("--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())
    assert pdf.is_file(), f"chromium wrote no PDF to {pdf}"


def rendered_dom(page: Path) -> str:
    """The DOM as serialised after loading and laying out ``page``."""
    return _run("--dump-dom", page.as_uri()).stdout


def pdf_pages(pdf: Path) -> list[tuple[float, float]]:
    """(width, height) in points of each page: ``pdfinfo`` (poppler) when installed, else the
    page objects' MediaBox in the file (Chromium writes them uncompressed)."""
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo:
        out = subprocess.run(
            [pdfinfo, "-f", "1", "-l", "1000", str(pdf)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return [
            (float(w), float(h))
            for w, h in re.findall(r"Page\s+\d+\s+size:\s+([\d.]+) x ([\d.]+) pts", out)
        ]
    data = pdf.read_bytes()
    count = len(re.findall(rb"/Type\s*/Page[^s]", data))
    box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    assert box, "no MediaBox in the PDF"
    return [(float(box.group(1)), float(box.group(2)))] * count
