"""Directory data a worker can trust (issue 16), tested on the real lists the demo imports.

Centre names (not the operator's, not the type alone), the operator kept,
one agency per centre, phones restored, 지구대·파출소 placed in their
시도청's 시도 and 시군구 — and a held-out variant of the police list (the
other half of its rows, columns renamed and reordered, every address cut
to start at the 시군구 or below) that no rule was tuned on.
"""
from __future__ import annotations

import csv
import json
import re
from collections import defaultdict

import pytest

from cli import main
from directory.normalize import normalize_phone, parse_address, sido_from_label
from directory.store import connect
from importers import import_file
from importers.common import canonical_key, conn_taxonomy
from importers.coverage import coverage_report
from importers.naming import centre_level, is_plain_name
from tests.conftest import PUBLIC

POLICE = PUBLIC / "police_patrol_boxes_20250604.csv"
CENTRES = ("정신건강복지센터", "치매안심센터")
# Words of an operator's name: a hospital, a university, a foundation.
OPERATOR = re.compile(r"병원|의원|의료원|대학|학원|산학협력단|재단|법인")
TYPE_ALONE = {"정신건강복지센터", "기초정신건강복지센터", "광역정신건강복지센터", "정신건강증진센터", "치매안심센터",
              "치매센터", "광역치매센터"}


def centres(db):
    """The demo's centres, without the study's stand-ins (its categories at sample positions)."""
    marks = ", ".join("?" * len(CENTRES))
    return [dict(r) for r in db.query(
        f"SELECT * FROM agencies WHERE type IN ({marks}) AND placement != 'sample'", list(CENTRES))]


def test_no_centre_is_named_after_its_operator_or_its_type_alone(demo_db):
    rows = centres(demo_db)
    assert len(rows) > 500
    assert [r["name"] for r in rows if OPERATOR.search(r["name"])] == []
    assert [r["name"] for r in rows if re.sub(r"\s", "", r["name"]) in TYPE_ALONE] == []


def test_operator_names_move_to_operator_and_clinics_stay_clinics(demo_db):
    def one(name):
        found = list(demo_db.query("SELECT * FROM agencies WHERE name = ?", [name]))
        assert len(found) == 1, (name, found)
        return found[0]

    # 강원대학교병원 runs two centres in 춘천시: the 광역 one and the 기초 one.
    assert one("춘천시정신건강복지센터")["operator"] == "강원대학교병원"
    assert one("강원광역정신건강복지센터")["operator"] == "강원대학교병원"
    assert one("화성시정신건강복지센터")["operator"] == "경산복지재단"
    # 노정신건강의학과의원 runs 마포구's centre and is a clinic of its own too.
    assert one("마포구정신건강복지센터")["operator"] == "노정신건강의학과의원"
    assert one("노정신건강의학과의원")["type"] == "정신의료기관"
    # A 보건소's centre is named by its 보건소 (평택 has two).
    assert one("송탄보건소 치매안심센터")["sigungu"] == "평택시"


def test_a_centre_in_two_lists_is_one_agency_with_both_rows_and_the_phone(demo_db):
    # 경성대학교 산학협력단 (국립정신건강센터 list) runs 부산 강서구's centre, which the
    # health-promotion list names 부산광역시강서구정신건강복지센터 with its phone.
    rows = list(demo_db.query("SELECT * FROM agencies WHERE type = '정신건강복지센터' AND sido = '부산광역시' "
                              "AND sigungu = '강서구'"))
    assert len(rows) == 1
    centre = rows[0]
    assert centre["name"] == "부산광역시강서구정신건강복지센터" and centre["phone"] == "051-973-3418"
    sources = {r[0] for r in demo_db.execute("SELECT source FROM agency_sources WHERE agency_id = ?", [centre["id"]])}
    assert sources == {"health_promotion_centers", "list:mental_health_institutions_20220301"}
    merge = demo_db.execute("SELECT rule, status FROM agency_merges WHERE kept_id = ?", [centre["id"]]).fetchone()
    assert merge == ("same-name", "merged")  # logged, so a person can split it
    # 대구가톨릭 사회복지회 runs 구미's 중독관리통합지원센터: named 구미시… from its place, it joins
    # the health-promotion list's only such centre of 구미시 and takes its name and phone.
    gumi = list(demo_db.query("SELECT a.*, m.rule FROM agencies a JOIN agency_merges m ON m.kept_id = a.id "
                              "WHERE m.merged_name = '구미시중독관리통합지원센터'"))
    assert [(r["name"], r["phone"], r["rule"]) for r in gumi] == [
        ("구미중독관리통합지원센터", "054-474-9791", "same-place")]


