"""The JSON API of supportive houses' outcome indicators, on the /api/ blueprint of :mod:`web.api`.

Kept beside web/api.py (which has the houses and agreements) so each file
fits one reading. A house's indicators are read by its staff, the city's
evaluator and administrators; counts, sheets and reasons are written by its
코디네이터 and 수퍼바이저 (the core checks, ``actor=current_user``). A sheet
comes in the request's body, is scored in memory and only its wave's sums
are stored. Rates and means are JSON strings ("87.5"): the manual's
truncated figures, exactly. The staffing, scorecard and committee
calculators hold no data and need no account.
"""
from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from directory import house_procedures, outcomes
from directory import indicators as ind

from .api import _bad, _body, _id, _int, _readable_house, _text, bp
from .db import get_db

MAX_COUNT = ind.MAX_COUNT
MAX_SHEETS = outcomes.MAX_SHEETS


def _count(data: dict, name: str, *, required: bool = False, low: int = 0):
    return _int(data.get(name), name, required=required, low=low, high=MAX_COUNT)


def _version(data: dict):
    return _int(data.get("version"), "version", low=0)


@bp.route("/houses/<int:site_id>/outcomes")
def house_outcomes(site_id: int):
    """A house's five outcome indicators for its current agreement (?evaluation=YYYY-MM)."""
    _readable_house(site_id)
    evaluation = _text(request.args.get("evaluation"), "evaluation", max_len=10)
    result = outcomes.house_outcomes(get_db(), site_id, evaluation=evaluation, actor=current_user)
    return jsonify(outcomes.as_plain(result))


@bp.route("/houses/<int:site_id>/outcomes/retention", methods=["PUT"])
def put_retention(site_id: int):
    """The 주거유지율 counts of an evaluation: `evaluation_month`, `total` (A), `continuing` (B), `exits` by kind."""
    _readable_house(site_id)
    data = _body()
    exits = data.get("exits") or {}
    if not isinstance(exits, dict) or len(exits) > len(ind.EXIT_KINDS):
        _bad(_("exits 는 퇴거 사유별 인원(independent, facility, death, absconded, prison)이어야 합니다."))
    exits = {_text(k, "exits", max_len=30): _int(v, "exits", required=True, low=0, high=MAX_COUNT)
             for k, v in exits.items()}
    row = outcomes.record_retention(get_db(), site_id, _text(data.get("evaluation_month"), "evaluation_month",
                                                             max_len=10) or "",
                                    total=_count(data, "total", required=True, low=1),
                                    continuing=_count(data, "continuing", required=True), exits=exits,
                                    expected_version=_version(data), actor=current_user)
    return jsonify(row)


@bp.route("/houses/<int:site_id>/outcomes/years/<int:year>", methods=["PUT"])
def put_year(site_id: int, year: int):
    """One calendar year's `residents` (A), `departed` (이탈 실인원) and `hospitalised` (입원 실인원)."""
    _readable_house(site_id)
    data = _body()
    row = outcomes.record_year(get_db(), site_id, _id(year), residents=_count(data, "residents", required=True),
                               departed=_count(data, "departed") or 0, hospitalised=_count(data, "hospitalised") or 0,
                               expected_version=_version(data), actor=current_user)
    return jsonify(row)


@bp.route("/houses/<int:site_id>/outcomes/sheets", methods=["POST"])
def post_sheets(site_id: int):
    """Scored sheets added to (or, with `withdraw`, taken from) a wave: `instrument`, `wave`, `sheets`
    [{answers, sex}]; only the wave's sums are stored. Returns the wave after."""
    _readable_house(site_id)
    data = _body()
    sheets = data.get("sheets")
    if not isinstance(sheets, list) or not 1 <= len(sheets) <= MAX_SHEETS:
        _bad(_("sheets 는 응답지 1~%(n)s장의 목록이어야 합니다.", n=MAX_SHEETS))
    pairs = []
    for sheet in sheets:
        answers = sheet.get("answers") if isinstance(sheet, dict) else None
        sex = sheet.get("sex") if isinstance(sheet, dict) else None
        if not isinstance(answers, list) or len(answers) > ind.AUDIT_ITEMS or not all(
                isinstance(a, (str, int)) and not isinstance(a, bool) and len(str(a)) <= 40 for a in answers):
            _bad(_("응답지마다 answers(문항별 응답 목록)가 있어야 합니다."))
        if sex is not None and (not isinstance(sex, str) or len(sex) > 10):
            _bad(_("sex 는 남 또는 여여야 합니다."))
        pairs.append((answers, sex))
    withdraw = data.get("withdraw", False)
    if not isinstance(withdraw, bool):
        _bad(_("withdraw 는 true 또는 false 여야 합니다."))
    wave = outcomes.record_sheets(get_db(), site_id, _text(data.get("instrument"), "instrument", max_len=20) or "",
                                  _text(data.get("wave"), "wave", max_len=10) or "", pairs, withdraw=withdraw,
                                  actor=current_user)
    return jsonify(outcomes.as_plain(wave))


