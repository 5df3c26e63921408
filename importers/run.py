"""One import run: a transaction, a quarantine, and the writes of agencies and links.

Everything an import writes happens inside one SQLite transaction, with raw
SQL (sqlite-utils' table methods commit on their own, which would break the
all-or-nothing promise). A bad row is quarantined with its row number, column
and reason; the good rows go in; an unexpected error rolls everything back.

Source rows (``agency_sources.raw``, and quarantined rows) keep only the
columns the importer mapped (:meth:`ImportRun.keep_columns`). A list's other
columns (비고, 담당자) are never stored: their values go through the
personal-data detector only so that the report can say which columns were
dropped and why.

The run's audit entry ("import" on ``import_runs``, the summary as "after")
commits with the rows, in the same transaction; it names the actor
:func:`importers.import_file` was given (:data:`IMPORT_ACTOR`).
"""
from __future__ import annotations

import json
from contextvars import ContextVar
from dataclasses import dataclass, field

from directory import audit
from directory.errors import YeongyeError

from directory.normalize import (address_key, clean_text, fix_typos, name_key, normalize_homepage, normalize_phone,
                                 normalize_postcode, parse_address, phone_restored, place_from_names,
                                 sido_from_label)
from directory.regions import region_index
from directory.privacy import find_personal_data
from directory.store import now, taxonomy
from directory.vocabulary import DECLARABLE

from .common import AGENCY_COLUMNS, SAME_PLACE_METRES, distance_m
from .coords import CoordinateError, CoordinateNotANumber, read_coordinates
from .imports import QUARANTINE_COLUMN, resolve_quarantined
from .naming import CENTRE_TYPES, centre_level, centre_name, is_place_name, is_plain_name, local_key

__all__ = ["RowError", "ImportSummary", "ImportRun", "IMPORT_ACTOR", "KNOWN_PLACEMENTS", "MAX_NAME_LENGTH"]

# Who runs the import, for its audit entry. A context variable rather than a
# parameter: `import_file` sets it once, and every format's importer (standard,
# tabular, study, HSDS) opens its ImportRun without passing it along. None is
# the program itself ("system"). Per thread, so background imports keep theirs.
IMPORT_ACTOR: ContextVar = ContextVar("import_actor", default=None)

# SQLite page cache during an import, in KiB (see ImportRun.__enter__).
IMPORT_CACHE_KIB = 16384
# The longest real agency name in the public lists is under 60 characters.
MAX_NAME_LENGTH = 200


class RowError(YeongyeError):
    """A row cannot be imported; carries the column at fault, then its code and parameters.

    The row is quarantined with ``str(err)``, the Korean sentence: the
    quarantine table stores the reason as text, and the report shows it.
    """

    code = "row_error"

    def __init__(self, column: str | None, code: str | None = None, /, **params):
        super().__init__(code, **params)
        self.column = column


@dataclass
class ImportSummary:
    """Counts and quarantined rows of one run, as the CLI and web show them."""

    run_id: int | None = None
    source: str = ""
    dataset: str = ""
    encoding: str = ""
    rows: int = 0
    imported: int = 0
    updated: int = 0
    merged: int = 0
    unchanged: int = 0
    quarantined: int = 0
    extra: dict = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        """Plain dict for JSON output."""
        return {
            "run_id": self.run_id, "source": self.source, "dataset": self.dataset,
            "encoding": self.encoding, "rows": self.rows, "imported": self.imported,
            "updated": self.updated, "merged": self.merged, "unchanged": self.unchanged,
            "quarantined": self.quarantined, **self.extra, "errors": self.errors,
        }


