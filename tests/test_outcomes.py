"""A house's outcome indicators in the store (directory.outcomes): aggregates only, actor-checked, audited."""
from __future__ import annotations

import json
import logging
from decimal import Decimal

import pytest

from directory import accounts, outcomes, sites
from directory.actors import PermissionDenied
from directory.indicators import IndicatorError
from directory.outcomes import OutcomeError
from directory.privacy import PersonalDataError

D = Decimal
AGREEMENT = {"starts": "2022-07-01", "ends": "2024-07-31", "notice_date": "2023-02-15"}
NAMES = ["김영수", "박순자", "이철민", "최말순", "정동훈", "강미숙", "조용태", "윤옥자", "장기석", "임순례"]
BIRTHS = [f"19{50 + i}-0{1 + i % 9}-1{i}" for i in range(10)]
ISOLATION_WORDS = ["거의 그렇지 않다", "다소 그렇지 않다", "다소 그렇다", "매우 그렇다"]


@pytest.fixture
def house(db):
    site = sites.create_site(db, {"name": "시범 지원주택", "capacity": 17, "target_group": "알코올 의존 남성노숙인",
                                  "address": "서울특별시 중구 세종대로 110"})
    agreement = sites.add_agreement(db, site["id"], **AGREEMENT)
    return {**site, "agreement": agreement}


@pytest.fixture
def people(db, house, cheap_hashes):
    rental = sites.create_site(db, {"name": "영구임대 단지", "kind": "영구임대주택", "address": "서울특별시 강서구 공항대로 1"})
    make = accounts.create_user
    return {
        "coordinator": make(db, "coord", "correct-horse-1", "worker", complexes=[house["id"]]),
        "evaluator": make(db, "eval", "correct-horse-1", "planner", districts=["서울특별시"]),
        "busan": make(db, "busan", "correct-horse-1", "planner", districts=["부산광역시"]),
        "other_worker": make(db, "other", "correct-horse-1", "worker", complexes=[rental["id"]]),
    }


def _user(db, account):
    return accounts.get_user(db, account["id"]) if isinstance(account, dict) else account


def test_the_manuals_examples_from_the_store(db, house):
    hid = house["id"]
    outcomes.record_retention(db, hid, "2024-04", total=16, continuing=14, exits={"facility": 2})
    for year, residents, departed, hospitalised in ((2023, 16, 4, 3), (2024, 17, 2, 3)):
        outcomes.record_year(db, hid, year, residents=residents, departed=departed, hospitalised=hospitalised)
    result = outcomes.house_outcomes(db, hid)
    assert result["evaluation_month"] == "2024-04" and result["base_date"] == "2024-03-31"
    assert result["apply_from"] == "2023-01-01"
    assert result["retention"]["rate"] == D("87.5") and not result["retention"]["reason_needed"]
    departure = result["departure"]
    assert [(y["year"], y["counted"]) for y in departure["years"]] == [(2022, False), (2023, True), (2024, True)]
    assert [y["rate"] for y in departure["years"]] == [None, D("25.0"), D("11.7")]
    assert departure["mean"] == D("18.3") and departure["missing_years"] == []  # (25.0 + 11.7)/2 = 18.35
    hospital = result["hospital"]
    assert [y["rate"] for y in hospital["years"][1:]] == [D("18.7"), D("17.6")] and hospital["mean"] == D("18.1")
    assert result["prompts"]["retention"] is None and result["reasons_missing"] == []


def test_a_year_before_the_notice_is_refused_and_not_counted(db, house):
    with pytest.raises(OutcomeError) as caught:
        outcomes.record_year(db, house["id"], 2022, residents=16, departed=1)
    assert caught.value.code == "year_before_notice" and "2023년부터" in str(caught.value)
    with pytest.raises(OutcomeError, match="협약 기간"):
        outcomes.record_year(db, house["id"], 2025, residents=16)


