"""Sociogram benchmark (issue 11): the JSON of the whole store and the page that draws it.

Targets: the sociogram JSON of 1,000 complexes × ~12,000 links ≤ 1 s; the
page draws it in Chromium ≤ 3 s. On the synthetic national store
(bench/synth.py: 1,000 complexes, 100,000 agencies). Prints, in the same run:

- the JSON from network.sociogram (store → graph → four measures → JSON text),
  in-process and through the app's /api/sociogram;
- the baseline: the same graph and measures written by networkx's own
  ``json_graph.node_link_data`` (every node and edge attribute, the usual
  way to hand a networkx graph to d3);
- the page /sociogram/all in headless Chromium: from navigation to the last
  node drawn (the layout's ticks included), read from the page's own marks.

    .venv/bin/python bench/bench_sociogram.py [--db PATH] [--repeat N] [--no-browser]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from networkx.readwrite import json_graph  # noqa: E402

from bench.synth import build_synthetic_db  # noqa: E402
from directory.store import connect  # noqa: E402
from network.graph import build_graph  # noqa: E402
from network.measures import betweenness, eigenvector  # noqa: E402
from network.sociogram import sociogram, to_json  # noqa: E402


def timed(fn, repeat: int):
    """(best, median, last result) of `repeat` runs of fn()."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), result


def naive(db) -> str:
    """The baseline: networkx's node-link JSON of the same graph with the same four measures."""
    G = build_graph(db)
    between, eigen = betweenness(G), eigenvector(G)
    for n, d in G.nodes(data=True):
        d.update(degree=G.degree(n), weighted_degree=G.degree(n, weight="weight"),
                 betweenness=between[n], eigenvector=eigen[n])
    return json.dumps(json_graph.node_link_data(G, edges="links"), ensure_ascii=False, default=str)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=str(Path("instance") / "bench" / "synth_network.db"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium page timing")
    args = parser.parse_args(argv)

    path = build_synthetic_db(args.db, agencies=100_000, complexes=1000, seed=1)
    db = connect(path)
    counts = {t: db[t].count for t in ("complexes", "agencies", "links")}
    print(f"store: {path}  complexes {counts['complexes']:,}  agencies {counts['agencies']:,}  "
          f"links {counts['links']:,}")

    best, median, text = timed(lambda: to_json(sociogram(db)), args.repeat)
    data = json.loads(text)
    print(f"sociogram JSON (network.sociogram): best {best:.2f} s, median {median:.2f} s, "
          f"{data['counts']['complexes']:,} complexes + {data['counts']['agencies']:,} agencies, "
          f"{data['counts']['links']:,} links, {len(text.encode()) / 1e6:.1f} MB  target ≤ 1 s")
    b_best, b_median, b_text = timed(lambda: naive(db), args.repeat)
    print(f"baseline (networkx json_graph.node_link_data, same measures): best {b_best:.2f} s, "
          f"median {b_median:.2f} s, {len(b_text.encode()) / 1e6:.1f} MB")

    from web import create_app

    app = create_app({"TESTING": True, "DATABASE": str(path), "SECRET_KEY": "bench"})
    client = app.test_client()
    cold, _median, response = timed(lambda: client.get("/api/sociogram"), 1)
    assert response.status_code == 200, response.status_code
    r_best, r_median, _response = timed(lambda: client.get("/api/sociogram"), args.repeat)
    print(f"GET /api/sociogram (test client): first {cold:.2f} s, then from the memo (same store version "
          f"and day) best {r_best * 1000:.0f} ms, median {r_median * 1000:.0f} ms")
    one = [timed(lambda cid=cid: client.get(f"/api/sociogram?complex={cid}"), 1)[0] for cid in range(1, 31)]
    print(f"GET /api/sociogram?complex=… (30 complexes, ego network, 시도 measures): "
          f"median {statistics.median(one) * 1000:.0f} ms, max {max(one) * 1000:.0f} ms")

    if not args.no_browser:
        page_timing(app)


def page_timing(app, runs: int = 3):
    """Time /sociogram/all in headless Chromium: navigation start → every node and link drawn.

    Each cold run clears the JSON memo first, so the server computes the JSON as for the first
    visitor of the day; one warm run after them reads it from the memo.
    """
    from playwright.sync_api import sync_playwright

    from tests.browser_support import ARGS, CHROMIUM, serve_app
    from web import cache

    def run(page):
        page.goto(base + "/sociogram/all", wait_until="commit")
        page.wait_for_function("document.body.dataset.sociogram === 'drawn'", timeout=60_000)
        return page.evaluate("JSON.parse(document.body.dataset.timing)")

    with serve_app(app) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base)
                   else route.abort())
        cold = []
        for _ in range(runs):
            cache._memo.clear()
            cold.append(run(page))
        warm = run(page)
        drawn = page.locator("svg.sociogram circle.node").count()
        lines = page.locator("svg.sociogram line.link").count()
        browser.close()
    totals = [m["drawn"] for m in cold]
    last = cold[-1]
    print(f"page /sociogram/all in Chromium ({drawn:,} nodes, {lines:,} links drawn): navigation → drawn, "
          f"JSON computed: best {min(totals) / 1000:.2f} s, median {statistics.median(totals) / 1000:.2f} s "
          f"(last: JSON in hand at {last['json'] / 1000:.2f} s, layout {last['layout'] / 1000:.2f} s)  "
          f"target ≤ 3 s; JSON from the memo: {warm['drawn'] / 1000:.2f} s (layout {warm['layout'] / 1000:.2f} s)")


if __name__ == "__main__":
    main()
