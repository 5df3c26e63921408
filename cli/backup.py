"""Backup commands: backup, restore, restore --undo (all safe while the web app runs)."""
from __future__ import annotations

import click

from directory.backup import BackupError, backup, before_restore_path, restore, undo_restore
from directory.store import StoreError

from .group import STORAGE_MESSAGES, main, pass_ctx, storage_message

# The words for directory.backup's error codes.
MESSAGES = {
    "no_store": "데이터베이스가 없습니다: {path}",
    "same_file": "백업 파일은 데이터베이스와 다른 파일이어야 합니다: {path}",
    "no_backup": "백업 파일이 없습니다: {path}",
    "not_sqlite": "SQLite 데이터베이스 파일이 아닙니다: {path}",
    "damaged": "백업 파일이 손상되었습니다 (integrity_check: {detail}): {path}",
    "not_a_store": "연계 데이터베이스의 백업이 아닙니다 (스키마 버전이 없습니다): {path}",
    "newer_schema": "더 새로운 프로그램이 만든 백업입니다 (스키마 {version}, 이 프로그램은 {supported}까지): {path}",
    "missing_tables": "연계 데이터베이스의 백업이 아닙니다 (없는 표: {tables}): {path}",
    "missing_columns": "연계 데이터베이스의 백업이 아닙니다 (없는 열: {columns}): {path}",
    "migration_failed": "백업을 이 버전의 형식으로 옮길 수 없습니다 ({detail}): {path}",
    "no_undo": "되돌릴 복원이 없습니다 ({path} 이(가) 없습니다).",
}


def _message(exc: BackupError) -> str:
    if exc.code in STORAGE_MESSAGES:
        return storage_message(exc.code, exc.params.get("path"))
    return MESSAGES.get(exc.code, "{code}").format(code=exc.code, **exc.params)


@main.command("backup")
@click.argument("file", type=click.Path(dir_okay=False))
@pass_ctx
def backup_command(ctx, file):
    """Copy the database to FILE, consistently, even while the app is serving.

    Example: yeongye --db instance/yeongye.db backup backups/2026-11-21.db
    """
    try:
        ctx.db  # make sure the store exists and is current
        target = backup(ctx.db_path, file)
    except BackupError as exc:
        raise click.ClickException(_message(exc)) from exc
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"백업했습니다: {target}")


@main.command("restore")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option("--undo", is_flag=True, help="Put back the content the last restore replaced "
                                           "(kept in DB.before-restore; run again to return).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_ctx
def restore_command(ctx, file, undo, yes):
    """Replace the database's content with a backup FILE, or undo the last restore.

    FILE is checked first (an intact Yeongye store of a known schema version,
    with every table and column) and migrated in a copy; the live database
    is untouched until then. The content it replaces is kept beside the
    database (DB.before-restore) for one `restore --undo`.

    Example: yeongye --db instance/yeongye.db restore backups/2026-11-21.db --yes
    """
    if undo == bool(file):
        raise click.UsageError("백업 FILE 또는 --undo 중 하나를 주세요.")
    source = before_restore_path(ctx.db_path) if undo else file
    if not yes:
        click.confirm(f"{ctx.db_path} 의 내용을 {source} 로 바꿉니다. 계속할까요?", abort=True)
    try:
        counts = undo_restore(ctx.db_path) if undo else restore(ctx.db_path, file)
    except BackupError as exc:
        raise click.ClickException(_message(exc)) from exc
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{'되돌렸습니다' if undo else '복원했습니다'}: 기관 {counts['agencies']}, 단지 {counts['complexes']}, "
               f"연계 {counts['links']}")
    click.echo(f"바뀌기 전 내용은 {before_restore_path(ctx.db_path)} 에 있습니다 (되돌리기: yeongye restore --undo).")
