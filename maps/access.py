"""Access maps: the E2SFCA result of network.access as a choropleth, the agencies, the least-served areas.

The measure itself (demand, supply, the catchments, the boundary join, the
ranked table) is :mod:`network.access`; this module only draws an
:class:`network.access.AccessResult`.
"""
from __future__ import annotations

import folium
import numpy as np

from directory.vocabulary import korean_date
from network.access import AccessResult, join_boundaries, least_served, polygon_centre

from .common import SAMPLE, SAMPLE_LABEL, add_legend, add_outlines_offline, check_location, esc, fit, new_map, swatch

__all__ = ["access_map", "LEVEL_LABELS", "NOT_LISTED", "listed_words", "decay_words"]

LEVEL_LABELS = {"sigungu": "시군구", "eupmyeondong": "읍면동", "complexes": "단지"}

# Light (well served) to dark (poorly served) — ColorBrewer YlOrRd reversed in meaning.
CLASS_COLORS = ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"]
ZERO_COLOR = "#4a0010"
NO_DATA_COLOR = "#cccccc"
NOT_LISTED = "목록에 없음 — 실제로 없는지 확인 필요"


def listed_words(in_store, result: AccessResult) -> str:
    """What the store lists of the supply in an area's 시군구: "3곳", or the caveat with the list's date."""
    if in_store is None:
        return "—"
    if in_store > 0:
        return f"{in_store:,}곳"
    vintage = korean_date(result.list_vintage) if result.list_vintage else ""
    return f"{NOT_LISTED}" + (f" (목록 기준 {vintage})" if vintage else "")


