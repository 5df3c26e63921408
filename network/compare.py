"""Districts side by side, and what to do first: the planner's comparison as plain data.

:func:`compare_districts` puts 2–6 시군구 (or every 시군구 of a 시도) beside
each other: the chosen demand, the agencies of the chosen kind the store
lists there and per 1,000 of the demand, the E2SFCA score and its quartile
among all 시군구 (:mod:`network.access`, one national run), and from each
district's network report (:func:`network.report.network_report`, the same
function the district pages use, so the figures are theirs) the complexes
and their partners per category, the agencies carrying many complexes and
the overlaps. :func:`action_list` ranks what to do: the least-served areas
with the nearest existing agency and its distance, and the complexes whose
residents are farthest from one. :func:`comparison_sheets` is the export
(CSV/XLSX via :mod:`directory.export`).
"""
from __future__ import annotations

from directory.errors import YeongyeError
from directory.normalize import normalize_sido

from .access import AccessResult, accessibility, least_served
from .report import network_report

__all__ = ["CompareError", "MIN_DISTRICTS", "MAX_DISTRICTS", "compare_districts", "action_list",
           "comparison_sheets", "parse_districts"]

MIN_DISTRICTS, MAX_DISTRICTS = 2, 6


class CompareError(YeongyeError, ValueError):
    """The districts to compare cannot be compared as asked."""

    code = "compare_error"


def parse_districts(values, sido: str | None = None, result: AccessResult | None = None) -> list[tuple[str, str]]:
    """`시도/시군구` strings (or one 시도: all its 시군구 in `result`) as (시도, 시군구) pairs.

    >>> parse_districts(["서울/강서구", "서울특별시/노원구"])
    [('서울특별시', '강서구'), ('서울특별시', '노원구')]
    """
    if sido:
        canonical = normalize_sido(sido)
        if not canonical or result is None:
            raise CompareError("compare_unknown_sido", value=sido)
        pairs = []
        for row in result.rows:
            if row["sido"] == canonical:
                name = _district_of(row["sigungu"])
                if (canonical, name) not in pairs:
                    pairs.append((canonical, name))
        return pairs
    pairs = []
    for value in values:
        text = (value or "").strip()
        if not text:
            continue
        left, sep, right = text.partition("/")
        if not sep or not right.strip():
            raise CompareError("compare_bad_district", value=text)
        pair = (normalize_sido(left) or left.strip(), " ".join(right.split()))
        if pair not in pairs:
            pairs.append(pair)
    if not MIN_DISTRICTS <= len(pairs) <= MAX_DISTRICTS:
        raise CompareError("compare_count", n=len(pairs), low=MIN_DISTRICTS, high=MAX_DISTRICTS)
    return pairs


def _district_of(sigungu: str) -> str:
    """A 일반구 is compared as its 시 (수원시 장안구 -> 수원시): districts are what a planner runs."""
    return sigungu.split(" ", 1)[0] if " " in (sigungu or "") else sigungu


