"""Programmes (사업·프로그램): joint work that spans complexes and agencies.

The study's deepest links are joint programmes — 치매안심마을, 생명존중안심마을,
고독사예방 발굴단, festivals; complex A ran one with seven LH complexes, F with
seven complexes, 코레일 and 주택관리공단. A programme has a name, a period
(start, end; no end while it runs) and members: complexes and agencies, each
with a role from ``data/reference/programme_roles.csv`` (주관, 공동 주관, 협력,
참여, 후원·자원 제공). A complex and an agency in the same programme have a
joint programme on their link, which makes the link 실질적 (:mod:`network.depth`).

Every write names its actor, who must be allowed to edit every complex in the
programme (a team lead cannot put another team's complex into a programme),
and is audited with the members in the same transaction. Descriptions go
through the one personal-data check.
"""
from __future__ import annotations

import csv
import functools
from datetime import date

from directory import audit
from directory.actors import require_complex_edit
from directory.errors import YeongyeError
from directory.paths import REFERENCE_DIR
from directory.store import now

from .contacts import ContactError, check_note

__all__ = [
    "ProgrammeError", "ProgrammeNotFound", "ProgrammeConflict", "programme_roles", "create_programme",
    "update_programme", "delete_programme", "get_programme", "list_programmes", "link_programmes",
]

MAX_NAME = 100
MAX_MEMBERS = 200


class ProgrammeError(YeongyeError, ValueError):
    """A programme cannot be written as given."""

    code = "programme_error"


class ProgrammeNotFound(ProgrammeError):
    """No programme has that id."""

    code = "programme_not_found"


class ProgrammeConflict(ProgrammeError):
    """The programme changed since it was read (its version differs)."""

    code = "programme_conflict"


def programme_roles() -> list[dict]:
    """The member roles (code, name, description), in their display order.

    >>> [r["name"] for r in programme_roles()][:3]
    ['주관', '공동 주관', '협력']
    """
    return [dict(r) for r in _roles()]


def create_programme(db, name: str, *, starts=None, ends=None, description: str | None = None, members=(),
                     actor=None) -> dict:
    """Record a programme and its members, audited; returns it as :func:`get_programme` does.

    Parameters
    ----------
    name : str
        What the field calls it (치매안심마을 조성 사업), at most 100 characters.
    starts, ends : str or datetime.date, optional
        The period, ``YYYY-MM-DD``; no end while it runs.
    description : str, optional
        A short description, checked for personal data.
    members : iterable of dict
        ``{"complex_id": 3, "role": "lead"}`` or ``{"agency_id": 12, "role": "협력"}``;
        the role by code or name (default 참여). At least one complex.
    actor : User or SystemActor, optional
        Must be allowed to edit every complex in `members`.

    Examples
    --------
    >>> from directory.store import connect
    >>> create_programme(connect(":memory:"), "치매안심마을", members=[])
    Traceback (most recent call last):
    ...
    network.programmes.ProgrammeError: 사업에 참여하는 단지를 하나 이상 고르세요.
    """
    fields = _fields(name, starts, ends, description)
    complexes, agencies = _members(db, members)
    for complex_id, _ in complexes:
        actor = require_complex_edit(actor, complex_id)
    stamp = now()
    with db.conn:
        cur = db.conn.execute(
            "INSERT INTO programmes (name, starts, ends, description, version, created_by, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, 1, ?, ?, ?)",
            [fields["name"], fields["starts"], fields["ends"], fields["description"], getattr(actor, "id", None),
             stamp, stamp])
        programme_id = cur.lastrowid
        _write_members(db, programme_id, complexes, agencies)
        after = _snapshot(db, programme_id)
        audit.record(db, actor, "insert", "programmes", programme_id, None, after)
    return get_programme(db, programme_id)


def update_programme(db, programme_id: int, expected_version: int, name: str, *, starts=None, ends=None,
                     description: str | None = None, members=(), actor=None) -> dict:
    """Replace a programme's fields and members if nobody changed it since `expected_version`, audited.

    The actor must be allowed to edit every complex in it, before and after.
    Raises ProgrammeConflict when the stored version moved on.
    """
    fields = _fields(name, starts, ends, description)
    complexes, agencies = _members(db, members)
    with db.conn:
        before = _snapshot(db, programme_id)
        if before is None:
            raise ProgrammeNotFound(programme_id=programme_id)
        for complex_id in {c for c, _ in complexes} | {m["complex_id"] for m in before["members"] if m["complex_id"]}:
            actor = require_complex_edit(actor, complex_id)
        if int(expected_version) != before["version"]:
            raise ProgrammeConflict(expected=expected_version, current_version=before["version"])
        db.conn.execute(
            "UPDATE programmes SET name = ?, starts = ?, ends = ?, description = ?, version = version + 1, "
            "updated_at = ? WHERE id = ?",
            [fields["name"], fields["starts"], fields["ends"], fields["description"], now(), programme_id])
        db.conn.execute("DELETE FROM programme_members WHERE programme_id = ?", [programme_id])
        _write_members(db, programme_id, complexes, agencies)
        audit.record(db, actor, "update", "programmes", programme_id, before, _snapshot(db, programme_id))
    return get_programme(db, programme_id)


