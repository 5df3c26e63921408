"""The `yeongye` command: one Click group, a thin shell over the core packages.

Each concern has its own module of commands (store.py here; search, network,
maps and web add theirs); the group itself is in `group.py`, and this module
only imports every command module so the commands are attached. Core errors
become `click.ClickException` at this edge.
"""
from __future__ import annotations

# Each concern registers here, one import each.
from . import store, web  # noqa: F401  (commands attach themselves to `main`)
from . import backup, users  # noqa: F401
from . import network  # noqa: F401  (report, recommend, contact)
from . import snapshots  # noqa: F401  (network snapshot|snapshots|changes|profile)
from . import search  # noqa: F401  (search, reindex)
from . import exchange  # noqa: F401  (export hsds, imports, quarantine, duplicates, place)
from . import maps  # noqa: F401  (map resources|network|access)
from . import coverage  # noqa: F401  (report coverage)
from . import emergency  # noqa: F401  (emergency screen|contacts)
from . import housing  # noqa: F401  (housing retention|year|score|reason|indicators|staffing|scorecard|committee)
from .group import STORAGE_MESSAGES, Context, main, pass_ctx, storage_message

__all__ = ["main", "Context", "pass_ctx", "STORAGE_MESSAGES", "storage_message"]
