"""Directory search: the right agency, in Korean, near a place, in a blink.

`search(db, query, ...)` finds agencies by any part of their compound names
(치매 finds 강화군치매안심센터), by type names and their aliases from the store
(정신보건센터 → 정신건강복지센터; an administrator extends `type_aliases`), by
initial consonants (ㅊㅁㅇㅅㅅㅌ), with one syllable wrong (치매안신센터, as a
second pass when the words as typed find nothing), and by needs words that
point to agency kinds with weights (우울증 → 정신건강복지센터 …: the needs rule
of `directory.needs`, shared with the recommendations). A phrase is read
word by word (`understand`): filler words (상담, 신청, 곳) only rank and a
word that matches nothing is left out, never emptying the answer. Near a
place, relevance is the match times a distance decay (`HALF_LIFE_KM`) and
how exact the position is; `Results.within` says when nothing lies within
the radius. Filters, a place, a radius and distances come on top; rows
always come from SQLite.

How: `directory.search_index` keeps a Whoosh index of 2-grams next to the
store. Each query word becomes a small tree of term clauses (a word is a
substring when all its 2-grams are present), built here from the Hangul,
Latin and digit runs of the input — user text never reaches Whoosh's query
parser, so AND, *, quotes or unbalanced parentheses are just characters.
The tree is evaluated with numpy over the postings Whoosh stores: Whoosh's
own pure-Python matchers took 0.4–1.7 s for a broad word such as 경로당 (62,000
of 100,000 agencies) in an OR across fields, far over the 30 ms a phone
search needs (README, Search). A word scores the best way a document
matches it (name beats services text, an exact type beats a mention, a
need's kinds by the needs table's weight), a document the sum over its
words, the same for short and long words.

Place: distances for the candidate set are vectorised haversine over numpy
arrays; the distances shown are geopy's geodesic.
"""
from __future__ import annotations

import logging
import math
import re
import threading
import unicodedata
from dataclasses import dataclass

import numpy as np

from .errors import YeongyeError
from .normalize import address_key, name_key, normalize_sido
from .search_index import (  # noqa: F401  (re-exported: the search interface is this module)
    META_FILE, IndexNotReady, chosung, close_all as _close_indexes, damage_errors, index_agencies, index_dir,
    open_index, prune_changes, rebuild, refreshing, register_plain_search, remove, report_damage, snapshot,
    wait_for_refresh,
)
from .taxonomy import Taxonomy
from .needs import GENERIC_WORDS, GROUP_WORDS, Lexicon, lexicon as needs_lexicon, need_kinds
from .vocabulary import APPROXIMATE_NOTES, KOREA_LAT, KOREA_LON, NEEDS_FILE, in_korea, transformer

__all__ = [
    "SearchError", "search", "index_agencies", "remove", "resolve_place", "parse_point", "query_words",
    "chosung", "index_dir", "close_all", "prune_changes", "APPROXIMATE_PLACEMENTS", "SORTS", "META_FILE",
    "Results", "index_needs_build", "refreshing", "wait_for_refresh", "understand", "distance_decay",
    "HALF_LIFE_KM", "NEAR_KM", "PLACEMENT_RANK",
]

log = logging.getLogger("directory.search")

MAX_QUERY_CHARS = 200
MAX_WORDS = 8
MAX_WORD_CHARS = 24  # longer runs are cut: no agency name needs more, and grams cost time
MAX_LIMIT = 200
SORTS = ("relevance", "distance", "name")

# Placements whose coordinates stand for an area, not the building.
APPROXIMATE_PLACEMENTS = APPROXIMATE_NOTES

_WORD = re.compile(r"[0-9A-Za-z가-힣ㄱ-ㅎ]+")
_CHO = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_CONJOINING_INITIALS = {0x1100 + i: c for i, c in enumerate(_CHO)}
# A phone keyboard's shift is often skipped: ㅆ typed as ㅅ.
_DOUBLE = {"ㄲ": "ㄱ", "ㄸ": "ㄷ", "ㅃ": "ㅂ", "ㅆ": "ㅅ", "ㅉ": "ㅈ"}

# What a match is worth: a word scores the best way a document matches it; a
# document scores the sum over the words.
W_NAME = 3.0
W_TEXT = 1.0
W_TYPE = 4.0  # the word is a type name or an alias of one
W_NEED = 3.0  # the first type a needs word points to; later ones less
W_CHOSUNG = 3.0
W_TYPO = 1.5
W_SIDO = 1.0
W_GENERIC = 0.25  # a generic word beside others (상담, 신청) adds a quarter of what it matches
W_GROUP = 0.5  # a group word beside a need (노인 일자리) adds half

# Near a place, relevance is how well an agency matches (its score over the
# best) times how near it is: the factor halves every HALF_LIFE_KM, so a good
# match 2 km away (0.76) beats a perfect one 240 km away (0). A setting:
# search(half_life_km=…), the web app's SEARCH_HALF_LIFE_KM.
HALF_LIFE_KM = 5.0
# Positions that stand for an area rank below exact ones at the same distance. A sample
# stand-in (the demo's placeholder for a kind its 시군구 does not list) stands for no real
# place or agency: it ranks below any real one near enough to matter (as nearby.py leaves it out).
PLACEMENT_RANK = {"eupmyeondong": 0.9, "sigungu": 0.8, "sample": 0.05}
# With a place, a search says when nothing matches this near
# ("반경 10 km 안에 없음 — 가장 가까운 곳 23 km"); a radius given replaces it.
NEAR_KM = 10.0


class SearchError(YeongyeError, ValueError):
    """A search parameter is out of range or cannot be understood."""


class Results(tuple):
    """What `search` returns: the pair (results, total), and what the search understood.

    `fallback` is true when the index was not ready (being built or
    replaced) and the answer came from the plain SQL search: fewer ways to
    match (no typos, aliases only as whole words), the same shape.
    `understood` lists each query word with its role and kinds (see
    `understand`); `loose` is true when no agency matched every word and
    the results match some. `within`, with a place, is
    ``{"radius_km", "count", "nearest_km"}``: how many matches lie within
    the radius (the one given, else `NEAR_KM`) and, when none do, how far
    the nearest is — the results are then the farther ones. Unpacks like
    the pair it is, as `os.stat_result` carries fields beyond its tuple.
    """

    fallback: bool
    understood: list
    loose: bool
    within: dict | None

    def __new__(cls, results: list, total: int, *, fallback: bool = False, understood=None, loose=False,
                within=None):
        self = super().__new__(cls, (results, total))
        self.fallback = fallback
        self.understood = list(understood or [])
        self.loose = loose
        self.within = within
        return self


def close_all() -> None:
    """Close every open index and forget cached vocabularies (tests, `reindex`)."""
    _close_indexes()
    _VOCAB.clear()


# --- text ----------------------------------------------------------------


def query_words(text: str | None) -> list[str]:
    """The words of a user query: Hangul, Latin and digit runs, lowercased, at most 8.

    Everything else (spaces, punctuation, Whoosh syntax) only separates words.

    >>> query_words('  "송파구" AND (치매*  ')
    ['송파구', 'and', '치매']
    """
    text = unicodedata.normalize("NFKC", str(text or "")[:MAX_QUERY_CHARS * 2])[:MAX_QUERY_CHARS]
    # NFKC turns a typed ㅊ (compatibility jamo) into a conjoining initial; turn it back.
    text = text.translate(_CONJOINING_INITIALS)
    words = [w.lower()[:MAX_WORD_CHARS] for w in _WORD.findall(text)]
    return words[:MAX_WORDS]


