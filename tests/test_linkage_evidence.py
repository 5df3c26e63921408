"""network.linkage_evidence: what a house's links and contact log show for evaluation indicators 15 and 19."""
from __future__ import annotations

from datetime import date, timedelta

from directory import editing, sites
from network.contacts import add_contact, log_contact
from network.linkage_evidence import linkage_evidence
from network.links import set_link

TODAY = date(2025, 6, 30)


def _agency(db, name, kind):
    return editing.create_agency(db, {"name": name, "type": kind, "sido": "서울특별시", "sigungu": "노원구",
                                      "lat": 37.65, "lon": 127.06})["id"]


def test_referrals_case_meetings_and_sh_links_in_the_last_12_months(db):
    house = sites.create_site(db, {"name": "시범 지원주택", "capacity": 18})["id"]
    mental = _agency(db, "노원구정신건강복지센터", "정신건강복지센터")
    welfare = _agency(db, "공릉종합사회복지관", "사회복지관")
    centre = _agency(db, "노원주거안심종합센터", "주거안심종합센터")
    links = {a: set_link(db, house, a, 3, ["referral"] if a == mental else ["information"])["id"]
             for a in (mental, welfare, centre)}
    day = lambda n: TODAY - timedelta(days=n)  # noqa: E731
    add_contact(db, links[welfare], day(400), "referral")  # a referral, but outside the window
    add_contact(db, links[welfare], day(365), "information")  # the window is (today − 365, today]
    add_contact(db, links[centre], day(364), "information")
    add_contact(db, links[centre], day(3), "referral")
    # one 통합사례회의 with all three partners counts once among the house's meetings
    log_contact(db, [house], [mental, welfare, centre], day(30), kind="통합사례회의")
    evidence = linkage_evidence(db, house, today=TODAY)
    plan, sh = evidence[15], evidence[19]
    assert (plan["partners"], plan["categories"]) == (3, 2)
    assert plan["referral_partners"] == 3  # on the link (mental), in the log (welfare: ever; centre: in window)
    assert plan["contacts_12m"] == 5 and plan["referrals_12m"] == 1 and plan["meetings_12m"] == 1
    rows = {r["name"]: r for r in plan["rows"]}
    assert rows["공릉종합사회복지관"]["contacts_12m"] == 1 and rows["공릉종합사회복지관"]["last_contact"] == day(30).isoformat()
    assert [r["name"] for r in sh["rows"]] == ["노원주거안심종합센터"]
    assert sh["contacts_12m"] == 3 and sh["last_contact"] == day(3).isoformat() and sh["found"]


def test_a_house_without_links_has_no_evidence(db):
    house = sites.create_site(db, {"name": "빈 지원주택", "capacity": 5})["id"]
    evidence = linkage_evidence(db, house, today=TODAY)
    assert evidence[15]["partners"] == 0 and not evidence[15]["found"] and not evidence[19]["found"]
    assert evidence[19]["last_contact"] is None
