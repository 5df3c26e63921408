"""Demand a planner can choose for the access measure, and the join that puts it on the areas.

The areas of :mod:`network.access` are the MOIS 시군구 (일반구 in place of
their 시) or 읍면동, with 10-digit codes and positions. A demand table gives
a number per 시군구 (or 읍면동) by code or by name; this module reads the
shipped national tables and joins any table to the areas:

* by code where the table has one (10 digits, or the 5-digit 시군구 prefix),
* else by normalised name: the 시도 in any spelling (서울, 강원도), spaces
  ignored, a 일반구 glued to its 시 or written without 시 (수원시장안구,
  수원장안구, 부천소사구), 세종 (세종시, 세종특별자치시 세종특별자치시), a 시군구
  prefixed with its 시도 (대구군위군), and a 시군구 name unique in the country
  when the table's 시도 is an older one (경북 군위군, now in 대구);
* a 시-level row of a city whose 구 are the areas (수원시 beside its four 구:
  people the table could not place in a 구) is shared among its 구 in
  proportion to theirs, and said so.

Rows that name no area, and areas no row names, come back in the
:class:`DemandJoin` report by name; nothing is dropped silently.

Shipped demand (``DEMANDS``): population 65+ (MOIS, 2025-05), 기초생활수급자
persons and households and 주거급여 수급자 (한국사회보장정보원, 2025-12),
등록장애인 (KOSIS, 2024), and patients treated for 우울증, 조현병, 조울증 or
불안장애 (HIRA, 2024; a person treated for two of them counts twice).
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from directory.errors import YeongyeError
from directory.normalize import normalize_sido
from directory.paths import PUBLIC_DIR
from directory.regions import SEJONG

__all__ = [
    "DEMANDS", "DemandError", "DemandJoin", "demand_rows", "join_demand", "area_keys", "name_key",
    "senior_job_rows", "SENIOR_JOBS_FILE",
]

STATS = PUBLIC_DIR / "stats"
WELFARE_FILE = STATS / "welfare_recipients_by_sigungu_20251231.csv"
DISABLED_FILE = STATS / "registered_disabled_by_sigungu_2024.csv"
MENTAL_FILE = STATS / "mental_illness_by_sigungu_age_2024.csv"
SENIOR_JOBS_FILE = STATS / "senior_job_projects_20230417.csv"
MENTAL_ILLNESSES = ("우울증", "조현병", "조울증", "불안장애")
# Approved projects (and approved ones under a change review); drafts, refusals and deletions are not jobs.
SENIOR_JOB_STATUSES = {"승인완료", "조건부승인", "변경심사요청"}


@dataclass(frozen=True)
class Demand:
    """One shipped demand: its label (the planner's words), unit, source and levels."""

    key: str
    label: str
    unit: str
    source: str
    vintage: str
    levels: tuple[str, ...] = ("sigungu",)
    short: str | None = None  # for a menu, when the label is long

    @property
    def menu_label(self) -> str:
        """The label a menu shows."""
        return self.short or self.label


DEMANDS: dict[str, Demand] = {d.key: d for d in (
    Demand("age65", "65세 이상 인구", "명", "행정안전부 주민등록 연령별 인구", "2025-05", ("sigungu", "eupmyeondong")),
    Demand("recipients", "기초생활수급자", "명", "한국사회보장정보원 복지사업 수급권자 현황", "2025-12"),
    Demand("recipient_households", "기초생활수급 가구", "가구", "한국사회보장정보원 복지사업 수급권자 현황", "2025-12"),
    Demand("housing_benefit", "주거급여 수급자", "명", "한국사회보장정보원 복지사업 수급권자 현황", "2025-12"),
    Demand("disabled", "등록장애인", "명", "통계청 KOSIS 등록장애인 현황", "2024-12"),
    Demand("mental", "정신질환 진료 환자 (우울증·조현병·조울증·불안장애)", "명", "건강보험심사평가원 주요 정신질환 통계",
           "2024", short="정신질환 진료 환자"),
)}


class DemandError(YeongyeError, ValueError):
    """A demand table cannot be read or joined as asked."""

    code = "demand_error"


@dataclass
class DemandJoin:
    """How a demand table met the areas: counts by way of joining and what did not join, by name."""

    areas: int = 0
    joined: dict[str, int] = field(default_factory=lambda: {"code": 0, "name": 0, "unique_name": 0})
    shared_city_rows: list[str] = field(default_factory=list)  # 시-level rows shared among the 시's 구
    unmatched_rows: list[str] = field(default_factory=list)  # table rows naming no area
    unmatched_at: list[int | None] = field(default_factory=list)  # their row numbers in the file, where known
    missing_areas: list[str] = field(default_factory=list)  # areas no row names (demand 0)
    missing_codes: list[str] = field(default_factory=list)  # the same areas by code
    city_values: dict[str, float] = field(default_factory=dict)  # with city_rows="each": area code -> from its 시

    @property
    def joined_areas(self) -> int:
        """Areas that got a value from the table."""
        return self.areas - len(self.missing_areas)

    def as_dict(self) -> dict:
        """Plain data for JSON and templates."""
        return {"areas": self.areas, "joined_areas": self.joined_areas, "joined": dict(self.joined),
                "shared_city_rows": list(self.shared_city_rows), "unmatched_rows": list(self.unmatched_rows),
                "unmatched_at": list(self.unmatched_at),
                "missing_areas": list(self.missing_areas), "missing_codes": list(self.missing_codes)}


# --- names ------------------------------------------------------------------


def name_key(sido: str | None, name: str | None) -> str:
    """`시도|시군구` with the 시도 canonical and every space removed (수원시 장안구 -> 수원시장안구).

    >>> name_key("서울", "노원 구")
    '서울특별시|노원구'
    """
    canonical = normalize_sido(sido) or (sido or "").strip()
    return f"{canonical}|{''.join((name or '').split())}"


_CITY_DISTRICT = re.compile(r"^(\S+?시)\s*(\S+구)$")


def area_keys(area: dict) -> list[str]:
    """Every name a table may give one area (its 시군구, or its 읍면동 within the 시군구)."""
    sido, sigungu, dong = area["sido"], area.get("sigungu") or "", area.get("eupmyeondong")
    if dong:
        return [name_key(sido, f"{sigungu}{dong}"), name_key(sido, dong) + "|dong"]
    keys = [name_key(sido, sigungu)]
    if sido == SEJONG:
        keys += [name_key(sido, "세종시"), name_key(sido, "세종"), name_key(sido, "")]
    m = _CITY_DISTRICT.match(sigungu.replace(" ", " "))
    if m or " " in sigungu:
        city, district = (m.group(1), m.group(2)) if m else sigungu.split(" ", 1)
        keys.append(name_key(sido, city[:-1] + district))  # 수원장안구 (HIRA)
    short = _sido_short(sido)
    if short:
        keys.append(name_key(sido, short + sigungu))  # 대구군위군
    return keys


def _sido_short(sido: str | None) -> str | None:
    """The two-syllable short name of a 시도 (서울, 경기, 충북) as tables prefix it."""
    shorts = {"서울특별시": "서울", "부산광역시": "부산", "대구광역시": "대구", "인천광역시": "인천", "광주광역시": "광주",
              "대전광역시": "대전", "울산광역시": "울산", "세종특별자치시": "세종", "경기도": "경기",
              "강원특별자치도": "강원", "충청북도": "충북", "충청남도": "충남", "전북특별자치도": "전북",
              "전라남도": "전남", "경상북도": "경북", "경상남도": "경남", "제주특별자치도": "제주"}
    return shorts.get(sido or "")


# --- the join ---------------------------------------------------------------


def join_demand(areas: list[dict], rows: list[dict], *, level: str = "sigungu",
                city_rows: str = "share") -> tuple[dict[str, float], DemandJoin]:
    """Join demand rows to areas; returns ({area code: demand}, report).

    A 시-level row of a city whose 구 are areas is shared among the 구 in
    proportion to their own values (``city_rows="share"``, for people), or
    added whole to each 구 (``"each"``, for agencies a 시 runs for all its 구;
    ``report.city_values`` then says how much of each 구's value came so).

    `rows` are dicts with ``value`` and either ``code`` (10 or 5 digits) or
    ``sido`` + ``sigungu`` (+ ``eupmyeondong`` at 읍면동 level), and a
    ``label`` for the report. Several rows for one area add up (a table
    listing 군위군 under both its old and its new 시도). An area no row
    names gets 0 and is named in the report's ``missing_areas``.

    >>> areas = [{"code": "1111000000", "sido": "서울특별시", "sigungu": "종로구", "eupmyeondong": None, "name": "서울특별시 종로구"}]
    >>> values, report = join_demand(areas, [{"sido": "서울", "sigungu": "종로구", "value": 5.0, "label": "서울 종로구"}])
    >>> values, report.joined_areas
    ({'1111000000': 5.0}, 1)
    """
    dong = level == "eupmyeondong"
    by_code, by_prefix, by_key, by_local = {}, {}, {}, {}
    for area in areas:
        by_code[area["code"]] = area
        if not dong:
            by_prefix[area["code"][:5]] = area
        for key in area_keys(area):
            by_key.setdefault(key, area)
        local = "".join(((area.get("eupmyeondong") if dong else area.get("sigungu")) or "").split())
        by_local.setdefault(local, []).append(area)
    # 시 whose 구 are areas: 수원시 -> [장안구, 권선구, …] (a table's 시-level row is shared among them).
    cities: dict[str, list[dict]] = {}
    if not dong:
        for area in areas:
            sigungu = area.get("sigungu") or ""
            if " " in sigungu:
                cities.setdefault(name_key(area["sido"], sigungu.split(" ", 1)[0]), []).append(area)
    report = DemandJoin(areas=len(areas))
    values: dict[str, float] = {}
    city_found: list[tuple[dict, str]] = []
    for row in rows:
        value = float(row["value"])
        area, how = _find(row, by_code, by_prefix, by_key, by_local, dong)
        if area is None and not dong:
            key = name_key(row.get("sido"), row.get("sigungu"))
            if key in cities:
                city_found.append((row, key))
                continue
        if area is None:
            report.unmatched_rows.append(row.get("label") or _label(row))
            report.unmatched_at.append(row.get("row"))
            continue
        report.joined[how] = report.joined.get(how, 0) + 1
        values[area["code"]] = values.get(area["code"], 0.0) + value
    for row, key in city_found:
        districts = cities[key]
        own = [values.get(a["code"], 0.0) for a in districts]
        total = sum(own)
        for area, part in zip(districts, own):
            share = 1.0 if city_rows == "each" else part / total if total > 0 else 1 / len(districts)
            values[area["code"]] = values.get(area["code"], 0.0) + float(row["value"]) * share
            if city_rows == "each":
                report.city_values[area["code"]] = report.city_values.get(area["code"], 0.0) + float(row["value"])
        report.shared_city_rows.append(f"{row.get('label') or _label(row)} ({float(row['value']):,.0f})")
    for area in areas:
        if area["code"] not in values:
            report.missing_areas.append(area["name"])
            report.missing_codes.append(area["code"])
            values[area["code"]] = 0.0
    return values, report


def _find(row, by_code, by_prefix, by_key, by_local, dong):
    code = "".join(ch for ch in str(row.get("code") or "") if ch.isdigit())
    if len(code) == 10 and code in by_code:
        return by_code[code], "code"
    if not dong and len(code) in (5, 10) and code[:5] in by_prefix:
        return by_prefix[code[:5]], "code"
    sido, sigungu = row.get("sido"), row.get("sigungu") or ""
    if dong:
        key = name_key(sido, f"{sigungu}{row.get('eupmyeondong') or ''}")
        if key in by_key:
            return by_key[key], "name"
        candidates = by_local.get("".join((row.get("eupmyeondong") or "").split()), [])
        same_sido = [a for a in candidates if a["sido"] == normalize_sido(sido)] if sido else candidates
        if len(same_sido) == 1:
            return same_sido[0], "unique_name"
        return None, None
    key = name_key(sido, sigungu)
    if key in by_key:
        return by_key[key], "name"
    # Only when the table's 시도 has no such 시군구 (경북 군위군 is 대구's now); 고성군 is in two 시도.
    candidates = by_local.get("".join(sigungu.split()), [])
    if len(candidates) == 1:
        return candidates[0], "unique_name"
    return None, None


def _label(row: dict) -> str:
    parts = [row.get("sido"), row.get("sigungu"), row.get("eupmyeondong")]
    text = " ".join(p for p in parts if p) or str(row.get("code") or "")
    return text or "(이름 없음)"


# --- the shipped tables -----------------------------------------------------


def demand_rows(key: str) -> list[dict]:
    """The rows of a shipped demand table (not 65+, which :mod:`network.access` reads with positions).

    Each row: sido, sigungu, value, label.
    """
    if key not in DEMANDS or key == "age65":
        raise DemandError("unknown_demand", value=key, known=", ".join(DEMANDS))
    return [dict(r) for r in _demand_rows(key)]


@lru_cache(maxsize=8)
def _demand_rows(key: str) -> tuple:
    if key in ("recipients", "recipient_households", "housing_benefit"):
        programme = "기초주거급여" if key == "housing_benefit" else "기초생활보장(맞춤형급여)"
        column = "수급가구수" if key == "recipient_households" else "수급권자수"
        rows = [_row(r["시도"], r["시군구"], r[column]) for r in _dicts(WELFARE_FILE) if r["사업명"] == programme]
    elif key == "disabled":
        rows = _disabled()
    else:
        sums: dict[tuple, float] = {}
        for r in _dicts(MENTAL_FILE):
            if r["상별구분"] in MENTAL_ILLNESSES:
                k = (r["시도"].strip(), r["시군구"].strip())
                sums[k] = sums.get(k, 0.0) + _number(r["환자수"])
        rows = [_row(s, g, v) for (s, g), v in sums.items()]
    return tuple(r for r in rows if r is not None)


def _disabled() -> list[dict]:
    with open(DISABLED_FILE, encoding="utf-8-sig", newline="") as fh:
        records = list(csv.reader(fh))
    rows = []
    for rec in records[3:]:
        if len(rec) < 3:
            continue
        sido, sigungu = rec[0].strip('"').strip(), rec[1].strip()
        if sido == "전국":
            continue
        if sigungu == "소계":
            if normalize_sido(sido) != SEJONG:  # 세종 is listed only as its 시도's 소계
                continue
            sigungu = SEJONG
        rows.append(_row(sido, sigungu, rec[2]))
    return rows


def _row(sido: str, sigungu: str, value) -> dict | None:
    sido, sigungu = (sido or "").strip(), (sigungu or "").strip()
    if not sido:
        return None
    return {"sido": sido, "sigungu": sigungu, "value": _number(value), "label": f"{sido} {sigungu}".strip()}


def senior_job_rows() -> list[dict]:
    """노인일자리 target jobs per 시군구 (approved 2022 projects), as rows with a 10-digit code.

    A supply of its own: 시니어클럽-type services have no list with names and
    addresses, but the projects say how many jobs each 시군구 was to offer.
    """
    sums: dict[tuple, float] = {}
    for r in _dicts(SENIOR_JOBS_FILE):
        if r.get("삭제여부") == "Y" or r.get("사업계획서상태코드") not in SENIOR_JOB_STATUSES:
            continue
        k = (r["시군구코드"].strip(), r["관활시도명"].strip(), r["관할시군구"].strip())
        sums[k] = sums.get(k, 0.0) + _number(r["목표일자리수"])
    return [{"code": c, "sido": s, "sigungu": g, "value": v, "label": f"{s} {g}"} for (c, s, g), v in sums.items()]


@lru_cache(maxsize=4)
def _dicts_cached(path: str, mtime: float) -> tuple:
    data = Path(path).read_bytes()
    for encoding in ("utf-8-sig", "cp949"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DemandError("demand_file_unreadable", path=path)
    return tuple(csv.DictReader(io.StringIO(text)))


def _dicts(path: Path) -> tuple:
    try:
        return _dicts_cached(str(path), path.stat().st_mtime)
    except OSError as exc:
        raise DemandError("demand_file_unreadable", path=str(path)) from exc


def _number(text) -> float:
    text = str(text or "").replace(",", "").strip()
    try:
        return float(text)
    except ValueError:
        return 0.0
