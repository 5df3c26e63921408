"""Sessions end on sign-out, password change, deactivation and role change; sign-in timing hides user names."""
from __future__ import annotations

import re
import statistics
import time

import pytest

from directory import accounts

PASSWORD = "correct-horse-1"


@pytest.fixture
def lead(store, cheap_hashes):
    """A team lead of complex A."""
    return accounts.create_user(store, "lead", PASSWORD, "team_lead", complexes=["A"])


def csrf_token(client, url="/auth/login"):
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True))
    assert match
    return match.group(1)


def login(client, username="lead", password=PASSWORD, remember=False):
    data = {"username": username, "password": password, "csrf_token": csrf_token(client)}
    if remember:
        data["remember"] = "1"
    response = client.post("/auth/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response


def logout(client):
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/auth/me")})


def a_link(store):
    """A link of complex A (the lead's)."""
    return store.execute("SELECT l.id FROM links l JOIN complexes c ON c.id = l.complex_id WHERE c.name = 'A' "
                         "LIMIT 1").fetchone()[0]


def post_contact(client, link_id):
    return client.post(f"/api/links/{link_id}/contacts", json={"contact_date": "2026-02-01", "note": "정기 회의"})


# --- core -------------------------------------------------------------------


def test_identity_carries_the_session_version(store, lead):
    assert lead.get_id() == f"{lead.id}:1"
    assert accounts.user_for_session(store, lead.get_id()).id == lead.id
    accounts.end_sessions(store, lead.id)
    assert accounts.user_for_session(store, lead.get_id()) is None
    assert accounts.user_for_session(store, f"{lead.id}:2").id == lead.id
    # The bare id older releases kept, and junk, name nobody.
    for identity in (str(lead.id), "", None, "x:1", f"{lead.id}:", "9" * 40 + ":1"):
        assert accounts.user_for_session(store, identity) is None


@pytest.mark.parametrize("change", [
    lambda db, uid: accounts.set_password(db, uid, "another-pass-2"),
    lambda db, uid: accounts.set_active(db, uid, False),
    lambda db, uid: accounts.set_role(db, uid, "worker"),
], ids=["password", "deactivation", "role"])
def test_changes_that_end_sessions(store, lead, change):
    change(store, lead.id)
    assert accounts.user_for_session(store, lead.get_id()) is None


def test_unchanged_role_and_reactivation_keep_sessions(store, lead):
    accounts.set_role(store, lead.id, "team_lead")
    accounts.set_active(store, lead.id, True)
    assert accounts.get_user(store, lead.id).session_version == 1


# --- web --------------------------------------------------------------------


def test_replayed_session_cookie_after_logout_is_refused(client, store, lead):
    login(client)
    link_id = a_link(store)
    assert post_contact(client, link_id).status_code == 201
    copied = client.get_cookie("session").value
    logout(client)
    client.set_cookie("session", copied)
    response = post_contact(client, link_id)
    assert response.status_code == 401 and response.is_json
    page = client.get("/auth/me")
    assert page.status_code == 302 and "/auth/login" in page.headers["Location"]


def test_remember_me_cookie_after_logout_is_refused(app, store, lead):
    client = app.test_client()
    login(client, remember=True)
    remembered = client.get_cookie("remember_token").value
    logout(client)
    # A fresh browser holding only the copied remember-me cookie.
    other = app.test_client()
    other.set_cookie("remember_token", remembered)
    assert other.get("/auth/me").status_code == 302
    assert post_contact(other, a_link(store)).status_code == 401


def test_remember_me_cookie_signs_in_while_valid(app, store, lead):
    client = app.test_client()
    login(client, remember=True)
    other = app.test_client()
    other.set_cookie("remember_token", client.get_cookie("remember_token").value)
    assert other.get("/auth/me").status_code == 200


def test_password_change_ends_other_sessions_but_not_this_one(app, store, lead):
    phone, desk = app.test_client(), app.test_client()
    login(phone)
    login(desk)
    response = desk.post("/auth/me", data={"csrf_token": csrf_token(desk, "/auth/me"), "current": PASSWORD,
                                           "new": "a-new-password-3", "again": "a-new-password-3"})
    assert response.status_code == 302
    assert desk.get("/auth/me").status_code == 200
    assert phone.get("/auth/me").status_code == 302
    assert post_contact(phone, a_link(store)).status_code == 401


def test_deactivation_ends_sessions(client, store, lead):
    login(client)
    accounts.set_active(store, lead.id, False)
    assert client.get("/auth/me").status_code == 302


# --- timing -----------------------------------------------------------------


def test_unknown_user_name_costs_a_password_hash(store, lead, monkeypatch):
    calls = []
    real = accounts.check_password_hash
    monkeypatch.setattr(accounts, "check_password_hash", lambda h, p: calls.append(h) or real(h, p))
    assert accounts.authenticate(store, "nobody", PASSWORD) is None
    assert len(calls) == 1 and calls[0].startswith("pbkdf2:sha256:1000")


def test_sign_in_timing_does_not_tell_which_names_exist(store):
    # The real method (scrypt): an unknown name must take about as long as a wrong password.
    accounts.create_user(store, "known", PASSWORD, "worker")

    def median(username):
        times = []
        for _ in range(3):
            start = time.perf_counter()
            assert accounts.authenticate(store, username, "wrong-password") is None
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    accounts.authenticate(store, "warm-up", "x")  # the dummy hash is made once, on first use
    # The machine is shared: a round may be disturbed, so up to three rounds.
    # Without the dummy hash an unknown name is ~1% of a known one, every round.
    rounds = []
    for _ in range(3):
        known, unknown = median("known"), median("nobody-here")
        rounds.append((unknown, known))
        if unknown >= 0.5 * known:
            break
    else:
        pytest.fail(f"unknown vs known user name (s): {rounds}")
