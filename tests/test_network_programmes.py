"""Programmes (사업·프로그램, issue 11): name, period, complexes and agencies with roles; dashboards, reports, CLI, API."""
import shutil

import pytest

from directory.actors import PermissionDenied
from directory.audit import list_entries
from directory.store import connect
from network.programmes import (ProgrammeConflict, ProgrammeError, create_programme, delete_programme,
                                get_programme, link_programmes, list_programmes, programme_roles,
                                update_programme)


def _complex(db, name):
    return db.execute("SELECT id FROM complexes WHERE name = ?", [name]).fetchone()[0]


def _partner(db, complex_id, offset=0):
    return db.execute("SELECT agency_id FROM links WHERE complex_id = ? ORDER BY agency_id LIMIT 1 OFFSET ?",
                      [complex_id, offset]).fetchone()[0]


def _seven(db):
    """F leads a programme with six other complexes (the study's F: seven complexes) and two agencies."""
    f = _complex(db, "F")
    others = [_complex(db, n) for n in "ABCDE"]
    agency, sponsor = _partner(db, f), _partner(db, f, 1)
    members = [{"complex_id": f, "role": "주관"}] + [{"complex_id": c} for c in others] + [
        {"agency_id": agency, "role": "partner"}, {"agency_id": sponsor, "role": "후원·자원 제공"}]
    return f, others, agency, sponsor, members


def test_a_programme_with_its_members_and_roles(demo_db):
    f, others, agency, sponsor, members = _seven(demo_db)
    row = create_programme(demo_db, "고독사예방 발굴단", starts="2024-03-01", ends="2024-12-31",
                           description="단지 합동 발굴 활동", members=members)
    assert (row["name"], row["period"], row["running"]) == ("고독사예방 발굴단", "2024-03-01 ~ 2024-12-31", False)
    assert [c["role_name"] for c in row["complexes"]][0] == "주관" and len(row["complexes"]) == 6
    assert {a["id"]: a["role_name"] for a in row["agencies"]} == {agency: "협력", sponsor: "후원·자원 제공"}
    assert [g["id"] for g in list_programmes(demo_db, complex_id=others[0])] == [row["id"]]
    assert list_programmes(demo_db, complex_id=f)[0]["role_name"] == "주관"
    assert list_programmes(demo_db, agency_id=agency)[0]["role_name"] == "협력"
    # The link F × agency carries the programme; a link to an agency outside it does not.
    link = demo_db.execute("SELECT id FROM links WHERE complex_id = ? AND agency_id = ?", [f, agency]).fetchone()[0]
    other = demo_db.execute("SELECT id FROM links WHERE complex_id = ? AND agency_id NOT IN (?, ?) LIMIT 1",
                            [f, agency, sponsor]).fetchone()[0]
    carried = link_programmes(demo_db, [link, other])
    assert [p["name"] for p in carried[link]] == ["고독사예방 발굴단"] and other not in carried
    assert list_entries(demo_db, table="programmes")[0]["action"] == "insert"


def test_update_with_versions_and_delete(demo_db):
    f, others, agency, sponsor, members = _seven(demo_db)
    row = create_programme(demo_db, "치매안심마을", starts="2025-01-01", members=members)
    assert row["running"] and row["period"] == "2025-01-01 ~"
    changed = update_programme(demo_db, row["id"], 1, "치매안심마을 조성", starts="2025-01-01", ends="2025-12-31",
                               members=members[:2])
    assert (changed["version"], len(changed["complexes"]), changed["agencies"]) == (2, 2, [])
    with pytest.raises(ProgrammeConflict):
        update_programme(demo_db, row["id"], 1, "다시", members=members)
    delete_programme(demo_db, row["id"])
    assert list_programmes(demo_db) == []
    assert demo_db.execute("SELECT count(*) FROM programme_members").fetchone()[0] == 0


@pytest.mark.parametrize("fields, message", [
    ({"name": ""}, "이름"),
    ({"starts": "2024-05-01", "ends": "2024-04-01"}, "앞섭니다"),
    ({"starts": "2024-13-01"}, "날짜 형식"),
    ({"role": "대장"}, "알 수 없는 역할"),
    ({"description": "김철수씨 담당"}, "개인정보"),
    ({"no_complex": True}, "단지를 하나 이상"),
])
def test_bad_programmes_are_refused(demo_db, fields, message):
    f = _complex(demo_db, "F")
    members = [] if fields.get("no_complex") else [{"complex_id": f, "role": fields.get("role")}]
    with pytest.raises(ProgrammeError, match=message):
        create_programme(demo_db, fields.get("name", "사업"), starts=fields.get("starts"), ends=fields.get("ends"),
                         description=fields.get("description"), members=members)
    assert demo_db.execute("SELECT count(*) FROM programmes").fetchone()[0] == 0


