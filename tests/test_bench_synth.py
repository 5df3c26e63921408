"""The synthetic data generator of bench/: small runs that check it looks like life."""
from __future__ import annotations

import collections
import csv
import json
import math

import pytest

from bench.synth import STANDARD_HEADER, build_synthetic_db, generate_agencies, write_standard_csv
from directory.store import connect
from importers import import_file
from importers.standard import detect_dataset


def km(lat1, lon1, lat2, lon2):
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return 6371.0 * math.hypot(x, math.radians(lat2 - lat1))


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """A 2,000-agency, 20-complex store, built once for this module."""
    return build_synthetic_db(tmp_path_factory.mktemp("synth") / "s.db", agencies=2000, complexes=20, seed=3)


def test_counts_and_links(synthetic):
    db = connect(synthetic)
    assert db["agencies"].count == 2000
    assert db["complexes"].count == 20
    per_complex = [r[0] for r in db.execute("SELECT count(*) FROM links GROUP BY complex_id")]
    assert len(per_complex) == 20 and all(9 <= n <= 13 for n in per_complex)
    assert db.execute("SELECT count(*) FROM agencies WHERE placement != 'exact' OR lat IS NULL").fetchone()[0] == 0
    db.conn.close()


def test_every_complex_has_the_study_partners_nearby(synthetic):
    db = connect(synthetic)
    rows = db.execute(
        """SELECT l.complex_id, a.type, c.lat, c.lon, a.lat, a.lon FROM links l
           JOIN complexes c ON c.id = l.complex_id JOIN agencies a ON a.id = l.agency_id"""
    ).fetchall()
    types = collections.defaultdict(set)
    for complex_id, agency_type, clat, clon, alat, alon in rows:
        types[complex_id].add(agency_type)
        assert km(clat, clon, alat, alon) < 40, (agency_type, km(clat, clon, alat, alon))
    for found in types.values():
        assert {"사회복지관", "행정복지센터", "정신건강복지센터", "치매안심센터", "관리사무소"} <= found
    distances = sorted(km(*r[2:]) for r in rows)
    assert distances[len(distances) // 2] < 8  # most partners are in the neighbourhood
    db.conn.close()


def test_links_carry_study_frequencies_and_content_types(synthetic):
    db = connect(synthetic)
    levels = collections.Counter(r[0] for r in db.execute("SELECT frequency_level FROM links"))
    assert set(levels) <= {1, 2, 3, 4, 5} and levels.most_common(1)[0][0] == 5  # 수시 dominates, as in the study
    codes = {r[0] for r in db.execute("SELECT code FROM content_types")}
    for (content,) in db.execute("SELECT content_types FROM links"):
        assert content and set(json.loads(content)) <= codes
    mental = {r[0] for r in db.execute(
        "SELECT l.frequency_level FROM links l JOIN agencies a ON a.id = l.agency_id WHERE a.type = '정신건강복지센터'")}
    assert 5 in mental
    complexes = list(db.query("SELECT * FROM complexes"))
    assert all(1200 <= c["households"] <= 2400 and c["operator"] in ("LH", "SH") for c in complexes)
    assert all("영구임대" in c["name"] and c["name"].endswith("단지") for c in complexes)
    db.conn.close()


def test_types_in_realistic_proportions():
    agencies = generate_agencies(2000, seed=3)
    counts = collections.Counter(a["type"] for a in agencies)
    assert len(agencies) == 2000
    assert counts["경로당"] > 0.5 * len(agencies)
    assert counts["행정복지센터"] > counts["치매안심센터"] >= 1
    districts = {(a["sido"], a["sigungu"]) for a in agencies}
    # every district of the sample has its own 치매안심센터 and 정신건강복지센터
    for kind in ("치매안심센터", "정신건강복지센터"):
        assert {(a["sido"], a["sigungu"]) for a in agencies if a["type"] == kind} == districts
    names = [(a["sido"], a["sigungu"], a["name"]) for a in agencies]
    assert len(set(names)) == len(names)


def test_deterministic_and_cached(tmp_path, synthetic):
    assert generate_agencies(300, seed=5) == generate_agencies(300, seed=5)
    assert generate_agencies(300, seed=5) != generate_agencies(300, seed=6)
    before = synthetic.stat().st_mtime_ns
    assert build_synthetic_db(synthetic, agencies=2000, complexes=20, seed=3) == synthetic
    assert synthetic.stat().st_mtime_ns == before  # reused, not rebuilt


def test_standard_csv_imports_cleanly(tmp_path, db):
    path = write_standard_csv(tmp_path / "s.csv", rows=500, encoding="cp949", seed=2)
    with open(path, encoding="cp949", newline="") as fh:
        header = next(csv.reader(fh))
    assert header == STANDARD_HEADER and detect_dataset(header).label == "전국치매센터표준데이터"
    summary = import_file(db, path)
    assert (summary.imported, summary.quarantined, summary.merged) == (500, 0, 0)
    missing = db.execute(
        "SELECT count(*) FROM agencies WHERE sido IS NULL OR sigungu IS NULL OR type IS NULL OR phone IS NULL"
    ).fetchone()[0]
    assert missing == 0
    again = import_file(db, path)
    assert (again.imported, again.updated, again.unchanged) == (0, 0, 500)
