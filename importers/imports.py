"""The import report: every run with its counts, and its quarantined rows to fix and re-import."""
from __future__ import annotations

import csv
import json
from pathlib import Path

from directory.store import StoreError

__all__ = [
    "QUARANTINE_COLUMN", "ImportRunNotFound", "list_runs", "quarantined_rows", "import_run",
    "export_quarantine", "resolve_quarantined",
]

QUARANTINE_COLUMN = "격리번호"  # ties a fixed row back to its quarantine entry


class ImportRunNotFound(StoreError):
    """No import run has that id."""

    code = "import_run_not_found"


def list_runs(db, *, limit: int = 30) -> list[dict]:
    """The latest runs, newest first, with placement counts and open quarantine rows."""
    rows = list(db.query(
        """SELECT r.*, (SELECT count(*) FROM quarantine q WHERE q.import_run_id = r.id AND q.resolved = 0)
                  AS open_quarantine
           FROM import_runs r ORDER BY r.id DESC LIMIT ?""", [limit]))
    for row in rows:
        summary = json.loads(row.pop("summary") or "{}")
        row["placed"] = summary.get("placed") or {}
    return rows


def quarantined_rows(db, run_id: int, *, limit: int = 500) -> list[dict]:
    """A run's quarantined rows in file order (row number, column, reason, raw JSON), at most `limit`."""
    return list(db.query(
        'SELECT row_number, "column", reason, raw FROM quarantine WHERE import_run_id = ? ORDER BY row_number '
        "LIMIT ?", [run_id, limit]))


def import_run(db, run_id: int) -> dict:
    """One run with its parsed summary and every quarantined row (raw row as a dict)."""
    rows = list(db.query("SELECT * FROM import_runs WHERE id = ?", [run_id]))
    if not rows:
        raise ImportRunNotFound(run_id=run_id)
    run = rows[0]
    run["summary"] = json.loads(run["summary"] or "{}")
    run["summary"].pop("errors", None)
    run["quarantine"] = list(db.query(
        'SELECT id, row_number, "column", reason, raw, resolved FROM quarantine WHERE import_run_id = ? ORDER BY row_number',
        [run_id]))
    for row in run["quarantine"]:
        row["raw"] = json.loads(row["raw"] or "{}")
    return run


def export_quarantine(db, run_id: int, path, *, include_resolved: bool = False) -> tuple[int, str]:
    """Write a run's quarantined rows as CSV under their original headers; (rows, re-import command).

    UTF-8 with BOM so Excel opens it in Korean; the 격리번호 column lets the
    next import mark each row that now passes as resolved.
    """
    run = import_run(db, run_id)
    rows = [r for r in run["quarantine"] if include_resolved or not r["resolved"]]
    headers: list[str] = []
    for row in rows:
        for key in row["raw"]:
            if key not in headers and key != QUARANTINE_COLUMN:
                headers.append(key)
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([*headers, QUARANTINE_COLUMN])
        for row in rows:
            writer.writerow([row["raw"].get(h, "") for h in headers] + [row["id"]])
    source = run["source"] or ""
    command = f"yeongye import {Path(path).name}"
    if source.startswith("list:"):
        command += f" --source {source}"
    return len(rows), command


def resolve_quarantined(conn, raw: dict) -> None:
    """Mark the quarantine entry a fixed row came from as resolved (called for rows that imported)."""
    value = str(raw.get(QUARANTINE_COLUMN) or "").strip()
    if value.isdigit():
        conn.execute("UPDATE quarantine SET resolved = 1 WHERE id = ?", [int(value)])
