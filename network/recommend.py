"""Recommendations: which agency a complex should call next for a need.

A need is an agency type (or alias: 정신보건센터, 노인복지관) or a phrase of
needs words from ``data/reference/needs_words.csv`` (술 문제 → 중독관리통합지원센터,
정신건강복지센터; 우울증 → 정신건강복지센터, 자살예방센터 …), read by
`directory.needs` — the same rule the search uses, so a need names the same
kinds, with the same weights, on every page. Candidates are the agencies of
those kinds in the directory that the complex is not linked with yet. They
are found in a bounding box around the complex that widens (5, 15, 50,
150 km, then the whole country) until there are enough, measured exactly
with ``geopy.distance.geodesic``, and ranked by

    score = distance_km ÷ (weight × (1 + complexes already working with the agency))

so a slightly further agency that three other complexes use comes before a
nearer one nobody uses, and a kind the needs table ranks lower (weight 0.5)
counts as twice as far. Unplaced agencies come last, in the complex's
시군구 first. Each result says why in Korean.
"""
from __future__ import annotations

import math

from geopy.distance import geodesic

from directory.errors import YeongyeError
from directory.needs import kinds_for_words
from directory.search import query_words
from directory.store import get_complex, taxonomy
from directory.vocabulary import NEEDS_FILE, SAMPLE, needs_words as load_needs  # (both re-exported)

from .explain import with_particle

__all__ = ["RecommendError", "NEEDS_FILE", "load_needs", "resolve_need", "need_weights", "recommend"]

RADII_KM = (5, 15, 50, 150)


class RecommendError(YeongyeError, ValueError):
    """The need cannot be understood."""


def resolve_need(db, need: str) -> list[str]:
    """The agency types a need names: a type or alias, else the kinds its needs words ask for.

    >>> from directory.store import connect
    >>> resolve_need(connect(":memory:"), "술 문제")
    ['중독관리통합지원센터', '정신건강복지센터']
    """
    return [kind for kind, _ in need_weights(db, need)]


def need_weights(db, need: str) -> list[tuple[str, float]]:
    """(agency type, weight) for a need, best first: `directory.needs.kinds_for_words` on its words.

    >>> from directory.store import connect
    >>> need_weights(connect(":memory:"), "담배")
    [('금연지원센터', 1.0), ('보건소', 0.8)]
    """
    text = (need or "").strip()
    if not text:
        raise RecommendError("need_missing")
    tax = taxonomy(db)
    found = tax.canonical_type(text)
    if found:
        return [(found, 1.0)]
    kinds = kinds_for_words(query_words(text), tax)
    if not kinds:
        found = tax.infer_type(text)
        if found:
            return [(found, 1.0)]
        raise RecommendError("unknown_need", need=need, words=", ".join(list(load_needs())[:12]))
    return kinds


