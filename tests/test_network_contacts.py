"""The contact log, derived frequency levels, and link writes with optimistic concurrency."""
from datetime import date, timedelta

import pytest

from network.contacts import ContactError, PersonalDataError, add_contact, check_note, link_frequency, list_contacts
from network.graph import build_graph, complex_node
from network.links import Conflict, LinkError, LinkNotFound, delete_link, get_link, set_link


def _link(db, complex_name="C", kind="치매안심센터"):
    """The complex's link to its partner of that kind (in the demo, the real centre of its 시군구)."""
    return db.execute(
        "SELECT l.id FROM links l JOIN complexes c ON c.id = l.complex_id JOIN agencies a ON a.id = l.agency_id "
        "WHERE c.name = ? AND a.type = ?", [complex_name, kind]).fetchone()[0]


@pytest.mark.parametrize("note", [
    "김철수씨 방문 상담", "박OO님 의뢰", "김씨 병원 동행", "이영희 어르신 병원 동행", "홍길동님이 요청",
    "주민번호 800101-1234567 확인", "8001011234567", "010-1234-5678 로 연락", "01012345678",
])
def test_personal_data_refused(note):
    with pytest.raises(PersonalDataError, match="개인정보"):
        check_note(note)


@pytest.mark.parametrize("note", [
    "통합사례회의 참석", "팀장님과 통화", "선생님께 자료 전달", "관리소장님 협의", "사회복지사님 연락",
    "독거 어르신 3명 발굴", "센터 대표번호 02-123-4567", "날씨 때문에 연기", "마음씨 좋은 봉사자 연결", None,
])
def test_ordinary_notes_pass(note):
    check_note(note)


def test_contacts_derive_level_and_keep_manual(demo_db):
    link = _link(demo_db)
    assert link_frequency(demo_db, link)["source"] == "manual"
    today = date.today()
    for days in range(1, 11):  # ten contacts in the last 12 months -> 연 9회 이상
        add_contact(demo_db, link, today - timedelta(days=days * 20), "referral", "검진 의뢰")
    add_contact(demo_db, link, today - timedelta(days=500), "정보 공유")  # too old to count
    freq = link_frequency(demo_db, link)
    assert (freq["manual"], freq["derived"], freq["effective"], freq["contacts_12m"]) == (5, 4, 4, 10)
    assert freq["label"] == "연 9회 이상"
    G = build_graph(demo_db)
    edge = G.edges[complex_node(3), f"a:{demo_db.execute('SELECT agency_id FROM links WHERE id=?', [link]).fetchone()[0]}"]
    assert (edge["level"], edge["manual_level"], edge["derived_level"], edge["weight"]) == (4, 5, 4, 4.0)
    for days in range(2):
        add_contact(demo_db, link, today - timedelta(days=days), "meetings")
    assert link_frequency(demo_db, link)["derived"] == 5  # 12 a year = 수시
    assert list_contacts(demo_db, link_id=link)[0]["content_name"] == "정기·비정기 모임"


@pytest.mark.parametrize("args, message", [
    (("2024-13-01", None), "날짜 형식"),
    ((date.today() + timedelta(days=2), None), "미래"),
    (("2024-05-01", "없는내용"), "알 수 없는 연계 내용"),
])
def test_bad_contacts_are_refused_and_nothing_stored(demo_db, args, message):
    link = _link(demo_db)
    with pytest.raises(ContactError, match=message):
        add_contact(demo_db, link, *args)
    assert list_contacts(demo_db, link_id=link) == []


def test_set_link_optimistic_concurrency(demo_db):
    c = demo_db.execute("SELECT id FROM complexes WHERE name = 'C'").fetchone()[0]
    a = demo_db.execute("SELECT id FROM agencies WHERE type = '장애인복지관' AND id NOT IN "
                        "(SELECT agency_id FROM links WHERE complex_id = ?) ORDER BY id LIMIT 1", [c]).fetchone()[0]
    created = set_link(demo_db, c, a, 3, ["referral", "정보 공유"], "분기별 회의")
    assert (created["version"], created["content_types"]) == (1, ["referral", "information"])
    changed = set_link(demo_db, c, a, 4, ["meetings"], None, expected_version=1)
    assert changed["version"] == 2 and changed["frequency_level"] == 4
    with pytest.raises(Conflict, match="다른 사람"):
        set_link(demo_db, c, a, 2, [], None, expected_version=1)  # stale
    with pytest.raises(Conflict):
        set_link(demo_db, c, a, 2, [], None)  # "create" but it exists
    assert get_link(demo_db, changed["id"])["frequency_level"] == 4
    with pytest.raises(LinkError, match="개인정보"):
        set_link(demo_db, c, a, 2, [], "김철수씨 담당", expected_version=2)
    with pytest.raises(Conflict):
        delete_link(demo_db, changed["id"], expected_version=1)
    delete_link(demo_db, changed["id"], expected_version=2)
    with pytest.raises(LinkNotFound):
        get_link(demo_db, changed["id"])


def test_set_link_validates(demo_db):
    with pytest.raises(LinkError, match="빈도"):
        set_link(demo_db, 1, 1, 7)
    with pytest.raises(LinkError, match="연계 내용"):
        set_link(demo_db, 1, 1, 3, ["무엇"])
    with pytest.raises(LinkError, match="단지를 찾을 수 없습니다"):
        set_link(demo_db, 999, 1, 3)
