"""The store's schema, as numbered forward migrations.

`migrate(db)` brings any older store up to `SCHEMA_VERSION`; each migration
runs once, inside the transaction that records it. Add a migration at the end
of MIGRATIONS; never edit one that has shipped.
"""
from __future__ import annotations

import csv
import functools
import hashlib
import json
from pathlib import Path

import sqlite_utils

from .errors import StoreError
from .paths import REFERENCE_DIR
from .privacy import find_personal_data


__all__ = [
    "seed_reference", "refresh_reference", "SEARCH_CHANGE_LOG", "MIGRATIONS", "SCHEMA_VERSION", "current_version", "migrate",
]

def _v1_core(db: sqlite_utils.Database) -> None:
    """Reference tables, agencies with their sources, complexes, links, imports."""
    db.executescript(
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);

        CREATE TABLE categories (
            code TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, name_en TEXT, ord INTEGER);
        CREATE TABLE agency_types (
            name TEXT PRIMARY KEY, category TEXT NOT NULL REFERENCES categories(name), ord INTEGER);
        CREATE TABLE type_aliases (
            alias TEXT PRIMARY KEY, type TEXT NOT NULL REFERENCES agency_types(name));
        CREATE TABLE frequency_levels (
            level INTEGER PRIMARY KEY, mark TEXT NOT NULL UNIQUE, label TEXT NOT NULL UNIQUE,
            meaning TEXT, weight REAL NOT NULL, min_per_year INTEGER NOT NULL);
        CREATE TABLE content_types (
            code TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, description TEXT, ord INTEGER);

        CREATE TABLE agencies (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            name_key TEXT NOT NULL,
            type TEXT REFERENCES agency_types(name),
            type_raw TEXT,
            category TEXT,
            road_address TEXT,
            lot_address TEXT,
            address_key TEXT,
            sido TEXT,
            sido_raw TEXT,
            sigungu TEXT,
            eupmyeondong TEXT,
            region_code TEXT,
            postcode TEXT,
            lat REAL,
            lon REAL,
            placement TEXT NOT NULL DEFAULT 'unplaced',
            phone TEXT,
            phone_raw TEXT,
            homepage TEXT,
            operator TEXT,
            services TEXT,
            target_groups TEXT,
            hours TEXT,
            capacity REAL,
            source TEXT,
            source_key TEXT,
            verified_date TEXT,
            created_at TEXT,
            updated_at TEXT
        );
        CREATE INDEX agencies_name_key ON agencies(name_key);
        CREATE INDEX agencies_address_key ON agencies(address_key);
        CREATE INDEX agencies_region ON agencies(sido, sigungu);
        CREATE INDEX agencies_type ON agencies(type);
        CREATE INDEX agencies_category ON agencies(category);

        -- Every source row an agency came from: one agency may have several.
        CREATE TABLE agency_sources (
            id INTEGER PRIMARY KEY,
            agency_id INTEGER NOT NULL REFERENCES agencies(id) ON DELETE CASCADE,
            source TEXT NOT NULL,
            source_key TEXT NOT NULL,
            row_number INTEGER,
            raw TEXT,
            import_run_id INTEGER REFERENCES import_runs(id),
            imported_at TEXT,
            UNIQUE (source, source_key)
        );
        CREATE INDEX agency_sources_agency ON agency_sources(agency_id);

        CREATE TABLE complexes (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            operator TEXT,
            address TEXT,
            sido TEXT,
            sigungu TEXT,
            eupmyeondong TEXT,
            region_code TEXT,
            lat REAL,
            lon REAL,
            placement TEXT NOT NULL DEFAULT 'unplaced',
            households INTEGER,
            elderly_pct REAL,
            disabled_pct REAL,
            recipients_pct REAL,
            living_alone_pct REAL,
            alcohol_issues INTEGER NOT NULL DEFAULT 0,
            hoarding_issues INTEGER NOT NULL DEFAULT 0,
            mental_illness_issues INTEGER NOT NULL DEFAULT 0,
            resident_profile TEXT,
            staff_placed_year INTEGER,
            source TEXT,
            source_key TEXT,
            created_at TEXT,
            updated_at TEXT
        );

        CREATE TABLE links (
            id INTEGER PRIMARY KEY,
            complex_id INTEGER NOT NULL REFERENCES complexes(id) ON DELETE CASCADE,
            agency_id INTEGER NOT NULL REFERENCES agencies(id) ON DELETE CASCADE,
            frequency_level INTEGER REFERENCES frequency_levels(level),
            frequency_raw TEXT,
            content_types TEXT NOT NULL DEFAULT '[]',
            note TEXT,
            since TEXT,
            source TEXT,
            version INTEGER NOT NULL DEFAULT 1,
            created_at TEXT,
            updated_at TEXT,
            UNIQUE (complex_id, agency_id)
        );
        CREATE INDEX links_agency ON links(agency_id);

        CREATE TABLE contacts (
            id INTEGER PRIMARY KEY,
            link_id INTEGER NOT NULL REFERENCES links(id) ON DELETE CASCADE,
            contact_date TEXT NOT NULL,
            content_type TEXT REFERENCES content_types(code),
            note TEXT,
            created_by INTEGER,
            created_at TEXT
        );
        CREATE INDEX contacts_link ON contacts(link_id, contact_date);

        CREATE TABLE import_runs (
            id INTEGER PRIMARY KEY,
            source TEXT,
            dataset TEXT,
            file_name TEXT,
            file_hash TEXT,
            encoding TEXT,
            started_at TEXT,
            finished_at TEXT,
            status TEXT,
            rows INTEGER DEFAULT 0,
            imported INTEGER DEFAULT 0,
            updated INTEGER DEFAULT 0,
            merged INTEGER DEFAULT 0,
            unchanged INTEGER DEFAULT 0,
            quarantined INTEGER DEFAULT 0,
            summary TEXT
        );

        CREATE TABLE quarantine (
            id INTEGER PRIMARY KEY,
            import_run_id INTEGER REFERENCES import_runs(id) ON DELETE CASCADE,
            source TEXT,
            row_number INTEGER,
            "column" TEXT,
            reason TEXT NOT NULL,
            raw TEXT,
            resolved INTEGER NOT NULL DEFAULT 0
        );
        """
    )
    seed_reference(db)


REFERENCE_FILES = ("categories.csv", "agency_types.csv", "frequency_levels.csv", "content_types.csv")


def seed_reference(db: sqlite_utils.Database) -> None:
    """Load the taxonomy, frequency scale and content types from data/reference."""

    def rows(name):
        with open(REFERENCE_DIR / name, encoding="utf-8") as fh:
            return list(csv.DictReader(fh))

    db["categories"].upsert_all(
        [{**r, "ord": int(r["ord"])} for r in rows("categories.csv")], pk="code"
    )
    aliases = []
    for i, r in enumerate(rows("agency_types.csv")):
        db["agency_types"].upsert({"name": r["type"], "category": r["category"], "ord": i}, pk="name")
        aliases += [{"alias": a.strip(), "type": r["type"]} for a in r["aliases"].split(";") if a.strip()]
    db["type_aliases"].upsert_all(aliases, pk="alias")
    db["frequency_levels"].upsert_all(
        [
            {**r, "level": int(r["level"]), "weight": float(r["weight"]), "min_per_year": int(r["min_per_year"])}
            for r in rows("frequency_levels.csv")
        ],
        pk="level",
    )
    db["content_types"].upsert_all(
        [{**r, "ord": int(r["ord"])} for r in rows("content_types.csv")], pk="code"
    )


def _accounts_audit(db: sqlite_utils.Database) -> None:
    """Accounts with roles, their complexes and districts, API tokens, the audit log, corrections."""
    db.executescript(
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE,
            password_hash TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('worker', 'team_lead', 'planner', 'admin')),
            display_name TEXT,
            active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT,
            last_login TEXT
        );
        CREATE TABLE user_complexes (
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            complex_id INTEGER NOT NULL REFERENCES complexes(id) ON DELETE CASCADE,
            PRIMARY KEY (user_id, complex_id)
        );
        CREATE TABLE user_districts (
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            sido TEXT NOT NULL,
            sigungu TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (user_id, sido, sigungu)
        );
        -- Only a hash of each token is kept; the token is shown once.
        CREATE TABLE api_tokens (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            token_hash TEXT NOT NULL UNIQUE,
            label TEXT,
            created_at TEXT,
            last_used TEXT
        );
        -- Every edit: who, when, which row, the row before and after (JSON).
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
            username TEXT,
            at TEXT NOT NULL,
            action TEXT NOT NULL,
            table_name TEXT NOT NULL,
            row_id INTEGER,
            before TEXT,
            after TEXT,
            undone_by INTEGER REFERENCES audit_log(id)
        );
        CREATE INDEX audit_log_row ON audit_log(table_name, row_id);
        CREATE TABLE correction_requests (
            id INTEGER PRIMARY KEY,
            agency_id INTEGER NOT NULL REFERENCES agencies(id) ON DELETE CASCADE,
            field TEXT,
            message TEXT NOT NULL,
            contact TEXT,
            user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
            created_at TEXT,
            status TEXT NOT NULL DEFAULT 'open',
            resolved_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
            resolved_at TEXT
        );
        """
    )