def delete_programme(db, programme_id: int, *, actor=None) -> None:
    """Delete a programme and its members, audited (the entry keeps them)."""
    with db.conn:
        before = _snapshot(db, programme_id)
        if before is None:
            raise ProgrammeNotFound(programme_id=programme_id)
        for member in before["members"]:
            if member["complex_id"]:
                actor = require_complex_edit(actor, member["complex_id"])
        db.conn.execute("DELETE FROM programmes WHERE id = ?", [programme_id])
        audit.record(db, actor, "delete", "programmes", programme_id, before, None)


def get_programme(db, programme_id: int) -> dict:
    """One programme with its members (names, kinds, roles) and whether it runs today.

    Keys: the ``programmes`` row, ``complexes`` and ``agencies`` (each
    ``id``, ``name``, ``role``, ``role_name``; agencies with ``type`` and
    ``category``), ``period`` (e.g. ``2024-03-01 ~ 2024-12-31`` or
    ``2024-03-01 ~``) and ``running``.

    >>> from directory.store import connect
    >>> get_programme(connect(":memory:"), 1)
    Traceback (most recent call last):
    ...
    network.programmes.ProgrammeNotFound: 사업·프로그램을 찾을 수 없습니다: 1
    """
    found = _with_members(db, list(db.query("SELECT * FROM programmes WHERE id = ?", [programme_id])))
    if not found:
        raise ProgrammeNotFound(programme_id=programme_id)
    return found[0]


def list_programmes(db, *, complex_id: int | None = None, agency_id: int | None = None) -> list[dict]:
    """Programmes (with members, as :func:`get_programme`), running ones first, newest start first.

    With `complex_id` or `agency_id`, only the programmes that name it, each
    with ``role``/``role_name`` of that complex or agency.

    >>> from directory.store import connect
    >>> list_programmes(connect(":memory:"), complex_id=1)
    []
    """
    where, params = [], []
    if complex_id is not None:
        where.append("id IN (SELECT programme_id FROM programme_members WHERE complex_id = ?)")
        params.append(int(complex_id))
    if agency_id is not None:
        where.append("id IN (SELECT programme_id FROM programme_members WHERE agency_id = ?)")
        params.append(int(agency_id))
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    rows = _with_members(db, list(db.query(f"SELECT * FROM programmes {clause}", params)))
    for row in rows:
        own = [m for m in (row["complexes"] if complex_id is not None else row["agencies"] if agency_id is not None
                           else []) if m["id"] == (complex_id if complex_id is not None else agency_id)]
        if own:
            row["role"], row["role_name"] = own[0]["role"], own[0]["role_name"]
    rows.sort(key=lambda r: r["name"])
    rows.sort(key=lambda r: r["starts"] or "", reverse=True)  # newest start first (stable sorts)
    rows.sort(key=lambda r: not r["running"])
    return rows


def link_programmes(db, link_ids=None) -> dict[int, list[dict]]:
    """link id -> the programmes its complex and agency are both members of (id, name, period).

    >>> from directory.store import connect
    >>> link_programmes(connect(":memory:"))
    {}
    """
    sql = """SELECT l.id, p.id, p.name, p.starts, p.ends FROM links l
             JOIN programme_members mc ON mc.complex_id = l.complex_id
             JOIN programme_members ma ON ma.programme_id = mc.programme_id AND ma.agency_id = l.agency_id
             JOIN programmes p ON p.id = mc.programme_id"""
    params: list = []
    if link_ids is not None:
        ids = [int(i) for i in link_ids]
        if not ids:
            return {}
        rows = []
        for start in range(0, len(ids), 900):
            chunk = ids[start:start + 900]
            rows += db.execute(f"{sql} WHERE l.id IN ({','.join('?' * len(chunk))}) ORDER BY p.starts, p.id",
                               chunk).fetchall()
    else:
        rows = db.execute(f"{sql} ORDER BY p.starts, p.id", params).fetchall()
    out: dict[int, list[dict]] = {}
    for link_id, pid, name, starts, ends in rows:
        out.setdefault(link_id, []).append({"id": pid, "name": name, "starts": starts, "ends": ends})
    return out


# --- helpers ------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _roles() -> tuple:
    with open(REFERENCE_DIR / "programme_roles.csv", encoding="utf-8") as fh:
        return tuple(csv.DictReader(fh))


def _role(value) -> str:
    text = str(value or "").strip() or "participant"
    for role in _roles():
        if text in (role["code"], role["name"]):
            return role["code"]
    raise ProgrammeError("unknown_programme_role", value=value, known=", ".join(r["name"] for r in _roles()))


