"""Reading agency lists from disk: encodings and table shapes.

Korean portals serve CP949 (a superset of EUC-KR), UTF-8, or UTF-8 with a
BOM. Each is tried strictly, in that order; charset-normalizer only names the
likely encoding in the error message when none of them fits.

Reading is bounded: a `ReadBudget` counts rows, cells and seconds per file
and stops a file past them with an `ImportLimitError` (a code and its
numbers), so one hostile file cannot hold a server for minutes.
"""
from __future__ import annotations

import csv
import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

import charset_normalizer

from directory import messages
from directory.errors import YeongyeError

__all__ = [
    "ENCODINGS", "ImportFormatError", "MAX_ROWS", "MAX_CELLS", "MAX_COLUMNS", "MAX_SECONDS",
    "ImportLimitError", "ReadBudget", "BROKEN_REASONS", "without_nul", "Table", "decode", "read_csv",
    "SHARED_VALUES_LIMIT",
]

ENCODINGS = ("utf-8-sig", "cp949")


class ImportFormatError(YeongyeError):
    """The file is not in a format or encoding the importers understand."""

    code = "import_format_error"


# Per-file limits. A national list is about 100,000 rows of 30-odd columns
# (3 million cells, read in a few seconds); ten times that is still a list,
# beyond it is not.
MAX_ROWS = 1_000_000
MAX_CELLS = 10_000_000
MAX_COLUMNS = 500
MAX_SECONDS = 120.0


class ImportLimitError(ImportFormatError):
    """A file needs more rows, cells, columns or time than one agency list can; `code` says which."""

    # too_many_rows, too_many_cells, too_many_columns, too_slow: their words
    # (and the thousands separators of the numbers) are directory.messages'.
    code = "import_limit_error"


class ReadBudget:
    """What reading one file may cost: rows, cells, columns a row and seconds.

    The limits are read from the module when the budget is made, so a test
    can lower them; `seconds` lets a caller (the web preview) ask for less.
    """

    def __init__(self, name: str, *, seconds: float | None = None):
        self.name = name
        self.max_rows, self.max_cells, self.max_columns = MAX_ROWS, MAX_CELLS, MAX_COLUMNS
        self.seconds = MAX_SECONDS if seconds is None else seconds
        self.deadline = time.monotonic() + self.seconds
        self.rows = self.cells = 0

    def row(self, width: int) -> None:
        """Count one row of `width` cells; raises ImportLimitError past a limit."""
        self.rows += 1
        if width > self.max_columns:
            raise ImportLimitError("too_many_columns", name=self.name, count=width, limit=self.max_columns)
        if self.rows > self.max_rows:
            raise ImportLimitError("too_many_rows", name=self.name, limit=self.max_rows)
        self.add_cells(width)
        if not self.rows & 1023:
            self.check_time()

    def add_cells(self, count: int) -> None:
        """Count cells that are not a row of their own (the blanks a span fills)."""
        self.cells += count
        if self.cells > self.max_cells:
            raise ImportLimitError("too_many_cells", name=self.name, limit=self.max_cells)

    def check_time(self) -> None:
        """Raise ImportLimitError once the file has taken longer than its seconds."""
        if time.monotonic() > self.deadline:
            raise ImportLimitError("too_slow", name=self.name, limit=self.seconds)


# The codes of Table.broken: why a row the reader set aside is quarantined
# (each worded in directory.messages; the quarantine keeps the Korean).
BROKEN_REASONS = ("unclosed_quote",)


def without_nul(text: str) -> str:
    """The text without NUL characters, which no list means and which cut names short elsewhere."""
    return text.replace("\x00", "") if "\x00" in text else text


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
    # Row number -> code (BROKEN_REASONS) of rows the reader could only cut
    # out of the file, for the importer to quarantine.
    broken: dict[int, str] = field(default_factory=dict)

    def numbered(self):
        """(row number in the file, cells) for each data row."""
        return zip(self.numbers or range(2, len(self.rows) + 2), self.rows)

    def broken_reason(self, number: int) -> str | None:
        """Why row `number` must be quarantined as read, or None for a sound row."""
        code = self.broken.get(number)
        return messages.render(code) if code else None


