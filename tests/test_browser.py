"""Browser tests: Debian's Chromium driven by Playwright against the real app served by waitress.

The server runs in a thread on a free port of 127.0.0.1 over a copy of the
demo database; the browser may reach nothing but that server (every other
request is aborted). Screenshots go to tests/screenshots/ (git-ignored).
"""
from __future__ import annotations

import re
import shutil
import threading
from pathlib import Path

import pytest

from directory import accounts
from directory.store import connect

SHOTS = Path(__file__).parent / "screenshots"
PASSWORD = "browser-pass-1"


@pytest.fixture(scope="module")
def server(demo_db_path, tmp_path_factory):
    """The app through waitress on 127.0.0.1:<free port>, with a team lead (A), a worker (B) and an admin."""
    import waitress

    from web import create_app

    folder = tmp_path_factory.mktemp("browser")
    path = folder / "app.db"
    shutil.copy(demo_db_path, path)
    db = connect(path)
    method, accounts.PASSWORD_METHOD = accounts.PASSWORD_METHOD, "pbkdf2:sha256:1000"
    try:
        accounts.create_user(db, "lead", PASSWORD, "team_lead", display_name="A 팀장", complexes=["A"])
        accounts.create_user(db, "worker", PASSWORD, "worker", display_name="B 복지사", complexes=["B"])
        accounts.create_user(db, "admin", PASSWORD, "admin", display_name="관리자")
    finally:
        accounts.PASSWORD_METHOD = method
    ids = dict(db.execute("SELECT name, id FROM complexes").fetchall())
    db.conn.close()
    app = create_app({"DATABASE": str(path), "SECRET_KEY": "browser-test", "TESTING": False,
                      "DB_REUSE_CONNECTIONS": True})
    app.instance_path = str(folder / "instance")
    srv = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{srv.effective_port}", "db": path, "complexes": ids}
    srv.close()
    thread.join(timeout=5)


def _closed_network(context, base: str):
    """Abort every request that is not to the test server."""
    context.route(re.compile(r"^(?!" + re.escape(base) + r").*"), lambda route: route.abort())


