"""The complex dashboard, its printable report, and the district pages."""
import pytest

from directory.store import connect


def _id(app, name):
    db = connect(app.config["DATABASE"])
    try:
        return db.execute("SELECT id FROM complexes WHERE name = ?", [name]).fetchone()[0]
    finally:
        db.conn.close()


def test_complex_list(client):
    page = client.get("/complexes/").get_data(as_text=True)
    assert page.count('href="/complexes/') >= 6


def test_complex_dashboard(client, app):
    cid = _id(app, "C")
    response = client.get(f"/complexes/{cid}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in ("치매안심센터", "●</span> 수시", "연계 공백", "장애인복지관", "다음에 연락해 볼 기관", "연락 기록",
                 'id="map"', f'/complexes/{cid}/report', "분야 다양성"):
        assert text in page, text


def test_dashboard_shows_contact_log_and_both_levels(client, app):
    from network.contacts import add_contact

    db = connect(app.config["DATABASE"])
    link = db.execute("SELECT l.id FROM links l JOIN agencies a ON a.id = l.agency_id "
                      "WHERE l.complex_id = ? AND a.type = '치매안심센터'", [_id(app, "C")]).fetchone()[0]
    add_contact(db, link, "2026-01-05", "referral", "<b>검진</b> 의뢰")
    from directory.accounts import create_user

    create_user(db, "lead-c", "password-c-1", "team_lead", complexes=["C"])
    db.conn.close()
    # The contact log is shown to the complex's staff, its planners and admins only (issue 6).
    assert "&lt;b&gt;검진" not in client.get(f"/complexes/{_id(app, 'C')}").get_data(as_text=True)
    import re

    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/auth/login").get_data(as_text=True))[1]
    client.post("/auth/login", data={"username": "lead-c", "password": "password-c-1", "csrf_token": token})
    page = client.get(f"/complexes/{_id(app, 'C')}").get_data(as_text=True)
    assert "&lt;b&gt;검진&lt;/b&gt; 의뢰" in page  # escaped
    # One contact does not cover a year: the hand-set level stands, the count beside it (issue 11).
    assert "기록 1회" in page and "기록 기준" not in page


def test_printable_report(client, app):
    page = client.get(f"/complexes/{_id(app, 'B')}/report").get_data(as_text=True)
    assert "@media print" in page and "장애인복지관" in page and "<nav>" not in page


def test_missing_complex_is_404(client):
    assert client.get("/complexes/99999").status_code == 404
    assert client.get("/complexes/99999/report").status_code == 404


def test_districts(client):
    index = client.get("/districts/").get_data(as_text=True)
    assert "송파구" in index
    page = client.get("/districts/서울특별시/송파구").get_data(as_text=True)
    assert "단지 1곳" in page and "밀도" in page
    everything = client.get("/districts/all").get_data(as_text=True)
    # The demo: the study's 73 links, each to the real agency (or a placeholder) of its complex's 시군구.
    assert "단지 6곳 · 기관 73곳 (7개 분야) · 연계 73건" in everything
    assert "중첩" in everything
    assert client.get("/districts/서울특별시").status_code == 200


def test_districts_reproduce_the_study(tmp_path):
    """The plain study import: the study's own figures on the planner's page."""
    from web import create_app

    from . import study_store

    path = study_store.build(tmp_path / "study.db")
    client = create_app({"TESTING": True, "DATABASE": str(path), "SECRET_KEY": "test"}).test_client()
    everything = client.get("/districts/all").get_data(as_text=True)
    assert "단지 6곳 · 기관 34곳 (7개 분야) · 연계 73건" in everything
    assert client.get("/districts/없는시/없는구").status_code == 404
