"""Sites (directory.sites): supportive houses as complexes, their agreements, who may write and read them."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from directory import accounts, sites
from directory.actors import PermissionDenied
from directory.privacy import PersonalDataError

HOUSE = {"name": "시범 지원주택", "kind": "지원주택", "capacity": "18", "target_group": "정신질환 여성노숙인",
         "operator": "SH", "address": "서울특별시 노원구 동일로 1414"}


@pytest.fixture
def house(db):
    return sites.create_site(db, HOUSE)


@pytest.fixture
def people(db, house, cheap_hashes):
    """A coordinator and a supervisor of the house, an evaluator of the city, another city's planner, a stranger."""
    rental = sites.create_site(db, {"name": "영구임대 단지", "kind": "영구임대주택", "address": "서울특별시 강서구 공항대로 1"})
    make = accounts.create_user
    return {
        "coordinator": make(db, "coord", "correct-horse-1", "worker", complexes=[house["id"]]),
        "supervisor": make(db, "super", "correct-horse-1", "team_lead", complexes=[house["id"]]),
        "evaluator": make(db, "eval", "correct-horse-1", "planner", districts=["서울특별시"]),
        "busan": make(db, "busan", "correct-horse-1", "planner", districts=["부산광역시"]),
        "other_worker": make(db, "other", "correct-horse-1", "worker", complexes=[rental["id"]]),
    }


def test_a_house_is_a_complex_row_with_kind_capacity_and_placement(db, house):
    assert house["kind"] == "supportive" and house["capacity"] == 18
    assert (house["sido"], house["sigungu"], house["placement"]) == ("서울특별시", "노원구", "sigungu")
    assert 37.6 < house["lat"] < 37.7  # 노원구's centroid
    assert house["mental_illness_issues"] == 1 and house["alcohol_issues"] == 0  # read by the gap rules
    row = sites.get_site(db, house["id"])
    assert row["kind_label"] == "지원주택" and row["agreements"] == [] and row["current"] is None
    entry = db.execute("SELECT action, table_name, row_id FROM audit_log ORDER BY id DESC").fetchone()
    assert entry == ("insert", "complexes", house["id"])


def test_house_placed_at_a_matching_agency_address(db):
    db["agencies"].insert({"name": "노숙인종합지원센터", "name_key": "x", "address_key": None, "lat": 37.55,
                           "lon": 126.97, "placement": "exact"})
    from directory.normalize import address_key

    db.execute("UPDATE agencies SET address_key = ?", [address_key("서울특별시 중구 서소문로 1")])
    found = sites.locate_site(db, "서울특별시 중구 서소문로 1")
    assert (found["placement"], found["lat"], found["lon"]) == ("matched", 37.55, 126.97)


def test_existing_complexes_are_permanent_rental(demo_db):
    kinds = {r[0] for r in demo_db.execute("SELECT kind FROM complexes")}
    assert kinds == {"permanent_rental"}


@pytest.mark.parametrize("fields, code", [
    ({"name": ""}, "site_name_required"),
    ({"name": "x", "kind": "아파트"}, "unknown_site_kind"),
    ({"name": "x", "capacity": "열여덟"}, "capacity_invalid"),
    ({"name": "x", "capacity": 0}, "capacity_invalid"),
    ({"name": "x", "provider_agency_id": 999}, "provider_not_found"),
    ({"name": "x", "lat": 37.5}, "lat_lon_together"),
    ({"name": "x", "lat": 10, "lon": 127}, "field_outside_korea"),
    ({"name": "x", "households": 3}, "site_field_unknown"),
])
def test_bad_site_fields_are_refused(db, fields, code):
    with pytest.raises(sites.SiteError) as caught:
        sites.create_site(db, fields)
    assert caught.value.code == code
    assert db["complexes"].count == 0


def test_same_name_twice_is_refused(db, house):
    with pytest.raises(sites.SiteError, match="이미 있습니다"):
        sites.create_site(db, {"name": HOUSE["name"]})


def test_a_flat_number_or_a_name_is_never_stored(db):
    with pytest.raises(PersonalDataError):
        sites.create_site(db, {"name": "x", "address": "서울특별시 노원구 동일로 1414 101동 202호"})
    with pytest.raises(PersonalDataError):
        sites.create_site(db, {"name": "x", "target_group": "입주민 김철수"})
    assert db["complexes"].count == 0


# --- agreements -----------------------------------------------------------------


def test_agreement_and_the_indicators_start(db, house):
    agreement = sites.add_agreement(db, house["id"], "2022-07-01", "2024-07-31", notice_date="2023-02-01")
    assert sites.indicators_apply_from(agreement) == date(2023, 1, 1)
    assert sites.current_agreement(db, house["id"], on=date(2023, 5, 1))["id"] == agreement["id"]
    assert sites.current_agreement(db, house["id"], on=date(2021, 5, 1)) is None
    renewal = sites.add_agreement(db, house["id"], "2024-07-31", "2027-07-30", renews_id=agreement["id"],
                                  notice_date="2023-02-01")
    assert sites.current_agreement(db, house["id"], on=date(2025, 1, 1))["id"] == renewal["id"]
    # the renewal's data start with the renewal, though the notice is older
    assert sites.indicators_apply_from(renewal) == date(2024, 7, 31)
    assert sites.indicators_apply_from({"starts": "2022-07-01", "ends": "2024-07-31", "notice_date": None}) is None