def _placement_dedup(db: sqlite_utils.Database) -> None:
    """Geocoder answers cache, the log of duplicate merges, and people's same/distinct decisions."""
    db.executescript(
        """
        -- Every geocoder answer, "not found" (lat NULL) included: no address is asked twice.
        CREATE TABLE geocode_cache (
            provider TEXT NOT NULL,
            query TEXT NOT NULL,
            lat REAL,
            lon REAL,
            answer TEXT,
            fetched_at TEXT,
            PRIMARY KEY (provider, query)
        );
        -- One row per merge of two agencies: enough to undo it (split).
        CREATE TABLE agency_merges (
            id INTEGER PRIMARY KEY,
            kept_id INTEGER NOT NULL REFERENCES agencies(id) ON DELETE CASCADE,
            merged_id INTEGER NOT NULL,
            merged_name TEXT,
            rule TEXT NOT NULL,
            score REAL,
            distance_m REAL,
            snapshot TEXT,
            moved TEXT,
            import_run_id INTEGER REFERENCES import_runs(id) ON DELETE SET NULL,
            status TEXT NOT NULL DEFAULT 'merged' CHECK (status IN ('merged', 'confirmed', 'split')),
            created_at TEXT
        );
        CREATE INDEX agency_merges_kept ON agency_merges(kept_id);
        -- A person's verdict on a pair, keyed by each agency's first source row,
        -- so re-imports respect it.
        CREATE TABLE dedup_decisions (
            a_key TEXT NOT NULL,
            b_key TEXT NOT NULL,
            decision TEXT NOT NULL CHECK (decision IN ('same', 'distinct')),
            decided_at TEXT,
            PRIMARY KEY (a_key, b_key)
        );
        CREATE INDEX agencies_placement ON agencies(placement);
        """
    )