def decay_words(result: AccessResult) -> str:
    """The distance decay in the planner's words: σ and where it comes from."""
    if not result.sigma_km:
        return "거리 감쇠 없음 (반경 안은 모두 같은 무게)"
    half = abs(result.sigma_km - result.radius_km / 2) < 1e-9
    return f"가우스 감쇠 σ = {result.sigma_km:g} km" + (" (반경의 절반)" if half else "")


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
            p.update(_words(p, result))
            feature["properties"] = {k: (esc(v) if isinstance(v, str) else v) for k, v in p.items()}
        if data["features"]:
            folium.GeoJson(
                data, name=f"{label} 접근성",
                style_function=lambda f: {"fillColor": _color(f["properties"].get("yg_score"), bounds),
                                          "color": "#555", "weight": 0.6, "fillOpacity": 0.75},
                highlight_function=lambda f: {"weight": 2.5, "color": "#000"},
                tooltip=folium.GeoJsonTooltip(
                    fields=["yg_name", "yg_demand", "yg_label", "yg_nearest", "yg_flag", "yg_listed"],
                    aliases=["지역", esc(result.demand_label), "접근성 (수요 1천당)", "가장 가까운 기관",
                             f"{result.flag_km:g} km 안에 없음", "이 시군구에 목록상"],
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
                "yg_listed": esc(listed_words(r.get("in_store"), result)),
                "yg_color": _color(r["score"], bounds)}))
        folium.GeoJson(
            {"type": "FeatureCollection", "features": features}, name=f"{label} (경계 없음: 중심점)",
            marker=folium.CircleMarker(radius=5 if result.level != "complexes" else 9, weight=1, color="#333",
                                       fill=True, fill_opacity=0.85, class_name="yg-area"),
            style_function=lambda f: {"fillColor": f["properties"]["yg_color"]},
            tooltip=folium.GeoJsonTooltip(fields=["yg_name", "yg_demand", "yg_label", "yg_listed"],
                                          aliases=[label, esc(result.demand_label), "접근성 (수요 1천당)",
                                                   "이 시군구에 목록상"], localize=False),
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
    rows = [swatch(ZERO_COLOR, f"0 — 반경 {result.radius_km:g} km 안에 목록상 기관 없음", "box")]
    lower = None
    for k, bound in enumerate(bounds):
        low = "0 초과" if lower is None else f"{lower:.3f}"
        rows.append(swatch(CLASS_COLORS[len(CLASS_COLORS) - 1 - min(k, 4)], f"{low} – {bound:.3f}", "box"))
        lower = bound
    rows.append(swatch(NO_DATA_COLOR, "자료 없음", "box"))
    if result.senior_jobs:
        supply_words = f"노인일자리 목표 일자리 {sum(s['supply'] for s in result.supply):,.0f}개 (시군구 중심에 둠)"
    else:
        weight = "정원이 있으면 정원, 없으면 1곳" if result.capacity else "1곳씩"
        supply_words = f"{esc(result.agency_type)} {len(result.supply):,}곳 ({weight})"
    notes = [
        f"{supply_words}을 {esc(result.demand_label)}에 나눈 값 (E2SFCA), 반경 {result.radius_km:g} km, "
        f"{decay_words(result)}; 값은 수요 1천당",
        ("하위" if not sido else f"{esc(sido)} 안에서 하위") + " " + ", ".join(esc(f"{r['rank']}. {r['name']}") for r in worst_rows) if worst_rows else "",
    ]
    if any(r.get("placement") == SAMPLE for r in result.rows):
        notes.append(f"<b>단지 위치는 {esc(SAMPLE_LABEL)}</b>: 연구 자료에 주소가 없어 임의로 둔 위치입니다")
    approximate = sum(1 for r in result.rows if r.get("approximate") and (not sido or r.get("sido") == sido))
    if approximate:
        notes.append(f"중심점이 없어 시군구 중심을 쓴 {label} {approximate}곳 (대략적 위치)")
    notes += _caveats(result, report, sido)
    add_legend(m, f"{result.agency_type} 접근성 · {result.demand_label} 기준 ({label})", rows, [n for n in notes if n])
    return m


def _caveats(result: AccessResult, report, sido) -> list[str]:
    """What a planner should know before trusting a colour: list gaps, joins that failed, in plain words."""
    notes = []
    unit = "시군구" if result.level != "eupmyeondong" else "읍면동"
    unlisted = [r for r in result.rows if r.get("in_store") == 0 and (not sido or r.get("sido") == sido)]
    if unlisted:
        names = ", ".join(esc(r["name"]) for r in unlisted[:8]) + (" …" if len(unlisted) > 8 else "")
        vintage = f" (목록 기준 {korean_date(result.list_vintage)})" if result.list_vintage else ""
        notes.append(f"<b>목록에 {esc(result.agency_type)} 0곳인 {unit} {len(unlisted)}곳</b>: {names} — "
                     f"목록에 빠졌을 수 있으니 실제로 없는지 확인이 필요합니다{vintage}")
    join = result.demand_join
    if join:
        if join["unmatched_rows"]:
            notes.append(f"수요 자료에서 지역을 찾지 못해 빠진 행 {len(join['unmatched_rows'])}개: "
                         + esc(", ".join(join["unmatched_rows"][:6])) + (" …" if len(join["unmatched_rows"]) > 6 else ""))
        if join["missing_areas"]:
            notes.append(f"수요 자료에 없어 0으로 둔 지역 {len(join['missing_areas'])}곳: "
                         + esc(", ".join(join["missing_areas"][:6])) + (" …" if len(join["missing_areas"]) > 6 else ""))
        if join["shared_city_rows"]:
            notes.append(f"시 단위로만 집계된 수치 {len(join['shared_city_rows'])}건은 그 시의 구에 비례해 나눴습니다")
    if report and (report["unmatched_boundaries"] or report["unmatched_areas"]):
        missing = [b.split(" (")[0] for b in report["unmatched_boundaries"]] + \
                  [a.split(" (")[0] for a in report["unmatched_areas"]]
        notes.append("지도 경계와 이름·코드가 맞지 않아 색을 칠하지 못한 곳: " + esc(", ".join(missing[:6]))
                     + (" …" if len(missing) > 6 else "") + " (순위표에는 들어 있습니다)")
    return notes


def _words(p: dict, result: AccessResult) -> dict:
    """The tooltip text of a boundary from the numbers network.access.join_boundaries gave it."""
    score, nearest, flag = p.get("yg_score"), p.pop("yg_nearest_km", None), p.pop("yg_none_within", None)
    in_store, nearest_name = p.pop("yg_in_store", None), p.pop("yg_nearest_name", None)
    if p.get("yg_demand") is None:
        return {"yg_label": "자료 없음", "yg_demand": "—", "yg_nearest": "—", "yg_flag": "—", "yg_listed": "—"}
    return {
        "yg_label": "—" if score is None else f"{score:.3f}",
        "yg_demand": f"{p['yg_demand']:,.0f}",
        "yg_nearest": "—" if nearest is None else (f"{nearest_name} " if nearest_name else "") + f"{nearest:.1f} km",
        "yg_flag": "예" if flag else "아니오",
        "yg_listed": listed_words(in_store, result),
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
