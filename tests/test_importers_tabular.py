"""Generic tabular agency lists: header recognition, mappings, spreadsheets, coordinates."""
import csv
import json

import pytest
from pyproj import Transformer

from cli import main
from importers import ImportFormatError, MappingError, import_file, preview_mapping
from importers.tabular import parse_mapping_lines, read_table, recognise
from tests.conftest import PUBLIC

MENTAL = PUBLIC / "mental_health_institutions_20220301.csv"
CENTRES = PUBLIC / "eupmyeondong_community_centers.csv"
CENTRES_TYPES = ("기초정신건강복지센터", "광역정신건강복지센터", "중독관리통합지원센터")


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    """A store with the two standard lists, then the mental-health and community-centre lists."""
    from directory.store import connect

    database = connect(tmp_path_factory.mktemp("national") / "n.db")
    summaries = {}
    for name in ("dementia_centers_standard.csv", "health_promotion_centers_standard.csv"):
        import_file(database, PUBLIC / name)
    summaries["mental"] = import_file(database, MENTAL)
    summaries["centres"] = import_file(database, CENTRES)
    yield database, summaries
    database.conn.close()


def source_rows(db, source, where="1"):
    """Each source row of a list with the placement of the agency it ended up on."""
    return list(db.query(
        f"""SELECT s.raw, a.placement, a.sido, a.sigungu, a.road_address, a.postcode, a.source = s.source AS own
            FROM agency_sources s JOIN agencies a ON a.id = s.agency_id WHERE s.source = ? AND {where}""",
        [source]))


def test_mental_health_centres_all_placed_most_by_matching(national):
    db, summaries = national
    summary = summaries["mental"]
    assert summary.rows == 2786 and summary.quarantined == 0
    assert summary.extra["mapping"] == {"name": "기관명", "type": "기관구분", "road_address": "주소", "homepage": "홈페이지"}
    placed = summary.extra["placed"]
    assert set(placed) <= {"exact", "matched", "geocoded", "eupmyeondong", "sigungu", "unplaced"}
    assert placed["matched"] > 300 and placed.get("unplaced", 0) <= 2
    rows = [r for r in source_rows(db, "list:mental_health_institutions_20220301")
            if json.loads(r["raw"])["기관구분"] in CENTRES_TYPES]
    assert len(rows) == 301
    assert all(r["placement"] != "unplaced" for r in rows)
    matched = [r for r in rows if r["placement"] == "matched" or (r["placement"] == "exact" and not r["own"])]
    assert len(matched) > len(rows) / 2
    assert {r["placement"] for r in rows} <= {"exact", "matched", "eupmyeondong", "sigungu"}
    # 의원/병원 of this list are psychiatric (data/reference/type_values.csv): no agency left untyped.
    untyped = db.execute("SELECT count(*) FROM agencies a JOIN agency_sources s ON s.agency_id = a.id "
                         "WHERE s.source = 'list:mental_health_institutions_20220301' AND a.type IS NULL").fetchone()
    assert untyped == (0,)


def test_generic_type_values_mean_nothing_in_another_list(db, tmp_path):
    path = tmp_path / "clinics.csv"
    path.write_text("기관명,기관구분,주소\n튼튼의원,의원,서울특별시 중구 세종대로 1\n", encoding="utf-8")
    import_file(db, path)
    assert db.execute("SELECT type, type_raw FROM agencies").fetchone() == (None, "의원")


def test_mental_health_rows_join_the_same_centre_of_the_health_promotion_list(national):
    db, _ = national
    merged = list(db.query("SELECT rule, merged_name FROM agency_merges WHERE import_run_id = 3"))
    assert len(merged) > 50
    gijang = db.execute(
        "SELECT a.placement, count(*) FROM agencies a JOIN agency_sources s ON s.agency_id = a.id "
        "WHERE a.name = '기장군 정신건강증진센터' GROUP BY a.id").fetchone()
    assert gijang == ("exact", 2)


def test_address_without_sido_or_sigungu_is_placed_from_the_same_road_and_number(national):
    db, _ = national
    row = db.execute("SELECT sido, sigungu, placement FROM agencies WHERE road_address = '관평로170번길 22'").fetchone()
    assert row == ("경기도", "안양시 동안구", "sigungu")


