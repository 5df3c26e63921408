"""The one rule that decides the contact-frequency level a link is shown and weighed at.

A team lead sets a link's level by hand on the study's scale (● 수시 … ○ 연 2회
이하). A contact log implies a level too: the contacts of the last 12 months
counted through ``frequency_levels.min_per_year`` (12 or more is 수시). The log
*replaces* the hand-set level only when it can be trusted to hold the whole
year:

- ``frequency_basis = 'auto'`` (the default): the log's level once the log
  covers the link's last 12 months — its first logged contact is 365 days old
  or more; until then the hand-set level, with the logged count beside it
  ("기록 3회");
- ``'log'`` — the team lead chose 기록으로 계산 for the link, declaring its log
  complete: the log's level at once;
- ``'manual'`` — 직접 입력 유지: the hand-set level whatever the log says.

A link with no hand-set level (모름) shows the log's level when it has one:
there is nothing to respect. :func:`decide` is the rule; every page, report,
map, export and the API read a link's level through it (via
:func:`link_levels`, ``network.graph.link_rows`` or ``network.graph.build_graph``),
so the same link shows the same level everywhere.
"""
from __future__ import annotations

from datetime import date, timedelta

__all__ = [
    "BASES", "WINDOW_DAYS", "Scale", "frequency_scale", "level_for_count", "contact_counts", "decide",
    "link_levels", "EMPTY_COUNTS", "logged_note",
]

BASES = ("auto", "log", "manual")
"""``links.frequency_basis`` values: the rule, 기록으로 계산, 직접 입력 유지."""

WINDOW_DAYS = 365
"""The contact window: a level is a count of the last 12 months."""

EMPTY_COUNTS = (0, 0, None)
"""(contacts in total, in the last 12 months, first contact date) of a link without a log."""

_CHUNK = 900  # SQLite's limit on bound parameters, with room to spare


def frequency_scale(db) -> list[dict]:
    """The store's frequency levels, highest first (level, mark, label, weight, min_per_year)."""
    return list(db.query("SELECT * FROM frequency_levels ORDER BY level DESC"))


def level_for_count(scale: list[dict], per_year: int) -> int:
    """The level a yearly contact count maps to (12 or more is 수시 in the shipped scale).

    >>> scale = [{"level": 5, "min_per_year": 12}, {"level": 1, "min_per_year": 0}]
    >>> level_for_count(scale, 13), level_for_count(scale, 4)
    (5, 1)
    """
    for row in sorted(scale, key=lambda r: -r["level"]):
        if per_year >= row["min_per_year"]:
            return row["level"]
    return min(r["level"] for r in scale)


class Scale:
    """The frequency scale read once, for deciding many links' levels."""

    def __init__(self, rows: list[dict]):
        self.rows = sorted(rows, key=lambda r: -r["level"])
        self.by_level = {r["level"]: r for r in self.rows}

    @classmethod
    def of(cls, db) -> "Scale":
        """The store's scale."""
        return cls(frequency_scale(db))

    def for_count(self, per_year: int) -> int:
        """The level of a yearly count."""
        return level_for_count(self.rows, per_year)

    def describe(self, level) -> dict:
        """mark, label and weight of a level (None, None, 1.0 when unknown)."""
        row = self.by_level.get(level)
        if row is None:
            return {"mark": None, "label": None, "weight": 1.0}
        return {"mark": row["mark"], "label": row["label"], "weight": float(row["weight"])}


def contact_counts(db, link_ids=None, *, today: date | None = None) -> dict[int, tuple]:
    """link id -> (contacts in total, in the last 12 months, first contact date), links with a log only.

    The window is (today − 365 days, today]. With `link_ids`, only those links
    are read (one complex's page need not count the country's log).
    """
    today = today or date.today()
    cutoff, end = (today - timedelta(days=WINDOW_DAYS)).isoformat(), today.isoformat()
    sql = ("SELECT link_id, count(*), coalesce(sum(contact_date > ? AND contact_date <= ?), 0), "
           "min(contact_date) FROM contacts")
    if link_ids is None:
        rows = db.execute(f"{sql} GROUP BY link_id", [cutoff, end]).fetchall()
    else:
        ids, rows = [int(i) for i in link_ids], []
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            rows += db.execute(f"{sql} WHERE link_id IN ({','.join('?' * len(chunk))}) GROUP BY link_id",
                               [cutoff, end, *chunk]).fetchall()
    return {link_id: (total, recent, first) for link_id, total, recent, first in rows}


