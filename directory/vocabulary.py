"""One definition of each word the packages share.

How an agency was placed, where Korea is, which projection the shipped
centroids use, which needs words name which agency types, and the agency
types some rules single out: the importers, the search, the network, the maps
and the shells all import them from here, so two copies cannot drift apart.
"""
from __future__ import annotations

import csv
import re
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

from .paths import REFERENCE_DIR

__all__ = [
    "PLACEMENTS", "PRECISE", "CENTROIDS", "SAMPLE", "UNPLACED", "APPROXIMATE", "DECLARABLE", "PLACEMENT_RANK",
    "PLACEMENT_LABELS", "PLACEMENT_SHORT_LABELS", "APPROXIMATE_NOTES",
    "KOREA_LAT", "KOREA_LON", "in_korea",
    "WGS84", "UTMK", "TM_CENTRAL", "TM_CENTRAL_BESSEL", "CRS_NAMES", "transformer",
    "NEEDS_FILE", "needs_lexicon", "needs_words",
    "DEFAULT_ACCESS_TYPE", "BRANCHED_TYPES", "WORKER_CARD_TYPES",
    "PLACEMENT_KIND_LABELS", "placement_kind", "SOURCE_LABELS", "source_label", "FIELD_LABELS", "field_label",
    "local_date", "korean_date",
]

# --- placement: how far a position may be from the real door ---------------------

# Best first (importers.placement tries them in this order; a merge keeps the better).
PLACEMENTS = ("exact", "matched", "geocoded", "eupmyeondong", "sigungu", "sample", "unplaced")
# The building itself: the list's coordinates, a matching address, a geocoder.
PRECISE = frozenset({"exact", "matched", "geocoded"})
# The centre of the 읍면동 or 시군구 named in the address: an area, not the building.
CENTROIDS = frozenset({"eupmyeondong", "sigungu"})
# A stand-in position for the demo's study data, never a real place.
SAMPLE = "sample"
UNPLACED = "unplaced"
# Positions that must not be shown as the building's (maps draw them hollow,
# search results say so).
APPROXIMATE = CENTROIDS | {SAMPLE}
# What a list may say of its own positions (an HSDS `placement` attribute).
DECLARABLE = tuple(p for p in PLACEMENTS if p in PRECISE | CENTROIDS)
PLACEMENT_RANK = {p: i for i, p in enumerate(PLACEMENTS)}

# The label maps and legends show.
PLACEMENT_LABELS = {
    "exact": "정확한 위치 (원자료 좌표)",
    "matched": "정확한 위치 (주소 일치)",
    "geocoded": "주소 지오코딩 위치",
    "eupmyeondong": "대략적 위치 (읍면동 중심)",
    "sigungu": "대략적 위치 (시군구 중심)",
    "sample": "표본 위치 (실제 위치 아님)",
    "unplaced": "위치 없음",
}
# The short form for counts in the CLI ("좌표 있음 12, 읍면동 중심 3").
PLACEMENT_SHORT_LABELS = {
    "exact": "좌표 있음", "matched": "기존 기관과 일치", "geocoded": "지오코딩", "eupmyeondong": "읍면동 중심",
    "sigungu": "시군구 중심", "sample": "표본 위치", "unplaced": "위치 없음",
}
# The note beside a search result's distance (the web page's template holds
# the same Korean strings as its msgids, translated there).
APPROXIMATE_NOTES = {
    "eupmyeondong": "읍면동 중심 기준 대략적 위치",
    "sigungu": "시군구 중심 기준 대략적 위치",
    "sample": "표본 위치(실제 위치 아님)",
}

# --- Korea's bounds ------------------------------------------------------------

# A generous box around the Republic of Korea, islands included (마라도 33.1,
# 독도 131.9, 백령도 124.6, 강원 고성 38.6). This box, not the wider one search
# used (32–39.5, 123–132.5), because it is the one imports check coordinates
# against: a point outside it can hold no agency, so searching near it, or
# editing an agency to it, is a typing error to report.
KOREA_LAT = (32.9, 38.7)
KOREA_LON = (124.5, 132.0)


def in_korea(lat: float, lon: float) -> bool:
    """True when the point lies in the box around the Republic of Korea.

    >>> in_korea(37.5665, 126.978), in_korea(0, 0)
    (True, False)
    """
    return KOREA_LAT[0] <= lat <= KOREA_LAT[1] and KOREA_LON[0] <= lon <= KOREA_LON[1]


