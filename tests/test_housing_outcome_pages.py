"""A house's outcome pages: counts, sheets one at a time, reasons, indicators, scorecard with evidence, report."""
from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest

from directory import accounts, editing, sites
from directory import indicators as ind
from network.contacts import add_contact
from network.links import set_link
from tests.conftest import TEST_PASSWORD

BEST = ["거의 그렇지 않다", "거의 그렇지 않다", "매우 그렇다", "매우 그렇다", "7명 이상", "1시간 이상"]
WORST = ["매우 그렇다", "매우 그렇다", "거의 그렇지 않다", "거의 그렇지 않다", "0명", "전혀 안 함"]


@pytest.fixture
def house(store):
    """A house with the manual's example agreement ('22.7–'24.7, notice '23.2) and one 정신건강복지센터 partner."""
    row = sites.create_site(store, {"name": "시범 지원주택", "capacity": 18, "target_group": "정신질환 여성노숙인",
                                    "operator": "SH", "address": "서울특별시 노원구 동일로 1414"})
    agency = store.execute("SELECT id FROM agencies WHERE type = '정신건강복지센터' AND sigungu = '노원구' "
                           "AND lat IS NOT NULL LIMIT 1").fetchone()[0]
    set_link(store, row["id"], agency, 5, ["information"])
    sites.add_agreement(store, row["id"], "2022-07-01", "2024-07-31", notice_date="2023-02-01")
    return row


@pytest.fixture
def people(store, house, cheap_hashes):
    make = accounts.create_user
    rental = store.execute("SELECT id FROM complexes WHERE name = 'A'").fetchone()[0]
    return {
        "coordinator": make(store, "coord", TEST_PASSWORD, "worker", complexes=[house["id"]]),
        "supervisor": make(store, "super", TEST_PASSWORD, "team_lead", complexes=[house["id"]]),
        "evaluator": make(store, "eval", TEST_PASSWORD, "planner", districts=["서울특별시"]),
        "busan": make(store, "busan", TEST_PASSWORD, "planner", districts=["부산광역시"]),
        "rental_worker": make(store, "rental", TEST_PASSWORD, "worker", complexes=[rental]),
    }


def _csrf(client, url):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


def _as(app, people, who):
    client = app.test_client()
    token = _csrf(client, "/auth/login")
    response = client.post("/auth/login", data={"username": people[who].username, "password": TEST_PASSWORD,
                                                "csrf_token": token})
    assert response.status_code == 302
    return client


