"""Placing agencies without coordinates: matching, geocoder (a fake one, never the network), centroids."""
import json
import time

import pytest
from geopy.exc import GeocoderServiceError, GeocoderUnavailable

from cli import main
from importers import import_file
from importers.placement import (CachedGeocoder, GeocoderConfigError, boundaries, centroid, find_eupmyeondong,
                                 make_geocoder, place_agencies, placement_counts)
from directory.regions import region_index
from tests.conftest import PUBLIC


class Location:
    def __init__(self, lat, lon, address="답"):
        self.latitude, self.longitude, self.address = lat, lon, address


class FakeGeocoder:
    """Answers from a dict; records every question."""

    def __init__(self, answers=None, error=None):
        self.answers = answers or {}
        self.error = error
        self.asked = []

    def geocode(self, query, **kwargs):
        self.asked.append(query)
        if self.error:
            raise self.error
        hit = self.answers.get(query)
        return Location(*hit) if hit else None


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


LIST = ("시설명,주소\n"
        "가센터,서울특별시 노원구 상계로 1\n"
        "나센터,서울특별시 종로구 사직동 111-1\n"
        "다센터,강원도 어딘가\n"
        "라센터,주소 모름\n")


def test_offline_centroids_best_first(db, tmp_path):
    summary = import_file(db, write(tmp_path, "a.csv", LIST))
    rows = {r["name"]: r for r in db.query("SELECT * FROM agencies")}
    assert rows["가센터"]["placement"] == "sigungu"
    assert rows["나센터"]["placement"] == "eupmyeondong" and rows["나센터"]["eupmyeondong"] == "사직동"
    assert rows["다센터"]["placement"] == "unplaced"  # a 시도 alone is not a place
    assert rows["라센터"]["placement"] == "unplaced" and rows["라센터"]["lat"] is None
    nowon = region_index().sigungu["서울특별시"]["노원구"]
    assert (rows["가센터"]["lat"], rows["가센터"]["lon"]) == pytest.approx(centroid(nowon))
    assert 37.6 < rows["가센터"]["lat"] < 37.7 and 127.0 < rows["가센터"]["lon"] < 127.1
    assert summary.extra["placed"] == {"eupmyeondong": 1, "sigungu": 1, "unplaced": 2}


def test_matching_a_known_agency_by_address(db, tmp_path):
    import_file(db, PUBLIC / "dementia_centers_standard.csv")
    known = db.execute("SELECT road_address, lat, lon FROM agencies WHERE name = '강북구치매지원센터' ORDER BY id").fetchone()
    path = write(tmp_path, "b.csv", f"기관명,기관구분,주소\n강북구 정신건강복지센터,기초정신건강복지센터,{known[0]}\n")
    summary = import_file(db, path)
    row = db.execute("SELECT placement, lat, lon, type FROM agencies WHERE name = '강북구 정신건강복지센터'").fetchone()
    assert row == ("matched", known[1], known[2], "정신건강복지센터")  # same building, a different agency
    assert summary.extra["placed"] == {"matched": 1}


def test_geocoder_places_and_caches(db, tmp_path):
    coder = FakeGeocoder({"서울특별시 노원구 상계로 1": (37.655, 127.061)})
    import_file(db, write(tmp_path, "a.csv", LIST), geocoder=coder)
    rows = {r["name"]: r for r in db.query("SELECT * FROM agencies")}
    assert (rows["가센터"]["placement"], rows["가센터"]["lat"]) == ("geocoded", 37.655)
    assert rows["나센터"]["placement"] == "eupmyeondong"  # the geocoder did not know it
    cached = db.execute("SELECT count(*), count(lat) FROM geocode_cache").fetchone()
    assert cached == (4, 1)  # "not found" is cached too
    asked = len(coder.asked)
    # Nothing is asked twice, even from another list.
    import_file(db, write(tmp_path, "c.csv", LIST.replace("센터", "복지관")), geocoder=coder)
    assert len(coder.asked) == asked
    assert db.execute("SELECT placement FROM agencies WHERE name = '가복지관'").fetchone()[0] == "matched"


