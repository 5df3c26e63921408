"""The complex introduced to its partners (issue 11): what it is, what the worker does, partners and exchanges — no resident data."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from cli import main
from directory.store import connect
from network.links import find_link, get_link, set_link
from network.profile import partner_profile, profile_texts
from network.programmes import create_programme
from network.report import complex_report

from . import study_store
from .browser_support import launch, serve_app

SHOTS = Path("/tmp/yeongye-shots")
NOTE = "담당 팀장과 분기마다 통화"


@pytest.fixture(scope="module")
def study_path(tmp_path_factory):
    """The study store with content types on A's links, a note, and a programme A runs with two partners."""
    path = study_store.build(tmp_path_factory.mktemp("profile") / "study.db")
    db = connect(path)
    cid = db.execute("SELECT id FROM complexes WHERE name = 'A'").fetchone()[0]
    for kind, contents in (("정신건강복지센터", ["referral", "information"]), ("치매안심센터", ["referral"]),
                           ("사회복지관", ["resources", "programs"])):
        link = get_link(db, find_link(db, cid, kind))
        set_link(db, cid, link["agency_id"], link["frequency_level"], contents, NOTE if kind == "사회복지관" else None,
                 expected_version=link["version"])
    agencies = {kind: get_link(db, find_link(db, cid, kind))["agency_id"] for kind in ("치매안심센터", "사회복지관")}
    create_programme(db, "치매안심마을 조성", starts="2025-03-01", members=[
        {"complex_id": cid, "role": "lead"}, {"agency_id": agencies["치매안심센터"], "role": "partner"},
        {"agency_id": agencies["사회복지관"], "role": "sponsor"}])
    db.conn.close()
    return path


@pytest.fixture
def db(study_path, tmp_path):
    path = tmp_path / "study.db"
    shutil.copy(study_path, path)
    database = connect(path)
    yield database
    database.conn.close()


def test_profile_has_the_dashboards_partners_by_category_and_what_they_exchange(db):
    p = partner_profile(db, "A")
    report = complex_report(db, "A")
    assert p["complex"]["name"] == "A" and p["complex"]["kind_label"] == "영구임대주택"
    assert p["complex"]["households"] == 1998
    categories = [g["category"] for g in p["partners"]]
    order = [r[0] for r in db.execute("SELECT name FROM categories ORDER BY ord")]
    assert categories == [c for c in order if c in categories]
    shown = {a["name"]: a for g in p["partners"] for a in g["partners"]}
    assert set(shown) == {x["name"] for x in report["partners"]} and p["counts"]["partners"] == 13
    for partner in report["partners"]:  # the dashboard's own levels and contents
        assert (shown[partner["name"]]["mark"], shown[partner["name"]]["contents"]) == (
            partner["mark"], partner["content_types"])
    assert shown["정신건강복지센터"]["contents"] == ["대상자 및 서비스 의뢰", "정보 공유"]
    assert shown["치매안심센터"]["programmes"] == ["치매안심마을 조성"]
    assert {e["content"]: e["partners"] for e in p["exchanges"]} == {
        "대상자 및 서비스 의뢰": 2, "인적·물적 자원 교류": 1, "정보 공유": 1, "사업·프로그램 공동 기획": 1}
    assert p["programmes"][0]["name"] == "치매안심마을 조성"
    assert set(p["programmes"][0]["agencies"]) == {"치매안심센터", "사회복지관"}
    gaps = report["gaps"]
    assert [g["type"] for g in p["looking_for"]] == list(dict.fromkeys(
        [g["type"] for g in gaps["profile"]] + [g["type"] for g in gaps["peer"]]))[:4]
    assert [t["key"] for t in p["texts"]] == ["site", "worker", "together"]
    assert "주거복지사" in p["texts"][1]["title"]


def test_no_resident_data_reaches_the_profile(db):
    with db.conn:
        db.execute("UPDATE complexes SET resident_profile = '101동 1203호 홍길동(78세) 저장강박' WHERE name = 'A'")
    p = partner_profile(db, "A")
    assert p["residents"]["profile"] is None
    text = repr(p)
    assert "홍길동" not in text and "1203호" not in text and NOTE not in text


def test_supportive_houses_get_their_own_words():
    texts = profile_texts("supportive")
    assert [t["title"] for t in texts][:2] == ["지원주택이란", "코디네이터가 하는 일"]
    assert profile_texts(None) == profile_texts("permanent_rental")


def test_profile_page_and_cli(study_path, tmp_path, runner):
    from web import create_app

    path = tmp_path / "web.db"
    shutil.copy(study_path, path)
    client = create_app({"TESTING": True, "DATABASE": str(path), "SECRET_KEY": "t"}).test_client()
    cid = connect(path).execute("SELECT id FROM complexes WHERE name = 'A'").fetchone()[0]
    html = client.get(f"/complexes/{cid}/profile").get_data(as_text=True)
    assert "A — 협력 기관께 드리는 단지 소개" in html and "주거복지사가 하는 일" in html
    assert "치매안심마을 조성" in html and NOTE not in html
    assert html.count('<th class="cat"') == len(partner_profile(connect(path), cid)["partners"])
    assert f"/complexes/{cid}/profile" in client.get(f"/complexes/{cid}").get_data(as_text=True)
    english = client.get(f"/complexes/{cid}/profile?lang=en").get_data(as_text=True)
    assert "What a housing welfare worker does" in english
    assert client.get("/complexes/999999/profile").status_code == 404
    out = tmp_path / "A.html"
    result = runner.invoke(main, ["--db", str(path), "network", "profile", "--complex", "A", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "주거복지사가 하는 일" in out.read_text(encoding="utf-8")


playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.mark.parametrize("width", [390, 1280])
def test_profile_prints_on_one_a4_page(study_path, width):
    SHOTS.mkdir(exist_ok=True)
    from web import create_app

    app = create_app({"TESTING": True, "DATABASE": str(study_path), "SECRET_KEY": "test"})
    cid = connect(study_path).execute("SELECT id FROM complexes WHERE name = 'A'").fetchone()[0]
    with serve_app(app) as base, playwright_api.sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="ko-KR",
                                      is_mobile=width < 600, has_touch=width < 600)
        context.route(re.compile(r"^(?!" + re.escape(base) + ").*"), lambda route: route.abort())
        page = context.new_page()
        page.goto(f"{base}/complexes/{cid}/profile")
        assert page.locator("h1").inner_text() == "A — 협력 기관께 드리는 단지 소개"
        assert page.locator("#partners tbody tr").count() == 13 + 6  # partners and their category rows
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
        page.screenshot(path=str(SHOTS / f"profile-{width}.png"), full_page=True)
        pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
        assert re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", pdf) == [b"1"]
        page.emulate_media(media="print")
        assert not page.locator("p.noprint").is_visible()
        page.set_viewport_size({"width": 794, "height": 1123})  # A4 portrait at 96 dpi
        page.screenshot(path=str(SHOTS / f"profile-print-{width}.png"), full_page=True)
        browser.close()