def compare_districts(db, districts: list[tuple[str, str]], *, result: AccessResult | None = None,
                      **access_options) -> dict:
    """The comparison of `districts` ((시도, 시군구) pairs) as one dict.

    Keys: ``access`` (how the measure was set up: supply, demand, radius,
    σ, list date), ``districts`` (one dict each: demand, listed, per_1000,
    score, quartile, network, complexes, categories, load, similar_pairs,
    same_type), ``categories`` (their order), ``actions``
    (:func:`action_list`). `access_options` go to
    :func:`network.access.accessibility` (at 시군구 level).

    Examples
    --------
    >>> from directory.store import connect
    >>> compare_districts(connect(":memory:"), [("서울특별시", "강서구")])
    Traceback (most recent call last):
    ...
    network.compare.CompareError: 비교할 시군구는 2–6곳이어야 합니다 (지금 1곳).
    """
    if not MIN_DISTRICTS <= len(districts) <= 260:
        raise CompareError("compare_count", n=len(districts), low=MIN_DISTRICTS, high=MAX_DISTRICTS)
    if result is None:
        result = accessibility(db, **{**access_options, "level": "sigungu"})
    scored = sorted(r["score"] for r in result.rows if r["score"] is not None and r["demand"] > 0)
    categories = [r[0] for r in db.execute("SELECT name FROM categories ORDER BY rowid")]
    out = []
    for sido, sigungu in districts:
        parts = [r for r in result.rows if r["sido"] == sido
                 and (r["sigungu"] == sigungu or (r["sigungu"] or "").startswith(sigungu + " "))]
        if not parts:
            raise CompareError("compare_unknown_district", sido=sido, sigungu=sigungu)
        demand = sum(r["demand"] for r in parts)
        scored_parts = [r for r in parts if r["score"] is not None]
        score = (sum(r["score"] * r["demand"] for r in scored_parts) / demand) if scored_parts and demand else None
        if result.senior_jobs:
            listed = sum(s["supply"] for s in result.supply if s["sido"] == sido and _district_of(s["sigungu"]) == sigungu)
        else:
            listed = (sum(r["in_store"] - r.get("in_store_city", 0) for r in parts)
                      + max(r.get("in_store_city", 0) for r in parts))
        nearest = [r for r in parts if r["nearest_km"] is not None]
        report = network_report(db, sido=sido, sigungu=sigungu)
        per_category = {c: 0 for c in categories}
        for a in report["agencies"]:
            if a.get("category"):
                per_category[a["category"]] = per_category.get(a["category"], 0) + 1
        out.append({
            "sido": sido, "sigungu": sigungu, "name": f"{sido} {sigungu}",
            "areas": [r["name"] for r in parts],
            "demand": demand, "listed": listed,
            "per_1000": listed / demand * 1000 if demand else None,
            "score": score, "quartile": _quartile(score, scored),
            "nearest_km": min(r["nearest_km"] for r in nearest) if nearest else None,
            "network": report["network"], "complexes": report["complexes"], "categories": per_category,
            "load": [a for a in report["overlaps"]["load"]],
            "similar_pairs": report["overlaps"]["similar_pairs"], "same_type": report["overlaps"]["same_type"],
        })
    return {
        "access": {"supply": result.agency_type, "demand": result.demand_label, "radius_km": result.radius_km,
                   "sigma_km": result.sigma_km, "list_vintage": result.list_vintage,
                   "capacity": result.capacity, "senior_jobs": result.senior_jobs,
                   "demand_join": result.demand_join, "areas": len(scored)},
        "districts": out,
        "categories": categories,
        "actions": action_list(db, result, [(d["sido"], d["sigungu"]) for d in out]),
    }


def _quartile(score, scored: list[float]) -> int | None:
    """1 for the least-served quarter of all 시군구 … 4 for the best served."""
    if score is None or not scored:
        return None
    below = sum(1 for s in scored if s < score)
    return min(4, 1 + int(4 * below / len(scored)))


def action_list(db, result: AccessResult, districts: list[tuple[str, str]] | None = None, *, n: int = 10) -> dict:
    """What to look at first: the `n` least-served areas and the complexes farthest from the supply.

    Areas are ranked within the 시도 of `districts` (all of them when none);
    each carries its nearest existing agency (name, km) and how many the
    store lists in its 시군구. Complexes (of the districts, if any there)
    are ranked by the distance from their residents to the nearest agency.
    """
    sidos = sorted({s for s, _ in districts or []})
    areas = [r for r in least_served(result, None) if not sidos or r["sido"] in sidos][:n]
    for rank, row in enumerate(areas, 1):
        row["rank"] = rank
    complexes = []
    if not result.senior_jobs:
        try:
            near = accessibility(db, None, level="complexes", radius_km=result.radius_km,
                                 sigma_km=result.sigma_km, capacity=result.capacity, **_supply_options(db, result))
        except YeongyeError:  # no complexes placed: nothing to rank
            near = None
        if near is not None:
            wanted = set(districts or [])
            rows = [r for r in near.rows if r["nearest_km"] is not None]
            inside = [r for r in rows if (r["sido"], _district_of(r["sigungu"] or "")) in wanted]
            rows = inside or rows
            rows.sort(key=lambda r: (-r["nearest_km"], r["name"]))
            complexes = rows[:n]
    return {"areas": areas, "complexes": complexes, "scope": sidos}


