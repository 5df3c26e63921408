"""Network maps: complexes, their partner agencies, and the links between them.

Line width grows with the link's contact frequency level (○ 1 … ● 5) — the
level of network.graph.link_rows, decided by directory.frequency.decide as on
the dashboard (the hand-set level until the contact log covers the link's
last 12 months, with the logged count beside it); line colour
is the link's main content type (the first one recorded). Agencies shared
by several complexes are drawn larger, and clicking one lists the complexes
it serves. Positions marked placement='sample' (the demo's study data) are
labelled "표본 위치 (실제 위치 아님)" wherever they appear.
"""
from __future__ import annotations

import folium

from directory.frequency import logged_note
from directory.store import content_types, get_agency, get_complex
from network.graph import district_complexes, frequency_scale, link_rows

from .common import (
    CONTENT_COLORS,
    NO_CONTENT,
    NO_CONTENT_COLOR,
    PLACEMENT_LABELS,
    SAMPLE,
    SAMPLE_LABEL,
    MapError,
    add_legend,
    add_outlines_offline,
    category_color,
    check_location,
    esc,
    fit,
    html_popup,
    new_map,
    swatch,
)

__all__ = ["complex_map", "district_map", "agency_map", "network_map", "line_weight"]


def line_weight(level) -> float:
    """Line width in pixels for a frequency level (1–5); unknown levels draw thinnest."""
    try:
        level = int(level)
    except (TypeError, ValueError):
        return 1.0
    return 1.0 + 1.5 * max(0, min(level, 5))


# complex_map, district_map and agency_map gather what network/ measured (the
# links with their effective level, network.graph.link_rows — the rows the
# complex dashboard lists) and hand plain rows to network_map, which draws.


def complex_map(db, key, *, tiles=None, agency_url=None, complex_url=None, today=None) -> folium.Map:
    """One complex (by id or name) and its partner agencies."""
    complex_ = get_complex(db, key)
    return network_map([complex_], link_rows(db, complex_ids=[complex_["id"]], today=today),
                       **_vocabulary(db), title=f"{complex_['name']} 연계망", tiles=tiles,
                       agency_url=agency_url, complex_url=complex_url)


def district_map(db, sido=None, sigungu=None, *, tiles=None, agency_url=None, complex_url=None,
                 today=None) -> folium.Map:
    """Every complex of a 시도/시군구 (or the whole store) and the agencies they share."""
    complexes = district_complexes(db, sido, sigungu)
    if not complexes:
        raise MapError("no_complexes_in_district", sido=sido, sigungu=sigungu)
    ids = None if not (sido or sigungu) else [c["id"] for c in complexes]
    place = " ".join(p for p in (sido, sigungu) if p) or "전체"
    return network_map(complexes, link_rows(db, complex_ids=ids, today=today), **_vocabulary(db),
                       title=f"{place} 단지 연계망", tiles=tiles, agency_url=agency_url, complex_url=complex_url)


def agency_map(db, agency_id: int, *, tiles=None, agency_url=None, complex_url=None, today=None) -> folium.Map:
    """One agency and the complexes it serves (or the agency alone)."""
    agency = get_agency(db, agency_id)
    if agency.get("lat") is None or agency.get("lon") is None:
        raise MapError("agency_not_placed", name=agency["name"])
    links = link_rows(db, agency_id=agency_id, today=today)
    complexes = [get_complex(db, i) for i in sorted({link["complex_id"] for link in links})]
    return network_map(complexes, links, **_vocabulary(db), title=f"{agency['name']} 연계 단지", tiles=tiles,
                       agency_url=agency_url, complex_url=complex_url, extra_agencies=[agency])


