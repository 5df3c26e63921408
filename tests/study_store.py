"""The study's own network, without the demo's public lists: six complexes sharing 34 partner kinds.

The demo resolves each kind to a real agency in each complex's 시군구, so its complexes share
nothing; the network views need complexes that share partners. The regions are set here (the
study gives none): A, B in 서울 노원구; C, D in 서울 강서구; E, F in 경기도 수원시.
"""
from __future__ import annotations

from directory.paths import DATA_DIR
from directory.store import connect
from importers import import_file

STUDY = DATA_DIR / "study2024"
REGIONS = {"A": ("서울특별시", "노원구"), "B": ("서울특별시", "노원구"), "C": ("서울특별시", "강서구"),
           "D": ("서울특별시", "강서구"), "E": ("경기도", "수원시"), "F": ("경기도", "수원시")}


def build(path):
    """Write the store at `path`; returns the path."""
    db = connect(path)
    import_file(db, STUDY / "linkage_matrix.csv", complexes=STUDY / "complexes.csv")
    with db.conn:
        for name, (sido, sigungu) in REGIONS.items():
            db.execute("UPDATE complexes SET sido = ?, sigungu = ? WHERE name = ?", [sido, sigungu, name])
    db.conn.close()
    return path
