"""A small in-process cache of public pages for visitors who are not signed in.

Most traffic is the same few lookups ("치매안심센터", "정신건강복지센터 노원구")
by people who are not signed in; rendering them again costs more than the
search itself. Pages of a few read-only endpoints are kept for
PAGE_CACHE_SECONDS (0 turns the cache off; `yeongye serve` uses 30), keyed on
the full URL, the language and the store's data version, so an edit, an
import or any agency change is seen at once; the TTL only bounds staleness of
changes made outside the web app. Nothing is cached for a signed-in user, a
request carrying flashed messages, or a response that sets a cookie.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict

from flask import Response, g, request, session

from directory.store import data_version

CACHEABLE = {"search.page", "agencies.index", "agencies.detail", "home.index", "maps.index", "maps.access",
             "districts.compare"}
MAX_ENTRIES = 2000


class PageCache:
    """An LRU of (key) -> (expiry, body), safe across waitress threads."""

    def __init__(self, ttl: float, max_entries: int = MAX_ENTRIES):
        self.ttl = ttl
        self.max_entries = max_entries
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key):
        with self._lock:
            item = self._data.get(key)
            if item is None or item[0] < time.monotonic():
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return item[1]

    def put(self, key, body: bytes) -> None:
        with self._lock:
            self._data[key] = (time.monotonic() + self.ttl, body)
            self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)


def init_app(app) -> None:
    """Serve and fill the cache around the cacheable endpoints."""
    ttl = float(app.config.get("PAGE_CACHE_SECONDS") or 0)
    if ttl <= 0:
        return
    cache = app.extensions["yeongye_page_cache"] = PageCache(ttl)

    from .db import get_db

    @app.before_request
    def _serve_cached():
        if (request.method != "GET" or request.endpoint not in CACHEABLE or "lang" in request.args
                or session.get("_user_id") or session.get("_flashes")):
            return None
        try:
            key = (request.full_path, session.get("lang", "ko"), data_version(get_db()))
        except Exception:  # noqa: BLE001 - a store without the log tables: no caching
            return None
        body = cache.get(key)
        if body is not None:
            return Response(body, mimetype="text/html")
        g.page_cache_key = key
        return None

    @app.after_request
    def _fill(response):
        key = g.pop("page_cache_key", None)
        if key is not None and response.status_code == 200 and not session.modified \
                and "Set-Cookie" not in response.headers and response.mimetype == "text/html":
            cache.put(key, response.get_data())
        return response


_memo: OrderedDict = OrderedDict()
_memo_lock = threading.Lock()


def memo(db, name: str, compute):
    """`compute()` once per store and data version (e.g. filter menus with counts over 100,000 agencies)."""
    from flask import current_app

    try:
        key = (current_app.config["DATABASE"], name, data_version(db))
    except Exception:  # noqa: BLE001 - a store without the log tables: no memo
        return compute()
    with _memo_lock:
        if key in _memo:
            _memo.move_to_end(key)
            return _memo[key]
    value = compute()
    with _memo_lock:
        _memo[key] = value
        while len(_memo) > 64:
            _memo.popitem(last=False)
    return value
