"""On an agency's page: anyone reports a correction; an administrator edits the agency."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from directory import editing
from directory.store import get_agency

from .auth import admin_required
from .db import get_db

bp = Blueprint("agency_edit", __name__, url_prefix="/agencies/<int:agency_id>")


@bp.route("/correction", methods=["GET", "POST"])
def correction(agency_id: int):
    """"Report a correction": what is wrong, stored for the administrators to check."""
    db = get_db()
    agency = get_agency(db, agency_id)
    draft = {"field": "", "message": "", "contact": ""}
    error = None
    if request.method == "POST":
        draft = {k: request.form.get(k, "") for k in draft}
        try:
            editing.request_correction(db, agency_id, draft["message"], field=draft["field"] or None,
                                       contact=draft["contact"] or None,
                                       actor=current_user)
        except editing.EditError as exc:
            error = str(exc)
        else:
            flash(_("고맙습니다. 관리자가 확인한 뒤 반영합니다."), "ok")
            return redirect(url_for("agencies.detail", agency_id=agency_id))
    return render_template("agency_edit/correction.html", agency=agency, draft=draft, error=error,
                           fields=editing.EDITABLE, title=_("수정 요청")), 400 if error else 200


@bp.route("/edit", methods=["GET", "POST"])
@admin_required
def edit(agency_id: int):
    """The administrator's form for an agency's fields (audited, undoable)."""
    db = get_db()
    agency = get_agency(db, agency_id)
    values, error = agency, None
    if request.method == "POST":
        changes = {k: request.form.get(k, "") for k in editing.EDITABLE if k in request.form}
        changes = {k: v for k, v in changes.items() if (v or None) != (None if agency.get(k) is None else str(agency[k]))}
        try:
            if changes:
                editing.update_agency(db, agency_id, changes, actor=current_user)
        except editing.EditError as exc:
            error, values = str(exc), {**agency, **request.form.to_dict()}
        else:
            flash(_("저장했습니다.") if changes else _("바뀐 내용이 없습니다."), "ok")
            return redirect(url_for("agencies.detail", agency_id=agency_id))
    return render_template("agency_edit/edit.html", agency=agency, values=values, error=error,
                           fields=editing.EDITABLE, title=_("기관 정보 고치기")), 400 if error else 200
