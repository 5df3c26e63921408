"""Accounts, roles and who may do what.

Four roles, from the field:

- ``worker`` (주거복지사) and ``team_lead`` (주거복지팀장) edit the links and
  contact log of the complexes assigned to them, nothing else;
- ``planner`` (지역 계획 담당) reads everything in their districts (시도, or
  시도/시군구) and edits nothing;
- ``admin`` imports lists, edits agencies and manages accounts.

Anyone, signed in or not, searches and reads the agency directory.
Passwords and API tokens are stored only as hashes (werkzeug's scrypt for
passwords, SHA-256 for random tokens, which need no slow hash).

Each account has a session version, part of the identity a session or a
remember-me cookie carries ("id:version", see :meth:`User.get_id`). Sign-out,
a new password, deactivation and a change of role bump it
(:func:`end_sessions`), so every copy of an older cookie stops working at once.

Managing accounts is an action like any other (:mod:`directory.actors`):
:func:`create_user`, :func:`update_user` (and its one-field forms),
:func:`set_password`, :func:`issue_token` and :func:`revoke_tokens` take the
acting ``actor``, refuse anyone but an administrator (a password also its
own account) and record one audit entry on ``users`` in their transaction:
the account without its password hash, with its complexes, districts and
tokens (labels, never the token).
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field

from werkzeug.security import check_password_hash, generate_password_hash

from . import audit
from .actors import require_admin, require_self_or_admin
from .sites import demo_houses
from .store import ComplexNotFound, StoreError, get_complex, now

__all__ = [
    "ROLES", "ROLE_LABELS", "SITE_ROLE_LABELS", "AccountError", "UserNotFound", "User",
    "create_user", "get_user", "find_user", "list_users", "authenticate",
    "update_user", "set_password", "set_role", "set_active", "assign_complexes", "assign_districts",
    "issue_token", "user_for_token", "revoke_tokens", "demo_accounts", "end_sessions", "user_for_session",
]

ROLES = ("worker", "team_lead", "planner", "admin")
ROLE_LABELS = {"worker": "주거복지사", "team_lead": "주거복지팀장", "planner": "지역 계획 담당", "admin": "관리자"}
# The same roles at a supportive house (지원주택), in its manual's words: a
# worker assigned to a house is its 코디네이터, a team lead its 수퍼바이저,
# and the city's evaluator is a planner whose district is the city (reads
# every house there, edits nothing). No role of its own, so every rule that
# holds for complexes holds for houses.
SITE_ROLE_LABELS = {"worker": "코디네이터", "team_lead": "수퍼바이저", "planner": "시 평가 담당", "admin": "관리자"}
MIN_PASSWORD = 8
# werkzeug's default (scrypt); tests swap in a cheaper method to stay fast.
PASSWORD_METHOD = "scrypt"


class AccountError(StoreError):
    """An account cannot be created or changed as asked."""

    code = "account_error"


class UserNotFound(AccountError):
    """No account has that id or name."""

    code = "user_not_found"


@dataclass
class User:
    """A signed-in person: role, assigned complexes (ids) and districts ((시도, 시군구) pairs)."""

    id: int
    username: str
    role: str
    display_name: str = ""
    active: bool = True
    complex_ids: set[int] = field(default_factory=set)
    districts: set[tuple[str, str]] = field(default_factory=set)
    session_version: int = 1

    # Flask-Login's protocol, so the web layer can use this class directly.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """The identity a session and a remember-me cookie keep: "id:session_version"."""
        return f"{self.id}:{self.session_version}"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    def site_role_label(self, kind: str | None) -> str:
        """The role's name at a site of this kind: 코디네이터 rather than 주거복지사 at a supportive house."""
        labels = SITE_ROLE_LABELS if kind == "supportive" else ROLE_LABELS
        return labels.get(self.role, self.role)

    def can_edit_complex(self, complex_id: int) -> bool:
        """Links and contact log: the complex's own workers and team leads, and admins."""
        if self.role == "admin":
            return True
        return self.role in ("worker", "team_lead") and int(complex_id) in self.complex_ids

    def in_district(self, sido: str | None, sigungu: str | None = None) -> bool:
        """Whether a place lies in one of the user's districts ('' 시군구 = the whole 시도)."""
        return any(s == sido and (not g or g == sigungu) for s, g in self.districts)

    def can_read_complex(self, complex_row: dict) -> bool:
        """The contact log and private notes of a complex: its staff, its district's planners, admins."""
        if self.role == "admin" or int(complex_row["id"]) in self.complex_ids:
            return True
        return self.role == "planner" and self.in_district(complex_row.get("sido"), complex_row.get("sigungu"))

    def can_read_district(self, sido: str | None, sigungu: str | None = None) -> bool:
        """District reports: planners of that district and admins."""
        return self.role == "admin" or (self.role == "planner" and self.in_district(sido, sigungu))