SEARCH_CHANGE_LOG = [
    """CREATE TABLE IF NOT EXISTS search_changes (
           seq INTEGER PRIMARY KEY AUTOINCREMENT, agency_id INTEGER NOT NULL)""",
    """CREATE TRIGGER IF NOT EXISTS agencies_search_insert AFTER INSERT ON agencies
       BEGIN INSERT INTO search_changes (agency_id) VALUES (new.id); END""",
    """CREATE TRIGGER IF NOT EXISTS agencies_search_update AFTER UPDATE OF
           id, name, type, category, road_address, lot_address, sido, sigungu, eupmyeondong,
           lat, lon, placement, services, target_groups ON agencies
       BEGIN
           INSERT INTO search_changes (agency_id) VALUES (new.id);
           INSERT INTO search_changes (agency_id) SELECT old.id WHERE old.id <> new.id;
       END""",
    """CREATE TRIGGER IF NOT EXISTS agencies_search_delete AFTER DELETE ON agencies
       BEGIN INSERT INTO search_changes (agency_id) VALUES (old.id); END""",
    "INSERT OR IGNORE INTO meta (key, value) VALUES ('store_id', lower(hex(randomblob(8))))",
]


def _search_change_log(db: sqlite_utils.Database) -> None:
    """A log of changed agency ids, filled by triggers, that keeps the search index in step."""
    for statement in SEARCH_CHANGE_LOG:
        db.execute(statement)


