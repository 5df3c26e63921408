"""Supportive-house commands: housing retention|year|score|reason|indicators|staffing|scorecard|committee|playbook.

A thin shell over :mod:`directory.outcomes` (counts, scored sheets, reasons,
a house's indicators) and :mod:`directory.indicators` (staffing, the
evaluation scorecard, the committee's score). A sheet file is read into
memory, scored there, and only its wave's sums are stored; the file is never
copied and its names or birth dates are skipped unread.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import click

from directory import house_procedures, outcomes
from directory import indicators as ind
from directory.actors import cli_actor
from directory.errors import YeongyeError
from directory.playbooks import say

from .group import main, pass_ctx


@main.group("housing")
def housing_group():
    """Supportive houses' (지원주택) outcome indicators: counts, scored sheets, reasons, the evaluation.

    Example: yeongye --db demo.db housing indicators "서울시 시범 지원주택 (정신질환 여성노숙인)"
    """


def _fail(exc: YeongyeError):
    raise click.ClickException(str(exc)) from exc


def _house(ctx, key) -> dict:
    try:
        return outcomes.find_house(ctx.db, key)
    except YeongyeError as exc:
        _fail(exc)


def _echo_json(value) -> None:
    click.echo(json.dumps(outcomes.as_plain(value), ensure_ascii=False, indent=2, default=str))


@housing_group.command("retention")
@click.argument("house")
@click.option("--month", "evaluation_month", required=True, help="The evaluation's month, YYYY-MM (counted to the "
              "end of the month before: an April evaluation counts to 31 March).")
@click.option("--total", required=True, type=int, help="A: every resident over the agreement (총 입주민 규모).")
@click.option("--continuing", required=True, type=int, help="B: residents still living there (지속거주).")
@click.option("--exit", "exits", multiple=True, metavar="KIND=N",
              help="Residents who left, by kind: independent (지역사회 독립거주), facility (시설/병원 입소), "
                   "death (사망), absconded (무단이탈/연락두절), prison (교정시설 수감); repeatable.")
@pass_ctx
def retention_command(ctx, house, evaluation_month, total, continuing, exits):
    """Record the 주거유지율 counts of an evaluation (A = B + C is checked); prints the rate.

    Example: yeongye --db demo.db housing retention 12 --month 2024-04 --total 16 --continuing 14 --exit facility=2
    """
    site = _house(ctx, house)
    by_kind = {}
    for item in exits:
        kind, sep, count = item.partition("=")
        if not sep:
            raise click.BadParameter(f"KIND=N 형식이어야 합니다: {item!r}", param_hint="--exit")
        by_kind[kind.strip()] = by_kind.get(kind.strip(), 0) + _int(count, "--exit")
    try:
        outcomes.record_retention(ctx.db, site["id"], evaluation_month, total=total, continuing=continuing,
                                  exits=by_kind, actor=cli_actor())
        result = outcomes.house_outcomes(ctx.db, site["id"], evaluation=evaluation_month)
    except YeongyeError as exc:
        _fail(exc)
    click.echo(f"기록했습니다. {_retention_line(result['retention'])}")


@housing_group.command("year")
@click.argument("house")
@click.argument("year", type=int)
@click.option("--residents", required=True, type=int, help="A: the year's residents (총 입주민 규모).")
@click.option("--departed", default=0, show_default=True, type=int,
              help="People who left for a week or more (1주일 이상 주거이탈 실인원, each once a year).")
@click.option("--hospitalised", default=0, show_default=True, type=int,
              help="People in a psychiatric hospital for three months or more (3개월 이상 정신병원 입원 실인원).")
@pass_ctx
def year_command(ctx, house, year, residents, departed, hospitalised):
    """Record one calendar year's counts for 주거이탈률 and 정신병원 입원율 (from the notice's year).

    Example: yeongye --db demo.db housing year 12 2023 --residents 16 --departed 4 --hospitalised 3
    """
    site = _house(ctx, house)
    try:
        outcomes.record_year(ctx.db, site["id"], year, residents=residents, departed=departed,
                             hospitalised=hospitalised, actor=cli_actor())
    except YeongyeError as exc:
        _fail(exc)
    click.echo(f"기록했습니다. {year}년: 이탈 {ind.truncate_tenths(departed, residents, scale=100)}%, "
               f"입원 {ind.truncate_tenths(hospitalised, residents, scale=100)}%"
               if residents else f"기록했습니다. {year}년: 입주민 0명")


@housing_group.command("score")
@click.argument("house")
@click.argument("sheet_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--scale", "instrument", required=True, type=click.Choice(outcomes.INSTRUMENTS),
              help="isolation (외로움과 사회적 고립 척도, 6 items) or audit (AUDIT-K, 10 items and 성별).")
@click.option("--wave", required=True, type=click.Choice(["pre", "post", "사전", "사후"]),
              help="pre (사전: within 2 weeks of moving in or of the agreement) or post (사후: the month before "
                   "the evaluation).")
@click.option("--withdraw", is_flag=True,
              help="Take these sheets out of the wave (residents who left before the base month): enter them "
                   "exactly as first entered.")
@pass_ctx
def score_command(ctx, house, sheet_file, instrument, wave, withdraw):
    """Score a CSV of sheets in memory and add them to a wave; only the wave's sums are stored.

    One row per resident, columns 문항1 … (and 성별 for AUDIT-K); any other
    column (이름, 생년월일) is skipped unread. Answers: the option's words or
    the score printed beside it (AUDIT-K: points 0–4, items 9–10 0/2/4).

    Example: yeongye --db demo.db housing score 12 sheets.csv --scale audit --wave pre
    """
    site = _house(ctx, house)
    try:
        read = outcomes.read_sheets(outcomes.decode_sheet_file(sheet_file.read_bytes()), instrument)
        wave_after = outcomes.record_sheets(ctx.db, site["id"], instrument, wave, read["sheets"], withdraw=withdraw,
                                            actor=cli_actor())
    except YeongyeError as exc:
        _fail(exc)
    verb = "뺐습니다" if withdraw else "기록했습니다"
    label = outcomes.INSTRUMENT_LABELS[instrument]
    figure = (f"평균 {wave_after['mean']}점" if instrument == "isolation"
              else f"위험 음주율 {wave_after['rate']}% ({wave_after['risky']}/{wave_after['n']})")
    click.echo(f"응답지 {len(read['sheets'])}장을 {label} {_wave_label(wave)} 측정에서 {verb}. "
               f"이제 {wave_after['n']}명, {figure}.")
    if read["skipped"]:
        click.echo(f"읽지 않고 건너뛴 열: {', '.join(read['skipped'])} (저장하지 않음)")


@housing_group.command("reason")
@click.argument("house")
@click.argument("indicator", type=click.Choice(ind.INDICATORS))
@click.argument("text")
@pass_ctx
def reason_command(ctx, house, indicator, text):
    """Write the reason the manual asks for beside an indicator ("" removes it); no personal data.

    Example: yeongye --db demo.db housing reason 12 retention "고령 입주민의 요양시설 입소 등 긍정적 퇴거"
    """
    site = _house(ctx, house)
    try:
        row = outcomes.set_reason(ctx.db, site["id"], indicator, text, actor=cli_actor())
    except YeongyeError as exc:
        _fail(exc)
    click.echo(f"{ind.INDICATOR_LABELS[indicator]} 사유를 {'기록했습니다' if row else '지웠습니다'}.")


@housing_group.command("indicators")
@click.argument("house")
@click.option("--month", "evaluation_month", help="The evaluation's month, YYYY-MM (default: the latest counts').")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (rates as text, exact).")
@pass_ctx
def indicators_command(ctx, house, evaluation_month, as_json):
    """A house's five outcome indicators for its current agreement, in the manual's tables.

    Example: yeongye --db demo.db housing indicators 12 --month 2024-04
    """
    site = _house(ctx, house)
    try:
        result = outcomes.house_outcomes(ctx.db, site["id"], evaluation=evaluation_month)
    except YeongyeError as exc:
        _fail(exc)
    if as_json:
        _echo_json(result)
        return
    for line in _indicator_lines(result):
        click.echo(line)


@housing_group.command("staffing")
@click.option("--mental", "mental_illness", default=0, show_default=True, type=int,
              help="Residents with mental illness (정신질환).")
@click.option("--alcohol", default=0, show_default=True, type=int, help="Residents with alcohol dependence (알코올).")
@click.option("--residents", type=int, help="All residents, for the 1-per-6 average (default: the two together).")
@click.option("--coordinators", type=int, help="Coordinators the house has, to check against.")
@click.option("--supervisors", type=int, help="Supervisors among them.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def staffing_command(mental_illness, alcohol, residents, coordinators, supervisors, as_json):
    """Coordinators a house needs (≤ 1:7 정신질환, ≤ 1:5 알코올), a supervisor from two, case managers per 6.

    Example: yeongye housing staffing --mental 18 --coordinators 2 --supervisors 0
    """
    try:
        check = ind.staffing(mental_illness, alcohol, residents=residents, coordinators=coordinators,
                             supervisors=supervisors)
    except YeongyeError as exc:
        _fail(exc)
    if as_json:
        _echo_json({**check.__dict__, "coordinators_short": check.coordinators_short,
                    "supervisor_missing": check.supervisor_missing})
        return
    click.echo(f"정신질환 {check.mental_illness}명, 알코올 의존 {check.alcohol}명 → 코디네이터 {check.coordinators_needed}명 "
               f"(1:{ind.MENTAL_PER_COORDINATOR}, 1:{ind.ALCOHOL_PER_COORDINATOR} 이하)")
    if check.supervisor_recommended:
        click.echo("코디네이터가 2명 이상이면 그중 1명은 수퍼바이저 자격을 갖춘 사람으로 (권고)")
    click.echo(f"평균 {ind.MIXED_PER_CASE_MANAGER}명당 1명 기준(중복질환·대체 입주 고려): 사례관리자 "
               f"{check.case_managers_average}명")
    if check.coordinators is not None:
        short = check.coordinators_short
        click.echo(f"현재 코디네이터 {check.coordinators}명: " + (f"{short}명 부족" if short else "기준 충족"))
    if check.supervisor_missing:
        click.echo("수퍼바이저가 없습니다 (코디네이터 2명 이상)")


@housing_group.command("scorecard")
@click.option("--grade", "grades", multiple=True, metavar="N=GRADE",
              help="An indicator's number (1–21) and 우수/보통/미흡 (20: 가점 0–5); repeatable.")
@click.option("--file", "grade_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A CSV with columns 번호 and 평점 (one row per indicator).")
@click.option("--opinion", help="The committee's 종합소견 (no personal data).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def scorecard_command(grades, grade_file, opinion, as_json):
    """Score the 21-indicator evaluation table: points by item and area, total of 100, 즉시 시정조치.

    Example: yeongye housing scorecard --grade 1=우수 --grade 4=미흡 --grade 20=4
    """
    chosen: dict[str, str] = {}
    if grade_file is not None:
        chosen.update(_grade_file(grade_file))
    for item in grades:
        number, sep, grade = item.partition("=")
        if not sep:
            raise click.BadParameter(f"N=평점 형식이어야 합니다: {item!r}", param_hint="--grade")
        chosen[number.strip()] = grade.strip()
    try:
        card = ind.score_evaluation(chosen, opinion=opinion)
    except YeongyeError as exc:
        _fail(exc)
    if as_json:
        _echo_json({**card.__dict__, "complete": card.complete, "corrective_action": card.corrective_action})
        return
    for line in _scorecard_lines(card):
        click.echo(line)


@housing_group.command("committee")
@click.argument("scores", nargs=-1, required=True)
def committee_command(scores):
    """The committee's score: its 9 members' totals without the highest and the lowest, averaged.

    Example: yeongye housing committee 82 85 79 90 88 84 86 70 95
    """
    try:
        result = ind.committee_score(scores)
    except YeongyeError as exc:
        _fail(exc)
    high, low = result.dropped
    click.echo(f"최고 {high}점, 최저 {low}점을 빼고 {len(result.scores) - 2}명의 평균: {result.display}점 "
               f"(정확히 {result.mean.numerator}/{result.mean.denominator})")


@housing_group.command("playbook")
@click.argument("house")
@click.argument("procedure", required=False)
@click.option("--start", help="The day the procedure starts, YYYY-MM-DD (default today): the contract day for "
              "주택 계약과 입주, the move-in day for 입주 후 서비스 계약, the lease's start for 재계약 …")
@click.option("--situation", "situations", multiple=True,
              help="A situation of the procedure (hospital, prison for 병원 장기입원·교정시설 수감); repeatable.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def playbook_command(ctx, house, procedure, start, situations, as_json):
    """A house's procedure step by step: due dates from --start and the nearest agency for each step.

    Without PROCEDURE, lists the procedures (selection, contract, move-in, renewal, exits, support after exit).
    Nothing is stored.

    Example: yeongye --db demo.db housing playbook 7 supportive_contract --start 2025-03-01
    """
    site = _house(ctx, house)
    if not procedure:
        listed = house_procedures.procedures()
        if as_json:
            _echo_json(listed)
            return
        for p in listed:
            situations_text = f" (상황: {', '.join(f'{k}={v}' for k, v in p['situations'].items())})" \
                if p["situations"] else ""
            click.echo(f"{p['code']}: {p['title']} — 기준일: {p['start']}{situations_text}")
        return
    try:
        result = house_procedures.house_plan(ctx.db, site["id"], procedure, start=start, situations=situations)
    except YeongyeError as exc:
        _fail(exc)
    if as_json:
        _echo_json(result)
        return
    for line in _plan_lines(result):
        click.echo(line)


# --- helpers --------------------------------------------------------------------


def _plan_lines(result: dict) -> list[str]:
    p = result["procedure"]
    lines = [f"{result['site']['name']} — {p['title']} ({p['start']} {result['start']}부터)"]
    if not result["site"]["placed"]:
        lines.append("주택의 위치가 없어 가까운 기관을 찾을 수 없습니다.")
    stage = None
    for step in result["steps"]:
        if step["stage"] != stage:
            stage = step["stage"]
            lines.append(f"[{stage}]")
        due = say(step["due"])
        if step["due_date"]:
            due += f" ({step['due_date']}까지)"
        if step["repeat"]:
            due += (" · " if due else "") + say(step["repeat"])
        lines.append(f"  {step['number']}. {step['title']}" + (f" — {due}" if due else ""))
        contact = step["contact"]
        if contact and contact["kind"] == "agency":
            agency = contact["agency"]
            if agency:
                where = f", {agency['distance_km']:.1f} km" if agency.get("distance_km") is not None else ""
                lines.append(f"     → {contact['type']}: {agency['name']}{where}"
                             + (f", ☎ {agency['phone']}" if agency.get("phone") else ""))
            elif not step["lines"]:
                lines.append(f"     → {contact['type']}: 디렉터리에 없음")
        for line in step["lines"]:
            lines.append(f"     → {line['name']} ☎ {line['number']}")
        if not contact and not step["lines"]:
            lines.append("     → 주택 담당자(코디네이터·수퍼바이저)가 하는 단계")
    lines.append(f"출처: {p['source']}")
    return lines




def _int(text: str, hint: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise click.BadParameter(f"정수여야 합니다: {text!r}", param_hint=hint) from None


def _grade_file(path: Path) -> dict:
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    out = {}
    for row in csv.DictReader(io.StringIO(text)):
        number = (row.get("번호") or row.get("number") or "").strip()
        grade = (row.get("평점") or row.get("grade") or "").strip()
        if number and grade:
            out[number] = grade
    return out


def _wave_label(wave: str) -> str:
    return outcomes.WAVE_LABELS.get(wave, wave)


def _signed(value) -> str:
    return "" if value is None else (f"+{value}" if value > 0 else str(value))


def _direction(block: dict) -> str:
    return {"positive": "긍정", "negative": "부정", "none": "변화 없음"}.get(block["direction"], "")


def _score(wave: dict | None) -> str:
    return "—" if wave is None or wave["mean"] is None else f"{wave['mean']}점 ({wave['n']}명)"


def _rate(wave: dict | None) -> str:
    return "—" if wave is None or wave["rate"] is None else f"{wave['rate']}% ({wave['risky']}/{wave['n']})"


def _retention_line(block: dict | None) -> str:
    if block is None:
        return "주거유지율: 기록 없음"
    exits = ", ".join(f"{ind.EXIT_LABELS[k]} {v}" for k, v in block["exits"].items() if v) or "없음"
    target = "목표 충족" if block["meets_target"] else "목표 미달 — 사유 작성"
    return (f"주거유지율 {block['rate']}% = [{block['continuing']}/{block['total']}]×100 "
            f"(목표 {block['target']}% 이상: {target}); 퇴거 {block['exited']}명 ({exits})")


def _indicator_lines(r: dict) -> list[str]:
    a = r["agreement"]
    lines = [f"{r['site']['name']} — 협약 {a['starts']}~{a['ends']}, 공고 {a['notice_date']} "
             f"({r['apply_from']}부터 산출), 평가 {r['evaluation_month']} (기준일 {r['base_date']})",
             f"① {_retention_line(r['retention'])}"]
    for mark, key in (("②", "departure"), ("③", "hospital")):
        block = r[key]
        lines.append(f"{mark} {ind.INDICATOR_LABELS[key]}")
        for y in block["years"]:
            if not y["counted"]:
                lines.append(f"   {y['label']} {y['starts']}~{y['ends']}: 공고 이전이라 산출하지 않음")
            elif y["residents"] is None:
                lines.append(f"   {y['label']} {y['starts']}~{y['ends']}: 기록 없음")
            else:
                rate = "—" if y["rate"] is None else f"{y['rate']}%"
                lines.append(f"   {y['label']} {y['starts']}~{y['ends']}: {rate} = [{y['people']}/{y['residents']}]×100")
        lines.append(f"   평균 {block['mean']}%" if block["mean"] is not None else "   평균: 기록 없음")
    social, drinking = r["social"], r["drinking"]
    lines.append(f"④ {ind.INDICATOR_LABELS['social']}: 사전 {_score(social['pre'])} → 사후 {_score(social['post'])}"
                 + (f": 변화 {_signed(social['change'])} ({_direction(social)})" if social["change"] is not None else ""))
    lines.append(f"⑤ {ind.INDICATOR_LABELS['drinking']}: 사전 {_rate(drinking['pre'])} → 사후 {_rate(drinking['post'])}"
                 + (f": {_signed(drinking['change'])}%p ({_direction(drinking)})" if drinking["change"] is not None
                    else ""))
    for key, prompt in r["prompts"].items():
        if prompt:
            written = r["reasons"].get(key)
            lines.append(f"[사유] {ind.INDICATOR_LABELS[key]}: " + (written["reason"] if written else f"작성 필요 — {prompt}"))
    return lines


def _scorecard_lines(card) -> list[str]:
    lines = []
    table = ind.evaluation_indicators()
    area = item = None
    for i in table:
        if i.area != area:
            area = i.area
            lines.append(f"[{area}] {card.by_area[area]}/{i.area_points}점")
        if i.item_no != item:
            item = i.item_no
            lines.append(f"  {i.item_no} {i.item} {card.by_item[item]}/{i.item_points}점")
        if i.scale == "opinion":
            lines.append(f"    {i.number:2}. {i.name}: {card.opinion or '—'}")
            continue
        chosen = card.grades.get(i.number)
        shown = "—" if chosen is None else (f"{chosen}점" if i.scale == "bonus" else ind.GRADE_LABELS[chosen])
        mark = " (필수)" if i.mandatory else ""
        points = f" {card.points[i.number]}점" if i.number in card.points and i.scale == "grade" else ""
        lines.append(f"    {i.number:2}. {i.name}{mark}: {shown}{points}")
    lines.append(f"총점 {card.total}/{card.maximum}점" + ("" if card.complete else
                                                       f" (평가하지 않은 지표 {len(card.missing)}개)"))
    if card.corrective_action:
        names = ", ".join(f"{n}. {next(i.name for i in table if i.number == n)}" for n in card.corrective)
        lines.append(f"즉시 시정조치: 필수지표 미흡 — {names}")
    return lines
