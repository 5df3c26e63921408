"""Placing agencies on the map when their list gives no coordinates.

Best first, every agency records how it was placed in `agencies.placement`:

- ``exact``: the list gave coordinates (WGS84, swapped or projected);
- ``matched``: the same address (or the same agency by name in the same
  시군구) is already known with coordinates in the store;
- ``geocoded``: an online geocoder the operator configured answered
  (geopy; Nominatim by default, or a self-hosted Nominatim/Photon/Pelias);
- ``eupmyeondong``: the centroid of the 읍면동 named in the address or name;
- ``sigungu``: the centroid of the 시군구;
- ``unplaced``: nothing to go on.

Maps and distance searches show the last three honestly as approximate.
Centroids come from the shipped `admin_centroids_utmk.tsv` (UTM-K,
EPSG:5179, converted with pyproj). Nothing here touches the network unless
a geocoder is passed in.
"""
from __future__ import annotations

import json
import logging
import os
import re
from collections import Counter
from functools import lru_cache

from directory.errors import YeongyeError
from directory.normalize import clean_text, name_key, normalize_sido
from directory.paths import PUBLIC_DIR
from directory.regions import SEJONG, Region, region_index
from directory.store import now
from directory.vocabulary import CENTROIDS, PLACEMENTS, PRECISE, UNPLACED, UTMK, in_korea, transformer

from .common import CanonicalNames, conn_taxonomy, has_number, select_agencies

__all__ = ["PLACEMENTS", "PRECISE", "GeocoderConfigError", "make_geocoder", "CachedGeocoder", "centroid",
           "find_eupmyeondong", "address_units", "find_sigungu", "Boundaries", "boundaries", "assign_regions",
           "Placer", "place_agencies", "placement_counts"]

log = logging.getLogger(__name__)

SIGUNGU_FILE = PUBLIC_DIR / "boundaries" / "sigungu_2022.geojson"

GEOCODER_ENV = "YEONGYE_GEOCODER"  # nominatim | photon | pelias | off
GEOCODER_DOMAIN_ENV = "YEONGYE_GEOCODER_DOMAIN"
GEOCODER_SCHEME_ENV = "YEONGYE_GEOCODER_SCHEME"
GEOCODER_KEY_ENV = "YEONGYE_GEOCODER_API_KEY"
GEOCODER_AGENT_ENV = "YEONGYE_GEOCODER_USER_AGENT"


class GeocoderConfigError(YeongyeError, ValueError):
    """The geocoder named in the configuration is not one we support."""

    code = "geocoder_config_error"


# --- the online geocoder, cached ----------------------------------------------


def make_geocoder(name: str | None = None, *, domain: str | None = None, scheme: str | None = None,
                  api_key: str | None = None, user_agent: str | None = None, timeout: float = 5.0):
    """A geopy geocoder from explicit options, else the YEONGYE_GEOCODER* variables.

    Returns None when no geocoder is configured (the default: offline).
    geopy's requests adapter retries twice, so a server that never answers
    would cost three times `timeout`; the adapter here does not retry, and
    the first failure switches the geocoder off for the run (CachedGeocoder).
    """
    name = (name or os.environ.get(GEOCODER_ENV) or "").strip().lower()
    if name in ("", "off", "none"):
        return None
    domain = domain or os.environ.get(GEOCODER_DOMAIN_ENV) or None
    scheme = scheme or os.environ.get(GEOCODER_SCHEME_ENV) or None
    api_key = api_key or os.environ.get(GEOCODER_KEY_ENV) or None
    user_agent = user_agent or os.environ.get(GEOCODER_AGENT_ENV) or "yeongye-directory"
    options = {"timeout": timeout, "adapter_factory": _adapter_without_retries}
    if domain:
        options["domain"] = domain
    if scheme:
        options["scheme"] = scheme
    from geopy import geocoders

    if name == "nominatim":
        return geocoders.Nominatim(user_agent=user_agent, **options)
    if name == "photon":
        return geocoders.Photon(user_agent=user_agent, **options)
    if name == "pelias":
        if not domain:
            raise GeocoderConfigError("pelias_needs_domain")
        return geocoders.Pelias(domain=domain, api_key=api_key, user_agent=user_agent,
                                **{k: v for k, v in options.items() if k != "domain"})
    raise GeocoderConfigError("unknown_geocoder", name=name)


def _adapter_without_retries(*, proxies, ssl_context):
    """geopy's HTTP adapter with retries off: one timeout, not three."""
    from geopy.adapters import RequestsAdapter, URLLibAdapter

    if RequestsAdapter.is_available:
        return RequestsAdapter(proxies=proxies, ssl_context=ssl_context, max_retries=0)
    return URLLibAdapter(proxies=proxies, ssl_context=ssl_context)


