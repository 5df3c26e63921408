"""Map commands: `map resources|network|access`, each writing one standalone HTML file."""
from __future__ import annotations

import json

import click

from directory.errors import YeongyeError
from directory.store import mappable_agencies
from directory.vocabulary import DEFAULT_ACCESS_TYPE
from directory.export import to_csv, to_xlsx
from importers.demand_table import read_demand_table
from maps.access import access_map, decay_words, listed_words
from maps.assets import save_standalone
from maps.network import agency_map, complex_map, district_map
from maps.resources import resource_map
from network.access import DEFAULT_RADIUS_KM, LEVELS, accessibility, join_boundaries, least_served, write_ranked_csv
from network.compare import compare_districts, comparison_sheets, parse_districts
from network.demand import DEMANDS

from .group import main, pass_ctx

_TILES_HELP = "Base tiles: OpenStreetMap (default; or $YEONGYE_TILES), a URL template, or 'none'."
_OUT = click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True),
                    help="The standalone HTML file to write (every script inlined; opens offline).")
_TILES = click.option("--tiles", default=None, help=_TILES_HELP)


def _run(build):
    """Call a map builder, turning core errors (maps, the access measure, search, the store) into a CLI error."""
    try:
        return build()
    except YeongyeError as exc:
        raise click.ClickException(str(exc)) from exc


@main.group("map")
def map_group():
    """Standalone HTML maps: resources, a complex's network, access to a kind of service.

    Example: yeongye --db demo.db map resources --type 치매안심센터 --out dementia.html
    """


@map_group.command("resources")
@click.option("--category", help="Only this category (공공기관 … 기타).")
@click.option("--type", "type_", help="Only this agency type (치매안심센터, 정신건강복지센터 …).")
@click.option("--sido", help="Only this 시도 (서울특별시 …).")
@click.option("--sigungu", help="Only this 시군구.")
@click.option("--query", help="Map the agencies a search finds (its first 200) instead of a filter.")
@click.option("--include-sample", is_flag=True, help="Also show agencies at sample positions (study demo).")
@_TILES
@_OUT
@pass_ctx
def map_resources(ctx, category, type_, sido, sigungu, query, include_sample, tiles, out):
    """Agencies as clustered markers coloured by category, one layer per category.

    Example: yeongye --db demo.db map resources --category 보건의료 --out health.html
    """
    def build():
        if query:
            from directory.search import MAX_LIMIT, search

            found, _ = search(ctx.db, query, category=category, agency_type=type_, sido=sido, sigungu=sigungu,
                              limit=MAX_LIMIT)
            agencies = [a for a in found if a.get("lat") is not None and a.get("lon") is not None]
        else:
            agencies = mappable_agencies(ctx.db, category=category, agency_type=type_, sido=sido, sigungu=sigungu,
                                         include_sample=include_sample)
        return resource_map(agencies, tiles=tiles), len(agencies)

    m, n = _run(build)
    save_standalone(m, out)
    click.echo(f"기관 {n:,}곳 → {out}")


@map_group.command("network")
@click.option("--complex", "complex_key", help="One complex (id or name) and its partners.")
@click.option("--agency", "agency_id", type=int, help="One agency (id) and the complexes it serves.")
@click.option("--sido", help="Every complex of this 시도 and the agencies they share.")
@click.option("--sigungu", help="Every complex of this 시군구.")
@_TILES
@_OUT
@pass_ctx
def map_network(ctx, complex_key, agency_id, sido, sigungu, tiles, out):
    """Complexes and partner agencies: line width = contact frequency, colour = main content type.

    Without --complex or --agency: every complex of the district (or the store).

    Example: yeongye --db demo.db map network --complex A --out A.html
    """
    if complex_key and agency_id:
        raise click.UsageError("--complex 와 --agency 중 하나만 지정하세요.")
    if complex_key:
        m = _run(lambda: complex_map(ctx.db, complex_key, tiles=tiles))
    elif agency_id is not None:
        m = _run(lambda: agency_map(ctx.db, agency_id, tiles=tiles))
    else:
        m = _run(lambda: district_map(ctx.db, sido, sigungu, tiles=tiles))
    save_standalone(m, out)
    click.echo(f"연계망 지도 → {out}")


