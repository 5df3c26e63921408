"""A complex introduced to its partner agencies: one page a housing welfare worker can print or send.

The study's pain: partner staff often do not know what a permanent rental
complex is or what a 주거복지사 does. :func:`partner_profile` gathers what a
partner needs — the complex (kind, operator, place, households and the
shares of its residents that are old, disabled, on benefits or alone), what
the worker does (``data/reference/partner_profile_texts.csv``, data a
provider may edit), the partners by category with how often they are in
contact and what they exchange, the joint programmes, and the kinds of
partner the complex is still looking for — and nothing about any one
resident: only the complex's aggregate figures, and its free-text profile
only when the personal-data detector finds nothing in it.

The partners, levels and gaps are the dashboard's own
(:func:`network.report.complex_report`), so the page a partner reads and the
dashboard never disagree.
"""
from __future__ import annotations

import csv
from collections import Counter
from functools import lru_cache

from directory.paths import REFERENCE_DIR
from directory.privacy import find_personal_data
from directory.sites import KIND_LABELS, PERMANENT_RENTAL
from directory.store import content_types, taxonomy

from .report import complex_report

__all__ = ["TEXTS_FILE", "profile_texts", "partner_profile"]

TEXTS_FILE = REFERENCE_DIR / "partner_profile_texts.csv"
LOOKING_FOR = 4
"""At most this many kinds of partner the complex is looking for, resident needs first."""


@lru_cache(maxsize=1)
def _texts() -> dict:
    with open(TEXTS_FILE, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    out: dict = {}
    for row in rows:
        out.setdefault(row["kind"], []).append({"key": row["key"], "title": row["title"], "text": row["text"]})
    return out


def profile_texts(kind: str | None) -> list[dict]:
    """The paragraphs for a kind of site (what it is, what the worker does, how to work together).

    >>> [t["key"] for t in profile_texts("permanent_rental")]
    ['site', 'worker', 'together']
    """
    texts = _texts()
    return texts.get(kind or PERMANENT_RENTAL) or texts[PERMANENT_RENTAL]


def partner_profile(db, complex_key, *, today=None) -> dict:
    """What a partner agency should know about a complex, with no resident's data.

    Returns
    -------
    dict
        ``complex`` (``name``, ``kind``, ``kind_label``, ``operator``,
        ``place``, ``address``, ``households``, ``capacity``,
        ``staff_placed_year``), ``residents`` (the aggregate shares that are
        known, and ``profile``: the complex's own description, or None when
        it looks like personal data), ``texts`` (paragraphs), ``partners``
        (by category: ``category`` and its ``partners`` — ``name``,
        ``type``, ``mark``, ``label``, ``contents``, ``depth`` and the
        ``programmes`` shared), ``exchanges`` (per content type: how many
        partners), ``programmes`` (name, period, agencies), ``looking_for``
        (agency types with the reason) and ``counts``.
    """
    report = complex_report(db, complex_key, recommendations=0, today=today)
    c = report["complex"]
    shares = [(key, c.get(key)) for key in ("elderly_pct", "disabled_pct", "recipients_pct", "living_alone_pct")]
    description = (c.get("resident_profile") or "").strip() or None
    if description and find_personal_data(description):
        description = None  # the complex's description is for partners only when it names no one

    programmes_by_agency: dict = {}
    programmes = []
    for p in report["programmes"]:
        agencies = [a["name"] for a in p.get("agencies") or []]
        programmes.append({"name": p["name"], "starts": p.get("starts"), "ends": p.get("ends"),
                           "running": p.get("running"), "agencies": agencies,
                           "complexes": [x["name"] for x in p.get("complexes") or [] if x.get("id") != c["id"]]})
        for a in p.get("agencies") or []:
            programmes_by_agency.setdefault(a["id"], []).append(p["name"])

    order = taxonomy(db).categories
    groups: dict = {}
    for partner in report["partners"]:
        groups.setdefault(partner["category"], []).append({
            "name": partner["name"], "type": partner["type"] if partner["type"] != partner["name"] else None,
            "mark": partner["mark"], "label": partner["label"], "contents": partner["content_types"],
            "depth": partner.get("depth_label"), "programmes": programmes_by_agency.get(partner["agency_id"], []),
        })
    partners = [{"category": cat, "partners": groups.pop(cat)} for cat in order if cat in groups]
    partners += [{"category": cat, "partners": rows} for cat, rows in groups.items()]

    names = {r["code"]: r["name"] for r in content_types(db)}
    exchanged = Counter(name for p in report["partners"] for name in dict.fromkeys(p["content_types"]))
    exchanges = [{"content": names[code], "partners": exchanged[names[code]]} for code in names
                 if exchanged.get(names[code])]

    gaps = report["gaps"]
    looking = [{"type": g["type"], "reason": g["reason"]} for g in gaps["profile"]]
    looking += [{"type": g["type"], "reason": g["reason"]} for g in gaps["peer"]
                if g["type"] not in {x["type"] for x in looking}]
    place = " ".join(x for x in (c.get("sido"), c.get("sigungu"), c.get("eupmyeondong")) if x)
    return {
        "complex": {"id": c["id"], "name": c["name"], "kind": c.get("kind") or PERMANENT_RENTAL,
                    "kind_label": KIND_LABELS.get(c.get("kind") or PERMANENT_RENTAL),
                    "operator": c.get("operator"), "place": place or None, "address": c.get("address"),
                    "households": c.get("households"), "capacity": c.get("capacity"),
                    "staff_placed_year": c.get("staff_placed_year")},
        "residents": {**{k: v for k, v in shares if v is not None}, "profile": description},
        "texts": profile_texts(c.get("kind")),
        "partners": partners,
        "exchanges": exchanges,
        "programmes": programmes,
        "looking_for": looking[:LOOKING_FOR],
        "counts": {"partners": len(report["partners"]), "categories": len(partners),
                   "categories_total": len(order)},
    }
