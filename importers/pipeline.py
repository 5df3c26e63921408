"""After the rows of an import: merge across lists, then place, then tally how each row was placed.

Above `run.py` (the rows), `dedup.py` (duplicates) and `placement.py`
(positions): each importer writes its rows through an `ImportRun` and, still
inside the run's transaction, calls `finish_import(run)`. The search index
needs no step here: the store's triggers log every changed agency and the
index catches up on its next use.
"""
from __future__ import annotations

from directory.vocabulary import PLACEMENTS, UNPLACED

from .common import select_agencies
from .dedup import auto_merge
from .placement import place_agencies
from .run import ImportRun

__all__ = ["finish_import", "GEOCODER_FAILED"]

GEOCODER_FAILED = "실패: 네트워크 또는 서버 응답 없음 (오프라인 방법으로 배치)"


def finish_import(run: ImportRun, *, geocoder=None, merge: bool = True) -> dict:
    """Merge the run's new agencies into the same agencies of other lists, then place them.

    Records in the run's summary how every row of the run ended up placed
    (and returns that tally): a row with its own coordinates is "exact"; a
    row that took another list's coordinates (through a merge or a matching
    address) "matched"; the rest by geocoder, 읍면동 or 시군구 centroid, or
    unplaced. `geocoder` is a geopy geocoder or None (offline).
    """
    summary = run.summary
    moved: dict[int, int] = {}
    if merge and run.new_ids and _other_lists(run.conn, summary.source):
        merges = auto_merge(run.conn, run.new_ids, run_id=summary.run_id)
        for m in merges:
            moved[m["merged"]] = m["kept"]
        # A new agency that joined an older one is a merge, not a new agency.
        joined = sum(1 for m in merges if m["merged"] in run.new_ids)
        summary.imported -= joined
        summary.merged += joined
        if merges:
            summary.extra["merges"] = merges[:50]
    final: dict[int, bool] = {}
    for agency_id, own in run.touched.items():
        target = moved.get(agency_id, agency_id)
        final[target] = final.get(target, False) or own
    counts = place_agencies(run.conn, list(final), geocoder=geocoder)
    rows = dict(select_agencies(run.conn, "1", list(final), "id, placement"))
    placed: dict[str, int] = {}
    for agency_id, own in final.items():
        how = rows.get(agency_id, UNPLACED)
        if how == "exact" and not own:
            how = "matched"
        placed[how] = placed.get(how, 0) + 1
    summary.extra["placed"] = {p: placed[p] for p in PLACEMENTS if p in placed}
    if counts.get("geocoder_failed"):
        summary.extra["geocoder"] = GEOCODER_FAILED
    return summary.extra["placed"]


def _other_lists(conn, source: str) -> bool:
    """Whether any agency in the store came from elsewhere than `source`.

    If none did (a first import into a fresh store), no agency can be a
    cross-list duplicate, and building the duplicate index is skipped.
    """
    return bool(conn.execute(
        "SELECT EXISTS (SELECT 1 FROM agency_sources WHERE source IS NOT ?) OR EXISTS "
        "(SELECT 1 FROM agencies a WHERE NOT EXISTS (SELECT 1 FROM agency_sources s WHERE s.agency_id = a.id))",
        [source],
    ).fetchone()[0])
