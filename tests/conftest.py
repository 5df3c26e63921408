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


@pytest.fixture
def runner():
    """A Click runner for the CLI."""
    return CliRunner()
