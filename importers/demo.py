"""The demo database: the bundled public agency lists and the 2024 study.

It lives with the importers, not in the store (`directory/`), because it is
built by importing files: the store layer imports nothing above it.
"""
from __future__ import annotations

import math

from directory.paths import PUBLIC_DIR, STUDY_DIR

from . import import_file

__all__ = ["DEMO_FILES", "DEMO_LISTS", "SAMPLE_POSITIONS", "build", "place_study_agencies"]

DEMO_FILES = [
    PUBLIC_DIR / "agencies" / "dementia_centers_standard.csv",
    PUBLIC_DIR / "agencies" / "health_promotion_centers_standard.csv",
    # No coordinates: placed by matching the lists above, else at the
    # 읍면동 or 시군구 centroid (agencies.placement says which).
    PUBLIC_DIR / "agencies" / "mental_health_institutions_20220301.csv",
    PUBLIC_DIR / "agencies" / "eupmyeondong_community_centers.csv",
]

# The second round's lists (data/public/SOURCES.md), each with what the demo
# takes of it: import_file's options. The national SSIS list and the Seoul
# export hold every kind of facility (8,427 재가 rows …); the demo takes the
# kinds a housing welfare worker links with. Lists without an address are
# placed at their 시군구's centre and say so (시군구 중심).
_AGENCIES = PUBLIC_DIR / "agencies"
DEMO_LISTS = [
    (_AGENCIES / "elderly_welfare_facilities_ssis_2022.csv",
     {"only_types": frozenset({"노인복지관", "노인일자리지원기관", "노인보호전문기관"})}),
    (_AGENCIES / "elderly_custom_care_agencies_2022.csv", {"defaults": {"type": "노인맞춤돌봄 수행기관"}}),
    # No name column: 시도 holds the office's label (서울남부), the type completes it.
    (_AGENCIES / "elder_protection_agencies_2022.csv",
     {"mapping": {"name": "시도"}, "defaults": {"type": "노인보호전문기관"}}),
    (_AGENCIES / "seoul_ssis_facility_list_2022-08.xls",
     {"only_types": frozenset({"사회복지관", "지역자활센터", "노인복지관", "장애인복지관", "노인일자리지원기관",
                               "노인보호전문기관", "다문화가족지원센터", "쪽방상담소", "노숙인종합지원센터",
                               "노숙인일시보호시설", "노숙인자활시설", "노숙인재활시설", "노숙인요양시설"})}),
    (_AGENCIES / "police_patrol_boxes_20250604.csv", {}),
    # 센터 holds the place (부산진구), not the centre's name: the type completes it.
    (_AGENCIES / "multicultural_family_centers_20250924.csv", {"defaults": {"type": "다문화가족지원센터"}}),
    (_AGENCIES / "multicultural_family_hub_centers_20250924.csv", {}),
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
    summaries += [import_file(db, path, **options) for path, options in DEMO_LISTS]
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
