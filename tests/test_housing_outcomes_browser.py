"""A house's outcome pages in headless Chromium, network closed: a coordinator on a phone (390 px) enters counts
and scores sheets; the city's evaluator at a desk (1280 px) reads the indicators, the one-page report and the
scorecard's evidence. Nothing typed on a sheet reaches a URL, the store, its WAL or a log."""
from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

import pytest

from directory import accounts, editing, sites
from directory import indicators as ind
from directory.store import connect
from network.links import set_link

from .browser_support import serve_app

SHOTS = Path(__file__).parent / "screenshots"
PASSWORD = "browser-pass-1"
WORST = ["매우 그렇다", "매우 그렇다", "거의 그렇지 않다", "거의 그렇지 않다", "0명", "전혀 안 함"]
MIXED = ["다소 그렇다", "다소 그렇지 않다", "다소 그렇다", "다소 그렇지 않다", "3~6명", "15분~1시간"]


@pytest.fixture(scope="module")
def server(demo_db_path, tmp_path_factory):
    """The demo store with a house in 노원구 (the manual's example agreement), its 주거안심종합센터 as a partner,
    its coordinator and the city's evaluator; every request line logged as a front server would."""
    from web import create_app

    folder = tmp_path_factory.mktemp("housing-outcomes-browser")
    path = folder / "app.db"
    shutil.copy(demo_db_path, path)
    db = connect(path)
    house = sites.create_site(db, {"name": "시범 지원주택", "capacity": 18, "target_group": "정신질환 여성노숙인",
                                   "operator": "SH", "address": "서울특별시 노원구 동일로 1414"})
    sites.add_agreement(db, house["id"], "2022-07-01", "2024-07-31", notice_date="2023-02-01")
    centre = editing.create_agency(db, {"name": "노원주거안심종합센터", "type": "주거안심종합센터",
                                        "sido": "서울특별시", "sigungu": "노원구", "lat": 37.65, "lon": 127.07,
                                        "phone": "02-000-2001"})
    set_link(db, house["id"], centre["id"], 3, ["referral"])
    method, accounts.PASSWORD_METHOD = accounts.PASSWORD_METHOD, "pbkdf2:sha256:1000"
    try:
        accounts.create_user(db, "coord", PASSWORD, "worker", complexes=[house["id"]])
        accounts.create_user(db, "eval", PASSWORD, "planner", districts=["서울특별시"])
    finally:
        accounts.PASSWORD_METHOD = method
    before = path.read_bytes()
    db.conn.close()
    app = create_app({"DATABASE": str(path), "SECRET_KEY": "housing-outcomes-browser", "TESTING": False})
    app.instance_path = str(folder / "instance")
    inner, lines = app.wsgi_app, []

    def request_log(environ, start_response):
        line = f'{environ["REQUEST_METHOD"]} {environ["PATH_INFO"]}?{environ.get("QUERY_STRING", "")}'
        lines.append(line)
        logging.getLogger("request").info(line)
        return inner(environ, start_response)

    app.wsgi_app = request_log
    with serve_app(app) as url:
        yield {"url": url, "db": path, "house": house["id"], "before": before, "request_log": lines}


def _context(browser, server, width, height, **options):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="ko-KR", **options)
    outside, sent = [], []

    def closed(route):
        outside.append(route.request.url)
        route.abort()

    context.route(re.compile(r"^(?!" + re.escape(server["url"]) + r").*"), closed)
    context.on("request", lambda r: sent.append(r.url))
    return context, outside, sent


