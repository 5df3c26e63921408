import json

import pytest

from importers import ImportFormatError, import_file
from tests.conftest import PUBLIC, STUDY

DEMENTIA = PUBLIC / "dementia_centers_standard.csv"


def agencies_named(db, name):
    return list(db.query("SELECT * FROM agencies WHERE name = ? ORDER BY sido", [name]))


def test_dementia_one_agency_per_real_centre(db):
    summary = import_file(db, DEMENTIA)
    assert summary.rows == 315
    assert summary.quarantined == 0
    # 277: the list also names four 대전 centres twice, once with the 시도 in front
    # (대덕구치매안심센터 = 대전광역시 대덕구 치매안심센터, the same address).
    assert db["agencies"].count == 277
    # Every source row is kept, on the agency it belongs to.
    assert db["agency_sources"].count == 315
    assert summary.imported == 277
    assert summary.imported + summary.merged + summary.updated + summary.unchanged == 315


def test_dementia_pairs_become_one_agency_keeping_both_rows(db):
    import_file(db, DEMENTIA)
    for name in ["곡성군치매안심센터", "영암군치매안심센터", "구례군치매안심센터", "울산중구치매안심센터",
                 "완주군 치매안심센터", "신안군치매안심센터", "담양군치매안심센터"]:
        rows = agencies_named(db, name)
        assert len(rows) == 1, name
        sources = db.execute("SELECT count(*) FROM agency_sources WHERE agency_id = ?", [rows[0]["id"]]).fetchone()[0]
        assert sources == 2, name
    hwaseong = agencies_named(db, "화성시치매안심센터")
    assert len(hwaseong) == 1
    assert db.execute("SELECT count(*) FROM agency_sources WHERE agency_id = ?", [hwaseong[0]["id"]]).fetchone()[0] == 6


@pytest.mark.parametrize(
    "name, sidos",
    [
        ("동구치매안심센터", ["광주광역시", "대전광역시"]),
        ("서구치매안심센터", ["대구광역시", "대전광역시", "부산광역시", "인천광역시"]),
        ("고성군치매안심센터", ["강원특별자치도", "경상남도"]),
        ("남부치매안심센터", ["경기도", "경기도"]),
    ],
)
def test_same_named_centres_in_different_places_stay_apart(db, name, sidos):
    import_file(db, DEMENTIA)
    assert [r["sido"] for r in agencies_named(db, name)] == sidos


def test_centres_named_by_their_type_alone_get_their_place(db):
    # Five rows of the dementia list are named "치매안심센터" alone: each is its 시군구's centre.
    summary = import_file(db, DEMENTIA)
    assert agencies_named(db, "치매안심센터") == []
    assert summary.extra["renamed"]["generic"] >= 5
    for name, sido in [("서천군치매안심센터", "충청남도"), ("수성구치매안심센터", "대구광역시"),
                       ("경산시치매안심센터", "경상북도"), ("광주시치매안심센터", "경기도"), ("진주시치매안심센터", "경상남도")]:
        assert [r["sido"] for r in agencies_named(db, name)] == [sido], name


def test_branches_of_one_operator_stay_apart(db):
    import_file(db, DEMENTIA)
    # 강북구치매지원센터: the main centre and its 삼각산 branch, 3 km apart.
    assert len(agencies_named(db, "강북구치매지원센터")) == 2


def test_every_dementia_agency_has_sido_and_sigungu(db):
    import_file(db, DEMENTIA)
    missing = list(db.query("SELECT name, road_address FROM agencies WHERE sido IS NULL OR sigungu IS NULL"))
    assert missing == []
    # 대전광역시서구둔산서로100+건강체련관3층 parses like the spaced address: the row joins 서구치매안심센터.
    spaceless = [r for r in db.query("SELECT a.* FROM agencies a JOIN agency_sources s ON s.agency_id = a.id "
                                     "WHERE s.raw LIKE '%대전광역시서구둔산서로%'")]
    assert spaceless and spaceless[0]["sigungu"] == "서구" and spaceless[0]["name"] == "서구치매안심센터"
    chungnam = [r for r in db.query("SELECT * FROM agencies WHERE road_address LIKE '충남 %'")]
    assert chungnam and chungnam[0]["sido"] == "충청남도" and chungnam[0]["sido_raw"] == "충남"