def _day(value, field: str) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip().replace(".", "-").replace("/", "-")
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise ProgrammeError("bad_programme_date", field=field, value=value) from None


def _fields(name, starts, ends, description) -> dict:
    clean_name = " ".join(str(name or "").split())
    if not clean_name:
        raise ProgrammeError("programme_name_missing")
    if len(clean_name) > MAX_NAME:
        raise ProgrammeError("programme_name_too_long", limit=MAX_NAME)
    start, end = _day(starts, "starts"), _day(ends, "ends")
    if start and end and end < start:
        raise ProgrammeError("programme_ends_before_start", starts=start, ends=end)
    try:
        check_note(clean_name)
        clean = check_note(description)
    except ContactError as exc:  # a personal-data refusal keeps its words
        raise ProgrammeError(exc.code, **exc.params) from exc
    return {"name": clean_name, "starts": start, "ends": end, "description": clean}


def _members(db, members) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    complexes: dict[int, str] = {}
    agencies: dict[int, str] = {}
    for member in members or ():
        if not isinstance(member, dict):
            raise ProgrammeError("bad_programme_member", value=member)
        role = _role(member.get("role"))
        if member.get("complex_id") is not None:
            key, table, into = int(member["complex_id"]), "complexes", complexes
        elif member.get("agency_id") is not None:
            key, table, into = int(member["agency_id"]), "agencies", agencies
        else:
            raise ProgrammeError("bad_programme_member", value=member)
        if db.execute(f"SELECT 1 FROM {table} WHERE id = ?", [key]).fetchone() is None:
            if table == "complexes":
                raise ProgrammeError("complex_not_found", complex_id=key)
            raise ProgrammeError("agency_not_found", agency_id=key)
        into.setdefault(key, role)
    if not complexes:
        raise ProgrammeError("programme_without_complex")
    if len(complexes) + len(agencies) > MAX_MEMBERS:
        raise ProgrammeError("too_many_programme_members", limit=MAX_MEMBERS)
    return list(complexes.items()), list(agencies.items())


def _write_members(db, programme_id, complexes, agencies) -> None:
    db.conn.executemany("INSERT INTO programme_members (programme_id, complex_id, role) VALUES (?, ?, ?)",
                        [(programme_id, c, r) for c, r in complexes])
    db.conn.executemany("INSERT INTO programme_members (programme_id, agency_id, role) VALUES (?, ?, ?)",
                        [(programme_id, a, r) for a, r in agencies])


def _snapshot(db, programme_id) -> dict | None:
    row = audit.row_snapshot(db, "programmes", programme_id)
    if row is None:
        return None
    row["members"] = list(db.query(
        "SELECT complex_id, agency_id, role FROM programme_members WHERE programme_id = ? ORDER BY id",
        [programme_id]))
    return row


def _with_members(db, rows: list[dict]) -> list[dict]:
    if not rows:
        return rows
    ids = [r["id"] for r in rows]
    names = {r["code"]: r["name"] for r in _roles()}
    by_programme: dict[int, dict] = {i: {"complexes": [], "agencies": []} for i in ids}
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        marks = ",".join("?" * len(chunk))
        for m in db.query(
                f"""SELECT m.programme_id, m.complex_id, m.agency_id, m.role,
                           c.name AS complex_name, c.sido AS complex_sido, c.sigungu AS complex_sigungu,
                           a.name AS agency_name, a.type AS agency_type, a.category AS agency_category
                    FROM programme_members m LEFT JOIN complexes c ON c.id = m.complex_id
                    LEFT JOIN agencies a ON a.id = m.agency_id
                    WHERE m.programme_id IN ({marks}) ORDER BY m.id""", chunk):
            bucket = by_programme[m["programme_id"]]
            member = {"role": m["role"], "role_name": names.get(m["role"], m["role"])}
            if m["complex_id"] is not None:
                bucket["complexes"].append({"id": m["complex_id"], "name": m["complex_name"],
                                            "sido": m["complex_sido"], "sigungu": m["complex_sigungu"], **member})
            else:
                bucket["agencies"].append({"id": m["agency_id"], "name": m["agency_name"], "type": m["agency_type"],
                                           "category": m["agency_category"], **member})
    today = date.today().isoformat()
    for row in rows:
        row.update(by_programme[row["id"]])
        row["period"] = f"{row['starts'] or ''} ~ {row['ends'] or ''}".strip()
        row["running"] = (row["starts"] or "") <= today and (row["ends"] is None or row["ends"] >= today)
        # Leads first, then by role's order and name.
        order = {r["code"]: i for i, r in enumerate(_roles())}
        for key in ("complexes", "agencies"):
            row[key].sort(key=lambda m: (order.get(m["role"], 99), m["name"] or ""))
    return rows
