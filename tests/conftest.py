"""Shared fixtures: a fresh store, the demo store, the app, its client, the CLI runner."""
from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from directory.paths import DATA_DIR
from directory.store import connect
from importers import demo

PUBLIC = DATA_DIR / "public" / "agencies"
STUDY = DATA_DIR / "study2024"


@pytest.fixture
def db(tmp_path):
    """An empty store in a temporary file."""
    database = connect(tmp_path / "test.db")
    yield database
    database.conn.close()


@pytest.fixture(scope="session")
def demo_db_path(tmp_path_factory):
    """The demo database, built once per test session (copy it before writing)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    database = connect(path)
    demo.build(database)
    database.conn.close()
    return path


@pytest.fixture
def demo_db(demo_db_path, tmp_path):
    """A private, writable copy of the demo database."""
    path = tmp_path / "demo.db"
    shutil.copy(demo_db_path, path)
    database = connect(path)
    yield database
    database.conn.close()


@pytest.fixture
def app(demo_db_path, tmp_path):
    """The web app over a private copy of the demo database."""
    from web import create_app

    path = tmp_path / "app.db"
    shutil.copy(demo_db_path, path)
    return create_app({"TESTING": True, "DATABASE": str(path), "SECRET_KEY": "test"})


@pytest.fixture
def client(app):
    """A test client of the app."""
    return app.test_client()


TEST_PASSWORD = "correct-horse-1"


@pytest.fixture
def cheap_hashes(monkeypatch):
    """Scrypt is slow on purpose; tests that check behaviour, not cost, hash cheaply."""
    from directory import accounts

    monkeypatch.setattr(accounts, "PASSWORD_METHOD", "pbkdf2:sha256:1000")


@pytest.fixture
def store(app):
    """A second connection to the app's store, for setting up and checking rows."""
    database = connect(app.config["DATABASE"])
    yield database
    database.conn.close()


@pytest.fixture
def tokens(store, cheap_hashes):
    """Bearer headers: lead (team lead of complex A), worker (B), admin; password TEST_PASSWORD."""
    from directory import accounts

    out = {}
    for name, role, complexes in (("lead", "team_lead", ["A"]), ("worker", "worker", ["B"]), ("admin", "admin", [])):
        user = accounts.create_user(store, name, TEST_PASSWORD, role, complexes=complexes)
        out[name] = {"Authorization": f"Bearer {accounts.issue_token(store, user.id)}"}
    return out


@pytest.fixture
def runner():
    """A Click runner for the CLI."""
    return CliRunner()


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium for one test module (fails, never skips, when it cannot start)."""
    from playwright.sync_api import sync_playwright

    from .browser_support import launch

    with sync_playwright() as p:
        chromium = launch(p)
        yield chromium
        chromium.close()
