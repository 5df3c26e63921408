"""The search index: a Whoosh index of every agency, kept in step with the store.

The index lives next to the store (``<db file>.whoosh/``). Triggers on
``agencies`` log every insert, update and delete in ``search_changes``
(migration ``_search_change_log``); the index remembers the last change it
has seen (a sidecar JSON with the store's id, that sequence number and the
agency count) and, each time it is used, indexes what changed since. A
missing, stale, foreign or damaged index is rebuilt with a logged warning,
never an error. Whoosh analyses and stores; rows always come from SQLite.

`Snapshot` is what a search reads: for the current index generation, the
agency id, liveness and coordinates of every Whoosh document number, and the
postings of a term as a numpy array (read block by block and cached).
"""
from __future__ import annotations

import gc
import json
import logging
import os
import shutil
import sqlite3
import threading
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .normalize import name_key
from .schema import SEARCH_CHANGE_LOG

log = logging.getLogger("directory.search")

INDEX_VERSION = 5  # bump when the schema or analysis changes: old indexes are rebuilt
META_FILE = "yeongye-search.json"
_TRIGGERS = ("agencies_search_insert", "agencies_search_update", "agencies_search_delete")
_CHO = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
POSTINGS_CACHE_IDS = 20_000_000  # ~80 MB of cached postings per open index at most


