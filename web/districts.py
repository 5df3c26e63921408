"""Districts: network measures and overlaps for planners, by 시도/시군구 or nationwide."""
from __future__ import annotations

from flask import Blueprint, abort, render_template

from directory.store import complex_districts, has_complexes
from network.report import network_report

from .db import get_db

bp = Blueprint("districts", __name__, url_prefix="/districts")


@bp.route("/")
def index():
    """The districts that have complexes, with how many each."""
    return render_template("districts/index.html", districts=complex_districts(get_db()))


@bp.route("/all")
def everything():
    """The whole network, every district together."""
    return _page(None, None)


@bp.route("/<sido>")
def province(sido: str):
    """One 시도's network."""
    return _page(sido, None)


@bp.route("/<sido>/<sigungu>")
def district(sido: str, sigungu: str):
    """One 시군구's network: its complexes and every agency they work with."""
    return _page(sido, sigungu)


def _page(sido, sigungu):
    db = get_db()
    if sido and not has_complexes(db, sido, sigungu):
        abort(404, description=f"단지가 없는 지역입니다: {sido} {sigungu or ''}".strip())
    report = network_report(db, sido=sido, sigungu=sigungu)
    place = " ".join(x for x in (sido, sigungu) if x)
    return render_template("districts/detail.html", report=report, place=place, title=place or "전체")
