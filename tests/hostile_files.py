"""Builders of hostile input files, made at test time (bombs are never committed).

Each builder writes into a folder and returns the path to import. Workbooks are written part by part with
zipfile, so a test controls every byte: declared sizes, hidden states, formulas, links, truncation.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from xml.sax.saxutils import escape

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
BOOK_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
STRINGS_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
EXTERNAL_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"

PEOPLE = [["person_id", "name"], ["P100", "Ann Lee"], ["P101", "Bo Chen"]]


def column(n: int) -> str:
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def cell(ref: str, value: object) -> str:
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def sheet_xml(rows: Iterable[Iterable[object]], *, dimension: str | None = None, extra_cells: str = "") -> bytes:
    body = []
    for r, values in enumerate(rows, start=1):
        cells = "".join(cell(f"{column(c)}{r}", v) for c, v in enumerate(values, start=1))
        body.append(f'<row r="{r}">{cells}</row>')
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}">{dim}<sheetData>'
        + "".join(body)
        + extra_cells
        + "</sheetData></worksheet>"
    ).encode()


Sheet = tuple[str, str, bytes]  # (title, state, sheet xml)


def workbook(
    path: Path,
    sheets: list[Sheet],
    *,
    shared_strings: bytes | None = None,
    external_link: bool = False,
    extra_parts: dict[str, bytes] | None = None,
    write: Callable[[zipfile.ZipFile, str, bytes], None] | None = None,
) -> Path:
    """A minimal .xlsx with these sheets (state: visible | hidden | veryHidden)."""
    overrides = [f'<Override PartName="/xl/workbook.xml" ContentType="{BOOK_CT}"/>']
    rels = []
    entries = []
    parts: dict[str, bytes] = {}
    for i, (title, state, xml) in enumerate(sheets, start=1):
        overrides.append(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{SHEET_CT}"/>')
        rels.append(f'<Relationship Id="rId{i}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>')
        st = "" if state == "visible" else f' state="{state}"'
        entries.append(f'<sheet name="{escape(title)}" sheetId="{i}"{st} r:id="rId{i}"/>')
        parts[f"xl/worksheets/sheet{i}.xml"] = xml
    if shared_strings is not None:
        overrides.append(f'<Override PartName="/xl/sharedStrings.xml" ContentType="{STRINGS_CT}"/>')
        rels.append(f'<Relationship Id="rIdS" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>')
        parts["xl/sharedStrings.xml"] = shared_strings
    book_extra = ""
    if external_link:
        overrides.append(f'<Override PartName="/xl/externalLinks/externalLink1.xml" ContentType="{EXTERNAL_CT}"/>')
        rels.append(f'<Relationship Id="rIdX" Type="{REL_NS}/externalLink" Target="externalLinks/externalLink1.xml"/>')
        book_extra = '<externalReferences><externalReference r:id="rIdX"/></externalReferences>'
        parts["xl/externalLinks/externalLink1.xml"] = (
            f'<externalLink xmlns="{NS}"><externalBook xmlns:r="{REL_NS}" r:id="rId1"/></externalLink>'
        ).encode()
    parts["[Content_Types].xml"] = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>' + "".join(overrides) + "</Types>"
    ).encode()
    parts["_rels/.rels"] = (
        f'<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" Type="{REL_NS}/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    ).encode()
    parts["xl/workbook.xml"] = (
        f'<workbook xmlns="{NS}" xmlns:r="{REL_NS}"><sheets>{"".join(entries)}</sheets>{book_extra}</workbook>'
    ).encode()
    parts["xl/_rels/workbook.xml.rels"] = (f'<Relationships xmlns="{PKG_REL}">{"".join(rels)}</Relationships>').encode()
    parts.update(extra_parts or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            if write is not None:
                write(zf, name, data)
            else:
                zf.writestr(name, data)
    return path


def people_book(path: Path, rows: list[list[object]] | None = None, **kwargs: object) -> Path:
    return workbook(path, [("people", "visible", sheet_xml(rows or PEOPLE))], **kwargs)  # type: ignore[arg-type]


def streamed_part(zf: zipfile.ZipFile, name: str, head: bytes, filler: bytes, count: int, tail: bytes) -> None:
    """Write a member of `head + filler * count + tail` without holding it in memory (bombs)."""
    with zf.open(name, "w", force_zip64=True) as out:
        out.write(head)
        block = filler * max(1, (1 << 20) // len(filler))
        per = (1 << 20) // len(filler) or 1
        left = count
        while left >= per:
            out.write(block)
            left -= per
        out.write(filler * left)
        out.write(tail)
