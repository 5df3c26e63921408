"""Exchange commands: HSDS export, the import report, quarantine, duplicates, placement."""
from __future__ import annotations

import json

import click

from directory.actors import cli_actor
from directory.errors import YeongyeError
from directory.vocabulary import PLACEMENT_SHORT_LABELS as PLACEMENT_LABELS
from importers.imports import export_quarantine, import_run, list_runs

from .group import main, pass_ctx


@main.group("export")
def export_group():
    """Export the directory for other systems.

    Example: yeongye --db my.db export hsds out/
    """


@export_group.command("hsds")
@click.argument("directory", type=click.Path(file_okay=False))
@pass_ctx
def export_hsds_command(ctx, directory):
    """Write the agencies as an Open Referral HSDS 3.0 tabular data package.

    Example: yeongye --db my.db export hsds hsds_out/
    """
    from importers.hsds import export_hsds

    report = export_hsds(ctx.db, directory)
    click.echo(f"HSDS 3.0 패키지: {directory}/datapackage.json")
    click.echo("  " + ", ".join(f"{table} {n}" for table, n in report.counts.items() if n))
    if report.postcodes_from_same_building:
        click.echo(f"  같은 건물의 다른 기관에서 가져온 우편번호 {report.postcodes_from_same_building}곳")
    if report.addresses_left_out:
        click.echo(f"  address 표에서 뺀 주소 {report.addresses_left_out}곳 (우편번호 없음 {report.without_postcode}곳): "
                   "HSDS는 우편번호·시군구·시도를 요구합니다. 주소는 location 설명과 attribute에 남아 있습니다.")
    if report.dates_as_text:
        click.echo(f"  날짜 형식이 아닌 확인일 {report.dates_as_text}곳은 attribute로 보냈습니다.")


@main.command("imports")
@click.argument("run_id", required=False, type=int)
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.option("--limit", default=30, show_default=True, help="How many runs to list.")
@pass_ctx
def imports_command(ctx, run_id, as_json, limit):
    """List import runs, or show one run with its counts and quarantined rows.

    Example: yeongye --db my.db imports 3
    """
    if run_id is None:
        runs = list_runs(ctx.db, limit=limit)
        if as_json:
            click.echo(json.dumps(runs, ensure_ascii=False, indent=2))
            return
        if not runs:
            click.echo("가져오기 기록이 없습니다.")
        for run in runs:
            placed = ", ".join(f"{PLACEMENT_LABELS.get(p, p)} {n}" for p, n in (run.get("placed") or {}).items())
            click.echo(
                f"#{run['id']} {run['started_at']} {run['dataset']} ({run['file_name']}, {run['status']}): "
                f"{run['rows']}행 — 새 {run['imported']}, 갱신 {run['updated']}, 병합 {run['merged']}, "
                f"변경 없음 {run['unchanged']}, 격리 {run['quarantined']} (미해결 {run['open_quarantine']})"
                + (f"; 위치: {placed}" if placed else "")
            )
        return
    try:
        run = import_run(ctx.db, run_id)
    except YeongyeError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(run, ensure_ascii=False, indent=2))
        return
    click.echo(f"#{run['id']} {run['dataset']} — 파일 {run['file_name']} (SHA-256 {run['file_hash'][:12]}…, {run['encoding']})")
    click.echo(f"  출처: {run['source']}, 시작 {run['started_at']}, 끝 {run['finished_at']}, 상태 {run['status']}")
    click.echo(f"  {run['rows']}행 — 새 기관 {run['imported']}, 갱신 {run['updated']}, 병합 {run['merged']}, "
               f"변경 없음 {run['unchanged']}, 격리 {run['quarantined']}")
    summary = run.get("summary") or {}
    if summary.get("mapping"):
        click.echo("  열 대응: " + ", ".join(f"{f} ← {h}" for f, h in summary["mapping"].items()))
    if summary.get("placed"):
        click.echo("  위치: " + ", ".join(f"{PLACEMENT_LABELS.get(p, p)} {n}" for p, n in summary["placed"].items()))
    for row in run["quarantine"]:
        state = "해결됨" if row["resolved"] else "격리"
        click.echo(f"  [{state} #{row['id']}] {row['row_number']}행 [{row['column'] or '-'}] {row['reason']}")
    if run["quarantine"]:
        click.echo(f"  고쳐서 다시 가져오기: yeongye quarantine export {run['id']} 고칠파일.csv")


@main.group("quarantine")
def quarantine_group():
    """Quarantined rows: export them to fix, then import the fixed file.

    Example: yeongye --db my.db quarantine export 3 fix.csv
    """


@quarantine_group.command("export")
@click.argument("run_id", type=int)
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@click.option("--all", "include_resolved", is_flag=True, help="Include rows already resolved.")
@pass_ctx
def quarantine_export_command(ctx, run_id, file, include_resolved):
    """Write a run's quarantined rows as CSV with the original headers (UTF-8 with BOM, for Excel).

    The last column, 격리번호, ties each row to its quarantine entry: import
    the fixed file and the rows that now pass are marked resolved.

    Example: yeongye --db my.db quarantine export 3 fix.csv
    """
    try:
        count, command = export_quarantine(ctx.db, run_id, file, include_resolved=include_resolved)
    except YeongyeError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"격리된 {count}행을 {file}에 썼습니다. 고친 뒤: {command}")


