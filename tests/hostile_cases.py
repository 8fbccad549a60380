"""Builders for the hostile corpus (tests/data/hostile/): inputs too big or too odd to commit are made here.

A case's `case.txt` names its builder with `make=NAME`; the builder writes the inputs into a fresh folder.
Bombs are small on disk and built in well under a second each: their size is declared or compressed.
"""

from __future__ import annotations

import os
import sqlite3
import zipfile
from collections.abc import Callable
from pathlib import Path

from hostile_files import NS, PEOPLE, people_book, sheet_xml, streamed_part, workbook

Builder = Callable[[Path], None]
BUILDERS: dict[str, Builder] = {}


def builder(fn: Builder) -> Builder:
    BUILDERS[fn.__name__] = fn
    return fn


def _replace_part(name: str, make: Callable[[zipfile.ZipFile, str, bytes], None]) -> Callable[..., None]:
    def write(zf: zipfile.ZipFile, part: str, data: bytes) -> None:
        if part == name:
            make(zf, part, data)
        else:
            zf.writestr(part, data)

    return write


# -- workbooks ---------------------------------------------------------------------------------------------


@builder
def xlsx_zip_bomb(out: Path) -> None:
    """600 MB of sheet XML in about 600 KB."""
    people_book(
        out / "book.xlsx",
        write=_replace_part(
            "xl/worksheets/sheet1.xml",
            lambda zf, n, d: streamed_part(zf, n, d[:-30], b" " * 1024, 600 * 1024, d[-30:]),
        ),
    )


@builder
def xlsx_shared_strings_bomb(out: Path) -> None:
    """1.2 million shared strings (openpyxl would hold every one) in about 50 KB."""
    people_book(
        out / "book.xlsx",
        shared_strings=b"",
        write=_replace_part(
            "xl/sharedStrings.xml",
            lambda zf, n, d: streamed_part(
                zf, n, f'<sst xmlns="{NS}">'.encode(), b"<si><t>a</t></si>", 1_200_000, b"</sst>"
            ),
        ),
    )


@builder
def xlsx_shared_text_bomb(out: Path) -> None:
    """One shared string of 80 MB."""
    people_book(
        out / "book.xlsx",
        shared_strings=b"",
        write=_replace_part(
            "xl/sharedStrings.xml",
            lambda zf, n, d: streamed_part(
                zf, n, f'<sst xmlns="{NS}"><si><t>'.encode(), b"x" * 1024, 80 * 1024, b"</t></si></sst>"
            ),
        ),
    )


@builder
def xlsx_column_bomb(out: Path) -> None:
    far = '<row r="3"><c r="XFD3" t="inlineStr"><is><t>x</t></is></c></row>'
    workbook(out / "book.xlsx", [("people", "visible", sheet_xml(PEOPLE, extra_cells=far))])


@builder
def xlsx_row_bomb(out: Path) -> None:
    far = '<row r="2000000"><c r="A2000000" t="inlineStr"><is><t>x</t></is></c></row>'
    workbook(out / "book.xlsx", [("people", "visible", sheet_xml(PEOPLE, extra_cells=far))])


@builder
def xlsx_cell_bomb(out: Path) -> None:
    """More cells than the (lowered) limit: each one a bare <c/>."""
    rows = "".join(f'<row r="{r}">' + "<c/>" * 50 + "</row>" for r in range(4, 200))
    workbook(out / "book.xlsx", [("people", "visible", sheet_xml(PEOPLE, extra_cells=rows))])


@builder
def xlsx_too_many_parts(out: Path) -> None:
    extra = {f"xl/media/junk{i}.bin": b"x" for i in range(1100)}
    people_book(out / "book.xlsx", extra_parts=extra)


