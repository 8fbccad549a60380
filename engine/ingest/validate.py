"""Validation of a whole import against itself and the database, before anything is written.

`plan_import` reads (never writes) the database and returns either a Plan of new rows or raises
ImportRejected with every problem found (up to a cap), so a rejected import leaves the store untouched.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, select

from ..audit import canonical_json
from ..errors import ImportRejected, InputProblem
from ..models import (
    Agency,
    Concern,
    Evidence,
    Incident,
    Location,
    SharingAgreement,
    Strength,
    YoungPerson,
)
from ..restricted import HIDDEN_FIELDS, ITEM_KINDS
from ..snapshot import agreement_covers
from ..vocab import OBJECT_KIND_OF_RELATION, ObjectKind, Relation
from .readers import RawTable
from .rows import NODE_TABLES, TABLES, pattern_reason

MAX_PROBLEMS = 200
CHUNK = 2000

Progress = Callable[[int, int, str], None]

MODEL_OF: dict[str, type[SQLModel]] = {
    "agencies": Agency,
    "agreements": SharingAgreement,
    "people": YoungPerson,
    "locations": Location,
    "incidents": Incident,
    "evidence": Evidence,
    "strengths": Strength,
    "concerns": Concern,
}
KIND_OF_TABLE = {
    "people": ObjectKind.PERSON,
    "locations": ObjectKind.LOCATION,
    "incidents": ObjectKind.INCIDENT,
}
NOUN = {
    ObjectKind.PERSON: "a young person",
    ObjectKind.LOCATION: "a location",
    ObjectKind.INCIDENT: "an incident",
}
FUTURE_FIELDS: dict[str, tuple[str, ...]] = {
    "people": ("date_of_birth",),
    "incidents": ("date",),
    "evidence": ("observed_on", "recorded_on"),
    "strengths": ("recorded_on",),
    "concerns": ("recorded_on",),
}


class Problems:
    """Collects problems up to a cap and counts the rest."""

    def __init__(self, cap: int = MAX_PROBLEMS) -> None:
        self.cap = cap
        self.kept: list[InputProblem] = []
        self.more = 0

    def add(self, file: str, row: int | None, fld: str | None, reason: str) -> None:
        self.extend([InputProblem(file, row, fld, reason)])

    def extend(self, items: Iterable[InputProblem]) -> None:
        for p in items:
            if len(self.kept) < self.cap:
                self.kept.append(p)
            else:
                self.more += 1

    def __bool__(self) -> bool:
        return bool(self.kept)

    def raise_if_any(self) -> None:
        if self.kept:
            order = {t.file: i for i, t in enumerate(TABLES.values())}
            self.kept.sort(key=lambda p: (order.get(p.file, -1), p.file, p.row if p.row is not None else -1))
            raise ImportRejected(self.kept, self.more)


@dataclass(slots=True)
class Parsed:
    """One row that parsed: where it came from and the columns to store."""

    file: str
    row: int
    record: dict[str, Any]


@dataclass
class Plan:
    """What an import would write: new rows per table (agencies include ones first named in evidence)."""

    new: dict[str, list[dict[str, Any]]]
    present: dict[str, int]
    digest: str
    warnings: list[InputProblem] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {t: len(rows) for t, rows in self.new.items() if rows}

    @property
    def unchanged(self) -> bool:
        return not any(self.new.values())


def _chunks(items: list[str], size: int = CHUNK) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _id_col(table: str) -> Any:
    return getattr(MODEL_OF[table], TABLES[table].id_field)


def _stored_ids(session: Session, table: str) -> set[str]:
    return set(session.execute(sa_select(_id_col(table))).scalars())


def _stored_rows(session: Session, table: str, ids: list[str], columns: list[str]) -> dict[str, dict[str, Any]]:
    """Stored rows with these ids: {id: {column: value}} (plus import_id)."""
    model = MODEL_OF[table]
    cols = [getattr(model, c) for c in columns] + [model.import_id]  # type: ignore[attr-defined]
    id_field = TABLES[table].id_field
    out: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(ids):
        for r in session.execute(sa_select(*cols).where(_id_col(table).in_(chunk))):
            values = dict(zip([*columns, "import_id"], r, strict=True))
            out[values[id_field]] = values
    return out


def _parse(raw: RawTable, problems: Problems, progress: Callable[[int], None]) -> tuple[list[Parsed], set[str]]:
    """Parse every row; also return the ids of rows that failed (to avoid knock-on 'unknown id' problems).

    The raw rows are released as they are parsed (`raw.rows` is emptied), to keep large imports in memory.
    """
    spec = TABLES[raw.name]
    ok: list[Parsed] = []
    failed_ids: set[str] = set()
    rows: list[Any] = raw.rows
    raw.rows = []
    for n in range(len(rows)):
        row, present = rows[n]  # readers leave blank cells out
        rows[n] = None
        if n % 10000 == 0:
            progress(n)
        try:
            model = spec.model.model_validate(present)
        except ValidationError as exc:
            bad: set[str] = set()
            for err in exc.errors(include_url=False):
                fld = str(err["loc"][0]) if err["loc"] else None
                if err["type"] == "missing":
                    reason = f"{fld} is required but empty"
                elif err["type"] == "value_error" and "error" in err.get("ctx", {}):
                    reason = str(err["ctx"]["error"])
                elif err["type"] == "string_pattern_mismatch":
                    reason = pattern_reason(fld, err["input"])
                elif err["type"] == "string_unicode":
                    reason = f"{fld} holds a broken character (an unpaired surrogate), not text"
                elif err["type"] == "extra_forbidden":
                    reason = f"unknown column {fld!r}"
                else:
                    reason = err["msg"]
                problems.add(raw.file, row, fld, reason)
                bad.add(fld or "")
            for fld, reason in spec.model.raw_problems(present, bad):
                problems.add(raw.file, row, fld, reason)
            rid = present.get(spec.id_field)
            if isinstance(rid, str):
                failed_ids.add(rid.strip())
            continue
        # Rows failing only cross-field checks still take part in the reference checks (problems are kept).
        for fld, reason in model.problems():
            problems.add(raw.file, row, fld, reason)
        ok.append(Parsed(raw.file, row, model.record()))
    progress(len(rows))
    return ok, failed_ids


def _digest(parsed: dict[str, list[Parsed]]) -> str:
    """SHA-256 of the canonical content: per table (by name), its rows' stored columns as canonical JSON
    lines sorted by id, so neither row order nor file format changes it."""
    h = hashlib.sha256()
    for table in sorted(parsed):
        id_field = TABLES[table].id_field
        h.update(f"#{table}\n".encode())
        for rec in sorted((r.record for r in parsed[table]), key=lambda rec: rec[id_field]):
            h.update(canonical_json(rec).encode("utf-8") + b"\n")
    return h.hexdigest()


def _describe_agreement(a: SharingAgreement) -> str:
    until = f" to {a.valid_to}" if a.valid_to else " with no end date"
    return f"valid from {a.valid_from}{until}"


def plan_import(
    session: Session,
    tables: dict[str, RawTable],
    *,
    today: date,
    quarantine_outside_agreement: bool = False,
    progress: Progress | None = None,
    read_problems: list[InputProblem] | None = None,
) -> Plan:
    """Check rows, references and the database; return the rows to write, or raise ImportRejected.

    `read_problems` are what the reader found (unreadable files, bad headers); they are reported together with
    the row problems, but then references are not checked (a table that could not be read would make every
    reference to it look unknown).
    """
    problems = Problems()
    problems.extend(read_problems or [])
    total = sum(len(t.rows) for t in tables.values())
    done = 0

    def tick(stage: str) -> Callable[[int], None]:
        base = done

        def report(n: int) -> None:
            if progress is not None:
                progress(min(base + n, total), total, stage)

        return report

    # 1. Parse each row on its own.
    parsed: dict[str, list[Parsed]] = {}
    failed: dict[str, set[str]] = {}
    for name in TABLES:
        if name in tables:
            size = len(tables[name].rows)
            parsed[name], failed[name] = _parse(tables[name], problems, tick("validate"))
            done += size

    # 2. Duplicate ids within a table, and node ids shared between people, locations and incidents.
    for name, rows in parsed.items():
        id_field = TABLES[name].id_field
        first: dict[str, int] = {}
        unique: list[Parsed] = []
        for p in rows:
            rid = p.record[id_field]
            if rid in first:
                problems.add(p.file, p.row, id_field, f"duplicate {id_field} {rid!r} (first at row {first[rid]})")
            else:
                first[rid] = p.row
                unique.append(p)
        parsed[name] = unique

    stored_kind: dict[str, ObjectKind] = {}
    for name in NODE_TABLES:
        for rid in _stored_ids(session, name):
            stored_kind[rid] = KIND_OF_TABLE[name]
    node_kind: dict[str, ObjectKind] = dict(stored_kind)
    new_node: dict[str, tuple[str, Parsed]] = {}
    for name in NODE_TABLES:
        kind = KIND_OF_TABLE[name]
        id_field = TABLES[name].id_field
        keep = []
        for p in parsed.get(name, []):
            rid = p.record[id_field]
            other = stored_kind.get(rid)
            if rid in new_node:
                problems.add(
                    p.file,
                    p.row,
                    id_field,
                    f"id {rid!r} is already used in {new_node[rid][0]} "
                    f"(row {new_node[rid][1].row}); people, locations and incidents share one id space",
                )
                continue
            if other is not None and other is not kind:
                problems.add(
                    p.file,
                    p.row,
                    id_field,
                    f"id {rid!r} is already stored as {NOUN[other]}; people, "
                    "locations and incidents share one id space",
                )
                continue
            new_node[rid] = (TABLES[name].file, p)
            node_kind[rid] = kind
            keep.append(p)
        if name in parsed:
            parsed[name] = keep
    for name in NODE_TABLES:
        for rid in failed.get(name, set()):
            node_kind.setdefault(rid, KIND_OF_TABLE[name])

    # 3. Rows that already exist: identical ones are skipped, different ones are conflicts.
    present: dict[str, int] = {}
    fresh: dict[str, list[Parsed]] = {}
    for name, rows in parsed.items():
        spec = TABLES[name]
        ids = [p.record[spec.id_field] for p in rows]
        stored_ids = (
            _stored_ids(session, name)
            if name not in NODE_TABLES
            else {i for i, k in stored_kind.items() if k is KIND_OF_TABLE[name]}
        )
        clash = [i for i in ids if i in stored_ids]
        stored = _stored_rows(session, name, clash, list(rows[0].record)) if clash else {}
        fresh[name] = []
        present[name] = 0
        for p in rows:
            old = stored.get(p.record[spec.id_field])
            if old is None:
                fresh[name].append(p)
                continue
            differ = [k for k, v in p.record.items() if old.get(k) != v]
            if old.get("restricted") and name in ITEM_KINDS:
                # A restricted item's note and source_ref are stored apart (and may be unreadable here).
                differ = [k for k in differ if k not in HIDDEN_FIELDS]
            if differ and name == "agencies" and old["kind"] == "unknown" and old["name"] == old["agency_id"]:
                problems.add(
                    p.file,
                    p.row,
                    differ[0],
                    f"agency {old['agency_id']!r} was created with kind 'unknown' when import "
                    f"{old['import_id']} first named it, and stored agencies are never edited (past maps "
                    "must replay unchanged); import agencies.csv before or with the data that names them",
                )
            elif differ:
                problems.add(
                    p.file,
                    p.row,
                    differ[0],
                    f"{spec.id_field} {p.record[spec.id_field]!r} was already "
                    f"imported (import {old['import_id']}) with different {', '.join(differ)}; "
                    "stored rows are never edited: give a correction a new id (evidence: use `supersedes`)",
                )
            else:
                present[name] += 1

    # 4. Dates in the future.
    for name, fields in FUTURE_FIELDS.items():
        for p in parsed.get(name, []):
            for f in fields:
                v = p.record.get(f)
                if f == "date_of_birth" and v is None and p.record.get("birth_year"):
                    if p.record["birth_year"] > today.year:
                        problems.add(p.file, p.row, f, f"birth year {p.record['birth_year']} is in the future")
                elif isinstance(v, date) and v > today:
                    problems.add(p.file, p.row, f, f"{f} {v} is in the future (today is {today})")

    if read_problems:
        problems.raise_if_any()

    # 5. References: agreements, agencies, people, objects, locations, superseded evidence.
    agreements: dict[str, Any] = {a.agreement_id: a for a in session.exec(select(SharingAgreement))}
    for p in parsed.get("agreements", []):
        agreements.setdefault(p.record["agreement_id"], SharingAgreement(**p.record))
    failed_agreements = failed.get("agreements", set())
    stored_agencies = _stored_ids(session, "agencies")
    declared_agencies = {p.record["agency_id"] for p in parsed.get("agencies", [])} | failed.get("agencies", set())
    named_agencies: list[str] = []

    def check_agreement(p: Parsed, agency: str, on: date) -> None:
        aid = p.record["agreement_id"]
        agr = agreements.get(aid)
        if agr is None:
            if aid not in failed_agreements:
                problems.add(
                    p.file,
                    p.row,
                    "agreement_id",
                    f"unknown agreement_id {aid!r}: not in agreements.csv nor in the database",
                )
            return
        parties = [a.strip() for a in agr.agencies.split(";")]
        if agency not in parties:
            problems.add(
                p.file,
                p.row,
                "agency",
                f"agency {agency!r} is not a party to agreement {aid!r} (parties: {', '.join(parties)})",
            )
            return
        if not agreement_covers(agr, agency, on):
            reason = f"agreement {aid!r} was not in force on the recorded date {on} ({_describe_agreement(agr)})"
            if quarantine_outside_agreement:
                warnings.append(
                    InputProblem(
                        p.file,
                        p.row,
                        "agreement_id",
                        reason
                        + (
                            "; accepted in quarantine: scoring will not use it"
                            if "evidence_id" in p.record
                            else "; accepted with this warning: it was shared outside its agreement"
                        ),
                    )
                )
            else:
                problems.add(
                    p.file,
                    p.row,
                    "agreement_id",
                    reason + " (import with --quarantine-outside-agreement to keep it out of scoring instead)",
                )

    def check_person(p: Parsed, fld: str, what: str) -> None:
        pid = p.record[fld]
        kind = node_kind.get(pid)
        if kind is None:
            problems.add(p.file, p.row, fld, f"unknown {what} {pid!r}: not in people.csv nor in the database")
        elif kind is not ObjectKind.PERSON:
            problems.add(p.file, p.row, fld, f"{what} {pid!r} is {NOUN[kind]}, not a young person")

    warnings: list[InputProblem] = []
    for p in parsed.get("agreements", []):
        named_agencies.extend(p.record["agencies"].split(";"))
    for p in parsed.get("people", []):
        if p.record.get("agency"):
            named_agencies.append(p.record["agency"])
    for p in parsed.get("incidents", []):
        loc = p.record.get("location_id")
        if loc is not None:
            found = node_kind.get(loc)
            if found is None:
                problems.add(
                    p.file,
                    p.row,
                    "location_id",
                    f"unknown location_id {loc!r}: not in locations.csv nor in the database",
                )
            elif found is not ObjectKind.LOCATION:
                problems.add(p.file, p.row, "location_id", f"location_id {loc!r} is {NOUN[found]}, not a location")

    evidence = parsed.get("evidence", [])
    new_evidence = {p.record["evidence_id"]: p.record for p in evidence}
    targets = sorted({p.record["supersedes"] for p in evidence if p.record["supersedes"]} - set(new_evidence))
    stored_targets = _stored_rows(session, "evidence", targets, ["evidence_id", "subject_id", "object_id"])
    failed_evidence = failed.get("evidence", set())
    for p in evidence:
        rec = p.record
        check_person(p, "subject_id", "subject_id")
        need = OBJECT_KIND_OF_RELATION[Relation(rec["relation"])]
        obj = rec["object_id"]
        obj_kind = node_kind.get(obj)
        if obj_kind is None:
            problems.add(
                p.file,
                p.row,
                "object_id",
                f"unknown object_id {obj!r}: not a person, location or incident in this import nor in the database",
            )
        elif obj_kind is not need:
            problems.add(
                p.file,
                p.row,
                "object_id",
                f"relation {rec['relation']!r} needs {NOUN[need]} as its object, but {obj!r} is {NOUN[obj_kind]}",
            )
        else:
            rec["object_kind"] = obj_kind.value
        named_agencies.append(rec["agency"])
        check_agreement(p, rec["agency"], rec["recorded_on"])
        sup = rec["supersedes"]
        if sup:
            target = new_evidence.get(sup) or stored_targets.get(sup)
            if target is None:
                if sup not in failed_evidence:
                    problems.add(
                        p.file,
                        p.row,
                        "supersedes",
                        f"supersedes {sup!r}, which is not an evidence_id in this import nor in the database",
                    )
            elif {target["subject_id"], target["object_id"]} != {rec["subject_id"], rec["object_id"]}:
                problems.add(
                    p.file,
                    p.row,
                    "supersedes",
                    f"supersedes {sup!r}, which is about "
                    f"{target['subject_id']} and {target['object_id']}, not {rec['subject_id']} and "
                    f"{rec['object_id']}; record evidence about another link as a new row",
                )
    for name in ("strengths", "concerns"):
        for p in parsed.get(name, []):
            check_person(p, "person_id", "person_id")
            named_agencies.append(p.record["agency"])
            check_agreement(p, p.record["agency"], p.record["recorded_on"])

    problems.raise_if_any()

    # 6. Agencies first named in evidence or agreements are created with kind 'unknown'.
    new: dict[str, list[dict[str, Any]]] = {name: [p.record for p in rows] for name, rows in fresh.items()}
    auto = sorted(set(named_agencies) - declared_agencies - stored_agencies)
    if auto:
        new.setdefault("agencies", []).extend({"agency_id": a, "name": a, "kind": "unknown"} for a in auto)
    return Plan(new=new, present={k: v for k, v in present.items() if v}, digest=_digest(parsed), warnings=warnings)
