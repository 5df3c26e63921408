"""긴급복지 주거지원: the year's thresholds as data (issue 14)."""
from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import pytest

from directory import emergency
from directory.emergency import EmergencyError, load_thresholds, parse_won, region_class, thresholds_for
from directory.paths import REFERENCE_DIR

FILE_2025 = REFERENCE_DIR / "emergency_housing_2025.csv"
FIXTURES = Path(__file__).parent / "fixtures" / "emergency"
# 2025 기준 중위소득 (보건복지부 고시), 1–6인
MEDIAN_2025 = {1: 2_392_013, 2: 3_932_658, 3: 5_025_353, 4: 6_097_773, 5: 7_108_192, 6: 8_064_805}


def test_2025_file_holds_the_seeds_numbers():
    t = load_thresholds(FILE_2025)
    assert t.year == 2025 and (t.valid_from, t.valid_to) == (date(2025, 1, 1), date(2025, 12, 31))
    assert t.income_limits[1] == 1_794_000 and t.income_limits[4] == 4_573_000  # seed: 1,794천원 / 4,573천원
    assert t.asset_limits == {"대도시": 241_000_000, "중소도시": 152_000_000, "농어촌": 130_000_000}
    assert t.financial_deduction == 6_000_000 and t.financial_limit is None
    assert t.median_income == MEDIAN_2025


def test_income_limits_are_75_percent_of_the_median_cut_to_thousands_as_the_seed_does():
    t = load_thresholds(FILE_2025)
    # The seed's two figures fix the rounding: 75% of the median with the 천원 cut off.
    for size in (1, 4):
        assert MEDIAN_2025[size] * 3 // 4 // 1000 * 1000 == t.income_limits[size]
    assert sorted(t.income_limits) == [1, 2, 3, 4, 5, 6]
    for size, median in MEDIAN_2025.items():
        assert t.income_limits[size] == median * 3 // 4 // 1000 * 1000, size
        assert 0 <= median * 0.75 - t.income_limits[size] < 1000


