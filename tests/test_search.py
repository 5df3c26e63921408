"""Directory search on the real demo data: each matching rule, place, filters, odd input, sync."""
from __future__ import annotations

import logging
import shutil
import time

import pytest

from directory import search
from directory.store import connect, get_complex


@pytest.fixture(scope="session")
def indexed_demo_path(demo_db_path, tmp_path_factory):
    """The demo store with its search index built once (copy both before writing)."""
    path = tmp_path_factory.mktemp("searchdemo") / "demo.db"
    shutil.copy(demo_db_path, path)
    db = connect(path)
    search.index_agencies(db)
    search.close_all()
    db.conn.close()
    return path


@pytest.fixture
def sdb(indexed_demo_path, tmp_path):
    """A private copy of the indexed demo store."""
    path = tmp_path / "demo.db"
    shutil.copy(indexed_demo_path, path)
    shutil.copytree(indexed_demo_path.with_name("demo.db.whoosh"), tmp_path / "demo.db.whoosh")
    db = connect(path)
    yield db
    search.close_all()
    db.conn.close()


def names(results):
    return [r["name"] for r in results]


def point_of(db, complex_name):
    c = get_complex(db, complex_name)
    return (c["lat"], c["lon"])


# --- Korean matching ---------------------------------------------------------


@pytest.mark.parametrize("query", ["치매", "안심센터", "강화군치매", "화군치매안"])
def test_part_of_a_compound_name_finds_it(sdb, query):
    results, total = search.search(sdb, query, limit=200)
    assert "강화군치매안심센터" in names(results)


def test_the_standard_analyzer_word_is_not_needed_for_substrings(sdb):
    results, _ = search.search(sdb, "강화군치매", limit=5)
    assert names(results)[0] == "강화군치매안심센터"


@pytest.mark.parametrize("alias, agency_type", [
    ("정신보건센터", "정신건강복지센터"),
    ("정신건강증진센터", "정신건강복지센터"),
    ("주민센터", "행정복지센터"),
    ("동사무소", "행정복지센터"),
    ("노인일자리", "시니어클럽"),
    ("치매지원센터", "치매안심센터"),
])
def test_aliases_and_old_names_find_the_type(sdb, alias, agency_type):
    results, total = search.search(sdb, alias, limit=5)
    assert total > 0
    assert results[0]["type"] == agency_type


def test_old_name_with_a_place_finds_the_local_centre(sdb):
    results, _ = search.search(sdb, "노원구 정신보건센터", limit=3)
    assert names(results)[0] == "노원구정신건강복지센터"


def test_an_alias_an_administrator_adds_is_used_at_once(sdb):
    assert search.search(sdb, "마음든든센터")[1] == 0
    with sdb.conn:
        sdb.execute("INSERT INTO type_aliases (alias, type) VALUES ('마음든든센터', '정신건강복지센터')")
    results, total = search.search(sdb, "마음든든센터", limit=3)
    assert total > 100 and {r["type"] for r in results} == {"정신건강복지센터"}


@pytest.mark.parametrize("query, expected", [
    ("ㅊㅁㅇㅅㅅㅌ", "치매안심센터"),
    ("ㅈㅅㄱㄱㅂㅈㅅㅌ", "정신건강복지센터"),
    ("ㅅㄴㅇㅋㄹ", "시니어클럽"),
])
def test_initial_consonants_find_the_name(sdb, query, expected):
    results, total = search.search(sdb, query, limit=5)
    assert total > 0 and all(expected in r["name"] for r in results)


def test_initial_consonants_of_part_of_a_name(sdb):
    results, _ = search.search(sdb, "ㄱㅎㄱㅊㅁ", limit=3)
    assert names(results)[0] == "강화군치매안심센터"


@pytest.mark.parametrize("query, expected", [
    ("치매안싱센터", "치매안심센터"),
    ("강화군치매안심샌터", "강화군치매안심센터"),
    ("정신건겅복지센터", "정신건강복지센터"),
    ("중독관리통합지윈센터", "중독관리통합지원센터"),
])
def test_one_wrong_syllable_still_finds_it(sdb, query, expected):
    results, total = search.search(sdb, query, limit=5)
    assert total > 0 and expected in results[0]["name"]


