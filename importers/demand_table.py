"""A planner's own demand table: a number per 시군구 or 읍면동, by code or by name.

Read like an agency list (:func:`importers.tabular.read_table`: CSV in UTF-8
or CP949, XLSX, an HTML-table "xls"; the same read budget, the same errors
for a broken or empty file). The area is a code column (10-digit 행정코드 or
5-digit 시군구), or 시도 + 시군구 (+ 읍면동) columns, or one 지역 column
holding the whole name (서울특별시 노원구 상계1동). The value is the column
asked for, or the only numeric column left. Rows that cannot be used (no
area, a value that is not a number) are returned as rejected with their row
number and the reason, never dropped silently; a table whose cells look like
a resident's personal data is refused whole (a demand table holds totals,
not people), and nothing of it is stored.

The rows go to :func:`network.access.accessibility` as ``demand_table``,
where :func:`network.demand.join_demand` puts them on the areas.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from directory import messages
from directory.normalize import normalize_sido
from directory.privacy import find_personal_data
from network.demand import DemandError

from .reading import ReadBudget
from .tabular import norm_header, read_table

__all__ = ["DemandTable", "read_demand_table", "CODE_HEADERS", "SIDO_HEADERS", "SIGUNGU_HEADERS", "DONG_HEADERS",
           "NAME_HEADERS"]

CODE_HEADERS = ("행정코드", "행정구역코드", "행정기관코드", "시군구코드", "읍면동코드", "행정동코드", "지역코드", "코드",
                "admcd", "admcode", "code")
SIDO_HEADERS = ("시도", "시도명", "광역시도", "광역자치단체", "sido")
SIGUNGU_HEADERS = ("시군구", "시군구명", "기초자치단체", "sigungu")
DONG_HEADERS = ("읍면동", "읍면동명", "행정동", "행정동명", "eupmyeondong")
NAME_HEADERS = ("지역", "지역명", "행정구역", "행정구역명", "자치단체", "area", "name")


@dataclass
class DemandTable:
    """The usable rows of a demand table, the rows set aside and why, and what was read."""

    name: str
    column: str
    level: str
    rows: list[dict] = field(default_factory=list)
    # {"row": number, "code": a directory.messages code, "params": its values, "reason": the Korean sentence}
    rejected: list[dict] = field(default_factory=list)
    encoding: str | None = None

    def level_for(self, asked: str | None = None) -> str:
        """The level to measure at: the table's own, or `asked` when the table can fill it.

        A 읍면동 table adds up to its 시군구; a 시군구 table cannot be split
        into 읍면동 (DemandError ``demand_table_too_coarse``).
        """
        if not asked or asked == self.level:
            return self.level
        if asked == "sigungu" and self.level == "eupmyeondong":
            return asked
        raise DemandError("demand_table_too_coarse", name=self.name, level=asked)

    def reject(self, row: int, code: str, **params) -> None:
        """Set row `row` aside for the reason `code` (worded by directory.messages, translated by the shells)."""
        self.rejected.append({"row": row, "code": code, "params": params, "reason": messages.render(code, params)})


def read_demand_table(path, *, column: str | None = None, name: str | None = None,
                      budget: ReadBudget | None = None) -> DemandTable:
    """Read a demand table; `column` names the value column (else the only numeric one).

    Raises :class:`network.demand.DemandError` (or the readers'
    ImportFormatError) with a Korean message when the file cannot be used:
    no area column, no value column or more than one to choose from, a value
    column of words, a cell that looks like personal data, no rows.
    """
    path = Path(path)
    label = name or path.name
    table = read_table(path, budget=budget)
    headers = table.headers
    normed = [norm_header(h) for h in headers]

    def find(candidates):
        for c in candidates:
            key = norm_header(c)
            if key in normed:
                return normed.index(key)
        return None

    code_i, sido_i, sgg_i, dong_i, name_i = (find(CODE_HEADERS), find(SIDO_HEADERS), find(SIGUNGU_HEADERS),
                                             find(DONG_HEADERS), find(NAME_HEADERS))
    shown = ", ".join(headers) or "(없음)"
    if not table.rows:
        raise DemandError("demand_empty_table", name=label, headers=shown)
    if code_i is None and name_i is None and not (sido_i is not None and (sgg_i is not None or dong_i is not None)):
        raise DemandError("demand_no_area_column", name=label, headers=shown)
    area_columns = {i for i in (code_i, sido_i, sgg_i, dong_i, name_i) if i is not None}
    if column:
        key = norm_header(column)
        if key not in normed:
            raise DemandError("demand_column_not_found", name=label, column=column, headers=shown)
        value_i = normed.index(key)
    else:
        numeric = [i for i in range(len(headers)) if i not in area_columns and _mostly_numbers(table.rows, i)]
        if len(numeric) > 1:
            raise DemandError("demand_ambiguous_value_column", name=label,
                              columns=", ".join(headers[i] for i in numeric), choices=[headers[i] for i in numeric])
        if not numeric:
            raise DemandError("demand_no_value_column", name=label, headers=shown)
        value_i = numeric[0]
    values = [_cell(r, value_i) for r in table.rows]
    filled = [v for v in values if v]
    if filled and sum(_number(v) is None for v in filled) > len(filled) / 2:
        example = next(v for v in filled if _number(v) is None)
        raise DemandError("demand_column_not_numbers", name=label, column=headers[value_i], example=example)
    level = "eupmyeondong" if dong_i is not None or _dong_codes(table.rows, code_i) else "sigungu"
    result = DemandTable(label, headers[value_i], level, encoding=table.encoding)
    for number, cells in table.numbered():
        for cell in cells:
            findings = find_personal_data(cell) if cell and _number(cell) is None else []
            if findings:
                raise DemandError("demand_personal_data", name=label, row=number, what=findings[0].kind)
        broken = table.broken.get(number)
        if broken:
            result.reject(number, broken)
            continue
        raw = _cell(cells, value_i)
        value = _number(raw)
        if value is None or value < 0:
            result.reject(number, "demand_value_not_number", value=raw)
            continue
        row = {"value": value, "row": number}
        if code_i is not None and _cell(cells, code_i):
            row["code"] = _cell(cells, code_i)
        sido = _cell(cells, sido_i) if sido_i is not None else ""
        sigungu = _cell(cells, sgg_i) if sgg_i is not None else ""
        dong = _cell(cells, dong_i) if dong_i is not None else ""
        if name_i is not None and _cell(cells, name_i) and not (sido and (sigungu or dong)):
            sido, sigungu, dong = _split_name(_cell(cells, name_i), level)
        if sido:
            row.update({"sido": sido, "sigungu": sigungu, "eupmyeondong": dong or None})
        if "code" not in row and not (sido and (sigungu or dong or normalize_sido(sido) == "세종특별자치시")):
            result.reject(number, "demand_row_no_area")
            continue
        row["label"] = " ".join(x for x in (sido, sigungu, dong) if x) or row.get("code", "")
        result.rows.append(row)
    if not result.rows:
        raise DemandError("demand_no_rows", name=label, rejected=len(result.rejected))
    return result


def _split_name(text: str, level: str) -> tuple[str, str, str]:
    """서울특별시 노원구 상계1동 -> (서울특별시, 노원구, 상계1동); a 일반구 stays with its 시."""
    parts = text.split()
    if not parts:
        return "", "", ""
    sido, rest = parts[0], parts[1:]
    if level == "eupmyeondong" and rest:
        return sido, " ".join(rest[:-1]), rest[-1]
    return sido, " ".join(rest), ""


def _dong_codes(rows, code_i) -> bool:
    if code_i is None:
        return False
    codes = ["".join(ch for ch in _cell(r, code_i) if ch.isdigit()) for r in rows[:200]]
    codes = [c for c in codes if len(c) == 10]
    return bool(codes) and sum(c[5:] != "00000" for c in codes) > len(codes) / 2


def _mostly_numbers(rows, i) -> bool:
    cells = [_cell(r, i) for r in rows[:500]]
    cells = [c for c in cells if c]
    return bool(cells) and sum(_number(c) is not None for c in cells) > len(cells) * 0.8


def _cell(cells, i) -> str:
    return " ".join(str(cells[i]).split()) if i is not None and i < len(cells) and cells[i] is not None else ""


def _number(text) -> float | None:
    text = str(text or "").replace(",", "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and value not in (float("inf"), float("-inf")) else None
