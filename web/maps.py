"""Map pages for iframes (resources, an agency, a complex, a district, access) and their assets.

Each page is a whole folium document whose scripts and stylesheets come from
`/maps/assets/…` (the installed XStatic packages), so the maps work on a
closed network. The base tiles follow `YEONGYE_TILES` (config `TILES`);
`?tiles=none` turns them off for one page.
"""
from __future__ import annotations

import tempfile
import threading
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import login_required

from directory.store import get_complex, mappable_agencies, placed_types
from directory.vocabulary import DEFAULT_ACCESS_TYPE
from maps import MapError
from maps.access import access_map
from maps.assets import AssetMissing, asset_file, render_page
from maps.network import agency_map, complex_map, district_map
from maps.outlines import warm as warm_outlines
from maps.resources import resource_map
from network.access import DEFAULT_RADIUS_KM, LEVELS, AccessError, accessibility, ranked_table
from network.demand import DEMANDS

from .db import get_db
from .errors import error_message

bp = Blueprint("maps", __name__, url_prefix="/maps")


@bp.record_once
def _warm_outlines(state):
    """Read and dissolve the boundaries in the background at start, not during the first map request (≈ 1 s)."""
    if not state.app.testing:
        threading.Thread(target=warm_outlines, name="yeongye-outlines", daemon=True).start()

MAX_IDS = 1000


def _tiles():
    """Tiles for this page: 'none' if asked, else the configured setting (never a URL from the query)."""
    if request.args.get("tiles", "").lower() == "none":
        return "none"
    return current_app.config.get("TILES")


def _page(m) -> Response:
    html = render_page(m, lambda package, path: url_for("maps.asset", package=package, filename=path))
    return Response(html, mimetype="text/html")


def _message(text, status: int = 200):
    """A small page in place of a map (no location, nothing to show) for the iframe.

    `text` is a sentence already in the page's language, or a core error,
    worded here in the request's language.
    """
    if not isinstance(text, str):
        text = error_message(text)
    return render_template("maps/message.html", message=text), status


def _urls():
    agency = url_for("agencies.detail", agency_id=0).replace("/0", "/{id}")
    complex_ = None
    if "complexes.detail" in current_app.view_functions:
        complex_ = url_for("complexes.detail", complex_id=0).replace("/0", "/{id}")
    return {"agency_url": agency, "complex_url": complex_}


@bp.route("/assets/<package>/<path:filename>")
def asset(package: str, filename: str):
    """A file of an installed front-end package (Leaflet, markercluster, jQuery, Bootstrap, Font Awesome)."""
    try:
        path = asset_file(package, filename)
    except AssetMissing:
        abort(404)
    return send_file(path, max_age=86400)


