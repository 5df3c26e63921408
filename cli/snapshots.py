"""The network over time and for partners: network snapshot|snapshots|changes|profile (issue 11)."""
from __future__ import annotations

import json

import click

from directory.actors import cli_actor
from directory.errors import YeongyeError
from directory.store import get_complex
from network.snapshots import compare_snapshots, list_snapshots, take_snapshot

from .group import main, pass_ctx


@main.group("network")
def network_group():
    """The network over time: snapshots of links and levels, and what changed between two.

    Example: yeongye --db demo.db network snapshot --complex A
    """


def _scope(ctx, complex_name, sido, sigungu, everything) -> dict:
    if sum(bool(x) for x in (complex_name, sido, everything)) != 1:
        raise click.UsageError("--complex, --sido (with --sigungu) 또는 --all 중 하나를 고르세요.")
    if complex_name:
        try:
            return {"complex_id": get_complex(ctx.db, complex_name)["id"]}
        except YeongyeError as exc:
            raise click.ClickException(str(exc)) from exc
    return {"sido": sido, "sigungu": sigungu}


_SCOPE_OPTIONS = [
    click.option("--complex", "complex_name", help="One complex (name or id)."),
    click.option("--sido", help="One 시도 (with --sigungu: one 시군구)."),
    click.option("--sigungu", help="One 시군구 of --sido."),
    click.option("--all", "everything", is_flag=True, help="The whole store."),
]


def _scope_options(fn):
    for option in reversed(_SCOPE_OPTIONS):
        fn = option(fn)
    return fn


@network_group.command("snapshot")
@_scope_options
@click.option("--date", "taken_on", help="The snapshot's date (YYYY-MM-DD, default today): levels count the "
              "contact log's 12 months to it, links made after it are left out (deleted links cannot come back).")
@click.option("--label", help="A short note, e.g. '2025년 말'.")
@pass_ctx
def snapshot_command(ctx, complex_name, sido, sigungu, everything, taken_on, label):
    """Record a complex's, a district's or the whole store's links with their levels, for next year's comparison.

    Example: yeongye --db demo.db network snapshot --sido 서울특별시 --sigungu 노원구 --label "2025년 말"
    """
    scope = _scope(ctx, complex_name, sido, sigungu, everything)
    try:
        snap = take_snapshot(ctx.db, **scope, taken_on=taken_on, label=label, actor=cli_actor())
    except YeongyeError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"연계망 기록 #{snap['id']}: {snap['taken_on']} · 연계 {snap['links']}건")


@network_group.command("snapshots")
@_scope_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def snapshots_command(ctx, complex_name, sido, sigungu, everything, as_json):
    """List the snapshots of a complex, a district or the whole store, newest first.

    Example: yeongye --db demo.db network snapshots --complex A
    """
    scope = _scope(ctx, complex_name, sido, sigungu, everything)
    try:
        rows = list_snapshots(ctx.db, **scope)
    except YeongyeError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("기록이 없습니다.")
    for row in rows:
        click.echo(f"#{row['id']}\t{row['taken_on']}\t연계 {row['links']}건\t{row['label'] or ''}".rstrip())


@network_group.command("changes")
@click.argument("first", type=int)
@click.argument("second", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def changes_command(ctx, first, second, as_json):
    """Links added, dropped and changed level between two snapshots of the same scope.

    Example: yeongye --db demo.db network changes 3 7
    """
    try:
        result = compare_snapshots(ctx.db, first, second)
    except YeongyeError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2, default=str))
        return
    levels = result["levels"]

    def mark(level):
        known = levels.get(level)
        return f"{known['mark']} {known['label']}" if known else "—"

    n = result["counts"]
    click.echo(f"{result['before']['taken_on']} → {result['after']['taken_on']}: 새 연계 {n['added']}건, "
               f"끊긴 연계 {n['dropped']}건, 빈도 변화 {n['changed']}건 (잦아짐 {n['up']}, 뜸해짐 {n['down']}), "
               f"그대로 {n['unchanged']}건")
    for title, rows, line in (
        ("새 연계", result["added"], lambda r: mark(r["level"])),
        ("끊긴 연계", result["dropped"], lambda r: mark(r["level"])),
        ("빈도 변화", result["changed"], lambda r: f"{mark(r['before_level'])} → {mark(r['after_level'])}"),
    ):
        if rows:
            click.echo(f"\n{title}")
        for r in rows:
            click.echo(f"  {r['complex_name']} — {r['agency_name']}: {line(r)}")


@network_group.command("profile")
@click.option("--complex", "complex_name", required=True, help="The complex (name or id).")
@click.option("--out", type=click.Path(dir_okay=False), help="Write the HTML here (default: standard output).")
@pass_ctx
def profile_command(ctx, complex_name, out):
    """The complex introduced to its partner agencies, one printable A4 page (no resident's data).

    Example: yeongye --db demo.db network profile --complex A --out A-소개.html
    """
    from datetime import date

    from directory.vocabulary import korean_date
    from network.profile import partner_profile

    from .network import _render, _write

    try:
        p = partner_profile(ctx.db, complex_name)
    except YeongyeError as exc:
        raise click.ClickException(str(exc)) from exc
    _write(_render(ctx, "complexes/profile.html", p=p, title=p["complex"]["name"], today=korean_date(date.today())),
           out)