def test_counts_are_checked_before_anything_is_written(db, house):
    with pytest.raises(IndicatorError, match="A\\) 16명은"):
        outcomes.record_retention(db, house["id"], "2024-04", total=16, continuing=14, exits={"facility": 1})
    with pytest.raises(IndicatorError, match="정원"):
        outcomes.record_retention(db, house["id"], "2024-04", total=20, continuing=18, exited=2)
    with pytest.raises(IndicatorError, match="보다 많습니다"):
        outcomes.record_year(db, house["id"], 2023, residents=4, departed=5)
    with pytest.raises(IndicatorError, match="협약 시작일"):
        outcomes.record_retention(db, house["id"], "2022-07", total=1, continuing=1)
    assert db.execute("SELECT count(*) FROM outcome_retention").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM outcome_years").fetchone()[0] == 0


def test_a_house_without_a_notice_has_no_indicators(db):
    site = sites.create_site(db, {"name": "공고 전 주택", "capacity": 10})
    sites.add_agreement(db, site["id"], "2022-07-01", "2024-07-31")
    with pytest.raises(OutcomeError, match="공고일이 없습니다"):
        outcomes.record_year(db, site["id"], 2023, residents=10)
    rental = sites.create_site(db, {"name": "임대 단지", "kind": "영구임대주택"})
    with pytest.raises(sites.SiteError, match="지원주택이 아닙니다"):
        outcomes.house_outcomes(db, rental["id"])


def test_counts_replace_with_versions_and_audit_their_values(db, house):
    first = outcomes.record_year(db, house["id"], 2023, residents=16, departed=4)
    second = outcomes.record_year(db, house["id"], 2023, residents=16, departed=3, expected_version=1)
    assert (first["version"], second["version"], second["departed"]) == (1, 2, 3)
    with pytest.raises(OutcomeError) as caught:
        outcomes.record_year(db, house["id"], 2023, residents=16, departed=2, expected_version=1)
    assert caught.value.code == "outcome_conflict"
    entries = db.execute("SELECT action, before, after FROM audit_log WHERE table_name = 'outcome_years' "
                         "ORDER BY id").fetchall()
    assert [e[0] for e in entries] == ["insert", "update"]
    assert json.loads(entries[1][2])["departed"] == 3  # counts of a house are not personal: audited in full


def test_sheets_add_to_a_wave_and_withdraw_by_entering_them_again(db, house):
    hid = house["id"]
    pre = [["매우 그렇다", "다소 그렇다", "다소 그렇지 않다", "거의 그렇지 않다", "0명", "15분 이하"],  # 3+2+2+3+3+2 = 15
           ["다소 그렇다"] * 4 + ["1~2명", "15분~1시간"]]  # 2+2+1+1+2+1 = 9
    for sheet in pre:
        outcomes.record_sheet(db, hid, "isolation", "사전", sheet)
    post = [["다소 그렇다"] * 4 + ["1~2명", "15분 이하"]] * 2  # 2+2+1+1+2+2 = 10 each
    wave = outcomes.record_sheets(db, hid, "isolation", "post", [(s, None) for s in post])
    assert wave == {"n": 2, "mean": D("1.6")}  # 20/12 = 1.66…
    result = outcomes.house_outcomes(db, hid)
    assert result["social"]["pre"] == {"n": 2, "mean": D("2.0")}  # 24/12
    assert result["social"]["change"] == D("-0.4") and result["social"]["direction"] == "positive"
    # The first resident left before the base month: withdraw the sheet by entering it again.
    after = outcomes.record_sheet(db, hid, "isolation", "pre", pre[0], withdraw=True)
    assert after == {"n": 1, "mean": D("1.5")}  # 9/6
    result = outcomes.house_outcomes(db, hid)
    assert result["social"]["change"] == D("0.1") and result["social"]["reason_needed"]
    assert result["prompts"]["social"].startswith("사회적 관계가 나빠졌습니다") and "social" in result["reasons_missing"]


def test_a_withdrawal_that_was_never_entered_is_refused(db, house):
    outcomes.record_sheet(db, house["id"], "isolation", "pre", ["0"] * 6)
    with pytest.raises(OutcomeError, match="기록되어 있지 않습니다"):
        outcomes.record_sheet(db, house["id"], "isolation", "pre", ["3"] * 6, withdraw=True)
    outcomes.record_sheet(db, house["id"], "audit", "pre", [0] * 10, sex="남")
    with pytest.raises(OutcomeError, match="기록되어 있지 않습니다"):
        outcomes.record_sheet(db, house["id"], "audit", "pre", [0] * 10, sex="여", withdraw=True)
    assert db.execute("SELECT n, item_sum FROM outcome_isolation_waves").fetchone() == (1, 0)


