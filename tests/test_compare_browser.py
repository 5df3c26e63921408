"""Browser test (issue 12): the district comparison at 390 and 1280 px, its export links, one A4 landscape page."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from .browser_support import launch, serve_app

playwright_api = pytest.importorskip("playwright.sync_api")

SHOTS = Path("/tmp/yeongye-shots")
QUERY = ("/districts/compare?d=서울특별시/강서구&d=서울특별시/노원구&d=서울특별시/양천구"
         "&type=치매안심센터&demand=recipients")


@pytest.fixture(scope="module")
def base_url(demo_db_path, tmp_path_factory):
    from web import create_app

    path = tmp_path_factory.mktemp("compare") / "app.db"
    shutil.copy(demo_db_path, path)
    app = create_app({"TESTING": True, "DATABASE": str(path), "SECRET_KEY": "test"})
    with serve_app(app) as url:
        yield url


def _closed_network(context, base):
    context.route(re.compile(r"^(?!" + re.escape(base) + ").*"), lambda route: route.abort())


@pytest.mark.parametrize("width", [390, 1280])
def test_comparison_page_reads_and_prints_on_one_landscape_page(base_url, width):
    SHOTS.mkdir(exist_ok=True)
    with playwright_api.sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="ko-KR",
                                      is_mobile=width < 600, has_touch=width < 600)
        _closed_network(context, base_url)
        page = context.new_page()
        page.goto(base_url + QUERY)
        table = page.locator("table.compare")
        heads = table.locator("thead th").all_inner_texts()
        assert heads[1:] == ["강서구", "노원구", "양천구"]
        first = table.locator("tbody tr").first.locator("td").all_inner_texts()
        assert first == ["35,923", "34,030", "20,616"]  # 기초생활수급자, 2025-12
        assert page.locator("figure.bars svg").count() == 4
        assert page.locator("a", has_text="CSV로 내려받기").is_visible()
        assert page.locator("a", has_text="엑셀(XLSX)로 내려받기").is_visible()
        # Nothing on the page is wider than the screen but the tables' own scroll boxes.
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
        page.screenshot(path=str(SHOTS / f"compare-{width}.png"), full_page=True)
        pdf = page.pdf(format="A4", landscape=True, print_background=True, prefer_css_page_size=True)
        assert re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", pdf) == [b"1"]
        page.emulate_media(media="print")
        assert not page.locator("details.picker").is_visible()
        page.set_viewport_size({"width": 1123, "height": 794})  # A4 landscape at 96 dpi
        page.screenshot(path=str(SHOTS / f"compare-print-{width}.png"), full_page=True)
        browser.close()
