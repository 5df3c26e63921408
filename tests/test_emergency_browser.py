"""The 긴급복지 주거지원 screener in headless Chromium: a phone at 390 px and a desk at 1280 px, network closed."""
from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

import pytest

from directory import accounts, editing
from directory.store import connect

from .browser_support import serve_app

SHOTS = Path(__file__).parent / "screenshots"
PASSWORD = "browser-pass-1"


@pytest.fixture(scope="module")
def server(demo_db_path, tmp_path_factory):
    """The app over the demo store, a 해바라기센터 and a 상담소 near complex A, and A's worker."""
    from web import create_app

    folder = tmp_path_factory.mktemp("emergency-browser")
    path = folder / "app.db"
    shutil.copy(demo_db_path, path)
    db = connect(path)
    for name, kind, lat, lon, phone in (("노원해바라기센터", "해바라기센터", 37.656, 127.06, "02-000-0001"),
                                        ("노원가정폭력상담소", "가정폭력·성폭력 상담소", 37.65, 127.05, "02-000-0003")):
        editing.create_agency(db, {"name": name, "type": kind, "sido": "서울특별시", "sigungu": "노원구",
                                   "lat": lat, "lon": lon, "phone": phone})
    method, accounts.PASSWORD_METHOD = accounts.PASSWORD_METHOD, "pbkdf2:sha256:1000"
    try:
        accounts.create_user(db, "aworker", PASSWORD, "worker", complexes=["A"])
    finally:
        accounts.PASSWORD_METHOD = method
    complex_a = db.execute("SELECT id FROM complexes WHERE name = 'A'").fetchone()[0]
    db.conn.close()
    app = create_app({"DATABASE": str(path), "SECRET_KEY": "emergency-browser", "TESTING": False})
    app.instance_path = str(folder / "instance")
    with serve_app(app) as url:
        yield {"url": url, "db": path, "complex": complex_a}


def _context(browser, server, width, height, **options):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="ko-KR", **options)
    outside = []

    def closed(route):
        outside.append(route.request.url)
        route.abort()

    context.route(re.compile(r"^(?!" + re.escape(server["url"]) + r").*"), closed)
    sent = []
    context.on("request", lambda r: sent.append((r.url, r.post_data or "")))
    return context, outside, sent


def shot(page, name):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _fill(page, *, income, prop, money, reason="violence", safe="no"):
    page.check(f"input[name=safe_tonight][value='{safe}']")
    page.check(f"input[name=reasons][value={reason}]")
    page.fill("input[name=household_size]", "1")
    page.fill("input[name=monthly_income]", income)
    page.fill("input[name=net_property]", prop)
    page.fill("input[name=financial_assets]", money)
    page.check("input[name=already_receiving][value=no]")
    page.click("form.screener button.primary")
    page.wait_for_selector("#answer")


def test_a_worker_screens_a_violence_case_on_a_phone_offline(browser, server, caplog):
    caplog.set_level(logging.DEBUG)
    context, outside, sent = _context(browser, server, 390, 844, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        page.goto(f"{server['url']}/emergency/?complex={server['complex']}")
        call = page.locator("p.call-first a.call-now")
        box = call.bounding_box()
        assert call.get_attribute("href") == "tel:129" and box["y"] + box["height"] <= 844  # on the first screen
        shot(page, "emergency-form-phone")
        _fill(page, income="1,794,001", prop="1억 3,579만", money="600만")
        answer = page.locator("#answer")
        first = answer.locator("a.call-now").first
        assert first.get_attribute("href") == "tel:112" and "지금 112에 전화" in first.inner_text()
        assert first.bounding_box()["y"] < 844  # the first thing a worker sees after sending
        text = answer.inner_text()
        assert "기준 초과이나 긴급 위험이면 선보호 후 심사" in text and "선보호 후 심사 가능 — 129" in text
        assert "가구 월 소득 1,794,001원 > 1인 가구 기준 1,794,000원 — 1원 초과" in text
        assert "생활준비금 6,000,000원을 뺀 0원" in text
        contacts = page.locator("ol.contacts > li")
        order = [contacts.nth(i).inner_text() for i in range(contacts.count())]
        first_129 = next(i for i, t in enumerate(order) if "129" in t and "보건복지상담센터" in t)
        assert "112" in order[0]
        assert any("노원해바라기센터" in t for t in order[:first_129])
        assert any("노원가정폭력상담소" in t for t in order[:first_129])
        hrefs = page.eval_on_selector_all("ol.contacts a.tel", "els => els.map(e => e.getAttribute('href'))")
        assert "tel:112" in hrefs and "tel:02-000-0001" in hrefs
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
        small = page.evaluate("""() => [...document.querySelectorAll(
            'a.call-now, a.tel, form.screener label.inline, form.screener button, form.screener select,'
            + 'form.screener input[type=text], details.procedure summary')]
            .filter(e => e.offsetParent !== null)
            .map(e => [e.textContent.trim().slice(0, 20), e.getBoundingClientRect().height])
            .filter(([, h]) => h < 44)""")
        assert not small, small
        shot(page, "emergency-answer-phone")
        page.click("details.procedure summary")
        assert "재심사 후 연장" in page.locator("details.procedure").inner_text()
        # the form keeps the answers for a second try, and a second and third screening
        assert page.input_value("input[name=monthly_income]") == "1,794,001"
        _fill(page, income="2,468,013", prop="97,531,864", money="8,642,097원", reason="illness", safe="yes")
        assert "지원 가능성이 높음" not in page.locator("#answer .verdict").inner_text()
        _fill(page, income="1,357,913", prop="2억 4,681만", money="0", reason="disaster", safe="yes")
        assert page.locator("#answer .verdict").inner_text() == "기준 초과이나 긴급 위험이면 선보호 후 심사"
    finally:
        context.close()
    assert not [u for u in outside if not u.startswith("data:")], outside
    assert all("?" not in url or "monthly_income" not in url for url, _ in sent)  # answers never in a URL
    stored = b"".join(p.read_bytes() for p in server["db"].parent.glob(server["db"].name + "*") if p.is_file())
    for typed in ("1794001", "1,794,001", "135790000", "2468013", "2,468,013", "97531864", "97,531,864",
                  "8642097", "8,642,097", "1357913", "1,357,913", "246810000"):
        assert typed.encode() not in stored, typed
        assert typed not in caplog.text, typed


def test_the_screener_on_a_desk(browser, server):
    context, outside, _ = _context(browser, server, 1280, 900)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        page.goto(f"{server['url']}/emergency/?complex={server['complex']}")
        _fill(page, income="179만4천", prop="0", money="0", reason="income_loss", safe="yes")
        assert page.locator("#answer .verdict").inner_text() == "지원 가능성이 높음"
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        shot(page, "emergency-answer-desk")
    finally:
        context.close()
    assert not [u for u in outside if not u.startswith("data:")]
