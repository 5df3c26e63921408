"""Issue 11 in the browser, network closed: a 통합사례회의 logged with several partners, the hand-set level kept
with '기록 N회' beside it, the link's depth with its reason, and the complex's programmes — at 390 and 1280 px."""
from __future__ import annotations

import re
import shutil

import pytest

from directory import accounts
from directory.store import connect
from network.programmes import create_programme

from .browser_support import serve_app
from .test_browser import SHOTS

PASSWORD = "browser-pass-11"


@pytest.fixture(scope="module")
def site(demo_db_path, tmp_path_factory):
    from web import create_app

    folder = tmp_path_factory.mktemp("network-browser")
    path = folder / "app.db"
    shutil.copy(demo_db_path, path)
    db = connect(path)
    method, accounts.PASSWORD_METHOD = accounts.PASSWORD_METHOD, "pbkdf2:sha256:1000"
    try:
        accounts.create_user(db, "lead-f", PASSWORD, "team_lead", complexes=["F"])
    finally:
        accounts.PASSWORD_METHOD = method
    f = db.execute("SELECT id FROM complexes WHERE name = 'F'").fetchone()[0]
    partners = [r[0] for r in db.execute("SELECT agency_id FROM links WHERE complex_id = ? ORDER BY agency_id", [f])]
    create_programme(db, "고독사예방 발굴단", starts="2026-03-01",
                     members=[{"complex_id": f, "role": "lead"}, {"agency_id": partners[0], "role": "partner"}])
    names = dict(db.execute(f"SELECT id, name FROM agencies WHERE id IN ({','.join('?' * 3)})", partners[:3]))
    db.conn.close()
    app = create_app({"DATABASE": str(path), "SECRET_KEY": "browser-test-11", "TESTING": False})
    app.instance_path = str(folder / "instance")
    with serve_app(app) as url:
        yield {"url": url, "f": f, "partners": partners[:3], "names": names}


@pytest.fixture(params=[390, 1280], ids=["phone", "desk"])
def page(request, browser, site):
    width = request.param
    context = browser.new_context(viewport={"width": width, "height": 900}, is_mobile=width < 500,
                                  has_touch=width < 500, locale="ko-KR")
    context.route(re.compile(r"^(?!" + re.escape(site["url"]) + r").*"), lambda route: route.abort())
    page = context.new_page()
    page.set_default_timeout(15000)
    page.width = width
    yield page
    context.close()


def test_a_case_conference_with_three_partners_on_the_edit_page(page, site):
    page.goto(f"{site['url']}/auth/login")
    page.fill("input[name=username]", "lead-f")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{site['url']}/complexes/{site['f']}/edit/")
    form = page.locator("form", has=page.locator("input[name=contact_agency]"))
    for agency in site["partners"]:
        form.locator(f"input[name=contact_agency][value='{agency}']").check()
    form.locator("select[name=kind]").select_option("case_conference")
    form.locator("textarea[name=note]").fill(f"사례 회의 {page.width}")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "연계 3건" in page.locator(".flash.ok").inner_text()
    log = page.locator("#contacts ~ div table")
    assert log.locator("tr", has_text=f"사례 회의 {page.width}").count() == 3
    assert "통합사례회의" in log.inner_text() and "기관 3곳" in log.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= page.width + 2  # no sideways scrolling
    page.locator("#contacts").scroll_into_view_if_needed()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"meeting-edit-{page.width}.png"), full_page=False)

    # The dashboard: one contact (or two, after the other width ran) does not cover a year:
    # each level is still the hand-set one, the count beside it; depth and programme shown.
    page.goto(f"{site['url']}/complexes/{site['f']}")
    row = page.locator("#partners tr", has_text=site["names"][site["partners"][1]])
    assert re.search(r"기록 [12]회", row.inner_text())
    assert "연계 기록 기준" not in row.inner_text()
    lead_row = page.locator("#partners tr", has_text=site["names"][site["partners"][0]])
    assert "실질적" in lead_row.inner_text() and "고독사예방 발굴단" in lead_row.inner_text()
    programmes = page.locator("#programmes")
    assert "고독사예방 발굴단" in programmes.inner_text() and "이 단지: 주관" in programmes.inner_text()
    page.locator("#partners").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"meeting-dashboard-{page.width}.png"), full_page=False)


def _sign_in(page, site):
    page.goto(f"{site['url']}/auth/login")
    page.fill("input[name=username]", "lead-f")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()


def test_a_programme_recorded_and_deleted_on_the_edit_page(page, site):
    _sign_in(page, site)
    page.goto(f"{site['url']}/complexes/{site['f']}/edit/")
    name = f"치매안심마을 조성 {page.width}"
    form = page.locator("form.programme-form")
    form.locator("input[name=programme_name]").fill(name)
    form.locator("input[name=starts]").fill("2026-06-01")
    form.locator("input[name=ends]").fill("2026-05-01")  # before the start: refused, the typing kept
    roles = dict(zip(site["partners"], ["co_lead", "partner", "sponsor"]))
    for agency, role in roles.items():
        form.locator(f"input[name=programme_agency][value='{agency}']").check()
        form.locator(f"select[name=agency_role_{agency}]").select_option(role)
    form.locator("textarea[name=description]").fill("단지 안 치매 조기 발견 캠페인")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "앞섭니다" in page.locator(".flash.error").inner_text()
    form = page.locator("form.programme-form")
    assert form.locator("input[name=programme_name]").input_value() == name
    assert form.locator("textarea[name=description]").input_value() == "단지 안 치매 조기 발견 캠페인"
    for agency, role in roles.items():
        assert form.locator(f"input[name=programme_agency][value='{agency}']").is_checked()
        assert form.locator(f"select[name=agency_role_{agency}]").input_value() == role
    assert page.evaluate("document.documentElement.scrollWidth") <= page.width + 2  # no sideways scrolling
    page.locator("#add-programme").scroll_into_view_if_needed()
    page.evaluate("document.getElementById('add-programme').scrollIntoView()")  # the message and the form on top
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"programme-form-{page.width}.png"), full_page=False)

    form.locator("input[name=ends]").fill("2026-12-31")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "기관 3곳" in page.locator(".flash.ok").inner_text()
    card = page.locator("section.programme", has_text=name)
    text = card.inner_text()
    assert "2026-06-01 ~ 2026-12-31" in text and "이 단지: 주관" in text
    card.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"programme-card-{page.width}.png"), full_page=False)
    for agency, word in zip(site["partners"], ["공동 주관", "협력", "후원·자원 제공"]):
        assert f"{site['names'][agency]} ({word})" in text
    page.goto(f"{site['url']}/complexes/{site['f']}")
    assert name in page.locator("#programmes").inner_text()

    page.goto(f"{site['url']}/complexes/{site['f']}/edit/#programmes")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.locator("section.programme", has_text=name).locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert asked and name in asked[0]
    assert "사업·프로그램을 삭제했습니다" in page.locator(".flash.ok").inner_text()
    assert page.locator("section.programme", has_text=name).count() == 0
