"""A supportive house's procedures as playbooks: the manual's deadlines, the nearest agencies, page, CLI, API."""
from __future__ import annotations

import json
import re
from datetime import date

import pytest

from cli import main
from directory import accounts, editing, house_procedures, playbooks, sites
from directory.actors import PermissionDenied
from directory.taxonomy import Taxonomy
from tests.conftest import TEST_PASSWORD

CODES = ["supportive_selection", "supportive_contract", "supportive_move_in", "supportive_renewal",
         "supportive_exit_voluntary", "supportive_exit_hospital_prison", "supportive_exit_involuntary",
         "supportive_exit_death", "supportive_exit_support"]


@pytest.fixture
def house(db):
    """A house in 노원구 with its district's 주거안심종합센터, a nearer one across the border, a 교정시설."""
    site = sites.create_site(db, {"name": "시범 지원주택", "capacity": 18,
                                  "address": "서울특별시 노원구 동일로 1414", "lat": 37.655, "lon": 127.060})
    db.execute("UPDATE complexes SET sido = '서울특별시', sigungu = '노원구' WHERE id = ?", [site["id"]])
    db.conn.commit()
    for name, kind, sigungu, lat, lon, phone in (
            ("노원주거안심종합센터", "주거안심종합센터", "노원구", 37.630, 127.080, "02-000-1001"),
            ("도봉주거안심종합센터", "주거안심종합센터", "도봉구", 37.660, 127.055, "02-000-1002"),
            ("서울동부구치소", "교정시설", "송파구", 37.490, 127.120, "02-000-1003"),
            ("중계본동주민센터", "행정복지센터", "노원구", 37.652, 127.062, "02-000-1004")):
        editing.create_agency(db, {"name": name, "type": kind, "sido": "서울특별시", "sigungu": sigungu,
                                   "lat": lat, "lon": lon, "phone": phone})
    return sites.get_site(db, site["id"])


def _by_number(result):
    return {s["number"]: s for s in result["steps"]}


def test_every_procedure_loads_and_names_only_known_types_and_lines(db):
    listed = house_procedures.procedures()
    assert [p["code"] for p in listed] == CODES
    types = set(Taxonomy.from_db(db).type_category)
    lines = playbooks.national_lines()
    for code in CODES:
        book = playbooks.load_playbook(code)
        assert set(book.agency_types()) <= types, (code, set(book.agency_types()) - types)
        named = {t.name for s in book.steps for t in s.targets if t.kind == "line"}
        assert named <= set(lines), (code, named - set(lines))
        assert all(p["start"] for p in listed), "every procedure says what day it counts from"
    assert "emergency_housing" not in {p["code"] for p in listed}  # another scope's playbook stays out


def test_contract_move_in_within_60_days(db, house):
    result = house_procedures.house_plan(db, house["id"], "supportive_contract", start="2025-03-01")
    steps = _by_number(result)
    assert result["procedure"]["start"] == "주택 계약일"
    move_in = next(s for s in result["steps"] if "잔금 납부 및 입주" in s["title"])
    assert move_in["due"] == ("due_days", {"n": 60}) and move_in["due_date"] == "2025-04-30"
    assert playbooks.say(move_in["due"]) == "60일 이내"
    assert steps[1]["due_date"] == "2025-03-01"  # the contract itself that day
    # the district's own 주거안심종합센터, though 도봉's is nearer
    centre = next(s for s in result["steps"] if "이사 날짜" in s["title"])["contact"]
    assert centre["agency"]["name"] == "노원주거안심종합센터" and centre["agency"]["phone"] == "02-000-1001"
    # SH is not in the directory: its call centre answers
    assert move_in["contact"]["kind"] == "line" and move_in["contact"]["line"]["number"] == "1600-3456"
    assert move_in["missing"] == ["주택공사"]


def test_forms_within_7_days_and_a_month_of_moving_in(db, house):
    steps = house_procedures.house_plan(db, house["id"], "supportive_move_in", start=date(2025, 1, 31))["steps"]
    due = {s["title"].split(" (")[0]: (s["due"], s["due_date"]) for s in steps}
    assert due["채권 양도·양수 계약서 작성"] == (("due_days", {"n": 7}), "2025-02-07")
    assert due["주택출입 동의서 작성"] == (("due_months", {"n": 1}), "2025-02-28")  # a month keeps the month's last day
    pre = next(s for s in steps if "사전 측정" in s["title"])
    assert pre["due"] == ("due_weeks", {"n": 2}) and pre["due_date"] == "2025-02-14"
    weekly = next(s for s in steps if "정기 만남" in s["title"])
    assert weekly["repeat"] == ("repeat_weeks", {"n": 1})
    repair = next(s for s in steps if "하자 보수" in s["title"])
    assert repair["due_date"] == "2025-04-30" and repair["contact"]["agency"]["name"] == "노원주거안심종합센터"


