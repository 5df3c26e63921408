"""The search index: a Whoosh index of every agency, kept in step with the store.

The index lives next to the store (``<db file>.whoosh/``). Triggers on
``agencies`` log every insert, update and delete in ``search_changes``
(migration ``_search_change_log``); the index remembers the last change it
has seen (a sidecar JSON with the store's id, that sequence number and the
agency count) and, each time it is used, indexes what changed since. A
missing, stale, foreign or damaged index is rebuilt with a logged warning,
never an error: by the caller when it can wait (the CLI), else by a
background thread while searches read the last good index or fall back to
SQL (`IndexNotReady`). Whoosh analyses and stores; rows always come from SQLite.

`Snapshot` is what a search reads: for the current index generation, the
agency id, liveness and coordinates of every Whoosh document number, and the
postings of a term as a numpy array (read block by block and cached).
"""
from __future__ import annotations

import gc
import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import YeongyeError
from .normalize import name_key
from .schema import SEARCH_CHANGE_LOG

try:
    import fcntl
except ImportError:  # Windows: one process builds at a time by convention only
    fcntl = None

log = logging.getLogger("directory.search")

__all__ = [
    "chosung", "index_dir", "ensure_change_log", "Snapshot", "IndexNotReady", "damage_errors",
    "register_plain_search", "rebuild", "report_damage", "refreshing", "wait_for_refresh", "open_index",
    "snapshot", "index_agencies", "remove", "close_all", "prune_changes", "INDEX_VERSION", "META_FILE",
    "INLINE_CHANGES", "REBUILD_CHANGES", "RETRY_SECONDS", "CHILD_BUILD_AGENCIES", "ensure_index",
]

INDEX_VERSION = 6  # bump when the schema or analysis changes: old indexes are rebuilt
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
        "text": " ".join(x for x in (kind, category, _address_text(road) or f"{sido or ''} {sigungu or ''}",
                                     _address_text(lot), dong,
                                     services, targets) if x),
        "targets": targets or "",
    }
    for fieldname, value in (("type", kind), ("category", category), ("sido", sido), ("sigungu", sigungu)):
        if value:
            doc[fieldname] = value
    return doc


# A road address's note in brackets: (여의도동, 한국가정법률상담소), its words, and a place name among them.
_ADDRESS_NOTE = re.compile(r"\(([^)]*)\)")
_NOTE_SEPARATOR = re.compile(r"[,\s]+")
_PLACE_WORD = re.compile(r"\S+(?:동|읍|면|리|가)\d*")


def _address_text(address: str | None) -> str | None:
    """An address with only the place names of its bracketed note: the building named there is
    another agency's (한국가정법률상담소), and 법률 must not find the agency housed in it.

    >>> _address_text("서울특별시 영등포구 국회대로 76가길 14 4층(여의도동, 한국가정법률상담소)")
    '서울특별시 영등포구 국회대로 76가길 14 4층 여의도동'
    """
    if not address:
        return address

    def places(match):
        return " " + " ".join(w for w in _NOTE_SEPARATOR.split(match.group(1)) if _PLACE_WORD.fullmatch(w))

    return " ".join(_ADDRESS_NOTE.sub(places, address).split())


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
        self.closed = False
        if self.n:
            column = reader.column_reader("id")
            self.ids = np.fromiter(iter(column), dtype=np.int64, count=self.n)
        else:
            self.ids = np.zeros(0, dtype=np.int64)
        self.live = np.zeros(self.n, dtype=bool)
        self.live[np.fromiter(reader.all_doc_ids(), dtype=np.int64)] = True
        rows = db.execute("SELECT id, lat, lon, length(name_key), placement, type FROM agencies").fetchall()
        top = max([r[0] for r in rows] + [int(self.ids.max()) if self.n else 0]) + 1
        lat = np.full(top, np.nan)
        lon = np.full(top, np.nan)
        name_len = np.full(top, 99, dtype=np.int32)
        # How exact each position is: the ranking puts an area's centre below a door.
        placement = np.full(top, None, dtype=object)
        # Each agency's type as a small integer (-1 none), for mixing kinds in a ranking.
        kind = np.full(top, -1, dtype=np.int32)
        if rows:
            table = np.array([(r[0], np.nan if r[1] is None else r[1], np.nan if r[2] is None else r[2],
                               r[3] or 99) for r in rows], dtype=float)
            rid = table[:, 0].astype(np.int64)
            lat[rid], lon[rid], name_len[rid] = table[:, 1], table[:, 2], table[:, 3]
            placement[rid] = [r[4] for r in rows]
            codes: dict[str, int] = {}
            kind[rid] = [-1 if r[5] is None else codes.setdefault(r[5], len(codes)) for r in rows]
        self.lat, self.lon, self.name_len = lat[self.ids], lon[self.ids], name_len[self.ids]
        self.placement = placement[self.ids]
        self.kind = kind[self.ids]
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
        self.closed = True
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
#
# A request never builds an index. `open_index(db, wait=False)` (the web) uses
# the index it has, indexes a small backlog of changes itself when nobody else
# is, and hands everything bigger — a missing, foreign, outdated or damaged
# index, a backlog of thousands of changes — to one background thread per
# store (`_refresh`). Meanwhile searches read the last good index or, with
# none, get `IndexNotReady` and answer from SQLite. Across processes (`serve
# --processes 2`, `yeongye reindex`) a lock file beside the index lets one
# build at a time; the others pick the result up by its build id.

