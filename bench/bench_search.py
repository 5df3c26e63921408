"""Directory search at national scale: Whoosh (directory/search.py) beside an SQLite FTS5 baseline.

On bench/synth.py's 100,000 synthetic agencies it times, for both engines in
the same run:

- building the index (Whoosh n-grams vs an FTS5 trigram table);
- one- and two-word queries (p50/p95 over many distinct queries, each run
  several times), and the same words within 3 km of a complex;

- worker's phrases near a complex (우울증 상담, 치매 검사 받을 곳 …: the
  needs rule, generic words, distance decay);

and on the real demo data it measures the recall@5 of the labelled query set
(tests/fixtures/search_labelled.csv) and the top-3 kind hit rate of the
phrase set (tests/fixtures/search_phrases.csv) for both. The baseline is what a
developer would write without Whoosh: FTS5 with the trigram tokenizer for
words of three or more characters, LIKE on the plain table for shorter ones
(trigram FTS5 ignores them, and LIKE on a trigram table returns nothing on
SQLite 3.40), a bounding box plus haversine for the radius, no aliases,
initial consonants, typos or needs words.

    .venv/bin/python bench/bench_search.py [--agencies 100000] [--repeat 3]

Targets (issue 7): index build ≤ 120 s; p95 ≤ 30 ms for one or two words,
≤ 50 ms with a 3 km radius. Issue 17: phrases p95 ≤ 30 ms; labelled set
top 5 ≥ 95%, phrase set top 3 ≥ 90%.
"""
from __future__ import annotations

import argparse
import csv
import math
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from directory import search  # noqa: E402
from directory.store import connect  # noqa: E402

LABELLED = ROOT / "tests" / "fixtures" / "search_labelled.csv"
PHRASES = ROOT / "tests" / "fixtures" / "search_phrases.csv"

ONE_WORD = ["치매", "경로당", "행정복지센터", "정신건강", "송파구", "어린이집", "시니어클럽", "보건소",
            "주민센터", "정신보건센터", "중독", "복지관", "ㅊㅁㅇㅅㅅㅌ", "치매안신센터", "해운대",
            "지역자활센터", "일자리", "센터", "노인", "파출소"]
TWO_WORDS = ["송파구 치매", "서울 경로당", "강남구 정신건강", "부산 보건소", "수원 시니어클럽",
             "종로구 행정복지센터", "해운대구 경로당", "대구 치매안심센터", "인천 어린이집",
             "노원구 주민센터", "강서구 정신보건센터", "경기 고용센터", "광주 중독", "제주 치매",
             "성남 복지관", "청주 보건소", "전주 경로당", "울산 정신건강", "창원 자활", "포항 노인"]
PHRASE_QUERIES = ["우울증 상담", "치매 검사 받을 곳", "고독사 예방", "술 문제 상담", "노인 일자리 알아보기",
                  "자살 위기", "장애인 복지", "기초수급 신청", "임대료 체납", "노숙인 지원"]
RADIUS_WORDS = ["치매", "경로당", "행정복지센터", "정신건강", "주민센터", "보건소", "어린이집",
                "복지관", "정신보건센터", ""]


# --- the baseline ---------------------------------------------------------------


class Fts5Baseline:
    """SQLite FTS5 (trigram) plus LIKE for short words, on a copy of the store."""

    def __init__(self, db_path: Path):
        self.conn = sqlite3.connect(str(db_path))

    def build(self) -> float:
        start = time.perf_counter()
        self.conn.executescript(
            """
            DROP TABLE IF EXISTS agency_fts;
            CREATE VIRTUAL TABLE agency_fts USING fts5(
                name, type, address, services, content='agencies', content_rowid='id',
                tokenize='trigram');
            INSERT INTO agency_fts (rowid, name, type, address, services)
                SELECT id, name, coalesce(type, ''),
                       coalesce(road_address, '') || ' ' || coalesce(lot_address, ''),
                       coalesce(services, '') FROM agencies;
            """
        )
        self.conn.commit()
        return time.perf_counter() - start

    def search(self, query: str, near=None, radius_km=None, limit=20):
        words = search.query_words(query)
        long_words = [w for w in words if len(w) >= 3]
        short = [w for w in words if len(w) < 3]
        where, params = [], []
        if long_words:
            match = " AND ".join('"' + w.replace('"', '""') + '"' for w in long_words)
            where.append("a.id IN (SELECT rowid FROM agency_fts WHERE agency_fts MATCH ?)")
            params.append(match)
        for w in short:
            where.append("(a.name LIKE ? OR a.type LIKE ? OR a.road_address LIKE ? OR a.lot_address LIKE ? "
                         "OR a.services LIKE ?)")
            params += [f"%{w}%"] * 5
        if near is not None:
            lat, lon = near
            r = radius_km or 50.0
            dlat = r / 111.0
            dlon = r / (111.0 * math.cos(math.radians(lat)))
            where.append("a.lat BETWEEN ? AND ? AND a.lon BETWEEN ? AND ?")
            params += [lat - dlat, lat + dlat, lon - dlon, lon + dlon]
        if not where:
            return [], 0
        sql = f"SELECT a.id, a.name, a.lat, a.lon FROM agencies a WHERE {' AND '.join(where)}"
        rows = self.conn.execute(sql, params).fetchall()
        if near is not None:
            rows = [(r, _haversine(near, (r[2], r[3]))) for r in rows if r[2] is not None]
            if radius_km:
                rows = [x for x in rows if x[1] <= radius_km]
            rows.sort(key=lambda x: x[1])
            rows = [r for r, _ in rows]
        return [r[1] for r in rows[:limit]], len(rows)

    def close(self):
        self.conn.close()


