"""The shells over a house's outcome indicators: `yeongye housing …` (CliRunner) and /api/houses/…/outcomes."""
from __future__ import annotations

import logging

import pytest

from cli import main
from directory import accounts, audit, sites
from directory.store import connect

AGREEMENT = {"starts": "2022-07-01", "ends": "2024-07-31", "notice_date": "2023-02-15"}
AUDIT_HEADER = "이름,생년월일,성별," + ",".join(f"문항{i}" for i in range(1, 11))
NAMES = ["김영수", "박순자", "이철민", "최말순", "정동훈", "강미숙", "조용태", "윤옥자", "장기석", "임순례"]
BIRTHS = [f"195{i}-0{1 + i % 9}-2{i % 8}" for i in range(10)]


@pytest.fixture
def cli_store(tmp_path):
    """A store with one supportive house (id in .house) and its '22.7–'24.7 agreement, notice '23.2."""
    folder = tmp_path / "store"
    folder.mkdir()
    path = folder / "cli.db"
    db = connect(path)
    site = sites.create_site(db, {"name": "시범 지원주택", "capacity": 17})
    sites.add_agreement(db, site["id"], **AGREEMENT)
    db.conn.close()
    return path, site["id"]


def _run(runner, path, *args):
    return runner.invoke(main, ["--db", str(path), "housing", *map(str, args)])


def test_cli_records_counts_and_prints_the_manuals_tables(runner, cli_store):
    path, house = cli_store
    result = _run(runner, path, "retention", house, "--month", "2024-04", "--total", 16, "--continuing", 14,
                  "--exit", "facility=2")
    assert result.exit_code == 0, result.output
    assert "주거유지율 87.5% = [14/16]×100" in result.output
    for year, residents, departed, hospitalised in ((2023, 16, 4, 3), (2024, 17, 2, 3)):
        result = _run(runner, path, "year", house, year, "--residents", residents, "--departed", departed,
                      "--hospitalised", hospitalised)
        assert result.exit_code == 0, result.output
    result = _run(runner, path, "year", house, 2022, "--residents", 16, "--departed", 4)
    assert result.exit_code == 1 and "2023년부터 기록하세요" in result.output
    result = _run(runner, path, "indicators", "시범 지원주택")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "1차 연도 (2022) 2022-07-01~2022-12-31: 공고 이전이라 산출하지 않음" in out
    assert "2차 연도 (2023) 2023-01-01~2023-12-31: 25.0% = [4/16]×100" in out
    assert "3차 연도 (2024) 2024-01-01~2024-03-31: 11.7% = [2/17]×100" in out
    assert "평균 18.3%" in out and "18.7% = [3/16]×100" in out
    json_out = _run(runner, path, "indicators", house, "--json").output
    assert '"rate": "87.5"' in json_out


def test_cli_refuses_a_b_c_mismatch_in_korean(runner, cli_store):
    path, house = cli_store
    result = _run(runner, path, "retention", house, "--month", "2024-04", "--total", 16, "--continuing", 14,
                  "--exit", "facility=1")
    assert result.exit_code == 1
    assert "총 입주민 규모(A) 16명은 지속거주 입주민(B) 14명과 퇴거자(C) 1명의 합(15명)과 같아야 합니다" in result.output


def test_cli_scores_a_sheet_file_in_memory_and_withdraws_it(runner, cli_store, tmp_path):
    path, house = cli_store
    sheets = tmp_path / "audit.csv"
    rows = [AUDIT_HEADER, "김영수,1958-03-14,남,1,1,1,1,1,1,1,1,2,2", "박순자,1960-01-01,여,0,0,0,0,0,0,0,0,0,0"]
    sheets.write_text("\n".join(rows) + "\n", encoding="cp949")
    result = _run(runner, path, "score", house, sheets, "--scale", "audit", "--wave", "사전")
    assert result.exit_code == 0, result.output
    assert "이제 2명, 위험 음주율 50.0% (1/2)" in result.output and "건너뛴 열: 이름, 생년월일" in result.output
    result = _run(runner, path, "score", house, sheets, "--scale", "audit", "--wave", "pre", "--withdraw")
    assert result.exit_code == 0 and "뺐습니다" in result.output and "이제 0명" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text(AUDIT_HEADER + "\n김영수,1958-03-14,남,0,0,0,0,0,0,0,0,3,0\n", encoding="utf-8")
    result = _run(runner, path, "score", house, bad, "--scale", "audit", "--wave", "pre")
    assert result.exit_code == 1 and "1번째 응답지: AUDIT-K 문항 9" in result.output and "김영수" not in result.output


def test_cli_reason_refuses_personal_data(runner, cli_store):
    path, house = cli_store
    assert _run(runner, path, "reason", house, "retention", "고령 입주민의 요양시설 입소").exit_code == 0
    result = _run(runner, path, "reason", house, "social", "입주민 김철수 씨 가족관계 단절")
    assert result.exit_code == 1 and "개인정보" in result.output


