"""How far a worker can trust the directory, per agency type: phones, positions, verification dates.

One query over the store; the CLI (`yeongye report coverage`) and the admin
page (/admin/coverage) only print it. A phone "kept raw" is a list's text
that no rule could read as a number (it is shown as written and counted
here, so a person can fix it); an exact position is one from a list's own
coordinates or the same address known with them (정확한 위치), never a
시군구 or 읍면동 centre.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from directory.vocabulary import PRECISE

__all__ = ["TypeCoverage", "coverage_report", "COVERAGE_COLUMNS"]

# column -> Korean header, for CSV and the page.
COVERAGE_COLUMNS = {
    "type": "유형", "agencies": "기관 수", "phone": "전화 있음", "phone_raw_only": "전화 원문만 (확인 필요)",
    "exact": "정확한 위치", "centroid": "시군구·읍면동 중심", "unplaced": "위치 없음",
    "verified": "확인일 있음",
}


@dataclass
class TypeCoverage:
    """One type's counts (see COVERAGE_COLUMNS) and the shares that matter most."""

    type: str
    agencies: int
    phone: int
    phone_raw_only: int
    exact: int
    centroid: int
    unplaced: int
    verified: int

    def share(self, column: str) -> float:
        """The share of the type's agencies counted in `column` (0 … 1)."""
        return getattr(self, column) / self.agencies if self.agencies else 0.0

    def as_dict(self) -> dict:
        """Plain dict with the phone, exact-position and verified shares as percentages."""
        return {**asdict(self), **{f"{c}_pct": round(100 * self.share(c), 1) for c in ("phone", "exact", "verified")}}


def coverage_report(db, *, include_sample: bool = False) -> list[TypeCoverage]:
    """Per agency type (most agencies first, then the untyped), the coverage counts.

    The study's stand-in partners (placed at sample positions) are left out
    unless `include_sample`: they are the study's categories, not agencies
    a worker could call.

    >>> from directory.store import connect
    >>> coverage_report(connect(":memory:"))
    []
    """
    conn = getattr(db, "conn", db)
    precise = tuple(sorted(PRECISE))
    marks = ", ".join("?" * len(precise))
    where = "" if include_sample else "WHERE placement != 'sample'"
    rows = conn.execute(
        f"""SELECT coalesce(type, ''), count(*),
                   sum(phone IS NOT NULL AND phone != ''),
                   sum((phone IS NULL OR phone = '') AND phone_raw IS NOT NULL AND phone_raw != ''),
                   sum(placement IN ({marks}) AND lat IS NOT NULL),
                   sum(placement IN ('sigungu', 'eupmyeondong')),
                   sum(placement = 'unplaced' OR lat IS NULL),
                   sum(verified_date IS NOT NULL AND verified_date != '')
            FROM agencies {where} GROUP BY coalesce(type, '') ORDER BY count(*) DESC, 1""",
        precise,
    ).fetchall()
    report = [TypeCoverage(kind or "유형 미상", *(int(v or 0) for v in values)) for kind, *values in rows]
    return sorted(report, key=lambda r: (r.type == "유형 미상", -r.agencies, r.type))
