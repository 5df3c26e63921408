"""The sociogram: the linkage network as nodes and links for a force layout, with their measures.

:func:`sociogram` returns plain data for one complex (its ego network), one
district (시도 or 시군구) or the whole store: every node (complexes and
agencies: id, label, category, type, place and the four measures a page can
size it by — degree, weighted degree, betweenness, eigenvector) and every
link (frequency level and weight, content types, and depth when the link
carries one), with the vocabulary a legend needs (the frequency scale,
content types, categories, depths). :func:`to_json` writes it compactly.

The measures come from :mod:`network.measures` on the network the question
is about: a district's or the store's own graph; for one complex, its 시도's
network (every complex when the 시도 has too few to compare), the same scope
as the complex dashboard's measures, so an agency the complex shares with
its neighbours is drawn larger than one only it uses.

A link's ``depth`` (초보적 → 과정적 → 실질적) is taken from the graph's edges
when they carry one and left out otherwise; the page shows a depth filter
only when some link has a depth.
"""
from __future__ import annotations

import json
from datetime import date

import networkx as nx

from directory.errors import YeongyeError
from directory.store import content_types as content_type_rows
from directory.store import get_complex

from .gaps import MIN_PEERS
from .graph import build_graph, complex_node, complex_nodes, frequency_scale
from .measures import betweenness, eigenvector

__all__ = ["MEASURES", "DEPTHS", "SociogramError", "sociogram", "scope_graph", "to_json"]

MEASURES = ("degree", "weighted_degree", "betweenness", "eigenvector")
"""The measures a node can be sized by, in the order a page offers them."""

# The study's depth of a link, shallow to deep, and the spellings an edge's
# ``depth`` may use for each (a code, a rank, or the Korean word itself).
DEPTHS = (("초보적", ("informal", "basic", "초보적", 1, "1")),
          ("과정적", ("procedural", "process", "과정적", 2, "2")),
          ("실질적", ("substantive", "실질적", 3, "3")))
_DEPTH_RANK = {spelling: (rank, label) for rank, (label, spellings) in enumerate(DEPTHS) for spelling in spellings}
MAX_RADIUS = 2


class SociogramError(YeongyeError, ValueError):
    """A sociogram was asked for with an option it does not have."""

    code = "sociogram_error"


def scope_graph(db, *, complex_id=None, sido=None, sigungu=None, today=None) -> tuple[nx.Graph, dict]:
    """The graph the measures are computed on, and the scope it covers (``{"sido": …, "sigungu": …}``).

    A complex's scope is its 시도 (or every complex when its 시도 has at
    most ``MIN_PEERS`` complexes), as on the complex dashboard.

    >>> from directory.store import connect
    >>> scope_graph(connect(":memory:"))[1]
    {}
    """
    if complex_id is not None:
        row = get_complex(db, complex_id)
        if row.get("sido"):
            G = build_graph(db, sido=row["sido"], today=today)
            if len(complex_nodes(G)) > MIN_PEERS:
                return G, {"sido": row["sido"]}
        return build_graph(db, today=today), {}
    G = build_graph(db, sido=sido, sigungu=sigungu, today=today)
    return G, {k: v for k, v in (("sido", sido), ("sigungu", sigungu)) if v}


