"""The audit trail: append-only events in a SHA-256 hash chain, and its verification.

Each event's hash covers its metadata, a salted digest of its payload and a digest of the data rows it
wrote (engine.audit_digest), never the personal content itself, so content can later be erased leaving a
tombstone and an unbroken chain (decision 0007).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, func, select

from . import audit_digest, clock
from .access import Actor, Role, require
from .models import AuditEvent, Meta, RowDigest
from .store import Store, set_meta

GENESIS = "0" * 64
HEAD_KEY = "audit_head"  # "seq:hash" of the newest event
FIRST_KEY = "audit_first"  # hash of event 1: the database remembers that it has had events


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def content_digest(payload: str, salt: str | None) -> str:
    """The salted digest of an event's payload: what the chain commits to instead of the payload itself."""
    return hashlib.sha256(f"{salt or ''}\n{payload}".encode()).hexdigest()


def chain_hash(
    prev_hash: str,
    seq: int,
    at: str,
    actor: str,
    role: str,
    action: str,
    content: str,
    data_ref: str | None = None,
    data_digest: str | None = None,
) -> str:
    """The event's link in the chain: its metadata and digests (never its personal content) after prev_hash."""
    body = canonical_json(
        {
            "seq": seq,
            "at": at,
            "actor": actor,
            "role": role,
            "action": action,
            "content": content,
            "data_ref": data_ref,
            "data_digest": data_digest,
        }
    )
    return hashlib.sha256((prev_hash + "\n" + body).encode("utf-8")).hexdigest()


def event_hash(
    prev_hash: str,
    seq: int,
    at: str,
    actor: str,
    role: str,
    action: str,
    payload: str,
    *,
    salt: str | None = None,
    data_ref: str | None = None,
    data_digest: str | None = None,
) -> str:
    """chain_hash of an event whose payload is still present."""
    return chain_hash(prev_hash, seq, at, actor, role, action, content_digest(payload, salt), data_ref, data_digest)


# ------------------------------------------------------------------------------------------------ the head
# The only code that locks, reads and moves the head. On PostgreSQL, where logins may not write `meta` or
# audit_event, the SECURITY DEFINER function peermap_audit_append (engine.pg_schema) inserts and moves it.


