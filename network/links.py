"""Writing links: create, change and delete with optimistic concurrency.

Two team members may edit the same link at once. Every change names the
``version`` it started from; if the stored version moved on meanwhile the
change is refused with :class:`Conflict` and nothing is written. The web
pages call these functions; they hold no logic of their own.
"""
from __future__ import annotations

import json

from directory import audit, privacy
from directory.actors import require_complex_edit
from directory.errors import YeongyeError
from directory.frequency import BASES
from directory.store import get_complex, now

from .contacts import ContactError, PersonalDataError, add_contact, check_note

__all__ = ["LinkError", "Conflict", "LinkNotFound", "NotePersonalData", "set_link", "delete_link", "get_link",
           "find_link", "find_partner", "add_contact"]


class LinkError(YeongyeError, ValueError):
    """A link cannot be written as given."""


class LinkNotFound(LinkError):
    """No link has that id (or complex × agency)."""

    code = "link_not_found"


class NotePersonalData(LinkError, privacy.PersonalDataError):
    """A link's note looks like it holds a resident's personal data (`kind` says what)."""


class Conflict(LinkError):
    """The link changed since it was read (its version differs); `current` is the stored link, if known."""

    code = "link_conflict"

    def __init__(self, code: str | None = None, /, *, current: dict | None = None, **params):
        super().__init__(code, **params)
        self.current = current


def get_link(db, link_id: int | None = None, *, complex_id: int | None = None, agency_id: int | None = None) -> dict:
    """One link by id, or by complex and agency, with content types decoded."""
    if link_id is not None:
        rows = list(db.query("SELECT * FROM links WHERE id = ?", [link_id]))
    else:
        rows = list(db.query("SELECT * FROM links WHERE complex_id = ? AND agency_id = ?", [complex_id, agency_id]))
    if not rows:
        key = link_id if link_id is not None else (complex_id, agency_id)
        raise LinkNotFound(link_id=key)
    row = rows[0]
    row["content_types"] = json.loads(row["content_types"] or "[]")
    return row


def find_link(db, complex_key, agency) -> int:
    """The id of a complex's link to a partner; the complex by name or id, the partner by id, name or type.

    Raises ComplexNotFound, LinkNotFound ("partner_not_found") when the
    complex has no such partner, and LinkError ("ambiguous_partner") when
    the name or type fits several.
    """
    complex_row = get_complex(db, complex_key)
    if str(agency).strip().isdigit():
        found = db.execute("SELECT id FROM links WHERE complex_id = ? AND agency_id = ?",
                           [complex_row["id"], int(agency)]).fetchall()
    else:
        found = db.execute(
            """SELECT l.id FROM links l JOIN agencies a ON a.id = l.agency_id
               WHERE l.complex_id = ? AND (a.name = ? OR a.type = ?)""",
            [complex_row["id"], agency, agency]).fetchall()
    if not found:
        raise LinkNotFound("partner_not_found", complex=complex_row["name"], agency=agency)
    if len(found) > 1:
        raise LinkError("ambiguous_partner", agency=agency)
    return found[0][0]


def find_partner(db, complex_ids, agency) -> int:
    """The id of an agency among the partners of any of the complexes: by id, name or type.

    Raises LinkNotFound ("partner_not_found") when none of the complexes has
    such a partner and LinkError ("ambiguous_partner") when it names several.
    """
    ids = [int(c) for c in complex_ids]
    marks = ",".join("?" * len(ids))
    text = str(agency).strip()
    if text.isdigit():
        found = db.execute(f"SELECT DISTINCT agency_id FROM links WHERE complex_id IN ({marks}) AND agency_id = ?",
                           [*ids, int(text)]).fetchall()
    else:
        found = db.execute(
            f"""SELECT DISTINCT l.agency_id FROM links l JOIN agencies a ON a.id = l.agency_id
                WHERE l.complex_id IN ({marks}) AND (a.name = ? OR a.type = ?)""", [*ids, text, text]).fetchall()
    if not found:
        names = ", ".join(r[0] for r in db.execute(f"SELECT name FROM complexes WHERE id IN ({marks})", ids))
        raise LinkNotFound("partner_not_found", complex=names, agency=agency)
    if len(found) > 1:
        raise LinkError("ambiguous_partner", agency=agency)
    return found[0][0]


