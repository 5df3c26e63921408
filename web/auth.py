"""Sign-in, sign-out, and the role checks every other blueprint uses.

Sessions come from Flask-Login, keyed by "user id:session version" (see
`directory.accounts.user_for_session`): signing out, a password change or a
deactivation ends every session and remember-me cookie of the account, even
copies taken earlier. The API also accepts `Authorization: Bearer
TOKEN` (tokens from `yeongye user token` or the admin page). Sign-in attempts
are rate-limited per address by Flask-Limiter. The rules themselves (who may
edit or read what) live in `directory.accounts.User`; this module turns them
into decorators and 403 pages:

    from .auth import complex_editor_required, role_required

    @bp.route("/complexes/<int:complex_id>/links", methods=["POST"])
    @complex_editor_required          # worker/team lead of that complex, or admin
    def add_link(complex_id): ...

    @bp.route("/admin/users")
    @role_required("admin")
    def users(): ...

In templates, `current_user.can_edit_complex(id)`, `current_user.is_admin`
and `current_user.can_read_district(sido, sigungu)` decide what to show.
"""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFProtect

from directory.accounts import (AccountError, Anonymous, authenticate, end_sessions, get_user, set_password,
                                user_for_session, user_for_token)
from directory.store import list_complexes

from .db import get_db

bp = Blueprint("auth", __name__, url_prefix="/auth")

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = _l("이 페이지를 보려면 로그인하세요.")
login_manager.login_message_category = "info"
login_manager.anonymous_user = Anonymous
# "basic", not "strong": a worker's phone changes address between Wi-Fi and
# mobile data all day, and "strong" would sign them out each time.
login_manager.session_protection = "basic"

LOGIN_LIMIT = "10 per minute;50 per hour"


@login_manager.user_loader
def _load_user(identity: str):
    # Called for the session and for the remember-me cookie alike; an
    # identity whose version is out of date names nobody.
    return user_for_session(get_db(), identity)


@login_manager.request_loader
def _load_user_from_token(req):
    header = req.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return user_for_token(get_db(), header[7:].strip())
    return None


@login_manager.unauthorized_handler
def _unauthorized():
    if request.path.startswith("/api/"):
        abort(401, _("로그인하거나 API 토큰(Authorization: Bearer …)을 보내야 합니다."))
    flash(str(login_manager.login_message), "info")
    return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))


def init_app(app):
    """Bind CSRF protection, the login manager and the sign-in rate limit to the app."""
    csrf.init_app(app)
    login_manager.init_app(app)
    app.register_blueprint(bp)
    # One limiter per app (its counters live in memory, per process): tests
    # and the browser test's server each get their own.
    limiter = Limiter(get_remote_address, app=app, storage_uri=app.config.get("RATELIMIT_STORAGE_URI", "memory://"),
                      default_limits=[])
    app.extensions["yeongye_limiter"] = limiter


# POSTs limited per address: those anyone can send (sign-in attempts,
# correction requests) and heavy work (an access measure on an uploaded
# demand table takes seconds of CPU).
RATE_LIMITS = {
    "auth.login": ("LOGIN_RATE_LIMIT", LOGIN_LIMIT),
    "agency_edit.correction": ("CORRECTION_RATE_LIMIT", "20 per hour"),
    "api.correction": ("CORRECTION_RATE_LIMIT", "20 per hour"),
    "maps.demand": ("DEMAND_UPLOAD_RATE_LIMIT", "30 per hour"),
}


def limit_views(app) -> None:
    """Wrap the rate-limited views (call once every blueprint is registered)."""
    limiter = app.extensions["yeongye_limiter"]
    for endpoint, (setting, default) in RATE_LIMITS.items():
        if endpoint in app.view_functions:
            app.view_functions[endpoint] = limiter.limit(app.config.get(setting, default), methods=["POST"])(
                app.view_functions[endpoint])


def _safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect would help phishing."""
    if not target:
        return url_for("home.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("home.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign-in form; on success back to where the user was going."""
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    username = ""
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        user = authenticate(get_db(), username, request.form.get("password", ""))
        if user is None:
            flash(_("사용자 이름 또는 비밀번호가 맞지 않습니다."), "error")
            return render_template("auth/login.html", username=username, title=_("로그인")), 401
        login_user(user, remember=bool(request.form.get("remember")))
        flash(_("%(name)s님, 환영합니다.", name=user.display_name), "ok")
        return redirect(_safe_next(request.form.get("next") or request.args.get("next")))
    return render_template("auth/login.html", username=username, title=_("로그인"))


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out (a POST with the CSRF token, so no other site can sign a user out).

    Every session of the account ends, not only this browser's cookie: a
    copied cookie or remember-me token must not outlive the sign-out.
    """
    if current_user.is_authenticated:
        end_sessions(get_db(), current_user.id)
    logout_user()
    flash(_("로그아웃했습니다."), "ok")
    return redirect(url_for("home.index"))


@bp.route("/me", methods=["GET", "POST"])
def me():
    """My account: my complexes and districts (with links to their pages), and my password."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    db = get_db()
    error = None
    if request.method == "POST":
        if authenticate(db, current_user.username, request.form.get("current", "")) is None:
            error = _("지금 비밀번호가 맞지 않습니다.")
        elif request.form.get("new", "") != request.form.get("again", ""):
            error = _("새 비밀번호 두 칸이 서로 다릅니다.")
        else:
            try:
                set_password(db, current_user.id, request.form.get("new", ""), actor=current_user)
            except AccountError as exc:
                error = str(exc)
            else:
                # The new password ended every session, this one too: sign
                # this browser back in under the new version (and renew its
                # remember-me cookie if it had one).
                remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
                login_user(get_user(db, current_user.id), remember=remember_cookie in request.cookies)
                flash(_("비밀번호를 바꿨습니다."), "ok")
                return redirect(url_for("auth.me"))
    complexes = [c for c in list_complexes(db) if c["id"] in current_user.complex_ids]
    return render_template("auth/me.html", title=_("내 계정"), complexes=complexes, error=error,
                           districts=sorted(current_user.districts)), 400 if error else 200


# --- role checks ------------------------------------------------------------


def _deny(message: str):
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    abort(403, message)


def role_required(*roles: str):
    """Only signed-in users with one of `roles` (admin always passes)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated or (current_user.role not in roles and not current_user.is_admin):
                return _deny(_("이 기능은 권한이 있는 사용자만 쓸 수 있습니다."))
            return view(*args, **kwargs)

        return wrapped

    return decorator


def admin_required(view):
    """Only administrators."""
    return role_required("admin")(view)


def check_complex_edit(complex_id: int):
    """Abort with 401/403 unless the current user may edit this complex's links and contacts."""
    if not current_user.can_edit_complex(complex_id):
        return _deny(_("이 단지의 연계와 연락 기록은 담당자만 고칠 수 있습니다."))
    return None


def complex_editor_required(view):
    """The view's `complex_id` must be one the user may edit."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        denied = check_complex_edit(kwargs["complex_id"])
        if denied is not None:
            return denied
        return view(*args, **kwargs)

    return wrapped


def check_district_read(sido: str | None, sigungu: str | None = None):
    """Abort with 401/403 unless the current user may read this district's reports."""
    if not current_user.can_read_district(sido, sigungu):
        return _deny(_("이 지역의 보고서는 해당 지역 담당자와 관리자만 볼 수 있습니다."))
    return None

