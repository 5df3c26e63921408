"""A supportive house's outcome pages, on the /housing/ blueprint of :mod:`web.housing`.

Kept beside web/housing.py (the houses, their profiles and agreements) as
web/api_housing.py is beside web/api.py, so each file fits one reading.
For the house's 코디네이터 and 수퍼바이저 (who write) and the city's
evaluator (who reads every house of the city, and writes nothing):

- ``/housing/<id>/indicators`` — the five indicators with their inputs,
  targets and the manual's "사유 작성" prompts, each with its reason form;
- ``/housing/<id>/counts`` — the 주거유지율 counts of an evaluation and the
  이탈/입원 people of each counting year;
- ``/housing/<id>/sheets`` — one resident's sheet at a time (외로움과 사회적
  고립 척도 or AUDIT-K): scored in memory, only the wave's sums stored; the
  score is shown once, in the answer to the POST (``Cache-Control:
  no-store``), and a reload cannot enter it twice. ``/sheets/withdraw`` is
  the same form taking a sheet back out;
- ``/housing/<id>/staffing``, ``/scorecard`` (the 21 indicators, with the
  links' evidence for 15 and 19) and ``/committee`` — calculators that store
  nothing;
- ``/housing/<id>/report`` — the indicators on one printable A4 page.

Answers travel in POST bodies only, never in a URL (servers log URLs).
"""
from __future__ import annotations

import secrets
from datetime import date

from flask import abort, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from directory import indicators as ind
from directory import outcomes
from directory.errors import YeongyeError
from network.linkage_evidence import SERVICE_PLAN_INDICATOR, SH_INDICATOR, linkage_evidence

from .auth import check_complex_edit
from .db import get_db
from .errors import error_message
from .housing import bp, readable_house

INSTRUMENT_ITEMS = {"isolation": ind.ISOLATION_SCALE, "audit": ind.AUDIT_SCALE}
SOURCES = {"isolation": "황수진 외(2021), 외로움과 사회적 고립 척도의 개발 및 타당화 연구",
           "audit": "조근호 외(2009), 한국어판 AUDIT-K의 최적 절단값 · 저작권 Thomas Babor & WHO"}
# How many sheet forms a user may have open at once (tabs, a second phone); each is good for one entry.
OPEN_SHEETS = 8
COUNT_FIELDS = ("total", "continuing", *(f"exit_{k}" for k in ind.EXIT_KINDS))
STAFF_FIELDS = ("mental_illness", "alcohol", "residents", "coordinators", "supervisors")


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def _outcomes(site: dict, evaluation=None):
    """The house's indicators, or (None, the reason there are none: no agreement, no notice)."""
    try:
        return outcomes.house_outcomes(get_db(), site["id"], evaluation=evaluation, actor=current_user), None
    except YeongyeError as exc:
        if isinstance(exc, outcomes.OutcomeError) and exc.code == "evaluation_month_invalid":
            raise
        return None, error_message(exc)


# --- the five indicators ---------------------------------------------------------------


@bp.route("/<int:site_id>/indicators")
@login_required
def indicators(site_id: int):
    """The five indicators of the current agreement, their inputs, targets, prompts and reasons."""
    site = readable_house(site_id)
    evaluation = request.args.get("evaluation", "").strip() or None
    try:
        result, missing = _outcomes(site, evaluation)
    except YeongyeError as exc:
        result, missing = _outcomes(site)
        flash(error_message(exc), "error")
    return _indicators_page(site, result, missing)


def _prompts(result) -> dict:
    """The manual's prompts in the request's language (translated here: their text has a bare '%')."""
    return {k: _(p) for k, p in (result or {}).get("prompts", {}).items() if p}


def _indicators_page(site, result, missing, *, errors=None, typed=None, status=200):
    return render_template("housing/indicators.html", site=site, r=result, missing=missing, prompts=_prompts(result),
                           can_edit=current_user.can_edit_complex(site["id"]), errors=errors or {},
                           typed=typed or {}, labels=ind.INDICATOR_LABELS, exit_labels=ind.EXIT_LABELS,
                           exit_kinds=ind.EXIT_KINDS, title=_("성과지표")), status


