"""The Flask web app: a thin shell over the core packages.

`create_app()` builds it (Flask's application-factory pattern); each concern
is one blueprint. Pages speak Korean first; English through Flask-Babel.
"""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, request, session
from flask_babel import Babel, get_locale

from . import db, security

LANGUAGES = ("ko", "en")


def select_locale():
    """Korean unless the user chose English (?lang=en, kept in the session); the API also reads Accept-Language.

    Pages ignore Accept-Language: a Korean team's browsers are often set to
    English, and the pages are Korean first. An API client has no session
    to choose with, so `Accept-Language: en` is how it asks.
    """
    lang = request.args.get("lang")
    if lang in LANGUAGES:
        session["lang"] = lang
    if "lang" not in session and request.path.startswith("/api/"):
        return request.accept_languages.best_match(LANGUAGES, default="ko")
    return session.get("lang", "ko")


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app; `test_config` overrides the defaults and the instance config."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY=None,  # from the environment, the instance config, or instance/secret_key
        DATABASE=os.environ.get("YEONGYE_DB") or str(Path(app.instance_path) / "yeongye.db"),
        BABEL_DEFAULT_LOCALE="ko",
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).parent / "translations"),
        PAGE_SIZE=50,
        **security.DEFAULTS,
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("YEONGYE")  # e.g. YEONGYE_SESSION_COOKIE_SECURE=true
    if test_config is not None:
        app.config.from_mapping(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    security.init_app(app)

    Babel(app, locale_selector=select_locale)
    from .translate import install as install_translations

    install_translations(app)  # templates' _() without Flask-Babel's per-call look-ups
    db.init_app(app)
    app.jinja_env.globals["get_locale"] = get_locale

    from . import agencies, errors, home

    app.register_blueprint(home.bp)
    app.register_blueprint(agencies.bp)
    from . import complexes, districts  # network pages

    app.register_blueprint(complexes.bp)
    app.register_blueprint(districts.bp)
    errors.init_app(app)
    from . import auth

    auth.init_app(app)
    from . import cache

    cache.init_app(app)
    from . import admin, edit

    app.register_blueprint(admin.bp)
    app.register_blueprint(edit.bp)
    from . import agency_edit

    app.register_blueprint(agency_edit.bp)
    from . import api, api_housing  # noqa: F401  (api_housing adds the houses' outcome routes to api.bp)

    app.register_blueprint(api.bp)
    from . import transfer

    app.register_blueprint(transfer.bp)
    from . import search

    app.register_blueprint(search.bp)
    from . import maps  # map pages for iframes and their offline assets

    app.register_blueprint(maps.bp)
    from . import emergency  # 긴급복지 주거지원: the screener page and its JSON API (issue 14)

    app.register_blueprint(emergency.bp)
    app.register_blueprint(emergency.api_bp)
    from . import housing, housing_outcomes  # noqa: F401  supportive houses (지원주택); their outcome pages join housing.bp

    app.register_blueprint(housing.bp)
    from . import sociogram  # the network drawn as a force layout (issue 11)

    app.register_blueprint(sociogram.bp)
    app.jinja_env.globals["has_endpoint"] = lambda name: name in app.view_functions
    auth.limit_views(app)  # last: every rate-limited view is registered by now
    return app
