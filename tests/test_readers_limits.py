"""Readers with limits: hostile workbooks, JSON and CSV are problems naming the file (and sheet), never a
crash or a silent misread; ids refuse invisible characters; NUL is refused the same way on both databases."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from hostile_files import PEOPLE, people_book, sheet_xml, streamed_part, workbook

from peermap.engine.access import Actor
from peermap.engine.errors import ImportRejected, InputProblem
from peermap.engine.ingest import import_path
from peermap.engine.ingest.limits import load_import_limits
from peermap.engine.store import Store

GOOD = Path(__file__).parent / "data" / "good"


def _rejected(store: Store, path: Path, actor: Actor) -> list[InputProblem]:
    with pytest.raises(ImportRejected) as info:
        import_path(store, path, actor)
    return info.value.problems


def _has(problems: list[InputProblem], file: str, text: str, row: int | None = None, fld: str | None = None) -> bool:
    return any(
        p.file == file and text in p.reason and (row is None or p.row == row) and (fld is None or p.field == fld)
        for p in problems
    )


def test_limits_policy_loads_and_is_data() -> None:
    limits = load_import_limits()
    assert limits.xlsx.max_columns == 64 and limits.json_.max_depth == 16
    assert limits.xlsx.max_rows <= 1048576


def test_a_plain_workbook_still_imports(store: Store, practitioner: Actor, tmp_path: Path) -> None:
    report = import_path(store, people_book(tmp_path / "ok.xlsx"), practitioner)
    assert report.counts == {"people": 2}


def test_hidden_and_very_hidden_sheets_are_problems(store: Store, practitioner: Actor, tmp_path: Path) -> None:
    book = workbook(
        tmp_path / "b.xlsx",
        [
            ("people", "visible", sheet_xml(PEOPLE)),
            ("agencies", "hidden", sheet_xml([["agency_id", "name"], ["x", "X"]])),
            ("locations", "veryHidden", sheet_xml([["location_id", "name"], ["L9", "Yard"]])),
        ],
    )
    found = _rejected(store, book, practitioner)
    assert _has(found, "b.xlsx#agencies", "this sheet is hidden")
    assert _has(found, "b.xlsx#locations", "very hidden")


def test_two_sheets_for_one_table(store: Store, practitioner: Actor, tmp_path: Path) -> None:
    book = workbook(
        tmp_path / "b.xlsx",
        [("people", "visible", sheet_xml(PEOPLE)), ("People ", "visible", sheet_xml([["person_id", "name"]]))],
    )
    assert _has(_rejected(store, book, practitioner), "b.xlsx#People ", "a second sheet for the people table")


def test_formula_without_saved_value_names_cell(store: Store, practitioner: Actor, tmp_path: Path) -> None:
    formula = '<row r="4"><c r="B4"><f>CONCAT("A","B")</f></c><c r="A4" t="inlineStr"><is><t>P9</t></is></c></row>'
    book = workbook(tmp_path / "f.xlsx", [("people", "visible", sheet_xml(PEOPLE, extra_cells=formula))])
    found = _rejected(store, book, practitioner)
    assert _has(found, "f.xlsx#people", "cell B4 holds a formula with no saved value", row=4, fld="name")


def test_external_links_are_problems(store: Store, practitioner: Actor, tmp_path: Path) -> None:
    linked = (
        '<row r="4"><c r="A4" t="inlineStr"><is><t>P9</t></is></c>'
        '<c r="B4" t="str"><f>[1]Sheet1!A1</f><v>Zed</v></c></row>'
    )
    book = workbook(
        tmp_path / "x.xlsx", [("people", "visible", sheet_xml(PEOPLE, extra_cells=linked))], external_link=True
    )
    found = _rejected(store, book, practitioner)
    assert _has(found, "x.xlsx", "links to other workbooks")
    assert _has(found, "x.xlsx#people", "cell B4 is a formula reading another workbook", row=4)


def test_truncated_sheet_xml_is_a_problem(store: Store, practitioner: Actor, tmp_path: Path) -> None:
    xml = sheet_xml(PEOPLE)
    book = workbook(tmp_path / "t.xlsx", [("people", "visible", xml[: len(xml) // 2])])
    assert _has(_rejected(store, book, practitioner), "t.xlsx", "is damaged (the XML is cut off or malformed")


@pytest.mark.slow
def test_shared_strings_bomb_is_refused(store: Store, practitioner: Actor, tmp_path: Path) -> None:
    def write(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
        if name == "xl/sharedStrings.xml":
            streamed_part(zf, name, f'<sst xmlns="{"x"}">'.encode(), b"<si><t>a</t></si>", 1_200_000, b"</sst>")
        else:
            zf.writestr(name, data)

    book = people_book(tmp_path / "s.xlsx", shared_strings=b"", write=write)
    assert book.stat().st_size < 200_000
    assert _has(_rejected(store, book, practitioner), "s.xlsx", "more than 1,000,000 texts")


def test_a_cell_beyond_the_column_limit_and_a_lying_dimension(
    store: Store, practitioner: Actor, tmp_path: Path
) -> None:
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    book = people_book(tmp_path / "d.xlsx", rows=None)
    bomb = workbook(tmp_path / "d2.xlsx", [("people", "visible", sheet_xml(PEOPLE, extra_cells=far))])
    assert _has(_rejected(store, bomb, practitioner), "d2.xlsx", "has a cell in column XFD")
    # A dimension claiming the whole grid is not believed: only the cells present are read.
    liar = workbook(tmp_path / "d3.xlsx", [("people", "visible", sheet_xml(PEOPLE, dimension="A1:XFD1048576"))])
    assert import_path(store, liar, practitioner).counts == {"people": 2}
    assert book.exists()


@pytest.mark.slow
def test_declared_uncompressed_size_is_checked_first(store: Store, practitioner: Actor, tmp_path: Path) -> None:
    def write(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
        if name == "xl/worksheets/sheet1.xml":
            streamed_part(zf, name, data[:-30], b" " * 1024, 600 * 1024, data[-30:])
        else:
            zf.writestr(name, data)

    book = people_book(tmp_path / "z.xlsx", write=write)
    assert book.stat().st_size < 2_000_000
    assert _has(_rejected(store, book, practitioner), "z.xlsx", "it unpacks to 600 MB")


def test_json_duplicate_keys_at_every_level(store: Store, practitioner: Actor, tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    path.write_text(
        '{"people": [{"person_id": "P100", "name": "Ann", "name": "Zed"}], "people": [], '
        '"locations": [{"location_id": "L9", "Name": "a", "name": "b"}]}'
    )
    found = _rejected(store, path, practitioner)
    assert _has(found, "d.json#people", "the key 'people' is given twice")
    assert _has(found, "d.json#locations", "the column 'name' is given twice", row=0, fld="name")


def test_json_duplicate_row_key(store: Store, practitioner: Actor, tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    path.write_text('{"people": [{"person_id": "P100", "name": "Ann", "name": "Zed"}]}')
    assert _has(_rejected(store, path, practitioner), "d.json#people", "'name' is given twice", row=0, fld="name")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"people": ' + "[" * 40 + "]" * 40 + "}", "nested too deeply"),
        ('{"agreements": [{"retention_days": 123456789012345678901234567890}]}', "has 30 digits"),
        ('{"agreements": [{"retention_days": ' + "9" * 5000 + "}]}", "has 5000 digits"),
        ('{"locations": [{"location_id": "L1", "name": "a", "latitude": 1e400}]}', "outside the range"),
        ('{"locations": [{"location_id": "L1", "name": "a", "latitude": NaN}]}', "NaN is not a number"),
        ('{"people": [{"person_id": "P1", "name": "\\ud800"}]}', "unpaired surrogate"),
        ('{"people": [{"person_id": "P1", "name": "a\\u0000b"}]}', "NUL character"),
        ("", "this is not valid JSON"),
    ],
)
def test_json_failures_are_problems(text: str, reason: str, store: Store, practitioner: Actor, tmp_path: Path) -> None:
    path = tmp_path / "h.json"
    path.write_text(text)
    found = _rejected(store, path, practitioner)
    assert any(reason in p.reason and p.file.startswith("h.json") for p in found), found


def test_csv_retention_of_thirty_digits(store: Store, practitioner: Actor, tmp_path: Path) -> None:
    path = tmp_path / "agreements.csv"
    path.write_text(
        "agreement_id,agencies,purpose,lawful_basis,valid_from,retention_days\nA1,pol,p,b,2024-01-01," + "1" * 30 + "\n"
    )
    assert _has(_rejected(store, path, practitioner), "agreements.csv", "more than a hundred years", 2)


@pytest.mark.slow
@pytest.mark.parametrize(
    "invisible", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202e", "\u2066", "\x1b", "\x85"]
)
def test_ids_refuse_invisible_and_control_characters(
    invisible: str, store: Store, practitioner: Actor, tmp_path: Path
) -> None:
    import_path(store, GOOD, practitioner)
    path = tmp_path / "people.csv"
    path.write_text(f"person_id,name\nP0{invisible}01,Jay Smith\n", encoding="utf-8")
    found = _rejected(store, path, practitioner)
    assert _has(found, "people.csv", f"U+{ord(invisible):04X} at position 3", row=2, fld="person_id"), found


def test_names_keep_control_characters(store: Store, practitioner: Actor, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("person_id,name\nP900,\x1b[2JJo\u202eeve\n", encoding="utf-8")
    assert import_path(store, path, practitioner).counts == {"people": 1}


@pytest.mark.slow
def test_nul_byte_after_64k_is_refused_on_both_databases(any_store: Store, practitioner: Actor, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    filler = "".join(f"P{i:06d},Person {i}\n" for i in range(5000))
    path.write_bytes(("person_id,name\n" + filler + "P999999,Nul\x00Name\n").encode())
    assert path.stat().st_size > 65536
    found = _rejected(any_store, path, practitioner)
    assert _has(found, "people.csv", "NUL character", row=5002, fld="name"), found


def test_json_rows_as_numbers_in_a_deep_but_legal_document(store: Store, practitioner: Actor, tmp_path: Path) -> None:
    path = tmp_path / "ok.json"
    path.write_text(json.dumps({"people": [{"person_id": 12345678901234567, "name": "Num"}]}))
    assert import_path(store, path, practitioner).counts == {"people": 1}