def _session_version(db: sqlite_utils.Database) -> None:
    """A per-user session version: sign-out, a new password or deactivation bump it, ending old sessions."""
    db.execute("ALTER TABLE users ADD COLUMN session_version INTEGER NOT NULL DEFAULT 1")


def _raw_rows_mapped_only(db: sqlite_utils.Database) -> None:
    """Raw rows of earlier imports lose what imports no longer keep: unmapped columns, personal data.

    A generic list's run recorded its mapping (field -> header), so its
    source and quarantined rows keep those headers only. Rows of the other
    formats keep their columns but lose every value the personal-data
    detector refuses. SQLite's secure_delete overwrites the freed text
    instead of leaving it in free pages of the file.
    """
    mapped = {}
    for run_id, summary in db.execute("SELECT id, summary FROM import_runs"):
        try:
            mapping = json.loads(summary or "{}").get("mapping")
        except (ValueError, AttributeError):
            mapping = None
        if isinstance(mapping, dict) and mapping:
            mapped[run_id] = set(mapping.values())
    secure = db.execute("PRAGMA secure_delete").fetchone()[0]
    db.execute("PRAGMA secure_delete = ON")
    for table in ("agency_sources", "quarantine"):
        changed = []
        for row_id, run_id, raw in db.execute(f"SELECT id, import_run_id, raw FROM {table} WHERE raw IS NOT NULL"):
            try:
                data = json.loads(raw)
            except ValueError:
                data = None
            kept = _kept_raw(data, mapped.get(run_id)) if isinstance(data, dict) else {}
            if kept != data:
                changed.append((json.dumps(kept, ensure_ascii=False), row_id))
        db.conn.executemany(f"UPDATE {table} SET raw = ? WHERE id = ?", changed)
    db.execute(f"PRAGMA secure_delete = {int(secure)}")


def _kept_raw(data: dict, columns: set | None) -> dict:
    """The columns an import mapped (when known), else every value the detector lets through."""
    if columns is not None:
        return {k: v for k, v in data.items() if k in columns}
    kept = {}
    for key, value in data.items():
        if isinstance(value, dict):
            kept[key] = _kept_raw(value, None)
        elif not (isinstance(value, str) and find_personal_data(value)):
            kept[key] = value
    return kept


def _sites(db: sqlite_utils.Database) -> None:
    """Sites: a complex is a permanent rental complex or a supportive house (kind, 정원, provider); agreements (협약).

    A supportive house (지원주택) is a row of `complexes`, so it has the same
    links, contact log, gaps, maps and reports as a rental complex.
    `site_agreements` holds each house's operating agreements with the city:
    start, end, the agreement it renews, and the date of the city's notice
    (공고) from whose year the outcome indicators are counted.
    """
    # Idempotent: a test (or a hand-rewound store) may run it over a store that has it.
    have = {r[1] for r in db.execute("PRAGMA table_info(complexes)")}
    for column, definition in (
        ("kind", "TEXT NOT NULL DEFAULT 'permanent_rental' CHECK (kind IN ('permanent_rental', 'supportive'))"),
        ("capacity", "INTEGER"),
        ("provider_agency_id", "INTEGER REFERENCES agencies(id) ON DELETE SET NULL"),
        ("target_group", "TEXT"),
    ):
        if column not in have:
            db.execute(f"ALTER TABLE complexes ADD COLUMN {column} {definition}")
    db.executescript(
        """
        CREATE INDEX IF NOT EXISTS complexes_kind ON complexes(kind);
        CREATE TABLE IF NOT EXISTS site_agreements (
            id INTEGER PRIMARY KEY,
            site_id INTEGER NOT NULL REFERENCES complexes(id) ON DELETE CASCADE,
            starts TEXT NOT NULL,
            ends TEXT NOT NULL,
            renews_id INTEGER REFERENCES site_agreements(id) ON DELETE SET NULL,
            notice_date TEXT,
            note TEXT,
            version INTEGER NOT NULL DEFAULT 1,
            created_at TEXT,
            updated_at TEXT,
            CHECK (ends > starts)
        );
        CREATE INDEX IF NOT EXISTS site_agreements_site ON site_agreements(site_id, starts);
        """
    )