INLINE_CHANGES = 1_000  # changed agencies a request may index itself (≈0.5 s); more go to the background
REBUILD_CHANGES = 5_000  # beyond this many changes (or a fifth of the store) a fresh build is quicker


def _rebuild_limit(state: tuple) -> int:
    return max(REBUILD_CHANGES, state[2] // 5)

RETRY_SECONDS = 30.0  # after a failed background build, the next is tried no sooner


class IndexNotReady(YeongyeError):
    """No usable search index for the store yet: one is being built in the background (`reason` says why)."""

    code = "index_not_ready"

    def __init__(self, reason: str = ""):
        super().__init__(reason=reason)
        self.reason = reason


def damage_errors() -> tuple:
    """What using a damaged, half-deleted or foreign index raises (Whoosh unpickles and decompresses)."""
    import pickle
    import struct
    import zlib

    from whoosh.filedb.filestore import StorageError
    from whoosh.filedb.filetables import FileFormatError
    from whoosh.index import IndexError as WhooshIndexError
    from whoosh.reading import ReaderClosed

    return (OSError, EOFError, KeyError, IndexError, ValueError, struct.error, zlib.error,
            pickle.UnpicklingError, WhooshIndexError, ReaderClosed, StorageError, FileFormatError)


@dataclass
class _Index:
    """One open index, the state of the store it matches, and its current snapshot."""

    path: Path | None
    ix: object
    state: tuple = ()
    snapshot: Snapshot | None = None
    build: str | None = None  # which complete build of the folder this is (another process may rebuild)
    key: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)  # one catch-up at a time
    snap_lock: threading.Lock = field(default_factory=threading.Lock)  # one new snapshot at a time
    outdated: bool = False  # too far behind the store: being rebuilt in the background

    def close(self):
        if self.snapshot is not None:
            self.snapshot.retire()
            self.snapshot = None


_OPEN: dict[str, _Index] = {}
_LOCK = threading.RLock()  # guards _OPEN, _JOBS and snapshot hand-over; never held while building
_JOBS: dict[str, threading.Thread] = {}
_FAILED: dict[str, float] = {}


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
    tmp = path / (META_FILE + f".tmp-{os.getpid()}-{threading.get_ident()}")
    tmp.write_text(json.dumps(meta), encoding="utf-8")
    os.replace(tmp, path / META_FILE)


def _writer(ix, procs: int = 1, timeout: float = 3.0):
    if procs > 1:  # Whoosh's multiprocessing writer: one segment per process
        return ix.writer(procs=procs, multisegment=True, limitmb=256)
    return ix.writer(limitmb=512, timeout=timeout, delay=0.05)


@contextmanager
def _store_lock(path: Path | None):
    """Hold the store's build lock (a lock file beside the index): one build at a time, across processes.

    An flock belongs to an open file, so two threads of one process exclude
    each other too.
    """
    if path is None or fcntl is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


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