def network_map(complexes, links, *, content_names=None, levels=(), title="연계망", tiles=None, agency_url=None,
                complex_url=None, extra_agencies=()) -> folium.Map:
    """Draw complexes, agencies and links on one map, from plain rows; opens no database.

    `links` are rows of :func:`network.graph.link_rows`: a line's width is
    the link's effective ``level`` (derived from its contact log when it has
    one), as on the complex's dashboard. `content_names` maps content-type
    codes to their names, `levels` is the frequency scale (level, mark,
    label) for the legend. Things without coordinates are listed in the
    legend instead of drawn.
    """
    content_names = dict(content_names or {})
    level_labels = {r["level"]: f"{r['mark']} {r['label']}" for r in levels}
    m = new_map(tiles=tiles)
    points: list[tuple[float, float]] = []
    missing: list[str] = []
    sample_seen = False

    complex_layer = folium.FeatureGroup(name="단지", show=True)
    line_layer = folium.FeatureGroup(name="연계선", show=True)
    agency_layer = folium.FeatureGroup(name="연계 기관", show=True)

    placed_complexes = {}
    for c in complexes:
        if c.get("lat") is None or c.get("lon") is None:
            missing.append(f"단지 {c['name']}")
            continue
        lat, lon = check_location(c["lat"], c["lon"], what=f"단지 {c['name']!r}")
        placed_complexes[c["id"]] = (lat, lon)
        points.append((lat, lon))
        sample = c.get("placement") == SAMPLE
        sample_seen |= sample
        n = sum(1 for link in links if link["complex_id"] == c["id"])
        name = esc(c["name"])
        if complex_url:
            name = f'<a target="_top" href="{esc(complex_url.format(id=c["id"]))}">{name}</a>'
        popup = f'<div class="yg-popup"><b>단지 {name}</b><br>연계 기관 {n}곳'
        if c.get("households"):
            popup += f"<br>{int(c['households']):,}세대"
        if c.get("sigungu"):
            popup += f"<br>{esc(c.get('sido'))} {esc(c.get('sigungu'))}"
        popup += f'<br><span class="approx">{esc(SAMPLE_LABEL)}</span>' if sample else ""
        popup += "</div>"
        border = "2px dashed #000" if sample else "2px solid #000"
        label = esc(c["name"]) + (" · 표본 위치" if sample else "")
        folium.Marker(
            [lat, lon],
            icon=folium.DivIcon(
                html=(f'<div class="yg-complex" style="background:#ffd400;border:{border};width:22px;height:22px;'
                      f'border-radius:3px;text-align:center;font:bold 12px/22px sans-serif;">단</div>'
                      f'<div style="white-space:nowrap;font:bold 12px sans-serif;text-shadow:0 0 3px #fff;">{label}</div>'),
                icon_size=(22, 22), icon_anchor=(11, 11), class_name="yg-complex-icon",
            ),
            popup=html_popup(popup, max_width=300),
            tooltip=folium.Tooltip(f"단지 {label}"),
        ).add_to(complex_layer)

    agencies: dict[int, dict] = {}
    for link in links:
        agencies.setdefault(link["agency_id"], {
            "id": link["agency_id"], "name": link["agency_name"], "type": link["agency_type"],
            "category": link["category"], "phone": link["phone"], "road_address": link["road_address"],
            "lat": link["agency_lat"], "lon": link["agency_lon"], "placement": link["agency_placement"],
            "links": [],
        })["links"].append(link)
    for extra in extra_agencies:
        agencies.setdefault(extra["id"], {**extra, "links": []})

    used_levels, used_contents, used_categories = set(), set(), {}
    for agency in agencies.values():
        if agency.get("lat") is None or agency.get("lon") is None:
            missing.append(f"기관 {agency['name']}")
            continue
        lat, lon = check_location(agency["lat"], agency["lon"], what=f"기관 {agency['name']!r}")
        points.append((lat, lon))
        sample = agency.get("placement") == SAMPLE
        sample_seen |= sample
        served = agency["links"]
        for link in served:
            if link["complex_id"] not in placed_complexes:
                continue
            codes = [str(c) for c in link["content_types"] or () if c]
            main = codes[0] if codes else None
            color = CONTENT_COLORS.get(main, NO_CONTENT_COLOR)
            used_levels.add(link["level"])
            used_contents.add(main)
            contents = ", ".join(content_names.get(c, c) for c in codes) or NO_CONTENT
            logged = logged_note(link)
            tip = (f"{esc(link['complex_name'])} — {esc(agency['name'])}: "
                   f"{esc(link['mark'] or '')} {esc(link['label'] or '빈도 미상')}"
                   f"{f' ({esc(logged)})' if logged else ''} · {esc(contents)}")
            folium.PolyLine(
                [placed_complexes[link["complex_id"]], (lat, lon)],
                color=color, weight=line_weight(link["level"]), opacity=0.75,
                dash_array=None if link["level"] else "4 4",
                tooltip=folium.Tooltip(tip), class_name="yg-link",
            ).add_to(line_layer)
        category = agency.get("category")
        used_categories[category or "미분류"] = category_color(category)
        name = esc(agency["name"])
        if agency_url:
            name = f'<a target="_top" href="{esc(agency_url.format(id=agency["id"]))}">{name}</a>'
        popup = f'<div class="yg-popup"><b>{name}</b><br>{esc(agency.get("type") or "유형 미상")}'
        if agency.get("phone"):
            popup += f'<br>☎ <a href="tel:{esc(agency["phone"])}">{esc(agency["phone"])}</a>'
        if agency.get("road_address"):
            popup += f"<br>{esc(agency['road_address'])}"
        placement = agency.get("placement") or "unplaced"
        popup += f'<br><span class="{"approx" if sample else "placement"}">{esc(PLACEMENT_LABELS.get(placement, placement))}</span>'
        popup += f"<br><b>연계 단지 {len(served)}곳</b><ul style='margin:2px 0;padding-left:16px'>"
        for link in sorted(served, key=lambda r: (-(r["level"] or 0), r["complex_name"])):
            logged = logged_note(link)
            popup += (f"<li>{esc(link['complex_name'])}: {esc(link['mark'] or '')} "
                      f"{esc(link['label'] or '빈도 미상')}{f' ({esc(logged)})' if logged else ''}</li>")
        popup += "</ul></div>"
        folium.CircleMarker(
            [lat, lon], radius=6 + 2.5 * max(len(served) - 1, 0), color="#222" if not sample else "#555",
            weight=2, dash_array="3 3" if sample else None, fill=True, fill_color=category_color(category),
            fill_opacity=0.85, popup=html_popup(popup, max_width=320),
            tooltip=folium.Tooltip(f"{esc(agency['name'])} (단지 {len(served)}곳)" + (" · 표본 위치" if sample else "")),
            class_name="yg-agency",
        ).add_to(agency_layer)

    line_layer.add_to(m)
    agency_layer.add_to(m)
    complex_layer.add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    fit(m, points)
    add_outlines_offline(m, points, tiles)

    rows = ['<i class="box" style="background:#ffd400;border:1px solid #000"></i>단지']
    for level in (5, 4, 3, 2, 1):
        if level in used_levels:
            label = level_labels.get(level, f"수준 {level}")
            rows.append(f'<i class="line" style="background:#444;height:{line_weight(level):.0f}px"></i>{esc(label)}')
    for code, color in CONTENT_COLORS.items():
        if code in used_contents:
            rows.append(swatch(color, content_names.get(code, code), "line"))
    if None in used_contents or not used_contents:
        rows.append(swatch(NO_CONTENT_COLOR, NO_CONTENT, "line"))
    rows += [swatch(color, f"기관: {name}") for name, color in used_categories.items()]
    notes = ["선 굵기: 연락 빈도 · 선 색: 주된 연계 내용 · 원 크기: 연계 단지 수"]
    if sample_seen:
        notes.append(f"<b>점선 테두리 = {esc(SAMPLE_LABEL)}</b>: 연구 자료에 주소가 없어 단지 주변에 임의로 둔 위치입니다")
    if missing:
        notes.append("위치 없음 (표시 안 됨): " + esc(", ".join(missing[:12])) + (" …" if len(missing) > 12 else ""))
    add_legend(m, title, rows, notes)
    return m


def _vocabulary(db) -> dict:
    """The content-type names and the frequency scale network_map's legend and tooltips use."""
    return {"content_names": {r["code"]: r["name"] for r in content_types(db)}, "levels": frequency_scale(db)}