def test_the_same_centre_is_not_listed_twice(demo_db):
    tax = conn_taxonomy(demo_db.conn)
    plain, names = defaultdict(list), defaultdict(list)
    for r in centres(demo_db):
        if "(" in r["name"] or "분소" in r["name"] or r["name"] == "강북구치매지원센터":
            continue  # a branch (연성센터, 분소; 강북구's 삼각산 branch, 3 km away) is an agency of its own
        if is_plain_name(r["name"], r["type"], r["sido"], r["sigungu"], r["type_raw"]):
            plain[(r["type"], centre_level(r["name"], r["type_raw"]), r["sido"], r["sigungu"])].append(r["name"])
        names[(canonical_key(r["name"], tax), r["sido"], r["sigungu"])].append(r["name"])
    # Two centres named only by one place and type are one centre listed twice.
    assert {k: v for k, v in plain.items() if len(v) > 1} == {}
    # 강북구치매지원센터 and its 삼각산 branch share a name 3 km apart; 세종 has two 치매안심센터.
    assert {k: v for k, v in names.items() if len(v) > 1 and k[0] != "세종치매안심센터"} == {}


def test_centre_phones_wherever_a_list_gives_them(demo_db):
    dementia = [r for r in centres(demo_db) if r["type"] == "치매안심센터"]
    assert sum(1 for r in dementia if r["phone"]) >= 0.95 * len(dementia)
    # A 정신건강복지센터 has a phone whenever a list with phones lists it: the
    # 국립정신건강센터 list has no phone column, so one found only there has none.
    listed = demo_db.execute(
        "SELECT count(*), sum(a.phone IS NOT NULL) FROM agencies a WHERE a.type = '정신건강복지센터' AND EXISTS "
        "(SELECT 1 FROM agency_sources s WHERE s.agency_id = a.id AND s.source = 'health_promotion_centers' "
        "AND json_extract(s.raw, '$.운영기관전화번호') != '')").fetchone()
    assert listed[0] > 100 and listed[0] == listed[1]


@pytest.mark.parametrize("raw, expected", [
    ("25764400", "02-576-4400"), ("647461389", "064-746-1389"), ("316661234", "031-666-1234"),
    ("7012345678", "070-1234-5678"), ("02)3667-1389", "02-3667-1389"), ("15881234", "1588-1234"),
    ("12345", None), ("99999999", None),
])
def test_phones_that_lost_their_leading_zero_are_restored_where_the_digits_allow(raw, expected):
    assert normalize_phone(raw) == expected


def test_ssis_rows_without_addresses_sit_at_their_sigungu_and_restored_phones_are_counted(db):
    summary = import_file(db, PUBLIC / "elderly_welfare_facilities_ssis_2022.csv",
                          only_types={"노인복지관", "노인일자리지원기관"})
    assert summary.extra["skipped_types"] > 15000 and summary.extra["skipped_totals"] == 1
    assert summary.extra["phones"]["restored"] > 100
    placements = dict(db.execute("SELECT placement, count(*) FROM agencies GROUP BY 1").fetchall())
    assert "exact" not in placements and placements["sigungu"] >= 0.95 * summary.imported
    assert db.execute("SELECT count(*) FROM agencies WHERE phone_raw IS NOT NULL AND phone IS NULL").fetchone()[0] \
        == summary.extra["phones"].get("unreadable", 0)  # kept raw, and counted


def _police_truth(rows):
    """Each row's (시도, 시군구) from its full address and 시도청 — the answer a held-out import must find."""
    return {(r["관서명"], r["구분"], r["경찰서"]): (parse_address(r["주소"], r["시도청"])["sido"],
                                                   parse_address(r["주소"], r["시도청"])["sigungu"]) for r in rows}


def test_every_police_box_lands_in_its_sido_and_sigungu(demo_db):
    rows = list(demo_db.query(
        "SELECT a.sido, a.sigungu, s.raw FROM agencies a JOIN agency_sources s ON s.agency_id = a.id "
        "WHERE s.source = 'list:police_patrol_boxes_20250604'"))
    assert len(rows) == 2045
    wrong = [(r["sido"], r["sigungu"], json.loads(r["raw"])["주소"]) for r in rows
             if r["sido"] != sido_from_label(json.loads(r["raw"])["시도청"]) or not r["sigungu"]]
    assert wrong == []
    # The 27 addresses without a 시도 (성남시 …, 봉담읍 …) among them:
    short = [r for r in rows if not re.match(r"\s*(서울|부산|대구|인천|광주|대전|울산|세종|경기|강원|충|전|경|제주)",
                                             json.loads(r["raw"])["주소"])]
    assert len(short) >= 25 and all(r["sigungu"] for r in short)
    bongdam = [r for r in rows if json.loads(r["raw"])["주소"].startswith("봉담읍")]
    assert [r["sigungu"] for r in bongdam] == ["화성시"]


