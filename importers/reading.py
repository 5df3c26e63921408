"""Reading agency lists from disk: encodings and table shapes.

Korean portals serve CP949 (a superset of EUC-KR), UTF-8, or UTF-8 with a
BOM. Each is tried strictly, in that order; charset-normalizer only names the
likely encoding in the error message when none of them fits.
"""
from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer

ENCODINGS = ("utf-8-sig", "cp949")


class ImportFormatError(Exception):
    """The file is not in a format or encoding the importers understand."""


@dataclass
class Table:
    """A file read as text rows: headers, data rows, and how it was decoded."""

    path: Path
    headers: list[str]
    rows: list[list[str]]
    encoding: str
    sha256: str
    # The file's row number of each data row (the header is row 1), when
    # blank lines were left out; None means rows 2, 3, 4 … in order.
    numbers: list[int] | None = None

    def numbered(self):
        """(row number in the file, cells) for each data row."""
        return zip(self.numbers or range(2, len(self.rows) + 2), self.rows)


def decode(data: bytes, name: str = "파일") -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM) or CP949; returns (text, encoding)."""
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "utf-8-sig" and data.startswith(b"\xef\xbb\xbf"):
            return text, "utf-8-sig"
        return text, "utf-8" if encoding == "utf-8-sig" else encoding
    guess = charset_normalizer.from_bytes(data[:65536]).best()
    guessed = f" (추정: {guess.encoding})" if guess else ""
    raise ImportFormatError(
        f"{name}: 문자 인코딩을 읽을 수 없습니다{guessed}. UTF-8 또는 CP949(EUC-KR) 파일이어야 합니다."
    )


def read_csv(path: str | Path) -> Table:
    """Read a CSV file in any of the Korean encodings into a Table."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFormatError(f"파일을 열 수 없습니다: {path} ({exc.strerror})") from exc
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise ImportFormatError(
            f"{path.name}: UTF-16 파일입니다. UTF-8 또는 CP949(EUC-KR) CSV로 저장해 주세요."
        )
    if b"\x00" in data[:4096]:
        raise ImportFormatError(f"{path.name}: 텍스트(CSV) 파일이 아닙니다 (이진 파일).")
    digest = hashlib.sha256(data).hexdigest()
    text, encoding = decode(data, path.name)
    del data  # a national list is tens of megabytes: keep one copy, the text
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",\t;")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    # A long services text can pass the csv module's default 128 KB per cell;
    # the file is already in memory, so a cell as large as the file is fine.
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    # Lines cut from the text, not a StringIO, which would hold a second,
    # four-bytes-a-character copy of the whole file.
    lines = _lines(text) if "\n" in text else io.StringIO(text, newline="")
    reader = csv.reader(lines, delimiter=delimiter)
    numbers: list[int] = []  # blank lines are left out, but rows keep their number in the file
    try:
        all_rows = _share_cells(_non_blank(reader, numbers))
    except csv.Error as exc:
        raise ImportFormatError(f"{path.name}: CSV 형식이 올바르지 않습니다 ({exc}).") from exc
    if not all_rows:
        raise ImportFormatError(f"{path.name}: 빈 파일입니다.")
    headers = [" ".join(h.split()) for h in all_rows[0]]
    del all_rows[0], numbers[0]
    gapless = numbers == list(range(2, len(numbers) + 2))
    return Table(path, headers, all_rows, encoding, digest, None if gapless else numbers)


def _non_blank(reader, numbers: list[int]):
    """The rows that have any text, noting each one's row number (from 1) in `numbers`."""
    for number, row in enumerate(reader, start=1):
        if any(cell.strip() for cell in row):
            numbers.append(number)
            yield row


def _lines(text: str):
    """The text's lines, each with its "\n" (csv joins quoted multi-line cells itself)."""
    start, end = 0, len(text)
    while start < end:
        stop = text.find("\n", start)
        if stop < 0:
            yield text[start:]
            return
        yield text[start:stop + 1]
        start = stop + 1


# A column with more distinct values than this (names, addresses) is not worth sharing.
SHARED_VALUES_LIMIT = 4096


def _share_cells(rows) -> list[list[str]]:
    """The rows, with equal cells of a column stored once.

    Most columns of a national list repeat a few values (type, date, managing
    office); one string per value instead of one per cell saves about a third
    of the memory a 100,000-row file takes.
    """
    out: list[list[str]] = []
    caches: list[dict | None] = []
    for row in rows:
        for i, cell in enumerate(row):
            if i >= len(caches):
                caches.append({})
            cache = caches[i]
            if cache is None:
                continue
            shared = cache.setdefault(cell, cell)
            if shared is not cell:
                row[i] = shared
            elif len(cache) > SHARED_VALUES_LIMIT:
                caches[i] = None
        out.append(row)
    return out
