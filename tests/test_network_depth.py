"""Link depth (issue 11): 실질적 for a joint programme, 과정적 for regular meetings or referrals, else 초보적."""
from datetime import date

import pytest

from network.contacts import add_contact, log_contact
from network.depth import DepthRuleError, depth_levels, link_depths, load_rules
from network.graph import agency_node, build_graph, complex_node, link_rows
from network.links import get_link, set_link
from network.programmes import create_programme

END_2025 = date(2025, 12, 31)


def _complex(db, name):
    return db.execute("SELECT id FROM complexes WHERE name = ?", [name]).fetchone()[0]


def _links(db, complex_id, n):
    return [tuple(r) for r in db.execute(
        "SELECT id, agency_id FROM links WHERE complex_id = ? ORDER BY agency_id LIMIT ?", [complex_id, n])]


def test_the_rules_are_data():
    rules = load_rules()
    assert [d["label"] for d in depth_levels(rules)] == ["실질적", "과정적", "초보적"]
    assert rules[0]["signal"] == "programmes" and rules[-1]["min"] == 0


def test_depth_from_what_flows_along_each_link(demo_db):
    f = _complex(demo_db, "F")
    (plain, _), (joint, joint_agency), (met, met_agency), (referred, _), (declared, declared_agency) = \
        _links(demo_db, f, 5)
    create_programme(demo_db, "고독사예방 발굴단", starts="2025-03-01", ends="2025-11-30",
                     members=[{"complex_id": f, "role": "lead"}, {"agency_id": joint_agency, "role": "partner"}])
    log_contact(demo_db, [f], [met_agency, joint_agency], "2025-04-02", kind="통합사례회의")
    log_contact(demo_db, [f], [met_agency, joint_agency], "2025-06-02", kind="통합사례회의")
    add_contact(demo_db, referred, "2025-05-01", "referral")
    link = get_link(demo_db, declared)
    set_link(demo_db, f, declared_agency, link["frequency_level"], ["referral"], None,
             expected_version=link["version"])
    depths = link_depths(demo_db, today=END_2025)
    assert depths[joint]["label"] == "실질적" and "고독사예방 발굴단" in depths[joint]["reason"]
    assert depths[met]["label"] == "과정적"
    assert depths[met]["reason"] == "최근 12개월 통합사례회의 등 정기 회의 2회"
    assert (depths[referred]["label"], depths[referred]["reason"]) == ("과정적", "최근 12개월 대상자 의뢰 1회 (이용자 공유)")
    assert depths[declared]["label"] == "과정적" and "대상자 및 서비스 의뢰" in depths[declared]["reason"]
    assert depths[plain]["label"] == "초보적" and "정보 교환" in depths[plain]["reason"]
    # A year later the meetings and the programme have aged out of the window.
    later = link_depths(demo_db, [joint, met], today=date(2026, 12, 31))
    assert later[joint]["label"] == later[met]["label"] == "초보적"
    # The graph carries the depth for the sociogram's filter; link_rows too (dashboard, map).
    G = build_graph(demo_db, today=END_2025)
    assert G.edges[complex_node(f), agency_node(joint_agency)]["depth"] == "substantive"
    rows = {r["id"]: r for r in link_rows(demo_db, complex_ids=[f], today=END_2025)}
    assert rows[met]["depth_label"] == "과정적"


def test_a_different_rules_file_changes_the_depth(demo_db, tmp_path):
    f = _complex(demo_db, "F")
    (referred, _), = _links(demo_db, f, 1)
    add_contact(demo_db, referred, "2025-05-01", "referral")
    rules = tmp_path / "rules.csv"
    rules.write_text("depth,rank,label,signal,min,reason\n"
                     "procedural,2,과정적,referrals_12m,3,의뢰 %(n)s회\n"
                     "informal,1,초보적,always,0,그 밖\n", encoding="utf-8")
    assert link_depths(demo_db, [referred], today=END_2025, rules=load_rules(rules))[referred]["label"] == "초보적"
    bad = tmp_path / "bad.csv"
    bad.write_text("depth,rank,label,signal,min,reason\nprocedural,2,과정적,phone_calls,1,x\n", encoding="utf-8")
    with pytest.raises(DepthRuleError):
        load_rules(bad)


def test_dashboard_and_report_show_depth_with_its_reason(client, store):
    f = _complex(store, "F")
    (_, agency), = _links(store, f, 1)
    create_programme(store, "생명존중안심마을", starts="2026-01-01",
                     members=[{"complex_id": f}, {"agency_id": agency, "role": "partner"}])
    name = store.execute("SELECT name FROM agencies WHERE id = ?", [agency]).fetchone()[0]
    for url in (f"/complexes/{f}", f"/complexes/{f}/report"):
        page = client.get(url).get_data(as_text=True)
        row = next(r for r in page.split("<tr>") if name in r and "depth" in r)
        assert "실질적" in row and "생명존중안심마을" in row, url
        assert "초보적" in page
