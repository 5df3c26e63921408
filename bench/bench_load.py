"""Load test of the web service: waitress on 127.0.0.1 over 100,000 synthetic agencies.

1. Reads: 20 concurrent clients for 30 s, each on its own keep-alive
   connection, alternating the search page (/search?q=…, Korean words and
   place names) and agency pages (/agencies/<id>). Prints p50/p95/p99 per page
   kind and the error count. Target (issue 6): p95 ≤ 150 ms, no errors.
2. Writes: 10 team leads (API tokens) for 30 s, all assigned the same 20
   complexes so they collide: read a link, PUT it back with its version
   (200 accepted, or 409 when someone else changed it first: a conflict, not
   an error), and log contacts. Afterwards every accepted write must be in the
   store: each link holds the last accepted change (by version), every
   accepted contact exists with its note, and the audit log has one entry per
   accepted write. Target: no errors, nothing lost.

The server is `yeongye serve --processes 2` (two waitress processes, one
per core, 8 threads each) in child processes, so the clients do not share
its interpreter. Loopback only; every loop is
bounded by its deadline and a request cap.

    .venv/bin/python bench/bench_load.py [--agencies 100000] [--seconds 30] [--readers 20] [--writers 10]
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from directory import accounts  # noqa: E402
from directory.store import connect  # noqa: E402

HOST = "127.0.0.1"
MAX_REQUESTS_PER_CLIENT = 100_000
WORDS = ["치매안심센터", "정신건강복지센터", "행정복지센터", "주민센터", "사회복지관", "경로당", "보건소",
         "지역자활센터", "시니어클럽", "자원봉사센터", "노인복지관", "장애인복지관", "가족센터", "고용센터",
         "중독관리", "치매", "정신건강", "노인 일자리", "주거안심", "무한돌봄"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def prepare(work: Path, agencies: int) -> tuple[Path, dict]:
    """A fresh copy of the synthetic store with its search index, and 10 team leads' tokens."""
    from synth import build_synthetic_db

    from directory import search

    work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    source = Path(build_synthetic_db(work / "synth-source.db", agencies=agencies, complexes=1000, seed=1))
    path = work / "load.db"
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    shutil.rmtree(str(path) + ".whoosh", ignore_errors=True)
    shutil.copy(source, path)
    db = connect(path)
    print(f"synthetic store: {db['agencies'].count} agencies, {db['complexes'].count} complexes, "
          f"{db['links'].count} links ({time.perf_counter() - t0:.1f} s)")
    t0 = time.perf_counter()
    saved = Path(str(source) + ".whoosh")  # the index of the unchanged source, kept between runs
    if saved.is_dir() and saved.stat().st_mtime >= source.stat().st_mtime:
        shutil.copytree(saved, str(path) + ".whoosh")
        search.search(db, "워밍업")
        print(f"search index reused from the previous run ({time.perf_counter() - t0:.1f} s)")
    else:
        search.index_agencies(db)
        print(f"search index built in {time.perf_counter() - t0:.1f} s")
        shutil.rmtree(saved, ignore_errors=True)
        shutil.copytree(str(path) + ".whoosh", saved)
    shared = [r[0] for r in db.execute("SELECT id FROM complexes ORDER BY id LIMIT 20")]
    tokens = []
    accounts.PASSWORD_METHOD = "pbkdf2:sha256:1000"  # setup speed only; the server checks tokens, not passwords
    for i in range(10):
        user = accounts.create_user(db, f"lead{i}", f"load-password-{i}", "team_lead", complexes=shared)
        tokens.append(accounts.issue_token(db, user.id, "load test"))
    versions = dict(db.execute(
        f"SELECT id, version FROM links WHERE complex_id IN ({','.join('?' * len(shared))})", shared).fetchall())
    links = sorted(versions)
    sigungu = [r[0] for r in db.execute("SELECT DISTINCT sigungu FROM agencies WHERE sigungu IS NOT NULL LIMIT 200")]
    max_id = db.execute("SELECT max(id) FROM agencies").fetchone()[0]
    db.conn.close()
    return path, {"tokens": tokens, "links": links, "versions": versions, "sigungu": sigungu, "max_id": max_id}