def _grams(word: str, size: int = 2) -> list[str]:
    """The n-grams of a word (the index holds 2-grams; 3-grams too for initials), or the word."""
    if len(word) <= size:
        return [word]
    return [word[i:i + size] for i in range(len(word) - size + 1)]


# --- clauses, evaluated over the index's postings ------------------------------------
# Each clause gives a float32 score per Whoosh document; 0 means "no match".


@dataclass(frozen=True)
class Term:
    """Documents holding a term, scoring `weight`."""

    field: str
    text: str
    weight: float = 1.0

    def scores(self, snap):
        v = np.zeros(snap.n, dtype=np.float32)
        v[snap.postings(self.field, self.text)] = self.weight
        return v


@dataclass(frozen=True)
class Prefix:
    """Documents holding any term that starts with `text` (one syllable typed)."""

    field: str
    text: str
    weight: float = 1.0

    def scores(self, snap):
        v = np.zeros(snap.n, dtype=np.float32)
        for term in snap.prefix(self.field, self.text):
            v[snap.postings(self.field, term)] = self.weight
        return v


@dataclass(frozen=True)
class All:
    """Documents matching every part; they score the sum."""

    parts: tuple

    def scores(self, snap):
        total = None
        for part in self.parts:
            s = part.scores(snap)
            if total is None:
                total = s
            else:
                total = np.where((s > 0) & (total > 0), total + s, 0).astype(np.float32)
            if not total.any():
                break
        return total if total is not None else np.zeros(snap.n, dtype=np.float32)


@dataclass(frozen=True)
class Any:
    """Documents matching any part; they score the sum of the parts they match."""

    parts: tuple

    def scores(self, snap):
        total = np.zeros(snap.n, dtype=np.float32)
        for part in self.parts:
            total += part.scores(snap)
        return total


@dataclass(frozen=True)
class Best:
    """Documents matching any part; they score the best part they match."""

    parts: tuple

    def scores(self, snap):
        total = np.zeros(snap.n, dtype=np.float32)
        for part in self.parts:
            np.maximum(total, part.scores(snap), out=total)
        return total


@dataclass(frozen=True)
class Maybe:
    """Documents matching `required`; `optional` only adds to their score (times `share`)."""

    required: object
    optional: object
    share: float = 1.0

    def scores(self, snap):
        s = self.required.scores(snap)
        return np.where(s > 0, s + self.share * self.optional.scores(snap), 0).astype(np.float32)


# --- the words a query may use ---------------------------------------------------


@dataclass
class _Vocabulary:
    """Types, aliases and the needs lexicon, read from the store and the needs table."""

    taxonomy: Taxonomy
    keys: list[tuple[str, str]]  # (type or alias without spaces, canonical type), longest first
    needs: Lexicon  # need word -> (kind, weight), most fitting first (directory/needs.py)


_VOCAB: dict[str, tuple[tuple, _Vocabulary]] = {}


def _vocabulary(db) -> _Vocabulary:
    """The store's taxonomy and the needs lexicon, re-read when either changes."""
    stamp = db.execute(
        "SELECT (SELECT count(*) FROM agency_types), "
        "(SELECT group_concat(alias || '=' || type) FROM (SELECT alias, type FROM type_aliases ORDER BY alias))"
    ).fetchone()
    try:
        mtime = NEEDS_FILE.stat().st_mtime_ns
    except OSError:
        mtime = None
    key = str(index_dir(db) or id(db.conn))
    cached = _VOCAB.get(key)
    if cached and cached[0] == (stamp, mtime):
        return cached[1]
    tax = Taxonomy.from_db(db)
    keys = {name_key(t).lower(): t for t in tax.type_category}
    keys.update({name_key(a).lower(): t for a, t in tax.aliases.items() if t in tax.type_category})
    ordered = sorted(((k, t) for k, t in keys.items() if len(k) >= 2), key=lambda kv: -len(kv[0]))
    vocab = _Vocabulary(tax, ordered, needs_lexicon(tax))
    _VOCAB[key] = ((stamp, mtime), vocab)
    return vocab


# --- building the clauses for a query ------------------------------------------------


def _sub(field_name: str, word: str, weight: float = 1.0):
    """`word` as a substring of a field: all its 2-grams (terms starting with it, for one character).

    The grams share the weight, so a whole word scores `weight` whatever its length.
    """
    if len(word) == 1:
        return Prefix(field_name, word, weight)
    grams = _grams(word, 3 if field_name == "chosung" else 2)
    if len(grams) == 1:
        return Term(field_name, grams[0], weight)
    return All(tuple(Term(field_name, g, weight / len(grams)) for g in grams))


def _text(word: str, weight: float = 1.0):
    """A word found in the name (weighted) or in the type, category, address and services."""
    return Any((_sub("name", word, W_NAME * weight), _sub("text", word, W_TEXT * weight)))


def _types_in(word: str, vocab: _Vocabulary) -> list[tuple[str, str]]:
    """(type, rest of the word) for type names and aliases found inside `word`, longest first."""
    found, seen = [], set()
    for key, kind in vocab.keys:
        if key in word and kind not in seen:
            seen.add(kind)
            found.append((kind, word.replace(key, "", 1)))
    return found


def _needs_types(word: str, vocab: _Vocabulary) -> list[str]:
    """Agency types for a needs word, alone, with a generic suffix, or joined (알코올중독): the needs rule."""
    if vocab.taxonomy.canonical_type(word):
        return []  # the word names a kind: 노인복지관 is not 노인 (a need) + the rest
    return [kind for kind, _ in need_kinds(word, vocab.needs)]


def _word_clause(word: str, vocab: _Vocabulary, *, typos: bool):
    """Everything one query word may match; a document scores its best way of matching.

    The best, not the sum: 금연지원센터 matching 금연 by its name and by its
    type is no better a match than the 보건소 the needs table ranks second,
    so the table's weights, and then distance, decide between them.
    """
    if all("ㄱ" <= c <= "ㅎ" for c in word):
        plain = "".join(_DOUBLE.get(c, c) for c in word)
        alts = [_sub("chosung", word, W_CHOSUNG)]
        if plain != word:
            alts.append(_sub("chosung", plain, W_CHOSUNG))
        return Best(tuple(alts))
    alts = [_text(word)]
    named = vocab.taxonomy.canonical_type(word)
    if named:  # the word names a kind: 정신건강증진센터 is not 건강증진센터 (보건소) in 정신
        alts.append(Term("type", named, W_TYPE))
    for kind, rest in [] if named else _types_in(word, vocab)[:3]:
        if not rest:
            alts.append(Term("type", kind, W_TYPE))
        elif len(rest) >= 2:  # 노원구정신보건센터: the type and the rest of the word
            alts.append(All((Term("type", kind, W_TYPE), _text(rest))))
    # The needs table weighs each kind: 담배 → 금연지원센터 1, 보건소 0.8.
    if not named:
        for kind, weight in need_kinds(word, vocab.needs):
            alts.append(Term("type", kind, W_NEED * weight))
    sido = normalize_sido(word) if len(word) >= 2 else None
    if sido:
        alts.append(Term("sido", sido, W_SIDO))
    if typos and len(word) >= 3 and all("가" <= c <= "힣" for c in word):
        alts += _typo_variants(word)
    return Best(tuple(alts))


