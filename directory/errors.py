"""The store's exceptions, in a module of their own so that every part of the store can raise them.

`schema.py` raises StoreError while `store.py` opens the store through
`schema.migrate`; with the classes here neither module imports the other
both ways.
"""
from __future__ import annotations

__all__ = ["StoreError", "AgencyNotFound", "ComplexNotFound"]


class StoreError(Exception):
    """The store cannot be opened or used as asked."""


class AgencyNotFound(StoreError):
    """No agency has that id."""


class ComplexNotFound(StoreError):
    """No complex has that id or name."""