def _linkage(db: sqlite_utils.Database) -> None:
    """Linkage as the field lives it (issue 11): whose frequency counts, meetings with many agencies, programmes.

    ``links.frequency_basis`` is the team lead's choice for a link's level:
    ``auto`` (the contact log's level once the log covers the link's last 12
    months, else the level set by hand), ``log`` (기록으로 계산: the log is
    declared complete) or ``manual`` (직접 입력 유지). A contact event (a
    통합사례회의, a 지역사회보장협의체 meeting) names several complexes and
    agencies in ``contact_participants`` and adds one ``contacts`` row on each
    link it touches (``contacts.event_id``; ``contacts.kind`` the meeting
    kind's code from data/reference/meeting_kinds.csv). A programme
    (사업·프로그램) has a name, a period and members — complexes and agencies —
    each with a role code from data/reference/programme_roles.csv.
    """
    have = {r[1] for r in db.execute("PRAGMA table_info(links)")}
    if "frequency_basis" not in have:
        db.execute("ALTER TABLE links ADD COLUMN frequency_basis TEXT NOT NULL DEFAULT 'auto' "
                   "CHECK (frequency_basis IN ('auto', 'log', 'manual'))")
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS contact_events (
            id INTEGER PRIMARY KEY,
            event_date TEXT NOT NULL,
            content_type TEXT REFERENCES content_types(code),
            kind TEXT,
            note TEXT,
            created_by INTEGER,
            created_at TEXT
        );
        CREATE INDEX IF NOT EXISTS contact_events_date ON contact_events(event_date);
        CREATE TABLE IF NOT EXISTS contact_participants (
            id INTEGER PRIMARY KEY,
            event_id INTEGER NOT NULL REFERENCES contact_events(id) ON DELETE CASCADE,
            complex_id INTEGER REFERENCES complexes(id) ON DELETE CASCADE,
            agency_id INTEGER REFERENCES agencies(id) ON DELETE CASCADE,
            CHECK ((complex_id IS NULL) <> (agency_id IS NULL))
        );
        CREATE INDEX IF NOT EXISTS contact_participants_event ON contact_participants(event_id);
        CREATE INDEX IF NOT EXISTS contact_participants_complex ON contact_participants(complex_id);
        CREATE INDEX IF NOT EXISTS contact_participants_agency ON contact_participants(agency_id);

        CREATE TABLE IF NOT EXISTS programmes (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            starts TEXT,
            ends TEXT,
            description TEXT,
            version INTEGER NOT NULL DEFAULT 1,
            created_by INTEGER,
            created_at TEXT,
            updated_at TEXT,
            CHECK (ends IS NULL OR starts IS NULL OR ends >= starts)
        );
        CREATE TABLE IF NOT EXISTS programme_members (
            id INTEGER PRIMARY KEY,
            programme_id INTEGER NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
            complex_id INTEGER REFERENCES complexes(id) ON DELETE CASCADE,
            agency_id INTEGER REFERENCES agencies(id) ON DELETE CASCADE,
            role TEXT,
            CHECK ((complex_id IS NULL) <> (agency_id IS NULL))
        );
        CREATE UNIQUE INDEX IF NOT EXISTS programme_members_complex
            ON programme_members(programme_id, complex_id) WHERE complex_id IS NOT NULL;
        CREATE UNIQUE INDEX IF NOT EXISTS programme_members_agency
            ON programme_members(programme_id, agency_id) WHERE agency_id IS NOT NULL;
        CREATE INDEX IF NOT EXISTS programme_members_by_complex ON programme_members(complex_id);
        CREATE INDEX IF NOT EXISTS programme_members_by_agency ON programme_members(agency_id);
        """
    )
    have = {r[1] for r in db.execute("PRAGMA table_info(contacts)")}
    if "event_id" not in have:
        db.execute("ALTER TABLE contacts ADD COLUMN event_id INTEGER REFERENCES contact_events(id) ON DELETE CASCADE")
    if "kind" not in have:
        db.execute("ALTER TABLE contacts ADD COLUMN kind TEXT")
    db.execute("CREATE INDEX IF NOT EXISTS contacts_event ON contacts(event_id)")


def _outcomes(db: sqlite_utils.Database) -> None:
    """Supportive houses' outcome indicators (issue 13), as additive aggregates only: no resident rows.

    Keyed by site (``complexes.id``) and agreement: the 주거유지율 counts of one
    evaluation (A, B and exits by the manual's five kinds, A = B + C held by
    a CHECK); per calendar year the year's residents and the people who left
    for a week or more or were in a psychiatric hospital for three months or
    more; per wave (사전/사후) of the isolation scale N and the sum of the
    residents' item sums (Σ means × 6, an integer, so sums stay exact); per
    wave of AUDIT-K the residents per band and sex; the reasons the manual
    asks for. An agreement with any of these cannot be deleted (the sheets
    behind a wave are not kept, so its counts could not be entered again).
    """
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS outcome_retention (
            id INTEGER PRIMARY KEY,
            site_id INTEGER NOT NULL REFERENCES complexes(id) ON DELETE CASCADE,
            agreement_id INTEGER NOT NULL REFERENCES site_agreements(id),
            evaluation_month TEXT NOT NULL,
            total INTEGER NOT NULL CHECK (total >= 1),
            continuing INTEGER NOT NULL CHECK (continuing >= 0),
            exit_independent INTEGER NOT NULL DEFAULT 0 CHECK (exit_independent >= 0),
            exit_facility INTEGER NOT NULL DEFAULT 0 CHECK (exit_facility >= 0),
            exit_death INTEGER NOT NULL DEFAULT 0 CHECK (exit_death >= 0),
            exit_absconded INTEGER NOT NULL DEFAULT 0 CHECK (exit_absconded >= 0),
            exit_prison INTEGER NOT NULL DEFAULT 0 CHECK (exit_prison >= 0),
            version INTEGER NOT NULL DEFAULT 1,
            updated_at TEXT,
            UNIQUE (agreement_id, evaluation_month),
            CHECK (total = continuing + exit_independent + exit_facility + exit_death + exit_absconded + exit_prison)
        );
        CREATE TABLE IF NOT EXISTS outcome_years (
            id INTEGER PRIMARY KEY,
            site_id INTEGER NOT NULL REFERENCES complexes(id) ON DELETE CASCADE,
            agreement_id INTEGER NOT NULL REFERENCES site_agreements(id),
            year INTEGER NOT NULL,
            residents INTEGER NOT NULL CHECK (residents >= 0),
            departed INTEGER NOT NULL DEFAULT 0 CHECK (departed BETWEEN 0 AND residents),
            hospitalised INTEGER NOT NULL DEFAULT 0 CHECK (hospitalised BETWEEN 0 AND residents),
            version INTEGER NOT NULL DEFAULT 1,
            updated_at TEXT,
            UNIQUE (agreement_id, year)
        );
        CREATE TABLE IF NOT EXISTS outcome_isolation_waves (
            id INTEGER PRIMARY KEY,
            site_id INTEGER NOT NULL REFERENCES complexes(id) ON DELETE CASCADE,
            agreement_id INTEGER NOT NULL REFERENCES site_agreements(id),
            wave TEXT NOT NULL CHECK (wave IN ('pre', 'post')),
            n INTEGER NOT NULL DEFAULT 0 CHECK (n >= 0),
            item_sum INTEGER NOT NULL DEFAULT 0 CHECK (item_sum BETWEEN 0 AND 18 * n),
            updated_at TEXT,
            UNIQUE (agreement_id, wave)
        );
        CREATE TABLE IF NOT EXISTS outcome_audit_waves (
            id INTEGER PRIMARY KEY,
            site_id INTEGER NOT NULL REFERENCES complexes(id) ON DELETE CASCADE,
            agreement_id INTEGER NOT NULL REFERENCES site_agreements(id),
            wave TEXT NOT NULL CHECK (wave IN ('pre', 'post')),
            male_normal INTEGER NOT NULL DEFAULT 0 CHECK (male_normal >= 0),
            male_risk INTEGER NOT NULL DEFAULT 0 CHECK (male_risk >= 0),
            male_disorder INTEGER NOT NULL DEFAULT 0 CHECK (male_disorder >= 0),
            female_normal INTEGER NOT NULL DEFAULT 0 CHECK (female_normal >= 0),
            female_risk INTEGER NOT NULL DEFAULT 0 CHECK (female_risk >= 0),
            female_disorder INTEGER NOT NULL DEFAULT 0 CHECK (female_disorder >= 0),
            updated_at TEXT,
            UNIQUE (agreement_id, wave)
        );
        CREATE TABLE IF NOT EXISTS outcome_reasons (
            id INTEGER PRIMARY KEY,
            site_id INTEGER NOT NULL REFERENCES complexes(id) ON DELETE CASCADE,
            agreement_id INTEGER NOT NULL REFERENCES site_agreements(id),
            indicator TEXT NOT NULL CHECK (indicator IN ('retention', 'departure', 'hospital', 'social', 'drinking')),
            reason TEXT NOT NULL,
            version INTEGER NOT NULL DEFAULT 1,
            updated_at TEXT,
            UNIQUE (agreement_id, indicator)
        );
        CREATE INDEX IF NOT EXISTS outcome_retention_site ON outcome_retention(site_id);
        CREATE INDEX IF NOT EXISTS outcome_years_site ON outcome_years(site_id);
        CREATE INDEX IF NOT EXISTS outcome_isolation_waves_site ON outcome_isolation_waves(site_id);
        CREATE INDEX IF NOT EXISTS outcome_audit_waves_site ON outcome_audit_waves(site_id);
        CREATE INDEX IF NOT EXISTS outcome_reasons_site ON outcome_reasons(site_id);
        """
    )


