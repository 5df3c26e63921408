"""Synthetic national-scale data that looks like life, for benchmarks and scale tests.

Agencies of every type in realistic proportions (경로당 and 행정복지센터 by the
thousand, 치매안심센터 and 정신건강복지센터 by the hundred), named the way
Korean agencies are named, with road addresses, coordinates and phone numbers
inside the real districts: the 2025 읍면동 list with populations
(data/public/stats/population_by_age_202505.csv) says where people and the
elderly live, and the KOSTAT centroids (UTM-K, through directory.regions) put
each unit on the map. Complexes sit in urban 동 and link to 9–13 agencies near
them, chosen and weighted by type the way the 2024 study found.

Two entry points:

- ``write_standard_csv(path, rows, encoding)`` writes a file in the
  전국치매센터표준데이터 layout (the type goes in 치매센터유형), for the importer
  benchmark;
- ``build_synthetic_db(path, agencies, complexes, seed)`` writes a store
  directly (bulk inserts, not the importer), cached on its parameters.

A smaller ``rows``/``agencies`` picks a run of neighbouring 시군구 whose
national share adds up to it, so a test-sized data set still has its
치매안심센터 and 행정복지센터 where they belong. Everything is deterministic
for a seed. ``python bench/synth.py --out DIR`` writes both into DIR.
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from directory.normalize import address_key, name_key
from directory.paths import DATA_DIR
from directory.regions import SEJONG, region_index
from directory.schema import SCHEMA_VERSION
from directory.store import connect, now, taxonomy
from directory.vocabulary import transformer

SYNTH_VERSION = 1
POPULATION_FILE = DATA_DIR / "public" / "stats" / "population_by_age_202505.csv"
STUDY_MATRIX = DATA_DIR / "study2024" / "linkage_matrix.csv"
CONTENT_TYPES = DATA_DIR / "reference" / "content_types.csv"

# The header of 전국치매센터표준데이터, exactly as data.go.kr serves it.
STANDARD_HEADER = [
    "치매센터명", "치매센터유형", "소재지도로명주소", "소재지지번주소", "위도", "경도", "설립연월",
    "건축물면적", "부대시설정보", "의사인원수", "간호사인원수", "사회복지사인원수", "기타인원현황",
    "운영기관명", "운영기관대표자명", "운영기관전화번호", "운영위탁일자", "주요치매관리프로그램소개",
    "관리기관전화번호", "관리기관명", "데이터기준일자", "제공기관코드", "제공기관명",
]

AREA_CODES = {
    "서울특별시": "02", "부산광역시": "051", "대구광역시": "053", "인천광역시": "032",
    "광주광역시": "062", "대전광역시": "042", "울산광역시": "052", "세종특별자치시": "044",
    "경기도": "031", "강원특별자치도": "033", "충청북도": "043", "충청남도": "041",
    "전북특별자치도": "063", "전라남도": "061", "경상북도": "054", "경상남도": "055",
    "제주특별자치도": "064",
}

# --- what exists, and how much of it -----------------------------------------
# (type, mode, amount, name pattern, type column values)
#   mode "sgg"/"emd": `amount` per 시군구 / 읍면동, spread so each unit gets one
#   before any gets two; "pop"/"elderly"/"rural": `amount` in the whole
#   country, placed at random weighted by population / people 65+ / 읍면 only.
# Name patterns: {sgg} last word of the 시군구 (장안구), {sggs} its stem (수원,
# 종로, 중구), {emd} the 읍면동 (정자1동), {stem} its stem (정자), {sidos} the
# 시도's short name, {area} the 읍면동 or its stem, {place}/{kid}/{warm}/{faith}/{mind} picks from the pools.
TYPES = [
    ("경로당", "elderly", 60000, "{area}{place}경로당", ("경로당", "경로당", "노인정")),
    ("어린이집", "pop", 14000, "{kid}어린이집", ("어린이집",)),
    ("행정복지센터", "emd", 1.0, "{emd}행정복지센터", ("행정복지센터", "행정복지센터", "주민센터")),
    ("주민자치위원회", "emd", 0.4, "{emd} 주민자치위원회", ("주민자치위원회",)),
    ("경찰서/파출소", "pop", 2000, "{stem}{police}", ("파출소", "지구대")),
    ("보건소", "rural", 1300, "{emd}보건지소", ("보건지소",)),
    ("재가센터", "elderly", 3000, "{stem}{warm}재가노인복지센터", ("재가센터", "재가노인복지센터")),
    ("종교기관", "pop", 4000, "{stem}{faith}", ("종교기관",)),
    ("정신의료기관", "pop", 1500, "{mind}정신건강의학과의원", ("정신의료기관",)),
    ("정신재활시설", "pop", 350, "{stem}정신재활센터", ("정신재활시설",)),
    ("노인복지센터", "elderly", 400, "{stem}노인복지관", ("노인복지관",)),
    ("사회복지관", "sgg", 1.9, "{stem}종합사회복지관", ("사회복지관", "종합사회복지관")),
    ("치매안심센터", "sgg", 1.0, "{sgg}치매안심센터", ("치매안심센터",)),
    ("정신건강복지센터", "sgg", 1.0, "{sgg}정신건강복지센터", ("정신건강복지센터", "기초정신건강복지센터")),
    ("보건소", "sgg", 1.0, "{sgg}보건소", ("보건소",)),
    ("동·구청", "sgg", 1.0, "{sgg}청", ("동·구청", "구청")),
    ("장애인복지관", "sgg", 1.0, "{sggs}장애인종합복지관", ("장애인복지관",)),
    ("시니어클럽", "sgg", 0.8, "{sggs}시니어클럽", ("시니어클럽", "노인일자리지원기관")),
    ("지역자활센터", "sgg", 0.95, "{sggs}지역자활센터", ("지역자활센터",)),
    ("자원봉사센터", "sgg", 1.0, "{sgg}자원봉사센터", ("자원봉사센터",)),
    ("가족센터", "sgg", 0.95, "{sgg}가족센터", ("가족센터", "건강가정지원센터")),
    ("지역사회보장협의체", "sgg", 1.0, "{sgg}지역사회보장협의체", ("지역사회보장협의체",)),
    ("드림스타트", "sgg", 0.9, "{sgg}드림스타트", ("드림스타트",)),
    ("고용센터", "pop", 100, "{sggs}고용센터", ("고용센터", "고용복지플러스센터")),
    ("중독관리통합지원센터", "pop", 60, "{sggs}중독관리통합지원센터", ("중독관리통합지원센터",)),
    ("자살예방센터", "pop", 40, "{sggs}자살예방센터", ("자살예방센터",)),
    ("주거안심종합센터", "pop", 25, "{sgg}주거안심종합센터", ("주거안심종합센터", "주거복지센터")),
    ("50플러스센터", "pop", 30, "{sggs}50플러스센터", ("50플러스센터",)),
    ("여성능력개발센터", "pop", 50, "{sggs}여성인력개발센터", ("여성능력개발센터",)),
    ("여성능력개발원", "pop", 10, "{sidos}여성능력개발원", ("여성능력개발원",)),
    ("노인보호전문기관", "pop", 37, "{sggs}노인보호전문기관", ("노인보호전문기관",)),
    ("보호관찰소", "pop", 57, "{sggs}보호관찰소", ("보호관찰소",)),
    ("준법지원센터", "pop", 20, "{sggs}준법지원센터", ("준법지원센터",)),
    ("서민금융진흥원", "pop", 50, "{sggs}서민금융통합지원센터", ("서민금융진흥원",)),
    ("마을공동체지원센터", "pop", 100, "{sgg}마을공동체지원센터", ("마을공동체지원센터",)),
    ("복지재단", "pop", 100, "{sggs}복지재단", ("복지재단",)),
    ("금연지원센터", "pop", 17, "{sidos}금연지원센터", ("금연지원센터",)),
    ("무한돌봄센터", "pop", 30, "{sggs}무한돌봄센터", ("무한돌봄센터",)),
    ("문화재단", "pop", 100, "{sggs}문화재단", ("문화재단",)),
]

POOLS = {
    "place": ["양지마을", "새마을", "중앙", "상록", "은행나무", "푸른마을", "느티나무", "무궁화", "동산",
              "효자", "한마음", "시장", "할머니", "할아버지", "본동", "아랫마을", "윗마을", "큰마을", "새터",
              "장수", "행복", "영구임대", "솔밭", "배나무골", "샘골", "우물", "다리목", "학교앞", "버들",
              "소나무"]
             + [f"{brand}{kind}" for brand in ("현대", "삼성래미안", "한신", "우성", "대림", "벽산", "롯데캐슬",
                                             "자이", "힐스테이트", "금호", "쌍용", "두산위브", "신동아", "동아",
                                             "극동", "삼익", "한양", "럭키", "진로", "선경", "미주", "코오롱")
                for kind in ("아파트", "1차", "2차", "3차")]
             + [f"주공{n}단지" for n in range(1, 13)],
    "kid": ["해님", "별빛", "새싹", "꿈나무", "한솔", "푸른숲", "아이사랑", "햇살", "무지개", "sk", "국공립",
            "키즈", "리틀", "소망", "밀알", "시립", "구립", "해오름", "까치", "도토리"],
    "warm": ["사랑", "행복", "효", "늘봄", "은빛", "참", "온누리", "한결", "다온", "바른"],
    "faith": ["중앙교회", "제일교회", "새교회", "은혜교회", "사랑의교회", "성당", "감리교회", "성결교회", "침례교회", "사"],
    "mind": ["마음", "하나", "밝은", "연세", "행복한", "편안한", "봄", "숲", "다솜", "온마음", "서울", "우리"],
    "police": ["파출소", "지구대"],
}
POOLS["kid"] = [p for p in POOLS["kid"] if not p.isascii()]

SERVICES = {
    "경로당": "여가·친목 활동, 경로식당, 건강 체조",
    "행정복지센터": "복지 상담, 기초생활보장 신청, 긴급복지 지원, 민원",
    "치매안심센터": "치매 조기검진, 치매환자 등록관리, 쉼터, 가족 지원",
    "정신건강복지센터": "정신건강 상담, 사례관리, 자살예방, 위기 개입",
    "사회복지관": "사례관리, 밑반찬 지원, 노인 일자리, 프로그램",
    "보건소": "방문 건강관리, 예방접종, 금연 클리닉, 건강검진",
    "시니어클럽": "노인 일자리, 사회활동 지원",
    "지역자활센터": "자활근로, 창업 지원, 사례관리",
    "중독관리통합지원센터": "알코올 중독 상담, 회복 지원, 가족 교육",
    "재가센터": "방문요양, 주야간보호, 재가 돌봄",
}
FIRST = "김이박최정강조윤장임한오서신권황안송전홍"
GIVEN = "민서준영지현수하도윤우진예은성호경미숙철희정"



@dataclass
class Unit:
    """One 읍면동 with its 시군구, population, people 65+ and UTM-K centroid."""

    code: str
    sido: str
    sigungu: str
    emd: str
    pop: int
    elderly: int
    x: float
    y: float

    @property
    def rural(self) -> bool:
        return self.emd.endswith(("읍", "면"))


# --- the map of Korea ----------------------------------------------------------


@lru_cache(maxsize=1)
def units() -> tuple[list[Unit], dict]:
    """Every current 읍면동, in code order, and the 시군구 -> [units] grouping."""
    index = region_index()
    with open(POPULATION_FILE, encoding="cp949", newline="") as fh:
        rows = list(csv.reader(fh))
    out: list[Unit] = []
    for row in rows[1:]:
        match = re.match(r"(.*?)\s*\((\d{10})\)$", row[0].strip())
        if not match:
            continue
        name, code = match.groups()
        if code[5:] == "00000":
            continue  # 시도 and 시군구 rows: totals of the 읍면동 below them
        parts = name.split()
        sido = index.sido_aliases.get(parts[0])
        if sido is None:
            continue
        rest = parts[1:]
        if sido == SEJONG:
            sigungu, emd = SEJONG, rest[-1]
        elif len(rest) >= 3 and rest[0].endswith("시") and rest[1].endswith("구"):
            sigungu, emd = f"{rest[0]} {rest[1]}", rest[2]
        else:
            sigungu, emd = rest[0], rest[-1]
        pop = int(row[1].replace(",", "") or 0)
        if pop <= 0:
            continue
        elderly = sum(int(c.replace(",", "") or 0) for c in row[3 + 65: 3 + 101])
        x, y = _centroid(index, sido, sigungu, emd)
        if x is None:
            continue
        out.append(Unit(code, sido, sigungu, emd, pop, elderly, x, y))
    groups: dict[tuple[str, str], list[Unit]] = {}
    for unit in out:
        groups.setdefault((unit.sido, unit.sigungu), []).append(unit)
    return out, groups


def _centroid(index, sido: str, sigungu: str, emd: str):
    strip = lambda s: "".join(s.split())  # noqa: E731
    region = index.eupmyeondong.get((sido, sigungu), {}).get(strip(emd))
    if region is None:
        # A 동 split or renamed after 2023: the centroid of its 시군구.
        region = index.sigungu.get(sido, {}).get(strip(sigungu))
    if region is None:
        return None, None
    return region.x, region.y


def _to_wgs84(xs: list[float], ys: list[float]) -> tuple[list[float], list[float]]:
    """UTM-K metres to (lats, lons)."""
    if not xs:
        return [], []
    lons, lats = transformer().transform(xs, ys)
    return [float(v) for v in lats], [float(v) for v in lons]


def _choose_region(n: int, rng: random.Random) -> list[tuple[str, str]]:
    """The 시군구 a data set of `n` agencies covers: all, or a run of neighbours."""
    all_units, groups = units()
    keys = list(groups)  # code order: neighbours in the same 시도
    expected = _expected_total(keys, groups)
    if n >= expected:
        return keys
    total_pop = sum(u.pop for u in all_units)
    total_elderly = sum(u.elderly for u in all_units)
    start = rng.randrange(len(keys))
    chosen, running = [], 0.0
    for i in range(len(keys)):
        key = keys[(start + i) % len(keys)]
        chosen.append(key)
        running += _expected_total([key], groups, total_pop, total_elderly)
        if running >= n:
            break
    return chosen


def _expected_total(keys, groups, total_pop=None, total_elderly=None) -> float:
    """How many agencies these 시군구 hold at the national proportions."""
    if total_pop is None:
        all_units = [u for g in groups.values() for u in g]
        total_pop = sum(u.pop for u in all_units)
        total_elderly = sum(u.elderly for u in all_units)
    members = [u for k in keys for u in groups[k]]
    pop = sum(u.pop for u in members)
    elderly = sum(u.elderly for u in members)
    total = 0.0
    for _type, mode, amount, _pattern, _raw in TYPES:
        if mode == "sgg":
            total += amount * len(keys)
        elif mode == "emd":
            total += amount * len(members)
        else:
            total += amount * (elderly / total_elderly if mode == "elderly" else pop / total_pop)
    return total


# --- agencies --------------------------------------------------------------------


def generate_agencies(n: int, seed: int = 1) -> list[dict]:
    """`n` synthetic agencies as dicts (name, type, type_raw, addresses, region, lat/lon, …).

    Deterministic for a seed; the same call always gives the same list.
    """
    rng = random.Random(seed)
    keys = _choose_region(n, rng)
    _all, groups = units()
    members = [u for k in keys for u in groups[k]]
    counts = _type_counts(n, keys, members)
    taken: set[tuple[str, str, str]] = set()
    streets: dict[str, set] = {}
    plan: list[tuple[int, Unit]] = []  # (type index, unit)
    for t, (agency_type, mode, _amount, _pattern, _raw) in enumerate(TYPES):
        count = counts[t]
        if not count:
            continue
        if mode in ("sgg", "emd"):
            spread = list(keys) if mode == "sgg" else list(members)
            rng.shuffle(spread)
            for i in range(count):
                item = spread[i % len(spread)]
                if mode == "sgg":
                    group = groups[item]
                    item = rng.choices(group, weights=[u.pop for u in group])[0]
                plan.append((t, item))
        else:
            pool = [u for u in members if u.rural] if mode == "rural" else members
            if not pool:
                pool = members
            weights = [u.elderly if mode == "elderly" else u.pop for u in pool]
            for unit in rng.choices(pool, weights=weights, k=count):
                plan.append((t, unit))
    agencies, xs, ys = [], [], []
    for t, unit in plan:
        agency_type, _mode, _amount, pattern, raws = TYPES[t]
        name = _unique_name(pattern, unit, rng, taken)
        road, lot = _addresses(unit, rng, streets)
        x, y = _jitter(unit, rng)
        xs.append(x)
        ys.append(y)
        agencies.append({
            "name": name, "type": agency_type, "type_raw": rng.choice(raws),
            "road_address": road, "lot_address": lot,
            "sido": unit.sido, "sigungu": unit.sigungu,
            "eupmyeondong": unit.emd, "region_code": unit.code,
            "phone": _phone(unit.sido, rng),
            "services": SERVICES.get(agency_type, ""),
        })
    lats, lons = _to_wgs84(xs, ys)
    for agency, lat, lon in zip(agencies, lats, lons):
        agency["lat"], agency["lon"] = round(lat, 7), round(lon, 7)
    return agencies


def _type_counts(n: int, keys, members) -> list[int]:
    """Agencies of each type: spread types one per unit, the rest share what is left."""
    fixed = {}
    for t, (_type, mode, amount, _p, _r) in enumerate(TYPES):
        if mode in ("sgg", "emd"):
            fixed[t] = round(amount * (len(keys) if mode == "sgg" else len(members)))
    spare = n - sum(fixed.values())
    if spare < 0:
        shares = {t: c / sum(fixed.values()) * n for t, c in fixed.items()}
        return _largest_remainder(shares, n, len(TYPES))
    others = {t: float(TYPES[t][2]) for t in range(len(TYPES)) if t not in fixed}
    total = sum(others.values())
    counts = _largest_remainder({t: v / total * spare for t, v in others.items()}, spare, len(TYPES))
    for t, c in fixed.items():
        counts[t] = c
    return counts


def _largest_remainder(shares: dict[int, float], total: int, length: int) -> list[int]:
    counts = [0] * length
    for t, share in shares.items():
        counts[t] = int(share)
    left = total - sum(counts)
    for t in sorted(shares, key=lambda t: (-(shares[t] - int(shares[t])), t))[:left]:
        counts[t] += 1
    return counts


def _stem(emd: str) -> str:
    """정자1동 -> 정자, 압구정제1동 -> 압구정, 양평읍 -> 양평."""
    stem = re.sub(r"(제?[\d.·,]+)?[동읍면가]$", "", emd)
    stem = re.sub(r"제?[\d.·,]+$", "", stem)
    return stem if len(stem) >= 1 else emd


def _sgg_parts(unit: Unit) -> tuple[str, str]:
    last = unit.sigungu.split()[-1]
    city = unit.sigungu.split()[0]
    stem = city[:-1] if len(city) > 2 else city
    return last, stem


def _unique_name(pattern: str, unit: Unit, rng: random.Random, taken: set) -> str:
    """A name for the pattern that no other agency in the same 시군구 has.

    A repeat draws again from the pools, then names a branch after its 읍면동
    (a second 치매안심센터 in 장안구 becomes 정자치매안심센터), then numbers it
    the Korean way (양지마을제2경로당).
    """
    sgg, sggs = _sgg_parts(unit)
    values = {
        "sgg": sgg if unit.sigungu != SEJONG else "세종시", "sggs": sggs if unit.sigungu != SEJONG else "세종",
        "emd": unit.emd, "stem": _stem(unit.emd), "sidos": _sido_short(unit.sido),
    }
    branch = pattern.replace("{sggs}", "{stem}").replace("{sgg}", "{stem}").replace("{sidos}", "{stem}")
    head, _brace, tail = pattern.rpartition("}")
    for attempt in range(1000):
        for pool, options in POOLS.items():
            values[pool] = rng.choice(options)
        values["area"] = unit.emd if rng.random() < 0.4 else values["stem"]
        if attempt < 8:
            name = pattern.format(**values)
        elif attempt == 8:
            name = branch.format(**values)
        elif tail:
            name = f"{(head + '}').format(**values)}제{attempt - 7}{tail}"
        else:
            name = f"{pattern.format(**values)} {attempt - 7}"
        key = (unit.sido, unit.sigungu, name_key(name))
        if key not in taken:
            taken.add(key)
            return name
    raise RuntimeError(f"no unique name for {pattern!r} in {unit.sigungu}")


@lru_cache(maxsize=None)
def _sido_short(sido: str) -> str:
    with open(DATA_DIR / "reference" / "sido.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["name"] == sido:
                return row["short"]
    return sido


def _addresses(unit: Unit, rng: random.Random, streets: dict) -> tuple[str, str]:
    """A road address and a lot address inside the unit."""
    stem = _stem(unit.emd)
    roads = streets.get(unit.code)
    if roads is None:
        sgg, _ = _sgg_parts(unit)
        roads = [f"{stem}로", f"{stem}로{rng.randint(1, 40)}길", f"{stem}{rng.randint(1, 12)}길",
                 f"{stem}로{rng.randint(41, 99)}번길", "중앙로", f"{sgg[:-1] if len(sgg) > 2 else sgg}대로"]
        streets[unit.code] = roads
    road = rng.choice(roads)
    number = rng.randint(1, 320)
    if rng.random() < 0.15:
        number = f"{number}-{rng.randint(1, 30)}"
    head = unit.sido if unit.sigungu == SEJONG else f"{unit.sido} {unit.sigungu}"
    if unit.rural:
        road_address = f"{head} {unit.emd} {road} {number}"
        lot = f"{head} {unit.emd} {stem}리 {rng.randint(1, 999)}"
    else:
        road_address = f"{head} {road} {number} ({unit.emd})"
        lot = f"{head} {stem}동 {rng.randint(1, 999)}-{rng.randint(1, 40)}"
    if rng.random() < 0.1:
        road_address += f" {rng.randint(2, 5)}층" if unit.rural else ""
    return road_address, lot


def _jitter(unit: Unit, rng: random.Random, sigma: float = 350.0) -> tuple[float, float]:
    """A point a few hundred metres from the unit's centroid (UTM-K metres)."""
    dx = max(-1000.0, min(1000.0, rng.gauss(0, sigma)))
    dy = max(-1000.0, min(1000.0, rng.gauss(0, sigma)))
    return unit.x + dx, unit.y + dy


