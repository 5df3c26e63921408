"""긴급복지 주거지원: the screener never turns a person in crisis away (issue 14)."""
from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from directory.emergency import Answers, EmergencyError, explain, screen, thresholds_for
from directory.paths import REFERENCE_DIR

Y2025 = thresholds_for(2025, today=date(2025, 6, 1))
FIXTURES = Path(__file__).parent / "fixtures" / "emergency"


def household(**changes) -> Answers:
    """A 1인 가구 in 서울 that is within every rule, in a fire (⑤), safe tonight, not yet supported."""
    base = dict(safe_tonight=True, reasons=("disaster",), household_size=1, monthly_income=1_000_000,
                region_type="대도시", net_property=50_000_000, financial_assets=1_000_000, already_receiving=False)
    return Answers(**{**base, **changes})


def rule(result, name):
    return next(r for r in result["rules"] if r["rule"] == name)


def test_income_at_the_limit_is_within_and_one_won_over_is_over():
    at = screen(household(monthly_income=1_794_000), Y2025)
    assert rule(at, "income")["status"] == "within" and at["verdict"] == "likely"
    assert explain(at)["verdict"] == "지원 가능성이 높음"
    over = screen(household(monthly_income=1_794_001), Y2025)
    assert rule(over, "income")["status"] == "over" and rule(over, "income")["params"]["excess"] == 1
    words = explain(over)
    assert over["verdict"] == "protect_first" and words["verdict"] == "기준 초과이나 긴급 위험이면 선보호 후 심사"
    assert words["protect_first"] == "선보호 후 심사 가능 — 129"
    # why: the rule, the number, in 원 with separators
    assert "소득: 가구 월 소득 1,794,001원 > 1인 가구 기준 1,794,000원 — 1원 초과" in words["why"]


def test_over_without_a_crisis_reason_is_never_a_bare_no():
    result = screen(household(reasons=(), monthly_income=1_794_001), Y2025)
    words = explain(result)
    assert result["verdict"] == "check" and words["verdict"] == "확인 필요"
    assert any("위기사유" in line for line in words["why"])
    for text in [words["verdict"], *words["why"]]:
        assert "부적격" not in text and "대상 아님" not in text and "불가" not in text


def test_every_crisis_reason_over_every_threshold_offers_protection_first():
    for code in ("income_loss", "illness", "abuse", "violence", "disaster", "business", "other"):
        result = screen(household(reasons=(code,), monthly_income=9_000_000, net_property=900_000_000), Y2025)
        assert result["verdict"] == "protect_first", code
        assert explain(result)["protect_first"] == "선보호 후 심사 가능 — 129"


@pytest.mark.parametrize("region, limit", [("대도시", 241_000_000), ("중소도시", 152_000_000), ("농어촌", 130_000_000)])
def test_net_property_at_the_regional_limit_is_within_one_won_over_is_over(region, limit):
    at = screen(household(region_type=region, net_property=limit, financial_assets=0), Y2025)
    assert rule(at, "assets")["status"] == "within", region
    over = screen(household(region_type=region, net_property=limit + 1, financial_assets=0), Y2025)
    assert rule(over, "assets")["status"] == "over" and rule(over, "assets")["params"]["excess"] == 1
    assert over["verdict"] == "protect_first"


def test_financial_assets_of_the_living_allowance_count_as_zero():
    at = screen(household(net_property=241_000_000, financial_assets=6_000_000), Y2025)
    assets = rule(at, "assets")
    assert assets["status"] == "within" and assets["params"]["financial_counted"] == 0
    assert assets["params"]["counted"] == 241_000_000
    assert "금융재산 6,000,000원 중 생활준비금 6,000,000원을 뺀 0원 = 241,000,000원 ≤ 대도시 기준 241,000,000원" \
        in explain(at)["why"][-2]
    over = screen(household(net_property=241_000_000, financial_assets=6_000_001), Y2025)
    assert rule(over, "assets")["status"] == "over" and rule(over, "assets")["params"]["counted"] == 241_000_001


def test_a_household_size_without_a_threshold_asks_129_and_guesses_nothing():
    result = screen(household(household_size=7, monthly_income=1), Y2025)
    income = rule(result, "income")
    assert income["status"] == "unknown" and income["code"] == "size_no_threshold"
    assert "limit" not in income["params"]  # no extrapolated number anywhere
    assert result["verdict"] == "check"
    assert "소득: 2025년 자료에 7인 가구 기준이 없음 — 129에 확인" in explain(result)["why"]


def test_unsafe_tonight_says_call_129_now_first():
    result = screen(household(safe_tonight=False, reasons=(), household_size=None), Y2025)
    assert result["call_now"] == ["129"]
    assert explain(result)["call_now"] == ["지금 129에 전화 (24시간)"]
    assert result["verdict"] == "check"


def test_violence_puts_112_before_129():
    result = screen(household(safe_tonight=False, reasons=("violence",)), Y2025)
    assert result["call_now"] == ["112", "129"]
    assert result["situations"] == ["violence"]
    assert explain(result)["bring"][0].startswith("서류보다 안전이 먼저")


