"""Emergency housing support (긴급복지 주거지원): the year's thresholds as data, and a screener.

The rules come from ``../shared/seeds/004_…`` (the 2025 summary): a household
in crisis (위기사유 ①–⑦) whose monthly income is at most 75% of the
standard median income and whose assets are under the limit of its region
type (대도시 / 중소도시 / 농어촌; financial assets count after the 생활준비금
is deducted) gets a temporary shelter or its housing costs, protection first
and papers later (선보호·후정비).

The numbers change every year, so they are data: one file per year,
``data/reference/emergency_housing_<year>.csv``, each row a rule, a key, a
value in 원 and its source. :func:`thresholds_for` picks the file of the
year asked (today's, in Korea); when that year has none, or its file is past
its own ``valid,to`` date, the latest earlier file answers and the basis says
so ("2026년 기준 없음 — 2025년 기준으로 안내"). A household size missing from
the year's file has no limit: the screener says "129에 확인" and guesses none.

:func:`screen` takes only what the rules need and answers with codes and
numbers (``verdict`` is ``likely`` 지원 가능성이 높음, ``protect_first`` 기준
초과이나 긴급 위험이면 선보호 후 심사, or ``check`` 확인 필요 — never a bare
"not eligible" while a crisis exists); :func:`explain` words them, in Korean
or through a shell's gettext. Nothing here stores or logs what was typed.
Money is integers of 원 throughout.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from .actors import require_complex_edit
from .errors import YeongyeError
from .paths import REFERENCE_DIR
from .store import get_complex
from .vocabulary import local_date

__all__ = [
    "EmergencyError", "Thresholds", "Basis", "Reason", "Answers", "VERDICTS", "REGION_TYPES", "REGION_CLASSES",
    "THRESHOLD_PREFIX", "load_thresholds", "threshold_files", "thresholds_for", "crisis_reasons", "bring_items",
    "region_class", "region_type_of", "parse_won", "won", "screen", "explain", "word", "WORDS", "SCREENER",
    "count_screening", "screening_counts", "reason_code", "answers_from", "ANSWER_FIELDS",
]

THRESHOLD_PREFIX = "emergency_housing_"
REASONS_FILE = "emergency_crisis_reasons.csv"
BRING_FILE = "emergency_bring.csv"

VERDICTS = ("likely", "protect_first", "check")
REGION_TYPES = ("대도시", "중소도시", "농어촌")
# The kinds of 시군구 a year's file assigns a region type to (its `region_type` rows).
REGION_CLASSES = ("특별시·광역시의 구", "광역시의 군", "도의 시", "도의 군", "세종특별자치시", "제주특별자치도의 시")
_METROPOLITAN = frozenset({"서울특별시", "부산광역시", "대구광역시", "인천광역시", "광주광역시", "대전광역시",
                           "울산광역시"})
_JEJU = "제주특별자치도"
_SEJONG = "세종특별자치시"
MAX_WON = 10**13  # 10조원: past any household's figure, still well inside SQLite's integers
MAX_HOUSEHOLD = 30


class EmergencyError(YeongyeError):
    """The screener cannot read an answer or a year's thresholds."""

    code = "emergency_error"


# --- the year's thresholds ---------------------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    """One year's file: limits in 원 by household size and region type, the deduction, the region rule."""

    year: int
    valid_from: date
    valid_to: date
    income_limits: dict[int, int]
    median_income: dict[int, int]
    asset_limits: dict[str, int]
    financial_deduction: int
    region_rules: dict[str, str]  # REGION_CLASSES item -> 대도시/중소도시/농어촌
    financial_limit: int | None = None  # a separate limit on financial assets, if a year's file names one
    sources: dict[tuple[str, str], str] = field(default_factory=dict)  # (rule, key) -> source
    caveats: dict[tuple[str, str], str] = field(default_factory=dict)  # (rule, key) -> what to confirm
    path: str = ""


@dataclass(frozen=True)
class Basis:
    """Which year's thresholds answer: the year asked, the file used, and whether it is a stand-in."""

    asked: int
    thresholds: Thresholds
    past_end: bool = False  # the year's own file, but today is past its `valid,to`

    @property
    def year(self) -> int:
        return self.thresholds.year

    @property
    def stand_in(self) -> bool:
        """True when the asked year has no file of its own in force (an earlier or ended file answers)."""
        return self.asked != self.thresholds.year or self.past_end


