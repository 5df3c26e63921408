"""The linkage network as a bipartite NetworkX graph.

Complexes are nodes ``"c:<id>"`` with ``bipartite=0``; agencies are nodes
``"a:<id>"`` with ``bipartite=1``. Strings (not tuples) so node ids go into
JSON, URLs and sorted lists unchanged; the prefix keeps the two id spaces
apart. Each edge is one row of ``links`` and carries:

``level``
    the frequency level 1–5 every page shows, decided by the one rule
    :func:`directory.frequency.decide` (the contact log's level replaces the
    hand-set one only once the log covers the link's last 12 months, or when
    the team lead chose 기록으로 계산);
``manual_level``, ``derived_level``, ``level_source``, ``contacts_12m``
    the hand-set level, the log's level (None without a log), which of the
    two is shown (``manual`` or ``log``) and the logged count;
``depth``, ``depth_label``
    the link's depth (``substantive`` 실질적, ``procedural`` 과정적,
    ``informal`` 초보적) by the rules of :mod:`network.depth`;
``weight``
    the weight of ``level`` in the ``frequency_levels`` table (editable data);
``content_types``
    list of content-type codes; ``since``; ``link_id``; ``version``.

The type-level view (:func:`type_graph`) collapses agencies of one type into
one node ``"t:<type>"``, for the team lead's question "do my peers work with
a 시니어클럽 and I don't".
"""
from __future__ import annotations

import json
from datetime import date

import networkx as nx

from directory.frequency import (EMPTY_COUNTS, Scale, contact_counts, decide, frequency_scale,  # noqa: F401
                                 level_for_count, link_levels)  # (re-exported)

from .depth import link_depths

__all__ = [
    "build_graph",
    "type_graph",
    "complex_nodes",
    "agency_nodes",
    "complex_node",
    "agency_node",
    "node_id",
    "frequency_scale",
    "level_for_count",
    "link_levels",
    "link_rows",
    "district_complexes",
]

COMPLEX_PREFIX = "c:"
AGENCY_PREFIX = "a:"
TYPE_PREFIX = "t:"

_COMPLEX_FIELDS = (
    "id", "name", "operator", "sido", "sigungu", "lat", "lon", "placement", "households",
    "elderly_pct", "disabled_pct", "recipients_pct", "living_alone_pct",
    "alcohol_issues", "hoarding_issues", "mental_illness_issues",
)
_AGENCY_FIELDS = ("id", "name", "type", "category", "sido", "sigungu", "lat", "lon", "placement", "phone")


def complex_node(complex_id: int) -> str:
    """The node id of a complex.

    >>> complex_node(3)
    'c:3'
    """
    return f"{COMPLEX_PREFIX}{int(complex_id)}"


def agency_node(agency_id: int) -> str:
    """The node id of an agency.

    >>> agency_node(12)
    'a:12'
    """
    return f"{AGENCY_PREFIX}{int(agency_id)}"


def node_id(node: str) -> int:
    """The store id inside a complex or agency node id.

    >>> node_id("a:12")
    12
    """
    return int(node.split(":", 1)[1])


def complex_nodes(G) -> list[str]:
    """The complex nodes (``bipartite=0``) of `G`, sorted.

    >>> G = nx.Graph(); G.add_node("c:1", bipartite=0); G.add_node("a:2", bipartite=1)
    >>> complex_nodes(G)
    ['c:1']
    """
    return sorted(n for n, d in G.nodes(data="bipartite") if d == 0)


def agency_nodes(G) -> list[str]:
    """The agency (or type) nodes (``bipartite=1``) of `G`, sorted.

    >>> G = nx.Graph(); G.add_node("c:1", bipartite=0); G.add_node("a:2", bipartite=1)
    >>> agency_nodes(G)
    ['a:2']
    """
    return sorted(n for n, d in G.nodes(data="bipartite") if d == 1)