@map_group.command("access")
@click.option("--type", "type_", multiple=True, help="Agency type(s) whose access is measured (default 치매안심센터).")
@click.option("--category", multiple=True, help="Or every agency of these categories (보건의료 …).")
@click.option("--senior-jobs", is_flag=True, help="Supply: 노인일자리 target jobs per 시군구 (2022 projects).")
@click.option("--count", "count_only", is_flag=True, help="Count every agency once (default: its 정원 where listed).")
@click.option("--level", type=click.Choice(LEVELS), default="sigungu", show_default=True,
              help="Areas: 시군구, 읍면동, or complexes (households).")
@click.option("--demand", type=click.Choice(list(DEMANDS)), default="age65", show_default=True,
              help="Demand: 65+, 기초생활수급자 (recipients, recipient_households), 주거급여, 등록장애인, 정신질환 patients.")
@click.option("--demand-file", type=click.Path(exists=True, dir_okay=False),
              help="Or a planner's own table (CSV/XLSX) by 행정코드 or 시도·시군구(·읍면동) name.")
@click.option("--demand-column", help="The value column of --demand-file (default: its only numeric column).")
@click.option("--radius", "radius_km", type=float, default=DEFAULT_RADIUS_KM, show_default=True,
              help="Catchment radius in km.")
@click.option("--sigma", "sigma_km", type=float, default=None,
              help="Gaussian distance-decay width in km (default: half the radius; 0: no decay, classic 2SFCA).")
@click.option("--flag-radius", "flag_km", type=float, help="'No agency within R km' flag (default: --radius).")
@click.option("--sido", help="Draw and rank only this 시도 (the measure itself is always national).")
@click.option("--top", type=int, default=10, show_default=True, help="How many least-served areas to list.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, writable=True),
              help="Also write the ranked table of every area (least served first).")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, writable=True),
              help="Also write the boundary and demand join report (JSON).")