class Server:
    """`yeongye serve` in a child process on a free loopback port."""

    def __init__(self, db_path: Path, threads: int = 8, processes: int = 2, page_cache: int | None = None):
        self.port = free_port()
        env = {**os.environ, "YEONGYE_SECRET_KEY": "load-test"}
        if page_cache is not None:
            env["YEONGYE_PAGE_CACHE_SECONDS"] = str(page_cache)
        # The server's log goes to a file: an unread pipe fills up and stalls the server.
        self.log_path = Path(str(db_path) + ".server.log")
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "cli", "--db", str(db_path), "serve", "--host", HOST, "--port", str(self.port),
             "--threads", str(threads), "--processes", str(processes)],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
                conn.request("GET", "/search?q=" + urllib.parse.quote("워밍업"))
                conn.getresponse().read()
                conn.close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(self.log_path.read_text(encoding="utf-8", errors="replace"))
                time.sleep(0.3)
        raise RuntimeError("server did not start")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def _request(conn, method, url, body=None, headers=None):
    start = time.perf_counter()
    data = json.dumps(body).encode() if body is not None else None
    hdrs = {**(headers or {}), **({"Content-Type": "application/json"} if data is not None else {})}
    conn.request(method, url, body=data, headers=hdrs)
    response = conn.getresponse()
    payload = response.read()
    return response.status, payload, (time.perf_counter() - start) * 1000


def read_phase(port: int, info: dict, clients: int, seconds: float) -> dict:
    results = {"search": [], "agency": [], "errors": [], "statuses": {}}
    lock = threading.Lock()
    deadline = time.time() + seconds

    def client(n):
        rng = random.Random(n)
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        local = {"search": [], "agency": [], "errors": [], "statuses": {}}
        for i in range(MAX_REQUESTS_PER_CLIENT):
            if time.time() >= deadline:
                break
            if i % 2 == 0:
                words = rng.choice(WORDS)
                if rng.random() < 0.3 and info["sigungu"]:
                    words = f"{rng.choice(info['sigungu'])} {words}"
                kind, url = "search", "/search?q=" + urllib.parse.quote(words)
            else:
                kind, url = "agency", f"/agencies/{rng.randint(1, info['max_id'])}"
            try:
                status, _, ms = _request(conn, "GET", url)
            except (OSError, http.client.HTTPException) as exc:
                local["errors"].append(f"{url}: {exc!r}")
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
                continue
            local["statuses"][status] = local["statuses"].get(status, 0) + 1
            if status >= 500 or (kind == "search" and status != 200):
                local["errors"].append(f"{url}: {status}")
            local[kind].append(ms)
        conn.close()
        with lock:
            for k in ("search", "agency", "errors"):
                results[k] += local[k]
            for s, c in local["statuses"].items():
                results["statuses"][s] = results["statuses"].get(s, 0) + c

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def write_phase(port: int, info: dict, clients: int, seconds: float) -> dict:
    accepted_links, accepted_contacts, conflicts, errors, latencies = [], [], [0], [], []
    lock = threading.Lock()
    deadline = time.time() + seconds
    today = date.today()

    def client(n):
        rng = random.Random(1000 + n)
        headers = {"Authorization": f"Bearer {info['tokens'][n % len(info['tokens'])]}"}
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        for i in range(MAX_REQUESTS_PER_CLIENT):
            if time.time() >= deadline:
                break
            link_id = rng.choice(info["links"])
            try:
                status, payload, ms = _request(conn, "GET", f"/api/links/{link_id}", headers=headers)
                if status != 200:
                    errors.append(f"GET link {link_id}: {status}")
                    continue
                link = json.loads(payload)
                note = f"부하시험 c{n}-{i}"
                body = {"version": link["version"], "frequency_level": rng.randint(1, 5),
                        "content_types": rng.sample(["referral", "resources", "information", "programs", "meetings"],
                                                    rng.randint(0, 2)), "note": note}
                status, payload, ms = _request(conn, "PUT", f"/api/links/{link_id}", body, headers)
                with lock:
                    latencies.append(ms)
                if status == 200:
                    with lock:
                        accepted_links.append((link_id, json.loads(payload)["version"], note))
                elif status == 409:
                    with lock:
                        conflicts[0] += 1
                else:
                    errors.append(f"PUT link {link_id}: {status} {payload[:200]!r}")
                if rng.random() < 0.5:
                    day = (today - timedelta(days=rng.randint(0, 300))).isoformat()
                    note = f"연락 시험 c{n}-{i}"
                    status, payload, ms = _request(conn, "POST", f"/api/links/{link_id}/contacts",
                                                   {"contact_date": day, "content_type": "information", "note": note},
                                                   headers)
                    with lock:
                        latencies.append(ms)
                    if status == 201:
                        with lock:
                            accepted_contacts.append((json.loads(payload)["id"], note))
                    elif status != 404:  # the link may have been deleted: not in this test
                        errors.append(f"POST contact {link_id}: {status} {payload[:200]!r}")
            except (OSError, http.client.HTTPException, ValueError) as exc:
                errors.append(f"link {link_id}: {exc!r}")
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=60)
        conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"links": accepted_links, "contacts": accepted_contacts, "conflicts": conflicts[0], "errors": errors,
            "latencies": latencies}


