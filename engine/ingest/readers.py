"""Reading a source (CSV folder or file, JSON file, XLSX workbook, Python dicts) into raw tables of text.

Nothing here judges values; it only finds the tables, their headers and rows, and says clearly when a
file is not what it claims to be.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from ..errors import InputProblem
from .rows import TABLES

csv.field_size_limit(16 * 1024 * 1024)


@dataclass
class RawTable:
    """One table as read: source label, header (None for JSON/dicts), (row number, non-blank values)."""

    name: str
    file: str
    header: list[str] | None
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


@dataclass
class Source:
    name: str
    tables: dict[str, RawTable]
    problems: list[InputProblem]


def cell_text(value: Any) -> str | None:
    """One value as the text the row models parse; blanks become None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        text = value.strip()
        return text or None
    raise TypeError(type(value).__name__)


def _suggest(name: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def table_of(name: str, file: str, problems: list[InputProblem]) -> str | None:
    """The table a file/sheet/key names, or None with a problem."""
    key = name.strip().lower()
    if key in TABLES:
        return key
    problems.append(
        InputProblem(
            file,
            None,
            None,
            f"{name!r} is not an interchange table{_suggest(key, TABLES)}; the tables are {', '.join(TABLES)}",
        )
    )
    return None


def _normal_header(header: list[Any]) -> list[str]:
    return [(str(h) if h is not None else "").strip().lower().lstrip("\ufeff") for h in header]


def check_header(table: str, file: str, header: list[str], problems: list[InputProblem]) -> bool:
    """Report blank, duplicate, unknown and missing required columns; False when rows cannot be read."""
    spec = TABLES[table]
    ok = True
    seen: set[str] = set()
    for h in header:
        if not h:
            problems.append(InputProblem(file, 1, None, "a column has no name in the header row"))
            ok = False
        elif h in seen:
            problems.append(InputProblem(file, 1, h, f"column {h!r} appears twice in the header row"))
            ok = False
        elif h not in spec.columns:
            hint = _suggest(h, spec.columns)
            if len(header) == 1 and ";" in h:
                hint = " (the file looks semicolon-separated; use commas)"
            problems.append(
                InputProblem(
                    file,
                    1,
                    h,
                    f"unknown column {h!r} in {table}{hint}; the columns are {', '.join(spec.columns)}",
                )
            )
            ok = False
        seen.add(h)
    for req in spec.required:
        if req not in seen:
            problems.append(InputProblem(file, 1, req, f"required column {req!r} is missing from the header row"))
            ok = False
    return ok


def read_csv(path: Path, table: str, problems: list[InputProblem], label: str | None = None) -> RawTable | None:
    """Read one CSV file (UTF-8, comma-separated, header row first); row numbers are line numbers."""
    file = label or path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.append(InputProblem(file, None, None, f"cannot read the file: {exc.strerror or exc}"))
        return None
    if b"\x00" in data[:65536] or data[:4] == b"PK\x03\x04":
        problems.append(
            InputProblem(
                file,
                None,
                None,
                "this is not a CSV text file (it holds binary data); export it from the spreadsheet as 'CSV UTF-8'",
            )
        )
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(InputProblem(file, line, None, "this file is not UTF-8 text; save it as 'CSV UTF-8'"))
        return None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header_row = next(reader, None)
        if header_row is None:
            problems.append(InputProblem(file, None, None, "the file is empty: it needs a header row"))
            return None
        header = _normal_header(header_row)
        if not check_header(table, file, header, problems):
            return None
        raw = RawTable(table, file, header)
        start = reader.line_num + 1
        for values in reader:
            line = start
            start = reader.line_num + 1
            if not any(v.strip() for v in values):
                continue  # blank line
            if len(values) != len(header):
                problems.append(
                    InputProblem(
                        file,
                        line,
                        None,
                        f"this row has {len(values)} values but the header has {len(header)} columns",
                    )
                )
                continue
            raw.rows.append(
                (line, {h: v.strip() for h, v in zip(header, values, strict=True) if v and not v.isspace()})
            )
    except csv.Error as exc:
        problems.append(InputProblem(file, reader.line_num, None, f"the file is not valid CSV: {exc}"))
        return None
    return raw


def read_folder(path: Path, problems: list[InputProblem]) -> dict[str, RawTable]:
    """A folder of `<table>.csv` files (any subset of the tables); other file types are ignored."""
    tables: dict[str, RawTable] = {}
    csvs = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".csv")
    for p in csvs:
        table = table_of(p.stem, p.name, problems)
        if table is None:
            continue
        if table in tables:
            problems.append(InputProblem(p.name, None, None, f"a second file for the {table} table"))
            continue
        got = read_csv(p, table, problems)
        if got is not None:
            tables[table] = got
    if not csvs:
        problems.append(
            InputProblem(
                path.name or str(path),
                None,
                None,
                f"the folder holds no CSV files; expected some of {', '.join(s.file for s in TABLES.values())}",
            )
        )
    return tables


