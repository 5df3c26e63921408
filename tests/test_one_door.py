"""One door to the core: the shells hold no SQL, name their actor, and every action audits itself once.

Each action is performed through the CLI (CliRunner) and through the web (a
signed-in test client); each leaves exactly one new audit entry, and the two
doors leave entries of the same shape (action, table, row, who, before/after
keys).
"""
from __future__ import annotations

import ast
import getpass
import re
import time
from pathlib import Path

import pytest

from cli import main
from directory import accounts, audit
from directory.actors import PermissionDenied, SystemActor, cli_actor
from directory.store import connect
from network.contacts import add_contact
from network.links import set_link

ROOT = Path(__file__).resolve().parent.parent
SHELLS = ("web", "cli")
PASSWORD = "correct-horse-1"
SQL = re.compile(r"\b(SELECT\b.+\bFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\[?\w+\]?\s+SET|DELETE\s+FROM|"
                 r"CREATE\s+(TABLE|INDEX|TRIGGER)|PRAGMA\s+\w+)", re.I | re.S)
DB_CALLS = {"query", "execute", "executemany", "executescript"}
# The core's actions: a shell calling one must say who acts.
DOORS = {"set_link", "delete_link", "add_contact", "delete_contact", "import_file", "decide", "split_merge",
         "confirm_merge", "update_agency", "create_agency", "request_correction", "resolve_correction", "undo",
         "create_user", "update_user", "set_password", "set_role", "set_active", "assign_complexes",
         "assign_districts", "issue_token", "revoke_tokens", "demo_accounts",
         "record_retention", "record_year", "record_sheet", "record_sheets", "set_reason", "take_snapshot"}


def _shell_files():
    for package in SHELLS:
        yield from sorted((ROOT / package).rglob("*.py"))


def _trees():
    for path in _shell_files():
        yield path.relative_to(ROOT), ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


# --- the meta-tests ------------------------------------------------------------


def test_sql_pattern_sees_sql():
    assert SQL.search("SELECT id FROM links WHERE x = ?")
    assert SQL.search("UPDATE correction_requests SET status = ?")
    assert SQL.search("insert or ignore into t values (1)")
    assert not SQL.search("DELETE")  # an HTTP method is not SQL
    assert not SQL.search("update the page")


def test_no_sql_in_web_or_cli():
    found = []
    for path, tree in _trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
                found.append(f"{path}:{node.lineno} SQL text {node.value[:60]!r}")
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in DB_CALLS:
                found.append(f"{path}:{node.lineno} .{node.func.attr}(…)")
            elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "db":
                found.append(f"{path}:{node.lineno} db[…]")
    assert not found, "queries belong in the core under a name:\n" + "\n".join(found)


def test_the_shells_name_the_actor_of_every_action():
    unnamed = []
    for path, tree in _trees():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            if name in DOORS and not any(k.arg == "actor" for k in node.keywords):
                unnamed.append(f"{path}:{node.lineno} {name}(…)")
    assert not unnamed, "a shell calls an action without actor=:\n" + "\n".join(unnamed)


def test_the_cli_actor_is_named_after_the_os_user():
    actor = cli_actor()
    assert actor.username == f"cli:{getpass.getuser()}" and actor.id is None and actor.is_admin


def test_the_core_refuses_who_may_not(demo_db):
    lead = accounts.create_user(demo_db, "lead", PASSWORD, "team_lead", complexes=["A"])
    worker = accounts.create_user(demo_db, "worker", PASSWORD, "worker", complexes=["B"])
    a = demo_db.execute("SELECT id FROM complexes WHERE name = 'A'").fetchone()[0]
    agency = demo_db.execute("SELECT id FROM agencies WHERE id NOT IN (SELECT agency_id FROM links WHERE complex_id = ?)"
                             " LIMIT 1", [a]).fetchone()[0]
    before = len(audit.list_entries(demo_db, limit=1000))
    with pytest.raises(PermissionDenied) as caught:
        set_link(demo_db, a, agency, 3, actor=worker)
    assert caught.value.code == "complex_edit_forbidden"
    link = set_link(demo_db, a, agency, 3, actor=lead)
    with pytest.raises(PermissionDenied):
        add_contact(demo_db, link["id"], "2024-05-01", actor=worker)
    with pytest.raises(PermissionDenied):
        accounts.issue_token(demo_db, worker.id, actor=lead)
    with pytest.raises(PermissionDenied):
        accounts.set_password(demo_db, worker.id, "another-pass-1", actor=lead)
    accounts.set_password(demo_db, lead.id, "another-pass-1", actor=lead)  # one's own password
    assert len(audit.list_entries(demo_db, limit=1000)) == before + 2


