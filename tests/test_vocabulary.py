"""The shared vocabulary: one list of placement kinds, one box, one projection, one needs-word reader."""
from __future__ import annotations

import pytest

from directory import search, vocabulary
from directory.vocabulary import (APPROXIMATE, APPROXIMATE_NOTES, CENTROIDS, DECLARABLE, PLACEMENT_LABELS,
                                  PLACEMENT_RANK, PLACEMENT_SHORT_LABELS, PLACEMENTS, PRECISE, SAMPLE, UNPLACED,
                                  in_korea, needs_words, transformer)
from network import recommend


def test_every_placement_kind_has_its_labels_and_no_label_names_an_unknown_kind():
    assert set(PLACEMENT_LABELS) == set(PLACEMENTS) == set(PLACEMENT_SHORT_LABELS)
    assert set(APPROXIMATE_NOTES) == APPROXIMATE
    assert PRECISE | CENTROIDS | {SAMPLE, UNPLACED} == set(PLACEMENTS)
    assert not PRECISE & APPROXIMATE and UNPLACED not in APPROXIMATE


def test_placements_run_best_first():
    assert PLACEMENTS[0] == "exact" and PLACEMENTS[-1] == UNPLACED
    assert all(PLACEMENT_RANK[p] < PLACEMENT_RANK[c] for p in PRECISE for c in CENTROIDS)
    assert DECLARABLE == ("exact", "matched", "geocoded", "eupmyeondong", "sigungu")


def test_the_users_take_the_vocabularys_kinds():
    from importers import dedup, hsds, placement, run
    from maps import common

    assert placement.PLACEMENTS is PLACEMENTS and dedup.PRECISE is PRECISE
    assert run.KNOWN_PLACEMENTS is DECLARABLE and hsds.PLACEMENT_TERMS is DECLARABLE
    assert common.PLACEMENT_LABELS is PLACEMENT_LABELS and common.APPROXIMATE is CENTROIDS
    assert search.APPROXIMATE_PLACEMENTS is APPROXIMATE_NOTES


@pytest.mark.parametrize("place, lat, lon", [
    ("마라도", 33.11, 126.27), ("독도", 37.24, 131.87), ("백령도", 37.97, 124.63), ("강원 고성 명파리", 38.61, 128.36),
])
def test_the_box_holds_the_extremes_of_korea(place, lat, lon):
    assert in_korea(lat, lon), place


@pytest.mark.parametrize("lat, lon", [(0, 0), (35.7, 139.7), (39.03, 125.75), (31.2, 121.5)])  # Tokyo, 평양, Shanghai
def test_the_box_leaves_out_its_neighbours(lat, lon):
    assert not in_korea(lat, lon)


def test_one_box_for_imports_edits_and_search(db):
    from directory.editing import EditError, _clean
    from importers.coords import CoordinateError, to_wgs84

    with pytest.raises(search.SearchError):
        search.parse_point("32.5,126.5")  # south of 마라도: the sea
    with pytest.raises(EditError):
        _clean(db, {"lat": 32.5})
    with pytest.raises(CoordinateError):
        to_wgs84(32.5, 126.5)
    assert search.parse_point("33.2,126.5") and _clean(db, {"lat": 33.2}) == {"lat": 33.2}


def test_one_cached_transformer():
    assert transformer() is transformer("EPSG:5179", "EPSG:4326")
    lon, lat = transformer().transform(958000.0, 1944000.0)
    x, y = transformer("EPSG:4326", "EPSG:5179").transform(lon, lat)
    assert (round(x), round(y)) == (958000, 1944000)


def test_search_and_recommendations_read_the_needs_words_alike(tmp_path):
    words = needs_words()
    assert words["술"] == ["중독관리통합지원센터", "정신건강복지센터"]
    assert recommend.load_needs is needs_words
    bom = tmp_path / "needs.csv"
    bom.write_text("word,agency_types,note\n 술 ,중독관리통합지원센터; 정신건강복지센터,\n,x,\n", encoding="utf-8-sig")
    assert needs_words(bom) == {"술": ["중독관리통합지원센터", "정신건강복지센터"]}
    assert needs_words(tmp_path / "missing.csv") == {}
