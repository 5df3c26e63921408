"""Network commands: report network|gaps|complex, recommend, link set|delete, contact add|list."""
from __future__ import annotations

import json
from pathlib import Path

import click

from directory.actors import cli_actor
from directory.errors import YeongyeError
from directory.frequency import BASES
from directory.store import ComplexNotFound, get_complex
from network.contacts import link_frequency, list_contacts, log_contact
from network.graph import link_rows
from network.links import LinkNotFound, delete_link, find_link, find_partner, get_link, set_link
from network.gaps import gap_report
from network.programmes import create_programme, delete_programme, list_programmes
from network.recommend import RecommendError, recommend
from network.report import complex_report, network_report, to_csv, to_json

from .group import main, pass_ctx


@main.group("report")
def report_group():
    """Reports on the linkage network: the whole network, one complex's gaps, a printable page.

    Example: yeongye --db demo.db report network --format json --out network.json
    """


@report_group.command("network")
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "html"]), default="json", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), help="Write to this file instead of standard output.")
@click.option("--sido", help="Only complexes in this 시도 (and their partners).")
@click.option("--sigungu", help="Only complexes in this 시군구.")
@click.option("--category", help="Only agencies of this category (공공기관 … 기타).")
@click.option("--operator", help="Only complexes whose operator contains this (LH, SH).")
@click.option("--table", type=click.Choice(["agencies", "complexes", "types", "gaps"]), default="agencies",
              show_default=True, help="With --format csv: which table.")
@click.option("--level", type=click.Choice(["agency", "type"]), default="agency", show_default=True,
              help="Measure agencies one by one, or agency types (agencies of one type collapsed).")
@click.option("--pretty/--compact", default=None,
              help="Indent the JSON (default: indented unless the report has more than 2,000 agencies).")
@pass_ctx
def report_network(ctx, fmt, out, sido, sigungu, category, operator, table, level, pretty):
    """The whole network: counts, density, centralization, every agency and complex, gaps, overlaps.

    Example: yeongye --db demo.db report network --format html --out network.html
    """
    report = network_report(ctx.db, sido=sido, sigungu=sigungu, category=category, operator=operator, level=level)
    if fmt == "json":
        text = to_json(report, pretty=pretty)
    elif fmt == "csv":
        text = to_csv(report, table)
    else:
        text = _render(ctx, "districts/print.html", report=report, title="연계망 보고서")
    _write(text, out)


