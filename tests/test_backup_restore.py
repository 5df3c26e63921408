"""Restore checks its file before touching the live store, keeps one undo; a full disk is one clear line."""
from __future__ import annotations

import errno
import hashlib
import shutil
import sqlite3

import pytest

from cli import main
from directory import backup as backup_mod
from directory.backup import BackupError, backup, before_restore_path, check_backup, restore, undo_restore
from directory.oserrors import storage_error_code
from directory.store import connect


@pytest.fixture
def live(demo_db_path, tmp_path):
    path = tmp_path / "live.db"
    shutil.copy(demo_db_path, path)
    return path


def digest(path) -> str:
    """The store's content (not its bytes: WAL bookkeeping may differ)."""
    con = sqlite3.connect(path)
    try:
        return hashlib.sha256("\n".join(con.iterdump()).encode()).hexdigest()
    finally:
        con.close()


def counts(path) -> tuple[int, int]:
    db = connect(path)
    try:
        return db["agencies"].count, db["links"].count
    finally:
        db.conn.close()


def foreign_file(path, **extra_meta):
    """An SQLite file with tables named like ours: `meta` and `agencies`."""
    con = sqlite3.connect(path)
    con.executescript("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);"
                      "CREATE TABLE agencies (id INTEGER PRIMARY KEY, title TEXT);"
                      "INSERT INTO agencies (title) VALUES ('다른 프로그램의 자료');")
    for key, value in extra_meta.items():
        con.execute("INSERT INTO meta VALUES (?, ?)", [key, value])
    con.commit()
    con.close()
    return path


@pytest.mark.parametrize("meta, code", [
    ({}, "not_a_store"),
    ({"schema_version": "2"}, "missing_tables"),
    ({"schema_version": "99"}, "newer_schema"),
    ({"schema_version": "abc"}, "not_a_store"),
])
def test_foreign_file_is_refused_and_live_store_untouched(live, tmp_path, meta, code):
    before = digest(live)
    with pytest.raises(BackupError) as caught:
        restore(live, foreign_file(tmp_path / "foreign.db", **meta))
    assert caught.value.code == code
    assert digest(live) == before and counts(live)[0] > 0
    assert not before_restore_path(live).exists()
    assert not [p for p in tmp_path.iterdir() if ".part" in p.name]


def test_missing_column_is_refused(live, tmp_path):
    copy = tmp_path / "copy.db"
    backup(live, copy)
    con = sqlite3.connect(copy)
    con.execute("ALTER TABLE links DROP COLUMN note")
    con.commit()
    con.close()
    with pytest.raises(BackupError) as caught:
        check_backup(copy)
    assert caught.value.code == "missing_columns" and "links.note" in caught.value.params["columns"]


def test_not_sqlite_and_damaged_files_are_refused(live, tmp_path):
    text = tmp_path / "text.db"
    text.write_text("not a database", encoding="utf-8")
    with pytest.raises(BackupError) as caught:
        restore(live, text)
    assert caught.value.code == "not_sqlite"
    with pytest.raises(BackupError) as caught:
        backup(live, live)
    assert caught.value.code == "same_file"


def test_good_backup_restores_and_undo_brings_back_the_previous(live, tmp_path):
    saved = tmp_path / "saved.db"
    backup(live, saved)
    agencies, links = counts(live)
    db = connect(live)
    with db.conn:
        db.conn.execute("DELETE FROM links")
    db.conn.close()
    emptied = digest(live)
    result = restore(live, saved)
    assert (result["agencies"], result["links"]) == (agencies, links) == counts(live)
    assert before_restore_path(live).exists()
    undone = undo_restore(live)
    assert undone["links"] == 0 and digest(live) == emptied
    # The undo kept what it replaced in turn: a mistaken undo can be undone.
    assert undo_restore(live)["links"] == links


def test_older_backup_is_migrated_in_the_copy(live, tmp_path):
    old = tmp_path / "old.db"
    backup(live, old)
    con = sqlite3.connect(old)
    con.execute("ALTER TABLE users DROP COLUMN session_version")
    con.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    assert check_backup(old) == 4
    from directory.schema import SCHEMA_VERSION

    assert restore(live, old)["schema"] == SCHEMA_VERSION


def test_cli_restore_refuses_foreign_file_and_undoes(runner, live, tmp_path):
    before = digest(live)
    result = runner.invoke(main, ["--db", str(live), "restore", str(foreign_file(tmp_path / "f.db")), "--yes"])
    assert result.exit_code == 1 and "연계 데이터베이스의 백업이 아닙니다" in result.output
    assert "Traceback" not in result.output and digest(live) == before
    result = runner.invoke(main, ["--db", str(live), "restore", "--undo", "--yes"])
    assert result.exit_code == 1 and "되돌릴 복원이 없습니다" in result.output
    saved = tmp_path / "saved.db"
    assert runner.invoke(main, ["--db", str(live), "backup", str(saved)]).exit_code == 0
    result = runner.invoke(main, ["--db", str(live), "restore", str(saved), "--yes"])
    assert result.exit_code == 0 and "restore --undo" in result.output
    result = runner.invoke(main, ["--db", str(live), "restore", "--undo", "--yes"])
    assert result.exit_code == 0 and "되돌렸습니다" in result.output
    assert "--undo" in runner.invoke(main, ["restore", "--help"]).output


# --- full disk -----------------------------------------------------------------


def full_disk_copy(source, target):
    """Write part of the copy, then fail as SQLite does when the disk fills."""
    with open(target, "wb") as fh:
        fh.write(b"SQLite format 3\0" + b"\0" * 4096)
    raise sqlite3.OperationalError("database or disk is full")


def test_full_disk_during_backup_is_one_line_and_leaves_no_part(runner, live, tmp_path, monkeypatch):
    monkeypatch.setattr(backup_mod, "_copy", full_disk_copy)
    target = tmp_path / "out" / "b.db"
    with pytest.raises(BackupError) as caught:
        backup(live, target)
    assert caught.value.code == "disk_full"
    assert list((tmp_path / "out").iterdir()) == []
    result = runner.invoke(main, ["--db", str(live), "backup", str(target)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.strip().splitlines() == [f"Error: 저장 공간이 부족합니다 ({target}). 공간을 비운 뒤 다시 하세요."]


def test_full_disk_during_restore_leaves_live_store_and_no_part(live, tmp_path, monkeypatch):
    saved = tmp_path / "saved.db"
    backup(live, saved)
    before = digest(live)
    monkeypatch.setattr(backup_mod, "_copy", full_disk_copy)
    with pytest.raises(BackupError) as caught:
        restore(live, saved)
    assert caught.value.code == "disk_full" and digest(live) == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_os_errors_in_any_command_are_one_korean_line(runner, tmp_path, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "x.db"))

    monkeypatch.setattr("cli.group.connect", full)
    result = runner.invoke(main, ["--db", str(tmp_path / "x.db"), "init"])
    assert result.exit_code == 1 and "저장 공간이 부족합니다" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("exc, code", [
    (OSError(errno.ENOSPC, "No space left on device"), "disk_full"),
    (OSError(errno.EROFS, "Read-only file system"), "read_only"),
    (sqlite3.OperationalError("attempt to write a readonly database"), "read_only"),
    (sqlite3.OperationalError("disk I/O error"), "io_error"),
    (sqlite3.OperationalError("no such table: x"), None),
    (OSError(errno.ENOENT, "No such file"), None),
])
def test_storage_error_codes(exc, code):
    assert storage_error_code(exc) == code
