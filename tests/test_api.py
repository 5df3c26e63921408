"""The JSON API: reads, token and session writes, version conflicts, JSON errors, the OpenAPI document."""
from __future__ import annotations

import pytest

from directory import accounts, audit

PASSWORD = "correct-horse-1"  # the conftest tokens fixture's TEST_PASSWORD

pytestmark = pytest.mark.usefixtures("cheap_hashes")


def cid(store, name):
    return store.execute("SELECT id FROM complexes WHERE name = ?", [name]).fetchone()[0]


def test_read_agencies_and_complexes_without_account(client):
    listing = client.get("/api/agencies?sido=서울특별시&limit=5").get_json()
    assert listing["total"] > 5 and len(listing["items"]) == 5
    one = client.get(f"/api/agencies/{listing['items'][0]['id']}").get_json()
    assert one["name"] == listing["items"][0]["name"] and "sources" in one
    complexes = client.get("/api/complexes").get_json()["items"]
    assert {c["name"] for c in complexes} == set("ABCDEF")
    links = client.get(f"/api/complexes/{complexes[0]['id']}/links").get_json()["items"]
    assert links and isinstance(links[0]["content_types"], list) and "version" in links[0]


def test_json_is_utf8_not_escaped(client):
    assert "보건의료" in client.get("/api/agencies?category=보건의료&limit=1").get_data(as_text=True)


@pytest.mark.parametrize("url, status", [
    ("/api/agencies/999999", 404), ("/api/agencies?limit=0", 400), ("/api/agencies?limit=100000", 400),
    ("/api/complexes/999999", 404), ("/api/links/999999", 404), ("/api/nothing", 404),
    ("/api/agencies/99999999999999999999999999", 404),
])
def test_errors_are_json_with_korean_message(client, url, status):
    response = client.get(url)
    assert response.status_code == status
    body = response.get_json()
    assert body["status"] == status and body["message"] and not body["message"].isascii()


def test_writes_need_auth(client, store):
    response = client.post(f"/api/complexes/{cid(store, 'A')}/links", json={"agency_id": 1})
    assert response.status_code == 401 and "토큰" in response.get_json()["message"]


def test_team_lead_token_writes_link_and_contact(client, store, tokens):
    a = cid(store, "A")
    agency_id = store.execute("SELECT id FROM agencies WHERE id NOT IN (SELECT agency_id FROM links WHERE complex_id = ?) "
                              "LIMIT 1", [a]).fetchone()[0]
    created = client.post(f"/api/complexes/{a}/links", headers=tokens["lead"], json={
        "agency_id": agency_id, "frequency_level": 4, "content_types": ["referral"], "note": "정기 회의"})
    assert created.status_code == 201, created.get_json()
    link = created.get_json()
    assert link["version"] == 1 and link["content_types"] == ["referral"]
    again = client.post(f"/api/complexes/{a}/links", headers=tokens["lead"], json={"agency_id": agency_id})
    assert again.status_code == 409
    contact = client.post(f"/api/links/{link['id']}/contacts", headers=tokens["lead"],
                          json={"contact_date": "2026-02-01", "content_type": "referral", "note": "방문 상담 연계"})
    assert contact.status_code == 201
    listing = client.get(f"/api/complexes/{a}/contacts", headers=tokens["lead"]).get_json()["items"]
    assert listing[0]["note"] == "방문 상담 연계"
    assert [e["username"] for e in audit.list_entries(store)[:2]] == ["lead", "lead"]


def test_version_conflict_is_409_with_current(client, store, tokens):
    link = client.get(f"/api/complexes/{cid(store, 'A')}/links").get_json()["items"][0]
    body = {"version": link["version"], "frequency_level": 2, "content_types": [], "note": "첫째"}
    assert client.put(f"/api/links/{link['id']}", headers=tokens["lead"], json=body).status_code == 200
    clash = client.put(f"/api/links/{link['id']}", headers=tokens["lead"], json={**body, "note": "둘째"})
    assert clash.status_code == 409
    data = clash.get_json()
    assert data["current"]["note"] == "첫째" and data["current"]["version"] == link["version"] + 1
    assert "다른 사람" in data["message"]


def test_worker_cannot_write_another_complex(client, store, tokens):
    link = client.get(f"/api/complexes/{cid(store, 'A')}/links").get_json()["items"][0]
    response = client.put(f"/api/links/{link['id']}", headers=tokens["worker"], json={"version": link["version"]})
    assert response.status_code == 403
    assert client.delete(f"/api/links/{link['id']}", headers=tokens["worker"]).status_code == 403
    assert client.get(f"/api/complexes/{cid(store, 'A')}/contacts", headers=tokens["worker"]).status_code == 403


