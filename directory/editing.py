"""Hand edits of agencies by an administrator, and correction requests from users.

Each edit normalises like an import does (시도, phone, name key), records the
row before and after in the audit log in the same transaction, and keeps the
original text columns (`*_raw`) untouched so the source can still be seen.
Editing an agency and resolving a request are for administrators (the
`actor` is checked, :mod:`directory.actors`); anyone may send a request.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

from . import audit, privacy
from .actors import require_admin
from .normalize import address_key, clean_text, name_key, normalize_homepage, normalize_phone, normalize_sido
from .store import AgencyNotFound, StoreError, now
from .vocabulary import KOREA_LAT, KOREA_LON

__all__ = ["EDITABLE", "CORRECTION_STATUSES", "EditError", "CorrectionPersonalData", "update_agency", "create_agency",
           "request_correction", "resolve_correction", "list_corrections", "count_corrections"]

# Field → Korean label; only these can be changed by hand.
EDITABLE = {
    "name": "기관명", "type": "기관 유형", "road_address": "도로명주소", "lot_address": "지번주소",
    "sido": "시도", "sigungu": "시군구", "eupmyeondong": "읍면동", "phone": "전화", "homepage": "홈페이지",
    "operator": "운영기관", "services": "주요 서비스", "target_groups": "대상", "hours": "운영 시간",
    "lat": "위도", "lon": "경도", "verified_date": "확인일",
}
MAX_TEXT = 1000
CORRECTION_STATUSES = ("open", "done", "rejected")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class EditError(StoreError):
    """An edit has a value that cannot be stored; the message names the field."""

    code = "edit_error"


class CorrectionPersonalData(EditError, privacy.PersonalDataError):
    """A correction request looks like it holds a resident's personal data (`kind`, `field`)."""

    code = "personal_data"  # EditError's family, privacy's words


# The requester's own contact may be a phone number or a name; never a resident's ID or flat.
CONTACT_REFUSED = ("rrn", "rrn_masked", "unit", "name_age", "name_resident")


def _clean(db, changes: dict) -> dict:
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise EditError("not_editable", fields=", ".join(sorted(map(str, unknown))))
    out = {}
    for key, value in changes.items():
        label = EDITABLE[key]
        if key in ("lat", "lon"):
            if value in (None, ""):
                out[key] = None
                continue
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise EditError("field_not_a_number", label=label, value=value) from None
            low, high = KOREA_LAT if key == "lat" else KOREA_LON
            if not low <= number <= high:
                raise EditError("field_outside_korea", label=label, low=low, high=high, value=number)
            out[key] = number
            continue
        if value is not None and not isinstance(value, (str, int, float)):
            raise EditError("field_not_text", label=label)
        text = clean_text(value)
        if text and len(text) > MAX_TEXT:
            raise EditError("field_too_long", label=label, limit=MAX_TEXT)
        if key == "name" and not text:
            raise EditError("name_required")
        if key == "type" and text:
            known = db.execute("SELECT name FROM agency_types WHERE name = ?", [text]).fetchone() or \
                db.execute("SELECT type FROM type_aliases WHERE alias = ?", [text]).fetchone()
            if not known:
                raise EditError("unknown_agency_type", value=text)
            text = known[0]
        if key == "sido" and text:
            sido = normalize_sido(text)
            if not sido:
                raise EditError("unknown_sido", value=text)
            text = sido
        if key == "phone" and text:
            phone = normalize_phone(text)
            if not phone:
                raise EditError("bad_phone", value=text)
            text = phone
        if key == "verified_date" and text:
            text = _verified_date(text)
        if key == "homepage" and text:
            url = normalize_homepage(text)
            if url is None:
                raise EditError("bad_homepage", value=text)
            text = url
        out[key] = text
    return out


def _verified_date(text: str) -> str:
    """A real calendar day, not in the future (a day's slack for time zones): 2024-13-45 is refused."""
    try:
        day = date.fromisoformat(text) if _DATE.match(text) else None
    except ValueError:
        day = None
    if day is None:
        raise EditError("bad_verified_date", value=text)
    if day > date.today() + timedelta(days=1):
        raise EditError("future_verified_date", value=text)
    return day.isoformat()


def _derived(db, values: dict, merged: dict) -> dict:
    """Columns that follow from the edited ones: name key, category, address key, placement."""
    extra = {}
    if "name" in values:
        extra["name_key"] = name_key(values["name"])
    if "type" in values:
        row = db.execute("SELECT category FROM agency_types WHERE name = ?", [values["type"]]).fetchone()
        extra["category"] = row[0] if row else None
    if "road_address" in values or "lot_address" in values:
        extra["address_key"] = address_key(merged.get("road_address") or merged.get("lot_address")) or None
    if "lat" in values or "lon" in values:
        if (merged.get("lat") is None) != (merged.get("lon") is None):
            raise EditError("lat_lon_together")
        extra["placement"] = "exact" if merged.get("lat") is not None else "unplaced"
    return extra