def _typo_variants(word: str) -> list:
    """The word with any one syllable wrong: the pieces either side of it, all required.

    치매안신센터 gives 치매안+센터 (among others). A three-syllable word keeps to
    names, where its two-syllable piece is telling; longer words also look in
    addresses and services.
    """
    variants = []
    for i in range(len(word)):
        pieces = [p for p in (word[:i], word[i + 1:]) if len(p) >= 2]
        if not pieces or sum(map(len, pieces)) < len(word) - 2:
            continue
        share = W_TYPO / len(pieces)
        if len(word) == 3:
            variants.append(All(tuple(_sub("name", p, share) for p in pieces)))
        else:
            variants.append(All(tuple(Any((_sub("name", p, share), _sub("text", p, share / 3)))
                                      for p in pieces)))
    return variants


@dataclass
class _Word:
    """One query word and what the search made of it (the page shows it)."""

    word: str
    role: str  # need, group, kind, place, name, initials, typo, generic, ignored
    kinds: tuple = ()  # the kinds a need or kind word points to, best first


def understand(db, query: str | None) -> list[dict]:
    """What each word of a query means, without searching: role and kinds.

    Roles: ``need`` (a needs word: 우울증 → 정신건강복지센터 …), ``group`` (who
    it is for: 노인, 어르신 — ranks beside a need), ``kind`` (a type or alias), ``place`` (a 시도 or 시군구), ``initials``, ``generic`` (상담,
    신청 …: ranks only) and ``name`` (anything else: part of a name, an
    address or services). `search` refines ``name`` into ``typo`` or
    ``ignored`` (matches nothing, left out) once it has looked.
    """
    vocab = _vocabulary(db)
    return [_describe(w) for w in _analyse(query_words(query), vocab)]


def _analyse(words: list[str], vocab: _Vocabulary) -> list[_Word]:
    """The static meaning of each word: no index needed."""
    out = []
    for word in words:
        kind = vocab.taxonomy.canonical_type(word)
        kinds = need_kinds(word, vocab.needs) if not kind else []
        if all("ㄱ" <= c <= "ㅎ" for c in word):
            out.append(_Word(word, "initials"))
        elif word in GENERIC_WORDS:  # before kinds: 지원 is also short for a branch court (지원(법원))
            out.append(_Word(word, "generic"))
        elif kind:
            out.append(_Word(word, "kind", (kind,)))
        elif kinds:
            ranked = sorted(kinds, key=lambda kv: -kv[1])
            out.append(_Word(word, "group" if word in GROUP_WORDS else "need", tuple(k for k, _ in ranked)))
        elif _is_place(word):
            out.append(_Word(word, "place"))
        elif len(word) == 1:  # one syllable beside others (집, 밤) is too short to name anything: it ranks
            out.append(_Word(word, "generic"))
        else:
            out.append(_Word(word, "name"))
    return out


def _describe(w: _Word) -> dict:
    return {"word": w.word, "role": w.role, "kinds": list(w.kinds)}


_PLACES: list[frozenset] = []


def _is_place(word: str) -> bool:
    """Whether a word names a 시도 or a 시군구 (강서구, 수원시, 수원)."""
    if normalize_sido(word):
        return True
    if not _PLACES:
        from .regions import region_index

        names = set()
        for units in region_index().sigungu.values():
            for region in units.values():
                for part in re.findall(r"\S+", region.sigungu or ""):
                    names.add(part)
                    if len(part) >= 3 and part[-1] in "시군구":
                        names.add(part[:-1])
        _PLACES[:] = [frozenset(names)]
    return word in _PLACES[0]


def _query_plan(words: list[_Word], vocab: _Vocabulary, *, typos: set, loose: bool, target=None, clause_of=None):
    """The clause tree for analysed words.

    Need words together form one group (any of them; a document meeting
    several scores their sum: 임대료 체납 puts 주택공사 first); every other
    word that means something is required (any, when `loose`); group words
    (노인) and generic words (상담) only add to the score, unless nothing else
    is left. `clause_of(word,
    typos)` gives a word's clause (the search evaluates each word once).
    """
    if clause_of is None:
        def clause_of(word, typo):
            return _word_clause(word, vocab, typos=typo)
    active = [w for w in words if w.role not in ("ignored", "generic", "group", "typo")]
    extra = [w for w in words if w.role == "group"]  # who it is for: ranks beside a need, first
    # A word found only with a syllable changed is a guess: beside words that
    # match as typed it ranks (노원구 치매안심샌터), it does not narrow
    # (정신질환 입주민 must not become 정신질환 + 주민센터).
    guessed = [w for w in words if w.role == "typo"]
    generic = [w for w in words if w.role == "generic"]
    if not active and guessed:
        active, guessed = guessed, []
    if not active and extra:  # only who (노인 상담): who is the need
        active, extra = extra, []
    elif not active and not any(w.role == "ignored" and w.kinds for w in words):
        active, generic = generic, []  # only generic words (상담): they are all there is
    groups = []
    needs = [clause_of(w.word, w.word in typos) for w in active if w.role == "need"]
    if needs:
        groups.append(needs[0] if len(needs) == 1 else Any(tuple(needs)))
    groups += [clause_of(w.word, w.word in typos) for w in active if w.role != "need"]
    parts = []
    if groups:
        q = groups[0] if len(groups) == 1 else Any(tuple(groups)) if loose else All(tuple(groups))
        if guessed:
            q = Maybe(q, Any(tuple(clause_of(w.word, True) for w in guessed)))
        if extra:
            q = Maybe(q, Any(tuple(clause_of(w.word, False) for w in extra)), W_GROUP)
        if generic:
            q = Maybe(q, Any(tuple(clause_of(w.word, False) for w in generic)), W_GENERIC)
        parts.append(q)
    parts += [_sub("targets", t, 0.1) for t in query_words(target)]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else All(tuple(parts))


def build_query(words: list[str], vocab: _Vocabulary, *, typos=(), loose=False, target=None):
    """The clause tree for query words: every word must match (any word, when loose).

    `typos` holds the words that may have one syllable wrong. Generic words
    (검사, 상담, 신청 …) beside others only rank: "치매 검사" must not lose the
    치매안심센터 whose services text happens not to say 검사.
    """
    return _query_plan(_analyse(words, vocab), vocab, typos=set(typos), loose=loose, target=target)


# --- place -----------------------------------------------------------------


def _haversine_km(lat, lon, lat0, lon0):
    """Great-circle distance in km, vectorised (the prefilter; geodesic gives the shown figure)."""
    la, lo, la0, lo0 = map(np.radians, (lat, lon, lat0, lon0))
    a = np.sin((la - la0) / 2) ** 2 + np.cos(la) * np.cos(la0) * np.sin((lo - lo0) / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def _check_point(lat, lon) -> tuple[float, float]:
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError) as exc:
        raise SearchError("point_not_numbers", lat=lat, lon=lon) from exc
    if not in_korea(lat, lon):
        raise SearchError("point_outside_korea", lat=lat, lon=lon, lat_low=KOREA_LAT[0], lat_high=KOREA_LAT[1],
                          lon_low=KOREA_LON[0], lon_high=KOREA_LON[1])
    return lat, lon


