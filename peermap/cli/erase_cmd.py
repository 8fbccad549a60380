"""Command: `peermap erase person ID`, a young person's personal data erased, a tombstone left."""

from __future__ import annotations

import typer

from peermap.engine import PeermapError

from . import echo_json, fail, state

erase_app = typer.Typer(help="Erase personal data (rectification and erasure requests; panel only).")


@erase_app.command("person")
def erase_person_command(
    person_id: str = typer.Argument(..., help="Any agency record id of the young person (linked records go too)."),
    reason: str = typer.Option(..., "--reason", help="Why (the request and who made it); kept with the tombstone."),
    policy: str = typer.Option(
        "erasure request (UK GDPR Art. 17)", "--policy", help="The policy or request the erasure is made under."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print what was erased as JSON (counts and record ids)."),
) -> None:
    """Erase a young person's names, dates of birth, notes and every mention of them; the audit chain still verifies."""
    # imported here, not at the top: scoring and groups (networkx, igraph) load only when a map is computed
    from peermap.engine import erase_person

    try:
        report = erase_person(state.store(create=False), state.actor, person_id, reason, policy=policy)
    except PeermapError as exc:
        raise fail(str(exc)) from None
    if as_json:
        echo_json(report.to_json())
    else:
        typer.echo(report.text())


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.add_typer(erase_app, name="erase")
