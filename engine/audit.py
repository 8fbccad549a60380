"""The audit trail: append-only events in a SHA-256 hash chain, and its verification."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, func, select

from . import clock
from .access import Actor, Role, require
from .models import AuditEvent
from .store import Store, set_meta

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def event_hash(prev_hash: str, seq: int, at: str, actor: str, role: str, action: str, payload: str) -> str:
    body = canonical_json({"seq": seq, "at": at, "actor": actor, "role": role, "action": action, "payload": payload})
    return hashlib.sha256((prev_hash + "\n" + body).encode("utf-8")).hexdigest()


def record(session: Session, actor: Actor, action: str, payload: dict[str, Any]) -> AuditEvent:
    """Append one event inside the caller's transaction, so it commits (or not) with the change it records."""
    last = session.exec(select(AuditEvent).order_by(col(AuditEvent.seq).desc()).limit(1)).first()
    seq = (last.seq + 1) if last else 1
    prev = last.hash if last else GENESIS
    at = clock.now().isoformat(timespec="microseconds")
    body = canonical_json(payload)
    h = event_hash(prev, seq, at, actor.name, actor.role.value, action, body)
    event = AuditEvent(
        seq=seq, at=at, actor=actor.name, role=actor.role.value, action=action, payload=body, prev_hash=prev, hash=h
    )
    session.add(event)
    set_meta(session, "audit_head", f"{seq}:{h}")
    session.flush()
    return event


def log_event(store: Store, actor: Actor, action: str, payload: dict[str, Any]) -> AuditEvent:
    """Append one event in its own transaction (views, reports, exports)."""
    with store.transaction() as s:
        return record(s, actor, action, payload)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str | None = None


def verify(store: Store) -> VerifyResult:
    """Recompute the chain; report the first event that does not verify (edit, delete, insert, reorder, truncation)."""
    prev = GENESIS
    expected_seq = 1
    checked = 0
    with store.read() as s:
        for ev in s.exec(select(AuditEvent).order_by(col(AuditEvent.seq))):
            if ev.seq != expected_seq:
                return VerifyResult(
                    False,
                    checked,
                    ev.seq,
                    f"expected event {expected_seq} but found {ev.seq}: an event was deleted or inserted",
                )
            if ev.prev_hash != prev:
                return VerifyResult(
                    False,
                    checked,
                    ev.seq,
                    "its previous-hash does not match the event before it: events were removed, inserted or reordered",
                )
            h = event_hash(ev.prev_hash, ev.seq, ev.at, ev.actor, ev.role, ev.action, ev.payload)
            if h != ev.hash:
                return VerifyResult(False, checked, ev.seq, "its contents do not match its hash: the event was edited")
            prev = ev.hash
            expected_seq += 1
            checked += 1
    head = store.get_meta("audit_head")
    if head is not None:
        seq_s, _, h = head.partition(":")
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
        if h != prev:
            return VerifyResult(False, checked, checked, "the last event does not match the recorded head hash")
    elif checked:
        return VerifyResult(False, checked, 1, "the chain head record is missing")
    return VerifyResult(True, checked)


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
