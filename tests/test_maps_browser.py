"""Generated maps in headless Chromium with the network closed: markers, lines and areas are drawn.

Every request that is not a local file, a data: URI or the test server is
aborted, so tiles fail the way they do on a closed network; the maps must
still draw. Screenshots go to tests/screenshots/ (ignored by git).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from maps.access import access_map
from maps.assets import save_standalone
from maps.network import complex_map, district_map
from directory.store import mappable_agencies
from maps.resources import resource_map
from network.access import accessibility


from .browser_support import serve_app

SHOTS = Path(__file__).parent / "screenshots"


@pytest.fixture
def page(browser):
    """A page whose network is closed except for files, data: URIs and 127.0.0.1."""
    context = browser.new_context(viewport={"width": 1000, "height": 750})
    page = context.new_page()
    page.blocked = []
    page.errors = []
    page.dialogs = []

    def route(r):
        url = r.request.url
        if url.startswith(("file:", "data:", "http://127.0.0.1")):
            r.continue_()
        else:
            page.blocked.append(url)
            r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()


def _open(page, path: Path, name: str):
    page.goto(path.as_uri())
    page.wait_for_selector(".leaflet-container")
    page.wait_for_timeout(500)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _no_asset_requests(page):
    """Only tile images may have been tried (and blocked); never a script or stylesheet."""
    assets = [u for u in page.blocked if u.endswith((".js", ".css", ".woff2", ".ttf"))]
    assert assets == []
    assert page.errors == []


def test_resource_map_draws_clusters_offline(page, demo_db, tmp_path):
    path = save_standalone(resource_map(mappable_agencies(demo_db)), tmp_path / "resources.html")
    _open(page, path, "resources")
    assert page.locator(".yg-cluster").count() > 5
    assert "보건의료" in page.locator(".leaflet-control-layers").inner_text()
    assert "지역 자원 지도" in page.locator("#yg-legend").inner_text()
    _no_asset_requests(page)


def test_script_name_shows_as_text_in_popup(page, tmp_path):
    evil = "<script>alert('x')</script>"
    agencies = [{"id": 7, "name": evil, "type": "치매안심센터", "category": "보건의료", "phone": "02-1234-5678",
                 "road_address": "서울특별시 중구 세종대로 110", "lat": 37.5663, "lon": 126.9779, "placement": "sigungu"}]
    path = save_standalone(resource_map(agencies, tiles="none"), tmp_path / "evil.html")
    _open(page, path, "escaping")
    marker = page.locator("path.yg-agency")
    assert marker.count() == 1
    assert "yg-approx" in marker.get_attribute("class")  # centroid: drawn hollow
    marker.click(force=True)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert evil in popup.inner_text()
    assert "대략적 위치" in popup.inner_text()
    assert popup.locator("a[href='tel:02-1234-5678']").count() == 1
    assert page.dialogs == []
    page.screenshot(path=str(SHOTS / "escaping-popup.png"))
    _no_asset_requests(page)


def test_network_maps_draw_lines_and_sample_positions(page, demo_db, tmp_path):
    path = save_standalone(complex_map(demo_db, "A"), tmp_path / "complex.html")
    _open(page, path, "network-complex")
    assert page.locator("path.yg-link").count() >= 9
    assert page.locator(".yg-complex").count() == 1
    assert "표본 위치" in page.locator("#yg-legend").inner_text()
    _no_asset_requests(page)

    path = save_standalone(district_map(demo_db, "서울특별시"), tmp_path / "district.html")
    _open(page, path, "network-district")
    assert page.locator(".yg-complex").count() == 6
    assert page.locator("path.yg-link").count() == 73
    shared = page.locator("path.yg-agency").first
    shared.click(force=True)
    page.locator(".leaflet-popup-content").wait_for()
    assert "연계 단지" in page.locator(".leaflet-popup-content").inner_text()


def test_access_map_draws_areas(page, demo_db, tmp_path):
    result = accessibility(demo_db, "치매안심센터", level="sigungu")
    path = save_standalone(access_map(result), tmp_path / "access.html")
    _open(page, path, "access-sigungu")
    assert page.locator("path.leaflet-interactive").count() > 250  # 250 시군구 + agencies
    assert "하위" in page.locator("#yg-legend").inner_text()
    _no_asset_requests(page)


def test_web_map_page_loads_assets_from_the_app(page, app):
    with serve_app(app) as base:
        page.goto(f"{base}/maps/resources?type=치매안심센터")
        page.wait_for_selector(".yg-cluster")
        assert page.locator(".yg-cluster").count() > 5
        page.screenshot(path=str(SHOTS / "web-resources.png"))
        _no_asset_requests(page)
        page.goto(f"{base}/complexes/1")
        frame = page.frame_locator("iframe.map")
        frame.locator("path.yg-link").first.wait_for(state="attached")
        assert frame.locator("path.yg-link").count() >= 9
        page.screenshot(path=str(SHOTS / "web-complex.png"), full_page=True)


# --- maps that read offline (issue 16): popups, folded legends, outlines, metric scale -----------

_COMPLEX_IN_OUTLINE = """() => {
  const map = Object.values(window).find(v => v instanceof L.Map);
  let marker = null;
  map.eachLayer(l => { if (l instanceof L.Marker && l.options.icon.options.className === 'yg-complex-icon') marker = l; });
  const p = map.latLngToLayerPoint(marker.getLatLng());
  const inside = map.yeongyeOutlines.sigungu.getLayers()
    .filter(l => l._path.isPointInFill(new DOMPoint(p.x, p.y))).map(l => l.feature.properties.name);
  return {inside: inside, drawn: map.yeongyeOutlines.sigungu.getLayers().length,
          sido: map.yeongyeOutlines.sido.getLayers().length, zoom: map.getZoom()};
}"""


def _boxes_overlap(a, b) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


@pytest.mark.parametrize("width,height", [(390, 844), (1280, 800)])
def test_complex_map_without_tiles_reads_offline(browser, app, width, height):
    """Tiles off, network closed: the 시군구 around the complex is drawn, the legend folds on a phone, scale in km."""
    from directory.store import get_complex
    from web.db import get_db

    with app.app_context():
        complex_ = get_complex(get_db(), "B")
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    blocked = []
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("data:", "http://127.0.0.1"))
               else (blocked.append(r.request.url), r.abort()))
    try:
        with serve_app(app) as base:
            page.goto(f"{base}/maps/complex/{complex_['id']}?tiles=none")
            page.locator("path.yg-outline-sigungu").first.wait_for(state="attached")
            page.wait_for_timeout(400)
            SHOTS.mkdir(exist_ok=True)
            page.screenshot(path=str(SHOTS / f"offline-complex-{width}.png"))
            found = page.evaluate(_COMPLEX_IN_OUTLINE)
            assert found["inside"] == [complex_["sigungu"]], found  # 강서구, and only it
            assert found["drawn"] >= 5 and found["sido"] >= 1
            assert page.locator("img.leaflet-tile").count() == 0 and blocked == []
            scale = page.locator(".leaflet-control-scale").inner_text()
            assert "m" in scale and "mi" not in scale and "ft" not in scale
            legend = page.locator("#yg-legend")
            folded = legend.get_attribute("open") is None
            assert folded == (width <= 600)
            assert "범례" in legend.inner_text()
            if folded:
                complex_box = page.locator(".yg-complex").bounding_box()
                assert not _boxes_overlap(complex_box, legend.bounding_box())  # the folded legend hides no complex
                assert legend.bounding_box()["height"] >= 44  # a toggle a thumb can tap
                page.locator("#yg-legend summary").click()
                assert legend.get_attribute("open") is not None
                assert "단지" in legend.inner_text()
    finally:
        context.close()


def test_network_popup_shows_a_link_not_markup(browser, app):
    """The popups of a network map are HTML escaped once: a link to the agency, no `<div` as text."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("data:", "http://127.0.0.1"))
               else r.abort())
    try:
        with serve_app(app) as base:
            page.goto(f"{base}/maps/complex/1?tiles=none")
            page.locator("path.yg-agency").first.wait_for(state="attached")
            page.locator("path.yg-agency").first.click(force=True)
            popup = page.locator(".leaflet-popup-content")
            popup.wait_for()
            text = popup.inner_text()
            assert "<" not in text and "&lt;" not in text and "&amp;" not in text, text
            link = popup.locator("a[href*='/agencies/']")
            assert link.count() == 1 and link.inner_text().strip() in text
            assert "연계 단지" in text
            page.wait_for_timeout(500)  # the popup's fade and the pan that brings it into view
            page.screenshot(path=str(SHOTS / "offline-network-popup-390.png"))
            page.locator(".yg-complex").click()
            complex_popup = page.locator(".leaflet-popup-content", has=page.locator("a[href*='/complexes/']"))
            complex_popup.wait_for()
            assert "<" not in complex_popup.inner_text() and "연계 기관" in complex_popup.inner_text()
    finally:
        context.close()


def test_resource_map_without_tiles_draws_the_country(page, demo_db, tmp_path):
    path = save_standalone(resource_map(mappable_agencies(demo_db), tiles="none"), tmp_path / "offline.html")
    _open(page, path, "offline-resources")
    assert page.locator("path.yg-outline-sigungu").count() == 250  # the whole country at this view
    assert page.locator("path.yg-outline-sido").count() >= 1
    assert page.locator("path.yg-outline-dong").count() == 0  # Seoul's 행정동 only from zoom 11
    assert page.locator(".yg-cluster").count() > 5
    _no_asset_requests(page)
