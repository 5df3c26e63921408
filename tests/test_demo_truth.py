"""A demo that tells the truth (issue 11): each study kind is the real nearest agency of that kind in the 시군구.

The plain study import keeps the study's own figures; the demo resolves the
study's shared kind rows so no agency serves complexes in other 시군구, the
most loaded agency is a real one, and every recommendation lies within the
radius it states.
"""
import pytest

from importers import import_file
from importers.demo import PLACEHOLDER_NOTE
from network.gaps import complex_gaps, load_rules
from network.graph import agency_nodes, build_graph, complex_nodes
from network.overlaps import load, overlap_report
from network.recommend import recommend
from network.report import network_report

from .conftest import STUDY


def _links(db):
    return list(db.query(
        """SELECT c.name AS complex, c.sido AS c_sido, c.sigungu AS c_sigungu, a.id AS agency_id, a.name AS agency,
                  a.type, a.sido, a.sigungu, a.placement, a.source
           FROM links l JOIN complexes c ON c.id = l.complex_id JOIN agencies a ON a.id = l.agency_id"""))


def test_the_plain_study_import_keeps_the_studys_figures(db):
    import_file(db, STUDY / "linkage_matrix.csv", complexes=STUDY / "complexes.csv")
    summary = network_report(db)["network"]
    assert (summary["complexes"], summary["agencies"], summary["categories"], summary["links"]) == (6, 34, 7, 73)
    assert all(9 <= r["partners"] <= 13 for r in network_report(db)["complexes"])


def test_each_kind_is_the_real_agency_of_the_complexs_district(demo_db):
    links = _links(demo_db)
    assert len(links) == 73  # the study's links, each kept
    by_complex = {}
    for link in links:
        by_complex.setdefault(link["complex"], set()).add(link["type"])
        # No agency from another 시군구: a real one is listed there, a placeholder stands for that 시군구 only.
        assert (link["sido"], link["sigungu"]) == (link["c_sido"], link["c_sigungu"]), link
    # Each complex keeps the study's partner kinds, one link each (A 13, the others 12).
    assert {k: len(v) for k, v in by_complex.items()} == {"A": 13, "B": 12, "C": 12, "D": 12, "E": 12, "F": 12}
    real = {(l["complex"], l["type"]): l["agency"] for l in links if l["placement"] != "sample"}
    # The real 강서구정신건강복지센터 for the complex in 강서구; 노원구's centres for A.
    assert real[("B", "정신건강복지센터")] == "강서구정신건강복지센터"
    assert real[("A", "치매안심센터")] == "노원구치매안심센터"
    # Every complex keeps the kinds the study found everywhere, as real agencies.
    for name in "ABCDEF":
        for kind in ("사회복지관", "행정복지센터", "정신건강복지센터", "치매안심센터"):
            assert (name, kind) in real, (name, kind)
    # A placeholder says what it is, and is placed as a sample, near its complex.
    stand_ins = [l for l in links if l["placement"] == "sample"]
    assert stand_ins and all(PLACEHOLDER_NOTE in l["agency"] and l["sigungu"] in l["agency"] for l in stand_ins)
    # A kind the 시군구 lists is never a placeholder.
    for l in stand_ins:
        assert demo_db.execute("SELECT count(*) FROM agencies WHERE type = ? AND sido = ? AND sigungu = ? "
                               "AND placement != 'sample'", [l["type"], l["sido"], l["sigungu"]]).fetchone()[0] == 0
    # The study's shared kind rows are gone.
    assert demo_db.execute("SELECT count(*) FROM agencies WHERE name = '정신건강복지센터'").fetchone()[0] == 0


def test_no_agency_serves_complexes_in_different_districts(demo_db):
    G = build_graph(demo_db)
    for a in agency_nodes(G):
        districts = {(G.nodes[c]["sido"], G.nodes[c]["sigungu"]) for c in G[a]}
        assert districts == {(G.nodes[a]["sido"], G.nodes[a]["sigungu"])}, G.nodes[a]["name"]
    overlaps = overlap_report(G)
    assert overlaps["same_type"] == []  # no real centre paired with a sample one
    assert all(not row["sample"] for row in overlaps["load"])


def test_top_load_is_a_real_agency(demo_db):
    G = build_graph(demo_db)
    top = load(G, min_reach=1)[0]
    assert not top["sample"] and PLACEHOLDER_NOTE not in top["name"]
    assert demo_db.execute("SELECT source FROM agencies WHERE id = ?", [top["id"]]).fetchone()[0] != "study2024"
    assert top["reach"] == max(G.degree(a) for a in agency_nodes(G))


def test_every_recommendation_is_within_the_radius_it_states(demo_db):
    G = build_graph(demo_db)
    rules = load_rules(demo_db)
    categories = [r[0] for r in demo_db.execute("SELECT name FROM categories ORDER BY ord")]
    asked = 0
    for node in complex_nodes(G):
        name = G.nodes[node]["name"]
        gaps = complex_gaps(G, node, rules=rules, categories=categories)
        for kind in {g["type"] for g in gaps["profile"] + gaps["peer"]} | {"시니어클럽", "중독관리통합지원센터"}:
            found = recommend(demo_db, name, kind, limit=5)
            for r in found["results"]:
                asked += 1
                assert r["distance_km"] is not None and r["radius_km"] is not None, r
                assert r["distance_km"] <= r["radius_km"], r
                assert f"반경 {r['radius_km']} km 안" in r["reason"]
                placement = demo_db.execute("SELECT placement FROM agencies WHERE id = ?", [r["id"]]).fetchone()[0]
                assert placement != "sample"
    assert asked > 20
    # The case: B (강서구) is no longer sent to a 시니어클럽 22.6 km away.
    nearest = recommend(demo_db, "B", "시니어클럽", limit=1)["results"][0]
    assert nearest["sido"] == "서울특별시" and nearest["distance_km"] < 5, nearest


@pytest.mark.parametrize("complex_name, sigungu", [("A", "노원구"), ("B", "강서구"), ("F", "은평구")])
def test_dashboard_names_the_real_centre(client, store, complex_name, sigungu):
    cid = store.execute("SELECT id FROM complexes WHERE name = ?", [complex_name]).fetchone()[0]
    page = client.get(f"/complexes/{cid}").get_data(as_text=True)
    assert f"{sigungu}정신건강복지센터" in page.replace(" ", "")
