"""The one personal-data detector, and where it guards: notes, corrections, imports, and what is served."""
from __future__ import annotations

import json
import re

import pytest

from directory import accounts, privacy, schema
from directory.editing import CorrectionPersonalData, request_correction
from directory.privacy import PersonalDataError, check_personal_data, find_personal_data
from directory.store import connect
from importers import import_file
from network.contacts import ContactError, check_note
from network.contacts import PersonalDataError as NotePersonalDataError
from network.links import LinkError, NotePersonalData, set_link

PASSWORD = "correct-horse-1"  # the conftest tokens fixture's TEST_PASSWORD
pytestmark = pytest.mark.usefixtures("cheap_hashes")

# Everything the attack on issue 10 got past the old note filter, and more of the same.
MUST_REFUSE = [
    ("800101 1234567", "rrn"), ("800101-1234567", "rrn"), ("8001011234567", "rrn"), ("800101.1234567", "rrn"),
    ("８００１０１－１２３４５６７", "rrn"), ("800101\u200b-1234567", "rrn"),
    ("800101-1******", "rrn_masked"), ("800101-*******", "rrn_masked"),
    ("010-1234-5678 로 연락", "mobile"), ("01012345678", "mobile"), ("010 1234 5678", "mobile"),
    ("+82-10-1234-5678", "mobile"), ("＋８２ １０ １２３４ ５６７８", "mobile"), ("010)1234-5678", "mobile"),
    ("(010)1234-5678", "mobile"), ("010-1234-****", "mobile"),
    ("김철수씨 방문 상담", "name"), ("홍길동님이 요청", "name"), ("박OO님 의뢰", "name"), ("김○○님", "name"),
    ("김씨 병원 동행", "name"), ("이영희할머니", "name"), ("이순자할매 반찬", "name"), ("박할매 안부", "name"),
    ("이영희 어르신 병원 동행", "name"), ("김철수 할아버지", "name"), ("김OO 어르신", "name"),
    ("우리동네김철수씨", "name"), ("남궁민수님", "name"),
    ("입주민 김철수", "name_resident"), ("입주민 김철수가 요청", "name_resident"), ("대상자 김영희 병원 동행", "name_resident"),
    ("보호자 이영희 연락", "name_resident"), ("입주민 김OO", "name_resident"),
    ("성명: 김철수", "name_label"), ("이름: 홍길동", "name_label"), ("이름 홍길동", "name_label"),
    ("홍길동(78세)", "name_age"), ("홍길동 (여, 78세)", "name_age"), ("홍길동(남, 78)", "name_age"),
    ("홍길동 78세 독거", "name_age"),
    ("101동 1203호", "unit"), ("101-1203호 방문", "unit"),
]

# Job titles and ordinary notes: the detector must let these through.
MUST_PASS = [
    "이사님 면담", "강사님 섭외", "센터장님 면담", "선생님께 자료 전달", "복지사님께 전달", "사회복지사님 연락",
    "팀장님과 통화", "소장님 방문", "관리소장님 협의", "관장님 회의", "요양보호사님 연계", "간호사님 방문",
    "통합사례회의 참석", "치매 선별검사 10명 의뢰", "강서구정신건강복지센터와 협의", "2024년 김장 나눔",
    "02-2600-5926", "센터 대표번호 02-123-4567", "+82-2-2600-5926", "1588-1234", "031-123-4567",
    "독거 어르신 3명 발굴", "고령 어르신 안부 확인", "어르신 5명 방문", "할머니 댁 방문", "날씨 때문에 연기",
    "마음씨 좋은 봉사자 연결", "마음의날씨정신건강의학과의원", "씨앗 나눔", "주민 설명회 개최", "입주민 간담회",
    "주민 공동체 활동", "보호자 동의서 수령", "주민 우울증 검사 20명", "이름 변경 안내", "성명: 미상",
    "입주민 대상 교육", "가양1동 주민센터 201호", "3층 301호 상담실", "사업자번호 123-45-67890",
    "예산 1,200,000원", "2024-05-01 회의", "어르신(78세 이상) 대상", "노인 80세 이상", None, "",
]


@pytest.mark.parametrize("text, kind", MUST_REFUSE)
def test_detector_refuses_personal_data(text, kind):
    assert [f.kind for f in find_personal_data(text)][:1] == [kind]
    with pytest.raises(PersonalDataError, match="개인정보") as info:
        check_personal_data(text, field="note")
    assert info.value.kind == kind and info.value.field == "note"


