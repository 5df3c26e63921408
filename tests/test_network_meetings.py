"""Meetings with many agencies (issue 11): one contact on each link a 통합사례회의 touches."""
import re
from datetime import date

import pytest

from directory.actors import PermissionDenied
from directory.store import connect
from network.contacts import ContactError, link_frequency, list_contacts, log_contact, meeting_kinds
from network.graph import build_graph, complex_node

from .conftest import TEST_PASSWORD

END_2025 = date(2025, 12, 31)  # the day the 12-month window ends in these tests


def _complex(db, name):
    return db.execute("SELECT id FROM complexes WHERE name = ?", [name]).fetchone()[0]


def _partners(db, complex_id, n):
    """(agency ids, link ids) of `n` partners of a complex."""
    rows = db.execute("SELECT agency_id, id FROM links WHERE complex_id = ? ORDER BY agency_id LIMIT ?",
                      [complex_id, n]).fetchall()
    assert len(rows) == n
    return [r[0] for r in rows], [r[1] for r in rows]


def _count(db, link_id):
    return db.execute("SELECT count(*) FROM contacts WHERE link_id = ?", [link_id]).fetchone()[0]


def test_one_case_conference_adds_one_contact_to_each_of_seven_links(demo_db):
    e = _complex(demo_db, "E")
    agencies, links = _partners(demo_db, e, 7)
    others = [r[0] for r in demo_db.execute("SELECT id FROM links WHERE complex_id = ? AND id NOT IN (%s)"
                                            % ",".join("?" * 7), [e, *links])]
    logged = log_contact(demo_db, [e], agencies, "2025-03-04", kind="통합사례회의", note="사례 회의 1차")
    assert sorted(logged["links"]) == sorted(links) and len(logged["contacts"]) == 7
    assert logged["event"]["kind"] == "case_conference" and logged["event"]["content_type"] == "meetings"
    assert [_count(demo_db, link) for link in links] == [1] * 7
    assert all(_count(demo_db, link) == 0 for link in others)
    participants = demo_db.execute("SELECT count(complex_id), count(agency_id) FROM contact_participants "
                                   "WHERE event_id = ?", [logged["event"]["id"]]).fetchone()
    assert participants == (1, 7)
    log = list_contacts(demo_db, link_id=links[0])
    assert (log[0]["kind_name"], log[0]["event_agencies"], log[0]["content_name"]) == \
        ("통합사례회의", 7, "정기·비정기 모임")


def test_six_meetings_a_year_give_each_link_연6회_and_twelve_give_수시(demo_db):
    e = _complex(demo_db, "E")
    agencies, links = _partners(demo_db, e, 7)
    # The log began before the window (December 2024), so it covers the year and its level counts.
    log_contact(demo_db, [e], agencies, "2024-12-16", kind="case_conference")
    for month in (1, 3, 5, 7, 9, 11):
        log_contact(demo_db, [e], agencies, date(2025, month, 20), kind="통합사례회의")
    for link in links:
        freq = link_frequency(demo_db, link, today=END_2025)
        assert (freq["contacts_12m"], freq["mark"], freq["label"], freq["source"]) == (6, "◒", "연 6회 이상", "log")
    G = build_graph(demo_db, today=END_2025)
    assert {G.edges[complex_node(e), f"a:{a}"]["level"] for a in agencies} == {3}
    for month in (2, 4, 6, 8, 10, 12):
        log_contact(demo_db, [e], agencies, date(2025, month, 8), kind="통합사례회의")
    for link in links:
        freq = link_frequency(demo_db, link, today=END_2025)
        assert (freq["contacts_12m"], freq["mark"], freq["label"]) == (12, "●", "수시")


def test_six_meetings_without_a_year_of_log_keep_the_hand_set_level(demo_db):
    e = _complex(demo_db, "E")
    agencies, links = _partners(demo_db, e, 7)
    manual = {link: demo_db.execute("SELECT frequency_level FROM links WHERE id = ?", [link]).fetchone()[0]
              for link in links}
    for month in (1, 3, 5, 7, 9, 11):
        log_contact(demo_db, [e], agencies, date(2025, month, 20), kind="통합사례회의")
    for link in links:
        freq = link_frequency(demo_db, link, today=END_2025)
        assert (freq["level"], freq["contacts_12m"], freq["source"]) == (manual[link], 6, "manual")


def test_a_meeting_of_several_complexes_touches_each_ones_links(demo_db):
    a, b = _complex(demo_db, "A"), _complex(demo_db, "B")
    (a_agencies, a_links), (b_agencies, b_links) = _partners(demo_db, a, 3), _partners(demo_db, b, 2)
    # A 지역사회보장협의체 meeting both complexes attended, with three of A's partners and two of B's:
    # each agency's link with the complex it works with gets the contact, no other pair.
    logged = log_contact(demo_db, [a, b], [*a_agencies, *b_agencies], "2025-06-02", kind="council")
    assert sorted(logged["links"]) == sorted(a_links + b_links)
    assert [_count(demo_db, link) for link in a_links + b_links] == [1] * 5
    assert demo_db.execute("SELECT count(*) FROM contact_participants WHERE event_id = ?",
                           [logged["event"]["id"]]).fetchone()[0] == 7


