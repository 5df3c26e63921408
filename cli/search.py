"""Search commands: search, reindex."""
from __future__ import annotations

import json
import sys

import click

from directory import search as search_core
from directory.store import counts

from .group import main, pass_ctx

JSON_FIELDS = ("id", "name", "type", "category", "address", "road_address", "lot_address", "sido",
               "sigungu", "eupmyeondong", "lat", "lon", "phone", "placement", "approximate",
               "placement_note", "distance_km", "score")


@main.command("search")
@click.argument("query", nargs=-1)
@click.option("--near", metavar="LAT,LON", help="Search around a point (WGS84).")
@click.option("--complex", "complex_name", metavar="NAME", help="Search around a complex (name or id).")
@click.option("--address", metavar="TEXT", help="Search around an address or 시군구 known to the store.")
@click.option("--radius", type=float, metavar="KM", help="Only agencies within this many km.")
@click.option("--category", metavar="C", help="Category (공공기관, 복지기관, 보건의료, …).")
@click.option("--type", "agency_type", metavar="T", help="Agency type or an alias of it (정신보건센터).")
@click.option("--sido", help="시도 (서울, 경북, …).")
@click.option("--sigungu", help="시군구 (송파구, …).")
@click.option("--target", help="Target group (노인, 장애인, …).")
@click.option("--sort", type=click.Choice(search_core.SORTS), default=None,
              help="relevance (default) or distance (default with a place and no words).")
@click.option("--limit", type=click.IntRange(1, search_core.MAX_LIMIT), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of agencies.")
@pass_ctx
def search_command(ctx, query, near, complex_name, address, radius, category, agency_type, sido,
                   sigungu, target, sort, limit, as_json):
    """Find agencies by name part, alias, initial consonants or need, near a place.

    Example: yeongye --db demo.db search 치매 --complex C --radius 5
    """
    text = " ".join(query)
    try:
        place = search_core.resolve_place(ctx.db, near=near, complex_key=complex_name, address=address)
        point = (place["lat"], place["lon"]) if place else None
        if sort is None:
            sort = "distance" if point and not search_core.query_words(text) else "relevance"
        if sys.stderr.isatty() and search_core.index_needs_build(ctx.db):
            # The command builds the index before it answers (a server does that in the background).
            click.echo("검색 색인을 만드는 중입니다 (처음 한 번; 큰 데이터베이스는 몇 분 걸립니다)…", err=True)
        found = search_core.search(
            ctx.db, text, near=point, radius_km=radius, category=category, agency_type=agency_type,
            sido=sido, sigungu=sigungu, target=target, sort=sort, limit=limit)
    except search_core.SearchError as exc:
        raise click.ClickException(str(exc)) from exc
    results, total = found
    if as_json:
        click.echo(json.dumps([{k: r.get(k) for k in JSON_FIELDS} for r in results],
                              ensure_ascii=False, indent=2))
        return
    # The same lines as the search page: what was understood, and nothing within the radius.
    if found.fallback:
        click.echo("검색 색인 준비 중 — 간단 검색 결과입니다")
    within = found.within
    if within and within["count"] == 0 and within["nearest_km"] is not None:
        far = within["nearest_km"]
        km = f"{far:.0f}" if far >= 10 else f"{far:.1f}"
        click.echo(f"반경 {within['radius_km']:g} km 안에 없음 — 가장 가까운 곳 {km} km")
    if found.understood:
        click.echo("이렇게 찾았습니다: " + " · ".join(_understood(w) for w in found.understood))
    if found.loose:
        click.echo("모든 낱말에 맞는 기관이 없어 일부 낱말에 맞는 곳을 보여 드립니다.")
    where = f" · {place['label']} 기준" if place else ""
    click.echo(f"{total}곳{where}" + (f" (상위 {len(results)}곳)" if total > len(results) else ""))
    for i, r in enumerate(results, 1):
        distance = ""
        if r["distance_km"] is not None:
            distance = f" · {r['distance_km']:.1f} km"
        if r.get("placement_note"):
            distance += f" ({r['placement_note']})"
        click.echo(f"{i:>3}. {r['name']} [{r['type'] or '유형 미상'}]{distance}")
        click.echo(f"     {r['address'] or '주소 없음'} · {r['phone'] or '전화 없음'}")


def _understood(word: dict) -> str:
    """One query word as the search page words it."""
    if word["role"] in ("need", "group", "kind"):
        return f"{word['word']} → {', '.join(word['kinds'])}"
    if word["role"] == "typo":
        return f"{word['word']} (비슷한 이름도 찾음)"
    if word["role"] == "generic":
        return f"{word['word']} (순위에만 반영)"
    return f"{word['word']} (맞는 기관 없음 — 빼고 찾음)"


@main.command("reindex")
@pass_ctx
def reindex_command(ctx):
    """Rebuild the search index from the store (searching keeps it in step on its own).

    A server searching the same store keeps answering from its current index
    and takes the new one when it is complete.

    Example: yeongye --db demo.db reindex
    """
    total = counts(ctx.db)["agencies"]
    show_bar = sys.stderr.isatty()
    if show_bar:
        with click.progressbar(length=total, label="색인 만드는 중", file=sys.stderr) as bar:
            n = search_core.index_agencies(ctx.db, progress=bar.update)
    else:
        n = search_core.index_agencies(ctx.db)
    search_core.prune_changes(ctx.db)
    click.echo(f"검색 색인 완료: 기관 {n}곳 ({search_core.index_dir(ctx.db) or '메모리'})")


class _IndexBar:
    """A progress bar over the agencies being indexed, started once their number is known."""

    def __init__(self, show: bool):
        self.show = show
        self.bar = None

    def start(self, total: int) -> None:
        if self.show and total:
            self.bar = click.progressbar(length=total, label="검색 색인 준비 중", file=sys.stderr,
                                         update_min_steps=max(1, total // 200))
            self.bar.__enter__()

    def update(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def prepare_index(db, *, bar: bool = True) -> str:
    """Build or update the search index now, so the first search need not wait (demo, import, serve).

    A progress bar on a terminal; one line on stderr says what was done.
    Returns ``"current"``, ``"updated"`` or ``"built"``.
    """
    import time

    from directory.search_index import ensure_index

    started = time.perf_counter()
    progress = _IndexBar(bar and sys.stderr.isatty())
    try:
        done = ensure_index(db, progress=progress.update, on_total=progress.start)
    finally:
        progress.close()
    words = {"current": "이미 최신", "updated": "바뀐 기관 반영", "built": "새로 만듦"}
    click.echo(f"검색 색인: {words[done]} (기관 {counts(db)['agencies']}곳, {time.perf_counter() - started:.1f}초)",
               err=True)
    return done
