"""Hostile and damaged lists: spans, budgets, unclosed quotes, nested tables, decimal commas, NUL bytes."""
from __future__ import annotations

import json
import time
import tracemalloc
import zipfile

import pytest

from cli import main
from importers import ImportFormatError, import_file, reading
from importers.coords import read_coordinates
from importers.reading import ImportLimitError, ReadBudget, read_csv
from importers.tabular import read_table
from tests.test_transfer import _upload, admin  # noqa: F401  (admin: the signed-in admin client fixture)

PAGE = '<html><head><meta charset="utf-8"></head><body>{}</body></html>'


def write_html(path, body: str):
    path.write_text(PAGE.format(body), encoding="utf-8")
    return path


def measured(function, *args):
    """(result, seconds, peak MB of Python allocations) of one call."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        result = function(*args)
    finally:
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return result, seconds, peak


# --- item 8: spans and budgets -------------------------------------------------


@pytest.mark.parametrize("where", ["header", "data"])
def test_a_huge_colspan_is_read_within_5_seconds_and_200_mb(db, tmp_path, where):
    # The 178-byte attack file: one number in one attribute once asked for 30 million cells.
    header = '<th colspan="30000000">기관명</th><th>주소</th>' if where == "header" else "<th>기관명</th><th>주소</th>"
    first = '<td colspan="30000000">가나복지관</td>' if where == "data" else "<td>가나복지관</td>"
    path = write_html(tmp_path / "span.xls", f"<table><tr>{header}</tr><tr>{first}<td>서울특별시 중구 세종대로 110</td></tr></table>")
    assert path.stat().st_size < 400
    summary, seconds, peak = measured(import_file, db, path)
    assert seconds < 5 and peak < 200, (seconds, peak)
    assert summary.imported == 1 and summary.extra["mapping"] == {"name": "기관명", "road_address": "주소"}
    assert db.execute("SELECT name, road_address FROM agencies").fetchone() == ("가나복지관", "서울특별시 중구 세종대로 110")


def test_spans_are_capped_by_the_tables_real_width(tmp_path):
    path = write_html(tmp_path / "wide.xls", """<table>
        <tr><td colspan="999999">2024년 협력기관 현황</td></tr>
        <tr><th>기관명</th><th colspan="999999">주소</th><th>전화</th></tr>
        <tr><td>가복지관</td><td>서울 중구 1</td><td>02-1</td></tr></table>""")
    table = read_table(path)
    assert table.headers == ["2024년 협력기관 현황", "", ""]  # the widest row has 3 real cells
    assert table.rows == [["기관명", "주소", "전화"], ["가복지관", "서울 중구 1", "02-1"]]


def test_two_level_headers_keep_their_columns_under_rowspan_and_colspan(tmp_path):
    path = write_html(tmp_path / "levels.xls", """<table>
        <tr><th rowspan="2">기관명</th><th colspan="2">주소</th><th rowspan="2">전화</th></tr>
        <tr><th>도로명</th><th>지번</th></tr>
        <tr><td>가복지관</td><td>서울 중구 세종대로 1</td><td>태평로1가 31</td><td>02-1</td></tr></table>""")
    table = read_table(path)
    assert table.headers == ["기관명", "주소", "", "전화"]
    assert table.rows == [["", "도로명", "지번", ""], ["가복지관", "서울 중구 세종대로 1", "태평로1가 31", "02-1"]]


def test_a_huge_rowspan_covers_only_the_rows_the_table_has(tmp_path):
    path = write_html(tmp_path / "tall.xls", """<table><tr><th rowspan="99999999">구분</th><th>기관명</th></tr>
        <tr><td>가복지관</td></tr><tr><td>나복지관</td></tr></table>""")
    table, seconds, peak = measured(read_table, path)
    assert seconds < 5 and peak < 200
    assert table.headers == ["구분", "기관명"] and table.rows == [["", "가복지관"], ["", "나복지관"]]


def test_a_file_past_the_cell_budget_is_refused_with_its_code(db, tmp_path, monkeypatch):
    monkeypatch.setattr(reading, "MAX_CELLS", 50)
    rows = "".join(f"<tr><td>기관{i}</td><td>서울 중구 {i}</td></tr>" for i in range(40))
    path = write_html(tmp_path / "many.xls", f"<table><tr><th>기관명</th><th>주소</th></tr>{rows}</table>")
    with pytest.raises(ImportLimitError) as caught:
        import_file(db, path)
    assert caught.value.code == "too_many_cells" and caught.value.params == {"name": "many.xls", "limit": 50}
    assert "칸이 너무 많습니다" in str(caught.value)
    assert db["import_runs"].count == 0


@pytest.mark.parametrize("limit, code, words", [
    ("MAX_ROWS", "too_many_rows", "행이 너무 많습니다"),
    ("MAX_COLUMNS", "too_many_columns", "열이 너무 많습니다"),
])
def test_a_csv_past_the_row_or_column_budget_is_refused(tmp_path, monkeypatch, limit, code, words):
    monkeypatch.setattr(reading, limit, 3)
    path = tmp_path / "big.csv"
    path.write_text("기관명,주소,전화,비고\n" + "가복지관,서울 중구 1,02-1,\n" * 5, encoding="utf-8")
    with pytest.raises(ImportLimitError, match=words) as caught:
        read_csv(path)
    assert caught.value.code == code


def test_a_file_slower_than_its_time_budget_is_refused(tmp_path):
    path = write_html(tmp_path / "slow.xls", "<table><tr><th>기관명</th></tr><tr><td>가</td></tr></table>")
    with pytest.raises(ImportLimitError) as caught:
        read_table(path, budget=ReadBudget(path.name, seconds=-1))
    assert caught.value.code == "too_slow" and "초가 넘게 걸려" in str(caught.value)


def test_cli_import_shows_the_korean_line_of_a_limit(runner, tmp_path, monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 2)
    path = tmp_path / "rows.csv"
    path.write_text("기관명,주소\n" + "가복지관,서울 중구 1\n" * 4, encoding="utf-8")
    result = runner.invoke(main, ["--db", str(tmp_path / "c.db"), "import", str(path)])
    assert result.exit_code != 0
    assert "rows.csv: 행이 너무 많습니다 (한 파일 최대 2행)" in result.output


def test_web_preview_of_the_colspan_file_answers_quickly(admin):
    data = PAGE.format('<table><tr><th colspan="30000000">기관명</th><th>주소</th></tr>'
                       '<tr><td>가나복지관</td><td>서울특별시 중구 세종대로 110</td></tr></table>').encode()
    preview_url = _upload(admin, "span.xls", data).headers["Location"]
    start = time.perf_counter()
    page = admin.get(preview_url)
    assert time.perf_counter() - start < 5
    assert page.status_code == 200 and "가나복지관" in page.get_data(as_text=True)


def test_web_preview_shows_the_korean_line_of_a_limit(admin, monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 2)
    preview_url = _upload(admin, "rows.csv", ("기관명,주소\n" + "가복지관,서울 중구 1\n" * 4).encode()).headers["Location"]
    page = admin.get(preview_url).get_data(as_text=True)
    assert "행이 너무 많습니다" in page and "이대로 가져오기" not in page


def test_xlsx_claiming_the_whole_sheet_is_read_as_its_cells(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["기관명", "주소"])
    book.active.append(["가복지관", "서울특별시 중구 세종대로 1"])
    plain = tmp_path / "plain.xlsx"
    book.save(plain)
    hostile = tmp_path / "whole.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(hostile, "w") as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":  # 16,384 columns by 1,048,576 rows
                data = data.replace(b'<dimension ref="A1:B2"', b'<dimension ref="A1:XFD1048576"')
                assert b"XFD1048576" in data
            out.writestr(item, data)
    table, seconds, _peak = measured(read_table, hostile)
    assert seconds < 5
    assert table.headers == ["기관명", "주소"] and table.rows == [["가복지관", "서울특별시 중구 세종대로 1"]]


# --- item 9: losses ------------------------------------------------------------------


def test_unclosed_quote_keeps_the_good_rows_after_it(db, tmp_path):
    path = tmp_path / "quote.csv"
    path.write_text("\n".join([
        "기관명,주소,전화번호",
        "가복지관,서울특별시 중구 세종대로 1,02-111-1111",
        '"나복지관,서울특별시 중구 세종대로 2,02-111-2222',
        *(f"{c}복지관,서울특별시 중구 세종대로 {i},02-111-{i:04}" for i, c in zip(range(3, 8), "다라마바사")),
        '아복지관,"서울특별시 중구, 세종대로 8",02-111-8888',
    ]) + "\n", encoding="utf-8")
    summary = import_file(db, path)
    assert (summary.rows, summary.imported, summary.quarantined) == (8, 7, 1)
    assert summary.errors[0]["row"] == 3 and "따옴표" in summary.errors[0]["message"]
    numbers = dict(db.execute("SELECT a.name, s.row_number FROM agencies a JOIN agency_sources s ON s.agency_id = a.id"))
    assert numbers == {"가복지관": 2, "다복지관": 4, "라복지관": 5, "마복지관": 6, "바복지관": 7, "사복지관": 8,
                       "아복지관": 9}
    assert db.execute("SELECT road_address FROM agencies WHERE name = '아복지관'").fetchone()[0] == "서울특별시 중구, 세종대로 8"
    raw = json.loads(db.execute("SELECT raw FROM quarantine").fetchone()[0])
    assert "나복지관" in json.dumps(raw, ensure_ascii=False)


def test_quoted_multi_line_cells_are_still_one_cell(tmp_path):
    path = tmp_path / "multi.csv"
    path.write_text('기관명,서비스,전화\n가복지관,"상담\n교육",02-1\n"ab"c,d,e\n나복지관,돌봄,02-2\n', encoding="utf-8")
    table = read_csv(path)
    assert table.broken == {}
    assert table.rows == [["가복지관", "상담\n교육", "02-1"], ["abc", "d", "e"], ["나복지관", "돌봄", "02-2"]]


def test_an_unclosed_quote_on_the_last_line_costs_only_that_line(tmp_path):
    path = tmp_path / "last.csv"
    path.write_text('기관명,주소\n가복지관,서울 중구 1\n"나복지관,서울 중구 2\n', encoding="utf-8")
    table = read_csv(path)
    assert list(table.numbered()) == [(2, ["가복지관", "서울 중구 1"]), (3, ["나복지관,서울 중구 2"])]
    assert table.broken == {3: "unclosed_quote"}


def test_a_nested_table_does_not_swallow_the_rows_of_the_outer_one(tmp_path):
    path = write_html(tmp_path / "nested.xls", """<table>
        <tr><th>기관명</th><th>주소</th><th>연락처</th></tr>
        <tr><td>가복지관</td><td>서울 중구 1</td><td><table><tr><td>대표</td><td>02-1</td></tr>
                                                         <tr><td>팩스</td><td>02-2</td></tr>
                                                         <tr><td>상담</td><td>02-3</td></tr></table></td></tr>
        <tr><td>나복지관</td><td>서울 중구 2</td><td>02-4</td></tr>
        <tr><td>다복지관</td><td>서울 중구 3</td><td>02-5</td></tr></table>""")
    table = read_table(path)
    assert table.headers == ["기관명", "주소", "연락처"]
    assert [r[0] for r in table.rows] == ["가복지관", "나복지관", "다복지관"]
    assert table.rows[0][2] == "대표 02-1 팩스 02-2 상담 02-3"  # the inner table's text stays in its cell


def test_a_page_laid_out_in_a_table_gives_the_data_table_inside(tmp_path):
    path = write_html(tmp_path / "layout.xls", """<table><tr><td>
        <table><tr><th>기관명</th><th>주소</th></tr><tr><td>가복지관</td><td>서울 중구 1</td></tr>
               <tr><td>나복지관</td><td>서울 중구 2</td></tr></table></td></tr></table>""")
    table = read_table(path)
    assert table.headers == ["기관명", "주소"] and [r[0] for r in table.rows] == ["가복지관", "나복지관"]


def test_cells_and_rows_closed_implicitly(tmp_path):
    path = write_html(tmp_path / "loose.xls", "<table><tr><th>기관명<th>주소<tr><td>가복지관<td>서울 중구 1</table>")
    table = read_table(path)
    assert table.headers == ["기관명", "주소"] and table.rows == [["가복지관", "서울 중구 1"]]


@pytest.mark.parametrize("lat, lon, expected", [
    ("37,65", "127,06", (37.65, 127.06, None)),
    ("127,06", "37,65", (37.65, 127.06, "swapped")),
    ("37,650", "127,060", (37.65, 127.06, None)),  # as metres this would be a point in the sea off 제주
    ("37.5665", "126,978", (37.5665, 126.978, None)),
])
def test_decimal_comma_coordinates_are_degrees(lat, lon, expected):
    assert read_coordinates(lat, lon) == expected


def test_thousands_separators_in_metres_still_read_as_metres():
    lat, lon, note = read_coordinates("1,944,000", "958,000")
    assert note == "UTM-K" and round(lat, 2) == 37.49 and round(lon, 2) == 127.02


def test_decimal_comma_coordinates_are_stored_as_degrees(db, tmp_path):
    path = tmp_path / "comma.csv"
    path.write_text('기관명,주소,위도,경도\n가복지관,서울특별시 성북구 보문로 1,"37,59","127,02"\n'
                    '나복지관,서울특별시 중구 세종대로 1,"12,5","12,5"\n', encoding="utf-8")
    summary = import_file(db, path)
    assert (summary.imported, summary.quarantined) == (1, 1)  # 나: "12,5" is out of Korea, not metres
    assert db.execute("SELECT lat, lon, placement FROM agencies WHERE name = '가복지관'").fetchone() == (37.59, 127.02, "exact")
    assert "대한민국 밖" in summary.errors[0]["message"]


def test_nul_bytes_past_the_first_4_kb_never_reach_names(db, tmp_path):
    filler = "".join(f"{i}번복지관,서울특별시 중구 세종대로 {i}\n" for i in range(200))
    path = tmp_path / "nul.csv"
    path.write_bytes(("기관명,주소\n" + filler).encode() + "가\x00나\x00복지관,서울특별시 중구 세종대로 999\n".encode())
    assert path.read_bytes().index(b"\x00") > 4096
    import_file(db, path)
    assert db.execute("SELECT count(*) FROM agencies WHERE instr(name, char(0)) > 0").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM agencies WHERE name = '가나복지관'").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM agency_sources WHERE instr(raw, '\\u0000') > 0").fetchone()[0] == 0


def test_nul_bytes_are_removed_from_html_and_xlsx(tmp_path):
    from importers.tabular import _cell_text

    html = tmp_path / "nul.xls"
    html.write_bytes(PAGE.format("<table><tr><th>기관명</th></tr><tr><td>가\x00복지관</td></tr></table>").encode())
    assert read_table(html).rows == [["가복지관"]]
    # XML cannot hold NUL, but openpyxl turns a shared string's "_x0000_" escape back into one.
    assert _cell_text("가\x00복지관") == "가복지관"


def test_a_binary_file_is_still_refused(db, tmp_path):
    path = tmp_path / "bin.csv"
    path.write_bytes(b"a,b\x00\x01\x02")
    with pytest.raises(ImportFormatError, match="이진 파일"):
        import_file(db, path)
