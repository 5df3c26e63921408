"""A supportive house's outcome indicators in the store: counts, scored sheets as aggregates, reasons.

The store keeps only what the manual's formulas add up (schema 9): per
agreement, the 주거유지율 counts of an evaluation, per calendar year the
residents and the people who left or were in hospital, per wave (사전/사후)
of the isolation scale N and Σ of the residents' item sums, per wave of
AUDIT-K the residents per band and sex, and the reasons the manual asks for.
The formulas themselves are :mod:`directory.indicators`.

**Sheets leave nothing behind.** :func:`record_sheets` scores each sheet in
memory and adds it to its wave's aggregate; the answers, the resident's sex
and score are not written anywhere — the audit entry says only that so many
sheets were added to (or withdrawn from) which wave. Withdrawing a sheet
(a resident who left before the base month, whose scores the manual
excludes) is entering the same sheet again with ``withdraw=True``: its
score is subtracted. A withdrawal that would take a count below zero, or
leave a sum no set of sheets could make, is refused; one that matches the
aggregate but not the sheet first entered cannot be told apart, which is
the price of keeping no sheet.

Writes take the acting ``actor`` like :mod:`directory.sites`: the house's
코디네이터 and 수퍼바이저 (or an administrator) write, and each write records
one audit entry in its transaction; the city's evaluator and the house's
staff read (:func:`directory.sites.can_read_site`). Only the current
agreement counts, and only once the city's notice applied the indicators.
"""
from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal

from . import audit, privacy, sites
from . import indicators as ind
from .actors import PermissionDenied, require_complex_edit
from .errors import StoreError
from .store import now

__all__ = [
    "OutcomeError", "ReasonPersonalData", "INSTRUMENTS", "INSTRUMENT_LABELS", "WAVES", "WAVE_LABELS",
    "record_retention", "record_year", "record_sheet", "record_sheets", "read_sheets", "decode_sheet_file",
    "set_reason", "house_outcomes", "as_plain", "find_house",
]

INSTRUMENTS = ("isolation", "audit")
INSTRUMENT_LABELS = {"isolation": "외로움과 사회적 고립 척도", "audit": "AUDIT-K"}
WAVES = ("pre", "post")
WAVE_LABELS = {"pre": "사전", "post": "사후"}
_WAVE_TABLES = {"isolation": "outcome_isolation_waves", "audit": "outcome_audit_waves"}
_BAND_COLUMNS = tuple(f"{sex}_{band}" for sex in ind.SEXES for band in ind.BANDS)
MAX_REASON = 2000
MAX_SHEETS = 1000  # a house has at most a few dozen residents: more rows is the wrong file


class OutcomeError(StoreError):
    """Outcome counts, sheets or reasons that cannot be recorded as given; `code` says why."""

    code = "outcome_error"


class ReasonPersonalData(OutcomeError, privacy.PersonalDataError):
    """A reason's text looks like it holds a resident's personal data (`kind` says what)."""

    code = "personal_data"


# --- writes -----------------------------------------------------------------------


def record_retention(db, site_id: int, evaluation_month, *, total, continuing, exits=None, exited=None,
                     agreement_id: int | None = None, expected_version: int | None = None, actor=None) -> dict:
    """Record the 주거유지율 counts (A, B, exits by kind) for the evaluation in `evaluation_month`
    (YYYY-MM; counted to the end of the month before); replaces that evaluation's counts; audited.

    The counts are checked by :func:`directory.indicators.housing_retention`
    (A = B + C, B within the house's 정원).
    """
    actor = require_complex_edit(actor, site_id)
    month = _month(evaluation_month)
    with db.conn:
        site, agreement, _ = _context(db, site_id, agreement_id)
        result = ind.housing_retention(total, continuing, exits, exited=exited, capacity=site.get("capacity"))
        _check_base(agreement, month)
        values = {"total": result.total, "continuing": result.continuing,
                  **{f"exit_{kind}": result.exits[kind] for kind in ind.EXIT_KINDS}}
        return _upsert(db, actor, "outcome_retention", {"site_id": site["id"], "agreement_id": agreement["id"],
                                                        "evaluation_month": month.strftime("%Y-%m")},
                       values, expected_version)


