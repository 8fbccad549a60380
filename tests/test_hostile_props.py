"""Properties over generated hostile inputs: whatever bytes arrive as a CSV or JSON file, importing them ends
in a report or in ImportRejected naming the file, never in another exception (which the CLI would show as a
fault), and a rejected import leaves the database byte for byte unchanged."""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from peermap.engine import Actor, ImportRejected, PeermapError, Role, Store, import_path

GOOD = Path(__file__).parent / "data" / "good"
ACTOR = Actor("prop.tester", Role.PRACTITIONER)
_TEMPLATE: list[Path] = []

HEADERS = [
    "person_id,name",
    "person_id,name,date_of_birth",
    "location_id,name,latitude,longitude",
    "agreement_id,agencies,purpose,lawful_basis,valid_from,retention_days",
]
NASTY = "\x00\x1b\x07\x08\r\n\t\x7f\x85\x9b\u200b\u200d\u2060\ufeff\u202e\u2066;,\"'=+-@\\"
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"]


def _template() -> Path:
    if not _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="peermap-props-"))
        db = folder / "good.db"
        store = Store.open(f"sqlite:///{db}")
        import_path(store, GOOD, ACTOR)
        store.dispose()
        _TEMPLATE.append(db)
    return _TEMPLATE[0]


def _import_checked(name: str, payload: bytes) -> None:
    work = Path(tempfile.mkdtemp(prefix="peermap-prop-"))
    try:
        db = work / "p.db"
        shutil.copy(_template(), db)
        before = hashlib.sha256(db.read_bytes()).hexdigest()
        (work / name).write_bytes(payload)
        store = Store.open(f"sqlite:///{db}")
        try:
            import_path(store, work / name, ACTOR)
        except ImportRejected as exc:
            assert exc.problems, "a rejection names at least one problem"
            assert all(p.file.startswith(Path(name).name) for p in exc.problems), exc.problems
            store.dispose()
            assert hashlib.sha256(db.read_bytes()).hexdigest() == before, "a rejected import changed the database"
        except PeermapError:
            store.dispose()
            assert hashlib.sha256(db.read_bytes()).hexdigest() == before
        else:
            store.dispose()
    finally:
        shutil.rmtree(work, ignore_errors=True)


cell = st.text(alphabet=st.sampled_from(NASTY) | st.characters(codec="utf-8"), max_size=12)
rows = st.lists(st.lists(cell, min_size=0, max_size=7), max_size=6)


@given(header=st.sampled_from(HEADERS) | cell, body=rows, encoding=st.sampled_from(ENCODINGS))
def test_generated_csv_text_is_handled(header: str, body: list[list[str]], encoding: str) -> None:
    lines = [header] + [",".join(r) for r in body]
    text = "\n".join(lines) + "\n"
    table = header.split(",")[0].removesuffix("_id")
    name = {"person": "people.csv", "location": "locations.csv", "agreement": "agreements.csv"}.get(table, "people.csv")
    _import_checked(name, text.encode(encoding, "replace"))


@given(payload=st.binary(max_size=2048))
def test_random_bytes_as_csv_and_json(payload: bytes) -> None:
    _import_checked("people.csv", payload)
    _import_checked("data.json", payload)


scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.sampled_from(NASTY) | st.characters(codec="utf-8"), max_size=10)
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=30,
)
tables = st.dictionaries(
    st.sampled_from(["people", "People", "locations", "evidence", "agreements", "nonsense"]),
    st.lists(
        st.dictionaries(st.sampled_from(["person_id", "name", "Name", "location_id", "x"]), json_values), max_size=4
    )
    | json_values,
    max_size=4,
)


@given(
    doc=tables | json_values,
    cut=st.integers(min_value=0, max_value=400),
    mangle=st.sampled_from(["", "dup", "deep", "cut"]),
)
def test_generated_json_is_handled(doc: object, cut: int, mangle: str) -> None:
    text = json.dumps(doc, ensure_ascii=mangle == "")
    if mangle == "dup" and text.startswith("{") and len(text) > 2:
        text = '{"people": [], ' + text[1:] if text != "{}" else '{"people": [], "people": []}'
    elif mangle == "deep":
        depth = 20 + cut * 50
        text = "[" * depth + text + "]" * depth
    elif mangle == "cut":
        text = text[: cut % (len(text) + 1)]
    _import_checked("data.json", text.encode("utf-8", "surrogatepass"))