class Anonymous:
    """Nobody signed in: reads the directory, edits nothing."""

    id = None
    username = ""
    role = None
    display_name = ""
    is_authenticated = False
    is_active = False
    is_anonymous = True
    is_admin = False
    complex_ids: set = set()
    districts: set = set()

    def get_id(self):
        return None

    def can_edit_complex(self, complex_id) -> bool:
        return False

    def in_district(self, sido, sigungu=None) -> bool:
        return False

    def can_read_complex(self, complex_row) -> bool:
        return False

    def can_read_district(self, sido, sigungu=None) -> bool:
        return False


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError("unknown_role", role=role, roles=", ".join(ROLES))
    return role


def _check_password(password: str) -> str:
    if not password or len(password) < MIN_PASSWORD:
        raise AccountError("password_too_short", minimum=MIN_PASSWORD)
    return password


def _snapshot(db, user_id: int) -> dict | None:
    """The account as the audit log keeps it: no password hash; its complexes, districts, token labels."""
    row = audit.row_snapshot(db, "users", user_id)
    if row is None:
        return None
    row.pop("password_hash", None)
    row["complex_ids"] = [r[0] for r in db.conn.execute(
        "SELECT complex_id FROM user_complexes WHERE user_id = ? ORDER BY complex_id", [user_id])]
    row["districts"] = ["/".join(p for p in r if p) for r in db.conn.execute(
        "SELECT sido, sigungu FROM user_districts WHERE user_id = ? ORDER BY sido, sigungu", [user_id])]
    row["tokens"] = [{"id": r[0], "label": r[1], "created_at": r[2]} for r in db.conn.execute(
        "SELECT id, label, created_at FROM api_tokens WHERE user_id = ? ORDER BY id", [user_id])]
    return row


def _audited(db, actor, action: str, user_id: int, write):
    """Run `write()` in one transaction with the account's audit entry; returns what `write` returned."""
    with db.conn:
        before = _snapshot(db, user_id)
        result = write()
        audit.record(db, actor, action, "users", user_id, before, _snapshot(db, user_id))
    return result


def create_user(db, username: str, password: str, role: str, *, display_name: str = "",
                complexes=(), districts=(), actor=None) -> User:
    """Create an account (administrators), audited; `complexes` are ids or names, `districts` '시도' or '시도/시군구'."""
    actor = require_admin(actor)
    username = (username or "").strip()
    if not username or len(username) > 64 or any(ch.isspace() for ch in username):
        raise AccountError("bad_username", username=username)
    _check_role(role)
    _check_password(password)
    if db.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchone():
        raise AccountError("username_taken", username=username)
    complex_ids = _complex_ids(db, complexes)
    district_pairs = [_district(d) for d in districts]
    with db.conn:
        cur = db.conn.execute(
            "INSERT INTO users (username, password_hash, role, display_name, created_at) VALUES (?, ?, ?, ?, ?)",
            [username, generate_password_hash(password, method=PASSWORD_METHOD), role, display_name or username, now()],
        )
        user_id = cur.lastrowid
        db.conn.executemany("INSERT INTO user_complexes VALUES (?, ?)", [(user_id, c) for c in complex_ids])
        db.conn.executemany("INSERT OR IGNORE INTO user_districts VALUES (?, ?, ?)",
                            [(user_id, s, g) for s, g in district_pairs])
        audit.record(db, actor, "insert", "users", user_id, None, _snapshot(db, user_id))
    return get_user(db, user_id)


def _complex_ids(db, complexes) -> list[int]:
    ids = []
    for key in complexes:
        try:
            ids.append(get_complex(db, key)["id"])
        except ComplexNotFound as exc:
            raise AccountError(exc.code, **exc.params) from exc
    return sorted(set(ids))


def _district(text) -> tuple[str, str]:
    if isinstance(text, (tuple, list)):
        sido, sigungu = (list(text) + [""])[:2]
    else:
        sido, _, sigungu = str(text).partition("/")
    sido, sigungu = (sido or "").strip(), (sigungu or "").strip()
    if not sido:
        raise AccountError("bad_region", value=text)
    return sido, sigungu


def get_user(db, user_id) -> User:
    """One account by id, with its complexes and districts."""
    row = db.execute("SELECT id, username, role, display_name, active, session_version FROM users WHERE id = ?",
                     [user_id]).fetchone()
    if row is None:
        raise UserNotFound(user=user_id)
    return User(
        id=row[0], username=row[1], role=row[2], display_name=row[3] or row[1], active=bool(row[4]),
        session_version=row[5],
        complex_ids={r[0] for r in db.execute("SELECT complex_id FROM user_complexes WHERE user_id = ?", [row[0]])},
        districts={(r[0], r[1]) for r in db.execute("SELECT sido, sigungu FROM user_districts WHERE user_id = ?",
                                                     [row[0]])},
    )