def _screening_counts(db: sqlite_utils.Database) -> None:
    """Anonymous counts of screenings (issue 14): how many per complex, month and screener, nothing else.

    A worker may choose to count a 긴급복지 주거지원 screening for their
    complex; no answer, time of day or user is kept — one integer per
    (complex, month ``YYYY-MM``, screener code).
    """
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS screening_counts (
            complex_id INTEGER NOT NULL REFERENCES complexes(id) ON DELETE CASCADE,
            month TEXT NOT NULL CHECK (month GLOB '[12][0-9][0-9][0-9]-[01][0-9]'),
            screener TEXT NOT NULL,
            count INTEGER NOT NULL DEFAULT 0 CHECK (count >= 0),
            PRIMARY KEY (complex_id, month, screener)
        );
        """
    )


def _network_snapshots(db: sqlite_utils.Database) -> None:
    """Snapshots of a network (issue 11): a complex's, a district's or the whole store's links with their levels at a date.

    Names are copied and the ids carry no foreign key, so a snapshot still
    reads after an agency is renamed, merged or deleted: it is a record of
    what was, for the year-on-year comparison. No link note is kept.
    """
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS network_snapshots (
            id INTEGER PRIMARY KEY,
            scope TEXT NOT NULL CHECK (scope IN ('complex', 'district', 'all')),
            complex_id INTEGER REFERENCES complexes(id) ON DELETE CASCADE,
            sido TEXT,
            sigungu TEXT,
            taken_on TEXT NOT NULL CHECK (taken_on GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
            label TEXT,
            links INTEGER NOT NULL DEFAULT 0,
            created_at TEXT,
            CHECK ((scope = 'complex') = (complex_id IS NOT NULL)),
            CHECK (scope != 'district' OR sido IS NOT NULL)
        );
        CREATE INDEX IF NOT EXISTS network_snapshots_scope
            ON network_snapshots(scope, complex_id, sido, sigungu, taken_on);
        CREATE TABLE IF NOT EXISTS network_snapshot_links (
            snapshot_id INTEGER NOT NULL REFERENCES network_snapshots(id) ON DELETE CASCADE,
            complex_id INTEGER NOT NULL,
            agency_id INTEGER NOT NULL,
            complex_name TEXT NOT NULL,
            agency_name TEXT NOT NULL,
            agency_type TEXT,
            category TEXT,
            level INTEGER,
            content_types TEXT NOT NULL DEFAULT '[]',
            depth TEXT,
            PRIMARY KEY (snapshot_id, complex_id, agency_id)
        ) WITHOUT ROWID;
        """
    )


