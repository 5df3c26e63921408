"""Backup and restore of a live store, through SQLite's online backup API.

Both work while the web app is serving: the backup API copies pages under
SQLite's own locks, so a backup is a consistent snapshot and a restore
replaces the content in one step that readers see either before or after.

A restore never trusts its file. Before the live store is touched the file
must be an intact SQLite database (``integrity_check``) holding a Yeongye
store: a schema version this program knows, and every table and column that
version has. It is then copied beside the store and migrated there, so a file
that cannot be brought up to date fails on the copy. Only then is the live
content saved to ``<store>.before-restore`` (one undo:
:func:`undo_restore`) and replaced.

Errors are :class:`BackupError` with a ``code`` (and ``params``); the CLI
words them. A full disk is one of them (``disk_full``), and the half-written
``.part`` file is removed.
"""
from __future__ import annotations

import sqlite3
from functools import lru_cache
from pathlib import Path

import sqlite_utils

from .oserrors import storage_error_code
from .schema import MIGRATIONS, SCHEMA_VERSION, current_version
from .store import StoreError, connect

__all__ = ["BackupError", "backup", "restore", "undo_restore", "check_backup", "before_restore_path"]

# Counted and reported after a restore.
COUNTED = ("agencies", "complexes", "links")


class BackupError(StoreError):
    """A backup or restore cannot be done: `code` says why, `params` the details (shells word it)."""

    code = "backup_error"


def before_restore_path(db_path) -> Path:
    """Where a restore keeps the content it replaced: ``<store>.before-restore``."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".before-restore")


def backup(db_path, target) -> Path:
    """Copy the store at `db_path` into the file `target` (replaced if present)."""
    source = Path(db_path)
    if not source.exists():
        raise BackupError("no_store", path=str(source))
    target = Path(target)
    if target.resolve() == source.resolve():
        raise BackupError("same_file", path=str(target))
    tmp = target.with_name(target.name + ".part")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _copy(source, tmp)
        tmp.replace(target)
    except BaseException as exc:
        _remove(tmp)  # a half-written copy must not look like a backup
        _raise_storage(exc, target)
        raise
    return target


def check_backup(backup_file) -> int:
    """The schema version of a backup file, after checking it is an intact Yeongye store.

    Raises BackupError ``not_sqlite``, ``damaged``, ``not_a_store``,
    ``newer_schema``, ``missing_tables`` or ``missing_columns``; reads the
    file only.
    """
    path = Path(backup_file)
    try:
        src = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            problems = [r[0] for r in src.execute("PRAGMA integrity_check(5)")]
            tables = {name: {r[1] for r in src.execute(f"PRAGMA table_info([{name}])")}
                      for (name,) in src.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            version = None
            if "key" in tables.get("meta", ()) and "value" in tables.get("meta", ()):
                version = src.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        finally:
            src.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError("not_sqlite", path=str(path), detail=str(exc)) from exc
    if problems != ["ok"]:
        raise BackupError("damaged", path=str(path), detail="; ".join(problems))
    if version is None or not str(version[0]).isdigit() or int(version[0]) < 1:
        raise BackupError("not_a_store", path=str(path))
    version = int(version[0])
    if version > SCHEMA_VERSION:
        raise BackupError("newer_schema", path=str(path), version=version, supported=SCHEMA_VERSION)
    expected = _tables_at(version)
    missing = sorted(set(expected) - set(tables))
    if missing:
        raise BackupError("missing_tables", path=str(path), tables=", ".join(missing))
    columns = sorted(f"{t}.{c}" for t, cols in expected.items() for c in cols - tables[t])
    if columns:
        raise BackupError("missing_columns", path=str(path), columns=", ".join(columns))
    return version


def restore(db_path, backup_file) -> dict:
    """Replace the store's content with a backup's; returns the schema version and counts.

    The backup is checked (:func:`check_backup`) and migrated in a copy beside
    the store first, so a wrong file never replaces good data; the content it
    replaces is kept in :func:`before_restore_path` for :func:`undo_restore`.
    """
    db_path, backup_file = Path(db_path), Path(backup_file)
    if not backup_file.exists():
        raise BackupError("no_backup", path=str(backup_file))
    if db_path.exists() and backup_file.resolve() == db_path.resolve():
        raise BackupError("same_file", path=str(backup_file))
    check_backup(backup_file)
    staging = db_path.with_name(db_path.name + ".restore.part")
    undo = before_restore_path(db_path)
    undo_part = undo.with_name(undo.name + ".part")
    try:
        _remove(staging)
        _copy(backup_file, staging)
        counts = _migrate_and_count(staging, backup_file)
        if db_path.exists():
            _copy(db_path, undo_part)
            undo_part.replace(undo)
        _copy(staging, db_path)  # one step: readers see the old content or the new
    except BaseException as exc:
        _raise_storage(exc, db_path)
        raise
    finally:
        _remove(staging)
        _remove(undo_part)
    return counts


def undo_restore(db_path) -> dict:
    """Put back the content the last restore replaced (what it replaces is kept in turn)."""
    undo = before_restore_path(db_path)
    if not undo.exists():
        raise BackupError("no_undo", path=str(undo))
    return restore(db_path, undo)


# --- helpers ------------------------------------------------------------------


@lru_cache(maxsize=None)
def _tables_at(version: int) -> dict[str, set[str]]:
    """Every table and its columns in a new store at schema `version` (built in memory)."""
    ref = sqlite_utils.Database(memory=True)
    for migration in MIGRATIONS[:version]:
        migration(ref)
    tables = {name: set(ref[name].columns_dict) for name in ref.table_names() if not name.startswith("sqlite_")}
    ref.conn.close()
    return tables


def _migrate_and_count(staging: Path, backup_file: Path) -> dict:
    try:
        db = connect(staging)  # migrates an older backup forward, here and not in the live store
    except StoreError as exc:
        raise BackupError("migration_failed", path=str(backup_file), detail=str(exc)) from exc
    try:
        ok = db.execute("PRAGMA integrity_check(5)").fetchall()
        if [r[0] for r in ok] != ["ok"]:
            raise BackupError("damaged", path=str(backup_file), detail="; ".join(r[0] for r in ok))
        return {"schema": current_version(db), **{t: db[t].count for t in COUNTED}}
    finally:
        db.conn.close()


def _copy(source: Path, target: Path) -> None:
    src = sqlite3.connect(str(source), timeout=30)
    dst = sqlite3.connect(str(target), timeout=30)
    try:
        src.execute("PRAGMA busy_timeout=30000")
        dst.execute("PRAGMA busy_timeout=30000")
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _remove(path: Path) -> None:
    """A scratch database and its journal files, if there."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def _raise_storage(exc: BaseException, path: Path) -> None:
    """A full disk, a read-only mount …: a BackupError with that code instead of a traceback."""
    code = storage_error_code(exc) if isinstance(exc, (OSError, sqlite3.Error)) else None
    if code is not None:
        raise BackupError(code, path=str(path)) from exc
