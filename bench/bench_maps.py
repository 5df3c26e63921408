"""Benchmark the maps: a 50,000-agency resource map and E2SFCA at 읍면동 scale.

Targets (issue 5): the resource map of 50,000 agencies built and written in
≤ 5 s and ≤ 15 MB; E2SFCA for 3,616 읍면동 × 5,000 agencies in ≤ 3 s.

    .venv/bin/python bench/bench_maps.py            # figures
    .venv/bin/python bench/bench_maps.py --browser  # also time the first draw in headless Chromium

The synthetic store comes from bench/synth.py (cached in bench/out/).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from bench.synth import build_synthetic_db  # noqa: E402
from directory.store import connect  # noqa: E402
from network.access import _locate, e2sfca, load_population, project  # noqa: E402
from maps.assets import render_page, save_standalone  # noqa: E402
from directory.store import mappable_agencies
from maps.resources import resource_map  # noqa: E402

OUT = ROOT / "bench" / "out"


def bench_resource_map(db, n: int) -> tuple[float, int, Path]:
    agencies = mappable_agencies(db)[:n]
    assert len(agencies) == n, f"the synthetic store has only {len(agencies)} placed agencies"
    path = OUT / f"resources_{n}.html"
    start = time.perf_counter()
    m = resource_map(agencies)
    save_standalone(m, path)
    elapsed = time.perf_counter() - start
    start = time.perf_counter()
    page = render_page(resource_map(agencies), lambda package, p: f"/maps/assets/{package}/{p}")
    web_elapsed = time.perf_counter() - start
    print(f"resource map, {n:,} agencies: standalone built+written {elapsed:.2f} s, "
          f"{path.stat().st_size / 1e6:.2f} MB (target ≤ 5 s, ≤ 15 MB); "
          f"web page {web_elapsed:.2f} s, {len(page.encode()) / 1e6:.2f} MB")
    # Every map carries the 시도/시군구/행정동 outlines (under the tiles, or as the background without).
    offline = OUT / f"resources_{n}_offline.html"
    start = time.perf_counter()
    m = resource_map(agencies, tiles="none")
    save_standalone(m, offline)
    off_elapsed = time.perf_counter() - start
    added = len(m._children["yeongye_outlines"].data_json.encode())
    print(f"  without tiles: built+written {off_elapsed:.2f} s, {offline.stat().st_size / 1e6:.2f} MB, "
          f"of which outlines {added / 1e3:.0f} kB (target ≤ 15 MB)")
    return elapsed, path.stat().st_size, path


def bench_complex_map(db) -> None:
    """A complex's network map with tiles and without (outlines): the time and the bytes the outlines add."""
    from maps.network import complex_map

    key = db.execute("SELECT c.id FROM complexes c JOIN links l ON l.complex_id = c.id "
                     "WHERE c.lat IS NOT NULL GROUP BY c.id ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    for run in ("first in the process", "again"):
        start = time.perf_counter()
        m = complex_map(db, key, tiles="none")
        page = render_page(m, lambda package, p: f"/maps/assets/{package}/{p}")
        elapsed = time.perf_counter() - start
        outlines = len(m._children["yeongye_outlines"].data_json.encode())
        print(f"complex map (web page, {run}): {elapsed:.2f} s, {len(page.encode()) / 1e3:.0f} kB, "
              f"of which outlines {outlines / 1e3:.0f} kB (baseline: the page without them "
              f"{(len(page.encode()) - outlines) / 1e3:.0f} kB)")


def bench_e2sfca(db, n_supply: int) -> float:
    start = time.perf_counter()
    areas = load_population(level="eupmyeondong")
    unplaced = _locate(areas)
    load = time.perf_counter() - start
    areas = [a for a in areas if a["lat"] is not None]
    rows = list(db.query("SELECT lat, lon, capacity FROM agencies WHERE lat IS NOT NULL LIMIT ?", [n_supply]))
    assert len(rows) == n_supply
    lat = np.array([r["lat"] for r in rows])
    lon = np.array([r["lon"] for r in rows])
    cap = np.array([r["capacity"] if r["capacity"] and r["capacity"] > 0 else 1.0 for r in rows])
    start = time.perf_counter()
    dxy = project([a["lat"] for a in areas], [a["lon"] for a in areas])
    sxy = project(lat, lon)
    score, nearest, within = e2sfca(dxy, [a["demand"] for a in areas], sxy, cap, radius_m=15_000, sigma_m=7_500)
    elapsed = time.perf_counter() - start
    print(f"E2SFCA, {len(areas):,} 읍면동 × {n_supply:,} agencies (radius 15 km, σ 7.5 km): {elapsed:.3f} s "
          f"incl. projection (target ≤ 3 s); {int(within.sum()):,} pairs in reach; "
          f"population file + centroids {load:.2f} s once; {len(unplaced)} 읍면동 without a centroid")
    return elapsed


def bench_browser(path: Path) -> None:
    from playwright.sync_api import sync_playwright

    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=args)
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
        start = time.perf_counter()
        page.goto(path.as_uri(), timeout=120_000)
        page.wait_for_selector(".yg-cluster", timeout=120_000)
        first = time.perf_counter() - start
        clusters = page.locator(".yg-cluster").count()
        start = time.perf_counter()
        page.mouse.wheel(0, -600)
        page.wait_for_timeout(300)
        zoom = time.perf_counter() - start
        browser.close()
    print(f"browser: first clusters drawn {first:.2f} s after navigation ({clusters} clusters); "
          f"a zoom step {zoom:.2f} s (incl. 0.3 s wait)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=50_000)
    parser.add_argument("--supply", type=int, default=5_000)
    parser.add_argument("--browser", action="store_true", help="Also time the first draw in headless Chromium.")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    path = build_synthetic_db(OUT / "bench_maps.db", agencies=max(args.agencies, args.supply), complexes=300, seed=1)
    print(f"synthetic store: {path} ({time.perf_counter() - start:.1f} s, cached after the first run)")
    db = connect(path)
    _, _, html = bench_resource_map(db, args.agencies)
    bench_complex_map(db)
    bench_e2sfca(db, args.supply)
    if args.browser:
        bench_browser(html)


if __name__ == "__main__":
    main()