def record_year(db, site_id: int, year, *, residents, departed=0, hospitalised=0, agreement_id: int | None = None,
                expected_version: int | None = None, actor=None) -> dict:
    """Record one calendar year's 총 입주민 규모 (A), 1주일 이상 주거이탈 실인원 and 3개월 이상 정신병원
    입원 실인원; replaces that year's counts; audited.

    The year must fall in the agreement and not before the notice's year
    (the manual counts from the year of the city's notice) nor in the future.
    """
    actor = require_complex_edit(actor, site_id)
    number = _year(year)
    with db.conn:
        site, agreement, apply_from = _context(db, site_id, agreement_id)
        ind.yearly_rates([(number, residents, departed)], indicator="departure")
        ind.yearly_rates([(number, residents, hospitalised)], indicator="hospital")
        starts = date.fromisoformat(agreement["starts"])
        last = date.fromisoformat(agreement["ends"]) - timedelta(days=1)
        if not starts.year <= number <= last.year:
            raise OutcomeError("year_outside_agreement", year=number, starts=agreement["starts"],
                               ends=agreement["ends"])
        if number < apply_from.year:
            raise OutcomeError("year_before_notice", year=number, notice=agreement["notice_date"],
                               first=apply_from.year)
        if number > date.today().year:
            raise OutcomeError("year_in_future", year=number)
        values = {key: ind.head_count(value, ind.COUNT_LABELS["total" if key == "residents" else key])
                  for key, value in (("residents", residents), ("departed", departed),
                                     ("hospitalised", hospitalised))}
        return _upsert(db, actor, "outcome_years",
                       {"site_id": site["id"], "agreement_id": agreement["id"], "year": number},
                       values, expected_version)


def record_sheet(db, site_id: int, instrument: str, wave: str, answers, *, sex=None, withdraw: bool = False,
                 agreement_id: int | None = None, actor=None) -> dict:
    """Score one sheet in memory and add it to (or, with `withdraw`, take it from) its wave; see
    :func:`record_sheets`."""
    return record_sheets(db, site_id, instrument, wave, [(answers, sex)], withdraw=withdraw,
                         agreement_id=agreement_id, actor=actor)


def record_sheets(db, site_id: int, instrument: str, wave: str, sheets, *, withdraw: bool = False,
                  agreement_id: int | None = None, actor=None) -> dict:
    """Score sheets in memory and add them to a wave's aggregate in one transaction; nothing of a
    sheet is stored or audited but its share of the sums.

    `instrument`: ``isolation`` (six answers; `sex` unused) or ``audit``
    (ten item points and the resident's sex, 남/여). `wave`: ``pre``
    (사전) or ``post`` (사후). `sheets`: ``(answers, sex)`` pairs. A sheet
    that cannot be scored refuses them all, naming its number and item but
    never its answers. Returns the wave after: ``{"n": …}`` and the
    instrument's figure.
    """
    actor = require_complex_edit(actor, site_id)
    instrument, wave = _instrument(instrument), _wave(wave)
    scored = []
    for number, (answers, sex) in enumerate(sheets, start=1):
        if number > MAX_SHEETS:
            raise OutcomeError("too_many_sheets", limit=MAX_SHEETS)
        try:
            scored.append(ind.score_isolation(answers) if instrument == "isolation" else ind.score_audit(answers, sex))
        except ind.IndicatorError as exc:
            raise OutcomeError("sheet_invalid", sheet=number, detail=str(exc)) from None
    if not scored:
        raise OutcomeError("no_sheets")
    sign = -1 if withdraw else 1
    table = _WAVE_TABLES[instrument]
    with db.conn:
        site, agreement, _ = _context(db, site_id, agreement_id)
        db.conn.execute(f"INSERT OR IGNORE INTO {table} (site_id, agreement_id, wave, updated_at) VALUES (?, ?, ?, ?)",
                        [site["id"], agreement["id"], wave, now()])
        row = _wave_row(db, table, agreement["id"], wave)
        if instrument == "isolation":
            values = {"n": row["n"] + sign * len(scored), "item_sum": row["item_sum"] + sign * sum(s.total for s in scored)}
            fits = values["n"] >= 0 and 0 <= values["item_sum"] <= ind.ISOLATION_ITEMS * 3 * values["n"]
        else:
            values = {column: row[column] for column in _BAND_COLUMNS}
            for score in scored:
                values[f"{score.sex}_{score.band}"] += sign
            fits = all(v >= 0 for v in values.values())
        if not fits:
            raise OutcomeError("withdraw_not_recorded", wave=WAVE_LABELS[wave], scale=INSTRUMENT_LABELS[instrument])
        sets = ", ".join(f"[{column}] = ?" for column in values)
        db.conn.execute(f"UPDATE {table} SET {sets}, updated_at = ? WHERE id = ?", [*values.values(), now(), row["id"]])
        # The entry names the wave and how many sheets, never a count before or after: two
        # snapshots would give away the sheet's score (and an AUDIT sheet's sex).
        audit.record(db, actor, "withdraw-sheets" if withdraw else "add-sheets", table, row["id"], None,
                     {"instrument": instrument, "wave": wave, "sheets": len(scored), "agreement_id": agreement["id"]})
        return _wave_summary(instrument, _wave_row(db, table, agreement["id"], wave))