@builder
def xlsx_big_styles_part(out: Path) -> None:
    def write(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
        zf.writestr(name, data)
        if name == "xl/workbook.xml":
            streamed_part(zf, "xl/styles.xml", b"<styleSheet>", b" " * 1024, 40 * 1024, b"</styleSheet>")

    people_book(out / "book.xlsx", write=write)


@builder
def xlsx_hidden_sheet(out: Path) -> None:
    workbook(
        out / "book.xlsx",
        [
            ("people", "visible", sheet_xml(PEOPLE)),
            ("agencies", "hidden", sheet_xml([["agency_id", "name"], ["zz", "Z"]])),
        ],
    )


@builder
def xlsx_very_hidden_sheet(out: Path) -> None:
    workbook(
        out / "book.xlsx",
        [
            ("people", "visible", sheet_xml(PEOPLE)),
            ("locations", "veryHidden", sheet_xml([["location_id", "name"], ["L99", "Y"]])),
        ],
    )


@builder
def xlsx_two_sheets_one_table(out: Path) -> None:
    workbook(
        out / "book.xlsx",
        [
            ("people", "visible", sheet_xml(PEOPLE)),
            ("PEOPLE", "visible", sheet_xml([["person_id", "name"], ["P102", "C"]])),
        ],
    )


@builder
def xlsx_formula_without_value(out: Path) -> None:
    row = '<row r="4"><c r="A4" t="inlineStr"><is><t>P104</t></is></c><c r="B4"><f>A4&amp;"x"</f></c></row>'
    workbook(out / "book.xlsx", [("people", "visible", sheet_xml(PEOPLE, extra_cells=row))])


@builder
def xlsx_external_link(out: Path) -> None:
    people_book(out / "book.xlsx", external_link=True)


@builder
def xlsx_external_formula(out: Path) -> None:
    row = (
        '<row r="4"><c r="A4" t="inlineStr"><is><t>P104</t></is></c>'
        '<c r="B4" t="str"><f>[1]Names!A1</f><v>Zed</v></c></row>'
    )
    workbook(out / "book.xlsx", [("people", "visible", sheet_xml(PEOPLE, extra_cells=row))])


@builder
def xlsx_truncated_sheet(out: Path) -> None:
    xml = sheet_xml(PEOPLE)
    workbook(out / "book.xlsx", [("people", "visible", xml[: len(xml) - 40])])


@builder
def xlsx_truncated_shared_strings(out: Path) -> None:
    people_book(out / "book.xlsx", shared_strings=f'<sst xmlns="{NS}"><si><t>a</t></si><si><t>b'.encode())


@builder
def xlsx_billion_laughs(out: Path) -> None:
    lol = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lolololololololololol">'
    for i in range(1, 10):
        prev = "lol" if i == 1 else f"lol{i - 1}"
        lol += f'<!ENTITY lol{i} "' + f"&{prev};" * 10 + '">'
    lol += f']><sst xmlns="{NS}"><si><t>&lol9;</t></si></sst>'
    people_book(out / "book.xlsx", shared_strings=lol.encode())


@builder
def xlsx_external_entity(out: Path) -> None:
    xxe = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        f'<sst xmlns="{NS}"><si><t>&e;</t></si></sst>'
    )
    people_book(out / "book.xlsx", shared_strings=xxe.encode())


