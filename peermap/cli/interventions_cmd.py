"""Commands: `peermap interventions` (list suggestions) and `peermap decide` (accept / reject / defer one)."""

from __future__ import annotations

import json

import typer

from peermap.engine import PeermapError, log_naming_output, visible

from . import fail, parse_as_at, state


def interventions_command(
    as_at: str | None = typer.Option(
        None, "--as-at", help="Suggestions for the map as it stood at the end of this day."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the suggestions as JSON."),
) -> None:
    """Suggested group, place and school responses, ranked, each with its reason; held-back ones say why."""
    from peermap.engine import Redactor, compute_map, redact_json, suggest, young_person_records

    day = parse_as_at(as_at)
    try:
        actor = state.actor
        store = state.store()
        result = compute_map(store, day)
        suggestions = suggest(result, store=store)
        # Decision reasons are typed by people and may name anyone: the one redactor, as in every output.
        red = Redactor(result, young_person_records(store).values())
        log_naming_output(
            store,
            actor,
            "view_interventions",
            [m for s in suggestions for m in s.members],
            as_at=result.as_at.isoformat(),
            suggestions=len(suggestions),
            held_back=sum(1 for s in suggestions if s.held_back),
            targets=sorted({f"{s.target_kind}:{s.target_id}" for s in suggestions}),
        )
    except PeermapError as exc:
        raise fail(str(exc)) from None
    if as_json:
        typer.echo(json.dumps([redact_json(s.to_json(), red) for s in suggestions], indent=2, ensure_ascii=False))
        return
    if not suggestions:
        typer.echo(f"No suggestions for the map as at {result.as_at.isoformat()}.")
        return
    typer.echo(f"Suggestions for the map as at {result.as_at.isoformat()} (the engine suggests; you decide):")
    for s in suggestions:
        state_txt = "HELD BACK" if s.held_back else (s.decision.decision.upper() if s.decision else "open")
        typer.echo("")
        typer.echo(f"{s.score:5.2f}  [{state_txt}]  {visible(s.title)}")
        typer.echo(f"       id: {s.id}")
        target = f"{s.target_kind} {s.target_label}"
        if s.members:
            target += f" — for {', '.join(s.members)}"
        typer.echo(f"       target: {target}")
        typer.echo(f"       {red.text(s.because)}")
        if s.held_back:
            typer.echo(f"       {red.text(s.held_back)}")
        if s.decision:
            d = s.decision
            typer.echo(
                f"       decision: {d.decision} by {d.actor} ({d.role}) on "
                f"{d.decided_at.date().isoformat()}: {visible(red.text(d.reason) or '')}"
            )
        typer.echo(f"       partners: {', '.join(s.partners)}")


def decide_command(
    suggestion_id: str = typer.Argument(..., help="The suggestion id, as listed by `peermap interventions`."),
    decision: str = typer.Argument(..., help="accept | reject | defer"),
    reason: str = typer.Option(..., "--reason", help="Why (required; recorded in the audit trail)."),
) -> None:
    """Accept, reject or defer a suggestion, with a reason (practitioner or panel role)."""
    from peermap.engine import compute_map, decide

    try:
        store = state.store()
        row = decide(store, state.actor, suggestion_id, decision, reason, result=compute_map(store))
    except PeermapError as exc:
        raise fail(str(exc)) from None
    who, reason = visible(row.actor), visible(row.reason)
    typer.echo(f"Recorded: {row.decision} {row.suggestion_id} by {who} ({row.role}): {reason}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("interventions")(interventions_command)
    app.command("decide")(decide_command)