@pytest.mark.parametrize("body, message", [
    ({"agency_id": "1"}, "정수"), ({"agency_id": True}, "정수"), ({"agency_id": 2**70}, "정수"),
    ({"agency_id": 1, "content_types": "referral"}, "목록"), ({"agency_id": 1, "content_types": ["없는것"]}, "알 수 없는"),
    ({"agency_id": 1, "frequency_level": 9}, "정수"), ({"agency_id": 1, "note": 5}, "문자열"),
    ({"agency_id": 1, "note": "김철수씨 상담"}, "개인정보"), ({}, "필요"),
])
def test_bad_link_bodies_are_400(client, store, tokens, body, message):
    response = client.post(f"/api/complexes/{cid(store, 'A')}/links", headers=tokens["lead"], json=body)
    assert response.status_code == 400, response.get_json()
    assert message in response.get_json()["message"]


def test_non_json_write_is_415(client, store, tokens):
    response = client.post(f"/api/complexes/{cid(store, 'A')}/links", headers=tokens["lead"], data="agency_id=1")
    assert response.status_code == 415


def test_admin_edits_agency_and_anyone_reports_correction(client, store, tokens):
    agency = client.get("/api/agencies?limit=1").get_json()["items"][0]
    assert client.patch(f"/api/agencies/{agency['id']}", headers=tokens["lead"], json={"phone": "02-111-2222"}
                        ).status_code == 403
    changed = client.patch(f"/api/agencies/{agency['id']}", headers=tokens["admin"], json={"phone": "02 111 2222"})
    assert changed.status_code == 200 and changed.get_json()["phone"] == "02-111-2222"
    bad = client.patch(f"/api/agencies/{agency['id']}", headers=tokens["admin"], json={"lat": 99, "lon": 127})
    assert bad.status_code == 400 and "범위" in bad.get_json()["message"]
    created = client.post("/api/agencies", headers=tokens["admin"], json={"name": "새 기관", "type": "치매안심센터"})
    assert created.status_code == 201 and created.get_json()["category"] == "보건의료"
    report = client.post(f"/api/agencies/{agency['id']}/corrections", json={"message": "이전했습니다", "field": "road_address"})
    assert report.status_code == 201
    assert store.execute("SELECT message FROM correction_requests").fetchone()[0] == "이전했습니다"


def test_reports(client, store):
    report = client.get(f"/api/reports/complexes/{cid(store, 'C')}").get_json()
    assert report["complex"]["name"] == "C" and "gaps" in report and "contacts" not in report
    network = client.get("/api/reports/network").get_json()
    assert network["agencies"]


def test_session_write_works_with_json(client, store, tokens):
    import re

    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/auth/login", data={"username": "lead", "password": PASSWORD, "csrf_token": token})
    assert client.get("/api/me").get_json()["user"]["username"] == "lead"
    link = client.get(f"/api/complexes/{cid(store, 'A')}/links").get_json()["items"][0]
    response = client.put(f"/api/links/{link['id']}", json={"version": link["version"], "frequency_level": 3})
    assert response.status_code == 200


def test_openapi_describes_every_api_route(app, client):
    doc = client.get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    described = {(path, method) for path, item in doc["paths"].items() for method in item if method != "parameters"}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or rule.rule == "/api/openapi.json":
            continue
        path = rule.rule.replace("<int:", "{").replace(">", "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in described, (path, method)


def test_data_derived_text_is_escaped(client, store, tokens):
    created = client.post("/api/agencies", headers=tokens["admin"],
                          json={"name": "<script>alert(1)</script>센터", "services": "<img src=x onerror=alert(1)>"})
    agency_id = created.get_json()["id"]
    page = client.get(f"/agencies/{agency_id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;센터" in page
    assert "<img src=x" not in page


def test_fuzzing_the_api_from_its_document_finds_no_server_error(tmp_path):
    """A short schemathesis run (bench/fuzz_api.py runs the long one)."""
    from bench.fuzz_api import build_app, fuzz

    app, tokens = build_app(tmp_path)
    assert fuzz(app, tokens, examples=4) == []


def test_correction_requests_are_rate_limited(client):
    codes = [client.post("/api/agencies/1/corrections", json={"message": f"전화번호 변경 {i}"}).status_code
             for i in range(21)]
    assert codes[:20] == [201] * 20 and codes[20] == 429
