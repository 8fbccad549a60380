"""The published format stays in step with the code: every column documented, the schema file regenerated."""

from __future__ import annotations

import json
import re
from pathlib import Path

from peermap.engine.ingest import TABLES, json_schema

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_every_column_of_every_table_is_documented() -> None:
    text = (DOCS / "data-format.md").read_text(encoding="utf-8")
    sections = re.split(r"^### ", text, flags=re.M)
    for spec in TABLES.values():
        [section] = [s for s in sections if spec.file in s.splitlines()[0]]
        for column in spec.columns:
            rows = [line for line in section.splitlines() if line.startswith("|") and f"`{column}`" in line]
            assert rows, f"{spec.file} column {column!r} is not documented in docs/data-format.md"
            if column in spec.required:
                assert any("**required**" in r for r in rows), f"{spec.file} {column!r} should be marked required"


def test_published_schema_file_is_current() -> None:
    published = json.loads((DOCS / "schema" / "interchange.schema.json").read_text(encoding="utf-8"))
    hint = "regenerate with: peermap schema --out docs/schema/interchange.schema.json --force"
    assert published == json_schema(), hint


def test_schema_lists_every_table_and_requires_the_required_columns() -> None:
    schema = json_schema()
    assert set(schema["properties"]) == set(TABLES)
    for spec in TABLES.values():
        ref = schema["properties"][spec.name]["items"]["$ref"].rsplit("/", 1)[-1]
        row = schema["$defs"][ref]
        assert list(row["properties"]) == spec.columns
        assert sorted(row["required"]) == sorted(spec.required)
        assert row["additionalProperties"] is False