def test_a_name_misspelt_in_the_data_is_found_as_typed_and_as_meant(sdb):
    # The real list spells one centre 증평군치매안신셈터.
    assert names(search.search(sdb, "치매안신셈터", limit=1)[0]) == ["증평군치매안신셈터"]
    assert "증평군치매안신셈터" in names(search.search(sdb, "증평 치매안심센터", limit=3)[0])


def test_a_typo_beside_a_right_word(sdb):
    results, _ = search.search(sdb, "강화군 치매안신센터", limit=3)
    assert names(results)[0] == "강화군치매안심센터"


@pytest.mark.parametrize("word, types", [
    ("술", {"중독관리통합지원센터", "정신건강복지센터"}),
    ("알코올", {"중독관리통합지원센터", "정신건강복지센터"}),
    ("중독", {"중독관리통합지원센터", "정신건강복지센터"}),
    ("치매", {"치매안심센터"}),
    ("기억력", {"치매안심센터"}),
    ("일자리", {"시니어클럽", "고용센터", "지역자활센터"}),
])
def test_needs_words_find_the_agency_types(sdb, word, types):
    results, _ = search.search(sdb, word, limit=200)
    found = {r["type"] for r in results}
    assert types <= found


def test_needs_words_rank_the_first_listed_type_first(sdb):
    results, _ = search.search(sdb, "담배", limit=1)
    assert results[0]["type"] == "금연지원센터"


def test_joined_needs_words(sdb):
    results, _ = search.search(sdb, "알코올중독", limit=5)
    assert {r["type"] for r in results} <= {"중독관리통합지원센터", "정신건강복지센터"}


# --- place, filters, sorting ---------------------------------------------------


def test_near_songpa_the_songpa_dementia_centre_comes_first(sdb):
    results, _ = search.search(sdb, "치매", near=point_of(sdb, "C"))
    assert results[0]["name"] == "서울특별시송파구치매안심센터"
    assert results[0]["distance_km"] < 3


def test_radius_keeps_only_near_agencies_and_counts_them(sdb):
    here = point_of(sdb, "C")
    results, total = search.search(sdb, "치매", near=here, radius_km=10, limit=50)
    assert 0 < total == len(results) < 20
    assert all(r["distance_km"] <= 10 for r in results)
    assert "서울특별시송파구치매안심센터" in names(results)


def test_sort_by_distance(sdb):
    results, _ = search.search(sdb, "정신건강", near=point_of(sdb, "A"), sort="distance", limit=10)
    distances = [r["distance_km"] for r in results]
    assert distances == sorted(distances)
    assert results[0]["name"] == "노원구정신건강복지센터"


def test_empty_query_with_a_place_lists_the_nearest(sdb):
    results, total = search.search(sdb, "", near=point_of(sdb, "C"), radius_km=5, limit=200)
    distances = [r["distance_km"] for r in results]
    assert results and distances == sorted(distances) and distances[-1] <= 5
    assert total == len(results) > 20


def test_distances_are_geodesic(sdb):
    from geopy.distance import geodesic

    here = (37.5, 127.0)
    results, _ = search.search(sdb, "치매", near=here, limit=3)
    for r in results:
        assert r["distance_km"] == pytest.approx(geodesic(here, (r["lat"], r["lon"])).km, abs=0.001)


def test_approximately_placed_agencies_say_so(sdb):
    target = sdb.execute("SELECT id FROM agencies WHERE name = '노원구치매안심센터'").fetchone()[0]
    with sdb.conn:
        sdb.execute("UPDATE agencies SET placement = 'sigungu' WHERE id = ?", [target])
    results, _ = search.search(sdb, "치매", near=point_of(sdb, "A"), limit=3)
    row = next(r for r in results if r["id"] == target)
    assert row["approximate"] and "대략" in row["placement_note"]


