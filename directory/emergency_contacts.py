"""Who to call tonight in an emergency housing case, and the procedure after, linked to the nearest agencies.

The order is data (``data/reference/emergency_contacts.csv``): for a
situation of the crisis reasons (``violence`` for ④ 가정폭력·성폭력, ``abuse``
for ③ 방임·유기·학대) its lines and agency types come first — 112, the
nearest 경찰서·지구대, 해바라기센터, 상담소 … —, then what every case calls:
129 (24 h), the 시·군·구청's welfare office and the nearest 행정복지센터. Each
agency type is answered by the nearest agency of that type in the directory
(:func:`directory.nearby.nearest_of_type`), a 시·군·구청 by the complex's own
district's first; a type the directory holds none of is shown as missing,
never invented. The procedure and the follow-up checklist (주거급여, 생계급여,
의료급여, 정신건강, 법률) are the ``emergency_housing`` playbook
(:mod:`directory.playbooks`) linked the same way.
"""
from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from .nearby import _card_row, nearest_of_type
from .paths import REFERENCE_DIR
from .playbooks import load_playbook, national_lines, plan
from .store import get_complex
from .vocabulary import SAMPLE

__all__ = ["CONTACTS_FILE", "PLAYBOOK", "FOLLOW_UP_STAGE", "OWN_DISTRICT_TYPES", "SITUATION_ORDER", "contact_order",
           "nearest_agency", "tonight", "AGENCY_FIELDS"]

CONTACTS_FILE = REFERENCE_DIR / "emergency_contacts.csv"
PLAYBOOK = "emergency_housing"
FOLLOW_UP_STAGE = "사후연계"
# A 시·군·구청 is the complex's own district's (주소지 관할), not the next district's that happens to be nearer.
OWN_DISTRICT_TYPES = frozenset({"동·구청"})
SITUATION_ORDER = ("violence", "abuse")
# What a contact shows of an agency (no source rows, no internal columns).
AGENCY_FIELDS = ("id", "name", "type", "phone", "address", "sido", "sigungu", "distance_km", "placement",
                 "placement_kind", "approximate", "directions")


@lru_cache(maxsize=4)
def contact_order(path: str | Path = CONTACTS_FILE) -> dict[str, list[dict]]:
    """{situation: [{"kind": "line"|"type", "target", "why", "source"}]} in call order; ``all`` is every case's."""
    out: dict[str, list[dict]] = {}
    with open(path, encoding="utf-8") as fh:
        for row in sorted(csv.DictReader(fh), key=lambda r: (r["situation"], int(r["order"]))):
            out.setdefault(row["situation"], []).append(
                {"kind": row["kind"], "target": row["target"], "why": row["why"], "source": row["source"]})
    return out


def nearest_agency(db, lat: float, lon: float, agency_type: str, *, sido: str | None = None,
                   sigungu: str | None = None) -> dict | None:
    """The agency of a type to call for a place: the nearest, or for a 시·군·구청 the place's own district's."""
    if agency_type in OWN_DISTRICT_TYPES and sido and sigungu:
        from geopy.distance import geodesic

        rows = list(db.query(
            "SELECT * FROM agencies WHERE type = ? AND sido = ? AND sigungu = ? AND lat IS NOT NULL "
            "AND placement != ?", [agency_type, sido, sigungu, SAMPLE]))
        if rows:
            for row in rows:
                row["distance_km"] = geodesic((lat, lon), (row["lat"], row["lon"])).km
            return _card_row(min(rows, key=lambda r: (r["distance_km"], r["id"])))
    return nearest_of_type(db, lat, lon, agency_type)


def _compact(agency: dict | None) -> dict | None:
    return None if agency is None else {k: agency.get(k) for k in AGENCY_FIELDS}


def tonight(db, *, complex_key=None, point: tuple[float, float] | None = None, situations=(),
            unsafe: bool | None = None, start=None, contacts_file: str | Path = CONTACTS_FILE) -> dict:
    """Whom to call for a case near a complex (or a point), in order, with the procedure and follow-up.

    ``{"complex": {"id", "name", "sido", "sigungu"} | None, "placed": bool,
    "call_now": [line], "contacts": [{"kind": "line", "line", "why"} |
    {"kind": "agency", "type", "agency" (None: the directory has none), "why"}],
    "steps": the playbook's steps for the situations, "follow_up": the
    사후연계 steps}``. `situations` come from the crisis reasons (``violence``,
    ``abuse``); `unsafe` (not safe tonight) puts 129 in ``call_now`` after
    112. Raises ComplexNotFound for an unknown complex.
    """
    # Violence's partners (해바라기센터, 상담소) before abuse's when a case is both.
    situations = sorted((s for s in dict.fromkeys(situations) if s),
                        key=lambda s: SITUATION_ORDER.index(s) if s in SITUATION_ORDER else len(SITUATION_ORDER))
    lines = national_lines()
    where = None
    sido = sigungu = None
    if complex_key is not None:
        row = get_complex(db, complex_key)
        where = {"id": row["id"], "name": row["name"], "sido": row["sido"], "sigungu": row["sigungu"]}
        sido, sigungu = row["sido"], row["sigungu"]
        if row.get("lat") is not None and row.get("lon") is not None:
            point = point or (row["lat"], row["lon"])
    cache: dict[str, dict | None] = {}

    def nearest(agency_type):
        if point is None:
            return None
        if agency_type not in cache:
            cache[agency_type] = nearest_agency(db, point[0], point[1], agency_type, sido=sido, sigungu=sigungu)
        return cache[agency_type]

    order = contact_order(contacts_file)
    contacts, seen = [], set()
    for situation in [*situations, "all"]:
        for entry in order.get(situation, []):
            key = (entry["kind"], entry["target"])
            if key in seen:
                continue
            seen.add(key)
            if entry["kind"] == "line":
                if entry["target"] in lines:
                    contacts.append({"kind": "line", "line": lines[entry["target"]], "why": entry["why"]})
            else:
                contacts.append({"kind": "agency", "type": entry["target"],
                                 "agency": _compact(nearest(entry["target"])), "why": entry["why"]})
    call_now = []
    if {"violence", "abuse"} & set(situations):
        call_now.append(lines["112"])
    if unsafe:
        call_now.append(lines["129"])
    steps = plan(load_playbook(PLAYBOOK), nearest=nearest, situations=situations, start=start, lines=lines)
    for step in steps:
        if step["contact"] and step["contact"]["kind"] == "agency":
            step["contact"]["agency"] = _compact(step["contact"]["agency"])
    return {"complex": where, "placed": point is not None, "call_now": call_now, "contacts": contacts,
            "steps": steps, "follow_up": [s for s in steps if s["stage"] == FOLLOW_UP_STAGE]}
