"""Web commands: serve."""
from __future__ import annotations

import click

from . import main, pass_ctx


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option("--threads", default=8, show_default=True, type=int, help="Worker threads.")
@pass_ctx
def serve_command(ctx, host, port, threads):
    """Serve the web app through the waitress WSGI server.

    Example: yeongye --db demo.db serve --port 5000
    """
    import waitress

    from web import create_app

    ctx.db  # create or migrate the store before the first request
    app = create_app({"DATABASE": str(ctx.db_path.resolve()), "DB_REUSE_CONNECTIONS": True} | _instance_config())
    click.echo(f"연계 웹 서비스: http://{host}:{port}/  (데이터베이스 {ctx.db_path})")
    waitress.serve(app, host=host, port=port, threads=threads)


def _instance_config() -> dict:
    """Settings a deployer put in instance/config.py (the factory skips it when given a dict)."""
    from pathlib import Path

    from flask import Config

    config = Config(str(Path("instance").resolve()))
    config.from_pyfile("config.py", silent=True)
    return dict(config)
