"""Snapshots and the year-on-year comparison (issue 11): links added, dropped and changed level between two dates."""
from __future__ import annotations

import json
import re
import shutil
from datetime import date, timedelta

import pytest

from cli import main
from directory import accounts
from directory.actors import PermissionDenied
from directory.store import connect
from network.graph import link_rows
from network.links import delete_link, find_link, get_link, set_link
from network.snapshots import (SnapshotError, SnapshotNotFound, compare_snapshots, get_snapshot, list_snapshots,
                               take_snapshot)

from . import study_store


@pytest.fixture(scope="module")
def study_path(tmp_path_factory):
    return study_store.build(tmp_path_factory.mktemp("study") / "study.db")


@pytest.fixture
def db(study_path, tmp_path):
    path = tmp_path / "study.db"
    shutil.copy(study_path, path)
    database = connect(path)
    yield database
    database.conn.close()


def _cid(db, name):
    return db.execute("SELECT id FROM complexes WHERE name = ?", [name]).fetchone()[0]


def _partner(db, cid, kind) -> dict:
    """The complex's link to its partner of this kind (the study names partners by kind)."""
    return get_link(db, find_link(db, cid, kind))


def _age_links(db, day: str):
    """The study's links as if made on `day` (they were imported today)."""
    with db.conn:
        db.execute("UPDATE links SET created_at = ?", [day + "T09:00:00+09:00"])


def test_a_snapshot_holds_the_links_as_every_page_shows_them(db):
    cid = _cid(db, "A")
    snap = take_snapshot(db, complex_id=cid, label="2026년 말")
    rows = link_rows(db, complex_ids=[cid])
    assert snap["scope"] == "complex" and snap["links"] == len(rows) == 13 and snap["label"] == "2026년 말"
    held = get_snapshot(db, snap["id"])
    assert [(i["agency_id"], i["level"], i["content_types"], i["depth"]) for i in held["items"]] == [
        (r["agency_id"], r["level"], r["content_types"], r["depth_label"]) for r in rows]
    assert {i["complex_name"] for i in held["items"]} == {"A"}
    assert "note" not in held["items"][0]
    entries = list(db.query("SELECT * FROM audit_log WHERE table_name = 'network_snapshots'"))
    assert len(entries) == 1 and entries[0]["action"] == "create" and entries[0]["row_id"] == snap["id"]


def test_year_on_year_lists_added_dropped_and_changed_links(db):
    cid = _cid(db, "A")
    _age_links(db, "2025-03-01")
    last_year = take_snapshot(db, complex_id=cid, taken_on="2025-12-31")
    assert last_year["links"] == 13
    mental = _partner(db, cid, "정신건강복지센터")
    dementia = _partner(db, cid, "치매안심센터")
    set_link(db, cid, mental["agency_id"], 1, [], None, expected_version=mental["version"])  # ● 수시 -> ○
    delete_link(db, dementia["id"], expected_version=dementia["version"])
    other = db.execute("SELECT id FROM agencies WHERE name = '서민금융진흥원'").fetchone()[0]
    set_link(db, cid, other, 3, ["information"], None, expected_version=None)
    this_year = take_snapshot(db, complex_id=cid)
    result = compare_snapshots(db, this_year["id"], last_year["id"])  # either order: earlier first
    assert (result["before"]["id"], result["after"]["id"]) == (last_year["id"], this_year["id"])
    assert [r["agency_name"] for r in result["added"]] == ["서민금융진흥원"]
    assert result["added"][0]["level"] == 3 and result["added"][0]["content_types"] == ["information"]
    assert [r["agency_name"] for r in result["dropped"]] == ["치매안심센터"]
    assert [(r["agency_name"], r["before_level"], r["after_level"], r["direction"]) for r in result["changed"]] == [
        ("정신건강복지센터", 5, 1, "down")]
    assert result["counts"] == {"added": 1, "dropped": 1, "changed": 1, "unchanged": 11, "up": 0, "down": 1}
    assert result["levels"][5]["mark"] == "●"
    # the old snapshot still reads after the agency it names is gone from the links
    assert "치매안심센터" in {i["agency_name"] for i in get_snapshot(db, last_year["id"])["items"]}


