"""Importing agency data (the interchange format): read, validate everything, then write all or nothing.

import_path(store, path, actor)                     a folder of CSVs, a <table>.csv, .json or .xlsx
import_tables(store, {"people": [...]}, actor, source="...")   rows as dicts (the demo, tests)
summary(store)                                      what is stored
json_schema()                                       the format as JSON Schema
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from .. import clock
from ..access import Actor
from ..errors import ImportRejected, InputProblem
from ..store import Store
from .overview import summary
from .readers import RawTable, Source, read_path, tables_from_mapping
from .rows import TABLES
from .schema import json_schema
from .validate import Plan, Progress, plan_import
from .write import ImportReport, write_plan

__all__ = [
    "TABLES",
    "ImportRejected",
    "ImportReport",
    "import_path",
    "import_tables",
    "json_schema",
    "summary",
]


def _run(
    store: Store,
    source: Source,
    actor: Actor,
    *,
    imported_at: datetime | None,
    quarantine_outside_agreement: bool,
    progress: Progress | None,
) -> ImportReport:
    today = clock.as_utc(imported_at).date() if imported_at is not None else clock.today()
    with store.read() as s:
        plan: Plan = plan_import(
            s,
            source.tables,
            today=today,
            quarantine_outside_agreement=quarantine_outside_agreement,
            progress=progress,
            read_problems=source.problems,
        )
    return write_plan(store, plan, actor, source=source.name, imported_at=imported_at, progress=progress)


def import_path(
    store: Store,
    path: str | Path,
    actor: Actor,
    *,
    quarantine_outside_agreement: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a folder of `<table>.csv` files, one `<table>.csv`, a `.json` or an `.xlsx` workbook.

    Everything is checked before anything is written; any problem raises ImportRejected listing them all.
    """
    if progress is not None:
        progress(0, 1, "read")
    source = read_path(Path(path))
    return _run(
        store,
        source,
        actor,
        imported_at=None,
        quarantine_outside_agreement=quarantine_outside_agreement,
        progress=progress,
    )


def import_tables(
    store: Store,
    tables: dict[str, list[dict[str, Any]]],
    actor: Actor,
    *,
    source: str,
    imported_at: datetime | None = None,
    quarantine_outside_agreement: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import rows given as dicts per table (CSV-shaped: values may be text, numbers, booleans or dates).

    Problems name the table as `<source>#<table>` and the row by its index in the list.
    """
    problems: list[InputProblem] = []
    raw: dict[str, RawTable] = tables_from_mapping(tables, source, problems)
    return _run(
        store,
        Source(source, raw, problems),
        actor,
        imported_at=imported_at,
        quarantine_outside_agreement=quarantine_outside_agreement,
        progress=progress,
    )