@main.group("duplicates", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--limit", default=50, show_default=True, help="Rows shown per section.")
@click.pass_context
def duplicates_group(click_ctx, as_json, limit):
    """Report merges made across lists and near-misses to confirm or split.

    Example: yeongye --db my.db duplicates --json
    """
    if click_ctx.invoked_subcommand is not None:
        return
    from importers.dedup import duplicate_report

    report = duplicate_report(click_ctx.obj.db)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    merges = [m for m in report["merges"] if m["status"] != "split"]
    click.echo(f"병합 {len(merges)}건 (확인 전 {sum(m['status'] == 'merged' for m in merges)}), "
               f"병합 후보 {len(report['pending_merges'])}건, 근접 불일치 {len(report['near_misses'])}건")
    for m in merges[:limit]:
        dist = f", {m['distance_m']:.0f} m" if m["distance_m"] is not None else ""
        click.echo(f"  병합 #{m['id']} [{m['rule']}{dist}] {m['merged_name']} → {m['kept_name']} (#{m['kept_id']}) {m['status']}")
    for c in report["pending_merges"][:limit]:
        click.echo(f"  후보 [{c['rule']}] #{c['a']} {c['a_name']} = #{c['b']} {c['b_name']}")
    for c in report["near_misses"][:limit]:
        dist = f", {c['distance_m']:.0f} m" if c["distance_m"] is not None else ""
        click.echo(f"  확인 필요 [{c['rule']} {c['score']:.0f}{dist}] #{c['a']} {c['a_name']} / #{c['b']} {c['b_name']}")
    click.echo("같음: yeongye duplicates same A B · 다름: duplicates distinct A B · "
               "병합 취소: duplicates split ID · 병합 확인: duplicates confirm ID")


def _act(action, *args):
    """Run one core action as the CLI's actor (it owns its transaction and audit entry); errors in Korean."""
    try:
        return action(*args, actor=cli_actor())
    except YeongyeError as exc:  # the core's family: its Korean sentence
        raise click.ClickException(str(exc)) from exc


@duplicates_group.command("same")
@click.argument("a", type=int)
@click.argument("b", type=int)
@pass_ctx
def duplicates_same(ctx, a, b):
    """Merge two agencies a person judged to be one (the lower id is kept).

    Example: yeongye --db my.db duplicates same 12 345
    """
    from importers.dedup import decide

    _act(decide, ctx.db, a, b, "same")
    click.echo(f"#{max(a, b)}을(를) #{min(a, b)}에 병합했습니다.")


@duplicates_group.command("distinct")
@click.argument("a", type=int)
@click.argument("b", type=int)
@pass_ctx
def duplicates_distinct(ctx, a, b):
    """Record that two agencies are different (never merged, not reported again).

    Example: yeongye --db my.db duplicates distinct 12 345
    """
    from importers.dedup import decide

    _act(decide, ctx.db, a, b, "distinct")
    click.echo(f"#{a}와(과) #{b}는 다른 기관으로 기록했습니다.")


@duplicates_group.command("split")
@click.argument("merge_id", type=int)
@pass_ctx
def duplicates_split(ctx, merge_id):
    """Undo a merge: the merged agency returns with its source rows and links.

    Example: yeongye --db my.db duplicates split 7
    """
    from importers.dedup import split_merge

    new_id = _act(split_merge, ctx.db, merge_id)
    click.echo(f"병합 #{merge_id}을(를) 취소했습니다: 기관 #{new_id}")


@duplicates_group.command("confirm")
@click.argument("merge_id", type=int)
@pass_ctx
def duplicates_confirm(ctx, merge_id):
    """Mark an automatic merge as checked by a person.

    Example: yeongye --db my.db duplicates confirm 7
    """
    from importers.dedup import confirm_merge

    _act(confirm_merge, ctx.db, merge_id)
    click.echo(f"병합 #{merge_id} 확인.")


@main.command("place")
@click.option("--geocoder", help="nominatim, photon or pelias (default: $YEONGYE_GEOCODER, else offline).")
@click.option("--geocoder-domain", help="Self-hosted geocoder host (default: $YEONGYE_GEOCODER_DOMAIN).")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@pass_ctx
def place_command(ctx, geocoder, geocoder_domain, as_json):
    """Place every agency without exact coordinates again, best method first.

    Example: YEONGYE_GEOCODER=nominatim yeongye --db my.db place
    """
    from importers.placement import make_geocoder, place_agencies, placement_counts

    try:
        coder = make_geocoder(geocoder, domain=geocoder_domain)
    except YeongyeError as exc:  # GeocoderConfigError: its Korean sentence
        raise click.ClickException(str(exc)) from exc
    with ctx.db.conn:
        counts = place_agencies(ctx.db.conn, geocoder=coder)
    totals = placement_counts(ctx.db.conn)
    if as_json:
        click.echo(json.dumps({"placed": dict(counts), "totals": totals}, ensure_ascii=False))
        return
    click.echo("이번 배치: " + ", ".join(f"{PLACEMENT_LABELS.get(p, p)} {n}" for p, n in counts.items()))
    click.echo("전체: " + ", ".join(f"{PLACEMENT_LABELS.get(p, p)} {n}" for p, n in totals.items()))