def _clean_stale_builds(path: Path) -> list[Path]:
    """Remove the folders of builds that were killed (``<index>.tmp-*``, ``<index>.old-*``); returns them.

    Called only under the store's build lock: the one build that may be
    live then is the caller's, and it has not made its folder yet.
    """
    stale = [p for pattern in (f"{path.name}.tmp-*", f"{path.name}.old-*") for p in path.parent.glob(pattern)
             if p.is_dir()]
    for folder in stale:
        log.warning("끝나지 못한 색인 만들기의 폴더를 지웁니다: %s", folder)
        shutil.rmtree(folder, ignore_errors=True)
    return stale


def _build(db, path: Path | None, *, progress=None, procs: int = 1):
    """Build a complete index; on disk it is built aside and swapped in whole.

    The caller holds the store's build lock (`_store_lock`; a child build's
    parent holds it for the child), so folders left by killed builds are
    cleaned here first.
    """
    from whoosh import index
    from whoosh.filedb.filestore import RamStorage

    state = _store_state(db)
    if path is None:
        ix = RamStorage().create_index(_schema())
        _fill(ix, db, progress=progress)
        return ix, state
    _clean_stale_builds(path)
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


def _try_open(db, path: Path | None) -> tuple[_Index | None, str]:
    """The index on disk if it is this store's and opens; else (None, why not)."""
    from whoosh import index

    if path is None:
        return None, "메모리 데이터베이스"
    if not path.exists():
        return None, "색인이 없습니다"
    meta = _read_meta(path)
    state = _store_state(db)
    if meta.get("version") != INDEX_VERSION:
        return None, "색인 버전이 다릅니다"
    if meta.get("store_id") != state[0]:
        return None, "다른 데이터베이스의 색인입니다"
    if meta.get("seq", 0) > state[1]:
        return None, "색인이 데이터베이스보다 앞서 있습니다"
    # Whoosh leaves a file open when it fails on a damaged index; it is
    # closed here, quietly: the damage is reported as a logged warning.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            ix = index.open_dir(str(path))
            ix.doc_count()
            return _Index(path, ix, (meta["store_id"], meta["seq"], meta["count"]), build=meta.get("build"),
                          key=_key(db, path)), ""
        except Exception as exc:  # whoosh raises many kinds on damaged files
            reason = f"색인을 열 수 없습니다 ({exc.__class__.__name__}: {exc})"
        gc.collect()
    return None, reason


def _open_or_build(db, path: Path | None) -> _Index:
    """Open the index on disk, or build it here and now (with a warning) if missing or unusable."""
    entry, reason = _try_open(db, path)
    if entry is not None:
        return entry
    if path is not None:
        log.warning("검색 색인을 다시 만듭니다: %s (%s)", path, reason)
    with _store_lock(path):
        entry, _ = _try_open(db, path)  # another process may have built it while this one waited
        if entry is not None:
            return entry
        ix, state = _build(db, path)
    return _Index(path, ix, state, build=_built(path), key=_key(db, path))


def _pending(db, entry: _Index, state: tuple) -> int | None:
    """How many agencies changed since the entry's watermark (None: it cannot tell)."""
    if not entry.state or entry.state[0] != state[0] or entry.state[1] > state[1]:
        return None
    return db.execute("SELECT count(DISTINCT agency_id) FROM search_changes WHERE seq > ?",
                      [entry.state[1]]).fetchone()[0]


def _adopt_disk_state(entry: _Index) -> None:
    """Another process caught the same folder up: take over its watermark instead of redoing its work."""
    if entry.path is None:
        return
    meta = _read_meta(entry.path)
    if (meta.get("build") == entry.build and entry.state and meta.get("store_id") == entry.state[0]
            and meta.get("seq", 0) > entry.state[1]):
        entry.state = (meta["store_id"], meta["seq"], meta["count"])


