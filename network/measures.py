"""Measures of the linkage network, per agency, per complex and whole.

Every function takes the bipartite graph of :func:`network.graph.build_graph`
first and returns ``{node: value}`` (or a plain value for whole-network
measures), like ``networkx.betweenness_centrality``. :data:`network.explain.EXPLAIN`
says in Korean what each one means for a team lead.

Exactness: every measure here is exact. Betweenness is computed exactly on
each connected component separately (pairs in different components have no
path, so the sum over components equals betweenness of the whole graph) and
normalised like ``networkx.algorithms.bipartite.betweenness_centrality``.
Eigenvector centrality is an iterative solution (tolerance 1e-8) within each
component.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict

import networkx as nx
from networkx.algorithms import bipartite

from .graph import agency_nodes, complex_nodes

__all__ = [
    "reach",
    "weighted_degree",
    "degree_centrality",
    "betweenness",
    "eigenvector",
    "link_share",
    "partners",
    "categories_covered",
    "diversity",
    "mean_weight",
    "jaccard_overlaps",
    "density",
    "degree_centralization",
    "components",
    "shared_by_all",
    "agency_table",
    "complex_table",
    "network_summary",
]


# --- per agency ---------------------------------------------------------------


def reach(G) -> dict:
    """Number of complexes each agency is linked with.

    >>> G = nx.Graph([("c:1", "a:1"), ("c:2", "a:1")])
    >>> nx.set_node_attributes(G, {"c:1": 0, "c:2": 0, "a:1": 1}, "bipartite")
    >>> reach(G)
    {'a:1': 2}
    """
    return {a: G.degree(a) for a in agency_nodes(G)}


def weighted_degree(G, weight: str = "weight") -> dict:
    """Sum of the contact weights of each agency's links.

    >>> G = nx.Graph(); G.add_edge("c:1", "a:1", weight=5.0); G.add_edge("c:2", "a:1", weight=2.0)
    >>> nx.set_node_attributes(G, {"c:1": 0, "c:2": 0, "a:1": 1}, "bipartite")
    >>> weighted_degree(G)
    {'a:1': 7.0}
    """
    return {a: float(G.degree(a, weight=weight)) for a in agency_nodes(G)}


def degree_centrality(G) -> dict:
    """Bipartite degree centrality of every node (agency: reach ÷ number of complexes).

    Uses ``networkx.algorithms.bipartite.degree_centrality`` with the
    complexes passed explicitly.

    >>> G = nx.Graph([("c:1", "a:1"), ("c:2", "a:2")])
    >>> nx.set_node_attributes(G, {"c:1": 0, "c:2": 0, "a:1": 1, "a:2": 1}, "bipartite")
    >>> degree_centrality(G)["a:1"]
    0.5
    """
    top = complex_nodes(G)
    if not top or len(top) == len(G):
        return {n: 0.0 for n in G}
    return bipartite.degree_centrality(G, top)


def betweenness(G) -> dict:
    """Exact bipartite betweenness centrality, computed per connected component.

    Shortest paths count hops (unweighted). Normalised like
    ``networkx.algorithms.bipartite.betweenness_centrality(G, complexes)``;
    computing each component on its own gives the same numbers, faster.

    >>> G = nx.Graph([("c:1", "a:1"), ("c:2", "a:1")])
    >>> nx.set_node_attributes(G, {"c:1": 0, "c:2": 0, "a:1": 1}, "bipartite")
    >>> betweenness(G)["a:1"]
    1.0
    """
    top = set(complex_nodes(G))
    n, m = len(top), len(G) - len(top)
    raw = dict.fromkeys(G, 0.0)
    for comp in nx.connected_components(G):
        if len(comp) < 3:
            continue
        raw.update(nx.betweenness_centrality(G.subgraph(comp), normalized=False, weight=None))
    max_top, max_bottom = _bipartite_betweenness_max(n, m)
    return {v: (b / max_top if v in top else b / max_bottom) if (max_top if v in top else max_bottom) else 0.0
            for v, b in raw.items()}


def eigenvector(G, weight: str = "weight") -> dict:
    """Weighted eigenvector centrality, solved within each connected component.

    An agency scores high when it is linked, often, with complexes that are
    themselves well connected. Each component's vector is scaled by the square
    root of its share of nodes, so the whole vector has unit length.

    >>> G = nx.Graph(); G.add_edge("c:1", "a:1", weight=5.0); G.add_edge("c:1", "a:2", weight=1.0)
    >>> nx.set_node_attributes(G, {"c:1": 0, "a:1": 1, "a:2": 1}, "bipartite")
    >>> e = eigenvector(G); e["a:1"] > e["a:2"]
    True
    """
    total = G.number_of_nodes()
    result = dict.fromkeys(G, 0.0)
    for comp in nx.connected_components(G):
        if len(comp) < 2:
            continue
        sub = G.subgraph(comp)
        try:
            values = nx.eigenvector_centrality(sub, weight=weight, max_iter=2000, tol=1e-8)
        except nx.PowerIterationFailedConvergence:  # pragma: no cover - bipartite + shift converges
            values = {v: sub.degree(v, weight=weight) for v in sub}
            norm = math.sqrt(sum(x * x for x in values.values())) or 1.0
            values = {v: x / norm for v, x in values.items()}
        scale = math.sqrt(len(comp) / total)
        result.update({v: x * scale for v, x in values.items()})
    return result


def link_share(G) -> dict:
    """Each agency's share of all links (reach ÷ links).

    >>> G = nx.Graph([("c:1", "a:1"), ("c:2", "a:1"), ("c:2", "a:2")])
    >>> nx.set_node_attributes(G, {"c:1": 0, "c:2": 0, "a:1": 1, "a:2": 1}, "bipartite")
    >>> round(link_share(G)["a:1"], 3)
    0.667
    """
    links = G.number_of_edges()
    return {a: (G.degree(a) / links if links else 0.0) for a in agency_nodes(G)}


# --- per complex --------------------------------------------------------------


def partners(G) -> dict:
    """Number of partner agencies of each complex.

    >>> G = nx.Graph([("c:1", "a:1"), ("c:1", "a:2")])
    >>> nx.set_node_attributes(G, {"c:1": 0, "a:1": 1, "a:2": 1}, "bipartite")
    >>> partners(G)
    {'c:1': 2}
    """
    return {c: G.degree(c) for c in complex_nodes(G)}


def categories_covered(G) -> dict:
    """The categories (공공기관 … 기타) each complex has at least one partner in, sorted.

    >>> G = nx.Graph([("c:1", "a:1"), ("c:1", "a:2")])
    >>> nx.set_node_attributes(G, {"c:1": 0, "a:1": 1, "a:2": 1}, "bipartite")
    >>> nx.set_node_attributes(G, {"a:1": "보건의료", "a:2": "보건의료"}, "category")
    >>> categories_covered(G)
    {'c:1': ['보건의료']}
    """
    return {c: sorted({G.nodes[a].get("category") for a in G[c]} - {None}) for c in complex_nodes(G)}


def diversity(G, index: str = "shannon") -> dict:
    """Diversity of each complex's partners over categories.

    ``index="shannon"`` (default): Shannon entropy H = −Σ p·ln p of the
    share of partners in each category (0 when all partners are in one
    category; ln 7 ≈ 1.95 when spread evenly over all seven).
    ``index="simpson"``: Gini–Simpson 1 − Σ p².

    >>> G = nx.Graph([("c:1", "a:1"), ("c:1", "a:2")])
    >>> nx.set_node_attributes(G, {"c:1": 0, "a:1": 1, "a:2": 1}, "bipartite")
    >>> nx.set_node_attributes(G, {"a:1": "공공기관", "a:2": "보건의료"}, "category")
    >>> round(diversity(G)["c:1"], 3), diversity(G, index="simpson")["c:1"]
    (0.693, 0.5)
    """
    if index not in ("shannon", "simpson"):
        raise ValueError(f"알 수 없는 다양성 지수: {index!r} (shannon 또는 simpson)")
    result = {}
    for c in complex_nodes(G):
        counts = Counter(G.nodes[a].get("category") or "기타" for a in G[c])
        total = sum(counts.values())
        shares = [k / total for k in counts.values()] if total else []
        if index == "shannon":
            result[c] = -sum(p * math.log(p) for p in shares) + 0.0
        else:
            result[c] = (1.0 - sum(p * p for p in shares)) if shares else 0.0
    return result


def mean_weight(G, weight: str = "weight") -> dict:
    """Mean contact weight of each complex's links (0 without links).

    >>> G = nx.Graph(); G.add_edge("c:1", "a:1", weight=5.0); G.add_edge("c:1", "a:2", weight=1.0)
    >>> nx.set_node_attributes(G, {"c:1": 0, "a:1": 1, "a:2": 1}, "bipartite")
    >>> mean_weight(G)
    {'c:1': 3.0}
    """
    return {c: (G.degree(c, weight=weight) / G.degree(c) if G.degree(c) else 0.0) for c in complex_nodes(G)}


def jaccard_overlaps(G) -> dict:
    """For each complex, ``{other complex: Jaccard of their partner sets}``, non-zero pairs only.

    Pairs that share no partner are left out (their overlap is 0), which
    keeps a national network's answer to the pairs that matter.

    >>> G = nx.Graph([("c:1", "a:1"), ("c:1", "a:2"), ("c:2", "a:1")])
    >>> nx.set_node_attributes(G, {"c:1": 0, "c:2": 0, "a:1": 1, "a:2": 1}, "bipartite")
    >>> jaccard_overlaps(G)["c:1"]
    {'c:2': 0.5}
    """
    shared: dict[tuple, int] = defaultdict(int)
    for a in agency_nodes(G):
        linked = sorted(G[a])
        for i, c1 in enumerate(linked):
            for c2 in linked[i + 1:]:
                shared[(c1, c2)] += 1
    result = {c: {} for c in complex_nodes(G)}
    for (c1, c2), k in shared.items():
        j = k / (G.degree(c1) + G.degree(c2) - k)
        result[c1][c2] = j
        result[c2][c1] = j
    return {c: dict(sorted(d.items())) for c, d in result.items()}


# --- whole network ------------------------------------------------------------


def density(G) -> float:
    """Links ÷ possible complex–agency links (bipartite density).

    >>> G = nx.Graph([("c:1", "a:1"), ("c:2", "a:2")])
    >>> nx.set_node_attributes(G, {"c:1": 0, "c:2": 0, "a:1": 1, "a:2": 1}, "bipartite")
    >>> density(G)
    0.5
    """
    top = complex_nodes(G)
    if not top or len(top) == len(G):
        return 0.0
    return bipartite.density(G, top)


def degree_centralization(G) -> float:
    """Freeman degree centralization of the agencies, 0–1.

    With c_i = reach ÷ complexes, it is Σ (max c − c_i) ÷ (agencies − 1):
    1 when one agency is linked with every complex and no other agency with
    any, 0 when every agency reaches the same number of complexes.

    >>> G = nx.Graph([("c:1", "a:1"), ("c:2", "a:1"), ("c:1", "a:2")])
    >>> nx.set_node_attributes(G, {"c:1": 0, "c:2": 0, "a:1": 1, "a:2": 1}, "bipartite")
    >>> degree_centralization(G)
    0.5
    """
    n_complexes = len(complex_nodes(G))
    agencies = agency_nodes(G)
    if n_complexes == 0 or len(agencies) < 2:
        return 0.0
    c = [G.degree(a) / n_complexes for a in agencies]
    top = max(c)
    return sum(top - x for x in c) / (len(agencies) - 1)


def components(G) -> list[dict]:
    """Connected components, largest first: complexes and agencies in each.

    >>> G = nx.Graph([("c:1", "a:1"), ("c:2", "a:2")])
    >>> nx.set_node_attributes(G, {"c:1": 0, "c:2": 0, "a:1": 1, "a:2": 1}, "bipartite")
    >>> [c["complexes"] for c in components(G)]
    [1, 1]
    """
    result = []
    for comp in nx.connected_components(G):
        k = sum(1 for v in comp if G.nodes[v].get("bipartite") == 0)
        result.append({"complexes": k, "agencies": len(comp) - k, "nodes": sorted(comp)})
    return sorted(result, key=lambda r: (-len(r["nodes"]), r["nodes"]))


def shared_by_all(G) -> list[str]:
    """The agency nodes linked with every complex of `G` (empty for no complexes).

    >>> G = nx.Graph([("c:1", "a:1"), ("c:2", "a:1"), ("c:1", "a:2")])
    >>> nx.set_node_attributes(G, {"c:1": 0, "c:2": 0, "a:1": 1, "a:2": 1}, "bipartite")
    >>> shared_by_all(G)
    ['a:1']
    """
    n = len(complex_nodes(G))
    return [a for a in agency_nodes(G) if n and G.degree(a) == n]


# --- tables for reports ---------------------------------------------------------


def agency_table(G) -> list[dict]:
    """One row per agency with every agency measure, highest reach first."""
    r, wd, dc = reach(G), weighted_degree(G), degree_centrality(G)
    bc, ev, share = betweenness(G), eigenvector(G), link_share(G)
    rows = []
    for a in agency_nodes(G):
        d = G.nodes[a]
        rows.append({
            "id": d.get("id"), "node": a, "name": d.get("name"), "category": d.get("category"),
            "type": d.get("type"), "sido": d.get("sido"), "sigungu": d.get("sigungu"),
            "reach": r[a], "weighted_degree": wd[a], "degree_centrality": _round(dc[a]),
            "betweenness": _round(bc[a]), "eigenvector": _round(ev[a]), "link_share": _round(share[a]),
        })
    rows.sort(key=lambda row: (-row["reach"], -row["weighted_degree"], row["name"] or ""))
    return rows


def complex_table(G, categories: list[str] | None = None) -> list[dict]:
    """One row per complex with every complex measure, by name.

    `categories` is the full list of categories (the store has seven); the
    row says how many of them the complex covers and which it lacks.
    """
    p, cov, div, mw = partners(G), categories_covered(G), diversity(G), mean_weight(G)
    simpson = diversity(G, index="simpson")
    jac = jaccard_overlaps(G)
    names = {c: G.nodes[c].get("name") for c in complex_nodes(G)}
    all_categories = list(categories) if categories else sorted({c for v in cov.values() for c in v})
    rows = []
    for c in complex_nodes(G):
        d = G.nodes[c]
        rows.append({
            "id": d.get("id"), "node": c, "name": d.get("name"), "sido": d.get("sido"),
            "sigungu": d.get("sigungu"), "operator": d.get("operator"),
            "partners": p[c], "categories": len(cov[c]), "categories_total": len(all_categories),
            "categories_covered": cov[c],
            "categories_missing": [x for x in all_categories if x not in cov[c]],
            "diversity_shannon": _round(div[c]), "diversity_simpson": _round(simpson[c]),
            "mean_weight": _round(mw[c]),
            "jaccard": {names[o]: _round(j) for o, j in jac[c].items()},
        })
    rows.sort(key=lambda row: row["name"] or "")
    return rows


def network_summary(G, categories: list[str] | None = None) -> dict:
    """The whole-network figures: counts, density, centralization, components, shared agencies."""
    comps = components(G)
    agencies = agency_nodes(G)
    return {
        "complexes": len(complex_nodes(G)),
        "agencies": len(agencies),
        "categories": len({G.nodes[a].get("category") for a in agencies} - {None}),
        "categories_total": len(categories) if categories else None,
        "links": G.number_of_edges(),
        "density": _round(density(G)),
        "centralization": _round(degree_centralization(G)),
        "components": len(comps),
        "largest_component": {k: comps[0][k] for k in ("complexes", "agencies")} if comps else None,
        "shared_by_all": [G.nodes[a].get("name") for a in shared_by_all(G)],
    }


# --- helpers --------------------------------------------------------------------


def _round(x, digits: int = 4):
    return round(float(x), digits) if x is not None else None


def _bipartite_betweenness_max(n: int, m: int) -> tuple[float, float]:
    """The largest possible betweenness of a top and of a bottom node (Borgatti & Halgin)."""
    if n == 0 or m == 0:
        return 0.0, 0.0
    s, t = divmod(n - 1, m)
    max_top = ((m ** 2) * ((s + 1) ** 2) + m * (s + 1) * (2 * t - s - 1) - t * ((2 * s) - t + 3)) / 2.0
    p, r = divmod(m - 1, n)
    max_bottom = ((n ** 2) * ((p + 1) ** 2) + n * (p + 1) * (2 * r - p - 1) - r * ((2 * p) - r + 3)) / 2.0
    return max_top, max_bottom
