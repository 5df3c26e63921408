"""Safety settings bound in the factory: secret key, cookies, upload size, headers.

The secret key comes from the environment (YEONGYE_SECRET_KEY), the instance
config, or else is generated on first run and kept in `instance/secret_key`
(readable by its owner only), so sessions survive restarts and no key is
ever hard-coded.
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

DEFAULTS = dict(
    MAX_CONTENT_LENGTH=20 * 1024 * 1024,  # uploads: agency lists are a few MB at most
    SESSION_COOKIE_HTTPONLY=True,
    SESSION_COOKIE_SAMESITE="Lax",
    SESSION_COOKIE_SECURE=False,  # set YEONGYE_SESSION_COOKIE_SECURE=true behind HTTPS
    REMEMBER_COOKIE_HTTPONLY=True,
    REMEMBER_COOKIE_SAMESITE="Lax",
    REMEMBER_COOKIE_DURATION=timedelta(days=14),
    PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
    # A form left open through a field visit must still submit.
    WTF_CSRF_TIME_LIMIT=8 * 3600,
    PAGE_CACHE_SECONDS=0,  # web/cache.py; `yeongye serve` turns it on
    UPLOAD_EXTENSIONS=(".csv", ".tsv", ".txt", ".xlsx", ".xls", ".json", ".zip"),
)


def secret_key_file(instance_path: str) -> str:
    """The instance's secret key, created (0600) on first use."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        key = path.read_text(encoding="ascii").strip()
        if key:
            return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key)
    return key


def init_app(app) -> None:
    """Fill in the secret key, mirror Secure onto the remember cookie, add security headers."""
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key_file(app.instance_path)
    app.config["REMEMBER_COOKIE_SECURE"] = app.config.get("SESSION_COOKIE_SECURE", False)

    @app.before_request
    def _ids_in_range():
        # SQLite integers stop at 2**63; a larger id in a URL names nothing (and
        # would otherwise raise OverflowError deep in a query).
        from flask import abort, request

        if request.view_args and any(isinstance(v, int) and v > 2**62 for v in request.view_args.values()):
            abort(404)

    @app.after_request
    def _headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")  # maps are same-site iframes
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