def set_reason(db, site_id: int, indicator: str, text, *, agreement_id: int | None = None,
               expected_version: int | None = None, actor=None) -> dict | None:
    """Write (or, with empty `text`, remove) the reason the manual asks for beside an indicator; the
    text goes through the personal-data detector; audited. Returns the row, or None once removed."""
    actor = require_complex_edit(actor, site_id)
    if indicator not in ind.INDICATORS:
        raise OutcomeError("unknown_indicator", value=indicator)
    if text is not None and not isinstance(text, str):
        raise OutcomeError("reason_not_text")
    clean = (text or "").strip()
    if len(clean) > MAX_REASON:
        raise OutcomeError("reason_too_long", limit=MAX_REASON, length=len(clean))
    privacy.check_personal_data(clean, field="reason", error=ReasonPersonalData)
    with db.conn:
        site, agreement, _ = _context(db, site_id, agreement_id)
        key = {"site_id": site["id"], "agreement_id": agreement["id"], "indicator": indicator}
        if not clean:
            before = _find(db, "outcome_reasons", key)
            if before is not None:
                _check_version(before, expected_version)
                db.conn.execute("DELETE FROM outcome_reasons WHERE id = ?", [before["id"]])
                audit.record(db, actor, "delete", "outcome_reasons", before["id"], before, None)
            return None
        return _upsert(db, actor, "outcome_reasons", key, {"reason": clean}, expected_version)


# --- reading ----------------------------------------------------------------------


