"""Gaps: the partners a complex lacks.

Three kinds, each with a Korean reason:

``peer``
    agency types that most peer complexes link with and this one does not.
    Peers are the other complexes of the same 시군구; with fewer than
    ``MIN_PEERS`` there, the same 시도; with fewer still, every complex.
``category``
    categories (of the seven) with no partner.
``profile``
    needs implied by the residents' profile with no partner of that kind.
    The rules are data: ``data/reference/gap_rules.csv`` (field, threshold,
    agency_type, reason); a rule fires when the complex's field is at or
    above the threshold. Agency types may be written with their aliases
    (노인복지관 → 노인복지센터).
"""
from __future__ import annotations

import csv
from collections import Counter, defaultdict
from pathlib import Path

from directory.errors import YeongyeError
from directory.paths import REFERENCE_DIR
from directory.store import get_complex, taxonomy

from .explain import with_particle
from .graph import build_graph, complex_node, complex_nodes

__all__ = ["GapRuleError", "MIN_PEERS", "load_rules", "complex_gaps", "all_gaps", "gap_report"]


class GapRuleError(YeongyeError, ValueError):
    """A gap-rules file holds a value that is not a number."""

    code = "bad_threshold"

MIN_PEERS = 3
RULES_FILE = REFERENCE_DIR / "gap_rules.csv"


def load_rules(db=None, path: str | Path = RULES_FILE) -> list[dict]:
    """The profile rules, agency types made canonical through the store's aliases.

    >>> rules = load_rules()
    >>> {"field", "threshold", "agency_type", "reason"} <= set(rules[0])
    True
    """
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    tax = taxonomy(db) if db is not None else None
    rules = []
    for number, row in enumerate(rows, start=2):
        try:
            threshold = float(row["threshold"])
        except (TypeError, ValueError):
            raise GapRuleError(file=Path(path).name, row=number, value=row.get("threshold")) from None
        agency_type = (row.get("agency_type") or "").strip()
        if tax is not None:
            agency_type = tax.canonical_type(agency_type) or agency_type
        rules.append({"field": row["field"].strip(), "threshold": threshold,
                      "agency_type": agency_type, "reason": row["reason"].strip()})
    return rules


def complex_gaps(G, node, *, rules: list[dict], categories: list[str], min_share: float = 0.5) -> dict:
    """The gaps of one complex in graph `G` (its peers must be in `G`).

    Parameters
    ----------
    G : networkx.Graph
        A bipartite graph from :func:`network.graph.build_graph`.
    node : str
        The complex's node (``"c:<id>"``).
    rules : list of dict
        From :func:`load_rules`.
    categories : list of str
        All categories (the store's seven).
    min_share : float
        A type is a peer gap when more than this share of peers link with it.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph()
    >>> for c in ("c:1", "c:2", "c:3", "c:4"): G.add_node(c, bipartite=0, name=c, sido="서울")
    >>> G.add_node("a:1", bipartite=1, type="시니어클럽", category="일자리")
    >>> G.add_edges_from([("c:2", "a:1"), ("c:3", "a:1"), ("c:4", "a:1")])
    >>> [g["type"] for g in complex_gaps(G, "c:1", rules=[], categories=["일자리"])["peer"]]
    ['시니어클럽']
    """
    types, _ = _type_sets(G)
    groups = _peer_groups(G)
    return _gaps_for(G, node, types, groups, rules, categories, min_share)


def all_gaps(G, *, rules: list[dict], categories: list[str], min_share: float = 0.5) -> list[dict]:
    """The gaps of every complex of `G`, by complex name."""
    types, _ = _type_sets(G)
    groups = _peer_groups(G)
    result = [_gaps_for(G, c, types, groups, rules, categories, min_share) for c in complex_nodes(G)]
    return sorted(result, key=lambda g: g["complex"] or "")


def gap_report(db, complex_key, *, min_share: float = 0.5) -> dict:
    """The gaps of one complex (by id or name), read from the store.

    Builds only the graph of the complex's 시군구 (or 시도 when it has too
    few complexes), so one report stays fast on a national store.
    """
    row = get_complex(db, complex_key)
    categories = [r[0] for r in db.execute("SELECT name FROM categories ORDER BY ord")]
    rules = load_rules(db)
    def count(where, params):
        return db.execute(f"SELECT count(*) FROM complexes WHERE {where}", params).fetchone()[0]

    # Pick the peer scope first, so only one (small) graph is built.
    if row.get("sigungu") and count("sido IS ? AND sigungu = ?", [row.get("sido"), row["sigungu"]]) > MIN_PEERS:
        G = build_graph(db, sido=row.get("sido"), sigungu=row["sigungu"])
    elif row.get("sido") and count("sido = ?", [row["sido"]]) > MIN_PEERS:
        G = build_graph(db, sido=row["sido"])
    else:
        G = build_graph(db)
    return complex_gaps(G, complex_node(row["id"]), rules=rules, categories=categories, min_share=min_share)