def test_the_same_support_already_received_is_checked_not_refused():
    result = screen(household(already_receiving=True), Y2025)
    assert result["verdict"] == "check"
    assert any("중복 지원은 제한될 수 있음" in line for line in explain(result)["why"])


def test_reason_seven_alone_needs_the_head_of_the_local_government():
    result = screen(household(reasons=("other",)), Y2025)
    assert result["verdict"] == "check" and rule(result, "crisis")["code"] == "crisis_needs_recognition"


def test_region_from_the_sigungu_and_its_caveat():
    result = screen(household(region_type=None, sido="경기도", sigungu="화성시", net_property=152_000_001), Y2025)
    assets = rule(result, "assets")
    assert assets["params"]["region"] == "중소도시" and assets["status"] == "over"
    why = explain(result)["why"]
    assert "지역: 도의 시 → 중소도시" in why and any("도농복합" in line for line in why)
    unknown = screen(household(region_type=None, sido="서울", sigungu="수원시"), Y2025)
    assert rule(unknown, "assets")["code"] == "region_unknown" and unknown["verdict"] == "check"


def test_nothing_answered_is_check_with_a_reason_for_every_rule():
    result = screen(Answers(), Y2025)
    assert result["verdict"] == "check" and result["call_now"] == []
    assert [r["status"] for r in result["rules"]] == ["unknown"] * 4


@pytest.mark.parametrize("answers, code", [
    (Answers(reasons=("flood",)), "unknown_reason"),
    (Answers(household_size=0), "bad_household_size"),
    (Answers(household_size=True), "bad_household_size"),
    (Answers(region_type="서울"), "unknown_region_type"),
    (Answers(monthly_income=-1), "amount_out_of_range"),
    (Answers(financial_assets=10**14), "amount_out_of_range"),
])
def test_answers_outside_the_rules_are_refused(answers, code):
    with pytest.raises(EmergencyError) as err:
        screen(answers, Y2025)
    assert err.value.code == code


def test_a_2026_file_changes_the_answers_without_code_changes(tmp_path):
    shutil.copy(REFERENCE_DIR / "emergency_housing_2025.csv", tmp_path)
    today = date(2026, 3, 2)
    before = thresholds_for(today=today, folder=tmp_path)
    answers = household(monthly_income=1_798_000, household_size=1)
    assert screen(answers, before)["verdict"] == "protect_first"
    assert explain(screen(answers, before))["basis"] == "2026년 기준 없음 — 2025년 기준으로 안내"
    assert screen(household(household_size=7), before)["verdict"] == "check"
    shutil.copy(FIXTURES / "emergency_housing_2026.csv", tmp_path)
    after = thresholds_for(today=today, folder=tmp_path)
    assert screen(answers, after)["verdict"] == "likely"
    assert explain(screen(answers, after))["basis"] == "2026년 기준"
    assert rule(screen(household(household_size=7, monthly_income=6_760_000), after), "income")["status"] == "within"
    # the fixture's 세종 is a 대도시 and its financial assets have their own limit
    sejong = screen(household(region_type=None, sido="세종", net_property=200_000_000), after)
    assert rule(sejong, "assets")["params"]["region"] == "대도시" and rule(sejong, "assets")["status"] == "within"
    financial = screen(household(financial_assets=14_000_001), after)
    assert rule(financial, "assets")["code"] == "financial_over" and financial["verdict"] == "protect_first"


def test_english_words_through_a_translation():
    english = {"확인 필요": "Needs checking", "%(asked)s년 기준 없음 — %(year)s년 기준으로 안내":
               "No %(asked)s thresholds — shown with %(year)s"}
    words = explain(screen(Answers(), thresholds_for(today=date(2026, 1, 5))), lambda s: english.get(s, s))
    assert words["verdict"] == "Needs checking" and words["basis"] == "No 2026 thresholds — shown with 2025"


# --- the anonymous count -------------------------------------------------------------------


def test_a_count_is_one_number_per_complex_and_month(db):
    from directory import accounts
    from directory.actors import PermissionDenied
    from directory.emergency import count_screening, screening_counts

    db["complexes"].insert({"name": "가 단지"})
    db["complexes"].insert({"name": "나 단지"})
    method, accounts.PASSWORD_METHOD = accounts.PASSWORD_METHOD, "pbkdf2:sha256:1000"
    try:
        worker = accounts.create_user(db, "w1", "correct-horse-1", "worker", complexes=[1])
    finally:
        accounts.PASSWORD_METHOD = method
    assert count_screening(db, 1, actor=worker, today=date(2025, 3, 2)) == 1
    assert count_screening(db, 1, actor=worker, today=date(2025, 3, 31)) == 2
    assert count_screening(db, 1, actor=worker, today=date(2025, 4, 1)) == 1
    assert screening_counts(db, 1) == [{"month": "2025-04", "count": 1}, {"month": "2025-03", "count": 2}]
    with pytest.raises(PermissionDenied):
        count_screening(db, 2, actor=worker)
    assert [tuple(r) for r in db.execute("SELECT * FROM screening_counts ORDER BY month")] == [
        (1, "2025-03", "emergency_housing", 2), (1, "2025-04", "emergency_housing", 1)]
