"""Reports: the whole network, and one complex, as plain dicts.

The CLI writes them as JSON, CSV or HTML; the web pages render the same
dicts. Nothing here formats text for a medium.
"""
from __future__ import annotations

import csv
import io
import json

from directory.errors import YeongyeError
from directory.export import spreadsheet_safe
from directory.store import get_complex

from .contacts import list_contacts
from .explain import EXPLAIN, LABELS
from .gaps import MIN_PEERS, all_gaps, complex_gaps, load_rules
from .graph import build_graph, complex_node, complex_nodes, link_rows, type_graph
from .measures import agency_table, complex_table, jaccard_overlaps, network_summary
from .overlaps import overlap_report
from .programmes import list_programmes
from .recommend import RecommendError, recommend

__all__ = ["ReportError", "network_report", "complex_report", "to_json", "to_csv", "type_summary"]


class ReportError(YeongyeError, ValueError):
    """A report was asked for at a level or in a table that does not exist."""


def network_report(db, *, sido=None, sigungu=None, category=None, operator=None, level: str = "agency",
                   G=None) -> dict:
    """Everything a planner needs about a network, as one dict.

    Keys: ``network`` (complexes, agencies, categories, links, density,
    centralization, components, shared_by_all, shared_types_by_all),
    ``complexes`` (one row each), ``agencies`` (one row each, highest reach
    first), ``types`` (the type-level view), ``gaps`` (per complex),
    ``overlaps`` (load, similar_pairs, same_type), ``filters`` and
    ``explain`` (the Korean sentence for each measure). With
    ``level="type"`` every measure is computed on the type-level graph
    (agencies of one type collapsed into one node).

    Examples
    --------
    >>> from directory.store import connect
    >>> network_report(connect(":memory:"))["network"]["links"]
    0
    """
    if level not in ("agency", "type"):
        raise ReportError("unknown_report_level", level=level)
    if G is None:
        G = build_graph(db, sido=sido, sigungu=sigungu, category=category, operator=operator)
    if level == "type":
        G = type_graph(G)
    categories = _categories(db)
    summary = network_summary(G, categories)
    types = type_summary(G)
    jaccard = jaccard_overlaps(G)
    summary["shared_types_by_all"] = [t["type"] for t in types if summary["complexes"] and t["reach"] == summary["complexes"]]
    return {
        "level": level,
        "filters": G.graph.get("filters", {}),
        "network": summary,
        "complexes": complex_table(G, categories, jaccard=jaccard),
        "agencies": agency_table(G),
        "types": types,
        "gaps": all_gaps(G, rules=load_rules(db), categories=categories),
        "overlaps": overlap_report(G, jaccard=jaccard),
        "labels": LABELS,
        "explain": EXPLAIN,
    }


def type_summary(G) -> list[dict]:
    """The type-level view: per agency type, complexes reached and weighted degree."""
    T = type_graph(G)
    rows = []
    for t, d in T.nodes(data=True):
        if d.get("bipartite") != 1:
            continue
        rows.append({"type": d.get("type"), "category": d.get("category"), "agencies": len(d.get("agencies", [])),
                     "reach": T.degree(t), "weighted_degree": float(T.degree(t, weight="weight"))})
    rows.sort(key=lambda r: (-r["reach"], -r["weighted_degree"], r["type"] or ""))
    return rows


