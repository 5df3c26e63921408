"""Supportive houses (지원주택): the list, each house's page, its profile and agreement forms, the city's overview,
and a house's procedures (선정 to 퇴거 지원) as playbooks; its outcome pages are web/housing_outcomes.py.

A house is a complex (:mod:`directory.sites`), so its partners, contact log,
gaps and map are the complex dashboard's own pieces (``network.report``,
``/complexes/<id>/edit``, ``/maps/complex/<id>``); this blueprint adds what a
house has beyond a complex. Who sees what is the core's rule
(:func:`directory.sites.can_read_site`): the house's 코디네이터 and
수퍼바이저, the city's evaluator (a planner of the city) and administrators.
Every write is one core call with ``actor=current_user``; a refused form
comes back with what was typed in it and the reason beside it.
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from directory import house_procedures, outcomes, sites
from directory.errors import YeongyeError
from directory.playbooks import say
from directory.vocabulary import PLACEMENT_LABELS
from network.report import complex_report

from .auth import admin_required, check_complex_edit, role_required
from .db import get_db
from .errors import error_message

bp = Blueprint("housing", __name__, url_prefix="/housing")

SITE_FORM = ("name", "kind", "capacity", "target_group", "operator", "provider_agency_id", "address")


def readable_house(site_id: int) -> dict:
    """The house with its agreements, if the signed-in user may read it (else 403; 404 when there is none)."""
    site = sites.get_site(get_db(), site_id)
    if not sites.can_read_site(current_user, site):
        abort(403, _("이 주택의 협약과 성과 자료는 주택 담당자, 시 평가 담당, 관리자만 볼 수 있습니다."))
    return site


@bp.route("/")
@login_required
def index():
    """The houses the user may read: their own (코디네이터, 수퍼바이저), the city's (평가 담당), or all (관리자)."""
    houses = sites.readable_sites(get_db(), current_user)
    return render_template("housing/index.html", houses=houses, title=_("지원주택"))


@bp.route("/overview")
@role_required("planner")
def overview():
    """The evaluator's view: every house of the user's city, its 정원, provider, agreement, notice and
    주거유지율 with the reasons still to write, read-only, each linking to its indicators and report."""
    db = get_db()
    houses = sites.readable_sites(db, current_user)
    figures = {}
    for house in houses:
        try:
            figures[house["id"]] = outcomes.house_outcomes(db, house["id"], actor=current_user)
        except YeongyeError:
            continue  # no agreement, or no notice yet: the row says so
    return render_template("housing/overview.html", houses=houses, figures=figures, title=_("지원주택 평가 현황"))


@bp.route("/<int:site_id>")
@login_required
def detail(site_id: int):
    """A house: kind, 정원, provider, agreements, partners and gaps (the complex dashboard's pieces)."""
    site = readable_house(site_id)
    report = complex_report(get_db(), site_id)
    return render_template("housing/detail.html", site=site, r=report, title=site["name"],
                           can_edit=current_user.can_edit_complex(site_id),
                           my_role=current_user.site_role_label(site["kind"]),
                           applies_from=sites.indicators_apply_from(site["current"]),
                           placement_label=PLACEMENT_LABELS.get(site["placement"], site["placement"]))


# --- the house's profile -----------------------------------------------------------


def _site_form() -> dict:
    return {k: request.form.get(k, "").strip() for k in SITE_FORM}


def _form_page(site: dict | None, values: dict, error: str | None = None, status: int = 200):
    query = request.values.get("provider_q", "").strip()
    choices = sites.provider_choices(get_db(), query)
    current = (site or {}).get("provider") if site else None
    if current and all(c["id"] != current["id"] for c in choices):
        choices.insert(0, current)
    return render_template("housing/site_form.html", site=site, values=values, error=error, choices=choices,
                           provider_q=query, kinds=sites.KIND_LABELS,
                           title=_("주택 정보 고치기") if site else _("지원주택 등록")), status


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def new():
    """Register a house (administrators): name, 정원, provider, SH/LH, address (placed like an agency)."""
    if request.method == "GET" or "find_provider" in request.form:
        values = _site_form() if request.method == "POST" else {"kind": sites.SUPPORTIVE}
        return _form_page(None, values)
    values = _site_form()
    try:
        site = sites.create_site(get_db(), {k: v or None for k, v in values.items()}, actor=current_user)
    except YeongyeError as exc:
        return _form_page(None, values, error_message(exc), 400)
    flash(_("지원주택을 등록했습니다."), "ok")
    return redirect(url_for("housing.detail", site_id=site["id"]))


@bp.route("/<int:site_id>/edit", methods=["GET", "POST"])
@login_required
def edit(site_id: int):
    """Change a house's 정원, provider, group, SH/LH or address (its staff and administrators)."""
    denied = check_complex_edit(site_id)
    if denied is not None:
        return denied
    site = sites.get_site(get_db(), site_id)
    if request.method == "GET" or "find_provider" in request.form:
        values = _site_form() if request.method == "POST" else {k: site.get(k) or "" for k in SITE_FORM}
        return _form_page(site, values)
    values = _site_form()
    # Only what changed: an untouched address must not move the house off its position.
    changes = {k: v or None for k, v in values.items()
               if v != ("" if site.get(k) is None else str(site[k])) and (k != "kind" or current_user.is_admin)}
    try:
        sites.update_site(get_db(), site_id, changes, actor=current_user)
    except YeongyeError as exc:
        return _form_page(site, values, error_message(exc), 400)
    flash(_("저장했습니다."), "ok")
    return redirect(url_for("housing.detail", site_id=site_id))


