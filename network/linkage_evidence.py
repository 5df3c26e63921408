"""What a supportive house's links and contact log show for the evaluation's two linkage indicators.

The manual's basic evaluation table (`001_…` §3-3) has two indicators that
the linkage network itself can evidence:

- **15. 개인별 서비스계획 기반 지역지원 연계 여부** — whether residents'
  service plans are carried out with community agencies: the house's partner
  agencies, which of them it refers residents to (대상자 및 서비스 의뢰 on the
  link, or a referral in the contact log), and the last 12 months' contacts,
  referrals and case meetings (통합사례회의, 사례관리 회의).
- **19. 주택 유지보수 요구에 대한 SH공사 연계 여부** — whether maintenance
  requests reach SH: links with a 주택공사 (SH, LH) or the district's
  주거안심종합센터 (SH's district centres take 유지·보수), with their contacts.

This is evidence for the evaluator, not a grade: the committee grades from
the documents the manual lists, and these figures say what the directory
holds. Every figure is read from :func:`network.graph.link_rows` (the same
levels the dashboard shows) and the contact log's last 12 months, the window
:mod:`directory.frequency` counts in.
"""
from __future__ import annotations

from datetime import date, timedelta

from directory.frequency import WINDOW_DAYS

from .graph import link_rows

__all__ = ["SERVICE_PLAN_INDICATOR", "SH_INDICATOR", "SH_TYPES", "MEETING_KINDS", "linkage_evidence"]

SERVICE_PLAN_INDICATOR = 15
SH_INDICATOR = 19
# Agency types that stand for SH in maintenance: the company itself and its district centres (〈표 2-2〉).
SH_TYPES = ("주택공사", "주거안심종합센터")
# Meeting kinds (data/reference/meeting_kinds.csv) in which a resident's service plan is worked on together.
MEETING_KINDS = ("case_conference", "case_management")
REFERRAL = "referral"


def linkage_evidence(db, site_id: int, *, today: date | None = None) -> dict:
    """The evidence of a house's links for indicators 15 and 19.

    Parameters
    ----------
    db : sqlite_utils.Database
        The store.
    site_id : int
        The house (a complex's id).
    today : datetime.date, optional
        The last day of the 12-month window (default: today).

    Returns
    -------
    dict
        ``{15: {...}, 19: {...}}``. Indicator 15: ``partners`` (links),
        ``categories`` (distinct categories among them), ``referral_partners``
        (partners referred to, on the link or in the log), ``contacts_12m``,
        ``referrals_12m``, ``meetings_12m``, ``rows`` (one per partner, those
        referred to first) and ``found`` (any referral at all). Indicator 19:
        ``rows`` (the partners of SH_TYPES), ``contacts_12m``, ``last_contact``
        and ``found`` (any such partner). Each row: ``agency_id``, ``name``,
        ``type``, ``category``, ``mark``, ``label`` (the link's level),
        ``referral`` (bool), ``contacts_12m``, ``referrals_12m``,
        ``meetings_12m``, ``last_contact`` (ISO date or None).

    Examples
    --------
    >>> from directory.store import connect
    >>> linkage_evidence(connect(":memory:"), 1)[15]["found"]
    False
    """
    today = today or date.today()
    links = link_rows(db, complex_ids=[site_id], today=today)
    log = _log(db, [link["id"] for link in links], today)
    rows = []
    for link in links:
        counts = log.get(link["id"], {})
        referrals = counts.get("referrals", 0)
        rows.append({
            "agency_id": link["agency_id"], "name": link["agency_name"], "type": link["agency_type"],
            "category": link["category"], "mark": link.get("mark"), "label": link.get("label"),
            "referral": REFERRAL in link["content_types"] or counts.get("referrals_ever", 0) > 0,
            "contacts_12m": counts.get("contacts", 0), "referrals_12m": referrals,
            "meetings_12m": counts.get("meetings", 0), "last_contact": counts.get("last"),
        })
    rows.sort(key=lambda r: (not r["referral"], -r["contacts_12m"], r["name"] or ""))
    sh_rows = [r for r in rows if r["type"] in SH_TYPES]
    return {
        SERVICE_PLAN_INDICATOR: {
            "partners": len(rows), "categories": len({r["category"] for r in rows if r["category"]}),
            "referral_partners": sum(r["referral"] for r in rows),
            "contacts_12m": sum(r["contacts_12m"] for r in rows),
            "referrals_12m": sum(r["referrals_12m"] for r in rows),
            "meetings_12m": _events(db, [link["id"] for link in links], today),
            "rows": rows, "found": any(r["referral"] for r in rows),
        },
        SH_INDICATOR: {
            "rows": sh_rows, "contacts_12m": sum(r["contacts_12m"] for r in sh_rows),
            "last_contact": max((r["last_contact"] for r in sh_rows if r["last_contact"]), default=None),
            "found": bool(sh_rows),
        },
    }


# --- helpers --------------------------------------------------------------------


def _window(today: date) -> tuple[str, str]:
    return (today - timedelta(days=WINDOW_DAYS)).isoformat(), today.isoformat()


def _log(db, link_ids: list[int], today: date) -> dict[int, dict]:
    """link id -> the 12 months' contacts, referrals, case meetings, last contact; and referrals ever."""
    if not link_ids:
        return {}
    cutoff, end = _window(today)
    marks = ",".join("?" * len(link_ids))
    kinds = ",".join("?" * len(MEETING_KINDS))
    out = {}
    for link_id, contacts, referrals, meetings, last, ever in db.execute(
            f"""SELECT link_id,
                       coalesce(sum(contact_date > ? AND contact_date <= ?), 0),
                       coalesce(sum(contact_date > ? AND contact_date <= ? AND content_type = ?), 0),
                       coalesce(sum(contact_date > ? AND contact_date <= ? AND kind IN ({kinds})), 0),
                       max(CASE WHEN contact_date <= ? THEN contact_date END),
                       coalesce(sum(content_type = ?), 0)
                FROM contacts WHERE link_id IN ({marks}) GROUP BY link_id""",
            [cutoff, end, cutoff, end, REFERRAL, cutoff, end, *MEETING_KINDS, end, REFERRAL, *link_ids]):
        out[link_id] = {"contacts": contacts, "referrals": referrals, "meetings": meetings, "last": last,
                        "referrals_ever": ever}
    return out


def _events(db, link_ids: list[int], today: date) -> int:
    """Case meetings in the window, each meeting once however many of the house's partners sat in it."""
    if not link_ids:
        return 0
    cutoff, end = _window(today)
    marks = ",".join("?" * len(link_ids))
    kinds = ",".join("?" * len(MEETING_KINDS))
    row = db.execute(
        f"""SELECT count(DISTINCT coalesce('e' || event_id, 'c' || id)) FROM contacts
            WHERE link_id IN ({marks}) AND contact_date > ? AND contact_date <= ? AND kind IN ({kinds})""",
        [*link_ids, cutoff, end, *MEETING_KINDS]).fetchone()
    return row[0]
