"""The search index is never built inside a request (issue 10 item 5).

A web app that may not wait (``SEARCH_INDEX_WAIT`` false, as in service)
answers every search while the index is missing, damaged or far behind: from
the last good index, or from the plain SQL search with a note, while one
background thread per store builds. Small stores keep these tests fast.
"""
from __future__ import annotations

import time

import pytest

from directory import search, search_index
from directory.store import connect

WORDS = ["행복", "나눔", "희망", "사랑", "푸른", "새봄", "늘빛", "다온"]


def _add(db, names):
    with db.conn:
        db.conn.executemany(
            "INSERT INTO agencies (name, name_key, type, category, sido, sigungu, road_address, lat, lon, "
            "placement, updated_at) VALUES (?, ?, '사회복지관', '복지기관', '서울특별시', '송파구', "
            "'서울특별시 송파구 오금로 1', ?, 127.12, 'exact', '2026-01-01')",
            [(n, n, 37.49 + i / 1000) for i, n in enumerate(names)])


@pytest.fixture
def store(tmp_path):
    """A store of 40 agencies with its index built."""
    path = tmp_path / "small.db"
    db = connect(path)
    _add(db, [f"송파{w}{i}복지관" for i in range(5) for w in WORDS])
    search.index_agencies(db)
    search.close_all()
    db.conn.close()
    yield path
    search.close_all()


@pytest.fixture
def client(store):
    from web import create_app

    app = create_app({"TESTING": True, "DATABASE": str(store), "SECRET_KEY": "test", "PAGE_CACHE_SECONDS": 0,
                      "SEARCH_INDEX_WAIT": False})
    return app.test_client()


def _api(client, q):
    response = client.get("/api/search", query_string={"q": q, "limit": "50"})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()


def _wait_for_index(path, timeout=60):
    db = connect(path)
    try:
        assert search.wait_for_refresh(db, timeout), "the background rebuild did not finish"
    finally:
        db.conn.close()


def test_deleting_the_toc_while_serving_never_answers_500_and_the_index_comes_back(client, store):
    assert _api(client, "행복")["fallback"] is False
    folder = store.with_name("small.db.whoosh")
    tocs = [f for f in folder.iterdir() if f.suffix == ".toc"]
    assert tocs
    for f in tocs:
        f.unlink()
    for q in ("행복", "나눔", "ㅎㅂ", "송파 희망"):
        data = _api(client, q)
        assert data["total"] == 5, (q, data)
        assert len(client.get("/search", query_string={"q": q}).get_data(as_text=True)) > 0
    page = client.get("/search", query_string={"q": "사랑"})
    assert page.status_code == 200
    _wait_for_index(store)
    data = _api(client, "행복")
    assert data["fallback"] is False and data["note"] is None and data["total"] == 5
    assert any(f.suffix == ".toc" for f in folder.iterdir())


def test_while_the_index_is_missing_searches_answer_from_sql_with_a_note(client, store, monkeypatch):
    import shutil

    shutil.rmtree(store.with_name("small.db.whoosh"))
    # Hold the background build until the requests have been answered.
    gate = __import__("threading").Event()
    real_build = search_index._build
    monkeypatch.setattr(search_index, "_build", lambda *a, **k: (gate.wait(30), real_build(*a, **k))[1])
    try:
        data = _api(client, "희망")
        assert data["fallback"] is True and "색인 준비 중" in data["note"] and data["total"] == 5
        assert {r["name"] for r in data["results"]} == {f"송파희망{i}복지관" for i in range(5)}
        near = client.get("/api/search", query_string={"q": "복지관", "near": "37.49,127.12", "limit": "3"}).get_json()
        assert near["fallback"] and [r["name"] for r in near["results"]][0] == "송파행복0복지관"
        assert near["results"][0]["distance_km"] < near["results"][-1]["distance_km"]
        html = client.get("/search", query_string={"q": "희망"}).get_data(as_text=True)
        assert "검색 색인 준비 중 — 간단 검색 결과입니다" in html and "송파희망0복지관" in html
    finally:
        gate.set()
    _wait_for_index(store)
    assert _api(client, "희망")["fallback"] is False


def test_a_backlog_over_the_threshold_is_rebuilt_in_the_background_not_in_the_request(client, store, monkeypatch):
    monkeypatch.setattr(search_index, "REBUILD_CHANGES", 10)
    monkeypatch.setattr(search_index, "INLINE_CHANGES", 5)
    assert _api(client, "행복")["fallback"] is False  # the index is open
    other = connect(store)
    _add(other, [f"가락새길{i}센터" for i in range(30)])  # 30 changes: past both limits
    other.conn.close()
    gate = __import__("threading").Event()
    real_build = search_index._build
    monkeypatch.setattr(search_index, "_build", lambda *a, **k: (gate.wait(30), real_build(*a, **k))[1])
    try:
        # The outdated index answers until the background refresh has read the
        # plain table; from then on the plain search does, with today's data.
        deadline = time.perf_counter() + 20
        while True:
            started = time.perf_counter()
            data = _api(client, "새길")
            assert time.perf_counter() - started < 2
            if data["fallback"] or time.perf_counter() > deadline:
                break
            time.sleep(0.05)
        assert data["fallback"] is True and data["total"] == 30
        db = connect(store)
        try:
            assert search.refreshing(db)
        finally:
            db.conn.close()
    finally:
        gate.set()
    _wait_for_index(store)
    data = _api(client, "새길")
    assert data["fallback"] is False and data["total"] == 30


