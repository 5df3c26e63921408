"""The home page."""
from __future__ import annotations

from flask import Blueprint, render_template

from directory.store import counts, facet_values, list_complexes

from .db import get_db

bp = Blueprint("home", __name__)


@bp.route("/")
def index():
    """Home: what the directory holds, by category, and the complexes."""
    db = get_db()
    return render_template(
        "home.html",
        counts=counts(db),
        categories=facet_values(db, "category"),
        complexes=list_complexes(db),
    )
