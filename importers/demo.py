"""The demo database: the bundled public agency lists and the 2024 study, told truthfully.

It lives with the importers, not in the store (`directory/`), because it is
built by importing files: the store layer imports nothing above it.

The study names its partners by *kind* (정신건강복지센터, 사회복지관 …), one
row per kind shared by all six complexes. Imported as they are, those rows
make one "정신건강복지센터" serve six 구 — false loads, overlaps and
recommendations. So the demo keeps the study's six complexes, their partner
kinds, frequencies and profiles, and resolves each (complex, kind) to the real
agency of that kind nearest the complex in the complex's 시군구, from the
imported public lists (:func:`resolve_study_kinds`). Only when the 시군구 has
none of that kind does the link go to a placeholder of that kind for that
시군구, named and placed as a sample (표본 위치, 실제 기관 아님). A plain import
of the study files (``yeongye import linkage_matrix.csv --complexes …``) still
gives the study's own figures: 6 complexes, 34 agencies, 73 links.
"""
from __future__ import annotations

import json
import math

from directory.normalize import name_key
from directory.paths import PUBLIC_DIR, STUDY_DIR
from directory.store import now
from directory.vocabulary import SAMPLE

from . import import_file
from .common import distance_m
from .study import SOURCE as STUDY_SOURCE

__all__ = ["DEMO_FILES", "DEMO_LISTS", "SAMPLE_POSITIONS", "PLACEHOLDER_NOTE", "build", "place_study_complexes",
           "resolve_study_kinds", "place_study_agencies"]

PLACEHOLDER_NOTE = "연구 표본, 실제 기관 아님"
"""What a placeholder's name says: no agency of its kind is listed in its 시군구."""

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


def build(db, *, resolve_kinds: bool = True) -> list:
    """Import every demo file into `db`; returns the import summaries.

    With `resolve_kinds` (the default) each of the study's partner kinds is
    resolved to the real nearest agency of that kind in the complex's 시군구
    (:func:`resolve_study_kinds`); without it the study's kind rows stay as
    imported, shared by every complex (only for comparing the two).
    """
    summaries = [import_file(db, path) for path in DEMO_FILES]
    summaries += [import_file(db, path, **options) for path, options in DEMO_LISTS]
    summaries.append(
        import_file(db, STUDY_DIR / "linkage_matrix.csv", complexes=STUDY_DIR / "complexes.csv")
    )
    with db.conn:
        place_study_complexes(db)
        if resolve_kinds:
            resolve_study_kinds(db)
        place_study_agencies(db)
    return summaries


def place_study_complexes(db) -> None:
    """Put the study's six complexes at their sample positions (SAMPLE_POSITIONS), placement 'sample'.

    Only complexes without a position; call inside the caller's transaction.
    """
    for name, (sido, sigungu, lat, lon) in SAMPLE_POSITIONS.items():
        db.execute(
            "UPDATE complexes SET name = name, sido = ?, sigungu = ?, lat = ?, lon = ?, placement = 'sample', "
            "operator = coalesce(operator, 'LH/SH (연구 표본)') WHERE name = ? AND lat IS NULL",
            [sido, sigungu, lat, lon, name],
        )


