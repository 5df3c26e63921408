"""The study's linkage matrix: one row per agency, one column per complex.

Cells hold the study's marks (●◕◒◔○), the Korean labels (수시, 연 9회 이상 …)
or a yearly contact count; an empty cell is no link. The complexes file gives
each column's profile (households, resident figures, year a worker came).
"""
from __future__ import annotations

import re

from directory.normalize import clean_text
from directory.store import now

from .reading import ImportFormatError, Table, read_csv
from .run import ImportRun, RowError

__all__ = ["MATRIX_HEADERS", "is_matrix", "is_complexes", "profile_figures", "import_complexes", "import_matrix",
           "read_complexes"]

MATRIX_HEADERS = {"category", "agency"}
COMPLEX_HEADERS = {"complex", "households", "resident_profile"}
SOURCE = "study2024"


def is_matrix(headers: list[str]) -> bool:
    """True for the linkage-matrix layout (category, agency, then complex columns)."""
    return MATRIX_HEADERS <= {h.strip().lower() for h in headers} and len(headers) > 2


def is_complexes(headers: list[str]) -> bool:
    """True for the complexes-profile layout."""
    return COMPLEX_HEADERS <= {h.strip().lower() for h in headers}


class FrequencyScale:
    """The store's frequency levels: parse a cell into a level 1–5."""

    def __init__(self, db):
        self.levels = list(db.query("SELECT * FROM frequency_levels ORDER BY level DESC"))
        self.by_text = {}
        for level in self.levels:
            for text in (level["mark"], level["label"], level["label"].replace(" ", "")):
                self.by_text[text] = level["level"]

    def parse(self, cell: str) -> int:
        """Level for a mark, a label or a yearly count; raises RowError otherwise."""
        text = clean_text(cell) or ""
        if text in self.by_text:
            return self.by_text[text]
        if text.replace(" ", "") in self.by_text:
            return self.by_text[text.replace(" ", "")]
        count = text.removesuffix("회")
        if re.fullmatch(r"\d+(\.\d+)?", count):
            return self.level_for_count(float(count))
        raise RowError(None, "unknown_frequency", value=cell)

    def level_for_count(self, per_year: float) -> int:
        """Level for a number of contacts in a year (12 or more counts as 수시)."""
        for level in self.levels:
            if per_year >= level["min_per_year"]:
                return level["level"]
        return self.levels[-1]["level"]


_PCT = r"(?:약\s*)?(\d+(?:\.\d+)?)\s*%"
_PROFILE_PATTERNS = {
    "elderly_pct": [rf"(?:고령자|노인\s*세대|노인가구|60세\s*이상|60대\s*이상|65세\s*이상)\s*{_PCT}"],
    "disabled_pct": [rf"장애인\s*{_PCT}"],
    "recipients_pct": [rf"수급자(?:\s*비율)?\s*{_PCT}"],
    "living_alone_pct": [rf"독거(?:노인|세대)?\s*{_PCT}"],
}


def profile_figures(text: str | None) -> dict:
    """Resident figures from the study's profile text ("60세 이상 61%; 수급자 52%")."""
    text = text or ""
    figures = {}
    for field, patterns in _PROFILE_PATTERNS.items():
        for pattern in patterns:
            match = re.search(pattern, text)
            if match:
                figures[field] = float(match.group(1))
                break
    figures["alcohol_issues"] = int(bool(re.search(r"알코올|알콜|음주", text)))
    figures["hoarding_issues"] = int(bool(re.search(r"저장강박|쓰레기", text)))
    figures["mental_illness_issues"] = int(bool(re.search(r"정신장애|정신질환", text)))
    return figures


def import_complexes(run: ImportRun, table: Table) -> dict[str, int]:
    """Upsert the complexes of a profile table; returns name -> id."""
    index = {h.strip().lower(): i for i, h in enumerate(table.headers)}
    ids = {}
    for number, cells in table.numbered():
        raw = {h: (cells[i] if i < len(cells) else "") for h, i in index.items()}
        name = clean_text(raw.get("complex"))
        if not name:
            run.quarantine(number, "complex", "단지 이름이 비어 있습니다", raw)
            continue
        try:
            values = {
                "households": _int(raw, "households"),
                "staff_placed_year": _int(raw, "staff_placed_year"),
            }
        except RowError as err:
            run.quarantine(number, err.column, str(err), raw)
            continue
        values.update(profile_figures(raw.get("resident_profile")))
        values["resident_profile"] = clean_text(raw.get("resident_profile"))
        ids[name] = _upsert_complex(run, name, values)
    return ids