class CachedGeocoder:
    """A geopy geocoder behind the store's geocode_cache and a rate limiter.

    Every answer, "not found" included, is cached, so no address is asked
    twice. The first network failure (GeopyError: unavailable, timed out,
    refused) switches the geocoder off for the rest of the run, so a closed
    network costs one failed request, not one per agency.
    """

    def __init__(self, conn, geocoder, *, min_delay_seconds: float = 1.0, provider: str | None = None):
        from geopy.extra.rate_limiter import RateLimiter

        self.conn = conn
        self.geocoder = geocoder
        self.provider = provider or type(geocoder).__name__.lower()
        self._geocode = RateLimiter(geocoder.geocode, min_delay_seconds=min_delay_seconds,
                                    max_retries=0, swallow_exceptions=False)
        self.failed: str | None = None
        self.asked = 0
        self.cached = 0

    def lookup(self, query: str) -> tuple[float, float] | None:
        """(lat, lon) of an address, from the cache or the geocoder; None if unknown."""
        from geopy.exc import GeopyError

        query = clean_text(query)
        if not query:
            return None
        row = self.conn.execute(
            "SELECT lat, lon FROM geocode_cache WHERE provider = ? AND query = ?", [self.provider, query]
        ).fetchone()
        if row is not None:
            self.cached += 1
            return (row[0], row[1]) if row[0] is not None else None
        if self.failed:
            return None
        try:
            self.asked += 1
            location = self._geocode(query)
        except GeopyError as exc:
            self.failed = f"{type(exc).__name__}: {exc}"
            log.warning("지오코더 사용 중지: %s", self.failed)
            return None
        lat = lon = None
        answer = None
        if location is not None and in_korea(location.latitude, location.longitude):
            lat, lon, answer = location.latitude, location.longitude, getattr(location, "address", None)
        self.conn.execute(
            "INSERT OR REPLACE INTO geocode_cache (provider, query, lat, lon, answer, fetched_at) VALUES (?,?,?,?,?,?)",
            [self.provider, query, lat, lon, answer, now()],
        )
        return (lat, lon) if lat is not None else None


# --- centroids and boundaries --------------------------------------------------


@lru_cache(maxsize=None)
def _centroid(x: float, y: float) -> tuple[float, float]:
    lon, lat = transformer(UTMK).transform(x, y)
    return lat, lon


def centroid(region: Region) -> tuple[float, float]:
    """WGS84 (lat, lon) of a region's UTM-K centroid."""
    return _centroid(region.x, region.y)


# What a 읍면동 office's name ends with after the 읍면동 ("청운효자동주민센터").
# "사무소" alone also serves 동사무소, 읍사무소 and 면사무소: their 동/읍/면 is the
# last character of the unit's own name (청운효자동, 하양읍), so stripping
# "동사무소" would leave "청운효자", which names no unit.
OFFICE_SUFFIXES = ("행정복지센터", "주민센터", "복지센터", "사무소", "출장소")


def find_eupmyeondong(sido: str | None, sigungu: str | None, *names: str | None) -> Region | None:
    """The 읍면동 of a 시군구 named by any of `names` (a 읍면동 or a centre's name).

    "청운효자동주민센터" and "하양읍 행정복지센터" give 청운효자동 and 하양읍.
    A city with 일반구 (수원시) is searched in all its 구.
    """
    if not sido or not sigungu:
        return None
    index = region_index()
    units = index.eupmyeondong.get((sido, sigungu))
    if units is None:
        units = {}
        for (s, g), table in index.eupmyeondong.items():
            if s == sido and g.startswith(sigungu + " "):
                units.update(table)
    if not units:
        return None
    for text in names:
        key = name_key(text)
        if not key:
            continue
        for suffix in OFFICE_SUFFIXES:
            if key.endswith(suffix) and len(key) > len(suffix):
                key = key[: -len(suffix)]
                break
        if key in units:
            return units[key]
        # "청운효자동주민센터" → "청운효자동"; a name may carry more after it.
        for length in range(min(len(key), 8), 1, -1):
            if key[:length] in units and key[length - 1] in "동읍면가리":
                return units[key[:length]]
        legal = _legal_dong(units, key)
        if legal is not None:
            return legal
    return None


_DONG_NOTE = re.compile(r"\(([^,)\s]+?(?:\d*가|동|읍|면))[,)\s]")
_LOT_DONG = re.compile(r"\s(\S+?(?:\d*가|동|읍|면))\s+(?:산\s*)?\d")


def address_units(*addresses: str | None) -> list[str]:
    """읍면동 names an address mentions: "(동춘동)" after a road address, "상계동 111-1" in a lot address."""
    found = []
    for text in addresses:
        if not text:
            continue
        found += _DONG_NOTE.findall(text + ")")
        found += _LOT_DONG.findall(" " + text)
    return found