def _catch_up(db, entry: _Index, *, wait: bool = True) -> None:
    """Index the agencies changed since the index's watermark.

    With `wait` false (a request) only a backlog of at most `INLINE_CHANGES`
    is indexed here, and only when no other thread is at it; a bigger one
    starts the background refresh and the search reads the index as it is,
    unless the index is so far behind that it must be rebuilt: then it is
    set aside and `IndexNotReady` raised.
    """
    from whoosh.index import LockError

    state = _store_state(db)
    if state == entry.state:
        return
    _adopt_disk_state(entry)
    if state == entry.state:
        return
    if not wait and _running(entry.key):
        return
    pending = _pending(db, entry, state)
    if pending is None or pending > _rebuild_limit(state):
        reason = "변경이 많습니다" if pending else "변경을 추적할 수 없습니다"
        if wait:
            log.warning("검색 색인을 다시 만듭니다: %s", reason)
            rebuild(db, entry)
            return
        # Far behind (a big import): its answers would miss most of the new
        # agencies. Once the background refresh has read the plain table the
        # plain search answers instead, until the new index is in.
        with _LOCK:
            if not entry.outdated:  # the first of the threads that saw it
                log.warning("검색 색인이 많이 뒤처져 백그라운드에서 다시 만듭니다: %s (%s)", entry.path, reason)
                entry.outdated = True
        _start_refresh(db, entry.path)
        _check_outdated(entry)
        return
    if not wait and pending > INLINE_CHANGES:
        _start_refresh(db, entry.path)
        return
    if not entry.lock.acquire(blocking=wait):
        return  # another thread is indexing the same changes
    try:
        _apply_changes(db, entry, state, timeout=3.0 if wait else 0.2)
    except LockError:  # another process is writing: search the index as it is for now
        log.info("검색 색인을 다른 프로세스가 갱신 중입니다; 이전 색인으로 검색합니다")
    except damage_errors() as exc:
        log.warning("검색 색인 갱신 실패, 다시 만듭니다: %s", exc)
        if wait:
            rebuild(db, entry)
        else:
            report_damage(db, entry, exc)
    finally:
        entry.lock.release()


# The plain search lives in directory/search.py, which imports this module; it
# registers itself here, so a rebuild can warm and drop its table without an
# import back up (search.py is always loaded before anything asks for a rebuild).
_PLAIN_HOOKS = {"ready": lambda key: False, "warm": lambda db: None, "drop": lambda key: None}


def register_plain_search(*, ready, warm, drop) -> None:
    """Let the rebuild ask whether the plain table is read (`ready(key)`), read it (`warm(db)`), drop it."""
    _PLAIN_HOOKS.update(ready=ready, warm=warm, drop=drop)


def _check_outdated(entry: _Index) -> None:
    """An outdated index is used only until the plain search can answer (its table is read)."""
    if entry.outdated and _PLAIN_HOOKS["ready"](entry.key):
        raise IndexNotReady("색인을 다시 만드는 중입니다")


def _apply_changes(db, entry: _Index, state: tuple, *, timeout: float = 3.0, progress=None) -> None:
    """Write the changed agencies into the entry's index and move its watermark."""
    changed = [r[0] for r in db.execute(
        "SELECT DISTINCT agency_id FROM search_changes WHERE seq > ? AND seq <= ?",
        [entry.state[1], state[1]])]
    _update(entry.ix, db, changed, timeout=timeout, progress=progress)
    entry.state = state
    _write_meta(entry.path, state)
    _prune(db, state[1])
    if entry.ix.doc_count() != state[2]:
        raise ValueError(f"검색 색인의 기관 수({entry.ix.doc_count()})가 데이터베이스({state[2]})와 다릅니다")


def _update(ix, db, ids, *, timeout: float = 3.0, progress=None) -> None:
    writer = _writer(ix, timeout=timeout)
    try:
        present = set()
        for row in _rows_for(db, ids):
            writer.update_document(**_document(row))
            present.add(row[0])
            if progress and len(present) % 1000 == 0:
                progress(1000)
        for agency_id in set(int(i) for i in ids) - present:
            writer.delete_by_term("id", agency_id)
        writer.commit()
    except BaseException:
        writer.cancel()
        raise


def rebuild(db, entry: _Index) -> None:
    """Build an entry's index afresh, here and now (the CLI; a request starts `_refresh` instead)."""
    entry.close()
    with _store_lock(entry.path):
        ix, state = _build(db, entry.path)
    entry.ix, entry.state, entry.build = ix, state, _built(entry.path)


