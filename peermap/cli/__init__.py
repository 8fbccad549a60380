"""`peermap` console script: global options, error handling, and the command modules."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from peermap.engine import Actor, Store, resolve_actor, resolve_url

from . import safe_output

app = typer.Typer(
    name="peermap",
    help="Ethics-aware peer-group mapping for safeguarding partnerships.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@dataclass
class CliState:
    """What the global options decided; commands get the store and actor from here."""

    db: str | None = None
    label: str | None = None
    role: str | None = None
    debug: bool = False
    _store: Store | None = field(default=None, repr=False)
    _actor: Actor | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return resolve_url(self.db)

    @property
    def actor(self) -> Actor:
        """The login and role: proven by PostgreSQL, or the OS login with a self-declared role on SQLite."""
        if self._actor is None:
            # PostgreSQL says who the login is; for a SQLite file the operating system does, so a command
            # whose database does not exist yet (demo, import) is not made to create one here.
            postgres = self.url.startswith("postgresql")
            store = self.store(create=False) if postgres or self._store is not None else None
            self._actor = resolve_actor(store, self.role, self.label)
        return self._actor

    def actor_for(self, default_role: str) -> Actor:
        """As `actor`, but with `default_role` when --role was not given (e.g. admin commands)."""
        if self.role is None:
            self.role = default_role
            self._actor = None
        return self.actor

    def store(self, *, create: bool = True) -> Store:
        if self._store is None:
            self._store = Store.open(self.db, create=create)
            if self.role is not None:
                # A role the login does not hold is refused here, before any command reads data.
                self._actor = resolve_actor(self._store, self.role, self.label)
        return self._store


state = CliState()


@app.callback()
def _global(
    db: str | None = typer.Option(
        None, "--db", help="Database URL or SQLite file (default: PEERMAP_DB or ./peermap.db)."
    ),
    actor: str | None = typer.Option(
        None,
        "--actor",
        help="A display label recorded beside your login (default: PEERMAP_ACTOR). The login itself comes from "
        "PostgreSQL, or from the operating system for a SQLite file.",
    ),
    role: str | None = typer.Option(
        None,
        "--role",
        help="practitioner | panel | auditor | admin: which of the roles your login holds to act in (default: "
        "PEERMAP_ROLE, else the least privileged held). On SQLite the role is self-declared.",
    ),
    debug: bool = typer.Option(
        False, "--debug", help="Show the full details of an unexpected fault (default: written to a log file)."
    ),
) -> None:
    safe_output.install()
    state.debug = debug or bool(os.environ.get("PEERMAP_DEBUG"))
    state.db = db
    state.label = actor or os.environ.get("PEERMAP_ACTOR") or None
    state.role = role or os.environ.get("PEERMAP_ROLE") or None
    state._store = None
    state._actor = None


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print an error to stderr and return the Exit to raise."""
    typer.echo(f"peermap: {message}", err=True)
    return typer.Exit(code)


def parse_as_at(value: str | None, option: str = "--as-at") -> date | None:
    """A YYYY-MM-DD option value as a date (None stays None); a clear error otherwise."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"{option}: {value!r} is not a date (use YYYY-MM-DD)") from None


def echo_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, ensure_ascii=False))


def progress_bar() -> Progress:
    """A progress bar on stderr that disappears when done (stdout stays clean for --json)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(file=safe_output.raw_stderr()),
        transient=True,
    )


def _register_commands() -> None:
    from . import (
        admin_cmd,
        audit_cmd,
        breach_cmd,
        data_cmd,
        demo_cmd,
        erase_cmd,
        explain_cmd,
        export_cmd,
        identity_cmd,
        interventions_cmd,
        map_cmd,
        report_cmd,
        retention_cmd,
        tui_cmd,
    )

    for module in (
        admin_cmd,
        data_cmd,
        demo_cmd,
        explain_cmd,
        map_cmd,
        interventions_cmd,
        report_cmd,
        export_cmd,
        audit_cmd,
        identity_cmd,
        erase_cmd,
        retention_cmd,
        breach_cmd,
        tui_cmd,
    ):
        module.register(app)


_register_commands()


def _url() -> str | None:
    try:
        return resolve_url(state.db)
    except Exception:
        return None


def main() -> None:
    safe_output.guard(
        app,
        debug=lambda: state.debug or bool(os.environ.get("PEERMAP_DEBUG")),
        url=_url,
        release=lambda: state._store.dispose() if state._store is not None else None,
    )
