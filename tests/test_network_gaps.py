"""Gap rules pinned on the study's complexes, and the recommendations."""
import networkx as nx
import pytest

from directory.store import ComplexNotFound, connect
from network.gaps import complex_gaps, gap_report, load_rules
from network.overlaps import same_type_splits
from network.recommend import RecommendError, recommend, resolve_need


@pytest.fixture(scope="module")
def study(demo_db_path):
    db = connect(demo_db_path)
    yield db
    db.conn.close()


def types(items):
    return {i["type"] for i in items}


def test_c_has_no_dementia_gap(study):
    gaps = gap_report(study, "C")
    assert "치매안심센터" not in types(gaps["profile"])
    assert "치매안심센터" in types(gaps["met"])
    assert types(gaps["profile"]) == {"장애인복지관"}  # 8% disabled, no 장애인복지관


def test_b_has_no_disability_gap(study):
    gaps = gap_report(study, "B")
    assert "장애인복지관" not in types(gaps["profile"])
    assert "장애인복지관" in types(gaps["met"])
    assert types(gaps["profile"]) == {"시니어클럽", "노인복지센터"}  # 52% elderly
    assert [g["category"] for g in gaps["category"]] == ["일자리"]


def test_peer_gaps(study):
    d = gap_report(study, "D")
    assert "지역사회보장협의체" in types(d["peer"])
    assert d["peers"] == {"scope": "시도", "count": 5}
    assert "5곳 중 5곳" in d["peer"][0]["reason"]


def test_rules_are_data_with_aliases(study, tmp_path):
    path = tmp_path / "rules.csv"
    path.write_text("field,threshold,agency_type,reason\nelderly_pct,60,노인복지관,고령 %(value)s%%\n", encoding="utf-8")
    rules = load_rules(study, path)
    assert rules[0]["agency_type"] == "노인복지센터"
    G = nx.Graph()
    G.add_node("c:1", bipartite=0, name="X", elderly_pct=75.0)
    result = complex_gaps(G, "c:1", rules=rules, categories=["복지기관"])
    assert result["profile"][0]["reason"] == "고령 75%"
    assert result["category"][0]["category"] == "복지기관"


def test_unknown_complex(study):
    with pytest.raises(ComplexNotFound):
        gap_report(study, "없는단지")


@pytest.mark.parametrize("need, expected", [
    ("술", ["중독관리통합지원센터", "정신건강복지센터"]),
    ("알코올 문제", ["중독관리통합지원센터", "정신건강복지센터"]),
    ("기억력", ["치매안심센터"]),
    ("일자리", ["시니어클럽", "고용센터", "지역자활센터"]),
    ("정신보건센터", ["정신건강복지센터"]),
    ("노인복지관", ["노인복지센터"]),
])
def test_resolve_need(study, need, expected):
    assert resolve_need(study, need) == expected


def test_unknown_need_is_clear(study):
    with pytest.raises(RecommendError, match="알 수 없는 필요"):
        resolve_need(study, "우주여행")


def test_recommend_nearest_unlinked_with_reason(study):
    found = recommend(study, "E", "치매", limit=5)
    results = found["results"]
    assert len(results) == 5
    assert all(r["type"] == "치매안심센터" for r in results)
    # Ranked by distance ÷ (1 + complexes already working with it): a centre another complex uses
    # (the demo's real 송파구 centre, C's partner) may come before a slightly nearer unused one.
    scores = [r["score"] for r in results]
    assert scores == sorted(scores) and min(r["distance_km"] for r in results) < 10
    unused = [r["distance_km"] for r in results if r["users"] == 0]
    assert unused == sorted(unused)
    assert "km" in results[0]["reason"]
    linked = {r[0] for r in study.execute("SELECT agency_id FROM links WHERE complex_id = ?", [found["complex_id"]])}
    assert not linked & {r["id"] for r in results}


def test_recommend_ranks_used_agencies_higher():
    db = connect(":memory:")
    db.execute("INSERT INTO complexes (id, name, lat, lon) VALUES (1, 'X', 37.5, 127.0), (2, 'Y', 37.5, 127.01)")
    db.execute("INSERT INTO agencies (id, name, name_key, type, lat, lon) VALUES "
               "(1, '가까운', 'a', '치매안심센터', 37.51, 127.0), (2, '먼', 'b', '치매안심센터', 37.515, 127.0)")
    db.execute("INSERT INTO links (complex_id, agency_id, frequency_level) VALUES (2, 2, 5)")
    results = recommend(db, "X", "치매")["results"]
    assert [r["name"] for r in results] == ["먼", "가까운"]
    assert results[0]["users"] == 1 and "1곳이 이미 연계" in results[0]["reason"]


def test_same_type_agencies_splitting_a_complex():
    G = nx.Graph()
    for c in ("c:1", "c:2"):
        G.add_node(c, bipartite=0, name=c, sido="서울특별시", sigungu="노원구")
    G.add_node("a:1", bipartite=1, name="가", type="정신건강복지센터", lat=37.65, lon=127.05)
    G.add_node("a:2", bipartite=1, name="나", type="정신건강복지센터", lat=37.66, lon=127.05)
    G.add_node("a:3", bipartite=1, name="다", type="치매안심센터")
    G.add_edges_from([("c:1", "a:1"), ("c:1", "a:2"), ("c:2", "a:1"), ("c:2", "a:2"), ("c:2", "a:3")])
    rows = same_type_splits(G)
    assert len(rows) == 1
    assert rows[0]["shared"] == 2 and rows[0]["distance_km"] == pytest.approx(1.11, abs=0.01)
    assert "대상 중첩" in rows[0]["reason"]
    assert same_type_splits(G, max_km=1) == []
