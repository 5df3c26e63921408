"""Frequency that respects the team lead (issue 11): the log replaces a hand-set level only once it covers a year.

One rule (`directory.frequency.decide`) decides the level; the dashboard, the
edit page, the report, the map, the export, the district page and the API all
show what it decides.
"""
import csv
import io
import re
from datetime import date, timedelta

import pytest

from directory.frequency import Scale, decide, link_levels, logged_note
from directory.store import connect
from network.contacts import add_contact, link_frequency
from network.graph import agency_node, build_graph, complex_node
from network.links import LinkError, get_link, set_link

from .conftest import TEST_PASSWORD

TODAY = date.today()


def _scale(db):
    return Scale.of(db)


@pytest.mark.parametrize("manual, basis, counts, level, source, reason", [
    (4, "auto", (0, 0, None), 4, "manual", "no_log"),
    # One logged contact: the hand-set ◕ stands.
    (4, "auto", (1, 1, (TODAY - timedelta(days=3)).isoformat()), 4, "manual", "log_short"),
    # Eleven months of log, eleven contacts: still short of a year.
    (4, "auto", (11, 11, (TODAY - timedelta(days=330)).isoformat()), 4, "manual", "log_short"),
    # The first contact is a year old: the log's count (2 in the window) decides.
    (4, "auto", (3, 2, (TODAY - timedelta(days=365)).isoformat()), 1, "log", "log_covers_year"),
    (4, "auto", (13, 12, (TODAY - timedelta(days=400)).isoformat()), 5, "log", "log_covers_year"),
    # 기록으로 계산: the team lead declares the log complete.
    (4, "log", (1, 1, (TODAY - timedelta(days=3)).isoformat()), 1, "log", "log_chosen"),
    (4, "log", (0, 0, None), 1, "log", "log_chosen"),
    # 직접 입력 유지: the hand-set level whatever the log says.
    (2, "manual", (13, 12, (TODAY - timedelta(days=400)).isoformat()), 2, "manual", "manual_chosen"),
    # No hand-set level: the log's is all there is.
    (None, "auto", (6, 6, (TODAY - timedelta(days=30)).isoformat()), 3, "log", "no_manual_level"),
    (None, "auto", (0, 0, None), None, "manual", "no_log"),
])
def test_the_rule(db, manual, basis, counts, level, source, reason):
    d = decide(_scale(db), manual, basis, counts, today=TODAY)
    assert (d["level"], d["source"], d["reason"]) == (level, source, reason)
    assert d["manual_level"] == manual and d["contacts_12m"] == counts[1]


def test_logged_note():
    assert logged_note({"source": "manual", "contacts_total": 3, "contacts_12m": 3}) == "기록 3회"
    assert logged_note({"source": "manual", "contacts_total": 0, "contacts_12m": 0}) is None


def _hand_set(db, complex_name="A", kind="치매안심센터", level=4):
    """Set a link to ◕ 연 9회 이상 by hand and log one contact on it; returns (complex id, link)."""
    cid = db.execute("SELECT id FROM complexes WHERE name = ?", [complex_name]).fetchone()[0]
    link = get_link(db, db.execute(
        "SELECT l.id FROM links l JOIN agencies a ON a.id = l.agency_id WHERE l.complex_id = ? AND a.type = ?",
        [cid, kind]).fetchone()[0])
    link = set_link(db, cid, link["agency_id"], level, link["content_types"], None, expected_version=link["version"])
    add_contact(db, link["id"], TODAY - timedelta(days=10), "referral", "검진 의뢰")
    return cid, link


def test_core_readers_agree(demo_db):
    cid, link = _hand_set(demo_db)
    freq = link_frequency(demo_db, link["id"])
    assert (freq["level"], freq["mark"], freq["source"], freq["contacts_12m"]) == (4, "◕", "manual", 1)
    assert link_levels(demo_db, [link["id"]])[link["id"]]["label"] == "연 9회 이상"
    edge = build_graph(demo_db).edges[complex_node(cid), agency_node(link["agency_id"])]
    assert (edge["level"], edge["weight"], edge["level_source"], edge["contacts_12m"]) == (4, 4.0, "manual", 1)
    # The team lead chooses 기록으로 계산: one contact a year is ○, on every reader.
    current = get_link(demo_db, link["id"])
    set_link(demo_db, cid, link["agency_id"], 4, current["content_types"], None,
             expected_version=current["version"], basis="log")
    assert link_frequency(demo_db, link["id"])["mark"] == "○"
    assert build_graph(demo_db).edges[complex_node(cid), agency_node(link["agency_id"])]["level"] == 1
    with pytest.raises(LinkError, match="빈도 근거"):
        set_link(demo_db, cid, link["agency_id"], 4, [], None, expected_version=current["version"] + 1,
                 basis="sometimes")