_YEAR_FILE = re.compile(rf"^{THRESHOLD_PREFIX}(\d{{4}})\.csv$")
_RULES = ("valid", "median_income", "income_limit", "asset_limit", "financial_deduction", "financial_limit",
          "region_type")


def threshold_files(folder: str | Path = REFERENCE_DIR) -> dict[int, Path]:
    """The year files in `folder`: {year: path}."""
    out = {}
    for path in Path(folder).glob(f"{THRESHOLD_PREFIX}*.csv"):
        match = _YEAR_FILE.match(path.name)
        if match:
            out[int(match.group(1))] = path
    return dict(sorted(out.items()))


def load_thresholds(path: str | Path) -> Thresholds:
    """Read one year's file; a missing or malformed rule raises EmergencyError('bad_threshold_file')."""
    path = Path(path)
    return _load_thresholds(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=16)
def _load_thresholds(path: str, _mtime: int) -> Thresholds:
    name = Path(path).name
    match = _YEAR_FILE.match(name)
    if not match:
        raise EmergencyError("bad_threshold_file", file=name, detail="emergency_housing_<연도>.csv")
    year = int(match.group(1))

    def bad(detail):
        return EmergencyError("bad_threshold_file", file=name, detail=detail)

    values: dict[str, dict[str, str]] = {rule: {} for rule in _RULES}
    sources, caveats = {}, {}
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        if not {"rule", "key", "value", "source"} <= set(reader.fieldnames or ()):
            raise bad("rule,key,value,source")
        for number, row in enumerate(reader, start=2):
            rule, key = (row.get("rule") or "").strip(), (row.get("key") or "").strip()
            value = (row.get("value") or "").strip()
            if rule not in values:
                raise bad(f"{number}행 rule {rule!r}")
            if key in values[rule]:
                raise bad(f"{number}행 {rule},{key} 중복")
            values[rule][key] = value
            sources[(rule, key)] = (row.get("source") or "").strip()
            if (row.get("caveat") or "").strip():
                caveats[(rule, key)] = row["caveat"].strip()

    def won_of(rule, key):
        text = values[rule].get(key, "")
        if not text.isdigit():
            raise bad(f"{rule},{key} = {text!r}")
        return int(text)

    def day(key):
        try:
            return date.fromisoformat(values["valid"][key])
        except (KeyError, ValueError):
            raise bad(f"valid,{key}") from None

    def sizes(rule):
        out = {}
        for key in values[rule]:
            if not key.isdigit() or not 1 <= int(key) <= MAX_HOUSEHOLD:
                raise bad(f"{rule},{key}")
            out[int(key)] = won_of(rule, key)
        return dict(sorted(out.items()))

    valid_from, valid_to = day("from"), day("to")
    if not valid_from <= valid_to or valid_from.year != year:
        raise bad(f"valid {valid_from}~{valid_to}")
    income = sizes("income_limit")
    if not income:
        raise bad("income_limit")
    assets = {key: won_of("asset_limit", key) for key in values["asset_limit"]}
    if set(assets) != set(REGION_TYPES):
        raise bad("asset_limit: " + "/".join(REGION_TYPES))
    rules = dict(values["region_type"])
    if set(rules) != set(REGION_CLASSES) or not set(rules.values()) <= set(REGION_TYPES):
        raise bad("region_type: " + ", ".join(REGION_CLASSES))
    deduction = values["financial_deduction"]
    if len(deduction) != 1:
        raise bad("financial_deduction")
    financial_limit = values["financial_limit"]
    if len(financial_limit) > 1:
        raise bad("financial_limit")
    return Thresholds(
        year=year, valid_from=valid_from, valid_to=valid_to, income_limits=income,
        median_income=sizes("median_income"), asset_limits=assets,
        financial_deduction=won_of("financial_deduction", next(iter(deduction))),
        financial_limit=won_of("financial_limit", next(iter(financial_limit))) if financial_limit else None,
        region_rules=rules, sources=sources, caveats=caveats, path=path)


