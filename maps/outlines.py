"""Offline outlines: 시도, 시군구 and Seoul 행정동 boundaries under a map drawn without base tiles.

A closed network reaches no tile server, so a map without tiles would be
markers on a blank background. Every map here draws the shipped boundaries
(data/public/boundaries: 시군구 2022, Seoul 행정동 2021; 시도 borders where
the dissolved 시군구 of two 시도 meet, by shapely) in a pane under its
markers, never clickable, so they cost no tap and hide nothing. With tiles
configured the pane lies beneath the tiles: hidden where they load, the
outline of the country where a closed network blocks them.

They are simplified (shapely, Douglas–Peucker keeping topology) to a
tolerance that follows the view, so files stay small:

* a nationwide view (the resource map of the whole country) draws every
  시군구 at 0.004° (≈ 400 m, under a pixel at zoom 7);
* a regional view (a 시도) at 0.001°;
* a local view (a complex, an agency, a 시군구) at 0.0003° (≈ 30 m) — the
  시군구 around the complex must be right where the complex is — and only
  the units within a margin of the view, with their names as faint labels.

시도 borders and the coast are lines: at the view's tolerance inside the
margin, coarse ones outside it, so zooming out still shows the country.
Seoul's 행정동 appear from zoom 11 on (a grey smudge at zoom 7 otherwise).
"""
from __future__ import annotations

import json
from functools import lru_cache

import folium
from folium.template import Template
from shapely.geometry import MultiLineString, MultiPolygon, box, mapping, shape
from shapely.ops import linemerge, unary_union

from directory.paths import PUBLIC_DIR

__all__ = ["SIGUNGU_FILE", "DONG_FILE", "FINE", "REGIONAL", "NATIONWIDE", "tolerance_for", "outline_data",
           "add_outlines", "warm"]

SIGUNGU_FILE = PUBLIC_DIR / "boundaries" / "sigungu_2022.geojson"
DONG_FILE = PUBLIC_DIR / "boundaries" / "seoul_hangjeongdong_2021.geojson"

# Simplification tolerances in degrees (1° of latitude ≈ 111 km).
FINE, REGIONAL, NATIONWIDE = 0.0003, 0.001, 0.004
_COARSE_SIDO = 0.01
_DONG_MIN_ZOOM = 11
_SEOUL = (126.76, 37.41, 127.19, 37.72)  # lon/lat box of 서울특별시


def tolerance_for(bounds) -> float:
    """The simplification tolerance for a view of `bounds` ((south, west), (north, east)) or None (the country)."""
    if bounds is None:
        return NATIONWIDE
    (south, west), (north, east) = bounds
    extent = max(north - south, east - west)
    return FINE if extent <= 0.3 else REGIONAL if extent <= 3.5 else NATIONWIDE


def _margin_box(bounds):
    """The view's box grown by its own size (at least ≈ 15 km) on every side; None for the country."""
    if bounds is None:
        return None
    (south, west), (north, east) = bounds
    pad = max(0.5 * (north - south), 0.5 * (east - west), 0.1)
    if max(north - south, east - west) > 3.5:
        return None
    return box(west - pad, south - pad, east + pad, north + pad)


@lru_cache(maxsize=1)
def _units() -> tuple[list, list]:
    """(시군구, Seoul 행정동) as [(name, sido, shapely geometry)], read once per process."""
    with open(SIGUNGU_FILE, encoding="utf-8") as fh:
        sgg = [(f["properties"]["SGGNM"], f["properties"]["SIDONM"], shape(f["geometry"]))
               for f in json.load(fh)["features"]]
    with open(DONG_FILE, encoding="utf-8") as fh:
        dong = [(f["properties"]["adm_nm"].split()[-1], f["properties"]["sidonm"], shape(f["geometry"]))
                for f in json.load(fh)["features"]]
    return sgg, dong


