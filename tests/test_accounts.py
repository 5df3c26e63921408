"""Accounts, roles, CSRF, rate limit, link/contact editing with conflicts, audit undo, backup."""
from __future__ import annotations

import re

import pytest

from cli import main
from directory import accounts, audit
from directory.backup import backup, restore
from directory.store import StoreError, connect

PASSWORD = "correct-horse-1"


pytestmark = pytest.mark.usefixtures("cheap_hashes")  # conftest: cheap password hashes


@pytest.fixture
def users(app):
    """One account per role on the app's store: teamlead→A, worker→B, planner→서울특별시/노원구."""
    db = connect(app.config["DATABASE"])
    made = {
        "admin": accounts.create_user(db, "admin", PASSWORD, "admin"),
        "planner": accounts.create_user(db, "planner", PASSWORD, "planner", districts=["서울특별시/노원구"]),
        "lead": accounts.create_user(db, "lead", PASSWORD, "team_lead", complexes=["A"]),
        "lead2": accounts.create_user(db, "lead2", PASSWORD, "team_lead", complexes=["A"]),
        "worker": accounts.create_user(db, "worker", PASSWORD, "worker", complexes=["B"]),
    }
    db.conn.close()
    return made


def token_of(client, url):
    page = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, page[:500]
    return match.group(1)


def login(client, username, password=PASSWORD):
    token = token_of(client, "/auth/login")
    return client.post("/auth/login", data={"username": username, "password": password, "csrf_token": token})


def complex_id(app, name):
    db = connect(app.config["DATABASE"])
    try:
        return db.execute("SELECT id FROM complexes WHERE name = ?", [name]).fetchone()[0]
    finally:
        db.conn.close()


# --- core -------------------------------------------------------------------


def test_passwords_are_hashed_and_checked(db):
    accounts.create_user(db, "kim", PASSWORD, "worker")
    stored = db.execute("SELECT password_hash FROM users").fetchone()[0]
    assert PASSWORD not in stored and stored.startswith("pbkdf2:")
    assert accounts.generate_password_hash("x" * 8, method="scrypt").startswith("scrypt:")
    assert accounts.authenticate(db, "kim", PASSWORD).role == "worker"
    assert accounts.authenticate(db, "kim", "wrong-password") is None
    assert accounts.authenticate(db, "nobody", PASSWORD) is None


@pytest.mark.parametrize("username, password, role, message", [
    ("", PASSWORD, "worker", "사용자 이름"),
    ("a b", PASSWORD, "worker", "사용자 이름"),
    ("kim", "short", "worker", "8자"),
    ("kim", PASSWORD, "boss", "알 수 없는 역할"),
])
def test_bad_accounts_are_refused_in_korean(db, username, password, role, message):
    with pytest.raises(accounts.AccountError, match=message):
        accounts.create_user(db, username, password, role)


def test_roles_decide_who_edits_and_reads(demo_db):
    a = demo_db.execute("SELECT * FROM complexes WHERE name = 'A'").fetchone()[0]
    b = demo_db.execute("SELECT id FROM complexes WHERE name = 'B'").fetchone()[0]
    lead = accounts.create_user(demo_db, "lead", PASSWORD, "team_lead", complexes=["A"])
    planner = accounts.create_user(demo_db, "plan", PASSWORD, "planner", districts=["서울특별시/노원구"])
    admin = accounts.create_user(demo_db, "root", PASSWORD, "admin")
    assert lead.can_edit_complex(a) and not lead.can_edit_complex(b)
    assert not planner.can_edit_complex(a) and admin.can_edit_complex(b)
    row_a = next(demo_db.query("SELECT * FROM complexes WHERE id = ?", [a]))
    row_b = next(demo_db.query("SELECT * FROM complexes WHERE id = ?", [b]))
    assert planner.can_read_complex(row_a) and not planner.can_read_complex(row_b)  # A 노원구, B 강서구
    assert planner.can_read_district("서울특별시", "노원구") and not planner.can_read_district("서울특별시", "강서구")
    assert not lead.can_read_district("서울특별시", "노원구")