def set_link(db, complex_id: int, agency_id: int, level: int | None, content_types=(), note: str | None = None,
             expected_version: int | None = None, *, since: str | None = None, basis: str | None = None,
             actor=None) -> dict:
    """Create or change the link between a complex and an agency, audited; returns the link as written.

    Parameters
    ----------
    level : int or None
        Frequency level 1–5 entered by hand (None: not known yet).
    content_types : iterable of str
        Content-type codes (``referral``, ``resources``, ``information``,
        ``programs``, ``meetings``) or their Korean names.
    note : str, optional
        Checked for personal data like a contact note (:mod:`directory.privacy`);
        refused with :class:`NotePersonalData`.
    expected_version : int or None
        The version the caller read. None means "create": it fails with
        :class:`Conflict` if the link already exists.
    basis : str, optional
        Whose level the pages show (:mod:`directory.frequency`): ``auto``
        (the log's once it covers the link's last 12 months), ``log``
        (기록으로 계산) or ``manual`` (직접 입력 유지). None keeps the stored
        choice (``auto`` for a new link).
    actor : User or SystemActor, optional
        Who acts (None: the program itself); must be allowed to edit the
        complex (:func:`directory.actors.require_complex_edit`). The audit
        entry ("insert" or "update" on ``links``) commits with the write.

    Raises
    ------
    Conflict
        The stored version differs from `expected_version`.
    directory.actors.PermissionDenied
        The actor may not edit this complex's links.

    Examples
    --------
    >>> from directory.store import connect
    >>> set_link(connect(":memory:"), 1, 1, 9)
    Traceback (most recent call last):
    ...
    network.links.LinkError: 알 수 없는 연락 빈도: 9 (1~5)
    """
    actor = require_complex_edit(actor, complex_id)
    levels = {r[0] for r in db.execute("SELECT level FROM frequency_levels")}
    if level is not None and level not in levels:
        raise LinkError("unknown_level", level=level)
    if basis is not None and basis not in BASES:
        raise LinkError("unknown_frequency_basis", value=basis, known=", ".join(BASES))
    codes = _content_codes(db, content_types)
    try:
        clean = check_note(note)
    except PersonalDataError as exc:
        raise NotePersonalData(exc.kind, field="note", shown=exc.shown) from exc
    except ContactError as exc:
        raise LinkError(exc.code, **exc.params) from exc
    for table, key in (("complexes", complex_id), ("agencies", agency_id)):
        if db.execute(f"SELECT 1 FROM {table} WHERE id = ?", [key]).fetchone() is None:
            raise LinkError("complex_not_found", complex_id=key) if table == "complexes" else \
                LinkError("agency_not_found", agency_id=key)
    stamp = now()
    with db.conn:
        row = db.conn.execute(
            "SELECT id, version FROM links WHERE complex_id = ? AND agency_id = ?", [complex_id, agency_id]
        ).fetchone()
        before = None
        if row is None:
            if expected_version not in (None, 0):
                raise Conflict("link_deleted_conflict")
            cur = db.conn.execute(
                """INSERT INTO links (complex_id, agency_id, frequency_level, frequency_basis, content_types, note,
                                      since, source, version, created_at, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, 'manual', 1, ?, ?)""",
                [complex_id, agency_id, level, basis or "auto", json.dumps(codes), clean, since, stamp, stamp],
            )
            link_id = cur.lastrowid
        else:
            link_id, version = row
            if expected_version is None or int(expected_version) != version:
                raise Conflict(expected=expected_version, current_version=version)
            before = audit.row_snapshot(db, "links", link_id)
            cur = db.conn.execute(
                """UPDATE links SET frequency_level = ?, frequency_basis = coalesce(?, frequency_basis),
                          content_types = ?, note = ?, since = coalesce(?, since), version = version + 1,
                          updated_at = ?
                   WHERE id = ? AND version = ?""",
                [level, basis, json.dumps(codes), clean, since, stamp, link_id, version],
            )
            if cur.rowcount != 1:  # pragma: no cover - another writer slipped in between
                raise Conflict(expected=version, current_version=version + 1)
        after = audit.row_snapshot(db, "links", link_id)
        audit.record(db, actor, "insert" if before is None else "update", "links", link_id, before, after)
    # The row as written in this transaction, not as re-read after another writer.
    return {**after, "content_types": json.loads(after["content_types"] or "[]")}


def delete_link(db, link_id: int, expected_version: int | None = None, *, actor=None) -> None:
    """Delete a link (and its contact log), audited; with `expected_version`, only if unchanged.

    The audit entry keeps the contacts beside the link (``_dependents``), so
    undoing the deletion brings the contact log back. The actor must be
    allowed to edit the link's complex.
    """
    with db.conn:
        row = db.conn.execute("SELECT version, complex_id FROM links WHERE id = ?", [link_id]).fetchone()
        if row is None:
            raise LinkNotFound(link_id=link_id)
        actor = require_complex_edit(actor, row[1])
        if expected_version is not None and int(expected_version) != row[0]:
            raise Conflict(expected=expected_version, current_version=row[0])
        before = audit.row_snapshot(db, "links", link_id, dependents=True)
        db.conn.execute("DELETE FROM links WHERE id = ?", [link_id])
        audit.record(db, actor, "delete", "links", link_id, before, None)


# --- helpers ------------------------------------------------------------------


def _content_codes(db, values) -> list[str]:
    if isinstance(values, str):
        values = [v for v in values.replace(";", ",").split(",")]
    known = {}
    for code, name in db.execute("SELECT code, name FROM content_types"):
        known[code] = code
        known[name] = code
    codes = []
    for value in values or ():
        text = str(value).strip()
        if not text:
            continue
        if text not in known:
            raise LinkError("unknown_content_type", value=value, known=", ".join(sorted(set(known.values()))))
        if known[text] not in codes:
            codes.append(known[text])
    return codes