def _today() -> date:
    return local_date(datetime.now().astimezone()) or date.today()


def thresholds_for(year: int | None = None, *, today: date | None = None,
                   folder: str | Path = REFERENCE_DIR) -> Basis:
    """The thresholds that answer for `year` (default: today's year in Korea).

    The year's own file if it has one and `today` is not past its end;
    else the latest earlier file, as a stand-in the basis names. Raises
    EmergencyError('no_thresholds') when no file is that old.

    >>> basis = thresholds_for(2025, today=date(2025, 6, 1))
    >>> basis.year, basis.stand_in, basis.thresholds.income_limits[1]
    (2025, False, 1794000)
    >>> thresholds_for(2026, today=date(2026, 1, 2)).stand_in
    True
    """
    today = today or _today()
    asked = year or today.year
    files = threshold_files(folder)
    usable = [y for y in files if y <= asked]
    if not usable:
        raise EmergencyError("no_thresholds", year=asked)
    thresholds = load_thresholds(files[usable[-1]])
    # Asked for today's year, the file says it has ended: it still answers, as a stand-in.
    past_end = year is None and thresholds.year == asked and today > thresholds.valid_to
    return Basis(asked=asked, thresholds=thresholds, past_end=past_end)


# --- crisis reasons and what to bring ------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """A crisis reason ①–⑦: code, mark, label, the situation whose contacts come first, whether the 지자체장 must recognise it."""

    code: str
    mark: str
    label: str
    situation: str
    needs_recognition: bool
    source: str


@lru_cache(maxsize=4)
def crisis_reasons(folder: str | Path = REFERENCE_DIR) -> dict[str, Reason]:
    """The crisis reasons in order, by code."""
    with open(Path(folder) / REASONS_FILE, encoding="utf-8") as fh:
        return {r["code"]: Reason(r["code"], r["mark"], r["label"], r["situation"] or "",
                                  r["needs_recognition"] == "1", r["source"]) for r in csv.DictReader(fh)}


@lru_cache(maxsize=4)
def _bring_rows(folder: str | Path = REFERENCE_DIR) -> tuple[tuple[str, str], ...]:
    with open(Path(folder) / BRING_FILE, encoding="utf-8") as fh:
        return tuple((r["when"], r["item"]) for r in csv.DictReader(fh))


def bring_items(situations=(), folder: str | Path = REFERENCE_DIR) -> list[str]:
    """What to bring (from the seed): the situations' own items first, then everyone's; each once."""
    wanted = [s for s in situations if s]
    rows = _bring_rows(folder)
    items = [item for s in wanted for when, item in rows if when == s]
    items += [item for when, item in rows if when == "all"]
    return list(dict.fromkeys(items))


# --- regions ------------------------------------------------------------------------


def region_class(sido: str | None, sigungu: str | None) -> str:
    """Which of REGION_CLASSES a 시군구 is (서울 노원구 → 특별시·광역시의 구, 경기 수원시 장안구 → 도의 시).

    Names are checked against the shipped region table (old names included);
    an unknown one raises EmergencyError('unknown_region').

    >>> region_class("대구", "군위군"), region_class("세종시", None), region_class("제주", "서귀포시")
    ('광역시의 군', '세종특별자치시', '제주특별자치도의 시')
    """
    from .regions import region_index

    index = region_index()
    canonical = index.sido_aliases.get("".join((sido or "").split()))
    if canonical is None:
        raise EmergencyError("unknown_region", region=" ".join(p for p in (sido, sigungu) if p) or "?")
    if canonical == _SEJONG:
        return "세종특별자치시"
    key = "".join((sigungu or "").split())
    unit = index.sigungu.get(canonical, {}).get(key)
    if unit is None:
        raise EmergencyError("unknown_region", region=f"{canonical} {sigungu or ''}".strip())
    name = unit.sigungu.split()[-1]
    if canonical in _METROPOLITAN:
        return "광역시의 군" if name.endswith("군") else "특별시·광역시의 구"
    if canonical == _JEJU:
        return "제주특별자치도의 시"
    return "도의 군" if name.endswith("군") else "도의 시"


