"""The JSON API under /api/: agencies, complexes, links, contacts, reports.

Reading the directory needs no account; an agency's raw source rows are for
administrators, and link notes and contact logs for the people who may read
the complex (its staff, its district's planners, admins). Writes need a signed-in session or
`Authorization: Bearer TOKEN` and the same rights as the pages (a complex's
workers and team leads edit its links and contacts; admins edit agencies).
Session writes must send JSON (`Content-Type: application/json`), which a
form on another site cannot, so the API needs no CSRF token. Every error is
JSON: {"error", "message", "status"}: a core error's code (e.g. "link_not_found") and its message in
the request's language (Korean unless the session or `Accept-Language` asks for English). The document
describing all of this is at /api/openapi.json (see `web/openapi.py`).
"""
from __future__ import annotations

import json

from flask import Blueprint, abort, current_app, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from directory import audit, editing, sites
from directory.frequency import BASES, link_levels
from directory.store import (agency_links, complex_links, get_agency, get_complex, list_agencies,
                             list_complexes)
from network.contacts import add_contact, list_contacts, log_contact
from network.links import Conflict, LinkNotFound, delete_link, get_link, set_link
from network.programmes import (create_programme, delete_programme, get_programme, list_programmes,
                                update_programme)

from .auth import csrf
from .db import get_db
from .openapi import document, public_server

bp = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(bp)
# Korean text stays readable in the JSON (UTF-8), not \uXXXX escapes.
bp.record_once(lambda state: setattr(state.app.json, "ensure_ascii", False))

MAX_ID = 2**62
MAX_LIMIT = 500


# --- input checks: every bad value is a 400 with the field named ------------


def _bad(message: str):
    abort(400, message)


def _body() -> dict:
    if not request.is_json:
        abort(415, _("JSON 본문(Content-Type: application/json)을 보내세요."))
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        _bad(_("본문은 JSON 객체여야 합니다."))
    return data


def _int(value, name: str, *, required: bool = False, low: int = 1, high: int = MAX_ID):
    if value is None:
        if required:
            _bad(_("%(name)s 값이 필요합니다.", name=name))
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        _bad(_("%(name)s 은(는) %(low)s~%(high)s 사이의 정수여야 합니다.", name=name, low=low, high=high))
    return value


def _text(value, name: str, *, max_len: int = 1000):
    if value is None:
        return None
    if not isinstance(value, str):
        _bad(_("%(name)s 은(는) 문자열이어야 합니다.", name=name))
    if len(value) > max_len:
        _bad(_("%(name)s 은(는) %(n)s자 이내여야 합니다.", name=name, n=max_len))
    return value


def _text_list(value, name: str):
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and len(v) < 100 for v in value):
        _bad(_("%(name)s 은(는) 문자열 목록이어야 합니다.", name=name))
    return value


def _id_list(value, name: str) -> list[int]:
    if not isinstance(value, list) or not value or len(value) > 60 or not all(
            isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= MAX_ID for v in value):
        _bad(_("%(name)s 은(는) 1~60개의 id 목록이어야 합니다.", name=name))
    return value


def _page_args():
    limit = request.args.get("limit", 50, type=int)
    offset = request.args.get("offset", 0, type=int)
    if not 1 <= limit <= MAX_LIMIT or not 0 <= offset <= MAX_ID:
        _bad(_("limit 는 1~%(max)s, offset 은 0 이상이어야 합니다.", max=MAX_LIMIT))
    return limit, offset


def _id(value: int) -> int:
    """Path ids beyond SQLite's integers name nothing."""
    if value > MAX_ID:
        abort(404)
    return value


def _require_login():
    if not current_user.is_authenticated:
        abort(401, _("로그인하거나 API 토큰(Authorization: Bearer …)을 보내야 합니다."))


def _require_complex_edit(complex_id: int):
    _require_login()
    if not current_user.can_edit_complex(complex_id):
        abort(403, _("이 단지의 연계와 연락 기록은 담당자만 고칠 수 있습니다."))


def _require_admin():
    _require_login()
    if not current_user.is_admin:
        abort(403, _("관리자만 할 수 있습니다."))


def _link_json(link: dict) -> dict:
    """A link for the API: its stored fields (``frequency_level`` is the hand-set level) and the level
    every page shows (``level``, ``mark``, ``label``, ``source``, ``contacts_12m`` … by the one rule)."""
    out = dict(link)
    if isinstance(out.get("content_types"), str):
        out["content_types"] = json.loads(out["content_types"] or "[]")
    if "level" not in out and out.get("id") is not None:
        out.update(link_levels(get_db(), [out["id"]]).get(out["id"], {}))
    return out