MIGRATIONS = [_v1_core, _accounts_audit, _placement_dedup, _search_change_log, _session_version,
              _raw_rows_mapped_only, _sites, _linkage, _outcomes,
              _screening_counts, _network_snapshots]
SCHEMA_VERSION = len(MIGRATIONS)


def current_version(db: sqlite_utils.Database) -> int:
    """The schema version a store is at (0 for an empty file)."""
    if "meta" not in db.table_names():
        return 0
    row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def migrate(db: sqlite_utils.Database) -> int:
    """Apply every migration the store lacks; returns the new version."""
    version = current_version(db)
    if version > SCHEMA_VERSION:
        raise StoreError("newer_store", version=version)
    for number in range(version + 1, SCHEMA_VERSION + 1):
        with db.conn:
            MIGRATIONS[number - 1](db)
            db["meta"].upsert({"key": "schema_version", "value": str(number)}, pk="key")
    refresh_reference(db)
    refresh_address_keys(db)
    return SCHEMA_VERSION


def refresh_address_keys(db: sqlite_utils.Database) -> int:
    """Recompute agencies' address keys when normalize.address_key changed; returns the rows changed.

    The key decides whether a re-imported row is the same agency at the same
    place: a store keyed by an older rule would take a list's next edition
    for new agencies.
    """
    from .normalize import ADDRESS_KEY_VERSION, address_key

    row = db.execute("SELECT value FROM meta WHERE key = 'address_key_version'").fetchone()
    if row and row[0] == str(ADDRESS_KEY_VERSION):
        return 0
    changed = 0
    with db.conn:
        rows = db.execute("SELECT id, address_key, coalesce(road_address, lot_address) FROM agencies").fetchall()
        for agency_id, old, address in rows:
            new = address_key(address) or None
            if new != (old or None):
                db.execute("UPDATE agencies SET address_key = ? WHERE id = ?", [new, agency_id])
                changed += 1
        db["meta"].upsert({"key": "address_key_version", "value": str(ADDRESS_KEY_VERSION)}, pk="key")
    return changed


