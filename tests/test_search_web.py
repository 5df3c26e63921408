"""Search through its shells: `yeongye search` / `reindex`, the /search page and GET /api/search."""
from __future__ import annotations

import json
import shutil

import pytest

from cli import main
from directory import search


@pytest.fixture(autouse=True)
def _close_indexes():
    yield
    search.close_all()


@pytest.fixture
def db_path(demo_db_path, tmp_path):
    path = tmp_path / "demo.db"
    shutil.copy(demo_db_path, path)
    return path


# --- CLI ------------------------------------------------------------------------


def test_cli_search_near_a_complex(runner, db_path):
    result = runner.invoke(main, ["--db", str(db_path), "search", "치매", "--complex", "C", "--limit", "3"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("이렇게 찾았습니다: 치매 → 치매안심센터")
    assert "서울특별시송파구치매안심센터" in next(line for line in lines if line.startswith("  1."))
    assert "km" in result.output and "02-" in result.output


def test_cli_search_says_what_it_understood_and_nothing_within(runner, db_path):
    # 노숙인요양시설: five in the country, the nearest 10 km from B (a 시군구 centre).
    result = runner.invoke(main, ["--db", str(db_path), "search", "노숙인요양시설", "--complex", "B", "--limit", "1"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("반경 10 km 안에 없음 — 가장 가까운 곳 ")
    assert lines[1] == "이렇게 찾았습니다: 노숙인요양시설 → 노숙인요양시설"


def test_cli_search_json_fields(runner, db_path):
    result = runner.invoke(main, ["--db", str(db_path), "search", "정신보건센터", "--near", "37.6542,127.0568",
                                  "--radius", "20", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows and rows[0]["name"] == "노원구정신건강복지센터"
    for key in ("id", "name", "type", "category", "address", "sido", "sigungu", "lat", "lon", "phone",
                "placement", "distance_km"):
        assert key in rows[0]
    assert all(r["distance_km"] <= 20 for r in rows)


def test_cli_search_filters_and_words_in_pieces(runner, db_path):
    result = runner.invoke(main, ["--db", str(db_path), "search", "치매", "안심", "--sido", "서울",
                                  "--type", "치매지원센터", "--json", "--limit", "50"])
    rows = json.loads(result.output)
    assert rows and {r["sido"] for r in rows} == {"서울특별시"} and {r["type"] for r in rows} == {"치매안심센터"}


@pytest.mark.parametrize("args, message", [
    (["치매", "--near", "north"], "위도,경도"),
    (["치매", "--complex", "없는단지"], "단지"),
    (["치매", "--radius", "5"], "위치"),
])
def test_cli_search_bad_input_is_a_clear_error(runner, db_path, args, message):
    result = runner.invoke(main, ["--db", str(db_path), "search", *args])
    assert result.exit_code != 0 and message in result.output
    assert "Traceback" not in result.output


def test_cli_hostile_query(runner, db_path):
    result = runner.invoke(main, ["--db", str(db_path), "search", '"AND (*', "--json"])
    assert result.exit_code == 0 and json.loads(result.output) == []


def test_cli_reindex(runner, db_path):
    result = runner.invoke(main, ["--db", str(db_path), "reindex"])
    assert result.exit_code == 0, result.output
    assert "검색 색인 완료" in result.output
    assert (db_path.parent / "demo.db.whoosh").is_dir()


# --- web --------------------------------------------------------------------------


def test_search_page_lists_results_with_phone_links_and_distance(client):
    response = client.get("/search", query_string={"q": "치매", "complex": "C", "radius": "5"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "서울특별시송파구치매안심센터" in html
    assert 'href="tel:02-' in html and " km" in html
    assert 'id="search-map"' in html


def test_search_page_notes_approximate_places(client):
    html = client.get("/search", query_string={"q": "정신건강복지센터", "complex": "A"}).get_data(as_text=True)
    assert "대략적 위치" in html  # the study's complexes sit at sample positions


def test_search_page_without_a_query_shows_the_form(client):
    response = client.get("/search")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'name="q"' in html and "찾는 기관이 없습니다" not in html


@pytest.mark.parametrize("query", ['"AND (*', "!!!", "가" * 5000, "))((", "<script>alert(1)</script>"])
def test_search_page_survives_odd_queries(client, query):
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


def test_search_page_shows_bad_parameters_as_a_message(client):
    response = client.get("/search", query_string={"q": "치매", "near": "abc"})
    assert response.status_code == 200 and "위도,경도" in response.get_data(as_text=True)


def test_home_page_search_box_points_to_search(client):
    html = client.get("/").get_data(as_text=True)
    assert 'action="/search"' in html


def test_api_search(client):
    response = client.get("/api/search", query_string={"q": "치매", "complex": "C", "limit": "3"})
    assert response.status_code == 200
    data = response.get_json()
    assert data["results"][0]["name"] == "서울특별시송파구치매안심센터"
    assert data["place"]["label"] == "C" and data["total"] >= 3 and len(data["results"]) == 3
    for key in ("id", "name", "type", "category", "address", "sido", "sigungu", "lat", "lon", "phone",
                "placement", "distance_km"):
        assert key in data["results"][0]


def test_api_search_empty_query_near_a_point_lists_nearest(client):
    data = client.get("/api/search", query_string={"near": "37.4955,127.1222", "radius": "3"}).get_json()
    distances = [r["distance_km"] for r in data["results"]]
    assert distances and distances == sorted(distances) and max(distances) <= 3


@pytest.mark.parametrize("params, message", [
    ({"q": "치매", "near": "abc"}, "위도,경도"),
    ({"q": "치매", "near": "0,0"}, "한국 밖"),
    ({"q": "치매", "near": "37.5,127", "radius": "-2"}, "반경"),
    ({"q": "치매", "radius": "3"}, "위치"),
    ({"q": "치매", "sort": "random"}, "정렬"),
    ({"q": "치매", "limit": "9999"}, "개수"),
    ({"q": "치매", "limit": "ten"}, "개수"),
    ({"q": "치매", "complex": "없는단지"}, "단지"),
    ({"q": "치매", "address": "아무데도없는곳"}, "주소"),
])
def test_api_search_bad_parameters_are_json_400(client, params, message):
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 400
    data = response.get_json()
    assert data["error"] == "bad_request" and message in data["message"]


@pytest.mark.parametrize("query", ['"AND (*', "*", "가" * 5000, "ㅊ", ""])
def test_api_search_hostile_queries(client, query):
    response = client.get("/api/search", query_string={"q": query})
    assert response.status_code == 200 and "results" in response.get_json()


def test_reindex_then_search_does_not_rebuild_again(runner, db_path, caplog):
    import logging

    assert runner.invoke(main, ["--db", str(db_path), "reindex"]).exit_code == 0
    search.close_all()
    with caplog.at_level(logging.WARNING, logger="directory.search"):
        result = runner.invoke(main, ["--db", str(db_path), "search", "치매", "--json"])
    assert result.exit_code == 0 and json.loads(result.output)
    assert "다시 만듭니다" not in caplog.text and "새로 만듭니다" not in caplog.text
