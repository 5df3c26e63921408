"""긴급복지 주거지원 page, API and CLI: answers, who to call, and nothing typed kept anywhere (issue 14)."""
from __future__ import annotations

import json
import logging
import re
from datetime import date
from pathlib import Path

import pytest

from cli import main
from directory import accounts, editing
from directory.paths import REFERENCE_DIR

from .test_i18n import INTERNAL, _Visible

TEST_PASSWORD = "correct-horse-1"
FIXTURES = Path(__file__).parent / "fixtures" / "emergency"


def _csrf(client, url="/emergency/"):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


def _visible(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def _post(client, **fields):
    data = {"csrf_token": _csrf(client), "already_receiving": "no", "safe_tonight": "yes", **fields}
    return client.post("/emergency/", data=data)


def test_the_empty_form_offers_129_first_and_stores_nothing(client):
    response = client.get("/emergency/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert 'href="tel:129"' in html and html.index("tel:129") < html.index("<form id=\"screen-form\"")
    assert 'autocomplete="off"' in html and "④ 가정폭력·성폭력 피해로 기존 주거에서 생활 곤란" in _visible(html)


def test_one_won_over_the_income_limit_with_a_crisis_says_protection_first_and_129(client, store):
    complex_a = store.execute("SELECT id FROM complexes WHERE name = 'A'").fetchone()[0]
    within = _post(client, complex=complex_a, reasons="disaster", household_size="1", monthly_income="1,794,000",
                   net_property="5000만", financial_assets="0")
    assert "지원 가능성이 높음" in _visible(within.get_data(as_text=True))
    over = _post(client, complex=complex_a, reasons="disaster", household_size="1", monthly_income="1,794,001",
                 net_property="5000만", financial_assets="0")
    text = _visible(over.get_data(as_text=True))
    assert over.status_code == 200 and over.headers["Cache-Control"] == "no-store"
    assert "기준 초과이나 긴급 위험이면 선보호 후 심사" in text and "선보호 후 심사 가능 — 129" in text
    assert "가구 월 소득 1,794,001원 > 1인 가구 기준 1,794,000원 — 1원 초과" in text
    assert "지역: 특별시·광역시의 구 → 대도시" in text  # the complex's 노원구
    assert "신분을 확인할 수 있는 것 (신분증)" in text  # what to bring
    assert "A 단지 기준" in text and "노원구정신건강복지센터" in text  # follow-up linked near the complex
    assert not INTERNAL.search(text), INTERNAL.search(text)


def test_violence_on_the_page_puts_112_and_the_violence_partners_above_everything(client, store):
    complex_a = store.execute("SELECT id FROM complexes WHERE name = 'A'").fetchone()[0]
    for name, kind, lat, lon in (("노원해바라기센터", "해바라기센터", 37.656, 127.06),
                                 ("노원가정폭력상담소", "가정폭력·성폭력 상담소", 37.65, 127.05)):
        editing.create_agency(store, {"name": name, "type": kind, "sido": "서울특별시", "sigungu": "노원구",
                                      "lat": lat, "lon": lon, "phone": "02-000-0000"})
    html = _post(client, complex=complex_a, reasons="violence", safe_tonight="no").get_data(as_text=True)
    answer = html[html.index('id="answer"'):]
    assert answer.index('href="tel:112"') < answer.index('href="tel:129"')
    tonight = html[html.index('id="tonight-title"'):]
    first_129 = tonight.index('href="tel:129"')
    assert tonight.index('href="tel:112"') < tonight.index("노원해바라기센터") < first_129
    assert tonight.index("노원가정폭력상담소") < first_129


def test_a_household_size_without_a_threshold_says_ask_129(client):
    text = _visible(_post(client, reasons="illness", household_size="7", monthly_income="100만").get_data(as_text=True))
    assert "소득: 2025년 자료에 7인 가구 기준이 없음 — 129에 확인" in text and "확인 필요" in text


def test_a_bad_amount_keeps_the_form_and_names_the_field(client):
    response = _post(client, monthly_income="1.5억", household_size="2")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "가구 월 소득은(는) 원 단위 금액이어야 합니다" in html
    assert 'value="1.5억"' in html and 'name="household_size" min="1" max="30" inputmode="numeric" value="2"' in html


def test_the_page_without_a_csrf_token_is_refused(client):
    assert client.post("/emergency/", data={"household_size": "1"}).status_code == 400


def test_the_page_in_english(client):
    client.get("/emergency/?lang=en")
    html = _post(client, reasons="disaster", household_size="1", monthly_income="1794001",
                 region_type="대도시", net_property="0", financial_assets="0").get_data(as_text=True)
    text = _visible(html)
    assert "Protection first, review after — call 129" in text and "Emergency housing support" in text
    assert "Income: monthly household income 1,794,001원 > 1,794,000원 for a household of 1" in text
    assert "Crisis reason: ⑤ The home is uninhabitable after a fire, collapse or natural disaster" in text


def test_a_new_years_file_changes_the_page_without_code_changes(app, client, tmp_path):
    year = date.today().year
    text = (FIXTURES / "emergency_housing_2026.csv").read_text(encoding="utf-8").replace("2026-", f"{year}-")
    (tmp_path / f"emergency_housing_{year}.csv").write_text(text, encoding="utf-8")
    (tmp_path / "emergency_housing_2025.csv").write_bytes((REFERENCE_DIR / "emergency_housing_2025.csv").read_bytes())
    fields = dict(reasons="disaster", household_size="1", monthly_income="1,798,000", region_type="대도시",
                  net_property="0", financial_assets="0")
    if year != 2025:
        assert "2025년 기준으로 안내" in _visible(_post(client, **fields).get_data(as_text=True))
    app.config["EMERGENCY_DATA_DIR"] = str(tmp_path)
    page = _visible(_post(client, **fields).get_data(as_text=True))
    assert "지원 가능성이 높음" in page and f"{year}년 기준" in page and "기준으로 안내" not in page


# --- the count, and nothing else stored --------------------------------------------------------


def _login(client, username):
    token = _csrf(client, "/auth/login")
    client.post("/auth/login", data={"username": username, "password": TEST_PASSWORD, "csrf_token": token})


def test_staff_may_count_a_screening_others_see_no_box(client, store, cheap_hashes):
    complex_b = store.execute("SELECT id FROM complexes WHERE name = 'B'").fetchone()[0]
    accounts.create_user(store, "bworker", TEST_PASSWORD, "worker", complexes=[complex_b])
    assert 'name="count"' not in client.get(f"/emergency/?complex={complex_b}").get_data(as_text=True)
    _post(client, complex=complex_b, count="1")  # a tick from someone not on the staff counts nothing
    assert store.execute("SELECT count(*) FROM screening_counts").fetchone()[0] == 0
    _login(client, "bworker")
    assert 'name="count"' in client.get(f"/emergency/?complex={complex_b}").get_data(as_text=True)
    html = _post(client, complex=complex_b, count="1").get_data(as_text=True)
    assert "이번 달 선별 건수: 1건" in _visible(html)
    _post(client, complex=complex_b)  # not ticked: not counted
    assert [tuple(r)[1:] for r in store.execute("SELECT complex_id, month, screener, count FROM screening_counts")] \
        == [(date.today().strftime("%Y-%m"), "emergency_housing", 1)]


def test_after_20_screenings_the_store_and_the_logs_hold_no_typed_value(app, client, store, caplog):
    caplog.set_level(logging.DEBUG)
    complex_c = store.execute("SELECT id FROM complexes WHERE name = 'C'").fetchone()[0]
    typed = []
    for i in range(20):
        income, prop, money = 1_793_417 + 7 * i, 83_917_263 + 1_009 * i, 6_271_843 + 11 * i
        typed.append((income, prop, money))
        response = _post(client, complex=complex_c if i % 2 else "", reasons=["violence", "illness"][i % 2],
                         household_size=str(1 + i % 6), monthly_income=f"{income:,}", net_property=str(prop),
                         financial_assets=f"{money:,}원", safe_tonight=["no", "yes", ""][i % 3])
        assert response.status_code == 200
    for i in range(3):  # and through the API
        income = 2_718_281 + i
        typed.append((income,))
        assert client.post("/api/emergency/screen", json={"household_size": 2, "monthly_income": income,
                                                          "reasons": ["abuse"]}).status_code == 200
    store.conn.close()
    path = Path(app.config["DATABASE"])
    files = [p for p in path.parent.glob(path.name + "*") if p.is_file()]
    assert any(p.name.endswith("-wal") for p in files) or files  # the WAL is read too when there is one
    stored = b"".join(p.read_bytes() for p in files)
    for values in typed:
        for value in values:
            for form in (str(value), f"{value:,}"):
                assert form.encode() not in stored, form
                assert form not in caplog.text, form
    # the session cookie carries no answer either
    cookie = client.get_cookie("session")
    session = app.session_interface.get_signing_serializer(app).loads(cookie.value) if cookie else {}
    assert set(session) <= {"csrf_token", "lang", "_fresh", "_id", "_user_id"}


# --- the API ----------------------------------------------------------------------------------


def test_api_screen_answers_with_codes_numbers_and_words(client, store):
    complex_a = store.execute("SELECT id FROM complexes WHERE name = 'A'").fetchone()[0]
    response = client.post("/api/emergency/screen", json={
        "complex_id": complex_a, "safe_tonight": False, "reasons": ["④"], "household_size": 1,
        "monthly_income": 1_794_001, "net_property": "2억4,100만", "financial_assets": 6_000_000,
        "already_receiving": False})
    body = response.get_json()
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert body["screening"]["verdict"] == "protect_first" and body["screening"]["call_now"] == ["112", "129"]
    assets = next(r for r in body["screening"]["rules"] if r["rule"] == "assets")
    assert assets["status"] == "within" and assets["params"]["financial_counted"] == 0
    assert body["words"]["protect_first"] == "선보호 후 심사 가능 — 129"
    assert body["contacts"]["contacts"][0]["line"]["number"] == "112" and body["counted"] is None


@pytest.mark.parametrize("payload, status, code", [
    ({"monthly_income": "abc"}, 400, "bad_amount"),
    ({"reasons": ["flood"]}, 400, "unknown_reason"),
    ({"household_size": 1.5}, 400, "bad_household_size"),
    ({"safe_tonight": "maybe"}, 400, "bad_answer"),
    ({"name": "홍길동"}, 400, "unknown_answer"),
    ({"complex_id": 999999}, 404, "complex_not_found"),
    ({"region_type": "서울"}, 400, "unknown_region_type"),
])
def test_api_screen_refuses_bad_answers_by_name(client, payload, status, code):
    response = client.post("/api/emergency/screen", json=payload)
    assert response.status_code == status and response.get_json()["error"] == code


def test_api_needs_json_and_counting_needs_the_complexes_staff(client, store):
    assert client.post("/api/emergency/screen", data={"household_size": "1"}).status_code == 415
    complex_a = store.execute("SELECT id FROM complexes WHERE name = 'A'").fetchone()[0]
    assert client.post("/api/emergency/screen", json={"complex_id": complex_a, "count": True}).status_code == 403
    assert client.post("/api/emergency/screen", json={"count": "yes"}).status_code == 400


def test_api_counts_for_a_token_of_the_complexes_staff(client, store, tokens):
    complex_a = store.execute("SELECT id FROM complexes WHERE name = 'A'").fetchone()[0]
    response = client.post("/api/emergency/screen", json={"complex_id": complex_a, "count": True},
                           headers=tokens["lead"])
    assert response.status_code == 200 and response.get_json()["counted"] == 1


def test_api_contacts_for_violence(client, store):
    complex_a = store.execute("SELECT id FROM complexes WHERE name = 'A'").fetchone()[0]
    body = client.post("/api/emergency/contacts", json={"complex_id": complex_a, "reasons": ["violence"],
                                                       "unsafe": True}).get_json()
    assert [line["number"] for line in body["call_now"]] == ["112", "129"]
    assert body["contacts"][0]["line"]["number"] == "112"
    assert [s["title"] for s in body["follow_up"]] == ["주거급여", "생계급여", "의료급여", "정신건강 상담", "법률지원"]
    assert client.post("/api/emergency/contacts", json={"reasons": []}).status_code == 400


# --- the CLI ------------------------------------------------------------------------------------


def test_cli_screen_prints_the_answer_why_and_whom_to_call(runner, demo_db_path):
    result = runner.invoke(main, ["--db", str(demo_db_path), "emergency", "screen", "--reason", "⑤", "--size", "1",
                                  "--income", "1,794,001", "--complex", "A", "--property", "2억4,100만",
                                  "--financial", "600만", "--not-already", "--unsafe"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "▶ 지금 129에 전화 (24시간)" in out and "판단: 기준 초과이나 긴급 위험이면 선보호 후 심사" in out
    assert "선보호 후 심사 가능 — 129" in out
    assert "재산: 241,000,000원 + 금융재산 6,000,000원 중 생활준비금 6,000,000원을 뺀 0원 = 241,000,000원 ≤ 대도시 기준" \
        in out
    assert "오늘 밤 연락할 곳 (A 단지 기준):" in out and "[결정·집행] 연장: 위기사유가 이어지면 재심사 후 연장" in out


def test_cli_screen_json_and_errors(runner, demo_db_path):
    result = runner.invoke(main, ["--db", str(demo_db_path), "emergency", "screen", "--size", "7", "--income", "1",
                                  "--year", "2025", "--json"])
    body = json.loads(result.output)
    assert body["screening"]["verdict"] == "check" and body["screening"]["basis"]["year"] == 2025
    assert "7인 가구 기준이 없음 — 129에 확인" in " ".join(body["words"]["why"])
    bad = runner.invoke(main, ["--db", str(demo_db_path), "emergency", "screen", "--income", "1.5억"])
    assert bad.exit_code != 0 and "가구 월 소득은(는) 원 단위 금액이어야 합니다" in bad.output
    bad = runner.invoke(main, ["--db", str(demo_db_path), "emergency", "screen", "--year", "2019"])
    assert bad.exit_code != 0 and "2019년 또는 그 이전의 긴급지원 기준 자료가 없습니다" in bad.output


def test_cli_contacts_for_violence(runner, demo_db_path):
    result = runner.invoke(main, ["--db", str(demo_db_path), "emergency", "contacts", "--complex", "A",
                                  "--reason", "4", "--json"])
    body = json.loads(result.output)
    assert body["contacts"][0]["line"]["number"] == "112"
    text = runner.invoke(main, ["--db", str(demo_db_path), "emergency", "contacts", "--complex", "A"]).output
    assert text.splitlines()[1].startswith("  1. 보건복지상담센터 129 (24시간)")