def _built(path: Path | None) -> str | None:
    return _read_meta(path).get("build") if path is not None else None


# --- the background refresh ---------------------------------------------------------


def _running(key: str) -> bool:
    job = _JOBS.get(key)
    return job is not None and job.is_alive()


def _db_file(db) -> str | None:
    for _, name, filename in db.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return filename or None
    return None


def _start_refresh(db, path: Path | None, *, damaged: str | None = None) -> bool:
    """Start the store's background refresh unless one runs (or failed moments ago); True if running."""
    filename = _db_file(db)
    if path is None or filename is None:
        return False
    key = str(path)
    with _LOCK:
        if _running(key):
            return True
        if time.monotonic() - _FAILED.get(key, -RETRY_SECONDS) < RETRY_SECONDS:
            return False
        job = threading.Thread(target=_refresh, args=(key, filename, path, damaged),
                               name=f"search-index {path.name}", daemon=True)
        _JOBS[key] = job
        job.start()
        return True


def _refresh(key: str, filename: str, path: Path, damaged: str | None) -> None:
    """Make the store's index good and install it, off the request path.

    Under the store's build lock: open the index on disk (unless it is the
    damaged build), catch it up or build it afresh, open its snapshot, then
    hand it to the searches in one step. Errors are logged; the next search
    tries again after `RETRY_SECONDS`.
    """
    from .store import connect

    started = time.perf_counter()
    db = connect(filename, migrate_schema=False)
    try:
        current = _OPEN.get(key)
        if current is None or current.outdated:  # searches answer without an index meanwhile: the fast path
            _PLAIN_HOOKS["warm"](db)
        with _store_lock(path):
            entry, reason = None, "손상된 색인입니다"
            if damaged is None or _read_meta(path).get("build") != damaged:
                entry, reason = _try_open(db, path)
            snap = None
            if entry is not None:
                try:
                    state = _store_state(db)
                    pending = _pending(db, entry, state)
                    if pending is None or pending > _rebuild_limit(state):
                        entry, reason = None, "변경이 많습니다" if pending else "변경을 추적할 수 없습니다"
                    elif state != entry.state:
                        _apply_changes(db, entry, state)
                    if entry is not None:
                        snap = Snapshot(entry.ix.reader(), db)
                except damage_errors() as exc:
                    entry, reason = None, f"{exc.__class__.__name__}: {exc}"
            if entry is None:
                log.warning("검색 색인을 백그라운드에서 다시 만듭니다: %s (%s)", path, reason)
                ix, state = _build_aside(db, path, filename)
                entry = _Index(path, ix, state, build=_built(path), key=key)
                snap = Snapshot(ix.reader(), db)
            entry.snapshot = snap
        with _LOCK:
            old = _OPEN.get(key)
            _OPEN[key] = entry
            _FAILED.pop(key, None)
        if old is not None and old is not entry:
            with _LOCK:
                old.close()
        _PLAIN_HOOKS["drop"](key)
        log.info("검색 색인 준비 완료: %s (기관 %s곳, %.1f초)", path, entry.state[2], time.perf_counter() - started)
    except Exception:
        _FAILED[key] = time.monotonic()
        log.exception("검색 색인을 만들지 못했습니다: %s", path)
    finally:
        db.conn.close()


CHILD_BUILD_AGENCIES = 20_000  # from this size a server's rebuild runs in a child process


def _build_aside(db, path: Path, filename: str):
    """A full build for the background refresh (the caller holds the store lock).

    Whoosh indexes in pure Python: a build thread inside a serving process
    holds the GIL against its request threads, and under 20 clients a
    100,000-agency build did not finish in 15 minutes. A large store is
    therefore built by a child process (``python -m directory.search_index``),
    which the request threads do not compete with for the interpreter.
    """
    from whoosh import index

    if db.execute("SELECT count(*) FROM agencies").fetchone()[0] < CHILD_BUILD_AGENCIES:
        return _build(db, path)
    state = _store_state(db)
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-m", "directory.search_index", filename], cwd=root, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if done.returncode != 0:
        raise OSError(f"색인 만들기 프로세스 실패 ({done.returncode}): {done.stderr.strip()[-500:]}")
    meta = _read_meta(path)
    return index.open_dir(str(path)), (meta.get("store_id", state[0]), meta.get("seq", state[1]),
                                       meta.get("count", state[2]))