@report_group.command("gaps")
@click.option("--complex", "complex_name", required=True, help="The complex's name or id.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def report_gaps(ctx, complex_name, as_json):
    """One complex's gaps: types its peers use, empty categories, needs of its residents.

    Example: yeongye --db demo.db report gaps --complex C
    """
    try:
        gaps = gap_report(ctx.db, complex_name)
    except ComplexNotFound as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(to_json(gaps))
        return
    click.echo(f"{gaps['complex']} 단지의 연계 공백 (비교 단지: {gaps['peers']['scope']} {gaps['peers']['count']}곳)")
    sections = (("입주민 특성으로 필요한 기관", "profile"), ("비교 단지 대부분이 연계하는 기관", "peer"),
                ("연계 기관이 없는 분야", "category"))
    for title, key in sections:
        click.echo(f"\n[{title}]")
        for item in gaps[key]:
            click.echo(f"  - {item.get('type') or item.get('category')}: {item['reason']}")
        if not gaps[key]:
            click.echo("  (없음)")
    if gaps["met"]:
        click.echo("\n[이미 충족된 필요]")
        for item in gaps["met"]:
            click.echo(f"  - {item['type']}: {', '.join(item['agencies'])}")


@report_group.command("complex")
@click.argument("name")
@click.option("--out", type=click.Path(dir_okay=False), help="Write the HTML here (default: standard output).")
@pass_ctx
def report_complex(ctx, name, out):
    """A one-page printable HTML report of a complex, to share with a partner agency.

    Example: yeongye --db demo.db report complex C --out C.html
    """
    try:
        report = complex_report(ctx.db, name)
    except ComplexNotFound as exc:
        raise click.ClickException(str(exc)) from exc
    _write(_render(ctx, "complexes/report.html", r=report, title=report["complex"]["name"]), out)


@main.command("recommend")
@click.option("--complex", "complex_name", required=True, help="The complex's name or id.")
@click.option("--need", required=True, help="An agency type or a needs word (치매, 술, 일자리 …).")
@click.option("--limit", default=10, show_default=True, type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def recommend_command(ctx, complex_name, need, limit, as_json):
    """Agencies not yet linked with a complex that serve a need, nearest and most used first.

    Example: yeongye --db demo.db recommend --complex C --need 술
    """
    try:
        found = recommend(ctx.db, complex_name, need, limit=limit)
    except (ComplexNotFound, RecommendError) as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(to_json(found))
        return
    click.echo(f"{found['complex']} · '{need}' → {', '.join(found['types'])}")
    for i, r in enumerate(found["results"], start=1):
        click.echo(f"{i:2}. {r['name']} ({r['phone'] or '전화 미상'})\n    {r['reason']}")
    if not found["results"]:
        click.echo("추천할 기관이 없습니다 (모두 연계했거나 디렉터리에 없음).")


@main.group("contact")
def contact_group():
    """The contact log of a complex's links (no residents' personal data in notes).

    Example: yeongye --db demo.db contact add --complex C --agency 치매안심센터 --date 2024-05-01 --content referral
    """


@contact_group.command("add")
@click.option("--complex", "complex_names", required=True, multiple=True,
              help="The complex's name or id; repeat for a meeting of several complexes.")
@click.option("--agency", "agencies", required=True, multiple=True,
              help="A partner agency: its id, or its name or type among the complexes' partners; repeatable.")
@click.option("--date", "contact_date", required=True, help="YYYY-MM-DD")
@click.option("--content", "content_type", help="Content type code or name (referral, resources, information, programs, meetings).")
@click.option("--kind", help="Meeting kind code or name (통합사례회의, 지역사회보장협의체 회의 …; data/reference/meeting_kinds.csv).")
@click.option("--note", help="A short note. Never a resident's name, ID number or phone.")
@pass_ctx
def contact_add(ctx, complex_names, agencies, contact_date, content_type, kind, note):
    """Record a contact with one or several partner agencies: one contact on each link it touches.

    Prints each touched link's level as every page shows it.

    Example: yeongye --db demo.db contact add --complex E --agency 사회복지관 --agency 정신건강복지센터 --agency 행정복지센터 --date 2024-05-01 --kind 통합사례회의
    """
    try:
        complex_ids = [get_complex(ctx.db, name)["id"] for name in complex_names]
        agency_ids = [find_partner(ctx.db, complex_ids, agency) for agency in agencies]
        logged = log_contact(ctx.db, complex_ids, agency_ids, contact_date, content_type, note, kind=kind,
                             actor=cli_actor())
    except YeongyeError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"기록했습니다: 연계 {len(logged['links'])}건에 연락 1회씩.")
    for link in link_rows(ctx.db, complex_ids=complex_ids):
        if link["id"] in logged["links"]:
            click.echo(f"  {link['complex_name']} — {link['agency_name']}: {_level_line(link_frequency(ctx.db, link['id']))}")


def _level_line(freq: dict) -> str:
    """A link's shown level and why, in a team lead's words (the one rule: directory.frequency.decide)."""
    shown = f"{freq['mark'] or ''} {freq['label'] or '빈도 미상'}".strip()
    manual = f"{freq['manual_mark']} {freq['manual_label']}" if freq["manual_label"] else "모름"
    if freq["source"] == "log":
        return f"보이는 빈도 {shown} (연락 기록 기준, 최근 12개월 {freq['contacts_12m']}회; 직접 입력 {manual})"
    return f"보이는 빈도 {shown} (직접 입력; 기록 {freq['contacts_12m']}회 — 기록이 12개월을 채우거나 " \
           f"'기록으로 계산'을 고르면 기록 기준으로 바뀝니다)"


@main.group("link")
def link_group():
    """A complex's partner links: create or change one, or end it (audited as cli:<os user>).

    Example: yeongye --db demo.db link set --complex C --agency 12 --level 4 --content referral
    """


@link_group.command("set")
@click.option("--complex", "complex_name", required=True, help="The complex's name or id.")
@click.option("--agency", required=True, help="The agency's id (or, for an existing link, its name among the partners).")
@click.option("--level", type=click.IntRange(1, 5), help="Contact frequency 1–5 (5: 수시).")
@click.option("--content", "content_types", multiple=True, help="Content type code or name; repeatable.")
@click.option("--note", help="A short note. Never a resident's name, ID number or phone.")
@click.option("--basis", type=click.Choice(BASES),
              help="Whose level pages show: auto (the log's once it covers 12 months), log (기록으로 계산), "
                   "manual (직접 입력 유지). Unset: keep the stored choice.")
@pass_ctx
def link_set(ctx, complex_name, agency, level, content_types, note, basis):
    """Link an agency to a complex, or replace an existing link's frequency, content types and note.

    Example: yeongye --db demo.db link set --complex C --agency 12 --level 3 --content referral --content meetings
    """
    try:
        row = get_complex(ctx.db, complex_name)
        try:
            current = get_link(ctx.db, find_link(ctx.db, row["id"], agency))
        except LinkNotFound:
            if not str(agency).strip().isdigit():
                raise
            current = None
        agency_id = current["agency_id"] if current else int(agency)
        link = set_link(ctx.db, row["id"], agency_id, level, content_types, note,
                        expected_version=current["version"] if current else None, basis=basis, actor=cli_actor())
    except YeongyeError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{'바꿨습니다' if current else '연계했습니다'}: 연계 #{link['id']} (버전 {link['version']}); "
               f"{_level_line(link_frequency(ctx.db, link['id']))}")


