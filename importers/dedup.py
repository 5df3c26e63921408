"""Duplicates across lists: one agency, every source row kept.

Two agencies from different lists are the same when

- their names are the same once spaces, punctuation and the type's alias are
  normalised (기장군 정신건강증진센터 = 기장군정신건강복지센터) and they sit in
  the same 시군구 (and, when both have real coordinates, within 1.2 km);
- they share an address with a building number and their types agree; or
- their names are similar (rapidfuzz) and they are within 100 m; or
- one is a centre whose name was made from its place (importers.naming:
  the list named its operator, ``강원대학교병원`` → ``춘천시정신건강복지센터``)
  and the other is the only centre of that type and level (기초/광역) in the
  same 시군구 (광역: 시도) in its own list, as the first is in its list
  ("same-place"); the centre keeps the other list's name.

Pairs that come close without meeting a rule are near-misses, reported for a
person to confirm or split. Never merged automatically: two rows of one list
(the list's own importer decides those), and two branches (치매안심센터 that
differ in name, or any name with 분소/분원/지소…) that merely share an
operator or a building. Every merge is logged in `agency_merges` with what it
moved, so `split` can undo it; a person's verdict goes to `dedup_decisions`
and re-imports respect it.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import asdict, dataclass

from rapidfuzz import fuzz

from directory import audit
from directory.actors import require_admin
from directory.errors import YeongyeError
from directory.store import AgencyNotFound, now
from directory.vocabulary import BRANCHED_TYPES, PLACEMENT_RANK, PRECISE
from directory.taxonomy import Taxonomy

from .common import (AGENCY_COLUMNS, SAME_PLACE_METRES, CanonicalNames, canonical_key, conn_taxonomy, distance_m,
                     has_number)
from .naming import CENTRE_TYPES, centre_level, is_place_name, local_key

__all__ = ["MergeError", "Candidate", "IndexedAgency", "AgencyIndex", "judge", "find_duplicates", "auto_merge", "merge_agencies",
           "split_merge", "decide", "confirm_merge", "merge_log", "duplicate_report", "canonical_key",
           "NEAR_METRES", "SIMILAR_NAME"]


class MergeError(YeongyeError, ValueError):
    """Two agencies cannot be merged, or a merge split or judged, as asked."""

    code = "merge_error"


NEAR_METRES = 100.0  # "similar name within 100 m"
NEAR_MISS_METRES = 1000.0
SIMILAR_NAME = 85.0  # rapidfuzz ratio of the names without their type
NEAR_MISS_NAME = 60.0
BRANCH = re.compile(r"분소|분원|지소|분관|출장소|분실|지점|지원센터\d|\d호점")
RULE_ORDER = {"decision": 0, "same-address": 1, "same-name": 2, "similar-name-near": 3, "same-place": 4}


@dataclass
class Candidate:
    """A pair of agencies that may be one: the rule, and whether it merges."""

    a: int
    b: int
    rule: str
    decision: str  # "merge" or "near-miss"
    score: float
    distance_m: float | None
    a_name: str = ""
    b_name: str = ""

    def as_dict(self) -> dict:
        """Plain dict for JSON."""
        return asdict(self)


@dataclass(slots=True)
class IndexedAgency:
    """One agency as the duplicate rules see it: canonical name, address key, position, sources."""

    id: int
    name: str
    stem: str
    canon: str
    type: str | None
    address_key: str
    sido: str | None
    sigungu: str | None
    lat: float | None
    lon: float | None
    precise: bool
    sources: frozenset
    branch: bool
    place: tuple | None = None  # (type, level, 시도, 시군구) of a centre type, for the same-place rule
    made_name: bool = False  # its name was made from its place (importers.naming)


class AgencyIndex:
    """Every agency with the keys the rules block on: canonical name, address, 100 m grid cell.

    With `query` (the agencies an import has just written), the index is cut
    to what can match them: the rules never pair two agencies that share a
    source, so when every queried agency holds a common source (one list's
    run), the other agencies of that list are left out, and the queried ones
    are held for lookup but not blocked on (they can only pair with other
    lists). Without a common source, every agency is indexed.
    """

    CELL = 0.001  # degrees of latitude, about 111 m; longitude cells scaled at 36°N

    def __init__(self, conn, *, tax: Taxonomy | None = None, query=None):
        self.conn = conn
        names = CanonicalNames(tax or conn_taxonomy(conn))
        sources: dict[int, set] = defaultdict(set)
        interned: dict = {}
        for agency_id, source in conn.execute("SELECT agency_id, source FROM agency_sources"):
            sources[agency_id].add(interned.setdefault(source, source))
        self.agencies: dict[int, IndexedAgency] = {}
        self.by_canon: dict[str, list[int]] = defaultdict(list)
        self.by_address: dict[str, list[int]] = defaultdict(list)
        self.grid: dict[tuple[int, int], list[int]] = defaultdict(list)
        self.by_place: dict[tuple, list[int]] = defaultdict(list)
        # (place, source) -> how many agencies of that list are there (blocked or not).
        self.place_counts: dict[tuple, int] = defaultdict(int)
        query = set(query) if query is not None else set()
        common = _common_sources(conn, query, sources) if query else frozenset()
        shared: dict = {}  # one copy of each repeated 시도, 시군구, type string
        for row in conn.execute(
            "SELECT id, name, name_key, type, address_key, sido, sigungu, lat, lon, placement, source, type_raw "
            "FROM agencies"
        ):
            agency_sources = sources.get(row[0]) or {row[10]}
            if common:
                queried = row[0] in query
                if not queried and not common.isdisjoint(agency_sources):
                    continue  # the same list as every queried agency: never their duplicate
            else:
                queried = False
            row = (*row[:3], shared.setdefault(row[3], row[3]), row[4], shared.setdefault(row[5], row[5]),
                   shared.setdefault(row[6], row[6]), *row[7:11], row[11] if len(row) > 11 else None)
            self.add(row, names, agency_sources, block=not queried)

    def add(self, row, names: CanonicalNames, sources, *, block: bool = True) -> None:
        """Hold one agency; with `block`, also under its name, address and grid cell for `neighbours`."""
        agency_id, name, nkey, kind, akey, sido, sigungu, lat, lon, placement, _source, *more = row
        type_raw = more[0] if more else None
        stem, type_key = names.split(local_key(nkey or "", sido))
        agency = IndexedAgency(agency_id, name, stem, stem + type_key, kind, akey or "", sido, sigungu, lat, lon,
                         placement in PRECISE and lat is not None, frozenset(s for s in sources if s),
                         bool(BRANCH.search(name or "")))
        if kind in CENTRE_TYPES and sido:
            level = centre_level(name, type_raw)
            if level == "광역" or sigungu:
                agency.place = (kind, level, sido, None if level == "광역" else "".join(sigungu.split()))
                agency.made_name = is_place_name(name, kind, sido, sigungu, type_raw)
                for source in agency.sources or {_source}:
                    self.place_counts[(agency.place, source)] += 1
        self.agencies[agency_id] = agency
        if agency.place is not None:
            self.by_place[agency.place].append(agency_id)
        if not block:
            return
        self.by_canon[agency.canon].append(agency_id)
        if agency.address_key and has_number(agency.address_key):
            self.by_address[agency.address_key].append(agency_id)
        if agency.precise:
            self.grid[self.cell(lat, lon)].append(agency_id)

    def cell(self, lat: float, lon: float) -> tuple[int, int]:
        return int(lat / self.CELL), int(lon / (self.CELL * 1.24))

    def neighbours(self, agency: IndexedAgency):
        """Agencies sharing a canonical name or address, or within about 100–200 m."""
        seen = {agency.id}
        for other in self.by_canon.get(agency.canon, ()):
            if other not in seen:
                seen.add(other)
                yield other
        for other in self.by_address.get(agency.address_key, ()) if agency.address_key else ():
            if other not in seen:
                seen.add(other)
                yield other
        for other in self.by_place.get(agency.place, ()) if agency.place is not None else ():
            if other not in seen:
                seen.add(other)
                yield other
        if agency.precise:
            cy, cx = self.cell(agency.lat, agency.lon)
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    for other in self.grid.get((cy + dy, cx + dx), ()):
                        if other not in seen:
                            seen.add(other)
                            yield other

    def remove(self, agency_id: int) -> None:
        agency = self.agencies.pop(agency_id, None)
        if agency is None:
            return
        for table, key in ((self.by_canon, agency.canon), (self.by_address, agency.address_key),
                           (self.by_place, agency.place)):
            if key in table and agency_id in table[key]:
                table[key].remove(agency_id)
        if agency.precise:
            cell = self.grid.get(self.cell(agency.lat, agency.lon), [])
            if agency_id in cell:
                cell.remove(agency_id)

    def alone(self, agency: IndexedAgency) -> bool:
        """Whether the agency is the only centre of its type and level at its place in each of its lists."""
        return agency.place is not None and all(self.place_counts.get((agency.place, s), 0) <= 1
                                                 for s in agency.sources)


def _common_sources(conn, ids: set, sources: dict) -> frozenset:
    """The sources every agency of `ids` holds (empty when they have none in common)."""
    common = None
    missing = []
    for agency_id in ids:
        held = sources.get(agency_id)
        if not held:
            missing.append(agency_id)  # no source rows: the agency's own source column stands in
            continue
        held = frozenset(s for s in held if s)
        common = held if common is None else common & held
        if not common:
            return frozenset()
    for start in range(0, len(missing), 500):
        chunk = missing[start:start + 500]
        for (source,) in conn.execute(f"SELECT source FROM agencies WHERE id IN ({', '.join('?' * len(chunk))})",
                                      chunk):
            held = frozenset([source]) if source else frozenset()
            common = held if common is None else common & held
            if not common:
                return frozenset()
    return common or frozenset()


def judge(a: IndexedAgency, b: IndexedAgency, decisions: dict | None = None,
          index: AgencyIndex | None = None) -> Candidate | None:
    """The rule that makes `a` and `b` one agency, a near-miss, or None (`index` for the same-place rule)."""
    if a.sources & b.sources:
        return None  # rows of one list: the list's importer has decided
    pair = lambda rule, decision, score, dist: Candidate(  # noqa: E731
        a.id, b.id, rule, decision, round(score, 1), None if dist is None else round(dist, 1), a.name, b.name)
    verdict = decisions.get(frozenset((a.id, b.id))) if decisions else None
    if verdict == "distinct":
        return None
    if verdict != "same":
        # Cheap refusals first: most neighbours in a name or grid block fail here.
        if a.sido and b.sido and a.sido != b.sido:
            return None
        if a.sigungu and b.sigungu and a.sigungu != b.sigungu and not _same_sigungu(a.sigungu, b.sigungu):
            return None
    dist = distance_m(a.lat, a.lon, b.lat, b.lon) if a.precise and b.precise else None
    if verdict == "same":
        return pair("decision", "merge", 100.0, dist)
    type_ok = a.type == b.type or a.type is None or b.type is None
    same_name = a.canon == b.canon and a.canon
    same_address = a.address_key and a.address_key == b.address_key
    if not same_name and not same_address and a.place is not None and a.place == b.place and (
            a.made_name or b.made_name):
        # 강원대학교병원 (named 춘천시정신건강복지센터 here) and the other list's centre of 춘천시.
        score = 100.0 if a.stem == b.stem else fuzz.ratio(a.stem, b.stem)
        alone = index is not None and index.alone(a) and index.alone(b)
        return pair("same-place", "merge" if alone else "near-miss", score, dist)
    if not same_name and not same_address and (dist is None or dist > NEAR_MISS_METRES or not type_ok):
        return None
    score = 100.0 if a.stem == b.stem else fuzz.ratio(a.stem, b.stem)
    branches = (a.branch or b.branch or (a.type in BRANCHED_TYPES and b.type in BRANCHED_TYPES)) and a.stem != b.stem
    if a.canon == b.canon and a.canon:
        if not type_ok:
            return pair("same-name", "near-miss", score, dist)
        if dist is not None:
            return pair("same-name", "merge" if dist <= SAME_PLACE_METRES else "near-miss", score, dist)
        same_place = (a.address_key and a.address_key == b.address_key) or (
            a.sigungu and b.sigungu and _same_sigungu(a.sigungu, b.sigungu))
        return pair("same-name", "merge" if same_place else "near-miss", score, dist)
    if a.address_key and a.address_key == b.address_key and has_number(a.address_key):
        if not type_ok:
            return None  # different agencies in one building (보건소, 치매안심센터 …)
        if branches:
            return pair("same-address", "near-miss", score, dist)
        if a.type and b.type:
            return pair("same-address", "merge", score, dist)
        return pair("same-address", "merge" if score >= SIMILAR_NAME else "near-miss", score, dist)
    if dist is not None and type_ok:
        if dist <= NEAR_METRES and score >= SIMILAR_NAME and not branches:
            return pair("similar-name-near", "merge", score, dist)
        if (dist <= NEAR_METRES and score >= NEAR_MISS_NAME) or (dist <= NEAR_MISS_METRES and score >= SIMILAR_NAME):
            return pair("similar-name-near", "near-miss", score, dist)
    return None


def _same_sigungu(a: str, b: str) -> bool:
    """수원시 and 수원시 장안구 are the same place at the precision the lists give."""
    a, b = a.replace(" ", ""), b.replace(" ", "")
    return a == b or a.startswith(b) or b.startswith(a)


def _decisions(conn, index: AgencyIndex) -> dict:
    """Verdicts keyed by agency-id pairs (stored by source row, which survives re-imports)."""
    rows = conn.execute("SELECT a_key, b_key, decision FROM dedup_decisions").fetchall()
    if not rows:
        return {}
    by_key = {}
    for agency_id, source, key in conn.execute("SELECT agency_id, source, source_key FROM agency_sources"):
        by_key[f"{source}|{key}"] = agency_id
    result = {}
    for a_key, b_key, decision in rows:
        a, b = by_key.get(a_key), by_key.get(b_key)
        if a and b and a != b:
            result[frozenset((a, b))] = decision
    return result


def find_duplicates(db, ids=None, *, index: AgencyIndex | None = None) -> list[Candidate]:
    """Every cross-list pair that a rule merges or nearly merges, best rule first.

    `ids` limits the search to pairs with at least one of those agencies.
    """
    conn = getattr(db, "conn", db)
    index = index or AgencyIndex(conn)
    decisions = _decisions(conn, index)
    wanted = index.agencies.keys() if ids is None else [i for i in ids if i in index.agencies]
    found: dict = {}
    everyone = ids is None
    for agency_id in wanted:
        a = index.agencies[agency_id]
        for other in index.neighbours(a):
            if everyone:
                if other < agency_id:
                    continue  # each pair once
                candidate = judge(a, index.agencies[other], decisions, index)
                if candidate is not None:
                    found[(agency_id, other)] = candidate
                continue
            key = frozenset((agency_id, other))
            if key in found:
                continue
            candidate = judge(a, index.agencies[other], decisions, index)
            if candidate is not None:
                found[key] = candidate
    return sorted(found.values(), key=lambda c: (c.decision != "merge", RULE_ORDER.get(c.rule, 9),
                                                 -(c.score or 0), c.distance_m or 0, min(c.a, c.b)))


def auto_merge(conn, ids, *, run_id: int | None = None, index: AgencyIndex | None = None) -> list[dict]:
    """Merge each agency of `ids` into the same agency from another list; returns the merges.

    The older agency is kept (its id stays valid for links and bookmarks)
    and takes the newer one's better position and missing fields. The
    default index holds only the agencies that can pair with `ids` (see
    AgencyIndex): the merges are the same as with every agency indexed.
    """
    index = index or AgencyIndex(conn, query=ids)
    decisions = _decisions(conn, index)
    merges = []
    for agency_id in sorted(ids):
        a = index.agencies.get(agency_id)
        if a is None:
            continue
        best = None
        for other in index.neighbours(a):
            b = index.agencies[other]
            candidate = judge(a, b, decisions, index)
            if candidate is None or candidate.decision != "merge":
                continue
            rank = (RULE_ORDER.get(candidate.rule, 9), -(candidate.score or 0), candidate.distance_m or 0, other)
            if best is None or rank < best[0]:
                best = (rank, candidate, b)
        if best is None:
            continue
        _, candidate, keep = best
        kept, dropped = (keep.id, a.id) if keep.id < a.id else (a.id, keep.id)
        survivor, gone = index.agencies[kept], index.agencies[dropped]
        merge_agencies(conn, kept, dropped, rule=candidate.rule, score=candidate.score,
                       distance=candidate.distance_m, run_id=run_id,
                       take_name=survivor.made_name and not gone.made_name)
        index.remove(dropped)
        if survivor.made_name and not gone.made_name:
            survivor.name, survivor.made_name = gone.name, False
        survivor.sources = survivor.sources | gone.sources
        merges.append({"kept": kept, "merged": dropped, "kept_name": survivor.name, "merged_name": gone.name,
                       "rule": candidate.rule, "score": candidate.score, "distance_m": candidate.distance_m})
    return merges


def _agency_row(conn, agency_id: int) -> dict:
    cur = conn.execute("SELECT * FROM agencies WHERE id = ?", [agency_id])
    row = cur.fetchone()
    if row is None:
        raise AgencyNotFound(agency_id=agency_id)
    return dict(zip([c[0] for c in cur.description], row))


def merge_agencies(conn, keep: int, drop: int, *, rule: str = "manual", score: float | None = None,
                   distance: float | None = None, run_id: int | None = None, take_name: bool = False) -> int:
    """Make `drop` part of `keep`: its source rows, links and references move; returns the merge id.

    `keep` fills its empty fields from `drop` and takes its position when it
    is better placed; with `take_name` (keep's name was made from its place,
    drop's is the centre's own) also drop's name. Call inside the caller's
    transaction; a split gives every field back.
    """
    if keep == drop:
        raise MergeError("merge_same_agency")
    kept, gone = _agency_row(conn, keep), _agency_row(conn, drop)
    filled = {}
    for column in AGENCY_COLUMNS:
        if column in ("source", "source_key", "lat", "lon", "placement"):
            continue
        if kept[column] in (None, "") and gone[column] not in (None, ""):
            filled[column] = kept[column]
            kept[column] = gone[column]
    if take_name and gone["name"]:
        for column in ("name", "name_key"):
            if kept[column] != gone[column]:
                filled[column] = kept[column]
                kept[column] = gone[column]
    if PLACEMENT_RANK.get(gone["placement"], 9) < PLACEMENT_RANK.get(kept["placement"], 9):
        for column in ("lat", "lon", "placement"):
            filled[column] = kept[column]
            kept[column] = gone[column]
    if filled:
        sets = ", ".join(f"{c} = ?" for c in filled)
        conn.execute(f"UPDATE agencies SET {sets}, updated_at = ? WHERE id = ?",
                     [*(kept[c] for c in filled), now(), keep])
    sources = [r[0] for r in conn.execute("SELECT id FROM agency_sources WHERE agency_id = ?", [drop])]
    conn.execute("UPDATE agency_sources SET agency_id = ? WHERE agency_id = ?", [keep, drop])
    links = [r[0] for r in conn.execute(
        "SELECT id FROM links WHERE agency_id = ? AND complex_id NOT IN (SELECT complex_id FROM links WHERE agency_id = ?)",
        [drop, keep])]
    if links:
        conn.execute(f"UPDATE links SET agency_id = ? WHERE id IN ({', '.join('?' * len(links))})", [keep, *links])
    # A complex linked with both: the kept link stays (with the stronger
    # frequency); the other is saved whole for a split, its contacts move over.
    clashes = []
    cur = conn.execute("SELECT * FROM links WHERE agency_id = ?", [drop])
    names = [c[0] for c in cur.description]
    for values in cur.fetchall():
        link = dict(zip(names, values))
        kept_link = conn.execute("SELECT id, frequency_level FROM links WHERE agency_id = ? AND complex_id = ?",
                                 [keep, link["complex_id"]]).fetchone()
        contacts = [r[0] for r in conn.execute("SELECT id FROM contacts WHERE link_id = ?", [link["id"]])]
        if contacts:
            conn.execute(f"UPDATE contacts SET link_id = ? WHERE id IN ({', '.join('?' * len(contacts))})",
                         [kept_link[0], *contacts])
        if (link["frequency_level"] or 0) > (kept_link[1] or 0):
            conn.execute("UPDATE links SET frequency_level = ? WHERE id = ?", [link["frequency_level"], kept_link[0]])
        clashes.append({"link": link, "contacts": contacts, "kept_link": kept_link[0], "kept_level": kept_link[1]})
    other = _move_references(conn, keep, drop)
    cur = conn.execute(
        "INSERT INTO agency_merges (kept_id, merged_id, merged_name, rule, score, distance_m, snapshot, moved, "
        "import_run_id, status, created_at) VALUES (?,?,?,?,?,?,?,?,?,'merged',?)",
        [keep, drop, gone["name"], rule, score, distance, json.dumps(gone, ensure_ascii=False),
         json.dumps({"sources": sources, "links": links, "clashes": clashes, "filled": filled, "other": other},
                    ensure_ascii=False),
         run_id, now()],
    )
    conn.execute("DELETE FROM agencies WHERE id = ?", [drop])
    return cur.lastrowid


def _move_references(conn, keep: int, drop: int) -> dict:
    """Point every other table's reference to `drop` at `keep` (tables other helpers add included)."""
    moved = {}
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        if table in ("agencies", "agency_sources", "links", "agency_merges"):
            continue
        for fk in conn.execute(f"PRAGMA foreign_key_list('{table}')").fetchall():
            if fk[2] == "agencies" and (fk[4] in (None, "id")):
                column = fk[3]
                ids = [r[0] for r in conn.execute(f'SELECT rowid FROM "{table}" WHERE "{column}" = ?', [drop])]
                if ids:
                    conn.execute(f'UPDATE OR IGNORE "{table}" SET "{column}" = ? WHERE "{column}" = ?', [keep, drop])
                    moved[f"{table}.{column}"] = ids
    return moved


