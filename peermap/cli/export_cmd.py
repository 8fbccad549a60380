"""Command: `peermap export graphml|gexf|csv|anx` — the shown map for other tools, audited (recipient, purpose)."""

from __future__ import annotations

from pathlib import Path

import typer

from peermap.engine import PeermapError

from . import fail, parse_as_at, state

FORMAT_HELP = "graphml | gexf | csv | anx"


def export_command(
    fmt: str = typer.Argument(..., help=f"Which format: {FORMAT_HELP}.", metavar="FORMAT"),
    out: Path = typer.Option(
        ...,
        "--out",
        "-o",
        help="Write here (atomically, after the audit event commits). Never the database or a file peermap "
        "did not write.",
    ),
    recipient: str = typer.Option(..., "--recipient", help="Who receives the export (recorded in the audit)."),
    purpose: str = typer.Option(..., "--purpose", help="Why the map leaves peermap (recorded in the audit)."),
    as_at: str | None = typer.Option(None, "--as-at", help="Export the map as it stood at the end of this day."),
    force: bool = typer.Option(False, "--force", help="Replace an export peermap wrote before at --out."),
) -> None:
    """Export the shown map for Gephi (graphml, gexf), spreadsheets (csv: a zip of nodes.csv and links.csv)
    or i2 Analyst's Notebook (anx). Left-out young people never appear; every export is audited."""
    # imported here, not at the top: scoring and groups (networkx, igraph) load only when a map is computed
    from peermap.engine import EXPORT_FORMATS, export_map

    fmt = fmt.strip().lower()
    if fmt not in EXPORT_FORMATS:
        raise fail(f"unknown export format {fmt!r}; use one of: {FORMAT_HELP}")
    day = parse_as_at(as_at)
    try:
        done = export_map(
            state.store(), state.actor, fmt, out, recipient=recipient, purpose=purpose, as_at=day, force=force
        )
    except PeermapError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"cannot write {out}: {exc.strerror or exc}") from None
    if fmt == "csv" and out.suffix.lower() != ".zip":
        # the csv export is one zip (nodes.csv and links.csv): a spreadsheet opening it by its name would fail
        typer.echo(f"note: {out} is a zip holding nodes.csv and links.csv; consider naming it .zip", err=True)
    typer.echo(
        f"wrote {fmt} export ({done.nodes} nodes, {done.links} links, {len(done.person_ids)} young people) to {out}",
        err=True,
    )


def register(app: typer.Typer) -> None:
    """Add `peermap export` to the app."""
    app.command("export")(export_command)