def report_damage(db, entry: _Index, exc: BaseException) -> None:
    """A search found the index damaged: stop using it and rebuild it in the background."""
    log.warning("검색 색인이 손상되어 백그라운드에서 다시 만듭니다: %s (%s: %s)", entry.path,
                exc.__class__.__name__, exc)
    with _LOCK:
        if _OPEN.get(entry.key) is entry:
            del _OPEN[entry.key]
            entry.close()
    _start_refresh(db, entry.path, damaged=entry.build)


def refreshing(db) -> bool:
    """Whether a background refresh of the store's index is under way in this process."""
    return _running(_key(db, index_dir(db)))


def wait_for_refresh(db, timeout: float | None = None) -> bool:
    """Wait for the store's background refresh (tests, benchmarks); True when none is left running."""
    job = _JOBS.get(_key(db, index_dir(db)))
    if job is not None:
        job.join(timeout)
    return not _running(_key(db, index_dir(db)))


def open_index(db, *, wait: bool = True) -> _Index:
    """The index for a store, caught up with it.

    With `wait` (the CLI, scripts) a missing or unusable index is built here.
    Without it (a web request) nothing big happens here: the last good index
    is returned while a background refresh runs, or `IndexNotReady` raised
    when there is none.
    """
    path = index_dir(db)
    key = _key(db, path)
    if path is None:
        wait = True  # an in-memory store is private to its connection: built here (and small)
    while True:
        with _LOCK:
            if ensure_change_log(db):
                # Changes went unlogged: the index cannot be trusted. Without its
                # meta file every process sees that it must be rebuilt.
                stale = _OPEN.pop(key, None)
                if stale is not None:
                    stale.close()
                if path is not None:
                    (path / META_FILE).unlink(missing_ok=True)
            entry = _OPEN.get(key)
            job = _running(key)
            if entry is not None and path is not None and not job and _read_meta(path).get("build") != entry.build:
                # Another process rebuilt the folder (reindex) or it was damaged.
                if wait:
                    _OPEN.pop(key).close()
                    entry = None
                else:  # the index this process has answers until the refresh installs the new one
                    _start_refresh(db, path)
            if entry is None and not job:
                entry, reason = _try_open(db, path)
                if entry is not None:
                    _OPEN[key] = entry
                elif not wait:
                    if path.exists():
                        log.warning("검색 색인을 쓸 수 없어 백그라운드에서 다시 만듭니다: %s (%s)", path, reason)
                    _start_refresh(db, path)
                    raise IndexNotReady(reason)
            if entry is None and not wait:
                raise IndexNotReady("색인을 만드는 중입니다")
        if entry is None:
            if job:  # the CLI in a process that also started a refresh (tests): let it finish
                wait_for_refresh(db)
                continue
            with _LOCK:
                entry = _OPEN.get(key)
                if entry is None:
                    entry = _OPEN[key] = _open_or_build(db, path)
        if entry.outdated and not wait:
            _check_outdated(entry)
            if not _running(key):
                _start_refresh(db, path)
            return entry
        _catch_up(db, entry, wait=wait)
        return entry


