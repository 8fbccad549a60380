"""Every labelling check carries worked examples beside it (engine/labelling/*_checks.py, `examples=`):
this one parametrised test runs each on its small world and holds the check to what the example says."""

from __future__ import annotations

from datetime import date

import pytest
from reports_helpers import MapBuilder
from sqlmodel import select

from peermap.engine import audit
from peermap.engine.access import Actor
from peermap.engine.labelling import BY_ID, CHECKS, Baseline, Check, Example, run_checks
from peermap.engine.models import AuditEvent
from peermap.engine.store import Store

CASES = [pytest.param(c, e, id=f"{c.id}: {e.name}") for c in CHECKS for e in c.examples]


def _setting() -> MapBuilder:
    """The standard setting every example starts from (see engine.labelling.record.Example)."""
    b = MapBuilder()
    b.agency("police", "police").agency("school", "school").agency("yot", "youth_work")
    b.agreement("ISA-1", "police;school;yot", retention_days=3650, dpo_consulted_on=date(2025, 6, 1))
    b.location("L1", "Rec ground", of_concern=True).location("L2", "Library", of_concern=False)
    b.incident("I1", date(2026, 8, 20))
    return b


def run_example(check: Check, example: Example, store: Store, actor: Actor) -> tuple[bool, list[str]]:
    b = _setting()
    events: list[tuple[str, dict[str, object]]] = []
    shares: dict[str, dict[str, float]] = {}
    for s in example.given:
        if s.kind == "audit":
            events.append((s.args[0], s.args[1]))
        elif s.kind == "baseline":
            kind, group, share = s.args
            shares.setdefault(kind, {})[group] = share
        else:
            getattr(b, s.kind)(*s.args, **s.kw)
    result = b.build(store)
    before = _last_seq(store)
    for action, payload in events:
        audit.log_event(store, actor, action, payload)
    baseline = Baseline("example", shares) if shares else None
    got = run_checks(result, store if example.store else None, baseline, checks=(check,)).check(check.id)
    # An example numbers its own audit events from 1; the store may already hold some (the import).
    return got.flagged, [_renumber(ref, before) for ref in got.affected]


def _last_seq(store: Store) -> int:
    with store.read() as s:
        return max(s.exec(select(AuditEvent.seq)).all(), default=0)


def _renumber(ref: str, before: int) -> str:
    kind, _, seq = ref.partition(":")
    return f"event:{int(seq) - before}" if kind == "event" and seq.isdigit() else ref


@pytest.mark.slow
@pytest.mark.parametrize("check, example", CASES)
def test_labelling_check_example(check: Check, example: Example, store: Store, auditor: Actor) -> None:
    flagged, affected = run_example(check, example, store, auditor)
    assert flagged == example.fires, f"{check.id}: {example.name!r} should {'' if example.fires else 'not '}fire"
    if example.fires:
        assert affected == list(example.affected)


def test_every_labelling_check_has_an_example_that_fires_and_one_that_does_not() -> None:
    missing = [c.id for c in CHECKS if not any(e.fires for e in c.examples) or all(e.fires for e in c.examples)]
    assert not missing, f"checks without both a firing and a quiet example: {missing}"


def test_check_records_are_whole() -> None:
    assert len(BY_ID) == len(CHECKS)  # ids are unique
    for c in CHECKS:
        assert c.title and c.why and "\n" not in c.why
        assert ("none" in c.messages and "found" in c.messages) or "summary" in c.messages
        assert not c.needs_store or "not_checked" in c.messages
