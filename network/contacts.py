"""The contact log of a link, and the frequency level it implies.

A team lead records each contact (date, content type, a short note). The log
implies a frequency level — the contacts of the last 12 months through
``frequency_levels.min_per_year`` (12 or more a year is 수시) — which replaces
the level entered by hand only as :func:`directory.frequency.decide` says:
once the log covers the link's last 12 months, or when the team lead chose
기록으로 계산. Until then the hand-set level is shown with the count beside it.

Notes must not hold residents' personal data: :func:`check_note` refuses
what the one detector, :mod:`directory.privacy`, finds (a resident's name, a
주민등록번호, a mobile number, a 동·호수).
"""
from __future__ import annotations

import csv
import functools
from datetime import date, timedelta

from directory import audit, privacy
from directory.actors import require_complex_edit
from directory.errors import YeongyeError
from directory.frequency import link_levels
from directory.paths import REFERENCE_DIR
from directory.store import now

__all__ = [
    "ContactError",
    "PersonalDataError",
    "check_note",
    "add_contact",
    "log_contact",
    "meeting_kinds",
    "list_contacts",
    "delete_contact",
    "link_frequency",
]

MAX_PARTICIPANTS = 60
NOTE_WARNING = "메모에 입주민의 이름, 주민등록번호, 휴대전화번호 등 개인정보를 적지 마세요."
MAX_NOTE = 500


class ContactError(YeongyeError, ValueError):
    """A contact cannot be recorded as given."""


class PersonalDataError(ContactError, privacy.PersonalDataError):
    """A note looks like it holds a resident's personal data (`kind` says what was seen)."""


def check_note(note: str | None) -> str | None:
    """Return the cleaned note, or raise PersonalDataError if it looks like personal data.

    >>> check_note("통합사례회의 참석, 청소 지원 협의")
    '통합사례회의 참석, 청소 지원 협의'
    >>> check_note("김철수씨 방문")
    Traceback (most recent call last):
    ...
    network.contacts.PersonalDataError: 메모에 사람 이름으로 보이는 말('김철수씨')이 있습니다. 입주민의 이름, 주민등록번호, 휴대전화번호, 동·호수 등 개인정보는 적지 마세요.
    """
    if note is None:
        return None
    text = " ".join(str(note).split())
    if not text:
        return None
    if len(text) > MAX_NOTE:
        raise ContactError("note_too_long", limit=MAX_NOTE, length=len(text))
    privacy.check_personal_data(text, field="note", error=PersonalDataError)
    return text


def add_contact(db, link_id: int, contact_date, content_type: str | None = None, note: str | None = None,
                *, kind: str | None = None, actor=None) -> dict:
    """Record one contact on a link, audited; returns the stored row.

    Parameters
    ----------
    link_id : int
        The link (complex × agency).
    contact_date : str or datetime.date
        The day of the contact, ``YYYY-MM-DD``, from 1950 to tomorrow.
    content_type : str, optional
        A content-type code (``referral`` …) or its Korean name.
    note : str, optional
        A short note, checked by :func:`check_note`.
    kind : str, optional
        A meeting kind's code or name (:func:`meeting_kinds`: 통합사례회의 …);
        without a content type it gives the kind's (모임 for a meeting).
    actor : User or SystemActor, optional
        Who records it (None: the program itself), allowed to edit the
        link's complex; kept as ``created_by`` and in the audit entry
        ("insert" on ``contacts``), which commits with the row.

    A contact with several agencies or complexes is :func:`log_contact`.

    Examples
    --------
    >>> from directory.store import connect
    >>> add_contact(connect(":memory:"), 1, "2024-05-01")
    Traceback (most recent call last):
    ...
    network.contacts.ContactError: 연계를 찾을 수 없습니다: 1
    """
    link = db.execute("SELECT complex_id FROM links WHERE id = ?", [link_id]).fetchone()
    if link is None:
        raise ContactError("link_not_found", link_id=link_id)
    actor = require_complex_edit(actor, link[0])
    day = _parse_date(contact_date)
    kind_code, code = _kind_and_content(db, kind, content_type)
    clean = check_note(note)
    with db.conn:
        row = _insert_contact(db, actor, link_id, day, code, kind_code, clean, None)
    return row