# --- each action through both doors ---------------------------------------------


pytestmark = pytest.mark.usefixtures("cheap_hashes")  # conftest: cheap password hashes


@pytest.fixture
def store(app):
    db = connect(app.config["DATABASE"])
    accounts.create_user(db, "admin", PASSWORD, "admin")
    accounts.create_user(db, "lead", PASSWORD, "team_lead", complexes=["A"])
    accounts.create_user(db, "kim", PASSWORD, "worker", complexes=["A"])
    yield db
    db.conn.close()


def _csrf(client, url):
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True))
    assert match
    return match.group(1)


def _signed_in(app, username):
    client = app.test_client()
    token = _csrf(client, "/auth/login")
    assert client.post("/auth/login", data={"username": username, "password": PASSWORD,
                                            "csrf_token": token}).status_code == 302
    return client


def _last_id(db) -> int:
    return db.execute("SELECT coalesce(max(id), 0) FROM audit_log").fetchone()[0]


def _one_new_entry(db, since: int) -> dict:
    new = [e for e in audit.list_entries(db, limit=50) if e["id"] > since]
    assert len(new) == 1, [(e["action"], e["table_name"]) for e in new]
    return new[0]


def _shape(entry: dict) -> tuple:
    keys = lambda row: None if row is None else tuple(sorted(row))  # noqa: E731
    return (entry["action"], entry["table_name"], entry["row_id"] is None, keys(entry["before"]),
            keys(entry["after"]))


def _cli(runner, app, *args, input=None):
    result = runner.invoke(main, ["--db", app.config["DATABASE"], *args], input=input)
    assert result.exit_code == 0, result.output
    return result


def _unlinked(db, complex_id: int) -> list[int]:
    return [r[0] for r in db.execute(
        "SELECT id FROM agencies WHERE id NOT IN (SELECT agency_id FROM links WHERE complex_id = ?) ORDER BY id "
        "LIMIT 2", [complex_id])]


def _check(db, since, *, who):
    entry = _one_new_entry(db, since)
    assert entry["username"] == who
    return entry


def test_links_and_contacts_audit_once_through_either_door(app, store, runner):
    cli_who = cli_actor().username
    a = store.execute("SELECT id FROM complexes WHERE name = 'A'").fetchone()[0]
    by_cli, by_web = _unlinked(store, a)
    lead = _signed_in(app, "lead")
    shapes = {}

    since = _last_id(store)
    _cli(runner, app, "link", "set", "--complex", "A", "--agency", str(by_cli), "--level", "3",
         "--content", "referral", "--note", "분기별 회의")
    shapes["cli insert"] = _shape(_check(store, since, who=cli_who))
    since = _last_id(store)
    response = lead.post(f"/api/complexes/{a}/links", json={"agency_id": by_web, "frequency_level": 3,
                                                            "content_types": ["referral"], "note": "분기별 회의"})
    assert response.status_code == 201, response.get_json()
    web_link = response.get_json()
    shapes["web insert"] = _shape(_check(store, since, who="lead"))
    assert shapes["cli insert"] == shapes["web insert"]

    since = _last_id(store)
    _cli(runner, app, "link", "set", "--complex", "A", "--agency", str(by_cli), "--level", "4")
    shapes["cli update"] = _shape(_check(store, since, who=cli_who))
    since = _last_id(store)
    assert lead.put(f"/api/links/{web_link['id']}", json={"version": web_link["version"],
                                                          "frequency_level": 4}).status_code == 200
    shapes["web update"] = _shape(_check(store, since, who="lead"))
    assert shapes["cli update"] == shapes["web update"] and shapes["cli update"][0] == "update"

    since = _last_id(store)
    _cli(runner, app, "contact", "add", "--complex", "A", "--agency", str(by_cli), "--date", "2024-05-01",
         "--content", "referral", "--note", "검진 의뢰 2건")
    shapes["cli contact"] = _shape(_check(store, since, who=cli_who))
    since = _last_id(store)
    assert lead.post(f"/api/links/{web_link['id']}/contacts", json={
        "contact_date": "2024-05-01", "content_type": "referral", "note": "검진 의뢰 2건"}).status_code == 201
    shapes["web contact"] = _shape(_check(store, since, who="lead"))
    assert shapes["cli contact"] == shapes["web contact"] == ("insert", "contacts", False, None,
                                                              shapes["web contact"][4])

    since = _last_id(store)
    _cli(runner, app, "link", "delete", "--complex", "A", "--agency", str(by_cli))
    cli_delete = _check(store, since, who=cli_who)
    since = _last_id(store)
    assert lead.delete(f"/api/links/{web_link['id']}").status_code == 204
    web_delete = _check(store, since, who="lead")
    assert _shape(cli_delete) == _shape(web_delete) and cli_delete["action"] == "delete"
    assert len(web_delete["before"]["_dependents"]["contacts"]) == 1  # the contact log, for an undo


