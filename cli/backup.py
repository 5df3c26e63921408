"""Backup commands: backup, restore, restore --undo (all safe while the web app runs)."""
from __future__ import annotations

import click

from directory.backup import BackupError, backup, before_restore_path, restore, undo_restore
from directory.store import StoreError

from .group import STORAGE_MESSAGES, main, pass_ctx, storage_message

def _message(exc: BackupError) -> str:
    """The Korean line for a backup error (its words are in directory/messages.py; storage failures the group's)."""
    if exc.code in STORAGE_MESSAGES:
        return storage_message(exc.code, exc.params.get("path"))
    return str(exc)


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
