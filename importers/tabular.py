"""Any tabular agency list: CSV, XLSX, or the SSIS "xls" that is an HTML table.

The columns are recognised from their Korean headers through the synonym
table `data/reference/column_synonyms.csv` (data, not code: a new spelling
is one line there). The chosen mapping is returned with the summary so the
user sees what was understood; a mapping file (`name=기관이름` lines) or
command-line pairs override it. A list without a recognisable name column
is refused with the headers that were found.
"""
from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

from directory.normalize import address_key, clean_text, name_key
from directory.paths import REFERENCE_DIR
from directory.store import taxonomy

from .reading import ImportFormatError, ReadBudget, Table, decode, read_csv, without_nul
from .pipeline import finish_import
from .run import ImportRun

__all__ = [
    "SYNONYMS_FILE", "FIELDS", "HEADER_SCAN_ROWS", "MappingError", "PersonalDataError", "known_lists",
    "Mapping", "norm_header", "synonyms", "recognise", "apply_overrides", "parse_mapping_lines",
    "FIELD_ALIASES", "read_mapping_file", "TYPE_VALUES_FILE", "type_hints", "read_table", "read_xlsx",
    "MAX_TABLE_DEPTH", "HTML_CHUNK", "read_html_table", "find_header_row", "build_mapping", "import_tabular",
]

SYNONYMS_FILE = REFERENCE_DIR / "column_synonyms.csv"

# The agency fields a list can fill, with the Korean label shown to users.
FIELDS = {
    "name": "기관명", "type": "유형", "road_address": "주소(도로명)", "lot_address": "주소(지번)",
    "lat": "위도/Y", "lon": "경도/X", "phone": "전화", "homepage": "홈페이지", "sido": "시도",
    "sigungu": "시군구", "eupmyeondong": "읍면동", "postcode": "우편번호", "operator": "운영기관",
    "services": "서비스", "target_groups": "대상", "hours": "운영시간", "capacity": "정원",
    "verified_date": "기준일자",
}
HEADER_SCAN_ROWS = 10  # title rows above the header in spreadsheets


class MappingError(ImportFormatError):
    """The column mapping is missing a name column or names an unknown field or header."""

    code = "mapping_error"


class PersonalDataError(ImportFormatError):
    """The list describes people (이름, 나이, 주민등록번호 …), not agencies."""

    code = "personal_columns"


def known_lists() -> str:
    """What the importers read, for error messages."""
    from .standard import DATASETS

    return ", ".join([d.label for d in DATASETS] + ["기관명 열이 있는 모든 기관 목록 (CSV·XLSX·HTML xls)",
                                                     "연계 매트릭스", "HSDS datapackage.json"])


@dataclass
class Mapping:
    """field -> header index, plus how each choice was made (for the user)."""

    headers: list[str]
    columns: dict[str, int] = field(default_factory=dict)
    how: dict[str, str] = field(default_factory=dict)
    personal: list[str] = field(default_factory=list)  # headers that describe people

    def as_dict(self) -> dict[str, str]:
        """field -> header text, in field order."""
        return {f: self.headers[i] for f, i in sorted(self.columns.items(), key=lambda kv: list(FIELDS).index(kv[0]))}

    def describe(self) -> list[str]:
        """One line per mapped field: `기관명(name) ← 기관이름 [synonym]`."""
        lines = []
        for f, header in self.as_dict().items():
            lines.append(f"{FIELDS[f]}({f}) ← {header} [{self.how.get(f, '')}]")
        unused = [h for i, h in enumerate(self.headers) if i not in self.columns.values() and h]
        if unused:
            lines.append("사용하지 않은 열: " + ", ".join(unused))
        return lines


def norm_header(text: str) -> str:
    """A header reduced for comparison: NFKC, lower case, no spaces or separators."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return re.sub(r"[\s·ㆍ_\-.*]", "", text)


@lru_cache(maxsize=1)
def synonyms() -> list[tuple[str, str]]:
    """(normalised header, field) in the table's order: earlier rows win."""
    with open(SYNONYMS_FILE, encoding="utf-8") as fh:
        rows = [(norm_header(r["header"]), r["field"]) for r in csv.DictReader(fh)]
    unknown = {f for _, f in rows} - set(FIELDS) - {"personal"}
    if unknown:
        raise ImportFormatError("unknown_synonym_field", fields=", ".join(sorted(unknown)))
    return rows


