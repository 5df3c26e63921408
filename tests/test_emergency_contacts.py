"""긴급복지 주거지원: who to call tonight, the procedure as a playbook, the types it needs (issue 14)."""
from __future__ import annotations

from datetime import date

import pytest

from directory import editing, emergency, playbooks
from directory.emergency_contacts import contact_order, tonight
from directory.errors import ComplexNotFound
from directory.taxonomy import Taxonomy

# Near complex A (서울 노원구, 37.6542, 127.0568), each a few hundred metres off.
VIOLENCE_AGENCIES = [
    ("노원해바라기센터", "해바라기센터", 37.6560, 127.0600, "02-000-0001"),
    ("먼해바라기센터", "해바라기센터", 37.9000, 127.2000, "02-000-0002"),
    ("노원가정폭력상담소", "가정폭력·성폭력 상담소", 37.6500, 127.0500, "02-000-0003"),
    ("노원구가정폭력피해자보호시설", "가정폭력·성폭력 피해자 보호시설", 37.6600, 127.0700, "02-000-0004"),
    ("대한법률구조공단 노원출장소", "대한법률구조공단", 37.6530, 127.0610, "02-000-0005"),
    ("노원구청", "동·구청", 37.6543, 127.0565, "02-2116-3114"),
    ("도봉구청", "동·구청", 37.6540, 127.0570, "02-2091-2000"),  # nearer, but another district
]


def add_agencies(db, rows=VIOLENCE_AGENCIES):
    ids = {}
    for name, kind, lat, lon, phone in rows:
        sigungu = "도봉구" if name.startswith("도봉") else "노원구"
        row = editing.create_agency(db, {"name": name, "type": kind, "sido": "서울특별시", "sigungu": sigungu,
                                         "lat": lat, "lon": lon, "phone": phone})
        ids[name] = row["id"]
    return ids


def names(contacts):
    out = []
    for c in contacts:
        if c["kind"] == "line":
            out.append(c["line"]["number"])
        else:
            out.append(c["agency"]["name"] if c["agency"] else f"({c['type']} 없음)")
    return out


def test_violence_puts_112_and_the_nearest_sunflower_centre_and_counselling_above_everything(demo_db):
    add_agencies(demo_db)
    plan = tonight(demo_db, complex_key="A", situations=["violence"], unsafe=True)
    order = names(plan["contacts"])
    assert order[0] == "112"
    first_everyday = order.index("129")
    assert order.index("노원해바라기센터") < first_everyday and order.index("노원가정폭력상담소") < first_everyday
    assert "먼해바라기센터" not in order  # the nearest one, not every one
    assert order.index("노원구청") > first_everyday and plan["contacts"][-1]["type"] == "행정복지센터"
    assert [line["number"] for line in plan["call_now"]] == ["112", "129"]
    police = next(c for c in plan["contacts"] if c["kind"] == "agency" and c["type"] == "경찰서/파출소")
    assert police["agency"] is not None and police["agency"]["distance_km"] < 3
    assert plan["contacts"][2]["agency"]["phone"] == "02-000-0001"


def test_without_violence_129_and_the_welfare_offices_lead(demo_db):
    add_agencies(demo_db)
    plan = tonight(demo_db, complex_key="A")
    assert names(plan["contacts"])[:2] == ["129", "노원구청"]
    assert plan["call_now"] == [] and len(plan["contacts"]) == 3
    assert plan["contacts"][2]["agency"]["type"] == "행정복지센터"


def test_the_district_office_is_the_complexes_own_not_the_next_districts(demo_db):
    add_agencies(demo_db)
    office = next(c for c in tonight(demo_db, complex_key="A")["contacts"] if c.get("type") == "동·구청")
    assert office["agency"]["name"] == "노원구청"  # 도봉구청 is 30 m nearer but not the 주소지 관할


