"""Safety settings bound in the factory: secret key, cookies, upload size, headers, input bounds.

The secret key comes from the environment (YEONGYE_SECRET_KEY), the instance
config, or else is generated on first run and kept in `instance/secret_key`
(readable by its owner only), so sessions survive restarts and no key is
ever hard-coded.

Input the views never see: a JSON body nested deeper than JSON_MAX_DEPTH
(Python's parser would hit its recursion limit) and an integer query value
beyond MAX_QUERY_INT (``page=999…9`` would overflow SQLite's integers) are
refused with a 400 before any view runs.
"""
from __future__ import annotations

import json
import os
import re
import secrets
from datetime import timedelta
from pathlib import Path

from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

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
    JSON_MAX_DEPTH=20,  # our bodies are two levels deep; anything past this is an attack
    # The canonical address of the site (e.g. https://yeongye.example.kr) for
    # documents that name it, such as /api/openapi.json; the Host header a
    # client sends is never trusted for that. None: relative ("/").
    PUBLIC_URL=None,
)

MAX_QUERY_INT = 2**31 - 1
# Query parameters that are free text, where a long number may be what was typed.
TEXT_ARGS = frozenset({"q", "next"})
_INTEGER = re.compile(r"\s*[+-]?\d+\s*")
# A JSON string (escapes included) and the brackets outside strings.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_JSON_BRACKET = re.compile(r"[\[\]{}]")


def json_too_deep(text: str, limit: int) -> bool:
    """Whether a JSON text nests arrays and objects more than `limit` deep (read without parsing).

    >>> json_too_deep('{"a": [1, {"b": "[[["}]}', 3), json_too_deep("[[[]]]", 2)
    (False, True)
    """
    depth = 0
    for match in _JSON_BRACKET.finditer(_JSON_STRING.sub("", text)):
        depth += 1 if match.group() in "[{" else -1
        if depth > limit:
            return True
    return False


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, refusing bodies nested deeper than JSON_MAX_DEPTH with a 400."""

    def loads(self, s, **kwargs):
        text = s.decode(json.detect_encoding(s), errors="replace") if isinstance(s, (bytes, bytearray)) else s
        limit = self._app.config.get("JSON_MAX_DEPTH", 20)
        if json_too_deep(text, limit):
            raise BadRequest(_("JSON 본문이 너무 깊게 중첩되어 있습니다 (최대 %(n)s단계).", n=limit))
        return super().loads(s, **kwargs)


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
    app.json = BoundedJSONProvider(app)

    @app.before_request
    def _query_ints_in_range():
        # Views read these with type=int; a page or offset past this names
        # nothing and would overflow SQLite's integers inside a query.
        from flask import abort, request

        for name, value in request.args.items(multi=True):
            if name not in TEXT_ARGS and len(value) > 9 and _INTEGER.fullmatch(value) \
                    and abs(int(value)) > MAX_QUERY_INT:
                abort(400, _("%(name)s 값이 너무 큽니다 (최대 %(max)s).", name=name, max=MAX_QUERY_INT))

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
