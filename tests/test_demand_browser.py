"""Browser test (issue 12): a planner uploads their own demand table on the maps page, at 390 and 1280 px, offline."""
from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import pytest

from directory import accounts
from network.access import base_areas

from .browser_support import launch, serve_app
from .conftest import TEST_PASSWORD

playwright_api = pytest.importorskip("playwright.sync_api")

SHOTS = Path("/tmp/yeongye-shots")


@pytest.fixture(scope="module")
def base_url(demo_db_path, tmp_path_factory):
    from directory.store import connect
    from web import create_app

    path = tmp_path_factory.mktemp("demand") / "app.db"
    shutil.copy(demo_db_path, path)
    database = connect(path)
    accounts.create_user(database, "planner", TEST_PASSWORD, "planner", districts=["서울특별시"])
    database.conn.close()
    # No base tiles: the closed network would refuse them anyway; the outlines carry the map.
    app = create_app({"TESTING": True, "DATABASE": str(path), "SECRET_KEY": "test", "TILES": "none"})
    with serve_app(app) as url:
        yield url


def _table() -> bytes:
    """서울's 구 but 종로구, by name, in CP949 as Excel saves it, with one row of words."""
    areas, _ = base_areas("sigungu")
    rows = [["시도", "시군구", "독거노인 수"]]
    rows += [["서울특별시", a["sigungu"], str(800 + 41 * i)] for i, a in enumerate(areas)
             if a["sido"] == "서울특별시" and a["sigungu"] != "종로구"]
    rows.append(["서울특별시", "강서구", "집계 중"])
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("cp949")


@pytest.mark.parametrize("width", [390, 1280])
def test_planner_uploads_a_demand_table_and_reads_the_answer(base_url, width, tmp_path):
    SHOTS.mkdir(exist_ok=True)
    with playwright_api.sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="ko-KR",
                                      is_mobile=width < 600, has_touch=width < 600, accept_downloads=True)
        outside = []
        context.route(re.compile(r"^(?!" + re.escape(base_url) + "|data:|about:).*"),
                      lambda route: (outside.append(route.request.url), route.abort()))
        page = context.new_page()
        page.goto(base_url + "/auth/login")
        page.fill("input[name=username]", "planner")
        page.fill("input[name=password]", TEST_PASSWORD)
        page.click("form.stack button[type=submit]")
        page.goto(base_url + "/maps/#demand-upload")
        form = page.locator("form.demand-upload")
        form.locator("select[name=access_type]").select_option("치매안심센터")
        form.locator("input[name=radius]").fill("10")
        # A file past the limit is refused in the page: nothing is sent and the choices stay.
        form.locator("input[name=file]").set_input_files(
            {"name": "큰표.csv", "mimeType": "text/csv", "buffer": b"a,b\n" * (5 * 1024 * 1024 // 4 + 1)})
        form.locator("button[type=submit]").click()
        error = form.locator(".size-error")
        error.wait_for()
        assert "큰표.csv: 파일이 너무 큽니다 (최대 5 MB)" in error.inner_text()
        assert page.url.endswith("/maps/#demand-upload") and form.locator("input[name=radius]").input_value() == "10"
        page.screenshot(path=str(SHOTS / f"demand-too-large-{width}.png"))
        # A table the server cannot read as asked: its words, the choices kept, the columns offered.
        form.locator("input[name=file]").set_input_files(
            {"name": "두열.csv", "mimeType": "text/csv", "buffer": "시도,시군구,독거노인,수급자\n서울,노원구,3,4\n".encode()})
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        assert "숫자 열이 여러 개라" in page.locator(".demand-error").inner_text()
        form = page.locator("form.demand-upload")
        assert form.locator("input[name=radius]").input_value() == "10"
        assert page.locator("#demand-columns option").count() == 2
        page.screenshot(path=str(SHOTS / f"demand-error-{width}.png"), full_page=True)
        error = form.locator(".size-error")
        # The real table.
        form.locator("input[name=file]").set_input_files(
            {"name": "독거노인.csv", "mimeType": "text/csv", "buffer": _table()})
        assert not error.is_visible()
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        read = page.locator("#demand-read").inner_text()
        assert "독거노인.csv" in read and "CP949 (EUC-KR)" in read and "24행" in read
        assert "26" in page.locator("table.rejected").inner_text()  # the row of words, by its number
        assert "서울특별시 종로구" in page.locator("#demand-join").inner_text()
        worst = page.locator("table.worst tbody tr")
        assert worst.count() == 10 and "km" in worst.first.inner_text()
        # The map in the page: the 구 of 서울 drawn in its iframe from this server's assets only.
        frame = page.frame_locator("#demand-map iframe.map")
        frame.locator("path.leaflet-interactive").first.wait_for(state="attached")
        assert frame.locator("path.leaflet-interactive").count() >= 25
        assert "독거노인 수 기준" in frame.locator("#yg-legend").inner_text()
        # The ranked table downloads from the page itself.
        with page.expect_download() as info:
            page.locator("a", has_text="순위표 전체 내려받기 (CSV)").click()
        download = info.value
        assert download.suggested_filename == "접근성-순위-독거노인.csv"
        saved = tmp_path / "ranked.csv"
        download.save_as(saved)
        ranked = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
        assert ranked[0][:3] == ["순위", "행정코드", "시도"] and len(ranked) == 1 + 24
        assert ranked[1][3] == worst.first.locator("td").nth(1).inner_text()  # its 시군구 (서울 said once)
        # The form is there again with the choices as sent.
        again = page.locator("form.demand-upload")
        assert again.locator("input[name=radius]").input_value() == "10"
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
        assert outside == []
        page.screenshot(path=str(SHOTS / f"demand-answer-{width}.png"), full_page=True)
        browser.close()
