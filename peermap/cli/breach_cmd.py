"""Commands: `peermap breach record` and `peermap breach list` (the partnership's breach register)."""

from __future__ import annotations

import typer

from peermap.engine import PeermapError, list_breaches, record_breach

from . import echo_json, fail, parse_as_at, state

breach_app = typer.Typer(help="The breach register: record personal-data breaches; list them.", no_args_is_help=True)


@breach_app.command("record")
def record_cmd(
    occurred: str = typer.Option(..., "--occurred", help="When the breach happened (YYYY-MM-DD)."),
    description: str = typer.Option(..., "--description", help="What data, sent to or seen by whom."),
    discovered: str | None = typer.Option(None, "--discovered", help="When it was found (default today)."),
    agreement: str | None = typer.Option(None, "--agreement", help="The sharing agreement the data was under."),
    affected: int | None = typer.Option(None, "--affected", min=0, help="How many young people it concerns."),
    reported_to_ico: bool = typer.Option(False, "--reported-to-ico", help="The ICO has been told."),
    ico_ref: str | None = typer.Option(None, "--ico-ref", help="The ICO's reference."),
    as_json: bool = typer.Option(False, "--json", help="Print the recorded breach as JSON."),
) -> None:
    """Record a breach (any role). Audited; the labelling report's governance section lists it."""
    occurred_on = parse_as_at(occurred, "--occurred")
    assert occurred_on is not None
    try:
        rec = record_breach(
            state.store(create=False),
            state.actor,
            occurred_on=occurred_on,
            description=description,
            discovered_on=parse_as_at(discovered, "--discovered"),
            agreement_id=agreement,
            people_affected=affected,
            reported_to_ico=reported_to_ico,
            ico_reference=ico_ref,
        )
    except PeermapError as exc:
        raise fail(str(exc)) from None
    if as_json:
        echo_json(rec.to_json())
    else:
        typer.echo(f"breach {rec.id} recorded (occurred {rec.occurred_on}, discovered {rec.discovered_on})")


@breach_app.command("list")
def list_cmd(as_json: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """The breach register, oldest first (panel and auditor roles). Reading it is audited."""
    try:
        rows = list_breaches(state.store(create=False), state.actor)
    except PeermapError as exc:
        raise fail(str(exc)) from None
    if as_json:
        echo_json([r.to_json() for r in rows])
        return
    if not rows:
        typer.echo("no breaches recorded")
    for r in rows:
        ico = f"reported to the ICO ({r.ico_reference or 'no reference'})" if r.reported_to_ico else "NOT reported"
        typer.echo(
            f"{r.id:>4}  occurred {r.occurred_on}  discovered {r.discovered_on}  {ico}  "
            f"{r.agreement_id or '-'}  {r.people_affected if r.people_affected is not None else '?'} affected  "
            f"{r.description}"
        )


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.add_typer(breach_app, name="breach")
