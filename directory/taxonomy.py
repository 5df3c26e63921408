"""The study's seven categories and the agency types with their aliases.

They live in the store (seeded from data/reference); this module only reads
them and answers "which type is this name?".
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .normalize import name_key


__all__ = [
    "Taxonomy",
]


@dataclass
class Taxonomy:
    """Categories in order, type -> category, and alias -> type."""

    categories: list[str]
    type_category: dict[str, str]
    aliases: dict[str, str]
    _suffixes: list[tuple[str, str]] = field(default_factory=list, repr=False)
    _exact: dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def from_db(cls, db) -> "Taxonomy":
        """Read the taxonomy tables of a store."""
        categories = [r[0] for r in db.execute("SELECT name FROM categories ORDER BY ord")]
        types = {r[0]: r[1] for r in db.execute("SELECT name, category FROM agency_types ORDER BY ord")}
        aliases = {r[0]: r[1] for r in db.execute("SELECT alias, type FROM type_aliases")}
        return cls(categories, types, aliases)

    def __post_init__(self):
        # Longest first, so 광역정신건강복지센터 beats 정신건강복지센터 and
        # 장애인복지관 beats 복지관.
        names = {name_key(t): t for t in self.type_category}
        names.update({name_key(a): t for a, t in self.aliases.items()})
        self._suffixes = sorted(names.items(), key=lambda kv: -len(kv[0]))
        # The first of equal keys wins, as in a scan of _suffixes.
        for known, canonical in self._suffixes:
            self._exact.setdefault(known, canonical)

    def canonical_type(self, text: str | None) -> str | None:
        """The canonical type for a type name or alias (정신보건센터 -> 정신건강복지센터)."""
        if not text:
            return None
        return self._exact.get(name_key(text))

    def infer_type(self, name: str | None, hint: str | None = None) -> str | None:
        """The agency type from a type column value, else from the end of the name.

        >>> t = Taxonomy(["보건의료"], {"치매안심센터": "보건의료"}, {"치매지원센터": "치매안심센터"})
        >>> t.infer_type("강북구치매지원센터")
        '치매안심센터'
        """
        found = self.canonical_type(hint)
        if found:
            return found
        key = name_key(name)
        for known, canonical in self._suffixes:
            if key.endswith(known):
                return canonical
        for known, canonical in self._suffixes:
            if len(known) >= 4 and known in key:
                return canonical
        return None

    def category_of(self, agency_type: str | None) -> str | None:
        """The category (공공기관 … 기타) an agency type belongs to."""
        return self.type_category.get(agency_type) if agency_type else None