def region_type_of(thresholds: Thresholds, sido: str | None, sigungu: str | None) -> tuple[str, str]:
    """(region type, class) for a 시군구 under a year's rule: ('대도시', '특별시·광역시의 구')."""
    kind = region_class(sido, sigungu)
    return thresholds.region_rules[kind], kind


# --- money ---------------------------------------------------------------------------

_UNITS = (("조", 10**12), ("억", 10**8), ("만", 10**4), ("천", 10**3))
_AMOUNT = re.compile(r"^(?:(\d+)조)?(?:(\d+)억)?(?:(\d+)만)?(?:(\d+)천)?(\d*)$")


def parse_won(text, *, field_name: str = "amount", label: str = "금액", negative: bool = False) -> int | None:
    """An amount in 원 from what a worker types: 1794001, "1,794,001원", "179만4001", "2억4,100만원".

    None for an empty answer. A decimal, a unit out of order or an amount past
    10조원 raises EmergencyError('bad_amount') naming the field.

    >>> parse_won("2억4,100만원"), parse_won("1,794천원"), parse_won(" 179만 4001 "), parse_won("")
    (241000000, 1794000, 1794001, None)
    """
    if text is None:
        return None
    if isinstance(text, bool):
        raise EmergencyError("bad_amount", field=field_name, label=label, value=text)
    if isinstance(text, int):
        value = text
    else:
        cleaned = re.sub(r"[\s,]", "", str(text))
        if cleaned.endswith("원"):
            cleaned = cleaned[:-1]
        if not cleaned:
            return None
        sign = 1
        if cleaned.startswith("-") and negative:
            sign, cleaned = -1, cleaned[1:]
        match = _AMOUNT.match(cleaned)
        if not cleaned or not match or not any(match.groups()):
            raise EmergencyError("bad_amount", field=field_name, label=label, value=str(text)[:40])
        value = sum(int(part or 0) * unit for part, (_, unit) in zip(match.groups()[:4], _UNITS))
        value = sign * (value + int(match.group(5) or 0))
    if value < 0 and not negative or abs(value) > MAX_WON:
        raise EmergencyError("amount_out_of_range", field=field_name, label=label, value=format(value, ","))
    return value


def won(value: int) -> str:
    """An amount as a worker reads it: 1,794,000원."""
    return f"{value:,}원"


# --- the screener ---------------------------------------------------------------------


@dataclass(frozen=True)
class Answers:
    """What the rules need, nothing more. None means not answered (the rule then says 확인 필요)."""

    safe_tonight: bool | None = None
    reasons: tuple[str, ...] = ()
    household_size: int | None = None
    monthly_income: int | None = None
    region_type: str | None = None  # 대도시/중소도시/농어촌, or from sido + sigungu
    sido: str | None = None
    sigungu: str | None = None
    net_property: int | None = None  # after 주거용 재산·부채 공제
    financial_assets: int | None = None
    already_receiving: bool | None = None


# The answers a shell passes on (form fields, JSON keys, CLI options): name -> Korean label.
ANSWER_FIELDS = {
    "safe_tonight": "오늘 밤 안전한 곳", "reasons": "위기사유", "household_size": "가구원 수",
    "monthly_income": "가구 월 소득", "region_type": "지역", "sido": "시도", "sigungu": "시군구",
    "net_property": "재산", "financial_assets": "금융재산", "already_receiving": "같은 지원을 받는 중",
}
_YES = frozenset({"yes", "y", "true", "1", "예", "네", "on"})
_NO = frozenset({"no", "n", "false", "0", "아니오", "아니요"})
_UNKNOWN = frozenset({"", "unknown", "모름", "none", "null"})


def reason_code(text, folder: str | Path = REFERENCE_DIR) -> str:
    """A crisis reason's code from its code, mark or number: "violence", "④", "4" → "violence".

    >>> reason_code("④"), reason_code(4), reason_code(" disaster ")
    ('violence', 'violence', 'disaster')
    """
    reasons = crisis_reasons(folder)
    value = str(text).strip() if not isinstance(text, bool) else ""
    for position, reason in enumerate(reasons.values(), start=1):
        if value in (reason.code, reason.mark, str(position)):
            return reason.code
    raise EmergencyError("unknown_reason", reason=str(text)[:40], reasons=", ".join(reasons))


