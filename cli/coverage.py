"""`yeongye report coverage`: per agency type, how many have a phone, an exact position, a verification date."""
from __future__ import annotations

import csv
import io
import json

import click

from importers.coverage import COVERAGE_COLUMNS, coverage_report

from .group import pass_ctx
from .network import report_group


@report_group.command("coverage")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.option("--type", "kinds", multiple=True, help="Only these agency types (repeatable).")
@pass_ctx
def report_coverage(ctx, fmt, kinds):
    """How far the directory can be trusted, per agency type: phones, exact positions, verification dates.

    Example: yeongye --db demo.db report coverage --type 정신건강복지센터 --type 치매안심센터
    """
    rows = [r for r in coverage_report(ctx.db) if not kinds or r.type in kinds]
    if fmt == "json":
        click.echo(json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=2))
        return
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(COVERAGE_COLUMNS.values())
        for r in rows:
            writer.writerow([getattr(r, c) for c in COVERAGE_COLUMNS])
        click.echo(out.getvalue(), nl=False)
        return
    click.echo(f"{'유형':<16} {'기관':>6} {'전화':>12} {'정확한 위치':>14} {'확인일':>12}")
    for r in rows:
        click.echo(f"{r.type:<16} {r.agencies:>6,} {r.phone:>6,} {r.share('phone'):>5.0%} "
                   f"{r.exact:>7,} {r.share('exact'):>5.0%} {r.verified:>6,} {r.share('verified'):>5.0%}"
                   + (f"  (전화 원문만 {r.phone_raw_only})" if r.phone_raw_only else ""))
    click.echo("정확한 위치: 원자료 좌표 또는 같은 주소의 좌표. 나머지는 시군구·읍면동 중심이거나 위치 없음.")
