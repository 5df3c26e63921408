"""Hostile input gets a 400, not a 500: nested JSON, huge integers, bad dates and URLs; the Host header is not echoed."""
from __future__ import annotations

import errno
import json
import sqlite3
from datetime import date, timedelta

import pytest

from directory import editing
from directory.normalize import normalize_homepage
from network.contacts import ContactError, add_contact
from web.security import json_too_deep

HUGE = "9" * 40


# --- JSON depth -----------------------------------------------------------------


@pytest.mark.parametrize("depth", [21, 1000, 100_000])
def test_deeply_nested_json_to_corrections_is_400(client, depth):
    body = '{"message": ' + "[" * depth + "]" * depth + "}"
    response = client.post("/api/agencies/1/corrections", data=body, content_type="application/json")
    assert response.status_code == 400
    data = response.get_json()
    assert data["status"] == 400 and "중첩" in data["message"]


def test_ordinary_json_still_works(client):
    response = client.post("/api/agencies/1/corrections", json={"message": "전화번호가 바뀌었습니다 [[{{"})
    assert response.status_code == 201


@pytest.mark.parametrize("text, limit, deep", [
    ('{"a": [1, {"b": 2}]}', 3, False),
    ('{"a": [1, {"b": 2}]}', 2, True),
    ('{"a": "[[[[[[[[[["}', 1, False),  # brackets inside a string do not nest
    (r'{"a": "x\" [[[[ \\", "b": 1}', 1, False),  # nor do those after an escaped quote
    ("[" * 25, 20, True),  # unbalanced: refused before the parser sees it
])
def test_json_depth_is_read_without_parsing(text, limit, deep):
    assert json_too_deep(text, limit) is deep


# --- integer bounds ---------------------------------------------------------------


@pytest.mark.parametrize("url", [f"/agencies/?page={HUGE}", f"/search?page={HUGE}", f"/api/agencies?offset={HUGE}",
                                 f"/api/search?page={HUGE}", f"/agencies/?page=-{HUGE}"])
def test_huge_integer_parameters_are_400(client, url):
    response = client.get(url)
    assert response.status_code == 400, url


def test_ordinary_pages_and_long_number_searches_still_work(client):
    assert client.get("/agencies/?page=2").status_code == 200
    assert client.get(f"/search?q={HUGE}").status_code == 200  # free text may be a long number


# --- canonical host -------------------------------------------------------------


def test_openapi_does_not_echo_the_host_header(client):
    doc = client.get("/api/openapi.json", headers={"Host": "evil.example"}).get_json()
    assert doc["servers"] == [{"url": "/"}]
    assert "evil.example" not in json.dumps(doc)


def test_openapi_names_the_configured_public_url(demo_db_path, tmp_path, monkeypatch):
    import shutil

    from web import create_app

    path = tmp_path / "app.db"
    shutil.copy(demo_db_path, path)
    monkeypatch.setenv("YEONGYE_PUBLIC_URL", "https://yeongye.example.kr/")
    app = create_app({"TESTING": True, "DATABASE": str(path), "SECRET_KEY": "test"})
    doc = app.test_client().get("/api/openapi.json", headers={"Host": "evil.example"}).get_json()
    assert doc["servers"] == [{"url": "https://yeongye.example.kr"}]


# --- dates and home pages --------------------------------------------------------


@pytest.mark.parametrize("value", ["2024-13-45", "2024-02-30", "0000-01-01", "24-1-1",
                                   (date.today() + timedelta(days=3)).isoformat()])
def test_verified_date_must_be_a_real_past_day(store, value):
    with pytest.raises(editing.EditError, match="확인일"):
        editing.update_agency(store, 1, {"verified_date": value})


def test_verified_date_real_day_is_kept(store):
    assert editing.update_agency(store, 1, {"verified_date": "2024-02-29"})["verified_date"] == "2024-02-29"


@pytest.mark.parametrize("value, message", [
    ("0001-01-01", "1950"), ("1949-12-31", "1950"), ((date.today() + timedelta(days=2)).isoformat(), "미래"),
    ("2024-13-45", "형식"),
])
def test_contact_date_from_1950_to_tomorrow(store, value, message):
    link_id = store.execute("SELECT id FROM links LIMIT 1").fetchone()[0]
    with pytest.raises(ContactError, match=message):
        add_contact(store, link_id, value)


