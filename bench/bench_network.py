"""Network benchmark on the synthetic national store: full report, one gap report, recommendations.

Targets (issue 4): the full JSON report ≤ 5 s, one complex's gap report
≤ 200 ms, recommendations ≤ 300 ms, on 1,000 complexes × 100,000 agencies ×
~12,000 links. Prints the figures; not a timed test.

    .venv/bin/python bench/bench_network.py [--db PATH] [--repeat N]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synth import build_synthetic_db  # noqa: E402
from directory.store import connect  # noqa: E402
from network.gaps import gap_report  # noqa: E402
from network.graph import build_graph  # noqa: E402
from network.measures import betweenness_scope, components  # noqa: E402
from network.recommend import recommend  # noqa: E402
from network.report import complex_report, network_report, to_json  # noqa: E402

NEEDS = ["치매", "술", "일자리", "장애인복지관", "정신건강복지센터", "기억력"]


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=str(Path("instance") / "bench" / "synth_network.db"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--samples", type=int, default=30, help="complexes sampled for gap and recommendation timings")
    args = parser.parse_args(argv)

    path = build_synthetic_db(args.db, agencies=100_000, complexes=1000, seed=1)
    db = connect(path)
    counts = {t: db[t].count for t in ("complexes", "agencies", "links")}
    print(f"store: {path}  complexes {counts['complexes']:,}  agencies {counts['agencies']:,}  links {counts['links']:,}")

    G = build_graph(db)
    comps = components(G)
    scope = betweenness_scope(G)
    by_district = sum(1 for v in scope.values() if v == "district")
    print(f"graph: {G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges, {len(comps)} components, "
          f"largest {comps[0]['complexes']} complexes + {comps[0]['agencies']} agencies")
    print(f"betweenness: exact per component for {len(scope) - by_district:,} nodes, "
          f"exact per 시군구 network for {by_district:,} nodes (components over 500 nodes)")

    full = []
    for _ in range(args.repeat):
        seconds, text = timed(lambda: to_json(network_report(db)))
        full.append(seconds)
    print(f"full JSON report: best {min(full):.2f} s, median {statistics.median(full):.2f} s "
          f"({len(text) / 1e6:.1f} MB)  target ≤ 5 s")

    rng = random.Random(1)
    ids = [r[0] for r in db.execute("SELECT id FROM complexes ORDER BY id")]
    sample = rng.sample(ids, min(args.samples, len(ids)))
    gaps = [timed(gap_report, db, cid)[0] for cid in sample]
    print(f"one complex's gap report ({len(gaps)} complexes): median {statistics.median(gaps) * 1000:.0f} ms, "
          f"max {max(gaps) * 1000:.0f} ms  target ≤ 200 ms")
    recs = [timed(recommend, db, cid, NEEDS[i % len(NEEDS)], limit=10)[0] for i, cid in enumerate(sample)]
    print(f"recommendations ({len(recs)} complex×need): median {statistics.median(recs) * 1000:.0f} ms, "
          f"max {max(recs) * 1000:.0f} ms  target ≤ 300 ms")
    pages = [timed(complex_report, db, cid)[0] for cid in sample[:10]]
    print(f"complex dashboard data (10 complexes): median {statistics.median(pages) * 1000:.0f} ms, "
          f"max {max(pages) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