def link_rows(db, *, complex_ids=None, agency_id=None, today=None) -> list[dict]:
    """Links with both ends and their effective level: what the dashboard lists and the maps draw.

    Parameters
    ----------
    db : sqlite_utils.Database
        The store.
    complex_ids : iterable of int, optional
        Only the links of these complexes.
    agency_id : int, optional
        Only the links of this agency.
    today : datetime.date, optional
        The day the 12-month contact window ends (default: today).

    Returns
    -------
    list of dict
        One row per link, ordered by complex and agency name: ``id``,
        ``complex_id``, ``agency_id``; every key of
        :func:`directory.frequency.decide` (``level`` — the same as
        :func:`build_graph`'s edge ``level`` — with its ``mark``, ``label``
        and ``weight``, ``source``, ``reason``, ``basis``, ``manual_level``,
        ``derived_level``, ``contacts_12m`` …); the link's depth from
        :mod:`network.depth` (``depth`` code, ``depth_label``, ``depth_reason``,
        ``depth_template`` and ``depth_params``); ``content_types`` (list of codes),
        ``since``, ``note``, ``version``; ``complex_name``, ``complex_lat``,
        ``complex_lon``, ``complex_placement``; ``agency_name``,
        ``agency_type``, ``category``, ``phone``, ``road_address``,
        ``agency_lat``, ``agency_lon``, ``agency_placement``.

    Examples
    --------
    >>> from directory.store import connect
    >>> link_rows(connect(":memory:"), complex_ids=[1])
    []
    """
    where, params = [], []
    if complex_ids is not None:
        ids = [int(i) for i in complex_ids]
        if not ids:
            return []
        where.append(f"l.complex_id IN ({','.join('?' * len(ids))})")
        params += ids
    if agency_id is not None:
        where.append("l.agency_id = ?")
        params.append(int(agency_id))
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    rows = list(db.query(
        f"""SELECT l.id, l.complex_id, l.agency_id, l.frequency_level AS manual_level, l.frequency_basis,
                   l.content_types, l.since, l.note, l.version,
                   c.name AS complex_name, c.lat AS complex_lat, c.lon AS complex_lon,
                   c.placement AS complex_placement,
                   a.name AS agency_name, a.type AS agency_type, a.category, a.phone, a.road_address,
                   a.lat AS agency_lat, a.lon AS agency_lon, a.placement AS agency_placement
            FROM links l JOIN complexes c ON c.id = l.complex_id JOIN agencies a ON a.id = l.agency_id
            {clause} ORDER BY c.name, a.name, l.id""",
        params,
    ))
    scale = Scale.of(db)
    today = today or date.today()
    # Every link (no filter): one grouped scan each, not thousands of chunked id lists.
    ids = None if not where else [r["id"] for r in rows]
    counts = contact_counts(db, ids, today=today)
    depths = link_depths(db, ids, today=today) if rows else {}
    for row in rows:
        row.update(decide(scale, row["manual_level"], row.pop("frequency_basis"),
                          counts.get(row["id"], EMPTY_COUNTS), today=today))
        depth = depths.get(row["id"]) or {}
        row.update(depth=depth.get("depth"), depth_label=depth.get("label"), depth_reason=depth.get("reason"),
                   depth_template=depth.get("reason_template"), depth_params=depth.get("params") or {})
        row["content_types"] = _json_list(row["content_types"])
    return rows


def district_complexes(db, sido=None, sigungu=None) -> list[dict]:
    """The complexes of a 시도/시군구 (or every complex), by name: the nodes of a district's map.

    >>> from directory.store import connect
    >>> district_complexes(connect(":memory:"), "서울특별시")
    []
    """
    where, params = [], []
    if sido:
        where.append("sido = ?")
        params.append(sido)
    if sigungu:
        where.append("sigungu = ?")
        params.append(sigungu)
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    return list(db.query(f"SELECT * FROM complexes {clause} ORDER BY name", params))