def chosung(text: str | None) -> str:
    """The initial consonants of the Hangul syllables in `text` (others dropped).

    >>> chosung("강화군치매안심센터")
    'ㄱㅎㄱㅊㅁㅇㅅㅅㅌ'
    """
    return "".join(_CHO[(ord(c) - 0xAC00) // 588] for c in text or "" if "가" <= c <= "힣")


def _schema():
    from whoosh import analysis, fields

    # Names are indexed without spaces as 2-grams, so any part of a compound
    # name (치매 in 강화군치매안심센터) is a term or an AND of terms. 2–3-grams
    # cost 45% more build time for 100,000 agencies (≈95 postings per agency
    # instead of ≈50) and the queries do not need them.
    compact = analysis.NgramAnalyzer(2)
    words = (analysis.RegexTokenizer(r"[0-9A-Za-z가-힣ㄱ-ㅎ]+") | analysis.LowercaseFilter()
             | analysis.NgramFilter(2))
    return fields.Schema(
        # One term per id (the default shift_step indexes 16 for range queries,
        # a third of all postings here); the column gives docnum -> id.
        id=fields.NUMERIC(int, bits=32, shift_step=0, unique=True, sortable=True),
        name=fields.TEXT(analyzer=compact, phrase=False),
        # Initial consonants come from an alphabet of 19: 3-grams keep them precise.
        chosung=fields.TEXT(analyzer=analysis.NgramAnalyzer(2, 3), phrase=False),
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
        # The road address already names the 시도 and 시군구; the lot address
        # adds the 동 or 리 people know a place by.
        "text": " ".join(x for x in (kind, category, road or f"{sido or ''} {sigungu or ''}", lot, dong,
                                     services, targets) if x),
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
    """Create the change log and its triggers if missing (e.g. a table rebuilt); True if created."""
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
    # sqlite_sequence keeps the last seq handed out even when the log is pruned.
    row = db.execute(
        "SELECT (SELECT value FROM meta WHERE key = 'store_id'), "
        "(SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'search_changes'), "
        "(SELECT count(*) FROM agencies)"
    ).fetchone()
    return row[0], row[1], row[2]


# --- what a search reads ---------------------------------------------------------


class Snapshot:
    """One generation of the index: per-document arrays and cached postings."""

    def __init__(self, reader, db):
        self.reader = reader
        self.n = reader.doc_count_all()
        self._leaves = reader.leaf_readers()
        self._postings: dict[tuple[str, str], np.ndarray] = {}
        self._cached = 0
        self._lock = threading.Lock()
        self._read_lock = threading.RLock()
        self.users = 0
        self.retired = False
        if self.n:
            column = reader.column_reader("id")
            self.ids = np.fromiter(iter(column), dtype=np.int64, count=self.n)
        else:
            self.ids = np.zeros(0, dtype=np.int64)
        self.live = np.zeros(self.n, dtype=bool)
        self.live[np.fromiter(reader.all_doc_ids(), dtype=np.int64)] = True
        rows = db.execute("SELECT id, lat, lon, length(name_key) FROM agencies").fetchall()
        top = max([r[0] for r in rows] + [int(self.ids.max()) if self.n else 0]) + 1
        lat = np.full(top, np.nan)
        lon = np.full(top, np.nan)
        name_len = np.full(top, 99, dtype=np.int32)
        if rows:
            table = np.array([(r[0], np.nan if r[1] is None else r[1], np.nan if r[2] is None else r[2],
                               r[3] or 99) for r in rows], dtype=float)
            rid = table[:, 0].astype(np.int64)
            lat[rid], lon[rid], name_len[rid] = table[:, 1], table[:, 2], table[:, 3]
        self.lat, self.lon, self.name_len = lat[self.ids], lon[self.ids], name_len[self.ids]
        self._name_rank = None

    def name_rank(self, db) -> np.ndarray:
        """Each document's place in the 가나다 order of names (for sort='name'), read on first use."""
        if self._name_rank is None:
            order = [r[0] for r in db.execute("SELECT id FROM agencies ORDER BY name_key, id")]
            rank = np.full(int(max(order + [int(self.ids.max()) if self.n else 0])) + 1, len(order))
            rank[np.array(order, dtype=np.int64)] = np.arange(len(order))
            self._name_rank = rank[self.ids]
        return self._name_rank

    def generation(self) -> int:
        return self.reader.generation()

    def postings(self, fieldname: str, text: str) -> np.ndarray:
        """Document numbers holding a term (deleted ones included: mask with `live`)."""
        key = (fieldname, text)
        found = self._postings.get(key)
        if found is not None:
            return found
        parts = []
        # Whoosh readers share file handles (seek, then read): two threads
        # reading at once get each other's bytes (UnpicklingError under load).
        with self._read_lock:
            for leaf, offset in self._leaves:
                if (fieldname, text) not in leaf:
                    continue
                parts.append(_leaf_ids(leaf.postings(fieldname, text)) + offset)
        ids = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        with self._lock:
            if self._cached + len(ids) > POSTINGS_CACHE_IDS:
                self._postings.clear()
                self._cached = 0
            self._postings[key] = ids
            self._cached += len(ids)
        return ids

    def prefix(self, fieldname: str, prefix: str, limit: int = 200) -> list[str]:
        """Terms of a field starting with `prefix` (at most `limit`)."""
        out = []
        with self._read_lock:
            for term in self.reader.expand_prefix(fieldname, prefix):
                out.append(term.decode("utf-8") if isinstance(term, bytes) else term)
                if len(out) >= limit:
                    break
        return out

    def retire(self):
        """Close now if unused, else when the last user lets go."""
        self.retired = True
        if not self.users:
            self.close()

    def close(self):
        self.retired = True
        self.reader.close()


def _leaf_ids(matcher) -> np.ndarray:
    """All ids of a segment's postings, a block at a time.

    Whoosh's public ``all_ids()`` steps through postings one by one in
    Python (≈3× slower on 10 common terms at 100,000 agencies). The
    whoosh3 codec stores each block's ids as deltas; they are read a block at
    a time and summed with numpy. Any other codec goes through the public API.
    """
    needed = ("_read_data", "_next_block", "is_active", "_byteids")
    if not all(hasattr(matcher, a) for a in needed):
        return np.fromiter(matcher.all_ids(), dtype=np.int64)
    blocks = []
    while matcher.is_active():
        matcher._read_data()
        ids = np.asarray(matcher._data[0], dtype=np.int64)
        blocks.append(ids if matcher._byteids else np.cumsum(ids))
        matcher._next_block()
    return np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.int64)


# --- the open indexes ----------------------------------------------------------------


@dataclass
class _Index:
    """One open index, the state of the store it matches, and its current snapshot."""

    path: Path | None
    ix: object
    state: tuple = ()
    snapshot: Snapshot | None = None
    build: str | None = None  # which complete build of the folder this is (another process may rebuild)

    def close(self):
        if self.snapshot is not None:
            self.snapshot.retire()
            self.snapshot = None


_OPEN: dict[str, _Index] = {}
_LOCK = threading.RLock()


def _key(db, path: Path | None) -> str:
    return str(path) if path else f"memory:{id(db.conn)}"


def _read_meta(path: Path) -> dict:
    try:
        return json.loads((path / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_meta(path: Path | None, state: tuple, build: str | None = None) -> None:
    """Record the store state the index matches; `build` names a complete build (kept on updates)."""
    if path is None:
        return
    build = build or _read_meta(path).get("build") or os.urandom(8).hex()
    meta = {"version": INDEX_VERSION, "store_id": state[0], "seq": state[1], "count": state[2],
            "build": build}
    tmp = path / (META_FILE + ".tmp")
    tmp.write_text(json.dumps(meta), encoding="utf-8")
    os.replace(tmp, path / META_FILE)


def _writer(ix, procs: int = 1):
    if procs > 1:  # Whoosh's multiprocessing writer: one segment per process
        return ix.writer(procs=procs, multisegment=True, limitmb=256)
    return ix.writer(limitmb=512, timeout=3.0, delay=0.05)


def _fill(ix, db, *, progress=None, procs: int = 1) -> int:
    """Add a document for every agency to a fresh index; returns how many."""
    writer = _writer(ix, procs)
    n = 0
    try:
        for row in db.execute(_ROW_SQL + " ORDER BY id"):
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


def _build(db, path: Path | None, *, progress=None, procs: int = 1):
    """Build a complete index; on disk it is built aside and swapped in whole."""
    from whoosh import index
    from whoosh.filedb.filestore import RamStorage

    state = _store_state(db)
    if path is None:
        ix = RamStorage().create_index(_schema())
        _fill(ix, db, progress=progress)
        return ix, state
    tag = f"{os.getpid()}-{threading.get_ident()}"
    tmp = path.with_name(f"{path.name}.tmp-{tag}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        ix = index.create_in(str(tmp), _schema())
        _fill(ix, db, progress=progress, procs=procs)
        ix.close()
        _write_meta(tmp, state, build=os.urandom(8).hex())
        old = path.with_name(f"{path.name}.old-{tag}")
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
                    return _Index(path, ix, (meta["store_id"], meta["seq"], meta["count"]),
                                  build=meta.get("build"))
                except Exception as exc:  # whoosh raises many kinds on damaged files
                    reason = f"색인을 열 수 없습니다 ({exc.__class__.__name__}: {exc})"
                gc.collect()
        log.warning("검색 색인을 다시 만듭니다: %s (%s)", path, reason)
    elif path is not None:
        log.warning("검색 색인이 없어 새로 만듭니다: %s", path)
    ix, state = _build(db, path)
    return _Index(path, ix, state, build=_built(path))


def _catch_up(db, entry: _Index) -> None:
    """Index the agencies changed since the index's watermark."""
    from whoosh.index import LockError

    state = _store_state(db)
    if state == entry.state:
        return
    changed = None
    if entry.state and entry.state[0] == state[0] and entry.state[1] <= state[1]:
        changed = [r[0] for r in db.execute(
            "SELECT DISTINCT agency_id FROM search_changes WHERE seq > ?", [entry.state[1]])]
    if changed is None or len(changed) > max(5000, state[2] // 5):
        log.warning("검색 색인을 다시 만듭니다: %s", "변경이 많습니다" if changed else "변경을 추적할 수 없습니다")
        rebuild(db, entry)
        return
    try:
        _update(entry.ix, db, changed)
    except LockError:  # another process is writing: search the index as it is for now
        log.info("검색 색인을 다른 프로세스가 갱신 중입니다; 이전 색인으로 검색합니다")
        return
    except Exception as exc:
        log.warning("검색 색인 갱신 실패, 다시 만듭니다: %s", exc)
        rebuild(db, entry)
        return
    entry.state = state
    _write_meta(entry.path, state)
    _prune(db, state[1])
    if entry.ix.doc_count() != state[2]:
        log.warning("검색 색인의 기관 수(%s)가 데이터베이스(%s)와 달라 다시 만듭니다",
                    entry.ix.doc_count(), state[2])
        rebuild(db, entry)


def _update(ix, db, ids) -> None:
    writer = _writer(ix)
    try:
        present = set()
        for row in _rows_for(db, ids):
            writer.update_document(**_document(row))
            present.add(row[0])
        for agency_id in set(int(i) for i in ids) - present:
            writer.delete_by_term("id", agency_id)
        writer.commit()
    except BaseException:
        writer.cancel()
        raise


def rebuild(db, entry: _Index) -> None:
    """Build an entry's index afresh."""
    entry.close()
    ix, state = _build(db, entry.path)
    entry.ix, entry.state, entry.build = ix, state, _built(entry.path)


def _built(path: Path | None) -> str | None:
    return _read_meta(path).get("build") if path is not None else None


def open_index(db) -> _Index:
    """The index for a store, caught up with it."""
    path = index_dir(db)
    key = _key(db, path)
    with _LOCK:
        if ensure_change_log(db):
            stale = _OPEN.pop(key, None)
            if stale is not None:
                stale.close()
            if path is not None:
                shutil.rmtree(path, ignore_errors=True)
        entry = _OPEN.get(key)
        if entry is not None and path is not None and _read_meta(path).get("build") != entry.build:
            # Another process rebuilt the folder (reindex): drop the old files.
            entry.close()
            entry = None
        if entry is None:
            entry = _OPEN[key] = _open_or_build(db, path)
        _catch_up(db, entry)
        return entry


@contextmanager
def snapshot(db, entry: _Index):
    """The entry's snapshot for the index's latest generation, held while in use.

    A snapshot replaced by a newer generation is closed when its last user
    lets go, so a search in one thread never reads a reader another closed.
    """
    with _LOCK:
        snap = entry.snapshot
        if snap is None or snap.generation() != entry.ix.latest_generation():
            if snap is not None:
                snap.retire()
            entry.snapshot = snap = Snapshot(entry.ix.reader(), db)
        snap.users += 1
    try:
        yield snap
    finally:
        with _LOCK:
            snap.users -= 1
            if snap.retired and not snap.users:
                snap.close()


def index_agencies(db, ids=None, *, progress=None, procs: int | None = None) -> int:
    """Index agencies: all of them (a rebuild) or only `ids`; returns the documents written.

    Searching keeps the index in step on its own; call this after bulk work
    you want searchable at once, or from ``yeongye reindex``. A full build of
    a national-scale store uses two processes where there are two cores
    (`procs` overrides); automatic rebuilds inside a server use one.
    """
    path = index_dir(db)
    key = _key(db, path)
    with _LOCK:
        ensure_change_log(db)
        if ids is None:
            old = _OPEN.pop(key, None)
            if old is not None:
                old.close()
            if procs is None:
                big = db.execute("SELECT count(*) FROM agencies").fetchone()[0] >= 50_000
                procs = min(2, os.cpu_count() or 1) if big and path is not None else 1
            ix, state = _build(db, path, progress=progress, procs=procs)
            _OPEN[key] = _Index(path, ix, state, build=_built(path))
            return state[2]
        entry = open_index(db)
        ids = list(ids)
        _update(entry.ix, db, ids)
        return len(ids)


def remove(db, ids) -> None:
    """Take agencies out of the index (the store's triggers do this on delete too)."""
    entry = open_index(db)
    with _LOCK:
        writer = _writer(entry.ix)
        for agency_id in ids:
            writer.delete_by_term("id", int(agency_id))
        writer.commit()


def close_all() -> None:
    """Close every open index (tests and `reindex` call this)."""
    with _LOCK:
        for entry in _OPEN.values():
            entry.close()
        _OPEN.clear()


def _prune(db, seq: int, keep: int = 10_000) -> None:
    """Drop change-log rows the index has seen once there are many (a busy store must not wait)."""
    try:
        if db.execute("SELECT count(*) FROM search_changes").fetchone()[0] > keep:
            with db.conn:
                db.execute("DELETE FROM search_changes WHERE seq <= ?", [seq])
    except sqlite3.OperationalError as exc:  # locked by a writer: next time
        log.info("변경 기록 정리는 다음에 합니다: %s", exc)


def prune_changes(db) -> int:
    """Forget change-log entries the open index has seen; returns the rows deleted."""
    entry = _OPEN.get(_key(db, index_dir(db)))
    if entry is None or not entry.state:
        return 0
    with db.conn:
        return db.execute("DELETE FROM search_changes WHERE seq <= ?", [entry.state[1]]).rowcount