@pytest.mark.parametrize("text", MUST_PASS)
def test_detector_passes_titles_and_ordinary_notes(text):
    assert find_personal_data(text) == []
    check_personal_data(text, field="note")


def test_findings_carry_kind_and_span_of_the_normalised_text():
    text = "김철수씨 ８００１０１－１２３４５６７ 010-1234-5678"
    findings = find_personal_data(text)
    assert [(f.kind, f.text) for f in findings] == [
        ("name", "김철수씨"), ("rrn", "800101-1234567"), ("mobile", "010-1234-5678")]
    clean = privacy.normalize(text)
    assert all(clean[f.start:f.end] == f.text for f in findings)


def test_numbers_are_never_echoed_in_the_message():
    with pytest.raises(PersonalDataError) as info:
        check_personal_data("800101-1234567", field="message")
    assert "800101" not in str(info.value) and "수정 요청" in str(info.value)


def test_every_pattern_of_the_data_file_is_used_by_a_refused_case():
    """A pattern row no test exercises is a pattern nobody checked."""
    rules = privacy._rules()
    for kind, check, _needs, regex in rules.patterns:
        hits = [t for t, _ in MUST_REFUSE if regex.search(privacy.normalize(t))]
        assert hits, f"no refused case matches {regex.pattern!r}"


def test_note_check_keeps_its_old_names():
    with pytest.raises(NotePersonalDataError) as info:
        check_note("입주민 김철수 방문")
    assert isinstance(info.value, ContactError) and isinstance(info.value, PersonalDataError)
    assert info.value.kind == "name_resident"
    assert check_note("  통합사례회의   참석 ") == "통합사례회의 참석"


def test_link_note_is_checked(demo_db):
    complex_id, agency_id = demo_db.execute("SELECT complex_id, agency_id FROM links LIMIT 1").fetchone()
    version = demo_db.execute("SELECT version FROM links LIMIT 1").fetchone()[0]
    with pytest.raises(NotePersonalData) as info:
        set_link(demo_db, complex_id, agency_id, 3, note="101동 1203호 어르신 의뢰", expected_version=version)
    assert isinstance(info.value, LinkError) and info.value.kind == "unit"


def test_correction_request_is_checked_for_everyone(demo_db):
    agency_id = demo_db.execute("SELECT id FROM agencies LIMIT 1").fetchone()[0]
    with pytest.raises(CorrectionPersonalData, match="개인정보"):
        request_correction(demo_db, agency_id, "홍길동(78세) 할머니가 이 센터 전화가 틀렸다고 함")
    with pytest.raises(CorrectionPersonalData):  # the requester's contact: a phone is fine, an ID number is not
        request_correction(demo_db, agency_id, "전화번호가 바뀌었습니다", contact="800101-1234567")
    request_correction(demo_db, agency_id, "전화번호가 바뀌었습니다", contact="010-1234-5678")
    assert demo_db.execute("SELECT count(*) FROM correction_requests").fetchone()[0] == 1


# --- imports: unmapped columns are screened and dropped --------------------------

LEAK = "김철수씨 800101-1234567 010-1234-5678"


def _leaky_list(tmp_path):
    path = tmp_path / "협력기관.csv"
    path.write_text(
        "기관명,주소,전화,비고,담당\n"
        f"강서구치매안심센터,서울특별시 강서구 공항대로 561,02-2600-5926,{LEAK},복지팀\n"
        f"강서구정신건강복지센터,서울특별시 강서구 강서로 390,02-2600-5928,\"입주민 이영희, 101동 1203호\",복지팀\n"
        "화곡종합사회복지관,서울특별시 강서구 곰달래로 238,02-2699-5411,정기 회의,\n"
        f",서울특별시 강서구 화곡로 302,02-000-0000,{LEAK},\n",  # no name: quarantined, still without 비고
        encoding="utf-8")
    return path


