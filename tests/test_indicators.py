"""The supportive-housing manual's worked examples (`001_…` §3-2, §3-3), reproduced exactly by directory.indicators."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from directory import indicators as ind
from directory.indicators import IndicatorError
from directory.sites import indicators_apply_from

D = Decimal

BEST = ["거의 그렇지 않다", "거의 그렇지 않다", "매우 그렇다", "매우 그렇다", "7명 이상", "1시간 이상"]
WORST = ["매우 그렇다", "매우 그렇다", "거의 그렇지 않다", "거의 그렇지 않다", "0명", "전혀 안 함"]


# --- ① 주거유지율 ------------------------------------------------------------------------


def test_retention_the_manuals_example():
    result = ind.housing_retention(16, 14, {"시설/병원 입소": 2}, exited=2, capacity=17)
    assert result.rate == D("87.5") and str(result.rate) == "87.5"
    assert result.exited == 2 and result.exits == {"independent": 0, "facility": 2, "death": 0, "absconded": 0,
                                                   "prison": 0}
    assert result.meets_target and not result.reason_needed


def test_retention_a_not_b_plus_c_is_refused_in_korean():
    with pytest.raises(IndicatorError) as caught:
        ind.housing_retention(16, 14, {"facility": 1})
    assert caught.value.code == "retention_sum_mismatch"
    assert str(caught.value) == ("총 입주민 규모(A) 16명은 지속거주 입주민(B) 14명과 퇴거자(C) 1명의 합(15명)과 "
                                 "같아야 합니다. 인원을 다시 확인하세요.")
    with pytest.raises(IndicatorError, match="퇴거자 소계"):
        ind.housing_retention(16, 14, {"facility": 1}, exited=2)


def test_retention_counts_each_exit_kind_and_asks_a_reason_below_70():
    result = ind.housing_retention(10, 6, {"independent": 1, "facility": 1, "death": 1, "absconded": 0,
                                           "교정시설 수감": 1})
    assert result.rate == D("60.0") and result.reason_needed
    assert ind.REASON_PROMPTS["retention"].startswith("주거유지율이 70% 미만")
    assert ind.housing_retention(10, 7, exited=3).rate == D("70.0")
    assert not ind.housing_retention(10, 7, exited=3).reason_needed  # 70% itself meets the target


@pytest.mark.parametrize("args", [(0, 0), (16, -1), (16, "열넷"), (16, 14.0), (16, True)])
def test_retention_refuses_counts_that_are_not_head_counts(args):
    with pytest.raises(IndicatorError):
        ind.housing_retention(*args, exited=0)


def test_retention_refuses_an_unknown_exit_kind_and_b_over_capacity():
    with pytest.raises(IndicatorError, match="알 수 없는 퇴거 사유"):
        ind.housing_retention(3, 2, {"이사": 1})
    with pytest.raises(IndicatorError, match="정원"):
        ind.housing_retention(20, 18, exited=2, capacity=17)


# --- ② 주거이탈률 and ③ 정신병원 입원율 -------------------------------------------------------


def test_departure_rates_the_manuals_example():
    result = ind.yearly_rates([(16, 4), (17, 2), (17, 2)], indicator="departure")
    assert [str(y.rate) for y in result.years] == ["25.0", "11.7", "11.7"]
    assert str(result.mean) == "16.1"  # (25.0 + 11.7 + 11.7)/3 = 16.13…
    assert not result.reason_needed


def test_hospital_rates_the_manuals_example():
    result = ind.yearly_rates([(16, 3), (17, 3), (17, 2)], indicator="hospital")
    assert [str(y.rate) for y in result.years] == ["18.7", "17.6", "11.7"]  # 18.75 and 17.64… truncated
    assert str(result.mean) == "16.0"


def test_rates_are_truncated_never_rounded():
    assert ind.truncate_tenths(3, 16, scale=100) == D("18.7")  # 18.75: rounding would give 18.8
    assert ind.truncate_tenths(2, 17, scale=100) == D("11.7")  # 11.76…: rounding would give 11.8
    assert ind.mean_of_rates([D("18.7"), D("17.6"), D("11.8")]) == D("16.0")  # 16.03…
    assert ind.mean_of_rates([D("0.1"), D("0.1"), D("0.0")]) == D("0.0")  # 0.066… stays below 0.1


def test_a_rising_rate_asks_for_a_reason():
    rising = ind.yearly_rates([(2023, 17, 1), (2024, 17, 3)], indicator="hospital")
    assert rising.reason_needed and rising.rises == ((2023, 2024),)
    assert not ind.yearly_rates([(2023, 17, 2), (2024, 17, 2)]).reason_needed


def test_rates_refuse_more_people_than_residents_and_skip_an_empty_year():
    with pytest.raises(IndicatorError, match="총 입주민 규모\\(A\\) 4명보다"):
        ind.yearly_rates([(2023, 4, 5)])
    result = ind.yearly_rates([(2023, 0, 0), (2024, 10, 1)])
    assert result.years[0].rate is None and result.mean == D("10.0")


def test_a_counting_year_before_the_notice_is_not_counted():
    agreement = {"starts": "2022-07-01", "ends": "2024-07-31", "notice_date": "2023-02-15"}
    apply_from = indicators_apply_from(agreement)
    years = ind.counting_years(date(2022, 7, 1), date(2024, 4, 10), apply_from=apply_from,
                               ends=date(2024, 7, 31))
    assert [(y.ordinal, y.year, y.counted) for y in years] == [(1, 2022, False), (2, 2023, True), (3, 2024, True)]
    assert [(y.starts, y.ends) for y in years] == [
        (date(2022, 7, 1), date(2022, 12, 31)),  # years 1 and 2 to 31 December
        (date(2023, 1, 1), date(2023, 12, 31)),
        (date(2024, 1, 1), date(2024, 3, 31)),  # year 3 to the end of the month before an April evaluation
    ]
    assert years[1].label == "2차 연도 (2023)"  # the manual: 2차 연도인 '23년부터


def test_counting_years_without_a_notice_count_nothing_and_refuse_an_early_evaluation():
    assert not any(y.counted for y in ind.counting_years(date(2022, 7, 1), date(2023, 5, 1), apply_from=None))
    with pytest.raises(IndicatorError, match="협약 시작일"):
        ind.counting_years(date(2024, 3, 1), date(2024, 3, 20), apply_from=date(2024, 3, 1))
    assert ind.base_date(date(2024, 1, 15)) == date(2023, 12, 31)


# --- ④ 사회적 관계 향상도 -----------------------------------------------------------------


def test_isolation_scale_best_answers_score_0_and_worst_3():
    assert str(ind.score_isolation(BEST).display) == "0.0"
    assert str(ind.score_isolation(WORST).display) == "3.0"
    assert ind.score_isolation(WORST).mean == Fraction(3)


def test_isolation_items_3_and_4_are_reverse_scored():
    same = ["매우 그렇다"] * 4 + ["0명", "전혀 안 함"]
    assert ind.score_isolation(same).items == (3, 3, 0, 0, 3, 3)
    # The sheet prints the reversed score beside the words: 3. 거의 그렇지 않다 on items 3 and 4.
    assert ind.score_isolation(["0", "0", "3", "3", "3", "3"]).items == (0, 0, 3, 3, 3, 3)


@pytest.mark.parametrize("answer, score", [
    ("0명", 3), ("1~2명", 2), ("3~6명", 1), ("7명 이상", 0),
    ("0 명", 3), ("1명", 2), ("2명", 2), ("3명", 1), ("6명", 1), ("7명", 0), ("12명", 0),
])
def test_isolation_item_5_by_band(answer, score):
    assert ind.score_isolation(BEST[:4] + [answer, "1시간 이상"]).items[4] == score


@pytest.mark.parametrize("answer, score", [
    ("전혀 안 함", 3), ("15분 이하", 2), ("15분~1시간", 1), ("1시간 이상", 0),
    ("0분", 3), ("5분", 2), ("15분", 2), ("16분", 1), ("59분", 1), ("60분", 0), ("1시간", 0), ("2시간 30분", 0),
])
def test_isolation_item_6_by_band(answer, score):
    assert ind.score_isolation(BEST[:5] + [answer]).items[5] == score


@pytest.mark.parametrize("answers", [
    BEST[:5], BEST + ["0"], BEST[:5] + [""], BEST[:4] + ["많음", "1시간"], ["4"] + BEST[1:], "000000",
])
def test_isolation_sheet_refuses_a_wrong_answer_without_repeating_it(answers):
    with pytest.raises(IndicatorError) as caught:
        ind.score_isolation(answers)
    assert "많음" not in str(caught.value)


def test_house_score_is_the_mean_of_residents_means_truncated():
    sheets = [ind.score_isolation(BEST), ind.score_isolation(WORST), ind.score_isolation(["1"] * 6)]
    wave = ind.isolation_wave(sheets)
    assert (wave.n, wave.total) == (3, 0 + 18 + 6)
    assert wave.mean == D("1.3")  # (0 + 3 + 1)/3 = 1.33…
    assert ind.isolation_wave([]).mean is None


@pytest.mark.parametrize("pre, post, expected, direction", [
    ("2.5", "2.0", "-0.5", "positive"),  # the manual's 긍정적 결과 예시
    ("2.1", "2.5", "0.4", "negative"),  # 부정적 결과 예시: (+)0.4
    ("2.5", "2.3", "-0.2", "positive"),  # the table's example
])
def test_social_change_the_manuals_examples(pre, post, expected, direction):
    result = ind.social_change(D(pre), D(post))
    assert result.change == D(expected) and result.direction == direction
    assert result.reason_needed == (direction == "negative")


def test_social_change_from_stored_waves():
    # Two residents whose means are 2.5 and 2.5 before, 2.0 and 2.0 after: sums 15 + 15 and 12 + 12.
    result = ind.social_change(ind.IsolationWave(2, 30), ind.IsolationWave(2, 24))
    assert (result.pre, result.post, result.change) == (D("2.5"), D("2.0"), D("-0.5"))
    assert ind.social_change(ind.IsolationWave(0, 0), ind.IsolationWave(2, 24)).change is None


# --- ⑤ 위험 음주율 개선도 -----------------------------------------------------------------


@pytest.mark.parametrize("sex, total, band", [
    ("남", 9, "normal"), ("남", 10, "risk"), ("남", 19, "risk"), ("남", 20, "disorder"),
    ("여", 5, "normal"), ("여", 6, "risk"), ("여", 9, "risk"), ("여", 10, "disorder"),
    ("남성", 0, "normal"), ("female", 40, "disorder"),
])
def test_audit_k_cut_offs(sex, total, band):
    assert ind.audit_band(total, sex) == band


def test_audit_k_cut_offs_come_from_the_manual():
    assert ind.AUDIT_CUTOFFS == {"male": (10, 20), "female": (6, 10)}


def test_audit_k_sheet_scores_items_and_band():
    answers = [4, 4, 4, 4, 4, 4, 4, 4, 4, 4]
    assert ind.score_audit(answers, "남").total == 40
    score = ind.score_audit(["1", "2", "1점", 0, 0, 0, 0, 0, "2", 4], "남")
    assert (score.total, score.band) == (10, "risk")


@pytest.mark.parametrize("item", [9, 10])
@pytest.mark.parametrize("bad", [1, 3, "1", "3점"])
def test_audit_k_items_9_and_10_refuse_1_and_3(item, bad):
    answers = [0] * 10
    answers[item - 1] = bad
    with pytest.raises(IndicatorError) as caught:
        ind.score_audit(answers, "여")
    assert caught.value.code == "audit_answer_invalid" and "0, 2, 4" in str(caught.value)


@pytest.mark.parametrize("answers", [[5] + [0] * 9, [0] * 9, [0] * 11, [-1] + [0] * 9, [0.5] + [0] * 9])
def test_audit_k_refuses_points_outside_the_items(answers):
    with pytest.raises(IndicatorError):
        ind.score_audit(answers, "남")


def test_audit_k_total_is_at_most_40_and_sex_is_required():
    with pytest.raises(IndicatorError, match="0~40"):
        ind.audit_band(41, "남")
    with pytest.raises(IndicatorError, match="남 또는 여"):
        ind.score_audit([0] * 10, "")


def test_drinking_rate_the_manuals_example_and_its_change():
    pre = ind.audit_wave(counts={("male", "normal"): 6, ("male", "risk"): 3, ("male", "disorder"): 3})
    post = ind.audit_wave(counts={("male", "normal"): 9, ("male", "risk"): 2, ("male", "disorder"): 3})
    assert (pre.n, pre.risky, str(pre.rate)) == (12, 6, "50.0")
    assert (post.n, post.risky, str(post.rate)) == (14, 5, "35.7")
    result = ind.drinking_change(pre, post)
    # The manual prints (-)14.4%p; its own figures, 35.7 − 50.0, give −14.3 (README: Supportive housing).
    assert str(result.change) == "-14.3" and result.direction == "positive" and not result.reason_needed


def test_drinking_change_the_manuals_simple_examples():
    assert ind.drinking_change(D("20"), D("15")).change == D("-5.0")
    worse = ind.drinking_change(D("10"), D("20"))
    assert worse.change == D("10.0") and worse.reason_needed


def test_drinking_wave_from_scored_sheets_counts_bands_by_sex():
    sheets = [ind.score_audit([0] * 10, "남"), ind.score_audit([2] * 5 + [0] * 5, "남"),
              ind.score_audit([2, 2, 2, 0, 0, 0, 0, 0, 0, 0], "여"), ind.score_audit([4] * 5 + [0] * 5, "여")]
    wave = ind.audit_wave(sheets)
    assert wave.counts[("male", "normal")] == 1 and wave.counts[("male", "risk")] == 1
    assert wave.counts[("female", "risk")] == 1 and wave.counts[("female", "disorder")] == 1
    assert (wave.n, wave.risky, wave.rate) == (4, 3, D("75.0"))


# --- staffing ---------------------------------------------------------------------------


def test_staffing_the_pilot_houses():
    women = ind.staffing(mental_illness=18)
    men = ind.staffing(alcohol=20)
    assert women.coordinators_needed == 3 and men.coordinators_needed == 4
    assert women.supervisor_recommended and men.supervisor_recommended
    assert women.case_managers_average == 3 and men.case_managers_average == 4


@pytest.mark.parametrize("mental, alcohol, needed", [(0, 0, 0), (7, 0, 1), (8, 0, 2), (0, 5, 1), (0, 6, 2),
                                                     (7, 5, 2), (4, 2, 1), (4, 3, 2)])
def test_staffing_ratios_add_up(mental, alcohol, needed):
    assert ind.staffing(mental, alcohol).coordinators_needed == needed


def test_staffing_against_the_staff_a_house_has():
    check = ind.staffing(18, coordinators=2, supervisors=0)
    assert check.coordinators_short == 1 and check.supervisor_missing
    assert not ind.staffing(7, coordinators=1, supervisors=0).supervisor_missing  # one coordinator needs none
    assert ind.staffing(18, coordinators=3, supervisors=1).coordinators_short == 0


# --- the evaluation scorecard ------------------------------------------------------------


def _all(grade: str, bonus: int = 5) -> dict:
    grades = {i.number: grade for i in ind.evaluation_indicators() if i.scale == "grade"}
    grades[20] = bonus
    return grades


def test_scorecard_table_is_the_manuals():
    table = ind.evaluation_indicators()
    assert len(table) == 21
    assert len({i.area for i in table}) == 3 and len({i.item_no for i in table}) == 6
    assert sum(i.mandatory for i in table) == 10
    areas = {}
    for i in table:
        areas[i.area] = areas.get(i.area, 0) + 1
    assert areas == {"사업 운영체계": 10, "입주자 지원체계": 9, "평가단 종합소견": 2}
    for item_no, points in {"01": 14, "02": 9, "03": 17, "04": 50, "05": 5, "06": 5}.items():
        assert sum(i.max_points for i in table if i.item_no == item_no) == points
        assert {i.item_points for i in table if i.item_no == item_no} == {points}
    assert [i.number for i in table if i.points["average"] is None and i.scale == "grade"] == [4, 6, 7, 19]


def test_scorecard_all_excellent_is_100():
    card = ind.score_evaluation(_all("우수"))
    assert card.total == 100 == card.maximum and card.complete and not card.corrective_action
    assert card.by_area == {"사업 운영체계": 40, "입주자 지원체계": 55, "평가단 종합소견": 5}


def test_scorecard_x_refuses_average():
    for number in (4, 6, 7, 19):
        with pytest.raises(IndicatorError) as caught:
            ind.score_evaluation({number: "보통"})
        assert caught.value.code == "grade_no_average" and "(X)" in str(caught.value)
    assert ind.score_evaluation({5: "보통"}).points[5] == 2


def test_scorecard_one_mandatory_poor_flags_corrective_action():
    grades = _all("우수")
    grades[11] = "미흡"  # 입주자 개인별 서비스 계획 수립 여부(필수)
    card = ind.score_evaluation(grades)
    assert card.corrective_action and card.corrective == (11,) and card.total == 100 - 10 + 3
    optional = _all("우수")
    optional[3] = "미흡"  # (코로나19) 방역규정 준수 여부: not mandatory
    assert not ind.score_evaluation(optional).corrective_action


def test_scorecard_partial_card_lists_whats_missing_and_refuses_bad_values():
    card = ind.score_evaluation({1: "excellent"})
    assert card.total == 5 and not card.complete and 20 in card.missing and 21 not in card.missing
    for grades in ({22: "우수"}, {1: "좋음"}, {20: 6}, {20: "우수"}, {21: "우수"}):
        with pytest.raises(IndicatorError):
            ind.score_evaluation(grades)
    assert ind.score_evaluation(_all("미흡", 0)).total == sum(
        i.points["poor"] for i in ind.evaluation_indicators())


def test_committee_drops_the_highest_and_the_lowest():
    result = ind.committee_score([95, 60, 81, 82, 83, 84, 85, 86, 87])
    assert result.dropped == (D(95), D(60)) and result.mean == Fraction(81 + 82 + 83 + 84 + 85 + 86 + 87, 7)
    assert result.display == D("84.0")
    assert ind.committee_score([80.5, 80, 80, 80, 80, 80, 80, 80, 80]).mean == 80
    assert ind.committee_score([70, 90, 91, 80, 80, 80, 80, 80, 100]).display == D("83.0")  # 581/7 = 83.0
    with pytest.raises(IndicatorError, match="9명"):
        ind.committee_score([80] * 8)
    with pytest.raises(IndicatorError):
        ind.committee_score([80] * 8 + [101])
