"""Access maps: the E2SFCA result of network.access as a choropleth, the agencies, the least-served areas.

The measure itself (demand, supply, the catchments, the boundary join, the
ranked table) is :mod:`network.access`; this module only draws an
:class:`network.access.AccessResult`.
"""
from __future__ import annotations

import folium
import numpy as np

from network.access import AccessResult, join_boundaries, least_served, polygon_centre

from .common import SAMPLE, SAMPLE_LABEL, add_legend, add_outlines_offline, check_location, esc, fit, new_map, swatch

__all__ = ["access_map", "LEVEL_LABELS"]

LEVEL_LABELS = {"sigungu": "시군구", "eupmyeondong": "읍면동", "complexes": "단지"}

# Light (well served) to dark (poorly served) — ColorBrewer YlOrRd reversed in meaning.
CLASS_COLORS = ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"]
ZERO_COLOR = "#4a0010"
NO_DATA_COLOR = "#cccccc"


def _classes(scores: list[float]) -> list[float]:
    """Upper bounds of five quantile classes over the positive scores."""
    positive = np.array([s for s in scores if s and s > 0])
    if positive.size == 0:
        return []
    return sorted(set(float(v) for v in np.quantile(positive, [0.2, 0.4, 0.6, 0.8, 1.0])))


def _color(score, bounds) -> str:
    if score is None:
        return NO_DATA_COLOR
    if score <= 0:
        return ZERO_COLOR
    # High access is light; the lowest positive class is the darkest red.
    for k, bound in enumerate(bounds):
        if score <= bound + 1e-12:
            return CLASS_COLORS[len(CLASS_COLORS) - 1 - min(k, len(CLASS_COLORS) - 1)]
    return CLASS_COLORS[0]


