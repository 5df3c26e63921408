"""Procedures as data: a playbook is a list of steps, each naming the kind of agency it needs and its deadline.

A playbook lives in ``data/reference/playbooks/<code>.csv`` (listed in
``index.csv`` with its title and source), one row a step::

    stage,step,title,agency,due,repeat,when,note,source
    신고·상담,2,129 또는 주소지 시·군·구 복지부서에 위기 사실을 알림,line:129,0d,,,…,seed 004 절차 1

- ``agency``: what to call for the step, alternatives in order separated by
  ``|``: ``type:<agency type>`` (the nearest agency of that type in the
  directory) or ``line:<code>`` (a national line of
  ``data/reference/national_lines.csv``, such as 129). The first that
  answers is linked; a type the directory has no agency of falls to the
  next alternative, and when none answers the step says so.
- ``due``: how long after the start the step is due — ``0d`` the same day,
  ``3d``, ``2w``, ``1m`` — or empty for no deadline; ``repeat``: how often it
  recurs (``1m`` monthly).
- ``when``: situations the step is for, ``;``-separated (``violence;abuse``);
  empty for every case.

:func:`plan` turns a playbook into the steps of one case — for the
situations at hand, with due dates from a start day and each step linked to
the nearest agency — and :func:`due_words` words a deadline. Nothing about
the case is stored: a plan is computed and shown.
"""
from __future__ import annotations

import calendar
import csv
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from .errors import YeongyeError
from .paths import REFERENCE_DIR

__all__ = [
    "PLAYBOOK_DIR", "LINES_FILE", "PlaybookError", "Target", "Step", "Playbook", "playbooks", "load_playbook",
    "national_lines", "plan", "due_words", "add_period", "WORDS", "say",
]

PLAYBOOK_DIR = REFERENCE_DIR / "playbooks"
LINES_FILE = REFERENCE_DIR / "national_lines.csv"
_PERIOD = re.compile(r"^(\d{1,3})([dwm])$")
_COLUMNS = ("stage", "step", "title", "agency", "due", "repeat", "when", "note", "source")


class PlaybookError(YeongyeError):
    """A playbook is unknown or its file cannot be read."""

    code = "playbook_error"


@dataclass(frozen=True)
class Target:
    """What a step calls: ``type`` (an agency type, the nearest one linked) or ``line`` (a national line's code)."""

    kind: str
    name: str


@dataclass(frozen=True)
class Step:
    """One step of a procedure."""

    stage: str
    number: int
    title: str
    targets: tuple[Target, ...]
    due: str | None
    repeat: str | None
    when: frozenset[str]
    note: str
    source: str

    def applies(self, situations) -> bool:
        """Whether the step is for a case in these situations (a step without `when` is for every case)."""
        return not self.when or bool(self.when & set(situations))


@dataclass(frozen=True)
class Playbook:
    """A procedure: its code, title, source and steps in order."""

    code: str
    title: str
    source: str
    steps: tuple[Step, ...]

    @property
    def stages(self) -> list[str]:
        """The stages in the order they first appear."""
        return list(dict.fromkeys(s.stage for s in self.steps))

    def agency_types(self) -> list[str]:
        """Every agency type a step may link, in order (for the taxonomy check)."""
        return list(dict.fromkeys(t.name for s in self.steps for t in s.targets if t.kind == "type"))


@lru_cache(maxsize=8)
def playbooks(folder: str | Path = PLAYBOOK_DIR) -> dict[str, dict]:
    """The playbooks of a folder: {code: {"title", "source", "scope", "start", "situations"}}.

    ``index.csv``'s optional columns: ``scope`` (who uses it: ``emergency``,
    ``supportive_housing``), ``start`` (what day the due dates count from,
    in the user's words: 주택 계약일) and ``situations`` (``code=label``
    pairs, ``;``-separated, for the steps' ``when``); a folder without them
    reads as before.
    """
    path = Path(folder) / "index.csv"
    with open(path, encoding="utf-8") as fh:
        return {r["code"]: {"title": r["title"], "source": r["source"], "scope": (r.get("scope") or "").strip(),
                            "start": (r.get("start") or "").strip(), "situations": _situations(r.get("situations"))}
                for r in csv.DictReader(fh)}


def _situations(text: str | None) -> dict[str, str]:
    """``hospital=병원 장기입원;prison=교정시설 수감`` → {"hospital": "병원 장기입원", "prison": "교정시설 수감"}."""
    out = {}
    for part in filter(None, (p.strip() for p in (text or "").split(";"))):
        code, _, label = part.partition("=")
        out[code.strip()] = label.strip() or code.strip()
    return out


def load_playbook(code: str, folder: str | Path = PLAYBOOK_DIR) -> Playbook:
    """One playbook by code; PlaybookError('unknown_playbook') or ('bad_playbook') naming the row."""
    known = playbooks(folder)
    if code not in known:
        raise PlaybookError("unknown_playbook", playbook=code, known=", ".join(known))
    path = Path(folder) / f"{code}.csv"
    return _load(str(path), path.stat().st_mtime_ns, code, known[code]["title"], known[code]["source"])


