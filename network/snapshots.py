"""Snapshots of the network and the year-on-year comparison: links added, dropped and changed level.

:func:`take_snapshot` records one complex's, one district's (시도 or 시군구)
or the whole store's links as they stand, with each link's effective level
(the contact log's 12 months before the snapshot's date, else the hand-set
level — :func:`network.graph.link_rows`, what every page shows), content
types and depth. Names are copied, so an old snapshot still reads after an
agency is renamed or removed. :func:`compare_snapshots` sets two snapshots of
the same scope side by side.

A snapshot dated in the past counts the contact log up to that date and
leaves out links made after it; links deleted since cannot come back, so a
year's snapshot is best taken in its own year (``yeongye network snapshot``).
"""
from __future__ import annotations

import json
from datetime import date

from directory import audit
from directory.actors import require_admin, require_complex_edit
from directory.errors import YeongyeError
from directory.store import get_complex, now

from .graph import district_complexes, frequency_scale, link_rows

__all__ = ["SnapshotError", "SnapshotNotFound", "take_snapshot", "list_snapshots", "get_snapshot",
           "compare_snapshots", "snapshot_scope"]

EARLIEST = date(2000, 1, 1)


class SnapshotError(YeongyeError, ValueError):
    """A snapshot cannot be taken or compared as asked."""

    code = "snapshot_error"


class SnapshotNotFound(SnapshotError):
    """No snapshot has this id."""

    code = "snapshot_not_found"


def snapshot_scope(*, complex_id=None, sido=None, sigungu=None) -> dict:
    """The scope a snapshot covers: ``{"scope": complex|district|all, "complex_id", "sido", "sigungu"}``.

    >>> snapshot_scope(sido="서울특별시")
    {'scope': 'district', 'complex_id': None, 'sido': '서울특별시', 'sigungu': None}
    """
    if complex_id is not None:
        return {"scope": "complex", "complex_id": int(complex_id), "sido": None, "sigungu": None}
    if sigungu and not sido:
        raise SnapshotError("snapshot_sigungu_without_sido", sigungu=sigungu)
    if sido:
        return {"scope": "district", "complex_id": None, "sido": sido, "sigungu": sigungu or None}
    return {"scope": "all", "complex_id": None, "sido": None, "sigungu": None}


def take_snapshot(db, *, complex_id=None, sido=None, sigungu=None, taken_on=None, label=None, actor=None) -> dict:
    """Record the links of a complex, a district or the whole store at `taken_on` (default today).

    A complex's snapshot is for those who may edit the complex; a district's
    or the store's for administrators (the CLI may do both). One transaction:
    the snapshot, its links, and one audit entry.

    Returns the snapshot row (``id``, ``scope``, ``taken_on``, ``links`` …).

    Examples
    --------
    >>> from directory.store import connect
    >>> take_snapshot(connect(":memory:"), taken_on="2025-12-31")["links"]
    0
    """
    scope = snapshot_scope(complex_id=complex_id, sido=sido, sigungu=sigungu)
    day = _day(taken_on)
    if scope["scope"] == "complex":
        row = get_complex(db, scope["complex_id"])
        actor = require_complex_edit(actor, row["id"])
        complex_ids = [row["id"]]
    else:
        actor = require_admin(actor)
        complex_ids = None if scope["scope"] == "all" else [c["id"] for c in district_complexes(db, sido, sigungu)]
        if complex_ids == []:
            raise SnapshotError("snapshot_no_complexes", sido=sido, sigungu=sigungu or "")
    rows = link_rows(db, complex_ids=complex_ids, today=day)
    made = _made_on(db, [r["id"] for r in rows])
    rows = [r for r in rows if (made.get(r["id"]) or "")[:10] <= day.isoformat()]
    record = {**scope, "taken_on": day.isoformat(), "label": (label or "").strip()[:100] or None,
              "links": len(rows), "created_at": now()}
    with db.conn:
        snapshot_id = db["network_snapshots"].insert(record).last_pk
        db["network_snapshot_links"].insert_all(
            ({"snapshot_id": snapshot_id, "complex_id": r["complex_id"], "agency_id": r["agency_id"],
              "complex_name": r["complex_name"], "agency_name": r["agency_name"], "agency_type": r["agency_type"],
              "category": r["category"], "level": r["level"],
              "content_types": json.dumps(r["content_types"], ensure_ascii=False), "depth": r.get("depth_label")}
             for r in rows), batch_size=500)
        audit.record(db, actor, "create", "network_snapshots", snapshot_id, None, {"id": snapshot_id, **record})
    return {"id": snapshot_id, **record}