def test_unplaced_agencies_come_last_by_distance(sdb):
    results, _ = search.search(sdb, "정신건강복지센터", near=point_of(sdb, "A"), sort="distance", limit=200)
    placed = [r["distance_km"] is not None for r in results]
    assert placed == sorted(placed, reverse=True)


@pytest.mark.parametrize("filters, check", [
    ({"category": "보건의료"}, lambda r: r["category"] == "보건의료"),
    ({"agency_type": "치매안심센터"}, lambda r: r["type"] == "치매안심센터"),
    ({"agency_type": "정신보건센터"}, lambda r: r["type"] == "정신건강복지센터"),
    ({"sido": "서울"}, lambda r: r["sido"] == "서울특별시"),
    ({"sido": "서울특별시", "sigungu": "노원구"}, lambda r: r["sigungu"] == "노원구"),
    ({"target": "노인"}, lambda r: "노인" in (r["target_groups"] or "")),
])
def test_filters(sdb, filters, check):
    results, total = search.search(sdb, "센터", limit=200, **filters)
    assert results and all(check(r) for r in results)


def test_filters_without_words_list_agencies(sdb):
    results, total = search.search(sdb, "", sido="서울", agency_type="치매안심센터", limit=100)
    expected = sdb.execute(
        "SELECT count(*) FROM agencies WHERE sido = '서울특별시' AND type = '치매안심센터'").fetchone()[0]
    assert total == expected == len(results) > 20
    assert all(r["sido"] == "서울특별시" for r in results)


def test_resolve_place_by_complex_address_and_region(sdb):
    assert search.resolve_place(sdb, complex_key="C")["label"] == "C"
    place = search.resolve_place(sdb, address="서울특별시 송파구 충민로 184")
    assert place["lat"] == pytest.approx(37.4858, abs=0.01)
    place = search.resolve_place(sdb, address="강화군")
    assert place["approximate"] and 37.6 < place["lat"] < 37.8
    assert search.resolve_place(sdb) is None


@pytest.mark.parametrize("kwargs, message", [
    ({"near": "abc"}, "위도,경도"),
    ({"near": (0, 0)}, "한국 밖"),
    ({"near": (37.5, 127.0), "radius_km": -1}, "반경"),
    ({"near": (37.5, 127.0), "radius_km": "x"}, "반경"),
    ({"radius_km": 3}, "위치"),
    ({"sort": "random"}, "정렬"),
    ({"sort": "distance"}, "위치"),
    ({"limit": 0}, "개수"),
    ({"limit": "many"}, "개수"),
])
def test_bad_parameters_raise_a_clear_search_error(sdb, kwargs, message):
    with pytest.raises(search.SearchError, match=message):
        search.search(sdb, "치매", **kwargs)


def test_unknown_complex_or_address_is_a_search_error(sdb):
    with pytest.raises(search.SearchError):
        search.resolve_place(sdb, complex_key="없는 단지")
    with pytest.raises(search.SearchError):
        search.resolve_place(sdb, address="아무데도없는곳")


# --- empty, odd and hostile queries --------------------------------------------


@pytest.mark.parametrize("query", [
    "", "   ", "!!!", "???...,,,", "AND", "OR NOT", "*", "치매*", '"치매', '"정신" AND (술',
    "((((", "))", "name:치매", "치매^10", "[a TO z]", "~2", "\\", "치매 AND", "%_", "'; DROP TABLE agencies; --",
    "가" * 5000, "치매 " * 2500, "ㅊ" * 5000, "🙂🙂", "\x00\x01",
])
def test_odd_and_hostile_queries_answer_quickly_without_error(sdb, query):
    start = time.perf_counter()
    results, total = search.search(sdb, query, limit=5)
    assert time.perf_counter() - start < 2.0
    assert isinstance(total, int) and len(results) <= 5
    search.search(sdb, query, near=(37.5, 127.0), radius_km=3, limit=5)


