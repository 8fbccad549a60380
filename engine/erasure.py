"""Erasure: a young person's personal data really gone, a tombstone in its place, the audit chain unbroken.

`erase_person` (panel; a rectification or erasure request under UK GDPR Art. 16-17) removes, in one
transaction:

- the young person's records (every agency's, joined by confirmed identity links): name, date of birth and
  every other personal field are cleared; the row stays as a tombstone whose name reads "erased on D under
  POLICY", so a replay shows where the data was and never the data;
- every evidence item, concern and strength about them (subject, object or person), and the reasons of
  identity decisions about their records;
- every mention of them in any other free text (notes, summaries, reasons), in every written form of their
  name and by record id, replaced by "[erased]";
- the payload of every audit event that mentions them.

The audit chain commits to salted digests of content, not the content (decision 0007): erased rows and events
keep their digest with `erased_by` set to the erasure event and the salt cleared, so `audit verify` still
passes and a kept digest cannot confirm a guess. Afterwards SQLite is checkpointed and vacuumed, PostgreSQL's
touched tables vacuumed (FULL), so the bytes are gone from the database files too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

from . import audit, clock
from .access import Actor, Role, require
from .errors import NotFound, PeermapError
from .identity_links import canonical_ids
from .models import AuditEvent, IdentityDecision, YoungPerson
from .name_matching import NameMatcher, VariantMatcher
from .naming import NAMING_ACTIONS
from .store import Store

ERASED = "[erased]"
DEFAULT_POLICY = "erasure request (UK GDPR Art. 17)"
# Columns that say whom a row is about: such rows are deleted with the young person.
ABOUT_COLUMNS = ("person_id", "subject_id", "object_id")
# Item tables whose restricted notes live in restricted_detail, keyed (item_kind, item_id).
RESTRICTED_KIND = {"evidence": "evidence", "concern": "concern", "strength": "strength"}
# Tables handled on their own terms, never scanned as data.
SPECIAL = {"meta", "row_digest", "audit_event", "young_person"}
# A young person's own row keeps only what identifies the tombstone.
KEPT_PERSON_COLUMNS = {"person_id", "name", "agency", "import_id"}


@dataclass
class ErasureReport:
    """What an erasure removed (counts only) and the tombstone it left."""

    records: list[str]
    event_seq: int
    tombstone: str
    rows_deleted: dict[str, int] = field(default_factory=dict)
    rows_rewritten: dict[str, int] = field(default_factory=dict)
    events_cleared: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "event_seq": self.event_seq,
            "tombstone": self.tombstone,
            "rows_deleted": self.rows_deleted,
            "rows_rewritten": self.rows_rewritten,
            "events_cleared": self.events_cleared,
        }

    def text(self) -> str:
        deleted = ", ".join(f"{n} {t}" for t, n in sorted(self.rows_deleted.items())) or "no rows"
        rewritten = ", ".join(f"{n} {t}" for t, n in sorted(self.rows_rewritten.items())) or "no other rows"
        return (
            f"erased {len(self.records)} record(s) ({', '.join(self.records)}): {self.tombstone}\n"
            f"  deleted {deleted}; mentions removed from {rewritten}; "
            f"{self.events_cleared} audit event payload(s) cleared (event {self.event_seq} records the erasure)"
        )


def erase_person(
    store: Store, actor: Actor, person_id: str, reason: str, *, policy: str = DEFAULT_POLICY
) -> ErasureReport:
    """Erase one young person's personal data everywhere; the chain still verifies afterwards."""
    require(actor, Role.PANEL, to="erase a young person's personal data")
    if not reason.strip():
        raise PeermapError("a reason is required to erase personal data (recorded with the tombstone)")
    if not policy.strip():
        raise PeermapError("name the policy or request the erasure is made under (--policy)")
    with store.transaction() as s:
        report = erase_in(s, actor, person_id, reason, policy)
    vacuum(store)
    return report