def test_contact_dated_tomorrow_and_1950_are_accepted(store):
    link_id = store.execute("SELECT id FROM links LIMIT 1").fetchone()[0]
    for day in ((date.today() + timedelta(days=1)).isoformat(), "1950-01-01"):
        assert add_contact(store, link_id, day)["contact_date"] == day


def test_contact_api_refuses_year_one(client, store):
    from directory import accounts

    accounts.create_user(store, "admin1", "password-123", "admin")
    token = accounts.issue_token(store, accounts.find_user(store, "admin1").id)
    link_id = store.execute("SELECT id FROM links LIMIT 1").fetchone()[0]
    response = client.post(f"/api/links/{link_id}/contacts", headers={"Authorization": f"Bearer {token}"},
                           json={"contact_date": "0001-01-01"})
    assert response.status_code == 400 and "1950" in response.get_json()["message"]


@pytest.mark.parametrize("value, expected", [
    ("www.gnmind.com", "http://www.gnmind.com"),
    ("https://example.or.kr/센터", "https://example.or.kr/센터"),
    ("HTTP://Example.kr", "http://Example.kr"),
    ("www.x.kr:8080/a", "http://www.x.kr:8080/a"),
    ("javascript:alert(1)", None),
    ("JavaScript:alert(document.cookie)", None),
    ("java\tscript:alert(1)", None),
    ("data:text/html,<script>alert(1)</script>", None),
    ("vbscript:msgbox(1)", None),
    ("mailto:a@b.kr", None),
    ("ftp://files.example.kr", None),
    ("없음", None),
    ("http://", None),
])
def test_homepage_is_http_or_https_only(value, expected):
    assert normalize_homepage(value) == expected


def test_javascript_homepage_is_refused_by_edit(store):
    with pytest.raises(editing.EditError, match="http"):
        editing.update_agency(store, 1, {"homepage": "javascript:alert(1)"})
    assert editing.update_agency(store, 1, {"homepage": "www.example.kr"})["homepage"] == "http://www.example.kr"


def test_javascript_homepage_never_reaches_hsds(store, tmp_path):
    import csv

    from importers.hsds import export_hsds

    with store.conn:  # as a store imported before the check would hold it
        store.conn.execute("UPDATE agencies SET homepage = 'javascript:alert(1)', operator = NULL WHERE id = 1")
    export_hsds(store, tmp_path / "hsds")
    text = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "hsds").glob("*.csv"))
    assert "javascript:" not in text
    with open(tmp_path / "hsds" / "services.csv", encoding="utf-8") as fh:
        assert any(row["url"] == "" for row in csv.DictReader(fh))


def test_javascript_homepage_in_an_imported_list_is_dropped(db, tmp_path):
    from importers import import_file

    path = tmp_path / "list.csv"
    path.write_text("기관명,주소,전화,홈페이지\n"
                    "노원구정신건강복지센터,서울특별시 노원구 노해로 437,02-2116-4591,javascript:alert(1)\n"
                    "도봉구정신건강복지센터,서울특별시 도봉구 방학로 3,02-900-5783,www.dbmind.kr\n", encoding="utf-8")
    import_file(db, path)
    homepages = dict(db.execute("SELECT name, homepage FROM agencies"))
    assert homepages == {"노원구정신건강복지센터": None, "도봉구정신건강복지센터": "http://www.dbmind.kr"}


# --- storage failures on the web ------------------------------------------------------


@pytest.mark.parametrize("exc", [OSError(errno.ENOSPC, "No space left on device"),
                                 sqlite3.OperationalError("database or disk is full")])
@pytest.mark.parametrize("prefix", ["/api", ""])
def test_full_disk_is_one_clear_line_on_the_web(app, exc, prefix):
    def full():
        raise exc

    app.add_url_rule(f"{prefix}/_full", "full_disk", full)
    response = app.test_client().get(f"{prefix}/_full")
    assert response.status_code == 503
    text = response.get_data(as_text=True)
    assert "저장 공간이 부족" in text and "Traceback" not in text and "Errno" not in text
    if prefix:
        assert response.get_json()["message"].startswith("서버의 저장 공간이 부족")


def test_other_os_errors_still_propagate(app):
    def broken():
        raise OSError(errno.ENOENT, "No such file")

    app.add_url_rule("/_broken", "broken", broken)
    with pytest.raises(OSError):
        app.test_client().get("/_broken")
