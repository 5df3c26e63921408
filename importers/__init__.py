"""Importers: agency lists and linkage data from files into the store.

`import_file(db, path)` reads the file, recognises what it is from its
headers, and runs the matching importer inside one transaction.
"""
from __future__ import annotations

from pathlib import Path

from .reading import ImportFormatError, Table, read_csv
from .run import ImportRun, ImportSummary, RowError
from .standard import DATASETS, detect_dataset, import_standard
from .study import import_matrix, is_matrix

__all__ = ["import_file", "ImportFormatError", "ImportSummary", "ImportRun", "RowError", "read_csv", "Table"]

KNOWN = ", ".join([d.label for d in DATASETS] + ["연계 매트릭스(category, agency, 단지…)"])


def import_file(db, path, *, complexes=None, progress=None) -> ImportSummary:
    """Import one file into the store and return its summary.

    Raises ImportFormatError, naming what was expected, when the file is not
    a list the importers know.
    """
    path = Path(path)
    if path.suffix.lower() not in (".csv", ".tsv", ".txt"):
        raise ImportFormatError(f"{path.name}: 지원하지 않는 파일 형식입니다. CSV 파일이어야 합니다 ({KNOWN}).")
    table = read_csv(path)
    if is_matrix(table.headers):
        complexes_table = read_csv(complexes) if complexes else None
        return import_matrix(db, table, complexes=complexes_table, progress=progress)
    dataset = detect_dataset(table.headers)
    if dataset is None:
        raise ImportFormatError(
            f"{path.name}: 알 수 없는 목록입니다. 찾은 열: {', '.join(table.headers)}. 지원: {KNOWN}."
        )
    return import_standard(db, table, dataset, progress=progress)


def count_rows(path) -> int:
    """Data rows in a file, for a progress bar."""
    return len(read_csv(path).rows)
