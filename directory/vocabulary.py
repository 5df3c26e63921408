"""One definition of each word the packages share.

How an agency was placed, where Korea is, which projection the shipped
centroids use, which needs words name which agency types, and the agency
types some rules single out: the importers, the search, the network, the maps
and the shells all import them from here, so two copies cannot drift apart.
"""
from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

from .paths import REFERENCE_DIR

__all__ = [
    "PLACEMENTS", "PRECISE", "CENTROIDS", "SAMPLE", "UNPLACED", "APPROXIMATE", "DECLARABLE", "PLACEMENT_RANK",
    "PLACEMENT_LABELS", "PLACEMENT_SHORT_LABELS", "APPROXIMATE_NOTES",
    "KOREA_LAT", "KOREA_LON", "in_korea",
    "WGS84", "UTMK", "TM_CENTRAL", "TM_CENTRAL_BESSEL", "CRS_NAMES", "transformer",
    "NEEDS_FILE", "needs_words",
    "DEFAULT_ACCESS_TYPE", "BRANCHED_TYPES",
]

# --- placement: how far a position may be from the real door ---------------------

# Best first (importers.placement tries them in this order; a merge keeps the better).
PLACEMENTS = ("exact", "matched", "geocoded", "eupmyeondong", "sigungu", "sample", "unplaced")
# The building itself: the list's coordinates, a matching address, a geocoder.
PRECISE = frozenset({"exact", "matched", "geocoded"})
# The centre of the 읍면동 or 시군구 named in the address: an area, not the building.
CENTROIDS = frozenset({"eupmyeondong", "sigungu"})
# A stand-in position for the demo's study data, never a real place.
SAMPLE = "sample"
UNPLACED = "unplaced"
# Positions that must not be shown as the building's (maps draw them hollow,
# search results say so).
APPROXIMATE = CENTROIDS | {SAMPLE}
# What a list may say of its own positions (an HSDS `placement` attribute).
DECLARABLE = tuple(p for p in PLACEMENTS if p in PRECISE | CENTROIDS)
PLACEMENT_RANK = {p: i for i, p in enumerate(PLACEMENTS)}

# The label maps and legends show.
PLACEMENT_LABELS = {
    "exact": "정확한 위치 (원자료 좌표)",
    "matched": "정확한 위치 (주소 일치)",
    "geocoded": "주소 지오코딩 위치",
    "eupmyeondong": "대략적 위치 (읍면동 중심)",
    "sigungu": "대략적 위치 (시군구 중심)",
    "sample": "표본 위치 (실제 위치 아님)",
    "unplaced": "위치 없음",
}
# The short form for counts in the CLI ("좌표 있음 12, 읍면동 중심 3").
PLACEMENT_SHORT_LABELS = {
    "exact": "좌표 있음", "matched": "기존 기관과 일치", "geocoded": "지오코딩", "eupmyeondong": "읍면동 중심",
    "sigungu": "시군구 중심", "sample": "표본 위치", "unplaced": "위치 없음",
}
# The note beside a search result's distance (the web page's template holds
# the same Korean strings as its msgids, translated there).
APPROXIMATE_NOTES = {
    "eupmyeondong": "읍면동 중심 기준 대략적 위치",
    "sigungu": "시군구 중심 기준 대략적 위치",
    "sample": "표본 위치(실제 위치 아님)",
}

# --- Korea's bounds ------------------------------------------------------------

# A generous box around the Republic of Korea, islands included (마라도 33.1,
# 독도 131.9, 백령도 124.6, 강원 고성 38.6). This box, not the wider one search
# used (32–39.5, 123–132.5), because it is the one imports check coordinates
# against: a point outside it can hold no agency, so searching near it, or
# editing an agency to it, is a typing error to report.
KOREA_LAT = (32.9, 38.7)
KOREA_LON = (124.5, 132.0)


def in_korea(lat: float, lon: float) -> bool:
    """True when the point lies in the box around the Republic of Korea.

    >>> in_korea(37.5665, 126.978), in_korea(0, 0)
    (True, False)
    """
    return KOREA_LAT[0] <= lat <= KOREA_LAT[1] and KOREA_LON[0] <= lon <= KOREA_LON[1]


# --- projections -----------------------------------------------------------------

WGS84 = "EPSG:4326"
UTMK = "EPSG:5179"  # the shipped centroids and the access measure's metres
TM_CENTRAL = "EPSG:5186"
TM_CENTRAL_BESSEL = "EPSG:2097"
CRS_NAMES = {
    UTMK: "UTM-K",
    TM_CENTRAL: "TM 중부원점(GRS80)",
    TM_CENTRAL_BESSEL: "TM 중부원점(Bessel)",
}


def transformer(source: str = UTMK, target: str = WGS84):
    """A cached pyproj Transformer from `source` to `target`, x (easting, longitude) first.

    >>> lon, lat = transformer().transform(958000.0, 1944000.0)
    >>> round(lat, 2), round(lon, 2)
    (37.49, 127.02)
    """
    return _transformer(source, target)


@lru_cache(maxsize=16)
def _transformer(source: str, target: str):
    # pyproj loads its projection database on import: only the callers that
    # convert pay for it, not every module that reads a constant here.
    from pyproj import Transformer

    return Transformer.from_crs(source, target, always_xy=True)


# --- needs words -------------------------------------------------------------------

NEEDS_FILE = REFERENCE_DIR / "needs_words.csv"


def needs_words(path: str | Path = NEEDS_FILE) -> dict[str, list[str]]:
    """needs word -> agency types, in file order (술 -> 중독관리통합지원센터, 정신건강복지센터).

    The types are as the file spells them; callers make them canonical with
    their taxonomy. A missing file gives no words.

    >>> needs_words()["치매"]
    ['치매안심센터']
    """
    try:
        with open(path, encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
    except FileNotFoundError:
        return {}
    needs: dict[str, list[str]] = {}
    for row in rows:
        word = (row.get("word") or "").strip()
        if not word:
            continue
        types = needs.setdefault(word, [])
        for kind in re.split(r"[;,]", row.get("agency_types") or row.get("type") or ""):
            if kind.strip() and kind.strip() not in types:
                types.append(kind.strip())
    return needs


# --- agency kinds ------------------------------------------------------------------

# The type whose access the maps and the CLI measure unless told otherwise.
DEFAULT_ACCESS_TYPE = "치매안심센터"
# Types whose separate branches share an operator and often a building.
BRANCHED_TYPES = frozenset({"치매안심센터"})