def _basis(value):
    if value is not None and value not in BASES:
        _bad(_("frequency_basis 는 %(known)s 중 하나여야 합니다.", known=", ".join(BASES)))
    return value


def _private_notes(items: list[dict], complex_row: dict) -> list[dict]:
    """Drop link notes the user may not read: they are for the complex's staff, planners and admins."""
    if not current_user.can_read_complex(complex_row):
        for item in items:
            item.pop("note", None)
    return items


# --- the document ------------------------------------------------------------


@bp.route("/openapi.json")
def openapi():
    """The OpenAPI 3 description of this API (and of /api/search)."""
    return jsonify(document(public_server(current_app)))


@bp.route("/me")
def me():
    """Who the request is signed in as (null when nobody)."""
    if not current_user.is_authenticated:
        return jsonify(user=None)
    return jsonify(user={"id": current_user.id, "username": current_user.username, "role": current_user.role,
                         "complex_ids": sorted(current_user.complex_ids),
                         "districts": ["/".join(p for p in d if p) for d in sorted(current_user.districts)]})


# --- agencies ----------------------------------------------------------------

AGENCY_FILTERS = ("category", "type", "sido", "sigungu", "placement")


@bp.route("/agencies")
def agencies():
    """Agencies filtered by exact category, type, 시도, 시군구, placement; paged."""
    limit, offset = _page_args()
    filters = {k: (request.args.get(k) or "").strip()[:100] or None for k in AGENCY_FILTERS}
    rows, total = list_agencies(get_db(), limit=limit, offset=offset, **filters)
    return jsonify(total=total, limit=limit, offset=offset, items=rows)


@bp.route("/agencies/<int:agency_id>")
def agency(agency_id: int):
    """One agency with its sources (their raw rows for admins only) and linked complexes."""
    db = get_db()
    row = get_agency(db, _id(agency_id), include_raw=current_user.is_admin)
    row["links"] = [{k: l[k] for k in ("complex_id", "complex_name", "frequency_level", "frequency_label",
                                       "level", "mark", "label", "source", "contacts_12m")}
                    for l in agency_links(db, agency_id)]
    return jsonify(row)


@bp.route("/agencies", methods=["POST"])
def create_agency():
    """Add an agency by hand (admin)."""
    _require_admin()
    data = _body()
    row = editing.create_agency(get_db(), {k: v for k, v in data.items()}, actor=current_user)
    return jsonify(row), 201, {"Location": url_for("api.agency", agency_id=row["id"])}


@bp.route("/agencies/<int:agency_id>", methods=["PATCH"])
def update_agency(agency_id: int):
    """Change some fields of an agency (admin); audited and undoable."""
    _require_admin()
    data = _body()
    row = editing.update_agency(get_db(), _id(agency_id), data, actor=current_user)
    return jsonify(row)


@bp.route("/agencies/<int:agency_id>/corrections", methods=["POST"])
def correction(agency_id: int):
    """Report a correction for the administrators (anyone)."""
    data = _body()
    request_id = editing.request_correction(
        get_db(), _id(agency_id), _text(data.get("message"), "message") or "",
        field=_text(data.get("field"), "field", max_len=50),
        contact=_text(data.get("contact"), "contact", max_len=200),
        actor=current_user)
    return jsonify(id=request_id, status="open"), 201


# --- complexes, links, contacts -------------------------------------------------


@bp.route("/complexes")
def complexes():
    """Every complex with its number of partners."""
    return jsonify(items=list_complexes(get_db()))


@bp.route("/complexes/<int:complex_id>")
def complex_(complex_id: int):
    """One complex's profile and its links."""
    db = get_db()
    row = get_complex(db, _id(complex_id))
    row["links"] = _private_notes([_link_json(l) for l in complex_links(db, complex_id)], row)
    return jsonify(row)


@bp.route("/complexes/<int:complex_id>/links")
def links(complex_id: int):
    """A complex's links (use each link's `version` when changing it)."""
    db = get_db()
    row = get_complex(db, _id(complex_id))
    return jsonify(items=_private_notes([_link_json(l) for l in complex_links(db, complex_id)], row))