def recognise(headers: list[str], rows: list[list[str]] | None = None, *, types=None) -> Mapping:
    """Map headers to agency fields: exact synonyms first, then prefix/suffix matches.

    When no header names the agency but a column's values look like agency
    names (the 읍면동 column of the community-centre list holds
    "청운효자동주민센터"), that column becomes the name.
    """
    mapping = Mapping(list(headers))
    normed = [norm_header(h) for h in headers]
    table = synonyms()
    taken: set[int] = set()
    personal = {synonym for synonym, f in table if f == "personal"}
    table = [(synonym, f) for synonym, f in table if f != "personal"]
    mapping.personal = [headers[i] for i, h in enumerate(normed) if h in personal]
    for synonym, f in table:  # exact, in priority order
        if f in mapping.columns:
            continue
        for i, h in enumerate(normed):
            if i not in taken and h == synonym:
                mapping.columns[f], mapping.how[f] = i, "동의어"
                taken.add(i)
                break
    for synonym, f in table:  # "기관명(한글)", "시설 주소지"
        if f in mapping.columns or len(synonym) < 2:
            continue
        for i, h in enumerate(normed):
            if i not in taken and h and (h.startswith(synonym) or h.endswith(synonym)):
                mapping.columns[f], mapping.how[f] = i, f"부분 일치({synonym})"
                taken.add(i)
                break
    if "name" not in mapping.columns and rows and types is not None:
        candidates = [i for i in range(len(headers)) if i not in taken]
        if "eupmyeondong" in mapping.columns:
            candidates.insert(0, mapping.columns["eupmyeondong"])
        for i in candidates:
            values = [r[i] for r in rows[:200] if i < len(r) and r[i].strip()]
            named = sum(1 for v in values if types.infer_type(v))
            if values and named >= 0.8 * len(values):
                if mapping.columns.get("eupmyeondong") == i:
                    del mapping.columns["eupmyeondong"]
                mapping.columns["name"], mapping.how["name"] = i, "값이 기관 이름으로 보임"
                break
    return mapping


def apply_overrides(mapping: Mapping, overrides: dict[str, str]) -> Mapping:
    """Replace mapped columns by the user's `field -> header` choices (header "" unmaps)."""
    normed = [norm_header(h) for h in mapping.headers]
    for f, header in overrides.items():
        if f not in FIELDS:
            raise MappingError("unknown_field", field=f, fields=", ".join(FIELDS))
        if not header:
            mapping.columns.pop(f, None)
            continue
        key = norm_header(header)
        if key not in normed:
            raise MappingError("missing_header", header=header, headers=", ".join(mapping.headers))
        index = normed.index(key)
        for other, i in list(mapping.columns.items()):
            if i == index and other != f:
                del mapping.columns[other]
        mapping.columns[f], mapping.how[f] = index, "사용자 지정"
    return mapping