@link_group.command("delete")
@click.option("--complex", "complex_name", required=True, help="The complex's name or id.")
@click.option("--agency", required=True, help="The partner agency: its id, or its name among the complex's partners.")
@pass_ctx
def link_delete(ctx, complex_name, agency):
    """End a partnership: the link and its contact log go (an admin can undo it from the audit log).

    Example: yeongye --db demo.db link delete --complex C --agency 12
    """
    try:
        link_id = find_link(ctx.db, complex_name, agency)
        delete_link(ctx.db, link_id, actor=cli_actor())
    except YeongyeError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"연계 #{link_id}을(를) 삭제했습니다.")


@contact_group.command("list")
@click.option("--complex", "complex_name", required=True, help="The complex's name or id.")
@click.option("--limit", default=50, show_default=True, type=int)
@pass_ctx
def contact_list(ctx, complex_name, limit):
    """A complex's contact log, newest first.

    Example: yeongye --db demo.db contact list --complex C
    """
    try:
        row = get_complex(ctx.db, complex_name)
    except ComplexNotFound as exc:
        raise click.ClickException(str(exc)) from exc
    for c in list_contacts(ctx.db, complex_id=row["id"], limit=limit):
        what = c["kind_name"] or c["content_name"] or "-"
        if c["event_agencies"]:
            what += f" (기관 {c['event_agencies']}곳)"
        click.echo(f"{c['contact_date']}  {c['agency_name']}  {what}  {c['note'] or ''}")


@main.group("programme")
def programme_group():
    """Programmes (사업·프로그램): joint work of complexes and agencies, with a period and roles.

    Example: yeongye --db demo.db programme add --name 치매안심마을 --from 2024-03-01 --complex A:주관 --agency 치매안심센터:협력
    """


def _split_role(spec: str) -> tuple[str, str | None]:
    """'A:주관' -> ('A', '주관'); 'A' -> ('A', None)."""
    name, sep, role = str(spec).rpartition(":")
    return (name, role) if sep and name else (str(spec), None)


