"""The search page in-process: render time now beside the template and translations before (issue 10).

On bench/synth.py's synthetic agencies (default 100,000) it requests the
search page through Flask's test client for 30 queries (the load test's
words, a third with a 시군구), as `yeongye serve` would (connections reused,
page cache off), and times the whole request and the template render alone.
The baseline, in the same run and process: the same requests with the
search template of BASELINE_COMMIT (per-row gettext and url_for) and
Flask-Babel's own template gettext (three look-ups of its context per
call). Prints medians and the ratio.

    .venv/bin/python bench/bench_search_page.py [--agencies 100000] [--repeat 5]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

BASELINE_COMMIT = "92c0300"  # before the render work
WORDS = ["치매안심센터", "정신건강복지센터", "행정복지센터", "주민센터", "사회복지관", "경로당", "보건소",
         "지역자활센터", "시니어클럽", "자원봉사센터", "노인복지관", "장애인복지관", "가족센터", "고용센터",
         "중독관리", "치매", "정신건강", "노인 일자리", "주거안심", "무한돌봄"]


def _app(db_path: str, baseline: bool):
    from flask_babel import get_translations
    from jinja2 import ChoiceLoader, DictLoader

    from web import create_app

    app = create_app({"DATABASE": db_path, "SECRET_KEY": "bench", "PAGE_CACHE_SECONDS": 0,
                      "DB_REUSE_CONNECTIONS": True, "RATELIMIT_ENABLED": False})
    if baseline:
        old = subprocess.run(["git", "show", f"{BASELINE_COMMIT}:web/templates/search/index.html"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout
        app.jinja_env.loader = ChoiceLoader([DictLoader({"search/index.html": old}), app.jinja_env.loader])
        from jinja2.ext import _gettext_alias

        app.jinja_env.install_gettext_callables(  # Flask-Babel's own, as installed by Babel(app)
            gettext=lambda s: get_translations().ugettext(s),
            ngettext=lambda s, p, n: get_translations().ungettext(s, p, n), newstyle=True)
        app.jinja_env.globals["_"] = _gettext_alias
    return app


def measure(db_path: str, baseline: bool, urls: list[str], repeat: int) -> tuple[float, float]:
    """(median request ms, median render ms) over `repeat` rounds of `urls`."""
    import web.search as page

    app = _app(db_path, baseline)
    renders, totals = [], []
    original = page.render_template

    def timed(*args, **kwargs):
        start = time.perf_counter()
        out = original(*args, **kwargs)
        renders.append((time.perf_counter() - start) * 1000)
        return out

    client = app.test_client()
    for url in urls:  # warm: index arrays, vocabulary, compiled templates
        assert client.get(url).status_code == 200
    page.render_template = timed
    try:
        renders.clear()
        for _ in range(repeat):
            for url in urls:
                start = time.perf_counter()
                assert client.get(url).status_code == 200
                totals.append((time.perf_counter() - start) * 1000)
    finally:
        page.render_template = original
    return statistics.median(totals), statistics.median(renders)


def main(argv=None) -> int:
    from synth import build_synthetic_db

    from directory import search
    from directory.search_index import ensure_index
    from directory.store import connect

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--work", default=str(Path(tempfile.gettempdir()) / "yeongye-bench-page"))
    args = parser.parse_args(argv)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    path = Path(build_synthetic_db(work / "page.db", agencies=args.agencies, complexes=1000, seed=1))
    db = connect(path)
    ensure_index(db)
    sigungu = [r[0] for r in db.execute("SELECT DISTINCT sigungu FROM agencies WHERE sigungu IS NOT NULL LIMIT 10")]
    search.close_all()
    db.conn.close()
    queries = WORDS + [f"{s} {w}" for s, w in zip(sigungu, WORDS)]
    urls = ["/search?q=" + urllib.parse.quote(q) for q in queries]
    print(f"search page, {len(urls)} queries × {args.repeat}, {args.agencies} agencies, in-process (test client)")
    # Alternated so both see the same machine load.
    rows = {False: [], True: []}
    for _ in range(2):
        for baseline in (True, False):
            rows[baseline].append(measure(str(path), baseline, urls, args.repeat))
            search.close_all()
    now = [min(r[i] for r in rows[False]) for i in (0, 1)]
    before = [min(r[i] for r in rows[True]) for i in (0, 1)]
    print(f"  baseline ({BASELINE_COMMIT} template, Flask-Babel gettext): request {before[0]:.2f} ms, "
          f"render {before[1]:.2f} ms")
    print(f"  now:                                          request {now[0]:.2f} ms, render {now[1]:.2f} ms")
    print(f"  render {now[1] / before[1]:.2f}× the baseline, request {now[0] / before[0]:.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
