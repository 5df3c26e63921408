"""The district planner (issue 12): demand a planner chooses, honest access maps, districts side by side."""
from __future__ import annotations

import csv
import io
import json
import re
import shutil

import numpy as np
import pytest

from importers.demand_table import read_demand_table
from maps.access import NOT_LISTED, access_map, listed_words
from maps.assets import standalone_html
from network.access import AccessError, accessibility, base_areas, project
from network.compare import CompareError, compare_districts, comparison_sheets, parse_districts
from network.demand import DEMANDS, DemandError, demand_rows, join_demand

from .test_maps_access import _pysal_access

# --- demand and the join ----------------------------------------------------


@pytest.mark.parametrize("agency_type", ["치매안심센터", "정신건강복지센터"])
def test_access_by_recipients_joins_every_area_and_matches_pysal(demo_db, agency_type):
    result = accessibility(demo_db, agency_type, demand="recipients")
    join = result.demand_join
    assert join["areas"] == len(result.rows) >= 250
    assert join["joined_areas"] >= 248
    assert len(join["missing_areas"]) == join["areas"] - join["joined_areas"]  # the rest, by name
    assert not join["unmatched_rows"]
    assert sum(r["demand"] for r in result.rows) == pytest.approx(2_836_706)  # Σ 기초생활보장 persons, 2025-12
    placed = [r for r in result.rows if r["score"] is not None]
    dxy = project([r["lat"] for r in placed], [r["lon"] for r in placed])
    sxy = project([s["lat"] for s in result.supply], [s["lon"] for s in result.supply])
    theirs = _pysal_access(dxy, np.array([r["demand"] for r in placed]), sxy,
                           np.array([s["supply"] for s in result.supply]), result.radius_km * 1000,
                           result.sigma_km * 1000)
    np.testing.assert_allclose([r["score"] / 1000 for r in placed], theirs, rtol=1e-9, atol=1e-15)
    assert max(r["score"] for r in placed) > 0


@pytest.mark.parametrize("key", [k for k in DEMANDS if k != "age65"])
def test_every_shipped_demand_joins_all_but_a_few_areas(key):
    areas, _ = base_areas("sigungu")
    values, report = join_demand(areas, demand_rows(key))
    assert report.joined_areas >= 248, report.missing_areas
    assert not report.unmatched_rows
    assert sum(values.values()) > 100_000


def test_join_by_code_and_by_every_spelling_of_a_name():
    areas, _ = base_areas("sigungu")
    by_name = {a["name"]: a["code"] for a in areas}
    rows = [
        {"sido": "경기", "sigungu": "수원장안구", "value": 1.0},  # HIRA: 일반구 without 시
        {"sido": "경기도", "sigungu": "수원시권선구", "value": 2.0},  # KOSIS: glued
        {"sido": "세종", "sigungu": "세종시", "value": 3.0},
        {"sido": "대구", "sigungu": "대구군위군", "value": 4.0},
        {"sido": "경북", "sigungu": "군위군", "value": 5.0},  # moved to 대구 in 2023: one area, summed
        {"sido": "경기도", "sigungu": "부천시", "value": 30.0},  # a 시-level row beside its 구
        {"sido": "경기도", "sigungu": "부천시 원미구", "value": 10.0},
        {"sido": "경기도", "sigungu": "부천시 소사구", "value": 20.0},
        {"code": "1111000000", "value": 6.0},
        {"code": "11350", "value": 7.0},  # 5-digit 시군구 code: 노원구
        {"sido": "강원", "sigungu": "고성군", "value": 8.0},  # 고성군 is in two 시도: by its own
        {"sido": "없는도", "sigungu": "어딘가", "value": 9.0, "label": "없는도 어딘가"},
    ]
    values, report = join_demand(areas, rows)
    assert values[by_name["경기도 수원시 장안구"]] == 1.0
    assert values[by_name["경기도 수원시 권선구"]] == 2.0
    assert values[by_name["세종특별자치시"]] == 3.0
    assert values[by_name["대구광역시 군위군"]] == 9.0
    assert values[by_name["서울특별시 종로구"]] == 6.0 and values[by_name["서울특별시 노원구"]] == 7.0
    assert values[by_name["강원특별자치도 고성군"]] == 8.0 and values[by_name["경상남도 고성군"]] == 0.0
    # 30 shared 10:20:0 among 원미구, 소사구, 오정구.
    assert values[by_name["경기도 부천시 원미구"]] == pytest.approx(20.0)
    assert values[by_name["경기도 부천시 소사구"]] == pytest.approx(40.0)
    assert values[by_name["경기도 부천시 오정구"]] == 0.0
    assert report.unmatched_rows == ["없는도 어딘가"]
    assert "경상남도 고성군" in report.missing_areas and len(report.shared_city_rows) == 1