def tables_from_mapping(
    data: Any, label: str, problems: list[InputProblem], *, row_base: int = 0
) -> dict[str, RawTable]:
    """`{"people": [{...}, ...], ...}`: rows numbered by list index (+ row_base)."""
    tables: dict[str, RawTable] = {}
    if not isinstance(data, dict):
        problems.append(
            InputProblem(
                label,
                None,
                None,
                'expected an object mapping table names to lists of rows, e.g. {"people": [...], "evidence": [...]}',
            )
        )
        return tables
    for key, rows in data.items():
        file = f"{label}#{key}"
        table = table_of(str(key), file, problems)
        if table is None:
            continue
        if not isinstance(rows, list):
            problems.append(InputProblem(file, None, None, "expected a list of rows"))
            continue
        raw = RawTable(table, file, None)
        columns = TABLES[table].columns
        unknown_seen: set[str] = set()
        for i, row in enumerate(rows):
            n = i + row_base
            if not isinstance(row, dict):
                problems.append(InputProblem(file, n, None, "expected an object of column: value"))
                continue
            values: dict[str, Any] = {}
            bad = False
            for k, v in row.items():
                col = str(k).strip().lower()
                if col not in columns:
                    if col not in unknown_seen:
                        unknown_seen.add(col)
                        problems.append(
                            InputProblem(
                                file,
                                n,
                                col,
                                f"unknown column {col!r} in {table}"
                                f"{_suggest(col, columns)}; the columns are {', '.join(columns)}",
                            )
                        )
                    bad = True
                    continue
                try:
                    text = cell_text(v)
                    if text is not None:
                        values[col] = text
                except TypeError as exc:
                    problems.append(InputProblem(file, n, col, f"expected a single value, not a {exc}"))
                    bad = True
            if not bad:
                raw.rows.append((n, values))
        tables[table] = raw
    return tables


def read_json(path: Path, problems: list[InputProblem]) -> dict[str, RawTable]:
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError:
        problems.append(InputProblem(path.name, None, None, "this is not a JSON text file (not UTF-8)"))
        return {}
    except json.JSONDecodeError as exc:
        problems.append(
            InputProblem(
                path.name,
                exc.lineno,
                None,
                f"this is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
            )
        )
        return {}
    return tables_from_mapping(data, path.name, problems)


def read_xlsx(path: Path, problems: list[InputProblem]) -> dict[str, RawTable]:
    """One sheet per table; row numbers are the spreadsheet's row numbers (header is row 1)."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    if not zipfile.is_zipfile(path):
        problems.append(
            InputProblem(
                path.name,
                None,
                None,
                "this is not an Excel .xlsx workbook (it is not a zip "
                "archive); save it from the spreadsheet as 'Excel Workbook (.xlsx)'",
            )
        )
        return {}
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        problems.append(InputProblem(path.name, None, None, f"this workbook cannot be read: {exc}"))
        return {}
    tables: dict[str, RawTable] = {}
    try:
        for sheet in book.worksheets:
            file = f"{path.name}#{sheet.title}"
            table = table_of(sheet.title, file, problems)
            if table is None:
                continue
            rows = sheet.iter_rows(values_only=True)
            first = next(rows, None)
            if first is None:
                problems.append(InputProblem(file, None, None, "the sheet is empty: it needs a header row"))
                continue
            header = _normal_header(list(first))
            while header and not header[-1]:
                header.pop()
            if not check_header(table, file, header, problems):
                continue
            raw = RawTable(table, file, header)
            for n, values in enumerate(rows, start=2):
                cells = list(values)
                extra = [c for c in cells[len(header) :] if c not in (None, "")]
                if extra:
                    problems.append(InputProblem(file, n, None, "this row has values beyond the header's columns"))
                    continue
                try:
                    texts = {h: cell_text(cells[i]) for i, h in enumerate(header) if i < len(cells)}
                except TypeError as exc:
                    problems.append(InputProblem(file, n, None, f"unreadable cell ({exc})"))
                    continue
                row = {h: v for h, v in texts.items() if v is not None}
                if row:
                    raw.rows.append((n, row))
            tables[table] = raw
    finally:
        book.close()
    return tables


def read_path(path: Path) -> Source:
    """Read a folder of CSVs, one `<table>.csv`, a `.json` or an `.xlsx` file."""
    problems: list[InputProblem] = []
    name = path.name or str(path)
    if not path.exists():
        problems.append(InputProblem(name, None, None, f"no such file or folder: {path}"))
        return Source(name, {}, problems)
    if path.is_dir():
        tables = read_folder(path, problems)
    else:
        suffix = path.suffix.lower()
        if suffix == ".csv":
            table = table_of(path.stem, path.name, problems)
            got = read_csv(path, table, problems) if table else None
            tables = {table: got} if table and got else {}
        elif suffix == ".json":
            tables = read_json(path, problems)
        elif suffix in (".xlsx", ".xlsm"):
            tables = read_xlsx(path, problems)
        else:
            problems.append(
                InputProblem(
                    name,
                    None,
                    None,
                    "unknown kind of file; import a folder of CSV files, "
                    "a .csv named for its table, a .json or an .xlsx file",
                )
            )
            tables = {}
    if not tables and not problems:
        problems.append(InputProblem(name, None, None, "no interchange tables found"))
    return Source(name, tables, problems)
