"""Sociogram pages: the linkage network drawn by a force layout, for a complex, a district or the whole store.

The page holds no data: its script (web/static/sociogram.js, with D3 from the
installed XStatic-D3 package at /maps/assets/d3/d3.js) fetches
/api/sociogram and draws it in the browser, so it works on a closed network.
"""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _

from directory.store import content_types, frequency_levels, get_complex, has_complexes, taxonomy
from maps.common import CATEGORY_COLORS, CONTENT_COLORS, NO_CONTENT_COLOR, UNCATEGORISED, UNCATEGORISED_COLOR
from network.explain import EXPLAIN, LABELS
from network.snapshots import SnapshotError, compare_snapshots, list_snapshots
from network.sociogram import DEPTHS, MEASURES

from .db import get_db
from .errors import error_message

bp = Blueprint("sociogram", __name__, url_prefix="/sociogram")

# Line style of a link's main (first recorded) content type: the page's dash patterns.
# A link without a recorded content type is drawn solid in grey (its colour says "none").
DASHES = {"referral": "", "resources": "10 4", "information": "3 3", "programs": "10 3 2 3", "meetings": "1 3"}
NO_CONTENT_DASH = ""


@bp.route("/complex/<int:complex_id>")
def complex_(complex_id: int):
    """One complex's partners (?radius=2: and the complexes that share them)."""
    row = get_complex(get_db(), complex_id)
    radius = 2 if request.args.get("radius") == "2" else 1
    return _page(_("%(name)s 연계망 그림", name=row["name"]), url_for("api.sociogram", complex=row["id"], radius=radius),
                 back=(url_for("complexes.detail", complex_id=row["id"]), _("단지 현황으로")),
                 changes=url_for("sociogram.complex_changes", complex_id=row["id"]), complex_row=row, radius=radius)


@bp.route("/district/<sido>")
@bp.route("/district/<sido>/<sigungu>")
def district(sido: str, sigungu: str | None = None):
    """One 시도's or 시군구's complexes and every agency they work with."""
    if not has_complexes(get_db(), sido, sigungu):
        abort(404, description=_("단지가 없는 지역입니다: %(place)s", place=" ".join(x for x in (sido, sigungu) if x)))
    place = " ".join(x for x in (sido, sigungu) if x)
    back = url_for("districts.district", sido=sido, sigungu=sigungu) if sigungu else \
        url_for("districts.province", sido=sido)
    return _page(_("%(place)s 연계망 그림", place=place), url_for("api.sociogram", sido=sido, sigungu=sigungu),
                 back=(back, _("지역 연계망으로")),
                 changes=url_for("sociogram.district_changes", sido=sido, sigungu=sigungu))


@bp.route("/all")
def everything():
    """Every complex and agency of the store."""
    return _page(_("전체 연계망 그림"), url_for("api.sociogram"),
                 back=(url_for("districts.everything"), _("전체 연계망으로")),
                 changes=url_for("sociogram.everything_changes"))


def _page(title: str, data_url: str, *, back, changes, complex_row=None, radius=None):
    return render_template("sociogram/page.html", title=title, data_url=data_url, back=back,
                           complex_row=complex_row, radius=radius, config=_config(), changes_url=changes)


# --- year on year: two snapshots side by side ----------------------------------------


@bp.route("/complex/<int:complex_id>/changes")
def complex_changes(complex_id: int):
    """A complex's links added, dropped and changed level between two of its snapshots."""
    row = get_complex(get_db(), complex_id)
    return _changes(_("%(name)s 연계 변화", name=row["name"]), {"complex_id": row["id"]},
                    (url_for("sociogram.complex_", complex_id=row["id"]), _("연계망 그림으로")),
                    cli=f"--complex {row['name']}")


