"""Commands: `peermap audit verify` and `peermap audit log`."""

from __future__ import annotations

import json
from typing import Any

import typer
from sqlmodel import select

from peermap.engine import audit
from peermap.engine.errors import PeermapError
from peermap.engine.models import AuditEvent

from . import fail, state

audit_app = typer.Typer(help="Verify and read the hash-chained audit trail.", no_args_is_help=True)


def _event_json(ev: AuditEvent) -> dict[str, Any]:
    try:
        payload: Any = json.loads(ev.payload)
    except ValueError:
        payload = ev.payload
    return {
        "seq": ev.seq,
        "at": ev.at,
        "actor": ev.actor,
        "role": ev.role,
        "action": ev.action,
        "payload": payload,
        "prev_hash": ev.prev_hash,
        "hash": ev.hash,
    }


@audit_app.command("verify")
def verify_cmd(as_json: bool = typer.Option(False, "--json", help="Print the result as JSON.")) -> None:
    """Recompute the hash chain. Exit 0 when intact; otherwise name the first event that does not verify."""
    try:
        store = state.store(create=False)
        result = audit.verify(store)
        bad: AuditEvent | None = None
        if result.first_bad_seq is not None:
            with store.read() as s:
                bad = s.exec(select(AuditEvent).where(AuditEvent.seq == result.first_bad_seq)).first()
    except PeermapError as exc:
        raise fail(str(exc)) from None
    if as_json:
        out: dict[str, Any] = {
            "ok": result.ok,
            "checked": result.checked,
            "first_bad_seq": result.first_bad_seq,
            "problem": result.problem,
            "row": result.row,
        }
        if bad is not None:
            out["event"] = {
                "seq": bad.seq,
                "at": bad.at,
                "actor": bad.actor,
                "role": bad.role,
                "action": bad.action,
            }
        typer.echo(json.dumps(out, indent=2))
    elif result.ok:
        typer.echo(f"audit chain intact: {result.checked} events verified")
    else:
        where = (
            f"event {bad.seq} ({bad.action} by {bad.actor} ({bad.role}) at {bad.at})"
            if bad is not None
            else f"event {result.first_bad_seq} (missing)"
        )
        typer.echo(f"audit chain BROKEN at {where}: {result.problem}; {result.checked} events verified before it")
    if not result.ok:
        raise typer.Exit(1)


@audit_app.command("log")
def log_cmd(
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
    action: str | None = typer.Option(None, "--action", help="Only events of this action (e.g. policy_set)."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Only the newest N events."),
) -> None:
    """Read the audit log, oldest first (panel and auditor roles). Reading it is itself audited."""
    try:
        store = state.store(create=False)
        actor = state.actor
        rows = audit.events(store, actor, action=action, limit=limit)
        audit.log_event(store, actor, "view_audit_log", {"action": action, "limit": limit, "events": len(rows)})
    except PeermapError as exc:
        raise fail(str(exc)) from None
    if as_json:
        typer.echo(json.dumps([_event_json(ev) for ev in rows], indent=2, ensure_ascii=False))
        return
    for ev in rows:
        payload = ev.payload if len(ev.payload) <= 120 else ev.payload[:117] + "..."
        typer.echo(f"{ev.seq:>6}  {ev.at}  {ev.actor} ({ev.role})  {ev.action}  {payload}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.add_typer(audit_app, name="audit")
