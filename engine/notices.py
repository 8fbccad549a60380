"""Telling earlier recipients: every output that named a young person since removed from the map or erased
owes its recipient a correction or removal notice, until the notice has been produced (issue 14 item 5).

The audit trail says who received what: each naming output records `person_ids` and `recipient`
(engine.naming). An erasure clears the payloads that name the young person, so before it does, it keeps the
outputs it clears (event and recipient, never the child's data) in its own event (`notify`). A notice is
itself an audited output (action "report", kind "notice") naming the events it answers; the shadow-list
check stays flagged until every such output has had its notice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from . import clock
from .access import Actor, Role, require
from .errors import NotFound, PeermapError
from .mapping import compute_map
from .models import AuditEvent
from .naming import NAMING_ACTIONS, NOTICE_KIND, answered
from .outputs import audited_output
from .store import Store


@dataclass
class OwedNotice:
    """What one recipient must be told: the outputs they received and the young people (ids) to remove."""

    recipient: str
    events: list[int] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # ids now left off the map
    erased: list[str] = field(default_factory=list)  # record ids erased (their data is gone)

    def to_json(self) -> dict[str, Any]:
        return {"recipient": self.recipient, "events": self.events, "removed": self.removed, "erased": self.erased}


def _payload(ev: AuditEvent) -> dict[str, Any]:
    try:
        p = json.loads(ev.payload)
    except ValueError:
        return {}
    return p if isinstance(p, dict) else {}


def notices_due(store: Store, actor: Actor, as_at: date | None = None) -> list[OwedNotice]:
    """Recipients still owed a notice, by recipient; ids only, never names."""
    require(actor, Role.PANEL, Role.AUDITOR, to="review correction and removal notices")
    result = compute_map(store, as_at)
    left_out = set(result.left_out_ids)
    canonical = result.snapshot.canonical
    owed: dict[str, OwedNotice] = {}
    done = answered(store)
    with store.read() as s:
        events = list(s.exec(select(AuditEvent).order_by(col(AuditEvent.seq))))
    for ev in events:
        p = _payload(ev)
        if ev.action == "erase":
            for item in p.get("notify") or []:
                recipient, seq = str(item.get("recipient") or ""), int(item.get("event") or 0)
                if recipient and seq and (recipient, seq) not in done:
                    n = owed.setdefault(recipient, OwedNotice(recipient))
                    n.events.append(seq)
                    n.erased.extend(str(r) for r in p.get("records") or [])
            continue
        if ev.action not in NAMING_ACTIONS or p.get("kind") == NOTICE_KIND:
            continue
        recipient = str(p.get("recipient") or "").strip()
        named = {canonical.get(str(x), str(x)) for x in p.get("person_ids") or []}
        gone = sorted(named & left_out)
        if not gone or not recipient or (recipient, ev.seq) in done:
            continue
        n = owed.setdefault(recipient, OwedNotice(recipient))
        n.events.append(ev.seq)
        n.removed.extend(gone)
    for n in owed.values():
        n.events = sorted(set(n.events))
        n.removed = sorted(set(n.removed))
        n.erased = sorted(set(n.erased))
    return [owed[k] for k in sorted(owed)]


def notice_text(notice: OwedNotice, when: date, by: Actor) -> str:
    """The notice a recipient reads: which outputs, which entries to delete, what to do; ids, never names."""
    lines = [
        f"# Correction and removal notice for {notice.recipient}",
        "",
        f"From the peermap partnership ({by.name}, {by.role.value}), {when.isoformat()}.",
        "",
        f"You received {len(notice.events)} output(s) from peermap that named young people "
        f"(audit events {', '.join(str(e) for e in notice.events)}). Since then:",
        "",
    ]
    if notice.removed:
        lines += [
            f"- {len(notice.removed)} young people named in them are no longer on the map (the evidence no longer "
            "meets the panel's threshold, or it was corrected or withdrawn): " + ", ".join(notice.removed) + ".",
        ]
    if notice.erased:
        lines += [
            f"- the personal data of {len(notice.erased)} record(s) named in them has been erased on request or "
            "at the end of its retention period: " + ", ".join(notice.erased) + ".",
        ]
    lines += [
        "",
        "Please delete these entries from every copy you hold (files, printouts, notes, forwarded emails), do "
        "not rely on them or pass them on, and confirm to the partnership's data protection officer that you "
        "have done so. Keeping lists of young people after they were removed is what made the Metropolitan "
        "Police's Gangs Matrix unlawful.",
        "",
    ]
    return "\n".join(lines)


def produce_notice(
    store: Store, actor: Actor, recipient: str, out: Path | str | None = None, *, force: bool = False
) -> tuple[str, OwedNotice]:
    """Write the notice for `recipient` (audited first; the file appears after the event commits)."""
    require(actor, Role.PANEL, Role.AUDITOR, to="produce correction and removal notices")
    wanted = recipient.strip()
    if not wanted:
        raise PeermapError("--recipient is required: the notice is for one recipient")
    owed = {n.recipient: n for n in notices_due(store, actor)}
    notice = owed.get(wanted)
    if notice is None:
        known = ", ".join(sorted(owed)) or "none"
        raise NotFound(f"no notice is owed to {wanted!r}; recipients owed one: {known}")
    text = notice_text(notice, clock.today(), actor)
    with audited_output(store, actor, "report", out, force=force, reads_map=False) as pending:
        pending.write(
            text,
            {
                "kind": NOTICE_KIND,
                "format": "md",
                "recipient": wanted,
                "notice_for": notice.events,
                "person_ids": [],
                "removed": len(notice.removed),
                "erased": len(notice.erased),
            },
        )
    return text, notice
