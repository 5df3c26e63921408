"""Web commands: serve."""
from __future__ import annotations

import click

from .group import main, pass_ctx


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option("--threads", default=8, show_default=True, type=int, help="Worker threads per process.")
@click.option("--processes", default=1, show_default=True, type=click.IntRange(1, 16),
              help="Server processes sharing the port (Linux/macOS): one per CPU core uses them all.")
@pass_ctx
def serve_command(ctx, host, port, threads, processes):
    """Serve the web app through the waitress WSGI server.

    With --processes N, N waitress processes accept on one listening socket,
    so pages are served on every core (Python runs one thread at a time per
    process). Each process has its own sign-in rate-limit counters.

    Example: yeongye --db demo.db serve --port 5000 --processes 2
    """
    import os
    import signal
    import socket
    import sys

    from directory import search as search_core

    from .search import prepare_index

    ctx.db  # create or migrate the store before the first request
    # The index is built (or caught up) before the port opens: no request waits for it.
    prepare_index(ctx.db)
    search_core.close_all()  # no open index file or SQLite connection may cross a fork
    ctx.db.conn.close()
    config = {"DATABASE": str(ctx.db_path.resolve()), "DB_REUSE_CONNECTIONS": True,
              "PAGE_CACHE_SECONDS": 30} | _instance_config()
    if not config.get("SECRET_KEY") and not os.environ.get("YEONGYE_SECRET_KEY"):
        # Made once here, so every process signs sessions with the same key.
        from flask import Flask

        from web.security import secret_key_file

        config["SECRET_KEY"] = secret_key_file(Flask("web", instance_relative_config=True).instance_path)
    if processes > 1 and not hasattr(os, "fork"):
        raise click.ClickException("--processes 는 fork 를 지원하는 운영체제(Linux, macOS)에서만 쓸 수 있습니다.")
    # Bound here (one port for every process) but listening only once a process has warmed up:
    # waitress calls listen() when it starts serving, so until then a connection is refused, not kept waiting.
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    listener = socket.socket(family, kind, proto)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(address)
    click.echo(f"연계 웹 서비스: http://{host}:{port}/  (데이터베이스 {ctx.db_path}, 프로세스 {processes})")
    children = []
    for _ in range(processes - 1):
        pid = os.fork()
        if pid == 0:  # a child builds its own app (its own connections, limiter, search index)
            _serve(listener, config, threads)
            os._exit(0)
        children.append(pid)
    if children:  # stopping the parent (SIGTERM) stops its children too
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        _serve(listener, config, threads)
    finally:
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass


def _serve(listener, config: dict, threads: int) -> None:
    import waitress

    from web import create_app

    app = create_app(config)
    warm_up(app)
    waitress.serve(app, sockets=[listener], threads=threads)


WARM_UP_URLS = ("/search?q=%EC%B9%98%EB%A7%A4", "/api/search?q=%EC%B9%98%EB%A7%A4")  # 치매


def warm_up(app) -> list[int]:
    """Answer a search page and a search API request inside the process before it serves anyone.

    The first search of a process opens the index and reads its per-document
    arrays (≈1 s at 100,000 agencies), the vocabulary and the templates;
    done here, every request a person makes finds them ready. The port
    listens only once waitress starts, after this. Returns the statuses (a
    failed warm-up is logged, and serving goes on).
    """
    statuses = []
    client = app.test_client()
    for url in WARM_UP_URLS:
        try:
            statuses.append(client.get(url).status_code)
        except Exception:  # serving must not depend on it: the request path handles a bad index itself
            app.logger.exception("검색 준비 요청 실패: %s", url)
            statuses.append(500)
    return statuses


def _instance_config() -> dict:
    """Settings from instance/config.py and YEONGYE_* variables (the factory skips the file when given a dict)."""
    from pathlib import Path

    from flask import Config

    config = Config(str(Path("instance").resolve()))
    config.from_pyfile("config.py", silent=True)
    config.from_prefixed_env("YEONGYE")  # the environment wins, as in create_app()
    return dict(config)
