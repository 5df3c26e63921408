"""Which areas are underserved: E2SFCA accessibility and the "none within R km" flag.

The measure beside the network's other measures; :mod:`maps.access` only
draws its result (:class:`AccessResult`) as a choropleth.

The enhanced two-step floating catchment area method (Luo & Qi 2009, with a
Gaussian decay as in Dai 2010 and PySAL's `access` package):

1. for every agency j, the supply-to-demand ratio of its catchment
   R_j = S_j / Σ_k P_k · W(d_kj)   over demand points k with d_kj ≤ radius;
2. for every area i, its accessibility A_i = Σ_j R_j · W(d_ij)   over d_ij ≤ radius,

where S_j is the agency's capacity (staff count) where the data has it, else 1
(or 노인일자리 target jobs per 시군구), P_k the demand (population aged 65+,
수급자, 주거급여, 등록장애인, 정신질환 patients — :mod:`network.demand` — a
planner's own table, or a complex's households) and W(d) = exp(−d² / 2σ²). Scores are reported per 1,000 people of demand.
Distances are straight lines in UTM-K metres (EPSG:5179); pairs come from a
k-d tree, so the work grows with the pairs inside the radius, not with
areas × agencies.

Defaults (justified in the README): radius 15 km, σ = half the radius (7.5 km).
"""
from __future__ import annotations

import csv
import json
import math
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

from directory.errors import YeongyeError
from directory.export import spreadsheet_safe
from directory.normalize import normalize_sido
from directory.paths import PUBLIC_DIR
from directory.regions import CENTROIDS_FILE, SEJONG
from directory.vocabulary import DEFAULT_ACCESS_TYPE, SAMPLE, UTMK, WGS84, transformer

from .demand import DEMANDS, demand_rows, join_demand, senior_job_rows

__all__ = [
    "DEFAULT_RADIUS_KM", "DEFAULT_SIGMA_KM", "DEFAULT_MIN_AGE", "LEVELS", "AccessError", "AccessResult",
    "load_population", "project", "gaussian", "e2sfca", "accessibility", "join_boundaries", "polygon_centre",
    "least_served", "ranked_table", "write_ranked_csv", "base_areas", "demand_coverage", "covered_only",
]

POPULATION_FILE = PUBLIC_DIR / "stats" / "population_by_age_202505.csv"
SIGUNGU_BOUNDARIES = PUBLIC_DIR / "boundaries" / "sigungu_2022.geojson"
DONG_BOUNDARIES = PUBLIC_DIR / "boundaries" / "seoul_hangjeongdong_2021.geojson"
DEFAULT_RADIUS_KM = 15.0
DEFAULT_SIGMA_KM = 7.5
DEFAULT_MIN_AGE = 65
LEVELS = ("sigungu", "eupmyeondong", "complexes")
PER = 1000  # scores are per 1,000 people (or households) of demand

_NAME_CODE = re.compile(r"^(.*?)\s*\((\d{10})\)\s*$")
_AGE = re.compile(r"_(\d+)세")

class AccessError(YeongyeError, ValueError):
    """The accessibility measure cannot be computed as asked."""

    code = "access_error"


@dataclass
class AccessResult:
    """Areas with their demand, score and nearest distance, and how the run was set up."""

    agency_type: str
    level: str
    radius_km: float
    sigma_km: float
    flag_km: float
    rows: list[dict]
    supply: list[dict]
    unplaced: list[str] = field(default_factory=list)
    demand: str = "age65"
    demand_unit_label: str | None = None
    demand_join: dict | None = None  # network.demand.DemandJoin.as_dict() when demand came from a table
    list_vintage: str | None = None  # the latest verification date of the supply's list (ISO)
    capacity: bool = True
    senior_jobs: bool = False

    @property
    def demand_label(self) -> str:
        """What the demand counts, in the planner's words (65세 이상 인구, 기초생활수급자, 세대 …)."""
        if self.demand_unit_label:
            return self.demand_unit_label
        return "세대" if self.level == "complexes" else f"{DEFAULT_MIN_AGE}세 이상 인구"


# --- demand -----------------------------------------------------------------