# --- agreements -------------------------------------------------------------------

AGREEMENT_FORM = ("starts", "ends", "notice_date", "renews_id", "note", "version")


def _agreement_form() -> dict:
    return {k: request.form.get(k, "").strip() for k in AGREEMENT_FORM}


def _agreement_page(site: dict, values: dict, agreement: dict | None = None, error: str | None = None,
                    status: int = 200):
    others = [a for a in site["agreements"] if not agreement or a["id"] != agreement["id"]]
    return render_template("housing/agreement_form.html", site=site, values=values, agreement=agreement,
                           others=others, error=error,
                           title=_("협약 고치기") if agreement else _("협약 등록")), status


def _agreement_args(values: dict) -> dict:
    renews = values.get("renews_id") or None
    return {"notice_date": values.get("notice_date") or None, "note": values.get("note") or None,
            "renews_id": int(renews) if renews and renews.isdigit() else None}


@bp.route("/<int:site_id>/agreements/new", methods=["GET", "POST"])
@login_required
def agreement_new(site_id: int):
    """Record an operating agreement (협약): start, end, the one it renews, the city's notice date."""
    denied = check_complex_edit(site_id)
    if denied is not None:
        return denied
    site = sites.get_site(get_db(), site_id)
    if request.method == "GET":
        last = site["agreements"][-1] if site["agreements"] else None
        values = {"starts": last["ends"] if last else "", "renews_id": str(last["id"]) if last else "",
                  "notice_date": (last or {}).get("notice_date") or ""}
        return _agreement_page(site, values)
    values = _agreement_form()
    try:
        sites.add_agreement(get_db(), site_id, values["starts"], values["ends"], **_agreement_args(values),
                            actor=current_user)
    except YeongyeError as exc:
        return _agreement_page(site, values, error=error_message(exc), status=400)
    flash(_("협약을 기록했습니다."), "ok")
    return redirect(url_for("housing.detail", site_id=site_id) + "#agreements")


@bp.route("/<int:site_id>/agreements/<int:agreement_id>", methods=["GET", "POST"])
@login_required
def agreement_edit(site_id: int, agreement_id: int):
    """Change an agreement, only if nobody changed it since the form was opened."""
    denied = check_complex_edit(site_id)
    if denied is not None:
        return denied
    db = get_db()
    site = sites.get_site(db, site_id)
    agreement = sites.get_agreement(db, agreement_id, site_id=site_id)
    if request.method == "GET":
        values = {k: "" if agreement.get(k) is None else str(agreement[k]) for k in AGREEMENT_FORM}
        return _agreement_page(site, values, agreement)
    values = _agreement_form()
    try:
        sites.update_agreement(db, agreement_id, starts=values["starts"], ends=values["ends"],
                               expected_version=int(values["version"]) if values["version"].isdigit() else None,
                               **_agreement_args(values), actor=current_user)
    except YeongyeError as exc:
        status = 409 if isinstance(exc, sites.AgreementConflict) else 400
        return _agreement_page(site, values, sites.get_agreement(db, agreement_id), error_message(exc), status)
    flash(_("저장했습니다."), "ok")
    return redirect(url_for("housing.detail", site_id=site_id) + "#agreements")


@bp.route("/<int:site_id>/agreements/<int:agreement_id>/delete", methods=["POST"])
@login_required
def agreement_delete(site_id: int, agreement_id: int):
    """Delete an agreement entered by mistake (the audit log keeps it)."""
    denied = check_complex_edit(site_id)
    if denied is not None:
        return denied
    db = get_db()
    sites.get_agreement(db, agreement_id, site_id=site_id)
    version = request.form.get("version", type=int)
    try:
        sites.delete_agreement(db, agreement_id, expected_version=version, actor=current_user)
    except sites.AgreementConflict as exc:
        flash(error_message(exc), "error")
    else:
        flash(_("협약을 삭제했습니다."), "ok")
    return redirect(url_for("housing.detail", site_id=site_id) + "#agreements")


# --- procedures (playbooks) -------------------------------------------------------------


@bp.route("/<int:site_id>/procedures", methods=["GET", "POST"])
@login_required
def procedures(site_id: int):
    """A procedure of the house — selection, contract, move-in, renewal, exits, support after exit — with
    each step's due date from the day it starts and the nearest agency to call; nothing is stored.

    The start day comes in a POST body (a resident's move-in day stays out of URLs and their logs).
    """
    site = readable_house(site_id)
    choices = house_procedures.procedures()
    code = request.values.get("code") or choices[0]["code"]
    if code not in {c["code"] for c in choices}:
        abort(404)
    start = request.form.get("start", "").strip() if request.method == "POST" else ""
    situations = request.form.getlist("situation") if request.method == "POST" else []
    error = None
    try:
        result = house_procedures.house_plan(get_db(), site_id, code, start=start or None, situations=situations,
                                             actor=current_user)
    except YeongyeError as exc:
        error = error_message(exc)
        result = house_procedures.house_plan(get_db(), site_id, code, actor=current_user)
    response = make_response(render_template(
        "housing/procedures.html", site=site, choices=choices, code=code, r=result, error=error,
        typed_start=start or result["start"], today=date.today().isoformat(), say=lambda words: say(words, _),
        title=_("입주·퇴거 절차")), 400 if error else 200)
    response.headers["Cache-Control"] = "no-store"
    return response
