"""Sites: permanent rental complexes and supportive houses (지원주택), and the houses' agreements (협약).

A site is a row of ``complexes`` with a ``kind``: ``permanent_rental``
(영구임대주택, the study's complexes) or ``supportive`` (지원주택, Seoul's
houses for people who were homeless). A house is a complex in every other
respect, so it has the same partners, contact log, gaps, maps and reports
without a second copy of any of them; what it adds is its 정원 (capacity),
its 서비스제공기관 (provider agency), the group it houses, and its operating
agreements with the city.

An agreement runs from ``starts`` to ``ends`` (half-open: a renewal may
start the day the previous one ends), may renew an earlier agreement of the
same house, and may carry the date of the city's notice (공고) that made the
outcome indicators apply: the manual counts from the notice's year, and only
within the current agreement (`001_…` §3-3).

Every write takes the acting ``actor`` (:mod:`directory.actors`), checks it,
and records one audit entry in its transaction: a site is created by an
administrator and edited by its own staff (코디네이터 and 수퍼바이저 are the
house's workers and team leads) or an administrator; its kind only by an
administrator. Free text (name, group, note, address) goes through the
personal-data detector; an address with a 동·호수 is refused, because a
house's flat number points at a resident's home.
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from functools import lru_cache

from . import audit, privacy
from .actors import require_admin, require_complex_edit
from .errors import StoreError
from .normalize import address_key, clean_text, parse_address
from .regions import region_index
from .store import _escape_like, now
from .vocabulary import KOREA_LAT, KOREA_LON, PRECISE, UTMK, transformer

__all__ = [
    "KINDS", "KIND_LABELS", "SUPPORTIVE", "PERMANENT_RENTAL", "FIELD_LABELS",
    "SiteError", "SiteNotFound", "AgreementNotFound", "AgreementConflict", "SitePersonalData",
    "create_site", "update_site", "get_site", "list_sites", "readable_sites", "can_read_site", "locate_site",
    "add_agreement", "update_agreement", "delete_agreement", "list_agreements", "get_agreement",
    "current_agreement", "indicators_apply_from", "DEMO_HOUSES", "demo_houses",
    "PROVIDER_TYPES", "provider_choices",
]

PERMANENT_RENTAL = "permanent_rental"
SUPPORTIVE = "supportive"
KINDS = (PERMANENT_RENTAL, SUPPORTIVE)
KIND_LABELS = {PERMANENT_RENTAL: "영구임대주택", SUPPORTIVE: "지원주택"}

# Field -> Korean label: what a site form edits.
FIELD_LABELS = {
    "name": "이름", "kind": "종류", "capacity": "정원", "provider_agency_id": "서비스제공기관",
    "operator": "공급 기관", "address": "주소", "target_group": "입주 대상",
    "lat": "위도", "lon": "경도",
}
MAX_TEXT = 200
MAX_NOTE = 1000
MAX_CAPACITY = 10_000
# An address may name a road and a number; never a flat (동·호수) or anything personal.
ADDRESS_REFUSED = ("rrn", "rrn_masked", "mobile", "unit", "name_resident", "name_age")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Agreements began with the 2016 pilot; an earlier year is a typing error.
FIRST_YEAR = 2010


class SiteError(StoreError):
    """A site or an agreement cannot be written as given; `code` says why."""

    code = "site_error"


class SiteNotFound(SiteError):
    """No complex or house has that id."""

    code = "site_not_found"


class AgreementNotFound(SiteError):
    """No agreement has that id (for that house)."""

    code = "agreement_not_found"


class AgreementConflict(SiteError):
    """The agreement changed since it was read (its version differs)."""

    code = "agreement_conflict"


class SitePersonalData(SiteError, privacy.PersonalDataError):
    """A site's text looks like it holds a resident's personal data (`kind` says what)."""

    code = "personal_data"


# --- sites ----------------------------------------------------------------------


def get_site(db, site_id) -> dict:
    """One site with ``kind_label``, its provider agency (``provider``: id, name, type, phone or None),
    its agreements (oldest first) and the ``current`` one (see :func:`current_agreement`).

    >>> from directory.store import connect
    >>> get_site(connect(":memory:"), 1)
    Traceback (most recent call last):
    ...
    directory.sites.SiteNotFound: 주택·단지를 찾을 수 없습니다: 1
    """
    row = _row(db, site_id)
    row["kind_label"] = KIND_LABELS.get(row["kind"], row["kind"])
    row["provider"] = _provider(db, row["provider_agency_id"])
    row["agreements"] = list_agreements(db, row["id"])
    row["current"] = _current(row["agreements"], date.today())
    return row


def list_sites(db, *, kind: str | None = None, sido: str | None = None) -> list[dict]:
    """Every site (of one `kind`, in one 시도), by name, with partners, provider name and current agreement."""
    if kind is not None:
        _kind(kind)
    where, params = [], []
    if kind:
        where.append("c.kind = ?")
        params.append(kind)
    if sido:
        where.append("c.sido = ?")
        params.append(sido)
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    rows = list(db.query(
        f"""SELECT c.*, a.name AS provider_name, count(l.id) AS partners FROM complexes c
            LEFT JOIN agencies a ON a.id = c.provider_agency_id
            LEFT JOIN links l ON l.complex_id = c.id
            {clause} GROUP BY c.id ORDER BY c.name""", params))
    agreements: dict[int, list[dict]] = {}
    for agreement in db.query("SELECT * FROM site_agreements ORDER BY site_id, starts, id"):
        agreements.setdefault(agreement["site_id"], []).append(agreement)
    today = date.today()
    for row in rows:
        row["kind_label"] = KIND_LABELS.get(row["kind"], row["kind"])
        row["current"] = _current(agreements.get(row["id"], []), today)
    return rows


def can_read_site(actor, site: dict) -> bool:
    """Whether `actor` may read a site's agreements, counts and indicators.

    Its own staff (코디네이터, 수퍼바이저), the planners of its district (the
    city's evaluator is a planner whose district is the city) and
    administrators; a part of the program (the CLI) reads everything.
    """
    if actor is None or getattr(actor, "is_admin", False):
        return True
    check = getattr(actor, "can_read_complex", None)
    return bool(check and check(site))


def readable_sites(db, actor, *, kind: str | None = SUPPORTIVE) -> list[dict]:
    """The sites of :func:`list_sites` that `actor` may read (:func:`can_read_site`)."""
    return [row for row in list_sites(db, kind=kind) if can_read_site(actor, row)]


def create_site(db, fields: dict, *, actor=None) -> dict:
    """Add a rental complex or a supportive house (administrators), placed from its address; audited.

    `fields`: name (required), kind (code or 영구임대주택/지원주택, default
    지원주택), capacity (정원), provider_agency_id, operator (공급 기관,
    e.g. SH), address, target_group, and lat/lon if known. Returns the row.

    >>> from directory.store import connect
    >>> create_site(connect(":memory:"), {"name": "시범 지원주택", "capacity": 0})
    Traceback (most recent call last):
    ...
    directory.sites.SiteError: 정원은 1~10000 사이의 정수여야 합니다: 0
    """
    actor = require_admin(actor)
    values = _clean(db, {"kind": SUPPORTIVE, **fields})
    if not values.get("name"):
        raise SiteError("site_name_required")
    _unique_name(db, values["name"])
    values.update(_placement(db, values))
    stamp = now()
    values.update(source="manual", created_at=stamp, updated_at=stamp)
    if values["kind"] == SUPPORTIVE:
        values.update(_profile_flags(values.get("target_group")))
    cols = list(values)
    with db.conn:
        cur = db.conn.execute(
            f"INSERT INTO complexes ({', '.join(f'[{c}]' for c in cols)}) VALUES ({', '.join('?' for _ in cols)})",
            [values[c] for c in cols])
        site_id = cur.lastrowid
        after = audit.row_snapshot(db, "complexes", site_id)
        audit.record(db, actor, "insert", "complexes", site_id, None, after)
    return after


def update_site(db, site_id: int, changes: dict, *, actor=None) -> dict:
    """Change some fields of a site (its staff or administrators; `kind` administrators only); audited.

    A changed address (or position) places the site again. Returns the row after.
    """
    actor = require_complex_edit(actor, site_id)
    if "kind" in changes:
        require_admin(actor)
    values = _clean(db, changes)
    if "name" in values and not values["name"]:
        raise SiteError("site_name_required")
    with db.conn:
        before = audit.row_snapshot(db, "complexes", site_id)
        if before is None:
            raise SiteNotFound(site_id=site_id)
        if "name" in values and values["name"] != before["name"]:
            _unique_name(db, values["name"])
        merged = {**before, **values}
        if {"address", "lat", "lon"} & set(values):
            if "address" in values and not {"lat", "lon"} & set(values):
                merged["lat"] = merged["lon"] = None  # the old position was the old address's
            values.update(_placement(db, merged))
        if merged["kind"] == SUPPORTIVE and "target_group" in values:
            values.update(_profile_flags(values["target_group"]))
        values["updated_at"] = now()
        sets = ", ".join(f"[{k}] = ?" for k in values)
        db.conn.execute(f"UPDATE complexes SET {sets} WHERE id = ?", [*values.values(), site_id])
        after = audit.row_snapshot(db, "complexes", site_id)
        audit.record(db, actor, "update", "complexes", site_id, before, after)
    return after


def locate_site(db, address: str | None, lat=None, lon=None) -> dict:
    """Where a site goes, like an agency: its coordinates (``exact``), a placed agency at the same
    address (``matched``), else the centroid of the 읍면동 or 시군구 its address names; ``unplaced``
    otherwise. Returns placement, lat, lon and the 시도/시군구/읍면동/region code parsed from the address.

    >>> found = locate_site(None, "서울특별시 노원구 동일로 1414")
    >>> found["placement"], found["sigungu"]
    ('sigungu', '노원구')
    """
    parsed = parse_address(address)
    out = {"sido": parsed["sido"], "sigungu": parsed["sigungu"], "eupmyeondong": parsed["eupmyeondong"],
           "region_code": parsed["region_code"]}
    if lat is not None and lon is not None:
        return {**out, "placement": "exact", "lat": lat, "lon": lon}
    key = address_key(address) if address else ""
    if key and db is not None:
        precise = sorted(PRECISE)
        hit = db.execute(
            f"SELECT lat, lon FROM agencies WHERE address_key = ? AND lat IS NOT NULL "
            f"AND placement IN ({', '.join('?' * len(precise))}) ORDER BY id LIMIT 1", [key, *precise]).fetchone()
        if hit:
            return {**out, "placement": "matched", "lat": hit[0], "lon": hit[1]}
    code = parsed["region_code"]
    if code and (parsed["eupmyeondong"] or parsed["sigungu"]):
        region = _region_by_code(code)
        if region is not None:
            x_lon, y_lat = transformer(UTMK).transform(region.x, region.y)
            level = "eupmyeondong" if parsed["eupmyeondong"] else "sigungu"
            return {**out, "placement": level, "lat": round(y_lat, 6), "lon": round(x_lon, 6)}
    return {**out, "placement": "unplaced", "lat": None, "lon": None}


# The agency types that run supportive houses or work beside them (`001_…` 〈표 2-2〉, 〈표 2-1〉).
PROVIDER_TYPES = ("지원주택 서비스제공기관", "노숙인종합지원센터", "노숙인자활시설", "노숙인재활시설",
                  "노숙인요양시설", "노숙인일시보호시설", "쪽방상담소")


def provider_choices(db, query: str = "", *, limit: int = 50) -> list[dict]:
    """Agencies a house's provider can be chosen from: those of PROVIDER_TYPES, or whose name holds every word of `query`."""
    words = (query or "").split()
    if words:
        where = " AND ".join("name LIKE ? ESCAPE '\\'" for _ in words)
        params = [f"%{_escape_like(w)}%" for w in words]
    else:
        where = f"type IN ({', '.join('?' * len(PROVIDER_TYPES))})"
        params = list(PROVIDER_TYPES)
    return list(db.query(f"SELECT id, name, type, sido, sigungu FROM agencies WHERE {where} "
                         "ORDER BY name LIMIT ?", [*params, limit]))


# --- agreements -----------------------------------------------------------------


def list_agreements(db, site_id: int) -> list[dict]:
    """A house's agreements, oldest first."""
    return list(db.query("SELECT * FROM site_agreements WHERE site_id = ? ORDER BY starts, id", [site_id]))


def get_agreement(db, agreement_id: int, *, site_id: int | None = None) -> dict:
    """One agreement by id (of `site_id`, when given)."""
    rows = list(db.query("SELECT * FROM site_agreements WHERE id = ?", [agreement_id]))
    if not rows or (site_id is not None and rows[0]["site_id"] != int(site_id)):
        raise AgreementNotFound(agreement_id=agreement_id)
    return rows[0]


def current_agreement(db, site_id: int, *, on: date | None = None) -> dict | None:
    """The agreement in force on `on` (default today), else the latest that has begun; None without one.

    The indicators count "only the current agreement's data": this is that agreement.
    """
    return _current(list_agreements(db, site_id), on or date.today())


def indicators_apply_from(agreement: dict | None) -> date | None:
    """The first day the outcome indicators count within `agreement`: 1 January of the notice's year,
    or the agreement's start if later; None when no notice applies them.

    The manual's example: agreement '22.7–'24.7, notice '23.2 → counted from 2023.

    >>> indicators_apply_from({"starts": "2022-07-01", "ends": "2024-07-31", "notice_date": "2023-02-15"})
    datetime.date(2023, 1, 1)
    >>> indicators_apply_from({"starts": "2024-03-01", "ends": "2027-02-28", "notice_date": "2023-02-15"})
    datetime.date(2024, 3, 1)
    """
    if not agreement or not agreement.get("notice_date"):
        return None
    notice_year = date.fromisoformat(agreement["notice_date"]).year
    return max(date(notice_year, 1, 1), date.fromisoformat(agreement["starts"]))


def add_agreement(db, site_id: int, starts, ends, *, notice_date=None, renews_id: int | None = None,
                  note: str | None = None, actor=None) -> dict:
    """Record an operating agreement of a supportive house (its staff or administrators); audited.

    Raises :class:`SiteError` when a date is not a real day, the end is not
    after the start, the notice date lies after the end or in the future,
    the period overlaps another agreement of the house, the renewed
    agreement is another house's or does not come before, or the note holds
    personal data (:class:`SitePersonalData`).

    >>> from directory.store import connect
    >>> add_agreement(connect(":memory:"), 1, "2024-07-01", "2022-07-01")
    Traceback (most recent call last):
    ...
    directory.sites.SiteError: 협약 종료일(2022-07-01)은 시작일(2024-07-01)보다 뒤여야 합니다.
    """
    actor = require_complex_edit(actor, site_id)
    values = _agreement_values(starts, ends, notice_date, note)
    with db.conn:
        site = _row(db, site_id)
        if site["kind"] != SUPPORTIVE:
            raise SiteError("not_a_supportive_house", name=site["name"])
        _check_period(db, site_id, values, renews_id, exclude=None)
        stamp = now()
        cur = db.conn.execute(
            "INSERT INTO site_agreements (site_id, starts, ends, renews_id, notice_date, note, version, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)",
            [site_id, values["starts"], values["ends"], renews_id, values["notice_date"], values["note"],
             stamp, stamp])
        agreement_id = cur.lastrowid
        after = audit.row_snapshot(db, "site_agreements", agreement_id)
        audit.record(db, actor, "insert", "site_agreements", agreement_id, None, after)
    return after


def update_agreement(db, agreement_id: int, *, starts, ends, notice_date=None, renews_id: int | None = None,
                     note: str | None = None, expected_version: int | None = None, actor=None) -> dict:
    """Change an agreement (the same checks as :func:`add_agreement`), only if its version is still
    `expected_version` (else :class:`AgreementConflict`); audited."""
    with db.conn:
        before = audit.row_snapshot(db, "site_agreements", agreement_id)
        if before is None:
            raise AgreementNotFound(agreement_id=agreement_id)
        actor = require_complex_edit(actor, before["site_id"])
        values = _agreement_values(starts, ends, notice_date, note)
        if expected_version is not None and int(expected_version) != before["version"]:
            raise AgreementConflict(expected=expected_version, current_version=before["version"])
        _check_period(db, before["site_id"], values, renews_id, exclude=agreement_id)
        db.conn.execute(
            "UPDATE site_agreements SET starts = ?, ends = ?, renews_id = ?, notice_date = ?, note = ?, "
            "version = version + 1, updated_at = ? WHERE id = ?",
            [values["starts"], values["ends"], renews_id, values["notice_date"], values["note"], now(),
             agreement_id])
        after = audit.row_snapshot(db, "site_agreements", agreement_id)
        audit.record(db, actor, "update", "site_agreements", agreement_id, before, after)
    return after


def delete_agreement(db, agreement_id: int, *, expected_version: int | None = None, actor=None) -> None:
    """Delete an agreement (its staff or administrators), if unchanged since read and without indicator data; audited."""
    with db.conn:
        before = audit.row_snapshot(db, "site_agreements", agreement_id)
        if before is None:
            raise AgreementNotFound(agreement_id=agreement_id)
        actor = require_complex_edit(actor, before["site_id"])
        if expected_version is not None and int(expected_version) != before["version"]:
            raise AgreementConflict(expected=expected_version, current_version=before["version"])
        if _has_outcomes(db, agreement_id):
            raise SiteError("agreement_has_outcomes")
        db.conn.execute("DELETE FROM site_agreements WHERE id = ?", [agreement_id])
        audit.record(db, actor, "delete", "site_agreements", agreement_id, before, None)


# --- helpers --------------------------------------------------------------------


def _row(db, site_id) -> dict:
    try:
        key = int(site_id)
    except (TypeError, ValueError):
        raise SiteNotFound(site_id=site_id) from None
    rows = list(db.query("SELECT * FROM complexes WHERE id = ?", [key]))
    if not rows:
        raise SiteNotFound(site_id=site_id)
    return rows[0]


def _provider(db, agency_id) -> dict | None:
    if agency_id is None:
        return None
    rows = list(db.query("SELECT id, name, type, phone, sido, sigungu FROM agencies WHERE id = ?", [agency_id]))
    return rows[0] if rows else None


def _kind(value) -> str:
    text = clean_text(value) or ""
    for code, label in KIND_LABELS.items():
        if text in (code, label):
            return code
    raise SiteError("unknown_site_kind", value=value)


def _clean(db, changes: dict) -> dict:
    unknown = set(changes) - set(FIELD_LABELS)
    if unknown:
        raise SiteError("site_field_unknown", fields=", ".join(sorted(map(str, unknown))))
    out: dict = {}
    for key, value in changes.items():
        label = FIELD_LABELS[key]
        if key == "kind":
            out[key] = _kind(value)
        elif key == "capacity":
            out[key] = _capacity(value)
        elif key == "provider_agency_id":
            out[key] = _provider_id(db, value)
        elif key in ("lat", "lon"):
            out[key] = _coordinate(key, value)
        else:
            if value is not None and not isinstance(value, (str, int)):
                raise SiteError("site_field_not_text", label=label)
            text = clean_text(value)
            if text and len(text) > MAX_TEXT:
                raise SiteError("site_field_too_long", label=label, limit=MAX_TEXT)
            if text:
                kinds = ADDRESS_REFUSED if key == "address" else None
                privacy.check_personal_data(text, field=label, kinds=kinds, error=SitePersonalData)
            out[key] = text
    if ("lat" in out) != ("lon" in out) or (out.get("lat") is None) != (out.get("lon") is None):
        raise SiteError("lat_lon_together")
    return out


def _capacity(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip().replace(",", ""))
    except ValueError:
        raise SiteError("capacity_invalid", value=value, maximum=MAX_CAPACITY) from None
    if not 1 <= number <= MAX_CAPACITY:
        raise SiteError("capacity_invalid", value=value, maximum=MAX_CAPACITY)
    return number


def _provider_id(db, value) -> int | None:
    if value in (None, ""):
        return None
    try:
        agency_id = int(value)
    except (TypeError, ValueError):
        raise SiteError("provider_not_found", value=value) from None
    if db.execute("SELECT 1 FROM agencies WHERE id = ?", [agency_id]).fetchone() is None:
        raise SiteError("provider_not_found", value=value)
    return agency_id


def _coordinate(key: str, value) -> float | None:
    if value in (None, ""):
        return None
    label = FIELD_LABELS[key]
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise SiteError("field_not_a_number", label=label, value=value) from None
    low, high = KOREA_LAT if key == "lat" else KOREA_LON
    if not low <= number <= high:
        raise SiteError("field_outside_korea", label=label, low=low, high=high, value=number)
    return number


def _unique_name(db, name: str) -> None:
    if db.execute("SELECT 1 FROM complexes WHERE name = ?", [name]).fetchone():
        raise SiteError("site_name_taken", name=name)


def _placement(db, values: dict) -> dict:
    found = locate_site(db, values.get("address"), values.get("lat"), values.get("lon"))
    # A region the address does not name stays as it was (a house entered with its 시도 only).
    return {k: v for k, v in found.items() if v is not None or k in ("lat", "lon", "placement")}


@lru_cache(maxsize=1)
def _regions_by_code() -> dict:
    index = region_index()
    return {region.code: region for table in (*index.sigungu.values(), *index.eupmyeondong.values())
            for region in table.values()}


def _region_by_code(code: str):
    return _regions_by_code().get(code)


def _profile_flags(target_group: str | None) -> dict:
    """The gap rules read a complex's resident flags: a house for 알코올 의존 or 정신질환 residents says so."""
    text = target_group or ""
    return {"alcohol_issues": int(bool(re.search(r"알코올|알콜|음주", text))),
            "mental_illness_issues": int(bool(re.search(r"정신", text)))}


def _day(value, label: str, *, required: bool) -> str | None:
    text = clean_text(value) if value is not None and not isinstance(value, date) else value
    if isinstance(text, date):
        day = text
    elif not text:
        if required:
            raise SiteError("agreement_date_required", label=label)
        return None
    else:
        try:
            day = date.fromisoformat(text) if _DATE.match(text) else None
        except ValueError:
            day = None
        if day is None:
            raise SiteError("agreement_date_invalid", label=label, value=value)
    if day.year < FIRST_YEAR:
        raise SiteError("agreement_date_too_early", label=label, year=FIRST_YEAR, day=day.isoformat())
    return day.isoformat()


def _agreement_values(starts, ends, notice_date, note) -> dict:
    starts = _day(starts, "협약 시작일", required=True)
    ends = _day(ends, "협약 종료일", required=True)
    notice = _day(notice_date, "성과지표 적용 공고일", required=False)
    if ends <= starts:
        raise SiteError("agreement_end_before_start", starts=starts, ends=ends)
    if notice is not None:
        if notice > (date.today() + timedelta(days=1)).isoformat():
            raise SiteError("notice_in_future", notice=notice)
        if notice >= ends:
            raise SiteError("notice_after_end", notice=notice, ends=ends)
    text = clean_text(note)
    if text and len(text) > MAX_NOTE:
        raise SiteError("site_field_too_long", label="메모", limit=MAX_NOTE)
    privacy.check_personal_data(text, field="note", error=SitePersonalData)
    return {"starts": starts, "ends": ends, "notice_date": notice, "note": text}


def _check_period(db, site_id: int, values: dict, renews_id, *, exclude) -> None:
    for other in list_agreements(db, site_id):
        if other["id"] == exclude:
            continue
        if values["starts"] < other["ends"] and other["starts"] < values["ends"]:
            raise SiteError("agreement_overlap", starts=other["starts"], ends=other["ends"])
    if renews_id is not None:
        try:
            previous = get_agreement(db, int(renews_id), site_id=site_id)
        except (TypeError, ValueError):
            raise AgreementNotFound(agreement_id=renews_id) from None
        if previous["id"] == exclude or previous["starts"] >= values["starts"]:
            raise SiteError("renewal_not_later", starts=previous["starts"], ends=previous["ends"])


# The tables of directory.outcomes: an agreement's indicator data (schema 9).
OUTCOME_TABLES = ("outcome_retention", "outcome_years", "outcome_isolation_waves", "outcome_audit_waves",
                  "outcome_reasons")


def _has_outcomes(db, agreement_id: int) -> bool:
    """Whether indicator data refers to the agreement: the sheets behind it are not kept, so it stays."""
    return any(db.execute(f"SELECT 1 FROM {table} WHERE agreement_id = ? LIMIT 1", [agreement_id]).fetchone()
               for table in OUTCOME_TABLES)


def _current(agreements: list[dict], on: date) -> dict | None:
    day = on.isoformat()
    begun = [a for a in agreements if a["starts"] <= day]
    running = [a for a in begun if day < a["ends"]]
    if running:
        return running[-1]
    return begun[-1] if begun else None


# --- the demo's houses ------------------------------------------------------------

# Seoul's 2016 pilot (`001_…` 〈표 2-1〉): a house for women who were homeless
# with mental illness (18 호) and one for men with alcohol dependence (20 호).
# The manual names no address or provider for them, so the demo gives them a
# stand-in position (placement 'sample', "표본 위치 (실제 위치 아님)") and no
# provider; their one agreement is the manual's own worked example.
DEMO_HOUSES = (
    {"name": "서울시 시범 지원주택 (정신질환 여성노숙인)", "capacity": 18, "target_group": "정신질환 여성노숙인",
     "operator": "SH", "lat": 37.5663, "lon": 126.9779},
    {"name": "서울시 시범 지원주택 (알코올 의존 남성노숙인)", "capacity": 20, "target_group": "알코올 의존 남성노숙인",
     "operator": "SH", "lat": 37.5610, "lon": 126.9860},
)
DEMO_AGREEMENT = {"starts": "2022-07-01", "ends": "2024-07-31", "notice_date": "2023-02-01",
                  "note": "매뉴얼의 예시 기간('22.7~'24.7 협약, '23.2 공고)"}


def demo_houses(db, *, actor=None) -> list[int]:
    """The demo's two supportive houses (created once, by name) with the manual's example agreement; their ids."""
    require_admin(actor)
    ids = []
    for house in DEMO_HOUSES:
        row = db.execute("SELECT id FROM complexes WHERE name = ?", [house["name"]]).fetchone()
        if row is None:
            site = create_site(db, {**house, "kind": SUPPORTIVE}, actor=actor)
            with db.conn:
                db.conn.execute("UPDATE complexes SET sido = '서울특별시', placement = 'sample' WHERE id = ?",
                                [site["id"]])
            add_agreement(db, site["id"], **DEMO_AGREEMENT, actor=actor)
            row = (site["id"],)
        ids.append(row[0])
    return ids
