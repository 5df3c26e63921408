"""What the network pages draw as bar charts: the top agencies by each measure, and partners per category.

Plain data from the rows a report already holds (``network_report(...)["agencies"]``
or a complex report's ``partners``), so a chart and the table beside it
cannot disagree; the pages draw them as server-side SVG
(``web/templates/districts/_bars.html``).
"""
from __future__ import annotations

__all__ = ["AGENCY_MEASURES", "top_agencies", "measure_charts", "partners_by_category"]

AGENCY_MEASURES = ("reach", "weighted_degree", "betweenness", "eigenvector")
"""The agency measures charted, in order (a report row's keys; reach is an agency's degree)."""

TOP = 10


def top_agencies(agencies: list[dict], measure: str, n: int = TOP) -> list[dict]:
    """The `n` agencies with the highest `measure` (zero and missing values left out), ties by name.

    >>> rows = [{"name": "가", "reach": 2}, {"name": "나", "reach": 5}, {"name": "다", "reach": 0}]
    >>> [r["name"] for r in top_agencies(rows, "reach")]
    ['나', '가']
    """
    ranked = [r for r in agencies if (r.get(measure) or 0) > 0]
    ranked.sort(key=lambda r: (-r[measure], r.get("name") or ""))
    return ranked[:n]


def measure_charts(agencies: list[dict], n: int = TOP) -> list[dict]:
    """One chart per agency measure: ``{"measure": key, "rows": [{"name", "id", "category", "value"}]}``.

    >>> charts = measure_charts([{"name": "가", "id": 1, "category": "보건의료", "reach": 3,
    ...                           "weighted_degree": 9.0, "betweenness": 0.0, "eigenvector": 0.5}])
    >>> [(c["measure"], len(c["rows"])) for c in charts]
    [('reach', 1), ('weighted_degree', 1), ('betweenness', 0), ('eigenvector', 1)]
    """
    return [{"measure": m, "rows": [{"name": r.get("name"), "id": r.get("id"), "category": r.get("category"),
                                     "value": r[m]} for r in top_agencies(agencies, m, n)]}
            for m in AGENCY_MEASURES]


def partners_by_category(agencies: list[dict], categories: list[str] | None = None) -> list[dict]:
    """Per category: how many partner agencies, and how many links they hold (an agency row's ``reach``, else 1).

    Every category of `categories` is listed, with 0 when the network has no
    partner there (an empty category is what a planner looks for); an
    agency without a category counts under ``None`` at the end.

    >>> partners_by_category([{"category": "보건의료", "reach": 3}, {"category": "보건의료", "reach": 1}],
    ...                      ["공공기관", "보건의료"])
    [{'category': '공공기관', 'agencies': 0, 'links': 0}, {'category': '보건의료', 'agencies': 2, 'links': 4}]
    """
    order = list(categories or [])
    counts: dict = {c: [0, 0] for c in order}
    for row in agencies:
        key = row.get("category")
        if key not in counts:
            counts[key] = [0, 0]
            order.append(key)
        counts[key][0] += 1
        counts[key][1] += int(row.get("reach") or 1)
    order.sort(key=lambda c: c is None)  # stable: the given order, unknown categories after, None last
    return [{"category": c, "agencies": counts[c][0], "links": counts[c][1]} for c in order]