def _yes_no(value, name):
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    if text in _UNKNOWN:
        return None
    raise EmergencyError("bad_answer", field=name, label=ANSWER_FIELDS[name], value=str(value)[:40])


def answers_from(data: dict, folder: str | Path = REFERENCE_DIR) -> Answers:
    """Answers from what a shell received (form strings, JSON values, CLI options); unknown keys are an error.

    Yes/no answers take true/false, 예/아니오 or yes/no (empty or 모름: not
    answered); amounts what :func:`parse_won` reads; reasons a list of codes,
    marks or numbers. Each bad value raises EmergencyError naming its field.
    """
    extra = set(data) - set(ANSWER_FIELDS)
    if extra:
        raise EmergencyError("unknown_answer", fields=", ".join(sorted(extra)), known=", ".join(ANSWER_FIELDS))
    reasons = data.get("reasons") or ()
    if isinstance(reasons, (str, int)):
        reasons = [reasons]
    if not isinstance(reasons, (list, tuple)) or len(reasons) > 20:
        raise EmergencyError("bad_answer", field="reasons", label=ANSWER_FIELDS["reasons"], value=str(reasons)[:40])
    size = data.get("household_size")
    if isinstance(size, str):
        size = size.strip()
        if not size:
            size = None
        elif size.isdigit() and len(size) < 4:
            size = int(size)
        else:
            raise EmergencyError("bad_household_size", value=size[:40], maximum=MAX_HOUSEHOLD)

    def text(name):
        value = data.get(name)
        if value is None:
            return None
        if not isinstance(value, str) or len(value) > 40:
            raise EmergencyError("bad_answer", field=name, label=ANSWER_FIELDS[name], value=str(value)[:40])
        return value.strip() or None

    return Answers(
        safe_tonight=_yes_no(data.get("safe_tonight"), "safe_tonight"),
        reasons=tuple(dict.fromkeys(reason_code(r, folder) for r in reasons)),
        household_size=size,
        monthly_income=parse_won(data.get("monthly_income"), field_name="monthly_income", label="가구 월 소득"),
        region_type=text("region_type"), sido=text("sido"), sigungu=text("sigungu"),
        net_property=parse_won(data.get("net_property"), field_name="net_property", label="재산", negative=True),
        financial_assets=parse_won(data.get("financial_assets"), field_name="financial_assets", label="금융재산"),
        already_receiving=_yes_no(data.get("already_receiving"), "already_receiving"),
    )


def _checked_answers(answers: Answers, folder) -> Answers:
    known = crisis_reasons(folder)
    for code in answers.reasons:
        if code not in known:
            raise EmergencyError("unknown_reason", reason=code, reasons=", ".join(known))
    size = answers.household_size
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_HOUSEHOLD):
        raise EmergencyError("bad_household_size", value=size, maximum=MAX_HOUSEHOLD)
    if answers.region_type is not None and answers.region_type not in REGION_TYPES:
        raise EmergencyError("unknown_region_type", value=answers.region_type, types=", ".join(REGION_TYPES))
    for name, label, negative in (("monthly_income", "가구 월 소득", False), ("net_property", "재산", True),
                                  ("financial_assets", "금융재산", False)):
        parse_won(getattr(answers, name), field_name=name, label=label, negative=negative)
    return answers