def test_import_stores_none_of_an_unmapped_column(tmp_path):
    path = tmp_path / "store.db"
    db = connect(path)
    summary = import_file(db, _leaky_list(tmp_path))
    assert summary.imported == 3 and summary.quarantined == 1
    dropped = {d["column"]: d for d in summary.extra["dropped_columns"]}
    assert dropped["비고"]["reason"] == "personal_data" and dropped["비고"]["rows"] == 3
    assert set(dropped["비고"]["kinds"]) >= {"name", "rrn", "mobile", "name_resident", "unit"}
    assert dropped["담당"]["reason"] == "unmapped"
    assert "비고: 개인정보로 보이는 값 3행 — 저장하지 않음" in summary.extra["warnings"]
    stored = json.loads(db.execute("SELECT summary FROM import_runs").fetchone()[0])
    assert stored["dropped_columns"] == summary.extra["dropped_columns"]
    raws = [json.loads(r[0]) for r in db.execute("SELECT raw FROM agency_sources")]
    assert raws and all(set(r) == {"기관명", "주소", "전화"} for r in raws)
    [quarantined] = [json.loads(r[0]) for r in db.execute("SELECT raw FROM quarantine")]
    assert "비고" not in quarantined
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    for file in tmp_path.glob("store.db*"):  # the database, its WAL and shared memory: not a byte of it
        data = file.read_bytes()
        assert b"800101" not in data and "김철수".encode() not in data and "1203호".encode() not in data


def test_standard_list_keeps_only_its_known_columns(db, tmp_path):
    path = tmp_path / "dementia.csv"
    path.write_bytes(
        "치매센터명,치매센터유형,소재지도로명주소,위도,경도,운영기관대표자명,비고\n"
        "중구치매안심센터,치매안심센터,서울특별시 중구 청구로8길 22,37.56,127.01,김재광,홍길동(78세)\n"
        .encode("cp949"))
    import_file(db, path)
    [raw] = [json.loads(r[0]) for r in db.execute("SELECT raw FROM agency_sources")]
    assert "운영기관대표자명" not in raw and "비고" not in raw and raw["치매센터명"] == "중구치매안심센터"


# --- serving: raw rows for admins, notes for those who may read the complex ----


def test_raw_rows_are_served_to_admins_only(client, store, tokens):
    agency_id = store.execute(
        "SELECT agency_id FROM agency_sources WHERE raw IS NOT NULL AND raw != '{}' LIMIT 1").fetchone()[0]
    for headers in ({}, tokens["worker"], tokens["lead"]):
        sources = client.get(f"/api/agencies/{agency_id}", headers=headers).get_json()["sources"]
        assert sources and all("raw" not in s for s in sources)
    sources = client.get(f"/api/agencies/{agency_id}", headers=tokens["admin"]).get_json()["sources"]
    assert sources[0]["raw"]


def test_an_old_raw_row_with_personal_data_is_not_served(client, store, tokens):
    """A store from before imports dropped unmapped columns may still hold one: nobody but an admin sees it."""
    agency_id = store.execute("SELECT agency_id FROM agency_sources LIMIT 1").fetchone()[0]
    with store.conn:
        store.conn.execute("UPDATE agency_sources SET raw = ? WHERE agency_id = ?",
                           [json.dumps({"비고": LEAK}, ensure_ascii=False), agency_id])
    assert "800101" not in client.get(f"/api/agencies/{agency_id}").get_data(as_text=True)
    assert "800101" not in client.get(f"/agencies/{agency_id}").get_data(as_text=True)
    assert "800101" in client.get(f"/api/agencies/{agency_id}", headers=tokens["admin"]).get_data(as_text=True)


def _noted_link(store, complex_name="A"):
    link = next(store.query(
        "SELECT l.* FROM links l JOIN complexes c ON c.id = l.complex_id WHERE c.name = ? LIMIT 1", [complex_name]))
    set_link(store, link["complex_id"], link["agency_id"], link["frequency_level"], note="분기별 사례회의 자료 공유",
             expected_version=link["version"])
    return link


def test_link_notes_are_for_those_who_may_read_the_complex(client, store, tokens):
    link = _noted_link(store)
    for headers in ({}, tokens["worker"]):
        assert "note" not in client.get(f"/api/links/{link['id']}", headers=headers).get_json()
        items = client.get(f"/api/complexes/{link['complex_id']}/links", headers=headers).get_json()["items"]
        assert items and all("note" not in i for i in items)
        one = client.get(f"/api/complexes/{link['complex_id']}", headers=headers).get_json()
        assert all("note" not in i for i in one["links"])
        report = client.get(f"/api/reports/complexes/{link['complex_id']}", headers=headers).get_json()
        assert "contacts" not in report and all("note" not in p for p in report["partners"])
    for headers in (tokens["lead"], tokens["admin"]):
        assert client.get(f"/api/links/{link['id']}", headers=headers).get_json()["note"] == "분기별 사례회의 자료 공유"


