"""Checking an .xlsx workbook's structure within limits before openpyxl reads a single value.

A workbook is a zip of XML parts. A few hundred KB can declare gigabytes (a zip bomb), a shared-strings
table of millions of entries (openpyxl holds them all in memory), or cells at row 1,048,576 of column XFD
(read-only mode pads every row to the widest cell). So first the zip's directory is checked against the
declared sizes (zipfile never inflates a member past its declared size), then the shared strings and each
sheet are streamed through expat, counting as they go and stopping at the first limit passed. The same pass
finds what would otherwise be read silently wrong: hidden sheets, formulas with no saved value, and links
to other workbooks.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

from ..errors import InputProblem
from .limits import MB, XlsxLimits

CONTENT_TYPES = "[Content_Types].xml"
WORKBOOK_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
}
SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
EXTERNAL_LINK_REL = "/externalLink"
KEPT_FORMULA_CELLS = 20  # per sheet: enough to act on, few enough to read
_CELL_REF = re.compile(r"^([A-Z]{1,3})([0-9]{1,7})$")
_EXTERNAL_REF = re.compile(r"\[\d+\]")


class _Stop(Exception):
    """A limit passed or the structure is broken: the reason, said once."""


@dataclass
class SheetScan:
    """What one sheet holds, as far as deciding whether to read it goes."""

    title: str
    state: str  # visible | hidden | veryHidden
    part: str
    max_row: int = 0
    max_col: int = 0
    cells: int = 0
    unsaved_formulas: list[tuple[int, int]] = field(default_factory=list)
    external_formulas: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class WorkbookScan:
    sheets: list[SheetScan]
    external_links: int


def column_letters(col: int) -> str:
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _attr(attrs: dict[str, str], name: str) -> str | None:
    for k, v in attrs.items():
        if _local(k) == name:
            return v
    return None


def _read_small(zf: zipfile.ZipFile, name: str, limits: XlsxLimits) -> ET.Element:
    info = zf.getinfo(name)
    if info.file_size > limits.max_part_mb * MB:
        raise _Stop(f"its part {name} declares {info.file_size / MB:.0f} MB (at most {limits.max_part_mb} MB)")
    return ET.fromstring(zf.read(name))


def _resolve(base_part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_part), target))


def _rels_of(zf: zipfile.ZipFile, part: str, limits: XlsxLimits) -> list[dict[str, str]]:
    rels = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
    if rels not in zf.NameToInfo:
        return []
    return [dict(el.attrib) for el in _read_small(zf, rels, limits) if _local(el.tag) == "Relationship"]


def _stream(zf: zipfile.ZipFile, part: str, start: Any, end: Any, text: Any = None) -> None:
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    with zf.open(part) as src:
        try:
            parser.ParseFile(src)
        except expat.ExpatError as exc:
            raise _Stop(
                f"its part {part} is damaged (the XML is cut off or malformed at line {exc.lineno}: "
                f"{expat.ErrorString(exc.code)}); save the workbook again from the spreadsheet"
            ) from None


def _scan_strings(zf: zipfile.ZipFile, part: str, limits: XlsxLimits) -> None:
    count = 0
    chars = 0
    most_chars = limits.max_shared_text_mb * MB

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal count
        if _local(tag) == "si":
            count += 1
            if count > limits.max_shared_strings:
                raise _Stop(
                    f"its shared-strings table holds more than {limits.max_shared_strings:,} texts "
                    "(xlsx.max_shared_strings)"
                )

    def text(data: str) -> None:
        nonlocal chars
        chars += len(data)
        if chars > most_chars:
            raise _Stop(
                f"its shared texts are longer than {limits.max_shared_text_mb} MB in all (xlsx.max_shared_text_mb)"
            )

    _stream(zf, part, start, lambda tag: None, text)


def _scan_sheet(zf: zipfile.ZipFile, sheet: SheetScan, limits: XlsxLimits, cells_before: int) -> None:
    row = 0
    col = 0
    in_cell = False
    in_formula = False
    in_value = False
    has_formula = False
    has_value = False
    formula = ""
    where = f"sheet {sheet.title!r}"

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal row, col, in_cell, in_formula, in_value, has_formula, has_value, formula
        name = _local(tag)
        if name == "c":
            ref = _attr(attrs, "r")
            if ref is not None:
                m = _CELL_REF.match(ref)
                if m is None:
                    raise _Stop(f"{where} has a cell with a malformed reference {ref[:20]!r}")
                col = _column_index(m.group(1))
                row = max(row, int(m.group(2)))
            else:
                col += 1
            if col > limits.max_columns:
                raise _Stop(
                    f"{where} has a cell in column {column_letters(col)} (at most {limits.max_columns} columns, "
                    "xlsx.max_columns)"
                )
            sheet.max_col = max(sheet.max_col, col)
            sheet.cells += 1
            if cells_before + sheet.cells > limits.max_cells:
                raise _Stop(f"it holds more than {limits.max_cells:,} cells (xlsx.max_cells); import large data as CSV")
            in_cell, has_formula, has_value, formula = True, False, False, ""
        elif name == "row":
            ref = _attr(attrs, "r")
            if ref is not None and not ref.isdigit():
                raise _Stop(f"{where} has a row with a malformed number {ref[:20]!r}")
            row = int(ref) if ref is not None else row + 1
            col = 0
            if row > limits.max_rows:
                raise _Stop(f"{where} has a row numbered {row:,} (at most {limits.max_rows:,} rows, xlsx.max_rows)")
            sheet.max_row = max(sheet.max_row, row)
        elif in_cell and name == "f":
            in_formula, has_formula = True, True
        elif in_cell and name == "v":
            in_value = True

    def text(data: str) -> None:
        nonlocal formula, has_value
        if in_formula and len(formula) < 4096:
            formula += data
        elif in_value and data.strip():
            has_value = True

    def end(tag: str) -> None:
        nonlocal in_cell, in_formula, in_value
        name = _local(tag)
        if name == "f":
            in_formula = False
        elif name == "v":
            in_value = False
        elif name == "c":
            in_cell = False
            if has_formula and _EXTERNAL_REF.search(formula):
                if len(sheet.external_formulas) < KEPT_FORMULA_CELLS:
                    sheet.external_formulas.append((row, col))
            elif has_formula and not has_value and len(sheet.unsaved_formulas) < KEPT_FORMULA_CELLS:
                sheet.unsaved_formulas.append((row, col))

    _stream(zf, sheet.part, start, end, text)
    sheet.max_row = max(sheet.max_row, row)


def _scan(zf: zipfile.ZipFile, limits: XlsxLimits) -> WorkbookScan:
    infos = zf.infolist()
    if len(infos) > limits.max_parts:
        raise _Stop(f"it has {len(infos):,} parts (at most {limits.max_parts:,}, xlsx.max_parts)")
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed_mb * MB:
        raise _Stop(
            f"it unpacks to {total / MB:,.0f} MB (at most {limits.max_uncompressed_mb} MB, "
            "xlsx.max_uncompressed_mb); a workbook this large is better exported as CSV files"
        )
    if CONTENT_TYPES not in zf.NameToInfo:
        raise _Stop("it is a zip file but not an Excel workbook (it has no [Content_Types].xml)")
    types = _read_small(zf, CONTENT_TYPES, limits)
    overrides = {
        _attr(el.attrib, "ContentType"): (_attr(el.attrib, "PartName") or "").lstrip("/")
        for el in types
        if _local(el.tag) == "Override"
    }
    book_part = next((overrides[t] for t in WORKBOOK_TYPES if t in overrides), "xl/workbook.xml")
    if book_part not in zf.NameToInfo:
        raise _Stop("it is a zip file but not an Excel workbook (it has no workbook part)")
    strings_part = overrides.get(SHARED_STRINGS_TYPE)
    book = _read_small(zf, book_part, limits)
    rels = {r.get("Id"): r for r in _rels_of(zf, book_part, limits)}
    external = sum(1 for r in rels.values() if r.get("Type", "").endswith(EXTERNAL_LINK_REL))
    external += sum(1 for el in book.iter() if _local(el.tag) == "externalReference")
    sheets: list[SheetScan] = []
    for el in book.iter():
        if _local(el.tag) != "sheet":
            continue
        rel = rels.get(_attr(el.attrib, "id"))
        if rel is None or rel.get("TargetMode") == "External":
            continue  # not a worksheet part in this file; openpyxl will say if it matters
        part = _resolve(book_part, rel.get("Target", ""))
        title = _attr(el.attrib, "name") or "?"
        if part not in zf.NameToInfo:
            raise _Stop(f"its sheet {title!r} has no part {part} in the file (the workbook is incomplete)")
        sheets.append(SheetScan(_attr(el.attrib, "name") or "?", _attr(el.attrib, "state") or "visible", part))
    for info in infos:
        if info.file_size > limits.max_part_mb * MB and info.filename not in {strings_part, *(s.part for s in sheets)}:
            raise _Stop(
                f"its part {info.filename} declares {info.file_size / MB:,.0f} MB (at most {limits.max_part_mb} MB, "
                "xlsx.max_part_mb)"
            )
    if strings_part and strings_part in zf.NameToInfo:
        _scan_strings(zf, strings_part, limits)
    cells = 0
    for sheet in sheets:
        _scan_sheet(zf, sheet, limits, cells)
        cells += sheet.cells
    return WorkbookScan(sheets, external)


def scan_workbook(path: Path, limits: XlsxLimits, problems: list[InputProblem]) -> WorkbookScan | None:
    """The workbook's sheets and what they hold, or None with a problem naming the file and the limit."""
    try:
        with zipfile.ZipFile(path) as zf:
            return _scan(zf, limits)
    except _Stop as exc:
        problems.append(InputProblem(path.name, None, None, f"this workbook is refused: {exc}"))
    except (zipfile.BadZipFile, zlib.error, EOFError, ET.ParseError, KeyError, ValueError, OSError) as exc:
        problems.append(
            InputProblem(
                path.name,
                None,
                None,
                f"this workbook is damaged and cannot be read ({type(exc).__name__}: {str(exc)[:120]}); "
                "save it again from the spreadsheet as 'Excel Workbook (.xlsx)'",
            )
        )
    except RuntimeError as exc:  # zipfile: "File ... is encrypted, password required for extraction"
        problems.append(InputProblem(path.name, None, None, f"this workbook cannot be read: {exc}"))
    return None