@bp.route("/district/<sido>/changes")
@bp.route("/district/<sido>/<sigungu>/changes")
def district_changes(sido: str, sigungu: str | None = None):
    """A district's links added, dropped and changed level between two of its snapshots."""
    place = " ".join(x for x in (sido, sigungu) if x)
    if not has_complexes(get_db(), sido, sigungu):
        abort(404, description=_("단지가 없는 지역입니다: %(place)s", place=place))
    cli = f"--sido {sido}" + (f" --sigungu {sigungu}" if sigungu else "")
    return _changes(_("%(place)s 연계 변화", place=place), {"sido": sido, "sigungu": sigungu},
                    (url_for("sociogram.district", sido=sido, sigungu=sigungu), _("연계망 그림으로")), cli=cli)


@bp.route("/all/changes")
def everything_changes():
    """The whole store's links added, dropped and changed level between two snapshots."""
    return _changes(_("전체 연계 변화"), {}, (url_for("sociogram.everything"), _("연계망 그림으로")), cli="--all")


def _changes(title: str, scope: dict, back, *, cli: str):
    """The comparison page: ?before=&after= (snapshot ids of this scope), else the latest two."""
    db = get_db()
    snapshots = list_snapshots(db, **scope)
    ids = {s["id"] for s in snapshots}
    picked = [request.args.get(k, type=int) for k in ("before", "after")]
    if any(p is not None and p not in ids for p in picked):
        abort(404, description=_("이 단지(지역)의 기록이 아닙니다."))
    if picked[0] is None or picked[1] is None:
        picked = [s["id"] for s in snapshots[:2]][::-1]
    result, error = None, None
    if len(picked) == 2 and picked[0] != picked[1]:
        try:
            result = compare_snapshots(db, *picked)
        except SnapshotError as exc:  # pragma: no cover - both ids come from this scope's list
            error = error_message(exc)
    return render_template("sociogram/changes.html", title=title, back=back, snapshots=snapshots, picked=picked,
                           result=result, error=error, cli=cli,
                           content_names={c["code"]: _(c["name"]) for c in content_types(db)})


def _config() -> dict:
    """What the script needs besides the data: colours, dash patterns and every word it shows, in the page's language."""
    labels = {"degree": _("연결 수"), "weighted_degree": _(LABELS["weighted_degree"]),
              "betweenness": _(LABELS["betweenness"]), "eigenvector": _(LABELS["eigenvector"])}
    explain = {"degree": _("단지는 연계 기관 수, 기관은 연계 단지 수입니다."),
               "weighted_degree": _(EXPLAIN["weighted_degree"]), "betweenness": _(EXPLAIN["betweenness"]),
               "eigenvector": _(EXPLAIN["eigenvector"])}
    db = get_db()
    return {
        "measures": [{"key": m, "label": labels[m], "explain": explain[m]} for m in MEASURES],
        "levels": [{"level": r["level"], "mark": r["mark"], "label": _(r["label"])} for r in frequency_levels(db)],
        "content_types": [{"code": r["code"], "label": _(r["name"])} for r in content_types(db)],
        "categories": [{"name": name, "label": _(name)} for name in taxonomy(db).categories],
        "depths": {label: _(label) for label, _spellings in DEPTHS},
        "category_colors": CATEGORY_COLORS, "uncategorised": UNCATEGORISED, "uncategorised_color": UNCATEGORISED_COLOR,
        "complex_color": "#263238", "content_colors": CONTENT_COLORS,
        "dashes": DASHES, "no_content_dash": NO_CONTENT_DASH, "no_content_color": NO_CONTENT_COLOR,
        "agency_url": url_for("agencies.detail", agency_id=0).replace("/0", "/{id}"),
        "complex_url": url_for("complexes.detail", complex_id=0).replace("/0", "/{id}"),
        "words": {
            "complex": _("단지"), "agency": _("기관"), "no_content": _("내용 미기록"), "no_depth": _("깊이 미상"),
            "focus": _("%(name)s의 연계만 보는 중"), "open_agency": _("기관 정보 보기"),
            "open_complex": _("단지 현황 보기"), "empty": _("보여 줄 연계가 없습니다."),
            "loading_failed": _("연계망 자료를 불러오지 못했습니다."),
            "shown": _("단지 %(c)s곳 · 기관 %(a)s곳 · 연계 %(l)s건 표시"),
        },
    }
