"""The sociogram's data (issue 11): nodes with the network's own measures, links with level, content and depth."""
from __future__ import annotations

import json
import shutil

import pytest

from directory.store import connect
from network.graph import build_graph, complex_node, link_rows
from network.measures import betweenness, eigenvector
from network.report import complex_report, network_report
from network.sociogram import SociogramError, scope_graph, sociogram, to_json

from . import study_store


@pytest.fixture(scope="module")
def study_path(tmp_path_factory):
    return study_store.build(tmp_path_factory.mktemp("study") / "study.db")


@pytest.fixture(scope="module")
def study(study_path):
    db = connect(study_path)
    yield db
    db.conn.close()


@pytest.fixture
def client(study_path, tmp_path):
    from web import create_app

    path = tmp_path / "app.db"
    shutil.copy(study_path, path)
    return create_app({"TESTING": True, "DATABASE": str(path), "SECRET_KEY": "test"}).test_client()


def _cid(db, name):
    return db.execute("SELECT id FROM complexes WHERE name = ?", [name]).fetchone()[0]


def test_whole_store_has_every_complex_agency_and_link_with_the_measures_of_the_network(study):
    data = sociogram(study)
    report = network_report(study)
    assert data["scope"]["kind"] == "all"
    assert data["counts"] == {k: report["network"][k] for k in ("complexes", "agencies", "links")}
    G = build_graph(study)
    between, eigen = betweenness(G), eigenvector(G)
    depth = {row["id"]: row["depth_label"] for row in link_rows(study)}
    by_id = {n["id"]: n for n in data["nodes"]}
    for row in report["agencies"]:
        node = by_id[row["node"]]
        assert node["kind"] == "agency" and node["label"] == row["name"] and node["category"] == row["category"]
        assert node["degree"] == row["reach"]
        assert node["weighted_degree"] == pytest.approx(row["weighted_degree"])
        assert node["betweenness"] == pytest.approx(between[row["node"]], abs=1e-4)
        assert node["eigenvector"] == pytest.approx(eigen[row["node"]], abs=1e-4)
    for row in report["complexes"]:
        assert by_id[row["node"]]["degree"] == row["partners"]
    # every link joins a complex to an agency, with the dashboard's level and weight
    levels = {r["level"]: r["weight"] for r in data["levels"]}
    for link in data["links"]:
        assert link["source"].startswith("c:") and link["target"].startswith("a:")
        assert G[link["source"]][link["target"]]["level"] == link["level"]
        assert link["weight"] == levels[link["level"]]
        assert link["depth"] == depth[link["id"]]  # network.depth's, as the dashboard shows it
    assert data["depths"] == [d for d in ("초보적", "과정적", "실질적") if d in set(depth.values())]
    assert [c["code"] for c in data["content_types"]] == ["referral", "resources", "information", "programs",
                                                          "meetings"]
    assert len(data["categories"]) == 7


def test_a_complex_ego_network_is_its_partners_sized_by_its_dashboard_scope(study):
    cid = _cid(study, "B")
    data = sociogram(study, complex_id=cid)
    report = complex_report(study, cid)
    focus = complex_node(cid)
    assert data["scope"] == {"kind": "complex", "focus": focus, "ref": cid, "label": "B",
                             "sido": "서울특별시", "sigungu": "노원구"}
    agencies = {n["ref"] for n in data["nodes"] if n["kind"] == "agency"}
    assert agencies == {p["agency_id"] for p in report["partners"]}
    assert [n["id"] for n in data["nodes"] if n["kind"] == "complex"] == [focus]
    assert all(link["source"] == focus for link in data["links"])
    # sized in the network the dashboard measures (the 시도's), not the star alone
    G, scope = scope_graph(study, complex_id=cid)
    assert data["measure_scope"] == scope == report["network"]["scope"]
    shared = max((n for n in data["nodes"] if n["kind"] == "agency"), key=lambda n: n["degree"])
    assert shared["degree"] == G.degree(shared["id"]) > 1