def test_an_unseen_police_list_of_the_same_shape_is_placed(db, tmp_path):
    """Held out: the odd rows, columns renamed and reordered, every address cut below its 시도."""
    with open(POLICE, encoding="utf-8-sig") as fh:
        rows = [r for i, r in enumerate(csv.DictReader(fh)) if i % 2 == 1]
    truth = _police_truth(rows)
    path = tmp_path / "held_out.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["주소", "구분", "관할청", "명칭", "연락처", "경찰서"])
        for r in rows:
            words = r["주소"].split()
            writer.writerow([" ".join(words[1:]) if len(words) > 2 else r["주소"], r["구분"], r["시도청"], r["관서명"],
                             r["전화번호"], r["경찰서"]])
    summary = import_file(db, path)
    assert summary.rows == len(rows) == 1022
    found = list(db.query("SELECT a.sido, a.sigungu, s.raw FROM agencies a JOIN agency_sources s ON s.agency_id = a.id"))
    in_sido = sum(1 for r in found if r["sido"] == sido_from_label(json.loads(r["raw"])["관할청"]))
    right = sum(1 for r in found
                if (r["sido"], r["sigungu"]) == truth[(json.loads(r["raw"])["명칭"], json.loads(r["raw"])["구분"],
                                                       json.loads(r["raw"])["경찰서"])]
                or (r["sigungu"] and truth[(json.loads(r["raw"])["명칭"], json.loads(r["raw"])["구분"],
                                            json.loads(r["raw"])["경찰서"])][1] is None))
    assert in_sido >= 0.95 * len(rows)
    assert right >= 0.95 * len(rows)


@pytest.mark.parametrize("address, sido, expected", [
    ("서구 만년로 74", "대전광역시", ("대전광역시", "서구")),
    ("서구 만년로 74", None, (None, None)),  # 서구 is in five 시도: never guessed
    ("고성군 간성읍 수성로 30", None, ("강원특별자치도", "고성군")),  # 간성읍 says which 고성군
    ("고성군 남포로79번길 103-3", None, (None, None)),
    ("봉담읍 와우로 15번길 17", None, ("경기도", "화성시")),  # one 봉담읍 in the country
    ("성남시 수정구 모란로 1", None, ("경기도", "성남시 수정구")),
    ("중구 퇴계로 49길 13", "서울청", ("서울특별시", "중구")),
    ("경산남도 양산시 평산로 79", "경남청", ("경상남도", "양산시")),  # a misspelt 시도 gives way
    ("충청남도 서북구 직산읍 삼은2길 27", None, ("충청남도", "천안시 서북구")),
])
def test_addresses_that_start_below_the_sido(address, sido, expected):
    parsed = parse_address(address, sido)
    assert (parsed["sido"], parsed["sigungu"]) == expected


def test_coverage_report_counts_phones_positions_and_dates(demo_db, runner, demo_db_path):
    report = {r.type: r for r in coverage_report(demo_db)}
    police = report["경찰서/파출소"]
    assert police.agencies == 2045 and police.phone == 2045 and police.exact == 0  # no coordinates in the list
    dementia = report["치매안심센터"]
    assert dementia.exact == dementia.agencies and dementia.share("phone") >= 0.95
    assert all(r.agencies == r.exact + r.centroid + r.unplaced + (r.agencies - r.exact - r.centroid - r.unplaced)
               for r in report.values())
    assert sum(r.agencies for r in report.values()) == demo_db.execute(
        "SELECT count(*) FROM agencies WHERE placement != 'sample'").fetchone()[0]
    result = runner.invoke(main, ["--db", str(demo_db_path), "report", "coverage", "--type", "치매안심센터"])
    assert result.exit_code == 0, result.output
    assert "치매안심센터" in result.output and "정확한 위치" in result.output and "sample" not in result.output


def test_coverage_page_for_administrators(app, client):
    from directory import accounts

    db = connect(app.config["DATABASE"])
    accounts.create_user(db, "admin", "correct-horse-1", "admin")
    db.conn.close()
    assert client.get("/admin/coverage").status_code in (302, 401, 403)
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/auth/login", data={"username": "admin", "password": "correct-horse-1", "csrf_token": token})
    text = client.get("/admin/coverage").get_data(as_text=True)
    assert "자료 충실도" in text and "경찰서/파출소" in text and "2,045" in text
    assert "exact" not in text and "unplaced" not in text