def parse_point(text: str) -> tuple[float, float]:
    """'37.5,127.1' -> (37.5, 127.1), checked to lie in Korea."""
    parts = [p for p in re.split(r"[,\s]+", str(text or "").strip()) if p]
    if len(parts) != 2:
        raise SearchError("bad_point", value=text)
    return _check_point(*parts)


def resolve_place(db, *, near=None, complex_key=None, address=None) -> dict | None:
    """A place to search around: a point, a complex by name or id, or an address in the store.

    Returns {"lat", "lon", "label", "approximate"} or None when no place is given.
    """
    if near is not None and near != "":
        lat, lon = near if isinstance(near, (tuple, list)) else parse_point(near)
        lat, lon = _check_point(lat, lon)
        return {"lat": lat, "lon": lon, "label": f"{lat:.5f},{lon:.5f}", "approximate": False}
    if complex_key:
        from .store import ComplexNotFound, get_complex

        try:
            row = get_complex(db, str(complex_key).strip())
        except ComplexNotFound as exc:
            raise SearchError(exc.code, **exc.params) from exc
        if row.get("lat") is None or row.get("lon") is None:
            raise SearchError("complex_unplaced", name=row["name"])
        return {"lat": row["lat"], "lon": row["lon"], "label": row["name"],
                "approximate": row.get("placement") in APPROXIMATE_PLACEMENTS}
    if address:
        return _address_place(db, str(address))
    return None


def _address_place(db, address: str) -> dict:
    """An address (or a 시군구/읍면동 name) known to the store, as a point."""
    from .normalize import _parse

    key = name_key(address)
    if len(key) < 2:
        raise SearchError("address_too_short", address=address)
    parsed, rest = _parse(address)
    if parsed.get("sigungu") and not rest:  # only a region's name: its centre
        centroid = _region_centroid(address)
        if centroid is not None:
            return centroid
    # An agency stored at that very address (서울 강서구 공항대로 561 is
    # 서울특별시 강서구 공항대로 561, B1층): the indexed address key, exact positions first.
    exact_key = address_key(address) if parsed.get("sigungu") and rest else ""
    if exact_key:
        row = db.execute(
            """SELECT lat, lon, coalesce(road_address, lot_address), placement FROM agencies
               WHERE address_key = ? AND lat IS NOT NULL
               ORDER BY placement NOT IN ('exact', 'matched', 'geocoded'), id LIMIT 1""", [exact_key]).fetchone()
        if row is not None:
            return {"lat": row[0], "lon": row[1], "label": row[2],
                    "approximate": row[3] in APPROXIMATE_PLACEMENTS}
        # Else the address without its 시도 spelling (서울 vs 서울특별시) for the text match below.
        key = name_key(f"{parsed['sigungu']}{rest}")
    like = f"%{key}%"
    row = db.execute(
        """SELECT lat, lon, coalesce(road_address, lot_address), placement FROM agencies
           WHERE lat IS NOT NULL AND (replace(road_address, ' ', '') LIKE ? OR replace(lot_address, ' ', '') LIKE ?)
           ORDER BY placement != 'exact', length(coalesce(road_address, lot_address)) LIMIT 1""",
        [like, like]).fetchone()
    if row is None:
        row = db.execute(
            "SELECT lat, lon, address, placement FROM complexes WHERE lat IS NOT NULL "
            "AND replace(address, ' ', '') LIKE ? LIMIT 1", [like]).fetchone()
    if row is not None:
        return {"lat": row[0], "lon": row[1], "label": row[2],
                "approximate": row[3] in APPROXIMATE_PLACEMENTS}
    centroid = _region_centroid(address)
    if centroid is None:
        raise SearchError("address_unknown", address=address)
    return centroid


def _region_centroid(address: str) -> dict | None:
    """The centroid of the 시군구 or 읍면동 an address names (approximate)."""
    from .normalize import parse_address
    from .regions import region_index

    parsed = parse_address(address)
    if not parsed.get("sigungu"):
        return None
    index = region_index()
    region = None
    units = index.eupmyeondong.get((parsed["sido"], parsed["sigungu"]), {})
    if parsed.get("eupmyeondong"):
        region = next((r for r in units.values() if r.eupmyeondong == parsed["eupmyeondong"]), None)
    if region is None:
        region = next((r for r in index.sigungu.get(parsed["sido"], {}).values()
                       if r.sigungu == parsed["sigungu"]), None)
    if region is None:
        return None
    lon, lat = transformer().transform(region.x, region.y)
    label = " ".join(x for x in (region.sido, region.sigungu, region.eupmyeondong) if x)
    return {"lat": lat, "lon": lon, "label": label, "approximate": True}


# --- search ----------------------------------------------------------------


def search(db, query: str | None = "", *, near=None, radius_km=None, category=None, agency_type=None,
           sido=None, sigungu=None, target=None, sort="relevance", limit=20, wait=True, half_life_km=None):
    """Find agencies; returns `Results`, the pair (results, total) with what was understood.

    `results` are agency dicts in rank order with ``distance_km`` (None
    without a place), ``approximate`` and ``placement_note``; `total` counts
    every match (within the radius, when one is given and holds any). `near`
    is (lat, lon) or 'lat,lon'; `resolve_place` turns a complex or an
    address into one. A query with no words lists agencies by the filters,
    nearest first when a place is given. Bad parameters raise `SearchError`.

    A phrase is read word by word (`understand`): need words point to agency
    kinds with the needs table's weights, generic words (상담, 신청) only
    rank, and a word that matches nothing is left out rather than emptying
    the answer. Near a place, relevance is the match times a distance decay
    that halves every `half_life_km` (default `HALF_LIFE_KM`), approximate
    positions a little lower; `Results.within` says when nothing matches
    within the radius (or `NEAR_KM`) and the results are farther ones.

    `wait` (the CLI, scripts): a missing or unusable index is built first.
    Without it (web requests) nothing is built here: while a background
    thread builds or replaces the index, the last good one answers, or, when
    there is none, a plain SQL search (`fallback` true).
    """
    if sort not in SORTS:
        raise SearchError("unknown_sort", sort=sort, sorts=", ".join(SORTS))
    try:
        limit = int(limit)
    except (TypeError, ValueError) as exc:
        raise SearchError("limit_not_integer", limit=limit) from exc
    if not 1 <= limit <= MAX_LIMIT:
        raise SearchError("limit_out_of_range", limit=limit, maximum=MAX_LIMIT)
    point = None
    if near is not None and near != "":
        point = _check_point(*(near if isinstance(near, (tuple, list)) else parse_point(near)))
    if radius_km is not None and radius_km != "":
        try:
            radius_km = float(radius_km)
        except (TypeError, ValueError) as exc:
            raise SearchError("radius_not_a_number", radius=radius_km) from exc
        if math.isnan(radius_km) or not 0 < radius_km <= 500:
            raise SearchError("radius_out_of_range", radius=radius_km)
        if point is None:
            raise SearchError("radius_needs_place")
    else:
        radius_km = None
    if sort == "distance" and point is None:
        raise SearchError("distance_needs_place")
    try:
        half_life_km = HALF_LIFE_KM if half_life_km in (None, "") else float(half_life_km)
    except (TypeError, ValueError) as exc:
        raise SearchError("half_life_out_of_range", value=half_life_km) from exc
    if math.isnan(half_life_km) or not 0 < half_life_km <= 1000:
        raise SearchError("half_life_out_of_range", value=half_life_km)
    vocab = _vocabulary(db)
    filters = {"category": category, "sido": normalize_sido(sido) or sido if sido else None,
               "sigungu": sigungu,
               "type": vocab.taxonomy.canonical_type(agency_type) or agency_type if agency_type else None}
    filters = {k: str(v).strip() for k, v in filters.items() if v and str(v).strip()}
    words = query_words(query)
    target = " ".join(query_words(target)) or None

    fallback = False
    for attempt in range(2):
        entry = None
        try:
            entry = open_index(db, wait=wait)
            with snapshot(db, entry) as snap:
                if sort == "name":
                    snap.name_rank(db)
                found = _run(snap, words, vocab, point, radius_km, filters, target, sort, limit, half_life_km)
            break
        except IndexNotReady:
            fallback = True
            break
        except damage_errors() as exc:  # a damaged index file
            if not wait:  # replaced in the background; this search answers from SQL
                if entry is not None:
                    report_damage(db, entry, exc)
                fallback = True
                break
            if attempt or entry is None:
                raise
            log.warning("검색 색인 오류로 다시 만듭니다: %s: %s", exc.__class__.__name__, exc)
            rebuild(db, entry)
    if fallback:
        analysed = _analyse(words, vocab)
        # The plain search requires every word: generic ones (상담, 신청) would empty it.
        plain = [w.word for w in analysed if w.role != "generic"] or words
        ranked, total = _fallback(db, plain, vocab, point, radius_km, filters, target, sort, limit)
        found = _Found(ranked, total, analysed)
    by_distance = point is not None and (sort == "distance" or not (words or target) and sort != "name")
    return Results(_rows(db, found.ranked, point, by_distance=by_distance), found.total, fallback=fallback,
                   understood=[_describe(w) for w in found.words], loose=found.loose, within=found.within)