def test_a_small_backlog_is_indexed_in_the_request_and_a_middling_one_in_the_background(client, store,
                                                                                    monkeypatch):
    monkeypatch.setattr(search_index, "INLINE_CHANGES", 5)
    assert _api(client, "행복")["total"] == 5
    other = connect(store)
    _add(other, ["가락다솜센터"])
    data = _api(client, "다솜")
    assert data["fallback"] is False and data["total"] == 1
    _add(other, [f"가락해솔{i}센터" for i in range(8)])  # more than a request indexes itself
    other.conn.close()
    first = _api(client, "해솔")
    assert first["fallback"] is False  # the last good index answers meanwhile
    _wait_for_index(store)
    assert _api(client, "해솔")["total"] == 8


def test_a_foreign_index_is_replaced_in_the_background(client, store, tmp_path):
    import shutil

    other_path = tmp_path / "other.db"
    other = connect(other_path)
    _add(other, ["다른곳복지관"])
    search.index_agencies(other)
    search.close_all()
    other.conn.close()
    shutil.rmtree(store.with_name("small.db.whoosh"))
    shutil.copytree(tmp_path / "other.db.whoosh", store.with_name("small.db.whoosh"))
    data = _api(client, "복지관")
    assert data["total"] == 40 and data["fallback"] is True
    _wait_for_index(store)
    data = _api(client, "복지관")
    assert data["total"] == 40 and data["fallback"] is False


def test_the_plain_search_keeps_filters_radius_and_sorts(store):
    db = connect(store)
    try:
        vocab = search._vocabulary(db)
        ranked, total = search._fallback(db, ["복지관"], vocab, (37.49, 127.12), 1.5, {"sigungu": "송파구"},
                                         None, "distance", 50)
        assert total == len(ranked) == 14  # 37.490 … 37.503: within 1.5 km of the point
        rows = search._rows(db, ranked, (37.49, 127.12), by_distance=True)
        assert all(r["distance_km"] <= 1.5 for r in rows)
        ranked, total = search._fallback(db, ["ㅅㅍㅎㅂ"], vocab, None, None, {}, None, "relevance", 3)
        assert total == 5 and len(ranked) == 3
        ranked, total = search._fallback(db, ["없는말"], vocab, None, None, {}, None, "relevance", 3)
        assert (ranked, total) == ([], 0)
        ranked, total = search._fallback(db, ["100%"], vocab, None, None, {}, None, "relevance", 3)
        assert total == 0  # LIKE wildcards in the words are plain characters
    finally:
        db.conn.close()


def test_the_cli_still_builds_a_missing_index_itself(store, runner):
    import shutil

    from cli import main

    shutil.rmtree(store.with_name("small.db.whoosh"))
    result = runner.invoke(main, ["--db", str(store), "search", "ㅅㅍㄴㄴ", "--json"])
    assert result.exit_code == 0, result.output
    assert "송파나눔0복지관" in result.output
    assert store.with_name("small.db.whoosh").is_dir()


@pytest.mark.parametrize("words, place, radius, filters, sort", [
    (["복지관"], None, None, {}, "relevance"),
    (["ㅅㅍㅎㅂ"], None, None, {}, "relevance"),
    (["송파", "희망"], None, None, {"sido": "서울특별시"}, "relevance"),
    (["나눔", "없는말"], None, None, {}, "relevance"),  # nothing has both: any word
    (["복지관"], (37.49, 127.12), 1.5, {}, "distance"),
    ([], (37.50, 127.12), None, {}, "relevance"),
    (["복지관"], None, None, {}, "name"),
])
def test_the_plain_search_in_memory_answers_as_the_sql_one(store, words, place, radius, filters, sort):
    db = connect(store)
    try:
        vocab = search._vocabulary(db)
        args = (words, vocab, place, radius, filters, None, sort, 10)
        assert search._plain_table(db) is None
        in_sql = search._fallback(db, *args)
        search.warm_plain_search(db)
        in_memory = search._fallback(db, *args)
        assert in_memory[1] == in_sql[1] > 0
        assert [i for i, _ in in_memory[0]] == [i for i, _ in in_sql[0]]
        _add(db, ["송파희망새동산"])  # a change is patched into the table
        assert search._fallback(db, ["새동산"], vocab, None, None, {}, None, "relevance", 10)[1] == 1
    finally:
        search.drop_plain_search(str(store) + ".whoosh")
        db.conn.close()