@bp.route("/complexes/<int:complex_id>/links", methods=["POST"])
def create_link(complex_id: int):
    """Link an agency to a complex (its workers, team leads, admins)."""
    db = get_db()
    get_complex(db, _id(complex_id))
    _require_complex_edit(complex_id)
    data = _body()
    agency_id = _int(data.get("agency_id"), "agency_id", required=True)
    try:
        link = set_link(db, complex_id, agency_id, _int(data.get("frequency_level"), "frequency_level", high=5),
                        _text_list(data.get("content_types"), "content_types"),
                        _text(data.get("note"), "note", max_len=500), expected_version=None,
                        basis=_basis(data.get("frequency_basis")), actor=current_user)
    except Conflict:
        abort(409, _("이 기관은 이미 이 단지와 연계되어 있습니다. PUT /api/links/{id} 로 고치세요."))
    return jsonify(_link_json(link)), 201, {"Location": url_for("api.link", link_id=link["id"])}


def _link_or_404(link_id: int) -> dict:
    row = audit.row_snapshot(get_db(), "links", _id(link_id))
    if row is None:
        raise LinkNotFound(link_id=link_id)
    return row


@bp.route("/links/<int:link_id>")
def link(link_id: int):
    """One link, with its version (its note only for those who may read the complex)."""
    _link_or_404(link_id)
    db = get_db()
    link = _link_json(get_link(db, link_id))
    return jsonify(_private_notes([link], get_complex(db, link["complex_id"]))[0])


@bp.route("/links/<int:link_id>", methods=["PUT"])
def update_link(link_id: int):
    """Replace a link's frequency, content types and note; `version` must be the one read (else 409)."""
    db = get_db()
    before = _link_or_404(link_id)
    _require_complex_edit(before["complex_id"])
    data = _body()
    version = _int(data.get("version"), "version", required=True)
    try:
        link = set_link(db, before["complex_id"], before["agency_id"],
                        _int(data.get("frequency_level"), "frequency_level", high=5),
                        _text_list(data.get("content_types"), "content_types"),
                        _text(data.get("note"), "note", max_len=500), expected_version=version,
                        basis=_basis(data.get("frequency_basis")), actor=current_user)
    except Conflict:
        current = _link_json(audit.row_snapshot(db, "links", link_id))
        return jsonify(error="link_conflict", status=409, current=current,
                       message=_("그 사이 다른 사람이 이 연계를 고쳤습니다 (보낸 버전 %(sent)s, 현재 %(now)s). "
                                 "현재 내용을 확인한 뒤 다시 보내세요.", sent=version, now=current["version"])), 409
    return jsonify(_link_json(link))


@bp.route("/links/<int:link_id>", methods=["DELETE"])
def remove_link(link_id: int):
    """Delete a link and its contact log; `?version=` guards against deleting a changed link."""
    db = get_db()
    before = _link_or_404(link_id)
    _require_complex_edit(before["complex_id"])
    version = request.args.get("version", type=int)
    delete_link(db, link_id, expected_version=version, actor=current_user)  # a Conflict is a 409 (web/errors.py)
    return "", 204


@bp.route("/complexes/<int:complex_id>/contacts")
def contacts(complex_id: int):
    """A complex's contact log (its staff, its district's planners, admins)."""
    db = get_db()
    row = get_complex(db, _id(complex_id))
    _require_login()
    if not current_user.can_read_complex(row):
        abort(403, _("이 단지의 연락 기록은 담당자, 지역 담당자, 관리자만 볼 수 있습니다."))
    limit, _offset = _page_args()
    return jsonify(items=list_contacts(db, complex_id=complex_id, limit=limit))


@bp.route("/links/<int:link_id>/contacts", methods=["POST"])
def create_contact(link_id: int):
    """Record a contact on a link: `contact_date` (YYYY-MM-DD), `content_type`, `note` (no personal data)."""
    db = get_db()
    before = _link_or_404(link_id)
    _require_complex_edit(before["complex_id"])
    data = _body()
    row = add_contact(db, link_id, _text(data.get("contact_date"), "contact_date", max_len=10) or "",
                      _text(data.get("content_type"), "content_type", max_len=50),
                      _text(data.get("note"), "note", max_len=500), actor=current_user)
    return jsonify(row), 201


