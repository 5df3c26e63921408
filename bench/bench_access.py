"""Benchmark the district planner (issue 12): access with a chosen demand column, and the comparison page.

Targets: E2SFCA over the 3,616 읍면동 × 10,000 agencies with a chosen demand
column (a planner's own 읍면동 table) ≤ 1 s; the comparison page of 6
districts in a 100,000-agency store ≤ 300 ms server time. Each figure is
printed beside a baseline measured in the same run: the same measure as a
dense distance matrix (no k-d tree), and the six district report pages the
comparison replaces.

    .venv/bin/python bench/bench_access.py

The synthetic store comes from bench/synth.py (cached in bench/out/).
"""
from __future__ import annotations

import csv
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from bench.synth import build_synthetic_db  # noqa: E402
from directory.store import complex_districts, connect  # noqa: E402
from importers.demand_table import read_demand_table  # noqa: E402
from network.access import accessibility, base_areas, gaussian, project  # noqa: E402

OUT = ROOT / "bench" / "out"


def _supply_types(db, wanted: int) -> list[str]:
    """Common types (not the commonest, 경로당) adding up to about `wanted` placed agencies."""
    counts = db.execute("SELECT type, count(*) FROM agencies WHERE type IS NOT NULL AND lat IS NOT NULL "
                        "AND placement != 'sample' GROUP BY type ORDER BY count(*) DESC").fetchall()
    chosen, total = [], 0
    for name, n in counts[2:]:
        if total >= wanted:
            break
        chosen.append(name)
        total += n
    return chosen


def _dense_e2sfca(dxy, demand, sxy, supply, radius, sigma):
    """The same E2SFCA as a full areas × agencies distance matrix (the obvious way, no k-d tree)."""
    d = np.sqrt(((dxy[:, None, :] - sxy[None, :, :]) ** 2).sum(axis=2))
    w = np.where(d <= radius, gaussian(d, sigma), 0.0)
    catchment = (demand[:, None] * w).sum(axis=0)
    ratio = np.divide(supply, catchment, out=np.zeros_like(supply), where=catchment > 0)
    return (w * ratio[None, :]).sum(axis=1)


def bench_access(db, tmp: Path) -> None:
    dongs, _ = base_areas("eupmyeondong")
    path = tmp / "dong_demand.csv"
    with open(path, "w", encoding="cp949", newline="") as fh:  # a planner's own table, as they would save it
        writer = csv.writer(fh)
        writer.writerow(["행정코드", "지역", "독거노인 추정"])
        writer.writerows([d["code"], d["name"], f"{int(d['demand'] * 0.2):,}"] for d in dongs)
    types = _supply_types(db, 10_000)
    start = time.perf_counter()
    table = read_demand_table(path)
    read_s = time.perf_counter() - start
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        result = accessibility(db, None, types=types, level="eupmyeondong", demand_table=table.rows,
                               demand_label=table.column)
        timings.append(time.perf_counter() - start)
    start = time.perf_counter()
    default = accessibility(db, None, types=types, level="eupmyeondong")
    default_s = time.perf_counter() - start
    placed = [r for r in result.rows if r["score"] is not None]
    dxy = project([r["lat"] for r in placed], [r["lon"] for r in placed])
    sxy = project([s["lat"] for s in result.supply], [s["lon"] for s in result.supply])
    start = time.perf_counter()
    dense = _dense_e2sfca(dxy, np.array([r["demand"] for r in placed]), sxy,
                          np.array([s["supply"] for s in result.supply]), result.radius_km * 1000,
                          result.sigma_km * 1000)
    dense_s = time.perf_counter() - start
    assert np.allclose(dense * 1000, [r["score"] for r in placed], rtol=1e-9, atol=1e-12)
    print(f"access, {len(result.rows):,} 읍면동 × {len(result.supply):,} agencies ({', '.join(types)}), "
          f"demand '{table.column}' from a CP949 file (read {read_s:.2f} s, joined "
          f"{result.demand_join['joined_areas']:,}): first {timings[0]:.2f} s (areas read once per process), "
          f"then {min(timings[1:]):.3f} s (target ≤ 1 s); the 65+ column {default_s:.3f} s; "
          f"baseline dense matrix, measure alone: {dense_s:.2f} s")


def bench_compare(path: Path) -> None:
    from web import create_app

    app = create_app({"TESTING": True, "DATABASE": str(path), "SECRET_KEY": "bench", "PAGE_CACHE_SECONDS": 0})
    client = app.test_client()
    db = connect(path)
    districts = [d for d in complex_districts(db) if d["sigungu"] and " " not in d["sigungu"]]
    districts.sort(key=lambda d: -d["complexes"])
    six = districts[:6]
    query = "&".join(f"d={d['sido']}/{d['sigungu']}" for d in six) + "&type=치매안심센터&demand=recipients"

    def timed(url) -> float:
        start = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - start
        assert response.status_code == 200, (url, response.status_code)
        return elapsed

    first = timed("/districts/compare?" + query)
    runs = [timed("/districts/compare?" + query) for _ in range(5)]
    reports = [[timed(f"/districts/{d['sido']}/{d['sigungu']}") for d in six] for _ in range(3)]
    report_total = statistics.median(sum(r) for r in reports)
    agencies = db.execute("SELECT count(*) FROM agencies").fetchone()[0]
    print(f"comparison page, 6 districts ({', '.join(d['sigungu'] for d in six)}; "
          f"{sum(d['complexes'] for d in six)} complexes) of a {agencies:,}-agency store: "
          f"median {statistics.median(runs) * 1000:.0f} ms (first {first * 1000:.0f} ms) (target ≤ 300 ms); "
          f"baseline the six district report pages one by one: {report_total * 1000:.0f} ms")
    db.conn.close()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    path = build_synthetic_db(OUT / "bench_planner.db", agencies=100_000, complexes=1000, seed=1)
    print(f"synthetic store: {path} ({time.perf_counter() - start:.1f} s, cached after the first run)")
    tmp = OUT / "planner"
    tmp.mkdir(exist_ok=True)
    work = tmp / "store.db"
    shutil.copy(path, work)  # the app may write its search index beside the store
    db = connect(work)
    bench_access(db, tmp)
    db.conn.close()
    bench_compare(work)


if __name__ == "__main__":
    main()