def test_the_lease_is_renewed_every_two_years(db, house):
    steps = house_procedures.house_plan(db, house["id"], "supportive_renewal", start="2024-07-31")["steps"]
    assert {s["due_date"] for s in steps} == {"2026-07-31"}
    assert all(s["repeat"] == ("repeat_months", {"n": 24}) for s in steps)
    assert any("9회(최장 20년 거주)" in s["note"] for s in steps)


def test_hospital_and_prison_each_have_their_own_steps(db, house):
    plan = house_procedures.house_plan
    hospital = plan(db, house["id"], "supportive_exit_hospital_prison", situations=["hospital"])["steps"]
    prison = plan(db, house["id"], "supportive_exit_hospital_prison", situations=["prison"])["steps"]
    assert any("인감증명서" in s["title"] for s in hospital) and not any("구치소" in s["title"] for s in hospital)
    step = next(s for s in prison if "구치소" in s["title"])
    assert step["contact"]["agency"]["name"] == "서울동부구치소" and "손도장날인증명서" in step["note"]
    dong = next(s for s in hospital if "인감증명서" in s["title"])["contact"]["agency"]
    assert dong["name"] == "중계본동주민센터"
    with pytest.raises(house_procedures.ProcedureError) as err:
        plan(db, house["id"], "supportive_exit_voluntary", situations=["prison"])
    assert err.value.code == "unknown_procedure_situation"


def test_a_death_calls_112_or_119_the_same_day(db, house):
    result = house_procedures.house_plan(db, house["id"], "supportive_exit_death", start="2025-05-05")
    first = result["steps"][0]
    assert [line["number"] for line in first["lines"]] == ["112", "119"] and first["due_date"] == "2025-05-05"
    assert any("장제급여" in s["title"] for s in result["steps"])


def test_involuntary_exit_goes_through_the_committee_then_the_court(db, house):
    steps = house_procedures.house_plan(db, house["id"], "supportive_exit_involuntary")["steps"]
    assert [s["stage"] for s in steps] == ["사유 확인", "심의", "심의", "퇴거 진행", "퇴거 진행", "법적 조치"]
    court = steps[-1]
    assert court["missing"] == ["법원", "대한법률구조공단"] and court["contact"]["line"]["number"] == "132"
    assert "3개월 이상 연체" in steps[0]["title"]


def test_an_unplaced_house_links_no_agency_and_says_why(db):
    site = sites.create_site(db, {"name": "주소 없는 지원주택", "capacity": 5})
    result = house_procedures.house_plan(db, site["id"], "supportive_exit_support")
    assert not result["site"]["placed"]
    assert all(s["contact"] is None or s["contact"]["agency"] is None for s in result["steps"])


def test_only_readers_of_the_house_see_its_plans(db, house, cheap_hashes):
    evaluator = accounts.create_user(db, "eval", TEST_PASSWORD, "planner", districts=["서울특별시"])
    busan = accounts.create_user(db, "busan", TEST_PASSWORD, "planner", districts=["부산광역시"])
    assert house_procedures.house_plan(db, house["id"], "supportive_contract", actor=evaluator)["steps"]
    with pytest.raises(PermissionDenied):
        house_procedures.house_plan(db, house["id"], "supportive_contract", actor=busan)
    with pytest.raises(house_procedures.ProcedureError) as err:
        house_procedures.house_plan(db, house["id"], "emergency_housing")
    assert err.value.code == "unknown_procedure"
    with pytest.raises(house_procedures.ProcedureError):
        house_procedures.house_plan(db, house["id"], "supportive_contract", start="2025-02-30")


# --- the shells -------------------------------------------------------------------------------


def test_cli_lists_and_plans(runner, db, house):
    path = db.conn.execute("PRAGMA database_list").fetchone()[2]
    listed = runner.invoke(main, ["--db", path, "housing", "playbook", str(house["id"])])
    assert listed.exit_code == 0 and "supportive_contract: 주택 계약과 입주 — 기준일: 주택 계약일" in listed.output
    out = runner.invoke(main, ["--db", path, "housing", "playbook", house["name"], "supportive_contract",
                               "--start", "2025-03-01"])
    assert out.exit_code == 0, out.output
    assert "잔금 납부 및 입주 — 주택 계약 후 60일(2개월) 이내 — 60일 이내 (2025-04-30까지)" in out.output
    assert "→ 주거안심종합센터: 노원주거안심종합센터" in out.output and "서울주택도시공사 콜센터 ☎ 1600-3456" in out.output
    as_json = runner.invoke(main, ["--db", path, "housing", "playbook", str(house["id"]),
                                   "supportive_exit_hospital_prison", "--situation", "prison", "--json"])
    assert json.loads(as_json.output)["situations"] == ["prison"]
    bad = runner.invoke(main, ["--db", path, "housing", "playbook", str(house["id"]), "nothing"])
    assert bad.exit_code != 0 and "알 수 없는 지원주택 절차" in bad.output


