"""Overlaps: where the network is loaded, duplicated or confused.

The study found that public services aimed at the same residents overlap and
confuse (대상 중첩·혼선). Three views:

:func:`load`
    agencies carrying many complexes;
:func:`similar_pairs`
    complex pairs whose partner sets are nearly the same (Jaccard);
:func:`same_type_splits`
    agencies of the same type that split the same complexes between them,
    with how far apart they are.
"""
from __future__ import annotations

import math
from collections import defaultdict

from geopy.distance import geodesic

from directory.vocabulary import SAMPLE

from .graph import agency_nodes, complex_nodes
from .measures import jaccard_overlaps

__all__ = ["load", "similar_pairs", "same_type_splits", "overlap_report"]


def load(G, *, min_reach: int = 3, limit: int | None = 50) -> list[dict]:
    """Agencies linked with at least `min_reach` complexes, most loaded first (``sample`` stand-ins last on ties).

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
            "sample": d.get("placement") == SAMPLE,
        })
    # A sample stand-in (the demo's placeholder for a kind its 시군구 does not list) comes after
    # the real agencies it ties with: no planner plans around it.
    rows.sort(key=lambda r: (-r["reach"], -r["weighted_degree"], r["sample"], r["name"] or ""))
    return rows[:limit] if limit else rows


def similar_pairs(G, *, min_jaccard: float = 0.5, limit: int | None = 100, jaccard: dict | None = None) -> list[dict]:
    """Complex pairs whose partners overlap by at least `min_jaccard`, most similar first.

    >>> import networkx as nx
    >>> G = nx.Graph([("c:1", "a:1"), ("c:2", "a:1")])
    >>> nx.set_node_attributes(G, {"c:1": 0, "c:2": 0, "a:1": 1}, "bipartite")
    >>> similar_pairs(G)[0]["jaccard"]
    1.0
    """
    jac = jaccard if jaccard is not None else jaccard_overlaps(G)
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


def same_type_splits(G, *, max_km: float | None = None, limit: int | None = 200) -> list[dict]:
    """Agencies of one type that split the same complexes between them (대상 중첩·혼선).

    Every pair of same-type agencies linked with at least one common complex,
    with the complexes they share and, when both are placed, the distance
    between them (``geopy`` geodesic). With `max_km`, pairs placed further
    apart are left out. Most shared complexes first, then nearest.

    >>> import networkx as nx
    >>> G = nx.Graph([("c:1", "a:1"), ("c:1", "a:2")])
    >>> nx.set_node_attributes(G, {"c:1": 0, "a:1": 1, "a:2": 1}, "bipartite")
    >>> nx.set_node_attributes(G, {"a:1": "치매안심센터", "a:2": "치매안심센터"}, "type")
    >>> same_type_splits(G)[0]["shared"]
    1
    """
    pairs: dict[tuple, list] = defaultdict(list)
    for c in complex_nodes(G):
        by_type = defaultdict(list)
        for a in G[c]:
            if G.nodes[a].get("type"):
                by_type[G.nodes[a]["type"]].append(a)
        for t, agencies in by_type.items():
            agencies.sort()
            for i, a1 in enumerate(agencies):
                for a2 in agencies[i + 1:]:
                    pairs[(t, a1, a2)].append(c)
    rows = []
    for (t, a1, a2), shared in pairs.items():
        d1, d2 = G.nodes[a1], G.nodes[a2]
        km = None
        if None not in (d1.get("lat"), d1.get("lon"), d2.get("lat"), d2.get("lon")):
            km = geodesic((d1["lat"], d1["lon"]), (d2["lat"], d2["lon"])).km
            if max_km is not None and km > max_km:
                continue
        names = sorted(G.nodes[c].get("name") or c for c in shared)
        where = f"{km:.1f} km 떨어진 " if km is not None else ""
        rows.append({
            "type": t, "agencies": [d1.get("name"), d2.get("name")], "agency_ids": [d1.get("id"), d2.get("id")],
            "distance_km": round(km, 2) if km is not None else None,
            "shared": len(shared), "complexes": names,
            "reason": f"{where}{t} 두 곳({d1.get('name')}, {d2.get('name')})이 같은 단지 {len(shared)}곳"
                      f"({', '.join(names[:5])}{' 외' if len(names) > 5 else ''})을 함께 맡고 있어 "
                      "대상 중첩·혼선이 없도록 역할을 나눌 필요가 있습니다.",
        })
    rows.sort(key=lambda r: (-r["shared"], r["distance_km"] if r["distance_km"] is not None else math.inf,
                             r["type"], r["agencies"]))
    return rows[:limit] if limit else rows


def overlap_report(G, *, min_reach: int = 3, min_jaccard: float = 0.5, max_km: float | None = None,
                   jaccard: dict | None = None) -> dict:
    """All three overlap views of `G` in one dict (load, similar_pairs, same_type)."""
    return {
        "load": load(G, min_reach=min_reach),
        "similar_pairs": similar_pairs(G, min_jaccard=min_jaccard, jaccard=jaccard),
        "same_type": same_type_splits(G, max_km=max_km),
    }