def list_snapshots(db, *, complex_id=None, sido=None, sigungu=None, every: bool = False) -> list[dict]:
    """The snapshots of one scope (or, with `every`, of all), newest first.

    >>> from directory.store import connect
    >>> list_snapshots(connect(":memory:"))
    []
    """
    sql = "SELECT s.*, c.name AS complex_name FROM network_snapshots s LEFT JOIN complexes c ON c.id = s.complex_id"
    params: list = []
    if not every:
        scope = snapshot_scope(complex_id=complex_id, sido=sido, sigungu=sigungu)
        sql += " WHERE s.scope = ? AND s.complex_id IS ? AND s.sido IS ? AND s.sigungu IS ?"
        params = [scope["scope"], scope["complex_id"], scope["sido"], scope["sigungu"]]
    return list(db.query(sql + " ORDER BY s.taken_on DESC, s.id DESC", params))


def get_snapshot(db, snapshot_id: int, *, links: bool = True) -> dict:
    """One snapshot, with its links (``content_types`` as a list) ordered by complex and agency name."""
    rows = list(db.query("SELECT s.*, c.name AS complex_name FROM network_snapshots s "
                         "LEFT JOIN complexes c ON c.id = s.complex_id WHERE s.id = ?", [int(snapshot_id)]))
    if not rows:
        raise SnapshotNotFound(snapshot_id=snapshot_id)
    snapshot = rows[0]
    if links:
        items = list(db.query("SELECT * FROM network_snapshot_links WHERE snapshot_id = ? "
                              "ORDER BY complex_name, agency_name, agency_id", [snapshot["id"]]))
        for item in items:
            item["content_types"] = json.loads(item["content_types"] or "[]")
        snapshot["items"] = items
    return snapshot


def compare_snapshots(db, first: int, second: int) -> dict:
    """Two snapshots of the same scope, earlier first: the links added, dropped and changed level.

    Returns
    -------
    dict
        ``before``, ``after`` (the snapshots, without links), ``added`` and
        ``dropped`` (links), ``changed`` (``before_level``, ``after_level``,
        ``direction`` up/down, with the link's names), ``unchanged``
        (count), ``counts`` of each and ``levels`` (level → mark and label).
    """
    a, b = get_snapshot(db, first), get_snapshot(db, second)
    if _scope_key(a) != _scope_key(b):
        raise SnapshotError("snapshot_scopes_differ", first=a["id"], second=b["id"])
    before, after = sorted((a, b), key=lambda s: (s["taken_on"], s["id"]))
    old = {(r["complex_id"], r["agency_id"]): r for r in before.pop("items")}
    new = {(r["complex_id"], r["agency_id"]): r for r in after.pop("items")}
    added = [new[k] for k in new if k not in old]
    dropped = [old[k] for k in old if k not in new]
    changed, unchanged = [], 0
    for key in new.keys() & old.keys():
        was, now_ = old[key]["level"], new[key]["level"]
        if was == now_:
            unchanged += 1
            continue
        changed.append({**new[key], "before_level": was, "after_level": now_,
                        "direction": "up" if (now_ or 0) > (was or 0) else "down"})
    order = (lambda r: (r["complex_name"] or "", r["agency_name"] or "", r["agency_id"]))
    added.sort(key=order)
    dropped.sort(key=order)
    changed.sort(key=lambda r: (r["direction"] != "down", *order(r)))
    return {
        "before": before, "after": after, "added": added, "dropped": dropped, "changed": changed,
        "unchanged": unchanged,
        "counts": {"added": len(added), "dropped": len(dropped), "changed": len(changed), "unchanged": unchanged,
                   "up": sum(1 for r in changed if r["direction"] == "up"),
                   "down": sum(1 for r in changed if r["direction"] == "down")},
        "levels": {r["level"]: {"mark": r["mark"], "label": r["label"]} for r in frequency_scale(db)},
    }


# --- helpers ------------------------------------------------------------------


def _day(value) -> date:
    if value is None or value == "":
        return date.today()
    if isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value).strip())
        except ValueError:
            raise SnapshotError("snapshot_bad_date", value=value) from None
    if day > date.today():
        raise SnapshotError("snapshot_future_date", value=day.isoformat())
    if day < EARLIEST:
        raise SnapshotError("snapshot_bad_date", value=day.isoformat())
    return day


def _made_on(db, link_ids: list[int]) -> dict:
    """link id -> when the link was made (created_at), for leaving out links younger than a snapshot's date."""
    made = {}
    for start in range(0, len(link_ids), 900):  # SQLite's limit on bound parameters
        chunk = link_ids[start:start + 900]
        made.update(db.execute(f"SELECT id, created_at FROM links WHERE id IN ({','.join('?' * len(chunk))})",
                               chunk).fetchall())
    return made


def _scope_key(snapshot: dict) -> tuple:
    return snapshot["scope"], snapshot["complex_id"], snapshot["sido"], snapshot["sigungu"]