@bp.route("/<int:site_id>/reasons/<indicator>", methods=["POST"])
@login_required
def reason(site_id: int, indicator: str):
    """Write (or, empty, remove) the reason beside an indicator; personal data is refused."""
    denied = check_complex_edit(site_id)
    if denied is not None:
        return denied
    site = readable_house(site_id)
    if indicator not in ind.INDICATORS:
        abort(404)
    text = request.form.get("reason", "")
    version = request.form.get("version", "")
    try:
        outcomes.set_reason(get_db(), site_id, indicator, text,
                            expected_version=int(version) if version.isdigit() else None, actor=current_user)
    except YeongyeError as exc:
        result, missing = _outcomes(site)
        return _indicators_page(site, result, missing, errors={indicator: error_message(exc)},
                                typed={indicator: text}, status=400 if exc.code != "outcome_conflict" else 409)
    flash(_("사유를 저장했습니다.") if text.strip() else _("사유를 지웠습니다."), "ok")
    return redirect(url_for("housing.indicators", site_id=site_id) + f"#{indicator}")


# --- counts ------------------------------------------------------------------------------


@bp.route("/<int:site_id>/counts", methods=["GET", "POST"])
@login_required
def counts(site_id: int):
    """Enter the 주거유지율 counts of an evaluation (A, B and the exits five ways)."""
    denied = check_complex_edit(site_id)
    if denied is not None:
        return denied
    site = readable_house(site_id)
    result, missing = _outcomes(site)
    if request.method == "GET":
        stored = (result or {}).get("retention")
        values = {"evaluation_month": (result or {}).get("evaluation_month") or date.today().strftime("%Y-%m")}
        if stored:
            values.update(total=stored["total"], continuing=stored["continuing"], version=stored["version"],
                          **{f"exit_{k}": v for k, v in stored["exits"].items()})
        return _counts_page(site, result, missing, values)
    values = {k: request.form.get(k, "").strip() for k in ("evaluation_month", "version", *COUNT_FIELDS)}
    try:
        outcomes.record_retention(
            get_db(), site_id, values["evaluation_month"], total=values["total"], continuing=values["continuing"],
            exits={k: values[f"exit_{k}"] or "0" for k in ind.EXIT_KINDS},
            expected_version=_stored_version(result, values), actor=current_user)
    except YeongyeError as exc:
        return _counts_page(site, result, missing, values, error=error_message(exc), status=400)
    flash(_("주거유지율 인원을 기록했습니다."), "ok")
    return redirect(url_for("housing.indicators", site_id=site_id, evaluation=values["evaluation_month"])
                    + "#retention")


def _stored_version(result, values):
    """The version the form was read at, when it edits the month it was read for (else: a new month's row)."""
    stored = (result or {}).get("retention")
    if stored and values.get("version", "").isdigit() and result["evaluation_month"] == values["evaluation_month"]:
        return int(values["version"])
    return None


@bp.route("/<int:site_id>/counts/years/<int:year>", methods=["POST"])
@login_required
def year_counts(site_id: int, year: int):
    """Enter one counting year's residents (A) and the people who left (이탈) or were in hospital (입원)."""
    denied = check_complex_edit(site_id)
    if denied is not None:
        return denied
    site = readable_house(site_id)
    values = {k: request.form.get(k, "").strip() for k in ("residents", "departed", "hospitalised", "version")}
    try:
        outcomes.record_year(get_db(), site_id, year, residents=values["residents"],
                             departed=values["departed"] or "0", hospitalised=values["hospitalised"] or "0",
                             expected_version=int(values["version"]) if values["version"].isdigit() else None,
                             actor=current_user)
    except YeongyeError as exc:
        result, missing = _outcomes(site)
        return _counts_page(site, result, missing, {}, year_error=(year, error_message(exc), values), status=400)
    flash(_("%(year)s년 인원을 기록했습니다.", year=year), "ok")
    return redirect(url_for("housing.counts", site_id=site_id) + f"#year-{year}")


