"""What a worker needs first for a complex: the nearest agency of each kind, the complex's partners, directions.

`complex_cards(db, complex)` answers "which 정신건강복지센터 serves this
complex, its phone, how far?" for the types in
`vocabulary.WORKER_CARD_TYPES`, and lists the complex's own partners with
their distances. `directions(...)` builds 카카오맵 and 네이버 지도 links from
a position (a link only: nothing is fetched, no key is needed).

Distances are geodesic (as the search shows them). A stand-in position of
the study's sample data is never offered as the nearest real agency.
"""
from __future__ import annotations

import math
from urllib.parse import quote, urlencode

from .store import complex_links, get_complex
from .vocabulary import APPROXIMATE, PRECISE, SAMPLE, WORKER_CARD_TYPES, placement_kind

__all__ = ["complex_cards", "nearest_of_type", "directions"]

# Boxes tried in turn around the point, in degrees of latitude (≈ 5, 22, 110 km;
# then the whole country): a dense type is answered from the first box.
_BOXES = (0.05, 0.2, 1.0, None)


def nearest_of_type(db, lat: float, lon: float, agency_type: str) -> dict | None:
    """The placed agency of `agency_type` nearest to (lat, lon), with ``distance_km``; None if there is none.

    Agencies at a sample position are left out: they stand for no real place.
    """
    from geopy.distance import geodesic

    for box in _BOXES:
        where, params = "type = ? AND lat IS NOT NULL AND lon IS NOT NULL AND placement != ?", [agency_type, SAMPLE]
        if box is not None:
            lon_box = box / max(math.cos(math.radians(lat)), 0.1)
            where += " AND lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?"
            params += [lat - box, lat + box, lon - lon_box, lon + lon_box]
        rows = list(db.query(f"SELECT * FROM agencies WHERE {where}", params))
        if not rows:
            continue
        for row in rows:
            row["distance_km"] = geodesic((lat, lon), (row["lat"], row["lon"])).km
        best = min(rows, key=lambda r: (r["distance_km"], r["id"]))
        # Only an answer closer than the box's edge is sure to be the nearest of all.
        if box is None or best["distance_km"] <= box * 111.0:
            return _card_row(best)
    return None


def complex_cards(db, complex_key, types=WORKER_CARD_TYPES) -> dict:
    """The home page's answer for one complex.

    Returns ``{"complex": row, "approximate": bool, "cards": [{"type", "agency"}], "partners": [agency]}``:
    one card per type (``agency`` None when the store holds none placed),
    and the complex's linked partners, each agency with ``distance_km``
    (None when either end has no position, or the agency's is a sample's stand-in), ``placement_kind`` and
    ``directions``. ``approximate`` says the complex's own position is not
    the building's, so every distance is a rough figure. Raises
    ``ComplexNotFound``.
    """
    from geopy.distance import geodesic

    row = get_complex(db, complex_key)
    placed = row.get("lat") is not None and row.get("lon") is not None
    cards = []
    for kind in types:
        agency = nearest_of_type(db, row["lat"], row["lon"], kind) if placed else None
        cards.append({"type": kind, "agency": agency})
    links = complex_links(db, row["id"])
    partners = []
    if links:
        ids = [link["agency_id"] for link in links]
        by_id = {a["id"]: a for a in db.query(
            f"SELECT * FROM agencies WHERE id IN ({','.join('?' * len(ids))})", ids)}
        for link in links:
            agency = by_id.get(link["agency_id"])
            if agency is None:
                continue
            agency["distance_km"] = None
            # A stand-in position is no place: a distance to it would be invented.
            if placed and agency.get("lat") is not None and agency.get("placement") != SAMPLE:
                agency["distance_km"] = geodesic((row["lat"], row["lon"]), (agency["lat"], agency["lon"])).km
            agency["frequency_label"] = link.get("frequency_label")
            agency["frequency_mark"] = link.get("frequency_mark")
            partners.append(_card_row(agency))
    return {"complex": row, "placed": placed, "approximate": row.get("placement") in APPROXIMATE,
            "cards": cards, "partners": partners}


def directions(name: str, lat: float | None, lon: float | None, *, placement: str | None = None,
               address: str | None = None) -> dict:
    """카카오맵 and 네이버 지도 links to an agency: {"kakao": url, "naver": url, "by": "position"|"address"}.

    From the position when it is the building's; from the address when the
    position is only an area's centre (a route to the middle of a 구 would
    mislead) or missing. Empty when there is neither.

    >>> directions("노원구정신건강복지센터", 37.65, 127.06, placement="exact")["kakao"]
    'https://map.kakao.com/link/to/%EB%85%B8%EC%9B%90%EA%B5%AC%EC%A0%95%EC%8B%A0%EA%B1%B4%EA%B0%95%EB%B3%B5%EC%A7%80%EC%84%BC%ED%84%B0,37.65,127.06'
    >>> directions("센터", 37.6, 127.0, placement="sigungu", address="서울 노원구 노해로 437")["by"]
    'address'
    """
    label = (name or "").replace(",", " ").replace("/", " ").strip() or "목적지"
    has_point = lat is not None and lon is not None and placement != SAMPLE
    if has_point and (placement in PRECISE or not address):
        return {
            "by": "position",
            "kakao": f"https://map.kakao.com/link/to/{quote(label)},{_coord(lat)},{_coord(lon)}",
            "naver": "https://map.naver.com/index.nhn?" + urlencode(
                {"elng": _coord(lon), "elat": _coord(lat), "etext": label, "menu": "route"}),
        }
    if address:
        return {
            "by": "address",
            "kakao": f"https://map.kakao.com/link/search/{quote(address.strip())}",
            "naver": f"https://map.naver.com/p/search/{quote(address.strip())}",
        }
    return {}


def _card_row(agency: dict) -> dict:
    """An agency row with what a card shows beside it: address, placement word, directions."""
    agency["address"] = agency.get("road_address") or agency.get("lot_address")
    agency["placement_kind"] = placement_kind(agency.get("placement"))
    agency["approximate"] = agency.get("placement") in APPROXIMATE
    agency["directions"] = directions(agency["name"], agency.get("lat"), agency.get("lon"),
                                      placement=agency.get("placement"), address=agency["address"])
    return agency


def _coord(value: float) -> str:
    """Degrees to six decimals (about 10 cm), trailing zeros dropped: 37.65, 127.056812."""
    return f"{float(value):.6f}".rstrip("0").rstrip(".")