@contextmanager
def snapshot(db, entry: _Index):
    """The entry's snapshot for the index's latest generation, held while in use.

    A snapshot replaced by a newer generation is closed when its last user
    lets go, so a search in one thread never reads a reader another closed.
    One thread opens the newer snapshot (≈1 s at 100,000 agencies) while the
    others keep searching the one they have.
    """
    with _LOCK:
        snap = entry.snapshot
        usable = snap is not None and not snap.closed
        if usable and (_running(entry.key) or snap.generation() == entry.ix.latest_generation()):
            snap.users += 1
        else:
            snap = None
    if snap is None:
        if entry.snap_lock.acquire(blocking=not usable):
            try:
                with _LOCK:
                    current = entry.snapshot
                    if current is not None and not current.closed and \
                            current.generation() == entry.ix.latest_generation():
                        snap = current
                        snap.users += 1
                if snap is None:
                    fresh = Snapshot(entry.ix.reader(), db)
                    with _LOCK:
                        old, entry.snapshot = entry.snapshot, fresh
                        fresh.users += 1
                        if old is not None:
                            old.retire()
                    snap = fresh
            finally:
                entry.snap_lock.release()
        else:  # another thread is opening the newer one
            with _LOCK:
                snap = entry.snapshot
                if snap is None or snap.closed:
                    raise IndexNotReady("색인을 여는 중입니다")
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
    (`procs` overrides); background rebuilds inside a server use one.
    Servers searching the same store meanwhile keep their index until the
    new one is swapped in.
    """
    path = index_dir(db)
    key = _key(db, path)
    ensure_change_log(db)
    if ids is None:
        if procs is None:
            big = db.execute("SELECT count(*) FROM agencies").fetchone()[0] >= 50_000
            procs = min(2, os.cpu_count() or 1) if big and path is not None else 1
        with _store_lock(path):
            ix, state = _build(db, path, progress=progress, procs=procs)
        with _LOCK:
            old = _OPEN.pop(key, None)
            if old is not None:
                old.close()
            _OPEN[key] = _Index(path, ix, state, build=_built(path), key=key)
        return state[2]
    entry = open_index(db)
    ids = list(ids)
    with entry.lock:
        _update(entry.ix, db, ids)
    return len(ids)


def ensure_index(db, *, progress=None, on_total=None, procs: int | None = None) -> str:
    """Make the store's index ready now, before anyone searches (``demo``, ``import``, ``serve``).

    Returns what was done: ``"current"`` (nothing to do), ``"updated"`` (the
    agencies changed since the index's watermark were indexed) or
    ``"built"`` (missing, foreign, outdated, damaged or too far behind: a
    full build, as `index_agencies`). `on_total(n)` is told how many
    agencies will be indexed before `progress(k)` counts them (a progress bar).
    """
    path = index_dir(db)
    key = _key(db, path)
    wait_for_refresh(db)
    with _LOCK:
        if ensure_change_log(db):  # changes went unlogged: only a full build can be trusted
            stale = _OPEN.pop(key, None)
            if stale is not None:
                stale.close()
            if path is not None:
                (path / META_FILE).unlink(missing_ok=True)
        entry = _OPEN.get(key)
        if entry is not None and path is not None and _read_meta(path).get("build") != entry.build:
            _OPEN.pop(key).close()  # another process rebuilt the folder
            entry = None
        if entry is None:
            entry, _ = _try_open(db, path)
            if entry is not None:
                _OPEN[key] = entry
    if entry is not None:
        _adopt_disk_state(entry)
        state = _store_state(db)
        if state == entry.state:
            return "current"
        pending = _pending(db, entry, state)
        if pending is not None and pending <= _rebuild_limit(state) and not entry.outdated:
            if on_total:
                on_total(pending)
            try:
                with entry.lock:
                    _apply_changes(db, entry, state, progress=progress)
                return "updated"
            except damage_errors() as exc:
                log.warning("검색 색인 갱신 실패, 다시 만듭니다: %s", exc)
    if on_total:
        on_total(db.execute("SELECT count(*) FROM agencies").fetchone()[0])
    index_agencies(db, progress=progress, procs=procs)
    return "built"


def remove(db, ids) -> None:
    """Take agencies out of the index (the store's triggers do this on delete too)."""
    entry = open_index(db)
    with entry.lock:
        writer = _writer(entry.ix)
        for agency_id in ids:
            writer.delete_by_term("id", int(agency_id))
        writer.commit()


def close_all() -> None:
    """Close every open index, once background refreshes have finished (tests and `reindex` call this)."""
    for job in list(_JOBS.values()):
        job.join()
    with _LOCK:
        for entry in _OPEN.values():
            entry.close()
        _OPEN.clear()
        _JOBS.clear()
        _FAILED.clear()


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


if __name__ == "__main__":  # the child process of a server's background rebuild (`_build_aside`)
    from .store import connect as _connect

    _db = _connect(sys.argv[1], migrate_schema=False)
    try:
        _build(_db, index_dir(_db))  # the parent holds the store's build lock meanwhile
    finally:
        _db.conn.close()