def test_community_centres_all_placed_and_normalised(national):
    db, summaries = national
    summary = summaries["centres"]
    assert summary.rows == 3555 and summary.quarantined == 0
    assert summary.extra["mapping"]["name"] == "읍면동"
    assert summary.extra["mapping"]["road_address"] == "주 소"
    rows = source_rows(db, "list:eupmyeondong_community_centers")
    assert len(rows) == 3555
    assert {r["placement"] for r in rows} <= {"exact", "matched", "eupmyeondong", "sigungu"}
    assert all(r["sido"] and r["sigungu"] for r in rows)
    assert not [r for r in rows if "경상븍도" in (r["road_address"] or "")]
    assert db.execute("SELECT count(*) FROM agencies WHERE road_address LIKE '%경상븍도%' OR sido LIKE '%븍%'").fetchone()[0] == 0
    assert all(len(r["postcode"]) == 5 for r in rows if r["own"])
    centre = db.execute("SELECT postcode, type, placement, eupmyeondong FROM agencies "
                        "WHERE name = '청운효자동주민센터'").fetchone()
    assert centre == ("03047", "행정복지센터", "eupmyeondong", "청운효자동")
    assert summary.extra["placed"]["eupmyeondong"] > 3000


def test_reimporting_a_generic_list_changes_nothing(db):
    first = import_file(db, CENTRES)
    again = import_file(db, CENTRES)
    assert (again.imported, again.updated, again.merged) == (0, 0, 0)
    assert again.unchanged == first.rows == 3555


# --- unseen lists ------------------------------------------------------------------


def test_unseen_list_with_ordinary_headers_imports_without_mapping(db, tmp_path):
    path = tmp_path / "노원구_복지시설.csv"
    path.write_bytes(
        "시설명,시설종류상세명,시설 주소,연락처,정원\n"
        "상계종합사회복지관,종합사회복지관,서울특별시 노원구 상계로 1,02-951-0001,\n"
        "노원노인종합복지관,노인종합복지관,서울특별시 노원구 노원로 1,02-951-0002,30\n".encode("cp949"))
    summary = import_file(db, path)
    assert summary.imported == 2 and summary.quarantined == 0
    assert summary.extra["mapping"] == {"name": "시설명", "type": "시설종류상세명", "road_address": "시설 주소",
                                        "phone": "연락처", "capacity": "정원"}
    rows = list(db.query("SELECT name, type, phone, sigungu, placement, source FROM agencies ORDER BY name"))
    assert rows[0] == {"name": "노원노인종합복지관", "type": "노인복지센터", "phone": "02-951-0002",
                       "sigungu": "노원구", "placement": "sigungu", "source": "list:노원구_복지시설"}
    assert rows[1]["type"] == "사회복지관"


def test_odd_headers_import_with_a_three_line_mapping_file(db, tmp_path, runner):
    path = tmp_path / "odd.csv"
    path.write_text("순번,곳,어디,번호\n1,행복나눔센터,부산광역시 해운대구 중동 1394-65,051-749-4000\n", encoding="utf-8")
    with pytest.raises(MappingError, match="찾은 열: 순번, 곳, 어디, 번호"):
        import_file(db, path)
    mapping = tmp_path / "odd.map"
    mapping.write_text("name=곳\naddress=어디\nphone: 번호\n", encoding="utf-8")
    dbfile = tmp_path / "cli.db"
    result = runner.invoke(main, ["--db", str(dbfile), "import", str(path), "--mapping", str(mapping)])
    assert result.exit_code == 0, result.output
    assert "name ← 곳" in result.output and "road_address ← 어디" in result.output
    from directory.store import connect

    stored = connect(dbfile).execute("SELECT name, sigungu, phone FROM agencies").fetchone()
    assert stored == ("행복나눔센터", "해운대구", "051-749-4000")