# --- projections -----------------------------------------------------------------

WGS84 = "EPSG:4326"
UTMK = "EPSG:5179"  # the shipped centroids and the access measure's metres
TM_CENTRAL = "EPSG:5186"
TM_CENTRAL_BESSEL = "EPSG:2097"
CRS_NAMES = {
    UTMK: "UTM-K",
    TM_CENTRAL: "TM 중부원점(GRS80)",
    TM_CENTRAL_BESSEL: "TM 중부원점(Bessel)",
}


def transformer(source: str = UTMK, target: str = WGS84):
    """A cached pyproj Transformer from `source` to `target`, x (easting, longitude) first.

    >>> lon, lat = transformer().transform(958000.0, 1944000.0)
    >>> round(lat, 2), round(lon, 2)
    (37.49, 127.02)
    """
    return _transformer(source, target)


@lru_cache(maxsize=16)
def _transformer(source: str, target: str):
    # pyproj loads its projection database on import: only the callers that
    # convert pay for it, not every module that reads a constant here.
    from pyproj import Transformer

    return Transformer.from_crs(source, target, always_xy=True)


# --- needs words -------------------------------------------------------------------

NEEDS_FILE = REFERENCE_DIR / "needs_words.csv"


def needs_lexicon(path: str | Path = NEEDS_FILE) -> dict[str, list[tuple[str, float]]]:
    """needs word -> [(agency type, weight)], most fitting first (술 -> 중독관리통합지원센터 1.0, …).

    The ``weights`` column pairs with ``agency_types`` (``1;0.8``); a type
    without a weight gets 1.0 for the first and 0.8 for the rest, so a file
    written before weights existed still reads. The types are as the file
    spells them; callers make them canonical with their taxonomy. A
    missing file gives no words.

    >>> needs_lexicon()["담배"]
    [('금연지원센터', 1.0), ('보건소', 0.8)]
    """
    try:
        with open(path, encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
    except FileNotFoundError:
        return {}
    lexicon: dict[str, list[tuple[str, float]]] = {}
    for row in rows:
        word = (row.get("word") or "").strip()
        if not word:
            continue
        kinds = lexicon.setdefault(word, [])
        names = [k.strip() for k in re.split(r"[;,]", row.get("agency_types") or row.get("type") or "")]
        weights = [w.strip() for w in re.split(r"[;,]", row.get("weights") or "")]
        for i, kind in enumerate(names):
            if not kind or any(kind == k for k, _ in kinds):
                continue
            try:
                weight = float(weights[i])
            except (IndexError, ValueError):
                weight = 1.0 if not kinds else 0.8
            kinds.append((kind, max(0.0, min(weight, 1.0))))
    return lexicon


def needs_words(path: str | Path = NEEDS_FILE) -> dict[str, list[str]]:
    """needs word -> agency types, in file order (술 -> 중독관리통합지원센터, 정신건강복지센터).

    `needs_lexicon` without the weights.

    >>> needs_words()["치매"]
    ['치매안심센터']
    """
    return {word: [kind for kind, _ in kinds] for word, kinds in needs_lexicon(path).items()}


# --- agency kinds ------------------------------------------------------------------

# The type whose access the maps and the CLI measure unless told otherwise.
DEFAULT_ACCESS_TYPE = "치매안심센터"
# Types whose separate branches share an operator and often a building.
BRANCHED_TYPES = frozenset({"치매안심센터"})
# The partners a housing welfare worker needs first, in the order the home
# page shows their cards (every complex in the 2024 study was linked with the
# first four; 보건소 runs most of the rest).
WORKER_CARD_TYPES = ("정신건강복지센터", "치매안심센터", "행정복지센터", "사회복지관", "보건소")


# --- words for people: placement kinds, sources, fields, dates ---------------------

# How sure a position is, in four words a worker reads at a glance (plus the
# study's stand-in positions, which are no place at all).
PLACEMENT_KIND_LABELS = {
    "exact": "정확한 위치", "matched": "정확한 위치", "geocoded": "정확한 위치",
    "eupmyeondong": "읍면동 중심", "sigungu": "시군구 중심",
    "sample": "표본 위치(실제 위치 아님)", "unplaced": "위치 미상",
}


def placement_kind(placement: str | None) -> str:
    """The worker's word for a placement: 정확한 위치, 읍면동 중심, 시군구 중심 or 위치 미상.

    >>> placement_kind("matched"), placement_kind("sigungu"), placement_kind(None)
    ('정확한 위치', '시군구 중심', '위치 미상')
    """
    return PLACEMENT_KIND_LABELS.get(placement or UNPLACED, PLACEMENT_KIND_LABELS[UNPLACED])


# The lists the project imports, by the name their publisher gives them.
SOURCE_LABELS = {
    "dementia_centers": "전국치매센터표준데이터",
    "health_promotion_centers": "전국건강증진센터표준데이터",
    "study2024": "2024 영구임대단지 연계 연구",
    # the demo's bundled lists (data/public/SOURCES.md), imported as `list:<file>`
    "list:mental_health_institutions_20220301": "국립정신건강센터 정신건강 관련기관 정보 (2022년 3월 1일)",
    "list:eupmyeondong_community_centers": "읍면동 주민센터·행정복지센터 목록",
    "hsds": "HSDS 자료",
    "manual": "직접 입력",
}


def source_label(source: str | None, dataset: str | None = None) -> str:
    """A source key as a person names it: the list's title, or the file a list came from.

    `dataset` is the title the import recorded (import_runs.dataset), used
    when the key is not one of the known lists.

    >>> source_label("dementia_centers"), source_label("list:협력기관")
    ('전국치매센터표준데이터', '기관 목록 파일 협력기관')
    >>> source_label("hsds:seoul")
    'HSDS 자료 seoul'
    """
    if not source:
        return "출처 미상"
    if source in SOURCE_LABELS:
        return SOURCE_LABELS[source]
    prefix, _, rest = source.partition(":")
    if rest and prefix == "list":
        return f"기관 목록 파일 {rest}"
    if rest and prefix in SOURCE_LABELS:
        return f"{SOURCE_LABELS[prefix]} {rest}"
    if dataset and dataset != source:
        return dataset
    return source


# Agency fields by their Korean names (quarantine columns, exports, edit logs).
FIELD_LABELS = {
    "id": "번호", "name": "기관명", "type": "기관 유형", "category": "분야", "road_address": "도로명주소",
    "lot_address": "지번주소", "address": "주소", "sido": "시도", "sigungu": "시군구", "eupmyeondong": "읍면동",
    "postcode": "우편번호", "phone": "전화", "homepage": "홈페이지", "operator": "운영기관",
    "services": "주요 서비스", "target_groups": "대상", "hours": "운영 시간", "lat": "위도", "lon": "경도",
    "coordinates": "좌표", "placement": "위치 정확도", "source": "출처", "verified_date": "확인일",
    "capacity": "정원", "region_code": "지역 코드",
}


def field_label(field: str | None) -> str:
    """A field's Korean name; a column of the list itself (already in its own words) is kept.

    >>> field_label("name"), field_label("기관명"), field_label(None)
    ('기관명', '기관명', '—')
    """
    if not field:
        return "—"
    return FIELD_LABELS.get(field, field)


_SEOUL = timezone(timedelta(hours=9), "KST")  # no summer time since 1988


def local_date(value) -> date | None:
    """The calendar day of a date, a datetime or an ISO/dotted text, in Korean time; None if it is no date.

    >>> local_date("2026-12-01T23:23:57+00:00"), local_date("2024.3.1"), local_date("수시")
    (datetime.date(2026, 12, 2), datetime.date(2024, 3, 1), None)
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        return value
    else:
        text = str(value).strip()
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            match = re.fullmatch(r"(\d{4})[.\-/]\s*(\d{1,2})[.\-/]\s*(\d{1,2})\.?", text)
            if not match:
                return None
            try:
                return date(*(int(x) for x in match.groups()))
            except ValueError:
                return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(_SEOUL)
    return moment.date()


def korean_date(value) -> str:
    """A date or an ISO timestamp as a worker writes it: 2026년 12월 1일 (a timestamp in Korean time).

    Text that is not a date is returned as it is.

    >>> korean_date("2026-12-01"), korean_date("2026-12-01T23:23:57+00:00"), korean_date(""), korean_date("수시")
    ('2026년 12월 1일', '2026년 12월 2일', '', '수시')
    """
    day = local_date(value)
    if day is None:
        return "" if value is None else str(value)
    return f"{day.year}년 {day.month}월 {day.day}일"