def test_radius_two_adds_the_complexes_that_share_a_partner(study):
    cid = _cid(study, "A")
    one, two = sociogram(study, complex_id=cid), sociogram(study, complex_id=cid, radius=2)
    G, scope = scope_graph(study, complex_id=cid)  # the 시도's network: 서울's four complexes
    assert scope == {"sido": "서울특별시"}
    focus = complex_node(cid)
    peers = {c for a in G[focus] for c in G[a]}
    assert len(peers) == 4
    assert {n["id"] for n in two["nodes"] if n["kind"] == "complex"} == peers
    assert {n["id"] for n in two["nodes"] if n["kind"] == "agency"} == {n["id"] for n in one["nodes"]
                                                                        if n["kind"] == "agency"}
    assert two["counts"]["links"] > one["counts"]["links"]
    with pytest.raises(SociogramError):
        sociogram(study, complex_id=cid, radius=3)


def test_district_network_is_the_district_pages(study):
    data = sociogram(study, sido="서울특별시", sigungu="노원구")
    report = network_report(study, sido="서울특별시", sigungu="노원구")
    assert data["scope"]["kind"] == "district"
    assert data["counts"] == {k: report["network"][k] for k in ("complexes", "agencies", "links")}
    assert data["measure_scope"] == {"sido": "서울특별시", "sigungu": "노원구"}


def test_filters_drop_lighter_links_and_agencies_left_without_one(study):
    full = sociogram(study)
    strong = sociogram(study, min_level=5)
    assert strong["links"] == [link for link in full["links"] if link["level"] >= 5]
    kept = {link["target"] for link in strong["links"]}
    assert {n["id"] for n in strong["nodes"] if n["kind"] == "agency"} == kept
    assert strong["counts"]["complexes"] == full["counts"]["complexes"]
    # the measures are the whole network's, not the filtered one's
    by_id = {n["id"]: n for n in full["nodes"]}
    assert all(n == by_id[n["id"]] for n in strong["nodes"])
    referral = sociogram(study, content_type="referral")
    assert referral["links"] == [link for link in full["links"] if "referral" in link["content_types"]]
    health = sociogram(study, category="보건의료")
    assert {n["category"] for n in health["nodes"] if n["kind"] == "agency"} == {"보건의료"}
    with pytest.raises(SociogramError):
        sociogram(study, min_level=9)


def test_depth_is_carried_listed_and_filtered_when_links_have_one(study):
    G = build_graph(study)
    depths = ["informal", "procedural", "실질적"]
    for i, (_u, _v, e) in enumerate(G.edges(data=True)):
        e["depth"] = depths[i % 3] if i % 4 else None
    data = sociogram(study, G=G)
    assert data["depths"] == ["초보적", "과정적", "실질적"]
    carried = [link for link in data["links"] if "depth" in link]
    assert len(carried) == sum(1 for *_e, d in G.edges(data="depth") if d)
    deep = sociogram(study, G=G, depth="substantive")
    assert deep["links"] and {link["depth"] for link in deep["links"]} == {"실질적"}
    assert deep["links"] == sociogram(study, G=G, depth="실질적")["links"]


def test_json_is_compact_and_readable_korean(study):
    text = to_json(sociogram(study, complex_id=_cid(study, "A")))
    assert '"label":"A"' in text and "\\u" not in text
    assert json.loads(text)["scope"]["label"] == "A"


def test_api_sociogram_and_its_errors(client):
    whole = client.get("/api/sociogram")
    assert whole.status_code == 200 and whole.mimetype == "application/json"
    data = whole.get_json()
    assert data["counts"]["links"] == len(data["links"]) > 0
    ego = client.get("/api/sociogram?complex=1&radius=2").get_json()
    assert ego["scope"]["kind"] == "complex" and ego["radius"] == 2
    assert "note" not in json.dumps(ego)  # link notes are for the complex's staff
    assert client.get("/api/sociogram?complex=999999").status_code == 404
    assert client.get("/api/sociogram?complex=abc").status_code == 400
    bad = client.get("/api/sociogram?complex=1&radius=5")
    assert bad.status_code == 400 and bad.get_json()["error"] == "sociogram_bad_radius"
    assert client.get("/api/sociogram?min_level=0").get_json()["error"] == "sociogram_bad_level"
    lighter = client.get("/api/sociogram?min_level=4").get_json()
    assert {link["level"] for link in lighter["links"]} <= {4, 5}
