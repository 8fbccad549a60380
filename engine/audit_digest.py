"""What the audit chain commits to beyond its own rows: a salted digest of every data row an event wrote.

An event that writes data names it by a reference ("import:7", "policy_version:3", "decision:12",
"identity_decision:5"). `cover()` reads those rows back inside the writing transaction (so the digest is of
what the database stored, in its own types), records one `RowDigest` per row, and returns the digest over
those entries, which goes into the event's hash. `DataCheck` recomputes everything for `audit verify` and
names the first row that no longer matches. Salts are per row and are cleared with the row's personal
content when it is erased, so a kept digest cannot be used to confirm a guess (decision 0007).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

from .models import (
    DATA_TABLES,
    AuditEvent,
    Breach,
    Decision,
    IdentityDecision,
    ImportBatch,
    PolicyVersion,
    RowDigest,
)

# ref kind -> the single-row table it names (imports are special: the batch row plus every row it wrote)
SINGLE_ROW: dict[str, type[SQLModel]] = {
    "policy_version": PolicyVersion,
    "decision": Decision,
    "identity_decision": IdentityDecision,
    "breach": Breach,
}
IMPORT = "import"


def _table(model: type[SQLModel]) -> sa.Table:
    table: sa.Table = model.__table__  # type: ignore[attr-defined]  # SQLModel sets it on table models
    return table


COVERED: tuple[type[SQLModel], ...] = (ImportBatch, *DATA_TABLES, *SINGLE_ROW.values())
ERASING_ACTIONS = ("erase", "retention.run")
TABLE_NAMES: dict[str, type[SQLModel]] = {_table(m).name: m for m in COVERED}


def _norm(value: Any) -> Any:
    """One spelling per stored value on SQLite and PostgreSQL (SQLite drops the time zone: it is UTC)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime):
        aware = value if value.utcoffset() is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def row_digest(table: str, row: dict[str, Any], salt: str | None) -> str:
    body = json.dumps({k: _norm(v) for k, v in row.items()}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{salt or ''}\n{table}\n{body}".encode()).hexdigest()


def aggregate(entries: Iterable[tuple[str, str, str]]) -> str:
    """The digest over (table, row id, row digest) entries, in a fixed order."""
    h = hashlib.sha256()
    for tbl, row_id, digest in sorted(entries):
        h.update(f"{tbl}\t{row_id}\t{digest}\n".encode())
    return h.hexdigest()


def _pk(model: type[SQLModel]) -> sa.Column[Any]:
    return next(iter(_table(model).primary_key.columns))


def _rows_of(session: Session, ref: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(table, row id, row) for every row `ref` names, read back as stored."""
    kind, _, key = ref.partition(":")
    conn = session.connection()
    out: list[tuple[str, str, dict[str, Any]]] = []
    if kind == IMPORT:
        models: list[tuple[type[SQLModel], Any]] = [(ImportBatch, _pk(ImportBatch) == int(key))]
        models += [(m, _table(m).c.import_id == int(key)) for m in DATA_TABLES]
    elif kind in SINGLE_ROW:
        model = SINGLE_ROW[kind]
        pk = _pk(model)
        models = [(model, pk == (int(key) if isinstance(pk.type, sa.Integer) else key))]
    else:
        raise ValueError(f"unknown audit data reference {ref!r}")
    for model, where in models:
        table = _table(model)
        pk_name = _pk(model).name
        for row in conn.execute(sa.select(table).where(where)).mappings():
            out.append((table.name, str(row[pk_name]), dict(row)))
    return out


def cover(session: Session, ref: str) -> str:
    """Record the digest of every row `ref` names (inside the writing transaction); return their aggregate."""
    session.flush()
    entries: list[dict[str, Any]] = []
    for tbl, row_id, row in _rows_of(session, ref):
        salt = secrets.token_hex(16)
        entries.append({"tbl": tbl, "row_id": row_id, "ref": ref, "salt": salt, "digest": row_digest(tbl, row, salt)})
    if entries:
        session.connection().execute(_table(RowDigest).insert(), entries)
    return aggregate((e["tbl"], e["row_id"], e["digest"]) for e in entries)


@dataclass(frozen=True)
class DataProblem:
    problem: str
    row: str | None = None  # "evidence E0012": the first row that no longer matches, when one can be named


class DataCheck:
    """Every covered row and digest entry, loaded once; `check(ref, digest)` verifies one event's data."""

    def __init__(self, session: Session) -> None:
        conn = session.connection()
        self.rows: dict[tuple[str, str], dict[str, Any]] = {}
        self.by_import: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for name, model in TABLE_NAMES.items():
            pk_name = _pk(model).name
            for row in conn.execute(sa.select(_table(model))).mappings():
                key = (name, str(row[pk_name]))
                self.rows[key] = dict(row)
                if "import_id" in row and row["import_id"] is not None:
                    self.by_import[str(row["import_id"])].append(key)
        # Only an erasure or a retention run (events in the chain) may delete a covered row.
        self.erasures: set[int | None] = set(
            session.exec(select(AuditEvent.seq).where(col(AuditEvent.action).in_(ERASING_ACTIONS))).all()
        )
        self.entries: dict[str, list[RowDigest]] = defaultdict(list)
        for e in session.exec(select(RowDigest)):
            self.entries[e.ref].append(e)
        self.seen: set[tuple[str, str]] = set()

    def check(self, ref: str, expected: str | None) -> DataProblem | None:
        entries = sorted(self.entries.get(ref, []), key=lambda e: (e.tbl, e.row_id))
        for e in entries:
            key = (e.tbl, e.row_id)
            self.seen.add(key)
            row = self.rows.get(key)
            label = f"{e.tbl} {e.row_id}"
            if row is None:
                if e.erased_by in self.erasures:
                    continue  # deleted by a recorded erasure or retention run: the digest entry is the tombstone
                return DataProblem(f"{label}, written by {ref}, has been deleted", label)
            if e.erased_by is None and row_digest(e.tbl, row, e.salt) != e.digest:
                return DataProblem(f"{label}, written by {ref}, no longer matches its digest: it was edited", label)
        if aggregate((e.tbl, e.row_id, e.digest) for e in entries) != expected:
            return DataProblem(f"the row digests recorded for {ref} were altered or removed")
        extra = self._unrecorded(ref)
        if extra is not None:
            return DataProblem(f"{extra} claims to belong to {ref} but was not written by it: it was inserted", extra)
        return None

    def _unrecorded(self, ref: str) -> str | None:
        kind, _, key = ref.partition(":")
        if kind != IMPORT:
            return None
        for tbl, row_id in sorted(self.by_import.get(key, [])):
            if (tbl, row_id) not in self.seen:
                return f"{tbl} {row_id}"
        return None

    def uncovered(self) -> str | None:
        """The first stored row no verified event wrote (inserted outside peermap), if any."""
        for key in sorted(self.rows):
            if key not in self.seen:
                return f"{key[0]} {key[1]}"
        return None