def _supply_options(db, result: AccessResult) -> dict:
    """The types or categories a result was measured for (its label joins them with ·)."""
    names = [t for t in (result.agency_type or "").split("·") if t]
    known = {r[0] for r in db.execute("SELECT name FROM categories")}
    return {"types": [t for t in names if t not in known], "categories": [t for t in names if t in known]}


def comparison_sheets(comparison: dict) -> dict[str, tuple[list[str], list[list]]]:
    """The comparison as spreadsheets: 비교 (a row per figure), 단지, 부담 기관, 먼저 살펴볼 곳."""
    ds = comparison["districts"]
    acc = comparison["access"]
    headers = ["항목"] + [d["name"] for d in ds]
    rows = [
        [f"수요: {acc['demand']}"] + [round(d["demand"]) for d in ds],
        [f"목록상 {acc['supply']}"] + [_round(d["listed"]) for d in ds],
        [f"수요 1천당 {acc['supply']}"] + [_round(d["per_1000"], 4) for d in ds],
        [f"접근성 점수 (E2SFCA, 반경 {acc['radius_km']:g} km)"] + [_round(d["score"], 4) for d in ds],
        [f"접근성 사분위 (1 = 하위 25%, 전국 {acc['areas']}개 시군구 중)"] + [d["quartile"] for d in ds],
        ["단지 수"] + [d["network"]["complexes"] for d in ds],
        ["협력 기관 수"] + [d["network"]["agencies"] for d in ds],
        ["연계 수"] + [d["network"]["links"] for d in ds],
        ["협력 기관 분야 수"] + [d["network"]["categories"] for d in ds],
        ["밀도"] + [d["network"]["density"] for d in ds],
    ]
    rows += [[f"협력 기관: {c}"] + [d["categories"].get(c, 0) for d in ds] for c in comparison["categories"]]
    rows += [["여러 단지를 맡은 기관 수"] + [len(d["load"]) for d in ds],
             ["협력망이 비슷한 단지 쌍"] + [len(d["similar_pairs"]) for d in ds],
             ["같은 유형 기관의 중첩"] + [len(d["same_type"]) for d in ds]]
    complexes = (["시군구", "단지", "협력 기관", "분야", "빈 분야"],
                 [[d["name"], c["name"], c["partners"], c["categories"], ", ".join(c["categories_missing"])]
                  for d in ds for c in d["complexes"]])
    load = (["시군구", "기관", "맡은 단지 수", "단지"],
            [[d["name"], a["name"], a["reach"], ", ".join(a["complexes"])] for d in ds for a in d["load"]])
    actions = comparison["actions"]
    todo = (["구분", "순위", "지역·단지", "수요", "점수", "가장 가까운 기관", "거리(km)", "시군구 안 목록상 기관"],
            [["접근성 하위 지역", r["rank"], r["name"], round(r["demand"]), _round(r["score"], 4),
              r.get("nearest_name") or "", _round(r["nearest_km"], 1), r.get("in_store")] for r in actions["areas"]]
            + [["가장 먼 단지", k, c["name"], round(c["demand"]), _round(c["score"], 4), c.get("nearest_name") or "",
                _round(c["nearest_km"], 1), c.get("in_store")] for k, c in enumerate(actions["complexes"], 1)])
    return {"비교": (headers, rows), "단지": complexes, "부담 기관": load, "먼저 살펴볼 곳": todo}


def _round(value, digits: int = 2):
    return None if value is None else round(float(value), digits)