@bp.route("/contacts", methods=["POST"])
def create_shared_contact():
    """One contact with several agencies (and complexes), e.g. a 통합사례회의: one contact on each link it touches.

    Body: `complex_ids`, `agency_ids` (lists of ids), `contact_date`, `content_type`, `kind` (meeting kind),
    `note` (no personal data). Every complex must be one the user may edit.
    """
    db = get_db()
    _require_login()
    data = _body()
    complex_ids = _id_list(data.get("complex_ids"), "complex_ids")
    agency_ids = _id_list(data.get("agency_ids"), "agency_ids")
    for complex_id in complex_ids:
        get_complex(db, complex_id)
        _require_complex_edit(complex_id)
    logged = log_contact(db, complex_ids, agency_ids,
                         _text(data.get("contact_date"), "contact_date", max_len=10) or "",
                         _text(data.get("content_type"), "content_type", max_len=50),
                         _text(data.get("note"), "note", max_len=500),
                         kind=_text(data.get("kind"), "kind", max_len=50), actor=current_user)
    return jsonify(logged), 201


# --- programmes (사업·프로그램) ------------------------------------------------------


def _programme_fields(data: dict) -> dict:
    members = data.get("members")
    if not isinstance(members, list) or len(members) > 200 or not all(isinstance(m, dict) for m in members):
        _bad(_("members 는 {complex_id 또는 agency_id, role} 객체의 목록이어야 합니다."))
    clean = []
    for m in members:
        clean.append({"complex_id": _int(m.get("complex_id"), "complex_id"),
                      "agency_id": _int(m.get("agency_id"), "agency_id"),
                      "role": _text(m.get("role"), "role", max_len=50)})
    return {"name": _text(data.get("name"), "name", max_len=100) or "",
            "starts": _text(data.get("starts"), "starts", max_len=10),
            "ends": _text(data.get("ends"), "ends", max_len=10),
            "description": _text(data.get("description"), "description", max_len=500), "members": clean}


@bp.route("/programmes")
def programmes():
    """Programmes, optionally those of one complex (`complex_id`) or agency (`agency_id`)."""
    complex_id = request.args.get("complex_id", type=int)
    agency_id = request.args.get("agency_id", type=int)
    return jsonify(items=list_programmes(get_db(), complex_id=complex_id and _id(complex_id),
                                         agency_id=agency_id and _id(agency_id)))


@bp.route("/programmes/<int:programme_id>")
def programme(programme_id: int):
    """One programme with its complexes and agencies and their roles."""
    return jsonify(get_programme(get_db(), _id(programme_id)))


@bp.route("/programmes", methods=["POST"])
def create_programme_():
    """Record a programme: `name`, `starts`, `ends`, `description`, `members` [{complex_id|agency_id, role}]."""
    _require_login()
    row = create_programme(get_db(), actor=current_user, **_programme_fields(_body()))
    return jsonify(row), 201, {"Location": url_for("api.programme", programme_id=row["id"])}


@bp.route("/programmes/<int:programme_id>", methods=["PUT"])
def update_programme_(programme_id: int):
    """Replace a programme's fields and members; `version` must be the one read (else 409)."""
    _require_login()
    data = _body()
    version = _int(data.get("version"), "version", required=True)
    return jsonify(update_programme(get_db(), _id(programme_id), version, actor=current_user,
                                    **_programme_fields(data)))


@bp.route("/programmes/<int:programme_id>", methods=["DELETE"])
def remove_programme(programme_id: int):
    """Delete a programme (its complexes' staff, admins)."""
    _require_login()
    delete_programme(get_db(), _id(programme_id), actor=current_user)
    return "", 204


# --- reports -------------------------------------------------------------------


@bp.route("/reports/complexes/<int:complex_id>")
def complex_report(complex_id: int):
    """A complex's report: profile, partners, measures, gaps, recommendations."""
    from network.report import complex_report as build

    db = get_db()
    row = get_complex(db, _id(complex_id))
    report = build(db, complex_id)
    if not current_user.can_read_complex(row):
        report.pop("contacts", None)  # the contact log is for the complex's staff and planners
        _private_notes(report["partners"], row)
    return jsonify(report)


@bp.route("/reports/network")
def network_report():
    """Network measures and overlaps for a 시도/시군구 (or everything)."""
    from network.report import network_report as build

    sido = (request.args.get("sido") or "").strip()[:50] or None
    sigungu = (request.args.get("sigungu") or "").strip()[:50] or None
    return jsonify(build(get_db(), sido=sido, sigungu=sigungu))