def _int(raw: dict, column: str) -> int | None:
    value = clean_text(raw.get(column))
    if not value:
        return None
    try:
        return int(value.replace(",", ""))
    except ValueError:
        raise RowError(column, "not_a_number", value=value) from None


def _upsert_complex(run: ImportRun, name: str, values: dict) -> int:
    conn = run.conn
    row = conn.execute("SELECT id FROM complexes WHERE name = ?", [name]).fetchone()
    values = {**values, "source": SOURCE, "source_key": name, "updated_at": now()}
    if row:
        sets = ", ".join(f"{k} = ?" for k in values)
        conn.execute(f"UPDATE complexes SET {sets} WHERE id = ?", [*values.values(), row[0]])
        return row[0]
    values.update(name=name, created_at=values["updated_at"])
    cur = conn.execute(
        f"INSERT INTO complexes ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
        list(values.values()),
    )
    return cur.lastrowid


def import_matrix(db, table: Table, *, complexes: Table | None = None, progress=None):
    """Import the linkage matrix (and the complexes' profiles); returns an ImportSummary."""
    if complexes is not None and not is_complexes(complexes.headers):
        raise ImportFormatError("complexes_columns_missing", name=complexes.path.name,
                                headers=", ".join(complexes.headers))
    headers = [h.strip() for h in table.headers]
    lower = [h.lower() for h in headers]
    cat_i, name_i = lower.index("category"), lower.index("agency")
    complex_cols = [(i, h) for i, h in enumerate(headers) if i not in (cat_i, name_i) and h]
    scale = FrequencyScale(db)
    with ImportRun(db, source=SOURCE, dataset="linkage_matrix", file_name=table.path.name,
                   file_hash=table.sha256, encoding=table.encoding) as run:
        complex_ids = import_complexes(run, complexes) if complexes is not None else {}
        for _, name in complex_cols:
            if name not in complex_ids:
                complex_ids[name] = _existing_or_new_complex(run, name)
        links = 0
        for number, cells in table.numbered():
            raw = {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(headers)}
            parsed, bad = [], None
            for i, complex_name in complex_cols:
                cell = cells[i] if i < len(cells) else ""
                if not (clean_text(cell) or ""):
                    continue
                try:
                    parsed.append((complex_name, scale.parse(cell), clean_text(cell)))
                except RowError as err:
                    bad = (complex_name, str(err))
                    break
            if bad:
                run.summary.rows += 1
                run.quarantine(number, bad[0], bad[1], raw)
                continue
            agency_name = raw.get("agency")
            agency_id = run.add_agency(
                {"name": agency_name, "category": raw.get("category"),
                 "type": run.taxonomy.canonical_type(agency_name)},
                source_key=clean_text(agency_name) or "", row_number=number, raw=raw,
            )
            if agency_id is None:
                continue
            for complex_name, level, text in parsed:
                _upsert_link(run, complex_ids[complex_name], agency_id, level, text)
                links += 1
            if progress:
                progress(1)
        run.summary.extra = {"complexes": len(complex_ids), "links": links}
    return run.summary


def _existing_or_new_complex(run: ImportRun, name: str) -> int:
    row = run.conn.execute("SELECT id FROM complexes WHERE name = ?", [name]).fetchone()
    return row[0] if row else _upsert_complex(run, name, {})


def _upsert_link(run: ImportRun, complex_id: int, agency_id: int, level: int, raw: str) -> None:
    stamp = now()
    run.conn.execute(
        """INSERT INTO links (complex_id, agency_id, frequency_level, frequency_raw, source, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (complex_id, agency_id) DO UPDATE SET
             frequency_level = excluded.frequency_level, frequency_raw = excluded.frequency_raw,
             updated_at = CASE WHEN links.frequency_level IS excluded.frequency_level
                               THEN links.updated_at ELSE excluded.updated_at END""",
        [complex_id, agency_id, level, raw, SOURCE, stamp, stamp],
    )


def read_complexes(path) -> Table:
    """Read a complexes profile file."""
    return read_csv(path)
