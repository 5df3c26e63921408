"""What the import steps share: the agency columns, distances, canonical names, chunked selects.

The bottom of `importers/`: it imports only `directory/`, and `run.py`,
`dedup.py`, `placement.py` and `pipeline.py` take these from here instead of
from each other.
"""
from __future__ import annotations

import math
import re
from collections import defaultdict

from directory.normalize import name_key
from directory.store import taxonomy
from directory.taxonomy import Taxonomy

__all__ = ["AGENCY_COLUMNS", "SAME_PLACE_METRES", "CHUNK", "CanonicalNames", "canonical_key", "distance_m",
           "has_number", "select_agencies", "conn_taxonomy"]

AGENCY_COLUMNS = (
    "name", "name_key", "type", "type_raw", "category", "road_address", "lot_address",
    "address_key", "sido", "sido_raw", "sigungu", "eupmyeondong", "region_code", "postcode",
    "lat", "lon", "placement", "phone", "phone_raw", "homepage", "operator", "services",
    "target_groups", "hours", "capacity", "source", "source_key", "verified_date",
)

# Two rows of the same name this close are one agency (GPS noise in the data
# moves one centre by up to a kilometre; different branches sit further apart).
SAME_PLACE_METRES = 1200.0

# Ids per `id IN (...)`: well under SQLite's variable limit (999 in old builds).
CHUNK = 500


class CanonicalNames:
    """Canonical name keys: the type's alias at the end replaced by the canonical type."""

    def __init__(self, tax: Taxonomy):
        self.suffixes: dict[int, dict[str, str]] = defaultdict(dict)
        for alias, canonical in {**{t: t for t in tax.type_category}, **tax.aliases}.items():
            key = name_key(alias)
            if key:
                self.suffixes[len(key)][key] = name_key(canonical)
        self.lengths = sorted(self.suffixes, reverse=True)

    def split(self, key: str) -> tuple[str, str]:
        """(stem, canonical type key) of a name key; the type part may be empty."""
        for length in self.lengths:
            if length < len(key):
                hit = self.suffixes[length].get(key[-length:])
                if hit:
                    return key[:-length], hit
        return key, ""


def canonical_key(name: str, tax: Taxonomy) -> str:
    """Name key with its type's alias made canonical.

    >>> t = Taxonomy(["보건의료"], {"정신건강복지센터": "보건의료"}, {"정신건강증진센터": "정신건강복지센터"})
    >>> canonical_key("기장군 정신건강증진센터", t)
    '기장군정신건강복지센터'
    """
    stem, kind = CanonicalNames(tax).split(name_key(name))
    return stem + kind


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine; ample for a 1 km test).

    >>> round(distance_m(37.5665, 126.9780, 37.5665, 126.9880))
    881
    """
    r = 6371008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


_DIGIT = re.compile(r"\d")


def has_number(address_key: str) -> bool:
    """Whether an address key's road part carries a building number ("…|세종대로209" does).

    Only such an address says which building: a bare road or 동 is shared by
    many agencies, so neither matching nor merging may rest on it.

    >>> has_number("서울특별시|종로구|세종대로209"), has_number("서울특별시|종로구|세종대로")
    (True, False)
    """
    return bool(_DIGIT.search(address_key.rsplit("|", 1)[-1]))


def select_agencies(conn, where: str, ids, columns: str, params=()) -> list[tuple]:
    """Rows of agencies matching `where`, restricted to `ids` (None: all) in chunks of CHUNK."""
    if ids is None:
        return conn.execute(f"SELECT {columns} FROM agencies WHERE {where}", list(params)).fetchall()
    ids = list(ids)
    rows = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        rows += conn.execute(
            f"SELECT {columns} FROM agencies WHERE {where} AND id IN ({', '.join('?' * len(chunk))})",
            [*params, *chunk],
        ).fetchall()
    return rows


def conn_taxonomy(conn) -> Taxonomy:
    """The store's taxonomy read over a bare sqlite3 connection (inside an import's transaction)."""
    return taxonomy(_ConnDb(conn))


class _ConnDb:
    """The little of sqlite_utils.Database that taxonomy() needs, over a bare connection."""

    def __init__(self, conn):
        self.conn = conn

    def execute(self, sql, params=()):
        return self.conn.execute(sql, params)
