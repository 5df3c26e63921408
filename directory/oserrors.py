"""What went wrong with the disk, as a code the shells turn into one line.

A full disk shows up as ``OSError(ENOSPC)`` from Python's own writes and as
``sqlite3.OperationalError("database or disk is full")`` from SQLite's; a
read-only mount, a quota or a failing disk likewise come in both shapes.
:func:`storage_error_code` names them all with one word, so the CLI and the
web answer "저장 공간이 부족합니다" instead of a traceback.
"""
from __future__ import annotations

import errno
import sqlite3

__all__ = ["STORAGE_CODES", "storage_error_code"]

STORAGE_CODES = ("disk_full", "read_only", "no_permission", "io_error")

_ERRNO = {
    errno.ENOSPC: "disk_full",
    errno.EDQUOT: "disk_full",
    errno.EFBIG: "disk_full",
    errno.EROFS: "read_only",
    errno.EACCES: "no_permission",
    errno.EPERM: "no_permission",
    errno.EIO: "io_error",
}
# SQLite's primary result codes (the low byte of an extended code).
_SQLITE = {13: "disk_full", 8: "read_only", 3: "no_permission", 10: "io_error"}
# Older SQLite errors carry only their text.
_SQLITE_TEXT = (("disk is full", "disk_full"), ("readonly database", "read_only"), ("disk i/o error", "io_error"))


def storage_error_code(exc: BaseException) -> str | None:
    """``disk_full``, ``read_only``, ``no_permission`` or ``io_error`` for a storage failure, else None.

    >>> import errno
    >>> storage_error_code(OSError(errno.ENOSPC, "No space left on device"))
    'disk_full'
    >>> storage_error_code(sqlite3.OperationalError("database or disk is full"))
    'disk_full'
    >>> storage_error_code(ValueError("x")) is None
    True
    """
    if isinstance(exc, OSError):
        return _ERRNO.get(exc.errno)
    if isinstance(exc, sqlite3.OperationalError):
        code = getattr(exc, "sqlite_errorcode", None)
        if code is not None and (code & 0xFF) in _SQLITE:
            return _SQLITE[code & 0xFF]
        text = str(exc).lower()
        return next((name for words, name in _SQLITE_TEXT if words in text), None)
    return None
