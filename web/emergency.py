"""긴급복지 주거지원: the screener page for a phone and its JSON API; nothing typed is stored or logged.

The page (``/emergency/``) is a form posted to itself: the answer comes
first — "지금 112/129" when it must, the verdict, why (each rule with its
numbers), what to bring —, then whom to call tonight near the chosen
complex with ``tel:`` links, the follow-up checklist and the procedure. The
answers travel in the POST body only (never in a URL, which servers log),
come back in the form so a worker can change one and ask again, and the
response is ``Cache-Control: no-store``. A complex's staff may tick one box
to add the screening to the complex's anonymous monthly count.

The API (``POST /api/emergency/screen``, ``POST /api/emergency/contacts``)
takes the same answers as JSON and stores nothing either; like the rest of
``/api/`` it needs no CSRF token because it only accepts
``Content-Type: application/json``.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from directory import emergency
from directory.emergency_contacts import tonight
from directory.errors import YeongyeError
from directory.paths import REFERENCE_DIR
from directory.playbooks import say
from directory.store import get_complex, list_complexes

from .api import _body, _int
from .auth import csrf
from .db import get_db
from .errors import error_message, error_status

bp = Blueprint("emergency", __name__, url_prefix="/emergency")
api_bp = Blueprint("emergency_api", __name__, url_prefix="/api/emergency")
csrf.exempt(api_bp)

FORM_FIELDS = tuple(emergency.ANSWER_FIELDS)


def _may_count(complex_id) -> bool:
    return bool(complex_id) and current_user.is_authenticated and current_user.can_edit_complex(complex_id)


def _situations(codes) -> list[str]:
    reasons = emergency.crisis_reasons()
    return [reasons[c].situation for c in codes if reasons[c].situation]


def _screen(data: dict, complex_id: int | None, *, count: bool):
    """Screen, then find whom to call near the complex; count if asked (and allowed). Returns the view's dict."""
    db = get_db()
    place = get_complex(db, complex_id) if complex_id else None
    if place and not (data.get("region_type") or data.get("sido") or data.get("sigungu")):
        data = {**data, "sido": place["sido"], "sigungu": place["sigungu"]}
    answers = emergency.answers_from(data)
    # EMERGENCY_DATA_DIR: where the year files are (default data/reference) — a new year is a new file there.
    folder = current_app.config.get("EMERGENCY_DATA_DIR") or REFERENCE_DIR
    result = emergency.screen(answers, emergency.thresholds_for(folder=folder))
    calls = tonight(db, complex_key=place["id"] if place else None, situations=result["situations"],
                    unsafe=answers.safe_tonight is False)
    counted = None
    if count:
        if not _may_count(complex_id):
            abort(403, _("선별 건수는 그 단지의 담당자만 더할 수 있습니다."))
        counted = emergency.count_screening(db, complex_id, actor=current_user)
    return {"result": result, "words": emergency.explain(result, _), "calls": calls, "counted": counted,
            "region_from_complex": bool(place) and not answers.region_type}


def _chosen_complex(complexes: list[dict]) -> int | None:
    asked = request.values.get("complex", type=int)
    known = {c["id"] for c in complexes}
    if asked in known:
        return asked
    mine = sorted(getattr(current_user, "complex_ids", ()) or ())
    return next((c for c in mine if c in known), None)


@bp.route("/", methods=["GET", "POST"])
def page():
    """The screener: answer first (call now, verdict, why, what to bring), then whom to call and the procedure."""
    complexes = list_complexes(get_db())
    chosen = _chosen_complex(complexes)
    values = {k: request.form.get(k, "") for k in FORM_FIELDS if k != "reasons"} if request.method == "POST" else {}
    values["reasons"] = request.form.getlist("reasons") if request.method == "POST" else []
    answer, error, status = None, None, 200
    if request.method == "POST":
        data = {k: v for k, v in values.items() if k not in ("sido", "sigungu")}
        try:
            # The box is only shown to the complex's staff; anyone else's tick is not a count.
            answer = _screen(data, chosen, count=bool(request.form.get("count")) and _may_count(chosen))
        except YeongyeError as exc:
            error, status = error_message(exc), error_status(exc)
    response = render_template(
        "emergency/page.html", title=_("긴급복지 주거지원"), complexes=complexes, chosen=chosen, values=values,
        answer=answer, error=error, reasons=list(emergency.crisis_reasons().values()),
        region_types=emergency.REGION_TYPES, may_count=_may_count(chosen), say=lambda words: say(words, _),
        counts=emergency.screening_counts(get_db(), chosen) if _may_count(chosen) else None)
    # What was typed is in this page: no cache, no history copy kept by a proxy.
    return response, status, {"Cache-Control": "no-store"}


# --- the JSON API ---------------------------------------------------------------------


def _complex_id(data: dict) -> int | None:
    return _int(data.pop("complex_id", None), "complex_id")


@api_bp.route("/screen", methods=["POST"])
def api_screen():
    """Screen a household (the page's answers as JSON, plus `complex_id` and `count`); nothing is stored."""
    data = dict(_body())
    complex_id = _complex_id(data)
    count = data.pop("count", False)
    if not isinstance(count, bool):
        abort(400, _("%(name)s 은(는) true 또는 false 여야 합니다.", name="count"))
    answer = _screen(data, complex_id, count=count)
    return jsonify(screening=answer["result"], words=answer["words"], contacts=answer["calls"],
                   counted=answer["counted"]), 200, {"Cache-Control": "no-store"}


@api_bp.route("/contacts", methods=["POST"])
def api_contacts():
    """Whom to call tonight near a complex (`complex_id`), for `reasons` and `unsafe`; nothing is stored."""
    data = dict(_body())
    complex_id = _int(data.get("complex_id"), "complex_id", required=True)
    reasons = data.get("reasons") or []
    if not isinstance(reasons, list) or len(reasons) > 20:
        abort(400, _("%(name)s 은(는) 목록이어야 합니다.", name="reasons"))
    unsafe = data.get("unsafe", False)
    if not isinstance(unsafe, bool):
        abort(400, _("%(name)s 은(는) true 또는 false 여야 합니다.", name="unsafe"))
    codes = [emergency.reason_code(r) for r in reasons]
    calls = tonight(get_db(), complex_key=complex_id, situations=_situations(codes), unsafe=unsafe)
    return jsonify(calls), 200, {"Cache-Control": "no-store"}