@pytest.mark.parametrize("change, message", [
    ({"agencies": []}, "하나 이상"),
    ({"kind": "회식"}, "알 수 없는 모임 종류"),
    ({"note": "김철수씨 참석"}, "개인정보"),
    ({"date": "2025-02-30"}, "날짜 형식"),
    ({"stranger": True}, "연계 기관이 아닙니다"),
])
def test_bad_meetings_are_refused_and_nothing_stored(demo_db, change, message):
    e = _complex(demo_db, "E")
    agencies, _ = _partners(demo_db, e, 3)
    if change.get("stranger"):
        agencies.append(demo_db.execute("SELECT id FROM agencies WHERE id NOT IN (SELECT agency_id FROM links "
                                        "WHERE complex_id = ?) LIMIT 1", [e]).fetchone()[0])
    before = demo_db.execute("SELECT count(*) FROM contacts").fetchone()[0]
    with pytest.raises(ContactError, match=message):
        log_contact(demo_db, [e], change.get("agencies", agencies), change.get("date", "2025-02-03"),
                    kind=change.get("kind"), note=change.get("note"))
    assert demo_db.execute("SELECT count(*) FROM contacts").fetchone()[0] == before
    assert demo_db.execute("SELECT count(*) FROM contact_events").fetchone()[0] == 0


def test_a_worker_cannot_log_for_another_complex(demo_db):
    from directory.accounts import create_user, get_user

    a, b = _complex(demo_db, "A"), _complex(demo_db, "B")
    user = get_user(demo_db, create_user(demo_db, "w-a", "password-w-1", "worker", complexes=["A"]).id)
    agencies, _ = _partners(demo_db, a, 2)
    with pytest.raises(PermissionDenied):
        log_contact(demo_db, [a, b], agencies, "2025-02-03", actor=user)


def test_meeting_kinds_are_data():
    kinds = {k["name"]: k for k in meeting_kinds()}
    assert kinds["통합사례회의"]["content_type"] == "meetings" and kinds["통합사례회의"]["regular"]
    assert "지역사회보장협의체 회의" in kinds


def _login(client, username, password=TEST_PASSWORD):
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/auth/login").get_data(as_text=True))[1]
    client.post("/auth/login", data={"username": username, "password": password, "csrf_token": token})


def test_the_contact_form_takes_several_agencies(client, store, tokens):
    a = _complex(store, "A")
    agencies, links = _partners(store, a, 4)
    _login(client, "lead")
    page = client.get(f"/complexes/{a}/edit/").get_data(as_text=True)
    assert page.count('name="contact_agency"') >= 4 and "통합사례회의" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    response = client.post(f"/complexes/{a}/edit/contacts", data={
        "csrf_token": token, "contact_agency": [str(x) for x in agencies], "contact_date": "2025-04-01",
        "kind": "case_conference", "note": "사례 회의"})
    assert response.status_code == 302
    assert [_count(store, link) for link in links] == [1, 1, 1, 1]
    page = client.get(f"/complexes/{a}/edit/").get_data(as_text=True)
    assert "기관 4곳" in page
    # Nothing ticked: the form comes back with the message.
    response = client.post(f"/complexes/{a}/edit/contacts", data={"csrf_token": token, "note": "사례 회의"})
    assert response.status_code == 400 and "사례 회의" in response.get_data(as_text=True)


def test_the_api_takes_a_shared_contact(client, store, tokens):
    a = _complex(store, "A")
    agencies, links = _partners(store, a, 3)
    body = {"complex_ids": [a], "agency_ids": agencies, "contact_date": "2025-04-01", "kind": "통합사례회의"}
    response = client.post("/api/contacts", json=body, headers=tokens["lead"])
    assert response.status_code == 201, response.get_json()
    assert sorted(response.get_json()["links"]) == sorted(links)
    assert client.post("/api/contacts", json=body, headers=tokens["worker"]).status_code == 403  # B's worker
    assert client.post("/api/contacts", json={**body, "agency_ids": "1"}, headers=tokens["lead"]).status_code == 400


def test_cli_contact_add_takes_several_agencies(runner, demo_db_path, tmp_path):
    import shutil

    from cli import main

    path = tmp_path / "cli.db"
    shutil.copy(demo_db_path, path)
    db = connect(path)
    e = _complex(db, "E")
    agencies, links = _partners(db, e, 3)
    db.conn.close()
    args = ["--db", str(path), "contact", "add", "--complex", "E", "--date", "2025-05-01", "--kind", "통합사례회의"]
    for agency in agencies:
        args += ["--agency", str(agency)]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "연계 3건" in result.output
    db = connect(path)
    assert [_count(db, link) for link in links] == [1, 1, 1]
    listed = runner.invoke(main, ["--db", str(path), "contact", "list", "--complex", "E"])
    assert "통합사례회의 (기관 3곳)" in listed.output
