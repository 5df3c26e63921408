"""`yeongye serve`: waitress over the real app, one or several processes on one port."""
from __future__ import annotations

import http.client
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
        children = _children(proc.pid)
        assert len(children) == 1
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
        log.close()
    for pid in children:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