def log_contact(db, complex_ids, agency_ids, contact_date, content_type: str | None = None,
                note: str | None = None, *, kind: str | None = None, actor=None) -> dict:
    """One contact naming several agencies (and complexes): one contact on each link it touches, audited.

    A 통합사례회의 with seven agencies is one event; it adds one row to the
    contact log of each of the seven links, so each link's count (and so its
    level, by :func:`directory.frequency.decide`) grows by one.

    Parameters
    ----------
    complex_ids, agency_ids : iterable of int
        Who took part. Each agency must be a partner of at least one of the
        complexes (link it first), and each complex of at least one agency.
    contact_date, content_type, note, kind
        As in :func:`add_contact`; `kind` is a meeting kind (통합사례회의,
        지역사회보장협의체 회의 …) and gives the content type when none is given.
    actor : User or SystemActor, optional
        Must be allowed to edit every complex named.

    Returns
    -------
    dict
        ``event`` (the ``contact_events`` row, None when only one link is
        touched), ``contacts`` (one row per link) and ``links`` (their ids).

    Examples
    --------
    >>> from directory.store import connect
    >>> log_contact(connect(":memory:"), [], [1], "2024-05-01")
    Traceback (most recent call last):
    ...
    network.contacts.ContactError: 참석한 단지와 기관을 하나 이상 고르세요.
    """
    complexes = list(dict.fromkeys(int(c) for c in complex_ids or ()))
    agencies = list(dict.fromkeys(int(a) for a in agency_ids or ()))
    if not complexes or not agencies:
        raise ContactError("participants_missing")
    if len(agencies) > MAX_PARTICIPANTS or len(complexes) > MAX_PARTICIPANTS:
        raise ContactError("too_many_participants", limit=MAX_PARTICIPANTS)
    for complex_id in complexes:
        if db.execute("SELECT 1 FROM complexes WHERE id = ?", [complex_id]).fetchone() is None:
            raise ContactError("complex_not_found", complex_id=complex_id)
        actor = require_complex_edit(actor, complex_id)
    day = _parse_date(contact_date)
    kind_code, code = _kind_and_content(db, kind, content_type)
    clean = check_note(note)
    links = _touched_links(db, complexes, agencies)
    stamp = now()
    with db.conn:
        event = None
        event_id = None
        if len(complexes) + len(agencies) > 2:
            cur = db.conn.execute(
                "INSERT INTO contact_events (event_date, content_type, kind, note, created_by, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)", [day.isoformat(), code, kind_code, clean, actor.id, stamp])
            event_id = cur.lastrowid
            db.conn.executemany("INSERT INTO contact_participants (event_id, complex_id) VALUES (?, ?)",
                                [(event_id, c) for c in complexes])
            db.conn.executemany("INSERT INTO contact_participants (event_id, agency_id) VALUES (?, ?)",
                                [(event_id, a) for a in agencies])
            event = audit.row_snapshot(db, "contact_events", event_id)
            audit.record(db, actor, "insert", "contact_events", event_id, None,
                         {**event, "complexes": complexes, "agencies": agencies})
        rows = [_insert_contact(db, actor, link_id, day, code, kind_code, clean, event_id) for link_id in links]
    return {"event": event, "contacts": rows, "links": links}


def meeting_kinds() -> list[dict]:
    """The meeting kinds of data/reference/meeting_kinds.csv (code, name, content_type, regular, description).

    >>> [k["name"] for k in meeting_kinds()][:2]
    ['통합사례회의', '지역사회보장협의체 회의']
    """
    return [dict(k) for k in _meeting_kinds()]


def _insert_contact(db, actor, link_id, day, code, kind_code, clean, event_id) -> dict:
    """Insert one contact row and its audit entry (inside the caller's transaction)."""
    cur = db.conn.execute(
        "INSERT INTO contacts (link_id, contact_date, content_type, kind, note, event_id, created_by, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [link_id, day.isoformat(), code, kind_code, clean, event_id, actor.id, now()],
    )
    row = audit.row_snapshot(db, "contacts", cur.lastrowid)
    audit.record(db, actor, "insert", "contacts", cur.lastrowid, None, row)
    return row


def _touched_links(db, complexes: list[int], agencies: list[int]) -> list[int]:
    """Ids of the links among complexes × agencies; every agency and complex must touch one."""
    marks_c, marks_a = ",".join("?" * len(complexes)), ",".join("?" * len(agencies))
    found = db.execute(
        f"SELECT id, complex_id, agency_id FROM links WHERE complex_id IN ({marks_c}) AND agency_id IN ({marks_a}) "
        "ORDER BY complex_id, agency_id", [*complexes, *agencies]).fetchall()
    linked_agencies = {a for _, _, a in found}
    for agency_id in agencies:
        if agency_id not in linked_agencies:
            row = db.execute("SELECT name FROM agencies WHERE id = ?", [agency_id]).fetchone()
            if row is None:
                raise ContactError("agency_not_found", agency_id=agency_id)
            raise ContactError("agency_not_partner", agency=row[0])
    linked_complexes = {c for _, c, _ in found}
    for complex_id in complexes:
        if complex_id not in linked_complexes:
            name = db.execute("SELECT name FROM complexes WHERE id = ?", [complex_id]).fetchone()[0]
            raise ContactError("complex_without_these_partners", complex=name)
    return [link_id for link_id, _, _ in found]


