"""The `yeongye` Click group and what every command shares (the context, storage errors).

The command modules import `main` and `pass_ctx` from here and attach their
commands to it; `cli/__init__.py` imports them all, so nothing imports the
package that imports it.
"""
from __future__ import annotations

import sqlite3

import click

from directory.oserrors import storage_error_code
from directory.store import StoreError, connect, resolve_path

__all__ = ["STORAGE_MESSAGES", "storage_message", "Context", "pass_ctx", "main"]

# A full disk or another storage failure, in any command: one line, no traceback.
STORAGE_MESSAGES = {
    "disk_full": "저장 공간이 부족합니다{where}. 공간을 비운 뒤 다시 하세요.",
    "read_only": "읽기 전용 위치라 쓸 수 없습니다{where}.",
    "no_permission": "파일에 쓸 권한이 없습니다{where}.",
    "io_error": "디스크를 읽거나 쓰다가 오류가 났습니다{where}. 디스크 상태를 확인하세요.",
}


def storage_message(code: str, path=None) -> str:
    """The Korean line for a storage error code (directory.oserrors)."""
    return STORAGE_MESSAGES[code].format(where=f" ({path})" if path else "")


class _Group(click.Group):
    """The `yeongye` group: storage failures in any command become one Korean line."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (OSError, sqlite3.OperationalError) as exc:
            code = storage_error_code(exc)
            if code is None:
                raise
            raise click.ClickException(storage_message(code, getattr(exc, "filename", None))) from exc


class Context:
    """What every command needs: the database path, opened on first use."""

    def __init__(self, db_path):
        self.db_path = resolve_path(db_path)
        self._db = None

    @property
    def db(self):
        if self._db is None:
            try:
                self._db = connect(self.db_path)
            except StoreError as exc:
                raise click.ClickException(str(exc)) from exc
        return self._db


pass_ctx = click.make_pass_decorator(Context)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db_path", type=click.Path(dir_okay=False), envvar="YEONGYE_DB",
              help="SQLite database file (default: $YEONGYE_DB or instance/yeongye.db).")
@click.version_option(package_name="yeongye")
@click.pass_context
def main(ctx, db_path):
    """연계 (Yeongye): community-resource directory and linkage network for housing welfare.

    Example: yeongye --db demo.db demo
    """
    ctx.obj = Context(db_path)
