"""The home page's core: the nearest agency of each kind to a complex, its partners, and directions links."""
from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from geopy.distance import geodesic

from directory.errors import ComplexNotFound
from directory.nearby import complex_cards, directions, nearest_of_type
from directory.vocabulary import WORKER_CARD_TYPES


def _brute_nearest(db, lat, lon, kind):
    rows = list(db.query("SELECT id, lat, lon FROM agencies WHERE type = ? AND lat IS NOT NULL "
                         "AND placement != 'sample'", [kind]))
    return min(rows, key=lambda r: geodesic((lat, lon), (r["lat"], r["lon"])).km)


@pytest.mark.parametrize("kind", WORKER_CARD_TYPES)
def test_nearest_matches_a_search_of_every_agency(demo_db, kind):
    for name in ("A", "B", "E"):
        c = demo_db.execute("SELECT lat, lon FROM complexes WHERE name = ?", [name]).fetchone()
        found = nearest_of_type(demo_db, c[0], c[1], kind)
        has_real = demo_db.execute("SELECT count(*) FROM agencies WHERE type = ? AND lat IS NOT NULL "
                                   "AND placement != 'sample'", [kind]).fetchone()[0]
        if not has_real:
            assert found is None
            continue
        assert found["id"] == _brute_nearest(demo_db, c[0], c[1], kind)["id"]
        assert found["distance_km"] == pytest.approx(geodesic(c, (found["lat"], found["lon"])).km)


def test_far_from_everything_the_wider_boxes_answer(demo_db):
    # 독도: no 정신건강복지센터 within the first boxes; the nearest in the country still answers.
    found = nearest_of_type(demo_db, 37.2417, 131.8650, "정신건강복지센터")
    assert found is not None and found["distance_km"] > 50
    assert found["id"] == _brute_nearest(demo_db, 37.2417, 131.8650, "정신건강복지센터")["id"]


def test_complex_cards_for_the_study_complex_b(demo_db):
    cards = complex_cards(demo_db, "B")
    assert [c["type"] for c in cards["cards"]] == list(WORKER_CARD_TYPES)
    mental = cards["cards"][0]["agency"]
    assert mental["name"] == "강서구정신건강복지센터" and mental["phone"].startswith("02-")
    assert mental["distance_km"] < 5 and mental["placement_kind"] == "정확한 위치"
    assert cards["approximate"]  # the study's complexes sit at stand-in positions: distances are rough
    partners = cards["partners"]
    linked = demo_db.execute("SELECT count(*) FROM links WHERE complex_id = ?",
                             [cards["complex"]["id"]]).fetchone()[0]
    assert len(partners) == linked > 0
    # a partner at a stand-in position gets no invented distance
    assert all(p["distance_km"] is None for p in partners if p["placement"] == "sample")


def test_a_sample_position_is_never_the_nearest_real_agency(demo_db):
    b = demo_db.execute("SELECT lat, lon FROM complexes WHERE name = 'B'").fetchone()
    # put a study stand-in right on the complex: the nearest real one is still answered
    demo_db.execute("UPDATE agencies SET lat = ?, lon = ?, type = '정신건강복지센터' WHERE placement = 'sample' "
                    "AND id = (SELECT min(id) FROM agencies WHERE placement = 'sample')", list(b))
    demo_db.conn.commit()
    assert nearest_of_type(demo_db, b[0], b[1], "정신건강복지센터")["placement"] != "sample"


def test_unknown_complex_is_an_error(demo_db):
    with pytest.raises(ComplexNotFound):
        complex_cards(demo_db, "없는 단지")


def test_directions_from_the_position_when_it_is_the_building():
    links = directions("강서구정신건강복지센터", 37.549650, 126.868280, placement="exact", address="서울 강서구")
    assert links["by"] == "position"
    assert unquote(links["kakao"]) == "https://map.kakao.com/link/to/강서구정신건강복지센터,37.54965,126.86828"
    naver = urlsplit(links["naver"])
    assert naver.netloc == "map.naver.com"
    q = parse_qs(naver.query)
    assert q["elat"] == ["37.54965"] and q["elng"] == ["126.86828"] and q["etext"] == ["강서구정신건강복지센터"]


@pytest.mark.parametrize("placement", ["eupmyeondong", "sigungu", "sample"])
def test_directions_by_address_when_the_position_is_an_area(placement):
    links = directions("화곡제6동주민센터", 37.55, 126.85, placement=placement, address="서울특별시 강서구 공항대로46길 105")
    assert links["by"] == "address"
    assert unquote(links["kakao"]).endswith("/link/search/서울특별시 강서구 공항대로46길 105")


def test_directions_need_a_position_or_an_address():
    assert directions("센터", None, None, placement="unplaced") == {}
    assert directions("표본", 37.5, 127.0, placement="sample") == {}
    # a comma in a name would split KakaoMap's name,lat,lon
    assert ",37.5,127" in unquote(directions("가,나", 37.5, 127.0, placement="exact")["kakao"])
    assert "가 나" in unquote(directions("가,나", 37.5, 127.0, placement="exact")["kakao"])