def house_outcomes(db, site_id: int, *, evaluation=None, agreement_id: int | None = None, actor=None) -> dict:
    """The five indicators of a house from the store, for the evaluation in `evaluation` (a date or
    YYYY-MM; default: the month of its latest 주거유지율 counts, else this month).

    Returns plain values (Decimals with one place for rates and means): the
    agreement and the day counting starts, ``retention``, ``departure`` and
    ``hospital`` (each counting year, counted or not, with its counts and
    rate; the mean; years still without counts), ``social`` and
    ``drinking`` (사전, 사후, change), the reasons written and, per
    indicator, whether the manual asks for one (``reason_needed``) and its
    prompt. Raises PermissionDenied unless `actor` may read the house.
    """
    site = sites.get_site(db, site_id)
    if not sites.can_read_site(actor, site):
        raise PermissionDenied("outcome_read_forbidden")
    site, agreement, apply_from = _context(db, site, agreement_id)
    retention_rows = list(db.query("SELECT * FROM outcome_retention WHERE agreement_id = ? ORDER BY evaluation_month",
                                   [agreement["id"]]))
    if evaluation is not None:
        month = _month(evaluation)
    elif retention_rows:
        month = _month(retention_rows[-1]["evaluation_month"])
    else:
        month = date.today().replace(day=1)
    key = month.strftime("%Y-%m")
    starts, ends = date.fromisoformat(agreement["starts"]), date.fromisoformat(agreement["ends"])
    years = ind.counting_years(starts, month, apply_from=apply_from, ends=ends)
    stored = {r["year"]: r for r in db.query("SELECT * FROM outcome_years WHERE agreement_id = ?", [agreement["id"]])}
    out = {
        "site": {"id": site["id"], "name": site["name"], "capacity": site.get("capacity")},
        "agreement": {k: agreement[k] for k in ("id", "starts", "ends", "notice_date")},
        "apply_from": apply_from.isoformat(),
        "evaluation_month": key,
        "base_date": ind.base_date(month).isoformat(),
        "retention": _retention(next((r for r in retention_rows if r["evaluation_month"] == key), None)),
        "departure": _yearly(years, stored, "departed", "departure"),
        "hospital": _yearly(years, stored, "hospitalised", "hospital"),
    }
    waves = {instrument: {r["wave"]: r for r in db.query(f"SELECT * FROM {_WAVE_TABLES[instrument]} "
                                                         "WHERE agreement_id = ?", [agreement["id"]])}
             for instrument in INSTRUMENTS}
    iso = {w: ind.IsolationWave(r["n"], r["item_sum"]) for w, r in waves["isolation"].items()}
    social = ind.social_change(iso.get("pre"), iso.get("post"))
    out["social"] = {"pre": _wave_summary("isolation", waves["isolation"].get("pre")),
                     "post": _wave_summary("isolation", waves["isolation"].get("post")),
                     "change": social.change, "direction": social.direction, "reason_needed": social.reason_needed}
    aud = {w: _audit_wave(r) for w, r in waves["audit"].items()}
    drinking = ind.drinking_change(aud.get("pre"), aud.get("post"))
    out["drinking"] = {"pre": _wave_summary("audit", waves["audit"].get("pre")),
                       "post": _wave_summary("audit", waves["audit"].get("post")),
                       "change": drinking.change, "direction": drinking.direction,
                       "reason_needed": drinking.reason_needed}
    reasons = {r["indicator"]: r for r in db.query("SELECT * FROM outcome_reasons WHERE agreement_id = ?",
                                                   [agreement["id"]])}
    out["reasons"] = {k: {"reason": r["reason"], "version": r["version"]} for k, r in reasons.items()}
    for indicator in ind.INDICATORS:
        block = out[indicator]
        needed = bool(block and block["reason_needed"])
        out.setdefault("prompts", {})[indicator] = ind.REASON_PROMPTS[indicator] if needed else None
    out["reasons_missing"] = [k for k, prompt in out["prompts"].items() if prompt and k not in reasons]
    return out


def find_house(db, key) -> dict:
    """A supportive house by id or exact name (the CLI's HOUSE argument); SiteNotFound otherwise."""
    text = str(key).strip()
    if text.isdigit():
        site = sites.get_site(db, int(text))
        if site["kind"] == sites.SUPPORTIVE:
            return site
    for row in sites.list_sites(db, kind=sites.SUPPORTIVE):
        if row["name"] == text:
            return sites.get_site(db, row["id"])
    raise sites.SiteNotFound(site_id=key)