def test_a_year_of_log_replaces_the_hand_set_level(demo_db):
    cid, link = _hand_set(demo_db)
    add_contact(demo_db, link["id"], TODAY - timedelta(days=366), "meetings")  # the log now covers a year
    freq = link_frequency(demo_db, link["id"])
    assert (freq["level"], freq["source"], freq["reason"], freq["contacts_12m"]) == (1, "log", "log_covers_year", 1)


def _row(page: str, name: str) -> str:
    """The table row (or summary) that names the agency."""
    found = [m for m in re.findall(r"<tr>.*?</tr>|<summary>.*?</summary>", page, flags=re.S) if name in m]
    assert found, name
    return found[0]


def _login(client, username):
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/auth/login").get_data(as_text=True))[1]
    client.post("/auth/login", data={"username": username, "password": TEST_PASSWORD, "csrf_token": token})


def test_one_contact_keeps_a_hand_set_level_on_every_page(client, store, tokens):
    cid, link = _hand_set(store)
    agency = store.execute("SELECT name FROM agencies WHERE id = ?", [link["agency_id"]]).fetchone()[0]

    dashboard = _row(client.get(f"/complexes/{cid}").get_data(as_text=True), agency)
    assert "◕</span> 연 9회 이상" in dashboard and "기록 1회" in dashboard and "○" not in dashboard
    report = _row(client.get(f"/complexes/{cid}/report").get_data(as_text=True), agency)
    assert "◕</span> 연 9회 이상" in report and "기록 1회" in report
    mapped = client.get(f"/maps/complex/{cid}").get_data(as_text=True)
    assert f"{agency}: ◕ 연 9회 이상 (기록 1회)" in mapped and "○ 연 2회 이하 (기록" not in mapped

    api = client.get(f"/api/complexes/{cid}/links").get_json()["items"]
    item = next(i for i in api if i["id"] == link["id"])
    assert (item["level"], item["mark"], item["frequency_level"], item["source"], item["contacts_12m"]) == \
        (4, "◕", 4, "manual", 1)
    assert client.get(f"/api/links/{link['id']}").get_json()["mark"] == "◕"
    partner = next(p for p in client.get(f"/api/reports/complexes/{cid}").get_json()["partners"]
                   if p["link_id"] == link["id"])
    assert (partner["mark"], partner["contacts_12m"]) == ("◕", 1)
    linked = client.get(f"/api/agencies/{link['agency_id']}").get_json()["links"]
    assert next(x for x in linked if x["complex_id"] == cid)["frequency_label"] == "연 9회 이상"

    exported = list(csv.DictReader(io.StringIO(client.get(f"/exports/links.csv?complex={cid}")
                                               .get_data(as_text=True).lstrip("\ufeff"))))
    row = next(r for r in exported if r["기관명"] == agency)
    assert (row["빈도 표시"], row["빈도 근거"], row["최근 12개월 연락 기록"]) == ("◕", "직접 입력", "1")

    _login(client, "lead")  # team lead of A
    edit = _row(client.get(f"/complexes/{cid}/edit/").get_data(as_text=True), agency)
    assert "◕</span> 연 9회 이상" in edit and "기록 1회" in edit


def test_the_edit_page_chooses_the_log(client, store, tokens):
    cid, link = _hand_set(store)
    _login(client, "lead")
    page = client.get(f"/complexes/{cid}/edit/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    current = get_link(store, link["id"])
    response = client.post(f"/complexes/{cid}/edit/links/{link['id']}", data={
        "csrf_token": token, "version": current["version"], "level": "4", "frequency_basis": "log",
        "content_types": current["content_types"]})
    assert response.status_code == 302
    assert get_link(store, link["id"])["frequency_basis"] == "log"
    agency = store.execute("SELECT name FROM agencies WHERE id = ?", [link["agency_id"]]).fetchone()[0]
    dashboard = _row(client.get(f"/complexes/{cid}").get_data(as_text=True), agency)
    assert "○</span> 연 2회 이하" in dashboard and "연락 기록 기준" in dashboard


def test_api_sets_the_basis(client, store, tokens):
    cid, link = _hand_set(store)
    current = get_link(store, link["id"])
    body = {"version": current["version"], "frequency_level": 4, "content_types": current["content_types"],
            "frequency_basis": "log"}
    response = client.put(f"/api/links/{link['id']}", json=body, headers=tokens["lead"])
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["frequency_basis"], response.get_json()["mark"]) == ("log", "○")
    bad = client.put(f"/api/links/{link['id']}", json={**body, "version": current["version"] + 1,
                                                       "frequency_basis": "x"}, headers=tokens["lead"])
    assert bad.status_code == 400


def test_district_measures_weigh_the_shown_level(store):
    cid, link = _hand_set(store)
    G = build_graph(connect(store.conn.execute("PRAGMA database_list").fetchone()[2]))
    assert G.edges[complex_node(cid), agency_node(link["agency_id"])]["weight"] == 4.0
