"""Commands: `import` (agency data, all or nothing), `summary` (what is stored), `schema` (the format)."""

from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import typer

from peermap.engine import (
    ImportRejected,
    PeermapError,
    Store,
    check_unaudited_output,
    import_path,
    json_schema,
    summary,
    visible,
    write_atomic,
)

from . import fail, progress_bar, state


def _progress_bar() -> tuple[Any, Any]:
    """A rich progress bar on stderr and the callback that drives it."""
    bar = progress_bar()
    tasks: dict[str, Any] = {}

    def update(done: int, total: int, stage: str) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=total)
        bar.update(tasks[stage], completed=done, total=total)

    return bar, update


def _sqlite_file_to_create() -> Path | None:
    """The SQLite file this command is about to create, or None (it exists already, or it is a server)."""
    url = state.url
    if not url.startswith("sqlite:///") or url.endswith(":memory:"):
        return None
    path = Path(url.removeprefix("sqlite:///"))
    return None if path.exists() else path


def _remove_new_database(store: Store, path: Path) -> None:
    """A rejected first import leaves no empty database behind: the folder looks as it did before."""
    store.dispose()
    state._store = None
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _import(
    path: Path = typer.Argument(..., help="A folder of <table>.csv files, one <table>.csv, a .json or an .xlsx file."),
    quarantine_outside_agreement: bool = typer.Option(
        False,
        "--quarantine-outside-agreement",
        help="Accept evidence recorded outside its sharing agreement's dates, with a warning; scoring leaves it out.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the import report as JSON."),
) -> None:
    """Import agency data. Everything is checked first; any problem rejects the whole import."""
    new_file = _sqlite_file_to_create()
    store = state.store()
    actor = state.actor
    bar, update = _progress_bar() if sys.stderr.isatty() else (nullcontext(), None)
    imported = False
    try:
        with bar:
            report = import_path(
                store, path, actor, quarantine_outside_agreement=quarantine_outside_agreement, progress=update
            )
        imported = True
    except ImportRejected as exc:
        if as_json:
            problems = [{"file": p.file, "row": p.row, "field": p.field, "reason": p.reason} for p in exc.problems]
            typer.echo(
                json.dumps({"rejected": True, "problems": problems, "more": exc.truncated}, indent=2),
                err=True,
            )
        else:
            typer.echo(f"peermap: {exc}", err=True)
        raise typer.Exit(1) from None
    except PeermapError as exc:  # a busy or faulty database: one sentence, exit 2
        raise fail(str(exc)) from None
    finally:
        if not imported and new_file is not None:
            _remove_new_database(store, new_file)
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=2))
    else:
        typer.echo(report.text())


def _summary(as_json: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """What the database holds: rows per table, agencies, evidence dates, imports."""
    info = summary(state.store(create=False))
    if as_json:
        typer.echo(json.dumps(info, indent=2))
        return
    typer.echo("rows: " + ", ".join(f"{n} {t}" for t, n in info["tables"].items()))
    dates = info["evidence_dates"]
    if dates["observed_from"]:
        typer.echo(
            f"evidence observed {dates['observed_from']} to {dates['observed_to']}, "
            f"recorded {dates['recorded_from']} to {dates['recorded_to']}"
        )
    typer.echo(f"agencies ({len(info['agencies'])}):")
    for a in info["agencies"]:
        typer.echo(f"  {a['agency_id']}: {visible(a['name'])} ({a['kind']}), {a['evidence']} evidence")
    typer.echo(f"imports ({len(info['imports'])}):")
    for b in info["imports"]:
        rows = ", ".join(f"{n} {t}" for t, n in b["counts"].items())
        who, source = visible(b["actor"]), visible(b["source"])
        typer.echo(f"  {b['import_id']}: {b['imported_at']} by {who} ({b['role']}) from {source}: {rows}")
    access = info["access"]
    typer.echo(
        f"restricted items: {access['restricted_items']} (note and source reference readable by their agency only)"
    )
    typer.echo(f"access: {access['role_separation']}")


def _schema(
    out: Path | None = typer.Option(None, "--out", help="Write to this file instead of stdout."),
    force: bool = typer.Option(False, "--force", help="Replace an existing file (never the database)."),
) -> None:
    """Print (or write) the interchange format's JSON Schema (it holds no data, so it is not audited)."""
    text = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
    if out is None:
        typer.echo(text, nl=False)
        return
    try:
        target = check_unaudited_output(state.url, out, force=force)
        write_atomic(target, text)
    except PeermapError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"cannot write {out}: {exc.strerror or exc}") from None
    typer.echo(f"wrote {out}", err=True)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("import")(_import)
    app.command("summary")(_summary)
    app.command("schema")(_schema)