def test_dementia_types_and_coordinates(db):
    import_file(db, DEMENTIA)
    types = dict(db.execute("SELECT type, count(*) FROM agencies GROUP BY type").fetchall())
    assert set(types) == {"치매안심센터"}
    assert db.execute("SELECT count(*) FROM agencies WHERE placement != 'exact'").fetchone()[0] == 0


def test_reimport_changes_nothing(db):
    import_file(db, DEMENTIA)
    before = list(db.query("SELECT * FROM agencies ORDER BY id"))
    again = import_file(db, DEMENTIA)
    assert (again.imported, again.updated, again.merged) == (0, 0, 0)
    assert again.unchanged == 315
    assert list(db.query("SELECT * FROM agencies ORDER BY id")) == before


def test_health_promotion_mental_health_rows(db):
    import_file(db, PUBLIC / "health_promotion_centers_standard.csv")
    types = dict(db.execute("SELECT type, count(*) FROM agencies GROUP BY type").fetchall())
    assert types["정신건강복지센터"] > 100
    assert types["중독관리통합지원센터"] >= 1
    assert agencies_named(db, "기장군 정신건강증진센터")[0]["type"] == "정신건강복지센터"


def test_study_matrix(db):
    summary = import_file(db, STUDY / "linkage_matrix.csv", complexes=STUDY / "complexes.csv")
    assert db["complexes"].count == 6
    assert db["agencies"].count == 34
    assert db["links"].count == 73
    partners = dict(db.execute(
        "SELECT c.name, count(*) FROM links l JOIN complexes c ON c.id = l.complex_id GROUP BY c.name").fetchall())
    assert all(9 <= n <= 13 for n in partners.values())
    assert summary.extra == {"complexes": 6, "links": 73}
    c = db.execute("SELECT elderly_pct, disabled_pct, households FROM complexes WHERE name='C'").fetchone()
    assert c == (61.0, 8.0, 1191)
    categories = {r[0] for r in db.execute("SELECT DISTINCT category FROM agencies")}
    assert len(categories) == 7
    probation = agencies_named(db, "보호관찰소")[0]
    assert probation["type"] == "보호관찰소"


@pytest.mark.parametrize(
    "cell, level",
    [("●", 5), ("◕", 4), ("◒", 3), ("◔", 2), ("○", 1), ("수시", 5), ("연 9회 이상", 4),
     ("연 6회 이상", 3), ("연3회이상", 2), ("연 2회 이하", 1), ("12", 5), ("9", 4), ("7", 3), ("4", 2),
     ("2", 1), ("0", 1), ("5회", 2)],
)
def test_matrix_cells_in_every_notation(db, tmp_path, cell, level):
    path = tmp_path / "m.csv"
    path.write_text(f"category,agency,가단지\n보건의료,치매안심센터,{cell}\n", encoding="utf-8")
    import_file(db, path)
    assert db.execute("SELECT frequency_level FROM links").fetchone()[0] == level


# --- bad input ------------------------------------------------------------

HEADER = "치매센터명,치매센터유형,소재지도로명주소,소재지지번주소,위도,경도,운영기관전화번호,의사인원수,제공기관코드"


def write_cp949(path, lines):
    path.write_bytes(("\n".join(lines) + "\n").encode("cp949"))
    return path


