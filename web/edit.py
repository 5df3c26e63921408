"""Editing a complex's partner links and contact log.

Only the complex's own workers and team leads (and admins) reach these pages.
The writes are `network.links.set_link` / `delete_link` and
`network.contacts.add_contact`, which check the user's right and audit
each change themselves; this module renders, and never loses what was typed: on a conflict (two
people editing the same link) or a refused note, the form comes back with the
user's text in it and the message beside it.
"""
from __future__ import annotations

import json
from datetime import date

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from directory import audit
from directory.errors import YeongyeError
from directory.store import (complex_choices, complex_links, content_types, frequency_levels, get_complex,
                             unlinked_agencies)
from network.contacts import NOTE_WARNING, list_contacts, log_contact, meeting_kinds
from network.links import Conflict, LinkError, delete_link, set_link
from network.programmes import create_programme, delete_programme, list_programmes, programme_roles

from .auth import complex_editor_required
from .db import get_db
from .errors import error_message, error_status

bp = Blueprint("edit", __name__, url_prefix="/complexes/<int:complex_id>/edit")


def _choices(db) -> dict:
    kinds = content_types(db)
    return {
        "levels": frequency_levels(db),
        "meeting_kinds": meeting_kinds(),
        "content_types": kinds,
        "content_names": {t["code"]: t["name"] for t in kinds},
    }


def _page(complex_id: int, *, status: int = 200, drafts: dict | None = None, conflict: dict | None = None,
          contact_draft: dict | None = None, contact_error: str | None = None, new_draft: dict | None = None,
          programme_draft: dict | None = None, programme_error: str | None = None):
    db = get_db()
    complex_row = get_complex(db, complex_id)
    links = complex_links(db, complex_id)
    for link in links:
        link["content_codes"] = json.loads(link["content_types"] or "[]")
    query = request.args.get("q", "").strip() if request.method == "GET" else (new_draft or {}).get("q", "")
    return render_template(
        "edit/complex.html", title=_("%(name)s 연계 편집", name=complex_row["name"]),
        complex=complex_row, links=links, contacts=list_contacts(db, complex_id=complex_id, limit=30),
        query=query, found=unlinked_agencies(db, complex_id, query) if query else [],
        drafts=drafts or {}, conflict=conflict, contact_draft=contact_draft or {},
        contact_error=contact_error, new_draft=new_draft or {}, note_warning=_(NOTE_WARNING),
        today=date.today().isoformat(), network_map_url=_map_url(complex_id),
        other_complexes=_other_complexes(db, complex_id), programmes=_programmes(db, complex_id),
        programme_roles=programme_roles(), programme_draft=programme_draft or {}, programme_error=programme_error,
        **_choices(db),
    ), status


def _programmes(db, complex_id: int) -> list[dict]:
    """The complex's programmes, each marked deletable when the user may edit every complex in it."""
    rows = list_programmes(db, complex_id=complex_id)
    for row in rows:
        row["deletable"] = all(current_user.can_edit_complex(c["id"]) for c in row["complexes"])
    return rows


def _other_complexes(db, complex_id: int) -> list[dict]:
    """The other complexes this user works for, for a meeting several complexes attended."""
    ids = sorted(c for c in getattr(current_user, "complex_ids", ()) if c != complex_id)
    return [row for row in (complex_choices(db, 500) if ids else []) if row["id"] in ids]


def _map_url(complex_id: int) -> str | None:
    """The complex's network map (maps blueprint), reloaded after each change."""
    if "maps.complex_" not in current_app.view_functions:
        return None
    return url_for("maps.complex_", complex_id=complex_id)


def _form_link() -> dict:
    form = request.form
    level = form.get("level", "")
    return {
        "level": int(level) if level.isdigit() else None,
        "content_types": form.getlist("content_types"),
        "basis": form.get("frequency_basis") or None,
        "note": form.get("note", ""),
        "version": form.get("version", type=int),
        "agency_id": form.get("agency_id", type=int),
        "q": form.get("q", ""),
    }


@bp.route("/")
@complex_editor_required
def page(complex_id: int):
    """The complex's partners with edit forms, the add-partner search, and the contact log."""
    return _page(complex_id)