@lru_cache(maxsize=16)
def _load(path: str, _mtime: int, code: str, title: str, source: str) -> Playbook:
    def bad(row, detail):
        return PlaybookError("bad_playbook", file=Path(path).name, row=row, detail=detail)

    steps = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != _COLUMNS:
            raise bad(1, ",".join(_COLUMNS))
        for number, row in enumerate(reader, start=2):
            if None in row or None in row.values():  # an unquoted comma in a text: the row's cells shift
                raise bad(number, f"{len(_COLUMNS)} columns")
            targets = []
            for part in filter(None, (p.strip() for p in row["agency"].split("|"))):
                kind, _, name = part.partition(":")
                if kind not in ("type", "line") or not name:
                    raise bad(number, f"agency {part!r}")
                targets.append(Target(kind, name))
            for column in ("due", "repeat"):
                if row[column] and not _PERIOD.match(row[column]):
                    raise bad(number, f"{column} {row[column]!r}")
            if not row["step"].isdigit() or not row["title"].strip() or not row["stage"].strip():
                raise bad(number, "stage, step, title")
            steps.append(Step(row["stage"].strip(), int(row["step"]), row["title"].strip(), tuple(targets),
                              row["due"] or None, row["repeat"] or None,
                              frozenset(w.strip() for w in row["when"].split(";") if w.strip()),
                              row["note"].strip(), row["source"].strip()))
    return Playbook(code, title, source, tuple(steps))


@lru_cache(maxsize=4)
def national_lines(path: str | Path = LINES_FILE) -> dict[str, dict]:
    """National phone lines by code: {"129": {"code", "name", "number", "hours", "source"}}."""
    with open(path, encoding="utf-8") as fh:
        return {r["code"]: dict(r) for r in csv.DictReader(fh)}


def add_period(start: date, period: str) -> date:
    """`start` plus a period of a playbook (``0d``, ``3d``, ``2w``, ``1m``; a month keeps the day, or the month's last).

    >>> add_period(date(2025, 1, 31), "1m"), add_period(date(2025, 3, 2), "2w")
    (datetime.date(2025, 2, 28), datetime.date(2025, 3, 16))
    """
    from datetime import timedelta

    match = _PERIOD.match(period or "")
    if not match:
        raise PlaybookError("bad_period", period=period)
    n, unit = int(match.group(1)), match.group(2)
    if unit == "d":
        return start + timedelta(days=n)
    if unit == "w":
        return start + timedelta(weeks=n)
    months = start.month - 1 + n
    year, month = start.year + months // 12, months % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


# code -> Korean template; the web translates them (web/i18n.py adds them).
WORDS = {
    "due_same_day": "당일",
    "due_days": "%(n)s일 이내",
    "due_weeks": "%(n)s주 이내",
    "due_months": "%(n)s개월 이내",
    "repeat_monthly": "매월",
    "repeat_days": "%(n)s일마다",
    "repeat_weeks": "%(n)s주마다",
    "repeat_months": "%(n)s개월마다",
    "no_agency": "디렉터리에 없음 — 129에 문의",
}


def say(words: tuple[str, dict] | None, translate=None) -> str:
    """A (code, params) pair of WORDS as text, in the language of `translate`: ("due_days", {"n": 3}) → "3일 이내"."""
    if not words:
        return ""
    code, params = words
    template = WORDS.get(code, code)
    return (translate(template) if translate else template) % params


def due_words(period: str | None, *, repeat: bool = False) -> tuple[str, dict] | None:
    """A deadline or a recurrence as (code, params) of WORDS: "0d" → ("due_same_day", {}), "1m" repeat → ("repeat_monthly", {})."""
    if not period:
        return None
    match = _PERIOD.match(period)
    if not match:
        raise PlaybookError("bad_period", period=period)
    n, unit = int(match.group(1)), {"d": "days", "w": "weeks", "m": "months"}[match.group(2)]
    if repeat:
        return ("repeat_monthly", {}) if (n, unit) == (1, "months") else (f"repeat_{unit}", {"n": n})
    if n == 0:
        return "due_same_day", {}
    return f"due_{unit}", {"n": n}


def plan(playbook: Playbook, *, nearest=None, situations=(), start: date | None = None,
         lines: dict | None = None) -> list[dict]:
    """The steps of one case, in order, each linked to whom to call.

    `nearest` is a function ``agency_type -> agency row | None`` (e.g. the
    nearest agency of that type to the case's complex, from
    :func:`directory.nearby.nearest_of_type`); without it, only lines link.
    Each step: ``{"stage", "number", "title", "note", "source", "due"
    (code, params) | None, "due_date" (ISO, when `start` is given), "repeat",
    "contact": {"kind": "agency", "type", "agency"} | {"kind": "line", "line"} |
    None, "missing": [types the directory has none of]}``. ``contact`` of kind
    ``agency`` with ``agency`` None means no alternative answered.
    """
    lines = national_lines() if lines is None else lines
    cache: dict[str, dict | None] = {}

    def agency_of(kind):
        if kind not in cache:
            cache[kind] = nearest(kind) if nearest is not None else None
        return cache[kind]

    out = []
    for step in playbook.steps:
        if not step.applies(situations):
            continue
        contact, missing = None, []
        for target in step.targets:
            if target.kind == "line" and target.name in lines:
                contact = {"kind": "line", "line": lines[target.name]}
                break
            if target.kind == "type":
                agency = agency_of(target.name)
                if agency is not None:
                    contact = {"kind": "agency", "type": target.name, "agency": agency}
                    break
                missing.append(target.name)
        if contact is None and missing:
            contact = {"kind": "agency", "type": missing[0], "agency": None}
        out.append({
            "stage": step.stage, "number": step.number, "title": step.title, "note": step.note,
            "source": step.source, "due": due_words(step.due), "repeat": due_words(step.repeat, repeat=True),
            "due_date": add_period(start, step.due).isoformat() if start and step.due else None,
            "contact": contact, "missing": missing,
        })
    return out
