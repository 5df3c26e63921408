"""Agency list with filters, the agency page, and the referral card a worker gives a resident."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_babel import format_date, get_locale

from directory import vocabulary
from directory.errors import ComplexNotFound
from directory.nearby import directions
from directory.store import agency_links, facet_values, get_agency, get_complex, list_agencies
from importers.standard import DATASETS

from .db import get_db

bp = Blueprint("agencies", __name__, url_prefix="/agencies")

FILTERS = ("category", "type", "sido", "sigungu")
# The standard lists' own titles, for sources the vocabulary does not name.
_DATASET_TITLES = {d.name: d.label for d in DATASETS}


@bp.app_template_filter("source_label")
def source_label(source: str | None) -> str:
    """A source key as its list's title (전국치매센터표준데이터, 기관 목록 파일 …)."""
    return vocabulary.source_label(source, _DATASET_TITLES.get(source or ""))


@bp.app_template_filter("field_label")
def field_label(field: str | None) -> str:
    """An agency field's Korean name (a quarantined row's column, an edit's field)."""
    return vocabulary.field_label(field)


@bp.app_template_filter("worker_date")
def worker_date(value) -> str:
    """A date as people write it: 2026년 12월 1일 in Korean, the locale's medium date otherwise."""
    day = vocabulary.local_date(value)
    if day is None:
        return "" if value is None else str(value)
    locale = get_locale()
    if locale is None or locale.language == "ko":
        return vocabulary.korean_date(day)
    return format_date(day, "medium")


@bp.route("/")
def index():
    """All agencies, filtered by category, type, 시도 and 시군구, a page at a time."""
    db = get_db()
    filters = {k: request.args.get(k, "").strip() or None for k in FILTERS}
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    size = current_app.config["PAGE_SIZE"]
    rows, total = list_agencies(db, limit=size, offset=(page - 1) * size, **filters)
    facets = {
        "category": facet_values(db, "category"),
        "type": facet_values(db, "type", category=filters["category"]),
        "sido": facet_values(db, "sido"),
        "sigungu": facet_values(db, "sigungu", sido=filters["sido"]) if filters["sido"] else [],
    }
    return render_template("agencies/index.html", agencies=rows, total=total, page=page,
                           pages=max((total + size - 1) // size, 1), filters=filters, facets=facets)


def _with_directions(agency: dict) -> dict:
    agency["address"] = agency.get("road_address") or agency.get("lot_address")
    agency["directions"] = directions(agency["name"], agency.get("lat"), agency.get("lon"),
                                      placement=agency.get("placement"), address=agency["address"])
    return agency


@bp.route("/<int:agency_id>")
def detail(agency_id: int):
    """One agency: contact, address, placement, sources, and linked complexes."""
    db = get_db()
    return render_template("agencies/detail.html", agency=_with_directions(get_agency(db, agency_id)),
                           links=agency_links(db, agency_id))


@bp.route("/<int:agency_id>/card")
def card(agency_id: int):
    """A referral card for a resident: print it (one A4 page) or copy it as text for 문자/카카오톡.

    The notes a worker types for the resident stay in the browser: the
    fields have no name and sit in no form, nothing is sent back, and the
    page is not kept in any cache (``no-store``), so a resident's details
    never reach the store, a log or a shared computer's history.
    ``?complex=`` adds the distance from that complex.
    """
    from geopy.distance import geodesic

    db = get_db()
    agency = _with_directions(get_agency(db, agency_id))
    origin = None
    key = request.args.get("complex", type=int)
    if key is not None:
        try:
            origin = get_complex(db, key)
        except ComplexNotFound:
            origin = None
    if origin and origin.get("lat") is not None and agency.get("lat") is not None \
            and agency.get("placement") != vocabulary.SAMPLE:
        origin = dict(origin, distance_km=geodesic((origin["lat"], origin["lon"]), (agency["lat"], agency["lon"])).km)
    else:
        origin = None
    response = current_app.make_response(render_template("agencies/card.html", agency=agency, origin=origin,
                                                         title=agency["name"]))
    response.headers["Cache-Control"] = "no-store"
    return response