def _legal_dong(units: dict, key: str) -> Region | None:
    """A 법정동 split into numbered 행정동 (상계동 → 상계1동 … 상계10동): their mean centroid.

    "아미동2가" is part of 아미동; a 법정동 without numbered 행정동 is not guessed.
    """
    key = re.sub(r"\d+가$", "", key)
    if key in units:
        return units[key]
    if not key.endswith("동") or len(key) < 2:
        return None
    stem = key[:-1]
    parts = [u for k, u in units.items()
             if k.startswith(stem) and len(k) > len(stem) and (k[len(stem)].isdigit() or k[len(stem)] == "제")]
    if not parts:
        return None
    x = sum(u.x for u in parts) / len(parts)
    y = sum(u.y for u in parts) / len(parts)
    return Region(parts[0].code, parts[0].sido, parts[0].sigungu, key, x, y)


def find_sigungu(sido: str | None, sigungu: str | None) -> Region | None:
    """The Region of a 시군구 by its name within its 시도."""
    if not sido or not sigungu:
        return None
    if sido == SEJONG:
        sigungu = SEJONG
    return region_index().sigungu.get(sido, {}).get("".join(sigungu.split()))


class Boundaries:
    """시군구 polygons in an STRtree, for point-in-polygon lookups."""

    def __init__(self, path=SIGUNGU_FILE):
        import shapely
        from shapely.geometry import shape

        with open(path, encoding="utf-8") as fh:
            features = json.load(fh)["features"]
        self.geoms = [shape(f["geometry"]) for f in features]
        self.names = []
        index = region_index()
        for f in features:
            sido = normalize_sido(f["properties"]["SIDONM"])
            key = "".join(f["properties"]["SGGNM"].split())
            region = index.sigungu.get(sido, {}).get(key)
            self.names.append((sido, region.sigungu if region else f["properties"]["SGGNM"]))
        self.tree = shapely.STRtree(self.geoms)
        self._shapely = shapely

    def locate(self, points: list[tuple[float, float]]) -> list[tuple[str, str] | None]:
        """(시도, 시군구) for each (lat, lon), None outside every polygon."""
        if not points:
            return []
        geoms = self._shapely.points([(lon, lat) for lat, lon in points])
        pairs = self.tree.query(geoms, predicate="intersects")
        found: list[tuple[str, str] | None] = [None] * len(points)
        for point_i, poly_i in zip(pairs[0].tolist(), pairs[1].tolist()):
            if found[point_i] is None:
                found[point_i] = self.names[poly_i]
        return found


@lru_cache(maxsize=1)
def boundaries() -> Boundaries:
    """The shipped 시군구 boundaries, loaded once per process."""
    return Boundaries()


def assign_regions(conn, ids=None) -> int:
    """Fill 시도/시군구 from coordinates where the address gave none; returns how many."""
    rows = select_agencies(conn, "lat IS NOT NULL AND (sigungu IS NULL OR sido IS NULL)", ids,
                   "id, lat, lon, sido, sigungu")
    if not rows:
        return 0
    found = boundaries().locate([(r[1], r[2]) for r in rows])
    updates = [(hit[0], hit[1], r[0]) for r, hit in zip(rows, found)
               if hit is not None and (r[3] is None or r[3] == hit[0])]
    conn.executemany("UPDATE agencies SET sido = ?, sigungu = ? WHERE id = ?", updates)
    return len(updates)


# --- placing -------------------------------------------------------------------


