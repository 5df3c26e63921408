"""The search page and the search API: one core call, two shapes of answer."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request
from flask_babel import gettext as _

from directory import search as search_core
from directory.store import complex_choices, facet_values

from .cache import memo
from .db import get_db

bp = Blueprint("search", __name__)

API_FIELDS = ("id", "name", "type", "category", "address", "road_address", "lot_address", "sido",
              "sigungu", "eupmyeondong", "lat", "lon", "phone", "placement", "approximate",
              "placement_note", "distance_km", "score")


def _params(args) -> dict:
    """The search parameters from a query string, stripped; empty ones are None."""
    keys = ("q", "near", "complex", "address", "radius", "category", "type", "sido", "sigungu",
            "target", "sort", "limit")
    return {k: (args.get(k) or "").strip()[:500] or None for k in keys}


def index_wait() -> bool:
    """Whether a request may wait for the search index to be built.

    Never in service: a request that built the index stalled every worker
    thread for minutes; it answers from the last good index or
    the plain SQL search while a background thread builds. The tests' app
    (TESTING) waits, so pages see the full index at once;
    ``SEARCH_INDEX_WAIT`` overrides either way.
    """
    return bool(current_app.config.get("SEARCH_INDEX_WAIT", current_app.testing))


def find(db, query, **options):
    """`directory.search.search` for a request (maps use it too): never builds the index in the request."""
    return search_core.search(db, query, wait=index_wait(), **options)


def _run(p: dict, default_limit: int = 20):
    """Resolve the place and search; returns (found, place, sort): `found` is the core's `Results`."""
    db = get_db()
    place = search_core.resolve_place(db, near=p["near"], complex_key=p["complex"], address=p["address"])
    point = (place["lat"], place["lon"]) if place else None
    sort = p["sort"] or ("distance" if point and not search_core.query_words(p["q"]) else "relevance")
    limit = p["limit"] or default_limit
    found = find(db, p["q"] or "", near=point, radius_km=p["radius"], category=p["category"], agency_type=p["type"],
                 sido=p["sido"], sigungu=p["sigungu"], target=p["target"], sort=sort, limit=limit,
                 half_life_km=current_app.config.get("SEARCH_HALF_LIFE_KM"))
    return found, place, sort


def understood_notes(understood: list[dict]) -> list[dict]:
    """The words worth telling the worker about: what a need or an old name was read as, what was left out.

    Plain name parts and places say nothing new and are left out.
    """
    notes = []
    for w in understood:
        role, kinds = w["role"], w["kinds"]
        if role == "kind" and kinds and kinds[0].replace(" ", "") != w["word"]:
            notes.append({"word": w["word"], "role": role, "kinds": kinds})
        elif role in ("need", "group", "typo", "generic", "ignored"):
            notes.append({"word": w["word"], "role": role, "kinds": kinds[:4]})
    return notes


MAX_COMPLEX_CHOICES = 50


def _complex_choices(db) -> list[dict]:
    """Complexes for the "near a complex" menu; beyond 50 the page asks for a name instead.

    At national scale (1,000 complexes) a menu is unusable on a phone and
    rendering it cost more than the search itself.
    """
    return complex_choices(db, MAX_COMPLEX_CHOICES + 1)


@bp.route("/search")
def page():
    """Search page: a box, filters, a place, and results with phone links and distances."""
    p = _params(request.args)
    db = get_db()
    error = None
    found, place, sort = search_core.Results([], 0), None, p["sort"] or "relevance"
    searched = any(p[k] for k in ("q", "near", "complex", "address", "category", "type", "sido",
                                  "sigungu", "target"))
    if searched:
        try:
            found, place, sort = _run(p)
        except search_core.SearchError as exc:
            error = str(exc)
    results, total = found
    return render_template(
        "search/index.html", title=_("기관 찾기"), p=p, results=results, total=total, place=place,
        sort=sort, error=error, searched=searched, fallback=found.fallback,
        understood=understood_notes(found.understood), loose=found.loose, within=found.within,
        categories=memo(db, "category-facets", lambda: facet_values(db, "category")),
        complexes=memo(db, "complex-choices", lambda: _complex_choices(db)),
    )


@bp.route("/api/search")
def api():
    """JSON search: the same parameters as the page; a list of agencies with distances.

    Bad parameters answer 400 with {"error", "message"}. ``fallback`` is true
    while the search index is being built: the results then come from the
    plain SQL search (``note`` says so). ``understood`` gives each query
    word's role (need, group, kind, place, name, initials, typo, generic,
    ignored) and kinds; ``loose`` is true when no agency matched every
    word; ``within`` (with a place) counts the matches within the radius
    (or 10 km) and, when there are none, gives ``nearest_km``: the results
    are then farther ones.
    """
    p = _params(request.args)
    try:
        found, place, sort = _run(p)
    except search_core.SearchError as exc:
        return jsonify(error="bad_request", message=str(exc), status=400), 400
    results, total = found
    fallback = found.fallback
    return jsonify(
        query=p["q"] or "", total=total, sort=sort, fallback=fallback,
        understood=found.understood, loose=found.loose, within=found.within,
        note=_("검색 색인 준비 중 — 간단 검색 결과입니다") if fallback else None,
        place={k: place[k] for k in ("lat", "lon", "label", "approximate")} if place else None,
        results=[{k: r.get(k) for k in API_FIELDS} for r in results],
    )