def build_graph(db, *, sido=None, sigungu=None, category=None, operator=None, today=None) -> nx.Graph:
    """The bipartite linkage graph of the store, optionally filtered.

    Parameters
    ----------
    db : sqlite_utils.Database
        The store.
    sido, sigungu : str, optional
        Keep complexes in this 시도 / 시군구 (and the agencies they link with,
        wherever those are).
    category : str, optional
        Keep only agencies of this category (공공기관 … 기타).
    operator : str, optional
        Keep complexes whose operator contains this text (e.g. ``"LH"``).
    today : datetime.date, optional
        The day the 12-month contact window ends (default: today).

    Returns
    -------
    networkx.Graph
        Complexes ``"c:<id>"`` (``bipartite=0``), agencies ``"a:<id>"``
        (``bipartite=1``); every complex matching the filters is a node even
        without links; agencies appear only when linked.

    Examples
    --------
    >>> from directory.store import connect
    >>> G = build_graph(connect(":memory:"))
    >>> G.number_of_nodes()
    0
    """
    where, params = [], []
    if sido:
        where.append("c.sido = ?")
        params.append(sido)
    if sigungu:
        where.append("c.sigungu = ?")
        params.append(sigungu)
    if operator:
        where.append("c.operator LIKE ?")
        params.append(f"%{operator}%")
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    G = nx.Graph()
    cols = ", ".join(f"c.{f}" for f in _COMPLEX_FIELDS)
    for row in db.execute(f"SELECT {cols} FROM complexes c {clause}", params):
        attrs = dict(zip(_COMPLEX_FIELDS, row))
        G.add_node(complex_node(attrs["id"]), bipartite=0, kind="complex", **attrs)

    scale = Scale.of(db)
    today = today or date.today()
    counts = contact_counts(db, today=today)
    link_where = list(where)
    link_params = list(params)
    if category:
        link_where.append("a.category = ?")
        link_params.append(category)
    link_clause = ("WHERE " + " AND ".join(link_where)) if link_where else ""
    acols = ", ".join(f"a.{f}" for f in _AGENCY_FIELDS)
    # With a region filter, start from the few complexes (CROSS JOIN fixes
    # SQLite's join order) instead of scanning every link in the country.
    order = ("complexes c CROSS JOIN links l ON l.complex_id = c.id" if where
             else "links l JOIN complexes c ON c.id = l.complex_id")
    sql = f"""SELECT l.id, l.complex_id, l.frequency_level, l.frequency_raw, l.content_types, l.since,
                     l.version, l.frequency_basis, {acols}
              FROM {order} JOIN agencies a ON a.id = l.agency_id
              {link_clause}"""
    found = db.execute(sql, link_params).fetchall()
    depths = link_depths(db, None if not (where or category) else [r[0] for r in found], today=today)
    for row in found:
        link_id, complex_id, manual, raw, content, since, version, basis = row[:8]
        agency = dict(zip(_AGENCY_FIELDS, row[8:]))
        a = agency_node(agency["id"])
        if a not in G:
            G.add_node(a, bipartite=1, kind="agency", **agency)
        d = decide(scale, manual, basis, counts.get(link_id, EMPTY_COUNTS), today=today)
        G.add_edge(
            complex_node(complex_id), a,
            link_id=link_id, level=d["level"], manual_level=manual, derived_level=d["derived_level"],
            level_source=d["source"], contacts_12m=d["contacts_12m"],
            depth=(depths.get(link_id) or {}).get("depth"), depth_label=(depths.get(link_id) or {}).get("label"),
            frequency_raw=raw, weight=d["weight"] if d["level"] else 1.0,
            content_types=_json_list(content), since=since, version=version,
        )
    G.graph.update(filters={k: v for k, v in
                            dict(sido=sido, sigungu=sigungu, category=category, operator=operator).items() if v},
                   scale=scale.rows)
    return G


def type_graph(G) -> nx.Graph:
    """Collapse the agencies of `G` by type: complexes × agency types.

    Agencies without a type keep their own node. An edge carries the
    strongest ``level`` and ``weight`` of the collapsed links, their
    ``content_types`` united, ``links`` (how many) and ``agencies`` (ids).

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("c:1", bipartite=0)
    >>> G.add_node("a:1", bipartite=1, type="사회복지관", category="복지기관")
    >>> G.add_node("a:2", bipartite=1, type="사회복지관", category="복지기관")
    >>> G.add_edge("c:1", "a:1", level=5, weight=5.0, content_types=["referral"])
    >>> G.add_edge("c:1", "a:2", level=2, weight=2.0, content_types=["meetings"])
    >>> T = type_graph(G)
    >>> T["c:1"]["t:사회복지관"]["weight"], T["c:1"]["t:사회복지관"]["links"]
    (5.0, 2)
    """
    T = nx.Graph(**G.graph)
    for n, d in G.nodes(data=True):
        if d.get("bipartite") == 0:
            T.add_node(n, **d)
    for c, a, e in G.edges(data=True):
        if G.nodes[c].get("bipartite") != 0:
            c, a = a, c
        ad = G.nodes[a]
        t = f"{TYPE_PREFIX}{ad['type']}" if ad.get("type") else a
        if t not in T:
            T.add_node(t, bipartite=1, kind="type", type=ad.get("type") or ad.get("name"),
                       name=ad.get("type") or ad.get("name"), category=ad.get("category"), agencies={})
        aid = ad.get("id", a)
        members = T.nodes[t]["agencies"]
        if aid not in members:
            members[aid] = None  # a dict keeps insertion order and answers "in" at once
        if T.has_edge(c, t):
            edge = T[c][t]
            if (e.get("weight") or 0) > edge["weight"]:
                edge.update(level=e.get("level"), weight=e.get("weight"))
            edge["content_types"] = sorted(set(edge["content_types"]) | set(e.get("content_types") or []))
            edge["links"] += 1
            edge["agencies"].append(aid)
        else:
            T.add_edge(c, t, level=e.get("level"), weight=e.get("weight"),
                       content_types=sorted(e.get("content_types") or []), links=1, agencies=[aid])
    for t, d in T.nodes(data=True):
        if d.get("kind") == "type":
            d["agencies"] = list(d["agencies"])
    return T


# --- helpers ----------------------------------------------------------------


def _json_list(text) -> list:
    if not text or text == "[]":
        return []
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return []
    return list(value) if isinstance(value, list) else []
