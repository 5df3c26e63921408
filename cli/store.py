"""Store commands: init, import, imports, demo."""
from __future__ import annotations

import json
import sys

import click

from directory import demo as demo_data
from directory.store import counts
from importers import ImportFormatError, import_file
from importers.reading import read_csv

from . import main, pass_ctx


@main.command("init")
@pass_ctx
def init_command(ctx):
    """Create the database (or bring an old one up to the current schema).

    Example: yeongye --db my.db init
    """
    c = counts(ctx.db)
    click.echo(f"데이터베이스 준비 완료: {ctx.db_path} (기관 {c['agencies']}, 단지 {c['complexes']}, 연계 {c['links']})")


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--complexes", type=click.Path(exists=True, dir_okay=False),
              help="With a linkage matrix: the complexes' profile file.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@pass_ctx
def import_command(ctx, file, complexes, as_json):
    """Import an agency list or a linkage matrix; bad rows go to quarantine.

    Example: yeongye --db my.db import 전국치매센터표준데이터.csv
    """
    try:
        total = len(read_csv(file).rows)
        show_bar = sys.stderr.isatty() and not as_json
        with click.progressbar(length=total, label="가져오는 중", file=sys.stderr) if show_bar else _NoBar() as bar:
            summary = import_file(ctx.db, file, complexes=complexes, progress=bar.update)
    except ImportFormatError as exc:
        if as_json:
            click.echo(json.dumps({"error": str(exc)}, ensure_ascii=False))
            sys.exit(1)
        raise click.ClickException(str(exc)) from exc
    result = summary.as_dict()
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(
        f"{summary.dataset}: {summary.rows}행 — 새 기관 {summary.imported}, 갱신 {summary.updated}, "
        f"병합 {summary.merged}, 변경 없음 {summary.unchanged}, 격리 {summary.quarantined}"
    )
    for key in ("complexes", "links"):
        if key in result:
            click.echo(f"  {'단지' if key == 'complexes' else '연계'}: {result[key]}")
    for error in summary.errors[:20]:
        click.echo(f"  격리: {error['row']}행 [{error['column'] or '-'}] {error['message']}", err=True)
    if len(summary.errors) > 20:
        click.echo(f"  … 외 {len(summary.errors) - 20}건 (yeongye imports 로 확인)", err=True)


class _NoBar:
    """Stands in for a progress bar when output is not a terminal."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, n):
        pass


@main.command("demo")
@pass_ctx
def demo_command(ctx):
    """Build the demo database from the data bundled with the project.

    Example: yeongye --db demo.db demo
    """
    for summary in demo_data.build(ctx.db):
        click.echo(f"{summary.dataset}: 새 기관 {summary.imported}, 병합 {summary.merged}, 격리 {summary.quarantined}")
    c = counts(ctx.db)
    click.echo(f"데모 데이터베이스: {ctx.db_path} (기관 {c['agencies']}, 단지 {c['complexes']}, 연계 {c['links']})")
