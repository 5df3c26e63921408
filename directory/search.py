"""Directory search: the right agency, in Korean, near a place, in a blink.

A Whoosh index of every agency sits next to the store (``<db>.whoosh/``) and
follows it: triggers on ``agencies`` log every change in ``search_changes``
(migration ``_search_change_log``), and each search first indexes what
changed since the index's watermark. A missing, stale or corrupt index is
rebuilt with a logged warning, never an error. Rows always come from SQLite;
the index only finds ids.

Korean agency names are compound nouns without spaces (강화군치매안심센터),
so names, addresses and services are indexed as 2–3-grams and every query
word becomes an AND of its 3-grams (a substring test). On top of that each
word may also match

- the agency type it names or an alias of it, from the store's taxonomy
  (정신보건센터 → 정신건강복지센터; an administrator extends `type_aliases`);
- the types a needs word points to (술 → 중독관리통합지원센터, …), from
  ``data/reference/needs_words.csv``;
- initial consonants (ㅊㅁㅇㅅㅅㅌ), against a field of the names' initials;
- with one syllable wrong (치매안신센터), as a second pass when the exact pass
  finds nothing.

User text never reaches Whoosh's query parser: queries are built term by
term from the Hangul, Latin and digit runs of the input, so AND, *, quotes
or unbalanced parentheses are just characters.

Place: ``near`` (a point), a radius in km and ``sort='distance'`` use numpy
arrays of coordinates per Whoosh document for the candidate set, then
geopy's geodesic for the distances shown.
"""
from __future__ import annotations

import csv
import gc
import json
import logging
import math
import os
import re
import shutil
import sqlite3
import threading
import unicodedata
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .normalize import name_key, normalize_sido
from .paths import REFERENCE_DIR
from .schema import SEARCH_CHANGE_LOG
from .taxonomy import Taxonomy

__all__ = [
    "SearchError", "index_agencies", "remove", "search", "resolve_place", "index_dir",
    "chosung", "query_words", "APPROXIMATE_PLACEMENTS",
]

log = logging.getLogger(__name__)

INDEX_VERSION = 1  # bump when the schema or analysis changes: old indexes are rebuilt
META_FILE = "yeongye-search.json"
MAX_QUERY_CHARS = 200
MAX_WORDS = 8
MAX_WORD_CHARS = 24  # longer runs are cut: no agency name needs more, and grams cost time
MAX_LIMIT = 200
NEAR_CANDIDATES = 300  # relevance near a place ranks the nearest this many matches
NEEDS_FILE = REFERENCE_DIR / "needs_words.csv"

# Placements whose coordinates stand for an area, not the building.
APPROXIMATE_PLACEMENTS = {
    "eupmyeondong": "읍면동 중심 기준 대략적 위치",
    "sigungu": "시군구 중심 기준 대략적 위치",
    "sample": "표본 위치(실제 위치 아님)",
}

_WORD = re.compile(r"[0-9A-Za-z가-힣ㄱ-ㅎ]+")
_CHO = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_CONJOINING_INITIALS = {0x1100 + i: c for i, c in enumerate(_CHO)}
# Compatibility jamo for the double initials a phone keyboard may not give.
_DOUBLE = {"ㄲ": "ㄱ", "ㄸ": "ㄷ", "ㅃ": "ㅂ", "ㅆ": "ㅅ", "ㅉ": "ㅈ"}

_TRIGGERS = ("agencies_search_insert", "agencies_search_update", "agencies_search_delete")


class SearchError(ValueError):
    """A search parameter is out of range or cannot be understood."""


# --- text ----------------------------------------------------------------


