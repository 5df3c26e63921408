"""Duplicates across lists: merged with both sources kept, near-misses reported, branches kept apart."""
import json

from cli import main
from directory.store import connect
from importers import import_file
from importers.dedup import AgencyIndex, find_duplicates, split_merge
from tests.conftest import PUBLIC

KNOWN = ("시설명,시설유형,주소,위도,경도,운영기관명\n"
         "상계종합사회복지관,종합사회복지관,서울특별시 노원구 상계로 1,37.6550,127.0610,\n"
         "새희망지역아동센터,,서울특별시 노원구 동일로 1500,37.6400,127.0700,\n"
         "강북구치매안심센터,치매안심센터,서울특별시 강북구 한천로 897,37.6390,127.0230,강북구보건소\n"
         "부평구정신건강복지센터,정신건강복지센터,인천광역시 부평구 부흥로 287,37.4890,126.7240,\n"
         "노원구보건소,보건소,서울특별시 노원구 노해로 437,37.6540,127.0560,\n")


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def sources_of(db, name):
    return [r[0] for r in db.execute(
        "SELECT s.source FROM agency_sources s JOIN agencies a ON a.id = s.agency_id WHERE a.name = ? ORDER BY s.id",
        [name])]


def test_same_agency_from_two_lists_becomes_one_with_both_sources(db, tmp_path):
    import_file(db, write(tmp_path, "known.csv", KNOWN))
    other = write(tmp_path, "other.csv", (
        "기관명,기관구분,주소\n"
        "상계 종합사회복지관,,서울 노원구 상계로 1\n"  # same name once normalised
        "인천참사랑병원,기초정신건강복지센터,인천광역시 부평구 부흥로 287\n"  # operator's name, same address and type
        "노원구치매안심센터,치매안심센터,서울특별시 노원구 노해로 437\n"))  # same building, other type
    summary = import_file(db, other)
    assert (summary.imported, summary.merged) == (1, 2)
    assert sources_of(db, "상계종합사회복지관") == ["list:known", "list:other"]
    assert sources_of(db, "부평구정신건강복지센터") == ["list:known", "list:other"]
    dementia = db.execute("SELECT placement, lat FROM agencies WHERE name = '노원구치매안심센터'").fetchone()
    assert dementia == ("matched", 37.6540)  # placed from the 보건소 in the same building, not merged
    assert summary.extra["placed"] == {"matched": 3}
    rules = {m["merged_name"]: m["rule"] for m in summary.extra["merges"]}
    # The operator-named row was named by its place (importers.naming), so the names now agree too.
    assert rules == {"상계 종합사회복지관": "same-name", "부평구정신건강복지센터": "same-name"}
    assert db.execute("SELECT operator FROM agencies WHERE name = '부평구정신건강복지센터'").fetchone() == (
        "인천참사랑병원",)


def test_similar_name_within_100_metres_merges(db, tmp_path):
    import_file(db, write(tmp_path, "known.csv", KNOWN))
    near = write(tmp_path, "near.csv", "시설명,주소,위도,경도\n새희망의지역아동센터,서울특별시 노원구 동일로 1502,37.6403,127.0702\n"
                                        "새희망의지역아동센터,서울특별시 도봉구 도봉로 1,37.6600,127.0400\n")
    summary = import_file(db, near)
    assert summary.merged == 1
    assert len(sources_of(db, "새희망지역아동센터")) == 2
    # The same name 2.8 km away is a near-miss for a person, not a merge.
    misses = [c for c in find_duplicates(db) if c.decision == "near-miss"]
    assert misses == []  # different 시군구: not even close


def test_dementia_branches_sharing_an_operator_never_merge(db, tmp_path):
    import_file(db, write(tmp_path, "known.csv", KNOWN))
    branch = write(tmp_path, "branch.csv", "치매센터명,치매센터유형,주소,위도,경도,운영기관명\n"
                                           "강북구치매안심센터 삼각산분소,치매안심센터,서울특별시 강북구 한천로 897,37.6391,127.0231,강북구보건소\n"
                                           "강북구치매안심센터 수유분소,치매안심센터,서울특별시 강북구 삼양로 1,37.6393,127.0233,강북구보건소\n")
    summary = import_file(db, branch)
    assert summary.merged == 0 and summary.imported == 2
    assert db.execute("SELECT count(*) FROM agencies WHERE type = '치매안심센터'").fetchone()[0] == 3
    misses = {(c.rule, frozenset((c.a_name, c.b_name))) for c in find_duplicates(db) if c.decision == "near-miss"}
    assert ("same-address", frozenset(("강북구치매안심센터", "강북구치매안심센터 삼각산분소"))) in misses


def test_rows_of_one_list_are_left_to_that_list(db, tmp_path):
    one = write(tmp_path, "one.csv", "기관명,기관구분,주소\n"
                                     "강원대학교병원,광역정신건강복지센터,강원도 춘천시 춘천로 306-5\n"
                                     "강원대학교병원,기초정신건강복지센터,강원도 춘천시 효제길 35\n")
    import_file(db, one)
    known = write(tmp_path, "k.csv", "시설명,주소,위도,경도\n강원도광역정신건강복지센터,강원도 춘천시 춘천로 306-5,37.87,127.73\n"
                                     "춘천시정신건강복지센터,강원도 춘천시 효제길 35,37.88,127.72\n")
    summary = import_file(db, known)
    assert summary.merged == 2
    assert db["agencies"].count == 2  # each 강원대학교병원 row joined its own centre
    assert {r[0] for r in db.execute("SELECT placement FROM agencies")} == {"exact"}