def _drop_specks(geom, min_area: float):
    """The polygon without the islands too small to see at this tolerance (keeps the largest part)."""
    parts = list(getattr(geom, "geoms", [geom]))
    kept = [p for p in parts if p.area >= min_area] or [max(parts, key=lambda p: p.area)]
    return kept[0] if len(kept) == 1 else MultiPolygon(kept)


@lru_cache(maxsize=8)
def _simplified(level: str, tolerance: float) -> list:
    sgg, dong = _units()
    speck = (3 * tolerance) ** 2
    return [(name, sido, _drop_specks(geom, speck).simplify(tolerance, preserve_topology=True))
            for name, sido, geom in (sgg if level == "sigungu" else dong)]


@lru_cache(maxsize=1)
def _sido_exact() -> tuple[list, list]:
    """([(pair name, land border between two 시도)], [(area, coast ring)]) from the unsimplified 시군구.

    The 시군구 file shares its edges between neighbours, so a border is where
    two dissolved 시도 touch, each border once; the coast is the outer rings
    of the country (which has no holes).
    """
    sgg, _dong = _units()
    by_sido: dict[str, list] = {}
    for _name, sido, geom in sgg:
        by_sido.setdefault(sido, []).append(geom)
    shapes = {sido: unary_union(parts) for sido, parts in by_sido.items()}
    names = list(shapes)
    borders = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            if not shapes[a].envelope.intersects(shapes[b].envelope):
                continue
            touch = shapes[a].boundary.intersection(shapes[b].boundary)
            lines = [part for g in getattr(touch, "geoms", [touch]) if g.geom_type in ("LineString", "MultiLineString")
                     for part in getattr(g, "geoms", [g]) if not part.is_empty]
            if lines:
                borders.append((f"{a}·{b}", linemerge(lines)))
    country = unary_union(list(shapes.values()))
    rings = [(p.area, p.exterior) for p in getattr(country, "geoms", [country])]
    return borders, rings


@lru_cache(maxsize=4)
def _sido(tolerance: float) -> tuple[list, object]:
    """The 시도 borders and the coastline simplified to `tolerance`, islands too small to see dropped."""
    borders, rings = _sido_exact()
    speck = (3 * tolerance) ** 2
    coast = MultiLineString([ring.simplify(tolerance) for area, ring in rings if area >= speck])
    return [(name, line.simplify(tolerance)) for name, line in borders], coast


def _rounded(geometry, digits: int):
    def walk(c):
        if c and isinstance(c[0], (int, float)):
            return [round(c[0], digits), round(c[1], digits)]
        return [walk(x) for x in c]

    g = mapping(geometry)
    return {"type": g["type"], "coordinates": walk(g["coordinates"])}


def _feature(geometry, digits: int, **properties) -> dict | None:
    if geometry.is_empty:
        return None
    return {"type": "Feature", "geometry": _rounded(geometry, digits), "properties": properties}


def outline_data(bounds=None) -> dict:
    """The outlines for a view: {"sido", "sigungu", "dong"} -> GeoJSON FeatureCollection, "labels": bool.

    `bounds` is ((south, west), (north, east)) of what the map shows, or None
    for the whole country. Plain data: the map element only writes it out.
    """
    tolerance = tolerance_for(bounds)
    area = _margin_box(bounds)
    digits = 4 if tolerance < REGIONAL else 3
    sgg = [_feature(g, digits, name=name, sido=sido) for name, sido, g in _simplified("sigungu", tolerance)
           if area is None or g.intersects(area)]
    borders, _coast = _sido(tolerance)
    sido = [_feature(line if area is None else line.intersection(area), digits, name=name)
            for name, line in borders]
    if area is not None:
        # Beyond the margin: the coarse country, so zooming out still shows where the view is.
        coarse, coast = _sido(_COARSE_SIDO)
        sido += [_feature(line.difference(area), 3, name=name) for name, line in coarse]
        sido.append(_feature(coast.difference(area), 3, name="해안선"))
    dong = []
    if area is None or area.intersects(box(*_SEOUL)):
        dong_tolerance = FINE if tolerance == FINE else REGIONAL
        dong = [_feature(g, 4 if dong_tolerance < REGIONAL else 3, name=name)
                for name, _sido, g in _simplified("dong", dong_tolerance) if area is None or g.intersects(area)]
    collection = lambda features: {"type": "FeatureCollection",  # noqa: E731
                                   "features": [f for f in features if f is not None]}
    return {"sido": collection(sido), "sigungu": collection(sgg), "dong": collection(dong),
            "labels": tolerance == FINE}


