"""A supportive house's procedures — selection, contract, move-in, renewal, exits, support after exit — as playbooks.

The steps are data (``data/reference/playbooks/supportive_*.csv``, the
manual's 4-1 to 4-3, `001_…`), read by :mod:`directory.playbooks`; this
module links each step to the agency nearest the house and dates it from
the day the procedure starts (주택 계약일 for 입주 within 60 days, 입주일 for
the forms due within 7 days and 1 month, the lease's start for the 2-year
renewal). A 주거안심종합센터 and a 시·군·구청 are the house's own district's
(SH's district centre takes the house's contracts, repairs and exits);
every other type is the nearest of its kind. A type the directory holds
none of is shown as missing, never invented.

Nothing about the case is stored: a plan is computed for the dates given
and shown. Who may see a house's plans is who may read the house
(:func:`directory.sites.can_read_site`).
"""
from __future__ import annotations

from datetime import date

from . import sites
from .actors import PermissionDenied
from .emergency_contacts import AGENCY_FIELDS, nearest_agency
from .errors import YeongyeError
from .nearby import _card_row
from .playbooks import load_playbook, national_lines, plan, playbooks
from .vocabulary import SAMPLE

__all__ = ["SCOPE", "HOUSE_DISTRICT_TYPES", "ProcedureError", "procedures", "house_plan"]

SCOPE = "supportive_housing"
# Types answered by the house's own district first: SH's 주거안심종합센터 of the 자치구, and its 구청.
HOUSE_DISTRICT_TYPES = frozenset({"주거안심종합센터", "동·구청"})


class ProcedureError(YeongyeError):
    """A procedure cannot be planned as asked; `code` says why."""

    code = "procedure_error"


def procedures() -> list[dict]:
    """The supportive-housing procedures in their index order: code, title, source, start (its day's name),
    situations ({code: label}) and stages."""
    out = []
    for code, meta in playbooks().items():
        if meta["scope"] == SCOPE:
            out.append({"code": code, **meta, "stages": load_playbook(code).stages})
    return out


def house_plan(db, site_id: int, code: str, *, start=None, situations=(), actor=None) -> dict:
    """One procedure for a house: each step with its due date from `start` and whom to call near the house.

    Returns ``{"site": {"id", "name", "sido", "sigungu", "placed"}, "procedure":
    {code, title, source, start, situations}, "start": ISO date, "situations":
    [codes], "steps": plan steps}`` (:func:`directory.playbooks.plan`; an
    agency contact carries the agency's public fields and its distance;
    ``lines`` lists every national line the step names).
    Raises ProcedureError for an unknown procedure, a start that is not a
    day or a situation the procedure does not know, PermissionDenied unless
    `actor` may read the house.
    """
    site = sites.get_site(db, site_id)
    if not sites.can_read_site(actor, site):
        raise PermissionDenied("outcome_read_forbidden")
    known = {p["code"]: p for p in procedures()}
    if code not in known:
        raise ProcedureError("unknown_procedure", procedure=code,
                             known=", ".join(p["title"] for p in known.values()))
    procedure = known[code]
    day = _day(start)
    chosen = [s for s in dict.fromkeys(situations or ()) if s]
    unknown = [s for s in chosen if s not in procedure["situations"]]
    if unknown:
        raise ProcedureError("unknown_procedure_situation", situation=unknown[0],
                             known=", ".join(procedure["situations"].values()) or "—")
    placed = site.get("lat") is not None and site.get("lon") is not None
    cache: dict[str, dict | None] = {}

    def nearest(agency_type: str):
        if not placed:
            return None
        if agency_type not in cache:
            cache[agency_type] = _nearest(db, site, agency_type)
        return cache[agency_type]

    book = load_playbook(code)
    lines = national_lines()
    steps = plan(book, nearest=nearest, situations=chosen, start=day, lines=lines)
    targets = {s.number: s.targets for s in book.steps}
    for step in steps:
        # Every line a step names ("112 또는 119"), not only the first: a phone number costs no search.
        step["lines"] = [lines[t.name] for t in targets[step["number"]] if t.kind == "line" and t.name in lines]
        contact = step["contact"]
        if contact and contact["kind"] == "agency" and contact["agency"] is not None:
            contact["agency"] = {k: contact["agency"].get(k) for k in AGENCY_FIELDS}
    return {"site": {"id": site["id"], "name": site["name"], "sido": site.get("sido"),
                     "sigungu": site.get("sigungu"), "placed": placed},
            "procedure": {k: procedure[k] for k in ("code", "title", "source", "start", "situations")},
            "start": day.isoformat(), "situations": chosen, "steps": steps}


# --- helpers --------------------------------------------------------------------


def _day(value) -> date:
    if value in (None, ""):
        return date.today()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ProcedureError("procedure_start_invalid", value=value) from None


def _nearest(db, site: dict, agency_type: str) -> dict | None:
    """The agency of a type for the house: its own district's first for HOUSE_DISTRICT_TYPES, else the nearest."""
    lat, lon = site["lat"], site["lon"]
    if agency_type in HOUSE_DISTRICT_TYPES and site.get("sido") and site.get("sigungu"):
        from geopy.distance import geodesic

        rows = list(db.query(
            "SELECT * FROM agencies WHERE type = ? AND sido = ? AND sigungu = ? AND lat IS NOT NULL "
            "AND placement != ?", [agency_type, site["sido"], site["sigungu"], SAMPLE]))
        if rows:
            for row in rows:
                row["distance_km"] = geodesic((lat, lon), (row["lat"], row["lon"])).km
            return _card_row(min(rows, key=lambda r: (r["distance_km"], r["id"])))
    return nearest_agency(db, lat, lon, agency_type, sido=site.get("sido"), sigungu=site.get("sigungu"))