def test_query_words_ignore_syntax():
    assert search.query_words('"치매" AND (송파*') == ["치매", "and", "송파"]
    assert search.query_words("ㅊㅁㅇㅅㅅㅌ") == ["ㅊㅁㅇㅅㅅㅌ"]
    assert len(search.query_words("가 " * 1000)) == search.MAX_WORDS


# --- keeping the index in step with the store -------------------------------------


def _add_agency(db, name, **extra):
    with db.conn:
        cur = db.execute(
            "INSERT INTO agencies (name, name_key, type, category, sido, sigungu, lat, lon, placement, updated_at) "
            "VALUES (?, ?, ?, ?, '서울특별시', '송파구', 37.49, 127.12, 'exact', '2026-01-01')",
            [name, name.replace(" ", ""), extra.get("type", "사회복지관"), extra.get("category", "복지기관")])
    return cur.lastrowid


def test_new_edited_and_deleted_agencies_are_searchable_at_once(sdb):
    search.search(sdb, "치매")  # index open
    new_id = _add_agency(sdb, "가락솔향기누리복지관")
    assert names(search.search(sdb, "솔향기누리")[0]) == ["가락솔향기누리복지관"]
    with sdb.conn:
        sdb.execute("UPDATE agencies SET name = '가락은하별복지관', name_key = '가락은하별복지관' WHERE id = ?",
                    [new_id])
    assert new_id not in [r["id"] for r in search.search(sdb, "솔향기누리")[0]]
    assert names(search.search(sdb, "은하별")[0]) == ["가락은하별복지관"]
    with sdb.conn:
        sdb.execute("DELETE FROM agencies WHERE id = ?", [new_id])
    assert new_id not in [r["id"] for r in search.search(sdb, "은하별")[0]]


def test_changes_from_another_connection_are_seen(sdb, tmp_path):
    search.search(sdb, "치매")
    other = connect(tmp_path / "demo.db")
    _add_agency(other, "오금무지개다리복지관")
    other.conn.close()
    assert names(search.search(sdb, "무지개다리")[0]) == ["오금무지개다리복지관"]


def test_a_missing_index_is_rebuilt_with_a_logged_warning(sdb, tmp_path, caplog):
    search.close_all()
    shutil.rmtree(tmp_path / "demo.db.whoosh")
    with caplog.at_level(logging.WARNING, logger="directory.search"):
        results, _ = search.search(sdb, "강화군치매")
    assert names(results)[0] == "강화군치매안심센터"
    assert "색인" in caplog.text


@pytest.mark.parametrize("damage", ["garbage", "empty", "meta", "toc"])
def test_a_corrupt_index_is_rebuilt_not_a_crash(sdb, tmp_path, caplog, damage):
    search.close_all()
    folder = tmp_path / "demo.db.whoosh"
    for f in folder.iterdir():
        if damage == "garbage" and f.suffix in (".seg", ".toc"):
            f.write_bytes(b"\x00garbage" * 50)
        elif damage == "empty" and f.is_file():
            f.write_bytes(b"")
        elif damage == "meta" and f.name == search.META_FILE:
            f.write_text("{not json", encoding="utf-8")
        elif damage == "toc" and f.suffix == ".toc":
            f.unlink()
    with caplog.at_level(logging.WARNING, logger="directory.search"):
        results, _ = search.search(sdb, "강화군치매")
    assert names(results)[0] == "강화군치매안심센터"


def test_an_index_of_another_store_is_not_used(sdb, tmp_path, db):
    # A different store at the same place (the file replaced): its own index is built.
    search.search(sdb, "치매")
    search.close_all()
    sdb.conn.close()
    (tmp_path / "demo.db").unlink()
    fresh = connect(tmp_path / "demo.db")
    try:
        assert search.search(fresh, "치매") == ([], 0)
    finally:
        search.close_all()
        fresh.conn.close()