class ImportRun:
    """Context manager for one import: `with ImportRun(db, ...) as run: run.add_agency(...)`."""

    def __init__(self, db, *, source: str, dataset: str, file_name: str = "", file_hash: str = "", encoding: str = ""):
        self.db = db
        self.conn = db.conn
        self.taxonomy = taxonomy(db)
        self.summary = ImportSummary(source=source, dataset=dataset, encoding=encoding)
        self._meta = {"file_name": file_name, "file_hash": file_hash}
        self._keys_seen: dict[str, int] = {}
        # agency id -> did a row of this run give it coordinates of its own?
        self.touched: dict[int, bool] = {}
        self.new_ids: set[int] = set()
        self._renamed_ids: set[int] = set()  # agencies whose row was named here (importers.naming)
        # The raw-row columns kept (None: all, for formats without free columns)
        # and, per dropped column, the rows where it held personal data.
        self._kept: frozenset | None = None
        self._dropped: dict[str, dict] = {}

    def __enter__(self) -> "ImportRun":
        if self.conn.in_transaction:
            self.conn.commit()
        self.conn.execute("BEGIN IMMEDIATE")
        # A national list's indexes outgrow SQLite's 2 MB default page cache;
        # 16 MB makes a 100,000-row import a quarter faster. Restored on exit.
        self._cache_size = self.conn.execute("PRAGMA cache_size").fetchone()[0]
        page_size = self.conn.execute("PRAGMA page_size").fetchone()[0]
        kib = -self._cache_size if self._cache_size < 0 else self._cache_size * page_size // 1024
        if kib < IMPORT_CACHE_KIB:
            self.conn.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
        cur = self.conn.execute(
            "INSERT INTO import_runs (source, dataset, file_name, file_hash, encoding, started_at, status) "
            "VALUES (?, ?, ?, ?, ?, ?, 'running')",
            [self.summary.source, self.summary.dataset, self._meta["file_name"], self._meta["file_hash"],
             self.summary.encoding, now()],
        )
        self.summary.run_id = cur.lastrowid
        # One query each instead of one per row: the source keys this source
        # already has, and its agencies by name (a row whose name this list
        # does not hold yet cannot be a duplicate, so needs no lookup).
        self._source_keys: dict[str, int] = dict(self.conn.execute(
            "SELECT source_key, agency_id FROM agency_sources WHERE source = ?", [self.summary.source]))
        # A national list repeats names (시장경로당 in a hundred 시군구): the
        # 시도 and 시군구 each agency had when last seen let find_same_agency
        # skip the far ones without reading them; agencies this run has
        # written since ("_changed") are always read afresh.
        self._names: dict[str, list[int]] = {}
        self._places: dict[int, tuple] = {}
        self._changed: set[int] = set()
        for key, agency_id, sido, sigungu in self.conn.execute(
            "SELECT a.name_key, a.id, a.sido, a.sigungu FROM agencies a JOIN (SELECT DISTINCT agency_id "
            "FROM agency_sources WHERE source = ?) s ON s.agency_id = a.id ORDER BY a.id", [self.summary.source]
        ):
            self._names.setdefault(local_key(key, sido), []).append(agency_id)
            self._places[agency_id] = (sido, sigungu)
        return self

    def _remember(self, row: dict, agency_id: int, *, inserted: bool = False) -> None:
        """Note that this list now holds the agency under the row's name (and where it is)."""
        ids = self._names.setdefault(local_key(row["name_key"], row["sido"]), [])
        if agency_id not in ids:
            ids.append(agency_id)
        if inserted:
            self._places[agency_id] = (row["sido"], row["sigungu"])
        else:
            self._changed.add(agency_id)

    def __exit__(self, exc_type, exc, tb) -> bool:
        self.conn.execute(f"PRAGMA cache_size = {int(self._cache_size)}")
        if exc_type is not None:
            self.conn.rollback()
            self.summary.run_id = None
            return False
        self._report_dropped()
        s = self.summary
        self.conn.execute(
            "UPDATE import_runs SET finished_at=?, status='done', rows=?, imported=?, updated=?, merged=?, "
            "unchanged=?, quarantined=?, summary=? WHERE id=?",
            [now(), s.rows, s.imported, s.updated, s.merged, s.unchanged, s.quarantined,
             json.dumps(s.as_dict(), ensure_ascii=False), s.run_id],
        )
        audit.record(self.db, IMPORT_ACTOR.get(), "import", "import_runs", s.run_id, None,
                     {k: v for k, v in s.as_dict().items() if k != "errors"})
        self.conn.commit()
        return False

    # --- the columns of raw rows ----------------------------------------

    def keep_columns(self, columns) -> None:
        """Store only these columns of each raw row (the ones the import mapped); the rest are screened and dropped."""
        self._kept = frozenset(columns) | {QUARANTINE_COLUMN}

    def _screen(self, raw: dict) -> dict:
        """The raw row with only the kept columns; a dropped value with personal data is counted, not kept."""
        if self._kept is None:
            return raw
        kept = {}
        for column, value in raw.items():
            if column in self._kept:
                kept[column] = value
                continue
            seen = self._dropped.get(column)
            if seen is None:
                seen = self._dropped[column] = {"rows": 0, "kinds": set()}
            findings = find_personal_data(value) if isinstance(value, str) and value else ()
            if findings:
                seen["rows"] += 1
                seen["kinds"].update(f.kind for f in findings)
        return kept

    def _report_dropped(self) -> None:
        """Name the dropped columns in the summary, and why; personal data in one is also a warning."""
        if not self._dropped:
            return
        report = []
        for column, seen in self._dropped.items():
            if seen["rows"]:
                note = f"{column}: 개인정보로 보이는 값 {seen['rows']:,}행 — 저장하지 않음"
                report.append({"column": column, "reason": "personal_data", "rows": seen["rows"],
                               "kinds": sorted(seen["kinds"]), "note": note})
                self.summary.extra.setdefault("warnings", []).append(note)
            else:
                report.append({"column": column, "reason": "unmapped", "note": f"{column}: 대응하지 않은 열 — 저장하지 않음"})
        self.summary.extra["dropped_columns"] = report

    # --- quarantine -----------------------------------------------------

    def quarantine(self, row_number: int, column: str | None, reason: str, raw: dict, *, screened: bool = False) -> None:
        """Set a bad row aside with where and why; it is never silently dropped (only its unmapped columns)."""
        if not screened:
            raw = self._screen(raw)
        self.summary.quarantined += 1
        self.summary.errors.append({"row": row_number, "column": column, "message": reason})
        self.conn.execute(
            'INSERT INTO quarantine (import_run_id, source, row_number, "column", reason, raw) VALUES (?,?,?,?,?,?)',
            [self.summary.run_id, self.summary.source, row_number, column, reason,
             json.dumps(raw, ensure_ascii=False)],
        )

    # --- agencies -------------------------------------------------------

    def add_agency(self, fields: dict, *, source_key: str, row_number: int, raw: dict) -> int | None:
        """Normalise, validate and upsert one agency row; quarantines it on a RowError.

        Returns the agency id, or None when the row was quarantined.
        """
        self.summary.rows += 1
        raw = self._screen(raw)
        try:
            row = self.normalise_agency(fields)
        except RowError as err:
            self.quarantine(row_number, err.column, str(err), raw, screened=True)
            return None
        self._tally(row)
        # A file may repeat a row under the same key (화성시치매안심센터 six
        # times): number the repeats so each source row is kept, stably.
        seen = self._keys_seen.get(source_key, 0)
        self._keys_seen[source_key] = seen + 1
        if seen:
            source_key = f"{source_key}#{seen + 1}"
        row["source"] = self.summary.source
        row["source_key"] = source_key
        agency_id = self._upsert_agency(row, source_key=source_key, row_number=row_number, raw=raw)
        self.touched[agency_id] = self.touched.get(agency_id, False) or row["lat"] is not None
        if row.get("_renamed"):
            self._renamed_ids.add(agency_id)
        if QUARANTINE_COLUMN in raw:
            resolve_quarantined(self.conn, raw)
        return agency_id

    def _tally(self, row: dict) -> None:
        """Count, for the report, the phones restored or left unread, the names given and the 시군구-only rows."""
        extra = self.summary.extra
        if row["phone_raw"]:
            if row["phone"] is None:
                phones = extra.setdefault("phones", {})
                phones["unreadable"] = phones.get("unreadable", 0) + 1
            elif phone_restored(row["phone_raw"], row["phone"]):
                phones = extra.setdefault("phones", {})
                phones["restored"] = phones.get("restored", 0) + 1
        why = row.get("_renamed")
        if why:
            renamed = extra.setdefault("renamed", {})
            renamed[why] = renamed.get(why, 0) + 1
        if not row["road_address"] and not row["lot_address"] and row["lat"] is None and row["sigungu"]:
            extra["no_address"] = extra.get("no_address", 0) + 1

    def normalise_agency(self, fields: dict) -> dict:
        """Turn mapped raw fields into a store row; raises RowError for a bad value."""
        name = clean_text(fields.get("name"))
        if not name:
            raise RowError("name", "agency_name_empty")
        if len(name) > MAX_NAME_LENGTH:
            # A whole paragraph in the name column is a shifted or broken row, not a name.
            raise RowError("name", "agency_name_too_long", length=len(name), limit=MAX_NAME_LENGTH)
        road = fix_typos(clean_text(fields.get("road_address")))
        lot = fix_typos(clean_text(fields.get("lot_address")))
        address = road or lot
        sido_raw = fix_typos(clean_text(fields.get("sido")))
        # The list's 시도 column (서울특별시, 경기남부청) places an address that
        # starts at the 시군구 or 읍면동 (성남시 …, 봉담읍 …, 서구 …).
        hint = sido_from_label(sido_raw) if sido_raw else None
        parsed = parse_address(road, hint) if road else {}
        keys = ("sido", "sigungu", "eupmyeondong", "region_code")
        # The lot address only fills what the road address left unknown.
        lot_parsed = parse_address(lot, hint) if lot and not all(parsed.get(k) for k in keys) else {}
        region = {k: parsed.get(k) or lot_parsed.get(k) for k in keys}
        if not region["sido"] and hint:
            region["sido"] = hint
        if not region["sigungu"] and fields.get("sigungu") and region["sido"] and \
                (not hint or region["sido"] == hint):
            region["sigungu"] = _sigungu_name(region["sido"], clean_text(fields.get("sigungu")))
        if not region["sigungu"] and region["sido"] and (fields.get("operator") or address):
            # 인천광역시 먼우금로 45번길 5 (동춘지구대, 인천연수경찰서): the station or the unit names the place.
            found = place_from_names(region["sido"], fields.get("operator"), fields.get("name"))
            if found:
                region.update({k: v for k, v in found.items() if v})
        if not region["eupmyeondong"] and fields.get("eupmyeondong") and region["sigungu"]:
            region["eupmyeondong"] = clean_text(fields.get("eupmyeondong"))
        if not region["region_code"] and clean_text(fields.get("region_code")):
            region["region_code"] = clean_text(fields.get("region_code"))
        lat, lon = self._coordinates(fields)
        type_raw = clean_text(fields.get("type"))
        agency_type = self.taxonomy.infer_type(name, fields.get("_type_hint") or type_raw)
        operator = clean_text(fields.get("operator"))
        # A centre named by its operator, its place or its type alone gets its own name (importers.naming).
        name, operator, renamed = centre_name(name, operator, agency_type, type_raw, region["sido"],
                                              region["sigungu"], self.taxonomy.infer_type)
        phone_raw = clean_text(fields.get("phone"))
        capacity = fields.get("capacity")
        if isinstance(capacity, str):
            text = (clean_text(capacity) or "").replace(",", "").removesuffix("명")
            try:
                capacity = float(text) if text else None
            except ValueError:
                raise RowError("capacity", "capacity_not_a_number", value=capacity) from None
        return {
            "name": name,
            "name_key": name_key(name),
            "type": agency_type,
            "type_raw": type_raw,
            "category": self.taxonomy.category_of(agency_type) or clean_text(fields.get("category")),
            "road_address": road,
            "lot_address": lot,
            "address_key": address_key(address),
            "sido_raw": sido_raw or (address.split()[0] if address else None),
            **region,
            "postcode": normalize_postcode(fields.get("postcode")),
            "lat": lat,
            "lon": lon,
            "placement": fields.get("_placement") if fields.get("_placement") in KNOWN_PLACEMENTS and lat is not None
            else ("exact" if lat is not None else "unplaced"),
            "phone": normalize_phone(phone_raw),
            "phone_raw": phone_raw,
            "homepage": normalize_homepage(fields.get("homepage")),
            "operator": operator,
            "services": clean_text(fields.get("services")),
            "target_groups": clean_text(fields.get("target_groups")),
            "hours": clean_text(fields.get("hours")),
            "capacity": capacity,
            "verified_date": clean_text(fields.get("verified_date")),
            "_renamed": renamed,
        }

    def _coordinates(self, fields: dict) -> tuple[float | None, float | None]:
        lat_raw, lon_raw = clean_text(fields.get("lat")), clean_text(fields.get("lon"))
        if not lat_raw and not lon_raw:
            return None, None
        try:  # "37,65" is degrees with a decimal comma, "1,944,000" metres (coords.read_coordinates)
            lat, lon, note = read_coordinates(lat_raw, lon_raw, crs=fields.get("_crs"))
        except CoordinateNotANumber as exc:
            raise RowError(exc.column, exc.code, **exc.params) from None
        except CoordinateError as exc:
            raise RowError("lat", exc.code, **exc.params) from None
        if note:
            # Swapped or projected coordinates are fixed, and counted so the
            # report says so.
            notes = self.summary.extra.setdefault("coordinates", {})
            notes[note] = notes.get(note, 0) + 1
        return lat, lon

    def _upsert_agency(self, row: dict, *, source_key: str, row_number: int, raw: dict) -> int:
        conn, stamp = self.conn, now()
        if row["source"] == self.summary.source:
            known = self._source_keys.get(source_key)
            hit = (known,) if known is not None else None
        else:
            hit = conn.execute(
                "SELECT agency_id FROM agency_sources WHERE source = ? AND source_key = ?",
                [row["source"], source_key],
            ).fetchone()
        raw_json = json.dumps(raw, ensure_ascii=False)
        if hit:
            agency_id = hit[0]
            self._remember(row, agency_id)
            # Only the agency's first source overwrites; a merged second source
            # fills blanks, so re-importing either list changes nothing.
            primary = conn.execute(
                "SELECT source = ? AND source_key = ? FROM agencies WHERE id = ?",
                [row["source"], source_key, agency_id],
            ).fetchone()[0]
            changed = self._update_agency(agency_id, row, stamp) if primary else self._fill_agency(agency_id, row, stamp)
            if changed:
                self.summary.updated += 1
            else:
                self.summary.unchanged += 1
            # The source row keeps the run that last changed it: re-importing
            # the same file rewrites nothing (and a national list's re-import
            # no longer writes 100 MB of identical rows).
            conn.execute(
                "UPDATE agency_sources SET raw=?, row_number=?, import_run_id=?, imported_at=? "
                "WHERE source=? AND source_key=? AND (raw IS NOT ? OR row_number IS NOT ?)",
                [raw_json, row_number, self.summary.run_id, stamp, row["source"], source_key, raw_json, row_number],
            )
            return agency_id
        agency_id = self.find_same_agency(row)
        inserted = agency_id is None
        if agency_id is not None:
            self._fill_agency(agency_id, row, stamp)
            self.summary.merged += 1
        else:
            cols = [*AGENCY_COLUMNS, "created_at", "updated_at"]
            values = [row.get(c) for c in AGENCY_COLUMNS] + [stamp, stamp]
            cur = conn.execute(
                f"INSERT INTO agencies ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", values
            )
            agency_id = cur.lastrowid
            self.new_ids.add(agency_id)
            self.summary.imported += 1
        conn.execute(
            "INSERT INTO agency_sources (agency_id, source, source_key, row_number, raw, import_run_id, imported_at) "
            "VALUES (?,?,?,?,?,?,?)",
            [agency_id, row["source"], source_key, row_number, raw_json, self.summary.run_id, stamp],
        )
        if row["source"] == self.summary.source:
            self._source_keys[source_key] = agency_id
            self._remember(row, agency_id, inserted=inserted)
        return agency_id

    def find_same_agency(self, row: dict) -> int | None:
        """An existing agency that is this one: same name and same address or place.

        Two rows merely sharing a name (동구치매안심센터 in 광주 and 대전) or an
        operator stay apart; without an address or coordinates nothing merges.
        """
        # Only agencies this list already holds: a match in another list is a
        # cross-list duplicate, merged (and logged for review) by importers.dedup.
        in_run = hasattr(self, "_names") and row["source"] == self.summary.source
        twice = self._centre_twice(row) if in_run else None
        if twice is not None:
            return twice
        if in_run:
            # The run knows this list's agencies by name and place: read only those that may match.
            # (대전광역시 대덕구 치매안심센터 is 대덕구치매안심센터 of 대전: see naming.local_key)
            ids = [i for i in self._names.get(local_key(row["name_key"], row["sido"]), ())
                   if i in self._changed or _same_region(self._places.get(i), row)]
            if not ids:
                return None
        if in_run and len(ids) < 500:
            candidates = self.conn.execute(
                f"SELECT id, address_key, lat, lon, sido, sigungu FROM agencies WHERE id IN ({', '.join('?' * len(ids))}) "
                "ORDER BY id", ids,
            ).fetchall()
        else:
            candidates = self.conn.execute(
                "SELECT id, address_key, lat, lon, sido, sigungu FROM agencies WHERE name_key = ? "
                "AND id IN (SELECT agency_id FROM agency_sources WHERE source = ?) ORDER BY id",
                [row["name_key"], row["source"]],
            ).fetchall()
        for agency_id, key, lat, lon, sido, sigungu in candidates:
            if row["sido"] and sido and row["sido"] != sido:
                continue
            if row["sigungu"] and sigungu and row["sigungu"] != sigungu:
                continue
            if row["address_key"] and key == row["address_key"]:
                return agency_id
            if None not in (lat, lon, row["lat"], row["lon"]):
                if distance_m(lat, lon, row["lat"], row["lon"]) <= SAME_PLACE_METRES and _same_road(key, row["address_key"]):
                    return agency_id
        return None

    def _centre_twice(self, row: dict) -> int | None:
        """A centre this list already holds in the same 시군구 once by its operator's name, once by its own.

        The 국립정신건강센터 list has 경북대학교 간호과학연구소 and 구미시
        정신건강복지센터, both 기초정신건강복지센터 of 구미시 at two addresses:
        the first was named from its place (importers.naming), and a row
        named only by its place and type is the same centre. A centre with a
        name of its own (수원시아동청소년정신건강복지센터) never joins one.
        """
        if row["type"] not in CENTRE_TYPES or not row["sigungu"]:
            return None
        plain = is_plain_name(row["name"], row["type"], row["sido"], row["sigungu"], row["type_raw"])
        if not plain:
            return None
        for agency_id, (sido, sigungu) in self._places.items():
            if (sido, sigungu) != (row["sido"], row["sigungu"]):
                continue
            if not row.get("_renamed") and agency_id not in self._renamed_ids:
                continue
            found = self.conn.execute("SELECT name, type, type_raw FROM agencies WHERE id = ?", [agency_id]).fetchone()
            if found is not None and found[1] == row["type"]:
                if is_plain_name(found[0], found[1], sido, sigungu, found[2]) and \
                        centre_level(found[0], found[2]) == centre_level(row["name"], row["type_raw"]):
                    return agency_id
        return None

    def _update_agency(self, agency_id: int, row: dict, stamp: str) -> bool:
        """Overwrite the agency's fields from its own source row; True if anything changed."""
        current = self.conn.execute(
            f"SELECT {', '.join(AGENCY_COLUMNS)} FROM agencies WHERE id = ?", [agency_id]
        ).fetchone()
        changes = {c: row.get(c) for c, old in zip(AGENCY_COLUMNS, current)
                   if c not in ("source", "source_key", "placement") and row.get(c) is not None and row.get(c) != old}
        stored = dict(zip(AGENCY_COLUMNS, current))
        if "name" in changes and (
                is_place_name(row["name"], row["type"], row["sido"], row["sigungu"], row["type_raw"])
                or stored["operator"] == row["name"]):
            # The centre's own name from another list (a merge) or from its place found later
            # (pipeline.name_placed_centres) is not undone by the operator's name again.
            for column in ("name", "name_key", "operator"):
                changes.pop(column, None)
        if not changes:
            return False
        sets = ", ".join(f"{c} = ?" for c in changes)
        self.conn.execute(f"UPDATE agencies SET {sets}, updated_at = ? WHERE id = ?", [*changes.values(), stamp, agency_id])
        return True

    def _fill_agency(self, agency_id: int, row: dict, stamp: str) -> bool:
        """A second source of the same agency fills only what the first left empty."""
        current = self.conn.execute(
            f"SELECT {', '.join(AGENCY_COLUMNS)} FROM agencies WHERE id = ?", [agency_id]
        ).fetchone()
        changes = {c: row[c] for c, old in zip(AGENCY_COLUMNS, current)
                   if old in (None, "", "unplaced") and row.get(c) not in (None, "", "unplaced")}
        if changes:
            sets = ", ".join(f"{c} = ?" for c in changes)
            self.conn.execute(f"UPDATE agencies SET {sets}, updated_at = ? WHERE id = ?", [*changes.values(), stamp, agency_id])
        return bool(changes)