def test_a_large_store_is_rebuilt_by_a_child_process(client, store, monkeypatch):
    import shutil

    monkeypatch.setattr(search_index, "CHILD_BUILD_AGENCIES", 0)  # this small store counts as large
    monkeypatch.setattr(search_index, "_build", lambda *a, **k: pytest.fail("built in the server process"))
    shutil.rmtree(store.with_name("small.db.whoosh"))
    assert _api(client, "늘빛")["fallback"] is True
    _wait_for_index(store)
    data = _api(client, "늘빛")
    assert data["fallback"] is False and data["total"] == 5


def test_ensure_index_builds_a_missing_index_updates_changes_and_leaves_a_current_one(store):
    import shutil

    shutil.rmtree(store.with_name("small.db.whoosh"))
    db = connect(store)
    try:
        totals, counted = [], []
        assert search_index.ensure_index(db, progress=counted.append, on_total=totals.append) == "built"
        assert totals == [40] and store.with_name("small.db.whoosh").is_dir()
        assert search_index.ensure_index(db) == "current"
        _add(db, ["송파새길복지관", "송파새터복지관"])
        totals.clear()
        assert search_index.ensure_index(db, on_total=totals.append) == "updated"
        assert totals == [2]
        found = search.search(db, "새길", wait=False)
        assert found[1] == 1 and not found.fallback  # answered from the index
        search.close_all()
        assert search_index.ensure_index(db) == "current"  # the index on disk is found current
        with db.conn:  # the change log is lost (a table rebuilt): only a full build can be trusted
            db.execute("DROP TRIGGER agencies_search_update")
        assert search_index.ensure_index(db) == "built"
    finally:
        db.conn.close()


def test_a_damaged_index_is_rebuilt_by_ensure_index(store):
    db = connect(store)
    try:
        _add(db, ["송파새길복지관"])
        for f in store.with_name("small.db.whoosh").glob("*.toc"):
            f.unlink()
        assert search_index.ensure_index(db) == "built"
        assert search.search(db, "새길", wait=False).fallback is False
    finally:
        db.conn.close()


def test_folders_of_killed_builds_are_cleaned_at_the_next_build_but_not_under_a_live_one(store):
    import threading

    folder = store.with_name("small.db.whoosh")
    killed = [store.with_name("small.db.whoosh.tmp-99999-1"), store.with_name("small.db.whoosh.old-99999-1")]
    for k in killed:
        k.mkdir()
        (k / "_MAIN_1.toc").write_bytes(b"half")
    live = store.with_name("small.db.whoosh.tmp-live")
    db = connect(store)
    try:
        built = threading.Event()
        with search_index._store_lock(folder):  # a build is under way: its folder must stay
            live.mkdir()

            def build():
                search_index.index_agencies(connect(store))
                built.set()

            thread = threading.Thread(target=build)
            thread.start()
            time.sleep(0.5)
            assert not built.is_set() and live.is_dir() and all(k.is_dir() for k in killed)
            # the live build is killed before it can clean up after itself
        thread.join(30)
        assert built.is_set()
        assert not live.exists() and not any(k.exists() for k in killed)
        assert folder.is_dir() and search.search(db, "행복", wait=False)[1] == 5
    finally:
        db.conn.close()


def test_demo_and_import_leave_the_index_ready(tmp_path, runner):
    from cli import main

    path = tmp_path / "cli.db"
    listing = tmp_path / "list.csv"
    listing.write_text("기관명,기관구분,도로명주소,위도,경도,전화번호\n"
                       "송파새길복지관,사회복지관,서울특별시 송파구 오금로 1,37.49,127.12,02-400-0000\n",
                       encoding="utf-8")
    result = runner.invoke(main, ["--db", str(path), "import", str(listing)])
    assert result.exit_code == 0, result.output
    assert "검색 색인: 새로 만듦" in result.output
    db = connect(path)
    try:
        assert not search.index_needs_build(db)
        assert search.search(db, "새길", wait=False)[1] == 1
    finally:
        db.conn.close()
        search.close_all()
    listing.write_text(listing.read_text(encoding="utf-8") +
                       "송파새터복지관,사회복지관,서울특별시 송파구 오금로 2,37.50,127.12,02-400-0001\n", encoding="utf-8")
    result = runner.invoke(main, ["--db", str(path), "import", str(listing), "--json"])
    assert result.exit_code == 0, result.output
    db = connect(path)
    try:
        assert search_index.ensure_index(db) == "current"  # the import brought the index up to date
        assert search.search(db, "새터", wait=False)[1] == 1
    finally:
        db.conn.close()