def _programme_members(ctx, complexes, agencies) -> list[dict]:
    members, complex_ids = [], []
    for spec in complexes:
        name, role = _split_role(spec)
        complex_ids.append(get_complex(ctx.db, name)["id"])
        members.append({"complex_id": complex_ids[-1], "role": role})
    for spec in agencies:
        name, role = _split_role(spec)
        members.append({"agency_id": find_partner(ctx.db, complex_ids, name), "role": role})
    return members


@programme_group.command("add")
@click.option("--name", required=True, help="What the field calls it (치매안심마을 조성 사업).")
@click.option("--from", "starts", help="Start, YYYY-MM-DD.")
@click.option("--to", "ends", help="End, YYYY-MM-DD (none while it runs).")
@click.option("--complex", "complexes", multiple=True, required=True,
              help="A complex in it, NAME[:ROLE] (roles: 주관, 공동 주관, 협력, 참여, 후원·자원 제공); repeatable.")
@click.option("--agency", "agencies", multiple=True,
              help="An agency in it, ID-or-NAME[:ROLE], among the complexes' partners; repeatable.")
@click.option("--description", help="A short description. Never a resident's personal data.")
@pass_ctx
def programme_add(ctx, name, starts, ends, complexes, agencies, description):
    """Record a programme with its complexes and agencies; it shows on each complex's dashboard and report.

    Example: yeongye --db demo.db programme add --name "고독사예방 발굴단" --from 2024-03-01 --to 2024-12-31 --complex F:주관 --complex E --agency 행정복지센터:협력
    """
    try:
        row = create_programme(ctx.db, name, starts=starts, ends=ends, description=description,
                               members=_programme_members(ctx, complexes, agencies), actor=cli_actor())
    except YeongyeError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"기록했습니다: 사업 #{row['id']} {row['name']} ({row['period']}) · 단지 {len(row['complexes'])}곳, "
               f"기관 {len(row['agencies'])}곳")


@programme_group.command("list")
@click.option("--complex", "complex_name", help="Only this complex's programmes (name or id).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def programme_list(ctx, complex_name, as_json):
    """Programmes, running ones first, with their members and roles.

    Example: yeongye --db demo.db programme list --complex F
    """
    try:
        complex_id = get_complex(ctx.db, complex_name)["id"] if complex_name else None
        rows = list_programmes(ctx.db, complex_id=complex_id)
    except YeongyeError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(to_json(rows))
        return
    for g in rows:
        click.echo(f"#{g['id']} {g['name']} ({g['period'] or '기간 미상'}){' · 진행 중' if g['running'] else ''}")
        click.echo("    단지: " + ", ".join(f"{c['name']}({c['role_name']})" for c in g["complexes"]))
        click.echo("    기관: " + (", ".join(f"{a['name']}({a['role_name']})" for a in g["agencies"]) or "—"))
    if not rows:
        click.echo("기록된 사업·프로그램이 없습니다.")


@programme_group.command("delete")
@click.argument("programme_id", type=int)
@pass_ctx
def programme_delete(ctx, programme_id):
    """Delete a programme (audited; its links lose the joint programme in their depth).

    Example: yeongye --db demo.db programme delete 3
    """
    try:
        delete_programme(ctx.db, programme_id, actor=cli_actor())
    except YeongyeError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"사업 #{programme_id}을(를) 삭제했습니다.")


# --- helpers ------------------------------------------------------------------


def _render(ctx, template: str, **context) -> str:
    """Render a web template outside a request, so the CLI and the web share one page."""
    from flask import render_template

    from web import create_app

    app = create_app({"DATABASE": str(Path(ctx.db_path).resolve()), "SECRET_KEY": "cli-render"})
    with app.test_request_context("/"):
        return render_template(template, **context)


def _write(text: str, out: str | None) -> None:
    if out:
        Path(out).write_text(text, encoding="utf-8")
        click.echo(f"저장했습니다: {out}", err=True)
    else:
        click.echo(text)