@_TILES
@_OUT
@pass_ctx
def map_access(ctx, type_, category, senior_jobs, count_only, level, demand, demand_file, demand_column, radius_km,
               sigma_km, flag_km, sido, top, csv_path, report_path, tiles, out):
    """E2SFCA access to a kind of agency, as a choropleth; prints the least-served areas.

    Example: yeongye --db demo.db map access --type 치매안심센터 --demand recipients --csv ranked.csv --out access.html
    """
    def build():
        table = read_demand_table(demand_file, column=demand_column) if demand_file else None
        types = list(type_) or ([] if category or senior_jobs else [DEFAULT_ACCESS_TYPE])
        result = accessibility(ctx.db, None, types=types, categories=list(category), senior_jobs=senior_jobs,
                               capacity=not count_only, level=table.level if table else level, demand=demand,
                               demand_table=table.rows if table else None,
                               demand_label=table.column if table else None,
                               radius_km=radius_km, sigma_km=sigma_km, flag_km=flag_km)
        return table, result, access_map(result, tiles=tiles, sido=sido, top=top)

    table, result, m = _run(build)
    save_standalone(m, out)
    click.echo(f"{result.agency_type} 접근성 · {result.demand_label} 기준 (반경 {result.radius_km:g} km, "
               f"{decay_words(result)}): 기관 {len(result.supply):,}곳, 지역 {len(result.rows):,}곳 → {out}")
    if table and table.rejected:
        click.echo(f"수요 파일에서 쓰지 못한 행 {len(table.rejected)}개: "
                   + "; ".join(f"{r['row']}행 {r['reason']}" for r in table.rejected[:5]), err=True)
    join = result.demand_join
    if join and (join["unmatched_rows"] or join["missing_areas"]):
        click.echo(f"수요 자료와 지역 연결: {join['joined_areas']:,}/{join['areas']:,}곳. "
                   f"지역을 찾지 못한 행: {', '.join(join['unmatched_rows'][:10]) or '없음'}; "
                   f"자료에 없어 0으로 둔 지역: {', '.join(join['missing_areas'][:10]) or '없음'}", err=True)
    click.echo(f"{sido + ' 안에서 ' if sido else ''}접근성 하위 {top}곳 (수요 1천당 점수, 낮을수록 취약):")
    for row in least_served(result, top, sido=sido):
        nearest = "—" if row["nearest_km"] is None else f"{row['nearest_name']} {row['nearest_km']:.1f} km"
        flag = f" · {result.flag_km:g} km 안에 없음" if row["none_within"] else ""
        listed = "" if row.get("in_store") is None else f" · {listed_words(row['in_store'], result)}"
        click.echo(f"{row['rank']:>3}. {row['name']}  점수 {row['score']:.3f}  수요 {row['demand']:,.0f}  "
                   f"가장 가까운 기관 {nearest}{flag}{listed}")
    approximate = [r["name"] for r in result.rows if r.get("approximate")]
    if approximate:
        click.echo(f"중심점이 없어 시군구 중심을 쓴 지역 {len(approximate)}곳: {', '.join(approximate[:10])}"
                   + (" …" if len(approximate) > 10 else ""), err=True)
    if result.unplaced:
        click.echo(f"위치를 찾지 못해 제외한 지역 {len(result.unplaced)}곳: {', '.join(result.unplaced[:10])}"
                   + (" …" if len(result.unplaced) > 10 else ""), err=True)
    if csv_path:
        write_ranked_csv(result, csv_path)
        click.echo(f"순위표 → {csv_path}")
    if result.level != "complexes":
        _, report = join_boundaries(result)
        missing = report["unmatched_boundaries"] + report["unmatched_areas"]
        if missing:
            click.echo("지도 경계와 이름·코드가 맞지 않아 색을 칠하지 못한 곳 (순위표에는 있음): " + ", ".join(missing),
                       err=True)
        if report_path:
            with open(report_path, "w", encoding="utf-8") as fh:
                json.dump({**report, "demand_join": join}, fh, ensure_ascii=False, indent=2)
            click.echo(f"연결 보고서 → {report_path}")


@map_group.command("compare")
@click.option("--district", "districts", multiple=True, help="시도/시군구, 2–6 times (서울특별시/강서구).")
@click.option("--sido", help="Or every 시군구 of this 시도.")
@click.option("--type", "type_", default=DEFAULT_ACCESS_TYPE, show_default=True, help="Agency type of the supply.")
@click.option("--demand", type=click.Choice(list(DEMANDS)), default="age65", show_default=True, help="Demand.")
@click.option("--radius", "radius_km", type=float, default=DEFAULT_RADIUS_KM, show_default=True, help="Radius in km.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True),
              help="The comparison as .xlsx (every table) or .csv (the figures).")
@pass_ctx
def map_compare(ctx, districts, sido, type_, demand, radius_km, out):
    """Districts side by side (demand, supply per 1,000, access quartile, complexes, overlaps) as a spreadsheet.

    Example: yeongye --db demo.db map compare --district 서울특별시/강서구 --district 서울특별시/노원구 --out compare.xlsx
    """
    def build():
        result = accessibility(ctx.db, type_, demand=demand, radius_km=radius_km)
        pairs = parse_districts(list(districts), sido=sido, result=result)
        return comparison_sheets(compare_districts(ctx.db, pairs, result=result))

    sheets = _run(build)
    if out.lower().endswith(".csv"):
        data = to_csv(*sheets["비교"])
    else:
        data = to_xlsx(sheets)
    with open(out, "wb") as fh:
        fh.write(data)
    click.echo(f"시군구 {len(sheets['비교'][0]) - 1}곳 비교 → {out}")