def test_a_dated_snapshot_leaves_out_links_made_after_its_date(db):
    cid = _cid(db, "A")
    _age_links(db, "2025-03-01")
    newest = db.execute("SELECT id FROM links WHERE complex_id = ? ORDER BY id DESC LIMIT 1", [cid]).fetchone()[0]
    with db.conn:
        db.execute("UPDATE links SET created_at = '2026-02-01T10:00:00+09:00' WHERE id = ?", [newest])
    assert take_snapshot(db, complex_id=cid, taken_on="2025-12-31")["links"] == 12
    assert take_snapshot(db, complex_id=cid, taken_on="2026-02-01")["links"] == 13


def test_levels_count_the_contact_log_up_to_the_snapshot_date(db):
    from network.contacts import add_contact

    cid = _cid(db, "B")
    link = _partner(db, cid, "관리사무소")
    # a year of monthly contacts, a year before: the log covers its 12 months then, and ● 수시 (12+)
    year_ago = date.today() - timedelta(days=400)
    _age_links(db, (year_ago - timedelta(days=30)).isoformat())
    set_link(db, cid, link["agency_id"], 1, [], None, expected_version=link["version"], basis="log")
    for i in range(12):
        add_contact(db, link["id"], (year_ago - timedelta(days=30 * i)).isoformat(), "meetings", None)
    then = take_snapshot(db, complex_id=cid, taken_on=year_ago.isoformat())
    now_ = take_snapshot(db, complex_id=cid)

    def level(snapshot):
        return next(i["level"] for i in get_snapshot(db, snapshot["id"])["items"]
                    if i["agency_id"] == link["agency_id"])

    assert (level(then), level(now_)) == (5, 1)
    changed = compare_snapshots(db, then["id"], now_["id"])["changed"]
    assert [(r["agency_name"], r["direction"]) for r in changed] == [("관리사무소", "down")]


def test_scopes_dates_and_rights(db):
    a, b = _cid(db, "A"), _cid(db, "B")
    district = take_snapshot(db, sido="서울특별시", sigungu="노원구")
    assert district["scope"] == "district" and district["links"] == len(link_rows(db, complex_ids=[a, b]))
    whole = take_snapshot(db)
    assert whole["scope"] == "all" and whole["links"] == 73
    one = take_snapshot(db, complex_id=a)
    assert [s["id"] for s in list_snapshots(db, sido="서울특별시", sigungu="노원구")] == [district["id"]]
    assert [s["id"] for s in list_snapshots(db, complex_id=a)] == [one["id"]]
    assert list_snapshots(db, sido="서울특별시") == []  # the 시도 is its own scope
    with pytest.raises(SnapshotError) as caught:
        compare_snapshots(db, district["id"], one["id"])
    assert caught.value.code == "snapshot_scopes_differ"
    with pytest.raises(SnapshotNotFound):
        compare_snapshots(db, one["id"], 999)
    for bad, code in (("2030-01-01", "snapshot_future_date"), ("2025-13-01", "snapshot_bad_date"),
                      ("1999-12-31", "snapshot_bad_date")):
        with pytest.raises(SnapshotError) as caught:
            take_snapshot(db, complex_id=a, taken_on=bad)
        assert caught.value.code == code
    with pytest.raises(SnapshotError) as caught:
        take_snapshot(db, sido="부산광역시")
    assert caught.value.code == "snapshot_no_complexes"
    lead = accounts.create_user(db, "lead", "correct-horse-1", "team_lead", complexes=["A"])
    assert take_snapshot(db, complex_id=a, actor=lead)["links"] == 13
    with pytest.raises(PermissionDenied):
        take_snapshot(db, complex_id=b, actor=lead)
    with pytest.raises(PermissionDenied):
        take_snapshot(db, sido="서울특별시", actor=lead)


