"""The study's network, read back from the store: the issue's done-when figures."""
import networkx as nx
import pytest
from networkx.algorithms import bipartite

from directory.store import connect
from network.graph import agency_nodes, build_graph, complex_nodes, type_graph
from network.measures import (agency_table, betweenness, complex_table, degree_centrality, diversity,
                              network_summary, shared_by_all)
from network.explain import EXPLAIN
from importers import import_file
from importers.demo import place_study_complexes
from network.report import network_report

from .conftest import STUDY

EVERY_COMPLEX = {"사회복지관", "행정복지센터", "정신건강복지센터", "치매안심센터", "관리사무소"}


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """The plain study import at the demo's sample positions (one 시군구 each), read only.

    The study's own figures: the demo itself resolves the study's kinds to real agencies.
    """
    db = connect(tmp_path_factory.mktemp("measures") / "study.db")
    import_file(db, STUDY / "linkage_matrix.csv", complexes=STUDY / "complexes.csv")
    with db.conn:
        place_study_complexes(db)
    yield db
    db.conn.close()


@pytest.fixture(scope="module")
def G(study):
    return build_graph(study)


def test_bipartite_graph_with_attributes(G):
    assert nx.is_bipartite(G)
    assert all(G.nodes[n]["bipartite"] == 0 for n in complex_nodes(G))
    assert all(n.startswith("a:") for n in agency_nodes(G))
    edge = next(iter(G.edges(data=True)))[2]
    assert {"level", "weight", "content_types", "since", "manual_level", "derived_level"} <= set(edge)
    assert edge["weight"] == edge["level"]  # the shipped scale: 수시 = 5 … 연 2회 이하 = 1


def test_study_counts(G):
    summary = network_summary(G)
    assert (summary["complexes"], summary["agencies"], summary["categories"], summary["links"]) == (6, 34, 7, 73)
    assert summary["components"] == 1


def test_partners_per_complex_in_study_range(G):
    assert all(9 <= row["partners"] <= 13 for row in complex_table(G))


def test_agencies_linked_by_every_complex_top_reach(G):
    rows = agency_table(G)
    assert {r["name"] for r in rows[:5]} == EVERY_COMPLEX
    assert all(r["reach"] == 6 for r in rows[:5]) and rows[5]["reach"] < 6
    assert {G.nodes[a]["name"] for a in shared_by_all(G)} == EVERY_COMPLEX


def test_highest_weighted_degree(G):
    top = max(agency_table(G), key=lambda r: r["weighted_degree"])
    assert top["name"] in {"사회복지관", "행정복지센터", "관리사무소", "정신건강복지센터"}


def test_betweenness_per_component_equals_networkx_bipartite(G):
    ours = betweenness(G)
    theirs = bipartite.betweenness_centrality(G, complex_nodes(G))
    assert ours == pytest.approx(theirs)
    H = nx.union(G, nx.relabel_nodes(G, lambda n: n + "x"))  # two components
    assert betweenness(H) == pytest.approx(bipartite.betweenness_centrality(H, complex_nodes(H)))


def test_degree_centrality_is_reach_share(G):
    dc = degree_centrality(G)
    assert dc[next(a for a in agency_nodes(G) if G.nodes[a]["name"] == "사회복지관")] == 1.0


def test_diversity_shannon_bounds(G):
    values = diversity(G).values()
    assert all(0 < v <= 1.946 for v in values)


def test_type_level_reads_the_same_as_agency_level(G):
    T = type_graph(G)
    assert T.number_of_edges() == 73
    assert len(agency_nodes(T)) == 34


def test_filters_build_subgraphs(study):
    G = build_graph(study, sigungu="송파구")
    assert [G.nodes[c]["name"] for c in complex_nodes(G)] == ["C"]
    assert G.number_of_edges() == 12
    H = build_graph(study, category="보건의료")
    assert {H.nodes[a]["category"] for a in agency_nodes(H)} == {"보건의료"}
    assert build_graph(study, operator="없는운영기관").number_of_nodes() == 0


def test_report_json_keys_and_explanations(study):
    report = network_report(study)
    assert {"complexes", "agencies", "links", "density", "centralization"} <= set(report["network"])
    assert {"name", "partners", "categories"} <= set(report["complexes"][0])
    assert {"name", "category", "type", "reach", "weighted_degree", "betweenness", "eigenvector"} <= set(report["agencies"][0])
    assert {"gaps", "overlaps"} <= set(report)
    assert {a["betweenness_scope"] for a in report["agencies"]} == {"component"}
    for key in ("reach", "weighted_degree", "betweenness", "eigenvector", "partners", "diversity_shannon",
                "jaccard", "density", "centralization", "components", "shared_by_all"):
        assert EXPLAIN[key]
    c = next(r for r in report["complexes"] if r["name"] == "C")
    assert set(c["jaccard"]) == {"A", "B", "D", "E", "F"}


def test_overlaps_on_study(study):
    report = network_report(study)
    load = report["overlaps"]["load"]
    assert {r["name"] for r in load[:5]} == EVERY_COMPLEX
    assert all(p["jaccard"] >= 0.5 for p in report["overlaps"]["similar_pairs"])
    assert report["overlaps"]["same_type"] == []  # one agency per type in the study


def test_eigenvector_matches_networkx(G):
    from network.measures import eigenvector

    ours = eigenvector(G)
    theirs = nx.eigenvector_centrality(G, weight="weight", max_iter=5000, tol=1e-12)
    assert ours == pytest.approx(theirs, abs=1e-6)


def test_dense_brandes_matches_networkx_on_random_bipartite_graphs():
    from network.measures import _brandes_dense

    for seed in range(5):
        H = bipartite.random_graph(12, 30, 0.12, seed=seed)
        expected = nx.betweenness_centrality(H, normalized=False)
        assert _brandes_dense(H, set(H)) == pytest.approx(expected)


def test_large_components_fall_back_to_exact_district_betweenness(G):
    from network.measures import betweenness_scope

    values = betweenness(G, max_nodes=10)  # force the district split
    assert set(betweenness_scope(G, max_nodes=10).values()) == {"district"}
    assert all(0.0 <= v <= 1.0 for v in values.values())
    # each study complex is its own 시군구: a district network is a star, so partners score 0
    assert max(values[a] for a in agency_nodes(G)) == 0.0


def test_type_level_report_and_operator_filter(study):
    report = network_report(study, level="type")
    assert report["level"] == "type"
    assert (report["network"]["complexes"], report["network"]["agencies"], report["network"]["links"]) == (6, 34, 73)
    assert {a["name"] for a in report["agencies"][:5]} == EVERY_COMPLEX
    assert network_report(study, operator="LH")["network"]["complexes"] == 6
