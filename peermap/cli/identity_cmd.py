"""Commands: `peermap identities` (proposed record matches) and confirm | reject | unsure | unlink | show."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import typer

from peermap.engine import (
    MATCH_FIELD_LABELS,
    IdentityDecision,
    PeermapError,
    auto_link,
    confirm,
    explain_pair,
    reject,
    resolve_pair,
    unlink,
    unsure,
    visible,
)

from . import fail, parse_as_at, state

identities_app = typer.Typer(
    help="Review proposed matches between agency records of the same young person. Nothing is merged until a "
    "practitioner confirms it.",
    invoke_without_command=True,
)

REASON = typer.Option(..., "--reason", "-r", help="Why (required; recorded in the audit trail).")
PAIR = typer.Argument(..., help="A proposal id (M-<record>-<record>) or two record ids as A,B.")


def _print_proposal(p: dict[str, Any]) -> None:
    auto = "  [reaches auto-link]" if p["auto_link"] else ""
    status = "" if p["review_status"] == "new" else f"  [last marked {p['review_status']}]"
    if p.get("withheld"):
        who = " ~ ".join(
            str(p[f"name_{s}"]) if p[f"record_{s}"] is None else f"{p[f'name_{s}']} ({p[f'record_{s}']})"
            for s in ("a", "b")
        )
    elif "name_a" in p:
        who = (
            f"{p['name_a']} ({p['record_a']}, {p['agency_a'] or '?'}) ~ {p['name_b']} ({p['record_b']}, "
            f"{p['agency_b'] or '?'})"
        )
    else:
        who = f"{p['record_a']} ~ {p['record_b']}"
    typer.echo(f"{p['id']}  {p['score']:.3f}  {who}{auto}{status}")
    for t in p["terms"]:
        if t["level"] == "missing":
            continue
        detail = t["detail"] if "name_a" in p else t["level"]
        typer.echo(f"    {MATCH_FIELD_LABELS[t['field']]}: {detail} ({t['bits']:+.1f})")


@identities_app.callback()
def identities(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the proposals as JSON."),
    as_at: str | None = typer.Option(None, "--as-at", help="Records and decisions as known at YYYY-MM-DD."),
    purpose: str | None = typer.Option(
        None,
        "--purpose",
        help="Panel only: why you need to see matches withheld because a record is about a young person not on "
        "the map (recorded in the audit trail).",
    ),
) -> None:
    """List proposed matches (best first) with each field's contribution to the score."""
    # imported here, not at the top: scoring and groups (networkx, igraph) load only when a map is computed
    from peermap.engine import identity_review

    if ctx.invoked_subcommand is not None:
        return
    when = parse_as_at(as_at)
    try:
        rows = identity_review(state.store(create=False), state.actor, when, purpose=purpose)
    except PeermapError as exc:
        raise fail(str(exc)) from None
    if as_json:
        typer.echo(json.dumps({"proposals": rows}, indent=2))
        return
    if not rows:
        typer.echo("no proposed matches")
        return
    for row in rows:
        _print_proposal(row)


def _decision(verb: str, fn: Callable[..., IdentityDecision]) -> Callable[[str, str], None]:
    def command(pair: str = PAIR, reason: str = REASON) -> None:
        try:
            store = state.store(create=False)
            a, b = resolve_pair(store, pair)
            d = fn(store, state.actor, a, b, reason)
        except PeermapError as exc:
            raise fail(str(exc)) from None
        typer.echo(f"{d.record_a} and {d.record_b}: {d.status} by {visible(d.actor)} ({d.role}) — {visible(d.reason)}")

    command.__doc__ = {
        "confirm": "Confirm two records are the same young person (refused if it would join records rejected "
        "as different people).",
        "reject": "Declare two records different people: they will never be joined.",
        "unsure": "Record a review without a conclusion; the records stay separate.",
        "unlink": "Withdraw a confirmed link; the map returns exactly to how it was without it.",
    }[verb]
    return command


for _verb, _fn in (
    ("confirm", confirm),
    ("reject", reject),
    ("unsure", unsure),
    ("unlink", unlink),
):
    identities_app.command(_verb)(_decision(_verb, _fn))


@identities_app.command("show")
def show(pair: str = PAIR, as_json: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """Score any two records and explain the score term by term."""
    try:
        store = state.store(create=False)
        a, b = resolve_pair(store, pair)
        row = explain_pair(store, state.actor, a, b)
    except PeermapError as exc:
        raise fail(str(exc)) from None
    if as_json:
        typer.echo(json.dumps(row, indent=2))
    elif "explanation" in row:
        typer.echo(str(row["explanation"]))
    else:
        _print_proposal(row)


@identities_app.command("auto-link")
def auto_link_cmd() -> None:
    """Confirm the matches that reach the auto-link threshold, if the identity policy enables auto-linking."""
    try:
        made = auto_link(state.store(create=False), state.actor)
    except PeermapError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"auto-linked {len(made)} pairs")
    for d in made:
        typer.echo(f"  {d.record_a} ~ {d.record_b}  ({d.score:.4f})")


def register(app: typer.Typer) -> None:
    """Add `peermap identities ...`."""
    app.add_typer(identities_app, name="identities")
