"""The supportive-house pages in headless Chromium on a phone, with the network closed to anything but the app."""
from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import sync_playwright

from directory import accounts, sites
from directory.store import connect

from .browser_support import launch, serve_app

PASSWORD = "browser-pass-1"


@pytest.fixture(scope="module")
def server(demo_db_path, tmp_path_factory):
    """The app over the demo store with one supportive house and its coordinator."""
    from web import create_app

    folder = tmp_path_factory.mktemp("housing-browser")
    path = folder / "app.db"
    shutil.copy(demo_db_path, path)
    db = connect(path)
    house = sites.create_site(db, {"name": "시범 지원주택", "capacity": 18, "target_group": "정신질환 여성노숙인",
                                   "operator": "SH", "address": "서울특별시 노원구 동일로 1414"})
    method, accounts.PASSWORD_METHOD = accounts.PASSWORD_METHOD, "pbkdf2:sha256:1000"
    try:
        accounts.create_user(db, "coord", PASSWORD, "worker", complexes=[house["id"]])
    finally:
        accounts.PASSWORD_METHOD = method
    db.conn.close()
    app = create_app({"DATABASE": str(path), "SECRET_KEY": "housing-browser", "TESTING": False})
    app.instance_path = str(folder / "instance")
    with serve_app(app) as url:
        yield {"url": url, "db": path, "house": house["id"]}


@pytest.fixture
def phone(server):
    with sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                      locale="ko-KR")
        outside = []

        def closed(route):
            outside.append(route.request.url)
            route.abort()

        context.route(re.compile(r"^(?!" + re.escape(server["url"]) + r").*"), closed)
        page = context.new_page()
        page.set_default_timeout(15000)
        yield page, outside
        context.close()
        browser.close()


def test_coordinator_records_an_agreement_on_a_phone(phone, server):
    page, outside = phone
    page.goto(f"{server['url']}/auth/login")
    page.fill("input[name=username]", "coord")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.goto(f"{server['url']}/housing/")
    page.click("text=시범 지원주택")
    page.click("text=협약 등록")
    page.fill("input[name=starts]", "2024-07-31")
    page.fill("input[name=ends]", "2022-07-01")
    page.fill("textarea[name=note]", "재협약 준비")
    page.click("form.stack button.primary")
    assert "시작일(2024-07-31)보다 뒤여야" in page.locator("p.flash.error").inner_text()
    assert page.input_value("textarea[name=note]") == "재협약 준비"  # nothing typed is lost
    page.fill("input[name=ends]", "2027-07-30")
    page.fill("input[name=notice_date]", "2023-02-01")
    page.click("form.stack button.primary")
    page.wait_for_url(re.compile(r"/housing/\d+#agreements"))
    assert "2024-07-31 ~ 2027-07-30" in page.locator("#agreements").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    # Nothing but the map's optional tiles asks the internet (refused here; the outlines show without them).
    assert not [u for u in outside if not u.startswith("data:") and not u.startswith("https://tile.openstreetmap.org/")]
    db = connect(server["db"])
    assert db.execute("SELECT notice_date FROM site_agreements WHERE site_id = ?",
                      [server["house"]]).fetchone()[0] == "2023-02-01"
    db.conn.close()