def access_map(result: AccessResult, *, tiles=None, sido: str | None = None, show_supply: bool = True,
               top: int = 10) -> folium.Map:
    """A choropleth of `result` on the shipped boundaries, with the agencies and the least-served areas.

    Areas without a boundary (읍면동 outside Seoul, complexes) are drawn as
    circles at their centres in the same colours.
    """
    m = new_map(tiles=tiles)
    # Classes and ranks over what is shown: a 시도 view compares its own areas.
    scored = [r["score"] for r in result.rows if r["score"] is not None and (not sido or r.get("sido") == sido)]
    bounds = _classes(scored)
    worst_rows = least_served(result, top, sido=sido)
    points = []
    label = LEVEL_LABELS[result.level]
    if result.level != "complexes":
        data, report = join_boundaries(result)
        if sido:
            data["features"] = [f for f in data["features"] if f["properties"]["_sido"] == sido]
        for feature in data["features"]:
            p = feature["properties"]
            p["yg_name"] = esc(p.pop("_name"))
            for key in [k for k in p if k.startswith("_")]:
                p.pop(key)
            p.update(_words(p))
            feature["properties"] = {k: (esc(v) if isinstance(v, str) else v) for k, v in p.items()}
        if data["features"]:
            folium.GeoJson(
                data, name=f"{label} 접근성",
                style_function=lambda f: {"fillColor": _color(f["properties"].get("yg_score"), bounds),
                                          "color": "#555", "weight": 0.6, "fillOpacity": 0.75},
                highlight_function=lambda f: {"weight": 2.5, "color": "#000"},
                tooltip=folium.GeoJsonTooltip(
                    fields=["yg_name", "yg_demand", "yg_label", "yg_nearest", "yg_flag"],
                    aliases=["지역", result.demand_label, "접근성 (1천명당)", "가장 가까운 기관",
                             f"{result.flag_km:g} km 내 없음"],
                    localize=False, sticky=True),
            ).add_to(m)
            for f in data["features"]:
                c = polygon_centre(f["geometry"])
                if c:
                    points.append(c)
        # Areas with no polygon of their own (읍면동 outside Seoul): circles at their centres.
        dots = []
        if result.level == "eupmyeondong":
            dots = [r for r in result.rows if r.get("lat") is not None and not r["code"].startswith("11")
                    and (not sido or r["sido"] == sido)]
    else:
        report = None
        dots = [r for r in result.rows if r.get("lat") is not None]
    # Points go in as one GeoJSON layer each: a folium element per point costs
    # a template compile, seconds for the 3,000 읍면동 outside Seoul.
    if dots:
        features = []
        for r in dots:
            lat, lon = check_location(r["lat"], r["lon"], what=f"{label} {r['name']!r}")
            points.append((lat, lon))
            features.append(_point(lat, lon, {
                "yg_name": esc(r["name"]) + (" (표본 위치, 실제 위치 아님)" if r.get("placement") == SAMPLE else ""),
                "yg_demand": f"{r['demand']:,.0f}",
                "yg_label": "—" if r["score"] is None else f"{r['score']:.3f}",
                "yg_color": _color(r["score"], bounds)}))
        folium.GeoJson(
            {"type": "FeatureCollection", "features": features}, name=f"{label} (경계 없음: 중심점)",
            marker=folium.CircleMarker(radius=5 if result.level != "complexes" else 9, weight=1, color="#333",
                                       fill=True, fill_opacity=0.85, class_name="yg-area"),
            style_function=lambda f: {"fillColor": f["properties"]["yg_color"]},
            tooltip=folium.GeoJsonTooltip(fields=["yg_name", "yg_demand", "yg_label"],
                                          aliases=[label, result.demand_label, "접근성 (1천명당)"], localize=False),
        ).add_to(m)
    shown = [s for s in result.supply if not sido or s["sido"] == sido]
    if show_supply and shown:
        folium.GeoJson(
            {"type": "FeatureCollection",
             "features": [_point(s["lat"], s["lon"], {"yg_name": esc(s["name"])}) for s in shown]},
            name=f"{esc(result.agency_type)} ({len(shown):,})",
            marker=folium.CircleMarker(radius=3, color="#08519c", weight=1, fill=True, fill_color="#3182bd",
                                       fill_opacity=1, class_name="yg-agency"),
            tooltip=folium.GeoJsonTooltip(fields=["yg_name"], labels=False),
        ).add_to(m)
    if worst_rows:
        layer = folium.FeatureGroup(name=f"접근성 하위 {len(worst_rows)}곳")
        for r in worst_rows:
            if r.get("lat") is None:
                continue
            folium.Marker(
                [r["lat"], r["lon"]],
                icon=folium.DivIcon(html=f'<div style="display:inline-block;font:bold 11px sans-serif;color:#000;'
                                         f'background:#fff;border:1px solid #000;border-radius:8px;padding:0 4px;'
                                         f'white-space:nowrap">{r["rank"]}. {esc(_short_name(r, result.level))}</div>',
                                    icon_size=(1, 1), icon_anchor=(0, 0), class_name="yg-rank"),
            ).add_to(layer)
        layer.add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    if sido or result.level == "complexes":
        fit(m, points, max_zoom=13)
        add_outlines_offline(m, points, tiles)
    else:
        add_outlines_offline(m, [], tiles)  # the country
    rows = [swatch(ZERO_COLOR, f"0 — 반경 {result.radius_km:g} km 내 기관 없음", "box")]
    lower = None
    for k, bound in enumerate(bounds):
        low = "0 초과" if lower is None else f"{lower:.3f}"
        rows.append(swatch(CLASS_COLORS[len(CLASS_COLORS) - 1 - min(k, 4)], f"{low} – {bound:.3f}", "box"))
        lower = bound
    rows.append(swatch(NO_DATA_COLOR, "자료 없음", "box"))
    decay = f"가우스 σ={result.sigma_km:g} km" if result.sigma_km else "감쇠 없음 (2SFCA)"
    notes = [
        f"E2SFCA: {esc(result.agency_type)} {len(result.supply):,}곳 (정원 있으면 인원, 없으면 1) ÷ "
        f"{esc(result.demand_label)}, 반경 {result.radius_km:g} km, {decay}; 값은 수요 1천당",
        ("하위" if not sido else f"{esc(sido)} 안에서 하위") + " " + ", ".join(esc(f"{r['rank']}. {r['name']}") for r in worst_rows) if worst_rows else "",
    ]
    if any(r.get("placement") == SAMPLE for r in result.rows):
        notes.append(f"<b>단지 위치는 {esc(SAMPLE_LABEL)}</b>: 연구 자료에 주소가 없어 임의로 둔 위치입니다")
    approximate = sum(1 for r in result.rows if r.get("approximate") and (not sido or r.get("sido") == sido))
    if approximate:
        notes.append(f"중심점이 없어 시군구 중심을 쓴 {label} {approximate}곳 (대략적 위치)")
    if report and (report["unmatched_boundaries"] or report["unmatched_areas"]):
        notes.append(f"경계 연결 안 됨: 경계 {len(report['unmatched_boundaries'])}, 지역 {len(report['unmatched_areas'])}")
    add_legend(m, f"{result.agency_type} 접근성 ({label})", rows, [n for n in notes if n])
    return m


def _words(p: dict) -> dict:
    """The tooltip text of a boundary from the numbers network.access.join_boundaries gave it."""
    score, nearest, flag = p.get("yg_score"), p.pop("yg_nearest_km", None), p.pop("yg_none_within", None)
    if p.get("yg_demand") is None:
        return {"yg_label": "자료 없음", "yg_demand": "—", "yg_nearest": "—", "yg_flag": "—"}
    return {
        "yg_label": "—" if score is None else f"{score:.3f}",
        "yg_demand": f"{p['yg_demand']:,.0f}",
        "yg_nearest": "—" if nearest is None else f"{nearest:.1f} km",
        "yg_flag": "예" if flag else "아니오",
    }


def _short_name(row: dict, level: str) -> str:
    """The label of a ranked area on the map: 시군구, 읍면동 or complex name."""
    if level == "sigungu":
        return row.get("sigungu") or row["name"]
    if level == "eupmyeondong":
        return f"{row.get('sigungu') or ''} {row.get('eupmyeondong') or ''}".strip() or row["name"]
    return row["name"]


def _point(lat: float, lon: float, properties: dict) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]},
            "properties": properties}