class Placer:
    """Places agencies best first; `place(ids)` returns counts by method."""

    def __init__(self, conn, *, geocoder: CachedGeocoder | None = None):
        self.conn = conn
        self.geocoder = geocoder
        self._known: tuple | None = None

    def _known_positions(self) -> tuple[dict, dict, dict]:
        """Positions of placed agencies by address key, by (canonical name, 시도, 시군구), and
        by the road-and-number tail alone (kept only when one place in the country has it)."""
        if self._known is None:
            names = CanonicalNames(conn_taxonomy(self.conn))
            by_address, by_name, by_tail = {}, {}, {}
            for key, nkey, sido, sigungu, lat, lon in self.conn.execute(
                "SELECT address_key, name_key, sido, sigungu, lat, lon FROM agencies "
                "WHERE placement IN ('exact', 'geocoded') AND lat IS NOT NULL"
            ):
                if key and has_number(key):
                    by_address.setdefault(key, (lat, lon))
                    tail = key.rsplit("|", 1)[-1]
                    if len(tail) >= 5:
                        previous = by_tail.get(tail)
                        by_tail[tail] = (lat, lon, sido, sigungu) if previous is None or previous[2:] == (sido, sigungu) else False
                stem, kind = names.split(nkey or "")
                by_name.setdefault((stem + kind, sido, sigungu), (lat, lon))
            regions: dict = {}
            for key, sido, sigungu in self.conn.execute(
                "SELECT address_key, sido, sigungu FROM agencies WHERE sigungu IS NOT NULL AND address_key != ''"
            ):
                tail = key.rsplit("|", 1)[-1]
                if len(tail) >= 5 and has_number(key):
                    regions[tail] = (sido, sigungu) if regions.get(tail, (sido, sigungu)) == (sido, sigungu) else False
            self._known = (by_address, by_name, {t: v for t, v in by_tail.items() if v}, names,
                           {t: v for t, v in regions.items() if v})
        return self._known

    def place(self, ids=None, *, upgrade: bool = True) -> Counter:
        """Place the unplaced (and, with `upgrade`, centroid-placed) agencies among `ids`."""
        # Centroid positions are upgraded when a better way turns up (a list with coordinates).
        wanted = (UNPLACED, *sorted(CENTROIDS)) if upgrade else (UNPLACED,)
        rows = select_agencies(
            self.conn, f"placement IN ({', '.join('?' * len(wanted))})", ids,
            "id, name, name_key, road_address, lot_address, address_key, sido, sigungu, eupmyeondong, placement",
            list(wanted),
        )
        counts: Counter = Counter()
        updates = []
        for row in rows:
            agency_id, placement, lat, lon, region = self.locate(row)
            if placement == row[9] == UNPLACED:
                counts[placement] += 1
                continue
            counts[placement] += 1
            updates.append((lat, lon, placement,
                            region.sido if region else None, region.sigungu if region else None,
                            region.eupmyeondong if region else None, agency_id))
        self.conn.executemany(
            "UPDATE agencies SET lat = ?, lon = ?, placement = ?, sido = coalesce(sido, ?), "
            "sigungu = coalesce(sigungu, ?), eupmyeondong = coalesce(eupmyeondong, ?) WHERE id = ?",
            updates,
        )
        return counts

    def locate(self, row) -> tuple[int, str, float | None, float | None, Region | None]:
        """Best position of one agency row; (id, placement, lat, lon, region found)."""
        agency_id, name, nkey, road, lot, akey, sido, sigungu, emd, _ = row
        by_address, by_name, by_tail, names, regions = self._known_positions()
        if akey and akey in by_address:
            return (agency_id, "matched", *by_address[akey], None)
        inferred = None
        if akey and not sigungu:
            # "관평로170번길 22" without 시도 or 시군구: a road and number found in
            # one place only in the store is enough to say where it is.
            tail = akey.rsplit("|", 1)[-1]
            hit = by_tail.get(tail)
            if hit and (not sido or sido == hit[2]):
                return (agency_id, "matched", hit[0], hit[1], find_sigungu(hit[2], hit[3]))
            known = regions.get(tail)
            if known and (not sido or sido == known[0]):
                sido, sigungu = known
                inferred = find_sigungu(sido, sigungu)
        stem, kind = names.split(nkey or "")
        if sigungu and (stem + kind, sido, sigungu) in by_name:
            return (agency_id, "matched", *by_name[(stem + kind, sido, sigungu)], None)
        if self.geocoder is not None and (road or lot):
            for query in (road, lot):
                hit = self.geocoder.lookup(query) if query else None
                if hit:
                    return (agency_id, "geocoded", *hit, None)
        region = find_eupmyeondong(sido, sigungu, emd, name, *address_units(road, lot))
        if region is not None:
            return (agency_id, "eupmyeondong", *centroid(region), region)
        region = find_sigungu(sido, sigungu)
        if region is not None:
            return (agency_id, "sigungu", *centroid(region), inferred)
        return agency_id, "unplaced", None, None, None


def place_agencies(conn, ids=None, *, geocoder=None, upgrade: bool = True) -> Counter:
    """Place agencies (all, or `ids`) best first and fill missing 시군구; counts by method.

    `geocoder` is a geopy geocoder (or anything with `.geocode(query)`); it
    is wrapped in the cache and rate limiter here.
    """
    cached = geocoder if isinstance(geocoder, CachedGeocoder) or geocoder is None else CachedGeocoder(conn, geocoder)
    counts = Placer(conn, geocoder=cached).place(ids, upgrade=upgrade)
    assign_regions(conn, ids)
    if cached is not None and cached.failed:
        counts["geocoder_failed"] = 1
    return counts


def placement_counts(conn, ids=None) -> dict[str, int]:
    """How many of the agencies (all, or `ids`) are placed each way, in PLACEMENTS order."""
    rows = select_agencies(conn, "1", ids, "placement")
    tally = Counter(r[0] for r in rows)
    return {p: tally.get(p, 0) for p in PLACEMENTS if tally.get(p)} | {
        p: n for p, n in tally.items() if p not in PLACEMENTS}