def index_needs_build(db) -> bool:
    """Whether the next search that waits must build the index first (the CLI says so beforehand)."""
    from .search_index import _OPEN, _key, _try_open

    path = index_dir(db)
    if _OPEN.get(_key(db, path)) is not None:
        return False
    entry, _ = _try_open(db, path)
    if entry is None:
        return True
    entry.ix.close()
    return False


def _allowed(snap, filters, point):
    """(mask of documents the filters allow, haversine km or None)."""
    mask = snap.live.copy()
    for key, value in filters.items():
        m = np.zeros(snap.n, dtype=bool)
        m[snap.postings(key, value)] = True
        mask &= m
    dist = None
    if point is not None:
        dist = np.nan_to_num(_haversine_km(snap.lat, snap.lon, point[0], point[1]), nan=np.inf)
    return mask, dist


def _inside(point, lat, lon, d, radius_km) -> np.ndarray:
    """Which of the candidates lie within the radius.

    Haversine differs from the geodesic by up to ~0.5%: candidates near the
    edge are measured exactly, so the radius holds for the figures shown.
    """
    m = d <= radius_km * 1.01
    edge = np.flatnonzero(m & (d > radius_km * 0.99))
    if len(edge):
        from geopy.distance import geodesic

        for i in edge:
            m[i] = geodesic(point, (lat[i], lon[i])).km <= radius_km
    return m


@dataclass
class _Found:
    """One search's ranked ids, its count and what it made of the words."""

    ranked: list
    total: int
    words: list
    loose: bool = False
    within: dict | None = None


@dataclass(eq=False, frozen=True)
class _Fixed:
    """A clause whose scores are already known (a word evaluated once per search)."""

    values: np.ndarray

    def scores(self, snap):
        return self.values


def _run(snap, words, vocab, point, radius_km, filters, target, sort, limit, half_life_km=HALF_LIFE_KM):
    """`_Found` for one search: match the words, keep the radius, rank."""
    mask, dist = _allowed(snap, filters, point)
    analysed = _analyse(words, vocab)
    loose = False
    scores = None
    if not words and not target:
        docs = np.flatnonzero(mask)
    else:
        cache: dict = {}

        def clause_of(word, typos):
            if (word, typos) not in cache:
                cache[word, typos] = _Fixed(_word_clause(word, vocab, typos=typos).scores(snap))
            return cache[word, typos]

        # A word that matches nothing as typed may have one syllable wrong;
        # if it still matches nothing it is left out (알아보기, 받을), not
        # allowed to empty the answer.
        for w in analysed:
            if (clause_of(w.word, False).values[snap.live] > 0).any():
                continue
            if _may_be_typo(w.word) and (clause_of(w.word, True).values[snap.live] > 0).any():
                w.role = "typo"
            else:
                w.role = "ignored"
        typo_words = {w.word for w in analysed if w.role == "typo"}
        # First the words as read; then any long word may have a syllable
        # wrong; last, with several words, any word may match.
        attempts = [(typo_words, False), ({w.word for w in analysed if _may_be_typo(w.word)}, False),
                    ({w.word for w in analysed if _may_be_typo(w.word)}, True)]
        docs = np.zeros(0, dtype=np.int64)
        tried = set()
        for typos, loosely in attempts:
            key = (frozenset(typos), loosely)
            if key in tried:
                continue
            tried.add(key)
            clause = _query_plan(analysed, vocab, typos=typos, loose=loosely, target=target,
                                 clause_of=clause_of)
            if clause is None:
                break
            values = clause.scores(snap)
            docs = np.flatnonzero((values > 0) & mask)
            if len(docs):
                scores, loose = values[docs], loosely and _groups(analysed) > 1
                break
    if not len(docs):
        within = {"radius_km": radius_km or NEAR_KM, "count": 0, "nearest_km": None} if point else None
        return _Found([], 0, analysed, within=within)
    within = None
    if point is not None:
        radius = radius_km or NEAR_KM
        inside = _inside(point, snap.lat[docs], snap.lon[docs], dist[docs], radius)
        count = int(inside.sum())
        within = {"radius_km": radius, "count": count, "nearest_km": None}
        if count and radius_km is not None:
            docs = docs[inside]
            scores = scores[inside] if scores is not None else None
        elif not count:
            near = int(np.argmin(dist[docs]))
            if np.isfinite(dist[docs][near]):
                from geopy.distance import geodesic

                i = docs[near]
                within["nearest_km"] = round(geodesic(point, (snap.lat[i], snap.lon[i])).km, 1)
    if scores is None:
        order = "name" if sort == "name" else "distance" if point else "id"
    else:
        order = sort if sort == "name" or point else "score"
    mix = any(w.role == "need" for w in analysed)
    ranked, total = _rank(snap, docs, scores, dist, order, limit, half_life_km, mix_kinds=mix)
    return _Found(ranked, total, analysed, loose, within)


def _may_be_typo(word: str) -> bool:
    return len(word) >= 3 and all("가" <= c <= "힣" for c in word)


