"""Browser test (issue 11): the sociogram pages on a closed network at 390 and 1280 px.

Node sizes follow the chosen measure; the frequency filter hides lighter links; clicking an agency
leaves only its links; D3 comes from the installed XStatic package, nothing from outside.
"""
from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from . import study_store
from .browser_support import launch, serve_app

playwright_api = pytest.importorskip("playwright.sync_api")

SHOTS = Path("/tmp/yeongye-shots")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    """The study's own network (complexes sharing partners), regions as in tests/study_store.py."""
    from web import create_app

    path = study_store.build(tmp_path_factory.mktemp("sociogram") / "app.db")
    app = create_app({"TESTING": True, "DATABASE": str(path), "SECRET_KEY": "test"})
    with serve_app(app) as url:
        yield url


def _open(p, base, width, path, *, drawn=True):
    browser = launch(p)
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="ko-KR",
                                  is_mobile=width < 600, has_touch=width < 600)
    outside = []

    def route(r):
        if r.request.url.startswith(base):
            return r.continue_()
        outside.append(r.request.url)
        return r.abort()

    context.route(re.compile(".*"), route)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(base + path)
    if drawn:
        page.wait_for_function("document.body.dataset.sociogram === 'drawn'", timeout=30_000)
    return browser, page, outside, errors


def _radii(page) -> dict:
    return page.evaluate("""() => Object.fromEntries(Array.from(document.querySelectorAll('svg.sociogram circle.node'))
        .map(c => [c.dataset.id, +c.getAttribute('r')]))""")


def _shown_lines(page) -> list:
    return page.evaluate("""() => Array.from(document.querySelectorAll('svg.sociogram line.link'))
        .filter(l => getComputedStyle(l).display !== 'none').map(l => +l.dataset.level)""")


@pytest.mark.parametrize("width", [390, 1280])
def test_whole_network_sizes_by_measure_filters_by_frequency_and_focuses(base_url, width):
    SHOTS.mkdir(exist_ok=True)
    with playwright_api.sync_playwright() as p:
        browser, page, outside, errors = _open(p, base_url, width, "/sociogram/all")
        assert not outside and not errors
        assert page.evaluate("typeof d3.layout.force") == "function"
        data = page.evaluate("fetch('/api/sociogram').then(r => r.json())")
        by_id = {n["id"]: n for n in data["nodes"]}
        assert page.locator("svg.sociogram circle.node").count() == len(data["nodes"])
        assert page.locator("svg.sociogram line.link").count() == len(data["links"])
        # nothing wider than the screen
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1

        sizes = {}
        for measure in ("degree", "weighted_degree", "betweenness", "eigenvector"):
            page.select_option("#measure", measure)
            radii = _radii(page)
            top = max(n[measure] for n in data["nodes"])
            share = {node_id: math.sqrt(by_id[node_id][measure] / top) for node_id in radii}
            # area ∝ the measure: r = low + (high − low)·√(value / top); the top node gives high, the least low
            high = max(radii.values())
            least = min(radii, key=radii.get)
            low = (radii[least] - high * share[least]) / (1 - share[least])
            assert 0 < low < high
            for node_id, r in radii.items():
                assert r == pytest.approx(low + (high - low) * share[node_id], abs=0.02), (measure, node_id)
            assert max(radii, key=radii.get) in {n for n in by_id if by_id[n][measure] == top}
            sizes[measure] = radii
            assert page.locator("#measure-explain").inner_text().startswith(
                page.locator("#measure option:checked").inner_text())
        assert sizes["degree"] != sizes["betweenness"] != sizes["eigenvector"]
        page.select_option("#measure", "betweenness")

        levels = sorted(link["level"] for link in data["links"])
        assert sorted(_shown_lines(page)) == levels
        page.select_option("#min-level", "5")
        shown = _shown_lines(page)
        assert shown and len(shown) == sum(1 for lv in levels if lv >= 5) < len(levels)
        assert all(level >= 5 for level in shown)
        lighter_only = {n for n in by_id if n.startswith("a:")} - {
            link["target"] for link in data["links"] if link["level"] >= 5}
        hidden = page.evaluate("""() => Array.from(document.querySelectorAll('svg.sociogram circle.node'))
            .filter(c => getComputedStyle(c).display === 'none').map(c => c.dataset.id)""")
        assert set(hidden) == lighter_only
        assert re.search(r"연계 \d+건 표시", page.locator("#sociogram-status").inner_text())
        page.screenshot(path=str(SHOTS / f"sociogram-all-level5-{width}.png"), full_page=True)

        page.select_option("#min-level", "1")
        agency = max((n for n in data["nodes"] if n["kind"] == "agency"), key=lambda n: n["degree"])
        page.locator(f'svg.sociogram circle.node[data-id="{agency["id"]}"]').dispatch_event("click")
        assert len(_shown_lines(page)) == agency["degree"]
        assert page.locator("#sociogram-focus").is_visible()
        assert agency["label"] in page.locator("#sociogram-focus").inner_text()
        assert page.locator("#focus-list li").count() == agency["degree"] + 1
        page.screenshot(path=str(SHOTS / f"sociogram-all-focus-{width}.png"), full_page=True)
        page.locator("#focus-reset").click()
        assert len(_shown_lines(page)) == len(data["links"])

        # depth: one box per depth the links carry; unticking one hides its links
        assert data["depths"] and page.locator("#depth-filter").is_visible() == (width >= 600)
        if width < 600:
            page.locator("#sociogram-filters summary").click()  # a phone folds the filters away at first
        shallow = data["depths"][0]
        page.locator(f'#depth-filter input[value="{shallow}"]').uncheck()
        assert len(_shown_lines(page)) == sum(1 for link in data["links"] if link.get("depth") != shallow)
        page.locator(f'#depth-filter input[value="{shallow}"]').check()
        assert len(_shown_lines(page)) == len(data["links"])
        browser.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_complex_sociogram_and_its_legend(base_url, width):
    with playwright_api.sync_playwright() as p:
        browser, page, outside, errors = _open(p, base_url, width, "/complexes/", drawn=False)
        page.locator("a", has_text="A").first.click()
        page.locator("a", has_text="연계망 그림").click()
        page.wait_for_function("document.body.dataset.sociogram === 'drawn'", timeout=30_000)
        assert not outside and not errors
        assert page.locator("h1").inner_text() == "A 연계망 그림"
        complexes = page.locator("svg.sociogram circle.node.complex")
        assert complexes.count() == 1
        agencies = page.locator("svg.sociogram circle.node.agency").count()
        assert agencies == page.locator("svg.sociogram line.link").count() > 8
        # every node inside the frame after the fit
        frame = page.locator("#sociogram").bounding_box()
        for box in (c.bounding_box() for c in page.locator("svg.sociogram circle.node").all()):
            assert frame["x"] - 1 <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"] + 1
        legend = page.locator("#legend").inner_text()
        for word in ("범례", "단지", "보건의료", "수시", "연 2회 이하", "대상자 및 서비스 의뢰", "내용 미기록"):
            assert word in legend
        page.screenshot(path=str(SHOTS / f"sociogram-complex-{width}.png"), full_page=True)
        page.locator("a", has_text="같은 기관과 일하는 다른 단지도 보기").click()
        page.wait_for_function("document.body.dataset.sociogram === 'drawn'", timeout=30_000)
        assert page.locator("svg.sociogram circle.node.complex").count() > 1
        page.screenshot(path=str(SHOTS / f"sociogram-complex-radius2-{width}.png"), full_page=True)
        browser.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_district_charts_fit_the_screen_and_link_to_the_sociogram(base_url, width):
    SHOTS.mkdir(exist_ok=True)
    with playwright_api.sync_playwright() as p:
        browser, page, _outside, errors = _open(p, base_url, width, "/districts/서울특별시/노원구", drawn=False)
        assert not errors  # (the district map's base tiles are the maps' setting, refused here)
        charts = page.locator("#charts figure.bars")
        assert charts.count() == 6 and charts.first.is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
        page.locator("#charts").screenshot(path=str(SHOTS / f"district-charts-{width}.png"))
        page.locator("a", has_text="연계망 그림").click()
        page.wait_for_function("document.body.dataset.sociogram === 'drawn'", timeout=30_000)
        assert page.locator("h1").inner_text() == "서울특별시 노원구 연계망 그림"
        assert page.locator("svg.sociogram circle.node.complex").count() >= 1
        browser.close()


