"""Who acts: the signed-in person, or a named part of the program; and what each may do.

Every action a person can take (a link, a contact, an import, a merge, an
agency edit, an account change, an undo) is one core function that takes the
acting ``actor``, checks it here, writes, and records the audit entry in the
same transaction. The web passes ``current_user`` (a
:class:`directory.accounts.User`); the CLI passes :func:`cli_actor`, a
:class:`SystemActor` named after the operating-system user, which may do
everything the command line always could. ``actor=None`` is the program
itself (the demo builder, a test's setup): it may do everything too and is
recorded as "system". The shells never leave it out (tests/test_one_door.py
pins that).

The rules themselves: workers and team leads write the links and contact log
of their own complexes; administrators do that anywhere and everything else
(agencies, imports, merges, accounts, undo).
"""
from __future__ import annotations

import getpass
from dataclasses import dataclass

from .errors import YeongyeError

__all__ = ["SystemActor", "SYSTEM", "cli_actor", "PermissionDenied", "require_admin", "require_complex_edit",
           "require_self_or_admin"]


class PermissionDenied(YeongyeError):
    """The actor may not do this (the code ends in ``_forbidden``: HTTP 403)."""

    code = "action_forbidden"


@dataclass(frozen=True)
class SystemActor:
    """A part of the program acting on its own authority (the CLI, the demo builder): may do everything.

    It has no account (`id` None); the audit log keeps its `username`, e.g.
    ``cli:kim`` for the command line run by the OS user kim.
    """

    username: str
    id = None
    role = "system"
    is_admin = True
    is_authenticated = True

    def can_edit_complex(self, complex_id) -> bool:
        """Every complex."""
        return True


SYSTEM = SystemActor("system")


def cli_actor() -> SystemActor:
    """The command line's actor, named after the operating-system user running it (``cli:<user>``)."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (a container's random uid) and no $USER
        who = "unknown"
    return SystemActor(f"cli:{who}")


def _actor(actor):
    return SYSTEM if actor is None else actor


def require_admin(actor):
    """The actor, if it may administer (agencies, imports, merges, accounts, undo); else PermissionDenied."""
    actor = _actor(actor)
    if not getattr(actor, "is_admin", False):
        raise PermissionDenied("admin_forbidden")
    return actor


def require_complex_edit(actor, complex_id):
    """The actor, if it may write the links and contact log of this complex; else PermissionDenied."""
    actor = _actor(actor)
    if not actor.can_edit_complex(complex_id):
        raise PermissionDenied("complex_edit_forbidden", complex_id=complex_id)
    return actor


def require_self_or_admin(actor, user_id):
    """The actor, if it is that account or an administrator (a password of one's own); else PermissionDenied."""
    actor = _actor(actor)
    if getattr(actor, "is_admin", False) or (actor.id is not None and int(actor.id) == int(user_id)):
        return actor
    raise PermissionDenied("admin_forbidden")