def chosung(text: str | None) -> str:
    """The initial consonants of the Hangul syllables in `text` (others dropped).

    >>> chosung("강화군치매안심센터")
    'ㄱㅎㄱㅊㅁㅇㅅㅅㅌ'
    """
    return "".join(_CHO[(ord(c) - 0xAC00) // 588] for c in text or "" if "가" <= c <= "힣")


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


def _grams(word: str) -> list[str]:
    """The 3-grams of a word, or the word itself when it has two or three characters."""
    if len(word) <= 3:
        return [word]
    return [word[i:i + 3] for i in range(len(word) - 2)]


# --- the index -------------------------------------------------------------


def _schema():
    from whoosh import analysis, fields

    compact = analysis.NgramAnalyzer(2, 3)
    words = (analysis.RegexTokenizer(r"[0-9A-Za-z가-힣ㄱ-ㅎ]+") | analysis.LowercaseFilter()
             | analysis.NgramFilter(2, 3))
    return fields.Schema(
        id=fields.NUMERIC(int, bits=64, stored=True, unique=True, sortable=True),
        name=fields.TEXT(analyzer=compact, phrase=False),
        chosung=fields.TEXT(analyzer=compact, phrase=False),
        text=fields.TEXT(analyzer=words, phrase=False),
        targets=fields.TEXT(analyzer=words, phrase=False),
        type=fields.ID(),
        category=fields.ID(),
        sido=fields.ID(),
        sigungu=fields.ID(),
    )


_ROW_SQL = """SELECT id, name, name_key, type, category, road_address, lot_address, sido, sigungu,
                     eupmyeondong, services, target_groups FROM agencies"""


def _document(row) -> dict:
    (agency_id, name, key, kind, category, road, lot, sido, sigungu, dong, services, targets) = row
    key = (key or name_key(name)).lower()
    doc = {
        "id": agency_id,
        "name": key,
        "chosung": chosung(key),
        "text": " ".join(x for x in (kind, category, road, lot, sido, sigungu, dong, services, targets) if x),
        "targets": targets or "",
    }
    for fieldname, value in (("type", kind), ("category", category), ("sido", sido), ("sigungu", sigungu)):
        if value:
            doc[fieldname] = value
    return doc


def index_dir(db) -> Path | None:
    """Where a store's index lives: ``<db file>.whoosh`` (None for an in-memory store)."""
    for _, name, filename in db.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return Path(filename + ".whoosh") if filename else None
    return None


def ensure_change_log(db) -> bool:
    """Create the change log and its triggers if missing; True when something was created."""
    present = {r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'agencies_search_%'")}
    has_table = bool(db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'search_changes'").fetchone())
    if has_table and present >= set(_TRIGGERS):
        return False
    with db.conn:
        for statement in SEARCH_CHANGE_LOG:
            db.execute(statement)
    return True


def _store_state(db) -> tuple:
    """(store id, last change seq, agency count): what the index must match."""
    row = db.execute(
        "SELECT (SELECT value FROM meta WHERE key = 'store_id'), "
        "(SELECT coalesce(max(seq), 0) FROM search_changes), (SELECT count(*) FROM agencies)"
    ).fetchone()
    return row[0], row[1], row[2]


@dataclass
class _Index:
    """One open index with its searcher and per-document arrays."""

    path: Path | None
    ix: object
    state: tuple = ()
    searcher: object = None
    arrays: dict = field(default_factory=dict)

    def close(self):
        if self.searcher is not None:
            self.searcher.close()
            self.searcher = None


_OPEN: dict[str, _Index] = {}
_LOCK = threading.RLock()


def _key(db, path: Path | None) -> str:
    return str(path) if path else f"memory:{id(db.conn)}"


def _read_meta(path: Path) -> dict:
    try:
        return json.loads((path / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_meta(path: Path | None, state: tuple) -> None:
    if path is None:
        return
    meta = {"version": INDEX_VERSION, "store_id": state[0], "seq": state[1], "count": state[2]}
    tmp = path / (META_FILE + ".tmp")
    tmp.write_text(json.dumps(meta), encoding="utf-8")
    os.replace(tmp, path / META_FILE)


def _writer(ix):
    return ix.writer(limitmb=256, timeout=10.0, delay=0.05)


def _fill(ix, db, ids=None, *, progress=None) -> int:
    """Add documents for all agencies (or `ids`) to a fresh index; returns how many."""
    writer = _writer(ix)
    n = 0
    try:
        if ids is None:
            cursor = db.execute(_ROW_SQL + " ORDER BY id")
        else:
            cursor = _rows_for(db, ids)
        for row in cursor:
            writer.add_document(**_document(row))
            n += 1
            if progress and n % 1000 == 0:
                progress(1000)
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    return n


def _rows_for(db, ids):
    ids = sorted(set(int(i) for i in ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        yield from db.execute(_ROW_SQL + f" WHERE id IN ({','.join('?' * len(chunk))})", chunk)


def _build(db, path: Path | None, *, progress=None):
    """Build a complete index; on disk it is built aside and swapped in whole."""
    from whoosh import index
    from whoosh.filedb.filestore import RamStorage

    state = _store_state(db)
    if path is None:
        ix = RamStorage().create_index(_schema())
        _fill(ix, db, progress=progress)
        return ix, state
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}-{threading.get_ident()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        ix = index.create_in(str(tmp), _schema())
        _fill(ix, db, progress=progress)
        ix.close()
        _write_meta(tmp, state)
        old = path.with_name(f"{path.name}.old-{os.getpid()}-{threading.get_ident()}")
        if path.exists():
            os.replace(path, old)
        os.replace(tmp, path)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return index.open_dir(str(path)), state


def _open_or_build(db, path: Path | None) -> _Index:
    """Open the index on disk, rebuilding it (with a warning) if missing or unusable."""
    from whoosh import index

    if path is not None and path.exists():
        meta = _read_meta(path)
        state = _store_state(db)
        reason = None
        if meta.get("version") != INDEX_VERSION:
            reason = "색인 버전이 다릅니다"
        elif meta.get("store_id") != state[0]:
            reason = "다른 데이터베이스의 색인입니다"
        elif meta.get("seq", 0) > state[1]:
            reason = "색인이 데이터베이스보다 앞서 있습니다"
        if reason is None:
            # Whoosh leaves a file open when it fails on a damaged index; it is
            # closed here, quietly: the damage is reported as a logged warning.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ResourceWarning)
                try:
                    ix = index.open_dir(str(path))
                    ix.doc_count()
                    return _Index(path, ix, (meta["store_id"], meta["seq"], meta["count"]))
                except Exception as exc:  # whoosh raises many kinds on damaged files
                    reason = f"색인을 열 수 없습니다 ({exc.__class__.__name__}: {exc})"
                gc.collect()
        log.warning("검색 색인을 다시 만듭니다: %s (%s)", path, reason)
    elif path is not None:
        log.warning("검색 색인이 없어 새로 만듭니다: %s", path)
    ix, state = _build(db, path)
    return _Index(path, ix, state)


def _catch_up(db, entry: _Index) -> None:
    """Index the agencies changed since the index's watermark."""
    state = _store_state(db)
    if state == entry.state:
        return
    seq = entry.state[1] if entry.state and entry.state[0] == state[0] else None
    changed = None
    if seq is not None and seq <= state[1]:
        changed = [r[0] for r in db.execute(
            "SELECT DISTINCT agency_id FROM search_changes WHERE seq > ?", [seq])]
    if changed is None or len(changed) > max(5000, state[2] // 5):
        log.warning("검색 색인을 다시 만듭니다: 변경 %s건", "많은" if changed else "추적 불가")
        _rebuild(db, entry)
        return
    try:
        _update(entry.ix, db, changed)
    except Exception as exc:
        from whoosh.index import LockError

        if isinstance(exc, LockError):  # another process is writing: search the old index for now
            log.info("검색 색인을 다른 프로세스가 갱신 중입니다; 이전 색인으로 검색합니다")
            return
        log.warning("검색 색인 갱신 실패, 다시 만듭니다: %s", exc)
        _rebuild(db, entry)
        return
    entry.state = state
    _write_meta(entry.path, state)
    entry.close()
    if _doc_count(entry.ix) != state[2]:
        log.warning("검색 색인의 기관 수(%s)가 데이터베이스(%s)와 달라 다시 만듭니다",
                    _doc_count(entry.ix), state[2])
        _rebuild(db, entry)


def _doc_count(ix) -> int:
    return ix.doc_count()


def _update(ix, db, ids) -> None:
    writer = _writer(ix)
    try:
        present = set()
        for row in _rows_for(db, ids):
            writer.update_document(**_document(row))
            present.add(row[0])
        for agency_id in set(ids) - present:
            writer.delete_by_term("id", int(agency_id))
        writer.commit()
    except BaseException:
        writer.cancel()
        raise


def _rebuild(db, entry: _Index) -> None:
    entry.close()
    ix, state = _build(db, entry.path)
    entry.ix, entry.state, entry.arrays = ix, state, {}


def _entry(db) -> _Index:
    """The index for a store, caught up with it."""
    path = index_dir(db)
    key = _key(db, path)
    with _LOCK:
        if ensure_change_log(db):
            _OPEN.pop(key, None)
            if path is not None:
                shutil.rmtree(path, ignore_errors=True)
        entry = _OPEN.get(key)
        if entry is None:
            entry = _OPEN[key] = _open_or_build(db, path)
        _catch_up(db, entry)
        return entry


def index_agencies(db, ids=None, *, progress=None) -> int:
    """Index agencies: all of them (a rebuild) or only `ids`; returns the documents written.

    Searching keeps the index in step on its own; call this after bulk work
    you want searchable at once, or from ``yeongye reindex``.
    """
    path = index_dir(db)
    key = _key(db, path)
    with _LOCK:
        ensure_change_log(db)
        if ids is None:
            old = _OPEN.pop(key, None)
            if old is not None:
                old.close()
            ix, state = _build(db, path, progress=progress)
            _OPEN[key] = _Index(path, ix, state)
            return state[2]
        entry = _entry(db)
        ids = list(ids)
        _update(entry.ix, db, ids)
        entry.close()
        return len(ids)


def remove(db, ids) -> None:
    """Take agencies out of the index (the store's triggers do this on delete too)."""
    entry = _entry(db)
    with _LOCK:
        writer = _writer(entry.ix)
        for agency_id in ids:
            writer.delete_by_term("id", int(agency_id))
        writer.commit()
        entry.close()


def _searcher(entry: _Index):
    if entry.searcher is None:
        entry.searcher = entry.ix.searcher(weighting=_flat_weighting())
        entry.arrays = {}
    else:
        fresh = entry.searcher.refresh()
        if fresh is not entry.searcher:
            entry.searcher, entry.arrays = fresh, {}
    return entry.searcher


def _arrays(db, entry: _Index) -> dict:
    """Per-document arrays (by Whoosh docnum): id, live, lat, lon and filter columns."""
    if entry.arrays:
        return entry.arrays
    reader = entry.searcher.reader()
    n = reader.doc_count_all()
    if n:
        column = reader.column_reader("id")
        ids = np.fromiter((column[i] for i in range(n)), dtype=np.int64, count=n)
    else:
        ids = np.zeros(0, dtype=np.int64)
    live = np.zeros(n, dtype=bool)
    live[np.fromiter(reader.all_doc_ids(), dtype=np.int64)] = True
    rows = db.execute("SELECT id, lat, lon, category, type, sido, sigungu FROM agencies").fetchall()
    top = max([r[0] for r in rows] + [int(ids.max()) if n else 0]) + 1
    lat = np.full(top, np.nan)
    lon = np.full(top, np.nan)
    cols = {c: np.full(top, None, dtype=object) for c in ("category", "type", "sido", "sigungu")}
    if rows:
        rid = np.array([r[0] for r in rows], dtype=np.int64)
        lat[rid] = [r[1] if r[1] is not None else np.nan for r in rows]
        lon[rid] = [r[2] if r[2] is not None else np.nan for r in rows]
        for j, c in enumerate(("category", "type", "sido", "sigungu"), start=3):
            cols[c][rid] = [r[j] for r in rows]
    entry.arrays = {"ids": ids, "live": live, "lat": lat[ids], "lon": lon[ids],
                    **{c: v[ids] for c, v in cols.items()}}
    return entry.arrays


# --- queries -----------------------------------------------------------------


@dataclass
class _Vocabulary:
    """Types, aliases and needs words, read from the store and the needs table."""

    taxonomy: Taxonomy
    keys: list[tuple[str, str]]  # (type or alias without spaces, canonical type), longest first
    needs: dict[str, list[str]]  # needs word -> agency types


_VOCAB: dict[str, tuple[tuple, _Vocabulary]] = {}


def _vocabulary(db) -> _Vocabulary:
    stamp = db.execute(
        "SELECT (SELECT count(*) FROM type_aliases), (SELECT count(*) FROM agency_types), "
        "(SELECT group_concat(alias || type) FROM (SELECT alias, type FROM type_aliases ORDER BY alias))"
    ).fetchone()
    try:
        mtime = NEEDS_FILE.stat().st_mtime
    except OSError:
        mtime = None
    key = str(index_dir(db))
    cached = _VOCAB.get(key)
    if cached and cached[0] == (stamp, mtime):
        return cached[1]
    tax = Taxonomy.from_db(db)
    keys = {name_key(t).lower(): t for t in tax.type_category}
    keys.update({name_key(a).lower(): t for a, t in tax.aliases.items() if t in tax.type_category})
    ordered = sorted(((k, t) for k, t in keys.items() if len(k) >= 2), key=lambda kv: -len(kv[0]))
    vocab = _Vocabulary(tax, ordered, _needs_words(db, tax))
    _VOCAB[key] = ((stamp, mtime), vocab)
    return vocab


def _needs_words(db, tax: Taxonomy) -> dict[str, list[str]]:
    """needs word -> agency types, from the store's `needs_words` table if any, else the CSV."""
    pairs: list[tuple[str, str]] = []
    if db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='needs_words'").fetchone():
        cols = {r[1] for r in db.execute("PRAGMA table_info(needs_words)")}
        col = "agency_types" if "agency_types" in cols else "type" if "type" in cols else None
        if col and "word" in cols:
            pairs = [(r[0], r[1]) for r in db.execute(f"SELECT word, {col} FROM needs_words")]
    if not pairs and NEEDS_FILE.exists():
        with open(NEEDS_FILE, encoding="utf-8-sig") as fh:
            for row in csv.DictReader(fh):
                pairs.append((row.get("word") or "", row.get("agency_types") or row.get("type") or ""))
    needs: dict[str, list[str]] = {}
    for word, types in pairs:
        word = name_key(word).lower()
        for t in re.split(r"[;,]", types or ""):
            t = tax.canonical_type(t.strip()) or t.strip()
            if word and t in tax.type_category and t not in needs.setdefault(word, []):
                needs[word].append(t)
    return needs


# What a match is worth. Scores are flat (see _Flat): a document scores the
# sum of the weights of the clauses it matches, so ranking reads as "matched
# in the name and by type beats matched in the services text", the same for
# short and long words and independent of how rare a 3-gram happens to be.
W_NAME = 3.0
W_TEXT = 1.0
W_TYPE = 4.0  # the word is a type name or an alias of one
W_NEED = 3.0  # the first type a needs word points to; later ones a little less
W_CHOSUNG = 3.0
W_TYPO = 1.5
W_SIDO = 1.0


def _flat_weighting():
    """A Whoosh weighting where every matching term scores its boost and nothing else."""
    from whoosh import scoring

    class FlatScorer(scoring.BaseScorer):
        def supports_block_quality(self):
            return True

        def score(self, matcher):
            return 1.0

        def max_quality(self):
            return 1.0

        def block_quality(self, matcher):
            return 1.0

    class Flat(scoring.WeightingModel):
        def scorer(self, searcher, fieldname, text, qf=1):
            return FlatScorer()

    return Flat()


def _sub(field_name: str, word: str, weight: float = 1.0):
    """`word` as a substring of `field_name`: an AND of its 3-grams (a prefix for one character).

    The grams share the weight, so a whole word scores `weight` whatever its length.
    """
    from whoosh import query as Q

    if len(word) == 1:
        return Q.Prefix(field_name, word, boost=weight)
    grams = _grams(word)
    if len(grams) == 1:
        return Q.Term(field_name, grams[0], boost=weight)
    return Q.And([Q.Term(field_name, g, boost=weight / len(grams)) for g in grams])


def _text(word: str, weight: float = 1.0):
    """A word found in the name (weighted) or in the address, type and services."""
    from whoosh import query as Q

    return Q.Or([_sub("name", word, W_NAME * weight), _sub("text", word, W_TEXT * weight)])


def _types_in(word: str, vocab: _Vocabulary) -> list[tuple[str, str]]:
    """(type, rest of the word) for type names and aliases found inside `word`, longest first."""
    found, seen = [], set()
    for key, kind in vocab.keys:
        if key in word and kind not in seen:
            seen.add(kind)
            found.append((kind, word.replace(key, "", 1)))
    return found


def _word_query(word: str, vocab: _Vocabulary, *, typos: bool):
    """Everything one query word may match."""
    from whoosh import query as Q

    if all("ㄱ" <= c <= "ㅎ" for c in word):
        if len(word) == 1:
            return _sub("chosung", word, W_CHOSUNG)
        plain = "".join(_DOUBLE.get(c, c) for c in word)
        alts = [_sub("chosung", word, W_CHOSUNG)]
        if plain != word:
            alts.append(_sub("chosung", plain, W_CHOSUNG))
        return Q.Or(alts)
    alts = [_text(word)]
    for kind, rest in _types_in(word, vocab)[:3]:
        if len(kind) < 2:
            continue
        type_q = Q.Term("type", kind, boost=W_TYPE)
        rest = rest.strip()
        if rest and len(rest) >= 2:
            alts.append(Q.And([type_q, _text(rest)]))
        elif not rest:
            alts.append(type_q)
    # The needs table lists types most fitting first: 담배 → 금연지원센터 before 보건소.
    for rank, kind in enumerate(_needs_types(word, vocab)):
        alts.append(Q.Term("type", kind, boost=W_NEED / (1 + rank)))
    sido = normalize_sido(word) if len(word) >= 2 else None
    if sido:
        alts.append(Q.Term("sido", sido, boost=W_SIDO))
    if typos and len(word) >= 3 and all("가" <= c <= "힣" for c in word):
        alts += _typo_variants(word)
    return Q.Or(alts)


def _typo_variants(word: str) -> list:
    """The word with any one syllable wrong: the pieces either side of it, all required.

    치매안신센터 gives 치매안+센터 (among others). A three-syllable word keeps to
    names, where its two-syllable piece is telling; longer words also look in
    addresses and services.
    """
    from whoosh import query as Q

    variants = []
    for i in range(len(word)):
        pieces = [p for p in (word[:i], word[i + 1:]) if len(p) >= 2]
        if not pieces or sum(map(len, pieces)) < len(word) - 2:
            continue
        share = W_TYPO / len(pieces)
        if len(word) == 3:
            variants.append(Q.And([_sub("name", p, share) for p in pieces]))
        else:
            variants.append(Q.And([Q.Or([_sub("name", p, share), _sub("text", p, share / 3)])
                                   for p in pieces]))
    return variants


# Words that may follow a need without changing it: 술문제, 치매검사, 우울상담.
_NEED_SUFFIXES = ("문제", "상담", "검사", "검진", "치료", "지원", "관련", "예방", "센터", "기관", "서비스")


def _needs_types(word: str, vocab: _Vocabulary) -> list[str]:
    """Agency types for a needs word, alone, with a generic suffix, or joined (알코올중독)."""
    rest = word
    for suffix in _NEED_SUFFIXES:
        if rest.endswith(suffix) and len(rest) > len(suffix):
            rest = rest[: -len(suffix)]
            break
    types: list[str] = []
    while rest:
        head = next((k for k in sorted(vocab.needs, key=len, reverse=True) if rest.startswith(k)), None)
        if head is None:
            return []
        types += [t for t in vocab.needs[head] if t not in types]
        rest = rest[len(head):]
    return types


def build_query(words: list[str], vocab: _Vocabulary, *, typos=(), loose=False, target=None):
    """The Whoosh query for query words: every word must match (any word, when loose).

    `typos` holds the words that may have one syllable wrong.
    """
    from whoosh import query as Q

    # Generic words (검사, 상담, 지원 …) beside others only rank: "치매 검사" must not
    # lose the 치매안심센터 whose services text happens not to say 검사.
    required = [w for w in words if w not in _NEED_SUFFIXES] or words
    optional = [w for w in words if w not in required]
    parts = [_word_query(w, vocab, typos=w in typos) for w in required]
    q = Q.Or(parts) if loose and len(parts) > 1 else Q.And(parts) if len(parts) > 1 else parts[0]
    if optional:
        q = Q.AndMaybe(q, Q.Or([_word_query(w, vocab, typos=False) for w in optional]))
    if target:
        q = Q.And([q, *[_sub("targets", t) for t in query_words(target)]])
    return q


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
        raise SearchError(f"위치는 '위도,경도' 숫자여야 합니다: {lat!r},{lon!r}") from exc
    if not (32.0 <= lat <= 39.5 and 123.0 <= lon <= 132.5):
        raise SearchError(f"위치가 한국 밖입니다: {lat!r},{lon!r} (위도 32–39.5, 경도 123–132.5)")
    return lat, lon


def parse_point(text: str) -> tuple[float, float]:
    """'37.5,127.1' -> (37.5, 127.1), checked to lie in Korea."""
    parts = [p for p in re.split(r"[,\s]+", str(text or "").strip()) if p]
    if len(parts) != 2:
        raise SearchError(f"위치는 '위도,경도' 형식이어야 합니다: {text!r}")
    return _check_point(*parts)


def resolve_place(db, *, near=None, complex=None, address=None) -> dict | None:
    """A place to search around: a point, a complex by name or id, or an address in the store.

    Returns {"lat", "lon", "label", "approximate"} or None when no place is given.
    """
    if near is not None and near != "":
        lat, lon = near if isinstance(near, (tuple, list)) else parse_point(near)
        lat, lon = _check_point(lat, lon)
        return {"lat": lat, "lon": lon, "label": f"{lat:.5f},{lon:.5f}", "approximate": False}
    if complex:
        from .store import ComplexNotFound, get_complex

        try:
            row = get_complex(db, str(complex).strip())
        except ComplexNotFound as exc:
            raise SearchError(str(exc)) from exc
        if row.get("lat") is None or row.get("lon") is None:
            raise SearchError(f"단지의 위치가 등록되어 있지 않습니다: {row['name']!r}")
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
        raise SearchError(f"주소가 너무 짧습니다: {address!r}")
    parsed, rest = _parse(address)
    if parsed.get("sigungu") and not rest:  # only a region's name: its centre
        centroid = _region_centroid(address)
        if centroid is not None:
            return centroid
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
        raise SearchError(f"주소를 찾을 수 없습니다: {address!r}")
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
    lon, lat = _utmk_to_wgs84(region.x, region.y)
    label = " ".join(x for x in (region.sido, region.sigungu, region.eupmyeondong) if x)
    return {"lat": lat, "lon": lon, "label": label, "approximate": True}


def _utmk_to_wgs84(x, y):
    from pyproj import Transformer

    global _TRANSFORMER
    if _TRANSFORMER is None:
        _TRANSFORMER = Transformer.from_crs("EPSG:5179", "EPSG:4326", always_xy=True)
    return _TRANSFORMER.transform(x, y)


_TRANSFORMER = None


# --- search ----------------------------------------------------------------

SORTS = ("relevance", "distance")
_FILTERS = ("category", "type", "sido", "sigungu")


def search(db, query: str | None = "", *, near=None, radius_km=None, category=None, type=None,
           sido=None, sigungu=None, target=None, sort="relevance", limit=20):
    """Find agencies; returns (results, total).

    `results` are agency dicts in rank order with ``distance_km`` (None without
    a place), ``approximate`` and ``placement_note``; `total` counts every
    match (within the radius, when one is given). `near` is (lat, lon) or
    'lat,lon'; use `resolve_place` for complexes and addresses first.
    A query with no words lists agencies by the filters, nearest first when
    a place is given.
    """
    if sort not in SORTS:
        raise SearchError(f"정렬은 {' 또는 '.join(SORTS)} 중 하나여야 합니다: {sort!r}")
    try:
        limit = int(limit)
    except (TypeError, ValueError) as exc:
        raise SearchError(f"개수는 정수여야 합니다: {limit!r}") from exc
    if not 1 <= limit <= MAX_LIMIT:
        raise SearchError(f"개수는 1–{MAX_LIMIT} 사이여야 합니다: {limit!r}")
    point = None
    if near is not None and near != "":
        point = near if isinstance(near, (tuple, list)) else parse_point(near)
        point = _check_point(*point)
    if radius_km is not None and radius_km != "":
        try:
            radius_km = float(radius_km)
        except (TypeError, ValueError) as exc:
            raise SearchError(f"반경(km)은 숫자여야 합니다: {radius_km!r}") from exc
        if not 0 < radius_km <= 500 or math.isnan(radius_km):
            raise SearchError(f"반경은 0 초과 500 km 이하여야 합니다: {radius_km!r}")
        if point is None:
            raise SearchError("반경을 쓰려면 위치(--near 또는 --complex)가 필요합니다")
    else:
        radius_km = None
    if sort == "distance" and point is None:
        raise SearchError("거리순 정렬에는 위치가 필요합니다")
    filters = {k: v for k, v in (("category", category), ("type", type), ("sido", sido),
                                 ("sigungu", sigungu)) if v}
    if filters.get("sido"):
        filters["sido"] = normalize_sido(filters["sido"]) or filters["sido"]
    words = query_words(query)
    vocab = _vocabulary(db)
    if filters.get("type"):
        filters["type"] = vocab.taxonomy.canonical_type(filters["type"]) or filters["type"]

    for attempt in range(2):
        entry = _entry(db)
        try:
            with _LOCK:
                searcher = _searcher(entry)
                arrays = _arrays(db, entry)
                ranked, total = _run(searcher, arrays, words, vocab, point, radius_km, filters,
                                     target, sort, limit)
            break
        except SearchError:
            raise
        except Exception as exc:  # a damaged index: rebuild it once, then let errors through
            if attempt:
                raise
            log.warning("검색 색인 오류로 다시 만듭니다: %s: %s", exc.__class__.__name__, exc)
            with _LOCK:
                _rebuild(db, entry)
    by_distance = point is not None and (sort == "distance" or not (words or target))
    return _rows(db, ranked, point, by_distance=by_distance), total


def _mask(arrays, filters, point, radius_km):
    """Docnums allowed by the filters and the radius (None: no restriction) and distances."""
    mask = None
    dist = None
    for key, value in filters.items():
        m = arrays[key] == value
        mask = m if mask is None else mask & m
    if point is not None:
        dist = _haversine_km(arrays["lat"], arrays["lon"], point[0], point[1])
        if radius_km is not None:
            # Haversine differs from the geodesic by up to ~0.5%: agencies near
            # the edge are measured exactly, so the radius holds for the figures shown.
            d = np.nan_to_num(dist, nan=np.inf)
            m = d <= radius_km * 1.01
            edge = np.flatnonzero(m & (d > radius_km * 0.99))
            if len(edge):
                from geopy.distance import geodesic

                for i in edge:
                    exact = geodesic(point, (arrays["lat"][i], arrays["lon"][i])).km
                    m[i] = exact <= radius_km
            mask = m if mask is None else mask & m
    if mask is not None:
        mask = mask & arrays["live"]
    return mask, dist


def _run(searcher, arrays, words, vocab, point, radius_km, filters, target, sort, limit):
    """(ranked [(id, score, haversine km)], total) for one search."""
    mask, dist = _mask(arrays, filters, point, radius_km)
    if not words and not target:
        return _browse(arrays, mask, dist, limit)
    allowed = set(np.flatnonzero(mask).tolist()) if mask is not None else None
    if allowed is not None and not allowed:
        return [], 0
    # First every word as typed; then any word of three or more syllables may
    # have one wrong; last, with several words, any word may match.
    for attempt in ("exact", "typos", "loose"):
        if attempt == "exact":
            q = build_query(words, vocab, target=target) if words else build_query_target_only(target)
        elif not words:
            break
        elif attempt == "typos":
            if not any(len(w) >= 3 for w in words):
                continue
            q = build_query(words, vocab, target=target, typos=set(words))
        else:
            if len(words) < 2:
                break
            q = build_query(words, vocab, target=target, typos=set(words), loose=True)
        if point is None:
            results = searcher.search(q, limit=limit, filter=allowed)
            total = len(results)
            ranked = [(int(arrays["ids"][h.docnum]), h.score, None) for h in results]
        else:
            ranked, total = _near(searcher, arrays, q, allowed, dist, sort, limit)
        if total:
            return ranked, total
    return [], 0


def build_query_target_only(target):
    """The query for a target group alone."""
    from whoosh import query as Q

    return Q.And([_sub("targets", t) for t in query_words(target)] or [Q.NullQuery])


def _near(searcher, arrays, q, allowed, dist, sort, limit):
    """Matches ranked near a point: by distance, or by relevance with a distance bonus."""
    docs = np.fromiter(searcher.docs_for_query(q), dtype=np.int64)
    if allowed is not None:
        docs = docs[np.isin(docs, np.fromiter(allowed, dtype=np.int64))]
    total = len(docs)
    if not total:
        return [], 0
    d = np.nan_to_num(dist[docs], nan=np.inf)
    if sort == "distance":
        top = docs[_smallest(d, limit)]
        return [(int(arrays["ids"][i]), None, float(dist[i])) for i in top], total
    near = docs[_smallest(d, NEAR_CANDIDATES)]
    results = searcher.search(q, limit=None, filter=set(near.tolist()))
    hits = [(h.docnum, h.score) for h in results]
    best = max((s for _, s in hits), default=1.0) or 1.0
    scored = []
    for docnum, score in hits:
        km = float(dist[docnum])
        bonus = 0.0 if math.isnan(km) else math.exp(-km / 5.0)
        scored.append((score / best + bonus, docnum, km))
    scored.sort(key=lambda s: (-s[0], s[2] if not math.isnan(s[2]) else 1e9))
    return [(int(arrays["ids"][dn]), s, km) for s, dn, km in scored[:limit]], total


def _smallest(values, k):
    """Indexes of the k smallest values, in order."""
    if len(values) > k:
        part = np.argpartition(values, k)[:k]
    else:
        part = np.arange(len(values))
    return part[np.argsort(values[part], kind="stable")]


def _browse(arrays, mask, dist, limit):
    """No words: the agencies the filters allow, nearest first when there is a place."""
    docs = np.flatnonzero(mask if mask is not None else arrays["live"])
    total = len(docs)
    if dist is not None:
        d = np.nan_to_num(dist[docs], nan=np.inf)
        top = docs[_smallest(d, limit)]
        return [(int(arrays["ids"][i]), None, float(dist[i])) for i in top], total
    top = docs[np.argsort(arrays["ids"][docs], kind="stable")][:limit]
    return [(int(arrays["ids"][i]), None, None) for i in top], total


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
    for agency_id, score, _ in ranked:
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


def close_all() -> None:
    """Close every open index (tests and `reindex` call this)."""
    with _LOCK:
        for entry in _OPEN.values():
            entry.close()
        _OPEN.clear()
        _VOCAB.clear()


def prune_changes(db) -> int:
    """Forget change-log entries every index on this store has seen; returns rows deleted."""
    entry = _OPEN.get(_key(db, index_dir(db)))
    if entry is None or not entry.state:
        return 0
    try:
        with db.conn:
            return db.execute("DELETE FROM search_changes WHERE seq <= ?", [entry.state[1]]).rowcount
    except sqlite3.OperationalError:
        return 0