def find_user(db, username: str) -> User:
    """One account by user name."""
    row = db.execute("SELECT id FROM users WHERE username = ?", [username]).fetchone()
    if row is None:
        raise UserNotFound(user=username)
    return get_user(db, row[0])


def list_users(db) -> list[dict]:
    """Every account with its complexes' names and districts, for the admin page and CLI."""
    users = list(db.query("SELECT id, username, role, display_name, active, created_at, last_login "
                          "FROM users ORDER BY role, username"))
    for u in users:
        u["complexes"] = [r[0] for r in db.execute(
            "SELECT c.name FROM user_complexes uc JOIN complexes c ON c.id = uc.complex_id "
            "WHERE uc.user_id = ? ORDER BY c.name", [u["id"]])]
        u["districts"] = ["/".join(p for p in r if p) for r in db.execute(
            "SELECT sido, sigungu FROM user_districts WHERE user_id = ? ORDER BY sido, sigungu", [u["id"]])]
        u["role_label"] = ROLE_LABELS.get(u["role"], u["role"])
    return users


def _dummy_hash() -> str:
    """A hash of nothing, made with the current method, to check unknown names against."""
    if _DUMMY_HASHES.get(PASSWORD_METHOD) is None:
        _DUMMY_HASHES[PASSWORD_METHOD] = generate_password_hash(secrets.token_hex(16), method=PASSWORD_METHOD)
    return _DUMMY_HASHES[PASSWORD_METHOD]


_DUMMY_HASHES: dict[str, str] = {}


def authenticate(db, username: str, password: str) -> User | None:
    """The account if the name and password match and it is active, else None.

    An unknown or disabled name costs one password hash like a wrong password,
    so the answer's timing does not tell which user names exist.
    """
    row = db.execute("SELECT id, password_hash, active FROM users WHERE username = ?",
                     [(username or "").strip()]).fetchone()
    matches = check_password_hash(row[1] if row is not None else _dummy_hash(), password or "")
    if row is None or not row[2] or not matches:
        return None
    with db.conn:
        db.conn.execute("UPDATE users SET last_login = ? WHERE id = ?", [now(), row[0]])
    return get_user(db, row[0])


def set_password(db, user_id: int, password: str, *, actor=None) -> None:
    """Replace an account's password (its owner or an administrator), audited; every session of the account ends."""
    actor = require_self_or_admin(actor, user_id)
    _check_password(password)
    get_user(db, user_id)
    hashed = generate_password_hash(password, method=PASSWORD_METHOD)
    _audited(db, actor, "password", user_id, lambda: db.conn.execute(
        "UPDATE users SET password_hash = ?, session_version = session_version + 1 WHERE id = ?", [hashed, user_id]))


def update_user(db, user_id: int, *, role: str | None = None, complexes=None, districts=None,
                active: bool | None = None, actor=None) -> User:
    """Change an account's role, complexes, districts and/or active flag (administrators); one audit entry.

    What is None stays as it is. A real change of role, or a deactivation,
    ends the account's sessions.
    """
    actor = require_admin(actor)
    if role is not None:
        _check_role(role)
    get_user(db, user_id)
    complex_ids = _complex_ids(db, complexes) if complexes is not None else None
    pairs = sorted({_district(d) for d in districts}) if districts is not None else None

    def write():
        if role is not None:
            db.conn.execute("UPDATE users SET session_version = session_version + (role <> ?), role = ? "
                            "WHERE id = ?", [role, role, user_id])
        if complex_ids is not None:
            db.conn.execute("DELETE FROM user_complexes WHERE user_id = ?", [user_id])
            db.conn.executemany("INSERT INTO user_complexes VALUES (?, ?)", [(user_id, c) for c in complex_ids])
        if pairs is not None:
            db.conn.execute("DELETE FROM user_districts WHERE user_id = ?", [user_id])
            db.conn.executemany("INSERT INTO user_districts VALUES (?, ?, ?)", [(user_id, s, g) for s, g in pairs])
        if active is not None:
            flag = int(bool(active))
            db.conn.execute("UPDATE users SET session_version = session_version + (active = 1 AND ? = 0), "
                            "active = ? WHERE id = ?", [flag, flag, user_id])

    _audited(db, actor, "update", user_id, write)
    return get_user(db, user_id)


def set_role(db, user_id: int, role: str, *, actor=None) -> None:
    """Change an account's role (see :func:`update_user`); a real change ends the account's sessions."""
    update_user(db, user_id, role=role, actor=actor)


def set_active(db, user_id: int, active: bool, *, actor=None) -> None:
    """Enable or disable an account (disabled accounts cannot sign in or use tokens; their sessions end)."""
    update_user(db, user_id, active=active, actor=actor)