@pytest.mark.parametrize("starts, ends, notice, code", [
    ("2024-07-01", "2022-07-01", None, "agreement_end_before_start"),
    ("2024-07-01", "2024-07-01", None, "agreement_end_before_start"),
    ("2022-02-30", "2024-07-01", None, "agreement_date_invalid"),
    ("22.7.1", "2024-07-01", None, "agreement_date_invalid"),
    ("", "2024-07-01", None, "agreement_date_required"),
    ("1999-01-01", "2024-07-01", None, "agreement_date_too_early"),
    ("2022-07-01", "2024-07-31", "2024-08-01", "notice_after_end"),
    ("2022-07-01", "2099-07-31", (date.today() + timedelta(days=30)).isoformat(), "notice_in_future"),
    ("2022-07-01", "2024-07-31", "2023-13-01", "agreement_date_invalid"),
])
def test_agreement_validation(db, house, starts, ends, notice, code):
    with pytest.raises(sites.SiteError) as caught:
        sites.add_agreement(db, house["id"], starts, ends, notice_date=notice)
    assert caught.value.code == code
    assert db["site_agreements"].count == 0


def test_overlap_renewal_and_rental_refused(db, house):
    first = sites.add_agreement(db, house["id"], "2022-07-01", "2024-07-31")
    with pytest.raises(sites.SiteError, match="겹칩니다"):
        sites.add_agreement(db, house["id"], "2024-01-01", "2026-12-31")
    with pytest.raises(sites.SiteError) as caught:
        sites.add_agreement(db, house["id"], "2020-01-01", "2021-12-31", renews_id=first["id"])
    assert caught.value.code == "renewal_not_later"
    rental = sites.create_site(db, {"name": "단지", "kind": "영구임대주택"})
    with pytest.raises(sites.SiteError) as caught:
        sites.add_agreement(db, rental["id"], "2022-07-01", "2024-07-31")
    assert caught.value.code == "not_a_supportive_house"
    with pytest.raises(PersonalDataError):
        sites.add_agreement(db, house["id"], "2025-01-01", "2026-01-01", note="입주민 김철수 퇴거로 재협약")
    assert db["site_agreements"].count == 1


def test_agreement_update_is_versioned_and_audited(db, house):
    agreement = sites.add_agreement(db, house["id"], "2022-07-01", "2024-07-31")
    changed = sites.update_agreement(db, agreement["id"], starts="2022-07-01", ends="2024-07-31",
                                     notice_date="2023-02-01", expected_version=1)
    assert changed["version"] == 2 and changed["notice_date"] == "2023-02-01"
    with pytest.raises(sites.AgreementConflict):
        sites.update_agreement(db, agreement["id"], starts="2022-07-01", ends="2024-06-30", expected_version=1)
    sites.delete_agreement(db, agreement["id"], expected_version=2)
    actions = [r[0] for r in db.execute("SELECT action FROM audit_log WHERE table_name = 'site_agreements' "
                                        "ORDER BY id")]
    assert actions == ["insert", "update", "delete"]
    before = json.loads(db.execute("SELECT before FROM audit_log ORDER BY id DESC").fetchone()[0])
    assert before["notice_date"] == "2023-02-01"


# --- who may do what ---------------------------------------------------------------


def test_staff_write_their_house_only(db, house, people):
    for who in ("coordinator", "supervisor"):
        sites.add_agreement(db, house["id"], f"20{22 + 3 * (who == 'supervisor')}-07-01",
                            f"20{24 + 3 * (who == 'supervisor')}-07-01", actor=people[who])
    for who in ("evaluator", "busan", "other_worker"):
        with pytest.raises(PermissionDenied):
            sites.add_agreement(db, house["id"], "2030-01-01", "2031-01-01", actor=people[who])
        with pytest.raises(PermissionDenied):
            sites.update_site(db, house["id"], {"capacity": 19}, actor=people[who])
    assert sites.update_site(db, house["id"], {"capacity": 19}, actor=people["supervisor"])["capacity"] == 19
    with pytest.raises(PermissionDenied):  # the kind is the administrators'
        sites.update_site(db, house["id"], {"kind": "영구임대주택"}, actor=people["supervisor"])
    with pytest.raises(PermissionDenied):
        sites.create_site(db, {"name": "새 주택"}, actor=people["supervisor"])


def test_who_reads_which_house(db, house, people):
    readers = {who for who, user in people.items() if sites.can_read_site(user, house)}
    assert readers == {"coordinator", "supervisor", "evaluator"}
    assert [r["id"] for r in sites.readable_sites(db, people["evaluator"])] == [house["id"]]
    assert sites.readable_sites(db, people["busan"]) == []
    assert sites.readable_sites(db, people["other_worker"]) == []
    assert people["coordinator"].site_role_label("supportive") == "코디네이터"
    assert people["supervisor"].site_role_label("supportive") == "수퍼바이저"
    assert people["supervisor"].site_role_label("permanent_rental") == "주거복지팀장"


def test_address_change_places_again(db, house, people):
    moved = sites.update_site(db, house["id"], {"address": "서울특별시 강서구 공항대로 1"}, actor=people["supervisor"])
    assert (moved["sigungu"], moved["placement"]) == ("강서구", "sigungu")
    assert moved["lat"] != house["lat"]


def test_demo_accounts_show_a_house(db, cheap_hashes):
    rows = {r[0]: r for r in accounts.demo_accounts(db)}
    assert {"coordinator", "supervisor", "evaluator"} <= set(rows)
    coordinator = accounts.find_user(db, "coordinator")
    (house_id,) = coordinator.complex_ids
    house = sites.get_site(db, house_id)
    assert house["kind"] == "supportive" and house["capacity"] == 18 and house["placement"] == "sample"
    assert house["current"]["notice_date"] == "2023-02-01"
    assert sites.can_read_site(accounts.find_user(db, "evaluator"), house)
    accounts.demo_accounts(db)  # again: the houses are not made twice
    assert db.execute("SELECT count(*) FROM complexes WHERE kind = 'supportive'").fetchone()[0] == 2
