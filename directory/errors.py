"""The core's one exception family: every error carries a stable `code` and its `params`.

`schema.py` raises StoreError while `store.py` opens the store through
`schema.migrate`; with the classes here neither module imports the other
both ways.

Every exception the core raises derives from :class:`YeongyeError`. The core
names what went wrong (``LinkNotFound(link_id=5)``, or
``LinkError("unknown_level", level=9)`` where one class has several causes);
the shells word it in the user's language from the catalogue in
:mod:`directory.messages` (the web through its Babel catalogue, the CLI in
Korean). ``str(exc)`` is the Korean sentence, for logs and the CLI.
"""
from __future__ import annotations

from . import messages

__all__ = ["YeongyeError", "StoreError", "AgencyNotFound", "ComplexNotFound"]


class YeongyeError(Exception):
    """Base of every core error: `code` says what went wrong, `params` the details (shells word it)."""

    code = "error"

    def __init__(self, code: str | None = None, /, **params):
        if code is not None:
            self.code = code
        self.params = params
        super().__init__(self.code)

    def __str__(self) -> str:
        return messages.render(self.code, self.params)

    def message(self, translate=None) -> str:
        """The sentence for this error; `translate` (a gettext) turns the Korean template into another language."""
        return messages.render(self.code, self.params, translate)


class StoreError(YeongyeError):
    """The store cannot be opened or used as asked."""

    code = "store_error"


class AgencyNotFound(StoreError):
    """No agency has that id."""

    code = "agency_not_found"


class ComplexNotFound(StoreError):
    """No complex has that id or name."""

    code = "complex_not_found"
