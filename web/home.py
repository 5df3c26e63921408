"""The home page: the worker's complex with its nearest agencies first, then the directory at large."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from directory.errors import ComplexNotFound
from directory.nearby import complex_cards
from directory.store import counts, facet_values, list_complexes

from .db import get_db

bp = Blueprint("home", __name__)


def _chosen_complex(complexes: list[dict]):
    """(complex id or None, whether it was asked for): ?complex=, else the signed-in worker's first complex."""
    asked = request.args.get("complex", type=int)
    if asked is not None:
        return asked, True
    mine = sorted(getattr(current_user, "complex_ids", ()) or ())
    known = {c["id"] for c in complexes}
    return next((c for c in mine if c in known), None), False


@bp.route("/")
def index():
    """Home: the chosen complex's cards (nearest 정신건강복지센터, 치매안심센터, … and its partners),
    a search around it, what the directory holds by category, and every complex."""
    db = get_db()
    complexes = list_complexes(db)
    chosen, asked = _chosen_complex(complexes)
    cards, missing = None, False
    if chosen is not None:
        try:
            cards = complex_cards(db, chosen)
        except ComplexNotFound:
            missing = asked
    mine = [c for c in complexes if c["id"] in (getattr(current_user, "complex_ids", ()) or ())]
    return render_template(
        "home.html",
        counts=counts(db),
        categories=facet_values(db, "category"),
        complexes=complexes,
        mine=mine,
        here=cards,
        missing=missing,
    ), 404 if missing else 200