def test_a_team_lead_cannot_put_another_teams_complex_in(demo_db):
    from directory.accounts import create_user, get_user

    lead = get_user(demo_db, create_user(demo_db, "lead-f", "password-f-1", "team_lead", complexes=["F"]).id)
    f, others, agency, sponsor, members = _seven(demo_db)
    with pytest.raises(PermissionDenied):
        create_programme(demo_db, "합동 축제", members=members, actor=lead)
    row = create_programme(demo_db, "합동 축제", members=[members[0], members[-1]], actor=lead)
    assert row["complexes"][0]["id"] == f


def test_roles_are_data():
    assert [r["code"] for r in programme_roles()] == ["lead", "co_lead", "partner", "participant", "sponsor"]


def test_dashboard_and_report_show_the_programme(client, store):
    f, others, agency, sponsor, members = _seven(store)
    create_programme(store, "생명존중안심마을", starts="2024-05-01", ends="2024-11-30", members=members)
    agency_name = store.execute("SELECT name FROM agencies WHERE id = ?", [agency]).fetchone()[0]
    for url in (f"/complexes/{others[2]}", f"/complexes/{others[2]}/report"):
        page = client.get(url).get_data(as_text=True)
        assert "생명존중안심마을" in page and "2024-05-01 ~ 2024-11-30" in page, url
        assert f"{agency_name} <small>(협력)</small>" in page and "F <small>(주관)</small>" in page, url
        assert "이 단지: 참여" in page
    page = client.get(f"/complexes/{f}").get_data(as_text=True)
    assert "이 단지: 주관" in page


def test_api_programmes(client, store, tokens):
    a = _complex(store, "A")
    agency = _partner(store, a)
    body = {"name": "치매안심마을", "starts": "2025-03-01", "members": [{"complex_id": a, "role": "lead"},
                                                                   {"agency_id": agency, "role": "partner"}]}
    created = client.post("/api/programmes", json=body, headers=tokens["lead"])
    assert created.status_code == 201, created.get_json()
    pid = created.get_json()["id"]
    assert client.get(f"/api/programmes?complex_id={a}").get_json()["items"][0]["id"] == pid
    assert client.get(f"/api/programmes/{pid}").get_json()["agencies"][0]["role_name"] == "협력"
    assert client.post("/api/programmes", json=body, headers=tokens["worker"]).status_code == 403  # B's worker
    assert client.put(f"/api/programmes/{pid}", json={**body, "version": 9}, headers=tokens["lead"]).status_code == 409
    assert client.put(f"/api/programmes/{pid}", json={**body, "version": 1, "name": "치매안심마을 2기"},
                      headers=tokens["lead"]).get_json()["version"] == 2
    assert client.post("/api/programmes", json={**body, "members": "x"}, headers=tokens["lead"]).status_code == 400
    assert client.get("/api/programmes/99999").status_code == 404
    assert client.delete(f"/api/programmes/{pid}", headers=tokens["lead"]).status_code == 204


def test_cli_programmes(runner, demo_db_path, tmp_path):
    from cli import main

    path = tmp_path / "cli.db"
    shutil.copy(demo_db_path, path)
    db = connect(path)
    agency = _partner(db, _complex(db, "F"))
    db.conn.close()
    result = runner.invoke(main, ["--db", str(path), "programme", "add", "--name", "고독사예방 발굴단",
                                  "--from", "2024-03-01", "--to", "2024-12-31", "--complex", "F:주관",
                                  "--complex", "E", "--agency", f"{agency}:협력"])
    assert result.exit_code == 0, result.output
    assert "단지 2곳, 기관 1곳" in result.output
    listed = runner.invoke(main, ["--db", str(path), "programme", "list", "--complex", "E"])
    assert "고독사예방 발굴단 (2024-03-01 ~ 2024-12-31)" in listed.output and "F(주관)" in listed.output
    bad = runner.invoke(main, ["--db", str(path), "programme", "add", "--name", "x", "--complex", "F:대장"])
    assert bad.exit_code != 0 and "알 수 없는 역할" in bad.output
    pid = get_programme(connect(path), 1)["id"]
    assert runner.invoke(main, ["--db", str(path), "programme", "delete", str(pid)]).exit_code == 0
