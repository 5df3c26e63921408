"""Tables of agencies and links for people: Korean headers, CSV (Excel-ready) and XLSX.

The HSDS package for other systems is `importers.hsds.export_hsds`; this
module is for a worker who opens the list in a spreadsheet.
"""
from __future__ import annotations

import csv
import io
import json

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from .frequency import link_levels
from .vocabulary import placement_kind, source_label

__all__ = ["AGENCY_HEADERS", "LINK_HEADERS", "agency_table", "link_table", "to_csv", "to_xlsx", "spreadsheet_safe"]

AGENCY_HEADERS = {
    "id": "번호", "name": "기관명", "type": "기관 유형", "category": "분야", "road_address": "도로명주소",
    "lot_address": "지번주소", "sido": "시도", "sigungu": "시군구", "eupmyeondong": "읍면동",
    "postcode": "우편번호", "phone": "전화", "homepage": "홈페이지", "operator": "운영기관",
    "services": "주요 서비스", "target_groups": "대상", "hours": "운영 시간", "lat": "위도", "lon": "경도",
    "placement": "위치 정확도", "source": "출처", "verified_date": "확인일",
}
LINK_HEADERS = {
    "complex": "단지", "agency": "기관명", "agency_type": "기관 유형", "category": "분야", "phone": "전화",
    "frequency_mark": "빈도 표시", "frequency_label": "연락 빈도", "frequency_source": "빈도 근거",
    "manual_label": "직접 입력한 빈도", "contacts_12m": "최근 12개월 연락 기록", "content_types": "연계 내용",
    "note": "메모", "since": "시작", "updated_at": "최근 수정",
}
FILTERS = ("category", "type", "sido", "sigungu")
FREQUENCY_SOURCES = {"manual": "직접 입력", "log": "연락 기록"}


def agency_table(db, **filters) -> tuple[list[str], list[list]]:
    """(Korean headers, rows) of the agencies matching exact filters (category, type, sido, sigungu)."""
    where, params = [], []
    for key in FILTERS:
        if filters.get(key):
            where.append(f"{key} = ?")
            params.append(filters[key])
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    cols = ", ".join(AGENCY_HEADERS)
    rows = [list(r) for r in db.execute(f"SELECT {cols} FROM agencies {clause} ORDER BY sido, sigungu, name", params)]
    # Codes in a person's words: 정확한 위치 for `exact`, the list's title for `list:…`.
    titles = dict(db.execute("SELECT source, dataset FROM import_runs WHERE dataset IS NOT NULL").fetchall())
    at = {k: i for i, k in enumerate(AGENCY_HEADERS)}
    for row in rows:
        row[at["placement"]] = placement_kind(row[at["placement"]])
        row[at["source"]] = source_label(row[at["source"]], titles.get(row[at["source"]])) if row[at["source"]] else None
    return list(AGENCY_HEADERS.values()), rows


def link_table(db, complex_id: int | None = None, *, today=None) -> tuple[list[str], list[list]]:
    """(Korean headers, rows) of every link (or one complex's), content types by their Korean names.

    The frequency is the level every page shows (:func:`directory.frequency.decide`),
    with the hand-set level, the contacts logged in the last 12 months and
    which of the two the shown level is.
    """
    names = dict(db.execute("SELECT code, name FROM content_types").fetchall())
    scale = {r["level"]: r for r in db.query("SELECT level, label FROM frequency_levels")}
    where, params = ("WHERE l.complex_id = ?", [complex_id]) if complex_id else ("", [])
    found = list(db.query(
        f"""SELECT l.id, c.name AS complex, a.name AS agency, a.type AS agency_type, a.category, a.phone,
                   l.frequency_level, l.content_types, l.note, l.since, l.updated_at
            FROM links l JOIN complexes c ON c.id = l.complex_id JOIN agencies a ON a.id = l.agency_id {where}""",
        params))
    levels = link_levels(db, [r["id"] for r in found] if complex_id else None, today=today)
    rows = []
    for r in found:
        d = levels.get(r["id"], {})
        r.update(frequency_mark=d.get("mark"), frequency_label=d.get("label"),
                 frequency_source=FREQUENCY_SOURCES.get(d.get("source"), ""),
                 manual_label=(scale.get(r["frequency_level"]) or {}).get("label"),
                 contacts_12m=d.get("contacts_12m", 0), _level=d.get("level") or 0)
        r["content_types"] = ", ".join(names.get(code, code) for code in json.loads(r["content_types"] or "[]"))
        rows.append(r)
    rows.sort(key=lambda r: (r["complex"] or "", -r["_level"], r["agency"] or ""))
    return list(LINK_HEADERS.values()), [[r[k] for k in LINK_HEADERS] for r in rows]


def to_csv(headers: list[str], rows: list[list]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens the Korean text correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(["" if v is None else spreadsheet_safe(v) for v in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(sheets: dict[str, tuple[list[str], list[list]]]) -> bytes:
    """An XLSX workbook, one sheet per (headers, rows), bold header row, frozen."""
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, (headers, rows) in sheets.items():
        sheet = book.create_sheet(title=title[:31])
        sheet.freeze_panes = "A2"
        header_cells = []
        for h in headers:
            cell = WriteOnlyCell(sheet, value=h)
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in rows:
            sheet.append([ILLEGAL_CHARACTERS_RE.sub("", spreadsheet_safe(v)) if isinstance(v, str) else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def spreadsheet_safe(value):
    """Text that a spreadsheet would run as a formula (=, +, -, @, tab, CR) gets a leading apostrophe.

    Every CSV or XLSX a person may open goes through this, since an imported
    agency name like ``=HYPERLINK(...)`` would otherwise run in Excel.
    """
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(value):
        return "'" + value
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
