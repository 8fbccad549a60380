"""Commands: `peermap audit verify` and `peermap audit log`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from sqlmodel import select

from peermap.engine import (
    AuditEvent,
    PeermapError,
    Redactor,
    checkpoint_key_id,
    checkpoint_keygen,
    events,
    log_event,
    may_see_left_out_ids,
    redact_json,
    sign_checkpoint,
    verify,
    verify_with_checkpoints,
    visible,
)

from . import fail, state

audit_app = typer.Typer(help="Verify and read the hash-chained audit trail.", no_args_is_help=True)


def _event_json(ev: AuditEvent, red: Redactor) -> dict[str, Any]:
    try:
        payload: Any = redact_json(json.loads(ev.payload), red)
    except ValueError:
        payload = red.text(ev.payload)
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
def verify_cmd(
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    checkpoints: list[Path] = typer.Option(
        [], "--checkpoint", help="A signed checkpoint the chain must still pass through (repeatable)."
    ),
    pub: Path | None = typer.Option(
        None, "--pub", help="The public key checkpoints must be signed by (default: the key each one names)."
    ),
) -> None:
    """Recompute the hash chain and the data it covers. Exit 0 when intact; otherwise name the first event
    (and data row) that does not verify. With --checkpoint, also fail when the chain no longer extends every
    signed checkpoint, which catches events and head rewritten together."""
    try:
        store = state.store(create=False)
        if checkpoints:
            result, signed = verify_with_checkpoints(store, checkpoints, pub)
        else:
            if pub is not None:
                raise fail("--pub is for checking --checkpoint files; give at least one --checkpoint")
            result, signed = verify(store), []
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
            "head": {"seq": result.head_seq, "hash": result.head_hash} if result.ok else None,
            "checkpoints": [{"seq": c.seq, "hash": c.hash, "key_id": checkpoint_key_id(c.public_key)} for c in signed],
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
        typer.echo(f"audit chain intact: {result.checked} events verified, head {result.head_hash[:16]}")
        for c in signed:
            typer.echo(
                f"extends checkpoint of event {c.seq} signed {c.signed_at} by key {checkpoint_key_id(c.public_key)}"
            )
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
    # imported here, not at the top: it computes a map (scoring and groups load only then)
    from peermap.engine import store_redactor

    try:
        store = state.store(create=False)
        actor = state.actor
        rows = events(store, actor, action=action, limit=limit)
        # Reasons typed into the log can name anyone: left-out young people are not named here either
        # (the auditor keeps internal ids; the stored chain is unchanged and `audit verify` checks it).
        red = store_redactor(store, redact_ids=not may_see_left_out_ids(actor))
        log_event(store, actor, "view_audit_log", {"action": action, "limit": limit, "events": len(rows)})
    except PeermapError as exc:
        raise fail(str(exc)) from None
    if as_json:
        typer.echo(json.dumps([_event_json(ev, red) for ev in rows], indent=2, ensure_ascii=False))
        return
    for ev in rows:
        text = red.text(ev.payload) or ""
        payload = text if len(text) <= 120 else text[:117] + "..."
        typer.echo(f"{ev.seq:>6}  {ev.at}  {visible(ev.actor)} ({ev.role})  {ev.action}  {visible(payload)}")


@audit_app.command("keygen")
def keygen_cmd(
    out: Path = typer.Option(..., "--out", help="Private key file to create (mode 0600); public key: OUT.pub."),
) -> None:
    """Make an Ed25519 signing key for audit checkpoints. Keep the private key off the database's machine."""
    try:
        key_path, pub_path = checkpoint_keygen(out)
    except PeermapError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"cannot write {out}: {exc.strerror or exc}") from None
    typer.echo(f"wrote private key {key_path} (mode 0600) and public key {pub_path}")


@audit_app.command("checkpoint")
def checkpoint_cmd(
    key: Path = typer.Option(..., "--key", help="The private key (from peermap audit keygen)."),
    out: Path = typer.Option(..., "--out", help="The checkpoint file to write; keep it outside the database."),
    force: bool = typer.Option(False, "--force", help="Replace a checkpoint file peermap wrote before."),
) -> None:
    """Sign the current head of the audit chain (auditor or panel role). Refused if the chain does not verify."""
    try:
        store = state.store(create=False)
        cp = sign_checkpoint(store, state.actor, key, out, force=force)
    except PeermapError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"cannot write {out}: {exc.strerror or exc}") from None
    typer.echo(f"signed head event {cp.seq} ({cp.hash[:16]}) with key {checkpoint_key_id(cp.public_key)}: {out}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.add_typer(audit_app, name="audit")
