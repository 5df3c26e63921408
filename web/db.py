"""One store connection per request, kept on `g` and closed at teardown."""
from __future__ import annotations

from flask import current_app, g

from directory.store import connect


def get_db():
    """The request's sqlite-utils Database, opened on first use."""
    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"])
    return g.db


def close_db(exc=None):
    """Close the request's connection, if one was opened."""
    db = g.pop("db", None)
    if db is not None:
        db.conn.close()


def init_app(app):
    """Register teardown with the app."""
    app.teardown_appcontext(close_db)