def delete_contact(db, contact_id: int, *, actor=None) -> None:
    """Remove one contact from the log, audited; the actor must be allowed to edit its complex."""
    with db.conn:
        link = db.conn.execute("SELECT l.complex_id FROM contacts k JOIN links l ON l.id = k.link_id "
                               "WHERE k.id = ?", [contact_id]).fetchone()
        if link is None:
            raise ContactError("contact_not_found", contact_id=contact_id)
        actor = require_complex_edit(actor, link[0])
        before = audit.row_snapshot(db, "contacts", contact_id)
        db.conn.execute("DELETE FROM contacts WHERE id = ?", [contact_id])
        audit.record(db, actor, "delete", "contacts", contact_id, before, None)


def list_contacts(db, *, link_id: int | None = None, complex_id: int | None = None, limit: int = 100) -> list[dict]:
    """Contacts of one link or of every link of a complex, newest first, with agency, content and kind names.

    ``event_agencies`` is how many agencies the contact's event named (0 for
    a contact with one agency).
    """
    where, params = [], []
    if link_id is not None:
        where.append("k.link_id = ?")
        params.append(link_id)
    if complex_id is not None:
        where.append("l.complex_id = ?")
        params.append(complex_id)
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    rows = list(db.query(
        f"""SELECT k.*, l.complex_id, l.agency_id, a.name AS agency_name, t.name AS content_name,
                   (SELECT count(*) FROM contact_participants p
                    WHERE p.event_id = k.event_id AND p.agency_id IS NOT NULL) AS event_agencies
            FROM contacts k JOIN links l ON l.id = k.link_id JOIN agencies a ON a.id = l.agency_id
            LEFT JOIN content_types t ON t.code = k.content_type
            {clause} ORDER BY k.contact_date DESC, k.id DESC LIMIT ?""",
        [*params, limit],
    ))
    names = {k["code"]: k["name"] for k in _meeting_kinds()}
    for row in rows:
        row["kind_name"] = names.get(row.get("kind"))
    return rows


def link_frequency(db, link_id: int, *, today: date | None = None) -> dict:
    """A link's level as every page shows it, with both sources: :func:`directory.frequency.decide`'s answer.

    Keys: ``level`` (also ``effective``), ``mark``, ``label``, ``source``
    (``log`` or ``manual``), ``reason``, ``basis``, ``manual`` (the hand-set
    level), ``derived`` (the log's level, None without a log),
    ``contacts_12m``, ``contacts_total``, ``first_contact``.
    """
    found = link_levels(db, [link_id], today=today)
    if link_id not in found:
        raise ContactError("link_not_found", link_id=link_id)
    d = found[link_id]
    return {**d, "manual": d["manual_level"], "derived": d["derived_level"], "effective": d["level"]}


# --- helpers ------------------------------------------------------------------


EARLIEST_CONTACT = date(1950, 1, 1)


def _parse_date(value) -> date:
    if isinstance(value, date):
        day = value
    else:
        text = str(value or "").strip().replace(".", "-").replace("/", "-")
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise ContactError("bad_date", value=value) from None
    # Tomorrow is allowed: a phone set to another time zone, or a visit logged
    # just after midnight. Before 1950 is a typo (0001-01-01), not a contact.
    if day > date.today() + timedelta(days=1):
        raise ContactError("future_date", day=day.isoformat())
    if day < EARLIEST_CONTACT:
        raise ContactError("date_too_early", year=EARLIEST_CONTACT.year, day=day.isoformat())
    return day


@functools.lru_cache(maxsize=1)
def _meeting_kinds() -> tuple:
    with open(REFERENCE_DIR / "meeting_kinds.csv", encoding="utf-8") as fh:
        return tuple({**r, "regular": r["regular"].strip() == "1"} for r in csv.DictReader(fh))


def _kind_and_content(db, kind, content_type) -> tuple[str | None, str | None]:
    """(kind code, content-type code): a kind by code or name, giving its content type when none is given."""
    kind_code = None
    if kind not in (None, ""):
        text = str(kind).strip()
        found = next((k for k in _meeting_kinds() if text in (k["code"], k["name"])), None)
        if found is None:
            raise ContactError("unknown_meeting_kind", value=kind,
                               known=", ".join(k["name"] for k in _meeting_kinds()))
        kind_code = found["code"]
        if content_type in (None, ""):
            content_type = found["content_type"]
    return kind_code, _content_code(db, content_type)


def _content_code(db, content_type):
    if content_type in (None, ""):
        return None
    text = str(content_type).strip()
    for code, name in db.execute("SELECT code, name FROM content_types"):
        if text in (code, name):
            return code
    known = ", ".join(r[0] for r in db.execute("SELECT code FROM content_types ORDER BY ord"))
    raise ContactError("unknown_content_type", value=content_type, known=known)