@builder
def xlsx_truncated_zip(out: Path) -> None:
    whole = people_book(out / "whole.xlsx").read_bytes()
    (out / "book.xlsx").write_bytes(whole[: len(whole) // 2])
    (out / "whole.xlsx").unlink()


@builder
def xlsx_bad_crc(out: Path) -> None:
    people_book(out / "book.xlsx")
    with zipfile.ZipFile(out / "book.xlsx") as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data = bytearray((out / "book.xlsx").read_bytes())
    data[start + 10] ^= 0xFF  # one flipped byte inside the deflated sheet
    (out / "book.xlsx").write_bytes(bytes(data))


@builder
def xlsx_not_a_workbook(out: Path) -> None:
    with zipfile.ZipFile(out / "book.xlsx", "w") as zf:
        zf.writestr("readme.txt", "a zip of something else, named .xlsx")


@builder
def xlsx_no_workbook_part(out: Path) -> None:
    with zipfile.ZipFile(out / "book.xlsx", "w") as zf:
        zf.writestr(
            "[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
        )


@builder
def xlsx_malformed_cell_reference(out: Path) -> None:
    row = '<row r="4"><c r="4A" t="inlineStr"><is><t>x</t></is></c></row>'
    workbook(out / "book.xlsx", [("people", "visible", sheet_xml(PEOPLE, extra_cells=row))])


@builder
def xlsx_malformed_row_number(out: Path) -> None:
    row = '<row r="four"><c t="inlineStr"><is><t>x</t></is></c></row>'
    workbook(out / "book.xlsx", [("people", "visible", sheet_xml(PEOPLE, extra_cells=row))])


@builder
def xlsx_missing_sheet_part(out: Path) -> None:
    def write(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
        if name != "xl/worksheets/sheet1.xml":
            zf.writestr(name, data)

    people_book(out / "book.xlsx", write=write)


@builder
def xlsx_empty_zip(out: Path) -> None:
    with zipfile.ZipFile(out / "book.xlsx", "w"):
        pass


@builder
def xlsx_encrypted_part(out: Path) -> None:
    def write(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
        info = zipfile.ZipInfo(name)
        if name == "xl/worksheets/sheet1.xml":
            info.flag_bits |= 0x1  # "encrypted": a reader must refuse it without a password
        zf.writestr(info, data)

    people_book(out / "book.xlsx", write=write)


# -- JSON and CSV -----------------------------------------------------------------------------------------


@builder
def json_deep_nesting(out: Path) -> None:
    (out / "data.json").write_text('{"people": ' + "[" * 100_000 + "]" * 100_000 + "}")


@builder
def json_too_big(out: Path) -> None:
    rows = ",".join(f'{{"person_id": "Q{i:06d}", "name": "Person {i}"}}' for i in range(40_000))
    (out / "data.json").write_text('{"people": [' + rows + "]}")


@builder
def json_5000_digits(out: Path) -> None:
    (out / "data.json").write_text('{"agreements": [{"retention_days": ' + "7" * 5000 + "}]}")


@builder
def csv_nul_after_64k(out: Path) -> None:
    rows = "".join(f"Q{i:06d},Person {i}\n" for i in range(5000))
    (out / "people.csv").write_bytes(("person_id,name\n" + rows + "Q999999,Nul\x00Byte\n").encode())


@builder
def csv_field_over_limit(out: Path) -> None:
    (out / "people.csv").write_text("person_id,name\nQ1," + "a" * (17 * 1024 * 1024) + "\n")


@builder
def csv_too_big(out: Path) -> None:
    rows = "".join(f"Q{i:06d},Person {i}\n" for i in range(100_000))
    (out / "people.csv").write_text("person_id,name\n" + rows)


@builder
def csv_invalid_utf8_late(out: Path) -> None:
    rows = "".join(f"Q{i:06d},Person {i}\n" for i in range(8000))
    (out / "people.csv").write_bytes(("person_id,name\n" + rows).encode() + b"Q999999,Caf\xe9\n")


@builder
def csv_thousands_of_columns(out: Path) -> None:
    header = ",".join(["person_id", "name"] + [f"junk{i}" for i in range(10_000)])
    (out / "people.csv").write_text(header + "\n")


@builder
def csv_fifo(out: Path) -> None:
    os.mkfifo(out / "people.csv")


@builder
def csv_device(out: Path) -> None:
    (out / "people.csv").symlink_to("/dev/zero")


@builder
def csv_symlink_loop(out: Path) -> None:
    (out / "people.csv").symlink_to(out / "people.csv")


# -- databases --------------------------------------------------------------------------------------------


@builder
def db_other_application(out: Path) -> None:
    conn = sqlite3.connect(out / "other.db")
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.execute("INSERT INTO invoices VALUES (1, 9.5)")
    conn.commit()
    conn.close()


@builder
def people_ok(out: Path) -> None:
    """A valid import of one new person: what a locked, read-only or full database must refuse to write."""
    (out / "people.csv").write_text("person_id,name\nQ000001,New Person\n")


@builder
def people_many(out: Path) -> None:
    rows = "".join(f"Q{i:06d},Person number {i} with a longish name\n" for i in range(20_000))
    (out / "people.csv").write_text("person_id,name\n" + rows)


@builder
def json_utf16(out: Path) -> None:
    (out / "data.json").write_bytes('{"people": [{"person_id": "P100", "name": "Ann"}]}'.encode("utf-16"))