def test_account_actions_audit_once_through_either_door(app, store, runner):
    cli_who = cli_actor().username
    admin = _signed_in(app, "admin")
    a = store.execute("SELECT id FROM complexes WHERE name = 'A'").fetchone()[0]

    def web(url, **data):
        response = admin.post(url, data={"csrf_token": _csrf(admin, url), **data})
        assert response.status_code in (200, 302)

    def both(cli_args, web_url, web_data, *, cli_input=None):
        since = _last_id(store)
        _cli(runner, app, *cli_args, input=cli_input)
        by_cli = _check(store, since, who=cli_who)
        since = _last_id(store)
        web(web_url, **web_data)
        by_web = _check(store, since, who="admin")
        assert _shape(by_cli) == _shape(by_web), (by_cli, by_web)
        assert "password_hash" not in (by_web["after"] or {})
        return by_cli, by_web

    created, _ = both(["user", "add", "park", "--role", "worker", "--password", PASSWORD],
                      "/admin/users", {"username": "choi", "password": PASSWORD, "role": "worker"})
    assert created["action"] == "insert" and created["table_name"] == "users"
    park, choi = accounts.find_user(store, "park"), accounts.find_user(store, "choi")
    changed, _ = both(["user", "set", "park", "--role", "team_lead", "--complex", "A"],
                      f"/admin/users/{choi.id}", {"action": "save", "role": "team_lead", "complexes": str(a),
                                                  "active": "1"})
    assert changed["action"] == "update" and changed["after"]["complex_ids"] == [a]
    both(["user", "password", "park", "--password", "another-pass-1"],
         f"/admin/users/{choi.id}", {"action": "password", "password": "another-pass-1"})
    token, _ = both(["user", "token", "park", "--label", "엑셀"], f"/admin/users/{choi.id}",
                    {"action": "token", "label": "엑셀"})
    assert token["after"]["tokens"][0]["label"] == "엑셀" and "token_hash" not in str(token["after"])
    both(["user", "revoke-tokens", "park"], f"/admin/users/{choi.id}", {"action": "revoke"})
    both(["user", "set", "park", "--inactive"], f"/admin/users/{choi.id}",
         {"action": "save", "role": "team_lead", "complexes": str(a)})  # no "active": deactivated
    assert not accounts.get_user(store, park.id).active and not accounts.get_user(store, choi.id).active