@bp.route("/houses/<int:site_id>/outcomes/reasons", methods=["PUT"])
def put_reason(site_id: int):
    """The reason the manual asks for beside an `indicator` (`reason`; empty removes it); no personal data."""
    _readable_house(site_id)
    data = _body()
    row = outcomes.set_reason(get_db(), site_id, _text(data.get("indicator"), "indicator", max_len=20) or "",
                              _text(data.get("reason"), "reason", max_len=outcomes.MAX_REASON) or "",
                              expected_version=_version(data), actor=current_user)
    return jsonify(row) if row else ("", 204)


@bp.route("/houses/<int:site_id>/procedures", methods=["GET", "POST"])
def house_procedure_plan(site_id: int):
    """GET: the supportive-housing procedures (code, title, the day each counts from, situations, stages).
    POST: one `procedure` for the house from `start` (YYYY-MM-DD, default today) with `situations`: due
    dates and the nearest agency per step; nothing stored. The date is in the body, not the URL (logs)."""
    _readable_house(site_id)
    if request.method == "GET":
        return jsonify(items=house_procedures.procedures())
    data = _body()
    situations = data.get("situations") or []
    if not isinstance(situations, list) or len(situations) > 5 or not all(
            isinstance(s, str) and len(s) <= 20 for s in situations):
        _bad(_("situations 는 상황 코드의 목록이어야 합니다."))
    result = house_procedures.house_plan(get_db(), site_id, _text(data.get("procedure"), "procedure", max_len=60) or "",
                                         start=_text(data.get("start"), "start", max_len=10),
                                         situations=situations, actor=current_user)
    return jsonify(result)


@bp.route("/housing/staffing")
def staffing():
    """Coordinators a house needs for ?mental_illness= and ?alcohol= residents; checked against ?coordinators=."""
    args = {}
    for name in ("mental_illness", "alcohol", "residents", "coordinators", "supervisors"):
        value = request.args.get(name)
        if value is not None and not (value.isascii() and value.isdigit() and len(value) <= 6):
            _bad(_("%(name)s 은(는) %(low)s~%(high)s 사이의 정수여야 합니다.", name=name, low=0, high=MAX_COUNT))
        args[name] = int(value) if value is not None else None
    check = ind.staffing(args["mental_illness"] or 0, args["alcohol"] or 0, residents=args["residents"],
                         coordinators=args["coordinators"], supervisors=args["supervisors"])
    return jsonify({**check.__dict__, "coordinators_short": check.coordinators_short,
                    "supervisor_missing": check.supervisor_missing})


@bp.route("/housing/evaluation-indicators")
def evaluation_indicators():
    """The manual's 21 evaluation indicators: area, item, points per grade (null where X), mandatory."""
    return jsonify(items=[i.__dict__ | {"evidence": list(i.evidence)} for i in ind.evaluation_indicators()])


@bp.route("/housing/scorecard", methods=["POST"])
def scorecard():
    """Score the evaluation table: `grades` {number: 우수/보통/미흡, "20": 0–5}, `opinion` (종합소견)."""
    data = _body()
    grades = data.get("grades") or {}
    if not isinstance(grades, dict) or len(grades) > 30 or not all(
            isinstance(v, (str, int)) and not isinstance(v, bool) and len(str(v)) <= 10 for v in grades.values()):
        _bad(_("grades 는 세부지표 번호와 평점의 객체여야 합니다."))
    card = ind.score_evaluation(grades, opinion=_text(data.get("opinion"), "opinion", max_len=ind.MAX_OPINION))
    return jsonify(outcomes.as_plain({**card.__dict__, "points": {str(k): v for k, v in card.points.items()},
                                      "grades": {str(k): v for k, v in card.grades.items()},
                                      "complete": card.complete, "corrective_action": card.corrective_action}))


@bp.route("/housing/committee", methods=["POST"])
def committee():
    """The committee's score: `scores` of its 9 members, the highest and the lowest dropped, the rest averaged."""
    data = _body()
    scores = data.get("scores")
    if not isinstance(scores, list) or len(scores) > 50 or not all(
            isinstance(v, (int, float, str)) and not isinstance(v, bool) and len(str(v)) <= 10 for v in scores):
        _bad(_("scores 는 위원별 점수의 목록이어야 합니다."))
    result = ind.committee_score(scores)
    return jsonify(outcomes.as_plain({"scores": list(result.scores), "dropped": list(result.dropped),
                                      "mean": str(result.display),
                                      "exact": f"{result.mean.numerator}/{result.mean.denominator}"}))