def _counts_page(site, result, missing, values, *, error=None, year_error=None, status=200):
    return render_template("housing/counts.html", site=site, r=result, missing=missing, values=values,
                           error=error, year_error=year_error, exit_kinds=ind.EXIT_KINDS,
                           exit_labels=ind.EXIT_LABELS, title=_("성과지표 인원 입력")), status


# --- score sheets ------------------------------------------------------------------------


def _sheet_token() -> str:
    """A one-entry token for a fresh sheet form, kept (with a few others) in the signed session."""
    token = secrets.token_urlsafe(16)
    session["sheet_tokens"] = [*session.get("sheet_tokens", [])[-(OPEN_SHEETS - 1):], token]
    return token


def _spend_token(token: str) -> bool:
    """Use up a form's token: False when it was used already (a reload, a double tap) or never issued."""
    open_tokens = session.get("sheet_tokens", [])
    if not token or token not in open_tokens:
        return False
    session["sheet_tokens"] = [t for t in open_tokens if t != token]
    return True


def _choice(value: str | None, allowed, default: str) -> str:
    return value if value in allowed else default


@bp.route("/<int:site_id>/sheets", methods=["GET", "POST"], defaults={"withdraw": False})
@bp.route("/<int:site_id>/sheets/withdraw", methods=["GET", "POST"], defaults={"withdraw": True})
@login_required
def sheets(site_id: int, withdraw: bool):
    """One resident's sheet: scored in memory, added to (or taken from) its wave; the score shown once."""
    denied = check_complex_edit(site_id)
    if denied is not None:
        return denied
    site = readable_house(site_id)
    instrument = _choice(request.values.get("instrument"), outcomes.INSTRUMENTS, "isolation")
    wave = _choice(request.values.get("wave"), outcomes.WAVES, "pre")
    result, missing = _outcomes(site)
    scored = error = None
    answers: list = []
    sex = ""
    status = 200
    if request.method == "POST":
        items = len(INSTRUMENT_ITEMS[instrument])
        answers = [request.form.get(f"q{i}", "") for i in range(1, items + 1)]
        sex = request.form.get("sex", "") if instrument == "audit" else ""
        if not _spend_token(request.form.get("once", "")):
            error, status, answers, sex = _("이 응답지는 이미 기록했거나 화면이 오래되었습니다. 새 응답지로 다시 입력하세요. "
                                            "(같은 응답지가 두 번 더해지지 않게 막았습니다.)"), 409, [], ""
        else:
            try:
                # Scored here first for its own error (in the request's language) and the score to show.
                scored = _score(instrument, answers, sex)
                scored["wave"] = outcomes.record_sheet(get_db(), site_id, instrument, wave, answers, sex=sex or None,
                                                       withdraw=withdraw, actor=current_user)
            except YeongyeError as exc:
                scored, error, status = None, error_message(exc), 400
            else:
                answers, sex = [], ""  # the next resident's sheet starts blank
                result, missing = _outcomes(site)
    response = render_template(
        "housing/sheets.html", site=site, r=result, missing=missing, instrument=instrument, wave=wave,
        withdraw=withdraw, items=INSTRUMENT_ITEMS[instrument], source=SOURCES[instrument], answers=answers, sex=sex,
        scored=scored, error=error, once=_sheet_token(), instruments=outcomes.INSTRUMENT_LABELS,
        waves=outcomes.WAVE_LABELS, sexes=ind.SEX_LABELS, cutoffs=ind.AUDIT_CUTOFFS,
        title=_("응답지 빼기") if withdraw else _("응답지 입력"))
    return _no_store(make_response(response, status))


def _score(instrument: str, answers: list, sex: str) -> dict:
    """What the screen says of the sheet just entered (then nothing keeps it); IndicatorError if it cannot be scored."""
    if instrument == "isolation":
        return {"value": ind.score_isolation(answers).display}
    score = ind.score_audit(answers, sex)
    return {"value": score.total, "band": score.band, "band_label": ind.BAND_LABELS[score.band]}


# --- staffing, scorecard, committee (calculators: nothing stored) ---------------------------


