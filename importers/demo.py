"""The demo database: the bundled public agency lists and the 2024 study.

It lives with the importers, not in the store (`directory/`), because it is
built by importing files: the store layer imports nothing above it.
"""
from __future__ import annotations

import math

from directory.paths import PUBLIC_DIR, STUDY_DIR

from . import import_file

__all__ = ["DEMO_FILES", "SAMPLE_POSITIONS", "build", "place_study_agencies"]

DEMO_FILES = [
    PUBLIC_DIR / "agencies" / "dementia_centers_standard.csv",
    PUBLIC_DIR / "agencies" / "health_promotion_centers_standard.csv",
    # No coordinates: placed by matching the lists above, else at the
    # 읍면동 or 시군구 centroid (agencies.placement says which).
    PUBLIC_DIR / "agencies" / "mental_health_institutions_20220301.csv",
    PUBLIC_DIR / "agencies" / "eupmyeondong_community_centers.csv",
]

# The study gives no locations. The demo puts its six complexes at sample
# positions around permanent rental housing in Seoul (A's profile says
# 서울), clearly marked placement='sample' so no map passes them off as real.
SAMPLE_POSITIONS = {
    "A": ("서울특별시", "노원구", 37.6542, 127.0568),
    "B": ("서울특별시", "강서구", 37.5509, 126.8495),
    "C": ("서울특별시", "송파구", 37.4955, 127.1222),
    "D": ("서울특별시", "중랑구", 37.6063, 127.0925),
    "E": ("서울특별시", "강남구", 37.4837, 127.0863),
    "F": ("서울특별시", "은평구", 37.6176, 126.9227),
}


def build(db) -> list:
    """Import every demo file into `db`; returns the import summaries."""
    summaries = [import_file(db, path) for path in DEMO_FILES]
    summaries.append(
        import_file(db, STUDY_DIR / "linkage_matrix.csv", complexes=STUDY_DIR / "complexes.csv")
    )
    with db.conn:
        for name, (sido, sigungu, lat, lon) in SAMPLE_POSITIONS.items():
            db.execute(
                "UPDATE complexes SET name = name, sido = ?, sigungu = ?, lat = ?, lon = ?, placement = 'sample', "
                "operator = coalesce(operator, 'LH/SH (연구 표본)') WHERE name = ? AND lat IS NULL",
                [sido, sigungu, lat, lon, name],
            )
        place_study_agencies(db)
    return summaries


def place_study_agencies(db, ring_m: float = 700.0) -> int:
    """Give the study's partner agencies sample positions near the complexes linking them.

    The study names agency types, not addresses, so the network maps need a
    stand-in: each unplaced agency linked to a sample-placed complex goes on
    a ring of about `ring_m` metres around the mean position of its
    complexes, spread by its id. placement='sample' marks the position as
    not real (maps label it "표본 위치 (실제 위치 아님)"; access measures
    ignore it). Returns how many agencies were placed.
    """
    rows = db.execute(
        """SELECT a.id, avg(c.lat), avg(c.lon) FROM agencies a
           JOIN links l ON l.agency_id = a.id JOIN complexes c ON c.id = l.complex_id
           WHERE a.lat IS NULL AND c.placement = 'sample' AND c.lat IS NOT NULL
           GROUP BY a.id ORDER BY a.id"""
    ).fetchall()
    for i, (agency_id, lat, lon) in enumerate(rows):
        angle = i * 2.399963  # the golden angle keeps neighbours apart
        radius = ring_m * (0.6 + 0.4 * ((i * 7) % 5) / 4)
        dlat = radius * math.cos(angle) / 111_320
        dlon = radius * math.sin(angle) / (111_320 * math.cos(math.radians(lat)))
        db.execute(
            "UPDATE agencies SET lat = ?, lon = ?, placement = 'sample' WHERE id = ?",
            [round(lat + dlat, 6), round(lon + dlon, 6), agency_id],
        )
    return len(rows)