def test_cli_staffing_scorecard_and_committee(runner):
    result = runner.invoke(main, ["housing", "staffing", "--mental", "18"])
    assert result.exit_code == 0 and "코디네이터 3명" in result.output
    result = runner.invoke(main, ["housing", "staffing", "--alcohol", "20", "--coordinators", "3"])
    assert "코디네이터 4명" in result.output and "1명 부족" in result.output
    grades = [arg for n in range(1, 20) for arg in ("--grade", f"{n}=우수")] + ["--grade", "20=5"]
    result = runner.invoke(main, ["housing", "scorecard", *grades])
    assert result.exit_code == 0 and "총점 100/100점" in result.output and "시정조치" not in result.output
    result = runner.invoke(main, ["housing", "scorecard", "--grade", "4=보통"])
    assert result.exit_code == 1 and "'보통'이 없습니다" in result.output
    result = runner.invoke(main, ["housing", "scorecard", *grades, "--grade", "12=미흡"])
    assert "총점 93/100점" in result.output and "즉시 시정조치: 필수지표 미흡 — 12. 슈퍼비전 체계" in result.output
    result = runner.invoke(main, ["housing", "committee", "82", "85", "79", "90", "88", "84", "86", "70", "95"])
    assert result.exit_code == 0 and "최고 95점, 최저 70점" in result.output and "84.8점" in result.output


