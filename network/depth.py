"""Link depth: how deep a partnership goes, from what flows along it, with the reason.

The study's theory: 초보적 (informal — 정보교환, 일회성) → 과정적 (procedural —
정기회의, 이용자 공유) → 실질적 (substantive — 공동 기획·실행·평가). The rules
are data, ``data/reference/link_depth_rules.csv``, read top to bottom; the
first rule whose signal reaches its ``min`` gives the link its depth, and its
``reason`` (a ``%(n)s`` template) says why. The signals of a link:

``programmes``
    programmes its complex and agency are both in (:mod:`network.programmes`)
    that run now or ended within the last 12 months;
``content_programs``, ``content_referral``
    1 when the link's recorded content types include 사업·프로그램 공동 기획
    or 대상자 및 서비스 의뢰;
``meetings_12m``, ``regular_meetings_12m``, ``referrals_12m``
    contacts of the last 12 months that were meetings, meetings of a regular
    kind (``regular`` in data/reference/meeting_kinds.csv: 통합사례회의,
    지역사회보장협의체 회의 …) and referrals;
``always``
    0, so a rule with ``min`` 0 catches every link (초보적).

The shipped rules: a joint programme → 실질적; regular meetings or resident
referrals → 과정적; otherwise 초보적.
"""
from __future__ import annotations

import csv
import functools
import json
from datetime import date, timedelta

from directory.errors import YeongyeError
from directory.frequency import WINDOW_DAYS
from directory.paths import REFERENCE_DIR

from .contacts import meeting_kinds
from .programmes import link_programmes

__all__ = ["DepthRuleError", "RULES_FILE", "SIGNALS", "load_rules", "depth_for", "link_signals", "link_depths",
           "depth_levels"]

RULES_FILE = REFERENCE_DIR / "link_depth_rules.csv"
SIGNALS = ("programmes", "content_programs", "content_referral", "meetings_12m", "regular_meetings_12m",
           "referrals_12m", "always")
_CHUNK = 900


class DepthRuleError(YeongyeError, ValueError):
    """The link depth rules file cannot be read as rules."""

    code = "depth_rules_invalid"


def load_rules(path=RULES_FILE) -> list[dict]:
    """The depth rules in file order (depth, rank, label, signal, min, reason); checked.

    >>> [r["label"] for r in load_rules()][0], load_rules()[-1]["signal"]
    ('실질적', 'always')
    """
    return [dict(r) for r in _rules(str(path))]


def depth_levels(rules=None) -> list[dict]:
    """The depths the rules can give (depth, rank, label), deepest first.

    >>> [d["label"] for d in depth_levels()]
    ['실질적', '과정적', '초보적']
    """
    seen = {}
    for rule in rules or load_rules():
        seen.setdefault(rule["depth"], {"depth": rule["depth"], "rank": rule["rank"], "label": rule["label"]})
    return sorted(seen.values(), key=lambda d: -d["rank"])


def depth_for(signals: dict, rules: list[dict]) -> dict:
    """The depth the first matching rule gives: ``depth``, ``rank``, ``label``, ``signal``, ``reason``,
    ``reason_template`` and ``params`` (for a page to word the reason in its language).

    >>> rules = load_rules()
    >>> d = depth_for({"referrals_12m": 2}, rules)
    >>> d["label"], d["reason"]
    ('과정적', '최근 12개월 대상자 의뢰 2회 (이용자 공유)')
    >>> depth_for({}, rules)["label"]
    '초보적'
    """
    for rule in rules:
        value = signals.get(rule["signal"], 0)
        count = len(value) if isinstance(value, list) else int(value or 0)
        if count >= rule["min"]:
            params = {"n": count, "programme": ", ".join(p["name"] for p in value) if isinstance(value, list)
                      else "", "kind": signals.get("regular_kind") or "통합사례회의"}
            return {"depth": rule["depth"], "rank": rule["rank"], "label": rule["label"], "signal": rule["signal"],
                    "reason": rule["reason"] % params, "reason_template": rule["reason"], "params": params}
    return {"depth": None, "rank": 0, "label": None, "signal": None, "reason": None, "reason_template": None,
            "params": {}}


