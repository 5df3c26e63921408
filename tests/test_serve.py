"""`yeongye serve`: waitress over the real app, one or several processes on one port."""
from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8")
    finally:
        conn.close()


def _children(pid: int) -> list[int]:
    """Child process ids, from /proc (Linux)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


@pytest.mark.skipif(not hasattr(os, "fork") or not Path("/proc/self/stat").exists(), reason="Linux only")
def test_serve_with_two_processes_answers_and_stops_cleanly(demo_db_path, tmp_path):
    db = tmp_path / "serve.db"
    shutil.copy(demo_db_path, db)
    port = _free_port()
    log = open(tmp_path / "serve.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "cli", "--db", str(db), "serve", "--port", str(port),
                             "--processes", "2", "--threads", "2"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                            env={**os.environ, "YEONGYE_SECRET_KEY": "serve-test"})
    try:
        deadline = time.time() + 60
        while True:
            try:
                status, page = _get(port, "/")
                break
            except OSError:
                assert proc.poll() is None, (tmp_path / "serve.log").read_text(encoding="utf-8", errors="replace")
                assert time.time() < deadline, "server did not start"
                time.sleep(0.2)
        assert status == 200 and "연계" in page
        for _ in range(10):  # new connections land on either process
            assert _get(port, "/api/complexes")[0] == 200
        # The copied store had no index: serve built it before opening the port, so no search waits
        # and none answers from the plain fallback.
        assert "검색 색인: 새로 만듦" in (tmp_path / "serve.log").read_text(encoding="utf-8")
        for _ in range(4):
            status, body = _get(port, "/api/search?q=%EC%B9%98%EB%A7%A4")
            assert status == 200 and json.loads(body)["fallback"] is False and json.loads(body)["total"] > 0
        children = _children(proc.pid)
        assert len(children) == 1
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
        log.close()
    for pid in children:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_warm_up_opens_the_index_before_the_first_request(demo_db_path, tmp_path):
    from cli.search import prepare_index
    from cli.web import warm_up
    from directory import search, search_index
    from directory.store import connect
    from web import create_app

    path = tmp_path / "warm.db"
    shutil.copy(demo_db_path, path)
    db = connect(path)
    assert prepare_index(db, bar=False) == "built"
    search.close_all()
    db.conn.close()
    app = create_app({"DATABASE": str(path), "SECRET_KEY": "warm", "DB_REUSE_CONNECTIONS": True,
                      "PAGE_CACHE_SECONDS": 0})
    try:
        assert search_index._OPEN.get(str(path) + ".whoosh") is None
        assert warm_up(app) == [200, 200]
        entry = search_index._OPEN.get(str(path) + ".whoosh")
        assert entry is not None and entry.snapshot is not None and not entry.snapshot.closed
        assert not search.refreshing(connect(path))  # nothing left to build in the background
    finally:
        search.close_all()