def screen(answers: Answers, basis: Basis | None = None, *, folder: str | Path = REFERENCE_DIR) -> dict:
    """Screen one household against a year's thresholds; returns codes and numbers, no words.

    ``{"verdict", "call_now": [line codes], "protect_first": bool, "basis": {...},
    "rules": [{"rule", "status", "code", "params"}], "reasons": [codes], "situations": [...],
    "bring": [items]}``. A rule's ``status`` is ``within``, ``over`` or
    ``unknown`` (then ``code`` says why: no answer, no threshold for the
    size — "129에 확인" —, an unknown region).
    """
    answers = _checked_answers(answers, folder)
    basis = basis or thresholds_for(folder=folder)
    t = basis.thresholds
    reasons = crisis_reasons(folder)
    chosen = [reasons[c] for c in reasons if c in answers.reasons]
    situations = list(dict.fromkeys(r.situation for r in chosen if r.situation))
    rules = [_crisis_rule(chosen), _income_rule(answers, t)]
    rules.append(_asset_rule(answers, t))
    if answers.already_receiving:
        rules.append({"rule": "duplicate", "status": "over", "code": "duplicate_support", "params": {}})
    elif answers.already_receiving is None:
        rules.append({"rule": "duplicate", "status": "unknown", "code": "duplicate_unanswered", "params": {}})
    else:
        rules.append({"rule": "duplicate", "status": "within", "code": "duplicate_none", "params": {}})

    crisis = bool(chosen)
    status = {r["rule"]: r["status"] for r in rules}
    over = [r for r in ("income", "assets") if status[r] == "over"]
    unknown = [r for r in ("income", "assets") if status[r] == "unknown"]
    if crisis and over:
        verdict = "protect_first"
    elif status["duplicate"] == "over" or not crisis or unknown or over:
        verdict = "check"
    elif status["crisis"] == "unknown":  # ⑦ alone: the 지자체장 must recognise it
        verdict = "check"
    else:
        verdict = "likely"
    call_now = []
    if "violence" in situations or "abuse" in situations:
        call_now.append("112")
    if answers.safe_tonight is False:
        call_now.append("129")
    return {
        "verdict": verdict,
        "call_now": call_now,
        # Over a threshold in a crisis: protection first, the review after (seed 004 Q2).
        "protect_first": verdict == "protect_first",
        "basis": {"year": t.year, "asked": basis.asked, "stand_in": basis.stand_in, "past_end": basis.past_end,
                  "valid_to": t.valid_to.isoformat(), "file": Path(t.path).name},
        "rules": rules,
        "reasons": [r.code for r in chosen],
        "situations": situations,
        "bring": bring_items(situations, folder),
        "safe_tonight": answers.safe_tonight,
    }


def _crisis_rule(chosen: list[Reason]) -> dict:
    if not chosen:
        return {"rule": "crisis", "status": "unknown", "code": "crisis_none", "params": {}}
    marks = " ".join(f"{r.mark} {r.label}" for r in chosen)
    if all(r.needs_recognition for r in chosen):
        return {"rule": "crisis", "status": "unknown", "code": "crisis_needs_recognition", "params": {"reasons": marks}}
    return {"rule": "crisis", "status": "within", "code": "crisis_chosen", "params": {"reasons": marks}}


def _income_rule(answers: Answers, t: Thresholds) -> dict:
    size, income = answers.household_size, answers.monthly_income
    if size is None:
        return {"rule": "income", "status": "unknown", "code": "size_unanswered", "params": {}}
    limit = t.income_limits.get(size)
    if limit is None:
        # No number for this size in the year's file: no extrapolation, the caller asks 129.
        return {"rule": "income", "status": "unknown", "code": "size_no_threshold",
                "params": {"size": size, "year": t.year}}
    if income is None:
        return {"rule": "income", "status": "unknown", "code": "income_unanswered",
                "params": {"size": size, "limit": limit, "year": t.year}}
    params = {"size": size, "income": income, "limit": limit, "year": t.year,
              "source": t.sources.get(("income_limit", str(size)), "")}
    if income <= limit:
        return {"rule": "income", "status": "within", "code": "income_within", "params": params}
    return {"rule": "income", "status": "over", "code": "income_over", "params": {**params, "excess": income - limit}}