@pytest.fixture
def web_house(store):
    site = sites.create_site(store, {"name": "웹 지원주택", "capacity": 18, "address": "서울특별시 노원구 동일로 1414"})
    editing.create_agency(store, {"name": "노원주거안심종합센터", "type": "주거안심종합센터", "sido": "서울특별시",
                                  "sigungu": "노원구", "lat": 37.63, "lon": 127.08, "phone": "02-000-1001"})
    return site


def _login(app, username):
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/auth/login").get_data(as_text=True)).group(1)
    assert client.post("/auth/login", data={"username": username, "password": TEST_PASSWORD,
                                            "csrf_token": token}).status_code == 302
    return client


def test_the_page_dates_the_steps_from_a_posted_start(app, store, web_house, cheap_hashes):
    accounts.create_user(store, "coord", TEST_PASSWORD, "worker", complexes=[web_house["id"]])
    client = _login(app, "coord")
    url = f"/housing/{web_house['id']}/procedures?code=supportive_contract"
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "주택 계약일" in html and "재계약 (2년마다)" in html and "사망으로 인한 퇴거" in html
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    posted = client.post(url, data={"csrf_token": token, "start": "2025-03-01"})
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", posted.get_data(as_text=True)))
    assert "60일 이내 · 2025-04-30까지 (지남)" in text and "노원주거안심종합센터" in text
    assert 'href="tel:1600-3456"' in posted.get_data(as_text=True)
    refused = client.post(url, data={"csrf_token": token, "start": "2025-13-01"})
    assert refused.status_code == 400 and "날짜여야 합니다" in refused.get_data(as_text=True)
    assert client.get(f"/housing/{web_house['id']}/procedures?code=nothing").status_code == 404
    detail = client.get(f"/housing/{web_house['id']}").get_data(as_text=True)
    assert f"/housing/{web_house['id']}/procedures" in detail


def test_the_api_plans_with_the_date_in_the_body(app, store, web_house, cheap_hashes):
    accounts.create_user(store, "eval", TEST_PASSWORD, "planner", districts=["서울특별시"])
    user = accounts.create_user(store, "busan", TEST_PASSWORD, "planner", districts=["부산광역시"])
    headers = {"Authorization": f"Bearer {accounts.issue_token(store, user.id)}"}
    client = _login(app, "eval")
    listed = client.get(f"/api/houses/{web_house['id']}/procedures").get_json()["items"]
    assert [p["code"] for p in listed] == CODES
    result = client.post(f"/api/houses/{web_house['id']}/procedures",
                         json={"procedure": "supportive_move_in", "start": "2025-01-31"}).get_json()
    assert next(s for s in result["steps"] if s["due"] == ["due_days", {"n": 7}])["due_date"] == "2025-02-07"
    bad = client.post(f"/api/houses/{web_house['id']}/procedures",
                      json={"procedure": "supportive_move_in", "start": "어제"})
    assert bad.status_code == 400 and bad.get_json()["error"] == "procedure_start_invalid"
    assert app.test_client().post(f"/api/houses/{web_house['id']}/procedures", json={"procedure": "x"},
                                  headers=headers).status_code == 403
    unknown = client.post(f"/api/houses/{web_house['id']}/procedures", json={"procedure": "nothing"})
    assert unknown.status_code == 400 and unknown.get_json()["error"] == "unknown_procedure"


@pytest.mark.parametrize("row", ["입주,1,상담,,,,,메모, 쉼표 뒤,출처", "입주,1,상담,,,,"])
def test_a_row_whose_cells_do_not_match_the_header_is_refused(tmp_path, row):
    (tmp_path / "index.csv").write_text("code,title,source\nbad,나쁜,s\n", encoding="utf-8")
    (tmp_path / "bad.csv").write_text("stage,step,title,agency,due,repeat,when,note,source\n" + row + "\n",
                                      encoding="utf-8")
    with pytest.raises(playbooks.PlaybookError) as err:
        playbooks.load_playbook("bad", tmp_path)
    assert err.value.code == "bad_playbook" and err.value.params["row"] == 2