def test_bad_rows_are_quarantined_and_good_rows_kept(db, tmp_path):
    path = write_cp949(tmp_path / "bad.csv", [
        HEADER,
        "좋은치매안심센터,치매안심센터,서울특별시 중구 청구로8길 22,,37.56,127.01,02-2238-3400,1,1",
        ",치매안심센터,서울특별시 중구 청구로 1,,37.56,127.01,,,1",
        "바깥치매안심센터,치매안심센터,서울특별시 중구 청구로 2,,48.85,2.35,,,1",
        "숫자치매안심센터,치매안심센터,서울특별시 중구 청구로 3,,삼십칠,127.0,,,1",
        "인원치매안심센터,치매안심센터,서울특별시 중구 청구로 4,,37.5,127.0,,두명,1",
        "짧은치매안심센터,치매안심센터",
    ])
    summary = import_file(db, path)
    assert (summary.imported, summary.quarantined) == (1, 5)
    errors = {(e["row"], e["column"]) for e in summary.errors}
    assert errors == {(3, "name"), (4, "lat"), (5, "lat"), (6, "의사인원수"), (7, None)}
    stored = list(db.query("SELECT row_number, \"column\", reason, raw FROM quarantine ORDER BY row_number"))
    assert [r["row_number"] for r in stored] == [3, 4, 5, 6, 7]
    assert json.loads(stored[1]["raw"])["치매센터명"] == "바깥치매안심센터"  # nothing lost
    run = db.execute("SELECT imported, quarantined, status FROM import_runs").fetchone()
    assert run == (1, 5, "done")


