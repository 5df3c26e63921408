"""The first search after a server starts, cold (no index on disk) and warm (index built), at 100,000 agencies.

Issue 16: the first search after `make run` must answer within the normal
search time. Each row is a fresh server on a copy of bench/synth.py's
store (page cache off), started and timed from outside:

- `yeongye serve` now: it builds or catches up the index before it opens
  the port, then answers a warm-up search inside the process before it
  serves anyone;
- the baseline, in the same run: waitress over `create_app()` as serve did
  before (nothing prepared): with no index the first searches answer from
  the plain SQL fallback while a background build runs; with one, the first
  search opens it.

For each: seconds until the port accepts, the first search page's time
(sent the moment the port accepts, so any warm-up still running counts),
and the median of the next 20 searches (the normal search time).

    .venv/bin/python bench/bench_first_search.py [--agencies 100000]
"""
from __future__ import annotations

import argparse
import http.client
import os
import shutil
import signal
import socket
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

HOST = "127.0.0.1"
FIRST = "경로당"  # a broad word, and not the warm-up's
NEXT = ["치매안심센터", "정신건강복지센터", "행정복지센터", "주민센터", "사회복지관", "보건소", "지역자활센터",
        "시니어클럽", "노인복지관", "장애인복지관", "가족센터", "고용센터", "중독관리", "치매", "정신건강",
        "노인 일자리", "주거안심", "무한돌봄", "자원봉사센터", "어린이집"]
BASELINE = """import sys, waitress
from web import create_app
app = create_app({"DATABASE": sys.argv[1], "DB_REUSE_CONNECTIONS": True, "PAGE_CACHE_SECONDS": 0,
                  "SECRET_KEY": "bench"})
waitress.serve(app, host="127.0.0.1", port=int(sys.argv[2]), threads=8)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def get(port: int, word: str) -> tuple[int, float, bool]:
    """(status, ms, answered from the plain fallback) of one search page."""
    start = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, port, timeout=600)
    conn.request("GET", "/search?q=" + urllib.parse.quote(word))
    response = conn.getresponse()
    body = response.read().decode("utf-8")
    conn.close()
    return response.status, (time.perf_counter() - start) * 1000, "검색 색인 준비 중" in body


def run(label: str, args: list[str], db: Path, port: int) -> dict:
    log = open(str(db) + f".{label}.log", "wb")
    env = {**os.environ, "YEONGYE_SECRET_KEY": "bench", "YEONGYE_PAGE_CACHE_SECONDS": "0"}
    started = time.perf_counter()
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        while True:
            try:
                socket.create_connection((HOST, port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(Path(log.name).read_text(encoding="utf-8", errors="replace")[-2000:])
                if time.perf_counter() - started > 1800:
                    raise RuntimeError(f"{label}: the port did not open")
                time.sleep(0.05)
        ready = time.perf_counter() - started
        status, first, first_fallback = get(port, FIRST)
        assert status == 200, status
        rest = [get(port, w) for w in NEXT]
        assert all(r[0] == 200 for r in rest)
        return {"ready": ready, "first": first, "fallback": first_fallback,
                "next": statistics.median(r[1] for r in rest), "next_fallback": sum(r[2] for r in rest)}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the server and any background build it started
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def main(argv=None) -> int:
    from synth import build_synthetic_db

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=100_000)
    parser.add_argument("--work", default=str(Path(tempfile.gettempdir()) / "yeongye-bench-first"))
    args = parser.parse_args(argv)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    source = Path(build_synthetic_db(work / "source.db", agencies=args.agencies, complexes=1000, seed=1))
    db = work / "first.db"

    def fresh():
        for p in work.glob("first.db*"):
            shutil.rmtree(p) if p.is_dir() else p.unlink()
        shutil.copy(source, db)

    def serve(port):
        return [sys.executable, "-m", "cli", "--db", str(db), "serve", "--host", HOST, "--port", str(port),
                "--processes", "1"]

    def baseline(port):
        return [sys.executable, "-c", BASELINE, str(db), str(port)]

    rows = []
    fresh()
    port = free_port()
    rows.append(("before: waitress, nothing prepared", "cold", run("base-cold", baseline(port), db, port)))
    fresh()
    port = free_port()
    rows.append(("now: yeongye serve", "cold", run("serve-cold", serve(port), db, port)))
    port = free_port()
    rows.append(("now: yeongye serve", "warm", run("serve-warm", serve(port), db, port)))
    port = free_port()
    rows.append(("before: waitress, nothing prepared", "warm", run("base-warm", baseline(port), db, port)))

    print(f"first search page after the server starts, {args.agencies} agencies (1 process, page cache off)")
    print(f"{'server':<36} {'index':<5} {'port open after':>16} {'first search':>14} {'next 20, median':>16}")
    for name, index, r in rows:
        note = " (plain fallback)" if r["fallback"] else ""
        print(f"{name:<36} {index:<5} {r['ready']:>14.1f} s {r['first']:>11.0f} ms {r['next']:>13.1f} ms{note}"
              + (f"  ({r['next_fallback']} of the next from the fallback)" if r["next_fallback"] else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
