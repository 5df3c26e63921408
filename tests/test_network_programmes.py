"""Programmes (사업·프로그램, issue 11): name, period, complexes and agencies with roles; dashboards, reports, CLI, API."""
import re
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


# --- the edit page's programme form (web/edit.py) ------------------------------------------------


def _login(client, username):
    from .conftest import TEST_PASSWORD

    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/auth/login").get_data(as_text=True))[1]
    client.post("/auth/login", data={"username": username, "password": TEST_PASSWORD, "csrf_token": token})


def _token(page):
    return re.search(r'name="csrf_token" value="([^"]+)"', page)[1]


def _programme_form(store, a, c, token, **changes):
    partners = [_partner(store, a, i) for i in range(3)]
    data = {"csrf_token": token, "programme_name": "치매안심마을 조성", "starts": "2025-03-01", "ends": "2025-12-31",
            "description": "단지 안 치매 조기 발견 캠페인", "own_role": "lead",
            "programme_agency": [str(x) for x in partners], f"agency_role_{partners[0]}": "co_lead",
            f"agency_role_{partners[1]}": "partner", f"agency_role_{partners[2]}": "sponsor",
            "programme_complex": [str(c)], f"complex_role_{c}": "participant"}
    data.update(changes)
    return data, partners


def test_a_lead_records_a_programme_on_the_edit_page(client, store, cheap_hashes):
    from directory import accounts

    from .conftest import TEST_PASSWORD

    accounts.create_user(store, "lead-ac", TEST_PASSWORD, "team_lead", complexes=["A", "C"])
    a, c = _complex(store, "A"), _complex(store, "C")
    _login(client, "lead-ac")
    page = client.get(f"/complexes/{a}/edit/").get_data(as_text=True)
    assert 'name="programme_agency"' in page and 'name="programme_complex"' in page and "공동 주관" in page
    data, partners = _programme_form(store, a, c, _token(page))
    response = client.post(f"/complexes/{a}/edit/programmes", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    [row] = list_programmes(store, complex_id=a)
    assert {m["id"]: m["role_name"] for m in row["agencies"]} == {
        partners[0]: "공동 주관", partners[1]: "협력", partners[2]: "후원·자원 제공"}
    assert {m["id"]: m["role_name"] for m in row["complexes"]} == {a: "주관", c: "참여"}
    assert (row["period"], row["description"]) == ("2025-03-01 ~ 2025-12-31", "단지 안 치매 조기 발견 캠페인")
    assert list_entries(store, table="programmes")[0]["action"] == "insert"
    names = dict(store.execute("SELECT id, name FROM agencies WHERE id IN (?, ?, ?)", partners).fetchall())
    for url in (f"/complexes/{a}", f"/complexes/{a}/report", f"/complexes/{c}", f"/complexes/{c}/report"):
        shown = client.get(url).get_data(as_text=True)
        assert "치매안심마을 조성" in shown and "2025-03-01 ~ 2025-12-31" in shown, url
        assert f"{names[partners[2]]} <small>(후원·자원 제공)</small>" in shown, url
    assert "이 단지: 주관" in client.get(f"/complexes/{a}").get_data(as_text=True)
    assert "이 단지: 참여" in client.get(f"/complexes/{c}").get_data(as_text=True)
    edit = client.get(f"/complexes/{a}/edit/").get_data(as_text=True)
    assert f'id="programme-{row["id"]}"' in edit and "사업 삭제" in edit

    # Delete, with the page's confirmation and CSRF token; the audit keeps the members.
    assert client.post(f"/complexes/{a}/edit/programmes/{row['id']}/delete",
                       data={"csrf_token": _token(edit)}).status_code == 302
    assert list_programmes(store) == []
    assert list_entries(store, table="programmes")[0]["action"] == "delete"
    assert "사업·프로그램을 삭제했습니다" in client.get(f"/complexes/{a}/edit/").get_data(as_text=True)


@pytest.mark.parametrize("changes, words", [
    ({"starts": "2025-06-01", "ends": "2025-05-01"}, "앞섭니다"),
    ({"starts": "2025-13-01"}, "날짜 형식"),
    ({"description": "김철수씨 댁 방문"}, "개인정보"),
    ({"programme_name": ""}, "이름을 적으세요"),
])
def test_a_refused_programme_comes_back_with_what_was_typed(client, store, tokens, changes, words):
    a = _complex(store, "A")
    _login(client, "lead")
    page = client.get(f"/complexes/{a}/edit/").get_data(as_text=True)
    data, partners = _programme_form(store, a, a, _token(page), **changes)
    data.pop("programme_complex")
    response = client.post(f"/complexes/{a}/edit/programmes", data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and words in body
    assert "programme_" not in re.search(r'class="flash error"[^>]*>([^<]*)<', body)[1]  # words, not codes
    assert 'name="programme_name" value="%s"' % data["programme_name"] in body
    assert f'value="{data["starts"]}"' in body and f'>{data["description"]}</textarea>' in body
    for agency in partners:
        assert re.search(rf'value="{agency}" checked', body), agency
    assert re.search(rf'name="agency_role_{partners[2]}"[^>]*>\s*(<option[^>]*>[^<]*</option>)*?'
                     r'<option value="sponsor" selected', body)
    assert list_programmes(store) == []


def test_a_worker_of_another_complex_is_refused(client, store, tokens):
    a, b = _complex(store, "A"), _complex(store, "B")
    _login(client, "worker")  # B's worker
    page = client.get(f"/complexes/{b}/edit/").get_data(as_text=True)
    data, _ = _programme_form(store, a, b, _token(page))
    assert client.get(f"/complexes/{a}/edit/").status_code == 403
    assert client.post(f"/complexes/{a}/edit/programmes", data=data).status_code == 403
    # From B's own page, naming complex A is refused by the core, on the form, in Korean.
    response = client.post(f"/complexes/{b}/edit/programmes", data={**data, "programme_complex": [str(a)],
                                                                    f"complex_role_{a}": "participant"})
    assert response.status_code == 403 and "치매안심마을 조성" in response.get_data(as_text=True)
    assert list_programmes(store) == []
    pid = create_programme(store, "합동 축제", members=[{"complex_id": a}, {"complex_id": b}])["id"]
    page = client.get(f"/complexes/{b}/edit/").get_data(as_text=True)
    assert "그 단지 담당자나 관리자만 삭제할 수 있습니다" in page
    assert client.post(f"/complexes/{b}/edit/programmes/{pid}/delete", data={"csrf_token": _token(page)}).status_code == 302
    assert [p["id"] for p in list_programmes(store)] == [pid]  # still there
    assert client.post(f"/complexes/{a}/edit/programmes/{pid}/delete",
                       data={"csrf_token": _token(page)}).status_code == 403