def _phone(sido: str, rng: random.Random) -> str:
    area = AREA_CODES.get(sido, "02")
    if area == "02":
        return f"02-{rng.randint(2000, 9999)}-{rng.randint(0, 9999):04d}"
    return f"{area}-{rng.randint(200, 999)}-{rng.randint(0, 9999):04d}"


def _person(rng: random.Random) -> str:
    return rng.choice(FIRST) + rng.choice(GIVEN) + rng.choice(GIVEN)


# --- the standard-data CSV ----------------------------------------------------------


def write_standard_csv(path, rows: int = 100_000, encoding: str = "cp949", seed: int = 1) -> Path:
    """Write `rows` synthetic agencies as a 전국치매센터표준데이터 CSV; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed + 7919)
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(STANDARD_HEADER)
        for agency in generate_agencies(rows, seed):
            sido, sgg = agency["sido"], agency["sigungu"]
            centre = agency["type"] in SERVICES and agency["type"] != "경로당"
            writer.writerow([
                agency["name"], agency["type_raw"], agency["road_address"], agency["lot_address"],
                f"{agency['lat']:.7f}", f"{agency['lon']:.7f}",
                f"{rng.randint(1985, 2024)}-{rng.randint(1, 12):02d}",
                f"{rng.randint(40, 900)}" if centre else "",
                "사무실(1)+상담실(1)+프로그램실(1)" if centre else "",
                rng.randint(0, 1) if centre else "", rng.randint(0, 8) if centre else "",
                rng.randint(1, 9) if centre else "", "",
                f"{sgg.split()[-1]}청" if centre else "대한노인회 " + sgg.split()[-1] + "지회",
                _person(rng), agency["phone"], "", agency["services"],
                _phone(sido, rng), f"{sido} {sgg}", "2025-05-31",
                agency["region_code"][:5] + "00", f"{sido} {sgg}",
            ])
    return path


# --- the synthetic store -----------------------------------------------------------------

AGENCY_COLUMNS = (
    "id", "name", "name_key", "type", "type_raw", "category", "road_address", "lot_address",
    "address_key", "sido", "sido_raw", "sigungu", "eupmyeondong", "region_code", "lat", "lon",
    "placement", "phone", "phone_raw", "services", "source", "source_key", "verified_date",
    "created_at", "updated_at",
)
REQUIRED_PARTNERS = ("사회복지관", "행정복지센터", "정신건강복지센터", "치매안심센터")
# Partners per complex: 9–13 as in the study, most often 12 or 13 (≈12,000 for 1,000).
PARTNER_COUNTS = {9: 1, 10: 1, 11: 2, 12: 4, 13: 6}
NEAR_KM = 12.0
CONTENT_BY_CATEGORY = {
    "공공기관": ["information", "referral", "meetings"],
    "복지기관": ["referral", "resources", "programs", "information"],
    "보건의료": ["referral", "information", "resources", "programs"],
    "자원봉사": ["resources", "programs"],
    "일자리": ["referral", "information"],
    "모임": ["meetings", "information", "programs"],
    "기타": ["resources", "referral"],
}


def build_synthetic_db(path, agencies: int = 100_000, complexes: int = 1000, seed: int = 1) -> Path:
    """A store with `agencies` agencies, `complexes` complexes and ~12 links each; returns its path.

    `agencies` includes one 관리사무소 per complex. A file built earlier with
    the same parameters (kept in its meta table) is reused as it is.
    """
    path = Path(path)
    params = json.dumps({"agencies": agencies, "complexes": complexes, "seed": seed,
                         "version": SYNTH_VERSION, "schema": SCHEMA_VERSION}, sort_keys=True)
    if path.exists() and _cached_params(path) == params:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    _remove(tmp)
    db = connect(tmp)
    try:
        _fill(db, agencies, complexes, seed)
        db["meta"].upsert({"key": "synthetic", "value": params}, pk="key")
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.conn.close()
    _remove(path)
    os.replace(tmp, path)
    _remove(Path(f"{tmp}-wal"))
    _remove(Path(f"{tmp}-shm"))
    return path


def _cached_params(path: Path) -> str | None:
    import sqlite3

    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'synthetic'").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return None
    return row[0] if row else None


def _remove(path: Path) -> None:
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            p.unlink()
        except FileNotFoundError:
            pass


def _fill(db, n_agencies: int, n_complexes: int, seed: int) -> None:
    rng = random.Random(seed + 104729)
    tax = taxonomy(db)
    general = generate_agencies(max(n_agencies - n_complexes, 0), seed)
    places = _complex_places(general, n_complexes, rng)
    stamp = now()
    rows, sources = [], []
    for i, a in enumerate(general, start=1):
        rows.append(_agency_row(i, a, tax, stamp))
    complex_rows, offices = [], []
    for j, place in enumerate(places, start=1):
        complex_rows.append(place["complex"] | {"id": j, "created_at": stamp, "updated_at": stamp})
        office = place["office"]
        offices.append(len(rows) + 1)
        rows.append(_agency_row(len(rows) + 1, office, tax, stamp))
    for row in rows:
        sources.append((row[0], "synthetic", row[AGENCY_COLUMNS.index("source_key")], row[0], stamp))
    links = _links(general, rows, places, offices, tax, rng, stamp)
    conn = db.conn
    conn.execute("PRAGMA synchronous=OFF")
    with conn:
        conn.executemany(
            f"INSERT INTO agencies ({', '.join(AGENCY_COLUMNS)}) VALUES ({', '.join('?' * len(AGENCY_COLUMNS))})",
            rows,
        )
        conn.executemany(
            "INSERT INTO agency_sources (agency_id, source, source_key, row_number, imported_at) VALUES (?,?,?,?,?)",
            sources,
        )
        if complex_rows:
            cols = list(complex_rows[0])
            conn.executemany(
                f"INSERT INTO complexes ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                [[r[c] for c in cols] for r in complex_rows],
            )
        conn.executemany(
            "INSERT INTO links (complex_id, agency_id, frequency_level, frequency_raw, content_types, since, "
            "source, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
            links,
        )
    conn.execute("PRAGMA synchronous=NORMAL")


def _agency_row(agency_id: int, a: dict, tax, stamp: str) -> tuple:
    agency_type = a["type"]
    values = {
        "id": agency_id, "name": a["name"], "name_key": name_key(a["name"]), "type": agency_type,
        "type_raw": a["type_raw"], "category": tax.category_of(agency_type),
        "road_address": a["road_address"], "lot_address": a["lot_address"],
        "address_key": address_key(a["road_address"]), "sido": a["sido"],
        "sido_raw": a["road_address"].split()[0], "sigungu": a["sigungu"],
        "eupmyeondong": a["eupmyeondong"], "region_code": a["region_code"], "lat": a["lat"],
        "lon": a["lon"], "placement": "exact", "phone": a["phone"], "phone_raw": a["phone"],
        "services": a["services"] or None, "source": "synthetic", "source_key": f"S{agency_id:06d}",
        "verified_date": "2025-05-31", "created_at": stamp, "updated_at": stamp,
    }
    return tuple(values[c] for c in AGENCY_COLUMNS)


def _complex_places(general: list[dict], n: int, rng: random.Random) -> list[dict]:
    """Complexes in urban 동 (영구임대 sits in cities), each with its 관리사무소."""
    _all, groups = units()
    regions = sorted({(a["sido"], a["sigungu"]) for a in general}) or sorted(groups)[:1]
    pool = [u for key in regions for u in groups.get(key, [])]
    weights = [u.pop * (0.1 if u.rural else 1.0) for u in pool]
    chosen = rng.choices(pool, weights=weights, k=n) if pool else []
    numbers: dict[str, int] = {}
    streets: dict = {}
    out, xs, ys = [], [], []
    for unit in chosen:
        numbers[unit.emd] = numbers.get(unit.emd, 0) + 1
        name = f"{unit.emd} 영구임대 {numbers[unit.emd]}단지"
        road, lot = _addresses(unit, rng, streets)
        x, y = _jitter(unit, rng, sigma=250.0)
        xs.append(x)
        ys.append(y)
        operator = "SH" if unit.sido == "서울특별시" else "LH"
        households = rng.randint(1200, 2400)
        elderly = round(rng.uniform(50, 80), 1)
        recipients = round(rng.uniform(40, 90), 1)
        disabled = round(rng.uniform(3, 15), 1)
        alone = round(rng.uniform(30, 70), 1)
        flags = {"alcohol_issues": int(rng.random() < 0.4), "hoarding_issues": int(rng.random() < 0.3),
                 "mental_illness_issues": int(rng.random() < 0.6)}
        profile = f"수급자 {recipients:g}%; 65세 이상 {elderly:g}%; 장애인 {disabled:g}%; 독거세대 {alone:g}%"
        if flags["alcohol_issues"]:
            profile += "; 알코올 문제 세대 있음"
        if flags["hoarding_issues"]:
            profile += "; 저장강박 세대 있음"
        out.append({
            "unit": unit,
            "complex": {
                "name": name, "operator": operator, "address": road, "sido": unit.sido,
                "sigungu": unit.sigungu, "eupmyeondong": unit.emd, "region_code": unit.code,
                "placement": "exact", "households": households, "elderly_pct": elderly,
                "disabled_pct": disabled, "recipients_pct": recipients, "living_alone_pct": alone,
                **flags, "resident_profile": profile, "staff_placed_year": rng.randint(2016, 2024),
                "source": "synthetic", "source_key": f"C{len(out) + 1:04d}",
            },
            "office": {
                "name": f"{name} 관리사무소", "type": "관리사무소", "type_raw": "관리사무소",
                "road_address": road, "lot_address": lot, "sido": unit.sido, "sigungu": unit.sigungu,
                "eupmyeondong": unit.emd, "region_code": unit.code, "phone": _phone(unit.sido, rng),
                "services": "단지 관리, 임대료·관리비, 시설 보수",
            },
        })
    lats, lons = _to_wgs84(xs, ys)
    for place, lat, lon in zip(out, lats, lons):
        place["complex"]["lat"] = place["office"]["lat"] = round(lat, 7)
        place["complex"]["lon"] = place["office"]["lon"] = round(lon, 7)
    return out


def _study_weights(tax) -> tuple[dict[str, int], dict[str, list[int]], list[int]]:
    """From the study's matrix: links per type, frequency levels per type, all levels."""
    marks = {"●": 5, "◕": 4, "◒": 3, "◔": 2, "○": 1}
    per_type: dict[str, int] = {}
    levels: dict[str, list[int]] = {}
    every: list[int] = []
    with open(STUDY_MATRIX, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            agency_type = tax.canonical_type(row["agency"]) or tax.infer_type(row["agency"])
            cells = [v.strip() for k, v in row.items() if k not in ("category", "agency") and v and v.strip()]
            for cell in cells:
                if cell in marks and agency_type:
                    per_type[agency_type] = per_type.get(agency_type, 0) + 1
                    levels.setdefault(agency_type, []).append(marks[cell])
                    every.append(marks[cell])
    return per_type, levels, every


class _Grid:
    """Agencies of one type bucketed on a 0.02° grid, for nearest-neighbour lookups."""

    CELL = 0.02

    def __init__(self):
        self.cells: dict[tuple[int, int], list[tuple[float, float, int]]] = {}

    def add(self, lat: float, lon: float, ident: int) -> None:
        self.cells.setdefault((int(lat / self.CELL), int(lon / self.CELL)), []).append((lat, lon, ident))

    def near(self, lat: float, lon: float, km: float) -> list[tuple[float, int]]:
        """(distance km, id) of the agencies within `km`, nearest first."""
        reach = int(km / (self.CELL * 88)) + 1  # a 0.02° cell is ≥ 1.76 km wide at 38°N
        ci, cj = int(lat / self.CELL), int(lon / self.CELL)
        found = []
        for i in range(ci - reach, ci + reach + 1):
            for j in range(cj - reach, cj + reach + 1):
                for alat, alon, ident in self.cells.get((i, j), ()):
                    d = _km(lat, lon, alat, alon)
                    if d <= km:
                        found.append((d, ident))
        found.sort()
        return found

    def nearest(self, lat: float, lon: float) -> tuple[float, int] | None:
        """The nearest agency however far (searches wider until one is found)."""
        km = 5.0
        while km < 1000:
            found = self.near(lat, lon, km)
            if found:
                return found[0]
            km *= 2
        return None


def _km(lat1, lon1, lat2, lon2) -> float:
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6371.0 * math.hypot(x, y)


def _links(general, rows, places, offices, tax, rng, stamp) -> list[tuple]:
    per_type, levels, every = _study_weights(tax)
    grids: dict[str, _Grid] = {}
    for i, a in enumerate(general, start=1):
        if a["type"] in per_type or a["type"] in REQUIRED_PARTNERS:
            grids.setdefault(a["type"], _Grid()).add(a["lat"], a["lon"], i)
    extras = [t for t in per_type if t not in REQUIRED_PARTNERS and t != "관리사무소" and t in grids]
    extra_weights = [per_type[t] for t in extras]
    counts, count_weights = list(PARTNER_COUNTS), list(PARTNER_COUNTS.values())
    links = []
    for complex_id, (place, office_id) in enumerate(zip(places, offices), start=1):
        lat, lon = place["complex"]["lat"], place["complex"]["lon"]
        wanted = rng.choices(counts, weights=count_weights)[0]
        partners = [("관리사무소", office_id)]
        for agency_type in REQUIRED_PARTNERS:
            hit = grids[agency_type].nearest(lat, lon) if agency_type in grids else None
            if hit:
                partners.append((agency_type, hit[1]))
        used_types = {t for t, _ in partners}
        for attempt in range(120):
            if len(partners) >= wanted or not extras:
                break
            agency_type = rng.choices(extras, weights=extra_weights)[0]
            if agency_type in used_types:
                continue
            # Far from town few partners are near: look wider after many tries.
            near = grids[agency_type].near(lat, lon, NEAR_KM if attempt < 60 else 3 * NEAR_KM)[:3]
            if not near:
                continue
            partners.append((agency_type, rng.choice(near)[1]))
            used_types.add(agency_type)
        since_year = place["complex"]["staff_placed_year"]
        for agency_type, agency_id in partners:
            own = levels.get(agency_type)
            level = rng.choice(own) if own and rng.random() < 0.7 else rng.choice(every)
            category = tax.category_of(agency_type) or "기타"
            options = CONTENT_BY_CATEGORY.get(category, ["referral"])
            n_types = min(len(options), 1 + (level >= 3) + (level >= 5 and rng.random() < 0.5))
            chosen = [options[0]] + rng.sample(options[1:], n_types - 1)
            links.append((
                complex_id, agency_id, level, "●◕◒◔○"[5 - level], json.dumps(chosen),
                f"{rng.randint(since_year, 2024)}-{rng.randint(1, 12):02d}", "synthetic", stamp, stamp,
            ))
    return links


def main(argv=None) -> int:
    """`python bench/synth.py --out DIR`: write synthetic.db and a standard-data CSV into DIR."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="folder to write into")
    parser.add_argument("--agencies", type=int, default=100_000)
    parser.add_argument("--complexes", type=int, default=1000)
    parser.add_argument("--csv-rows", type=int, default=100_000)
    parser.add_argument("--encoding", default="cp949")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    out = Path(args.out)
    db_path = build_synthetic_db(out / "synthetic.db", args.agencies, args.complexes, args.seed)
    print(f"store: {db_path}")
    if args.csv_rows:
        csv_path = write_standard_csv(out / f"standard_{args.csv_rows}.csv", args.csv_rows, args.encoding, args.seed)
        print(f"csv:   {csv_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