def _asset_rule(answers: Answers, t: Thresholds) -> dict:
    region, kind, caveat = answers.region_type, None, None
    if region is None and (answers.sido or answers.sigungu):
        try:
            region, kind = region_type_of(t, answers.sido, answers.sigungu)
        except EmergencyError:
            return {"rule": "assets", "status": "unknown", "code": "region_unknown",
                    "params": {"region": " ".join(p for p in (answers.sido, answers.sigungu) if p)}}
        caveat = t.caveats.get(("region_type", kind))
    if region is None:
        return {"rule": "assets", "status": "unknown", "code": "region_unanswered", "params": {}}
    if answers.net_property is None or answers.financial_assets is None:
        return {"rule": "assets", "status": "unknown", "code": "assets_unanswered",
                "params": {"region": region, "limit": t.asset_limits[region]}}
    financial_counted = max(0, answers.financial_assets - t.financial_deduction)
    counted = answers.net_property + financial_counted
    limit = t.asset_limits[region]
    params = {"region": region, "region_class": kind or "", "caveat": caveat or "", "property": answers.net_property,
              "financial": answers.financial_assets, "deduction": t.financial_deduction,
              "financial_counted": financial_counted, "counted": counted, "limit": limit, "year": t.year}
    if t.financial_limit is not None and financial_counted > t.financial_limit:
        return {"rule": "assets", "status": "over", "code": "financial_over",
                "params": {**params, "financial_limit": t.financial_limit,
                           "excess": financial_counted - t.financial_limit}}
    if counted <= limit:
        return {"rule": "assets", "status": "within", "code": "assets_within", "params": params}
    return {"rule": "assets", "status": "over", "code": "assets_over", "params": {**params, "excess": counted - limit}}


# --- words ------------------------------------------------------------------------------

# code -> Korean template (%(name)s; amounts are filled in as "1,794,000원"). The web
# translates these through its catalogue (web/i18n.py adds them), the CLI prints them.
WORDS: dict[str, str] = {
    "likely": "지원 가능성이 높음",
    "protect_first": "기준 초과이나 긴급 위험이면 선보호 후 심사",
    "check": "확인 필요",
    "protect_first_line": "선보호 후 심사 가능 — 129",
    "call_now_129": "지금 129에 전화 (24시간)",
    "call_now_112": "지금 112에 신고 (폭력·학대 피해는 분리 보호가 먼저)",
    "stand_in": "%(asked)s년 기준 없음 — %(year)s년 기준으로 안내",
    "past_end": "%(year)s년 기준은 끝났고 새 기준 없음 — %(year)s년 기준으로 안내",
    "basis": "%(year)s년 기준",
    "crisis_chosen": "위기사유: %(reasons)s",
    "crisis_none": "위기사유를 고르지 않음 — 위기사유가 있어야 긴급지원 대상이므로 확인 필요",
    "crisis_needs_recognition": "위기사유: %(reasons)s — 지자체장이 인정해야 하므로 129 또는 시·군·구에 확인",
    "size_unanswered": "소득: 가구원 수를 입력하지 않음 — 확인 필요",
    "size_no_threshold": "소득: %(year)s년 자료에 %(size)s인 가구 기준이 없음 — 129에 확인",
    "income_unanswered": "소득: 월 소득을 입력하지 않음 (%(size)s인 가구 기준 %(limit)s 이하) — 확인 필요",
    "income_within": "소득: 가구 월 소득 %(income)s ≤ %(size)s인 가구 기준 %(limit)s (기준 중위소득 75%%, %(year)s년)",
    "income_over": "소득: 가구 월 소득 %(income)s > %(size)s인 가구 기준 %(limit)s — %(excess)s 초과",
    "region_unanswered": "재산: 지역(대도시·중소도시·농어촌)을 고르지 않음 — 확인 필요",
    "region_unknown": "재산: 지역을 알 수 없음 (%(region)s) — 확인 필요",
    "assets_unanswered": "재산: 재산 또는 금융재산을 입력하지 않음 (%(region)s 기준 %(limit)s 이하) — 확인 필요",
    "assets_within": "재산: %(property)s + 금융재산 %(financial)s 중 생활준비금 %(deduction)s을 뺀 %(financial_counted)s"
                     " = %(counted)s ≤ %(region)s 기준 %(limit)s",
    "assets_over": "재산: %(property)s + 금융재산 %(financial)s 중 생활준비금 %(deduction)s을 뺀 %(financial_counted)s"
                   " = %(counted)s > %(region)s 기준 %(limit)s — %(excess)s 초과",
    "financial_over": "금융재산: 생활준비금 %(deduction)s을 뺀 %(financial_counted)s > 금융재산 기준 %(financial_limit)s"
                      " — %(excess)s 초과",
    "region_from": "지역: %(region_class)s → %(region)s",
    "duplicate_support": "같은 지원을 이미 받는 중: 동일 항목 중복 지원은 제한될 수 있음 (금액 조정 또는 대체) — 담당 공무원에게 확인",
    "duplicate_unanswered": "같은 지원을 이미 받는지 모름 — 동일 항목 중복 지원은 제한될 수 있어 확인 필요",
    "duplicate_none": "같은 지원을 받고 있지 않음",
    "extension_note": "지원은 월 단위로 결정하고, 연장할 때는 그해 고시 기준으로 다시 심사",
}

