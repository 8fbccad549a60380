"""Commands: `peermap retention due | run`, disposal of what is past its retention period."""

from __future__ import annotations

import typer

from peermap.engine import PeermapError

from . import echo_json, fail, parse_as_at, state

retention_app = typer.Typer(help="Retention and disposal: what is past its retention period, and erasing it.")


@retention_app.command("due")
def due_command(
    as_at: str | None = typer.Option(None, "--as-at", help="As at YYYY-MM-DD (default today)."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON (ids only)."),
) -> None:
    """List what is past retention under each agreement and the retention policy (ids, never names)."""
    # imported here, not at the top: scoring and groups (networkx, igraph) load only when a map is computed
    from peermap.engine import retention_due

    try:
        due = retention_due(state.store(create=False), state.actor, parse_as_at(as_at))
    except PeermapError as exc:
        raise fail(str(exc)) from None
    echo_json(due.to_json()) if as_json else typer.echo(due.text())


@retention_app.command("run")
def run_command(
    reason: str = typer.Option(..., "--reason", help="Why now (recorded in the audit trail)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Only show exactly what would be erased."),
    as_json: bool = typer.Option(False, "--json", help="Print what was (or would be) erased as JSON."),
) -> None:
    """Erase everything `retention due` lists today (panel only); young people are erased with a tombstone."""
    # imported here, not at the top: scoring and groups (networkx, igraph) load only when a map is computed
    from peermap.engine import retention_run

    try:
        due = retention_run(state.store(create=False), state.actor, reason, dry_run=dry_run)
    except PeermapError as exc:
        raise fail(str(exc)) from None
    if as_json:
        echo_json({"dry_run": dry_run, **due.to_json()})
        return
    typer.echo(("would erase: " if dry_run else "erased: ") + due.text())


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.add_typer(retention_app, name="retention")