def _text(response) -> str:
    """The page's visible words, tags stripped, spaces folded."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.get_data(as_text=True), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


def _sheet_form(client, house_id, instrument="isolation", wave="pre", withdraw=False):
    url = f"/housing/{house_id}/sheets{'/withdraw' if withdraw else ''}?instrument={instrument}&wave={wave}"
    response = client.get(url)
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    once = re.search(r'name="once" value="([^"]+)"', html).group(1)
    return {"csrf_token": token, "once": once, "instrument": instrument, "wave": wave}


def _post_sheet(client, house_id, answers, *, instrument="isolation", wave="pre", sex=None, withdraw=False,
                extra=None):
    form = _sheet_form(client, house_id, instrument, wave, withdraw)
    form.update({f"q{i}": str(a) for i, a in enumerate(answers, start=1)}, **(extra or {}))
    if sex:
        form["sex"] = sex
    url = f"/housing/{house_id}/sheets{'/withdraw' if withdraw else ''}"
    return client.post(url, data=form)


def _retention_form(**counts):
    return {"evaluation_month": "2024-04", "total": "16", "continuing": "14", "exit_independent": "0",
            "exit_facility": "2", "exit_death": "0", "exit_absconded": "0", "exit_prison": "0", **counts}


# --- who may do what ------------------------------------------------------------------------

PAGES = ["indicators", "report", "staffing", "scorecard", "committee", "counts", "sheets", "sheets/withdraw"]
EXPECTED = {
    "coordinator": [200] * 8,
    "supervisor": [200] * 8,
    "evaluator": [200, 200, 200, 200, 200, 403, 403, 403],  # the city reads every house and writes nothing
    "busan": [403] * 8,
    "rental_worker": [403] * 8,
}


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_outcome_pages_by_role(app, people, house, who):
    client = _as(app, people, who)
    assert [client.get(f"/housing/{house['id']}/{p}").status_code for p in PAGES] == EXPECTED[who]


def test_the_evaluator_cannot_post_counts_sheets_or_reasons(app, people, house, store):
    evaluator = _as(app, people, "evaluator")
    token = _csrf(evaluator, f"/housing/{house['id']}/indicators")
    hid = house["id"]
    for url, data in ((f"/housing/{hid}/counts", _retention_form()),
                      (f"/housing/{hid}/counts/years/2023", {"residents": "16"}),
                      (f"/housing/{hid}/sheets", {"instrument": "isolation", "wave": "pre"}),
                      (f"/housing/{hid}/reasons/retention", {"reason": "설명"})):
        assert evaluator.post(url, data={"csrf_token": token, **data}).status_code == 403
    for table in ("outcome_retention", "outcome_years", "outcome_isolation_waves", "outcome_reasons"):
        assert store[table].count == 0
    page = _text(evaluator.get(f"/housing/{hid}/indicators"))
    assert "읽기 전용" in page and "사유 저장" not in page
    overview = _text(evaluator.get("/housing/overview"))
    assert house["name"] in overview and "보고서" in overview


# --- counts ---------------------------------------------------------------------------------


def test_retention_counts_give_the_manuals_87_5_and_refuse_a_sum_that_does_not_add_up(app, people, house, store):
    client = _as(app, people, "coordinator")
    url = f"/housing/{house['id']}/counts"
    bad = client.post(url, data={"csrf_token": _csrf(client, url), **_retention_form(exit_facility="3")})
    page = _text(bad)
    assert bad.status_code == 400 and "합(17명)과 같아야 합니다" in page
    assert 'name="exit_facility" inputmode="numeric" pattern="[0-9]*" maxlength="6" value="3"' in \
        bad.get_data(as_text=True)  # what was typed comes back
    assert store["outcome_retention"].count == 0
    good = client.post(url, data={"csrf_token": _csrf(client, url), **_retention_form()})
    assert good.status_code == 302 and "evaluation=2024-04" in good.headers["Location"]
    page = _text(client.get(good.headers["Location"]))
    assert "87.5% 목표 충족" in page and "= B 14 ÷ A 16 × 100" in page
    # a second entry of the same month is an update of the same row, not a second row
    again = client.post(url, data={"csrf_token": _csrf(client, url), **_retention_form(continuing="11",
                                                                                        exit_facility="5")})
    assert again.status_code == 302 and store["outcome_retention"].count == 1
    page = _text(client.get(f"/housing/{house['id']}/indicators?evaluation=2024-04"))
    assert "68.7% 목표 미달" in page and "주거유지율이 70% 미만입니다" in page


def test_year_counts_start_in_the_notices_year(app, people, house, store):
    client = _as(app, people, "supervisor")
    url = f"/housing/{house['id']}/counts"
    refused = client.post(f"/housing/{house['id']}/counts/years/2022",
                          data={"csrf_token": _csrf(client, url), "residents": "12", "departed": "1"})
    assert refused.status_code == 400 and "2023년부터 기록하세요" in _text(refused)
    page = _text(client.get(url))
    assert "1차 연도 (2022)" in page and "성과지표 적용 공고 전 해라 세지 않습니다" in page
    for year, (a, b, h) in ((2023, (16, 4, 3)), (2024, (17, 2, 3))):
        response = client.post(f"/housing/{house['id']}/counts/years/{year}",
                               data={"csrf_token": _csrf(client, url), "residents": a, "departed": b,
                                     "hospitalised": h, "version": "0"})
        assert response.status_code == 302
    assert store["outcome_years"].count == 2
    page = _text(client.get(f"/housing/{house['id']}/indicators?evaluation=2024-04"))
    assert "2차 연도 (2023) 2023-01-01 ~ 2023-12-31 16명 4명 25.0%" in page
    assert "3차 연도 (2024) 2024-01-01 ~ 2024-03-31 17명 2명 11.7%" in page
    assert "16명 3명 18.7%" in page and "17명 3명 17.6%" in page
    assert "1차 연도 (2022) 2022-07-01 ~ 2022-12-31 공고 전 — 세지 않음" in page


def test_three_counted_years_give_the_manuals_means(app, people, store):
    site = sites.create_site(store, {"name": "세 해 지원주택", "capacity": 20})
    sites.add_agreement(store, site["id"], "2022-03-01", "2025-02-28", notice_date="2022-02-01")
    coordinator = accounts.create_user(store, "three", TEST_PASSWORD, "worker", complexes=[site["id"]])
    client = _as(app, {"c": coordinator}, "c")
    url = f"/housing/{site['id']}/counts"
    for year, (a, b, h) in zip((2022, 2023, 2024), ((16, 4, 3), (17, 2, 3), (17, 2, 2))):
        assert client.post(f"{url}/years/{year}", data={"csrf_token": _csrf(client, url), "residents": a,
                                                        "departed": b, "hospitalised": h}).status_code == 302
    page = _text(client.get(f"/housing/{site['id']}/indicators?evaluation=2024-12"))
    departure = page[page.index("② 주거이탈률"):page.index("③ 정신병원 입원율")]
    hospital = page[page.index("③ 정신병원 입원율"):page.index("④")]
    assert [m for m in re.findall(r"(\d+\.\d)%", departure)] == ["25.0", "11.7", "11.7", "16.1"]
    assert [m for m in re.findall(r"(\d+\.\d)%", hospital)] == ["18.7", "17.6", "11.7", "16.0"]
    assert "주거이탈률이 높아졌습니다" not in page  # 25.0 → 11.7 → 11.7 never rose
    assert "정신병원 입원율이 높아졌습니다" not in page


# --- sheets ---------------------------------------------------------------------------------


def test_a_sheet_is_scored_shown_once_and_only_its_wave_kept(app, people, house, store):
    client = _as(app, people, "coordinator")
    response = _post_sheet(client, house["id"], BEST)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = _text(response)
    assert "방금 입력한 응답지 0.0점" in page and "사전 합계: 1명, 평균 0.0점" in page
    assert 'checked' not in response.get_data(as_text=True).split('name="q1"')[1].split(">")[0]  # next sheet blank
    response = _post_sheet(client, house["id"], WORST)
    assert "방금 입력한 응답지 3.0점" in _text(response) and "2명, 평균 1.5점" in _text(response)
    # the score is not shown again on the next page
    assert "방금 입력한 응답지" not in _text(client.get(f"/housing/{house['id']}/sheets"))
    assert store.execute("SELECT n, item_sum FROM outcome_isolation_waves").fetchall() == [(2, 18)]


def test_a_reload_cannot_enter_the_same_sheet_twice(app, people, house, store):
    client = _as(app, people, "coordinator")
    form = _sheet_form(client, house["id"])
    form.update({f"q{i}": a for i, a in enumerate(WORST, start=1)})
    assert client.post(f"/housing/{house['id']}/sheets", data=form).status_code == 200
    replay = client.post(f"/housing/{house['id']}/sheets", data=form)  # the browser's "resubmit"
    assert replay.status_code == 409 and "두 번 더해지지 않게" in _text(replay)
    assert store.execute("SELECT n FROM outcome_isolation_waves").fetchone()[0] == 1


def test_a_sheet_with_an_item_missing_comes_back_with_its_answers(app, people, house, store):
    client = _as(app, people, "coordinator")
    response = _post_sheet(client, house["id"], WORST[:4] + ["", WORST[5]])
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "외로움과 사회적 고립 척도 문항 5의 응답이 비어 있습니다" in _text(response)
    assert re.search(r'name="q1" value="매우 그렇다" required\s+checked', html)
    assert store["outcome_isolation_waves"].count == 0


def test_audit_k_on_the_form_bands_by_sex_and_refuses_1_on_items_9_and_10(app, people, house, store):
    client = _as(app, people, "coordinator")
    ten = [1] * 8 + [2, 0]  # 10 points
    assert "10점 — 위험음주" in _text(_post_sheet(client, house["id"], ten, instrument="audit", sex="남"))
    assert "10점 — 알코올 사용장애" in _text(_post_sheet(client, house["id"], ten, instrument="audit", sex="여"))
    five = [1] * 5 + [0] * 5
    page = _text(_post_sheet(client, house["id"], five, instrument="audit", sex="여"))
    assert "5점 — 정상음주" in page and "3명, 위험음주자 2명 (66.6%)" in page
    refused = _post_sheet(client, house["id"], [0] * 8 + [1, 0], instrument="audit", sex="남")
    assert refused.status_code == 400 and "0, 2, 4" in _text(refused)
    no_sex = _post_sheet(client, house["id"], ten, instrument="audit")
    assert no_sex.status_code == 400
    row = store.execute("SELECT male_risk, female_disorder, female_normal, male_normal FROM outcome_audit_waves") \
        .fetchone()
    assert tuple(row) == (1, 1, 1, 0)


def test_withdraw_enters_the_same_sheet_again(app, people, house, store):
    client = _as(app, people, "coordinator")
    _post_sheet(client, house["id"], BEST)
    _post_sheet(client, house["id"], WORST)
    page = _text(client.get(f"/housing/{house['id']}/sheets/withdraw"))
    assert "처음 입력한 그대로 다시 입력하면" in page
    response = _post_sheet(client, house["id"], WORST, withdraw=True)
    assert response.status_code == 200 and "방금 뺀 응답지 3.0점" in _text(response)
    assert store.execute("SELECT n, item_sum FROM outcome_isolation_waves").fetchall() == [(1, 0)]
    # a sheet that was never entered cannot be taken out below nothing
    _post_sheet(client, house["id"], BEST, withdraw=True)
    refused = _post_sheet(client, house["id"], BEST, withdraw=True)
    assert refused.status_code == 400 and store.execute("SELECT n FROM outcome_isolation_waves").fetchone()[0] == 0
    entries = [json.loads(a) for (a,) in store.execute("SELECT after FROM audit_log WHERE action = 'withdraw-sheets'")]
    assert entries and all(set(e) == {"instrument", "wave", "sheets", "agreement_id"} for e in entries)


def test_social_and_drinking_changes_reach_the_indicators_page(app, people, house):
    client = _as(app, people, "coordinator")
    for answers in (WORST, WORST, BEST):  # 사전 (3 + 3 + 0) / 3 = 2.0
        _post_sheet(client, house["id"], answers)
    for answers in (WORST, BEST, BEST):  # 사후 1.0
        _post_sheet(client, house["id"], answers, wave="post")
    risky, normal = [4] * 8 + [4, 4], [0] * 10
    for i in range(12):
        _post_sheet(client, house["id"], risky if i < 6 else normal, instrument="audit", sex="남")
    for i in range(14):
        _post_sheet(client, house["id"], risky if i < 5 else normal, instrument="audit", sex="남", wave="post")
    page = _text(client.get(f"/housing/{house['id']}/indicators"))
    assert "사전 3명 2.0 사후 3명 1.0" in page and "변화 점수 (사후 − 사전): -1.0 긍정적 (감소)" in page
    assert "사전 12명 6명" in page and "50.0%" in page and "사후 14명 5명" in page and "35.7%" in page
    assert "위험 음주율 개선도 (사후 − 사전): -14.3%p 긍정적 (감소)" in page


# --- reasons --------------------------------------------------------------------------------


def test_a_reason_with_personal_data_is_refused_and_kept_on_screen(app, people, house, store):
    client = _as(app, people, "coordinator")
    url = f"/housing/{house['id']}/indicators"
    response = client.post(f"/housing/{house['id']}/reasons/retention",
                           data={"csrf_token": _csrf(client, url), "reason": "김철수 입원 010-2345-6789"})
    assert response.status_code == 400 and "개인정보" in _text(response)
    assert "김철수 입원 010-2345-6789</textarea>" in response.get_data(as_text=True)
    assert store["outcome_reasons"].count == 0
    saved = client.post(f"/housing/{house['id']}/reasons/retention",
                        data={"csrf_token": _csrf(client, url), "reason": "고령 입주민의 요양시설 입소", "version": "0"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith("#retention")
    assert "고령 입주민의 요양시설 입소</textarea>" in client.get(url).get_data(as_text=True)
    assert "고령 입주민의 요양시설 입소" in _text(client.get(f"/housing/{house['id']}/report"))
    removed = client.post(f"/housing/{house['id']}/reasons/retention",
                          data={"csrf_token": _csrf(client, url), "reason": "", "version": "1"})
    assert removed.status_code == 302 and store["outcome_reasons"].count == 0


def test_a_house_without_a_notice_says_why_there_are_no_indicators(app, people, store, cheap_hashes):
    site = sites.create_site(store, {"name": "공고 전 지원주택", "capacity": 10})
    sites.add_agreement(store, site["id"], "2024-01-01", "2026-01-01")
    user = accounts.create_user(store, "early", TEST_PASSWORD, "worker", complexes=[site["id"]])
    client = _as(app, {"u": user}, "u")
    for page in ("indicators", "counts", "sheets", "report"):
        response = client.get(f"/housing/{site['id']}/{page}")
        assert response.status_code == 200 and "성과지표 적용 공고일이 없습니다" in _text(response), page


# --- staffing, scorecard, committee ----------------------------------------------------------


def test_staffing_page_starts_from_the_house_and_checks_the_staff(app, people, house):
    client = _as(app, people, "evaluator")
    page = _text(client.get(f"/housing/{house['id']}/staffing"))
    assert "코디네이터 3명" in page and "수퍼바이저 1명 권고" in page  # 정원 18, 정신질환
    page = _text(client.get(f"/housing/{house['id']}/staffing?alcohol=20&coordinators=3&supervisors=0"))
    assert "코디네이터 4명" in page and "코디네이터 1명 부족" in page and "수퍼바이저가 없습니다" in page
    bad = client.get(f"/housing/{house['id']}/staffing?mental_illness=열여덟")
    assert bad.status_code == 400


def _all_excellent():
    return {f"g{i.number}": "excellent" for i in ind.evaluation_indicators() if i.scale == "grade"} | {"g20": "5"}


def test_scorecard_all_excellent_is_100_x_refuses_average_mandatory_poor_flags(app, people, house):
    client = _as(app, people, "evaluator")  # the evaluator computes; nothing is stored
    url = f"/housing/{house['id']}/scorecard"
    page = _text(client.post(url, data={"csrf_token": _csrf(client, url), **_all_excellent()}))
    assert "100점 / 100" in page and "즉시 시정조치 —" not in page
    html = client.get(url).get_data(as_text=True)
    assert 'name="g4" value="average"' not in html and "보통 X" in _text(client.get(url))
    refused = client.post(url, data={"csrf_token": _csrf(client, url), **_all_excellent(), "g4": "average"})
    assert refused.status_code == 400 and "'보통'이 없습니다" in _text(refused)
    flagged = _text(client.post(url, data={"csrf_token": _csrf(client, url), **_all_excellent(), "g11": "poor"}))
    assert "즉시 시정조치 — 필수 지표 미흡: 11. 입주자 개인별 서비스 계획 수립 여부" in flagged
    assert "93점 / 100" in flagged
    optional_poor = _text(client.post(url, data={"csrf_token": _csrf(client, url), **_all_excellent(),
                                                 "g15": "poor"}))
    assert "즉시 시정조치 —" not in optional_poor


def test_scorecard_shows_the_links_evidence_for_15_and_19(app, people, house, store):
    client = _as(app, people, "coordinator")
    url = f"/housing/{house['id']}/scorecard"
    page = _text(client.get(url))
    assert "연계 기관 1곳, 의뢰 연계 0곳" in page and "SH공사·주거안심종합센터 연계 없음" in page
    centre = editing.create_agency(store, {"name": "노원주거안심종합센터", "type": "주거안심종합센터",
                                           "sido": "서울특별시", "sigungu": "노원구", "lat": 37.65, "lon": 127.06})
    link = set_link(store, house["id"], centre["id"], 3, ["referral"])
    from datetime import date, timedelta

    for days in (10, 40, 400):
        add_contact(store, link["id"], date.today() - timedelta(days=days), "referral")
    page = _text(client.get(url))
    assert "연계 기관 2곳, 의뢰 연계 1곳" in page
    assert "최근 12개월: 연락 2회, 대상자·서비스 의뢰 2회" in page
    assert "SH공사·주거안심종합센터 연계 1곳, 최근 12개월 연락 2회" in page and "노원주거안심종합센터" in page


def test_committee_drops_the_highest_and_the_lowest(app, people, house):
    client = _as(app, people, "evaluator")
    url = f"/housing/{house['id']}/committee"
    scores = dict(zip((f"m{i}" for i in range(1, 10)), ("70", "80", "80", "80", "80", "80", "80", "80", "100")))
    page = _text(client.post(url, data={"csrf_token": _csrf(client, url), **scores}))
    assert "80.0점" in page and "최고 100점, 최저 70점 제외" in page
    assert "위원 9 최고점 제외" in page and "위원 1 최저점 제외" in page
    short = client.post(url, data={"csrf_token": _csrf(client, url), **{**scores, "m9": ""}})
    assert short.status_code == 400


# --- the report -----------------------------------------------------------------------------


def test_the_report_has_the_manuals_tables(app, people, house):
    client = _as(app, people, "coordinator")
    url = f"/housing/{house['id']}/counts"
    client.post(url, data={"csrf_token": _csrf(client, url), **_retention_form()})
    for year, (a, b, h) in ((2023, (16, 4, 3)), (2024, (17, 2, 3))):
        client.post(f"{url}/years/{year}", data={"csrf_token": _csrf(client, url), "residents": a, "departed": b,
                                                 "hospitalised": h})
    _post_sheet(client, house["id"], WORST)
    page = _text(_as(app, people, "evaluator").get(f"/housing/{house['id']}/report?evaluation=2024-04"))
    assert "2022-07-01 ~ 2024-03-31 18 16 14 0 2 0 0 0 2 87.5% 충족" in page
    assert "2차 연도 23.01~23.12 16 4 25.0%" in page and "평균 18.3%" in page
    assert "1차 연도 22.07~22.12 공고 전 — 세지 않음" in page
    assert "사전 1 3.0" in page and "성과지표 적용 공고일 2023-02-01" in page


# --- nothing of a sheet is kept ----------------------------------------------------------------

NAMES = ["김하늘", "박서준", "이보람", "최민호", "정다은"]
BIRTHS = ["1957-03-14", "1962-11-02", "1949-07-30", "1971-01-19", "1966-05-08"]


def test_after_20_sheets_through_the_form_no_answer_name_or_birth_date_is_stored_or_logged(
        app, people, house, store, caplog):
    caplog.set_level(logging.DEBUG)
    path = Path(app.config["DATABASE"])
    words = {label for _, options in ind.ISOLATION_SCALE for label, _ in options} - {"0명", "7명 이상"}
    before = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*") if p.is_file())
    words = {w for w in words if w.encode() not in before}  # what the demo store already holds proves nothing
    assert {"다소 그렇지 않다", "3~6명", "15분~1시간"} <= words
    # A request log as a front server writes one: the request line of every request.
    logged = []
    inner = app.wsgi_app

    def request_log(environ, start_response):
        line = f'{environ["REQUEST_METHOD"]} {environ["PATH_INFO"]}?{environ.get("QUERY_STRING", "")}'
        logged.append(line)
        logging.getLogger("request").info(line)
        return inner(environ, start_response)

    app.wsgi_app = request_log
    client = _as(app, people, "coordinator")
    options = [[label for label, _ in item[1]] for item in ind.ISOLATION_SCALE]
    for i in range(20):
        who = {"이름": NAMES[i % 5], "name": NAMES[i % 5], "생년월일": BIRTHS[i % 5], "birth": BIRTHS[i % 5]}
        if i % 2:
            answers = [options[k][(i + k) % 4] for k in range(6)]
            response = _post_sheet(client, house["id"], answers, wave=("pre", "post")[i % 4 // 2], extra=who)
        else:
            answers = [(i + k) % 5 for k in range(8)] + [(i % 3) * 2, ((i + 1) % 3) * 2]
            response = _post_sheet(client, house["id"], answers, instrument="audit", sex="남여"[i % 4 // 2],
                                   extra=who)
        assert response.status_code == 200, _text(response)
    _post_sheet(client, house["id"], [options[k][(1 + k) % 4] for k in range(6)], wave="pre", withdraw=True)
    assert store.execute("SELECT sum(n) FROM outcome_isolation_waves").fetchone()[0] == 9
    cookie = client.get_cookie("session")
    session = app.session_interface.get_signing_serializer(app).loads(cookie.value)
    assert set(session) <= {"csrf_token", "lang", "_fresh", "_id", "_user_id", "sheet_tokens", "_flashes"}
    assert all(re.fullmatch(r"[\w-]{20,}", t) for t in session.get("sheet_tokens", []))
    files = [p for p in path.parent.glob(path.name + "*") if p.is_file()]
    assert any(p.name.endswith("-wal") for p in files)  # the write-ahead log is read, before a checkpoint
    stored = b"".join(p.read_bytes() for p in files)
    store.conn.close()  # and the file after the checkpoint folds the WAL into it
    stored += path.read_bytes()
    text_logs = caplog.text + "\n".join(logged)
    assert len(logged) > 40 and all("q1" not in line and "이름" not in line for line in logged)
    for secret in [*NAMES, *BIRTHS, *sorted(words)]:
        assert secret.encode() not in stored, secret
        assert secret not in text_logs, secret