def sociogram(db, *, complex_id=None, sido=None, sigungu=None, radius: int = 1, min_level=None,
              content_type=None, category=None, depth=None, today: date | None = None, G=None) -> dict:
    """Nodes and links of a complex's ego network, a district's network or the whole store.

    Parameters
    ----------
    db : sqlite_utils.Database
        The store.
    complex_id : int, optional
        One complex: it, its partners and (``radius=2``) the other complexes
        those partners work with.
    sido, sigungu : str, optional
        One 시도 or 시군구: its complexes and every agency they work with.
        Neither (and no complex): the whole store.
    radius : int
        Steps from the complex in its ego network (1 or 2).
    min_level : int, optional
        Keep links at this frequency level or above (1–5).
    content_type : str, optional
        Keep links carrying this content type code (e.g. ``"referral"``).
    category : str, optional
        Keep links to agencies of this category.
    depth : str, optional
        Keep links of this depth (초보적, 과정적, 실질적; links without a
        depth are dropped by this filter).
    today : datetime.date, optional
        The day the 12-month contact window ends (default: today).
    G : networkx.Graph, optional
        The scope's graph when the caller has it (from :func:`scope_graph`).

    Returns
    -------
    dict
        ``scope`` (kind ``complex``/``district``/``all``, the complex's
        node, sido, sigungu), ``measure_scope`` (the network the measures
        were computed on), ``nodes`` (``id``, ``ref`` (store id), ``kind``
        ``complex``/``agency``, ``label``, ``category``, ``type``, ``sido``,
        ``sigungu``, ``lat``, ``lon``, and the measures ``degree``,
        ``weighted_degree``, ``betweenness``, ``eigenvector``), ``links``
        (``id``, ``source``, ``target``, ``level``, ``weight``,
        ``content_types``, and ``depth`` when known), and the vocabulary:
        ``measures``, ``levels``, ``content_types``, ``categories``,
        ``depths`` (only those links carry), ``counts``.

    Examples
    --------
    >>> from directory.store import connect
    >>> s = sociogram(connect(":memory:"))
    >>> s["scope"]["kind"], s["nodes"], s["links"]
    ('all', [], [])
    """
    radius = _radius(radius)
    min_level = _level(min_level)
    if G is None:
        G, measure_scope = scope_graph(db, complex_id=complex_id, sido=sido, sigungu=sigungu, today=today)
    else:
        measure_scope = dict(G.graph.get("filters") or {})
    if complex_id is not None:
        row = get_complex(db, complex_id)
        focus = complex_node(row["id"])
        scope = {"kind": "complex", "focus": focus, "ref": row["id"], "label": row["name"],
                 "sido": row.get("sido"), "sigungu": row.get("sigungu")}
        shown = set(nx.ego_graph(G, focus, radius=radius)) if focus in G else {focus}
    else:
        scope = {"kind": "district" if (sido or sigungu) else "all", "sido": sido, "sigungu": sigungu}
        shown = None

    degree = dict(G.degree())
    weighted = dict(G.degree(weight="weight"))
    between = betweenness(G)
    eigen = eigenvector(G)

    links, depths, linked = [], {}, set()
    for u, v, e in G.edges(data=True):
        if shown is not None and (u not in shown or v not in shown):
            continue
        c, a = (u, v) if G.nodes[u].get("bipartite") == 0 else (v, u)
        if min_level is not None and (e.get("level") or 0) < min_level:
            continue
        kinds = list(e.get("content_types") or [])
        if content_type and content_type not in kinds:
            continue
        if category and G.nodes[a].get("category") != category:
            continue
        link = {"id": e.get("link_id"), "source": c, "target": a, "level": e.get("level"),
                "weight": e.get("weight"), "content_types": kinds}
        known = _depth(e)
        if known is not None:
            link["depth"] = known[1]
            depths[known[1]] = known[0]
        elif depth:
            continue
        if depth and link.get("depth") != _depth_label(depth):
            continue
        links.append(link)
        linked.add(a)
    links.sort(key=lambda link: (link["source"], link["target"]))

    nodes = []
    for n, d in G.nodes(data=True):
        is_complex = d.get("bipartite") == 0
        if shown is not None and n not in shown:
            continue
        if not is_complex and n not in linked:
            continue  # an agency whose every link the filters hid
        nodes.append({
            "id": n, "ref": d.get("id"), "kind": "complex" if is_complex else "agency",
            "label": d.get("name"), "category": None if is_complex else d.get("category"),
            "type": None if is_complex else d.get("type"), "sido": d.get("sido"), "sigungu": d.get("sigungu"),
            "lat": _round(d.get("lat"), 5), "lon": _round(d.get("lon"), 5),
            "degree": degree.get(n, 0), "weighted_degree": _round(weighted.get(n, 0.0), 2),
            "betweenness": _round(between.get(n, 0.0)), "eigenvector": _round(eigen.get(n, 0.0)),
        })
    nodes.sort(key=lambda node: (node["kind"] != "complex", node["label"] or "", node["id"]))

    levels = [{k: r[k] for k in ("level", "mark", "label", "weight")} for r in
              (G.graph.get("scale") or frequency_scale(db))]
    return {
        "scope": scope,
        "measure_scope": measure_scope,
        "radius": radius if complex_id is not None else None,
        "filters": {k: v for k, v in (("min_level", min_level), ("content_type", content_type),
                                      ("category", category), ("depth", depth)) if v},
        "measures": list(MEASURES),
        "levels": levels,
        "content_types": content_type_rows(db),
        "categories": [r[0] for r in db.execute("SELECT name FROM categories ORDER BY ord")],
        "depths": [label for label, _rank in sorted(depths.items(), key=lambda item: item[1])],
        "counts": {"complexes": sum(1 for n in nodes if n["kind"] == "complex"),
                   "agencies": sum(1 for n in nodes if n["kind"] == "agency"), "links": len(links)},
        "nodes": nodes,
        "links": links,
    }


def to_json(data: dict) -> str:
    """The sociogram as compact JSON, Korean kept readable.

    >>> to_json({"label": "단지"})
    '{"label":"단지"}'
    """
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)


# --- helpers ------------------------------------------------------------------


def _round(x, digits: int = 4):
    return round(float(x), digits) if x is not None else None


def _radius(value) -> int:
    try:
        radius = int(value)
    except (TypeError, ValueError):
        raise SociogramError("sociogram_bad_radius", radius=value, maximum=MAX_RADIUS) from None
    if not 1 <= radius <= MAX_RADIUS:
        raise SociogramError("sociogram_bad_radius", radius=value, maximum=MAX_RADIUS)
    return radius


def _level(value):
    if value in (None, ""):
        return None
    try:
        level = int(value)
    except (TypeError, ValueError):
        raise SociogramError("sociogram_bad_level", level=value) from None
    if not 1 <= level <= 5:
        raise SociogramError("sociogram_bad_level", level=value)
    return level


def _depth(edge: dict):
    """(rank, Korean label) of an edge's depth, or None when it has none."""
    value = edge.get("depth")
    if value in (None, ""):
        return None
    key = value.strip().lower() if isinstance(value, str) else value
    if key in _DEPTH_RANK:
        return _DEPTH_RANK[key]
    label = edge.get("depth_label") or str(value)
    return (len(DEPTHS), label)


def _depth_label(value) -> str:
    known = _depth({"depth": value})
    return known[1] if known else str(value)