def decode(data: bytes, name: str = "파일") -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM) or CP949, NULs removed; returns (text, encoding)."""
    for encoding in ENCODINGS:
        try:
            text = without_nul(data.decode(encoding))
        except UnicodeDecodeError:
            continue
        if encoding == "utf-8-sig" and data.startswith(b"\xef\xbb\xbf"):
            return text, "utf-8-sig"
        return text, "utf-8" if encoding == "utf-8-sig" else encoding
    guess = charset_normalizer.from_bytes(data[:65536]).best()
    if guess:
        raise ImportFormatError("undecodable_guess", name=name, guess=guess.encoding)
    raise ImportFormatError("undecodable", name=name)


def read_csv(path: str | Path, *, budget: ReadBudget | None = None) -> Table:
    """Read a CSV file in any of the Korean encodings into a Table.

    A quote left open does not swallow the rows after it: its row is cut
    back to its own line and marked broken (Table.broken), and reading goes
    on from the next line. Raises ImportLimitError past the budget.
    """
    path = Path(path)
    budget = budget or ReadBudget(path.name)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFormatError("file_unreadable", path=str(path), detail=exc.strerror) from exc
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise ImportFormatError("utf16_file", name=path.name)
    if b"\x00" in data[:4096]:
        raise ImportFormatError("binary_file", name=path.name)
    digest = hashlib.sha256(data).hexdigest()
    text, encoding = decode(data, path.name)  # NULs further in are dropped there
    del data  # a national list is tens of megabytes: keep one copy, the text
    if "\n" not in text and "\r" in text:  # old Mac line ends: the line reader splits on "\n"
        text = text.replace("\r", "\n")
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",\t;")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    # A long services text can pass the csv module's default 128 KB per cell;
    # the file is already in memory, so a cell as large as the file is fine.
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    numbers: list[int] = []  # blank lines are left out, but rows keep their number in the file
    broken: dict[int, str] = {}
    all_rows = _share_cells(_non_blank(_records(text, delimiter, budget, broken), numbers, broken))
    if not all_rows:
        raise ImportFormatError("empty_file", name=path.name)
    headers = [" ".join(h.split()) for h in all_rows[0]]
    broken.pop(numbers[0], None)  # a header cut short is still the header
    del all_rows[0], numbers[0]
    gapless = numbers == list(range(2, len(numbers) + 2))
    return Table(path, headers, all_rows, encoding, digest, None if gapless else numbers, broken)


def _records(text: str, delimiter: str, budget: ReadBudget, broken: dict[int, str]):
    """(record number from 1, cells) of each CSV record of the text.

    The csv module is strict here, so a quote never closed is an error, not
    a cell that runs on to the end of the file (or to the next quote): the
    record is then read again as its first line alone, marked broken, and a
    fresh reader starts on the line after it, so the good rows below keep
    their cells and their numbers. A stray quote within one line ("ab"c)
    is read leniently, as the csv module always did.
    """
    lines = _Lines(text)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    number = 0
    while True:
        start = lines.offset
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:
            end = text.find("\n", start)
            end = len(text) if end < 0 else end + 1
            line = text[start:end].rstrip("\r\n")
            row = next(csv.reader([line], delimiter=delimiter), [])
            if lines.offset > end or _open_quote(line, delimiter):
                broken[number + 1] = "unclosed_quote"
            lines.offset = end
            reader = csv.reader(lines, delimiter=delimiter, strict=True)  # the old one is mid-record
        number += 1
        budget.row(len(row))
        yield number, row


def _open_quote(line: str, delimiter: str) -> bool:
    """True when the line ends inside a quoted cell: one more quote would make it sound."""
    try:
        next(csv.reader([line + '"'], delimiter=delimiter, strict=True), None)
    except csv.Error:
        return False
    return True


def _non_blank(records, numbers: list[int], broken: dict[int, str]):
    """The records that have any text (or are broken), noting each one's number in `numbers`."""
    for number, row in records:
        if number in broken or any(cell.strip() for cell in row):
            numbers.append(number)
            yield row


class _Lines:
    """The text's lines, each with its "\n" (csv joins quoted multi-line cells itself).

    Lines cut from the text, not a StringIO, which would hold a second,
    four-bytes-a-character copy of the whole file; `offset` (where the next
    line starts) can be set back to read a stretch again.
    """

    def __init__(self, text: str):
        self.text, self.offset = text, 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        text, start = self.text, self.offset
        if start >= len(text):
            raise StopIteration
        stop = text.find("\n", start)
        self.offset = len(text) if stop < 0 else stop + 1
        return text[start:self.offset]


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