def test_geocoder_answer_outside_korea_is_ignored(db, tmp_path):
    coder = FakeGeocoder({"서울특별시 노원구 상계로 1": (48.85, 2.35)})
    import_file(db, write(tmp_path, "a.csv", LIST), geocoder=coder)
    assert db.execute("SELECT placement FROM agencies WHERE name = '가센터'").fetchone()[0] == "sigungu"


@pytest.mark.parametrize("error", [GeocoderUnavailable("network closed"), GeocoderServiceError("HTTP 500")])
def test_network_failure_stops_the_geocoder_fast_and_falls_back(db, tmp_path, error):
    coder = FakeGeocoder(error=error)
    start = time.perf_counter()
    summary = import_file(db, write(tmp_path, "a.csv", LIST), geocoder=coder)
    assert time.perf_counter() - start < 5
    assert len(coder.asked) == 1  # the first failure switches it off for the run
    assert summary.extra["placed"] == {"eupmyeondong": 1, "sigungu": 1, "unplaced": 2}
    assert "지오코더" in json.dumps(summary.as_dict(), ensure_ascii=False) or summary.extra.get("geocoder")
    assert db.execute("SELECT count(*) FROM geocode_cache").fetchone()[0] == 0  # failures are not cached


def test_real_nominatim_with_closed_network_fails_in_milliseconds(db, tmp_path):
    # A port nothing listens on: the connection is refused at once, like a closed network.
    coder = make_geocoder("nominatim", domain="127.0.0.1:9", scheme="http", timeout=1)
    wrapped = CachedGeocoder(db.conn, coder, min_delay_seconds=0)
    start = time.perf_counter()
    assert wrapped.lookup("서울특별시 노원구 상계로 1") is None
    assert time.perf_counter() - start < 3
    assert wrapped.failed and "Geocoder" in wrapped.failed
    # A server that never answers costs one timeout: the HTTP adapter does not retry.
    adapter = coder.adapter
    if hasattr(adapter, "session"):
        assert adapter.session.get_adapter("http://example.org").max_retries.total == 0


def test_geocoder_configuration(monkeypatch):
    monkeypatch.delenv("YEONGYE_GEOCODER", raising=False)
    assert make_geocoder() is None  # offline unless configured
    monkeypatch.setenv("YEONGYE_GEOCODER", "photon")
    monkeypatch.setenv("YEONGYE_GEOCODER_DOMAIN", "photon.example.org")
    coder = make_geocoder()
    assert type(coder).__name__ == "Photon" and coder.domain == "photon.example.org"
    assert type(make_geocoder("pelias", domain="pelias.example.org")).__name__ == "Pelias"
    monkeypatch.delenv("YEONGYE_GEOCODER_DOMAIN")
    with pytest.raises(GeocoderConfigError):
        make_geocoder("pelias")
    with pytest.raises(GeocoderConfigError):
        make_geocoder("google")


def test_sigungu_from_coordinates_when_the_address_lacks_it(db, tmp_path):
    path = write(tmp_path, "xy.csv", "시설명,주소,위도,경도\n가센터,,37.5172,127.0473\n나센터,상계로 1,35.1796,129.0756\n")
    import_file(db, path)
    rows = dict((r[0], (r[1], r[2])) for r in db.execute("SELECT name, sido, sigungu FROM agencies"))
    assert rows == {"가센터": ("서울특별시", "강남구"), "나센터": ("부산광역시", "연제구")}


def test_boundaries_locate_many_points_at_once():
    found = boundaries().locate([(37.5665, 126.9780), (33.4996, 126.5312), (36.0, 140.0), (37.2636, 127.0286)])
    assert found[0] == ("서울특별시", "중구")
    assert found[1] == ("제주특별자치도", "제주시")
    assert found[2] is None
    assert found[3][1].startswith("수원시")