def update_agency(db, agency_id: int, changes: dict, *, actor=None) -> dict:
    """Change some fields of an agency (administrators); returns the row after. Audited."""
    actor = require_admin(actor)
    values = _clean(db, changes)
    with db.conn:
        before = audit.row_snapshot(db, "agencies", agency_id)
        if before is None:
            raise AgencyNotFound(agency_id=agency_id)
        values.update(_derived(db, values, {**before, **values}))
        values["updated_at"] = now()
        sets = ", ".join(f"[{k}] = ?" for k in values)
        db.conn.execute(f"UPDATE agencies SET {sets} WHERE id = ?", [*values.values(), agency_id])
        after = audit.row_snapshot(db, "agencies", agency_id)
        audit.record(db, actor, "update", "agencies", agency_id, before, after)
    return after


def create_agency(db, fields: dict, *, actor=None) -> dict:
    """Add an agency by hand (administrators; source 'manual'); returns the new row. Audited."""
    actor = require_admin(actor)
    values = _clean(db, fields)
    if not values.get("name"):
        raise EditError("name_required")
    values.update(_derived(db, values, values))
    values.setdefault("placement", "unplaced")
    stamp = now()
    values.update(source="manual", created_at=stamp, updated_at=stamp)
    cols = list(values)
    with db.conn:
        cur = db.conn.execute(
            f"INSERT INTO agencies ({', '.join(f'[{c}]' for c in cols)}) VALUES ({', '.join('?' for _ in cols)})",
            [values[c] for c in cols])
        agency_id = cur.lastrowid
        after = audit.row_snapshot(db, "agencies", agency_id)
        audit.record(db, actor, "insert", "agencies", agency_id, None, after)
    return after


def request_correction(db, agency_id: int, message: str, *, field: str | None = None, contact: str | None = None,
                       actor=None) -> int:
    """Store a correction request for the administrators, audited; returns its id.

    Anyone may send one, signed in or not, so the message (and the contact,
    for ID numbers and flats) goes through the personal-data detector first:
    :class:`CorrectionPersonalData` names what was seen.
    """
    if db.execute("SELECT 1 FROM agencies WHERE id = ?", [agency_id]).fetchone() is None:
        raise AgencyNotFound(agency_id=agency_id)
    text = clean_text(message)
    if not text:
        raise EditError("correction_empty")
    if len(text) > MAX_TEXT:
        raise EditError("correction_too_long", limit=MAX_TEXT)
    if field and field not in EDITABLE:
        field = None
    contact = (clean_text(contact) or "")[:200] or None
    privacy.check_personal_data(text, field="message", error=CorrectionPersonalData)
    privacy.check_personal_data(contact, field="contact", kinds=CONTACT_REFUSED, error=CorrectionPersonalData)
    with db.conn:
        cur = db.conn.execute(
            "INSERT INTO correction_requests (agency_id, field, message, contact, user_id, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [agency_id, field, text, contact, getattr(actor, "id", None), now()])
        request_id = cur.lastrowid
        audit.record(db, actor, "insert", "correction_requests", request_id, None,
                     audit.row_snapshot(db, "correction_requests", request_id))
    return request_id


def resolve_correction(db, request_id: int, status: str, *, actor=None) -> dict:
    """Mark a correction request done, rejected (or open again) (administrators), audited; returns the row."""
    actor = require_admin(actor)
    if status not in CORRECTION_STATUSES:
        raise EditError("unknown_correction_status", status=status)
    with db.conn:
        before = audit.row_snapshot(db, "correction_requests", request_id)
        if before is None:
            raise EditError("correction_not_found", request_id=request_id)
        db.conn.execute("UPDATE correction_requests SET status = ?, resolved_by = ?, resolved_at = ? WHERE id = ?",
                        [status, actor.id, now(), request_id])
        after = audit.row_snapshot(db, "correction_requests", request_id)
        audit.record(db, actor, "update", "correction_requests", request_id, before, after)
    return after


def list_corrections(db, status: str = "open", *, limit: int = 200) -> list[dict]:
    """Correction requests with one status, newest first, with the agency's name and the sender's user name."""
    return list(db.query(
        "SELECT r.*, a.name AS agency_name, u.username FROM correction_requests r "
        "JOIN agencies a ON a.id = r.agency_id LEFT JOIN users u ON u.id = r.user_id "
        "WHERE r.status = ? ORDER BY r.id DESC LIMIT ?", [status, limit]))


def count_corrections(db, status: str = "open") -> int:
    """How many correction requests have this status."""
    return db.execute("SELECT count(*) FROM correction_requests WHERE status = ?", [status]).fetchone()[0]