@bp.route("/links", methods=["POST"])
@complex_editor_required
def add_link(complex_id: int):
    """Link a new partner agency to the complex."""
    db = get_db()
    draft = _form_link()
    if not draft["agency_id"]:
        return _page(complex_id, status=400, new_draft={**draft, "error": _("추가할 기관을 고르세요.")})
    try:
        link = set_link(db, complex_id, draft["agency_id"], draft["level"], draft["content_types"],
                        draft["note"] or None, expected_version=None, basis=draft["basis"], actor=current_user)
    except Conflict:
        flash(_("이 기관은 이미 이 단지와 연계되어 있습니다. 아래 목록에서 고치세요."), "error")
        return redirect(url_for("edit.page", complex_id=complex_id))
    except LinkError as exc:
        return _page(complex_id, status=400, new_draft={**draft, "error": error_message(exc)})
    flash(_("연계 기관을 추가했습니다."), "ok")
    return redirect(url_for("edit.page", complex_id=complex_id) + f"#link-{link['id']}")


def _own_link(db, complex_id: int, link_id: int) -> dict | None:
    row = audit.row_snapshot(db, "links", link_id)
    return row if row and row["complex_id"] == complex_id else None


@bp.route("/links/<int:link_id>", methods=["POST"])
@complex_editor_required
def update_link(complex_id: int, link_id: int):
    """Change a link's frequency, content types or note, only if nobody changed it meanwhile."""
    db = get_db()
    before = _own_link(db, complex_id, link_id)
    if before is None:
        flash(_("연계를 찾을 수 없습니다. 다른 사람이 삭제했을 수 있습니다."), "error")
        return redirect(url_for("edit.page", complex_id=complex_id))
    draft = _form_link()
    try:
        set_link(db, complex_id, before["agency_id"], draft["level"], draft["content_types"],
                 draft["note"] or None, expected_version=draft["version"], basis=draft["basis"], actor=current_user)
    except Conflict:
        current = audit.row_snapshot(db, "links", link_id)
        message = _("그 사이 다른 사람이 이 연계를 고쳤습니다. 아래에 지금 저장된 내용과 입력하신 내용을 함께 "
                    "보여 드립니다. 확인한 뒤 다시 저장하세요.")
        return _page(complex_id, status=409, drafts={link_id: draft},
                     conflict={"link_id": link_id, "message": message, "current": current})
    except LinkError as exc:
        return _page(complex_id, status=400, drafts={link_id: {**draft, "error": error_message(exc)}})
    flash(_("저장했습니다."), "ok")
    return redirect(url_for("edit.page", complex_id=complex_id) + f"#link-{link_id}")


@bp.route("/links/<int:link_id>/delete", methods=["POST"])
@complex_editor_required
def remove_link(complex_id: int, link_id: int):
    """End a partnership (the link and its contact log); an admin can undo it."""
    db = get_db()
    before = _own_link(db, complex_id, link_id)
    if before is None:
        flash(_("연계를 찾을 수 없습니다. 다른 사람이 삭제했을 수 있습니다."), "error")
        return redirect(url_for("edit.page", complex_id=complex_id))
    try:
        delete_link(db, link_id, expected_version=request.form.get("version", type=int), actor=current_user)
    except Conflict:
        flash(_("그 사이 다른 사람이 이 연계를 고쳤습니다. 확인한 뒤 다시 삭제하세요."), "error")
        return redirect(url_for("edit.page", complex_id=complex_id))
    flash(_("연계를 삭제했습니다. 실수였다면 관리자가 되돌릴 수 있습니다."), "ok")
    return redirect(url_for("edit.page", complex_id=complex_id))


