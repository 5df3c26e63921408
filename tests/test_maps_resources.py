"""Resource and network maps: escaping, offline assets, approximate and sample positions."""
from __future__ import annotations

import re

import folium
import pytest
from folium.plugins import FastMarkerCluster

from maps import MapError
from maps.assets import LOCAL_FILES, localize, render_page, standalone_html
from maps.common import check_location, resolve_tiles
from maps.network import complex_map, district_map, line_weight
from directory.store import mappable_agencies
from maps.resources import resource_map

CDN_HOSTS = ("cdn.jsdelivr.net", "code.jquery.com", "cdnjs.cloudflare.com", "netdna.bootstrapcdn.com",
             "maxcdn.bootstrapcdn.com", "unpkg.com", "d3js.org")
EVIL = "<script>alert('x')</script>"


def _agency(**kw):
    row = {"id": 1, "name": "치매안심센터", "type": "치매안심센터", "category": "보건의료", "phone": "02-123-4567",
           "road_address": "서울특별시 종로구 1", "lat": 37.57, "lon": 126.98, "placement": "exact"}
    row.update(kw)
    return row


def _external_links(html: str) -> list[str]:
    """src/href attributes of script and link tags that leave the page."""
    return re.findall(r'<(?:script|link)[^>]+(?:src|href)="((?:https?:)?//[^"]+)"', html)


def test_agency_name_with_script_is_escaped():
    m = resource_map([_agency(name=EVIL, type=EVIL, phone='"><b>', road_address="<img src=x onerror=alert(1)>")],
                     tiles="none")
    html = standalone_html(m)
    assert EVIL not in html
    assert "<img src=x" not in html
    # The escaped text is there (JSON-encoded by folium: & becomes \u0026).
    assert "\\u0026lt;script\\u0026gt;" in html


def test_network_popups_escape_names(demo_db):
    demo_db.execute("UPDATE complexes SET name = ? WHERE name = 'A'", [EVIL])
    demo_db.conn.commit()
    complex_id = demo_db.execute("SELECT id FROM complexes WHERE name = ?", [EVIL]).fetchone()[0]
    html = standalone_html(complex_map(demo_db, complex_id, tiles="none"))
    assert EVIL not in html
    assert "&lt;script&gt;" in html or "\\u0026lt;script" in html


def test_no_cdn_links_in_standalone_or_web_pages(demo_db):
    agencies = mappable_agencies(demo_db)
    standalone = standalone_html(resource_map(agencies))
    page = render_page(resource_map(agencies), lambda package, path: f"/maps/assets/{package}/{path}")
    for html in (standalone, page):
        assert _external_links(html) == []
        for host in CDN_HOSTS:
            assert host not in html
    assert "/maps/assets/leaflet/leaflet.js" in page
    assert "/maps/assets/leaflet_markercluster/leaflet.markercluster.js" in page
    # Standalone: no <script src> at all, and the Leaflet code itself is inside.
    assert "<script src=" not in standalone
    assert "L.markerClusterGroup" in standalone and "Leaflet 1.9.3" in standalone


def test_every_folium_cdn_file_is_known():
    """The 13 CDN files of folium 0.20 each have a local copy or a stated reason to drop it."""
    m = folium.Map(tiles=None)
    FastMarkerCluster([[37.5, 127.0]]).add_to(m)
    names = [name for el in (m, *m._children.values()) for name, _ in
             (getattr(el, "default_js", []) + getattr(el, "default_css", []))]
    assert len(set(names)) == 13
    assert set(names) <= set(LOCAL_FILES)


def test_localize_leaves_folium_class_lists_alone():
    before_js, before_css = list(folium.Map.default_js), list(folium.Map.default_css)
    m = resource_map([_agency()], tiles="none")
    localize(m, lambda package, path: f"/x/{package}/{path}")
    assert folium.Map.default_js == before_js and folium.Map.default_css == before_css
    assert all(url.startswith("/x/") for _, url in m.default_js)
    # A fresh map elsewhere in the process still renders folium's own links.
    assert "cdn.jsdelivr.net" in folium.Map(tiles=None).get_root().render()


def test_folium_icon_is_refused():
    m = resource_map([_agency()], tiles="none")
    folium.Marker([37.5, 127.0], icon=folium.Icon()).add_to(m)
    with pytest.raises(MapError, match="Icon"):
        standalone_html(m)


