"""Korean administrative regions (시도, 시군구, 읍면동) from the shipped centroid table.

The table (`data/public/boundaries/admin_centroids_utmk.tsv`, KOSTAT via
vuski/admdongkor) lists every 시도, 시군구 and 읍면동 from 2001 to 2023 with a
10-digit code and a centroid in UTM-K. Old names stay in it on purpose: agency
lists are years old and still say 강원도 or 인천 남구.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import lru_cache

from .paths import DATA_DIR

__all__ = [
    "CENTROIDS_FILE", "SIDO_FILE", "SEJONG", "Region", "RegionIndex", "region_index",
]

CENTROIDS_FILE = DATA_DIR / "public" / "boundaries" / "admin_centroids_utmk.tsv"
SIDO_FILE = DATA_DIR / "reference" / "sido.csv"
SEJONG = "세종특별자치시"


@dataclass(frozen=True)
class Region:
    """One administrative unit: its code, canonical 시도, names and UTM-K centroid."""

    code: str
    sido: str
    sigungu: str | None
    eupmyeondong: str | None
    x: float
    y: float

    @property
    def level(self) -> str:
        if self.eupmyeondong:
            return "eupmyeondong"
        if self.sigungu:
            return "sigungu"
        return "sido"


@dataclass
class RegionIndex:
    """Lookup tables for parsing addresses, all keyed on names without spaces."""

    sido_aliases: dict[str, str]  # alias without spaces -> canonical 시도
    sido_codes: dict[str, str]  # canonical 시도 -> 2-digit current code
    sigungu: dict[str, dict[str, Region]] = field(default_factory=dict)  # 시도 -> key -> Region
    eupmyeondong: dict[tuple[str, str], dict[str, Region]] = field(default_factory=dict)
    sigungu_anywhere: dict[str, list[Region]] = field(default_factory=dict)
    eupmyeondong_anywhere: dict[str, list[Region]] = field(default_factory=dict)  # 읍면동 key -> its units
    sido_regions: dict[str, Region] = field(default_factory=dict)


def _strip(text: str) -> str:
    return "".join(text.split())


@lru_cache(maxsize=1)
def region_index() -> RegionIndex:
    """Load the region tables once per process."""
    aliases: dict[str, str] = {}
    codes: dict[str, str] = {}
    with open(SIDO_FILE, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            canonical = row["name"]
            codes[canonical] = row["code"]
            for alias in [canonical, row["short"], *row["aliases"].split(";")]:
                if alias:
                    aliases[_strip(alias)] = canonical
    index = RegionIndex(sido_aliases=aliases, sido_codes=codes)
    with open(CENTROIDS_FILE, encoding="utf-8") as fh:
        reader = csv.DictReader(fh, delimiter="\t")
        rows = [(r["ADMCD"], r["ADMNM"].split(), float(r["X"]), float(r["Y"])) for r in reader]
    # Later rows are newer units; keep the newest code for a repeated name.
    for code, parts, x, y in rows:
        sido = aliases.get(parts[0])
        if sido is None:
            continue
        rest = parts[1:]
        if sido == SEJONG:
            # 세종 has no 시군구 level: the city is its own 시군구 (code 36110).
            if not rest and code[2:4] != "00":
                index.sigungu.setdefault(sido, {})[SEJONG] = Region(code, sido, SEJONG, None, x, y)
                continue
            rest = [SEJONG, *rest] if rest else rest
        if not rest:
            index.sido_regions[sido] = Region(code, sido, None, None, x, y)
            continue
        # 일반구 units read "수원시 장안구": the 시군구 is both words.
        if len(rest) >= 2 and rest[0].endswith("시") and rest[1].endswith("구"):
            sigungu_name, tail = f"{rest[0]} {rest[1]}", rest[2:]
        else:
            sigungu_name, tail = rest[0], rest[1:]
        if not tail:
            region = Region(code, sido, sigungu_name, None, x, y)
            index.sigungu.setdefault(sido, {})[_strip(sigungu_name)] = region
            continue
        region = Region(code, sido, sigungu_name, tail[0], x, y)
        index.eupmyeondong.setdefault((sido, sigungu_name), {})[_strip(tail[0])] = region
        # In file order, so the last of a renamed unit's rows (화성군 → 화성시 봉담읍) is the newest.
        index.eupmyeondong_anywhere.setdefault(_strip(tail[0]), []).append(region)
    # A city with 일반구 (수원시) has no row of its own: derive one so that
    # "경기도 수원시 팔달로" still yields 수원시, centred on its first 구.
    for sido, units in index.sigungu.items():
        for region in list(units.values()):
            if " " in region.sigungu:
                city = region.sigungu.split()[0]
                units.setdefault(
                    city, Region(region.code[:4] + "000000", sido, city, None, region.x, region.y)
                )
    for sido, units in index.sigungu.items():
        for key, region in units.items():
            index.sigungu_anywhere.setdefault(key, []).append(region)
    return index