@bp.route("/contacts", methods=["POST"])
@complex_editor_required
def add_contact_view(complex_id: int):
    """Add one contact — with one partner or several (a 통합사례회의), with this complex or others too.

    Every agency ticked gets one contact on its link with each ticked
    complex (`network.contacts.log_contact`); a single ``link_id`` (older
    form) still works.
    """
    db = get_db()
    form = request.form
    draft = {k: form.get(k, "") for k in ("link_id", "contact_date", "content_type", "kind", "note")}
    draft["agency_ids"] = [int(v) for v in form.getlist("contact_agency") if v.isdigit()]
    draft["complex_ids"] = [int(v) for v in form.getlist("complex_id") if v.isdigit()]
    link_id = form.get("link_id", type=int)
    if link_id:
        link = _own_link(db, complex_id, link_id)
        if link is None:
            return _page(complex_id, status=400, contact_draft=draft, contact_error=_("연락한 기관을 고르세요."))
        draft["agency_ids"].append(link["agency_id"])
    if not draft["agency_ids"]:
        return _page(complex_id, status=400, contact_draft=draft, contact_error=_("연락한 기관을 고르세요."))
    complexes = [complex_id] + [c for c in draft["complex_ids"] if c != complex_id]
    try:
        logged = log_contact(db, complexes, draft["agency_ids"], draft["contact_date"] or date.today().isoformat(),
                             draft["content_type"] or None, draft["note"] or None, kind=draft["kind"] or None,
                             actor=current_user)
    except YeongyeError as exc:  # the core's family, worded in the page's language
        return _page(complex_id, status=400, contact_draft=draft, contact_error=error_message(exc))
    flash(_("연락 기록을 추가했습니다 (연계 %(n)s건).", n=len(logged["links"])), "ok")
    return redirect(url_for("edit.page", complex_id=complex_id) + "#contacts")


def _form_programme(complex_id: int) -> dict:
    """The programme form as typed: fields, ticked partners and complexes, each one's role."""
    form = request.form
    agency_ids = [int(v) for v in form.getlist("programme_agency") if v.isdigit()]
    complex_ids = [int(v) for v in form.getlist("programme_complex") if v.isdigit() and int(v) != complex_id]
    return {
        **{k: form.get(k, "") for k in ("programme_name", "starts", "ends", "description", "own_role")},
        "agency_ids": agency_ids, "complex_ids": complex_ids,
        "agency_roles": {a: form.get(f"agency_role_{a}", "") for a in agency_ids},
        "complex_roles": {c: form.get(f"complex_role_{c}", "") for c in complex_ids},
    }


@bp.route("/programmes", methods=["POST"])
@complex_editor_required
def add_programme(complex_id: int):
    """Record a programme (사업·프로그램) of this complex: its period, partners and other complexes, with roles.

    `network.programmes.create_programme` checks that the user may edit every
    complex named and the description for personal data; a refusal brings the
    form back with what was typed.
    """
    db = get_db()
    draft = _form_programme(complex_id)
    members = ([{"complex_id": complex_id, "role": draft["own_role"] or "lead"}]
               + [{"complex_id": c, "role": draft["complex_roles"][c] or None} for c in draft["complex_ids"]]
               + [{"agency_id": a, "role": draft["agency_roles"][a] or None} for a in draft["agency_ids"]])
    try:
        row = create_programme(db, draft["programme_name"], starts=draft["starts"] or None,
                               ends=draft["ends"] or None, description=draft["description"] or None,
                               members=members, actor=current_user)
    except YeongyeError as exc:  # bad dates, personal data, another team's complex: said on the form
        return _page(complex_id, status=error_status(exc), programme_draft=draft, programme_error=error_message(exc))
    flash(_("사업·프로그램 ‘%(name)s’을 기록했습니다 (기관 %(n)s곳).", name=row["name"], n=len(row["agencies"])), "ok")
    return redirect(url_for("edit.page", complex_id=complex_id) + f"#programme-{row['id']}")


@bp.route("/programmes/<int:programme_id>/delete", methods=["POST"])
@complex_editor_required
def remove_programme(complex_id: int, programme_id: int):
    """Delete a programme this complex is in (the user must be allowed to edit every complex in it); audited."""
    db = get_db()
    if programme_id not in {p["id"] for p in list_programmes(db, complex_id=complex_id)}:
        flash(_("사업·프로그램을 찾을 수 없습니다. 다른 사람이 삭제했을 수 있습니다."), "error")
        return redirect(url_for("edit.page", complex_id=complex_id) + "#programmes")
    try:
        delete_programme(db, programme_id, actor=current_user)
    except YeongyeError as exc:
        flash(error_message(exc), "error")
        return redirect(url_for("edit.page", complex_id=complex_id) + "#programmes")
    flash(_("사업·프로그램을 삭제했습니다."), "ok")
    return redirect(url_for("edit.page", complex_id=complex_id) + "#programmes")
