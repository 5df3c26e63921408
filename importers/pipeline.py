"""After the rows of an import: merge across lists, then place, then tally how each row was placed.

Above `run.py` (the rows), `dedup.py` (duplicates) and `placement.py`
(positions): each importer writes its rows through an `ImportRun` and, still
inside the run's transaction, calls `finish_import(run)`. The search index
needs no step here: the store's triggers log every changed agency and the
index catches up on its next use.
"""
from __future__ import annotations

from directory.vocabulary import PLACEMENTS, UNPLACED

from directory.normalize import name_key
from directory.store import now

from .common import conn_taxonomy, select_agencies
from .dedup import auto_merge
from .naming import CENTRE_TYPES, centre_name
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
    renamed = name_placed_centres(run.conn, list(final))
    if renamed:
        why = summary.extra.setdefault("renamed", {})
        why["operator"] = why.get("operator", 0) + len(renamed)
        if merge:
            for m in auto_merge(run.conn, renamed, run_id=summary.run_id):
                final.pop(m["merged"], None)
                summary.extra.setdefault("merges", []).append(m)
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


def name_placed_centres(conn, ids) -> list[int]:
    """Name the centres that only placement put in a 시군구 (관평로170번길 22 → 안양시 동안구); returns their ids.

    A row's address without 시도 or 시군구 leaves an operator-named centre
    (``(학)일송학원 한림대학교성심병원``) unnamed at import; once placement
    has found its 시군구, importers.naming gives it the centre's name.
    """
    tax = conn_taxonomy(conn)
    wanted = tuple(sorted(CENTRE_TYPES))
    rows = select_agencies(conn, f"type IN ({', '.join('?' * len(wanted))}) AND sigungu IS NOT NULL", ids,
                           "id, name, operator, type, type_raw, sido, sigungu", wanted)
    renamed = []
    for agency_id, name, operator, kind, type_raw, sido, sigungu in rows:
        new, new_operator, why = centre_name(name, operator, kind, type_raw, sido, sigungu, tax.infer_type)
        if why == "operator":
            conn.execute("UPDATE agencies SET name = ?, name_key = ?, operator = ?, updated_at = ? WHERE id = ?",
                         [new, name_key(new), new_operator, now(), agency_id])
            renamed.append(agency_id)
    return renamed


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