def test_tokens_are_stored_hashed(db):
    user = accounts.create_user(db, "kim", PASSWORD, "admin")
    token = accounts.issue_token(db, user.id)
    assert token not in str(list(db.query("SELECT * FROM api_tokens")))
    assert accounts.user_for_token(db, token).username == "kim"
    accounts.set_active(db, user.id, False)
    assert accounts.user_for_token(db, token) is None


# --- CLI --------------------------------------------------------------------


def test_cli_user_add_list_and_demo_users(runner, demo_db_path, tmp_path):
    import shutil

    path = str(tmp_path / "d.db")
    shutil.copy(demo_db_path, path)
    result = runner.invoke(main, ["--db", path, "user", "add", "kim", "--role", "team_lead", "--complex", "C",
                                  "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["--db", path, "user", "add", "lee", "--role", "planner",
                                  "--district", "서울특별시/노원구"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    listing = runner.invoke(main, ["--db", path, "user", "list"]).output
    assert "kim\tteam_lead\tC" in listing and "서울특별시/노원구" in listing
    bad = runner.invoke(main, ["--db", path, "user", "add", "x", "--role", "worker", "--complex", "없는단지",
                               "--password", PASSWORD])
    assert bad.exit_code != 0 and "단지를 찾을 수 없습니다" in bad.output
    demo = runner.invoke(main, ["--db", path, "demo-users"])
    assert demo.exit_code == 0
    lines = {line.split()[0]: line.split()[1] for line in demo.output.splitlines()[1:]}
    assert set(lines) == {"admin", "planner", "teamlead", "worker", "supervisor", "coordinator", "evaluator"}
    db = connect(path)
    assert accounts.authenticate(db, "teamlead", lines["teamlead"]).complex_ids
    # running it again gives new passwords (the old ones stop working)
    again = runner.invoke(main, ["--db", path, "demo-users"]).output
    new = {line.split()[0]: line.split()[1] for line in again.splitlines()[1:]}
    assert accounts.authenticate(db, "admin", lines["admin"]) is None
    assert accounts.authenticate(db, "admin", new["admin"]) is not None
    db.conn.close()


def test_backup_and_restore_while_open(runner, demo_db_path, tmp_path):
    import shutil

    path = tmp_path / "live.db"
    shutil.copy(demo_db_path, path)
    live = connect(path)  # the app holds a connection meanwhile
    result = runner.invoke(main, ["--db", str(path), "backup", str(tmp_path / "b.db")])
    assert result.exit_code == 0, result.output
    with live.conn:
        live.conn.execute("DELETE FROM links")
    assert live["links"].count == 0
    result = runner.invoke(main, ["--db", str(path), "restore", str(tmp_path / "b.db"), "--yes"])
    assert result.exit_code == 0, result.output
    assert live["links"].count == 73  # the open connection sees the restored content
    live.conn.close()


def test_restore_refuses_a_wrong_file(tmp_path, demo_db_path):
    bad = tmp_path / "bad.db"
    bad.write_text("not a database", encoding="utf-8")
    with pytest.raises(StoreError):
        restore(demo_db_path, bad)
    with pytest.raises(StoreError) as caught:  # a BackupError: its code, and str() in Korean
        backup(demo_db_path, demo_db_path)
    assert caught.value.code == "same_file" and "다른 파일" in str(caught.value)


# --- web: sign-in and safety -------------------------------------------------


def test_login_and_logout(client, users):
    response = login(client, "lead")
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "로그아웃" in page
    token = token_of(client, "/")
    client.post("/auth/logout", data={"csrf_token": token})
    page = client.get("/").get_data(as_text=True)
    assert "로그아웃했습니다" in page and 'action="/auth/logout"' not in page


def test_wrong_password_is_a_korean_message(client, users):
    response = login(client, "lead", "wrong-password")
    assert response.status_code == 401
    assert "비밀번호가 맞지 않습니다" in response.get_data(as_text=True)


def test_forms_without_csrf_token_are_refused(client, users):
    response = client.post("/auth/login", data={"username": "lead", "password": PASSWORD})
    assert response.status_code == 400
    assert "보안 토큰" in response.get_data(as_text=True)


def test_login_attempts_are_rate_limited(client, users):
    token = token_of(client, "/auth/login")
    codes = [client.post("/auth/login", data={"username": "lead", "password": "x" * 9, "csrf_token": token}).status_code
             for _ in range(12)]
    assert codes[:10] == [401] * 10 and codes[-1] == 429
    assert "시도가 너무 많습니다" in client.post("/auth/login", data={"csrf_token": token}).get_data(as_text=True)


def test_open_redirect_after_login_is_refused(client, users):
    token = token_of(client, "/auth/login")
    response = client.post("/auth/login?next=https://evil.example/", data={
        "username": "lead", "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/"


def test_session_cookie_is_httponly_and_lax(client, users):
    response = login(client, "lead")
    cookie = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")][0]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_security_headers(client):
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_secret_key_is_generated_once_and_kept(tmp_path):
    from web import create_app

    first = create_app({"DATABASE": str(tmp_path / "x.db")})
    first.instance_path = str(tmp_path)  # not used after creation; check the file itself
    from web.security import secret_key_file

    key = secret_key_file(str(tmp_path / "inst"))
    assert len(key) == 64 and secret_key_file(str(tmp_path / "inst")) == key
    assert (tmp_path / "inst" / "secret_key").stat().st_mode & 0o077 == 0
    assert first.config["SECRET_KEY"] and first.config["SECRET_KEY"] != "dev-only-change-me"


# --- web: editing links and contacts ----------------------------------------


def test_anonymous_is_sent_to_login(client, app):
    response = client.get(f"/complexes/{complex_id(app, 'A')}/edit/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_worker_cannot_edit_another_complex(client, app, users):
    login(client, "worker")
    a = complex_id(app, "A")
    assert client.get(f"/complexes/{a}/edit/").status_code == 403
    token = token_of(client, f"/complexes/{complex_id(app, 'B')}/edit/")
    response = client.post(f"/complexes/{a}/edit/contacts", data={"csrf_token": token, "link_id": "1"})
    assert response.status_code == 403
    assert "담당자만" in response.get_data(as_text=True)


def test_planner_cannot_edit(client, app, users):
    login(client, "planner")
    assert client.get(f"/complexes/{complex_id(app, 'A')}/edit/").status_code == 403


def _agency_not_linked(app, complex_name):
    db = connect(app.config["DATABASE"])
    try:
        return next(db.query(
            "SELECT id, name FROM agencies WHERE name LIKE '%노원구%' AND id NOT IN "
            "(SELECT agency_id FROM links l JOIN complexes c ON c.id = l.complex_id WHERE c.name = ?) LIMIT 1",
            [complex_name]))
    finally:
        db.conn.close()


def test_team_lead_adds_partner_and_contact_audited(client, app, users):
    login(client, "lead")
    a = complex_id(app, "A")
    agency = _agency_not_linked(app, "A")
    page = client.get(f"/complexes/{a}/edit/?q=노원구").get_data(as_text=True)
    assert agency["name"] in page
    token = token_of(client, f"/complexes/{a}/edit/")
    response = client.post(f"/complexes/{a}/edit/links", data={
        "csrf_token": token, "agency_id": agency["id"], "level": "3", "content_types": ["referral", "information"],
        "note": "월례 사례회의"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db = connect(app.config["DATABASE"])
    link = next(db.query("SELECT * FROM links WHERE complex_id = ? AND agency_id = ?", [a, agency["id"]]))
    assert link["frequency_level"] == 3 and "referral" in link["content_types"]
    response = client.post(f"/complexes/{a}/edit/contacts", data={
        "csrf_token": token, "link_id": link["id"], "contact_date": "2026-01-05", "content_type": "referral",
        "note": "치매 검진 의뢰"})
    assert response.status_code == 302
    assert db.execute("SELECT count(*) FROM contacts WHERE link_id = ?", [link["id"]]).fetchone()[0] == 1
    log = audit.list_entries(db)
    assert [(e["action"], e["table_name"], e["username"]) for e in log[:2]] == [
        ("insert", "contacts", "lead"), ("insert", "links", "lead")]
    db.conn.close()


def test_personal_data_in_a_note_is_refused_and_text_kept(client, app, users):
    login(client, "lead")
    a = complex_id(app, "A")
    db = connect(app.config["DATABASE"])
    link_id = db.execute("SELECT id FROM links WHERE complex_id = ? LIMIT 1", [a]).fetchone()[0]
    db.conn.close()
    token = token_of(client, f"/complexes/{a}/edit/")
    response = client.post(f"/complexes/{a}/edit/contacts", data={
        "csrf_token": token, "link_id": link_id, "contact_date": "2026-01-05", "note": "김철수씨 010-1234-5678 방문"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "개인정보" in page and "김철수씨 010-1234-5678 방문" in page  # nothing typed is lost


def test_second_editor_gets_a_conflict_not_an_overwrite(app, users):
    a = complex_id(app, "A")
    first, second = app.test_client(), app.test_client()
    login(first, "lead")
    login(second, "lead2")
    db = connect(app.config["DATABASE"])
    link = next(db.query("SELECT * FROM links WHERE complex_id = ? LIMIT 1", [a]))
    t1, t2 = token_of(first, f"/complexes/{a}/edit/"), token_of(second, f"/complexes/{a}/edit/")
    common = {"level": "5", "content_types": ["meetings"], "version": link["version"]}
    ok = first.post(f"/complexes/{a}/edit/links/{link['id']}", data={**common, "csrf_token": t1, "note": "첫 번째"})
    assert ok.status_code == 302
    clash = second.post(f"/complexes/{a}/edit/links/{link['id']}", data={**common, "csrf_token": t2, "note": "두 번째"})
    page = clash.get_data(as_text=True)
    assert clash.status_code == 409
    assert "다른 사람이 이 연계를 고쳤습니다" in page and "두 번째" in page and "첫 번째" in page
    assert db.execute("SELECT note FROM links WHERE id = ?", [link["id"]]).fetchone()[0] == "첫 번째"
    db.conn.close()


def test_admin_undoes_an_edit(client, app, users):
    login(client, "lead")
    a = complex_id(app, "A")
    db = connect(app.config["DATABASE"])
    link = next(db.query("SELECT * FROM links WHERE complex_id = ? LIMIT 1", [a]))
    token = token_of(client, f"/complexes/{a}/edit/")
    client.post(f"/complexes/{a}/edit/links/{link['id']}", data={
        "csrf_token": token, "level": "1", "version": link["version"], "note": "바뀐 메모"})
    entry = audit.list_entries(db)[0]
    admin = app.test_client()
    login(admin, "admin")
    token = token_of(admin, "/admin/audit")
    assert admin.post(f"/admin/audit/{entry['id']}/undo", data={"csrf_token": token}).status_code == 302
    restored = next(db.query("SELECT * FROM links WHERE id = ?", [link["id"]]))
    assert restored["frequency_level"] == link["frequency_level"] and restored["note"] == link["note"]
    assert restored["version"] == link["version"] + 2
    with pytest.raises(audit.AuditError, match="이미 되돌린"):
        audit.undo(db, entry["id"], None)
    db.conn.close()


def test_undo_of_deleted_link_brings_it_back(client, app, users):
    login(client, "lead")
    a = complex_id(app, "A")
    db = connect(app.config["DATABASE"])
    link = next(db.query("SELECT * FROM links WHERE complex_id = ? LIMIT 1", [a]))
    token = token_of(client, f"/complexes/{a}/edit/")
    client.post(f"/complexes/{a}/edit/links/{link['id']}/delete", data={"csrf_token": token,
                                                                          "version": link["version"]})
    assert db.execute("SELECT count(*) FROM links WHERE id = ?", [link["id"]]).fetchone()[0] == 0
    audit.undo(db, audit.list_entries(db)[0]["id"], None)
    assert next(db.query("SELECT * FROM links WHERE id = ?", [link["id"]]))["agency_id"] == link["agency_id"]
    db.conn.close()


def test_undo_of_deleted_link_brings_back_its_contact_log(client, app, users):
    """Set a link, log contacts, delete it through the page, undo: the same contacts come back."""
    from network.contacts import add_contact, list_contacts
    from network.links import set_link

    login(client, "lead")
    a = complex_id(app, "A")
    db = connect(app.config["DATABASE"])
    agency = db.execute("SELECT id FROM agencies WHERE id NOT IN (SELECT agency_id FROM links WHERE complex_id = ?) "
                        "LIMIT 1", [a]).fetchone()[0]
    link = set_link(db, a, agency, 3, ["referral"], "정기 회의")
    for day, kind, note in (("2025-03-02", "referral", "사례 연계"), ("2025-04-10", "meetings", None),
                            ("2025-05-20", None, "자원 협의")):
        add_contact(db, link["id"], day, kind, note)
    other_link = db.execute("SELECT id FROM links WHERE id <> ? LIMIT 1", [link["id"]]).fetchone()[0]
    add_contact(db, other_link, "2025-01-01", None, "다른 연계")  # must stay as it is
    columns = ("id", "link_id", "contact_date", "content_type", "note", "created_by", "created_at")

    def log(link_id):
        return sorted(tuple(c[k] for k in columns) for c in list_contacts(db, link_id=link_id))

    before, before_other = log(link["id"]), log(other_link)
    assert len(before) == 3
    token = token_of(client, f"/complexes/{a}/edit/")
    response = client.post(f"/complexes/{a}/edit/links/{link['id']}/delete",
                           data={"csrf_token": token, "version": link["version"]})
    assert response.status_code == 302
    assert log(link["id"]) == [] and db.execute("SELECT count(*) FROM contacts WHERE link_id = ?",
                                                [link["id"]]).fetchone()[0] == 0
    entry = audit.list_entries(db, table="links")[0]
    assert entry["action"] == "delete" and len(entry["before"]["_dependents"]["contacts"]) == 3
    admin = app.test_client()
    login(admin, "admin")
    assert admin.post(f"/admin/audit/{entry['id']}/undo",
                      data={"csrf_token": token_of(admin, "/admin/audit")}).status_code == 302
    assert log(link["id"]) == before and log(other_link) == before_other
    assert get_link_row(db, link["id"])["note"] == "정기 회의"
    db.conn.close()


def get_link_row(db, link_id):
    return next(db.query("SELECT * FROM links WHERE id = ?", [link_id]))


def test_admin_pages_are_admin_only(client, users):
    login(client, "lead")
    assert client.get("/admin/users").status_code == 403
    client2 = client.application.test_client()
    login(client2, "admin")
    assert "계정 관리" in client2.get("/admin/users").get_data(as_text=True)


def test_admin_creates_a_user_and_a_token(client, app, users):
    login(client, "admin")
    token = token_of(client, "/admin/users")
    response = client.post("/admin/users", data={
        "csrf_token": token, "username": "park", "role": "worker", "password": PASSWORD,
        "complexes": [str(complex_id(app, "C"))]})
    assert response.status_code == 302
    db = connect(app.config["DATABASE"])
    park = accounts.find_user(db, "park")
    assert park.complex_ids == {complex_id(app, "C")}
    page = client.post(f"/admin/users/{park.id}", data={"csrf_token": token, "action": "token"}).get_data(as_text=True)
    assert re.search(r"<code>yg_[\w-]+</code>", page)
    db.conn.close()


def test_my_account_lists_my_complexes_and_changes_my_password(client, app, users):
    login(client, "lead")
    page = client.get("/auth/me").get_data(as_text=True)
    assert f"/complexes/{complex_id(app, 'A')}/edit/" in page
    token = token_of(client, "/auth/me")
    wrong = client.post("/auth/me", data={"csrf_token": token, "current": "nope-nope", "new": "x" * 9, "again": "x" * 9})
    assert wrong.status_code == 400 and "맞지 않습니다" in wrong.get_data(as_text=True)
    ok = client.post("/auth/me", data={"csrf_token": token, "current": PASSWORD, "new": "new-pass-123",
                                       "again": "new-pass-123"})
    assert ok.status_code == 302
    db = connect(app.config["DATABASE"])
    assert accounts.authenticate(db, "lead", "new-pass-123") is not None
    db.conn.close()


def test_every_post_form_in_the_templates_carries_a_csrf_token():
    from pathlib import Path

    templates = Path(__file__).resolve().parent.parent / "web" / "templates"
    for path in templates.rglob("*.html"):
        for form in re.findall(r"<form\b[^>]*>.*?</form>", path.read_text(encoding="utf-8"), re.S | re.I):
            if re.search(r'method="post"', form, re.I):
                assert "csrf_token()" in form, f"{path.name}: a POST form without csrf_token"