def parse_mapping_lines(lines) -> dict[str, str]:
    """`field=header` (or `field: header`) lines; `#` starts a comment.

    >>> parse_mapping_lines(["name = 기관이름", "# 주석", "address: 소재지"])
    {'name': '기관이름', 'road_address': '소재지'}
    """
    result = {}
    for number, line in enumerate(lines, start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.match(r"^([A-Za-z_]+)\s*[=:]\s*(.*)$", line)
        if not match:
            raise MappingError("bad_mapping_line", number=number, line=line)
        f, header = match.group(1).lower(), match.group(2).strip().strip("\"'")
        result[FIELD_ALIASES.get(f, f)] = header
    return result


FIELD_ALIASES = {"address": "road_address", "latitude": "lat", "longitude": "lon", "lng": "lon",
                 "x": "lon", "y": "lat", "tel": "phone", "zip": "postcode"}


def read_mapping_file(path) -> dict[str, str]:
    """Read a mapping file (UTF-8 or CP949)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise MappingError("mapping_file_unreadable", path=str(path), detail=exc.strerror) from exc
    text, _ = decode(data, Path(path).name)
    return parse_mapping_lines(text.splitlines())


TYPE_VALUES_FILE = REFERENCE_DIR / "type_values.csv"


def type_hints(values: set) -> dict[str, str]:
    """Generic type values (의원, 병원) that mean a specific type in the list at hand.

    A row of `data/reference/type_values.csv` applies when the list's type
    column also holds its `when_list_has` value: in the mental-health
    institutions list (which has 기초정신건강복지센터) a 의원 is a psychiatric
    clinic; in another list it says nothing.
    """
    with open(TYPE_VALUES_FILE, encoding="utf-8") as fh:
        return {r["value"]: r["type"] for r in csv.DictReader(fh) if r["when_list_has"] in values}


# --- reading spreadsheets ---------------------------------------------------


def read_table(path, *, budget: ReadBudget | None = None) -> Table:
    """Read CSV/TSV, XLSX or an HTML-table "xls" into a Table (first row = headers).

    `budget` bounds the rows, cells and seconds the file may take (default:
    the module limits of `reading`); past them ImportLimitError is raised.
    """
    path = Path(path)
    budget = budget or ReadBudget(path.name)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path, budget=budget)
    if suffix in (".xls", ".html", ".htm"):
        head = path.read_bytes()[:2048]
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise ImportFormatError("legacy_xls", name=path.name)
        return read_html_table(path, budget=budget)
    return read_csv(path, budget=budget)


def read_xlsx(path, *, budget: ReadBudget | None = None) -> Table:
    """The first non-empty worksheet of an XLSX workbook (values, not formulas)."""
    import openpyxl

    path = Path(path)
    budget = budget or ReadBudget(path.name)
    data = path.read_bytes()
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError or its own errors
        raise ImportFormatError("xlsx_unreadable", name=path.name, detail=str(exc)) from exc
    try:
        for sheet in book.worksheets:
            # openpyxl pads every row to the sheet's declared dimension, which
            # the file itself states (A1:XFD1048576 is 17 billion cells): past
            # the limits, the rows are read as they are and padded here.
            declared = (sheet.max_column or 0) > budget.max_columns or (sheet.max_row or 0) > budget.max_rows
            if declared:
                sheet.reset_dimensions()
            rows = []
            for values in sheet.iter_rows(values_only=True):
                budget.row(len(values))
                if any(v is not None and v != "" for v in values):
                    rows.append(["" if v is None else _cell_text(v) for v in values])
            rows = [r for r in rows if any(c.strip() for c in r)]
            if rows:
                if declared:
                    width = max(len(r) for r in rows)
                    for r in rows:
                        r.extend([""] * (width - len(r)))
                return _table(path, rows, "xlsx", data)
    finally:
        book.close()
    raise ImportFormatError("empty_workbook", name=path.name)


def _cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return without_nul(str(value))


# Tables inside tables deeper than this are read as text of their cell only.
MAX_TABLE_DEPTH = 16
# The page is parsed in pieces of this many characters, the clock checked between them.
HTML_CHUNK = 1 << 20


@dataclass
class _HtmlTable:
    """One <table> as parsed: rows of (text, colspan, rowspan), and how deep it lies."""

    depth: int
    rows: list = field(default_factory=list)
    row: list | None = None
    cell: list | None = None
    spans: tuple = (1, 1)

    def end_cell(self) -> None:
        if self.cell is not None and self.row is not None:
            self.row.append((" ".join("".join(self.cell).split()), *self.spans))
        self.cell = None


class _TableParser(HTMLParser):
    """Collects every <table> of a page, nested ones apart, as rows of (text, colspan, rowspan).

    A table inside a cell is a table of its own and its text is also part
    of that cell's text, so the enclosing rows stay whole. Cells and rows
    closed implicitly (a new <td>, <tr> or </table>) count as closed.
    """

    def __init__(self, budget: ReadBudget):
        super().__init__(convert_charrefs=True)
        self.budget = budget
        self.tables: list[_HtmlTable] = []  # in the order they open
        self._open: list[_HtmlTable] = []
        self._too_deep = 0  # <table>s opened past MAX_TABLE_DEPTH, not yet closed

    def handle_starttag(self, tag, attrs):
        if tag in ("table", "tr", "td", "th"):
            self._space_outer()
        if tag == "table":
            if self._too_deep or len(self._open) >= MAX_TABLE_DEPTH:
                self._too_deep += 1
                return
            table = _HtmlTable(len(self._open))
            self.tables.append(table)
            self._open.append(table)
            return
        if not self._open or self._too_deep:
            return
        table = self._open[-1]
        if tag == "tr":
            self._end_row(table)
            table.row = []
        elif tag in ("td", "th"):
            table.end_cell()
            if table.row is None:  # a cell without its <tr>
                table.row = []
            attrs = dict(attrs)
            table.cell, table.spans = [], (_span(attrs.get("colspan")), _span(attrs.get("rowspan")))
        elif tag == "br":
            self.handle_data(" ")

    def handle_endtag(self, tag):
        if tag in ("table", "tr", "td", "th"):
            self._space_outer()
        if tag == "table":
            if self._too_deep:
                self._too_deep -= 1
            elif self._open:
                self._end_row(self._open.pop())
            return
        if not self._open or self._too_deep:
            return
        table = self._open[-1]
        if tag in ("td", "th"):
            table.end_cell()
        elif tag == "tr":
            self._end_row(table)

    def handle_data(self, data):
        for table in self._open:  # a nested table's text belongs to its enclosing cells too
            if table.cell is not None:
                table.cell.append(data)

    def _space_outer(self) -> None:
        """Keep the cells of a nested table apart in the text of the cell that holds it."""
        for table in self._open[:-1] if self._open else ():
            if table.cell is not None:
                table.cell.append(" ")

    def close(self):
        super().close()
        while self._open:
            self._end_row(self._open.pop())

    def _end_row(self, table: _HtmlTable) -> None:
        table.end_cell()
        if table.row is not None:
            self.budget.row(len(table.row))
            table.rows.append(table.row)
        table.row = None


def _span(value) -> int:
    """A colspan/rowspan attribute as a number ≥ 1 (anything else is 1)."""
    value = (value or "").strip()
    return max(1, int(value)) if value.isdigit() and len(value) < 10 else 1


def _grid(rows: list, budget: ReadBudget) -> list[list[str]]:
    """A table's rows as text cells, spans filled with blanks, bounded by the table's real width.

    The real width is the widest row's count of real cells (<td>/<th>); a
    colspan fills blanks only up to it (leaving room for the row's later
    cells) and a rowspan only over the rows the table has, so a span
    attribute — one number in the file — cannot make more cells than the
    file has cells. No real cell is ever dropped.
    """
    width = max((len(r) for r in rows), default=0)
    carried: dict[int, int] = {}  # column -> rows still covered by a rowspan from above
    grid = []
    for number, cells in enumerate(rows):
        line: list[str] = []
        rows_below = len(rows) - number - 1
        for index, (text, colspan, rowspan) in enumerate(cells):
            while carried.get(len(line)):
                _take(carried, len(line))
                line.append("")
            room = width - len(line) - (len(cells) - index - 1)
            colspan = max(1, min(colspan, room))
            for k in range(colspan):
                if rowspan > 1 and len(line) < width and rows_below:
                    carried[len(line)] = min(rowspan - 1, rows_below)
                line.append("" if k else text)
        last = max(carried, default=-1)  # blanks under rowspans after the row's own cells
        while len(line) <= last:
            if carried.get(len(line)):
                _take(carried, len(line))
            line.append("")
        budget.add_cells(len(line) - len(cells))
        if not number & 1023:
            budget.check_time()
        grid.append(line)
    return grid


def _take(carried: dict[int, int], column: int) -> None:
    carried[column] -= 1
    if not carried[column]:
        del carried[column]


def read_html_table(path, *, budget: ReadBudget | None = None) -> Table:
    """The data table of an HTML page saved as .xls (the SSIS export).

    The data table is the outermost table with a header and a data row
    across two columns or more (a page laid out in a one-cell table still
    gives the table inside); among tables as deep, the one with most rows.
    """
    path = Path(path)
    budget = budget or ReadBudget(path.name)
    data = path.read_bytes()
    declared = re.search(rb"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", data[:4096])
    text = None
    if declared:
        try:
            text = data.decode(declared.group(1).decode("ascii").lower().replace("ks_c_5601-1987", "cp949"))
        except (LookupError, UnicodeDecodeError):
            text = None
    text = without_nul(text) if text is not None else decode(data, path.name)[0]
    parser = _TableParser(budget)
    for start in range(0, len(text), HTML_CHUNK):
        parser.feed(text[start:start + HTML_CHUNK])
        budget.check_time()
    parser.close()
    tables = []
    for table in parser.tables:
        rows = [r for r in _grid(table.rows, budget) if any(c.strip() for c in r)]
        if rows:
            tables.append((table.depth, rows))
    if not tables:
        raise ImportFormatError("no_html_table", name=path.name)
    data_tables = [t for t in tables if len(t[1]) >= 2 and max(len(r) for r in t[1]) >= 2]
    if data_tables:
        shallowest = min(depth for depth, _rows in data_tables)
        tables = [t for t in data_tables if t[0] == shallowest]
    return _table(path, max((rows for _depth, rows in tables), key=len), "html", data)


def _table(path: Path, rows: list[list[str]], encoding: str, data: bytes) -> Table:
    headers = [" ".join(str(h).split()) for h in rows[0]]
    return Table(path, headers, rows[1:], encoding, hashlib.sha256(data).hexdigest())


def find_header_row(table: Table) -> Table:
    """Skip title rows: the first of the top rows whose headers name the agency.

    A lower row counts as the header only when one of its cells is exactly a
    name header and another cell is a known header too, so a data row
    ("○○시설") is never taken for one.
    """
    if "name" in recognise(table.headers).columns:
        return table
    for i, row in enumerate(table.rows[:HEADER_SCAN_ROWS]):
        headers = [" ".join(str(h).split()) for h in row]
        found = recognise(headers)
        if found.how.get("name") == "동의어" and len(found.columns) >= 2:
            numbers = [n for n, _cells in table.numbered()][i + 1:]  # rows keep their number in the file
            return Table(table.path, headers, table.rows[i + 1:], table.encoding, table.sha256, numbers,
                         table.broken)
    return table


# --- importing ----------------------------------------------------------------


def build_mapping(db, table: Table, overrides: dict[str, str] | None = None) -> Mapping:
    """The mapping for a table, user overrides applied; refuses a table without a name column."""
    mapping = recognise(table.headers, table.rows, types=taxonomy(db))
    if mapping.personal:
        raise PersonalDataError("personal_columns", name=table.path.name, columns=", ".join(mapping.personal),
                                known=known_lists())
    if overrides:
        mapping = apply_overrides(mapping, overrides)
    if "name" not in mapping.columns:
        raise MappingError("no_name_column", name=table.path.name,
                           headers=", ".join(h or "(빈 머리글)" for h in table.headers), known=known_lists())
    return mapping


def import_tabular(db, table: Table, *, mapping: dict[str, str] | None = None, source: str | None = None,
                   crs: str | None = None, progress=None, geocoder=None, defaults: dict | None = None,
                   only_types=None):
    """Import a generic agency list; returns the run's ImportSummary.

    The summary's extra holds the mapping used, the placement counts and the
    columns not stored (``dropped_columns``: every unmapped column, with the
    rows where it looked like personal data). `defaults` (field -> value)
    fills a field the list leaves empty or lacks (the demo says the type of
    a 다문화가족지원센터 list that does not); `only_types`, a set of type
    column values, imports only those rows (the rest are counted as
    ``skipped_types``). A total row (총계, 합계) is counted as ``skipped_totals``,
    not imported; a cell holding only "-" is empty.
    """
    table = find_header_row(table)
    chosen = build_mapping(db, table, mapping)
    source = source or f"list:{table.path.stem}"
    columns = chosen.columns
    defaults = {f: v for f, v in (defaults or {}).items() if f in FIELDS and v}
    hints = type_hints({clean_text(r[columns["type"]]) for r in table.rows if columns["type"] < len(r)}) \
        if "type" in columns else {}
    tax = taxonomy(db)
    units = _unit_names(table, columns, defaults, tax)
    operator_word = _header_type_word(table.headers, columns.get("operator"), tax)
    with ImportRun(db, source=source, dataset=f"목록 {table.path.name}", file_name=table.path.name,
                   file_hash=table.sha256, encoding=table.encoding) as run:
        # Only the mapped columns are stored; 비고 and the like are screened and dropped.
        run.keep_columns(h or f"열{i + 1}" for i, h in enumerate(table.headers) if i in columns.values())
        extra = run.summary.extra
        for number, cells in table.numbered():
            raw = {h or f"열{i + 1}": (cells[i] if i < len(cells) else "") for i, h in enumerate(table.headers)}
            fields = {f: _cell(cells, i) for f, i in columns.items()}
            for f, value in defaults.items():
                if not clean_text(fields.get(f)):
                    fields[f] = value
            if crs:
                fields["_crs"] = crs
            if hints and clean_text(fields.get("type")) in hints:
                fields["_type_hint"] = hints[clean_text(fields.get("type"))]
            if not clean_text(fields.get("name")) and not any(clean_text(c) for c in cells):
                continue
            if _is_total(fields):
                extra["skipped_totals"] = extra.get("skipped_totals", 0) + 1
                continue
            if only_types is not None and clean_text(fields.get("type")) not in only_types:
                extra["skipped_types"] = extra.get("skipped_types", 0) + 1
                continue
            if units:
                fields["name"] = _with_type(fields.get("name"), fields.get("type"), tax)
            if operator_word and clean_text(fields.get("operator")) and \
                    not clean_text(fields["operator"]).endswith(operator_word):
                fields["operator"] = clean_text(fields["operator"]) + operator_word
            key = f"{name_key(fields.get('name'))}|{address_key(fields.get('road_address') or fields.get('lot_address'))}"
            if table.broken_reason(number):  # cut out of the file by the reader (an unclosed quote)
                run.summary.rows += 1
                run.quarantine(number, None, table.broken_reason(number), raw)
                continue
            run.add_agency(fields, source_key=key, row_number=number, raw=raw)
            if progress:
                progress(1)
        extra["mapping"] = chosen.as_dict()
        if units:
            extra["names_completed"] = "관서·센터 이름에 유형을 붙였습니다 (을지 + 지구대 → 을지지구대)"
        finish_import(run, geocoder=geocoder)
    return run.summary


_TOTALS = frozenset({"총계", "합계", "소계", "계", "전체", "총합계"})


def _cell(cells: list[str], i: int) -> str:
    """A cell's text; "-" (a placeholder for nothing, as the SSIS export writes it) is empty."""
    value = cells[i] if i < len(cells) else ""
    return "" if value.strip() in ("-", "－", "—") else value


def _is_total(fields: dict) -> bool:
    """A list's last row that sums it up (총계 | 15,942): not an agency."""
    return (clean_text(fields.get("name")) or "").replace(" ", "") in _TOTALS


def _unit_names(table: Table, columns: dict, defaults: dict, tax) -> bool:
    """Whether the name column holds units' short names (을지, 부산진구) that the type completes.

    A list-wide judgement, like type_hints: of the rows whose type value
    (or the default type) is a known type, at least 80% have a name that
    names no type at all and is short (up to 8 characters). A list of
    facilities with names of their own (효천성바오로집) is left alone.
    """
    if "name" not in columns or ("type" not in columns and "type" not in defaults):
        return False
    typed = plain = 0
    for cells in table.rows[:500]:
        name = clean_text(_cell(cells, columns["name"]))
        kind = clean_text(_cell(cells, columns["type"])) if "type" in columns else None
        kind = kind or defaults.get("type")
        if not name or not kind or not tax.canonical_type(kind) or _is_total({"name": name}):
            continue
        typed += 1
        plain += tax.infer_type(name) is None and len(name.replace(" ", "")) <= 8
    return typed >= 3 and plain >= 0.8 * typed


def _with_type(name, kind, tax) -> str:
    """을지 + 지구대 -> 을지지구대; a name that names its type already is kept."""
    name, kind = clean_text(name), clean_text(kind)
    if not name or not kind or tax.infer_type(name) is not None or not tax.canonical_type(kind):
        return name or ""
    return name + kind


def _header_type_word(headers: list[str], index: int | None, tax) -> str | None:
    """The type word an operator column's header is (경찰서), which its short values lack (서울중부)."""
    if index is None or index >= len(headers):
        return None
    header = (headers[index] or "").replace(" ", "")
    return header if header and tax.canonical_type(header) else None
