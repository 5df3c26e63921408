"""Agency list with filters, and the agency page."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from directory.store import agency_links, facet_values, get_agency, list_agencies

from .db import get_db

bp = Blueprint("agencies", __name__, url_prefix="/agencies")

FILTERS = ("category", "type", "sido", "sigungu")


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


@bp.route("/<int:agency_id>")
def detail(agency_id: int):
    """One agency: contact, address, placement, sources, and linked complexes."""
    db = get_db()
    return render_template("agencies/detail.html", agency=get_agency(db, agency_id),
                           links=agency_links(db, agency_id))