def link_signals(db, link_ids=None, *, today: date | None = None) -> dict[int, dict]:
    """link id -> the signals above, for the given links (or every link).

    >>> from directory.store import connect
    >>> link_signals(connect(":memory:"), [1])
    {}
    """
    today = today or date.today()
    cutoff, end = (today - timedelta(days=WINDOW_DAYS)).isoformat(), today.isoformat()
    kinds = meeting_kinds()
    regular = [k["code"] for k in kinds if k["regular"]]
    names = {k["code"]: k["name"] for k in kinds}
    marks = ",".join("?" * len(regular)) or "NULL"
    contact_sql = (f"SELECT link_id, sum(content_type = 'meetings'), sum(kind IN ({marks})), "
                   f"sum(content_type = 'referral'), max(CASE WHEN kind IN ({marks}) THEN kind END) "
                   f"FROM contacts WHERE contact_date > ? AND contact_date <= ?")
    contact_params = [*regular, *regular, cutoff, end]
    links, contacts = [], []
    if link_ids is None:
        links = db.execute("SELECT id, content_types FROM links").fetchall()
        contacts = db.execute(f"{contact_sql} GROUP BY link_id", contact_params).fetchall()
    else:
        ids = [int(i) for i in link_ids]
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            chunk_marks = ",".join("?" * len(chunk))
            links += db.execute(f"SELECT id, content_types FROM links WHERE id IN ({chunk_marks})", chunk).fetchall()
            contacts += db.execute(f"{contact_sql} AND link_id IN ({chunk_marks}) GROUP BY link_id",
                                   [*contact_params, *chunk]).fetchall()
    counted = {row[0]: row[1:] for row in contacts}
    programmes = link_programmes(db, None if link_ids is None else [r[0] for r in links])
    out = {}
    for link_id, content in links:
        codes = _codes(content)
        meetings, regular_n, referrals, kind = counted.get(link_id, (0, 0, 0, None))
        out[link_id] = {
            "programmes": [p for p in programmes.get(link_id, ()) if (p["ends"] or "9999") > cutoff],
            "content_programs": int("programs" in codes), "content_referral": int("referral" in codes),
            "meetings_12m": meetings or 0, "regular_meetings_12m": regular_n or 0, "referrals_12m": referrals or 0,
            "regular_kind": names.get(kind), "always": 0,
        }
    return out


def link_depths(db, link_ids=None, *, today: date | None = None, rules=None) -> dict[int, dict]:
    """link id -> :func:`depth_for` of its signals (the depth every page shows, with its reason).

    >>> from directory.store import connect
    >>> link_depths(connect(":memory:"))
    {}
    """
    rules = rules if rules is not None else load_rules()
    return {link_id: depth_for(signals, rules)
            for link_id, signals in link_signals(db, link_ids, today=today).items()}


# --- helpers ------------------------------------------------------------------


def _codes(text) -> list:
    try:
        value = json.loads(text or "[]")
    except (TypeError, ValueError):
        return []
    return value if isinstance(value, list) else []


@functools.lru_cache(maxsize=4)
def _rules(path: str) -> tuple:
    rules = []
    with open(path, encoding="utf-8") as fh:
        for number, row in enumerate(csv.DictReader(fh), start=2):
            try:
                rule = {"depth": row["depth"].strip(), "rank": int(row["rank"]), "label": row["label"].strip(),
                        "signal": row["signal"].strip(), "min": int(row["min"]), "reason": row["reason"].strip()}
                rule["reason"] % {"n": 0, "programme": "", "kind": ""}  # a template that renders
            except (KeyError, ValueError, TypeError, AttributeError) as exc:
                raise DepthRuleError(file=path, row=number, detail=str(exc)) from None
            if rule["signal"] not in SIGNALS:
                raise DepthRuleError(file=path, row=number, detail=f"signal {rule['signal']!r}")
            rules.append(rule)
    if not rules or rules[-1]["min"] > 0:
        raise DepthRuleError(file=path, row=len(rules) + 1, detail="the last rule must catch every link (min 0)")
    return tuple(rules)
