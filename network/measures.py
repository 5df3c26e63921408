"""Measures of the linkage network, per agency, per complex and whole.

Every function takes the bipartite graph of :func:`network.graph.build_graph`
first and returns ``{node: value}`` (or a plain value for whole-network
measures), like ``networkx.betweenness_centrality``. :data:`network.explain.EXPLAIN`
says in Korean what each one means for a team lead.

Exactness: every measure here is exact. Betweenness is computed exactly on
each connected component separately (pairs in different components have no
path, so the sum over components equals betweenness of the whole graph) and
normalised like ``networkx.algorithms.bipartite.betweenness_centrality``.
Eigenvector centrality is solved exactly too: one symmetric eigen-decomposition
of the small complexes × complexes matrix W·Wᵀ per connected component (see
:func:`eigenvector`), not a power iteration with a tolerance.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict

import networkx as nx
import numpy as np
from networkx.algorithms import bipartite
from threadpoolctl import threadpool_limits

from directory.errors import YeongyeError

from .graph import agency_nodes, complex_nodes

DENSE_LIMIT = 500

__all__ = [
    "MeasureError",
    "reach",
    "weighted_degree",
    "degree_centrality",
    "betweenness",
    "betweenness_scope",
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


class MeasureError(YeongyeError, ValueError):
    """A measure was asked for with an option it does not have."""


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


def betweenness(G, *, max_nodes: int = DENSE_LIMIT) -> dict:
    """Exact bipartite betweenness centrality, by connected component (or district when huge).

    Shortest paths count hops (unweighted). A component of at most
    `max_nodes` nodes is computed exactly on its own (pairs in different
    components have no path, so this equals betweenness on the whole graph),
    normalised like ``networkx.algorithms.bipartite.betweenness_centrality(G,
    complexes)``. A larger component is split by the complexes' 시군구: each
    district's network (its complexes and all their partners) is computed
    exactly and normalised within itself, and an agency in several districts
    keeps its highest value. :func:`betweenness_scope` says which was used.

    >>> G = nx.Graph([("c:1", "a:1"), ("c:2", "a:1")])
    >>> nx.set_node_attributes(G, {"c:1": 0, "c:2": 0, "a:1": 1}, "bipartite")
    >>> betweenness(G)["a:1"]
    1.0
    """
    with _one_blas_thread():
        return _betweenness(G, max_nodes)[0]


def betweenness_scope(G, *, max_nodes: int = DENSE_LIMIT) -> dict:
    """For each node, ``"component"`` or ``"district"``: where its betweenness was computed exactly.

    >>> G = nx.Graph([("c:1", "a:1")])
    >>> nx.set_node_attributes(G, {"c:1": 0, "a:1": 1}, "bipartite")
    >>> betweenness_scope(G)["a:1"]
    'component'
    """
    with _one_blas_thread():
        return _betweenness(G, max_nodes)[1]


def eigenvector(G, weight: str = "weight") -> dict:
    """Weighted eigenvector centrality, solved exactly within each connected component.

    An agency scores high when it is linked, often, with complexes that are
    themselves well connected. For a bipartite adjacency [[0, W], [Wᵀ, 0]]
    the leading eigenvector is (u, Wᵀu/σ) where u is the leading eigenvector
    of W·Wᵀ (complexes × complexes, small) and σ² its eigenvalue, so one
    symmetric eigen-decomposition per component replaces a slow power
    iteration. The same vector as ``networkx.eigenvector_centrality``; each
    component's vector is scaled by the square root of its share of nodes,
    so the whole vector has unit length.

    >>> G = nx.Graph(); G.add_edge("c:1", "a:1", weight=5.0); G.add_edge("c:1", "a:2", weight=1.0)
    >>> nx.set_node_attributes(G, {"c:1": 0, "a:1": 1, "a:2": 1}, "bipartite")
    >>> e = eigenvector(G); e["a:1"] > e["a:2"]
    True
    """
    with _one_blas_thread():
        return _eigenvector(G, weight)


def _eigenvector(G, weight):
    total = G.number_of_nodes()
    result = dict.fromkeys(G, 0.0)
    for comp in nx.connected_components(G):
        if len(comp) < 2:
            continue
        tops = sorted(v for v in comp if G.nodes[v].get("bipartite") == 0)
        bottoms = sorted(v for v in comp if G.nodes[v].get("bipartite") != 0)
        t_index = {v: i for i, v in enumerate(tops)}
        b_index = {v: i for i, v in enumerate(bottoms)}
        W = np.zeros((len(tops), len(bottoms)))
        for v in tops:
            for u, data in G[v].items():
                W[t_index[v], b_index[u]] = data.get(weight, 1.0) if weight else 1.0
        values, vectors = np.linalg.eigh(W @ W.T)
        u = np.abs(vectors[:, -1])
        sigma = float(np.sqrt(max(values[-1], 0.0))) or 1.0
        x = np.concatenate([u, (W.T @ u) / sigma])
        x /= np.linalg.norm(x) or 1.0
        x *= math.sqrt(len(comp) / total)
        result.update(zip(tops + bottoms, (float(v) for v in x)))
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
        raise MeasureError("unknown_diversity_index", index=index)
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
    with _one_blas_thread():
        bc, scope = _betweenness(G, DENSE_LIMIT)
    ev, share = eigenvector(G), link_share(G)
    rows = []
    for a in agency_nodes(G):
        d = G.nodes[a]
        rows.append({
            "id": d.get("id"), "node": a, "name": d.get("name"), "category": d.get("category"),
            "type": d.get("type"), "sido": d.get("sido"), "sigungu": d.get("sigungu"),
            "reach": r[a], "weighted_degree": wd[a], "degree_centrality": _round(dc[a]),
            "betweenness": _round(bc[a]), "betweenness_scope": scope[a],
            "eigenvector": _round(ev[a]), "link_share": _round(share[a]),
        })
    rows.sort(key=lambda row: (-row["reach"], -row["weighted_degree"], row["name"] or ""))
    return rows


def complex_table(G, categories: list[str] | None = None, *, jaccard: dict | None = None) -> list[dict]:
    """One row per complex with every complex measure, by name.

    `categories` is the full list of categories (the store has seven); the
    row says how many of them the complex covers and which it lacks.
    """
    p, cov, div, mw = partners(G), categories_covered(G), diversity(G), mean_weight(G)
    simpson = diversity(G, index="simpson")
    jac = jaccard if jaccard is not None else jaccard_overlaps(G)
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


def _one_blas_thread():
    """Small dense matrices run fastest on one BLAS thread; more threads only contend (2-core servers)."""
    return threadpool_limits(limits=1, user_api="blas")


def _betweenness(G, max_nodes):
    """(normalised betweenness, scope) for every node; see :func:`betweenness`."""
    top = set(complex_nodes(G))
    max_top, max_bottom = _bipartite_betweenness_max(len(top), len(G) - len(top))
    values = dict.fromkeys(G, 0.0)
    scope = dict.fromkeys(G, "component")
    for comp in nx.connected_components(G):
        if len(comp) < 3:
            continue
        if len(comp) <= max_nodes:
            for v, b in _brandes_dense(G, comp).items():
                limit = max_top if v in top else max_bottom
                values[v] = b / limit if limit else 0.0
            continue
        districts = defaultdict(list)
        for c in comp:
            if c in top:
                districts[(G.nodes[c].get("sido"), G.nodes[c].get("sigungu"))].append(c)
        for members in districts.values():
            nodes = set(members).union(*(G[c] for c in members))
            n_top = len(members)
            d_top, d_bottom = _bipartite_betweenness_max(n_top, len(nodes) - n_top)
            for v, b in _brandes_dense(G, nodes).items():
                limit = d_top if v in top else d_bottom
                x = b / limit if limit else 0.0
                scope[v] = "district"
                values[v] = max(values[v], x) if v not in top else x
    return values, scope


def _brandes_dense(G, nodes) -> dict:
    """Exact unnormalised betweenness of the subgraph on `nodes` (undirected, unweighted).

    Brandes' algorithm run for all sources at once with dense matrices:
    breadth-first levels by matrix products count shortest paths (sigma),
    then dependencies are accumulated level by level backwards. Each level
    is one n×n product, so a district (≈100 nodes) takes milliseconds.
    """
    order = sorted(nodes)
    index = {v: i for i, v in enumerate(order)}
    n = len(order)
    A = np.zeros((n, n))
    for v in order:
        for u in G[v]:
            if u in index:
                A[index[v], index[u]] = 1.0
    sigma = np.eye(n)
    seen = np.eye(n, dtype=bool)
    frontier = np.eye(n)
    levels = [seen.copy()]
    while True:
        arriving = frontier @ A
        arriving[seen] = 0.0
        mask = arriving > 0
        if not mask.any():
            break
        sigma[mask] = arriving[mask]
        seen |= mask
        frontier = np.where(mask, arriving, 0.0)
        levels.append(mask)
    delta = np.zeros((n, n))
    for depth in range(len(levels) - 1, 0, -1):
        mask = levels[depth]
        share = np.where(mask, (1.0 + delta) / np.where(mask, sigma, 1.0), 0.0)
        back = (share @ A) * sigma
        previous = levels[depth - 1]
        delta[previous] += back[previous]
    np.fill_diagonal(delta, 0.0)
    totals = delta.sum(axis=0) / 2.0
    return {v: float(totals[i]) for v, i in index.items()}


def _bipartite_betweenness_max(n: int, m: int) -> tuple[float, float]:
    """The largest possible betweenness of a top and of a bottom node (Borgatti & Halgin)."""
    if n == 0 or m == 0:
        return 0.0, 0.0
    s, t = divmod(n - 1, m)
    max_top = ((m ** 2) * ((s + 1) ** 2) + m * (s + 1) * (2 * t - s - 1) - t * ((2 * s) - t + 3)) / 2.0
    p, r = divmod(m - 1, n)
    max_bottom = ((n ** 2) * ((p + 1) ** 2) + n * (p + 1) * (2 * r - p - 1) - r * ((2 * p) - r + 3)) / 2.0
    return max_top, max_bottom