def _groups(analysed) -> int:
    """How many groups the words form (all need words are one)."""
    active = [w for w in analysed if w.role not in ("ignored", "generic", "group", "typo")]
    return len([w for w in active if w.role != "need"]) + any(w.role == "need" for w in active)


def placement_rank(snap) -> np.ndarray:
    """Each document's factor for how exact its position is (1 exact, less for an area's centre)."""
    cached = getattr(snap, "_placement_rank", None)
    if cached is None:
        cached = np.array([PLACEMENT_RANK.get(p, 1.0) for p in snap.placement], dtype=np.float64)
        snap._placement_rank = cached
    return cached


def distance_decay(km, half_life_km: float = HALF_LIFE_KM):
    """How much nearness keeps of a match: 1 here, ½ at `half_life_km`, 0 when unknown.

    >>> float(distance_decay(5.0)), float(distance_decay(10.0))
    (0.5, 0.25)
    """
    km = np.asarray(km, dtype=np.float64)
    return np.where(np.isfinite(km), np.exp2(-np.nan_to_num(km, posinf=0.0) / half_life_km), 0.0)


def _rank(snap, docs, scores, dist, order, limit, half_life_km=HALF_LIFE_KM, *, mix_kinds=False):
    """The top `limit` of `docs`: by match × nearness, score (shorter names first on ties), distance, name or id."""
    total = len(docs)
    if not total:
        return [], 0
    if order == "distance" or (order == "relevance" and scores is None):
        key = dist[docs]
    elif order == "relevance":
        # Near a place: how well it matches (to the best) × how near × how exact the position.
        # In halvings (log2), so a short half-life cannot underflow to a tie:
        # −log2(match × decay × placement) = km / half-life − log2(match) − log2(placement).
        match = scores.astype(np.float64) / float(scores.max())
        d = dist[docs]
        placed = np.isfinite(d)
        key = np.where(placed, np.where(placed, d, 0.0) / half_life_km - np.log2(match)
                       - np.log2(placement_rank(snap)[docs]), 0.0)
        # Agencies with no position keep their order by match, after every placed one.
        key = np.where(placed, key, 1e12 - match)
    elif order == "name":
        key = snap.name_rank(None)[docs].astype(np.float64)
    elif order == "score":
        key = -(scores.astype(np.float64) * 1000 - snap.name_len[docs])
        if mix_kinds:
            key = _mix_kinds(key, scores, snap.kind[docs])
    else:
        key = snap.ids[docs].astype(np.float64)
    top = _smallest(key, limit)
    picked = docs[top]
    return [(int(snap.ids[i]), None if scores is None else float(scores[j]))
            for i, j in zip(picked, top)], total


# Matches scoring at least this share of the best take turns by type.
KIND_MIX_BAND = 0.6


def _mix_kinds(key, scores, kinds):
    """Without a place, let the kinds near the top take turns: 일자리 lists 시니어클럽, 고용센터 and
    지역자활센터 in turn (the needs table's 1, 0.9, 0.9), not 200 시니어클럽 first.

    Only for a query with a need word, and without a place (there distance mixes them); weak
    matches (below the band: a word found only in an address or services) stay behind.
    """
    band = scores >= KIND_MIX_BAND * float(scores.max())
    if len(np.unique(kinds[band])) < 2:
        return key
    inside = np.flatnonzero(band)
    order = np.lexsort((key[inside], kinds[inside]))
    grouped = kinds[inside][order]
    starts = np.r_[0, np.flatnonzero(grouped[1:] != grouped[:-1]) + 1]
    position = np.arange(len(order))
    turn = np.empty(len(inside), dtype=np.float64)
    turn[order] = position - starts[np.searchsorted(starts, position, side="right") - 1]
    mixed = np.full(len(key), 1e15) + key
    # Within a turn, the better match first.
    mixed[inside] = turn * 1e9 + key[inside]
    return mixed


def _smallest(values, k):
    """Indexes of the k smallest values, in order (stable for ties)."""
    if len(values) > k:
        part = np.argpartition(values, k - 1)[:k]
    else:
        part = np.arange(len(values))
    return part[np.argsort(values[part], kind="stable")]


def _rows(db, ranked, point, *, by_distance=False) -> list[dict]:
    """Agency rows for ranked ids, with geodesic distances and placement notes.

    Sorted by distance, the haversine prefilter's order is corrected by the
    geodesic figures shown (they may differ by a few metres).
    """
    from geopy.distance import geodesic

    if not ranked:
        return []
    ids = [r[0] for r in ranked]
    cursor = db.execute(f"SELECT * FROM agencies WHERE id IN ({','.join('?' * len(ids))})", ids)
    names = [c[0] for c in cursor.description]
    by_id = {row[0]: dict(zip(names, row)) for row in cursor}
    out = []
    for agency_id, score in ranked:
        row = by_id.get(agency_id)
        if row is None:  # deleted since the index was read
            continue
        row["address"] = row.get("road_address") or row.get("lot_address")
        row["score"] = round(score, 4) if score is not None else None
        row["distance_km"] = None
        placement = row.get("placement")
        row["approximate"] = placement in APPROXIMATE_PLACEMENTS
        row["placement_note"] = APPROXIMATE_PLACEMENTS.get(placement)
        if point is not None:
            if row.get("lat") is not None and row.get("lon") is not None:
                row["distance_km"] = round(geodesic(point, (row["lat"], row["lon"])).km, 3)
            else:
                row["placement_note"] = "위치 미상"
        out.append(row)
    if by_distance:
        out.sort(key=lambda r: (r["distance_km"] is None, r["distance_km"] or 0.0))
    return out




# --- the plain search, while the index is not ready ----------------------------------
#
# SQLite's LIKE over seven text columns took 0.9–2.2 s a query at 100,000
# agencies, too slow for a request. The background rebuild first reads the
# searchable text into memory (`warm_plain_search`: one string per column,
# ≈30 MB at that size), kept in step through the change log while it is
# used; a word is then one regular-expression scan of that string (C speed).
# Until it is read, the plain search runs in SQL.

_PLAIN: dict[str, "_PlainTable"] = {}
_PLAIN_LOCK = threading.Lock()
_PLAIN_SQL = """SELECT id, name_key, type, category, road_address, lot_address, eupmyeondong, services,
                       target_groups, sido, sigungu, lat, lon FROM agencies"""


