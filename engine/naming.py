"""Outputs that name young people: each is logged with its recipient, so shadow lists and notices can be found.

A report or export is an output; so is a map, an intervention list, an identity review or a young person's
record shown on someone's screen. Every one of them is recorded with the same two fields, `person_ids` (the
young people it named) and `recipient` (who received it: a named recipient, or the actor on screen), so the
labelling report can flag a young person who left the map after being named anywhere.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlmodel import select

from . import audit
from .access import Actor
from .models import AuditEvent
from .store import Store

NAMING_ACTIONS = (
    "report",
    "export",
    "view_map",
    "view_interventions",
    "identity.review",
    "identity.explain",
    "view_person",
)


NOTICE_KIND = "notice"  # a correction or removal notice: an output that answers earlier ones (engine.notices)


def answered(store: Store) -> set[tuple[str, int]]:
    """(recipient, output event seq) pairs a correction or removal notice has been produced for."""
    done: set[tuple[str, int]] = set()
    with store.read() as s:
        for ev in s.exec(select(AuditEvent).where(AuditEvent.action == "report")):
            try:
                p = json.loads(ev.payload)
            except ValueError:
                continue
            if isinstance(p, dict) and p.get("kind") == NOTICE_KIND:
                for seq in p.get("notice_for") or []:
                    done.add((str(p.get("recipient") or ""), int(seq)))
    return done


def on_screen(actor: Actor) -> str:
    """The recipient of an output shown only to the person who asked for it."""
    return f"{actor.name} (on screen)"


def naming_payload(
    actor: Actor, person_ids: Iterable[str], recipient: str | None = None, **details: Any
) -> dict[str, Any]:
    """The audit payload of an output: its details plus the young people it named and its recipient."""
    return {
        **details,
        "person_ids": sorted(set(person_ids)),
        "recipient": (recipient or "").strip() or on_screen(actor),
    }


def log_naming_output(
    store: Store,
    actor: Actor,
    action: str,
    person_ids: Iterable[str],
    *,
    recipient: str | None = None,
    **details: Any,
) -> None:
    """Record one output that named young people (its own transaction)."""
    if action not in NAMING_ACTIONS:
        raise ValueError(f"{action!r} is not an output action; use one of {', '.join(NAMING_ACTIONS)}")
    audit.log_event(store, actor, action, naming_payload(actor, person_ids, recipient, **details))
