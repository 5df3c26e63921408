"""Backup commands: backup, restore (both safe while the web app runs)."""
from __future__ import annotations

import click

from directory.backup import backup, restore
from directory.store import StoreError

from . import main, pass_ctx


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
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"백업했습니다: {target}")


@main.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_ctx
def restore_command(ctx, file, yes):
    """Replace the database's content with a backup FILE (checked first).

    Example: yeongye --db instance/yeongye.db restore backups/2026-11-21.db --yes
    """
    if not yes:
        click.confirm(f"{ctx.db_path} 의 내용을 {file} 로 바꿉니다. 계속할까요?", abort=True)
    try:
        counts = restore(ctx.db_path, file)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"복원했습니다: 기관 {counts['agencies']}, 단지 {counts['complexes']}, 연계 {counts['links']}")
