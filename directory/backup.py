"""Backup and restore of a live store, through SQLite's online backup API.

Both work while the web app is serving: the backup API copies pages under
SQLite's own locks, so a backup is a consistent snapshot and a restore
replaces the content in one step that readers see either before or after.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from .schema import current_version
from .store import StoreError, connect

__all__ = ["backup", "restore"]


def backup(db_path, target) -> Path:
    """Copy the store at `db_path` into the file `target` (replaced if present)."""
    source = Path(db_path)
    if not source.exists():
        raise StoreError(f"데이터베이스가 없습니다: {source}")
    target = Path(target)
    if target.resolve() == source.resolve():
        raise StoreError("백업 파일은 데이터베이스와 다른 파일이어야 합니다.")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    src = sqlite3.connect(str(source), timeout=30)
    dst = sqlite3.connect(str(tmp))
    try:
        src.execute("PRAGMA busy_timeout=30000")
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    tmp.replace(target)
    return target


def restore(db_path, backup_file) -> dict:
    """Replace the store's content with a backup's; returns the restored counts.

    The backup is checked first (a SQLite file, a Yeongye store, intact), so a
    wrong file never replaces good data.
    """
    backup_file = Path(backup_file)
    if not backup_file.exists():
        raise StoreError(f"백업 파일이 없습니다: {backup_file}")
    try:
        src = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
        ok = src.execute("PRAGMA integrity_check").fetchone()[0]
        tables = {r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"SQLite 백업 파일이 아닙니다: {backup_file} ({exc})") from exc
    if ok != "ok" or not {"meta", "agencies"} <= tables:
        src.close()
        raise StoreError(f"연계 데이터베이스의 백업이 아니거나 손상되었습니다: {backup_file}")
    dst = sqlite3.connect(str(db_path), timeout=30)
    try:
        dst.execute("PRAGMA busy_timeout=30000")
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    db = connect(db_path)  # a backup from an older version is migrated forward
    try:
        return {"schema": current_version(db), **{t: db[t].count for t in ("agencies", "complexes", "links")}}
    finally:
        db.conn.close()