@bp.route("/<int:site_id>/staffing")
@login_required
def staffing(site_id: int):
    """Coordinators and a supervisor the house needs for its residents, against the staff it has."""
    site = readable_house(site_id)
    given = {k: request.args.get(k, "").strip() for k in STAFF_FIELDS}
    if not any(given.values()):
        # A first look starts from the house itself: its 정원 in the group it houses.
        capacity = str(site.get("capacity") or "")
        given["mental_illness"] = capacity if site.get("mental_illness_issues") else ""
        given["alcohol"] = capacity if site.get("alcohol_issues") and not site.get("mental_illness_issues") else ""
    check = error = None
    try:
        check = ind.staffing(given["mental_illness"] or 0, given["alcohol"] or 0,
                             residents=given["residents"] or None, coordinators=given["coordinators"] or None,
                             supervisors=given["supervisors"] or None)
    except YeongyeError as exc:
        error = error_message(exc)
    return render_template("housing/staffing.html", site=site, values=given, check=check, error=error,
                           per_mental=ind.MENTAL_PER_COORDINATOR, per_alcohol=ind.ALCOHOL_PER_COORDINATOR,
                           per_mixed=ind.MIXED_PER_CASE_MANAGER, title=_("인력 배치 기준")), 400 if error else 200


@bp.route("/<int:site_id>/scorecard", methods=["GET", "POST"])
@login_required
def scorecard(site_id: int):
    """The 21-indicator evaluation table: grades to points, the mandatory 미흡 that call for 즉시 시정조치."""
    site = readable_house(site_id)
    table = ind.evaluation_indicators()
    chosen = {i.number: request.form.get(f"g{i.number}", "") for i in table if i.scale != "opinion"}
    opinion = request.form.get("opinion", "")
    card = error = None
    if request.method == "POST":
        try:
            card = ind.score_evaluation({n: g for n, g in chosen.items() if g != ""}, opinion=opinion or None)
        except YeongyeError as exc:
            error = error_message(exc)
    evidence = linkage_evidence(get_db(), site_id)
    return render_template("housing/scorecard.html", site=site, table=table, chosen=chosen, opinion=opinion,
                           card=card, error=error, evidence=evidence, grades=ind.GRADES,
                           grade_labels=ind.GRADE_LABELS, service_plan=SERVICE_PLAN_INDICATOR,
                           sh=SH_INDICATOR, bonus_max=ind.BONUS_MAX, title=_("성과평가표")), 400 if error else 200


@bp.route("/<int:site_id>/committee", methods=["GET", "POST"])
@login_required
def committee(site_id: int):
    """The committee's score: nine members' totals, the highest and the lowest dropped, the rest averaged."""
    site = readable_house(site_id)
    scores = [request.form.get(f"m{i}", "").strip() for i in range(1, ind.COMMITTEE_SIZE + 1)]
    result = error = None
    if request.method == "POST":
        try:
            result = ind.committee_score(scores)
        except YeongyeError as exc:
            error = error_message(exc)
    dropped = {}
    if result:
        # Which inputs were dropped: the first highest and the first lowest, as the manual drops one of each.
        values = list(result.scores)
        high = values.index(result.dropped[0])
        low = next(i for i, v in enumerate(values) if v == result.dropped[1] and i != high)
        dropped = {high: _("최고점 제외"), low: _("최저점 제외")}
    return render_template("housing/committee.html", site=site, scores=scores, result=result, error=error,
                           dropped=dropped, members=ind.COMMITTEE_SIZE, title=_("심의위원회 점수")), \
        400 if error else 200


# --- the one-page report -------------------------------------------------------------------


@bp.route("/<int:site_id>/report")
@login_required
def report(site_id: int):
    """The five indicators with their inputs on one printable A4 page (the manual's tables)."""
    site = readable_house(site_id)
    evaluation = request.args.get("evaluation", "").strip() or None
    result, missing = _outcomes(site, evaluation)
    return render_template("housing/report.html", site=site, r=result, missing=missing, prompts=_prompts(result),
                           labels=ind.INDICATOR_LABELS, exit_kinds=ind.EXIT_KINDS, exit_labels=ind.EXIT_LABELS,
                           today=date.today())
