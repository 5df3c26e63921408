"""A centre's own name when its list gives the operator's, a bare type, or a unit's short name.

The 국립정신건강센터 list names many 기초정신건강복지센터 rows by the body
that runs them (수탁기관: ``강원대학교병원``, ``(학)일송학원 한림대학교성심병원``);
the health-promotion list has rows named ``정신건강복지센터`` alone; a
dementia row may be named by its place (``부산광역시 해운대구``) with the
centre's name in the operator column. A worker looks for
``춘천시정신건강복지센터``, so:

- a centre row (정신건강복지센터, 치매안심센터, 중독관리통합지원센터,
  자살예방센터) whose name names a hospital, university, 재단, another type
  or a place is given the centre's name — the operator column's value when
  that names the type, else the place and the type (:func:`place_name`) —
  and the old name goes to ``operator``;
- a centre named by its 보건소 (``경기도 송탄보건소``) is that 보건소's centre
  (``송탄보건소 치매안심센터``): a 시 may have two;
- a name that is the type alone, or a 시도 and a 기초 type, is qualified
  with its 시군구;
- a name that is the centre's own (효성평생건강센터, a satellite with a name of
  its own) stays, and so does every clinic and hospital (their type is not a
  centre type).

A name made from the place is recognisable afterwards (:func:`is_place_name`):
the duplicate rules (``dedup.py``) let a same-place row of another list give
the centre its real name and phone.
"""
from __future__ import annotations

import csv
import re
from functools import lru_cache

from directory.normalize import name_key, normalize_sido
from directory.paths import REFERENCE_DIR
from directory.regions import SEJONG, region_index

__all__ = ["local_key", "CENTRE_TYPES", "OPERATOR_WORDS", "centre_level", "place_name", "is_place_name", "is_plain_name",
           "centre_name"]

CENTRE_TYPES = frozenset({"정신건강복지센터", "치매안심센터", "중독관리통합지원센터", "자살예방센터"})

# Words of a body that runs a centre, never of the centre itself.
OPERATOR_WORDS = re.compile(
    r"병원|의원|의료원|의료재단|대학|학원|학교|산학협력단|재단|법인|복지회|수도회|연구소|협회|공단|교회|노회|보건소|"
    r"의학과|\((?:학|재|사|의|복지|사복)\)")
# Words of a facility that has a name of its own (a satellite, a renamed centre).
FACILITY_WORDS = re.compile(r"센터|셈터|의\s*집|쉼터|상담소|지원단")

# The type's word in a name made from the place; 광역 centres carry their own.
_LABELS = {
    ("정신건강복지센터", "광역"): "광역정신건강복지센터",
    ("치매안심센터", "광역"): "광역치매센터",
}


def local_key(key: str, sido: str | None) -> str:
    """A name key without the 시도 it starts with, when that is the agency's own (for matching within a 시도).

    The dementia list names one centre 대덕구치매안심센터 and 대전광역시 대덕구
    치매안심센터; the health list has 광주동구치매안심센터 for 동구치매안심센터.

    >>> local_key("대전광역시대덕구치매안심센터", "대전광역시"), local_key("광주동구치매안심센터", "광주광역시")
    ('대덕구치매안심센터', '동구치매안심센터')
    """
    if not key or not sido:
        return key
    for alias in _aliases(sido):
        if key.startswith(alias) and len(key) - len(alias) >= 4:
            return key[len(alias):]
    return key


@lru_cache(maxsize=32)
def _aliases(sido: str) -> tuple[str, ...]:
    """The spellings of a 시도 a name may start with, longest first."""
    names = {a for a, c in region_index().sido_aliases.items() if c == sido} | {_short(sido)}
    return tuple(sorted((n for n in names if n), key=len, reverse=True))


def centre_level(name: str | None, type_raw: str | None = None) -> str:
    """"광역" for a 시도's centre (광역정신건강복지센터, 전라북도정신건강복지센터), else "기초".

    >>> centre_level("전라북도정신건강복지센터"), centre_level("경기도 기초정신건강복지센터"), centre_level("강원대학교병원", "광역정신건강복지센터")
    ('광역', '기초', '광역')
    """
    text = (name_key(name) + name_key(type_raw)).replace("광역시", "")  # 부산광역시강서구… is a 기초 centre
    if "광역" in text:
        return "광역"
    if "기초" in text:
        return "기초"
    stem = re.sub(r"(정신건강복지센터|정신건강증진센터|정신보건센터|치매안심센터|치매센터)$", "", name_key(name))
    # 세종 is a 시도 and its own 시군구: 세종시정신건강복지센터 is its 기초 centre.
    return "광역" if stem and normalize_sido(stem) not in (None, SEJONG) else "기초"


def place_name(agency_type: str, level: str, sido: str | None, sigungu: str | None) -> str | None:
    """The centre's name from its place: 춘천시정신건강복지센터, 대전서구정신건강복지센터, 강원광역치매센터.

    A 시군구 name found in more than one 시도 (서구, 고성군) gets the 시도's
    short name in front. None when the place needed is unknown.

    >>> place_name("정신건강복지센터", "기초", "강원특별자치도", "춘천시"), place_name("정신건강복지센터", "기초", "대전광역시", "서구")
    ('춘천시정신건강복지센터', '대전서구정신건강복지센터')
    """
    label = _LABELS.get((agency_type, level), agency_type)
    if level == "광역":
        return f"{_short(sido)}{label}" if sido else None
    if not sido or not sigungu:
        return None
    if sido == SEJONG or sigungu == SEJONG:
        return f"세종{label}"
    place = "".join(sigungu.split())
    if len({r.sido for r in region_index().sigungu_anywhere.get(place, [])}) > 1:
        place = _short(sido) + place
    return place + label


