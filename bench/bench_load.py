"""Load test of the web service: waitress on 127.0.0.1 over 100,000 synthetic agencies.

1. Reads: 20 concurrent clients for 30 s, each on its own keep-alive
   connection, taking turns over the search page (/search?q=…, Korean words
   and place names), agency pages (/agencies/<id>) and the search API
   (/api/search?q=…). The page cache is off (caches bypassed) unless
   --page-cache says otherwise. Prints p50/p95/p99 and errors per endpoint.
   Target (issue 10): p95 ≤ 150 ms, no errors.
2. Writes: 10 team leads (API tokens) for 30 s, all assigned the same 20
   complexes so they collide: read a link, PUT it back with its version
   (200 accepted, or 409 when someone else changed it first: a conflict, not
   an error), and log contacts. Afterwards every accepted write must be in the
   store: each link holds the last accepted change (by version), every
   accepted contact exists with its note, and the audit log has one entry per
   accepted write. Target: no errors, nothing lost.

With --during-rebuild the second part is a full rebuild of the search index
instead: after a steady-state baseline, every agency is touched (as a
100,000-row import does; --trigger damage deletes the index's .toc instead)
and the same 20 clients run until the servers have rebuilt the index in the
background and answer from it again. Prints p50/p95/max and the requests over
2 s, baseline beside during. Target (issue 10): none over 2 s, no errors.

The server is `yeongye serve --processes 2` (two waitress processes, one
per core, 8 threads each) in child processes, so the clients do not share
its interpreter. Loopback only; every loop is
bounded by its deadline and a request cap.

    .venv/bin/python bench/bench_load.py [--agencies 100000] [--seconds 30] [--readers 20] [--writers 10]
    .venv/bin/python bench/bench_load.py --during-rebuild [--trigger touch|damage] [--seconds 15]
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


KINDS = ("search", "agency", "api")


def read_phase(port: int, info: dict, clients: int, seconds: float, until=None) -> dict:
    """`clients` readers taking turns over the three endpoints until the deadline (or `until()` is true)."""
    results = {k: [] for k in KINDS} | {"errors": [], "statuses": {}, "fallback": 0, "slow": []}
    lock = threading.Lock()
    deadline = time.time() + seconds

    def client(n):
        rng = random.Random(n)
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        local = {k: [] for k in KINDS} | {"errors": [], "statuses": {}, "fallback": 0, "slow": []}
        for i in range(MAX_REQUESTS_PER_CLIENT):
            if time.time() >= deadline or (until is not None and until()):
                break
            kind = KINDS[(i + n) % 3]
            if kind == "agency":
                url = f"/agencies/{rng.randint(1, info['max_id'])}"
            else:
                words = rng.choice(WORDS)
                if rng.random() < 0.3 and info["sigungu"]:
                    words = f"{rng.choice(info['sigungu'])} {words}"
                url = ("/search?q=" if kind == "search" else "/api/search?q=") + urllib.parse.quote(words)
            try:
                status, payload, ms = _request(conn, "GET", url)
            except (OSError, http.client.HTTPException) as exc:
                local["errors"].append(f"{url}: {exc!r}")
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=60)
                continue
            local["statuses"][status] = local["statuses"].get(status, 0) + 1
            if status >= 500 or (kind != "agency" and status != 200):
                local["errors"].append(f"{url}: {status}")
            if kind == "api" and status == 200 and b'"fallback":true' in payload.replace(b" ", b""):
                local["fallback"] += 1
            if ms > 2000:
                local["slow"].append(f"{url}: {ms:.0f} ms")
            local[kind].append(ms)
        conn.close()
        with lock:
            for k in (*KINDS, "errors", "slow"):
                results[k] += local[k]
            results["fallback"] += local["fallback"]
            for s, c in local["statuses"].items():
                results["statuses"][s] = results["statuses"].get(s, 0) + c

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def report_reads(label: str, reads: dict, seconds: float, target: float | None = 150) -> bool:
    """Print p50/p95/p99/max per endpoint, errors and requests over 2 s; True when within the target."""
    total = sum(len(reads[k]) for k in KINDS)
    print(f"\n{label}: {total} requests in {seconds:.0f} s ({total / max(seconds, 1e-9):.0f}/s), "
          f"statuses {dict(sorted(reads['statuses'].items()))}")
    ok = True
    names = {"search": "search page", "agency": "agency page", "api": "API search"}
    for kind in KINDS:
        ms = reads[kind]
        if not ms:
            continue
        p95 = percentile(ms, 95)
        if target is not None:
            ok &= p95 <= target
        print(f"  {names[kind]:<12} n={len(ms):6d}  p50 {percentile(ms, 50):7.1f} ms  p95 {p95:7.1f} ms  "
              f"p99 {percentile(ms, 99):7.1f} ms  max {max(ms):7.1f} ms"
              + (f"   (target p95 ≤ {target:.0f} ms)" if target is not None else ""))
    print(f"  errors: {len(reads['errors'])}" + (f"  e.g. {reads['errors'][:3]}" if reads["errors"] else "")
          + f"   over 2 s: {len(reads['slow'])}" + (f"  e.g. {reads['slow'][:3]}" if reads["slow"] else "")
          + f"   API answers from the plain search (index not ready): {reads['fallback']}")
    return ok and not reads["errors"]


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


def rebuild_phase(db_path: Path, port: int, info: dict, clients: int, trigger: str, timeout: float) -> tuple[dict, float]:
    """Start a full rebuild of the index under the running servers, read until it is done; (reads, seconds)."""
    folder = Path(str(db_path) + ".whoosh")
    meta = folder / "yeongye-search.json"
    before = json.loads(meta.read_text(encoding="utf-8"))["build"]
    target_seq = None  # with --trigger touch: the index is done when it has seen every change
    t0 = time.perf_counter()
    if trigger == "damage":
        for f in folder.glob("*.toc"):
            f.unlink()
        print("index damaged: .toc deleted under the running servers")
    else:
        db = connect(db_path, migrate_schema=False)
        with db.conn:
            db.execute("UPDATE agencies SET services = services")  # every agency changed, as a big import does
        n = db.execute("SELECT count(*) FROM agencies").fetchone()[0]
        target_seq = db.execute("SELECT max(seq) FROM search_changes").fetchone()[0]
        db.conn.close()
        print(f"every agency touched ({n} changed, {time.perf_counter() - t0:.1f} s): "
              "the servers must rebuild the index")
    done = {"at": None}

    def finished() -> bool:
        # Rebuilt (a new build id) and then 10 s more, so both processes have taken it up.
        if done["at"] is None:
            try:
                state = json.loads(meta.read_text(encoding="utf-8"))
                if state["build"] != before or (target_seq is not None and state["seq"] >= target_seq):
                    done["at"] = time.perf_counter()
            except (OSError, ValueError, KeyError):
                pass
            return False
        return time.perf_counter() - done["at"] > 10

    start = time.perf_counter()
    reads = read_phase(port, info, clients, timeout, until=finished)
    took = (done["at"] or time.perf_counter()) - t0
    print(f"rebuild {'finished' if done['at'] else 'NOT finished'} after {took:.0f} s")
    return reads, time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--readers", type=int, default=20)
    parser.add_argument("--writers", type=int, default=10)
    parser.add_argument("--threads", type=int, default=8, help="waitress worker threads per process")
    parser.add_argument("--processes", type=int, default=2, help="server processes (serve --processes)")
    parser.add_argument("--page-cache", type=int, default=0,
                        help="seconds of the anonymous page cache (default 0: caches bypassed; serve's own default is 30)")
    parser.add_argument("--during-rebuild", action="store_true",
                        help="after a baseline, rebuild the search index under the servers and keep reading")
    parser.add_argument("--trigger", choices=("touch", "damage"), default="touch",
                        help="how the rebuild starts: every agency changed (an import) or the .toc deleted")
    parser.add_argument("--rebuild-timeout", type=float, default=900)
    parser.add_argument("--work", default=str(ROOT / "bench" / "out" / "load"))
    args = parser.parse_args(argv)

    db_path, info = prepare(Path(args.work), args.agencies)
    server = Server(db_path, threads=args.threads, processes=args.processes, page_cache=args.page_cache)
    writes = None
    try:
        cache = f"page cache {args.page_cache} s" if args.page_cache else "page cache off"
        print(f"server: yeongye serve (waitress, {args.processes} processes × {args.threads} threads, "
              f"{cache}) on {HOST}:{server.port}")
        # warm-up: the search index's arrays and the templates, as a running server has them
        read_phase(server.port, info, 8, 5)
        reads = read_phase(server.port, info, args.readers, args.seconds)
        label = "baseline (index ready)" if args.during_rebuild else "reads"
        ok = report_reads(f"{label}: {args.readers} clients", reads, args.seconds)
        if args.during_rebuild:
            during, took = rebuild_phase(db_path, server.port, info, args.readers, args.trigger,
                                         args.rebuild_timeout)
            ok_during = report_reads(f"during the rebuild: {args.readers} clients", during, took, target=None)
            ok = ok_during and not during["slow"]
        else:
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
    if writes is not None:
        problems = verify(db_path, writes, info["versions"])
        print(f"  every accepted write present afterwards: {'yes' if not problems else 'NO'}"
              + (f" — {len(problems)} problems, e.g. {problems[:3]}" if problems else ""))
        ok &= not problems
    print(f"\nresult: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