def test_centroid_agencies_are_drawn_hollow_and_labelled():
    html = standalone_html(resource_map([_agency(placement="sigungu"), _agency(id=2, placement="exact")],
                                        tiles="none"))
    assert "fillOpacity: loose ? 0 : 0.85" in html
    assert "대략적 위치 (시군구 중심)" in html
    assert "속이 빈 점선 원 1곳" in html


def test_layers_per_category_and_korean_legend():
    agencies = [_agency(), _agency(id=2, category="복지기관"), _agency(id=3, category=None)]
    html = standalone_html(resource_map(agencies, tiles="none"))
    for label in ("보건의료 (1)", "복지기관 (1)", "미분류 (1)"):
        assert label in html
    assert "yg-legend" in html and "L.control.layers" in html
    assert 'href="tel:' in html or "tel:" in html


@pytest.mark.parametrize("lat, lon", [("abc", 127.0), (None, 127.0), (91, 0), (37.5, float("nan"))])
def test_bad_coordinates_are_named(lat, lon):
    with pytest.raises(MapError) as info:
        check_location(lat, lon, what="기관 7")
    assert repr(lat) in str(info.value)


def test_tiles_setting(monkeypatch):
    monkeypatch.delenv("YEONGYE_TILES", raising=False)
    assert resolve_tiles() == "OpenStreetMap"
    monkeypatch.setenv("YEONGYE_TILES", "none")
    assert resolve_tiles() is None
    assert "tile.openstreetmap.org" not in standalone_html(resource_map([_agency()]))
    assert resolve_tiles("OpenStreetMap") == "OpenStreetMap"


def test_custom_tile_template(monkeypatch):
    monkeypatch.setenv("YEONGYE_TILES", "http://tiles.local/{z}/{x}/{y}.png")
    html = standalone_html(resource_map([_agency()]))
    assert "tiles.local" in html


def test_resource_map_of_demo_shows_real_centres(demo_db):
    agencies = mappable_agencies(demo_db)
    types = {a["type"] for a in agencies}
    assert {"치매안심센터", "정신건강복지센터"} <= types
    assert len(agencies) > 500
    assert all(a["placement"] != "sample" for a in agencies)


def test_demo_places_study_agencies_at_marked_sample_positions(demo_db):
    """Only the placeholders (a kind the complex's 시군구 does not list) stand at sample positions (issue 11)."""
    from importers.demo import PLACEHOLDER_NOTE

    rows = list(demo_db.query("SELECT * FROM agencies WHERE source = 'study2024' OR placement = 'sample'"))
    assert rows and all(r["placement"] == "sample" and r["lat"] is not None for r in rows)
    assert all(r["source"] == "study2024" and PLACEHOLDER_NOTE in r["name"] for r in rows)
    # Each one near the one complex it stands in for, in that complex's 시군구.
    for r in rows:
        (sigungu, lat, lon), = demo_db.execute(
            "SELECT c.sigungu, c.lat, c.lon FROM links l JOIN complexes c ON c.id = l.complex_id "
            "WHERE l.agency_id = ?", [r["id"]]).fetchall()
        assert r["sigungu"] == sigungu and abs(r["lat"] - lat) < 0.01 and abs(r["lon"] - lon) < 0.01


def test_complex_network_map_marks_sample_positions(demo_db):
    html = standalone_html(complex_map(demo_db, "A", tiles="none"))
    assert "표본 위치 (실제 위치 아님)" in html
    assert html.count("yg-link") >= 9  # A links with 9–13 agencies


def test_district_map_lists_complexes_served(demo_db):
    html = standalone_html(district_map(demo_db, "서울특별시", tiles="none"))
    # Each study kind is its complex's own 시군구's agency (issue 11): none serves six complexes.
    assert "연계 단지 1곳" in html and "연계 단지 6곳" not in html
    with pytest.raises(MapError):
        district_map(demo_db, "부산광역시")


def test_line_weight_grows_with_frequency():
    assert [line_weight(level) for level in (1, 2, 3, 4, 5)] == sorted({line_weight(level) for level in range(1, 6)})
    assert line_weight(None) == 1.0


def _lines(element):
    """Every PolyLine drawn on a folium element, with its tooltip text."""
    for child in element._children.values():
        if isinstance(child, folium.PolyLine):
            tips = [c.text for c in child._children.values() if isinstance(c, folium.Tooltip)]
            yield child, (tips[0] if tips else "")
        yield from _lines(child)