def resolve_study_kinds(db) -> dict:
    """Point each study link at the real nearest agency of its kind in its complex's 시군구, else a placeholder.

    For every link of the study (``links.source = 'study2024'``) from a
    complex with a 시군구: the agencies of the link's kind (the study row's
    type) listed in that 시도/시군구 by another source, nearest the complex
    first (unplaced ones after, sample stand-ins never), give the real
    partner. A 시군구 without one gets one placeholder per kind, named
    "<kind> (<시군구>, 연구 표본, 실제 기관 아님)" and placed later as a sample
    (:func:`place_study_agencies`). The study's shared kind rows, left without
    links, are removed. Frequencies, content types and the links' ids stay.

    Returns counts: ``real`` and ``placeholder`` links, ``placeholders``
    created, ``kinds_removed``. Call inside the caller's transaction.
    """
    links = db.execute(
        """SELECT l.id, l.complex_id, l.agency_id, c.sido, c.sigungu, c.lat, c.lon,
                  a.name, a.type, a.category
           FROM links l JOIN complexes c ON c.id = l.complex_id JOIN agencies a ON a.id = l.agency_id
           WHERE l.source = ? AND a.source = ? AND c.sigungu IS NOT NULL ORDER BY l.id""",
        [STUDY_SOURCE, STUDY_SOURCE]).fetchall()
    placeholders: dict[tuple, int] = {}
    counts = {"real": 0, "placeholder": 0, "placeholders": 0, "kinds_removed": 0}
    for link_id, complex_id, study_id, sido, sigungu, lat, lon, name, kind, category in links:
        kind = kind or name
        target = _nearest_in_district(db, kind, sido, sigungu, lat, lon)
        if target is None:
            key = (sido, sigungu, kind)
            if key not in placeholders:
                placeholders[key] = _placeholder(db, study_id, kind, category, sido, sigungu)
                counts["placeholders"] += 1
            target = placeholders[key]
            counts["placeholder"] += 1
        else:
            counts["real"] += 1
        clash = db.execute("SELECT id, frequency_level FROM links WHERE complex_id = ? AND agency_id = ?",
                           [complex_id, target]).fetchone()
        if clash is None:
            db.execute("UPDATE links SET agency_id = ? WHERE id = ?", [target, link_id])
        else:  # two of the study's kinds are one agency here: one link, the more frequent level
            db.execute("UPDATE links SET frequency_level = max(coalesce(frequency_level, 0), "
                       "(SELECT coalesce(frequency_level, 0) FROM links WHERE id = ?)) WHERE id = ?",
                       [link_id, clash[0]])
            db.execute("DELETE FROM links WHERE id = ?", [link_id])
    orphans = [r[0] for r in db.execute(
        "SELECT id FROM agencies a WHERE source = ? AND placement != ? AND NOT EXISTS "
        "(SELECT 1 FROM links l WHERE l.agency_id = a.id)", [STUDY_SOURCE, SAMPLE])]
    for agency_id in orphans:
        if db.execute("SELECT 1 FROM agency_sources WHERE agency_id = ? AND source != ?",
                      [agency_id, STUDY_SOURCE]).fetchone() is None:
            db.execute("DELETE FROM agencies WHERE id = ?", [agency_id])
            counts["kinds_removed"] += 1
    return counts


def _nearest_in_district(db, kind, sido, sigungu, lat, lon) -> int | None:
    """The id of the listed agency of `kind` in the 시도/시군구 nearest (lat, lon); unplaced ones last."""
    rows = db.execute(
        """SELECT id, lat, lon FROM agencies
           WHERE type = ? AND sido IS ? AND sigungu = ? AND coalesce(source, '') != ? AND placement != ?""",
        [kind, sido, sigungu, STUDY_SOURCE, SAMPLE]).fetchall()
    if not rows:
        return None

    def far(row):
        if None in (row[1], row[2], lat, lon):
            return (1, math.inf, row[0])
        return (0, distance_m(lat, lon, row[1], row[2]), row[0])

    return min(rows, key=far)[0]


def _placeholder(db, study_id, kind, category, sido, sigungu) -> int:
    """A stand-in agency of `kind` for one 시군구 (placed as a sample later); returns its id."""
    name = f"{kind} ({sigungu}, {PLACEHOLDER_NOTE})"
    stamp = now()
    cur = db.execute(
        """INSERT INTO agencies (name, name_key, type, type_raw, category, sido, sigungu, placement, source,
                                 source_key, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, 'unplaced', ?, ?, ?, ?)""",
        [name, name_key(name), kind, kind, category, sido, sigungu, STUDY_SOURCE, f"{kind}@{sido} {sigungu}",
         stamp, stamp])
    raw = db.execute("SELECT raw FROM agency_sources WHERE agency_id = ? LIMIT 1", [study_id]).fetchone()
    db.execute(
        "INSERT INTO agency_sources (agency_id, source, source_key, raw, imported_at) VALUES (?, ?, ?, ?, ?)",
        [cur.lastrowid, STUDY_SOURCE, f"{kind}@{sido} {sigungu}",
         raw[0] if raw else json.dumps({"agency": kind}, ensure_ascii=False), stamp])
    return cur.lastrowid


def place_study_agencies(db, ring_m: float = 700.0) -> int:
    """Give the study's partner agencies sample positions near the complexes linking them.

    The study names agency types, not addresses, so the network maps need a
    stand-in: each unplaced agency linked to a sample-placed complex goes on
    a ring of about `ring_m` metres around the mean position of its
    complexes, spread by its id. placement='sample' marks the position as
    not real (maps label it "표본 위치 (실제 위치 아님)"; access measures
    ignore it). Returns how many agencies were placed.
    """
    # Only the study's own rows: a real agency without a position stays without one.
    rows = db.execute(
        """SELECT a.id, avg(c.lat), avg(c.lon) FROM agencies a
           JOIN links l ON l.agency_id = a.id JOIN complexes c ON c.id = l.complex_id
           WHERE a.lat IS NULL AND a.source = ? AND c.placement = 'sample' AND c.lat IS NOT NULL
           GROUP BY a.id ORDER BY a.id""", [STUDY_SOURCE]
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