def test_a_type_the_directory_lacks_is_shown_missing_never_invented(demo_db):
    plan = tonight(demo_db, complex_key="A", situations=["violence"])
    sunflower = next(c for c in plan["contacts"] if c.get("type") == "해바라기센터")
    assert sunflower["agency"] is None
    # the violence steps fall back to a line when no agency of the type is listed
    separation = next(s for s in plan["steps"] if s["number"] == 5)
    assert separation["contact"]["kind"] == "line" and separation["contact"]["line"]["number"] == "1366"
    assert separation["missing"] == ["해바라기센터", "가정폭력·성폭력 상담소"]


def test_abuse_and_violence_together_list_112_once_and_violences_partners_first(demo_db):
    add_agencies(demo_db)
    contacts = tonight(demo_db, complex_key="A", situations=["abuse", "violence"])["contacts"]
    order, types = names(contacts), [c.get("type") for c in contacts]
    assert order.count("112") == 1 and order[0] == "112"
    assert order.index("노원해바라기센터") < order.index("노원가정폭력상담소") < order.index("129")
    assert order.index("노원해바라기센터") < types.index("노인보호전문기관")


def test_follow_up_checklist_links_the_nearest_agency_of_each(demo_db):
    add_agencies(demo_db)
    plan = tonight(demo_db, complex_key="B", start=date(2025, 1, 31))
    items = {s["title"]: s for s in plan["follow_up"]}
    assert list(items) == ["주거급여", "생계급여", "의료급여", "정신건강 상담", "법률지원"]
    assert items["정신건강 상담"]["contact"]["agency"]["name"] == "강서구정신건강복지센터"
    assert items["주거급여"]["contact"]["agency"]["type"] == "행정복지센터"
    assert items["주거급여"]["due_date"] == "2025-02-28"
    legal = items["법률지원"]["contact"]
    assert legal["kind"] == "agency" and legal["agency"]["name"] == "대한법률구조공단 노원출장소"


def test_an_unknown_complex_is_named(demo_db):
    with pytest.raises(ComplexNotFound):
        tonight(demo_db, complex_key="없는 단지")


def test_without_a_place_only_lines_answer(demo_db):
    plan = tonight(demo_db, situations=["violence"])
    assert not plan["placed"] and all(c["agency"] is None for c in plan["contacts"] if c["kind"] == "agency")
    assert names(plan["contacts"])[0] == "112"


def test_every_type_the_order_and_the_playbook_name_is_in_the_taxonomy(db):
    types = set(Taxonomy.from_db(db).type_category)
    named = {e["target"] for entries in contact_order().values() for e in entries if e["kind"] == "type"}
    named |= set(playbooks.load_playbook("emergency_housing").agency_types())
    assert named <= types, named - types
    lines = playbooks.national_lines()
    assert {e["target"] for entries in contact_order().values() for e in entries if e["kind"] == "line"} <= set(lines)


@pytest.mark.parametrize("name, expected", [
    ("서울해바라기센터", "해바라기센터"),
    ("경기북부해바라기아동센터", "해바라기센터"),
    ("부산성폭력피해자통합지원센터", "해바라기센터"),
    ("한국여성의전화 가정폭력상담소", "가정폭력·성폭력 상담소"),
    ("○○가정폭력·성폭력통합상담소", "가정폭력·성폭력 상담소"),
    ("장애인성폭력상담소", "가정폭력·성폭력 상담소"),
    ("○○가정폭력피해자보호시설", "가정폭력·성폭력 피해자 보호시설"),
    ("장애인성폭력피해자보호시설", "가정폭력·성폭력 피해자 보호시설"),
    ("대한법률구조공단 서울북부지부", "대한법률구조공단"),
    ("129 보건복지상담센터", "보건복지상담센터"),
])
def test_emergency_agency_names_get_their_type(db, name, expected):
    assert Taxonomy.from_db(db).infer_type(name) == expected


