"""Template translations without Flask-Babel's per-call lookups.

Flask-Babel's template ``_()`` finds the request's locale and catalogue
anew on every call (three look-ups of its context on ``g``, then the
domain's cache). A search page makes about 50 such calls, and they were a
fifth of its render time. Here the catalogue of each locale is kept once
per process (catalogues do not change while serving, and Flask-Babel keeps
them forever too) and a call costs one look-up of the locale the request
already chose. Before the request has chosen one (its first call), and
outside a request, Flask-Babel answers as before.
"""
from __future__ import annotations

from flask import g
from flask_babel import get_translations
from jinja2 import pass_context
from markupsafe import Markup

__all__ = ["install"]

_CATALOGUES: dict = {}


def _gettext(string: str) -> str:
    babel = g.get("_flask_babel") if g else None
    locale = getattr(babel, "babel_locale", None)
    if locale is None:  # not chosen yet (or outside a request): Flask-Babel chooses it
        return get_translations().ugettext(string)
    catalogue = _CATALOGUES.get(locale)
    if catalogue is None:
        catalogue = _CATALOGUES[locale] = get_translations()
    return catalogue.ugettext(string)


@pass_context
def _template_gettext(context, string: str, **variables) -> str:
    """Jinja's new-style ``_()`` in one call (its own wraps the function twice): escaped, then formatted."""
    rv = _gettext(string)
    if context.eval_ctx.autoescape:
        rv = Markup(rv)
    return rv % variables


def install(app) -> None:
    """Make the app's templates translate through the per-locale catalogue (after ``Babel(app)``)."""
    app.jinja_env.install_gettext_callables(
        gettext=_gettext,
        ngettext=lambda s, p, n: get_translations().ungettext(s, p, n),
        pgettext=lambda c, s: get_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: get_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.globals.update(_=_template_gettext, gettext=_template_gettext)