def test_a_link_raised_by_its_contact_log_draws_as_wide_as_its_dashboard_level(app, client):
    """Manual level 1, 12 contacts in the last year of a log older than a year: the dashboard says 수시 (5),
    the map line is 5 wide (a shorter log keeps the hand-set level: directory.frequency)."""
    from datetime import date, timedelta

    from directory.store import connect
    from network.contacts import add_contact
    from network.report import complex_report

    db = connect(app.config["DATABASE"])
    link_id, complex_id, agency = db.execute(
        "SELECT l.id, l.complex_id, a.name FROM links l JOIN agencies a ON a.id = l.agency_id "
        "WHERE l.frequency_level = 1 AND a.lat IS NOT NULL ORDER BY l.id LIMIT 1").fetchone()
    for days in range(12):
        add_contact(db, link_id, date.today() - timedelta(days=1 + 25 * days), "referral")
    add_contact(db, link_id, date.today() - timedelta(days=400), "referral")  # the log covers the year

    partner = next(p for p in complex_report(db, complex_id)["partners"] if p["link_id"] == link_id)
    assert (partner["manual_level"], partner["derived_level"], partner["level"], partner["label"]) == (1, 5, 5, "수시")
    drawn = [line for line, tip in _lines(complex_map(db, complex_id, tiles="none")) if f"— {agency}:" in tip]
    assert len(drawn) == 1
    assert drawn[0].options["weight"] == line_weight(5) != line_weight(1)
    assert "수시" in next(tip for line, tip in _lines(complex_map(db, complex_id, tiles="none")) if f"— {agency}:" in tip)
    db.conn.close()

    page = client.get(f"/complexes/{complex_id}").get_data(as_text=True)
    row = next(r for r in page.split("<tr")[1:] if agency in r)
    assert "수시" in row and "기록 기준" in row  # the dashboard row shows the derived level
    assert f'"weight": {line_weight(5)}' in client.get(f"/maps/complex/{complex_id}?tiles=none").get_data(as_text=True)


# --- offline reading (issue 16) ----------------------------------------------------------------


def test_scale_bar_is_metric_only():
    html = resource_map([], tiles="none").get_root().render()
    assert "L.control.scale({metric: true, imperial: false})" in html
    assert "L.control.scale()" not in html


def test_outlines_over_the_background_or_under_the_tiles(demo_db):
    """Without tiles the outlines are the background; with tiles they lie beneath them (seen where tiles fail)."""
    agencies = mappable_agencies(demo_db)[:50]
    assert resource_map(agencies, tiles="none")._children["yeongye_outlines"].z_index == 350
    assert resource_map(agencies, tiles="OpenStreetMap")._children["yeongye_outlines"].z_index == 150
    assert complex_map(demo_db, "B", tiles="none")._children["yeongye_outlines"].z_index == 350
    assert "시도·시군구 경계" in complex_map(demo_db, "B", tiles="none").get_root().render()
    assert "시도·시군구 경계" not in complex_map(demo_db, "B", tiles="OpenStreetMap").get_root().render()


def test_outline_of_a_complex_view_is_fine_and_holds_the_complex(demo_db):
    from shapely.geometry import Point, shape

    from maps.outlines import FINE, outline_data, tolerance_for
    from directory.store import get_complex

    c = get_complex(demo_db, "B")  # 강서구
    bounds = ((c["lat"] - 0.02, c["lon"] - 0.02), (c["lat"] + 0.02, c["lon"] + 0.02))
    assert tolerance_for(bounds) == FINE
    data = outline_data(bounds)
    holding = [f["properties"]["name"] for f in data["sigungu"]["features"]
               if shape(f["geometry"]).contains(Point(c["lon"], c["lat"]))]
    assert holding == ["강서구"]
    assert data["labels"] and data["dong"]["features"]  # Seoul: 행정동 too
    assert 5 <= len(data["sigungu"]["features"]) < 60  # the neighbourhood, not the country


def test_outline_sizes_stay_small():
    """What outlines add to a page: a local view ≤ 200 kB, the whole country ≤ 450 kB (README, Maps)."""
    import json

    from maps.outlines import outline_data

    def size(data):
        return len(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())

    country = outline_data(None)
    assert len(country["sigungu"]["features"]) == 250 and len(country["dong"]["features"]) >= 420
    assert size(country) <= 450_000
    assert size(outline_data(((35.15, 129.05), (35.17, 129.07)))) <= 200_000  # 부산
    assert size(outline_data(((37.54, 126.83), (37.56, 126.86)))) <= 200_000  # 서울 강서구: 행정동 too
