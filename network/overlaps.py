"""Overlaps: where the network is loaded, duplicated or confused.

The study found that public services aimed at the same residents overlap and
confuse (대상 중첩·혼선). Three views:

:func:`load`
    agencies carrying many complexes;
:func:`similar_pairs`
    complex pairs whose partner sets are nearly the same (Jaccard);
:func:`same_type_splits`
    agencies of the same type close to each other that split the same
    complexes (or the complexes of one 시군구) between them, and complexes
    linked with two or more agencies of one type.
"""
from __future__ import annotations

import math
from collections import defaultdict

from geopy.distance import geodesic

from .graph import agency_nodes, complex_nodes
from .measures import jaccard_overlaps

__all__ = ["load", "similar_pairs", "same_type_splits", "overlap_report"]


def load(G, *, min_reach: int = 3, limit: int | None = 50) -> list[dict]:
    """Agencies linked with at least `min_reach` complexes, most loaded first.

    >>> import networkx as nx
    >>> G = nx.Graph([("c:1", "a:1"), ("c:2", "a:1"), ("c:3", "a:1")])
    >>> nx.set_node_attributes(G, {"c:1": 0, "c:2": 0, "c:3": 0, "a:1": 1}, "bipartite")
    >>> load(G)[0]["reach"]
    3
    """
    rows = []
    for a in agency_nodes(G):
        k = G.degree(a)
        if k < min_reach:
            continue
        d = G.nodes[a]
        rows.append({
            "id": d.get("id"), "name": d.get("name"), "type": d.get("type"), "category": d.get("category"),
            "reach": k, "weighted_degree": float(G.degree(a, weight="weight")),
            "complexes": sorted(G.nodes[c].get("name") or c for c in G[a]),
        })
    rows.sort(key=lambda r: (-r["reach"], -r["weighted_degree"], r["name"] or ""))
    return rows[:limit] if limit else rows


def similar_pairs(G, *, min_jaccard: float = 0.5, limit: int | None = 100) -> list[dict]:
    """Complex pairs whose partners overlap by at least `min_jaccard`, most similar first.

    >>> import networkx as nx
    >>> G = nx.Graph([("c:1", "a:1"), ("c:2", "a:1")])
    >>> nx.set_node_attributes(G, {"c:1": 0, "c:2": 0, "a:1": 1}, "bipartite")
    >>> similar_pairs(G)[0]["jaccard"]
    1.0
    """
    jac = jaccard_overlaps(G)
    rows = []
    for c1, others in jac.items():
        for c2, j in others.items():
            if c1 < c2 and j >= min_jaccard:
                shared = sorted(G.nodes[a].get("name") for a in set(G[c1]) & set(G[c2]))
                rows.append({
                    "complexes": [G.nodes[c1].get("name"), G.nodes[c2].get("name")],
                    "jaccard": round(j, 4), "shared": shared,
                })
    rows.sort(key=lambda r: (-r["jaccard"], r["complexes"]))
    return rows[:limit] if limit else rows


def same_type_splits(G, *, max_km: float = 3.0) -> list[dict]:
    """Same-type agencies that overlap on the ground.

    Two kinds of record:

    ``kind="same_complex"``
        one complex linked with two or more agencies of one type;
    ``kind="nearby"``
        two agencies of one type within `max_km` of each other whose
        complexes are the same or in the same 시군구.

    >>> import networkx as nx
    >>> G = nx.Graph([("c:1", "a:1"), ("c:1", "a:2")])
    >>> nx.set_node_attributes(G, {"c:1": 0, "a:1": 1, "a:2": 1}, "bipartite")
    >>> nx.set_node_attributes(G, {"a:1": "치매안심센터", "a:2": "치매안심센터"}, "type")
    >>> same_type_splits(G)[0]["kind"]
    'same_complex'
    """
    rows = []
    for c in complex_nodes(G):
        by_type = defaultdict(list)
        for a in G[c]:
            if G.nodes[a].get("type"):
                by_type[G.nodes[a]["type"]].append(a)
        for t, agencies in sorted(by_type.items()):
            if len(agencies) > 1:
                rows.append({
                    "kind": "same_complex", "type": t, "complexes": [G.nodes[c].get("name")],
                    "agencies": sorted(G.nodes[a].get("name") for a in agencies), "distance_km": None,
                    "reason": f"{G.nodes[c].get('name')} 단지가 {t} {len(agencies)}곳과 함께 연계하고 있어 "
                              "역할 분담을 확인할 필요가 있습니다.",
                })
    # Nearby pairs: bucket placed agencies of each type into cells about
    # max_km wide so only neighbouring cells are compared.
    cell = max(max_km, 0.1) / 111.0
    buckets = defaultdict(list)
    for a in agency_nodes(G):
        d = G.nodes[a]
        if d.get("type") and d.get("lat") is not None and d.get("lon") is not None:
            buckets[(d["type"], math.floor(d["lat"] / cell), math.floor(d["lon"] / cell))].append(a)
    seen = set()
    for (t, i, j), members in buckets.items():
        for di in (-1, 0, 1):
            for dj in (-1, 0, 1):
                for a1 in members:
                    for a2 in buckets.get((t, i + di, j + dj), ()):
                        if a1 >= a2 or (a1, a2) in seen:
                            continue
                        seen.add((a1, a2))
                        row = _nearby_pair(G, t, a1, a2, max_km)
                        if row:
                            rows.append(row)
    rows.sort(key=lambda r: (r["kind"] != "same_complex", r["distance_km"] or 0, r["type"], r["agencies"]))
    return rows


def overlap_report(G, *, min_reach: int = 3, min_jaccard: float = 0.5, max_km: float = 3.0) -> dict:
    """All three overlap views of `G` in one dict (load, similar_pairs, same_type)."""
    return {
        "load": load(G, min_reach=min_reach),
        "similar_pairs": similar_pairs(G, min_jaccard=min_jaccard),
        "same_type": same_type_splits(G, max_km=max_km),
    }


# --- helpers ------------------------------------------------------------------


def _nearby_pair(G, t, a1, a2, max_km):
    d1, d2 = G.nodes[a1], G.nodes[a2]
    c1, c2 = set(G[a1]), set(G[a2])
    areas1 = {(G.nodes[c].get("sido"), G.nodes[c].get("sigungu")) for c in c1}
    areas2 = {(G.nodes[c].get("sido"), G.nodes[c].get("sigungu")) for c in c2}
    if not (c1 & c2 or areas1 & areas2):
        return None
    km = geodesic((d1["lat"], d1["lon"]), (d2["lat"], d2["lon"])).km
    if km > max_km:
        return None
    return {
        "kind": "nearby", "type": t, "agencies": sorted([d1.get("name"), d2.get("name")]),
        "distance_km": round(km, 2),
        "complexes": sorted({G.nodes[c].get("name") for c in c1 | c2}),
        "reason": f"{t} 두 곳이 {km:.1f} km 거리에서 같은 지역 단지를 나누어 맡고 있어 대상 중첩·혼선이 생길 수 있습니다.",
    }
