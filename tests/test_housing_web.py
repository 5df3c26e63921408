"""Supportive-house pages and API: who sees and writes what, agreement forms, the complex machinery, privacy."""
from __future__ import annotations

import re

import pytest

from directory import accounts, sites
from tests.conftest import TEST_PASSWORD


@pytest.fixture
def house(store):
    """A supportive house in 노원구 (like the demo's complexes, in 서울) with one partner agency."""
    row = sites.create_site(store, {"name": "시범 지원주택", "capacity": 18, "target_group": "정신질환 여성노숙인",
                                    "operator": "SH", "address": "서울특별시 노원구 동일로 1414"})
    agency = store.execute("SELECT id FROM agencies WHERE type = '정신건강복지센터' AND sigungu = '노원구' "
                           "AND lat IS NOT NULL LIMIT 1").fetchone()[0]
    from network.links import set_link

    set_link(store, row["id"], agency, 5, ["referral"])
    sites.add_agreement(store, row["id"], "2022-07-01", "2024-07-31", notice_date="2023-02-01")
    return row


@pytest.fixture
def people(store, house, cheap_hashes):
    make = accounts.create_user
    rental = store.execute("SELECT id FROM complexes WHERE name = 'A'").fetchone()[0]
    return {
        "coordinator": make(store, "coord", TEST_PASSWORD, "worker", complexes=[house["id"]]),
        "supervisor": make(store, "super", TEST_PASSWORD, "team_lead", complexes=[house["id"]]),
        "evaluator": make(store, "eval", TEST_PASSWORD, "planner", districts=["서울특별시"]),
        "busan": make(store, "busan", TEST_PASSWORD, "planner", districts=["부산광역시"]),
        "rental_worker": make(store, "rental", TEST_PASSWORD, "worker", complexes=[rental]),
        "admin": make(store, "boss", TEST_PASSWORD, "admin"),
    }


def _csrf(client, url):
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True))
    return match.group(1)


