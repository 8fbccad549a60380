"""Command: `peermap tui`, the terminal UI over the database in force."""

from __future__ import annotations

import typer

from peermap.engine import DatabaseFault, SchemaVersionError

from . import fail, state


def tui() -> None:
    """Open the terminal UI: review the map, try thresholds, decide on suggestions, run reports and audits."""
    try:
        store = state.store(create=False)
    except (SchemaVersionError, DatabaseFault) as exc:
        raise fail(f"{exc}. Build the demo with `peermap demo`, or `peermap import` your data.") from None
    actor = state.actor
    from peermap.tui.app import run_app  # imported here so other commands never load Textual

    run_app(store, actor)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("tui")(tui)