def _reference_digest() -> str:
    """A digest of the reference files seed_reference reads.

    Every connection migrates (a web request without pooled connections
    opens one), so the files are read again only when one's stat changed.
    """
    stats = []
    for name in REFERENCE_FILES:
        info = (REFERENCE_DIR / name).stat()
        stats.append((str(REFERENCE_DIR / name), info.st_mtime_ns, info.st_size))
    return _digest_of(tuple(stats))


@functools.lru_cache(maxsize=8)
def _digest_of(stats: tuple) -> str:
    digest = hashlib.sha256()
    for path, _mtime, _size in stats:
        digest.update(Path(path).name.encode())
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()


def refresh_reference(db: sqlite_utils.Database) -> bool:
    """Re-seed the taxonomy when data/reference changed since the store last read it.

    New agency types and aliases then reach stores made by an older release
    without a migration per added row. Types are never deleted (agencies may
    carry them); aliases follow the file exactly.
    """
    digest = _reference_digest()
    row = db.execute("SELECT value FROM meta WHERE key = 'reference_digest'").fetchone()
    if row and row[0] == digest:
        return False
    with db.conn:
        db.execute("DELETE FROM type_aliases")
        seed_reference(db)
        db["meta"].upsert({"key": "reference_digest", "value": digest}, pk="key")
    return True