def _login(client, username):
    token = _csrf(client, "/auth/login")
    response = client.post("/auth/login", data={"username": username, "password": TEST_PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return client


def _as(app, people, who):
    return _login(app.test_client(), people[who].username)


# --- access control --------------------------------------------------------------------


PAGES = ["/housing/{id}", "/housing/{id}/edit", "/housing/{id}/agreements/new", "/housing/overview", "/housing/new"]
EXPECTED = {  # who -> status of each page above
    "coordinator": [200, 200, 200, 403, 403],
    "supervisor": [200, 200, 200, 403, 403],
    "evaluator": [200, 403, 403, 200, 403],
    "busan": [403, 403, 403, 200, 403],
    "rental_worker": [403, 403, 403, 403, 403],
    "admin": [200, 200, 200, 200, 200],
}


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_pages_by_role(app, people, house, who):
    client = _as(app, people, who)
    got = [client.get(p.format(id=house["id"])).status_code for p in PAGES]
    assert got == EXPECTED[who]


def test_signed_out_goes_to_login(client, house):
    for url in ("/housing/", f"/housing/{house['id']}", "/housing/overview"):
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_lists_show_only_readable_houses(app, people, house):
    assert house["name"] in _as(app, people, "evaluator").get("/housing/overview").get_data(as_text=True)
    assert house["name"] not in _as(app, people, "busan").get("/housing/overview").get_data(as_text=True)
    assert house["name"] in _as(app, people, "coordinator").get("/housing/").get_data(as_text=True)
    assert house["name"] not in _as(app, people, "rental_worker").get("/housing/").get_data(as_text=True)


def test_house_page_names_the_role_and_the_indicators_start(app, people, house):
    page = _as(app, people, "coordinator").get(f"/housing/{house['id']}").get_data(as_text=True)
    assert "코디네이터" in page and "2023-01-01부터 셉니다" in page and "정원" in page
    assert "supportive" not in page and "sigungu" not in page  # no internal codes


def test_evaluator_cannot_write_through_the_api(app, people, house, store):
    evaluator = _as(app, people, "evaluator")
    assert evaluator.get(f"/api/houses/{house['id']}").status_code == 200
    response = evaluator.post(f"/api/houses/{house['id']}/agreements",
                              json={"starts": "2024-08-01", "ends": "2027-07-31"})
    assert response.status_code == 403
    assert evaluator.patch(f"/api/houses/{house['id']}", json={"capacity": 30}).status_code == 403
    assert store.execute("SELECT capacity FROM complexes WHERE id = ?", [house["id"]]).fetchone()[0] == 18
    assert _as(app, people, "busan").get(f"/api/houses/{house['id']}").status_code == 403
    assert app.test_client().get("/api/houses").status_code == 401


def test_api_agreements_round_trip(app, people, house):
    supervisor = _as(app, people, "supervisor")
    (listed,) = supervisor.get("/api/houses").get_json()["items"]
    assert listed["current"]["notice_date"] == "2023-02-01"
    first = listed["current"]
    made = supervisor.post(f"/api/houses/{house['id']}/agreements",
                           json={"starts": "2024-07-31", "ends": "2027-07-30", "renews_id": first["id"]})
    assert made.status_code == 201
    agreement = made.get_json()
    bad = supervisor.put(f"/api/agreements/{agreement['id']}",
                         json={"starts": "2027-07-30", "ends": "2024-07-31", "version": 1})
    assert bad.status_code == 400 and bad.get_json()["error"] == "agreement_end_before_start"
    stale = supervisor.put(f"/api/agreements/{agreement['id']}",
                           json={"starts": "2024-07-31", "ends": "2027-07-30", "version": 7})
    assert stale.status_code == 409
    assert supervisor.delete(f"/api/agreements/{agreement['id']}?version=1").status_code == 204
    english = supervisor.post(f"/api/houses/{house['id']}/agreements", json={"starts": "x", "ends": "2027-07-30"},
                              headers={"Accept-Language": "en"})
    assert english.status_code == 400 and "협약" not in english.get_json()["message"]


# --- forms ------------------------------------------------------------------------------


def test_agreement_form_refuses_end_before_start_and_keeps_the_typing(app, people, house, store):
    client = _as(app, people, "coordinator")
    url = f"/housing/{house['id']}/agreements/new"
    response = client.post(url, data={"csrf_token": _csrf(client, url), "starts": "2027-07-30",
                                      "ends": "2024-07-31", "notice_date": "", "renews_id": "", "note": "재협약"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "시작일(2027-07-30)보다 뒤여야" in page
    assert 'value="2027-07-30"' in page and "재협약</textarea>" in page
    response = client.post(url, data={"csrf_token": _csrf(client, url), "starts": "2024-07-31",
                                      "ends": "2027-07-30", "notice_date": "2028-01-01", "renews_id": ""})
    assert response.status_code == 400 and "공고일" in response.get_data(as_text=True)
    assert store["site_agreements"].count == 1
    response = client.post(url, data={"csrf_token": _csrf(client, url), "starts": "2024-07-31",
                                      "ends": "2027-07-30", "notice_date": "2023-02-01", "renews_id": "1"})
    assert response.status_code == 302 and store["site_agreements"].count == 2


def test_agreement_edit_conflict_is_409_with_the_form(app, people, house, store):
    (agreement,) = sites.list_agreements(store, house["id"])
    client = _as(app, people, "supervisor")
    url = f"/housing/{house['id']}/agreements/{agreement['id']}"
    token = _csrf(client, url)
    sites.update_agreement(store, agreement["id"], starts="2022-07-01", ends="2024-07-31", note="다른 사람")
    response = client.post(url, data={"csrf_token": token, "starts": "2022-07-01", "ends": "2024-06-30",
                                      "version": "1", "notice_date": "2023-02-01"})
    assert response.status_code == 409 and 'value="2024-06-30"' in response.get_data(as_text=True)


def test_admin_registers_a_house_placed_from_its_address(app, people, store):
    client = _as(app, people, "admin")
    response = client.post("/housing/new", data={
        "csrf_token": _csrf(client, "/housing/new"), "name": "새 지원주택", "kind": "supportive", "capacity": "20",
        "target_group": "알코올 의존 남성노숙인", "operator": "SH", "address": "서울특별시 강서구 공항대로 1",
        "provider_agency_id": ""})
    assert response.status_code == 302
    row = store.execute("SELECT kind, capacity, sigungu, placement, alcohol_issues FROM complexes "
                        "WHERE name = '새 지원주택'").fetchone()
    assert row == ("supportive", 20, "강서구", "sigungu", 1)


def test_provider_search_keeps_the_form(app, people, house):
    client = _as(app, people, "supervisor")
    url = f"/housing/{house['id']}/edit"
    response = client.post(url, data={"csrf_token": _csrf(client, url), "name": "고친 이름", "provider_q": "노원구",
                                      "find_provider": "1", "capacity": "18"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'value="고친 이름"' in page and "노원구" in page and "<option value=" in page


@pytest.mark.parametrize("field, value", [
    ("note", "입주민 김철수 퇴거 후 재협약"),
    ("note", "담당 010-1234-5678"),
])
def test_no_personal_data_from_the_agreement_form(app, people, house, store, field, value):
    client = _as(app, people, "coordinator")
    url = f"/housing/{house['id']}/agreements/new"
    before = store.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    response = client.post(url, data={"csrf_token": _csrf(client, url), "starts": "2024-07-31",
                                      "ends": "2027-07-30", field: value})
    assert response.status_code == 400 and "개인정보" in response.get_data(as_text=True)
    assert store["site_agreements"].count == 1
    assert store.execute("SELECT count(*) FROM audit_log").fetchone()[0] == before
    for table in ("site_agreements", "complexes", "audit_log"):
        dump = " ".join(str(v) for row in store.execute(f"SELECT * FROM {table}") for v in row)
        assert "김철수" not in dump and "010-1234-5678" not in dump


def test_no_flat_number_in_a_house_address(app, people, house, store):
    client = _as(app, people, "supervisor")
    url = f"/housing/{house['id']}/edit"
    response = client.post(url, data={"csrf_token": _csrf(client, url), "name": house["name"],
                                      "address": "서울특별시 노원구 동일로 1414 3동 301호"})
    assert response.status_code == 400 and "동·호수" in response.get_data(as_text=True)
    assert store.execute("SELECT address FROM complexes WHERE id = ?", [house["id"]]).fetchone()[0] == \
        "서울특별시 노원구 동일로 1414"


# --- the complex machinery, for free --------------------------------------------------------


def test_house_on_the_complex_dashboard_map_and_report(app, people, house):
    client = _as(app, people, "coordinator")
    dashboard = client.get(f"/complexes/{house['id']}").get_data(as_text=True)
    assert house["name"] in dashboard and "정신건강복지센터" in dashboard
    assert client.get(f"/complexes/{house['id']}/report").status_code == 200
    assert client.get(f"/complexes/{house['id']}/edit/").status_code == 200  # the coordinator edits its links
    house_map = client.get(f"/maps/complex/{house['id']}")
    assert house_map.status_code == 200 and house["name"] in house_map.get_data(as_text=True)
    report = client.get(f"/api/reports/complexes/{house['id']}").get_json()
    assert report["complex"]["kind"] == "supportive" and len(report["partners"]) == 1
    # the gap rules read the house's group: a house for 정신질환 residents has its 정신건강복지센터
    assert any(m["type"] == "정신건강복지센터" for m in report["gaps"]["met"])
    page = client.get(f"/housing/{house['id']}").get_data(as_text=True)
    assert "정신건강복지센터" in page and f"/maps/complex/{house['id']}" in page


def test_house_in_the_district_network(app, house):
    report = app.test_client().get("/api/reports/network?sido=서울특별시&sigungu=노원구").get_json()
    assert any(c["name"] == house["name"] for c in report["complexes"])


def test_saving_the_form_unchanged_keeps_the_position(app, people, house, store):
    client = _as(app, people, "supervisor")
    url = f"/housing/{house['id']}/edit"
    store.execute("UPDATE complexes SET lat = 37.65, lon = 127.06, placement = 'exact' WHERE id = ?", [house["id"]])
    store.conn.commit()
    form = {k: "" if house[k] is None else str(house[k])
            for k in ("name", "capacity", "target_group", "operator", "address", "provider_agency_id")}
    assert client.post(url, data={"csrf_token": _csrf(client, url), **form, "capacity": "19"}).status_code == 302
    row = store.execute("SELECT capacity, lat, placement FROM complexes WHERE id = ?", [house["id"]]).fetchone()
    assert row == (19, 37.65, "exact")
