"""The audit log: who changed which row, when, from what to what; and undo.

Every edit made through the web app or the API is recorded with the row as it
was before and after (JSON). An administrator can undo an entry: the row goes
back to its "before" state, provided nobody changed it since (otherwise the
undo is refused with a message, never a silent overwrite). The undo is itself
recorded.

A deleted row takes its dependent rows with it (``ON DELETE CASCADE``: a
link's contact log); the delete's entry keeps them under ``_dependents`` and
its undo puts them back with the row.
"""
from __future__ import annotations

import json
import sqlite3

from .actors import require_admin
from .store import StoreError, now

__all__ = ["AuditError", "row_snapshot", "record", "list_entries", "get_entry", "undo"]

# Only these tables are edited through the service, so only these can be undone.
UNDOABLE = {"links", "contacts", "agencies", "correction_requests"}
# Rows that go when their parent goes, as {parent table: (table, column naming the parent)}.
DEPENDENTS = {"links": ("contacts", "link_id")}
DEPENDENTS_KEY = "_dependents"


class AuditError(StoreError):
    """An audit entry cannot be undone."""

    code = "audit_error"


def row_snapshot(db, table: str, row_id, *, dependents: bool = False) -> dict | None:
    """The row as a dict, or None when it does not exist.

    With `dependents`, the rows deleted along with it (see DEPENDENTS) come
    too, under ``_dependents`` as {table: [rows]}: a link's contacts.
    """
    if row_id is None:
        return None
    rows = list(db.query(f"SELECT * FROM [{table}] WHERE id = ?", [row_id]))
    if not rows:
        return None
    row = rows[0]
    if dependents and table in DEPENDENTS:
        child, column = DEPENDENTS[table]
        row[DEPENDENTS_KEY] = {child: list(db.query(f"SELECT * FROM [{child}] WHERE [{column}] = ? ORDER BY id",
                                                    [row_id]))}
    return row


def record(db, user, action: str, table: str, row_id, before: dict | None, after: dict | None) -> int:
    """Add one entry (call inside the edit's transaction); returns its id. `db`: the store or its sqlite3 connection."""
    cur = getattr(db, "conn", db).execute(
        "INSERT INTO audit_log (user_id, username, at, action, table_name, row_id, before, after) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [getattr(user, "id", None), _who(user), now(), action, table, row_id,
         json.dumps(before, ensure_ascii=False, default=str) if before is not None else None,
         json.dumps(after, ensure_ascii=False, default=str) if after is not None else None],
    )
    return cur.lastrowid


def _who(user) -> str:
    """The name the log keeps: the account's, a system actor's (cli:kim), "anonymous" or "system"."""
    if getattr(user, "username", None):
        return user.username
    return "anonymous" if getattr(user, "is_anonymous", False) else "system"


def _decode(entry: dict) -> dict:
    entry["before"] = json.loads(entry["before"]) if entry["before"] else None
    entry["after"] = json.loads(entry["after"]) if entry["after"] else None
    return entry


def list_entries(db, *, limit: int = 100, offset: int = 0, table: str | None = None) -> list[dict]:
    """The newest entries first, before/after decoded."""
    where, params = ("WHERE table_name = ?", [table]) if table else ("", [])
    rows = db.query(f"SELECT * FROM audit_log {where} ORDER BY id DESC LIMIT ? OFFSET ?", [*params, limit, offset])
    return [_decode(r) for r in rows]


def get_entry(db, entry_id: int) -> dict:
    """One entry, before/after decoded."""
    rows = list(db.query("SELECT * FROM audit_log WHERE id = ?", [entry_id]))
    if not rows:
        raise AuditError("audit_entry_not_found", entry_id=entry_id)
    return _decode(rows[0])


def _same(a: dict | None, b: dict | None) -> bool:
    """Rows equal, ignoring bookkeeping columns an undo itself changes."""
    skip = {"version", "updated_at", DEPENDENTS_KEY}
    if a is None or b is None:
        return a is b
    return {k: v for k, v in a.items() if k not in skip} == {k: v for k, v in b.items() if k not in skip}


def undo(db, entry_id: int, actor=None) -> int:
    """Put the row back as it was before the entry (administrators); returns the new entry's id.

    Refuses (AuditError) when the entry was already undone, its table cannot
    be undone, or the row changed after the entry.
    """
    actor = require_admin(actor)
    entry = get_entry(db, entry_id)
    table, row_id = entry["table_name"], entry["row_id"]
    if entry["undone_by"]:
        raise AuditError("already_undone", entry_id=entry_id)
    if table not in UNDOABLE:
        raise AuditError("not_undoable", table=table)
    with db.conn:
        # An undo that removes the row keeps what goes with it, so it can be undone in turn.
        current = row_snapshot(db, table, row_id, dependents=entry["before"] is None)
        if not _same(current, entry["after"]):
            raise AuditError("changed_since_conflict", entry_id=entry_id)
        before = entry["before"]
        if before is None:  # an insert: remove the row
            db.conn.execute(f"DELETE FROM [{table}] WHERE id = ?", [row_id])
            action = "undo-insert"
        elif current is None:  # a delete: put the row back, and the rows deleted with it
            try:
                _insert(db, table, {c: v for c, v in before.items() if c != DEPENDENTS_KEY})
                for child, rows in (before.get(DEPENDENTS_KEY) or {}).items():
                    for child_row in rows:
                        _insert(db, child, child_row, keep_id=False)
            except sqlite3.IntegrityError as exc:
                raise AuditError("recreated_conflict", entry_id=entry_id, detail=str(exc)) from exc
            action = "undo-delete"
        else:  # an update: restore the old values, bumping the version so open forms see a conflict
            cols = [c for c in before if c not in ("id", "version")]
            sets = ", ".join(f"[{c}] = ?" for c in cols)
            if "version" in current:
                sets += ", version = version + 1"
            db.conn.execute(f"UPDATE [{table}] SET {sets} WHERE id = ?", [before[c] for c in cols] + [row_id])
            action = "undo-update"
        new_id = record(db, actor, action, table, row_id, current, row_snapshot(db, table, row_id))
        db.conn.execute("UPDATE audit_log SET undone_by = ? WHERE id = ?", [new_id, entry_id])
    return new_id


def _insert(db, table: str, row: dict, *, keep_id: bool = True) -> None:
    """Put a row back; with keep_id False a dependent row whose id was reused meanwhile takes a new one."""
    if not keep_id and db.execute(f"SELECT 1 FROM [{table}] WHERE id = ?", [row.get("id")]).fetchone():
        row = {c: v for c, v in row.items() if c != "id"}
    cols = list(row)
    db.conn.execute(f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in cols)}) "
                    f"VALUES ({', '.join('?' for _ in cols)})", [row[c] for c in cols])
