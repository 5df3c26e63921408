"""The `yeongye` command: one Click group, a thin shell over the core packages.

Each concern has its own module of commands (store.py here; search, network,
maps and web add theirs); this module only builds the group and registers
them. Core errors become `click.ClickException` at this edge.
"""
from __future__ import annotations

import sqlite3

import click

from directory.oserrors import storage_error_code
from directory.store import StoreError, connect, resolve_path

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


def _register():
    from . import store, web  # noqa: F401  (commands attach themselves to `main`)
    from . import backup, users  # noqa: F401
    from . import network  # noqa: F401  (report, recommend, contact)
    from . import search  # noqa: F401  (search, reindex)
    from . import exchange  # noqa: F401  (export hsds, imports, quarantine, duplicates, place)
    from . import maps  # noqa: F401  (map resources|network|access)
    # Other concerns register here, one import each.


_register()
