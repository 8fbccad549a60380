"""Reading a source (CSV folder or file, JSON file, XLSX workbook, Python dicts) into raw tables of text.

Nothing here judges values; it only finds the tables, their headers and rows, and says clearly when a
file is not what it claims to be.
"""

from __future__ import annotations

import csv
import difflib
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from ..errors import InputProblem
from .json_read import load_json
from .limits import MB, load_import_limits
from .rows import TABLES
from .xlsx_scan import SheetScan, column_letters, scan_workbook


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
    raise TypeError("dict" if isinstance(value, dict) else type(value).__name__)


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
    limits = load_import_limits().csv
    try:
        size = path.stat().st_size
        if size > limits.max_mb * MB:
            problems.append(
                InputProblem(
                    file,
                    None,
                    None,
                    f"the file is {size / MB:,.0f} MB; a CSV file may be at most {limits.max_mb:,} MB "
                    "(csv.max_mb in import-limits.yaml): split it, or raise the limit",
                )
            )
            return None
        data = path.read_bytes()
    except OSError as exc:
        problems.append(InputProblem(file, None, None, f"cannot read the file: {exc.strerror or exc}"))
        return None
    csv.field_size_limit(limits.max_field_mb * MB)
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
    """`{"people": [{...}, ...], ...}`: rows numbered by list index (+ row_base).

    A key given twice (JSON keeps the last silently), or two keys naming one table or one column (`People`
    and `people`), is a problem: which value was meant cannot be known.
    """
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
    for key in getattr(data, "repeated", ()):
        problems.append(
            InputProblem(f"{label}#{key}", None, None, f"the key {key!r} is given twice; which list was meant?")
        )
    for key, rows in data.items():
        file = f"{label}#{key}"
        table = table_of(str(key), file, problems)
        if table is None:
            continue
        if table in tables:
            problems.append(
                InputProblem(
                    file, None, None, f"a second list for the {table} table ({tables[table].file} is the first)"
                )
            )
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
            for k in getattr(row, "repeated", ()):
                problems.append(InputProblem(file, n, str(k), f"the column {k!r} is given twice in this row"))
                bad = True
            given: set[str] = set()
            for k, v in row.items():
                col = str(k).strip().lower()
                if col in given:
                    problems.append(InputProblem(file, n, col, f"the column {col!r} is given twice in this row"))
                    bad = True
                    continue
                given.add(col)
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
    before = len(problems)
    data = load_json(path, load_import_limits().json_, problems)
    if len(problems) > before:  # unreadable (a document that is just `null` is read, and refused below)
        return {}
    return tables_from_mapping(data, path.name, problems)


def _sheet_problems(file: str, scan: SheetScan, header: list[str], problems: list[InputProblem]) -> bool:
    """Formulas the workbook never calculated, or that read another workbook: True when there were any."""

    def field_of(col: int) -> str | None:
        return header[col - 1] if 0 < col <= len(header) else None

    for row, col in scan.external_formulas:
        problems.append(
            InputProblem(
                file,
                row,
                field_of(col),
                f"cell {column_letters(col)}{row} is a formula reading another workbook (an external link); "
                "its value cannot be checked here: paste values instead of the formula",
            )
        )
    for row, col in scan.unsaved_formulas:
        problems.append(
            InputProblem(
                file,
                row,
                field_of(col),
                f"cell {column_letters(col)}{row} holds a formula with no saved value (the workbook was "
                "written without calculating it); open and save it in a spreadsheet, or paste values",
            )
        )
    return bool(scan.external_formulas or scan.unsaved_formulas)


def read_xlsx(path: Path, problems: list[InputProblem]) -> dict[str, RawTable]:
    """One sheet per table; row numbers are the spreadsheet's row numbers (header is row 1).

    The workbook's structure is checked against the import limits first (xlsx_scan), so openpyxl only
    ever reads a workbook of bounded size, and only as far as the cells the sheets really hold.
    """
    from openpyxl import load_workbook

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
    scan = scan_workbook(path, load_import_limits().xlsx, problems)
    if scan is None:
        return {}
    if scan.external_links:
        problems.append(
            InputProblem(
                path.name,
                None,
                None,
                "this workbook links to other workbooks (external links); values copied from another file "
                "cannot be checked: paste values and remove the links (Data > Edit Links > Break Link)",
            )
        )
    scans = {s.title: s for s in scan.sheets}
    tables: dict[str, RawTable] = {}
    try:
        book = load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # any failure inside openpyxl means "cannot be read"
        problems.append(InputProblem(path.name, None, None, f"this workbook cannot be read: {_fault(exc)}"))
        return {}
    try:
        for sheet in book.worksheets:
            file = f"{path.name}#{sheet.title}"
            state = getattr(sheet, "sheet_state", "visible")
            if state != "visible":
                how = "very hidden (only a macro can show it)" if state == "veryHidden" else "hidden"
                problems.append(
                    InputProblem(
                        file,
                        None,
                        None,
                        f"this sheet is {how}; a hidden sheet is never imported silently: "
                        "unhide it if it is meant to be imported, otherwise delete it",
                    )
                )
                continue
            table = table_of(sheet.title, file, problems)
            if table is None:
                continue
            if table in tables:
                problems.append(
                    InputProblem(
                        file, None, None, f"a second sheet for the {table} table ({tables[table].file} is the first)"
                    )
                )
                continue
            info = scans.get(sheet.title)
            if info is None or info.max_row == 0:
                problems.append(InputProblem(file, None, None, "the sheet is empty: it needs a header row"))
                continue
            # Bounded by what the scan found, not by the sheet's own (untrusted) dimension record.
            rows = sheet.iter_rows(max_row=info.max_row, max_col=max(info.max_col, 1), values_only=True)
            first = next(rows, None)
            if first is None:
                problems.append(InputProblem(file, None, None, "the sheet is empty: it needs a header row"))
                continue
            header = _normal_header(list(first))
            while header and not header[-1]:
                header.pop()
            if not check_header(table, file, header, problems):
                continue
            if _sheet_problems(file, info, header, problems):
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
    except Exception as exc:  # openpyxl raises many kinds on damaged sheets
        problems.append(InputProblem(path.name, None, None, f"this workbook cannot be read: {_fault(exc)}"))
        return {}
    finally:
        book.close()
    return tables


def _fault(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc)[:160]}; save it again from the spreadsheet as 'Excel Workbook (.xlsx)'"


def read_path(path: Path) -> Source:
    """Read a folder of CSVs, one `<table>.csv`, a `.json` or an `.xlsx` file."""
    problems: list[InputProblem] = []
    name = path.name or str(path)
    if not path.exists():
        problems.append(InputProblem(name, None, None, f"no such file or folder: {path}"))
        return Source(name, {}, problems)
    if not path.is_dir() and not path.is_file():
        # A pipe or a device (/dev/zero) would be read forever: only regular files are imported.
        problems.append(
            InputProblem(name, None, None, "this is not a regular file (a pipe, socket or device); import a file")
        )
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
