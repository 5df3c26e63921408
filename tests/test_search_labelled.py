"""The labelled query set: realistic Korean queries with the agency a worker expects in the top 5.

tests/fixtures/search_labelled.csv: query, place (complex:NAME, address:TEXT,
near:LAT,LON or empty), expected agency name, and the rule the query tests
(aliases, initial consonants, typos, needs words, places). The bench
(bench/bench_search.py) runs the same set against an FTS5 baseline.
"""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from directory import search
from directory.store import connect

LABELLED = Path(__file__).parent / "fixtures" / "search_labelled.csv"


def load_cases() -> list[dict]:
    with open(LABELLED, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def labelled_db(demo_db_path, tmp_path_factory):
    path = tmp_path_factory.mktemp("labelled") / "demo.db"
    shutil.copy(demo_db_path, path)
    db = connect(path)
    yield db
    search.close_all()
    db.conn.close()


def top5(db, case) -> list[str]:
    kind, _, value = case["place"].partition(":")
    keyword = {"complex": "complex_key"}.get(kind, kind)
    place = search.resolve_place(db, **({keyword: value} if kind else {}))
    point = (place["lat"], place["lon"]) if place else None
    return [r["name"] for r in search.search(db, case["query"], near=point, limit=5)[0]]


def test_the_set_is_large_and_covers_every_rule():
    cases = load_cases()
    assert len(cases) >= 40
    rules = " ".join(c["rule"] for c in cases)
    for rule in ("alias", "initial consonants", "typo", "needs word", "place", "old name"):
        assert rule in rules, rule


def test_expected_agency_in_the_top_5_for_at_least_95_percent(labelled_db):
    cases = load_cases()
    misses = [(c["query"], c["place"], c["expected"], top5(labelled_db, c)) for c in cases
              if c["expected"] not in top5(labelled_db, c)]
    hit_rate = 1 - len(misses) / len(cases)
    assert hit_rate >= 0.95, f"{hit_rate:.0%}; misses: {misses}"


def test_every_expected_agency_exists_in_the_demo_data(labelled_db):
    names = {r[0] for r in labelled_db.execute("SELECT name FROM agencies")}
    assert [c["expected"] for c in load_cases() if c["expected"] not in names] == []