def test_audit_waves_reproduce_the_manuals_example(db, house):
    hid = house["id"]
    normal, risk, disorder = [1] * 5 + [0] * 5, [2] * 6 + [0] * 4, [4] * 5 + [0] * 5  # 5, 12, 20 points
    outcomes.record_sheets(db, hid, "audit", "pre", [(normal, "남")] * 6 + [(risk, "남")] * 3 + [(disorder, "남")] * 3)
    outcomes.record_sheets(db, hid, "audit", "post", [(normal, "남")] * 9 + [(risk, "남")] * 2 + [(disorder, "여")] * 3)
    drinking = outcomes.house_outcomes(db, hid)["drinking"]
    assert (drinking["pre"]["n"], drinking["pre"]["risky"], drinking["pre"]["rate"]) == (12, 6, D("50.0"))
    assert (drinking["post"]["n"], drinking["post"]["risky"], drinking["post"]["rate"]) == (14, 5, D("35.7"))
    assert drinking["change"] == D("-14.3") and not drinking["reason_needed"]
    assert drinking["post"]["by_sex"]["female"] == {"normal": 0, "risk": 0, "disorder": 3}


def test_a_bad_sheet_refuses_the_batch_without_repeating_its_answers(db, house):
    sheets = [([0] * 10, "남"), ([0] * 8 + [3, 0], "여")]
    with pytest.raises(OutcomeError) as caught:
        outcomes.record_sheets(db, house["id"], "audit", "pre", sheets)
    assert str(caught.value) == "2번째 응답지: AUDIT-K 문항 9의 응답은 0, 2, 4점 중 하나여야 합니다."
    assert db.execute("SELECT count(*) FROM outcome_audit_waves").fetchone()[0] == 0


def test_reasons_refuse_personal_data(db, house):
    row = outcomes.set_reason(db, house["id"], "retention", "고령 입주민 2명이 요양시설로 옮겨 긍정적 퇴거")
    assert row["reason"].startswith("고령") and row["version"] == 1
    with pytest.raises(PersonalDataError):
        outcomes.set_reason(db, house["id"], "drinking", "입주민 김철수 씨가 퇴거")
    assert outcomes.house_outcomes(db, house["id"])["reasons"]["retention"]["version"] == 1
    assert outcomes.set_reason(db, house["id"], "retention", "  ", expected_version=1) is None
    with pytest.raises(OutcomeError):
        outcomes.set_reason(db, house["id"], "nothing", "사유")


def test_who_may_write_and_read(db, house, people):
    coordinator, evaluator = _user(db, people["coordinator"]), _user(db, people["evaluator"])
    outcomes.record_year(db, house["id"], 2023, residents=16, departed=4, actor=coordinator)
    outcomes.record_sheet(db, house["id"], "isolation", "pre", ["1"] * 6, actor=coordinator)
    assert outcomes.house_outcomes(db, house["id"], actor=evaluator)["departure"]["mean"] == D("25.0")
    for who in ("evaluator", "other_worker", "busan"):
        with pytest.raises(PermissionDenied):
            outcomes.record_sheet(db, house["id"], "isolation", "pre", ["1"] * 6, actor=_user(db, people[who]))
    for who in ("other_worker", "busan"):
        with pytest.raises(PermissionDenied):
            outcomes.house_outcomes(db, house["id"], actor=_user(db, people[who]))
    entry = db.execute("SELECT username, action FROM audit_log WHERE table_name = 'outcome_isolation_waves'").fetchone()
    assert entry == ("coord", "add-sheets")


def test_an_agreement_with_indicator_data_cannot_be_deleted(db, house):
    outcomes.record_year(db, house["id"], 2023, residents=16, departed=4)
    with pytest.raises(sites.SiteError) as caught:
        sites.delete_agreement(db, house["agreement"]["id"])
    assert caught.value.code == "agreement_has_outcomes"


