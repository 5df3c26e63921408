"""One error handler: HTML for pages, JSON for the API, in the request's language.

Core errors (:class:`directory.errors.YeongyeError`) carry a code and
parameters; here they become ``{"error": code, "message": ..., "status": n}``
or the error page, the message worded from :mod:`directory.messages` through
the Babel catalogue (Korean by default, English when the request asks).
"""
from __future__ import annotations

import sqlite3

from flask import current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from directory.errors import YeongyeError
from directory.oserrors import storage_error_code


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _default_messages() -> dict[int, str]:
    return {
        400: _("요청을 처리할 수 없습니다. 입력한 값을 확인하세요."),
        401: _("로그인이 필요합니다."),
        403: _("이 작업을 할 권한이 없습니다."),
        404: _("찾는 페이지가 없습니다."),
        405: _("이 주소에서는 그 방법으로 요청할 수 없습니다."),
        409: _("다른 사람이 먼저 고쳤습니다. 새로 고친 뒤 다시 시도하세요."),
        413: _("파일이 너무 큽니다 (최대 %(mb)s MB).", mb=20),
        415: _("지원하지 않는 형식입니다."),
        429: _("시도가 너무 많습니다. 잠시 후 다시 시도하세요."),
        500: _("서버 오류가 발생했습니다. 입력한 내용은 저장되지 않았을 수 있으니 다시 시도하세요."),
    }


def message_for(exc: HTTPException) -> str:
    """The Korean message for an HTTP error: the view's own, or a default for the code."""
    if isinstance(exc, CSRFError):
        return _("보안 토큰이 없거나 만료되었습니다. 페이지를 새로 고친 뒤 다시 보내세요 (뒤로 가기로 입력한 내용을 되찾을 수 있습니다).")
    default = type(exc).description
    if exc.code == 429 or not exc.description or exc.description == default:
        return _default_messages().get(exc.code, exc.description or exc.name)
    return exc.description


def storage_message(code: str) -> str:
    """One line for a storage failure (directory.oserrors codes)."""
    return {
        "disk_full": _("서버의 저장 공간이 부족해 저장하지 못했습니다. 관리자에게 알려 주세요."),
        "read_only": _("서버의 저장소가 읽기 전용이라 저장하지 못했습니다. 관리자에게 알려 주세요."),
        "no_permission": _("서버가 파일에 쓸 권한이 없어 저장하지 못했습니다. 관리자에게 알려 주세요."),
        "io_error": _("서버의 디스크 오류로 저장하지 못했습니다. 관리자에게 알려 주세요."),
    }[code]


def render_http_error(exc: HTTPException):
    """The error as JSON (API, or when asked) or as the error page."""
    message = message_for(exc)
    if _wants_json():
        response = jsonify(error=exc.name, message=message, status=exc.code)
    else:
        response = render_template("error.html", code=exc.code, message=message, title=_("오류"))
    headers = {k: v for k, v in exc.get_headers() if k.lower() not in ("content-type", "content-length")} \
        if exc.response is None else {}
    return response, exc.code, headers


def error_message(exc: YeongyeError) -> str:
    """A core error's sentence in the request's language (outside a request: Korean)."""
    return exc.message(_)


def error_status(exc: YeongyeError) -> int:
    """The HTTP status of a core error, read from its code's suffix (see directory.messages)."""
    for suffix, status in (("_not_found", 404), ("_conflict", 409), ("_forbidden", 403)):
        if exc.code.endswith(suffix):
            return status
    return 400


def render_core_error(exc: YeongyeError):
    """A core error as JSON ``{"error": code, "message", "status"}`` or as the error page."""
    status, message = error_status(exc), error_message(exc)
    if _wants_json():
        return jsonify(error=exc.code, message=message, status=status), status
    return render_template("error.html", code=status, message=message, title=_("오류")), status


def init_app(app):
    """Register the handlers on the app."""

    @app.errorhandler(YeongyeError)
    def core_error(exc):
        return render_core_error(exc)

    @app.errorhandler(HTTPException)
    def handle_http(exc):
        return render_http_error(exc)

    @app.errorhandler(OSError)
    @app.errorhandler(sqlite3.OperationalError)
    def storage_failure(exc):
        # A full disk and its kin: one clear line (503, nothing was saved),
        # the traceback only in the log. Any other error goes on as before.
        code = storage_error_code(exc)
        if code is None:
            raise exc
        current_app.logger.error("storage failure (%s) on %s", code, request.path, exc_info=exc)
        return render_http_error(ServiceUnavailable(storage_message(code)))
