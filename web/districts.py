"""Districts: network measures and overlaps for planners, by 시도/시군구 or nationwide."""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _

from directory.errors import YeongyeError
from directory.export import to_csv, to_xlsx
from directory.store import complex_districts, has_complexes, taxonomy
from directory.vocabulary import korean_date
from network.access import accessibility, base_areas
from network.compare import compare_districts, comparison_sheets, parse_districts
from network.demand import DEMANDS
from network.charts import measure_charts, partners_by_category
from network.explain import LABELS
from network.report import network_report

from .db import get_db
from .errors import error_message
from .maps import access_options

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
    return render_template("districts/detail.html", report=report, place=place, title=place or "전체",
                           network_charts=network_charts(report, _categories(db)))


# Bar colours of the four agency measures and of the category chart.
_MEASURE_COLOURS = {"reach": "#3182bd", "weighted_degree": "#31a354", "betweenness": "#e6550d",
                    "eigenvector": "#756bb1"}
_VALUE_FORMATS = {"reach": "{:,.0f}", "weighted_degree": "{:,.0f}", "betweenness": "{:.3f}", "eigenvector": "{:.3f}"}


def network_charts(report: dict, categories: list[str]) -> list:
    """(title, [(label, value, text)], colour) for the top agencies by each measure and partners per category."""
    charts = []
    for chart in measure_charts(report["agencies"]):
        key = chart["measure"]
        charts.append((_("%(measure)s 상위 기관", measure=_(LABELS[key])),
                       [(r["name"], r["value"], _VALUE_FORMATS[key].format(r["value"])) for r in chart["rows"]],
                       _MEASURE_COLOURS[key]))
    per_category = partners_by_category(report["agencies"], categories)
    charts.append((_("분야별 협력 기관 수"),
                   [(_(c["category"]) if c["category"] else _("미분류"), c["agencies"], f"{c['agencies']:,}")
                    for c in per_category], "#636363"))
    charts.append((_("분야별 연계 건수"),
                   [(_(c["category"]) if c["category"] else _("미분류"), c["links"], f"{c['links']:,}")
                    for c in per_category], "#969696"))
    return charts


def _categories(db) -> list[str]:
    return taxonomy(db).categories


# --- districts side by side (issue 12) --------------------------------------


def _comparison():
    """The comparison the query asks for: ?d=시도/시군구 (2–6 times) or ?sido=…, with the access options."""
    db = get_db()
    options = {**access_options(request.args), "level": "sigungu"}
    result = accessibility(db, **options)
    pairs = parse_districts(request.args.getlist("d"), sido=request.args.get("sido", "").strip() or None,
                            result=result)
    return compare_districts(db, pairs, result=result), options


def _choices():
    """Every 시군구 a planner can pick, by 시도 (a 일반구's 시 once), from the population areas."""
    by_sido: dict[str, list[str]] = {}
    for area in base_areas("sigungu")[0]:
        name = area["sigungu"].split(" ", 1)[0]
        names = by_sido.setdefault(area["sido"], [])
        if name not in names:
            names.append(name)
    return by_sido


@bp.route("/compare")
def compare():
    """2–6 시군구 (or every 시군구 of a 시도) side by side: demand, supply, access, complexes, overlaps."""
    picked = request.args.getlist("d")
    comparison, error = None, None
    if picked or request.args.get("sido"):
        try:
            comparison, _options = _comparison()
        except YeongyeError as exc:
            error = error_message(exc)
    query = {k: request.args.getlist(k) for k in request.args if k != "lang"}
    vintage = korean_date(comparison["access"]["list_vintage"]) if comparison else ""
    return render_template("districts/compare.html", comparison=comparison, error=error, choices=_choices(),
                           picked=set(picked), demands=DEMANDS, args=request.args, query=query, vintage=vintage,
                           charts=_charts(comparison) if comparison else [],
                           title=_("시군구 비교")), 400 if error else 200


def _charts(comparison) -> list:
    """(title, [(label, value, text)], colour) for each bar chart of the comparison."""
    ds = comparison["districts"]

    def items(values, text):
        return [(d["sigungu"], v, "—" if v is None else text(v)) for d, v in zip(ds, values)]

    return [
        (_(comparison["access"]["demand"]), items([d["demand"] for d in ds], lambda v: f"{v:,.0f}"), "#756bb1"),
        (_("수요 1천당 기관"), items([d["per_1000"] for d in ds], lambda v: f"{v:.3f}"), "#31a354"),
        (_("접근성 점수"), items([d["score"] for d in ds], lambda v: f"{v:.3f}"), "#3182bd"),
        (_("협력 기관"), items([d["network"]["agencies"] for d in ds], lambda v: f"{v:,}"), "#e6550d"),
    ]


@bp.route("/compare.<fmt>")
def compare_export(fmt: str):
    """The comparison as CSV (UTF-8 with BOM) or XLSX, one sheet per table."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    comparison, _options = _comparison()
    sheets = comparison_sheets(comparison)
    if fmt == "csv":
        headers, rows = sheets["비교"]
        body, mimetype = to_csv(headers, rows), "text/csv"
    else:
        body = to_xlsx(sheets)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename=districts-compare.{fmt}"})
