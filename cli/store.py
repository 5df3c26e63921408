"""Store commands: init, import, imports, demo."""
from __future__ import annotations

import json
import sys

import click

from directory.actors import cli_actor
from directory.errors import YeongyeError
from directory.store import counts
from directory.vocabulary import PLACEMENT_SHORT_LABELS as PLACEMENT_LABELS
from importers import import_file
from importers import demo as demo_data

from .group import main, pass_ctx
from .search import prepare_index


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
@click.option("--mapping", "mapping_file", type=click.Path(exists=True, dir_okay=False),
              help="Column mapping file: one `field=header` line each (name=기관이름).")
@click.option("--map", "map_pairs", multiple=True, metavar="FIELD=HEADER",
              help="Map one column on the command line (repeatable): --map name=기관이름.")
@click.option("--crs", help="Coordinate system of X/Y columns (EPSG:5179 UTM-K, EPSG:5186, EPSG:2097).")
@click.option("--source", help="Source name recorded for the rows (default: list:<file name>).")
@click.option("--show-mapping", is_flag=True, help="Only show how the columns would be read.")
@click.option("--geocoder", help="Online geocoder for addresses: nominatim, photon or pelias "
                                 "(default: $YEONGYE_GEOCODER, else offline only).")
@click.option("--geocoder-domain", help="Self-hosted geocoder host (default: $YEONGYE_GEOCODER_DOMAIN).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@pass_ctx
def import_command(ctx, file, complexes, mapping_file, map_pairs, crs, source, show_mapping, geocoder,
                   geocoder_domain, as_json):
    """Import an agency list (CSV, XLSX, HTML xls, HSDS datapackage.json) or a linkage matrix.

    Columns are recognised from their Korean headers; the mapping used is
    shown. Agencies without coordinates are placed (matching, geocoder if
    configured, 읍면동/시군구 centroid); duplicates of other lists merge.
    Bad rows go to quarantine.

    Example: yeongye --db my.db import 전국치매센터표준데이터.csv --map name=기관이름
    """
    from importers import preview_mapping
    from importers.placement import make_geocoder
    from importers.tabular import parse_mapping_lines, read_mapping_file

    try:
        mapping = read_mapping_file(mapping_file) if mapping_file else {}
        mapping.update(parse_mapping_lines(map_pairs))
        if show_mapping:
            for line in preview_mapping(ctx.db, file, mapping=mapping or None):
                click.echo(line)
            return
        coder = make_geocoder(geocoder, domain=geocoder_domain)
        show_bar = sys.stderr.isatty() and not as_json
        with _RowBar() if show_bar else _NoBar() as bar:
            summary = import_file(ctx.db, file, complexes=complexes, progress=bar.update, mapping=mapping or None,
                                  crs=crs, source=source, geocoder=coder, on_rows=bar.set_total,
                                  actor=cli_actor())
    except YeongyeError as exc:  # the file, the mapping, the geocoder or the actor: the Korean sentence
        if as_json:
            click.echo(json.dumps({"error": str(exc), "code": exc.code}, ensure_ascii=False))
            sys.exit(1)
        raise click.ClickException(str(exc)) from exc
    result = summary.as_dict()
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        prepare_index(ctx.db, bar=False)
        return
    click.echo(
        f"{summary.dataset}: {summary.rows}행 — 새 기관 {summary.imported}, 갱신 {summary.updated}, "
        f"병합 {summary.merged}, 변경 없음 {summary.unchanged}, 격리 {summary.quarantined}"
    )
    if "mapping" in result:
        click.echo("  열 대응: " + ", ".join(f"{f} ← {h}" for f, h in result["mapping"].items()))
    if result.get("placed"):
        click.echo("  위치: " + ", ".join(f"{PLACEMENT_LABELS.get(p, p)} {n}" for p, n in result["placed"].items()))
    if result.get("coordinates"):
        click.echo("  좌표 보정: " + ", ".join(f"{k} {n}" for k, n in result["coordinates"].items()))
    if result.get("geocoder"):
        click.echo(f"  지오코더: {result['geocoder']}", err=True)
    for warning in result.get("warnings", []):
        click.echo(f"  경고: {warning}", err=True)
    for key in ("complexes", "links"):
        if key in result:
            click.echo(f"  {'단지' if key == 'complexes' else '연계'}: {result[key]}")
    for error in summary.errors[:20]:
        click.echo(f"  격리: {error['row']}행 [{error['column'] or '-'}] {error['message']}", err=True)
    if len(summary.errors) > 20:
        click.echo(f"  … 외 {len(summary.errors) - 20}건 (yeongye imports {summary.run_id} 로 확인)", err=True)
    prepare_index(ctx.db)  # the first search after an import need not wait for the index


class _RowBar:
    """A progress bar over the rows that starts with the first row.

    Started any earlier, the seconds spent reading the file would count as
    the first row's and make the time-left estimate hours long; drawn every
    half-percent, it costs the import nothing measurable. The length comes
    from the importer once it has read the file (`set_total`), so the file
    is read once.
    """

    def __init__(self, total: int = 0):
        self.total = total
        self.bar = None

    def set_total(self, total: int) -> None:
        self.total = total

    def __enter__(self):
        click.echo("파일을 읽는 중…", err=True)
        return self

    def update(self, n):
        if self.bar is None:
            self.bar = click.progressbar(length=self.total, label="가져오는 중", file=sys.stderr,
                                         update_min_steps=max(1, self.total // 200))
            self.bar.__enter__()
        self.bar.update(n)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)
        return False


class _NoBar:
    """Stands in for a progress bar when output is not a terminal."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, n):
        pass

    def set_total(self, total):
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
    prepare_index(ctx.db)  # so the first search after `make run` answers at once
