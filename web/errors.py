"""One error handler: HTML for pages, JSON for the API."""
from __future__ import annotations

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, NotFound

from directory.store import AgencyNotFound, ComplexNotFound


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def init_app(app):
    """Register the handlers on the app."""

    @app.errorhandler(AgencyNotFound)
    @app.errorhandler(ComplexNotFound)
    def not_found(exc):
        return handle_http(NotFound(str(exc)))

    @app.errorhandler(HTTPException)
    def handle_http(exc):
        if _wants_json():
            return jsonify(error=exc.name, message=exc.description, status=exc.code), exc.code
        return render_template("error.html", code=exc.code, message=exc.description,
                               title=_("오류")), exc.code