def test_links_export_omits_notes_unless_authorised(client, store, tokens):
    _noted_link(store)
    anonymous = client.get("/exports/links.csv").get_data(as_text=True)
    assert "메모" not in anonymous.splitlines()[0] and "분기별 사례회의" not in anonymous
    assert "분기별 사례회의" not in client.get("/exports/links.csv", headers=tokens["worker"]).get_data(as_text=True)
    lead = client.get("/exports/links.csv", headers=tokens["lead"]).get_data(as_text=True)
    assert "메모" in lead.splitlines()[0] and "분기별 사례회의" in lead


def test_personal_data_in_a_link_note_is_a_400(client, store, tokens):
    link = next(store.query("SELECT l.* FROM links l JOIN complexes c ON c.id = l.complex_id WHERE c.name = 'A'"))
    response = client.put(f"/api/links/{link['id']}", headers=tokens["lead"],
                          json={"version": link["version"], "frequency_level": 3, "note": "이영희할머니 의뢰"})
    assert response.status_code == 400 and "개인정보" in response.get_json()["message"]


def test_anonymous_correction_with_personal_data_is_refused(client, store):
    agency_id = store.execute("SELECT id FROM agencies LIMIT 1").fetchone()[0]
    response = client.post(f"/api/agencies/{agency_id}/corrections",
                           json={"message": "성명: 김철수 010-1234-5678 이 기관 전화가 틀림"})
    assert response.status_code == 400 and "개인정보" in response.get_json()["message"]
    page = client.get(f"/agencies/{agency_id}/correction").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = client.post(f"/agencies/{agency_id}/correction",
                       data={"csrf_token": token, "message": "입주민 김철수 800101-1234567", "field": ""})
    assert form.status_code == 400 and "개인정보" in form.get_data(as_text=True)
    assert store.execute("SELECT count(*) FROM correction_requests").fetchone()[0] == 0


def test_migration_strips_old_raw_rows(tmp_path):
    """A store from before this release: a generic list's 비고 and a standard row's leaked value are removed."""
    path = tmp_path / "old.db"
    db = connect(path)
    with db.conn:
        run_id = db.conn.execute("INSERT INTO import_runs (source, summary) VALUES ('list:x', ?)",
                                 [json.dumps({"mapping": {"name": "기관명", "road_address": "주소"}}, ensure_ascii=False)]
                                 ).lastrowid
        other = db.conn.execute("INSERT INTO import_runs (source, summary) VALUES ('dementia_centers', '{}')").lastrowid
        for name, run, raw in (("가 기관", run_id, {"기관명": "가 기관", "주소": "서울", "비고": LEAK}),
                               ("나 기관", other, {"치매센터명": "나 기관", "비고": LEAK, "제공기관코드": "123"})):
            agency = db.conn.execute("INSERT INTO agencies (name, name_key) VALUES (?, ?)", [name, name]).lastrowid
            db.conn.execute("INSERT INTO agency_sources (agency_id, source, source_key, raw, import_run_id) "
                            "VALUES (?, 'x', ?, ?, ?)", [agency, name, json.dumps(raw, ensure_ascii=False), run])
        db.conn.execute("INSERT INTO quarantine (import_run_id, reason, raw) VALUES (?, 'x', ?)",
                        [run_id, json.dumps({"기관명": "", "비고": LEAK}, ensure_ascii=False)])
        db.conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'",  # the version before it
                        [str(schema.MIGRATIONS.index(schema._raw_rows_mapped_only))])
    db.conn.close()
    db = connect(path)  # migrates
    raws = {json.dumps(json.loads(r[0]), ensure_ascii=False) for r in db.execute("SELECT raw FROM agency_sources")}
    assert raws == {'{"기관명": "가 기관", "주소": "서울"}', '{"치매센터명": "나 기관", "제공기관코드": "123"}'}
    assert json.loads(db.execute("SELECT raw FROM quarantine").fetchone()[0]) == {"기관명": ""}
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    assert all(b"800101" not in f.read_bytes() for f in tmp_path.glob("old.db*"))