def _haversine(a, b):
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


# --- measuring ---------------------------------------------------------------------


def timed(fn, cases, repeat):
    """Latencies in ms of fn(case) for every case, `repeat` rounds (first round included)."""
    times = []
    for _ in range(repeat):
        for case in cases:
            start = time.perf_counter()
            fn(case)
            times.append((time.perf_counter() - start) * 1000)
    return times


def p(times, q):
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def labelled_cases():
    with open(LABELLED, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def recall(db, cases, engine) -> tuple[int, list[str]]:
    """How many labelled queries have their expected agency in the top 5; the misses."""
    hits, misses = 0, []
    for case in cases:
        kind, _, value = case["place"].partition(":")
        keyword = {"complex": "complex_key"}.get(kind, kind)
        place = search.resolve_place(db, **({keyword: value} if kind else {}))
        point = (place["lat"], place["lon"]) if place else None
        if engine == "whoosh":
            found = [r["name"] for r in search.search(db, case["query"], near=point, limit=5)[0]]
        else:
            found = engine.search(case["query"], near=point, limit=5)[0]
        if case["expected"] in found:
            hits += 1
        else:
            misses.append(f"{case['query']} ({case['rule']})")
    return hits, misses


def phrase_hits(db, cases, engine) -> tuple[int, list[str]]:
    """How many phrases have an expected kind among the top 3 near their place; the misses."""
    kinds = dict(db.execute("SELECT name, type FROM agencies").fetchall())
    hits, misses = 0, []
    for case in cases:
        kind, _, value = case["place"].partition(":")
        keyword = {"complex": "complex_key"}.get(kind, kind)
        place = search.resolve_place(db, **{keyword: value})
        point = (place["lat"], place["lon"])
        if engine == "whoosh":
            found = [r["type"] for r in search.search(db, case["query"], near=point, limit=3)[0]]
        else:
            found = [kinds.get(name) for name in engine.search(case["query"], near=point, limit=3)[0]]
        if set(case["expected_kinds"].split(";")) & set(found):
            hits += 1
        else:
            misses.append(case["query"])
    return hits, misses


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", help="Folder to keep the synthetic store and its indexes in.")
    parser.add_argument("--procs", type=int, default=None,
                        help="Processes for the Whoosh build (default: 2 on two or more cores).")
    args = parser.parse_args(argv)

    from synth import build_synthetic_db  # bench/synth.py

    work = Path(args.keep or tempfile.mkdtemp(prefix="bench-search-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"synthetic store: {args.agencies} agencies (bench/synth.py, seed 1)")
    source = Path(build_synthetic_db(work / "synth-source.db", agencies=args.agencies, complexes=1000, seed=1))
    db_path = work / "synth.db"
    shutil.copy(source, db_path)
    shutil.rmtree(work / "synth.db.whoosh", ignore_errors=True)
    db = connect(db_path)
    rng = random.Random(7)
    complexes = db.execute("SELECT lat, lon FROM complexes WHERE lat IS NOT NULL").fetchall()
    points = [tuple(c) for c in rng.sample(complexes, min(10, len(complexes)))]

    import os
    import resource

    def cpu():
        return time.process_time() + resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime

    load = os.getloadavg()[0]
    start, cpu0 = time.perf_counter(), cpu()
    search.index_agencies(db, procs=args.procs)
    whoosh_build, whoosh_cpu = time.perf_counter() - start, cpu() - cpu0
    baseline = Fts5Baseline(db_path)
    fts_build = baseline.build()
    print(f"\nindex build            whoosh {whoosh_build:8.1f} s   fts5 {fts_build:8.1f} s   "
          f"ratio {whoosh_build / fts_build:6.1f}×   (target whoosh ≤ 120 s)")
    print(f"  whoosh CPU {whoosh_cpu:.1f} s; machine load average at the start {load:.1f} on "
          f"{os.cpu_count()} cores (other work on the machine stretches wall times)")

    search.search(db, "워밍업")  # open the searcher and its arrays once, as a running server has them
    radius_cases = [(w, pt) for w in RADIUS_WORDS for pt in points]
    phrase_cases = [(q, pt) for q in PHRASE_QUERIES for pt in points[:5]]
    suites = [
        ("one word", ONE_WORD, lambda q: search.search(db, q), lambda q: baseline.search(q), 30),
        ("two words", TWO_WORDS, lambda q: search.search(db, q), lambda q: baseline.search(q), 30),
        ("3 km radius", radius_cases,
         lambda c: search.search(db, c[0], near=c[1], radius_km=3),
         lambda c: baseline.search(c[0], near=c[1], radius_km=3), 50),
        ("phrases near", phrase_cases,
         lambda c: search.search(db, c[0], near=c[1]),
         lambda c: baseline.search(c[0], near=c[1]), 30),
    ]
    print(f"\n{'queries':14} {'n':>5} {'whoosh p50':>11} {'p95':>8} {'max':>8}  "
          f"{'fts5 p50':>9} {'p95':>8}  {'p95 ratio':>9}  target")
    slow = []
    for label, cases, run_whoosh, run_fts, target in suites:
        w = timed(run_whoosh, cases, args.repeat)
        f = timed(run_fts, cases, args.repeat)
        print(f"{label:14} {len(w):5} {statistics.median(w):11.1f} {p(w, .95):8.1f} {max(w):8.1f}  "
              f"{statistics.median(f):9.1f} {p(f, .95):8.1f}  {p(w, .95) / p(f, .95):8.1f}×  "
              f"p95 ≤ {target} ms {'ok' if p(w, .95) <= target else 'MISSED'}")
        per_case = {}
        for case in cases:
            start = time.perf_counter()
            run_whoosh(case)
            per_case[str(case)] = (time.perf_counter() - start) * 1000
        slow += sorted(per_case.items(), key=lambda kv: -kv[1])[:3]
    print("slowest whoosh queries: " + ", ".join(f"{k} {v:.0f} ms" for k, v in slow))
    baseline.close()
    search.close_all()
    db.conn.close()

    # Recall on the real demo data: the labelled set names real centres.
    from importers import demo

    demo_path = work / "demo.db"
    for leftover in work.glob("demo.db*"):
        shutil.rmtree(leftover, ignore_errors=True) if leftover.is_dir() else leftover.unlink()
    demo_db = connect(demo_path)
    demo.build(demo_db)
    demo_baseline = Fts5Baseline(demo_path)
    demo_baseline.build()
    cases = labelled_cases()
    w_hits, w_miss = recall(demo_db, cases, "whoosh")
    f_hits, f_miss = recall(demo_db, cases, demo_baseline)
    n = len(cases)
    print(f"\nlabelled set recall@5 (demo data, {n} queries): whoosh {w_hits}/{n} = {w_hits / n:.0%}   "
          f"fts5 {f_hits}/{n} = {f_hits / n:.0%}   (whoosh finds {w_hits - f_hits} more)")
    if w_miss:
        print("  whoosh misses: " + "; ".join(w_miss))
    print("  fts5 misses: " + "; ".join(f_miss))
    with open(PHRASES, encoding="utf-8") as fh:
        phrases = list(csv.DictReader(fh))
    w_hits, w_miss = phrase_hits(demo_db, phrases, "whoosh")
    f_hits, f_miss = phrase_hits(demo_db, phrases, demo_baseline)
    n = len(phrases)
    print(f"phrase set top-3 kind (demo data, {n} phrases): whoosh {w_hits}/{n} = {w_hits / n:.0%}   "
          f"fts5 {f_hits}/{n} = {f_hits / n:.0%}   (target whoosh ≥ 90%)")
    if w_miss:
        print("  whoosh misses: " + "; ".join(w_miss))
    demo_baseline.close()
    search.close_all()
    demo_db.conn.close()
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