def erase_in(s: Session, actor: Actor, person_id: str, reason: str, policy: str) -> ErasureReport:
    """The erasure inside the caller's transaction (a retention run erases many in one); no vacuum."""
    records, names = _records_of(s, person_id)
    others = [p.name for p in s.exec(select(YoungPerson)) if p.person_id not in records]
    names_rx = VariantMatcher(names, others)
    ids_rx = NameMatcher(records)

    def scrub(text: str) -> str:
        return ids_rx.sub(names_rx.sub(text, ERASED), ERASED)

    tombstone = f"erased on {clock.today().isoformat()} under {policy.strip()}"
    doomed = _events_mentioning(s, names, records, scrub)
    # Whoever received an output naming them is owed a removal notice; the payload that says so is about to go.
    notify = [
        {"event": ev.seq, "recipient": str(p.get("recipient") or "").strip()}
        for ev, p in ((ev, _json(ev.payload)) for ev in doomed)
        if ev.action in NAMING_ACTIONS and str(p.get("recipient") or "").strip()
    ]
    event = audit.record(
        s,
        actor,
        "erase",
        {
            "kind": "person",
            "records": sorted(records),
            "policy": policy.strip(),
            "reason": scrub(reason.strip()),
            "tombstone": tombstone,
            "notify": notify,
        },
    )
    report = ErasureReport(sorted(records), event.seq, tombstone)
    conn = s.connection()
    _erase_person_rows(conn, records, tombstone, event.seq, report)
    _erase_rows_about(conn, records, event.seq, report)
    _scrub_free_text(conn, names, records, scrub, event.seq, report)
    report.events_cleared = _clear_events(s, doomed, event.seq)
    return report


def delete_rows(s: Session, table_name: str, row_ids: Iterable[str], seq: int) -> int:
    """Delete rows (e.g. evidence past retention) under erasure event `seq`, keeping their digests' places."""
    ids = sorted({str(r) for r in row_ids})
    if not ids:
        return 0
    conn = s.connection()
    table = _table(table_name)
    pk = _pk(table)
    for chunk in range(0, len(ids), 500):
        conn.execute(sa.delete(table).where(pk.in_(ids[chunk : chunk + 500])))
    _mark(conn, table_name, ids, seq)
    return len(ids)


def _records_of(s: Session, person_id: str) -> tuple[set[str], list[str]]:
    people = list(s.exec(select(YoungPerson)))
    decisions = list(s.exec(select(IdentityDecision)))
    canonical = canonical_ids([p.person_id for p in people], decisions)
    if person_id not in canonical:
        raise NotFound(f"no young person record {person_id!r}")
    target = canonical[person_id]
    records = {r for r, c in canonical.items() if c == target}
    names = sorted({p.name for p in people if p.person_id in records and not p.name.startswith("erased on ")})
    return records, names


def _table(name: str) -> sa.Table:
    return SQLModel.metadata.tables[name]


def _pk(table: sa.Table) -> sa.Column[Any]:
    return next(iter(table.primary_key.columns))


def _mark(conn: sa.Connection, tbl: str, row_ids: Iterable[str], seq: int) -> None:
    """The row's digest stays (the chain commits to it); its salt goes and verify stops recomputing it."""
    ids = [str(r) for r in row_ids]
    rd = _table("row_digest")
    for chunk in range(0, len(ids), 500):
        conn.execute(
            sa.update(rd)
            .where(rd.c.tbl == tbl, rd.c.row_id.in_(ids[chunk : chunk + 500]))
            .values(erased_by=seq, salt=None)
        )


def _erase_person_rows(conn: sa.Connection, records: set[str], tombstone: str, seq: int, report: ErasureReport) -> None:
    yp = _table("young_person")
    cleared: dict[str, Any] = {c.name: None for c in yp.columns if c.name not in KEPT_PERSON_COLUMNS}
    conn.execute(sa.update(yp).where(yp.c.person_id.in_(sorted(records))).values(name=tombstone, **cleared))
    _mark(conn, "young_person", records, seq)
    report.rows_rewritten["young_person"] = len(records)


def _erase_rows_about(conn: sa.Connection, records: set[str], seq: int, report: ErasureReport) -> None:
    ids = sorted(records)
    for name, table in SQLModel.metadata.tables.items():
        if name in SPECIAL:
            continue
        about = [table.c[c] for c in ABOUT_COLUMNS if c in table.c]
        if not about:
            continue
        pk = _pk(table)
        where = sa.or_(*(c.in_(ids) for c in about))
        doomed = [str(r) for r in conn.execute(sa.select(pk).where(where)).scalars()]
        if not doomed:
            continue
        conn.execute(sa.delete(table).where(where))
        _mark(conn, name, doomed, seq)
        report.rows_deleted[name] = len(doomed)
        kind = RESTRICTED_KIND.get(name)
        if kind is not None:  # a restricted item's note and source reference go with it
            detail = _table("restricted_detail")
            gone = conn.execute(
                sa.delete(detail).where(detail.c.item_kind == kind, detail.c.item_id.in_(doomed))
            ).rowcount
            if gone:
                report.rows_deleted["restricted_detail"] = report.rows_deleted.get("restricted_detail", 0) + gone
    idd = _table("identity_decision")
    about_pair = sa.or_(idd.c.record_a.in_(ids), idd.c.record_b.in_(ids))
    pairs = [str(r) for r in conn.execute(sa.select(idd.c.id).where(about_pair)).scalars()]
    if pairs:
        conn.execute(sa.update(idd).where(about_pair).values(reason=ERASED))
        _mark(conn, "identity_decision", pairs, seq)
        report.rows_rewritten["identity_decision"] = len(pairs)