def test_index_agencies_and_remove(sdb):
    assert search.index_agencies(sdb) == sdb.execute("SELECT count(*) FROM agencies").fetchone()[0]
    target = sdb.execute("SELECT id FROM agencies WHERE name = '강화군치매안심센터'").fetchone()[0]
    search.remove(sdb, [target])
    assert "강화군치매안심센터" not in names(search.search(sdb, "강화군치매")[0])
    search.index_agencies(sdb, [target])
    assert names(search.search(sdb, "강화군치매")[0])[0] == "강화군치매안심센터"


def test_an_in_memory_store_is_searchable():
    db = connect(":memory:")
    try:
        _add_agency(db, "잠실행복복지관")
        assert names(search.search(db, "행복")[0]) == ["잠실행복복지관"]
    finally:
        search.close_all()
        db.conn.close()


def test_chosung():
    assert search.chosung("치매안심센터") == "ㅊㅁㅇㅅㅅㅌ"
    assert search.chosung("A동 1") == "ㄷ"


def test_postings_read_by_block_equal_whoosh_all_ids(sdb):
    import numpy as np

    from directory import search_index

    search.search(sdb, "치매")
    entry = search_index.open_index(sdb)
    with search_index.snapshot(sdb, entry) as snap:
        for field, term in [("name", "센터"), ("name", "치매"), ("text", "서울"), ("type", "행정복지센터"),
                            ("chosung", "ㅊㅁ")]:
            expected = []
            for leaf, offset in snap.reader.leaf_readers():
                if (field, term) in leaf:
                    expected += [offset + i for i in leaf.postings(field, term).all_ids()]
            assert len(expected) > 0
            assert np.array_equal(snap.postings(field, term), np.array(expected))


def test_a_search_holds_its_snapshot_while_the_index_changes(sdb):
    from directory import search_index

    search.search(sdb, "치매")
    entry = search_index.open_index(sdb)
    with search_index.snapshot(sdb, entry) as old:
        _add_agency(sdb, "가락해오름들꽃복지관")
        assert names(search.search(sdb, "해오름들꽃")[0]) == ["가락해오름들꽃복지관"]  # a newer snapshot
        assert not old.retired or old.users == 1
        assert len(old.postings("name", "치매")) > 0  # still readable
    assert old.retired


def test_sort_by_name(sdb):
    results, total = search.search(sdb, "정신건강복지센터", sido="서울", sort="name", limit=50)
    keys = [r["name_key"] for r in results]
    assert total > 20 and keys == sorted(keys)
    listed, _ = search.search(sdb, "", agency_type="치매안심센터", sort="name", limit=10)
    assert [r["name_key"] for r in listed] == sorted(r["name_key"] for r in listed)


def test_a_rebuild_by_another_process_is_picked_up(sdb, tmp_path):
    from directory import search_index

    search.search(sdb, "치매")
    before = search_index._OPEN[str(tmp_path / "demo.db.whoosh")].build
    # Another process (simulated: its own cache) reindexes the same store.
    saved = dict(search_index._OPEN)
    search_index._OPEN.clear()
    search.index_agencies(sdb)
    search_index.close_all()
    search_index._OPEN.update(saved)
    results, _ = search.search(sdb, "강화군치매")
    assert names(results)[0] == "강화군치매안심센터"
    assert search_index._OPEN[str(tmp_path / "demo.db.whoosh")].build != before


def test_a_building_named_in_an_address_is_not_the_agency():
    # 중앙노인보호전문기관 is housed in 한국가정법률상담소's building: 법률 must not find it by its address.
    from directory.search_index import _address_text

    road = "서울특별시 영등포구 국회대로 76가길 14 4층(여의도동, 한국가정법률상담소)"
    assert _address_text(road) == "서울특별시 영등포구 국회대로 76가길 14 4층 여의도동"
    assert _address_text("서울특별시 강서구 공항대로 561 (등촌동)") == "서울특별시 강서구 공항대로 561 등촌동"
    assert _address_text(None) is None


def test_a_need_word_lists_its_kinds_in_turn_without_a_place(sdb):
    results, _ = search.search(sdb, "일자리", limit=6)
    assert {"시니어클럽", "고용센터", "지역자활센터"} <= {r["type"] for r in results}