def test_an_import_audits_once_through_either_door(app, store, runner, tmp_path):
    listing = "기관명,주소,전화번호\n행복나눔 복지관,서울특별시 노원구 동일로 1000,02-950-1234\n"
    path = tmp_path / "동네 목록.csv"
    path.write_text(listing, encoding="utf-8")
    since = _last_id(store)
    _cli(runner, app, "import", str(path))
    by_cli = _check(store, since, who=cli_actor().username)

    other = tmp_path / "다른 목록.csv"  # another agency: a merge with the first would add "merges"
    other.write_text("기관명,주소,전화번호\n푸른숲 지역아동센터,부산광역시 기장군 기장읍 차성로 1,051-720-1234\n",
                     encoding="utf-8")
    admin = _signed_in(app, "admin")
    data = {"csrf_token": _csrf(admin, "/import"), "file": (other.open("rb"), other.name)}
    response = admin.post("/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    token = response.headers["Location"].split("/")[2]
    since = _last_id(store)
    admin.post(f"/import/{token}/confirm", data={"csrf_token": _csrf(admin, response.headers["Location"])})
    for _ in range(200):
        if admin.get(f"/import/{token}/progress.json").get_json()["status"] in ("done", "error"):
            break
        time.sleep(0.05)
    by_web = _check(store, since, who="admin")
    assert _shape(by_cli) == _shape(by_web) and by_web["action"] == "import"
    assert by_web["table_name"] == "import_runs" and by_web["after"]["rows"] == 1


def test_duplicate_decisions_audit_once_from_the_cli(app, store, runner):
    cli_who = cli_actor().username
    a, b, c = (r[0] for r in store.execute("SELECT id FROM agencies ORDER BY id LIMIT 3"))
    since = _last_id(store)
    _cli(runner, app, "duplicates", "distinct", str(a), str(b))
    assert _check(store, since, who=cli_who)["action"] == "distinct"
    since = _last_id(store)
    _cli(runner, app, "duplicates", "same", str(a), str(c))
    merge = _check(store, since, who=cli_who)
    assert (merge["action"], merge["table_name"]) == ("merge", "agency_merges")
    since = _last_id(store)
    _cli(runner, app, "duplicates", "confirm", str(merge["row_id"]))
    assert _check(store, since, who=cli_who)["action"] == "confirm"
    since = _last_id(store)
    _cli(runner, app, "duplicates", "split", str(merge["row_id"]))
    split = _check(store, since, who=cli_who)
    assert split["action"] == "split" and split["after"]["status"] == "split"


def test_admin_actions_of_the_web_audit_once(app, store):
    admin = _signed_in(app, "admin")
    agency = store.execute("SELECT id FROM agencies ORDER BY id LIMIT 1").fetchone()[0]
    since = _last_id(store)
    assert admin.patch(f"/api/agencies/{agency}", json={"hours": "평일 9-18시"}).status_code == 200
    edit = _check(store, since, who="admin")
    assert (edit["action"], edit["table_name"], edit["row_id"]) == ("update", "agencies", agency)

    since = _last_id(store)
    request_id = app.test_client().post(f"/api/agencies/{agency}/corrections",
                                        json={"message": "전화번호가 바뀌었습니다"}).get_json()["id"]
    assert _check(store, since, who="anonymous")["table_name"] == "correction_requests"
    since = _last_id(store)
    url = "/admin/corrections"
    admin.post(f"{url}/{request_id}", data={"csrf_token": _csrf(admin, url), "status": "done"})
    resolved = _check(store, since, who="admin")
    assert resolved["before"]["status"] == "open" and resolved["after"]["status"] == "done"

    since = _last_id(store)
    url = "/admin/audit"
    admin.post(f"{url}/{edit['id']}/undo", data={"csrf_token": _csrf(admin, url)})
    assert _check(store, since, who="admin")["action"] == "undo-update"


@pytest.mark.parametrize("action, data, page", [
    ("password", {"password": "another-pass-1"}, "/admin/"),
    ("save", {"role": "planner", "districts": "서울특별시"}, "/auth/me"),  # a new role ends sessions too
])
def test_an_admin_changing_their_own_account_stays_signed_in(app, store, action, data, page):
    admin = _signed_in(app, "admin")
    me = accounts.find_user(store, "admin")
    url = f"/admin/users/{me.id}"
    admin.post(url, data={"csrf_token": _csrf(admin, url), "action": action, **data})
    assert accounts.get_user(store, me.id).session_version > me.session_version
    assert admin.get(page).status_code == 200  # still signed in, under the new session version


def test_a_system_actor_is_recorded_by_name(demo_db):
    link_id = demo_db.execute("SELECT id FROM links LIMIT 1").fetchone()[0]
    add_contact(demo_db, link_id, "2024-05-01", actor=SystemActor("cli:test"))
    entry = audit.list_entries(demo_db, limit=1)[0]
    assert (entry["username"], entry["user_id"], entry["action"]) == ("cli:test", None, "insert")