class _Outlines(folium.MacroElement):
    """The outline pane and its three layers, written as compact JSON (no per-feature template work)."""

    _template = Template("""
        {% macro header(this, kwargs) %}
        <style>
        .yg-outline-label{background:none;border:none;box-shadow:none;color:#6b6b6b;
          font:600 11px sans-serif;text-shadow:0 0 3px #fff,0 0 3px #fff;padding:0;}
        .yg-outline-label:before{display:none;}
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var pane = map.createPane('yg-outlines');
            pane.style.zIndex = {{ this.z_index }};
            pane.style.pointerEvents = 'none';
            var data = {{ this.data_json }};
            var base = {pane: 'yg-outlines', interactive: false};
            var dong = L.geoJSON(data.dong, Object.assign({}, base, {className: 'yg-outline yg-outline-dong',
                style: {color: '#c2c2c2', weight: 0.6, fill: false}}));
            var sgg = L.geoJSON(data.sigungu, Object.assign({}, base, {className: 'yg-outline yg-outline-sigungu',
                style: {color: '#7d7d7d', weight: 1.4, fillColor: '#ffffff', fillOpacity: 0.6},
                onEachFeature: function (feature, layer) {
                    if (data.labels) {
                        layer.bindTooltip(feature.properties.name, {permanent: true, direction: 'center',
                            className: 'yg-outline-label', pane: 'yg-outlines', interactive: false});
                    }
                }})).addTo(map);
            var sido = L.geoJSON(data.sido, Object.assign({}, base, {className: 'yg-outline yg-outline-sido',
                style: {color: '#4a4a4a', weight: 2.4, fill: false}})).addTo(map);
            function dongByZoom() {
                if (map.getZoom() >= {{ this.dong_min_zoom }}) { dong.addTo(map); } else { dong.remove(); }
            }
            map.on('zoomend', dongByZoom);
            map.whenReady(dongByZoom);
            map.yeongyeOutlines = {sido: sido, sigungu: sgg, dong: dong};
        })();
        {% endmacro %}
    """)

    def __init__(self, data: dict, under_tiles: bool = False):
        super().__init__()
        self._name = "YeongyeOutlines"
        # Leaflet's tile pane is at 200 and the vector overlays at 400: under the tiles the outlines show
        # only where a tile failed to load; without tiles they sit between the background and the markers.
        self.z_index = 150 if under_tiles else 350
        self.dong_min_zoom = _DONG_MIN_ZOOM
        # Names come from the shipped boundary files; `<`, `>`, `&` as \\u escapes all the same, so
        # nothing can end the <script> block, and no brace pair can open a template expression.
        self.data_json = (json.dumps(data, ensure_ascii=False, separators=(",", ":"))
                          .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
                          .replace("{", "{ ").replace("}", " }"))


def add_outlines(m: folium.Map, bounds=None, *, under_tiles: bool = False) -> dict:
    """Draw the outlines for a view of `bounds` (None: the country) under `m`'s markers; returns the data.

    `under_tiles`: the map has base tiles, and the outlines go beneath them,
    seen only where the tiles do not load (a closed network).
    """
    data = outline_data(bounds)
    m.add_child(_Outlines(data, under_tiles=under_tiles), name="yeongye_outlines")
    return data


def warm() -> None:
    """Read and dissolve the boundaries now (about a second), so the first map drawn does not wait."""
    outline_data(None)
    outline_data(((37.55, 126.97), (37.56, 126.98)))