def test_demand_only_where_it_exists(demo_db):
    with pytest.raises(AccessError, match="시군구 단위만"):
        accessibility(demo_db, "치매안심센터", level="eupmyeondong", demand="recipients")
    with pytest.raises(AccessError, match="알 수 없는 수요"):
        accessibility(demo_db, "치매안심센터", demand="노인")


# --- a planner's own table ---------------------------------------------------


def _write(path, rows, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_own_table_by_name_in_cp949_keeps_its_bad_rows(tmp_path, demo_db):
    path = _write(tmp_path / "수요.csv", [
        ["시도", "시군구", "대상 가구", "비고"],
        ["서울", "노원구", "1,200", ""], ["경기", "수원시장안구", "300", ""], ["세종", "세종시", "50", ""],
        ["서울", "강서구", "없음", ""], ["", "", "7", ""], ["없는도", "어딘가", "9", ""],
    ], encoding="cp949")
    table = read_demand_table(path)
    assert (table.column, table.level, table.encoding) == ("대상 가구", "sigungu", "cp949")
    assert [r["value"] for r in table.rows] == [1200.0, 300.0, 50.0, 9.0]
    assert [r["row"] for r in table.rejected] == [5, 6]
    assert "숫자" in table.rejected[0]["reason"] and "비어" in table.rejected[1]["reason"]
    result = accessibility(demo_db, "치매안심센터", demand_table=table.rows, demand_label=table.column)
    assert result.demand_label == "대상 가구"
    assert result.demand_join["joined_areas"] == 3 and result.demand_join["unmatched_rows"] == ["없는도 어딘가"]


def test_own_table_by_eupmyeondong_code(tmp_path, demo_db):
    dongs, _ = base_areas("eupmyeondong")
    rows = [["행정코드", "지역", "독거노인"]] + [[d["code"], d["name"], str(int(d["total"]) // 20)] for d in dongs[:400]]
    table = read_demand_table(_write(tmp_path / "d.csv", rows))
    assert table.level == "eupmyeondong" and len(table.rows) == 400
    result = accessibility(demo_db, "치매안심센터", level="eupmyeondong", demand_table=table.rows)
    assert result.demand_join["joined"]["code"] == 400
    assert len(result.demand_join["missing_areas"]) == len(dongs) - 400


@pytest.mark.parametrize("rows, message", [
    ([["이름", "값"], ["가", "1"]], "지역을 알 수 있는 열"),
    ([["시도", "시군구", "비고"], ["서울", "노원구", "메모"]], "숫자 열"),
    ([["시도", "시군구", "수", "비고"], ["서울", "노원구", "a", "b"], ["서울", "강서구", "c", "d"]], "숫자 열"),
    ([["시도", "시군구", "수", "연락처"], ["서울", "노원구", "3", "010-1234-5678"]], "개인정보"),
])
def test_own_table_bad_input_says_what_is_wrong(tmp_path, rows, message):
    with pytest.raises(DemandError, match=message):
        read_demand_table(_write(tmp_path / "bad.csv", rows))


def test_own_table_asked_column_must_exist(tmp_path):
    path = _write(tmp_path / "t.csv", [["시도", "시군구", "가", "나"], ["서울", "노원구", "1", "2"]])
    assert read_demand_table(path, column="나").rows[0]["value"] == 2.0
    with pytest.raises(DemandError, match="'다' 열이 없습니다"):
        read_demand_table(path, column="다")


# --- supply, σ and the caveats ----------------------------------------------


def test_supply_by_category_count_and_senior_jobs(demo_db):
    by_type = accessibility(demo_db, "치매안심센터")
    counted = accessibility(demo_db, "치매안심센터", capacity=False)
    assert all(s["supply"] == 1.0 for s in counted.supply) and any(s["supply"] > 1 for s in by_type.supply)
    health = accessibility(demo_db, None, categories=["보건의료"])
    assert len(health.supply) > len(by_type.supply)
    jobs = accessibility(demo_db, None, senior_jobs=True)
    assert 600_000 < sum(s["supply"] for s in jobs.supply) < 800_000  # approved 2022 target jobs
    with pytest.raises(AccessError, match="유형이나 분야"):
        accessibility(demo_db, None)


def test_sigma_follows_the_radius_in_the_legend(demo_db):
    legends = {}
    for radius in (5, 20):
        result = accessibility(demo_db, "치매안심센터", radius_km=radius)
        assert result.sigma_km == radius / 2
        legends[radius] = standalone_html(access_map(result, tiles="none"))
    assert "σ = 2.5 km (반경의 절반)" in legends[5] and "σ = 2.5 km" not in legends[20]
    assert "σ = 10 km (반경의 절반)" in legends[20]
    fixed = accessibility(demo_db, "치매안심센터", radius_km=5, sigma_km=4)
    assert "σ = 4 km" in standalone_html(access_map(fixed, tiles="none"))
    assert accessibility(demo_db, "치매안심센터", sigma_km=0).sigma_km == 0


def test_an_area_without_a_listed_agency_carries_the_list_caveat(demo_db):
    demo_db.execute("DELETE FROM agencies WHERE type = '치매안심센터' AND sido = '서울특별시' AND sigungu = '노원구'")
    demo_db.conn.commit()
    result = accessibility(demo_db, "치매안심센터")
    nowon = next(r for r in result.rows if r["name"] == "서울특별시 노원구")
    gangseo = next(r for r in result.rows if r["name"] == "서울특별시 강서구")
    assert nowon["in_store"] == 0 and gangseo["in_store"] >= 1
    assert result.list_vintage and re.match(r"\d{4}-\d\d-\d\d", result.list_vintage)
    words = listed_words(nowon["in_store"], result)
    assert words.startswith(NOT_LISTED) and "목록 기준 20" in words
    html = standalone_html(access_map(result, tiles="none"))
    assert json.dumps(words)[1:-1] in html  # the tooltip of 노원구's boundary
    assert "노원구" in html and "실제로 없는지 확인이 필요합니다" in html
    assert "경계 연결 안 됨" not in html and "경계 2, 지역 3" not in html


def test_nearest_agency_is_named(demo_db):
    result = accessibility(demo_db, "치매안심센터")
    row = next(r for r in result.rows if r["name"] == "서울특별시 노원구")
    assert "노원" in row["nearest_name"] and row["nearest_km"] < 5


# --- districts side by side -------------------------------------------------

THREE = ["서울특별시/강서구", "서울특별시/노원구", "서울특별시/양천구"]


def _summary(html: str) -> tuple[int, int, int]:
    m = re.search(r"단지 (\d+)곳 · 기관 (\d+)곳 \(\d+개 분야\) · 연계 (\d+)건", html)
    return tuple(int(x) for x in m.groups())


def test_comparison_shows_the_district_reports_figures(client):
    page = client.get("/districts/compare?" + "&".join(f"d={d}" for d in THREE) + "&demand=recipients")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    rows = {}
    for tr in re.findall(r"<tr><th>(.*?)</th>(.*?)</tr>", html, re.S):
        rows[re.sub(r"<[^>]+>", "", tr[0]).strip()] = re.findall(r"<td[^>]*>(.*?)</td>", tr[1], re.S)
    for k, name in enumerate(["강서구", "노원구"]):
        report = client.get(f"/districts/서울특별시/{name}").get_data(as_text=True)
        complexes, agencies, links = _summary(report)
        assert (int(rows["단지"][k]), int(rows["협력 기관"][k]), int(rows["연계"][k])) == (complexes, agencies, links)
    assert client.get("/districts/서울특별시/양천구").status_code == 404  # no complex: no report
    assert (rows["단지"][2], rows["협력 기관"][2]) == ("0", "0")
    assert rows["기초생활수급자"] == ["35,923", "34,030", "20,616"]
    # The export carries the same figures.
    body = client.get("/districts/compare.csv?" + "&".join(f"d={d}" for d in THREE) + "&demand=recipients")
    table = list(csv.reader(io.StringIO(body.get_data(as_text=True).lstrip("\ufeff"))))
    assert table[0] == ["항목", "서울특별시 강서구", "서울특별시 노원구", "서울특별시 양천구"]
    by_label = {r[0]: r[1:] for r in table}
    assert by_label["연계 수"][:2] == rows["연계"][:2] and by_label["수요: 기초생활수급자"] == ["35923", "34030", "20616"]
    xlsx = client.get("/districts/compare.xlsx?" + "&".join(f"d={d}" for d in THREE))
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_comparison_figures_and_actions(demo_db):
    result = accessibility(demo_db, "치매안심센터", demand="recipients")
    comparison = compare_districts(demo_db, parse_districts(THREE), result=result)
    gangseo = comparison["districts"][0]
    assert gangseo["per_1000"] == pytest.approx(gangseo["listed"] / gangseo["demand"] * 1000)
    assert gangseo["quartile"] in (1, 2, 3, 4)
    assert sum(gangseo["categories"].values()) == gangseo["network"]["agencies"]
    actions = comparison["actions"]
    assert len(actions["areas"]) == 10 and actions["scope"] == ["서울특별시"]
    scores = [a["score"] for a in actions["areas"]]
    assert scores == sorted(scores) and all(a["nearest_name"] and a["nearest_km"] is not None for a in actions["areas"])
    far = [c["nearest_km"] for c in actions["complexes"]]
    assert far == sorted(far, reverse=True) and far
    sheets = comparison_sheets(comparison)
    assert set(sheets) == {"비교", "단지", "부담 기관", "먼저 살펴볼 곳"}


def test_a_whole_sido_and_bad_picks(demo_db, client):
    result = accessibility(demo_db, "치매안심센터")
    seoul = parse_districts([], sido="서울", result=result)
    assert len(seoul) == 25
    gyeonggi = parse_districts([], sido="경기도", result=result)
    assert ("경기도", "수원시") in gyeonggi and ("경기도", "수원시 장안구") not in gyeonggi
    with pytest.raises(CompareError, match="2–6곳"):
        parse_districts(["서울특별시/강서구"])
    with pytest.raises(CompareError, match="시도/시군구"):
        parse_districts(["강서구", "노원구"])
    page = client.get("/districts/compare?d=서울특별시/강서구&d=서울특별시/없는구")
    assert page.status_code == 400 and "인구 자료에 없는 시군구" in page.get_data(as_text=True)
    assert client.get("/districts/compare?sido=경기도").status_code == 200


def test_access_and_comparison_pages_are_cached(demo_db_path, tmp_path):
    from web import create_app

    path = tmp_path / "c.db"
    shutil.copy(demo_db_path, path)
    app = create_app({"DATABASE": str(path), "SECRET_KEY": "t", "PAGE_CACHE_SECONDS": 60})
    client = app.test_client()
    cache = app.extensions["yeongye_page_cache"]
    for url in ("/maps/access?type=치매안심센터&radius=5&tiles=none", "/districts/compare?" + "&".join(f"d={d}" for d in THREE)):
        first = client.get(url)
        hits = cache.hits
        second = client.get(url)
        assert first.status_code == second.status_code == 200 and cache.hits == hits + 1
        assert first.data == second.data
    assert "σ = 2.5 km" in client.get("/maps/access?type=치매안심센터&radius=5&tiles=none").get_data(as_text=True)