def test_unknown_frequency_mark_is_quarantined(db, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("category,agency,A\n보건의료,치매안심센터,●\n보건의료,정신건강복지센터,★\n", encoding="utf-8")
    summary = import_file(db, path)
    assert summary.quarantined == 1
    assert summary.errors[0]["row"] == 3 and summary.errors[0]["column"] == "A"
    assert db["links"].count == 1


def test_unknown_encoding_is_refused_with_a_clear_message(db, tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("nom,adresse\nCafé,Rue\n".encode("latin-1"))
    with pytest.raises(ImportFormatError, match="UTF-8 또는 CP949"):
        import_file(db, path)
    path.write_bytes(HEADER.encode("utf-16"))
    with pytest.raises(ImportFormatError, match="UTF-16"):
        import_file(db, path)


def test_unknown_format_names_what_was_expected(db, tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("이름,나이\n홍길동,30\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match="전국치매센터표준데이터"):
        import_file(db, path)
    with pytest.raises(ImportFormatError, match="CSV"):
        import_file(db, tmp_path / "x.pdf")


def test_utf8_and_bom_files_import_alike(db, tmp_path):
    line = "가치매안심센터,치매안심센터,서울특별시 중구 청구로8길 22,,37.56,127.01,,,1"
    (tmp_path / "u.csv").write_text(f"{HEADER}\n{line}\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text(f"{HEADER}\n{line}\n", encoding="utf-8-sig")
    assert import_file(db, tmp_path / "u.csv").encoding == "utf-8"
    summary = import_file(db, tmp_path / "b.csv")
    assert summary.encoding == "utf-8-sig"
    assert db["agencies"].count == 1


def test_failure_midway_leaves_store_as_it_was(db, monkeypatch):
    import_file(db, STUDY / "linkage_matrix.csv", complexes=STUDY / "complexes.csv")
    before = {t: db[t].count for t in ("agencies", "agency_sources", "links", "import_runs", "quarantine")}
    from importers import run as run_module

    calls = {"n": 0}
    original = run_module.ImportRun._upsert_agency

    def explode(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 100:
            raise RuntimeError("disk gone")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(run_module.ImportRun, "_upsert_agency", explode)
    with pytest.raises(RuntimeError):
        import_file(db, DEMENTIA)
    after = {t: db[t].count for t in before}
    assert after == before


# --- more bad input (issue 2 §6) --------------------------------------------------

GOOD = "가치매안심센터,치매안심센터,서울특별시 중구 청구로8길 22,,37.56,127.01,,,1"


def test_known_list_without_its_name_column_names_the_missing_columns(db, tmp_path):
    path = write_cp949(tmp_path / "noname.csv", [
        "치매센터유형,소재지도로명주소,위도,경도",
        "치매안심센터,서울특별시 중구 청구로8길 22,37.56,127.01",
    ])
    with pytest.raises(ImportFormatError) as info:
        import_file(db, path)
    message = str(info.value)
    assert "전국치매센터표준데이터" in message and "치매센터명" in message
    assert "위도" not in message.split("찾은 열")[0]  # only the missing ones are named as missing
    assert db["agencies"].count == 0 and db["import_runs"].count == 0


def test_known_list_without_coordinates_imports_with_a_warning(db, tmp_path):
    path = write_cp949(tmp_path / "nocoords.csv", [
        "치매센터명,치매센터유형,소재지도로명주소",
        "중구치매안심센터,치매안심센터,서울특별시 중구 청구로8길 22",
    ])
    summary = import_file(db, path)
    assert summary.imported == 1
    [warning] = summary.as_dict()["warnings"]
    assert "위도, 경도" in warning and "전국치매센터표준데이터" in warning
    stored = json.loads(db.execute("SELECT summary FROM import_runs").fetchone()[0])
    assert stored["warnings"] == [warning]


@pytest.mark.parametrize("content", [b"", b"\n\n  \r\n", "\ufeff".encode("utf-8")])
def test_empty_file_is_refused(db, tmp_path, content):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFormatError, match="빈 파일"):
        import_file(db, path)
    assert db["import_runs"].count == 0


def test_header_only_file_imports_nothing_and_says_so(db, tmp_path):
    summary = import_file(db, write_cp949(tmp_path / "h.csv", [HEADER]))
    assert (summary.rows, summary.imported, summary.quarantined) == (0, 0, 0)
    assert db["agencies"].count == 0


@pytest.mark.parametrize(
    "name, content",
    [
        ("image.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))),
        ("workbook.csv", b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + bytes(200)),
        ("report.csv", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nstream\n\x00\x01\x02"),
    ],
)
def test_file_that_is_not_csv_at_all_is_refused(db, tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportFormatError, match="CSV"):
        import_file(db, path)
    assert db["import_runs"].count == 0


def test_prose_text_file_is_refused_naming_what_was_expected(db, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("오늘 회의에서 논의한 내용입니다.\n다음 주에 다시 만나기로 했습니다.\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match="전국치매센터표준데이터"):
        import_file(db, path)
    assert db["agencies"].count == 0


def test_hostile_text_is_stored_as_text_and_escaped_on_the_page(app, tmp_path):
    from directory.store import connect

    hostile = "<script>alert(1)</script>치매안심센터"
    path = write_cp949(tmp_path / "xss.csv", [
        HEADER,
        f'"{hostile}",치매안심센터,"서울특별시 중구 청구로8길 22 <img src=x onerror=alert(2)>",,37.56,127.01,,,1',
        "\"=HYPERLINK(\"\"http://evil\"\")경로당\",경로당,서울특별시 중구 청구로 9,,37.56,127.01,,,1",
    ])
    db = connect(app.config["DATABASE"])
    summary = import_file(db, path)
    assert summary.imported == 2
    agency_id, name, road = db.execute(
        "SELECT id, name, road_address FROM agencies WHERE name LIKE '<script>%'").fetchone()
    assert name == hostile and "<img src=x onerror=alert(2)>" in road
    assert db.execute("SELECT count(*) FROM agencies WHERE name = '=HYPERLINK(\"http://evil\")경로당'").fetchone()[0] == 1
    db.conn.close()
    page = app.test_client().get(f"/agencies/{agency_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_very_long_cells(db, tmp_path):
    services = "방문 상담, " * 30000  # 240,000 characters: past the csv module's 128 KB default
    long_name = "가" * 5000 + "치매안심센터"
    path = tmp_path / "long.csv"
    path.write_text("\n".join([
        HEADER + ",주요치매관리프로그램소개",
        GOOD + f',"{services}"',
        f"{long_name},치매안심센터,서울특별시 중구 청구로 1,,37.56,127.01,,,1,",
    ]) + "\n", encoding="utf-8")
    summary = import_file(db, path)
    assert (summary.imported, summary.quarantined) == (1, 1)
    assert summary.errors[0]["row"] == 3 and summary.errors[0]["column"] == "name"
    assert "너무 깁니다" in summary.errors[0]["message"]
    stored = db.execute("SELECT services FROM agencies").fetchone()[0]
    assert stored == services.strip()
    raw = json.loads(db.execute("SELECT raw FROM quarantine").fetchone()[0])
    assert raw["치매센터명"] == long_name  # the bad row is kept whole


def test_reimport_of_a_file_with_bad_rows_changes_nothing(db, tmp_path):
    path = write_cp949(tmp_path / "mixed.csv", [
        HEADER, GOOD, ",치매안심센터,서울특별시 중구 청구로 1,,37.56,127.01,,,1",
    ])
    import_file(db, path)
    agencies = list(db.query("SELECT * FROM agencies"))
    sources = list(db.query("SELECT * FROM agency_sources"))
    second = import_file(db, path)
    assert (second.imported, second.updated, second.merged, second.unchanged, second.quarantined) == (0, 0, 0, 1, 1)
    assert list(db.query("SELECT * FROM agencies")) == agencies
    assert list(db.query("SELECT * FROM agency_sources")) == sources  # not even re-stamped


def test_unclosed_quote_is_quarantined_with_a_hint_and_nothing_lost(db, tmp_path):
    path = tmp_path / "quote.csv"
    path.write_text("\n".join([
        HEADER, GOOD,
        '"나치매안심센터,치매안심센터,서울특별시 중구 청구로 1,,37.56,127.01,,,1',
        GOOD.replace("가", "다"),
    ]) + "\n", encoding="utf-8")
    summary = import_file(db, path)
    assert (summary.imported, summary.quarantined) == (2, 1)  # the row after the quote is read as itself
    assert summary.errors[0]["row"] == 3 and "따옴표" in summary.errors[0]["message"]
    raw = json.loads(db.execute("SELECT raw FROM quarantine").fetchone()[0])
    assert raw["치매센터명"].startswith("나치매안심센터,")  # the bad row is kept whole, to be fixed and re-imported
    assert "다치매안심센터" not in raw["치매센터명"]


def test_quarantined_rows_keep_their_row_number_across_blank_lines(db, tmp_path):
    path = write_cp949(tmp_path / "gaps.csv", [
        HEADER, "", GOOD, "", "", ",치매안심센터,서울특별시 중구 청구로 1,,37.56,127.01,,,1",
    ])
    summary = import_file(db, path)
    assert (summary.imported, summary.quarantined) == (1, 1)
    assert summary.errors[0]["row"] == 6  # the line a person finds in the file
    assert db.execute("SELECT row_number FROM agency_sources").fetchone()[0] == 3


def test_rows_under_a_title_row_keep_their_row_number(db, tmp_path):
    path = tmp_path / "titled.csv"
    path.write_text("\n".join([
        "2024년 강서구 협력기관 현황,,,,",
        "기관명,주소,전화번호,위도,경도",
        "강서구정신건강복지센터,서울특별시 강서구 공항대로 561,02-2600-5926,37.5509,126.8495",
        "",
        "먼곳복지관,서울특별시 강서구 강서로 1,,48.85,2.35",
    ]) + "\n", encoding="utf-8")
    summary = import_file(db, path)
    assert (summary.imported, summary.quarantined) == (1, 1)
    assert summary.errors[0]["row"] == 5
