"""The SQLite store: opening it, and reading and writing agencies, complexes and links.

One file, opened through sqlite-utils. Writers pass plain row dicts; readers
get plain dicts back. Domain errors are the small classes below; the CLI and
the web app translate them at the edge.
"""
from __future__ import annotations

import json
import os
import sqlite3
import time
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from .errors import AgencyNotFound, ComplexNotFound, StoreError  # noqa: F401  (re-exported)
from .frequency import link_levels
from .schema import migrate
from .taxonomy import Taxonomy
from .vocabulary import SAMPLE

__all__ = [
    "mappable_agencies",
    "AgencyNotFound", "ComplexNotFound", "StoreError",  # re-exported
    "DB_ENV", "now", "resolve_path", "connect", "taxonomy", "AGENCY_FILTERS", "get_agency", "list_agencies",
    "facet_values", "agency_links", "get_complex", "list_complexes", "complex_links", "counts",
    "content_types", "frequency_levels", "unlinked_agencies", "complex_choices", "complex_districts",
    "has_complexes", "placed_types", "data_version",
]

DB_ENV = "YEONGYE_DB"


_NOW: tuple[int, str] = (0, "")


def now() -> str:
    """The current time in UTC, ISO 8601, to the second."""
    global _NOW
    second = int(time.time())
    cached = _NOW  # an import stamps 100,000 rows: format each second once
    if cached[0] != second:
        cached = _NOW = (second, datetime.fromtimestamp(second, timezone.utc).isoformat())
    return cached[1]


def resolve_path(path: str | os.PathLike | None) -> Path:
    """The database path from the argument, else YEONGYE_DB, else ./instance/yeongye.db."""
    if path:
        return Path(path)
    if os.environ.get(DB_ENV):
        return Path(os.environ[DB_ENV])
    return Path("instance") / "yeongye.db"


def connect(path: str | os.PathLike | None = None, *, migrate_schema: bool = True) -> sqlite_utils.Database:
    """Open (creating if needed) the store and bring its schema up to date.

    WAL mode and a busy timeout let the web app's readers and one writer work
    at once; foreign keys are enforced.
    """
    path = resolve_path(path)
    if str(path) != ":memory:":
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
    except sqlite3.DatabaseError as exc:
        raise StoreError("store_unopenable", path=str(path), detail=str(exc)) from exc
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=30000")
    db = sqlite_utils.Database(conn)
    if migrate_schema:
        try:
            migrate(db)
        except sqlite3.DatabaseError as exc:
            raise StoreError("not_sqlite_store", path=str(path), detail=str(exc)) from exc
    return db


def taxonomy(db: sqlite_utils.Database) -> Taxonomy:
    """The categories, agency types and aliases held in the store."""
    return Taxonomy.from_db(db)


# --- agencies -------------------------------------------------------------

AGENCY_FILTERS = ("category", "type", "sido", "sigungu", "placement")


def get_agency(db: sqlite_utils.Database, agency_id: int, *, include_raw: bool = False) -> dict:
    """One agency as a dict, with its source rows under "sources".

    Each source says where the agency came from (source, key, row number,
    when). The raw row itself is left out unless `include_raw` (the web asks
    for it for administrators only): a list may have carried text the import
    did not map, and stores made before imports dropped unmapped columns
    still hold it.
    """
    row = db.execute("SELECT * FROM agencies WHERE id = ?", [agency_id]).fetchone()
    if row is None:
        raise AgencyNotFound(agency_id=agency_id)
    agency = dict(zip([c[0] for c in db.execute("SELECT * FROM agencies LIMIT 0").description], row))
    raw = ", raw" if include_raw else ""
    agency["sources"] = list(
        db.query(
            f"SELECT source, source_key, row_number{raw}, imported_at FROM agency_sources "
            "WHERE agency_id = ? ORDER BY id",
            [agency_id],
        )
    )
    if include_raw:
        for source in agency["sources"]:
            source["raw"] = json.loads(source["raw"]) if source["raw"] else {}
    return agency