_MONEY = frozenset({"income", "limit", "excess", "property", "financial", "deduction", "financial_counted",
                    "counted", "financial_limit"})
_LABELS = frozenset({"region", "region_class", "reasons", "caveat"})


class _Verbatim(str):
    """A parameter already in the shell's language: word() does not translate it again."""


def word(code: str, params: dict | None = None, translate=None) -> str:
    """One sentence: the template of `code` in the language of `translate`, amounts as 1,794,000원."""
    template = WORDS.get(code, code)
    params = dict(params or {})
    for key in list(params):
        if key in _MONEY and isinstance(params[key], int):
            params[key] = won(params[key])
        elif translate is not None and key in _LABELS and isinstance(params[key], str) and params[key] \
                and not isinstance(params[key], _Verbatim):
            params[key] = translate(params[key])
    if translate is not None:
        template = translate(template)
    try:
        return template % params
    except (KeyError, ValueError, TypeError):
        return template


def explain(result: dict, translate=None) -> dict:
    """The screening in words: {"verdict", "call_now": [...], "basis", "why": [...], "bring": [...], "notes": [...]}."""
    t = translate or (lambda s: s)
    basis = result["basis"]
    why = []
    reasons = crisis_reasons()
    for rule in result["rules"]:
        params = rule["params"]
        if rule["rule"] == "assets" and params.get("region_class"):
            why.append(word("region_from", params, translate))
        if rule["rule"] == "crisis" and params.get("reasons") and translate is not None:
            # each reason's label in the shell's language, not the joined Korean text
            params = {**params, "reasons": " ".join(f"{reasons[c].mark} {translate(reasons[c].label)}"
                                                    for c in result["reasons"] if c in reasons)}
            params["reasons"] = _Verbatim(params["reasons"])
        why.append(word(rule["code"], params, translate))
        if rule["params"].get("caveat"):
            why.append(t(rule["params"]["caveat"]))
    notes = [word("extension_note", None, translate)]
    return {
        "verdict": word(result["verdict"], None, translate),
        "protect_first": word("protect_first_line", None, translate) if result["protect_first"] else None,
        "call_now": [word(f"call_now_{line}", None, translate) for line in result["call_now"]],
        "basis": word("past_end" if basis["past_end"] else "stand_in" if basis["stand_in"] else "basis", basis,
                      translate),
        "why": why,
        "bring": [t(item) for item in result["bring"]],
        "notes": notes,
    }


# --- the anonymous count ----------------------------------------------------------------

SCREENER = "emergency_housing"


def count_screening(db, complex_id: int, *, actor, today: date | None = None) -> int:
    """Add one screening to the complex's count for this month, if the actor works there; returns the new count.

    Only the number is kept — no answer, no time of day, no user — so the
    count is not audited either: an audit entry would keep who screened
    when. Raises ComplexNotFound, or PermissionDenied for someone not on the
    complex's staff.
    """
    require_complex_edit(actor, complex_id)
    row = get_complex(db, complex_id)
    month = (today or _today()).strftime("%Y-%m")
    with db.conn:
        db.execute(
            "INSERT INTO screening_counts (complex_id, month, screener, count) VALUES (?, ?, ?, 1) "
            "ON CONFLICT (complex_id, month, screener) DO UPDATE SET count = count + 1",
            [row["id"], month, SCREENER])
    return db.execute("SELECT count FROM screening_counts WHERE complex_id = ? AND month = ? AND screener = ?",
                      [row["id"], month, SCREENER]).fetchone()[0]


def screening_counts(db, complex_id: int, *, screener: str = SCREENER) -> list[dict]:
    """The complex's counts by month, newest first: [{"month": "2025-03", "count": 4}]."""
    return [{"month": m, "count": c} for m, c in db.execute(
        "SELECT month, count FROM screening_counts WHERE complex_id = ? AND screener = ? ORDER BY month DESC",
        [complex_id, screener])]