def test_dementia_list_counts_unchanged_with_the_health_promotion_list(db):
    import_file(db, PUBLIC / "dementia_centers_standard.csv")
    assert db["agencies"].count == 277
    import_file(db, PUBLIC / "health_promotion_centers_standard.csv")
    assert db.execute("SELECT count(*) FROM agencies WHERE type = '치매안심센터'").fetchone()[0] >= 277


def test_report_split_and_decisions(runner, tmp_path):
    dbfile = tmp_path / "d.db"
    db = connect(dbfile)
    import_file(db, write(tmp_path, "known.csv", KNOWN))
    other = write(tmp_path, "other.csv", "기관명,주소\n상계종합사회복지관,서울특별시 노원구 상계로 1\n")
    import_file(db, other)
    db.conn.close()
    result = runner.invoke(main, ["--db", str(dbfile), "duplicates", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [m["rule"] for m in report["merges"]] == ["same-name"]
    merge_id = report["merges"][0]["id"]
    text = runner.invoke(main, ["--db", str(dbfile), "duplicates"])
    assert "병합 1건" in text.output and "상계종합사회복지관" in text.output
    split = runner.invoke(main, ["--db", str(dbfile), "duplicates", "split", str(merge_id)])
    assert split.exit_code == 0, split.output
    db = connect(dbfile)
    rows = list(db.query("SELECT name, source FROM agencies WHERE name = '상계종합사회복지관' ORDER BY id"))
    assert [r["source"] for r in rows] == ["list:known", "list:other"]
    # The split pair is remembered: importing the list again does not merge it back.
    again = import_file(db, other)
    assert again.merged == 0 and again.unchanged == 1
    assert find_duplicates(db) == []
    # A person can merge a pair by hand, and undo is refused twice.
    a, b = (r[0] for r in db.execute("SELECT id FROM agencies WHERE name = '상계종합사회복지관'"))
    db.conn.close()
    assert runner.invoke(main, ["--db", str(dbfile), "duplicates", "same", str(a), str(b)]).exit_code == 0
    again = runner.invoke(main, ["--db", str(dbfile), "duplicates", "split", str(merge_id)])
    assert again.exit_code != 0 and "이미" in again.output


def test_split_restores_links(demo_db):
    a, b = (r[0] for r in demo_db.execute("SELECT id FROM agencies WHERE id IN (SELECT agency_id FROM links) LIMIT 2"))
    links_b = demo_db.execute("SELECT count(*) FROM links WHERE agency_id = ?", [b]).fetchone()[0]
    from importers.dedup import merge_agencies

    with demo_db.conn:
        merge_id = merge_agencies(demo_db.conn, a, b, rule="test")
    with demo_db.conn:
        new_id = split_merge(demo_db.conn, merge_id)
    assert demo_db.execute("SELECT count(*) FROM links WHERE agency_id = ?", [new_id]).fetchone()[0] == links_b


def test_index_blocks_by_name_address_and_grid(db, tmp_path):
    import_file(db, write(tmp_path, "known.csv", KNOWN))
    index = AgencyIndex(db.conn)
    assert len(index.agencies) == 5
    assert sum(len(v) for v in index.grid.values()) == 5


def test_import_index_leaves_out_the_list_and_finds_the_same_merges(tmp_path, monkeypatch):
    """auto_merge indexes only other lists' agencies; the merges equal those of an index of everyone."""
    from importers import dedup
    from tests.conftest import PUBLIC as public

    files = [public / "dementia_centers_standard.csv", public / "health_promotion_centers_standard.csv",
             public / "mental_health_institutions_20220301.csv"]

    def merges_of(db):
        return [tuple(r) for r in db.execute(
            "SELECT kept_id, merged_id, rule, score, distance_m FROM agency_merges ORDER BY id")]

    cut = connect(tmp_path / "cut.db")
    for path in files:
        import_file(cut, path)
    ids = [r[0] for r in cut.execute("SELECT DISTINCT agency_id FROM agency_sources WHERE source LIKE 'list:%'")]
    index = AgencyIndex(cut.conn, query=ids)
    blocked = {i for table in (index.by_canon, index.by_address, index.grid) for v in table.values() for i in v}
    assert set(ids) <= set(index.agencies) and not blocked & set(ids)  # held for lookup, never a neighbour
    assert all("list:mental_health_institutions_20220301" not in index.agencies[i].sources for i in blocked)
    full_index = dedup.AgencyIndex
    monkeypatch.setattr(dedup, "AgencyIndex", lambda conn, **kw: full_index(conn))
    full = connect(tmp_path / "full.db")
    for path in files:
        import_file(full, path)
    assert len(merges_of(cut)) > 50
    assert merges_of(cut) == merges_of(full)