@pytest.fixture(scope="module")
def changes_base(tmp_path_factory):
    """A store with two snapshots of complex A around one change: 정신건강복지센터 ● 수시 -> ◒, 서민금융진흥원 added."""
    from directory.store import connect
    from network.links import find_link, get_link, set_link
    from network.snapshots import take_snapshot
    from web import create_app

    path = study_store.build(tmp_path_factory.mktemp("changes") / "app.db")
    db = connect(path)
    cid = db.execute("SELECT id FROM complexes WHERE name = 'A'").fetchone()[0]
    take_snapshot(db, complex_id=cid, label="작년")
    link = get_link(db, find_link(db, cid, "정신건강복지센터"))
    set_link(db, cid, link["agency_id"], 3, ["referral"], None, expected_version=link["version"])
    other = db.execute("SELECT id FROM agencies WHERE name = '서민금융진흥원'").fetchone()[0]
    set_link(db, cid, other, 2, ["information"], None)
    take_snapshot(db, complex_id=cid, label="올해")
    db.conn.close()
    app = create_app({"TESTING": True, "DATABASE": str(path), "SECRET_KEY": "test"})
    with serve_app(app) as url:
        yield url, cid


@pytest.mark.parametrize("width", [390, 1280])
def test_year_on_year_page_reads_on_a_phone_and_a_desktop(changes_base, width):
    SHOTS.mkdir(exist_ok=True)
    base, cid = changes_base
    with playwright_api.sync_playwright() as p:
        browser, page, outside, errors = _open(p, base, width, f"/sociogram/complex/{cid}", drawn=True)
        page.locator("a", has_text="해마다 비교").click()
        assert not outside and not errors
        assert page.locator("h1").inner_text() == "A 연계 변화"
        assert "새 연계 1건, 끊긴 연계 0건, 빈도가 바뀐 연계 1건 (잦아짐 0, 뜸해짐 1)" in page.locator("#summary").inner_text()
        assert page.locator("#added tbody tr").inner_text().split("\t")[:2] == ["A", "서민금융진흥원"]
        row = page.locator("#changed tbody tr")
        assert "정신건강복지센터" in row.inner_text() and "▼" in row.inner_text()
        assert page.locator("select[name=before] option:checked").inner_text().endswith("작년")
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
        page.screenshot(path=str(SHOTS / f"sociogram-changes-{width}.png"), full_page=True)
        # choosing the same two the other way round gives the same comparison (earlier first)
        page.select_option("select[name=before]", label=page.locator("select[name=after] option:checked").inner_text())
        page.select_option("select[name=after]", index=1)
        page.locator("button", has_text="비교").click()
        assert "뜸해짐 1" in page.locator("#summary").inner_text()
        browser.close()