KNOWN_PLACEMENTS = DECLARABLE  # what a list may say of its own coordinates (HSDS)


def _same_region(place: tuple | None, row: dict) -> bool:
    """An agency last seen at `place` (시도, 시군구) may be the row's: the test of find_same_agency."""
    if place is None:
        return True
    sido, sigungu = place
    if row["sido"] and sido and row["sido"] != sido:
        return False
    return not (row["sigungu"] and sigungu and row["sigungu"] != sigungu)


def _sigungu_name(sido: str, text: str | None) -> str | None:
    """A 시군구 column's value as the region table spells it (수원시장안구 -> 수원시 장안구), else as written.

    A placeholder such as ``*광역수행기관`` (a 시도-wide lead agency) is not a 시군구.
    """
    if not text:
        return None
    found = region_index().sigungu.get(sido, {}).get("".join(text.split()))
    if found is not None:
        return found.sigungu
    return None if not any("가" <= ch <= "힣" for ch in text) or text.startswith("*") else text


def _same_road(key_a: str | None, key_b: str | None) -> bool:
    """Two address keys on the same road (or one of them unknown)."""
    if not key_a or not key_b:
        return True
    road = lambda k: k.rsplit("|", 1)[-1].rstrip("0123456789-")  # noqa: E731
    return road(key_a) == road(key_b)