@pytest.fixture
def phone(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  locale="ko-KR")
    _closed_network(context, server["url"])
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def desk(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
    _closed_network(context, server["url"])
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def shot(page, name: str):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def login(page, server, username: str):
    page.goto(f"{server['url']}/auth/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("button", has_text="로그아웃").count() == 1


def test_search_on_a_phone_shows_a_dial_link(phone, server):
    has_search = True
    phone.goto(f"{server['url']}/search")
    if phone.locator("input[name=q]").count() == 0:  # search page from the search helper missing
        has_search = False
    if has_search:
        phone.fill("input[name=q]", "치매안심센터")
        phone.locator("input[name=q]").press("Enter")
    else:
        phone.goto(f"{server['url']}/agencies/?category=보건의료")
    phone.wait_for_load_state()
    tel = phone.locator("a[href^='tel:']").first
    tel.wait_for()
    assert re.match(r"tel:0\d{1,2}-\d{3,4}-\d{4}", tel.get_attribute("href"))
    box = tel.bounding_box()
    assert box and box["x"] + box["width"] <= 390 + 1  # on screen, no sideways scrolling needed
    assert phone.evaluate("document.documentElement.scrollWidth") <= 392
    shot(phone, "search-phone")


def test_team_lead_adds_partner_and_contact_and_map_updates(desk, server):
    a = server["complexes"]["A"]
    db = connect(server["db"])
    agency = next(db.query(
        "SELECT id, name FROM agencies WHERE name LIKE '%노원구%' AND id NOT IN "
        "(SELECT agency_id FROM links WHERE complex_id = ?) ORDER BY name LIMIT 1", [a]))
    db.conn.close()
    login(desk, server, "lead")
    desk.goto(f"{server['url']}/complexes/{a}/edit/")
    map_frame = desk.locator("iframe.map")
    if map_frame.count():
        before = desk.frame_locator("iframe.map").locator("body").inner_html()
        assert agency["name"] not in before
    desk.fill("input[name=q]", agency["name"])
    desk.click("form.filters button[type=submit]")
    desk.wait_for_load_state()
    add = desk.locator("form", has=desk.locator("input[name=agency_id]"))
    add.locator(f"input[name=agency_id][value='{agency['id']}']").check()
    add.locator("select[name=level]").select_option("4")
    add.locator("input[name=content_types][value=referral]").check()
    add.locator("textarea[name=note]").fill("치매 조기검진 협력")
    add.locator("button[type=submit]").click()
    desk.wait_for_load_state()
    assert desk.locator(".flash.ok").inner_text().startswith("연계 기관을 추가했습니다")
    card = desk.locator("section.card", has_text=agency["name"])
    assert card.count() == 1
    # a contact with that partner (the form takes several partners: a 통합사례회의 ticks them all)
    contact = desk.locator("form", has=desk.locator("input[name=contact_agency]"))
    contact.locator(f"input[name=contact_agency][value='{agency['id']}']").check()
    contact.locator("select[name=content_type]").select_option("referral")
    contact.locator("textarea[name=note]").fill("검진 대상 의뢰 2건")
    contact.locator("button[type=submit]").click()
    desk.wait_for_load_state()
    assert desk.locator("#contacts ~ div table", has_text="검진 대상 의뢰 2건").count() == 1
    if map_frame.count():
        desk.locator("iframe.map").scroll_into_view_if_needed()
        after = desk.frame_locator("iframe.map").locator("body").inner_html()
        assert agency["name"] in after  # the network map now shows the new partner
    desk.goto(f"{server['url']}/complexes/{a}")
    assert desk.locator("#partners", has_text=agency["name"]).count() == 1
    shot(desk, "team-lead-edit")


def test_personal_data_warning_keeps_the_text(desk, server):
    a = server["complexes"]["A"]
    login(desk, server, "lead")
    desk.goto(f"{server['url']}/complexes/{a}/edit/")
    assert "개인정보" in desk.locator("#contacts + p.warn").inner_text()
    contact = desk.locator("form", has=desk.locator("input[name=contact_agency]"))
    contact.locator("input[name=contact_agency]").first.check()
    contact.locator("textarea[name=note]").fill("홍길동씨 방문 010-9999-8888")
    contact.locator("button[type=submit]").click()
    desk.wait_for_load_state()
    assert "개인정보" in desk.locator("p.flash.error").inner_text()
    assert desk.locator("textarea[name=note]").last.input_value() == "홍길동씨 방문 010-9999-8888"


def test_worker_cannot_edit_another_complex(desk, server):
    login(desk, server, "worker")
    response = desk.goto(f"{server['url']}/complexes/{server['complexes']['A']}/edit/")
    assert response.status == 403
    assert "담당자만" in desk.locator("main").inner_text()
    shot(desk, "worker-forbidden")
    own = desk.goto(f"{server['url']}/complexes/{server['complexes']['B']}/edit/")
    assert own.status == 200


def test_import_preview_and_report(desk, server, tmp_path):
    csv = tmp_path / "구청 기관 목록.csv"
    csv.write_text("기관이름,소재지 주소,대표 전화\n"
                   "새봄 지역아동센터,서울특별시 노원구 상계로 5,02-930-0000\n"
                   "하늘 노인복지센터,서울특별시 강서구 공항대로 9,02-2600-0000\n", encoding="cp949")
    login(desk, server, "admin")
    desk.goto(f"{server['url']}/import")
    desk.set_input_files("input[type=file]", str(csv))
    desk.click("form.stack button[type=submit]")
    desk.wait_for_load_state()
    assert "일반 기관 목록" in desk.locator("main p.lead").first.inner_text()
    assert desk.locator("select[name=map_name]").input_value() == "기관이름"
    assert desk.locator("table.preview", has_text="새봄 지역아동센터").count() == 1
    shot(desk, "import-preview")
    desk.click("button.primary")
    desk.locator("h2.report").wait_for(timeout=30000)
    assert "결과" in desk.locator("h2.report").inner_text()
    shot(desk, "import-report")


def test_english_is_selectable(desk, server):
    desk.goto(f"{server['url']}/?lang=en")
    assert desk.locator("html").get_attribute("lang") == "en"


def test_edit_page_fits_a_phone(phone, server):
    login(phone, server, "lead")
    phone.goto(f"{server['url']}/complexes/{server['complexes']['A']}/edit/")
    assert phone.locator("section.card").count() > 5
    assert phone.evaluate("document.documentElement.scrollWidth") <= 392  # no sideways scrolling
    shot(phone, "edit-phone")


# --- one tap from sign-in, and the referral card (issue 16) ----------------------------

TAPPABLE = "header.top nav a, header.top button, main a.tel, main a.go, main button, .chips a"


def _small_targets(page) -> list:
    """Visible tap targets under 44 × 44 px (WCAG 2.5.5)."""
    return page.evaluate(f"""() => [...document.querySelectorAll({TAPPABLE!r})]
        .filter(e => e.offsetParent !== null)
        .map(e => [e.textContent.trim(), e.getBoundingClientRect()])
        .filter(([t, r]) => r.height < 44 || r.width < 44)
        .map(([t, r]) => `${{t}} ${{Math.round(r.width)}}x${{Math.round(r.height)}}`)""")


def test_worker_signs_in_and_the_nearest_mental_health_centre_is_one_tap_away(phone, server):
    login(phone, server, "worker")
    assert phone.url == server["url"] + "/"  # sign-in lands on the home page, complex B pre-selected
    assert phone.locator("h1").inner_text() == "B 단지 가까운 기관"
    first = phone.locator("ul.place-cards li.place-card").first
    assert first.locator(".kind").inner_text() == "정신건강복지센터"
    assert first.locator("a.name").inner_text() == "강서구정신건강복지센터"
    tel = first.locator("a.tel")
    assert tel.get_attribute("href") == "tel:02-2600-5926"
    box = tel.bounding_box()
    assert phone.evaluate("window.scrollY") == 0
    assert box["y"] >= 0 and box["y"] + box["height"] <= 844, box  # inside the first screen
    assert box["x"] + box["width"] <= 390
    assert "km" in first.locator(".where").inner_text() and "정확한 위치" in first.inner_text()
    assert first.locator("a.go", has_text="카카오맵").get_attribute("href").startswith("https://map.kakao.com/link/to/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 392
    assert _small_targets(phone) == []
    shot(phone, "home-worker-phone")


def test_home_on_a_desk_shows_the_cards_side_by_side(desk, server):
    login(desk, server, "worker")
    cards = desk.locator("ul.place-cards").first.locator("li.place-card")
    assert cards.count() == 5
    assert cards.nth(0).bounding_box()["y"] == cards.nth(1).bounding_box()["y"]  # a row, not a column
    shot(desk, "home-worker-desk")


def test_use_my_location_searches_around_the_worker(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  locale="ko-KR", geolocation={"latitude": 37.6542, "longitude": 127.0568},
                                  permissions=["geolocation"])
    _closed_network(context, server["url"])
    page = context.new_page()
    try:
        page.goto(server["url"] + "/")
        page.fill("input[name=q]", "정신건강복지센터")
        page.click("button.use-location")
        page.wait_for_url(re.compile(r".*/search\?near=37\.65420%2C127\.05680.*"))
        first = page.locator("ul.results li").first
        assert "노원구" in first.inner_text() and "km" in first.locator(".distance").inner_text()
        # filters folded, results before the map: the first phone number is on the first screen
        assert page.locator("details.search-options").get_attribute("open") is None
        tel = page.locator("ul.results a.tel").first.bounding_box()
        assert tel["y"] + tel["height"] <= 844, tel
        shot(page, "search-near-me-phone")
    finally:
        context.close()


def test_referral_card_prints_on_one_a4_page_and_stores_nothing(browser, server, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    marker = "홍길동님 12월 3일 14시 상담 010-1234-5678 노트-7f3a"
    bring = "신분증, 복용 중인 약 봉투-7f3a"
    db = connect(server["db"])
    agency_id = db.execute("SELECT id FROM agencies WHERE name = '강서구정신건강복지센터'").fetchone()[0]
    db.conn.close()
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  locale="ko-KR", permissions=["clipboard-read", "clipboard-write"])
    _closed_network(context, server["url"])
    sent = []
    context.on("request", lambda r: sent.append((r.url, r.post_data or "")))
    page = context.new_page()
    try:
        page.goto(f"{server['url']}/agencies/{agency_id}/card?complex={server['complexes']['B']}")
        shot(page, "referral-card-phone")
        page.fill("#resident-note", (marker + "\n") * 6)
        page.fill(".bring-input", bring)
        page.click("button.copy-text")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.startswith("강서구정신건강복지센터\n전화: 02-2600-5926\n")
        assert bring in copied and marker in copied and "https://map.kakao.com/link/to/" in copied
        pdf = page.pdf(format="A4", print_background=True)
        assert re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", pdf) == [b"1"]  # one A4 page
        page.emulate_media(media="print")
        assert page.locator(".note-print").is_visible() and marker in page.locator(".note-print").inner_text()
        assert not page.locator("#resident-note").is_visible() and not page.locator("header.top").is_visible()
        assert bring in page.locator(".bring-print").inner_text()
        shot(page, "referral-card-print")
        page.goto(server["url"] + "/")  # leaving the page sends nothing either
    finally:
        context.close()
    encoded = [marker, bring, marker.split()[0]]
    from urllib.parse import quote

    encoded += [quote(marker), quote(bring)]
    assert not [s for s in sent if any(e in s[0] or e in s[1] for e in encoded)]
    stored = b"".join(p.read_bytes() for p in server["db"].parent.glob(server["db"].name + "*") if p.is_file())
    assert "노트-7f3a".encode() not in stored and "봉투-7f3a".encode() not in stored
    assert "7f3a" not in caplog.text


def test_referral_card_on_a_desk(desk, server):
    db = connect(server["db"])
    agency_id = db.execute("SELECT id FROM agencies WHERE name = '노원구정신건강복지센터'").fetchone()[0]
    db.conn.close()
    desk.goto(f"{server['url']}/agencies/{agency_id}/card?complex={server['complexes']['A']}")
    assert "A 단지에서" in desk.locator(".card-facts").inner_text()
    shot(desk, "referral-card-desk")
