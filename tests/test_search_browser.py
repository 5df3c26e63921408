"""The search page in Chromium at 390 px: a phrase understood, and "nothing within" before the farther ones.

A copy of the demo store gets one agency about 23 km from complex B, so the
line has something true to say; the browser reaches nothing but the server.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from directory import search
from directory.store import connect, get_complex

from .browser_support import serve_app

SHOTS = Path(__file__).parent / "screenshots"


@pytest.fixture(scope="module")
def base_url(demo_db_path, tmp_path_factory):
    from web import create_app

    path = tmp_path_factory.mktemp("searchbrowser") / "app.db"
    shutil.copy(demo_db_path, path)
    db = connect(path)
    b = get_complex(db, "B")
    with db.conn:
        db.execute(
            "INSERT INTO agencies (name, name_key, type, category, sido, sigungu, road_address, phone, lat, lon, "
            "placement, updated_at) VALUES ('연계시험센터', '연계시험센터', '사회복지관', '복지기관', '경기도', '고양시', "
            "'경기도 고양시 시험로 1', '031-000-0000', ?, ?, 'exact', '2026-01-01')", [b["lat"] + 0.207, b["lon"]])
    search.index_agencies(db)
    search.close_all()
    db.conn.close()
    app = create_app({"DATABASE": str(path), "SECRET_KEY": "browser-test", "TESTING": False,
                      "SEARCH_INDEX_WAIT": True})
    app.instance_path = str(path.parent / "instance")
    with serve_app(app) as url:
        yield url
    search.close_all()


def _page(browser, base_url, width):
    phone = width < 500
    context = browser.new_context(viewport={"width": width, "height": 844 if phone else 900}, is_mobile=phone,
                                  has_touch=phone, locale="ko-KR")
    context.route(re.compile(r"^(?!" + re.escape(base_url) + r").*"), lambda route: route.abort())
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


@pytest.mark.parametrize("width", [390, 1280])
def test_nothing_within_comes_before_the_farther_results(browser, base_url, width):
    context, page = _page(browser, base_url, width)
    try:
        page.goto(f"{base_url}/search?q=연계시험센터&complex=B")
        line = page.locator(".nothing-within")
        line.wait_for()
        assert re.fullmatch(r"반경 10 km 안에 없음 — 가장 가까운 곳 2[2-4] km", line.inner_text().strip())
        first = page.locator("ul.results li").first
        assert "연계시험센터" in first.inner_text()
        line_box, first_box = line.bounding_box(), first.bounding_box()
        assert line_box["y"] + line_box["height"] <= first_box["y"]  # said first, then the farther ones
        assert line_box["x"] + line_box["width"] <= width + 1
        if width < 500:
            assert line_box["y"] + line_box["height"] <= 844  # on the first screen of a phone
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 2
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"search-nothing-within-{width}.png"), full_page=True)
    finally:
        context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_a_phrase_is_understood_on_the_page(browser, base_url, width):
    context, page = _page(browser, base_url, width)
    try:
        page.goto(f"{base_url}/search?q=우울증 상담 받을 곳&complex=B")
        said = page.locator(".understood").first
        said.wait_for()
        text = " ".join(said.inner_text().split())
        assert "우울증 → 정신건강복지센터" in text
        assert "상담 (순위에만 반영)" in text and "받을 (맞는 기관 없음 — 빼고 찾음)" in text
        first = page.locator("ul.results li").first
        assert "정신건강복지센터" in first.inner_text() and "km" in first.inner_text()
        assert page.locator(".nothing-within").count() == 0
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 2
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"search-phrase-{width}.png"), full_page=True)
    finally:
        context.close()