def as_plain(value):
    """`value` with Decimals as their text ("87.5") and tuples as lists: what JSON can carry exactly."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: as_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [as_plain(v) for v in value]
    return value


# --- sheets from a file ------------------------------------------------------------

_ITEM_HEADER = re.compile(r"^(?:문항|문|q|item|no\.?)?\s*(\d{1,2})(?:번)?$", re.IGNORECASE)
_SEX_HEADERS = ("성별", "sex", "gender")


def decode_sheet_file(data: bytes) -> str:
    """A sheet file's text: UTF-8 (with or without BOM), else CP949 (a Korean Excel's CSV)."""
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise OutcomeError("sheet_file_undecodable")


def read_sheets(text: str, instrument: str) -> dict:
    """The sheets in a CSV's text, for :func:`record_sheets`; read in memory, nothing kept.

    One row per resident; the item columns are headed 문항1 … (or 1 …, Q1 …),
    AUDIT-K needs a 성별 column. Every other column (이름, 생년월일, 실시일 …)
    is skipped unread: its header is listed in ``skipped`` so the user
    knows, its values go nowhere. Returns ``{"sheets": [(answers, sex)],
    "skipped": [headers]}``.
    """
    instrument = _instrument(instrument)
    items = ind.ISOLATION_ITEMS if instrument == "isolation" else ind.AUDIT_ITEMS
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise OutcomeError("sheet_file_empty")
    columns: dict[int, int] = {}
    sex_column = None
    skipped = []
    for index, name in enumerate(header):
        label = name.strip()
        match = _ITEM_HEADER.match(label)
        if match and 1 <= int(match.group(1)) <= items and int(match.group(1)) not in columns.values():
            columns[index] = int(match.group(1))
        elif label.lower() in _SEX_HEADERS and sex_column is None:
            sex_column = index
        elif label:
            skipped.append(label)
    missing = sorted(set(range(1, items + 1)) - set(columns.values()))
    if missing:
        raise OutcomeError("sheet_columns_missing", scale=INSTRUMENT_LABELS[instrument],
                           items=", ".join(f"문항{i}" for i in missing))
    if instrument == "audit" and sex_column is None:
        raise OutcomeError("sheet_sex_column_missing")
    sheets = []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        answers = [None] * items
        for index, item in columns.items():
            answers[item - 1] = row[index].strip() if index < len(row) else None
        sex = row[sex_column].strip() if sex_column is not None and sex_column < len(row) else None
        sheets.append((answers, sex))
        if len(sheets) > MAX_SHEETS:
            raise OutcomeError("too_many_sheets", limit=MAX_SHEETS)
    return {"sheets": sheets, "skipped": skipped}


# --- helpers ----------------------------------------------------------------------


def _context(db, site, agreement_id):
    """The house (its id or row), the agreement whose data counts (the given one, else the current) and the
    day counting starts."""
    site = site if isinstance(site, dict) else sites.get_site(db, site)
    if site["kind"] != sites.SUPPORTIVE:
        raise sites.SiteError("not_a_supportive_house", name=site["name"])
    if agreement_id is not None:
        agreement = sites.get_agreement(db, agreement_id, site_id=site["id"])
    else:
        agreement = site["current"]
        if agreement is None:
            raise OutcomeError("no_agreement", name=site["name"])
    apply_from = sites.indicators_apply_from(agreement)
    if apply_from is None:
        raise OutcomeError("indicators_not_applied", starts=agreement["starts"], ends=agreement["ends"])
    return site, agreement, apply_from


def _month(value) -> date:
    if isinstance(value, date):
        return value.replace(day=1)
    text = str(value or "").strip()
    match = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-\d{1,2})?", text)
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < sites.FIRST_YEAR:
        raise OutcomeError("evaluation_month_invalid", value=value)
    return date(int(match.group(1)), int(match.group(2)), 1)


def _year(value) -> int:
    text = str(value).strip().removesuffix("년") if not isinstance(value, bool) else ""
    if not re.fullmatch(r"\d{4}", text) or int(text) < sites.FIRST_YEAR:
        raise OutcomeError("year_invalid", value=value)
    return int(text)


def _check_base(agreement: dict, month: date) -> None:
    base = ind.base_date(month)
    if base < date.fromisoformat(agreement["starts"]):
        raise ind.IndicatorError("evaluation_before_start", base=base.isoformat(), starts=agreement["starts"])
    if base >= date.today():
        raise OutcomeError("evaluation_base_in_future", base=base.isoformat())


def _instrument(value) -> str:
    if value not in INSTRUMENTS:
        raise OutcomeError("unknown_instrument", value=value)
    return value


def _wave(value) -> str:
    for wave, label in WAVE_LABELS.items():
        if value in (wave, label):
            return wave
    raise OutcomeError("unknown_wave", value=value)


def _find(db, table: str, key: dict) -> dict | None:
    where = " AND ".join(f"[{k}] = ?" for k in key)
    rows = list(db.query(f"SELECT * FROM [{table}] WHERE {where}", list(key.values())))
    return rows[0] if rows else None


def _check_version(row: dict, expected) -> None:
    if expected is not None and int(expected) != row["version"]:
        raise OutcomeError("outcome_conflict", expected=expected, current_version=row["version"])


def _upsert(db, actor, table: str, key: dict, values: dict, expected_version) -> dict:
    """Insert or replace the row of `key` (inside the caller's transaction), versioned and audited."""
    before = _find(db, table, key)
    stamp = now()
    if before is None:
        if expected_version not in (None, 0, "0"):
            raise OutcomeError("outcome_conflict", expected=expected_version, current_version=0)
        cols = [*key, *values, "updated_at"]
        cur = db.conn.execute(f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in cols)}) "
                              f"VALUES ({', '.join('?' for _ in cols)})", [*key.values(), *values.values(), stamp])
        row_id, action = cur.lastrowid, "insert"
    else:
        _check_version(before, expected_version)
        sets = ", ".join(f"[{c}] = ?" for c in values)
        db.conn.execute(f"UPDATE [{table}] SET {sets}, version = version + 1, updated_at = ? WHERE id = ?",
                        [*values.values(), stamp, before["id"]])
        row_id, action = before["id"], "update"
    after = audit.row_snapshot(db, table, row_id)
    audit.record(db, actor, action, table, row_id, before, after)
    return after


