"""Administration: accounts, the audit log with undo, correction requests."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from directory import accounts, audit, editing
from directory.store import list_complexes
from importers.coverage import coverage_report

from .auth import admin_required
from .db import get_db
from .errors import error_message

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@admin_required
def index():
    """What needs an administrator: open correction requests, recent edits, accounts."""
    db = get_db()
    return render_template(
        "admin/index.html", title=_("관리"),
        open_corrections=editing.count_corrections(db, "open"),
        users=len(accounts.list_users(db)), edits=list(audit.list_entries(db, limit=10)),
    )


@bp.route("/coverage")
@admin_required
def coverage():
    """Per agency type: how many agencies have a phone, an exact position, a verification date."""
    return render_template("admin/coverage.html", title=_("자료 충실도"), rows=coverage_report(get_db()))


@bp.route("/users", methods=["GET", "POST"])
@admin_required
def users():
    """Every account, and a form to create one."""
    db = get_db()
    form = {}
    if request.method == "POST":
        form = request.form
        try:
            user = accounts.create_user(
                db, form.get("username", ""), form.get("password", ""), form.get("role", ""),
                display_name=form.get("display_name", "").strip(),
                complexes=[int(c) for c in form.getlist("complexes") if c.isdigit()],
                districts=[d for d in _lines(form.get("districts", ""))], actor=current_user,
            )
        except accounts.AccountError as exc:
            flash(str(exc), "error")
        else:
            flash(_("계정을 만들었습니다: %(name)s", name=user.username), "ok")
            return redirect(url_for("admin.users"))
    return render_template("admin/users.html", title=_("계정 관리"), users=accounts.list_users(db),
                           complexes=list_complexes(db), roles=accounts.ROLE_LABELS, form=form)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


def _sign_in_again(db) -> None:
    """Keep this browser signed in after changing one's own account.

    A new password or role bumps the account's session version, which ends
    this session too; sign it back in under the new version (renewing its
    remember-me cookie if it had one), as /auth/me does.
    """
    remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    login_user(accounts.get_user(db, current_user.id), remember=remember_cookie in request.cookies)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def user(user_id: int):
    """Change one account: role, complexes, districts, password, active; issue an API token."""
    db = get_db()
    target = accounts.get_user(db, user_id)
    token = None
    if request.method == "POST":
        form = request.form
        myself = user_id == current_user.id
        try:
            action = form.get("action")
            if action == "save":
                accounts.update_user(
                    db, user_id, role=form.get("role", ""),
                    complexes=[int(c) for c in form.getlist("complexes") if c.isdigit()],
                    districts=_lines(form.get("districts", "")),
                    active=None if myself else bool(form.get("active")),  # an admin cannot lock themself out
                    actor=current_user)
                flash(_("저장했습니다."), "ok")
            elif action == "password":
                accounts.set_password(db, user_id, form.get("password", ""), actor=current_user)
                flash(_("비밀번호를 바꿨습니다."), "ok")
            elif action == "token":
                token = accounts.issue_token(db, user_id, form.get("label", ""), actor=current_user)
                flash(_("API 토큰을 발급했습니다. 지금만 보이니 복사해 두세요."), "ok")
            elif action == "revoke":
                n = accounts.revoke_tokens(db, user_id, actor=current_user)
                flash(_("토큰 %(n)s개를 폐기했습니다.", n=n), "ok")
        except accounts.AccountError as exc:
            flash(str(exc), "error")
        else:
            if myself and action in ("save", "password"):
                _sign_in_again(db)
        target = accounts.get_user(db, user_id)
    districts = ["/".join(p for p in d if p) for d in sorted(target.districts)]
    return render_template("admin/user.html", title=target.username, target=target, token=token,
                           complexes=list_complexes(db), roles=accounts.ROLE_LABELS, districts=districts)


@bp.route("/audit")
@admin_required
def audit_log():
    """Every edit, newest first, with undo."""
    db = get_db()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    table = request.args.get("table") or None
    entries = audit.list_entries(db, limit=50, offset=(page - 1) * 50, table=table)
    return render_template("admin/audit.html", title=_("변경 기록"), entries=entries, page=page, table=table,
                           undoable=audit.UNDOABLE)


@bp.route("/audit/<int:entry_id>/undo", methods=["POST"])
@admin_required
def undo(entry_id: int):
    """Put a row back as it was before an edit."""
    try:
        audit.undo(get_db(), entry_id, actor=current_user)
    except audit.AuditError as exc:
        flash(str(exc), "error")
    else:
        flash(_("기록 #%(id)s 을(를) 되돌렸습니다.", id=entry_id), "ok")
    return redirect(url_for("admin.audit_log"))


@bp.route("/corrections")
@admin_required
def corrections():
    """Correction requests sent from agency pages."""
    db = get_db()
    status = request.args.get("status", "open")
    rows = editing.list_corrections(db, status)
    return render_template("admin/corrections.html", title=_("수정 요청"), rows=rows, status=status)


@bp.route("/corrections/<int:request_id>", methods=["POST"])
@admin_required
def resolve_correction(request_id: int):
    """Mark a correction request done or rejected."""
    try:
        editing.resolve_correction(get_db(), request_id, request.form.get("status", ""), actor=current_user)
    except editing.EditError as exc:
        flash(error_message(exc), "error")
        return redirect(url_for("admin.corrections"))
    flash(_("처리했습니다."), "ok")
    return redirect(url_for("admin.corrections"))
