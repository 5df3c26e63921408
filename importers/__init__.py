"""Importers: agency lists and linkage data from files into the store.

`detect(db, path)` reads the file and recognises what it is from its name
and headers (an :class:`ImportPlan`); `import_file(db, path)` runs that plan
inside one transaction. The web preview shows the same plan, so what it
shows is what the import does.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from directory.actors import require_admin
from directory.errors import YeongyeError

from .hsds import import_hsds, read_package
from .reading import ImportFormatError, ReadBudget, Table, read_csv
from .run import IMPORT_ACTOR, ImportRun, ImportSummary, RowError
from .standard import DATASETS, Dataset, detect_dataset, import_standard, near_dataset
from .study import import_matrix, is_matrix
from .tabular import Mapping, MappingError, build_mapping, find_header_row, import_tabular, read_table

TABULAR_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".html", ".htm")

__all__ = ["import_file", "detect", "ImportPlan", "PLAN_KINDS", "preview_mapping", "MappingError", "ImportFormatError", "ImportSummary", "ImportRun", "RowError", "read_csv", "Table"]

KNOWN = ", ".join([d.label for d in DATASETS] + ["연계 매트릭스(category, agency, 단지…)"])

# What a file can be, by code (the shells word them):
PLAN_KINDS = (
    "hsds",       # an Open Referral HSDS 3.0 package (its datapackage.json)
    "standard",   # a public standard-data list (plan.dataset)
    "matrix",     # the study's linkage matrix
    "tabular",    # any other agency list, read through plan.mapping (synonyms or the mapping given)
    "near_miss",  # like plan.dataset but without plan.missing columns: read as a list, or refused (plan.error)
)


@dataclass
class ImportPlan:
    """What importing one file will do, decided from its name and headers before any row is written.

    `kind` is one of PLAN_KINDS; `rows` the data rows the import will read;
    `table` the file as read (None for HSDS); `dataset` the standard list
    recognised (or nearly matched); `missing` the near miss's absent
    columns; `mapping` the field -> column mapping of a list read as
    tabular; `error` the core error the import will raise (no name column,
    a list about people…), None when it will run.
    """

    path: Path
    kind: str
    rows: int = 0
    table: Table | None = None
    dataset: Dataset | None = None
    missing: tuple[str, ...] = ()
    mapping: Mapping | None = None
    error: YeongyeError | None = None
    options: dict = field(default_factory=dict)


def detect(db, path, *, mapping=None, crs=None, source=None, budget: ReadBudget | None = None,
           defaults=None, only_types=None) -> ImportPlan:
    """The plan an import of `path` follows: the one dispatcher of import_file and the web preview.

    Reads the file (within `budget`, default the reading limits) and
    decides, in this order: ``.json`` is an HSDS package; a `mapping`,
    `crs` or `source` makes any table a ``tabular`` list; else the study
    matrix, a standard dataset, a near miss of one, or a ``tabular`` list.
    Raises ImportFormatError (or HSDSError) when the file cannot be read or
    is none of these; an error only the mapping meets is kept in
    ``plan.error`` with the table, so a preview can show the columns.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        return ImportPlan(path, "hsds", rows=len(read_package(path).get("service", [])))
    if suffix not in TABULAR_SUFFIXES:
        raise ImportFormatError("unsupported_file", name=path.name, known=KNOWN)
    table = read_table(path, budget=budget)
    options = {k: v for k, v in dict(mapping=mapping, crs=crs, source=source, defaults=defaults,
                                     only_types=only_types).items() if v}
    near = None
    if not options:
        if is_matrix(table.headers):
            return ImportPlan(path, "matrix", rows=len(table.rows), table=table)
        dataset = detect_dataset(table.headers)
        if dataset is not None:
            return ImportPlan(path, "standard", rows=len(table.rows), table=table, dataset=dataset)
        near = near_dataset(table.headers)
    plan = ImportPlan(path, "near_miss" if near else "tabular", table=table, options=options)
    if near:
        plan.dataset, plan.missing = near[0], tuple(near[1])
    listed = find_header_row(table)
    plan.rows = len(listed.rows)
    try:
        plan.mapping = build_mapping(db, listed, mapping)
    except ImportFormatError as exc:  # no name column, a mapping naming no column, a list about people
        plan.error = exc
        if near and exc.code == "no_name_column":  # no overrides here, so nothing else is wrong with it
            plan.error = MappingError("near_miss_no_name_column", dataset=plan.dataset.label,
                                      missing=", ".join(plan.missing), **exc.params)
    return plan


def import_file(db, path, *, complexes=None, progress=None, mapping=None, crs=None, source=None,
                geocoder=None, on_rows=None, actor=None, defaults=None, only_types=None) -> ImportSummary:
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
    entry names the actor and commits with the rows. `defaults` and
    `only_types` make the file a tabular list (see import_tabular).
    """
    actor = require_admin(actor)
    token = IMPORT_ACTOR.set(actor)
    try:
        return _import_file(db, Path(path), complexes=complexes, progress=progress, mapping=mapping, crs=crs,
                            source=source, geocoder=geocoder, on_rows=on_rows, defaults=defaults,
                            only_types=only_types)
    finally:
        IMPORT_ACTOR.reset(token)


def _import_file(db, path: Path, *, complexes, progress, mapping, crs, source, geocoder, on_rows,
                 defaults=None, only_types=None) -> ImportSummary:
    """Run the plan detect() makes (see import_file)."""
    plan = detect(db, path, mapping=mapping, crs=crs, source=source, defaults=defaults, only_types=only_types)
    if plan.kind == "hsds":
        return import_hsds(db, path, progress=progress)
    if on_rows:
        on_rows(plan.rows)
    if plan.error is not None:
        raise plan.error
    if plan.kind == "matrix":
        complexes_table = read_csv(complexes) if complexes else None
        return import_matrix(db, plan.table, complexes=complexes_table, progress=progress)
    if plan.kind == "standard":
        return import_standard(db, plan.table, plan.dataset, progress=progress, geocoder=geocoder)
    if plan.kind == "near_miss":
        return _import_near_miss(db, plan, progress=progress, geocoder=geocoder)
    return import_tabular(db, plan.table, mapping=mapping, crs=crs, source=source, progress=progress,
                          geocoder=geocoder, defaults=defaults, only_types=only_types)


def _import_near_miss(db, plan: ImportPlan, *, progress=None, geocoder=None) -> ImportSummary:
    """A file like a standard dataset but without some of its required columns.

    It is imported as a generic list (detect() found a name column), with a
    warning naming the missing columns; without one detect() has already
    refused it with a message that names them.
    """
    note = f"{plan.path.name}: {plan.dataset.label}의 필수 열이 없습니다: {', '.join(plan.missing)}."
    summary = import_tabular(db, plan.table, progress=progress, geocoder=geocoder)
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
