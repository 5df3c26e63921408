"""Importers: agency lists and linkage data from files into the store.

`import_file(db, path)` reads the file, recognises what it is from its
headers, and runs the matching importer inside one transaction.
"""
from __future__ import annotations

import json
from pathlib import Path

from .hsds import import_hsds
from .reading import ImportFormatError, Table, read_csv
from directory.actors import require_admin

from .run import IMPORT_ACTOR, ImportRun, ImportSummary, RowError
from .standard import DATASETS, detect_dataset, import_standard, near_dataset
from .study import import_matrix, is_matrix
from .tabular import MappingError, build_mapping, find_header_row, import_tabular, read_table

TABULAR_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".html", ".htm")

__all__ = ["import_file", "preview_mapping", "MappingError", "ImportFormatError", "ImportSummary", "ImportRun", "RowError", "read_csv", "Table"]

KNOWN = ", ".join([d.label for d in DATASETS] + ["연계 매트릭스(category, agency, 단지…)"])


def import_file(db, path, *, complexes=None, progress=None, mapping=None, crs=None, source=None,
                geocoder=None, on_rows=None, actor=None) -> ImportSummary:
    """Import one file into the store and return its summary.

    CSV (any Korean encoding), XLSX and the SSIS HTML "xls" are read; a
    known standard dataset or the study matrix is recognised from its
    headers, any other agency list through the column synonyms (or the
    `mapping` given, field -> header). An HSDS `datapackage.json` is read as
    an Open Referral package. Raises ImportFormatError, naming what was
    expected, when the file is none of these. `on_rows`, if given, is
    called with the number of data rows once a tabular file is read (a
    progress bar's length, without reading the file twice). Importing is
    for administrators (`actor`, None: the program itself); the run's audit
    entry names the actor and commits with the rows.
    """
    actor = require_admin(actor)
    token = IMPORT_ACTOR.set(actor)
    try:
        return _import_file(db, Path(path), complexes=complexes, progress=progress, mapping=mapping, crs=crs,
                            source=source, geocoder=geocoder, on_rows=on_rows)
    finally:
        IMPORT_ACTOR.reset(token)


def _import_file(db, path: Path, *, complexes, progress, mapping, crs, source, geocoder, on_rows) -> ImportSummary:
    """The dispatch by file kind (see import_file)."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        return import_hsds(db, path, progress=progress)
    if suffix not in TABULAR_SUFFIXES:
        raise ImportFormatError("unsupported_file", name=path.name, known=KNOWN)
    table = read_table(path)
    if on_rows:
        on_rows(len(table.rows))
    if mapping or crs or source:
        return import_tabular(db, table, mapping=mapping, crs=crs, source=source, progress=progress,
                              geocoder=geocoder)
    if is_matrix(table.headers):
        complexes_table = read_csv(complexes) if complexes else None
        return import_matrix(db, table, complexes=complexes_table, progress=progress)
    dataset = detect_dataset(table.headers)
    if dataset is None:
        near = near_dataset(table.headers)
        if near is None:
            return import_tabular(db, table, progress=progress, geocoder=geocoder)
        return _import_near_miss(db, table, *near, progress=progress, geocoder=geocoder)
    return import_standard(db, table, dataset, progress=progress, geocoder=geocoder)


def _import_near_miss(db, table, dataset, missing, *, progress=None, geocoder=None) -> ImportSummary:
    """A file like a standard dataset but without some of its required columns.

    It is imported as a generic list when the generic importer finds a name
    column, with a warning naming the missing columns; otherwise refused with
    a message that names them.
    """
    note = f"{table.path.name}: {dataset.label}의 필수 열이 없습니다: {', '.join(missing)}."
    try:
        summary = import_tabular(db, table, progress=progress, geocoder=geocoder)
    except MappingError as exc:
        if exc.code != "no_name_column":  # no overrides here, so nothing else can be wrong with the mapping
            raise
        raise MappingError("near_miss_no_name_column", dataset=dataset.label, missing=", ".join(missing),
                           **exc.params) from exc
    summary.extra.setdefault("warnings", []).append(f"{note} 일반 목록으로 가져왔습니다.")
    if summary.run_id is not None:
        with db.conn:
            db.conn.execute("UPDATE import_runs SET summary = ? WHERE id = ?",
                            [json.dumps(summary.as_dict(), ensure_ascii=False), summary.run_id])
    return summary


def preview_mapping(db, path, *, mapping=None) -> list[str]:
    """The column mapping a generic import of `path` would use, as lines for the user."""
    table = find_header_row(read_table(path))
    return build_mapping(db, table, mapping).describe()
