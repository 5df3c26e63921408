"""One store connection per request, kept on `g`.

Under `yeongye serve` (config DB_REUSE_CONNECTIONS) each waitress worker
thread keeps its connection open between requests: opening a SQLite file,
setting its pragmas and checking its schema cost more than most pages. The
schema is brought up to date once, by `serve`, before the first request. A
request that fails mid-transaction is rolled back at teardown, so a reused
connection always starts clean.
"""
from __future__ import annotations

import threading

from flask import current_app, g

from directory.store import connect

_local = threading.local()


def get_db():
    """The request's sqlite-utils Database, opened on first use."""
    if "db" not in g:
        path = current_app.config["DATABASE"]
        if current_app.config.get("DB_REUSE_CONNECTIONS"):
            g.db = _thread_connection(path)
            g.db_reused = True
        else:
            g.db = connect(path)
    return g.db


def _thread_connection(path):
    pool = getattr(_local, "pool", None)
    if pool is None:
        pool = _local.pool = {}
    db = pool.get(path)
    if db is None:
        db = pool[path] = connect(path)
    return db


def close_db(exc=None):
    """Close the request's connection (or, when reused, just end any open transaction)."""
    db = g.pop("db", None)
    if db is None:
        return
    if g.pop("db_reused", False):
        if db.conn.in_transaction:
            db.conn.rollback()
    else:
        db.conn.close()


def init_app(app):
    """Register teardown with the app."""
    app.teardown_appcontext(close_db)