def list_agencies(
    db: sqlite_utils.Database, *, limit: int = 50, offset: int = 0, **filters
) -> tuple[list[dict], int]:
    """Agencies matching exact-value filters (category, type, sido, sigungu); (rows, total)."""
    where, params = [], []
    for key in AGENCY_FILTERS:
        if filters.get(key):
            where.append(f"{key} = ?")
            params.append(filters[key])
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    total = db.execute(f"SELECT count(*) FROM agencies {clause}", params).fetchone()[0]
    rows = list(
        db.query(
            f"SELECT * FROM agencies {clause} ORDER BY sido, sigungu, name LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
    )
    return rows, total


def facet_values(db: sqlite_utils.Database, column: str, **filters) -> list[tuple[str, int]]:
    """Distinct values of one agency column with their counts, for filter menus."""
    if column not in AGENCY_FILTERS:
        raise StoreError("unknown_filter", column=column)
    where, params = [f"{column} IS NOT NULL"], []
    for key, value in filters.items():
        if key in AGENCY_FILTERS and value:
            where.append(f"{key} = ?")
            params.append(value)
    sql = (
        f"SELECT {column}, count(*) FROM agencies WHERE {' AND '.join(where)} "
        f"GROUP BY {column} ORDER BY {column}"
    )
    return [(r[0], r[1]) for r in db.execute(sql, params)]


def agency_links(db: sqlite_utils.Database, agency_id: int, *, today=None) -> list[dict]:
    """The complexes an agency is linked with, each link's level as every page shows it.

    ``frequency_level`` is the level set by hand; ``frequency_mark``,
    ``frequency_label`` (and ``level``, ``source``, ``contacts_12m`` … of
    :func:`directory.frequency.decide`) are the level shown, by the one rule.
    """
    rows = list(db.query(
        """SELECT l.*, c.name AS complex_name FROM links l JOIN complexes c ON c.id = l.complex_id
           WHERE l.agency_id = ?""", [agency_id]))
    return _with_levels(db, rows, lambda r: r["complex_name"], today=today)


def _with_levels(db, rows: list[dict], name, *, today=None) -> list[dict]:
    """Rows of links with the shown level merged in, most frequent first, then by `name`."""
    levels = link_levels(db, [r["id"] for r in rows], today=today)
    for row in rows:
        d = levels.get(row["id"], {})
        row.update(d)
        row["frequency_mark"], row["frequency_label"] = d.get("mark"), d.get("label")
    rows.sort(key=lambda r: (-(r.get("level") or 0), name(r) or ""))
    return rows


# --- complexes and links --------------------------------------------------


def get_complex(db: sqlite_utils.Database, key) -> dict:
    """One complex by id or by name."""
    column = "id" if isinstance(key, int) or str(key).isdigit() else "name"
    rows = list(db.query(f"SELECT * FROM complexes WHERE {column} = ?", [key]))
    if not rows:
        raise ComplexNotFound(complex_id=key)
    return rows[0]


def list_complexes(db: sqlite_utils.Database) -> list[dict]:
    """Every complex with its number of partner agencies."""
    return list(
        db.query(
            """SELECT c.*, count(l.id) AS partners FROM complexes c
               LEFT JOIN links l ON l.complex_id = c.id GROUP BY c.id ORDER BY c.name"""
        )
    )


def complex_links(db: sqlite_utils.Database, complex_id: int, *, today=None) -> list[dict]:
    """A complex's links with agency name, type, category and the level every page shows.

    ``frequency_level`` is the level set by hand (what an edit form starts
    from); ``frequency_mark``, ``frequency_label``, ``weight`` and the keys of
    :func:`directory.frequency.decide` (``level``, ``source``,
    ``contacts_12m`` …) are the level shown, by the one rule.
    """
    rows = list(db.query(
        """SELECT l.*, a.name AS agency_name, a.type AS agency_type, a.category AS category, a.phone AS phone
           FROM links l JOIN agencies a ON a.id = l.agency_id WHERE l.complex_id = ?""", [complex_id]))
    return _with_levels(db, rows, lambda r: r["agency_name"], today=today)


def counts(db: sqlite_utils.Database) -> dict:
    """How many agencies, complexes, links and import runs the store holds."""
    return {t: db[t].count for t in ("agencies", "complexes", "links", "import_runs", "quarantine")}


# --- what the pages' menus and checks read (named here so no shell writes SQL) ---


def content_types(db: sqlite_utils.Database) -> list[dict]:
    """The link content types (code, Korean name) in their display order."""
    return list(db.query("SELECT code, name FROM content_types ORDER BY ord"))


def frequency_levels(db: sqlite_utils.Database) -> list[dict]:
    """The contact-frequency scale (level, mark, label), most frequent first."""
    return list(db.query("SELECT level, mark, label FROM frequency_levels ORDER BY level DESC"))


def unlinked_agencies(db: sqlite_utils.Database, complex_id: int, query: str, *, limit: int = 20) -> list[dict]:
    """Agencies whose name contains every word typed, not yet linked with the complex (the add-partner search).

    A plain substring match on the name, not :func:`directory.search.search`:
    the person picking a partner types part of a name they already know.
    """
    words = query.split()
    if not words:
        return []
    where = " AND ".join("a.name LIKE ? ESCAPE '\\'" for _ in words)
    return list(db.query(
        f"""SELECT a.id, a.name, a.type, a.sido, a.sigungu, a.phone FROM agencies a
            WHERE {where} AND a.id NOT IN (SELECT agency_id FROM links WHERE complex_id = ?)
            ORDER BY a.name LIMIT ?""",
        [*(f"%{_escape_like(w)}%" for w in words), complex_id, limit]))


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def complex_choices(db: sqlite_utils.Database, limit: int) -> list[dict]:
    """Complexes (id, name) by name, at most `limit`, for a menu."""
    return list(db.query("SELECT id, name FROM complexes ORDER BY name LIMIT ?", [limit]))


def complex_districts(db: sqlite_utils.Database) -> list[dict]:
    """The districts (시도, 시군구) that have complexes, with how many each."""
    return list(db.query(
        "SELECT sido, sigungu, count(*) AS complexes FROM complexes WHERE sido IS NOT NULL "
        "GROUP BY sido, sigungu ORDER BY sido, sigungu"))


def has_complexes(db: sqlite_utils.Database, sido: str, sigungu: str | None = None) -> bool:
    """Whether any complex lies in the 시도 (and 시군구, when given)."""
    return db.execute("SELECT 1 FROM complexes WHERE sido = ? AND (? IS NULL OR sigungu = ?) LIMIT 1",
                      [sido, sigungu, sigungu]).fetchone() is not None


def placed_types(db: sqlite_utils.Database) -> list[str]:
    """Agency types that have agencies on the map (coordinates, not sample data), the commonest first."""
    return [r[0] for r in db.execute(
        "SELECT type FROM agencies WHERE type IS NOT NULL AND lat IS NOT NULL AND placement != 'sample' "
        "GROUP BY type ORDER BY count(*) DESC")]


def data_version(db: sqlite_utils.Database) -> tuple:
    """Changes whenever agencies change (search log), anything is edited (audit log) or imported."""
    return tuple(db.execute(
        "SELECT (SELECT max(seq) FROM search_changes), (SELECT max(id) FROM audit_log), "
        "(SELECT max(id) FROM import_runs)").fetchone())


def mappable_agencies(db, *, category=None, agency_type=None, sido=None, sigungu=None,
                      ids=None, include_sample: bool = False) -> list[dict]:
    """Agencies with coordinates, filtered like the agency list: the rows a resource map draws.

    Agencies at sample positions (the study's demo partners) are left out
    unless `include_sample`: a resource map shows where services really are.
    """
    where, params = ["lat IS NOT NULL", "lon IS NOT NULL"], []
    for column, value in (("category", category), ("type", agency_type), ("sido", sido), ("sigungu", sigungu)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    if not include_sample:
        where.append("placement != ?")
        params.append(SAMPLE)
    if ids is not None:
        ids = [int(i) for i in ids if 0 < int(i) < 2**62]  # larger ids name nothing in SQLite
        if not ids:
            return []
        where.append(f"id IN ({','.join('?' * len(ids))})")
        params.extend(ids)
    sql = (
        "SELECT id, name, type, category, phone, road_address, lot_address, sido, sigungu, "
        f"lat, lon, placement FROM agencies WHERE {' AND '.join(where)} ORDER BY id"
    )
    return list(db.query(sql, params))