# --- helpers ------------------------------------------------------------------


def _type_sets(G):
    """complex -> {type: [agency names]}, and complex -> set of categories."""
    types: dict[str, dict[str, list]] = {}
    cats: dict[str, set] = {}
    for c in complex_nodes(G):
        by_type = defaultdict(list)
        for a in G[c]:
            d = G.nodes[a]
            by_type[d.get("type") or d.get("name")].append(d.get("name"))
        types[c] = dict(by_type)
        cats[c] = {G.nodes[a].get("category") for a in G[c]} - {None}
    return types, cats


def _peer_groups(G):
    """Complexes grouped by (시도, 시군구) and by 시도, for peer lookup."""
    by_sigungu, by_sido = defaultdict(list), defaultdict(list)
    for c in complex_nodes(G):
        d = G.nodes[c]
        by_sigungu[(d.get("sido"), d.get("sigungu"))].append(c)
        by_sido[d.get("sido")].append(c)
    type_category = {}
    for a, b in G.nodes(data="bipartite"):
        if b == 1:
            ad = G.nodes[a]
            type_category.setdefault(ad.get("type") or ad.get("name"), ad.get("category"))
    return by_sigungu, by_sido, complex_nodes(G), type_category, {}


def _peers(G, c, groups):
    by_sigungu, by_sido, everyone = groups[:3]
    d = G.nodes[c]
    for scope, members in (("시군구", by_sigungu.get((d.get("sido"), d.get("sigungu"))) if d.get("sigungu") else None),
                           ("시도", by_sido.get(d.get("sido")) if d.get("sido") else None),
                           ("전체", everyone)):
        if members is None:
            continue
        peers = [p for p in members if p != c]
        if len(peers) >= MIN_PEERS or scope == "전체":
            key = (scope, d.get("sido"), d.get("sigungu") if scope == "시군구" else None)
            return scope, peers, key
    return "전체", [], ("전체", None, None)  # pragma: no cover


def _gaps_for(G, c, types, groups, rules, categories, min_share):
    d = G.nodes[c]
    mine = types[c]
    scope, peers, key = _peers(G, c, groups)
    # Count each peer group's types once, then take this complex's own out.
    cache = groups[4]
    if key not in cache:
        members = peers + [c]
        cache[key] = Counter(t for p in members for t in types[p])
    counts = cache[key] - Counter(list(types[c]))
    type_category = groups[3]
    peer = []
    for t, k in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] or "")):
        share = k / len(peers)
        if t not in mine and share > min_share:
            peer.append({
                "type": t, "category": type_category.get(t), "peers_with": k, "peers": len(peers),
                "share": round(share, 3),
                "reason": f"비교 단지({scope}) {len(peers)}곳 중 {k}곳이 {with_particle(t)} 연계하지만 이 단지는 연계가 없습니다.",
            })
    covered = {G.nodes[a].get("category") for a in G[c]} - {None}
    category = [{"category": cat, "reason": f"{cat} 분야에 연계 기관이 없습니다."}
                for cat in categories if cat not in covered]
    profile, met = [], []
    for rule in rules:
        value = d.get(rule["field"])
        if value is None or float(value) < rule["threshold"]:
            continue
        shown = _fmt(value)
        entry = {"field": rule["field"], "value": value, "threshold": rule["threshold"], "type": rule["agency_type"]}
        if rule["agency_type"] in mine:
            met.append({**entry, "agencies": mine[rule["agency_type"]]})
        else:
            try:
                reason = rule["reason"] % {"value": shown}
            except (KeyError, ValueError, TypeError):
                reason = rule["reason"]
            profile.append({**entry, "reason": reason})
    return {
        "complex": d.get("name"), "id": d.get("id"),
        "peers": {"scope": scope, "count": len(peers)},
        "peer": peer, "category": category, "profile": profile, "met": met,
    }


def _fmt(value) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:g}"