def _wave_row(db, table: str, agreement_id: int, wave: str) -> dict:
    return _find(db, table, {"agreement_id": agreement_id, "wave": wave})


def _audit_wave(row: dict | None):
    if row is None:
        return None
    return ind.audit_wave(counts={tuple(c.split("_")): row[c] for c in _BAND_COLUMNS})


def _wave_summary(instrument: str, row: dict | None) -> dict | None:
    if row is None:
        return None
    if instrument == "isolation":
        wave = ind.IsolationWave(row["n"], row["item_sum"])
        return {"n": wave.n, "mean": wave.mean}
    wave = _audit_wave(row)
    return {"n": wave.n, "risky": wave.risky, "rate": wave.rate,
            "bands": {band: wave.band_total(band) for band in ind.BANDS},
            "by_sex": {sex: {band: wave.counts[(sex, band)] for band in ind.BANDS} for sex in ind.SEXES}}


def _retention(row: dict | None) -> dict | None:
    if row is None:
        return None
    result = ind.housing_retention(row["total"], row["continuing"],
                                   {kind: row[f"exit_{kind}"] for kind in ind.EXIT_KINDS})
    return {"total": result.total, "continuing": result.continuing, "exits": result.exits,
            "exited": result.exited, "rate": result.rate, "target": ind.RETENTION_TARGET,
            "meets_target": result.meets_target, "reason_needed": result.reason_needed, "version": row["version"]}


def _yearly(years, stored: dict, column: str, indicator: str) -> dict:
    counted = [y for y in years if y.counted and y.year in stored]
    rates = ind.yearly_rates([(y.year, stored[y.year]["residents"], stored[y.year][column]) for y in counted],
                             indicator=indicator)
    by_year = {r.year: r for r in rates.years}
    rows = []
    for y in years:
        row = stored.get(y.year)
        rate = by_year.get(y.year)
        rows.append({"ordinal": y.ordinal, "year": y.year, "label": y.label, "starts": y.starts.isoformat(),
                     "ends": y.ends.isoformat(), "counted": y.counted,
                     "residents": row["residents"] if row else None, "people": row[column] if row else None,
                     "rate": rate.rate if rate else None, "version": row["version"] if row else None})
    return {"years": rows, "mean": rates.mean, "rises": [list(r) for r in rates.rises],
            "reason_needed": rates.reason_needed,
            "missing_years": [y.year for y in years if y.counted and y.year not in stored]}