def complex_report(db, complex_key, *, recommendations: int = 3, today=None) -> dict:
    """One complex: profile, partners with both frequency levels, contacts, programmes, measures, gaps, next calls.

    Measures and gaps are computed in the complex's 시도 network (its
    시군구 alone is usually too small to compare with).
    """
    row = get_complex(db, complex_key)
    G = build_graph(db, sido=row["sido"], today=today) if row.get("sido") else build_graph(db, today=today)
    if len(complex_nodes(G)) <= MIN_PEERS:
        G = build_graph(db, today=today)
    node = complex_node(row["id"])
    categories = _categories(db)
    measures = next(r for r in complex_table(G, categories) if r["node"] == node)
    gaps = complex_gaps(G, node, rules=load_rules(db), categories=categories)
    partners = []
    content_names = {r[0]: r[1] for r in db.execute("SELECT code, name FROM content_types")}
    # The same rows the network map draws (network.graph.link_rows), so a
    # partner's level here is the width of its line there: one rule decides it
    # (directory.frequency.decide), the hand-set level until the log covers a year.
    for link in link_rows(db, complex_ids=[row["id"]], today=today):
        partners.append({
            "link_id": link["id"], "agency_id": link["agency_id"], "name": link["agency_name"],
            "type": link["agency_type"], "category": link["category"], "phone": link["phone"],
            **{k: link[k] for k in LEVEL_KEYS},
            "depth": link["depth"], "depth_label": link["depth_label"], "depth_reason": link["depth_reason"],
            "depth_template": link["depth_template"], "depth_params": link["depth_params"],
            "content_types": [content_names.get(c, c) for c in link["content_types"]],
            "since": link["since"], "note": link["note"], "version": link["version"],
        })
    partners.sort(key=lambda p: (-(p["level"] or 0), p["category"] or "", p["name"] or ""))
    suggestions = []
    wanted = [g["type"] for g in gaps["profile"]] + [g["type"] for g in gaps["peer"]]
    for t in list(dict.fromkeys(wanted))[:3]:
        try:
            found = recommend(db, row["id"], t, limit=recommendations)
        except RecommendError:  # pragma: no cover - gap types come from the taxonomy
            continue
        if found["results"]:
            suggestions.append({"type": t, "results": found["results"]})
    return {
        "complex": row, "partners": partners, "measures": measures, "gaps": gaps,
        "contacts": list_contacts(db, complex_id=row["id"], limit=50),
        "programmes": list_programmes(db, complex_id=row["id"]),
        "recommendations": suggestions,
        "network": {"scope": G.graph.get("filters", {}), "complexes": len(complex_nodes(G))},
        "labels": LABELS, "explain": EXPLAIN,
    }


LEVEL_KEYS = ("level", "mark", "label", "source", "reason", "basis", "manual_level", "manual_mark", "manual_label",
              "derived_level", "derived_mark", "derived_label", "contacts_12m", "contacts_total", "first_contact")
"""What a report keeps of :func:`directory.frequency.decide`'s answer for each partner."""

PRETTY_LIMIT = 2000


def to_json(report: dict, *, pretty: bool | None = None) -> str:
    """The report as JSON, Korean kept readable.

    Indented by default; compact when the report holds more than
    ``PRETTY_LIMIT`` agencies (Python's indenting encoder is several times
    slower than the compact one, which matters for a national report).
    """
    if pretty is None:
        pretty = len(report.get("agencies") or ()) <= PRETTY_LIMIT
    return json.dumps(report, ensure_ascii=False, indent=2 if pretty else None, default=str)


def to_csv(report: dict, table: str = "agencies") -> str:
    """One table of a network report as CSV: ``agencies``, ``complexes``, ``types`` or ``gaps``."""
    if table == "gaps":
        rows = [{"complex": g["complex"], "kind": kind, "what": item.get("type") or item.get("category"),
                 "reason": item["reason"]}
                for g in report["gaps"] for kind in ("profile", "peer", "category") for item in g[kind]]
    elif table in ("agencies", "complexes", "types"):
        rows = report[table]
    else:
        raise ReportError("unknown_report_table", table=table)
    out = io.StringIO()
    if not rows:
        return ""
    fields = [k for k in rows[0] if k not in ("node",)]
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: spreadsheet_safe(";".join(map(str, v)) if isinstance(v, list) else
                                             json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v)
                         for k, v in r.items() if k in fields})
    return out.getvalue()


# --- helpers ------------------------------------------------------------------


def _categories(db) -> list[str]:
    return [r[0] for r in db.execute("SELECT name FROM categories ORDER BY ord")]
