"""Benchmark: place 100,000 agencies offline, and find duplicates among 100,000 agencies.

Targets on the reference machine (2 cores): placement ≥ 2,000 rows/s with no
network (matching, 읍면동 and 시군구 centroids, point-in-polygon for 시군구);
duplicate detection over the whole store ≤ 30 s. Also timed: the merge an
import runs afterwards (`auto_merge` of the second list's agencies).

The store comes from bench/synth.py (`build_synthetic_db`, cached in
bench/out/). For the placement run its coordinates are erased first, so
every agency must be placed again from its address and name.

    .venv/bin/python bench/bench_placement.py [--agencies 100000]
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.synth import build_synthetic_db  # noqa: E402
from directory.store import connect  # noqa: E402
from importers.dedup import AgencyIndex, auto_merge, find_duplicates  # noqa: E402
from importers.placement import place_agencies, placement_counts  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=100_000)
    args = parser.parse_args(argv)
    source = build_synthetic_db(ROOT / "bench" / "out" / f"synthetic_{args.agencies}.db", agencies=args.agencies)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        shutil.copy(source, path)
        db = connect(path)
        total = db["agencies"].count
        # Two lists, not one: every other agency comes from a second source,
        # so the rules judge the cross-list pairs instead of skipping them.
        with db.conn:
            db.conn.execute("UPDATE agency_sources SET source = source || '-b' WHERE agency_id % 2 = 0")

        start, cpu = time.perf_counter(), time.process_time()
        index = AgencyIndex(db.conn)
        indexed = time.perf_counter() - start
        candidates = find_duplicates(db, index=index)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        merges = sum(c.decision == "merge" for c in candidates)
        print(f"duplicates: {total:,} agencies in {elapsed:.1f} s, CPU {cpu:.1f} s (index {indexed:.1f} s); "
              f"{merges:,} merge candidates, {len(candidates) - merges:,} near-misses "
              f"(target ≤ 30 s: {'OK' if elapsed <= 30 else 'MISSED'})")
        del index, candidates

        # After an import: the second list's agencies merged into the first's
        # (what importers.pipeline.finish_import runs), rolled back afterwards.
        second = [r[0] for r in db.execute("SELECT id FROM agencies WHERE id % 2 = 0")]
        db.conn.execute("BEGIN")
        start, cpu = time.perf_counter(), time.process_time()
        merged = auto_merge(db.conn, second)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        db.conn.rollback()
        print(f"auto-merge: {len(second):,} agencies of the second list in {elapsed:.1f} s, CPU {cpu:.1f} s; "
              f"{len(merged):,} merges")

        with db.conn:
            db.conn.execute("UPDATE agencies SET lat = NULL, lon = NULL, placement = 'unplaced'")
        start, cpu = time.perf_counter(), time.process_time()
        with db.conn:
            counts = place_agencies(db.conn)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        rate = total / elapsed
        print(f"placement: {total:,} unplaced agencies in {elapsed:.1f} s, CPU {cpu:.1f} s = {rate:,.0f} rows/s "
              f"(target ≥ 2,000 rows/s: {'OK' if rate >= 2000 else 'MISSED'})")
        print("  placed: " + ", ".join(f"{k} {v:,}" for k, v in placement_counts(db.conn).items()))
        print("  this run: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
        db.conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
