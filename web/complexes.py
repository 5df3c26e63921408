"""Complexes: the list, each complex's dashboard, and its printable one-page report."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template
from flask_babel import gettext as _

from directory.store import list_complexes, taxonomy
from directory.vocabulary import korean_date
from network.charts import partners_by_category
from network.profile import partner_profile
from network.explain import EXPLAIN, LABELS
from network.report import complex_report

from .db import get_db

bp = Blueprint("complexes", __name__, url_prefix="/complexes")


@bp.route("/")
def index():
    """Every complex with its region and number of partner agencies."""
    return render_template("complexes/index.html", complexes=list_complexes(get_db()))


@bp.route("/<int:complex_id>")
def detail(complex_id: int):
    """A complex's dashboard: profile, partners, contact log, measures, gaps, next calls."""
    db = get_db()
    report = complex_report(db, complex_id)
    categories = taxonomy(db).categories
    per_category = partners_by_category(report["partners"], categories)
    chart = (_("분야별 연계 기관 수"), [(_(c["category"]) if c["category"] else _("미분류"), c["agencies"],
                                       f"{c['agencies']:,}") for c in per_category], "#636363")
    return render_template("complexes/detail.html", r=report, labels=LABELS, explain=EXPLAIN,
                           title=report["complex"]["name"], category_chart=chart if report["partners"] else None)


@bp.route("/<int:complex_id>/profile")
def profile(complex_id: int):
    """The complex introduced to its partner agencies, on one A4 page: no resident's data."""
    p = partner_profile(get_db(), complex_id)
    return render_template("complexes/profile.html", p=p, title=p["complex"]["name"], today=korean_date(date.today()))


@bp.route("/<int:complex_id>/report")
def report(complex_id: int):
    """The one-page printable report, to share with a partner agency."""
    report = complex_report(get_db(), complex_id)
    return render_template("complexes/report.html", r=report, title=report["complex"]["name"])