def lock_head(session: Session) -> None:
    """Serialise appends until this transaction ends, so two writers never take the same seq or prev hash.

    SQLite: every store.transaction() began with BEGIN IMMEDIATE, which already holds the only write lock.
    PostgreSQL: a transaction-scoped advisory lock per schema (any login may take it; it waits at most the
    lock timeout). Sequence numbers are not drawn from a database sequence because a rolled-back
    transaction would leave a gap that verify must treat as a deleted event.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(current_schema() || :key))"), {"key": "/peermap.audit"}
        )


def read_head(session: Session) -> tuple[int, str]:
    """(seq, hash) of the newest event, (0, GENESIS) before the first."""
    row = session.get(Meta, HEAD_KEY, populate_existing=True)
    if row is not None:
        seq_s, _, h = row.value.partition(":")
        return int(seq_s), h
    last = session.exec(select(AuditEvent).order_by(col(AuditEvent.seq).desc()).limit(1)).first()
    return (last.seq, last.hash) if last else (0, GENESIS)


def advance_head(session: Session, seq: int, h: str) -> None:
    set_meta(session, HEAD_KEY, f"{seq}:{h}")
    if seq == 1:
        set_meta(session, FIRST_KEY, h)


def record(
    session: Session, actor: Actor, action: str, payload: dict[str, Any], *, data_ref: str | None = None
) -> AuditEvent:
    """Append one event inside the caller's transaction, so it commits (or not) with the change it records.

    `data_ref` names the rows this transaction wrote ("import:7", "policy_version:3", "decision:12",
    "identity_decision:5"): their digests are recorded and the event's hash commits to them.
    """
    lock_head(session)
    seq, prev = read_head(session)
    seq += 1
    at = clock.now().isoformat(timespec="microseconds")
    body = canonical_json({**payload, "who": actor.who()})  # the label and how the role is known
    salt = secrets.token_hex(16)
    content = content_digest(body, salt)
    data_digest = audit_digest.cover(session, data_ref) if data_ref else None
    h = chain_hash(prev, seq, at, actor.name, actor.role.value, action, content, data_ref, data_digest)
    event = AuditEvent(
        seq=seq,
        at=at,
        actor=actor.name,
        role=actor.role.value,
        action=action,
        payload=body,
        prev_hash=prev,
        hash=h,
        salt=salt,
        content_digest=content,
        data_ref=data_ref,
        data_digest=data_digest,
    )
    if session.get_bind().dialect.name == "postgresql":
        # Logins may neither insert into audit_event nor update meta: peermap_audit_append (engine.pg_schema)
        # checks the login and role, recomputes this hash, inserts the event and moves the head.
        session.flush()
        session.execute(
            text(
                "SELECT peermap_audit_append(:seq, :at, :actor, :role, :action, :payload, :prev, :hash, :salt, "
                ":content, :data_ref, :data_digest)"
            ),
            {
                "seq": seq,
                "at": at,
                "actor": actor.name,
                "role": actor.role.value,
                "action": action,
                "payload": body,
                "prev": prev,
                "hash": h,
                "salt": salt,
                "content": content,
                "data_ref": data_ref,
                "data_digest": data_digest,
            },
        )
        return event
    session.add(event)
    advance_head(session, seq, h)
    session.flush()
    return event


def log_event(store: Store, actor: Actor, action: str, payload: dict[str, Any]) -> AuditEvent:
    """Append one event in its own transaction (views, reports, exports)."""
    with store.transaction() as s:
        return record(s, actor, action, payload)


def current_head(store: Store) -> tuple[int, str]:
    """(seq, hash) of the newest event as recorded now: what reports and checkpoints name."""
    with store.read() as s:
        return read_head(s)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str | None = None
    row: str | None = None  # the first data row that no longer matches ("evidence E0012"), when one does
    head_seq: int = 0
    head_hash: str = GENESIS


def _event_problem(ev: AuditEvent, prev: str, expected_seq: int) -> str | None:
    if ev.seq != expected_seq:
        return f"expected event {expected_seq} but found {ev.seq}: an event was deleted or inserted"
    if ev.prev_hash != prev:
        return "its previous-hash does not match the event before it: events were removed, inserted or reordered"
    if ev.erased_by is None:
        content = content_digest(ev.payload, ev.salt)
        if ev.content_digest is not None and ev.content_digest != content:
            return "its payload does not match its content digest: the event was edited"
    elif ev.content_digest is None:
        return "it is marked erased but keeps no content digest"
    else:
        content = ev.content_digest
    h = chain_hash(ev.prev_hash, ev.seq, ev.at, ev.actor, ev.role, ev.action, content, ev.data_ref, ev.data_digest)
    if h != ev.hash:
        return "its contents do not match its hash: the event was edited"
    return None


def verify(store: Store, anchors: Mapping[int, str] | None = None) -> VerifyResult:
    """Recompute the chain and the data it covers; report the first thing that does not verify.

    Events: edit, delete, insert, reorder, truncation (against the recorded head). Data: every row an
    import, policy version or decision wrote against its recorded digest, and rows no event wrote.
    An empty log in a database that has had events. `anchors` ({seq: hash}, from signed checkpoints):
    the chain must still pass through each of them.
    """
    anchors = dict(anchors or {})
    prev = GENESIS
    checked = 0
    with store.read() as s:
        with_data: list[AuditEvent] = []
        for ev in s.exec(select(AuditEvent).order_by(col(AuditEvent.seq))):
            problem = _event_problem(ev, prev, checked + 1)
            if problem is not None:
                return VerifyResult(False, checked, ev.seq, problem)
            if ev.seq in anchors and anchors.pop(ev.seq) != ev.hash:
                return VerifyResult(
                    False, checked, ev.seq, "it is not the event a signed checkpoint recorded: the chain was rewritten"
                )
            if ev.data_ref:
                with_data.append(ev)
            prev = ev.hash
            checked += 1
        if anchors:
            seq = min(anchors)
            return VerifyResult(
                False,
                checked,
                seq,
                f"a signed checkpoint records event {seq} but the chain ends at event {checked}: events were removed",
            )
        bad = _head_problem(s, checked, prev)
        if bad is not None:
            return bad
        data = audit_digest.DataCheck(s)
        for ev in with_data:
            assert ev.data_ref is not None
            found = data.check(ev.data_ref, ev.data_digest)
            if found is not None:
                return VerifyResult(False, checked, ev.seq, found.problem, found.row)
        stray = data.uncovered()
        if stray is not None:
            return VerifyResult(
                False, checked, None, f"{stray} was written without an audit event (inserted outside peermap)", stray
            )
    return VerifyResult(True, checked, head_seq=checked, head_hash=prev)


def _head_problem(s: Session, checked: int, last_hash: str) -> VerifyResult | None:
    head_row = s.get(Meta, HEAD_KEY)
    if head_row is None:
        if checked:
            return VerifyResult(False, checked, 1, "the chain head record is missing")
        return _empty_problem(s)
    seq_s, _, h = head_row.value.partition(":")
    head_seq = int(seq_s)
    if head_seq > checked:
        return VerifyResult(
            False,
            checked,
            checked + 1,
            f"the recorded head is event {head_seq} but the chain ends at event {checked}: "
            "events were removed from the end",
        )
    if head_seq < checked:
        return VerifyResult(
            False,
            checked,
            head_seq + 1,
            f"the chain runs past the recorded head (event {head_seq}): events were appended outside peermap",
        )
    if h != last_hash:
        return VerifyResult(False, checked, checked, "the last event does not match the recorded head hash")
    first = s.get(Meta, FIRST_KEY)
    if checked and first is not None and first.value != s.get(AuditEvent, 1).hash:  # type: ignore[union-attr]
        return VerifyResult(False, checked, 1, "event 1 is not the first event this database recorded")
    return None


def _empty_problem(s: Session) -> VerifyResult | None:
    """No events and no head: a new database, or one whose whole log (and head) was deleted."""
    if s.get(Meta, FIRST_KEY) is not None:
        return VerifyResult(
            False, 0, 1, "the audit log is empty but this database recorded its first event: the log was deleted"
        )
    if s.exec(select(RowDigest).limit(1)).first() is not None:
        return VerifyResult(
            False, 0, 1, "the audit log is empty but data digests were recorded by audited writes: the log was deleted"
        )
    for model in audit_digest.COVERED:
        if s.exec(select(model).limit(1)).first() is not None:
            name = model.__table__.name  # type: ignore[attr-defined]
            return VerifyResult(
                False, 0, 1, f"the audit log is empty but the database holds {name} rows: the log was deleted"
            )
    return None


def events(store: Store, actor: Actor, *, action: str | None = None, limit: int | None = None) -> list[AuditEvent]:
    """Read the audit log (panel and auditor roles), newest last."""
    require(actor, Role.PANEL, Role.AUDITOR, to="read the audit log")
    with store.read() as s:
        q = select(AuditEvent).order_by(col(AuditEvent.seq))
        if action:
            q = q.where(AuditEvent.action == action)
        rows = list(s.exec(q))
    return rows[-limit:] if limit else rows


def count(store: Store) -> int:
    with store.read() as s:
        return int(s.exec(select(func.count()).select_from(AuditEvent)).one())