class _PlainTable:
    """Every agency's searchable text and place, in memory, for the plain search."""

    def __init__(self, db, state):
        self.pos: dict[int, int] = {}
        self.rows: list[tuple | None] = []
        for row in db.execute(_PLAIN_SQL + " ORDER BY id"):
            self._put(row)
        self.state = state
        self._arrays = None

    def patch(self, db, since: int, state) -> None:
        """Re-read the agencies the change log names since `since`."""
        ids = [r[0] for r in db.execute("SELECT DISTINCT agency_id FROM search_changes WHERE seq > ? AND seq <= ?",
                                        [since, state[1]])]
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            found = {r[0]: r for r in db.execute(
                _PLAIN_SQL + f" WHERE id IN ({','.join('?' * len(chunk))})", chunk)}
            for agency_id in chunk:
                if agency_id in found:
                    self._put(found[agency_id])
                elif agency_id in self.pos:
                    self.rows[self.pos.pop(agency_id)] = None
        self.state, self._arrays = state, None

    def _put(self, row) -> None:
        (agency_id, key, kind, category, road, lot, dong, services, targets, sido, sigungu, lat, lon) = row
        # Rows are joined with newlines: no query word holds one, so no match spans two agencies.
        text = " ".join(x or "" for x in (kind, category, road, lot, dong, services)).lower().replace("\n", " ")
        item = (agency_id, (key or "").lower().replace("\n", " "), text, kind, category, sido, sigungu,
                (targets or "").lower().replace("\n", " "), np.nan if lat is None else lat,
                np.nan if lon is None else lon)
        if agency_id in self.pos:
            self.rows[self.pos[agency_id]] = item
        else:
            self.pos[agency_id] = len(self.rows)
            self.rows.append(item)

    def arrays(self) -> dict:
        """Columns as numpy arrays, and the text columns as (one string, row start offsets)."""
        if self._arrays is None:
            live = [r for r in self.rows if r is not None]
            cols = list(zip(*live)) if live else [()] * 10
            out = {"id": np.array(cols[0], dtype=np.int64), "name_list": list(cols[1]),
                   "type": np.array(cols[3], dtype=object), "category": np.array(cols[4], dtype=object),
                   "sido": np.array(cols[5], dtype=object), "sigungu": np.array(cols[6], dtype=object),
                   "lat": np.array(cols[8], dtype=float), "lon": np.array(cols[9], dtype=float)}
            for name, i in (("name", 1), ("text", 2), ("targets", 7)):
                lengths = np.fromiter((len(v) + 1 for v in cols[i]), dtype=np.int64, count=len(cols[i]))
                out[name] = ("\n".join(cols[i]), np.concatenate(([0], np.cumsum(lengths)[:-1])))
            out["name_len"] = np.fromiter((len(v) for v in cols[1]), dtype=np.int64, count=len(cols[1]))
            # Types as small integers: a type lookup is an integer isin, not 100,000 string compares.
            kinds, codes = np.unique(np.array([k or "" for k in cols[3]], dtype=object), return_inverse=True)
            out["type_code"], out["type_codes"] = codes.astype(np.int32), {k: i for i, k in enumerate(kinds)}
            self._arrays = out
        return self._arrays


def _plain_table(db) -> dict | None:
    """The store's plain table, current, if it has been read (small changes are patched in)."""
    from .search_index import INLINE_CHANGES, _key, _store_state

    key = _key(db, index_dir(db))
    with _PLAIN_LOCK:
        table = _PLAIN.get(key)
        if table is None:
            return None
        state = _store_state(db)
        old = table.state
        if old != state:
            if not (old[0] == state[0] and old[1] <= state[1]) or state[1] - old[1] > INLINE_CHANGES:
                return None  # too much to patch in a request: SQL until it is read again
            table.patch(db, old[1], state)
        return table.arrays()


def warm_plain_search(db) -> None:
    """Read the plain table (the background rebuild does, before it builds; ≈1 s at 100,000 agencies)."""
    from .search_index import _key, _store_state

    table = _PlainTable(db, _store_state(db))
    table.arrays()
    with _PLAIN_LOCK:
        _PLAIN[_key(db, index_dir(db))] = table


def plain_ready(db_key: str) -> bool:
    """Whether a store's plain table is in memory (the plain search answers fast)."""
    return db_key in _PLAIN


def drop_plain_search(db_key: str) -> None:
    """Forget a store's plain table (the index is back)."""
    with _PLAIN_LOCK:
        _PLAIN.pop(db_key, None)


register_plain_search(ready=plain_ready, warm=warm_plain_search, drop=drop_plain_search)


def _scan(column: tuple, pattern: str) -> np.ndarray:
    """Which rows of a joined text column hold a match of the regular expression."""
    blob, starts = column
    mask = np.zeros(len(starts), dtype=bool)
    hits = [m.start() for m in re.finditer(pattern, blob)]
    if hits:
        mask[np.searchsorted(starts, hits, side="right") - 1] = True
    return mask


def _contains(column: tuple, word: str) -> np.ndarray:
    return _scan(column, re.escape(word))


def _plain_word(table: dict, word: str, vocab: _Vocabulary) -> np.ndarray:
    """The score of every agency for one word (0: no match).

    A word matches part of the name (3), of the type, category, address or
    services (1), the types it names as a whole (an alias: 정신보건센터) or
    points to (a needs word: 술), or the names' initials (ㅊㅁㅇㅅㅅㅌ).
    """
    if all("ㄱ" <= c <= "ㅎ" for c in word):
        plain = "".join(_DOUBLE.get(c, c) for c in word)
        blocks = ["".join(f"[{chr(0xAC00 + _CHO.index(c) * 588)}-{chr(0xAC00 + _CHO.index(c) * 588 + 587)}]"
                          for c in w) for w in dict.fromkeys((word, plain))]
        return _scan(table["name"], "|".join(blocks)) * np.float32(W_CHOSUNG)
    score = np.where(_contains(table["name"], word), W_NAME, 0.0).astype(np.float32)
    score[(score == 0) & _contains(table["text"], word)] = W_TEXT
    types = [kind for kind, rest in _types_in(word, vocab) if not rest][:3] + _needs_types(word, vocab)
    codes = [table["type_codes"][t] for t in types if t in table["type_codes"]]
    if codes:
        score = np.maximum(score, np.where(np.isin(table["type_code"], codes), W_TEXT, 0).astype(np.float32))
    return score


def _fallback(db, words, vocab, point, radius_km, filters, target, sort, limit):
    """(ranked [(agency id, score)], total) without the index: `search` while it is not ready.

    From the plain table when it is in memory (the background rebuild reads
    it first), else from SQLite directly. Every word must match (any word,
    when that finds nothing); filters, the target group and the radius hold
    as in the indexed search; near a place the nearest come first. Fewer
    ways to match (no typos; aliases and needs words as whole words), the
    same shape of answer.
    """
    table = _plain_table(db)
    if table is None:
        return _fallback_sql(db, words, vocab, point, radius_km, filters, target, sort, limit)
    return _fallback_memory(table, words, vocab, point, radius_km, filters, target, sort, limit)


def _fallback_memory(table, words, vocab, point, radius_km, filters, target, sort, limit):
    """The plain search over the table in memory.

    """
    n = len(table["id"])
    mask = np.ones(n, dtype=bool)
    for column, value in filters.items():
        mask &= table[column] == value
    for t in query_words(target):
        mask &= _contains(table["targets"], t)
    dist = None
    if point is not None:
        dist = np.nan_to_num(_haversine_km(table["lat"], table["lon"], point[0], point[1]), nan=np.inf)
        if radius_km is not None:
            inside = dist <= radius_km * 1.01
            edge = np.flatnonzero(inside & mask & (dist > radius_km * 0.99))
            if len(edge):
                from geopy.distance import geodesic

                for i in edge:
                    inside[i] = geodesic(point, (table["lat"][i], table["lon"][i])).km <= radius_km
            mask &= inside
    scores = None
    if words:
        per_word = [_plain_word(table, w, vocab) for w in words]
        every = np.all([s > 0 for s in per_word], axis=0)
        scores = np.sum(per_word, axis=0)
        matched = mask & every
        if not matched.any() and len(words) > 1:
            matched = mask & (scores > 0)
        mask = matched
    docs = np.flatnonzero(mask)
    if not len(docs):
        return [], 0
    if sort == "name":
        if "name_rank" not in table:  # 가나다 order, read once per table version
            by_name = sorted(range(len(table["id"])), key=table["name_list"].__getitem__)
            table["name_rank"] = np.empty(len(by_name), dtype=np.int64)
            table["name_rank"][by_name] = np.arange(len(by_name))
        order = np.argsort(table["name_rank"][docs], kind="stable")
    elif dist is not None:
        order = np.lexsort((table["id"][docs], dist[docs]))
    elif scores is not None:
        order = np.lexsort((table["id"][docs], table["name_len"][docs], -scores[docs]))
    else:
        order = np.arange(len(docs))
    top = docs[order[:limit]]
    return [(int(table["id"][i]), None if scores is None else float(scores[i])) for i in top], len(docs)