def is_place_name(name: str | None, agency_type: str | None, sido: str | None, sigungu: str | None,
                  type_raw: str | None = None) -> bool:
    """Whether `name` is the one place_name gives this agency (a name made here, not the list's)."""
    if agency_type not in CENTRE_TYPES or not name:
        return False
    made = place_name(agency_type, centre_level(name, type_raw), sido, sigungu)
    return made is not None and name_key(made) == name_key(name)


def is_plain_name(name: str | None, agency_type: str | None, sido: str | None, sigungu: str | None,
                  type_raw: str | None = None) -> bool:
    """Whether `name` is only its place and its type, in any usual spelling (부평정신건강복지센터 for 부평구).

    >>> is_plain_name("부평정신건강복지센터", "정신건강복지센터", "인천광역시", "부평구")
    True
    >>> is_plain_name("수원시아동청소년정신건강복지센터", "정신건강복지센터", "경기도", "수원시 팔달구")
    False
    """
    if agency_type not in CENTRE_TYPES or not name or not sido:
        return False
    stem = _stem(name_key(name))
    if centre_level(name, type_raw) == "광역":
        return not stem or bool(normalize_sido(stem))
    if not sigungu:
        return False
    parts = sigungu.split()
    units = {"".join(parts), parts[-1], parts[-1][:-1] if len(parts[-1]) > 2 else parts[-1]}
    if len(parts) > 1:
        units |= {parts[0] + parts[-1], parts[0][:-1] + parts[-1], parts[0][:-1] + units_short(parts[-1])}
    fronts = {"", name_key(sido), _short(sido), _short(sido) + "시", _short(sido) + "광역시"}
    return any(stem == front + unit for front in fronts for unit in units if unit)


def units_short(unit: str) -> str:
    """장안구 -> 장안."""
    return unit[:-1] if len(unit) > 2 else unit


def centre_name(name: str, operator: str | None, agency_type: str | None, type_raw: str | None,
                sido: str | None, sigungu: str | None, infer_type) -> tuple[str, str | None, str | None]:
    """(name, operator, why) for one row; `why` is None when the name stays.

    `infer_type(text)` is the taxonomy's type of a name (no hint). `why` is
    "operator" (the name was the operator's), "place" (the name was its
    place) or "generic" (the type alone, or a 시도 with a 기초 type).
    """
    if agency_type not in CENTRE_TYPES or not name:
        return name, operator, None
    level = centre_level(name, type_raw)
    key = name_key(name)
    if infer_type(name) == agency_type:
        stem = _stem(key)
        # 경기도 기초정신건강복지센터 is a 시도 and a type; 제주중독관리통합지원센터 is 제주시's own name.
        if not stem or (level == "기초" and normalize_sido(stem) and stem.endswith(("도", "특별시", "광역시"))):
            made = place_name(agency_type, level, sido, sigungu)
            if made and name_key(made) != key:
                return made, operator, "generic"
        return name, operator, None
    if operator and infer_type(operator) == agency_type and not OPERATOR_WORDS.search(operator):
        # The operator column holds the centre's name (부산광역시 해운대구 | 해운대구치매안심센터).
        return operator, None if _is_place(key, sido, sigungu) else name, "place"
    if _is_place(key, sido, sigungu):
        made = place_name(agency_type, level, sido, sigungu)
        return (made, operator, "place") if made else (name, operator, None)
    if infer_type(name) == "보건소":
        # A 시 may have two 보건소, each with its centre (평택보건소, 송탄보건소): the 보건소 names it.
        own = " ".join(w for w in name.split() if not normalize_sido(w))
        return f"{own} {_LABELS.get((agency_type, level), agency_type)}", operator or name, "operator"
    if OPERATOR_WORDS.search(name) or infer_type(name) is not None or not FACILITY_WORDS.search(name):
        made = place_name(agency_type, level, sido, sigungu)
        if made:
            return made, operator or name, "operator"
    return name, operator, None


_TYPE_TAIL = re.compile(r"(광역|기초)?(정신건강복지센터|정신건강증진센터|정신보건센터|치매안심센터|치매지원센터|치매상담센터|"
                        r"치매센터|중독관리통합지원센터|알코올상담센터|중독관리센터|자살예방센터|생명존중센터)$")


def _stem(key: str) -> str:
    """A name key without its type word (경기도기초정신건강복지센터 -> 경기도)."""
    return _TYPE_TAIL.sub("", key)


def _is_place(key: str, sido: str | None, sigungu: str | None) -> bool:
    """Whether a name key is only its place (부산광역시해운대구, 해운대구, 강원도)."""
    if not key:
        return False
    places = {name_key(sido), name_key(sigungu), name_key(sido) + name_key(sigungu), name_key(_short(sido))
              + name_key(sigungu)} - {""}
    return key in places or bool(normalize_sido(key))


@lru_cache(maxsize=1)
def _shorts() -> dict[str, str]:
    with open(REFERENCE_DIR / "sido.csv", encoding="utf-8") as fh:
        return {r["name"]: r["short"] for r in csv.DictReader(fh)}


def _short(sido: str | None) -> str:
    """서울특별시 -> 서울."""
    return _shorts().get(sido or "", sido or "")