def load_population(path=POPULATION_FILE, level: str = "sigungu", min_age: int = DEFAULT_MIN_AGE) -> list[dict]:
    """Areas of the MOIS population-by-age file with the population aged `min_age`+.

    The file is CP949; 행정구역 reads `name  (10-digit code)`; numbers carry
    thousands commas. 시군구 rows are codes ending in 00000; a city with
    일반구 (수원시) is left out in favour of its 구 so nobody is counted twice;
    세종 appears as 시도 and as 시군구 and is kept once; 출장소 rows with no
    population are dropped. Returns dicts: code, name, sido, sigungu,
    eupmyeondong, demand, total.
    """
    if level not in ("sigungu", "eupmyeondong"):
        raise AccessError("unknown_population_level", level=level)
    path = Path(path)
    try:
        with open(path, encoding="cp949", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            rows = list(reader)
    except (OSError, UnicodeDecodeError, StopIteration) as exc:
        raise AccessError("population_file_unreadable", path=str(path), detail=str(exc)) from exc
    ages = [i for i, h in enumerate(header) if (m := _AGE.search(h)) and int(m.group(1)) >= min_age]
    if not ages or "행정구역" not in header[0]:
        raise AccessError("not_population_file", path=str(path))
    total_col = 1
    areas = []
    for row in rows:
        m = _NAME_CODE.match(row[0].strip()) if row else None
        if not m:
            continue
        name, code = " ".join(m.group(1).split()), m.group(2)
        if code[2:] == "00000000":
            continue
        is_dong = code[5:] != "00000"
        if is_dong != (level == "eupmyeondong"):
            continue
        total = _number(row[total_col])
        if total <= 0:
            continue
        parts = name.split()
        sido = normalize_sido(parts[0]) or parts[0]
        rest = parts[1:]
        if is_dong:
            sigungu, dong = (" ".join(rest[:-1]) or SEJONG), rest[-1] if rest else None
        else:
            sigungu, dong = (" ".join(rest) or SEJONG), None
        areas.append({
            "code": code, "name": name, "sido": sido, "sigungu": sigungu, "eupmyeondong": dong,
            "demand": float(sum(_number(row[i]) for i in ages)), "total": float(total),
        })
    if level == "sigungu":
        # Drop a city whose 일반구 are listed (4111000000 수원시 beside 41111… 장안구).
        parents = {(a["sido"], a["sigungu"].split()[0]) for a in areas if " " in a["sigungu"]}
        areas = [a for a in areas if (a["sido"], a["sigungu"]) not in parents]
        seen = set()
        areas = [a for a in areas if not (a["code"] in seen or seen.add(a["code"]))]
    return areas


def _number(text: str) -> int:
    text = (text or "").replace(",", "").strip()
    return int(text) if text.lstrip("-").isdigit() else 0


# --- coordinates ------------------------------------------------------------


def project(lat, lon) -> np.ndarray:
    """WGS84 lat/lon arrays to UTM-K (EPSG:5179) x/y metres, shape (n, 2)."""
    x, y = transformer(WGS84, UTMK).transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.column_stack([np.atleast_1d(x), np.atleast_1d(y)])


def _key(sido: str | None, rest: str | None) -> str:
    return f"{sido or ''}|{''.join((rest or '').split())}"


@lru_cache(maxsize=1)
def _centroids() -> tuple[dict, dict]:
    """(code -> (lat, lon), name key -> (lat, lon)) from the shipped UTM-K centroid table."""
    codes, xs, ys, names = [], [], [], []
    with open(CENTROIDS_FILE, encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            parts = row["ADMNM"].split()
            sido = normalize_sido(parts[0])
            if not sido:
                continue
            rest = parts[1:]
            if sido == SEJONG and rest and rest[0] != SEJONG:
                rest = [SEJONG, *rest]
            codes.append(row["ADMCD"])
            names.append(_key(sido, " ".join(rest) or (SEJONG if sido == SEJONG else "")))
            xs.append(float(row["X"]))
            ys.append(float(row["Y"]))
    lon, lat = transformer(UTMK, WGS84).transform(np.array(xs), np.array(ys))
    by_code, by_name = {}, {}
    for code, name, la, lo in zip(codes, names, lat, lon):
        by_code[code] = (float(la), float(lo))
        by_name[name] = (float(la), float(lo))  # later rows are newer units
    return by_code, by_name


def _locate(areas: list[dict], boundary_file=None) -> list[str]:
    """Give each area lat/lon from the centroid table (code, then name, then its boundary)."""
    by_code, by_name = _centroids()
    polygons = {}
    if boundary_file is not None:
        for feature in _boundaries(boundary_file)["features"]:
            p = feature["properties"]
            point = polygon_centre(feature["geometry"])
            if point:
                polygons[p["_code"]] = point
                polygons[p["_key"]] = point
    unplaced = []
    for area in areas:
        key = _key(area["sido"], area["sigungu"] if not area["eupmyeondong"] else f"{area['sigungu']} {area['eupmyeondong']}")
        if area["sido"] == SEJONG and not area["eupmyeondong"]:
            key = _key(SEJONG, SEJONG)
        point = (by_code.get(area["code"]) or by_name.get(key)
                 or polygons.get(area["code"][: 5 if not area["eupmyeondong"] else 10]) or polygons.get(key))
        if point is None and area["eupmyeondong"]:
            # A 읍면동 newer than the centroid table (2023): its 시군구 centre, marked approximate.
            point = by_code.get(area["code"][:5] + "00000") or by_name.get(_key(area["sido"], area["sigungu"]))
            area["approximate"] = point is not None
        if point is None:
            unplaced.append(area["name"])
            area["lat"] = area["lon"] = None
        else:
            area["lat"], area["lon"] = point
    return unplaced


def _weight_by_dong(areas: list[dict], population_file, min_age: int) -> list[str]:
    """Move each 시군구's demand point to the centre of its elderly population.

    A 시군구's geometric centre can lie far from where its people live (포항시
    북구's is in the mountains, 20 km from the city); the mean of its 읍면동
    centres weighted by their population aged `min_age`+ is where the demand
    is. 시군구 without 읍면동 rows keep their geometric centre.
    """
    dongs = load_population(population_file, "eupmyeondong", min_age)
    _locate(dongs)
    sums: dict[str, list[float]] = {}
    for d in dongs:
        if d.get("lat") is None or d["demand"] <= 0:
            continue
        acc = sums.setdefault(d["code"][:5], [0.0, 0.0, 0.0])
        acc[0] += d["demand"]
        acc[1] += d["demand"] * d["lat"]
        acc[2] += d["demand"] * d["lon"]
    unplaced = []
    for area in areas:
        acc = sums.get(area["code"][:5])
        if acc and acc[0] > 0:
            area["lat"], area["lon"] = acc[1] / acc[0], acc[2] / acc[0]
            area["centre"] = "population"
        elif area.get("lat") is None:
            unplaced.append(area["name"])
    return unplaced


def polygon_centre(geometry) -> tuple[float, float] | None:
    """Area-weighted centre (lat, lon) of the largest ring of a (Multi)Polygon."""
    if not geometry:
        return None
    rings = ([geometry["coordinates"][0]] if geometry["type"] == "Polygon"
             else [poly[0] for poly in geometry["coordinates"]])
    best, best_area = None, 0.0
    for ring in rings:
        pts = np.asarray(ring, dtype=float)
        if len(pts) < 3:
            continue
        x, y = pts[:, 0], pts[:, 1]
        cross = x[:-1] * y[1:] - x[1:] * y[:-1]
        area = cross.sum() / 2
        if abs(area) > best_area:
            cx = ((x[:-1] + x[1:]) * cross).sum() / (6 * area)
            cy = ((y[:-1] + y[1:]) * cross).sum() / (6 * area)
            best, best_area = (float(cy), float(cx)), abs(area)
    return best


# --- the measure ------------------------------------------------------------


def gaussian(distance_m: np.ndarray, sigma_m: float) -> np.ndarray:
    """Gaussian distance decay exp(−d² / 2σ²), the form of PySAL access's `weights.gaussian`."""
    return np.exp(-(distance_m ** 2) / (2.0 * sigma_m ** 2))


def e2sfca(demand_xy, demand, supply_xy, supply, *, radius_m: float, sigma_m: float | None = None):
    """E2SFCA scores for demand points; also the distance to the nearest supply and counts in reach.

    Parameters
    ----------
    demand_xy, supply_xy : array (n, 2) of projected metres
    demand, supply : array (n,) of weights (people; capacity)
    radius_m : catchment radius; pairs farther apart do not interact
    sigma_m : Gaussian width; None gives the classic 2SFCA (weight 1 inside the radius)

    Returns
    -------
    (access, nearest_m, within) : arrays over demand points; access is supply per
    unit of demand (multiply by 1,000 for "per 1,000 people").

    >>> import numpy as np
    >>> a, near, n = e2sfca([[0, 0], [3000, 0]], [100, 100], [[1000, 0]], [1], radius_m=5000)
    >>> [round(float(v), 4) for v in a]
    [0.005, 0.005]
    """
    access, nearest, within, _ = _e2sfca(demand_xy, demand, supply_xy, supply, radius_m=radius_m, sigma_m=sigma_m)
    return access, nearest, within


MIN_WEIGHT = 1e-12


def _e2sfca(demand_xy, demand, supply_xy, supply, *, radius_m: float, sigma_m: float | None = None):
    """:func:`e2sfca` and, per demand point, the index of the nearest supply point."""
    demand_xy = np.asarray(demand_xy, dtype=float).reshape(-1, 2)
    supply_xy = np.asarray(supply_xy, dtype=float).reshape(-1, 2)
    demand = np.asarray(demand, dtype=float)
    supply = np.asarray(supply, dtype=float)
    nd, ns = len(demand_xy), len(supply_xy)
    if radius_m <= 0 or (sigma_m is not None and sigma_m <= 0):
        raise AccessError("access_radius_not_positive", radius_m=radius_m, sigma_m=sigma_m)
    if nd == 0 or ns == 0:
        return np.zeros(nd), np.full(nd, np.inf), np.zeros(nd, dtype=int), np.zeros(nd, dtype=int)
    demand_tree = cKDTree(demand_xy)
    # Every (demand, supply) pair within the radius, as flat index arrays.
    neighbours = demand_tree.query_ball_point(supply_xy, r=radius_m)
    sizes = np.fromiter((len(n) for n in neighbours), dtype=np.int64, count=ns)
    j = np.repeat(np.arange(ns), sizes)
    i = np.fromiter((k for n in neighbours for k in n), dtype=np.int64, count=int(sizes.sum()))
    d = np.hypot(*(demand_xy[i] - supply_xy[j]).T)
    w = np.ones_like(d) if sigma_m is None else gaussian(d, sigma_m)
    # Beyond ~7σ the weight is below 1e-12: a catchment made only of such weights would be a
    # denormal number and supply / catchment overflow (500 km with σ 2.5 km). Count them as 0.
    w[w < MIN_WEIGHT] = 0.0
    catchment = np.bincount(j, weights=demand[i] * w, minlength=ns)
    ratio = np.divide(supply, catchment, out=np.zeros(ns), where=catchment > 0)
    access = np.bincount(i, weights=ratio[j] * w, minlength=nd)
    within = np.bincount(i, minlength=nd)
    nearest, index = cKDTree(supply_xy).query(demand_xy, k=1)
    return access, nearest, within, index


def _supply(db, types: list[str] | None = None, categories: list[str] | None = None, *,
            capacity: bool = True) -> list[dict]:
    """Agencies of the types (or categories) with real coordinates (sample positions are not supply).

    With `capacity` an agency counts its staff or places (정원) where the list
    gives them, else 1; without, every agency counts 1.
    """
    where, params = [], []
    if types:
        where.append(f"type IN ({', '.join('?' * len(types))})")
        params += list(types)
    if categories:
        where.append(f"category IN ({', '.join('?' * len(categories))})")
        params += list(categories)
    rows = list(db.query(
        "SELECT id, name, type, sido, sigungu, lat, lon, capacity, placement FROM agencies "
        f"WHERE ({' OR '.join(where) or '0'}) AND lat IS NOT NULL AND lon IS NOT NULL AND placement != ? "
        "ORDER BY id", [*params, SAMPLE],
    ))
    for row in rows:
        if not _on_earth(row["lat"], row["lon"]):
            raise AccessError("agency_coordinates_invalid", agency_id=row["id"], lat=row["lat"], lon=row["lon"])
        cap = row["capacity"]
        row["supply"] = float(cap) if capacity and cap is not None and cap > 0 else 1.0
    return rows


def _listed(db, types, categories) -> tuple[list[dict], str | None]:
    """Agencies of the supply per 시도 and 시군구 in the store, placed or not (rows to join); the list's latest date."""
    where, params = [], []
    if types:
        where.append(f"type IN ({', '.join('?' * len(types))})")
        params += list(types)
    if categories:
        where.append(f"category IN ({', '.join('?' * len(categories))})")
        params += list(categories)
    clause = " OR ".join(where) or "0"
    counts = [{"sido": r[0], "sigungu": r[1], "value": r[2], "label": f"{r[0]} {r[1]}"} for r in db.execute(
        f"SELECT sido, sigungu, count(*) FROM agencies WHERE ({clause}) AND sido IS NOT NULL "
        "AND sigungu IS NOT NULL GROUP BY sido, sigungu", params)]
    vintage = db.execute(
        f"SELECT max(verified_date) FROM agencies WHERE ({clause}) AND verified_date GLOB '[12][0-9][0-9][0-9]-*'",
        params).fetchone()[0]
    return counts, vintage


def _in_store(areas: list[dict], counts: list[dict], level: str) -> None:
    """Set each area's `in_store`: agencies of the supply the store lists in its 시군구 (placed or not).

    Joined like a demand table (경상북도 군위군 is 대구's now, 세종, glued 구);
    a 일반구's 시 (수원시 beside 수원시 장안구) counts for each of its 구, and
    `in_store_city` says how many of them are the 시's.
    """
    if level == "eupmyeondong":
        # A 읍면동 carries its 시군구's count.
        parents, seen = [], {}
        for a in areas:
            key = (a["sido"], a["sigungu"])
            if key not in seen:
                seen[key] = {"code": a["code"][:5] + "00000", "sido": a["sido"], "sigungu": a["sigungu"],
                             "eupmyeondong": None, "name": f"{a['sido']} {a['sigungu']}"}
                parents.append(seen[key])
        values, report = join_demand(parents, counts, city_rows="each")
        for a in areas:
            p = seen[(a["sido"], a["sigungu"])]
            a["in_store"], a["in_store_city"] = int(values[p["code"]]), int(report.city_values.get(p["code"], 0))
        return
    if level == "complexes":
        by_place: dict[tuple, int] = {}
        for r in counts:
            by_place[(r["sido"], r["sigungu"])] = by_place.get((r["sido"], r["sigungu"]), 0) + int(r["value"])
        for a in areas:
            a["in_store"], a["in_store_city"] = by_place.get((a["sido"], a["sigungu"]), 0), 0
        return
    values, report = join_demand(areas, counts, city_rows="each")
    for a in areas:
        a["in_store"], a["in_store_city"] = int(values[a["code"]]), int(report.city_values.get(a["code"], 0))


@lru_cache(maxsize=8)
def _base_areas(level: str, population_file: str, mtime: float, min_age: int) -> tuple[tuple, tuple]:
    """The areas of a level with their 65+ demand and positions, read once per file (copied per run)."""
    areas = load_population(population_file, level, min_age)
    unplaced = _locate(areas, SIGUNGU_BOUNDARIES if level == "sigungu" else DONG_BOUNDARIES)
    if level == "sigungu":
        unplaced = _weight_by_dong(areas, population_file, min_age)
    return tuple(tuple(a.items()) for a in areas), tuple(unplaced)


def base_areas(level: str = "sigungu", population_file=POPULATION_FILE, min_age: int = DEFAULT_MIN_AGE):
    """(areas, unplaced names): the 시군구 or 읍면동 with code, names, 65+ demand and lat/lon, fresh dicts."""
    path = Path(population_file)
    try:
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise AccessError("population_file_unreadable", path=str(path), detail=exc.strerror) from exc
    areas, unplaced = _base_areas(level, str(path), mtime, min_age)
    return [dict(a) for a in areas], list(unplaced)


def _types_known(db) -> set[str]:
    return {r[0] for r in db.execute("SELECT name FROM agency_types")} | {
        r[0] for r in db.execute("SELECT DISTINCT type FROM agencies WHERE type IS NOT NULL")}


def accessibility(db, agency_type: str | None = DEFAULT_ACCESS_TYPE, *, level: str = "sigungu",
                  radius_km: float = DEFAULT_RADIUS_KM, sigma_km: float | None = None,
                  flag_km: float | None = None, population_file=POPULATION_FILE,
                  min_age: int = DEFAULT_MIN_AGE, demand: str = "age65", demand_table: list[dict] | None = None,
                  demand_label: str | None = None, types=None, categories=None, capacity: bool = True,
                  senior_jobs: bool = False) -> AccessResult:
    """Access of every area (or complex) to agencies of `agency_type` (or `types` / `categories`).

    Demand is `demand` (a key of :data:`network.demand.DEMANDS`: 65+ by
    default, 수급자, 주거급여, 등록장애인, 정신질환 patients) or a planner's
    `demand_table` (rows as :func:`network.demand.join_demand` takes them,
    e.g. from :mod:`importers.demand_table`), joined to the areas; the join
    report is ``result.demand_join``. Supply is the agencies (each counting
    its 정원 where given, or 1 with ``capacity=False``), or with
    `senior_jobs` the 노인일자리 target jobs of each 시군구 at its centre.

    σ is half the radius unless given; ``sigma_km=0`` is the classic 2SFCA
    (no decay). Each row gets `score` (E2SFCA supply per 1,000 of demand),
    `nearest_km` and `nearest_name` (the nearest agency), `within` (agencies
    within `radius_km`), `none_within` (no agency within `flag_km`, default
    `radius_km`) and `in_store` (agencies of the supply the store lists in
    the area's 시군구, placed or not).
    """
    if level not in LEVELS:
        raise AccessError("unknown_access_level", level=level, levels=", ".join(LEVELS))
    try:
        radius_km = float(radius_km)
        sigma_km = radius_km / 2 if sigma_km is None else float(sigma_km)
        flag_km = radius_km if flag_km is None else float(flag_km)
    except (TypeError, ValueError) as exc:
        raise AccessError("access_not_numbers", radius=radius_km, sigma=sigma_km) from exc
    values = [radius_km, flag_km] + ([sigma_km] if sigma_km else [])
    if not all(math.isfinite(v) and 0 < v <= 1000 for v in values) or not (math.isfinite(sigma_km) and sigma_km >= 0):
        raise AccessError("access_out_of_range", radius=radius_km, sigma=sigma_km, flag=flag_km)
    types = [t for t in (types or ([agency_type] if agency_type and not categories else [])) if t]
    categories = [c for c in (categories or []) if c]
    known = _types_known(db)
    for t in types:
        if t not in known:
            raise AccessError("unknown_agency_type", value=t)
    if categories:
        known_categories = {r[0] for r in db.execute("SELECT name FROM categories")}
        for c in categories:
            if c not in known_categories:
                raise AccessError("unknown_category", value=c)
    if not types and not categories and not senior_jobs:
        raise AccessError("no_supply_chosen")
    join = None
    if level == "complexes":
        areas = [
            {"code": str(c["id"]), "name": c["name"], "sido": c["sido"], "sigungu": c["sigungu"],
             "eupmyeondong": c["eupmyeondong"], "demand": float(c["households"] or 0),
             "total": float(c["households"] or 0), "lat": c["lat"], "lon": c["lon"], "placement": c["placement"]}
            for c in db.query("SELECT * FROM complexes ORDER BY name")
        ]
        unplaced = [a["name"] for a in areas if a["lat"] is None or a["lon"] is None]
        label = "세대"
    else:
        areas, unplaced = base_areas(level, population_file, min_age)
        label = f"{min_age}세 이상 인구"
        rows = None
        if demand_table is not None:
            rows, label = demand_table, demand_label or "직접 올린 수요"
        elif demand != "age65":
            if demand not in DEMANDS:
                raise AccessError("unknown_demand", value=demand, known=", ".join(DEMANDS))
            if level not in DEMANDS[demand].levels:
                raise AccessError("demand_not_at_level", demand=DEMANDS[demand].label, level=level)
            rows, label = demand_rows(demand), DEMANDS[demand].label
        if rows is not None:
            joined, join = join_demand(areas, rows, level=level)
            for a in areas:
                a["demand"] = joined[a["code"]]
    placed = [a for a in areas if a.get("lat") is not None and a.get("lon") is not None]
    if senior_jobs:
        supply = _senior_job_supply()
        supply_label = "노인일자리 목표 일자리"
    else:
        supply = _supply(db, types, categories, capacity=capacity)
        supply_label = "·".join(types + categories)
    counts, vintage = ([], None) if senior_jobs else _listed(db, types, categories)
    if placed:
        dxy = project([a["lat"] for a in placed], [a["lon"] for a in placed])
        sxy = project([s["lat"] for s in supply], [s["lon"] for s in supply]) if supply else np.zeros((0, 2))
        score, nearest, within, index = _e2sfca(
            dxy, [a["demand"] for a in placed], sxy, [s["supply"] for s in supply],
            radius_m=radius_km * 1000, sigma_m=sigma_km * 1000 if sigma_km else None)
        for a, s, n, w, k in zip(placed, score, nearest, within, index):
            a["score"] = float(s) * PER
            a["nearest_km"] = float(n) / 1000 if math.isfinite(n) else None
            a["nearest_name"] = supply[k]["name"] if math.isfinite(n) else None
            a["within"] = int(w)
            a["none_within"] = not (math.isfinite(n) and n <= flag_km * 1000)
    for a in areas:
        for key in ("score", "nearest_km", "nearest_name", "within", "none_within"):
            a.setdefault(key, None)
        if senior_jobs:
            a["in_store"] = None
    if not senior_jobs:
        _in_store(areas, counts, level)
    return AccessResult(supply_label, level, radius_km, sigma_km, flag_km, areas, supply, unplaced,
                        demand=demand if demand_table is None else "table", demand_unit_label=label,
                        demand_join=join.as_dict() if join else None, list_vintage=vintage,
                        capacity=capacity and not senior_jobs, senior_jobs=senior_jobs)


def _senior_job_supply() -> list[dict]:
    """노인일자리 target jobs as supply points at each 시군구's demand centre (the projects have no address)."""
    areas, _ = base_areas("sigungu")
    values, _ = join_demand(areas, senior_job_rows())
    return [{"id": None, "name": f"{a['name']} 노인일자리", "type": None, "sido": a["sido"], "sigungu": a["sigungu"],
             "lat": a["lat"], "lon": a["lon"], "capacity": values[a["code"]], "placement": "sigungu",
             "supply": values[a["code"]]}
            for a in areas if values.get(a["code"], 0) > 0 and a.get("lat") is not None]


def least_served(result: AccessResult, n: int | None = 10, sido: str | None = None) -> list[dict]:
    """Areas (of one 시도, if given) ranked from least to best served (ties: larger demand first).

    Each row gets `rank` within the ranking asked for.
    """
    rows = [r for r in result.rows if r["score"] is not None and r["demand"] > 0
            and (not sido or r.get("sido") == sido)]
    rows.sort(key=lambda r: (r["score"], -r["demand"], r["code"]))
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    return rows if n is None else rows[:n]


def demand_coverage(result: AccessResult) -> dict:
    """Where a demand table reached: the 시도 to look at, and the areas it left out near what it covers.

    ``near``: areas no row named inside the 시군구 (읍면동 level) or the 시도
    (시군구 level) the table does cover — likely a gap in the planner's own
    table; ``elsewhere``: how many areas beyond them were left at 0.
    ``sido``: the 시도 to draw — the only one covered, or at 읍면동 level the
    one holding most of the demand; None for a table over several 시도 by 시군구.
    Empty answers for a result whose demand did not come from a table.
    """
    join = result.demand_join
    if not join:
        return {"sido": None, "sidos": [], "covered": len(result.rows), "near": [], "elsewhere": 0}
    missing = set(join.get("missing_codes", []))
    dong = result.level == "eupmyeondong"

    def scope(row):
        return (row["sido"], row.get("sigungu")) if dong else row["sido"]

    covered = [r for r in result.rows if r["code"] not in missing]
    scopes = {scope(r) for r in covered}
    near = [r["name"] for r in result.rows if r["code"] in missing and scope(r) in scopes]
    weight: dict[str, float] = {}
    for r in covered:
        weight[r["sido"]] = weight.get(r["sido"], 0.0) + r["demand"]
    sido = max(sorted(weight), key=lambda k: weight[k]) if weight and (dong or len(weight) == 1) else None
    return {"sido": sido, "sidos": sorted(weight), "covered": len(covered), "near": near,
            "elsewhere": len(missing) - len(near)}


def covered_only(result: AccessResult) -> AccessResult:
    """The result with the areas its demand table did not name left unscored ("자료 없음" on a map, never ranked).

    Their score would read as the access of a place the planner said nothing
    about; the measure itself (every agency's catchment) is unchanged.
    """
    missing = set((result.demand_join or {}).get("missing_codes", []))
    if not missing:
        return result
    rows = [{**r, "score": None} if r["code"] in missing else r for r in result.rows]
    return replace(result, rows=rows)


CSV_COLUMNS = [
    ("rank", "순위"), ("code", "행정코드"), ("sido", "시도"), ("sigungu", "시군구"),
    ("eupmyeondong", "읍면동"), ("name", "지역"), ("demand", "수요"), ("score", "접근성(수요 1천당)"),
    ("nearest_name", "가장 가까운 기관"), ("nearest_km", "가장 가까운 기관(km)"), ("within", "반경 내 기관 수"),
    ("none_within", "반경 내 기관 없음"), ("in_store", "시군구 안 목록상 기관 수"),
]


def ranked_table(result: AccessResult) -> list[list]:
    """The ranked table of every scored area, least served first, header row first."""
    table = [[label for _, label in CSV_COLUMNS]]
    for row in least_served(result, None):
        table.append([_csv_value(row.get(key)) for key, _ in CSV_COLUMNS])
    return table


def write_ranked_csv(result: AccessResult, path) -> Path:
    """The ranked table of least-served areas as CSV (UTF-8 with BOM, opens in Excel)."""
    path = Path(path)
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(ranked_table(result))
    return path


def _csv_value(value):
    if isinstance(value, bool):
        return "예" if value else "아니오"
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if value != int(value) else int(value)
    return "" if value is None else spreadsheet_safe(value)


# --- boundaries and the join ------------------------------------------------


@lru_cache(maxsize=4)
def _boundaries_cached(path: str, mtime: float) -> str:
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    for feature in data["features"]:
        p = feature["properties"]
        if "adm_cd2" in p:  # Seoul 행정동
            sido = normalize_sido(p.get("sidonm")) or p.get("sidonm")
            rest = p["adm_nm"].split()[1:]
            p["_code"], p["_name"], p["_key"] = str(p["adm_cd2"]), p["adm_nm"], _key(sido, " ".join(rest))
            p["_sido"], p["_sgg"] = sido, " ".join(rest[:-1])
        else:  # 시군구
            sido = normalize_sido(p.get("SIDONM")) or p.get("SIDONM")
            p["_code"], p["_name"] = str(p["sgg"]), f"{p['SIDONM']} {p['SGGNM']}"
            p["_key"], p["_sido"], p["_sgg"] = _key(sido, p["SGGNM"]), sido, p["SGGNM"]
        feature["geometry"] = _round_geometry(feature["geometry"])
    return json.dumps(data, ensure_ascii=False)


def _boundaries(path) -> dict:
    path = Path(path)
    return json.loads(_boundaries_cached(str(path), path.stat().st_mtime))


def _round_geometry(geometry, digits: int = 4):
    """Coordinates to 4 decimals (about 10 m), dropping repeats: a third of the file size."""
    def ring(points):
        out = []
        for x, y in points:
            p = [round(x, digits), round(y, digits)]
            if not out or p != out[-1]:
                out.append(p)
        return out if len(out) >= 4 else [[round(x, digits), round(y, digits)] for x, y in points]

    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": [ring(r) for r in geometry["coordinates"]]}
    if geometry["type"] == "MultiPolygon":
        return {"type": "MultiPolygon", "coordinates": [[ring(r) for r in poly] for poly in geometry["coordinates"]]}
    return geometry


def join_boundaries(result: AccessResult, boundary_file=None) -> tuple[dict, dict]:
    """Attach each area's numbers to its boundary; (GeoJSON, join report).

    Joins on codes first (5-digit 시군구 / 10-digit 행정동), then on names
    (시도 + 시군구[+ 읍면동], spaces ignored, old 시도 names folded), then on
    a 시군구 name unique in the country (군위군 moved from 경북 to 대구), then
    by summing the units a boundary now covers (부천시 → its three 구).
    The report counts each way and lists what did not join on either side.
    """
    if result.level == "complexes":
        raise AccessError("no_boundaries_for_complexes")
    boundary_file = boundary_file or (SIGUNGU_BOUNDARIES if result.level == "sigungu" else DONG_BOUNDARIES)
    data = _boundaries(boundary_file)
    dong = result.level == "eupmyeondong"
    rows = [r for r in result.rows]
    by_code = {(r["code"] if dong else r["code"][:5]): r for r in rows}
    by_key = {_key(r["sido"], f"{r['sigungu']} {r['eupmyeondong']}" if dong else r["sigungu"]): r for r in rows}
    by_name: dict[str, list] = {}
    for r in rows:
        by_name.setdefault("".join((r["eupmyeondong"] if dong else r["sigungu"]).split()), []).append(r)
    counts = {"code": 0, "name": 0, "unique_name": 0, "aggregate": 0}
    unmatched_boundaries, used = [], set()
    boundary_sidos = {f["properties"]["_sido"] for f in data["features"]}
    for feature in data["features"]:
        p = feature["properties"]
        row, how = by_code.get(p["_code"]), "code"
        if row is None:
            row, how = by_key.get(p["_key"]), "name"
        if row is None:
            local = "".join((p["_name"].split()[-1] if dong else p["_sgg"]).split())
            candidates = by_name.get(local, [])
            row, how = (candidates[0], "unique_name") if len(candidates) == 1 else (None, None)
        if row is None and not dong:
            prefix = "".join(p["_sgg"].split())
            parts = [r for r in rows if r["sido"] == p["_sido"] and "".join(r["sigungu"].split()).startswith(prefix)
                     and r["code"] not in used]
            if parts:
                row, how = _aggregate(parts, p["_name"]), "aggregate"
                used.update(r["code"] for r in parts)
        if row is None:
            unmatched_boundaries.append(f"{p['_name']} ({p['_code']})")
            p.update(_props(None))
            continue
        counts[how] += 1
        used.add(row["code"])
        p.update(_props(row))
    unmatched_areas = [f"{r['name']} ({r['code']})" for r in rows
                       if r["code"] not in used and r["sido"] in boundary_sidos]
    for feature in data["features"]:
        feature["properties"] = {k: v for k, v in feature["properties"].items() if k.startswith(("_", "yg_"))}
    report = {"boundaries": len(data["features"]), "areas": len(rows), "joined": counts,
              "unmatched_boundaries": unmatched_boundaries, "unmatched_areas": unmatched_areas,
              "unplaced_areas": list(result.unplaced),
              "approximate_areas": [r["name"] for r in rows if r.get("approximate")]}
    return data, report


def _aggregate(parts: list[dict], name: str) -> dict:
    demand = sum(r["demand"] for r in parts)
    scored = [r for r in parts if r["score"] is not None]
    score = (sum(r["score"] * r["demand"] for r in scored) / demand) if scored and demand else None
    nearest = [r["nearest_km"] for r in parts if r["nearest_km"] is not None]
    return {"code": "+".join(r["code"] for r in parts), "name": name, "demand": demand, "score": score,
            "nearest_km": min(nearest) if nearest else None,
            "within": max((r["within"] or 0) for r in parts),
            "none_within": all(r["none_within"] for r in parts if r["none_within"] is not None),
            # each 구 counted its 시's own agencies; the 시's boundary counts them once
            "in_store": None if any(r.get("in_store") is None for r in parts)
            else sum(r["in_store"] - r.get("in_store_city", 0) for r in parts)
            + max(r.get("in_store_city", 0) for r in parts)}


def _props(row) -> dict:
    """The numbers a boundary carries (the map words them): score, demand, nearest km, the flag."""
    if row is None:
        return {"yg_score": None, "yg_demand": None, "yg_nearest_km": None, "yg_none_within": None,
                "yg_in_store": None, "yg_nearest_name": None}
    return {"yg_score": row["score"], "yg_demand": row["demand"], "yg_nearest_km": row["nearest_km"],
            "yg_none_within": row["none_within"], "yg_in_store": row.get("in_store"),
            "yg_nearest_name": row.get("nearest_name")}


def _on_earth(lat, lon) -> bool:
    """Whether (lat, lon) are finite numbers within ±90 / ±180."""
    try:
        la, lo = float(lat), float(lon)
    except (TypeError, ValueError):
        return False
    return math.isfinite(la) and math.isfinite(lo) and -90 <= la <= 90 and -180 <= lo <= 180