def test_read_sheets_skips_names_and_birth_dates_unread():
    text = "이름,생년월일,성별,문항1,문항2,문항3,문항4,문항5,문항6,문항7,문항8,문항9,문항10\n" \
           "김영수,1958-03-14,남,1,1,0,0,0,0,0,0,2,4\n\n"
    read = outcomes.read_sheets(text, "audit")
    assert read["skipped"] == ["이름", "생년월일"]
    assert read["sheets"] == [(["1", "1", "0", "0", "0", "0", "0", "0", "2", "4"], "남")]
    with pytest.raises(OutcomeError, match="성별 열"):
        outcomes.read_sheets("문항1,문항2,문항3,문항4,문항5,문항6,문항7,문항8,문항9,문항10\n", "audit")
    with pytest.raises(OutcomeError, match="문항6"):
        outcomes.read_sheets("1,2,3,4,5\n", "isolation")
    assert outcomes.decode_sheet_file("문항1\n".encode("cp949")) == "문항1\n"


def _sheet_files(tmp_path):
    """Ten AUDIT-K and ten isolation sheets as a coordinator would type them from paper: names and birth dates too."""
    audit_rows = ["이름,생년월일,성별,문항1,문항2,문항3,문항4,문항5,문항6,문항7,문항8,문항9,문항10"]
    iso_rows = ["이름,생년월일,문항1,문항2,문항3,문항4,문항5,문항6"]
    for i, (name, born) in enumerate(zip(NAMES, BIRTHS)):
        points = [(i + k) % 5 for k in range(8)] + [(i % 3) * 2, ((i + 1) % 3) * 2]
        audit_rows.append(",".join([name, born, "남" if i % 2 else "여", *map(str, points)]))
        words = [ISOLATION_WORDS[(i + k) % 4] for k in range(4)]
        iso_rows.append(",".join([name, born, *words, f"{i}명", f"{i * 7}분"]))
    return "\n".join(audit_rows) + "\n", "\n".join(iso_rows) + "\n"


def test_after_scoring_20_sheets_no_table_log_or_file_holds_an_answer_a_name_or_a_birth_date(
        db, house, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    audit_text, iso_text = _sheet_files(tmp_path)
    audit_read, iso_read = outcomes.read_sheets(audit_text, "audit"), outcomes.read_sheets(iso_text, "isolation")
    assert len(audit_read["sheets"]) == len(iso_read["sheets"]) == 10
    outcomes.record_sheets(db, house["id"], "audit", "pre", audit_read["sheets"])
    outcomes.record_sheets(db, house["id"], "isolation", "pre", iso_read["sheets"])
    withdrawn = iso_read["sheets"][3]
    outcomes.record_sheets(db, house["id"], "isolation", "pre", [withdrawn], withdraw=True)
    outcomes.record_sheets(db, house["id"], "isolation", "pre", [withdrawn])
    result = outcomes.house_outcomes(db, house["id"])
    assert result["drinking"]["pre"]["n"] == 10 and result["social"]["pre"]["n"] == 10

    # Every answer text typed (the isolation words, "3명", "21분"), every name and birth date.
    secrets = set(NAMES) | set(BIRTHS) | set(ISOLATION_WORDS)
    secrets |= {f"{i}명" for i in range(10)} | {f"{i * 7}분" for i in range(1, 10)}
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name.endswith("-wal") for p in files)  # the write-ahead log is read too, before a checkpoint
    blobs = [p.read_bytes() for p in files] + [caplog.text.encode()]
    for secret in secrets:
        for blob in blobs:
            assert secret.encode() not in blob, secret
    # The audit entries of the waves name the wave and the number of sheets, never a count.
    for (after,) in db.execute("SELECT after FROM audit_log WHERE table_name IN "
                               "('outcome_isolation_waves', 'outcome_audit_waves')"):
        assert set(json.loads(after)) == {"instrument", "wave", "sheets", "agreement_id"}
    # Nor does any table have a column a sheet could land in.
    for table in ("outcome_isolation_waves", "outcome_audit_waves"):
        columns = {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
        assert not columns & {"answers", "name", "birth", "sex", "score", "total"}
    db.conn.close()  # and after the checkpoint folds the WAL into the file
    for path in tmp_path.rglob("*"):
        if path.is_file():
            for secret in secrets:
                assert secret.encode() not in path.read_bytes(), (path.name, secret)