def end_sessions(db, user_id: int) -> None:
    """End every session and remember-me cookie of an account (sign-out does this)."""
    with db.conn:
        db.conn.execute("UPDATE users SET session_version = session_version + 1 WHERE id = ?", [user_id])


def user_for_session(db, identity: str | None) -> User | None:
    """The active account a session identity ("id:version") names, else None.

    An identity from before the last sign-out, password change or
    deactivation carries an old version and names nobody; so does the bare
    "id" older releases stored.
    """
    user_id, sep, version = str(identity or "").partition(":")
    if not sep or not user_id.isdigit() or not version.isdigit() or len(user_id) > 18:
        return None
    try:
        user = get_user(db, int(user_id))
    except UserNotFound:
        return None
    if not user.active or not secrets.compare_digest(str(user.session_version), version):
        return None
    return user


def assign_complexes(db, user_id: int, complexes, *, actor=None) -> None:
    """Replace the complexes an account works in (ids or names); see :func:`update_user`."""
    update_user(db, user_id, complexes=complexes, actor=actor)


def assign_districts(db, user_id: int, districts, *, actor=None) -> None:
    """Replace the districts an account reads ('시도' or '시도/시군구'); see :func:`update_user`."""
    update_user(db, user_id, districts=districts, actor=actor)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(db, user_id: int, label: str = "", *, actor=None) -> str:
    """A new API token for an account (administrators), audited by label; only its hash is stored, so show it once."""
    actor = require_admin(actor)
    get_user(db, user_id)
    token = "yg_" + secrets.token_urlsafe(32)
    _audited(db, actor, "token", user_id, lambda: db.conn.execute(
        "INSERT INTO api_tokens (user_id, token_hash, label, created_at) VALUES (?, ?, ?, ?)",
        [user_id, _token_hash(token), label, now()]))
    return token


def user_for_token(db, token: str) -> User | None:
    """The active account a bearer token belongs to, else None."""
    if not token:
        return None
    row = db.execute("SELECT t.id, t.user_id FROM api_tokens t JOIN users u ON u.id = t.user_id "
                     "WHERE t.token_hash = ? AND u.active = 1", [_token_hash(token)]).fetchone()
    if row is None:
        return None
    return get_user(db, row[1])


def revoke_tokens(db, user_id: int, *, actor=None) -> int:
    """Delete every token of an account (administrators), audited; returns how many."""
    actor = require_admin(actor)
    get_user(db, user_id)
    return _audited(db, actor, "revoke-tokens", user_id, lambda: db.conn.execute(
        "DELETE FROM api_tokens WHERE user_id = ?", [user_id]).rowcount)


def demo_accounts(db, *, actor=None) -> list[tuple[str, str, str, str]]:
    """Create (or reset) one account per role with a fresh random password.

    Returns [(username, password, role, scope)] so the caller can print them:
    the passwords exist nowhere else. The worker and team lead get the first
    two rental complexes (by name), the planner the first complex's 시도. The
    demo's supportive houses (:func:`directory.sites.demo_houses`, made if
    missing) get a coordinator and a supervisor, and the city an evaluator
    (a planner of 서울특별시).
    """
    complexes = list(db.query("SELECT id, name, sido, sigungu FROM complexes WHERE kind = 'permanent_rental' "
                              "ORDER BY name LIMIT 2"))
    first = complexes[0] if complexes else None
    houses = demo_houses(db, actor=actor)
    plan = [
        ("admin", "admin", [], [], ROLE_LABELS),
        ("planner", "planner", [], [(first["sido"], "")] if first and first["sido"] else [], ROLE_LABELS),
        ("teamlead", "team_lead", [c["id"] for c in complexes[:1]], [], ROLE_LABELS),
        ("worker", "worker", [c["id"] for c in complexes[1:2]], [], ROLE_LABELS),
        ("supervisor", "team_lead", houses, [], SITE_ROLE_LABELS),
        ("coordinator", "worker", houses[:1], [], SITE_ROLE_LABELS),
        ("evaluator", "planner", [], [("서울특별시", "")], SITE_ROLE_LABELS),
    ]
    names_by_id = {r[0]: r[1] for r in db.execute("SELECT id, name FROM complexes")}
    out = []
    for username, role, complex_ids, districts, labels in plan:
        password = secrets.token_urlsafe(9)
        try:
            user = find_user(db, username)
            set_password(db, user.id, password, actor=actor)
            update_user(db, user.id, role=role, active=True, complexes=complex_ids, districts=districts,
                        actor=actor)
        except UserNotFound:
            create_user(db, username, password, role, display_name=f"데모 {labels[role]}",
                        complexes=complex_ids, districts=districts, actor=actor)
        names = [names_by_id[c] for c in complex_ids]
        scope = ", ".join(names + ["/".join(p for p in d if p) for d in districts])
        out.append((username, password, role, scope))
    return out