def test_map_on_the_command_line_and_show_mapping(runner, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("곳,어디\n행복센터,대구광역시 중구 공평로 88\n", encoding="utf-8")
    args = ["--db", str(tmp_path / "x.db"), "import", str(path), "--map", "name=곳", "--map", "address=어디"]
    shown = runner.invoke(main, [*args, "--show-mapping"])
    assert shown.exit_code == 0 and "기관명(name) ← 곳 [사용자 지정]" in shown.output
    result = runner.invoke(main, [*args, "--json"])
    assert json.loads(result.stdout)["imported"] == 1
    bad = runner.invoke(main, ["--db", str(tmp_path / "x.db"), "import", str(path), "--map", "name=없는열"])
    assert bad.exit_code != 0 and "찾은 열: 곳, 어디" in bad.output


def test_refuses_a_list_about_people(db, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("성명,나이,주소\n홍길동,80,서울특별시 노원구 상계로 1\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match="개인정보"):
        import_file(db, path)
    assert db["agencies"].count == 0


@pytest.mark.parametrize(
    "headers, expected",
    [
        (["기관명", "주소"], {"name": "기관명", "road_address": "주소"}),
        (["수행기관명", "도로명전체주소", "소재지전체주소", "기관 대표전화"],
         {"name": "수행기관명", "road_address": "도로명전체주소", "lot_address": "소재지전체주소", "phone": "기관 대표전화"}),
        (["사업장명", "와이(Y)좌표", "엑스(X)좌표", "시설유형(소)"],
         {"name": "사업장명", "type": "시설유형(소)", "lat": "와이(Y)좌표", "lon": "엑스(X)좌표"}),
        (["치매센터명", "운영기관전화번호", "위도", "경도"],
         {"name": "치매센터명", "lat": "위도", "lon": "경도", "phone": "운영기관전화번호"}),
        (["기관명(한글)", "소재지 도로명 주소"], {"name": "기관명(한글)", "road_address": "소재지 도로명 주소"}),
    ],
)
def test_header_recognition(headers, expected):
    assert recognise(headers).as_dict() == expected


def test_mapping_lines():
    assert parse_mapping_lines(["name = 기관이름", "# 주석", "latitude: Y좌표", ""]) == {"name": "기관이름", "lat": "Y좌표"}
    with pytest.raises(MappingError, match="2행"):
        parse_mapping_lines(["name=a", "이상한 줄"])


# --- spreadsheets --------------------------------------------------------------------


def test_xlsx_with_a_title_row(db, tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2024년 강서구 협력기관 현황"])
    sheet.append(["기관명", "주소", "전화번호", "위도", "경도"])
    sheet.append(["강서구정신건강복지센터", "서울특별시 강서구 공항대로 561", "02-2600-5926", 37.5509, 126.8495])
    sheet.append(["등촌복지관", "서울특별시 강서구 강서로 1", None, None, None])
    path = tmp_path / "list.xlsx"
    book.save(path)
    summary = import_file(db, path)
    assert summary.encoding == "xlsx" and summary.imported == 2
    rows = dict(db.execute("SELECT name, placement FROM agencies").fetchall())
    assert rows == {"강서구정신건강복지센터": "exact", "등촌복지관": "sigungu"}


def test_ssis_html_xls(db, tmp_path):
    html = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=euc-kr"></head><body>
    <table border=1><tr><th>시설명</th><th>시설유형</th><th>주소</th><th>전화번호</th></tr>
    <tr><td>성북지역자활센터</td><td>지역자활센터</td><td>서울특별시 성북구 보문로 1</td><td>02-921-0000</td></tr>
    <tr><td>정릉시니어클럽&amp;카페</td><td>시니어클럽</td><td>서울특별시 성북구<br>정릉로 1</td><td></td></tr>
    </table></body></html>"""
    path = tmp_path / "ssis.xls"
    path.write_bytes(html.encode("cp949"))
    table = read_table(path)
    assert table.headers == ["시설명", "시설유형", "주소", "전화번호"] and table.encoding == "html"
    summary = import_file(db, path)
    assert summary.imported == 2
    names = {r[0]: r[1] for r in db.execute("SELECT name, road_address FROM agencies")}
    assert names["정릉시니어클럽&카페"] == "서울특별시 성북구 정릉로 1"
    (tmp_path / "real.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    with pytest.raises(ImportFormatError, match="xlsx"):
        import_file(db, tmp_path / "real.xls")


# --- coordinates -----------------------------------------------------------------------


def _projected(crs, lat, lon):
    return Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lon, lat)


def test_projected_and_swapped_coordinates(db, tmp_path):
    x_utmk, y_utmk = _projected("EPSG:5179", 37.5665, 126.9780)
    x_tm, y_tm = _projected("EPSG:5186", 35.1796, 129.0756)
    path = tmp_path / "xy.csv"
    path.write_text(
        "시설명,주소,엑스(X)좌표,와이(Y)좌표\n"
        f"가센터,서울특별시 중구 세종대로 110,{x_utmk:.1f},{y_utmk:.1f}\n"
        f"나센터,부산광역시 연제구 중앙대로 1001,{x_tm:.1f},{y_tm:.1f}\n"
        "다센터,서울특별시 중구 세종대로 1,37.5665,126.9780\n", encoding="utf-8")
    summary = import_file(db, path)
    assert summary.quarantined == 0
    assert summary.extra["coordinates"] == {"UTM-K": 1, "TM 중부원점(GRS80)": 1, "swapped": 1}
    rows = {r["name"]: r for r in db.query("SELECT * FROM agencies")}
    assert rows["가센터"]["lat"] == pytest.approx(37.5665, abs=1e-5)
    assert rows["나센터"]["lon"] == pytest.approx(129.0756, abs=1e-5)
    assert (rows["다센터"]["lat"], rows["다센터"]["lon"]) == (37.5665, 126.9780)
    assert {r["placement"] for r in rows.values()} == {"exact"}


def test_bessel_tm_given_explicitly(db, tmp_path):
    x, y = _projected("EPSG:2097", 37.5665, 126.9780)
    path = tmp_path / "b.csv"
    path.write_text(f"시설명,X좌표,Y좌표\n가센터,{x:.1f},{y:.1f}\n", encoding="utf-8")
    import_file(db, path, crs="EPSG:2097")
    lat, lon = db.execute("SELECT lat, lon FROM agencies").fetchone()
    assert (lat, lon) == (pytest.approx(37.5665, abs=1e-5), pytest.approx(126.9780, abs=1e-5))


def test_preview_mapping_lists_unused_columns(db):
    lines = preview_mapping(db, CENTRES)
    assert lines[0].startswith("기관명(name) ← 읍면동")
    assert lines[-1] == "사용하지 않은 열: 연번"


# --- the import report and quarantine ---------------------------------------------------


def test_imports_report_and_quarantine_fix_and_reimport(runner, tmp_path):
    dbfile = tmp_path / "r.db"
    path = tmp_path / "협력기관.csv"
    path.write_text("기관명,주소,위도,경도\n좋은센터,서울특별시 중구 세종대로 110,37.5665,126.9780\n"
                    ",서울특별시 중구 세종대로 1,,\n바깥센터,서울특별시 중구 세종대로 2,48.85,2.35\n", encoding="utf-8")
    first = runner.invoke(main, ["--db", str(dbfile), "import", str(path)])
    assert first.exit_code == 0, first.output
    listed = runner.invoke(main, ["--db", str(dbfile), "imports", "--json"])
    runs = json.loads(listed.stdout)
    assert runs[0]["quarantined"] == 2 and runs[0]["open_quarantine"] == 2
    assert runs[0]["placed"] == {"exact": 1} and len(runs[0]["file_hash"]) == 64
    shown = runner.invoke(main, ["--db", str(dbfile), "imports", str(runs[0]["id"])])
    assert "3행" in shown.output and "기관명이 비어 있습니다" in shown.output and "대한민국 밖" in shown.output
    fix = tmp_path / "fix.csv"
    exported = runner.invoke(main, ["--db", str(dbfile), "quarantine", "export", str(runs[0]["id"]), str(fix)])
    assert exported.exit_code == 0 and "--source list:협력기관" in exported.output
    with open(fix, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["기관명", "주소", "위도", "경도", "격리번호"]
    rows[1][0] = "이름찾은센터"  # the person fixes the file
    rows[2][2:4] = ["37.5663", "126.9779"]
    with open(fix, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    again = runner.invoke(main, ["--db", str(dbfile), "import", str(fix), "--source", "list:협력기관", "--json"])
    assert json.loads(again.stdout)["imported"] == 2
    runs = json.loads(runner.invoke(main, ["--db", str(dbfile), "imports", "--json"]).stdout)
    assert runs[1]["open_quarantine"] == 0  # the first run's rows are resolved
    assert runner.invoke(main, ["--db", str(dbfile), "imports", "999"]).exit_code != 0
