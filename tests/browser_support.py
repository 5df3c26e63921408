"""What every browser test shares: where Debian's Chromium is, how to start it, and a loud failure without it.

A browser test never skips: on a machine without Chromium or a Korean font
it fails with the one command that installs them (`make test` runs
`tests/browser-deps.sh` first, which installs them when it can).
"""
from __future__ import annotations

import contextlib
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# Chromium as root needs --no-sandbox; the rest keep it from calling out of a closed network.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
INSTALL = "sudo apt-get install -y chromium fonts-noto-cjk"


def require_browser() -> Path:
    """The Chromium binary, or a test failure that names the command to install it and the font."""
    path = CHROMIUM if CHROMIUM.exists() else (Path(shutil.which("chromium")) if shutil.which("chromium") else None)
    if path is None:
        pytest.fail(f"Chromium is not installed; run: {INSTALL}", pytrace=False)
    if not _has_korean_font():
        pytest.fail(f"No Korean (Noto CJK) font: screenshots would show boxes; run: {INSTALL}", pytrace=False)
    return path


def launch(playwright):
    """Headless Debian Chromium through Playwright; a start failure fails the test with the install command."""
    path = require_browser()
    try:
        return playwright.chromium.launch(executable_path=str(path), headless=True, args=ARGS)
    except Exception as exc:  # Playwright raises its own Error type; any start failure is the same to us
        pytest.fail(f"Chromium did not start ({exc}); reinstall with: {INSTALL}", pytrace=False)


@contextlib.contextmanager
def serve_app(app, threads: int = 4):
    """The app through waitress (the production server) on a free loopback port; yields its base URL.

    Not werkzeug's development server: it leaves a static file open when the
    browser drops the connection, which pytest reports as a ResourceWarning.
    """
    import waitress

    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=threads)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        thread.join(timeout=5)


def _has_korean_font() -> bool:
    try:
        fonts = subprocess.run(["fc-list", ":lang=ko", "family"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return bool(fonts.strip())