def recommend(db, complex_key, need: str, *, limit: int = 10) -> dict:
    """Agencies not yet linked with a complex that serve a need, best first.

    Parameters
    ----------
    db : sqlite_utils.Database
    complex_key : int or str
        The complex's id or name.
    need : str
        An agency type or a needs word (see :func:`resolve_need`).
    limit : int
        How many agencies to return.

    Returns
    -------
    dict
        ``complex``, ``need``, ``types`` and ``results``: a list of dicts with
        id, name, type, category, phone, address, distance_km, radius_km (the
        search radius it was found within — 5, 15, 50 or 150 km; None when
        found country-wide or unplaced), users (other complexes linked),
        users_same_area, score and reason (which states the radius). Sample
        stand-ins (placement ``sample``) are never recommended.

    Examples
    --------
    >>> from directory.store import connect
    >>> recommend(connect(":memory:"), 1, "치매")
    Traceback (most recent call last):
    ...
    directory.errors.ComplexNotFound: 단지를 찾을 수 없습니다: 1
    """
    row = get_complex(db, complex_key)
    weights = dict(need_weights(db, need))
    types = list(weights)
    linked = {r[0] for r in db.execute("SELECT agency_id FROM links WHERE complex_id = ?", [row["id"]])}
    has_types = {r[0] for r in db.execute(
        "SELECT DISTINCT a.type FROM links l JOIN agencies a ON a.id = l.agency_id WHERE l.complex_id = ?",
        [row["id"]])}
    marks = ",".join("?" * len(types))
    lat, lon = row.get("lat"), row.get("lon")
    candidates: list[dict] = []
    radius_found = None
    if lat is not None and lon is not None:
        for radius in (*RADII_KM, None):
            # A sample stand-in (the demo's placeholder) is no agency to call, and its distance is invented.
            sql = (f"SELECT {_COLS} FROM agencies WHERE type IN ({marks}) AND lat IS NOT NULL AND lon IS NOT NULL "
                   f"AND placement != '{SAMPLE}'")
            params = list(types)
            if radius is not None:
                dlat = radius / 111.0
                dlon = radius / (111.0 * max(math.cos(math.radians(lat)), 0.1))
                sql += " AND lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?"
                params += [lat - dlat, lat + dlat, lon - dlon, lon + dlon]
            candidates = [r for r in db.query(sql, params) if r["id"] not in linked]
            for r in candidates:
                r["distance_km"] = geodesic((lat, lon), (r["lat"], r["lon"])).km
            if radius is not None:
                candidates = [r for r in candidates if r["distance_km"] <= radius]
            radius_found = radius
            if len(candidates) >= limit:
                break
    if len(candidates) < limit:
        # Agencies without a position: the complex's own 시군구 and 시도 first.
        sql = (f"SELECT {_COLS} FROM agencies WHERE type IN ({marks}) AND (lat IS NULL OR lon IS NULL) "
               f"AND placement != '{SAMPLE}' "
               "ORDER BY (sigungu IS ? AND sido IS ?) DESC, (sido IS ?) DESC, name LIMIT ?")
        extra = db.query(sql, [*types, row.get("sigungu"), row.get("sido"), row.get("sido"), limit * 3])
        candidates += [dict(r, distance_km=None) for r in extra if r["id"] not in linked]
    users = _users(db, [r["id"] for r in candidates], row)
    results = []
    for r in candidates:
        n_all, n_area = users.get(r["id"], (0, 0))
        km = r["distance_km"]
        score = km / (weights.get(r["type"], 1.0) * (1 + n_all)) if km is not None else math.inf
        results.append({
            "id": r["id"], "name": r["name"], "type": r["type"], "category": r["category"],
            "phone": r["phone"], "address": r["road_address"] or r["lot_address"],
            "sido": r["sido"], "sigungu": r["sigungu"],
            "distance_km": round(km, 2) if km is not None else None,
            "users": n_all, "users_same_area": n_area,
            "score": round(score, 3) if score != math.inf else None,
            "radius_km": radius_found if km is not None else None,
            "reason": _reason(r, km, n_all, n_area, need, r["type"] in has_types,
                              radius_found if km is not None else None),
        })
    order = {t: i for i, t in enumerate(types)}
    results.sort(key=lambda r: (r["score"] is None, r["score"] if r["score"] is not None else 0,
                                order.get(r["type"], 99), r["name"] or ""))
    return {"complex": row["name"], "complex_id": row["id"], "need": need, "types": types,
            "results": results[:limit]}


# --- helpers ------------------------------------------------------------------

_COLS = "id, name, type, category, phone, road_address, lot_address, sido, sigungu, lat, lon"


def _users(db, agency_ids: list[int], complex_row: dict) -> dict[int, tuple[int, int]]:
    """agency id -> (other complexes linked, of them in the complex's 시군구)."""
    result = {}
    for start in range(0, len(agency_ids), 500):
        chunk = agency_ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        sql = f"""SELECT l.agency_id, count(*), sum(c.sido IS ? AND c.sigungu IS ?)
                  FROM links l JOIN complexes c ON c.id = l.complex_id
                  WHERE l.agency_id IN ({marks}) AND l.complex_id != ? GROUP BY l.agency_id"""
        for agency_id, n, same in db.execute(
                sql, [complex_row.get("sido"), complex_row.get("sigungu"), *chunk, complex_row["id"]]):
            result[agency_id] = (n, same or 0)
    return result


def _reason(r, km, n_all, n_area, need, has_type, radius=None) -> str:
    parts = [f"'{need}'에 맞는 {r['type']}"]
    if km is None:
        parts.append("위치 미상(주소 확인 필요)")
    elif radius is None:
        parts.append(f"단지에서 {km:.1f} km (반경 {RADII_KM[-1]} km 안에 없어 전국에서 찾음)")
    else:
        parts.append(f"단지에서 {km:.1f} km (반경 {radius} km 안)")
    if n_all:
        parts.append(f"다른 단지 {n_all}곳이 이미 연계 중" + (f"(같은 시군구 {n_area}곳)" if n_area else ""))
    else:
        parts.append("아직 연계한 단지 없음")
    if has_type:
        parts.append(f"이미 다른 {with_particle(r['type'])} 연계 중이니 관할을 확인하세요")
    return " · ".join(parts)
