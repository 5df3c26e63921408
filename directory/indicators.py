"""The supportive-housing manual's outcome indicators, staffing rule and evaluation scorecard, as pure functions.

Seoul's manual (`../shared/seeds/001_…`) gives each indicator a formula and
a worked example; these functions reproduce the examples exactly. They take
counts and answers and return plain values; nothing here reads or writes the
store (:mod:`directory.outcomes` does that, and keeps only aggregates).

The five outcome indicators (§3-3, "추가 개발 결과중심 성과지표 5종"):

① 주거유지율 D = B/A×100: A residents over the agreement (운영 시작 월 to the
   end of the month before the evaluation), B still living there, C who left,
   split five ways; A = B + C is checked.
② 주거이탈률 and ③ 정신병원 입원율, per counting year: people (실인원, once a
   year however often) who left for a week or more / were in a psychiatric
   hospital for three months or more, over the year's residents. Years 1 and
   2 end on 31 December, the last on the end of the month before the
   evaluation; counting starts in the year of the city's notice; a mean over
   the counted years.
④ 사회적 관계 향상도: the 6-item 외로움과 사회적 고립 척도 (0–3 each; items 3–4
   reverse scored, items 5–6 by band). A resident's score is the mean of the
   six, the house's the mean of its residents; change = 사후 − 사전, negative
   is good.
⑤ 위험 음주율 개선도: AUDIT-K (items 1–8 0–4, items 9–10 0/2/4; 남 10/20,
   여 6/10), rate = (위험음주 + 알코올 사용장애)/A×100, change = 사후 − 사전 in %p.

**Numbers.** Every rate and mean is truncated to one decimal (버림), as the
manual's examples are (3/16 = 18.75 → 18.7%, 2/17 = 11.76… → 11.7%), and a
mean of yearly rates is the truncated mean of the truncated rates
((25.0 + 11.7 + 11.7)/3 = 16.13… → 16.1%). All arithmetic is on integers
(tenths), never floats, so no binary rounding can move a figure; values come
back as :class:`decimal.Decimal` with one decimal place. A change is the
difference of the two printed figures (35.7 − 50.0 = −14.3%p; the manual
prints −14.4, an arithmetic slip: see the README).

Errors carry a code (:class:`IndicatorError`); no message repeats a
resident's answer, so a refused sheet leaves nothing of it in a log.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from . import privacy
from .errors import YeongyeError
from .paths import REFERENCE_DIR

__all__ = [
    "IndicatorError", "INDICATORS", "INDICATOR_LABELS", "REASON_PROMPTS", "RETENTION_TARGET", "COUNT_LABELS",
    "EXIT_KINDS", "EXIT_LABELS", "Retention", "housing_retention",
    "CountingYear", "base_date", "counting_years",
    "YearRate", "YearlyRates", "yearly_rates",
    "ISOLATION_ITEMS", "ISOLATION_SCALE", "IsolationScore", "score_isolation", "IsolationWave", "isolation_wave",
    "ScaleChange", "social_change",
    "AUDIT_ITEMS", "AUDIT_SCALE", "SEXES", "SEX_LABELS", "BANDS", "BAND_LABELS", "AUDIT_CUTOFFS", "AuditScore",
    "score_audit", "audit_band", "parse_sex", "AuditWave", "audit_wave", "drinking_change",
    "truncate_tenths", "mean_of_rates", "change", "head_count",
    "Staffing", "staffing",
    "EVALUATION_FILE", "GRADES", "GRADE_LABELS", "EvaluationIndicator", "evaluation_indicators", "Scorecard",
    "score_evaluation", "COMMITTEE_SIZE", "CommitteeScore", "committee_score",
]


class IndicatorError(YeongyeError, ValueError):
    """Counts, answers or grades the manual's formulas cannot take; `code` says why."""

    code = "indicator_error"


# The five indicators, in the manual's order, with the words it uses.
INDICATORS = ("retention", "departure", "hospital", "social", "drinking")
INDICATOR_LABELS = {
    "retention": "주거유지율", "departure": "주거이탈률", "hospital": "정신병원 입원율",
    "social": "사회적 관계 향상도", "drinking": "위험 음주율 개선도",
}
# When the manual asks the provider to write a reason (각 지표의 비고), in its words.
REASON_PROMPTS = {
    "retention": "주거유지율이 70% 미만입니다. 병원 입원, 지역사회 독립거주 같은 긍정적 퇴거 등 사유를 작성하세요.",
    "departure": "주거이탈률이 높아졌습니다. 이에 대한 배경 등을 작성하세요.",
    "hospital": "정신병원 입원율이 높아졌습니다. 사유를 작성하세요 (자의 입원은 치료 의지를 보이는 긍정적 상황일 수 있습니다).",
    "social": "사회적 관계가 나빠졌습니다(변화 점수 +). 사후 평가 시점 입주민 삶의 이슈나 비교 기간이 짧았던 사정 등 사유를 작성하세요.",
    "drinking": "위험 음주율이 높아졌습니다(개선도 +). 사후 평가 시점 입주민 상황이나 비교 기간이 짧았던 사정 등 사유를 작성하세요.",
}
RETENTION_TARGET = Decimal("70.0")
# The counts' names in messages, in the manual's words (the web translates them).
COUNT_LABELS = {
    "total": "총 입주민 규모(A)", "continuing": "지속거주 입주민 규모(B)", "exited": "퇴거자 소계(C)",
    "capacity": "정원", "departed": "1주일 이상 주거이탈 실인원(B)", "hospitalised": "3개월 이상 정신병원 입원 실인원(B)",
    "mental_illness": "정신질환 입주민", "alcohol": "알코올 의존 입주민", "residents": "입주민",
    "coordinators": "코디네이터", "supervisors": "수퍼바이저",
}
MAX_COUNT = 100_000  # more residents than any house has: a typing error