def test_after_scoring_20_sheets_through_the_cli_the_store_holds_no_name_birth_date_or_answer(
        runner, cli_store, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    path, house = cli_store
    audit_rows, iso_rows = [AUDIT_HEADER], ["이름,생년월일,문항1,문항2,문항3,문항4,문항5,문항6"]
    words = ["거의 그렇지 않다", "다소 그렇지 않다", "다소 그렇다", "매우 그렇다"]
    for i, (name, born) in enumerate(zip(NAMES, BIRTHS)):
        audit_rows.append(",".join([name, born, "남" if i % 2 else "여",
                                    *[str((i + k) % 5) for k in range(8)], str((i % 3) * 2), "0"]))
        iso_rows.append(",".join([name, born, *[words[(i + k) % 4] for k in range(4)], f"{i + 1}명", f"{i + 20}분"]))
    (tmp_path / "audit.csv").write_text("\n".join(audit_rows) + "\n", encoding="utf-8")
    (tmp_path / "iso.csv").write_text("\n".join(iso_rows) + "\n", encoding="utf-8")
    for scale, name in (("audit", "audit.csv"), ("isolation", "iso.csv")):
        result = _run(runner, path, "score", house, tmp_path / name, "--scale", scale, "--wave", "pre")
        assert result.exit_code == 0 and "이제 10명" in result.output, result.output
    secrets = set(NAMES) | set(BIRTHS) | set(words) | {f"{i + 1}명" for i in range(10)}
    store_files = [p for p in path.parent.rglob("*") if p.is_file()]
    assert {p.name for p in store_files} >= {"cli.db"}
    for file in store_files:
        data = file.read_bytes()
        for secret in secrets:
            assert secret.encode() not in data, (file.name, secret)
    for secret in secrets:
        assert secret not in caplog.text


# --- the API ---------------------------------------------------------------------


@pytest.fixture
def house_api(store, cheap_hashes):
    """A house in the app's store, with bearer headers for its coordinator, the city's evaluator, a stranger."""
    site = sites.create_site(store, {"name": "API 지원주택", "capacity": 17, "address": "서울특별시 중구 세종대로 110"})
    sites.add_agreement(store, site["id"], **AGREEMENT)
    headers = {}
    for name, role, kw in (("coord", "worker", {"complexes": [site["id"]]}),
                           ("eval", "planner", {"districts": ["서울특별시"]}),
                           ("busan", "planner", {"districts": ["부산광역시"]})):
        user = accounts.create_user(store, name, "correct-horse-1", role, **kw)
        headers[name] = {"Authorization": f"Bearer {accounts.issue_token(store, user.id)}"}
    return site["id"], headers


def test_api_records_and_reads_a_houses_indicators(client, house_api):
    house, h = house_api
    base = f"/api/houses/{house}/outcomes"
    r = client.put(f"{base}/retention", json={"evaluation_month": "2024-04", "total": 16, "continuing": 14,
                                              "exits": {"facility": 2}}, headers=h["coord"])
    assert r.status_code == 200 and r.get_json()["version"] == 1
    for year, body in ((2023, {"residents": 16, "departed": 4, "hospitalised": 3}),
                       (2024, {"residents": 17, "departed": 2, "hospitalised": 3})):
        assert client.put(f"{base}/years/{year}", json=body, headers=h["coord"]).status_code == 200
    sheets = [{"answers": [1] * 5 + [0] * 5, "sex": "남"}] * 6 + [{"answers": [2] * 6 + [0] * 4, "sex": "남"}] * 3 \
        + [{"answers": [4] * 5 + [0] * 5, "sex": "남"}] * 3
    r = client.post(f"{base}/sheets", json={"instrument": "audit", "wave": "pre", "sheets": sheets}, headers=h["coord"])
    assert r.status_code == 200 and r.get_json()["rate"] == "50.0"
    r = client.put(f"{base}/reasons", json={"indicator": "retention", "reason": "긍정적 퇴거(요양시설 입소)"},
                   headers=h["coord"])
    assert r.status_code == 200 and r.get_json()["version"] == 1
    data = client.get(base, headers=h["eval"]).get_json()
    assert data["reasons"]["retention"]["reason"] == "긍정적 퇴거(요양시설 입소)"
    assert data["retention"]["rate"] == "87.5" and data["departure"]["mean"] == "18.3"
    assert [y["rate"] for y in data["hospital"]["years"]] == [None, "18.7", "17.6"]
    assert data["drinking"]["pre"]["rate"] == "50.0" and data["drinking"]["change"] is None


def test_api_refuses_who_may_not_and_bad_counts(client, house_api):
    house, h = house_api
    base = f"/api/houses/{house}/outcomes"
    assert client.get(base).status_code == 401
    assert client.get(base, headers=h["busan"]).status_code == 403
    r = client.put(f"{base}/years/2023", json={"residents": 16, "departed": 4}, headers=h["eval"])
    assert r.status_code == 403  # the evaluator reads, never writes
    r = client.put(f"{base}/retention", json={"evaluation_month": "2024-04", "total": 16, "continuing": 14,
                                              "exits": {"facility": 1}}, headers=h["coord"])
    assert r.status_code == 400 and r.get_json()["error"] == "retention_sum_mismatch"
    r = client.post(f"{base}/sheets", json={"instrument": "audit", "wave": "pre",
                                            "sheets": [{"answers": [0] * 8 + [1, 0], "sex": "여"}]},
                    headers=h["coord"])
    assert r.status_code == 400 and "문항 9" in r.get_json()["message"]
    r = client.put(f"{base}/reasons", json={"indicator": "social", "reason": "입주민 김철수 씨 퇴거"},
                   headers=h["coord"])
    assert r.status_code == 400 and r.get_json()["error"] == "personal_data"


def test_api_calculators(client):
    assert client.get("/api/housing/staffing?mental_illness=18").get_json()["coordinators_needed"] == 3
    assert client.get("/api/housing/staffing?alcohol=20").get_json()["coordinators_needed"] == 4
    assert client.get("/api/housing/staffing?alcohol=x").status_code == 400
    table = client.get("/api/housing/evaluation-indicators").get_json()["items"]
    assert len(table) == 21 and sum(i["mandatory"] for i in table) == 10
    grades = {str(n): "우수" for n in range(1, 20)} | {"20": 5}
    card = client.post("/api/housing/scorecard", json={"grades": grades}).get_json()
    assert card["total"] == 100 and card["corrective_action"] is False
    r = client.post("/api/housing/scorecard", json={"grades": {"7": "보통"}})
    assert r.status_code == 400 and r.get_json()["error"] == "grade_no_average"
    card = client.post("/api/housing/scorecard", json={"grades": grades | {"1": "미흡"}}).get_json()
    assert card["corrective_action"] is True and card["corrective"] == [1]
    result = client.post("/api/housing/committee", json={"scores": [82, 85, 79, 90, 88, 84, 86, 70, 95]}).get_json()
    assert result["mean"] == "84.8" and result["exact"] == "594/7"
    assert client.post("/api/housing/committee", json={"scores": [80] * 8}).status_code == 400


def test_api_sheets_leave_no_trace_in_the_audit_log(client, house_api, store):
    house, h = house_api
    sheets = [{"answers": ["매우 그렇다", "다소 그렇다", "다소 그렇지 않다", "거의 그렇지 않다", "3명", "20분"]}] * 20
    r = client.post(f"/api/houses/{house}/outcomes/sheets", json={"instrument": "isolation", "wave": "post",
                                                                   "sheets": sheets}, headers=h["coord"])
    assert r.status_code == 200 and r.get_json()["n"] == 20
    entry = audit.list_entries(store, table="outcome_isolation_waves")[0]
    assert entry["before"] is None and entry["after"]["sheets"] == 20 and "n" not in entry["after"]


def test_api_errors_follow_the_language_labels_too(client, house_api):
    house, h = house_api
    r = client.put(f"/api/houses/{house}/outcomes/years/2023", json={"residents": 4, "departed": 5},
                   headers={**h["coord"], "Accept-Language": "en"})
    assert r.status_code == 400
    assert r.get_json()["message"] == ("2023: People who left for a week or more (B), 5, is more than the "
                                       "residents (A), 4.")