@bp.route("/sociogram")
def sociogram():
    """The sociogram of a complex (?complex=id, its ego network), a 시도/시군구 or the whole store.

    Nodes with their measures and links with level, content types and depth
    (when known); filters ?min_level=, ?content_type=, ?category=, ?depth=.
    No link notes or contact logs: what any reader of the network pages sees.
    """
    from datetime import date

    from network.sociogram import sociogram as build
    from network.sociogram import to_json

    from .cache import memo

    args = request.args
    complex_id = args.get("complex", type=int)
    if "complex" in args and complex_id is None:
        _bad(_("%(name)s 은(는) %(low)s~%(high)s 사이의 정수여야 합니다.", name="complex", low=1, high=MAX_ID))
    if complex_id is not None:
        get_complex(get_db(), _id(complex_id))
    text = {k: (args.get(k) or "").strip()[:50] or None
            for k in ("sido", "sigungu", "content_type", "category", "depth", "min_level")}
    radius = args.get("radius", "1")

    def compute():
        return to_json(build(get_db(), complex_id=complex_id, sido=text["sido"], sigungu=text["sigungu"],
                             radius=radius, min_level=text["min_level"], content_type=text["content_type"],
                             category=text["category"], depth=text["depth"], today=today))

    # The same answer until the store changes or the day (the 12-month window) moves on: the whole
    # store's costs ~1 s of measures, so a second visitor is served from memory.
    today = date.today()
    key = json.dumps([complex_id, text, radius, today.isoformat()], ensure_ascii=False, sort_keys=True)
    return current_app.response_class(memo(get_db(), f"sociogram:{key}", compute), mimetype="application/json")


# --- supportive houses (지원주택) and their agreements -------------------------------


def _readable_house(site_id: int) -> dict:
    _require_login()
    site = sites.get_site(get_db(), _id(site_id))
    if not sites.can_read_site(current_user, site):
        abort(403, _("이 주택의 협약과 성과 자료는 주택 담당자, 시 평가 담당, 관리자만 볼 수 있습니다."))
    return site


@bp.route("/houses")
def houses():
    """The supportive houses the user may read (their own, their city's, or all)."""
    _require_login()
    return jsonify(items=sites.readable_sites(get_db(), current_user))


@bp.route("/houses", methods=["POST"])
def create_house():
    """Register a supportive house (admin): name, capacity (정원), provider, operator, address."""
    _require_admin()
    row = sites.create_site(get_db(), _body(), actor=current_user)
    return jsonify(row), 201, {"Location": url_for("api.house", site_id=row["id"])}


@bp.route("/houses/<int:site_id>")
def house(site_id: int):
    """One house with its provider, agreements and the current agreement."""
    return jsonify(_readable_house(site_id))


@bp.route("/houses/<int:site_id>", methods=["PATCH"])
def update_house(site_id: int):
    """Change some fields of a house (its staff, admins; `kind` admins only)."""
    _readable_house(site_id)
    return jsonify(sites.update_site(get_db(), site_id, _body(), actor=current_user))


def _agreement_fields(data: dict) -> dict:
    return {"notice_date": _text(data.get("notice_date"), "notice_date", max_len=10),
            "renews_id": _int(data.get("renews_id"), "renews_id"),
            "note": _text(data.get("note"), "note")}


@bp.route("/houses/<int:site_id>/agreements", methods=["POST"])
def create_agreement(site_id: int):
    """Record an agreement (협약): `starts`, `ends`, `notice_date` of the city's notice, `renews_id`."""
    _readable_house(site_id)
    data = _body()
    row = sites.add_agreement(get_db(), site_id, _text(data.get("starts"), "starts", max_len=10) or "",
                              _text(data.get("ends"), "ends", max_len=10) or "", **_agreement_fields(data),
                              actor=current_user)
    return jsonify(row), 201


@bp.route("/agreements/<int:agreement_id>", methods=["PUT"])
def update_agreement(agreement_id: int):
    """Replace an agreement's dates and note; `version` must be the one read (else 409)."""
    before = sites.get_agreement(get_db(), _id(agreement_id))
    _readable_house(before["site_id"])
    data = _body()
    row = sites.update_agreement(get_db(), agreement_id, starts=_text(data.get("starts"), "starts", max_len=10) or "",
                                 ends=_text(data.get("ends"), "ends", max_len=10) or "",
                                 expected_version=_int(data.get("version"), "version", required=True),
                                 **_agreement_fields(data), actor=current_user)
    return jsonify(row)


@bp.route("/agreements/<int:agreement_id>", methods=["DELETE"])
def remove_agreement(agreement_id: int):
    """Delete an agreement; `?version=` guards against deleting a changed one."""
    before = sites.get_agreement(get_db(), _id(agreement_id))
    _readable_house(before["site_id"])
    sites.delete_agreement(get_db(), agreement_id, expected_version=request.args.get("version", type=int),
                           actor=current_user)
    return "", 204
