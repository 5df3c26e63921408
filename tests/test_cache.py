"""The page cache for visitors not signed in: hits, and never stale after an edit."""
from __future__ import annotations

import re

import pytest

from directory import accounts
from directory.store import connect


@pytest.fixture
def cached_app(demo_db_path, tmp_path):
    import shutil

    from web import create_app

    path = tmp_path / "c.db"
    shutil.copy(demo_db_path, path)
    return create_app({"DATABASE": str(path), "SECRET_KEY": "t", "PAGE_CACHE_SECONDS": 60})


def test_second_anonymous_request_is_a_hit(cached_app):
    client = cached_app.test_client()
    first = client.get("/agencies/1").get_data()
    second = client.get("/agencies/1")
    cache = cached_app.extensions["yeongye_page_cache"]
    assert second.get_data() == first and cache.hits == 1
    assert second.headers["X-Content-Type-Options"] == "nosniff"


def test_an_edit_is_seen_at_once(cached_app, monkeypatch):
    monkeypatch.setattr(accounts, "PASSWORD_METHOD", "pbkdf2:sha256:1000")
    db = connect(cached_app.config["DATABASE"])
    admin = accounts.create_user(db, "admin", "admin-pass-1", "admin")
    token = accounts.issue_token(db, admin.id)
    db.conn.close()
    client = cached_app.test_client()
    assert "02-999-0000" not in client.get("/agencies/1").get_data(as_text=True)
    client.patch("/api/agencies/1", json={"phone": "02-999-0000"}, headers={"Authorization": f"Bearer {token}"})
    assert "02-999-0000" in client.get("/agencies/1").get_data(as_text=True)


def test_signed_in_users_and_flashes_are_never_cached(cached_app, monkeypatch):
    monkeypatch.setattr(accounts, "PASSWORD_METHOD", "pbkdf2:sha256:1000")
    db = connect(cached_app.config["DATABASE"])
    accounts.create_user(db, "lead", "lead-pass-1", "team_lead", complexes=["A"])
    db.conn.close()
    client = cached_app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/auth/login", data={"username": "lead", "password": "lead-pass-1", "csrf_token": token})
    for _ in range(2):
        assert "로그아웃" in client.get("/").get_data(as_text=True)
    anonymous = cached_app.test_client().get("/").get_data(as_text=True)
    assert "로그아웃" not in anonymous and "환영합니다" not in anonymous