@pytest.mark.parametrize(
    "sido, sigungu, names, expected",
    [
        ("서울특별시", "종로구", ["청운효자동주민센터"], "청운효자동"),
        ("경상북도", "경산시", [None, "하양읍 행정복지센터"], "하양읍"),
        ("경기도", "수원시", ["파장동 행정복지센터"], "파장동"),
        ("서울특별시", "종로구", ["없는동주민센터"], None),
        ("서울특별시", "노원구", ["상계동"], "상계동"),  # 법정동 over 상계1동 … 상계10동
        ("부산광역시", "서구", ["아미동2가"], "아미동"),
        # An old office name: its 동/읍/면 belongs to the unit's name, "사무소" is the suffix.
        ("서울특별시", "종로구", ["청운효자동사무소"], "청운효자동"),
        ("경상북도", "경산시", ["하양읍사무소"], "하양읍"),
        ("경기도", "양평군", ["양서면사무소"], "양서면"),
        ("경기도", "양평군", ["양서면 출장소"], "양서면"),
    ],
)
def test_eupmyeondong_from_a_centre_name(sido, sigungu, names, expected):
    region = find_eupmyeondong(sido, sigungu, *names)
    assert (region.eupmyeondong if region else None) == expected


def test_office_suffixes_never_shadow_one_another():
    """A suffix that ends another must come after it, or the longer one could never match."""
    from importers.placement import OFFICE_SUFFIXES

    shadowed = [(a, b) for i, a in enumerate(OFFICE_SUFFIXES) for b in OFFICE_SUFFIXES[i + 1:] if b.endswith(a)]
    assert shadowed == []


def test_place_command_upgrades_centroids_when_a_geocoder_is_configured(runner, tmp_path, monkeypatch):
    dbfile = tmp_path / "p.db"
    assert runner.invoke(main, ["--db", str(dbfile), "import", str(write(tmp_path, "a.csv", LIST))]).exit_code == 0
    result = runner.invoke(main, ["--db", str(dbfile), "place", "--json"])
    assert result.exit_code == 0, result.output
    totals = json.loads(result.output)["totals"]
    assert totals == {"eupmyeondong": 1, "sigungu": 1, "unplaced": 2}
    bad = runner.invoke(main, ["--db", str(dbfile), "place", "--geocoder", "google"])
    assert bad.exit_code != 0 and "google" in bad.output


def test_placement_counts_and_upgrade(db, tmp_path):
    import_file(db, write(tmp_path, "a.csv", LIST))
    coder = FakeGeocoder({"서울특별시 노원구 상계로 1": (37.655, 127.061)})
    counts = place_agencies(db.conn, geocoder=coder)
    assert counts["geocoded"] == 1
    assert placement_counts(db.conn) == {"geocoded": 1, "eupmyeondong": 1, "unplaced": 2}


def test_units_named_in_addresses():
    from importers.placement import address_units

    assert address_units("인천광역시 연수구 먼우금로 98- (동춘동)", "서울특별시 노원구 상계동 111-1") == ["동춘동", "상계동"]
    assert address_units("강원도 강릉시 경강로 2109 6층 (임당동, 문선빌딩)", None) == ["임당동"]


def test_a_server_that_never_answers_costs_one_timeout(db):
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # connections wait in the backlog; nothing ever answers
    try:
        port = silent.getsockname()[1]
        coder = make_geocoder("nominatim", domain=f"127.0.0.1:{port}", scheme="http", timeout=0.5)
        wrapped = CachedGeocoder(db.conn, coder, min_delay_seconds=0)
        start = time.perf_counter()
        assert wrapped.lookup("서울특별시 노원구 상계로 1") is None
        elapsed = time.perf_counter() - start
        assert wrapped.failed.startswith("GeocoderTimedOut")
        assert elapsed < 1.4  # one timeout of 0.5 s, not three
        assert wrapped.lookup("서울특별시 노원구 상계로 2") is None  # switched off: no second wait
        assert time.perf_counter() - start < 1.5
    finally:
        silent.close()