@bp.route("/")
def index():
    """A page with the resource and access maps, for people who come to look at maps."""
    db = get_db()
    types = placed_types(db)
    args = {k: request.args.get(k, "").strip() for k in ("category", "type", "sido", "sigungu")}
    access_type = request.args.get("access_type", DEFAULT_ACCESS_TYPE)
    level = request.args.get("level", "sigungu")
    level = level if level in LEVELS else "sigungu"
    radius = request.args.get("radius", type=float) or DEFAULT_RADIUS_KM
    sigma = request.args.get("sigma", type=float)
    demand = request.args.get("demand", "age65")
    demand = demand if demand in DEMANDS else "age65"
    weight = "count" if request.args.get("weight") == "count" else "capacity"
    query = {"level": level, "radius": f"{radius:g}", "demand": demand, "weight": weight}
    if sigma is not None:
        query["sigma"] = f"{sigma:g}"
    if access_type == SENIOR_JOBS:
        query["supply"] = SENIOR_JOBS
    else:
        query["type"] = access_type
    return render_template("maps/index.html", title=_("지도"), types=types, args=args,
                           access_type=access_type, level=level, radius=f"{radius:g}",
                           sigma="" if sigma is None else f"{sigma:g}", demand=demand, demands=DEMANDS,
                           weight=weight, senior_jobs=SENIOR_JOBS, access_query=query,
                           resources_src=url_for("maps.resources", **{k: v for k, v in args.items() if v}),
                           access_src=url_for("maps.access", **query),
                           choices=_demand_choices({}), column_choices=[],
                           max_mb=DEMAND_MAX_BYTES // (1024 * 1024), max_bytes=DEMAND_MAX_BYTES)


@bp.route("/resources")
def resources():
    """Agencies by category, type, 시도, 시군구 (or ?ids=1,2,3 / ?q=search words) as a clustered map."""
    db = get_db()
    filters = {k: request.args.get(k, "").strip() or None for k in ("category", "type", "sido", "sigungu")}
    ids = request.args.get("ids")
    query = request.args.get("q", "").strip()
    try:
        if ids is not None:
            try:
                id_list = [int(x) for x in ids.split(",") if x.strip()][:MAX_IDS]
            except ValueError:
                return _message(_("기관 번호는 쉼표로 구분한 숫자여야 합니다."), 400)
            agencies = mappable_agencies(db, ids=id_list, include_sample=True)
        elif query:
            from directory.search import MAX_LIMIT, SearchError

            from .search import find

            try:
                found, _total = find(db, query, limit=MAX_LIMIT, category=filters["category"],
                                     agency_type=filters["type"], sido=filters["sido"],
                                     sigungu=filters["sigungu"])
            except SearchError as exc:
                return _message(exc, 400)
            agencies = [a for a in found if a.get("lat") is not None and a.get("lon") is not None]
        else:
            agencies = mappable_agencies(db, category=filters["category"], agency_type=filters["type"],
                                         sido=filters["sido"], sigungu=filters["sigungu"])
        m = resource_map(agencies, tiles=_tiles(), agency_url=_urls()["agency_url"])
    except MapError as exc:
        return _message(exc, 400)
    return _page(m)


@bp.route("/agency/<int:agency_id>")
def agency(agency_id: int):
    """One agency and the complexes it serves."""
    try:
        m = agency_map(get_db(), agency_id, tiles=_tiles(), **_urls())
    except MapError as exc:
        return _message(exc)
    return _page(m)


@bp.route("/complex/<int:complex_id>")
def complex_(complex_id: int):
    """One complex and its partner agencies: line width = frequency, colour = main content type."""
    db = get_db()
    get_complex(db, complex_id)  # 404 through the app's handler when unknown
    try:
        m = complex_map(db, complex_id, tiles=_tiles(), **_urls())
    except MapError as exc:
        return _message(exc)
    return _page(m)


@bp.route("/district")
def district():
    """Every complex of a 시도/시군구 and the agencies they share."""
    sido = request.args.get("sido", "").strip() or None
    sigungu = request.args.get("sigungu", "").strip() or None
    try:
        m = district_map(get_db(), sido, sigungu, tiles=_tiles(), **_urls())
    except MapError as exc:
        return _message(exc, 404)
    return _page(m)


SENIOR_JOBS = "senior_jobs"


def access_options(args) -> dict:
    """The access measure's keyword arguments from a query string (also the comparison page's).

    type (repeatable) or category (repeatable), or supply=senior_jobs;
    demand (a network.demand key); level; radius; sigma (blank: half the
    radius; 0: no decay); weight=count to count every agency once.
    """
    try:
        radius = float(args.get("radius") or DEFAULT_RADIUS_KM)
        sigma_text = (args.get("sigma") or "").strip()
        sigma = None if sigma_text == "" else float(sigma_text)
    except ValueError:
        raise AccessError("access_not_numbers", radius=args.get("radius"), sigma=args.get("sigma")) from None
    types = [t.strip() for t in args.getlist("type") if t.strip()]
    categories = [c.strip() for c in args.getlist("category") if c.strip()]
    senior_jobs = args.get("supply") == SENIOR_JOBS
    if not types and not categories and not senior_jobs:
        types = [DEFAULT_ACCESS_TYPE]
    return {"agency_type": None, "types": types, "categories": categories, "senior_jobs": senior_jobs,
            "demand": (args.get("demand") or "age65").strip(), "level": args.get("level", "sigungu"),
            "radius_km": radius, "sigma_km": sigma, "capacity": args.get("weight") != "count"}


def _access_result():
    return accessibility(get_db(), **access_options(request.args))


@bp.route("/access")
def access():
    """E2SFCA access to one agency type by 시군구, 읍면동 or complex, as a choropleth."""
    try:
        result = _access_result()
        sido = request.args.get("sido", "").strip() or None
        if result.level == "eupmyeondong" and not sido:
            sido = "서울특별시"  # 행정동 boundaries ship for Seoul; nationwide dots are for the CLI
        m = access_map(result, tiles=_tiles(), sido=sido)
    except (AccessError, MapError) as exc:
        return _message(exc, 400)
    return _page(m)


@bp.route("/access.csv")
def access_csv():
    """The ranked table of least-served areas for the same parameters, as CSV."""
    import csv
    import io

    try:
        result = _access_result()
    except AccessError as exc:
        return _message(exc, 400)
    out = io.StringIO()
    csv.writer(out).writerows(ranked_table(result))
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=access.csv"})


# --- a planner's own demand table ---------------------------------------------

# A demand table holds one number per 시군구 or 읍면동: a national 읍면동
# table is ~3,600 rows, a few hundred KB. Past these it is not a demand table.
DEMAND_MAX_BYTES = 5 * 1024 * 1024
DEMAND_MAX_ROWS = 50_000
DEMAND_READ_SECONDS = 20.0
DEMAND_LEVELS = ("", "sigungu", "eupmyeondong")  # "": the table's own level


def _demand_choices(form) -> dict:
    """The form's choices as sent (or the defaults), to show again with any answer or error."""
    access_type = (form.get("access_type") or DEFAULT_ACCESS_TYPE).strip()
    level = form.get("level", "")
    return {"access_type": access_type, "level": level if level in DEMAND_LEVELS else "",
            "radius": (form.get("radius") or f"{DEFAULT_RADIUS_KM:g}").strip()[:20],
            "sigma": (form.get("sigma") or "").strip()[:20],
            "weight": "count" if form.get("weight") == "count" else "capacity",
            "column": (form.get("column") or "").strip()[:100]}


def _demand_options(choices: dict) -> dict:
    """The access measure's keyword arguments for the form's choices (as the access map reads its query)."""
    from werkzeug.datastructures import MultiDict

    args = MultiDict({"radius": choices["radius"], "sigma": choices["sigma"], "weight": choices["weight"]})
    if choices["access_type"] == SENIOR_JOBS:
        args["supply"] = SENIOR_JOBS
    else:
        args["type"] = choices["access_type"]
    options = access_options(args)
    del options["demand"], options["level"]  # the table is the demand, and says its level
    return options


def _upload_name(filename: str) -> str:
    """The file's own name for messages and its temporary copy: no folders or control characters, ≤ 100 characters."""
    name = "".join(ch for ch in Path(filename.replace("\\", "/")).name if ch.isprintable()).strip()
    suffix = Path(name).suffix[:10]
    if not name or name.startswith("."):
        name = "upload" + suffix
    return name if len(name) <= 100 else name[:100 - len(suffix)] + suffix


def _read_demand_upload(data: bytes, name: str, column: str | None):
    """The uploaded bytes read as a demand table; nothing of them is left on disk.

    The readers (CSV in UTF-8 or CP949, XLSX, an HTML-table "xls") read a
    path, so the bytes go to a private temporary folder — not instance/
    uploads, which keeps the administrators' imports — that is removed as
    soon as the table is read, before the measure runs, whatever happens.
    """
    from importers.demand_table import read_demand_table
    from importers.reading import ReadBudget

    budget = ReadBudget(name, seconds=DEMAND_READ_SECONDS)
    budget.max_rows = min(budget.max_rows, DEMAND_MAX_ROWS)
    with tempfile.TemporaryDirectory(prefix="yeongye-demand-") as folder:
        # Under its own name, which the readers' messages quote (the folder is private and removed).
        path = Path(folder) / name
        path.write_bytes(data)
        return read_demand_table(path, column=column or None, name=name, budget=budget)


def _csv_link(table: list[list]) -> str:
    """The ranked table as a data: URL (UTF-8 CSV with BOM, for Excel), so the download needs no stored copy."""
    import base64
    import csv
    import io

    out = io.StringIO()
    csv.writer(out).writerows(table)
    data = base64.b64encode(("\ufeff" + out.getvalue()).encode("utf-8")).decode("ascii")
    return "data:text/csv;charset=utf-8;base64," + data


def _demand_form(choices: dict, *, error: str | None = None, column_choices=(), status: int = 200, answer=None):
    return render_template("maps/demand.html", title=_("내 수요 표로 접근성 보기"), types=placed_types(get_db()),
                           choices=choices, senior_jobs=SENIOR_JOBS, error=error, column_choices=list(column_choices),
                           max_mb=DEMAND_MAX_BYTES // (1024 * 1024), max_bytes=DEMAND_MAX_BYTES,
                           answer=answer), status


@bp.route("/demand", methods=["GET", "POST"])
@login_required
def demand():
    """E2SFCA access on the planner's own demand table (CSV/XLSX by 시군구/읍면동 code or name).

    Signed-in users only (it is heavy work; POSTs are rate-limited in
    web/auth.py). The file is read and dropped within the request: the
    answer page carries the map and the ranked CSV itself, and nothing of
    the upload is stored, logged or kept in memory after the response.
    """
    from directory.errors import YeongyeError
    from network.access import covered_only, demand_coverage, least_served

    from .transfer import check_upload

    if request.method == "GET":
        return _demand_form(_demand_choices(request.args))
    choices = _demand_choices(request.form)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _demand_form(choices, error=_("수요 표 파일을 고르세요."), status=400)
    name = _upload_name(upload.filename)
    data = upload.stream.read(DEMAND_MAX_BYTES + 1)
    if len(data) > DEMAND_MAX_BYTES:
        return _demand_form(choices, status=413, error=_(
            "%(name)s: 파일이 너무 큽니다 (최대 %(mb)s MB). 수요 표는 지역마다 한 행이라 보통 1 MB도 되지 않습니다.",
            name=name, mb=DEMAND_MAX_BYTES // (1024 * 1024)))
    problem = check_upload(name, data[:65536])
    # Excel's "유니코드 텍스트" is UTF-16: its NULs are not a binary file, and the reader says how to save it.
    if problem and not (name.lower().endswith((".csv", ".tsv", ".txt")) and data.startswith((b"\xff\xfe", b"\xfe\xff"))):
        return _demand_form(choices, error=f"{name}: {problem}", status=415 if data else 400)
    try:
        table = _read_demand_upload(data, name, choices["column"])
        del data
        options = _demand_options(choices)
        level = table.level_for(choices["level"] or None)
        result = accessibility(get_db(), **options, level=level, demand_table=table.rows,
                               demand_label=table.column)
        coverage = demand_coverage(result)
        shown = covered_only(result)
        m = access_map(shown, tiles=_tiles(), sido=coverage["sido"])
    except YeongyeError as exc:
        return _demand_form(choices, error=error_message(exc), status=400,
                            column_choices=exc.params.get("choices") or ())
    from directory import messages

    # The map goes into the page itself (an iframe's srcdoc, escaped by Jinja)
    # rather than a cache entry behind a token: nothing of the upload outlives
    # this response, and it works the same with several server processes.
    map_html = render_page(m, lambda package, path: url_for("maps.asset", package=package, filename=path))
    rejected = [{"row": r["row"], "reason": messages.render(r["code"], r["params"], _)} for r in table.rejected]
    join = result.demand_join
    unmatched = list(zip(join["unmatched_at"], join["unmatched_rows"]))
    answer = {"file": name, "encoding": table.encoding, "column": table.column, "table_level": table.level,
              "level": result.level, "rows": len(table.rows), "rejected": rejected, "unmatched": unmatched,
              "join": join, "coverage": coverage, "worst": least_served(shown, 10), "result": result,
              "map_html": map_html, "csv": _csv_link(ranked_table(shown)),
              "csv_name": f"접근성-순위-{Path(name).stem[:60]}.csv", "total": sum(row["value"] for row in table.rows),
              # One 시도 said once in the heading: the phone's table keeps its 구 names on one line.
              "one_sido": coverage["sido"] if coverage["sidos"] == [coverage["sido"]] else None}
    return _demand_form(choices, answer=answer)