def test_cli_snapshot_list_and_changes(runner, study_path, tmp_path):
    path = str(tmp_path / "cli.db")
    shutil.copy(study_path, path)
    first = runner.invoke(main, ["--db", path, "network", "snapshot", "--complex", "A", "--label", "처음"])
    assert first.exit_code == 0, first.output
    assert re.match(r"연계망 기록 #\d+: \d{4}-\d\d-\d\d · 연계 13건", first.output)
    assert runner.invoke(main, ["--db", path, "link", "set", "--complex", "A", "--agency", "정신건강복지센터",
                                "--level", "2"]).exit_code == 0
    second = runner.invoke(main, ["--db", path, "network", "snapshot", "--complex", "A"])
    ids = [int(x) for x in re.findall(r"#(\d+)", first.output + second.output)]
    listed = runner.invoke(main, ["--db", path, "network", "snapshots", "--complex", "A", "--json"])
    assert [r["id"] for r in json.loads(listed.output)] == ids[::-1]
    changes = runner.invoke(main, ["--db", path, "network", "changes", str(ids[0]), str(ids[1])])
    assert changes.exit_code == 0, changes.output
    assert "빈도 변화 1건 (잦아짐 0, 뜸해짐 1)" in changes.output
    assert "A — 정신건강복지센터: ● 수시 → ◔ 연 3회 이상" in changes.output
    assert runner.invoke(main, ["--db", path, "network", "snapshot"]).exit_code == 2  # no scope chosen
    late = runner.invoke(main, ["--db", path, "network", "snapshot", "--complex", "A", "--date", "2999-01-01"])
    assert late.exit_code == 1 and "미래" in late.output
    entries = connect(path).execute("SELECT username FROM audit_log WHERE table_name = 'network_snapshots'")
    assert all(row[0].startswith("cli:") for row in entries)


def test_changes_page(study_path, tmp_path):
    from web import create_app

    path = tmp_path / "web.db"
    shutil.copy(study_path, path)
    db = connect(path)
    cid = _cid(db, "A")
    client = create_app({"TESTING": True, "DATABASE": str(path), "SECRET_KEY": "t"}).test_client()
    empty = client.get(f"/sociogram/complex/{cid}/changes").get_data(as_text=True)
    assert "yeongye network snapshot --complex A" in empty
    first = take_snapshot(db, complex_id=cid)
    mental = _partner(db, cid, "정신건강복지센터")
    set_link(db, cid, mental["agency_id"], 3, [], None, expected_version=mental["version"])
    second = take_snapshot(db, complex_id=cid)
    page = client.get(f"/sociogram/complex/{cid}/changes")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "새 연계 0건, 끊긴 연계 0건, 빈도가 바뀐 연계 1건 (잦아짐 0, 뜸해짐 1), 그대로 12건" in html
    changed = html[html.index('id="changed"'):]
    assert "정신건강복지센터" in changed and "▼" in changed and "◒" in changed
    picked = client.get(f"/sociogram/complex/{cid}/changes?before={second['id']}&after={first['id']}")
    assert picked.status_code == 200
    district = take_snapshot(db, sido="서울특별시", sigungu="노원구")
    assert client.get(f"/sociogram/complex/{cid}/changes?before={district['id']}&after={first['id']}").status_code == 404
    assert client.get(f"/sociogram/complex/{cid}").get_data(as_text=True).count(f"/sociogram/complex/{cid}/changes")
    assert client.get("/sociogram/district/서울특별시/노원구/changes").status_code == 200
    assert client.get("/sociogram/all/changes").status_code == 200
    english = client.get(f"/sociogram/complex/{cid}/changes?lang=en").get_data(as_text=True)
    assert "links changed frequency" in english
    db.conn.close()