def test_every_value_names_its_source():
    with open(FILE_2025, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and all(r["source"].strip() for r in rows)
    seed = {(r["rule"], r["key"]) for r in rows if r["source"].startswith("seed 004")}
    assert {("income_limit", "1"), ("income_limit", "4"), ("asset_limit", "대도시"),
            ("financial_deduction", "생활준비금")} <= seed
    # the other sizes say they are computed from the 고시
    assert all("기준 중위소득" in r["source"] for r in rows if r["rule"] == "income_limit")


def test_a_year_without_a_file_is_answered_by_the_last_one_and_says_so():
    basis = thresholds_for(today=date(2026, 3, 2))
    assert basis.asked == 2026 and basis.year == 2025 and basis.stand_in
    words = emergency.explain(emergency.screen(emergency.Answers(), basis))
    assert words["basis"] == "2026년 기준 없음 — 2025년 기준으로 안내"
    current = thresholds_for(today=date(2025, 12, 31))
    assert not current.stand_in and emergency.explain(emergency.screen(emergency.Answers(), current))["basis"] \
        == "2025년 기준"


def test_a_file_past_its_own_end_is_a_stand_in(tmp_path):
    text = FILE_2025.read_text(encoding="utf-8").replace("valid,to,2025-12-31", "valid,to,2025-06-30")
    (tmp_path / "emergency_housing_2025.csv").write_text(text, encoding="utf-8")
    basis = thresholds_for(today=date(2025, 7, 1), folder=tmp_path)
    assert basis.stand_in and basis.past_end
    assert "새 기준 없음" in emergency.explain(emergency.screen(emergency.Answers(), basis, folder=REFERENCE_DIR))["basis"]
    assert not thresholds_for(2025, today=date(2025, 7, 1), folder=tmp_path).stand_in  # 2025 asked for by name


def test_no_file_that_old():
    with pytest.raises(EmergencyError) as err:
        thresholds_for(2019, today=date(2025, 1, 1))
    assert err.value.code == "no_thresholds" and "129" in str(err.value)


def test_the_2026_fixture_is_read_without_code_changes(tmp_path):
    shutil.copy(FILE_2025, tmp_path)
    shutil.copy(FIXTURES / "emergency_housing_2026.csv", tmp_path)
    basis = thresholds_for(today=date(2026, 3, 2), folder=tmp_path)
    assert basis.year == 2026 and not basis.stand_in
    assert basis.thresholds.income_limits[1] == 1_800_000 and 7 in basis.thresholds.income_limits
    assert basis.thresholds.region_rules["세종특별자치시"] == "대도시"
    assert basis.thresholds.financial_limit == 8_000_000
    assert thresholds_for(2025, today=date(2026, 3, 2), folder=tmp_path).thresholds.income_limits[1] == 1_794_000


@pytest.mark.parametrize("change, detail", [
    (lambda s: s.replace("income_limit,3,3769000", "income_limit,3,3천769"), "income_limit,3"),
    (lambda s: s.replace("asset_limit,농어촌,130000000", "asset_limit,섬,130000000"), "asset_limit"),
    (lambda s: s.replace("region_type,도의 군,농어촌", "region_type,도의 군,시골"), "region_type"),
    (lambda s: s.replace("valid,from,2025-01-01", "valid,from,2024-01-01"), "valid"),
    (lambda s: s + "limit,1,1\n", "rule"),
    (lambda s: s + "income_limit,1,1\n", "중복"),
])
def test_a_malformed_file_is_named(tmp_path, change, detail):
    path = tmp_path / "emergency_housing_2025.csv"
    path.write_text(change(FILE_2025.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(EmergencyError) as err:
        load_thresholds(path)
    assert err.value.code == "bad_threshold_file" and detail in str(err.value)
    assert "emergency_housing_2025.csv" in str(err.value)


@pytest.mark.parametrize("sido, sigungu, expected", [
    ("서울특별시", "노원구", ("대도시", "특별시·광역시의 구")),
    ("부산", "기장군", ("농어촌", "광역시의 군")),
    ("대구광역시", "군위군", ("농어촌", "광역시의 군")),  # 경북 군위군 joined 대구 in 2023
    ("경상북도", "군위군", ("농어촌", "도의 군")),  # the old name stays known
    ("경기도", "수원시 장안구", ("중소도시", "도의 시")),
    ("경기", "수원시", ("중소도시", "도의 시")),
    ("강원도", "홍천군", ("농어촌", "도의 군")),
    ("세종시", None, ("중소도시", "세종특별자치시")),
    ("제주특별자치도", "서귀포시", ("중소도시", "제주특별자치도의 시")),
    ("인천광역시", "강화군", ("농어촌", "광역시의 군")),
])
def test_which_region_type_a_sigungu_is(sido, sigungu, expected):
    t = load_thresholds(FILE_2025)
    assert emergency.region_type_of(t, sido, sigungu) == expected


@pytest.mark.parametrize("sido, sigungu", [("서울", "수원시"), ("경기", "없는군"), ("화성", "강남구"), (None, None)])
def test_an_unknown_region_is_refused(sido, sigungu):
    with pytest.raises(EmergencyError) as err:
        region_class(sido, sigungu)
    assert err.value.code == "unknown_region"


@pytest.mark.parametrize("text, expected", [
    ("1794000", 1_794_000), ("1,794,001", 1_794_001), ("1,794,001원", 1_794_001), ("179만4001", 1_794_001),
    ("1,794천원", 1_794_000), ("2억4,100만원", 241_000_000), ("2억 4100만 1원", 241_000_001), ("600만", 6_000_000),
    (" ", None), (None, None), (0, 0), (6_000_000, 6_000_000),
])
def test_amounts_as_workers_type_them(text, expected):
    assert parse_won(text) == expected


@pytest.mark.parametrize("text, code", [
    ("1.5억", "bad_amount"), ("만2억", "bad_amount"), ("abc", "bad_amount"), ("-5", "bad_amount"),
    (-5, "amount_out_of_range"), ("99999조", "amount_out_of_range"), (True, "bad_amount"),
])
def test_bad_amounts_are_refused_with_the_field(text, code):
    with pytest.raises(EmergencyError) as err:
        parse_won(text, field_name="monthly_income", label="가구 월 소득")
    assert err.value.code == code and err.value.params["field"] == "monthly_income"
    assert "가구 월 소득" in str(err.value)


def test_a_negative_net_property_is_allowed_where_debts_exceed_it():
    assert parse_won("-3,000만", negative=True) == -30_000_000
