"""`yeongye emergency`: the 긴급복지 주거지원 screener and who to call tonight (nothing typed is stored)."""
from __future__ import annotations

import json

import click

from directory import emergency
from directory.emergency_contacts import tonight
from directory.errors import YeongyeError
from directory.playbooks import WORDS as STEP_WORDS
from directory.playbooks import say
from directory.store import get_complex

from .group import main, pass_ctx


@main.group("emergency")
def emergency_group():
    """긴급복지 주거지원: screen a household against the year's thresholds, and whom to call tonight.

    Example: yeongye --db demo.db emergency screen --size 1 --income 1794001 --reason ⑤ --region 대도시
    """


def _failed(exc: YeongyeError):
    return click.ClickException(str(exc))


@emergency_group.command("screen")
@click.option("--unsafe/--safe", "unsafe", default=None, help="Not safe tonight (says: 지금 129에 전화) / safe.")
@click.option("--reason", "reasons", multiple=True, metavar="R",
              help="Crisis reason ①–⑦ as 1–7, ④ or its code (income_loss, illness, abuse, violence, disaster, "
                   "business, other); repeatable.")
@click.option("--size", "household_size", type=int, help="Household size (가구원 수).")
@click.option("--income", "monthly_income", metavar="원", help="Monthly household income (1794001, 179만4001).")
@click.option("--region", "region_type", type=click.Choice(emergency.REGION_TYPES),
              help="Region type; default from --sido/--sigungu or the complex.")
@click.option("--sido", help="시도 of the household (with --sigungu).")
@click.option("--sigungu", help="시군구 of the household.")
@click.option("--property", "net_property", metavar="원", help="Net property after debts (2억4,100만).")
@click.option("--financial", "financial_assets", metavar="원", help="Financial assets (예금·적금 …).")
@click.option("--already/--not-already", "already", default=None, help="Already receives the same support.")
@click.option("--complex", "complex_key", metavar="NAME", help="The complex: its region, and whom to call near it.")
@click.option("--year", type=int, help="Thresholds of this year (default: this year's, else the latest).")
@click.option("--json", "as_json", is_flag=True, help="Print the screening (codes, numbers and words) as JSON.")
@pass_ctx
def screen_command(ctx, unsafe, reasons, household_size, monthly_income, region_type, sido, sigungu, net_property,
                   financial_assets, already, complex_key, year, as_json):
    """Screen a household: 지원 가능성이 높음 / 선보호 후 심사 / 확인 필요, with why and what to bring.

    Nothing typed is stored or logged.

    Example: yeongye --db demo.db emergency screen --unsafe --reason violence --size 2 --income 300만 --complex A
    """
    try:
        if complex_key and not (region_type or sido or sigungu):
            row = get_complex(ctx.db, complex_key)
            sido, sigungu = row["sido"], row["sigungu"]
        answers = emergency.answers_from({
            "safe_tonight": None if unsafe is None else not unsafe, "reasons": list(reasons),
            "household_size": household_size, "monthly_income": monthly_income, "region_type": region_type,
            "sido": sido, "sigungu": sigungu, "net_property": net_property, "financial_assets": financial_assets,
            "already_receiving": already})
        result = emergency.screen(answers, emergency.thresholds_for(year))
        calls = tonight(ctx.db, complex_key=complex_key, situations=result["situations"],
                        unsafe=answers.safe_tonight is False) if complex_key else None
    except YeongyeError as exc:
        raise _failed(exc) from exc
    words = emergency.explain(result)
    if as_json:
        click.echo(json.dumps({"screening": result, "words": words, "contacts": calls}, ensure_ascii=False,
                              indent=2))
        return
    click.echo(words["basis"])
    for line in words["call_now"]:
        click.echo(f"▶ {line}")
    click.echo(f"판단: {words['verdict']}")
    if words["protect_first"]:
        click.echo(words["protect_first"])
    click.echo("왜:")
    for line in words["why"]:
        click.echo(f"  - {line}")
    click.echo("챙길 것:")
    for line in words["bring"]:
        click.echo(f"  - {line}")
    for line in words["notes"]:
        click.echo(f"※ {line}")
    if calls:
        _print_contacts(calls)


@emergency_group.command("contacts")
@click.option("--complex", "complex_key", required=True, metavar="NAME", help="The complex (name or id).")
@click.option("--reason", "reasons", multiple=True, metavar="R", help="Crisis reason (1–7, ④ or its code).")
@click.option("--unsafe", is_flag=True, help="Not safe tonight: 129 goes first after 112.")
@click.option("--json", "as_json", is_flag=True, help="Print the contacts and the procedure as JSON.")
@pass_ctx
def contacts_command(ctx, complex_key, reasons, unsafe, as_json):
    """Whom to call tonight near a complex (112 and the violence partners first when it is violence),
    then the procedure and the follow-up checklist, each linked to the nearest agency.

    Example: yeongye --db demo.db emergency contacts --complex A --reason violence
    """
    try:
        codes = [emergency.reason_code(r) for r in reasons]
        known = emergency.crisis_reasons()
        calls = tonight(ctx.db, complex_key=complex_key, situations=[known[c].situation for c in codes],
                        unsafe=unsafe)
    except YeongyeError as exc:
        raise _failed(exc) from exc
    if as_json:
        click.echo(json.dumps(calls, ensure_ascii=False, indent=2))
        return
    _print_contacts(calls)


def _agency_line(agency: dict | None, kind: str) -> str:
    if agency is None:
        return f"{kind}: {STEP_WORDS['no_agency']}"
    distance = f" · {agency['distance_km']:.1f} km" if agency.get("distance_km") is not None else ""
    return f"{agency['name']} ({kind}) {agency.get('phone') or '전화번호 없음'}{distance}"


def _contact_line(contact: dict | None) -> str:
    if contact is None:
        return ""
    if contact["kind"] == "line":
        line = contact["line"]
        return f"{line['name']} {line['number']} ({line['hours']})"
    return _agency_line(contact["agency"], contact["type"])


def _print_contacts(calls: dict) -> None:
    where = calls["complex"]["name"] if calls["complex"] else ""
    click.echo(f"오늘 밤 연락할 곳{f' ({where} 단지 기준)' if where else ''}:")
    for number, contact in enumerate(calls["contacts"], start=1):
        click.echo(f"  {number}. {_contact_line(contact)} — {contact['why']}")
    click.echo("절차:")
    for step in calls["steps"]:
        when = " · ".join(p for p in (say(step["due"]), say(step["repeat"])) if p)
        click.echo(f"  [{step['stage']}] {step['title']}{f' ({when})' if when else ''}")
        target = _contact_line(step["contact"])
        if target:
            click.echo(f"      → {target}")