_FALLBACK_TEXT = ("name_key", "type", "category", "road_address", "lot_address", "eupmyeondong", "services")


def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _word_sql(word: str, vocab: _Vocabulary) -> tuple[str, list, str, list]:
    """(condition, its parameters, score expression, its parameters) of one word in the plain search.

    A word matches a part of the name, type, category, address or services
    text, the types it names as a whole (an alias: 정신보건센터) or points to
    (a needs word: 술), or the names' initials (ㅊㅁㅇㅅㅅㅌ).
    """
    if all("ㄱ" <= c <= "ㅎ" for c in word):
        plain = "".join(_DOUBLE.get(c, c) for c in word)
        cond = "(name_key GLOB ? OR name_key GLOB ?)"
        params = [_initials_glob(word), _initials_glob(plain)]
        return cond, params, f"({cond}) * {W_CHOSUNG}", params
    like = _like(word)
    parts = [f"coalesce({c}, '') LIKE ? ESCAPE '\\'" for c in _FALLBACK_TEXT]
    params = [like] * len(parts)
    types = [kind for kind, rest in _types_in(word, vocab) if not rest][:3] + _needs_types(word, vocab)
    if types:  # first: the agencies of a type a broad word names (경로당) skip the seven LIKEs
        parts.insert(0, f"type IN ({','.join('?' * len(types))})")
        params = types + params
    cond = "(" + " OR ".join(parts) + ")"
    score = f"(CASE WHEN name_key LIKE ? ESCAPE '\\' THEN {W_NAME} ELSE {W_TEXT} END)"
    return cond, params, score, [like]


def _initials_glob(word: str) -> str:
    """A GLOB pattern for initial consonants: ㅊㅁ -> *[차-칳][마-밓]* (each initial's block of syllables)."""
    blocks = []
    for c in word:
        start = 0xAC00 + _CHO.index(c) * 588
        blocks.append(f"[{chr(start)}-{chr(start + 587)}]")
    return "*" + "".join(blocks) + "*"


def _fallback_sql(db, words, vocab, point, radius_km, filters, target, sort, limit):
    """(ranked [(agency id, score)], total) from SQLite alone, before the plain table is in memory.

    Every word must match (any word, when that finds nothing); filters and the
    radius hold as in the indexed search; near a place the nearest come first.
    One scan of the table per pass (0.9–2.2 s at 100,000 agencies): only
    for the first moments of a rebuild, while the plain table is read.
    """
    base, base_params = ["1"], []
    for column, value in filters.items():
        base.append(f"{column} = ?")
        base_params.append(value)
    for t in query_words(target):
        base.append("coalesce(target_groups, '') LIKE ? ESCAPE '\\'")
        base_params.append(_like(t))
    box = None
    if point is not None and radius_km is not None:
        dlat = radius_km * 1.01 / 111.0
        dlon = dlat / max(math.cos(math.radians(point[0])), 0.01)
        box = (point[0] - dlat, point[0] + dlat, point[1] - dlon, point[1] + dlon)
        base.append("lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?")
        base_params += list(box)
    clauses = [_word_sql(w, vocab) for w in words]
    passes = [" AND "] + ([" OR "] if len(clauses) > 1 else [])
    for joiner in passes:
        where, params = list(base), list(base_params)
        score_sql, score_params = "0", []
        if clauses:
            where.append("(" + joiner.join(c[0] for c in clauses) + ")")
            params += [p for c in clauses for p in c[1]]
            score_sql = " + ".join(c[2] for c in clauses)
            score_params = [p for c in clauses for p in c[3]]
        sql_where = " AND ".join(where)
        if box is not None or (point is not None and sort != "name"):
            ranked, total = _fallback_near(db, sql_where, params, score_sql, score_params, point, radius_km,
                                           sort, limit, box is not None)
        else:
            if not clauses and sort != "name":
                order = "id"
            elif sort == "name":
                order = "name_key, id"
            else:
                order = "score DESC, length(name_key), id"
            # One scan counts and ranks (count(*) OVER ()); a second counted again (≈30 % of a broad word's time).
            rows = db.execute(f"SELECT id, {score_sql} AS score, count(*) OVER () FROM agencies WHERE {sql_where} "
                              f"ORDER BY {order} LIMIT ?", score_params + params + [limit]).fetchall()
            total = rows[0][2] if rows else 0
            ranked = [(r[0], float(r[1]) if clauses else None) for r in rows]
        if total:
            return ranked, total
    return [], 0


def _fallback_near(db, where, params, score_sql, score_params, point, radius_km, sort, limit, bounded):
    """The plain search near a place: nearest first (by name with sort='name'), the radius exact."""
    if bounded:  # a radius: the box holds few agencies, measured here as the index path does
        rows = db.execute(f"SELECT id, {score_sql}, lat, lon, name_key FROM agencies WHERE {where}",
                          score_params + params).fetchall()
        if not rows:
            return [], 0
        lat = np.array([r[2] for r in rows], dtype=float)
        lon = np.array([r[3] for r in rows], dtype=float)
        d = _haversine_km(lat, lon, point[0], point[1])
        keep = d <= radius_km * 1.01
        edge = np.flatnonzero(keep & (d > radius_km * 0.99))
        if len(edge):
            from geopy.distance import geodesic

            for i in edge:
                keep[i] = geodesic(point, (lat[i], lon[i])).km <= radius_km
        picked = [(rows[i], d[i]) for i in np.flatnonzero(keep)]
        if sort == "name":
            picked.sort(key=lambda x: (x[0][4], x[0][0]))
        else:
            picked.sort(key=lambda x: (x[1], x[0][0]))
        return [(r[0], float(r[1]) if score_sql != "0" else None) for r, _ in picked[:limit]], len(picked)
    # No radius: order by the squared equirectangular distance in SQL (no
    # math functions needed), the geodesic is shown for the few returned.
    scale = math.cos(math.radians(point[0])) ** 2
    rows = db.execute(
        f"SELECT id, {score_sql}, count(*) OVER () FROM agencies WHERE {where} "
        f"ORDER BY lat IS NULL, (lat - ?) * (lat - ?) + (lon - ?) * (lon - ?) * ?, id LIMIT ?",
        score_params + params + [point[0], point[0], point[1], point[1], scale, limit]).fetchall()
    total = rows[0][2] if rows else 0
    return [(r[0], float(r[1]) if score_sql != "0" else None) for r in rows], total