def _merge_entry(conn, merge_id: int) -> dict | None:
    """A merge as the audit log keeps it: who was kept and merged, by which rule, its status (not its snapshot)."""
    cur = conn.execute("SELECT id, kept_id, merged_id, merged_name, rule, score, distance_m, import_run_id, status, "
                       "created_at FROM agency_merges WHERE id = ?", [merge_id])
    row = cur.fetchone()
    return dict(zip([c[0] for c in cur.description], row)) if row else None


def split_merge(db, merge_id: int, *, actor=None) -> int:
    """Undo a merge (administrators): the merged agency comes back with its source rows and links; returns its id.

    The pair is recorded as distinct so the next import does not merge it
    again. One transaction with its audit entry ("split" on agency_merges);
    `db` is the store or its sqlite3 connection.
    """
    actor = require_admin(actor)
    conn = getattr(db, "conn", db)
    with conn:
        before = _merge_entry(conn, merge_id)
        new_id = _split_merge(conn, merge_id)
        audit.record(conn, actor, "split", "agency_merges", merge_id, before,
                     {**_merge_entry(conn, merge_id), "restored_id": new_id})
    return new_id


def _split_merge(conn, merge_id: int) -> int:
    row = conn.execute(
        "SELECT kept_id, merged_id, snapshot, moved, status FROM agency_merges WHERE id = ?", [merge_id]
    ).fetchone()
    if row is None:
        raise AgencyNotFound("merge_not_found", merge_id=merge_id)
    keep, drop, snapshot, moved, status = row
    if status == "split":
        raise MergeError("already_split", merge_id=merge_id)
    snapshot, moved = json.loads(snapshot), json.loads(moved)
    if conn.execute("SELECT 1 FROM agencies WHERE id = ?", [drop]).fetchone():
        snapshot.pop("id")  # the old id was reused; come back under a new one
    cols = list(snapshot)
    cur = conn.execute(f"INSERT INTO agencies ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                       [snapshot[c] for c in cols])
    new_id = cur.lastrowid
    for ids, table in ((moved["sources"], "agency_sources"), (moved["links"], "links")):
        if ids:
            conn.execute(f"UPDATE {table} SET agency_id = ? WHERE id IN ({', '.join('?' * len(ids))})",
                         [new_id, *ids])
    for clash in moved.get("clashes", []):
        link = {**clash["link"], "agency_id": new_id}
        if conn.execute("SELECT 1 FROM links WHERE id = ?", [link["id"]]).fetchone():
            link.pop("id")
        cols = list(link)
        link_id = conn.execute(f"INSERT INTO links ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                               [link[c] for c in cols]).lastrowid
        if clash["contacts"]:
            conn.execute(f"UPDATE contacts SET link_id = ? WHERE id IN ({', '.join('?' * len(clash['contacts']))})",
                         [link_id, *clash["contacts"]])
        conn.execute("UPDATE links SET frequency_level = ? WHERE id = ?", [clash["kept_level"], clash["kept_link"]])
    for ref, ids in moved.get("other", {}).items():
        table, column = ref.split(".")
        conn.execute(f'UPDATE "{table}" SET "{column}" = ? WHERE rowid IN ({", ".join("?" * len(ids))})',
                     [new_id, *ids])
    if moved["filled"]:
        sets = ", ".join(f"{c} = ?" for c in moved["filled"])
        conn.execute(f"UPDATE agencies SET {sets} WHERE id = ?", [*moved["filled"].values(), keep])
    conn.execute("UPDATE agency_merges SET status = 'split' WHERE id = ?", [merge_id])
    _record(conn, keep, new_id, "distinct")
    return new_id


def decide(db, a: int, b: int, decision: str, *, actor=None) -> int | None:
    """Record a person's verdict on a pair ("same" or "distinct"); "same" merges them now (the lower id is kept).

    For administrators; one transaction with its audit entry ("merge" on
    agency_merges, or "distinct" on dedup_decisions). Returns the merge id
    (None for "distinct"). `db` is the store or its sqlite3 connection.
    """
    actor = require_admin(actor)
    if decision not in ("same", "distinct"):
        raise MergeError("bad_decision", decision=decision)
    conn = getattr(db, "conn", db)
    with conn:
        _agency_row(conn, a), _agency_row(conn, b)
        pair = _record(conn, a, b, decision)
        if decision == "distinct":
            audit.record(conn, actor, "distinct", "dedup_decisions", None, None, pair)
            return None
        keep, drop = sorted((a, b))
        merge_id = merge_agencies(conn, keep, drop, rule="decision")
        audit.record(conn, actor, "merge", "agency_merges", merge_id, None, _merge_entry(conn, merge_id))
    return merge_id


def _record(conn, a: int, b: int, decision: str) -> dict:
    def first_source(agency_id):
        row = conn.execute("SELECT source, source_key FROM agency_sources WHERE agency_id = ? ORDER BY id LIMIT 1",
                           [agency_id]).fetchone()
        return f"{row[0]}|{row[1]}" if row else f"agency|{agency_id}"

    key_a, key_b = sorted((first_source(a), first_source(b)))
    stamp = now()
    conn.execute("INSERT OR REPLACE INTO dedup_decisions (a_key, b_key, decision, decided_at) VALUES (?,?,?,?)",
                 [key_a, key_b, decision, stamp])
    return {"a": a, "b": b, "a_key": key_a, "b_key": key_b, "decision": decision, "decided_at": stamp}


def confirm_merge(db, merge_id: int, *, actor=None) -> None:
    """Mark an automatic merge as checked by a person (administrators), audited ("confirm" on agency_merges)."""
    actor = require_admin(actor)
    conn = getattr(db, "conn", db)
    with conn:
        before = _merge_entry(conn, merge_id)
        cur = conn.execute("UPDATE agency_merges SET status = 'confirmed' WHERE id = ? AND status = 'merged'",
                           [merge_id])
        if cur.rowcount == 0:
            raise AgencyNotFound("merge_not_found", merge_id=merge_id)
        audit.record(conn, actor, "confirm", "agency_merges", merge_id, before, _merge_entry(conn, merge_id))


def merge_log(conn, *, status: str | None = None) -> list[dict]:
    """The merges made, newest first, with the surviving agency's name."""
    sql = ("SELECT m.id, m.kept_id, a.name AS kept_name, m.merged_id, m.merged_name, m.rule, m.score, "
           "m.distance_m, m.status, m.import_run_id, m.created_at FROM agency_merges m "
           "LEFT JOIN agencies a ON a.id = m.kept_id")
    params = []
    if status:
        sql += " WHERE m.status = ?"
        params.append(status)
    cur = conn.execute(sql + " ORDER BY m.id DESC", params)
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def duplicate_report(db) -> dict:
    """The merges made and the near-misses still open, for `yeongye duplicates`."""
    conn = getattr(db, "conn", db)
    candidates = find_duplicates(conn)
    return {
        "merges": merge_log(conn),
        "pending_merges": [c.as_dict() for c in candidates if c.decision == "merge"],
        "near_misses": [c.as_dict() for c in candidates if c.decision == "near-miss"],
    }