def decide(scale: Scale, manual, basis, counts=EMPTY_COUNTS, *, today: date | None = None) -> dict:
    """The level a link is shown at, and why: THE rule (see the module's docstring).

    Parameters
    ----------
    scale : Scale
        The store's frequency scale.
    manual : int or None
        The level set by hand (``links.frequency_level``).
    basis : str or None
        ``links.frequency_basis``: ``auto`` (None reads as auto), ``log`` or ``manual``.
    counts : tuple
        (total, last 12 months, first contact date) from :func:`contact_counts`.
    today : datetime.date, optional
        The day the window ends.

    Returns
    -------
    dict
        ``level`` (the one shown everywhere) with its ``mark``, ``label`` and
        ``weight``; ``source`` (``log`` or ``manual``); ``reason`` (a code:
        ``log_covers_year``, ``log_chosen``, ``no_manual_level``,
        ``manual_chosen``, ``log_short``, ``no_log``); ``basis``;
        ``manual_level`` with ``manual_mark``/``manual_label``;
        ``derived_level`` (the log's level, None without a log unless the
        basis is ``log``) with ``derived_mark``/``derived_label``;
        ``contacts_12m``, ``contacts_total``, ``first_contact`` and
        ``log_covers_year``.

    Examples
    --------
    >>> s = Scale([{"level": 4, "mark": "◕", "label": "연 9회 이상", "weight": 4, "min_per_year": 9},
    ...            {"level": 1, "mark": "○", "label": "연 2회 이하", "weight": 1, "min_per_year": 0}])
    >>> d = decide(s, 4, "auto", (1, 1, "2026-05-01"), today=date(2026, 6, 1))
    >>> d["level"], d["mark"], d["contacts_12m"], d["reason"]
    (4, '◕', 1, 'log_short')
    >>> decide(s, 4, "log", (1, 1, "2026-05-01"), today=date(2026, 6, 1))["label"]
    '연 2회 이하'
    """
    basis = basis or "auto"
    total, recent, first = counts or EMPTY_COUNTS
    today = today or date.today()
    covers = bool(first) and first <= (today - timedelta(days=WINDOW_DAYS)).isoformat()
    derived = scale.for_count(recent or 0) if (total or basis == "log") else None
    if basis == "manual" and manual is not None:
        source, reason = "manual", "manual_chosen"
    elif basis == "log":
        source, reason = "log", "log_chosen"
    elif manual is None and derived is not None:
        source, reason = "log", "no_manual_level"
    elif covers:
        source, reason = "log", "log_covers_year"
    else:
        source, reason = "manual", ("log_short" if total else "no_log")
    level = derived if source == "log" else manual
    shown, hand, log = scale.describe(level), scale.describe(manual), scale.describe(derived)
    return {
        "level": level, "mark": shown["mark"], "label": shown["label"], "weight": shown["weight"],
        "source": source, "reason": reason, "basis": basis,
        "manual_level": manual, "manual_mark": hand["mark"], "manual_label": hand["label"],
        "derived_level": derived, "derived_mark": log["mark"], "derived_label": log["label"],
        "contacts_12m": recent or 0, "contacts_total": total or 0, "first_contact": first,
        "log_covers_year": covers,
    }


def link_levels(db, link_ids=None, *, today: date | None = None) -> dict[int, dict]:
    """link id -> :func:`decide`'s answer, for the given links (or every link).

    >>> from directory.store import connect
    >>> link_levels(connect(":memory:"), [1])
    {}
    """
    scale = Scale.of(db)
    if link_ids is None:
        rows = db.execute("SELECT id, frequency_level, frequency_basis FROM links").fetchall()
        counts = contact_counts(db, today=today)
    else:
        ids, rows = [int(i) for i in link_ids], []
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            rows += db.execute(f"SELECT id, frequency_level, frequency_basis FROM links "
                               f"WHERE id IN ({','.join('?' * len(chunk))})", chunk).fetchall()
        counts = contact_counts(db, ids, today=today)
    return {link_id: decide(scale, manual, basis, counts.get(link_id, EMPTY_COUNTS), today=today)
            for link_id, manual, basis in rows}


def logged_note(d: dict) -> str | None:
    """The words shown beside a level: "기록 3회" while the hand-set level stands, "연락 기록 기준" once the log's does.

    >>> logged_note({"source": "manual", "contacts_total": 1, "contacts_12m": 1})
    '기록 1회'
    >>> logged_note({"source": "log", "contacts_total": 12, "contacts_12m": 12})
    '연락 기록 기준 (12회)'
    >>> logged_note({"source": "manual", "contacts_total": 0, "contacts_12m": 0}) is None
    True
    """
    if d.get("source") == "log":
        return f"연락 기록 기준 ({d.get('contacts_12m') or 0}회)"
    if d.get("contacts_total"):
        return f"기록 {d.get('contacts_12m') or 0}회"
    return None