# --- numbers ----------------------------------------------------------------------


def truncate_tenths(numerator: int, denominator: int, *, scale: int = 1) -> Decimal:
    """numerator/denominator × `scale`, truncated (버림) to one decimal, as a Decimal with one place.

    Integers only: ``(numerator × scale × 10) // denominator`` tenths.

    >>> truncate_tenths(14, 16, scale=100), truncate_tenths(2, 17, scale=100), truncate_tenths(0, 5)
    (Decimal('87.5'), Decimal('11.7'), Decimal('0.0'))
    """
    if denominator <= 0 or numerator < 0:
        raise IndicatorError("indicator_error")
    return Decimal((numerator * scale * 10) // denominator).scaleb(-1)


def mean_of_rates(rates: Iterable[Decimal]) -> Decimal | None:
    """The truncated mean of one-decimal figures (the manual's 3년 평균); None for none.

    >>> mean_of_rates([Decimal("25.0"), Decimal("11.7"), Decimal("11.7")])
    Decimal('16.1')
    """
    tenths = [_tenths(r) for r in rates]
    if not tenths:
        return None
    return truncate_tenths(sum(tenths), len(tenths) * 10)


def change(pre: Decimal | None, post: Decimal | None) -> Decimal | None:
    """사후 − 사전 of two one-decimal figures (exact: both already have one place); None if either is missing.

    >>> change(Decimal("50.0"), Decimal("35.7"))
    Decimal('-14.3')
    """
    if pre is None or post is None:
        return None
    return Decimal(_tenths(post) - _tenths(pre)).scaleb(-1)


def _tenths(value) -> int:
    tenths = Decimal(value) * 10
    if tenths != tenths.to_integral_value():
        raise IndicatorError("not_one_decimal", value=str(value))
    return int(tenths)


def head_count(value, label: str, *, low: int = 0) -> int:
    """A head count: a whole number (``16`` or ``"16명"``) from `low` to MAX_COUNT; bools and fractions refused."""
    if isinstance(value, bool):
        raise IndicatorError("count_invalid", label=label, value=value, low=low)
    number = value
    if isinstance(value, str):
        text = value.strip().replace(",", "").removesuffix("명").strip()
        number = int(text) if re.fullmatch(r"\d+", text) else None
    if not isinstance(number, int) or not low <= number <= MAX_COUNT:
        raise IndicatorError("count_invalid", label=label, value=value, low=low)
    return number


# --- ① 주거유지율 -------------------------------------------------------------------

# The manual's five kinds of exit (퇴거자 규모), in its column order.
EXIT_KINDS = ("independent", "facility", "death", "absconded", "prison")
EXIT_LABELS = {
    "independent": "지역사회 독립거주", "facility": "시설/병원 입소", "death": "사망",
    "absconded": "무단이탈/연락두절 등", "prison": "교정시설 수감",
}


@dataclass(frozen=True)
class Retention:
    """① 주거유지율: A residents, B continuing, C exits (by kind), D = B/A×100 truncated; the 70% target."""

    total: int
    continuing: int
    exits: dict
    exited: int
    rate: Decimal
    capacity: int | None = None

    @property
    def meets_target(self) -> bool:
        """D ≥ 70% (the manual: 평가 시점까지 70% 이상 유지)."""
        return self.rate >= RETENTION_TARGET

    @property
    def reason_needed(self) -> bool:
        """Below 70%, the manual asks for a reason."""
        return not self.meets_target


def housing_retention(total, continuing, exits: Mapping | None = None, *, exited=None,
                      capacity=None) -> Retention:
    """① 주거유지율 from A (`total`), B (`continuing`) and the exits by kind (EXIT_KINDS or their labels).

    `exited` (C, 소계) may be given with or without the kinds; A = B + C is
    checked, and C against the kinds' sum. `capacity` (정원) bounds B.

    >>> housing_retention(16, 14, {"facility": 2}).rate
    Decimal('87.5')
    >>> housing_retention(16, 14, exited=3)
    Traceback (most recent call last):
    ...
    directory.indicators.IndicatorError: 총 입주민 규모(A) 16명은 지속거주 입주민(B) 14명과 퇴거자(C) 3명의 합(17명)과 같아야 합니다. 인원을 다시 확인하세요.
    """
    a = head_count(total, COUNT_LABELS["total"], low=1)
    b = head_count(continuing, COUNT_LABELS["continuing"])
    by_kind = {kind: 0 for kind in EXIT_KINDS}
    for key, value in (exits or {}).items():
        kind = _exit_kind(key)
        by_kind[kind] += head_count(value, EXIT_LABELS[kind])
    kinds_sum = sum(by_kind.values())
    c = kinds_sum if exited is None else head_count(exited, COUNT_LABELS["exited"])
    if exits and c != kinds_sum:
        raise IndicatorError("exits_sum_mismatch", exited=c, sum=kinds_sum)
    if a != b + c:
        raise IndicatorError("retention_sum_mismatch", total=a, continuing=b, exited=c, sum=b + c)
    cap = None if capacity in (None, "") else head_count(capacity, COUNT_LABELS["capacity"], low=1)
    if cap is not None and b > cap:
        raise IndicatorError("continuing_over_capacity", continuing=b, capacity=cap)
    return Retention(a, b, by_kind, c, truncate_tenths(b, a, scale=100), cap)


def _exit_kind(key) -> str:
    text = str(key).strip()
    for kind, label in EXIT_LABELS.items():
        if text in (kind, label, label.replace("/", "·"), label.removesuffix(" 등")):
            return kind
    raise IndicatorError("unknown_exit_kind", value=text, known=", ".join(EXIT_LABELS.values()))


# --- counting years (② and ③) -------------------------------------------------------


@dataclass(frozen=True)
class CountingYear:
    """One counting year of an agreement: its number (1차 연도 …), calendar year, first and last day, and
    whether it counts (not before the notice's year)."""

    ordinal: int
    year: int
    starts: date
    ends: date
    counted: bool

    @property
    def label(self) -> str:
        """The manual's row heading, e.g. ``2차 연도 (2023)``."""
        return f"{self.ordinal}차 연도 ({self.year})"


def base_date(evaluation: date) -> date:
    """The last day of the month before the evaluation (평가 시점 전월 말: an April evaluation counts to 31 March).

    >>> base_date(date(2024, 4, 15))
    datetime.date(2024, 3, 31)
    """
    return evaluation.replace(day=1) - timedelta(days=1)


def counting_years(starts: date, evaluation: date, *, apply_from: date | None,
                   ends: date | None = None) -> list[CountingYear]:
    """The counting years of an agreement that began on `starts`, for an evaluation on `evaluation`.

    Year 1 runs from the start to 31 December, each later year from 1 January
    to 31 December, and the last to the end of the month before the
    evaluation (or the agreement's last day, `ends` being the day after it
    as in :mod:`directory.sites`). A year before `apply_from`'s year is not
    counted (:func:`directory.sites.indicators_apply_from`: the notice's
    year); with no `apply_from` no year is.

    >>> [(y.ordinal, y.year, y.counted) for y in counting_years(
    ...     date(2022, 7, 1), date(2024, 4, 1), apply_from=date(2023, 1, 1))]
    [(1, 2022, False), (2, 2023, True), (3, 2024, True)]
    """
    last = base_date(evaluation)
    if ends is not None:
        last = min(last, ends - timedelta(days=1))
    if last < starts:
        raise IndicatorError("evaluation_before_start", base=last.isoformat(), starts=starts.isoformat())
    out = []
    for ordinal, year in enumerate(range(starts.year, last.year + 1), start=1):
        first = starts if year == starts.year else date(year, 1, 1)
        final = last if year == last.year else date(year, 12, 31)
        counted = apply_from is not None and year >= apply_from.year
        out.append(CountingYear(ordinal, year, first, final, counted))
    return out


# --- ② 주거이탈률 and ③ 정신병원 입원율 ------------------------------------------------


@dataclass(frozen=True)
class YearRate:
    """One year's row: A residents, B people (실인원), C = B/A×100 truncated (None when A is 0)."""

    year: int | str | None
    residents: int
    people: int
    rate: Decimal | None


@dataclass(frozen=True)
class YearlyRates:
    """② or ③: the counted years' rows, their truncated mean, and the rises that call for a reason."""

    indicator: str
    years: tuple
    mean: Decimal | None
    rises: tuple = field(default=())

    @property
    def reason_needed(self) -> bool:
        """A rate rose from one counted year to the next (the manual: 변화가 긍정적이지 않을 경우)."""
        return bool(self.rises)


def yearly_rates(counts: Sequence, *, indicator: str = "departure") -> YearlyRates:
    """② 주거이탈률 or ③ 정신병원 입원율 over the counted years, oldest first.

    `counts`: one ``(A, B)`` or ``(year, A, B)`` per counted year (A the
    year's residents, B the people who left for a week or more, or were in
    a psychiatric hospital for three months or more, each counted once).
    `rises` lists ``(year before, year)`` pairs whose rate went up.

    >>> r = yearly_rates([(16, 4), (17, 2), (17, 2)])
    >>> [y.rate for y in r.years], r.mean
    ([Decimal('25.0'), Decimal('11.7'), Decimal('11.7')], Decimal('16.1'))
    """
    if indicator not in ("departure", "hospital"):
        raise IndicatorError("unknown_indicator", value=indicator)
    label = COUNT_LABELS["departed" if indicator == "departure" else "hospitalised"]
    rows = []
    for item in counts:
        year, a, b = item if len(item) == 3 else (None, *item)
        a = head_count(a, COUNT_LABELS["total"])
        b = head_count(b, label)
        if b > a:
            raise IndicatorError("people_over_residents", year=year or len(rows) + 1, label=label, people=b,
                                 residents=a)
        rows.append(YearRate(year, a, b, truncate_tenths(b, a, scale=100) if a else None))
    rated = [r for r in rows if r.rate is not None]
    rises = tuple((before.year or i, after.year or i + 1)
                  for i, (before, after) in enumerate(zip(rated, rated[1:]), start=1) if after.rate > before.rate)
    return YearlyRates(indicator, tuple(rows), mean_of_rates(r.rate for r in rated), rises)


# --- ④ 사회적 관계 향상도: 외로움과 사회적 고립 척도 ----------------------------------------

ISOLATION_ITEMS = 6
_AGREEMENT = ("거의 그렇지 않다", "다소 그렇지 않다", "다소 그렇다", "매우 그렇다")
# The scale as the manual prints it: each item's options, in the printed order, with the
# score printed beside each (items 3-4 reversed; items 5-6 scored by band).
ISOLATION_SCALE = (
    ("나는 외롭다고 느낀다.", tuple(zip(_AGREEMENT, (0, 1, 2, 3)))),
    ("나는 소외되어 있다고 느낀다.", tuple(zip(_AGREEMENT, (0, 1, 2, 3)))),
    ("나는 가족이나 친구들에게 편하게 의지할 수 있다.", tuple(zip(_AGREEMENT, (3, 2, 1, 0)))),
    ("나의 일상적인 일에 도움을 줄 수 있는 사람이 있다.", tuple(zip(_AGREEMENT, (3, 2, 1, 0)))),
    ("월 1회 이상 사적으로 만나거나 주 1회 이상 연락을 할 정도로 친한 사람은 몇 명입니까?(가족, 친척, 친구 포함)",
     (("0명", 3), ("1~2명", 2), ("3~6명", 1), ("7명 이상", 0))),
    ("친구나 가족과 사적인 연락을 하는 데 하루 중 평균 몇 분 정도를 사용하십니까?(전화, 문자, 카카오톡 등 메신저)",
     (("전혀 안 함", 3), ("15분 이하", 2), ("15분~1시간", 1), ("1시간 이상", 0))),
)
_PEOPLE = re.compile(r"^(\d+)\s*명$")
_TIME = re.compile(r"^(?:(\d+)\s*시간)?\s*(?:(\d+)\s*분)?$")


@dataclass(frozen=True)
class IsolationScore:
    """One resident's sheet, scored in memory: the six item scores, their sum (0–18) and mean (0–3)."""

    items: tuple
    total: int

    @property
    def mean(self) -> Fraction:
        """The mean of the six items, exact."""
        return Fraction(self.total, ISOLATION_ITEMS)

    @property
    def display(self) -> Decimal:
        """The mean truncated to one decimal."""
        return truncate_tenths(self.total, ISOLATION_ITEMS)


def score_isolation(answers: Sequence) -> IsolationScore:
    """Score one 외로움과 사회적 고립 척도 sheet (six answers, item 1 first).

    An answer is the option's words (``매우 그렇다``; for item 5 ``3~6명``, for
    item 6 ``15분~1시간``) or the score printed beside the ticked option on
    the manual's sheet (0–3; items 3 and 4 print theirs reversed, so the
    words are the safer way to type them). Item 5 also takes a number of
    people (``4명``) and item 6 the minutes a day (``20분``, ``1시간``),
    which fall in the manual's bands: 0, 1–2, 3–6, 7 or more people; none,
    up to 15 minutes, 15 minutes to an hour, an hour or more. A bare number
    on items 5–6 is a printed score (item 5's ``3`` is "0명", not three
    people).

    >>> score_isolation(["거의 그렇지 않다", "거의 그렇지 않다", "매우 그렇다", "매우 그렇다", "7명 이상", "1시간"]).display
    Decimal('0.0')
    >>> score_isolation(["매우 그렇다", "매우 그렇다", "거의 그렇지 않다", "거의 그렇지 않다", "0명", "전혀 안 함"]).display
    Decimal('3.0')
    """
    answers = _answers(answers, ISOLATION_ITEMS, "외로움과 사회적 고립 척도")
    scores = tuple(_isolation_item(i, answer) for i, answer in enumerate(answers, start=1))
    return IsolationScore(scores, sum(scores))


def _isolation_item(item: int, answer) -> int:
    options = ISOLATION_SCALE[item - 1][1]
    text = _answer_text(answer)
    compact = text.replace(" ", "").replace("-", "~").replace("∼", "~").rstrip(".")
    for label, score in options:
        if compact == label.replace(" ", ""):
            return score
    if re.fullmatch(r"[0-3]", compact):
        return int(compact)
    if item == 5 and (m := _PEOPLE.match(text)):
        people = int(m.group(1))
        return 3 if people == 0 else 2 if people <= 2 else 1 if people <= 6 else 0
    if item == 6 and text and (m := _TIME.match(text)) and (m.group(1) or m.group(2)):
        minutes = int(m.group(1) or 0) * 60 + int(m.group(2) or 0)
        return 3 if minutes == 0 else 2 if minutes <= 15 else 1 if minutes < 60 else 0
    raise IndicatorError("isolation_answer_invalid", item=item, choices=" / ".join(label for label, _ in options))


@dataclass(frozen=True)
class IsolationWave:
    """A wave (사전 or 사후) as stored: N residents and Σ of their item sums (Σ means × 6, exact)."""

    n: int
    total: int

    @property
    def mean(self) -> Decimal | None:
        """The house's score: the mean of residents' means, Σ/(6N), truncated to one decimal; None for N = 0."""
        return truncate_tenths(self.total, ISOLATION_ITEMS * self.n) if self.n else None


def isolation_wave(scores: Iterable[IsolationScore]) -> IsolationWave:
    """The additive aggregate of scored sheets (what the store keeps)."""
    scores = list(scores)
    return IsolationWave(len(scores), sum(s.total for s in scores))


@dataclass(frozen=True)
class ScaleChange:
    """④ or ⑤: the 사전 and 사후 figures and change = 사후 − 사전 (negative is good)."""

    indicator: str
    pre: Decimal | None
    post: Decimal | None
    change: Decimal | None

    @property
    def direction(self) -> str | None:
        """``positive`` (a fall: good), ``negative`` (a rise), ``none``; None until both waves exist."""
        if self.change is None:
            return None
        return "positive" if self.change < 0 else "negative" if self.change > 0 else "none"

    @property
    def reason_needed(self) -> bool:
        """A positive change (worse) calls for a reason."""
        return self.change is not None and self.change > 0


def social_change(pre, post) -> ScaleChange:
    """④ 사회적 관계 향상도: 사후 − 사전 of the house's scores (IsolationWave or one-decimal figures).

    >>> social_change(Decimal("2.5"), Decimal("2.0")).change
    Decimal('-0.5')
    """
    pre_mean = pre.mean if isinstance(pre, IsolationWave) else _figure(pre)
    post_mean = post.mean if isinstance(post, IsolationWave) else _figure(post)
    return ScaleChange("social", pre_mean, post_mean, change(pre_mean, post_mean))


def _figure(value) -> Decimal | None:
    if value is None:
        return None
    number = Decimal(str(value))
    _tenths(number)
    return number.quantize(Decimal("0.1"))


# --- ⑤ 위험 음주율 개선도: AUDIT-K --------------------------------------------------------

AUDIT_ITEMS = 10
# Items 1-8 score 0-4; items 9 and 10 only 0, 2 or 4 (아니오 / 있지만 지난 1년간에는 없었다 / 지난 1년간 있었다).
_AUDIT_CHOICES = {**{i: (0, 1, 2, 3, 4) for i in range(1, 9)}, 9: (0, 2, 4), 10: (0, 2, 4)}
_FREQUENCY = ("전혀 없다", "한달에 1번 미만", "한달에 한번", "일주일에 한번", "매일 같이")
_EVER = (("없었다", 0), ("있지만, 지난 1년간에는 없었다", 2), ("지난 1년간 있었다", 4))
# The sheet as the manual prints it (한국어판 AUDIT-K, 조근호 외 2009): each item and its options with their points.
AUDIT_SCALE = (
    ("술을 얼마나 자주 마십니까?",
     tuple(zip(("전혀 마시지 않는다", "한달에 한번 미만", "한달에 2~4회", "1주일에 2~3회", "1주일에 4회 이상"), range(5)))),
    ("평소 술을 마시는 날 몇 잔 정도나 마십니까?", tuple(zip(("1~2잔", "3~4잔", "5~6잔", "7~9잔", "10잔 이상"), range(5)))),
    ("한번 술을 마실 때 소주 1병 또는 맥주 4병 이상의 음주는 얼마나 자주 하십니까?", tuple(zip(_FREQUENCY, range(5)))),
    ("지난 1년간 술을 한번 마시기 시작하면 멈출 수 없다는 것을 안 때가 얼마나 자주 있었습니까?",
     tuple(zip(_FREQUENCY, range(5)))),
    ("지난 1년간 당신은 평소 같으면 할 수 있었던 일을 음주 때문에 실패한 적이 얼마나 자주 있었습니까?",
     tuple(zip(_FREQUENCY, range(5)))),
    ("지난 1년간 술을 마신 다음날 아침에 일 나가기 위해 다시 해장술을 필요했던 적이 얼마나 자주 있었습니까?",
     tuple(zip(_FREQUENCY, range(5)))),
    ("지난 1년간 음주 후에 죄책감이 들거나 후회를 한 적이 얼마나 자주 있었습니까?", tuple(zip(_FREQUENCY, range(5)))),
    ("지난 1년간 음주 때문에 전날 밤에 있었던 일이 기억나지 않았던 적이 얼마나 자주 있었습니까?",
     tuple(zip(_FREQUENCY, range(5)))),
    ("음주로 인해 자신이나 다른 사람이 다친 적이 있었습니까?", _EVER),
    ("친척이나 친구, 또는 의사가 당신이 술 마시는 것을 걱정하거나 술 끊기를 권유한 적이 있습니까?",
     (("전혀 없다", 0),) + _EVER[1:]),
)
SEXES = ("male", "female")
SEX_LABELS = {"male": "남", "female": "여"}
_SEX_WORDS = {"male": ("남", "남성", "남자", "m", "male"), "female": ("여", "여성", "여자", "f", "female")}
BANDS = ("normal", "risk", "disorder")
BAND_LABELS = {"normal": "정상음주", "risk": "위험음주", "disorder": "알코올 사용장애"}
# (위험음주 from, 알코올 사용장애 from), by sex: the manual's 결과해석 table (절단점수 남 10, 여 6).
AUDIT_CUTOFFS = {"male": (10, 20), "female": (6, 10)}
AUDIT_MAX = 40


@dataclass(frozen=True)
class AuditScore:
    """One AUDIT-K sheet, scored in memory: total (0–40), sex and band."""

    total: int
    sex: str
    band: str


def parse_sex(value) -> str:
    """``male`` or ``female`` from 남/여 (남성, 여성, M, F …)."""
    text = str(value or "").strip().lower()
    for sex, words in _SEX_WORDS.items():
        if text in words:
            return sex
    raise IndicatorError("sex_invalid")


def audit_band(total, sex) -> str:
    """The band of an AUDIT-K total: ``normal`` (정상음주), ``risk`` (위험음주) or ``disorder`` (알코올 사용장애).

    >>> [audit_band(t, "남") for t in (9, 10, 19, 20)]
    ['normal', 'risk', 'risk', 'disorder']
    >>> [audit_band(t, "여") for t in (5, 6, 9, 10)]
    ['normal', 'risk', 'risk', 'disorder']
    """
    if isinstance(total, bool) or not isinstance(total, int) or not 0 <= total <= AUDIT_MAX:
        raise IndicatorError("audit_total_invalid", maximum=AUDIT_MAX)
    risk, disorder = AUDIT_CUTOFFS[parse_sex(sex)]
    return "disorder" if total >= disorder else "risk" if total >= risk else "normal"


def score_audit(answers: Sequence, sex) -> AuditScore:
    """Score one AUDIT-K sheet: ten item points (items 9–10 only 0, 2 or 4) and the resident's sex (남/여)."""
    answers = _answers(answers, AUDIT_ITEMS, "AUDIT-K")
    points = []
    for item, answer in enumerate(answers, start=1):
        text = _answer_text(answer).removesuffix("점").strip()
        choices = _AUDIT_CHOICES[item]
        if not re.fullmatch(r"\d", text) or int(text) not in choices:
            raise IndicatorError("audit_answer_invalid", item=item, choices=", ".join(map(str, choices)))
        points.append(int(text))
    total = sum(points)
    sex = parse_sex(sex)
    return AuditScore(total, sex, audit_band(total, sex))


@dataclass(frozen=True)
class AuditWave:
    """A wave as stored: residents per (sex, band). A = all of them; B = 위험음주 + 알코올 사용장애."""

    counts: dict

    @property
    def n(self) -> int:
        """A: every resident measured (대상: 음주 유·무에 상관없이 모든 입주민)."""
        return sum(self.counts.values())

    @property
    def risky(self) -> int:
        """B: 위험음주 and 알코올 사용장애 together."""
        return sum(v for (_, band), v in self.counts.items() if band != "normal")

    @property
    def rate(self) -> Decimal | None:
        """C = B/A×100, truncated; None for an empty wave."""
        return truncate_tenths(self.risky, self.n, scale=100) if self.n else None

    def band_total(self, band: str) -> int:
        """Residents in one band, both sexes."""
        return sum(v for (_, b), v in self.counts.items() if b == band)


def audit_wave(scores: Iterable[AuditScore] = (), *, counts: Mapping | None = None) -> AuditWave:
    """The additive aggregate of scored sheets, or of stored counts {(sex, band): n}."""
    table = {(sex, band): 0 for sex in SEXES for band in BANDS}
    for key, value in (counts or {}).items():
        sex, band = key
        if (sex, band) not in table:
            raise IndicatorError("indicator_error")
        table[(sex, band)] += head_count(value, BAND_LABELS[band])
    for score in scores:
        table[(score.sex, score.band)] += 1
    return AuditWave(table)


def drinking_change(pre, post) -> ScaleChange:
    """⑤ 위험 음주율 개선도 in %p: 사후 − 사전 of the two waves' rates (AuditWave or one-decimal rates).

    >>> drinking_change(Decimal("20"), Decimal("15")).change
    Decimal('-5.0')
    """
    pre_rate = pre.rate if isinstance(pre, AuditWave) else _figure(pre)
    post_rate = post.rate if isinstance(post, AuditWave) else _figure(post)
    return ScaleChange("drinking", pre_rate, post_rate, change(pre_rate, post_rate))


def _answers(answers, expected: int, scale: str) -> list:
    if isinstance(answers, (str, bytes)) or not isinstance(answers, Sequence):
        raise IndicatorError("answers_count", scale=scale, expected=expected, got=1)
    answers = list(answers)
    if len(answers) != expected:
        raise IndicatorError("answers_count", scale=scale, expected=expected, got=len(answers))
    for item, answer in enumerate(answers, start=1):
        if answer is None or (isinstance(answer, str) and not answer.strip()):
            raise IndicatorError("answer_missing", scale=scale, item=item)
    return answers


def _answer_text(answer) -> str:
    if isinstance(answer, bool) or not isinstance(answer, (str, int)):
        return ""
    return " ".join(str(answer).split())


# --- staffing (§3-2) ------------------------------------------------------------------

# Residents per coordinator (case manager): 정신질환 7, 알코올 5; 평균 6 for a mixed house.
MENTAL_PER_COORDINATOR = 7
ALCOHOL_PER_COORDINATOR = 5
MIXED_PER_CASE_MANAGER = 6


@dataclass(frozen=True)
class Staffing:
    """Who a house needs for its residents, and, when its staff are given, what is short."""

    mental_illness: int
    alcohol: int
    residents: int
    coordinators_needed: int
    supervisor_recommended: bool
    case_managers_average: int
    coordinators: int | None = None
    supervisors: int | None = None

    @property
    def coordinators_short(self) -> int | None:
        """Coordinators missing against the ratios (0 when enough); None when the staff were not given."""
        return None if self.coordinators is None else max(0, self.coordinators_needed - self.coordinators)

    @property
    def supervisor_missing(self) -> bool:
        """Two or more coordinators and none of them a supervisor (권고)."""
        staff = self.coordinators if self.coordinators is not None else self.coordinators_needed
        return staff >= 2 and self.supervisors is not None and self.supervisors < 1


def staffing(mental_illness=0, alcohol=0, *, residents=None, coordinators=None, supervisors=None) -> Staffing:
    """Coordinators a house needs: one per 7 residents with mental illness and per 5 with alcohol dependence
    (at most 1:7 and 1:5, so the ratios' loads add up and round up); a supervisor among them when there
    are two or more; the manual's alternative for a mixed house, one case manager per 6 residents on
    average (`residents`, default both groups).

    >>> staffing(18).coordinators_needed, staffing(alcohol=20).coordinators_needed
    (3, 4)
    """
    m = head_count(mental_illness, COUNT_LABELS["mental_illness"])
    a = head_count(alcohol, COUNT_LABELS["alcohol"])
    total = m + a if residents in (None, "") else head_count(residents, COUNT_LABELS["residents"])
    load = MENTAL_PER_COORDINATOR * ALCOHOL_PER_COORDINATOR  # 35ths of a coordinator
    needed = -(-(m * ALCOHOL_PER_COORDINATOR + a * MENTAL_PER_COORDINATOR) // load)
    average = -(-total // MIXED_PER_CASE_MANAGER)
    staff = None if coordinators in (None, "") else head_count(coordinators, COUNT_LABELS["coordinators"])
    sup = None if supervisors in (None, "") else head_count(supervisors, COUNT_LABELS["supervisors"])
    return Staffing(m, a, total, needed, needed >= 2, average, staff, sup)


# --- the evaluation scorecard (§3-3, 기본 성과평가 지표) ---------------------------------

EVALUATION_FILE = REFERENCE_DIR / "evaluation_indicators.csv"
GRADES = ("excellent", "average", "poor")
GRADE_LABELS = {"excellent": "우수", "average": "보통", "poor": "미흡"}
BONUS_MAX = 5
MAX_OPINION = 2000


@dataclass(frozen=True)
class EvaluationIndicator:
    """One of the 21 세부지표: its area and item, points per grade (보통 None where the table has X),
    whether it is mandatory (필수), how it is scored (``grade``, ``bonus`` 0–5, ``opinion`` text)."""

    number: int
    area: str
    area_points: int
    item_no: str
    item: str
    item_points: int
    name: str
    mandatory: bool
    scale: str
    points: dict
    evidence: tuple

    @property
    def max_points(self) -> int:
        """What 우수 (or the full 가점) earns."""
        return self.points["excellent"]


@lru_cache(maxsize=1)
def evaluation_indicators() -> tuple:
    """The manual's 3 areas, 6 items and 21 indicators, read from data/reference/evaluation_indicators.csv."""
    out = []
    with open(EVALUATION_FILE, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            points = {grade: (None if row[grade].strip() in ("", "X") else int(row[grade])) for grade in GRADES}
            out.append(EvaluationIndicator(
                int(row["number"]), row["area"], int(row["area_points"]), row["item_no"], row["item"],
                int(row["item_points"]), row["indicator"], row["mandatory"] == "1", row["scale"], points,
                tuple(part.strip() for part in row["evidence"].split(";") if part.strip())))
    return tuple(out)


@dataclass(frozen=True)
class Scorecard:
    """A house's evaluation: points per indicator, item and area, the total of 100, what is still
    ungraded, and the mandatory indicators graded 미흡 (each calls for 즉시 시정조치)."""

    points: dict
    grades: dict
    opinion: str | None
    by_item: dict
    by_area: dict
    total: int
    maximum: int
    missing: tuple
    corrective: tuple

    @property
    def complete(self) -> bool:
        """Every graded indicator and the 가점 have a value."""
        return not self.missing

    @property
    def corrective_action(self) -> bool:
        """A mandatory indicator is 미흡: the city asks for 즉시 시정조치."""
        return bool(self.corrective)


def score_evaluation(grades: Mapping, *, opinion: str | None = None) -> Scorecard:
    """Score the 21-indicator table: `grades` maps an indicator's number (1–21) to 우수/보통/미흡
    (or excellent/average/poor), and the 가점 indicator to 0–5 points. 보통 is refused where the
    manual has X; `opinion` is the 종합소견 text, refused if it looks like personal data.

    >>> card = score_evaluation({i.number: "우수" for i in evaluation_indicators() if i.scale == "grade"} | {20: 5})
    >>> card.total, card.maximum, card.corrective_action
    (100, 100, False)
    """
    table = {i.number: i for i in evaluation_indicators()}
    points: dict[int, int] = {}
    chosen: dict[int, str | int] = {}
    for key, value in grades.items():
        number = _indicator_number(key, table)
        indicator = table[number]
        if indicator.scale == "opinion":
            raise IndicatorError("opinion_not_graded", number=number)
        if indicator.scale == "bonus":
            bonus = value if isinstance(value, int) and not isinstance(value, bool) else None
            if isinstance(value, str) and re.fullmatch(r"\s*[0-5]\s*(점)?\s*", value):
                bonus = int(value.strip().removesuffix("점"))
            if bonus is None or not 0 <= bonus <= BONUS_MAX:
                raise IndicatorError("bonus_invalid", maximum=BONUS_MAX, value=value)
            points[number], chosen[number] = bonus, bonus
            continue
        grade = _grade(value, indicator)
        if indicator.points[grade] is None:
            raise IndicatorError("grade_no_average", number=number, name=indicator.name)
        points[number], chosen[number] = indicator.points[grade], grade
    by_item: dict[str, int] = {}
    by_area: dict[str, int] = {}
    for indicator in table.values():
        earned = points.get(indicator.number, 0)
        by_item[indicator.item_no] = by_item.get(indicator.item_no, 0) + earned
        by_area[indicator.area] = by_area.get(indicator.area, 0) + earned
    missing = tuple(n for n, i in table.items() if i.scale != "opinion" and n not in points)
    corrective = tuple(n for n, i in table.items() if i.mandatory and chosen.get(n) == "poor")
    maximum = sum(i.max_points for i in table.values())
    text = " ".join((opinion or "").split()) or None
    if text and len(text) > MAX_OPINION:
        raise IndicatorError("opinion_too_long", limit=MAX_OPINION)
    privacy.check_personal_data(text, field="종합소견")
    return Scorecard(points, chosen, text, by_item, by_area, sum(points.values()), maximum, missing, corrective)


def _indicator_number(key, table) -> int:
    text = str(key).strip()
    if not re.fullmatch(r"\d{1,2}", text) or int(text) not in table:
        raise IndicatorError("unknown_evaluation_indicator", value=key, count=len(table))
    return int(text)


def _grade(value, indicator: EvaluationIndicator) -> str:
    text = str(value or "").strip()
    for grade, label in GRADE_LABELS.items():
        if text in (grade, label):
            return grade
    choices = " / ".join(GRADE_LABELS[g] for g in GRADES if indicator.points[g] is not None)
    raise IndicatorError("grade_invalid", number=indicator.number, name=indicator.name, choices=choices, value=value)


# --- the committee's score (§3-1: 9명, 최고·최저 제외 산술 평균) ---------------------------------

COMMITTEE_SIZE = 9


@dataclass(frozen=True)
class CommitteeScore:
    """The committee's score: the mean of the members' totals without the highest and the lowest."""

    scores: tuple
    dropped: tuple
    mean: Fraction

    @property
    def display(self) -> Decimal:
        """The mean truncated to one decimal."""
        return truncate_tenths(self.mean.numerator, self.mean.denominator)


def committee_score(scores: Sequence, *, members: int = COMMITTEE_SIZE) -> CommitteeScore:
    """Each member's total (0–100, one decimal at most), then the highest and the lowest dropped (one of
    each) and the rest averaged exactly.

    >>> committee_score([70, 80, 80, 80, 80, 80, 80, 80, 100]).mean
    Fraction(80, 1)
    """
    values = []
    for value in scores:
        try:
            number = Decimal(str(value).strip()) if not isinstance(value, bool) else None
        except ArithmeticError:
            number = None
        if number is None or not number.is_finite() or not 0 <= number <= 100 or number != round(number, 1):
            raise IndicatorError("committee_score_invalid", value=value)
        values.append(number)
    if len(values) != members:
        raise IndicatorError("committee_size", expected=members, got=len(values))
    if members < 3:
        raise IndicatorError("committee_size", expected=COMMITTEE_SIZE, got=len(values))
    ordered = sorted(values)
    kept = ordered[1:-1]
    mean = Fraction(sum(kept)) / len(kept)
    return CommitteeScore(tuple(values), (ordered[-1], ordered[0]), mean)