def shot(page, name):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _login(page, server, username):
    page.goto(f"{server['url']}/auth/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(re.compile(r"^(?!.*/auth/login).*$"))


def _small_targets(page, selector):
    return page.evaluate("""(sel) => [...document.querySelectorAll(sel)]
        .filter(e => e.offsetParent !== null)
        .map(e => [e.textContent.trim().slice(0, 20), e.getBoundingClientRect().height])
        .filter(([, h]) => h < 44)""", selector)


def _tick_isolation(page, answers):
    for n, answer in enumerate(answers, start=1):
        page.check(f"input[name=q{n}][value='{answer}']")


def test_a_coordinator_enters_counts_and_scores_sheets_on_a_phone(browser, server, caplog):
    caplog.set_level(logging.DEBUG)
    context, outside, sent = _context(browser, server, 390, 844, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    hid = server["house"]
    try:
        _login(page, server, "coord")
        page.goto(f"{server['url']}/housing/{hid}/counts")
        page.fill("input[name=evaluation_month]", "2024-04")
        page.fill("input[name=total]", "16")
        page.fill("input[name=continuing]", "14")
        page.fill("input[name=exit_facility]", "3")
        assert "A와 B + C가 다릅니다" in page.locator("#retention-form p.sum").inner_text()  # seen before sending
        page.fill("input[name=exit_facility]", "2")
        assert "A = B + C 맞음" in page.locator("#retention-form p.sum").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shot(page, "housing-counts-phone")
        page.click("#retention-form button.primary")
        page.wait_for_url(re.compile(r"/indicators\?evaluation=2024-04#retention"))
        assert "87.5%" in page.locator("#retention .figure").inner_text()
        page.goto(f"{server['url']}/housing/{hid}/counts")
        for year, (a, b, h) in ((2023, (16, 4, 3)), (2024, (17, 2, 3))):
            form = page.locator(f"#year-{year}")
            form.locator("input[name=residents]").fill(str(a))
            form.locator("input[name=departed]").fill(str(b))
            form.locator("input[name=hospitalised]").fill(str(h))
            form.locator("button.primary").click()
            page.wait_for_url(re.compile(rf"/counts#year-{year}"))
        assert "주거이탈률 25.0%" in page.locator("#year-2023").inner_text()

        # One resident's isolation sheet: big targets, scored, shown once.
        page.goto(f"{server['url']}/housing/{hid}/sheets?instrument=isolation&wave=pre")
        assert not _small_targets(page, "form.sheet label.inline, form.sheet button, nav.tabs a")
        _tick_isolation(page, WORST)
        shot(page, "housing-sheet-phone")
        page.click("form.sheet button.primary")
        scored = page.locator("section.scored")
        assert "3.0점" in scored.inner_text() and "사전 합계: 1명, 평균 3.0점" in scored.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shot(page, "housing-sheet-scored-phone")
        assert not page.locator("input[name=q1]:checked").count()  # the next sheet starts blank
        _tick_isolation(page, MIXED)
        page.click("form.sheet button.primary")
        assert "1.3점" in page.locator("section.scored").inner_text()  # (2+1+1+2+1+1)/6, truncated
        page.click("section.scored button.link")  # 확인 — the score leaves the screen
        assert not page.locator("section.scored").count()
        # the same sheet entered again on the withdraw path comes out of the wave
        page.click("text=잘못 더한 응답지나 기준월 전 퇴거자의 응답지 빼기")
        _tick_isolation(page, MIXED)
        page.click("form.sheet button.primary")
        assert "방금 뺀 응답지" in page.locator("section.scored").inner_text()
        assert "1명, 평균 3.0점" in page.locator("section.scored").inner_text()

        # AUDIT-K: sex and ten items; 남 10 points is 위험음주.
        page.goto(f"{server['url']}/housing/{hid}/sheets?instrument=audit&wave=pre")
        page.check("input[name=sex][value='남']")
        for n in range(1, 9):
            page.check(f"input[name=q{n}][value='1']")
        page.check("input[name=q9][value='2']")
        page.check("input[name=q10][value='0']")
        assert not page.locator("input[name=q9][value='1']").count()  # items 9–10 offer only 0, 2, 4
        page.click("form.sheet button.primary")
        assert "10점 — 위험음주" in page.locator("section.scored").inner_text()
        assert not _small_targets(page, "form.sheet label.inline, form.sheet button")

        page.goto(f"{server['url']}/housing/{hid}/indicators?evaluation=2024-04")
        text = page.locator("main").inner_text()
        assert "87.5%" in text and "25.0%" in text and "18.3%" in text  # 2023 and 2024 counted, 2022 not
        assert "공고 전 — 세지 않음" in text
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shot(page, "housing-indicators-phone")
    finally:
        context.close()
    assert not [u for u in outside if not u.startswith("data:")], outside
    # Nothing of a sheet in any URL the browser asked for, nor in the request log.
    words = {label for _, options in ind.ISOLATION_SCALE for label, _ in options}
    for url in sent + server["request_log"]:
        assert "q1=" not in url and not any(w in url for w in words), url
    logs = caplog.text + "\n".join(server["request_log"])
    new_words = {w for w in words if w.encode() not in server["before"]}
    assert {"다소 그렇지 않다", "3~6명", "15분~1시간"} <= new_words
    stored = b"".join(p.read_bytes() for p in server["db"].parent.glob(server["db"].name + "*") if p.is_file())
    for word in new_words:
        assert word.encode() not in stored, word
        assert word not in logs, word


def test_the_evaluator_reads_indicators_report_and_evidence_at_a_desk(browser, server):
    context, outside, _ = _context(browser, server, 1280, 900)
    page = context.new_page()
    page.set_default_timeout(15000)
    hid = server["house"]
    try:
        _login(page, server, "eval")
        page.goto(f"{server['url']}/housing/overview")
        assert "시범 지원주택" in page.locator("main").inner_text()
        page.click("text=보기")
        page.wait_for_url(re.compile(rf"/housing/{hid}/indicators"))
        assert "읽기 전용" in page.locator("main").inner_text()
        assert not page.locator("form[action*='/reasons/']").count()  # no reason forms for the city
        shot(page, "housing-indicators-desk")
        page.goto(f"{server['url']}/housing/{hid}/report?evaluation=2024-04")
        text = page.locator("body").inner_text()
        assert "87.5%" in text and "결과중심 성과지표" in text
        pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
        assert re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", pdf) == [b"1"]  # one A4 page
        shot(page, "housing-report-desk")
        page.goto(f"{server['url']}/housing/{hid}/scorecard")
        evidence = page.locator("#g19 details.evidence")
        assert "SH공사·주거안심종합센터 연계 1곳" in evidence.inner_text()
        assert "연계 기관 1곳, 의뢰 연계 1곳" in page.locator("#g15 details.evidence summary").inner_text()
        for fieldset in page.locator("fieldset.indicator-row").all()[:19]:
            radios = fieldset.locator("input[value=excellent]")
            if radios.count():
                radios.check()
        page.check("#g11 input[value=poor]")
        page.select_option("select[name=g20]", "5")
        page.click("form.scorecard button.primary")
        alert = page.locator("p.corrective")
        assert "즉시 시정조치" in alert.inner_text() and "11." in alert.inner_text()
        assert "93점" in page.locator("section.result").inner_text()
        shot(page, "housing-scorecard-desk")
        page.goto(f"{server['url']}/housing/{hid}/procedures?code=supportive_contract")
        page.fill("input[name=start]", "2025-03-01")
        page.click("form.procedure-start button.primary")
        step = page.locator("ol.steps li.step").filter(has_text="잔금 납부 및 입주")
        assert "2025-04-30까지" in step.inner_text()
        centre = page.locator("ol.steps li.step").filter(has_text="이사 날짜 협의")
        assert "노원주거안심종합센터" in centre.inner_text()
        shot(page, "housing-procedures-desk")
    finally:
        context.close()
    assert not [u for u in outside if not u.startswith("data:")], outside


def test_procedures_on_a_phone(browser, server):
    context, outside, sent = _context(browser, server, 390, 844, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        _login(page, server, "coord")
        page.goto(f"{server['url']}/housing/{server['house']}/procedures?code=supportive_exit_death")
        first = page.locator("ol.steps li.step").first
        assert [a.get_attribute("href") for a in first.locator("a.tel").all()] == ["tel:112", "tel:119"]
        page.fill("input[name=start]", "2025-06-02")
        page.click("form.procedure-start button.primary")
        assert "2025-06-02까지" in page.locator("ol.steps li.step").first.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert not _small_targets(page, "nav.chips.procedures a, ol.steps a.tel, form.procedure-start button")
        shot(page, "housing-procedures-phone")
    finally:
        context.close()
    assert not [u for u in outside if not u.startswith("data:")], outside
    assert not any("2025-06-02" in url for url in sent)  # the start day stays out of URLs