def verify(db_path: Path, writes: dict, versions: dict[int, int]) -> list[str]:
    """Every accepted write is in the store.

    Each accepted change of a link raises its version by exactly one, so a
    link's final version minus its first must equal the number of changes
    accepted for it (a lost update would leave it short), and its note must
    be one that was accepted. Every accepted contact exists with its note,
    and the audit log holds one entry per accepted write.
    """
    db = connect(db_path)
    problems = []
    accepted: dict[int, list[str]] = {}
    for link_id, _version, note in writes["links"]:
        accepted.setdefault(link_id, []).append(note)
    for link_id, notes in accepted.items():
        row = db.execute("SELECT version, note FROM links WHERE id = ?", [link_id]).fetchone()
        if row is None or row[0] - versions[link_id] != len(notes) or row[1] not in notes:
            problems.append(f"link {link_id}: {len(notes)} accepted changes from v{versions[link_id]}, found {row!r}")
    for contact_id, note in writes["contacts"]:
        row = db.execute("SELECT note FROM contacts WHERE id = ?", [contact_id]).fetchone()
        if row is None or row[0] != note:
            problems.append(f"contact {contact_id}: expected {note!r}, found {row!r}")
    audited = db.execute("SELECT count(*) FROM audit_log WHERE username LIKE 'lead%' AND "
                         "((table_name = 'links' AND action = 'update') OR (table_name = 'contacts'))").fetchone()[0]
    expected = len(writes["links"]) + len(writes["contacts"])
    if audited != expected:
        problems.append(f"audit log: {audited} entries for {expected} accepted writes")
    db.conn.close()
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--readers", type=int, default=20)
    parser.add_argument("--writers", type=int, default=10)
    parser.add_argument("--threads", type=int, default=8, help="waitress worker threads per process")
    parser.add_argument("--processes", type=int, default=2, help="server processes (serve --processes)")
    parser.add_argument("--page-cache", type=int, default=None,
                        help="seconds of the anonymous page cache (serve's default: 30; 0 = off)")
    parser.add_argument("--work", default=str(ROOT / "bench" / "out" / "load"))
    args = parser.parse_args(argv)

    db_path, info = prepare(Path(args.work), args.agencies)
    server = Server(db_path, threads=args.threads, processes=args.processes, page_cache=args.page_cache)
    try:
        cache = "serve's default (30 s)" if args.page_cache is None else f"{args.page_cache} s"
        print(f"server: yeongye serve (waitress, {args.processes} processes × {args.threads} threads, "
              f"page cache {cache}) on {HOST}:{server.port}")
        # warm-up: the search index's arrays and the templates, as a running server has them
        read_phase(server.port, info, 8, 5)
        reads = read_phase(server.port, info, args.readers, args.seconds)
        total = len(reads["search"]) + len(reads["agency"])
        print(f"\nreads: {args.readers} clients × {args.seconds:.0f} s — {total} requests "
              f"({total / args.seconds:.0f}/s), statuses {dict(sorted(reads['statuses'].items()))}")
        ok = True
        for kind in ("search", "agency"):
            ms = reads[kind]
            p95 = percentile(ms, 95)
            ok &= p95 <= 150
            print(f"  {kind:<7} n={len(ms):6d}  p50 {percentile(ms, 50):6.1f} ms  p95 {p95:6.1f} ms  "
                  f"p99 {percentile(ms, 99):6.1f} ms  max {max(ms):6.1f} ms   (target p95 ≤ 150 ms)")
        print(f"  errors: {len(reads['errors'])}" + (f"  e.g. {reads['errors'][:3]}" if reads["errors"] else ""))
        ok &= not reads["errors"]

        writes = write_phase(server.port, info, args.writers, args.seconds)
        lat = writes["latencies"]
        print(f"\nwrites: {args.writers} team leads × {args.seconds:.0f} s on {len(info['links'])} shared links — "
              f"{len(writes['links'])} link changes accepted, {writes['conflicts']} refused as conflicts (409), "
              f"{len(writes['contacts'])} contacts logged")
        print(f"  write latency p50 {percentile(lat, 50):.1f} ms  p95 {percentile(lat, 95):.1f} ms  "
              f"max {max(lat) if lat else float('nan'):.1f} ms")
        print(f"  errors: {len(writes['errors'])}" + (f"  e.g. {writes['errors'][:3]}" if writes["errors"] else ""))
        ok &= not writes["errors"]
    finally:
        server.stop()
    problems = verify(db_path, writes, info["versions"])
    print(f"  every accepted write present afterwards: {'yes' if not problems else 'NO'}"
          + (f" — {len(problems)} problems, e.g. {problems[:3]}" if problems else ""))
    ok &= not problems
    print(f"\nresult: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