def _needles(names: Iterable[str], records: Iterable[str]) -> list[str]:
    """Lower-case words worth a LIKE pre-filter: each part of each name, and each record id."""
    words = {w.lower() for n in names for w in re.findall(r"\w[\w'’-]*", n) if len(w) >= 2}
    return sorted(words | {r.lower() for r in records})


def _scrub_free_text(
    conn: sa.Connection,
    names: list[str],
    records: set[str],
    scrub: Any,
    seq: int,
    report: ErasureReport,
) -> None:
    needles = _needles(names, records)
    if not needles:
        return
    for name, table in SQLModel.metadata.tables.items():
        if name in SPECIAL:
            continue
        text_cols = [c for c in table.columns if isinstance(c.type, sa.String) and not c.primary_key]
        if not text_cols:
            continue
        pk = _pk(table)
        hits = sa.or_(*(sa.func.lower(c).contains(n, autoescape=True) for c in text_cols for n in needles))
        changed = []
        for row in conn.execute(sa.select(pk, *text_cols).where(hits)).mappings():
            new = {c.name: scrub(row[c.name]) for c in text_cols if row[c.name]}
            new = {k: v for k, v in new.items() if v != row[k]}
            if new:
                conn.execute(sa.update(table).where(pk == row[pk.name]).values(**new))
                changed.append(str(row[pk.name]))
        if changed:
            _mark(conn, name, changed, seq)
            report.rows_rewritten[name] = report.rows_rewritten.get(name, 0) + len(changed)


def _json(payload: str) -> dict[str, Any]:
    try:
        p = json.loads(payload)
    except ValueError:
        return {}
    return p if isinstance(p, dict) else {}


def _events_mentioning(s: Session, names: list[str], records: set[str], scrub: Any) -> list[AuditEvent]:
    """Audit events whose payload mentions the young person (a name in any written form, or a record id)."""
    needles = _needles(names, records)
    if not needles:
        return []
    hits = sa.or_(*(sa.func.lower(col(AuditEvent.payload)).contains(n, autoescape=True) for n in needles))
    # a word of the name inside an unrelated word is no mention: the matcher decides
    return [ev for ev in s.exec(select(AuditEvent).where(hits)) if scrub(ev.payload) != ev.payload]


def _clear_events(s: Session, events: list[AuditEvent], seq: int) -> int:
    """Payloads that mention the young person are cleared; the event, its place and its digest stay."""
    for ev in events:
        ev.payload = json.dumps({"erased": True, "erased_by": seq})
        ev.salt = None
        ev.erased_by = seq
        s.add(ev)
    return len(events)


def vacuum(store: Store) -> None:
    """Freed pages still hold the bytes until the file is rebuilt: rebuild it."""
    engine = store.engine
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()  # outside SQLAlchemy's transaction handling: VACUUM needs autocommit
        try:
            cur = raw.cursor()
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cur.execute("VACUUM")
            cur.close()
        finally:
            raw.close()
        engine.dispose()  # pooled connections may hold pages of the old file
        return
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            for name in SQLModel.metadata.tables:
                c.exec_driver_sql(f'VACUUM FULL "{name}"')


def erasures(store: Store) -> list[dict[str, Any]]:
    """Every erasure recorded (the tombstones): when, by whom, under which policy, which records."""
    out = []
    with store.read() as s:
        for ev in s.exec(select(AuditEvent).where(AuditEvent.action == "erase").order_by(col(AuditEvent.seq))):
            try:
                p = json.loads(ev.payload)
            except ValueError:
                p = {}
            out.append(
                {
                    "seq": ev.seq,
                    "at": ev.at,
                    "actor": ev.actor,
                    "role": ev.role,
                    "records": list(p.get("records") or []),
                    "policy": str(p.get("policy") or ""),
                    "reason": str(p.get("reason") or ""),
                    "tombstone": str(p.get("tombstone") or ""),
                }
            )
    return out