@pytest.mark.parametrize("name", [
    "서울시립청소년쉼터", "청소년쉼터", "노숙인쉼터", "구세군가재울쉼터", "시립양평쉼터", "가나안 쉼터", "무더위쉼터",
    "성매매피해자지원시설", "범죄피해자지원센터", "학교폭력피해상담소", "노인요양시설", "장애인직업재활시설",
    "아동일시보호시설", "해바라기어린이집",
])
def test_shelters_and_look_alikes_are_not_violence_shelters_or_homeless_facilities(db, name):
    inferred = Taxonomy.from_db(db).infer_type(name)
    assert inferred not in {"가정폭력·성폭력 피해자 보호시설", "가정폭력·성폭력 상담소", "해바라기센터",
                            "노숙인요양시설", "노숙인재활시설", "노숙인일시보호시설"}, (name, inferred)


# --- the playbook engine ------------------------------------------------------------------


def test_the_procedure_has_the_four_stages_with_the_monthly_decision_and_extension():
    book = playbooks.load_playbook("emergency_housing")
    assert book.stages == ["신고·상담", "현장확인", "결정·집행", "사후연계"]
    steps = playbooks.plan(book, situations=[], start=date(2025, 3, 10))
    monthly = [s for s in steps if s["repeat"] == ("repeat_monthly", {})]
    assert {s["number"] for s in monthly} == {8, 9} and all(s["due_date"] == "2025-04-10" for s in monthly)
    assert "재심사" in next(s["title"] for s in steps if s["number"] == 9)
    assert all(s["number"] not in (1, 5) for s in steps)  # the violence steps only for violence
    assert steps[0]["contact"]["line"]["number"] == "129" and steps[0]["due"] == ("due_same_day", {})
    assert [s["number"] for s in playbooks.plan(book, situations=["violence"])][:2] == [1, 2]


def test_a_playbook_from_another_folder_is_read_the_same_way(tmp_path):
    (tmp_path / "index.csv").write_text("code,title,source\nhouse,지원주택 입주,매뉴얼\n", encoding="utf-8")
    (tmp_path / "house.csv").write_text(
        "stage,step,title,agency,due,repeat,when,note,source\n"
        "입주,1,입주 상담,type:정신건강복지센터,2w,,,,매뉴얼\n"
        "입주,2,사례회의,type:없는유형|line:129,1m,3m,alcohol,,매뉴얼\n", encoding="utf-8")
    book = playbooks.load_playbook("house", tmp_path)
    near = {"정신건강복지센터": {"name": "센터"}}
    steps = playbooks.plan(book, nearest=near.get, situations=["alcohol"], start=date(2025, 1, 1))
    assert steps[0]["contact"]["agency"]["name"] == "센터" and steps[0]["due"] == ("due_weeks", {"n": 2})
    assert steps[0]["due_date"] == "2025-01-15"
    assert steps[1]["contact"]["kind"] == "line" and steps[1]["missing"] == ["없는유형"]
    assert steps[1]["repeat"] == ("repeat_months", {"n": 3})
    assert len(playbooks.plan(book, nearest=near.get)) == 1


@pytest.mark.parametrize("row, detail", [
    ("입주,1,상담,agency:x,,,,,s", "agency"),
    ("입주,1,상담,,5y,,,,s", "due"),
    ("입주,x,상담,,,,,,s", "step"),
])
def test_a_malformed_playbook_row_is_named(tmp_path, row, detail):
    (tmp_path / "index.csv").write_text("code,title,source\nbad,나쁜,s\n", encoding="utf-8")
    (tmp_path / "bad.csv").write_text("stage,step,title,agency,due,repeat,when,note,source\n" + row + "\n",
                                      encoding="utf-8")
    with pytest.raises(playbooks.PlaybookError) as err:
        playbooks.load_playbook("bad", tmp_path)
    assert err.value.code == "bad_playbook" and detail in err.value.params["detail"] and err.value.params["row"] == 2


def test_an_unknown_playbook_is_named():
    with pytest.raises(playbooks.PlaybookError) as err:
        playbooks.load_playbook("nothing")
    assert err.value.code == "unknown_playbook"


def test_screening_words_for_the_contacts_come_from_data():
    # the crisis reasons the contacts follow are the screener's own
    assert {r.situation for r in emergency.crisis_reasons().values()} - {""} <= set(contact_order())
