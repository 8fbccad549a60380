"""Command: `peermap demo`, build the fictional demo borough into the database and open the terminal UI."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from sqlalchemy import func, inspect
from sqlmodel import Session, SQLModel, select

from peermap.engine.demo import DemoBorough, build_demo
from peermap.engine.errors import SchemaVersionError
from peermap.engine.models import DATA_TABLES, AuditEvent, ImportBatch
from peermap.engine.store import Store

from . import fail, progress_bar, state

ProgressFn = Callable[[int, int, str], None]


def _has_data(store: Store) -> bool:
    models: tuple[type[SQLModel], ...] = (*DATA_TABLES, ImportBatch, AuditEvent)
    with Session(store.engine) as s:
        for model in models:
            if s.exec(select(func.count()).select_from(model)).one():
                return True
    return False


def _is_peermap_file(url: str) -> bool:
    """True when the database has peermap's meta table (any schema version): safe to wipe with --force."""
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        return "meta" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def _wipe(store: Store | None, url: str) -> None:
    """Delete a SQLite file, or drop peermap's tables on a server database."""
    if store is not None:
        store.dispose()
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(path + suffix).unlink(missing_ok=True)
        return
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        SQLModel.metadata.drop_all(engine)
    finally:
        engine.dispose()


def _open_for_demo(force: bool) -> Store:
    """The store to build into: refuse a database holding anything unless --force, which empties it first."""
    url = state.url
    try:
        store: Store | None = state.store()
    except SchemaVersionError as exc:
        if not (force and _is_peermap_file(url)):
            raise fail(f"{exc}. Use another --db for the demo.") from None
        store = None
    if store is not None and not _has_data(store):
        return store
    if store is not None and not force:
        seed = store.get_meta("demo")
        if seed is not None:
            raise fail(
                f"{store.url} already holds the demo borough (seed {seed}). "
                "Rebuilding it deletes everything in it, including decisions and the audit trail: "
                "run `peermap demo --force` to do that, or open it with `peermap tui`."
            )
        raise fail(
            f"{store.url} holds data that is not the demo borough; refusing to build the demo into it. "
            "Use another --db (e.g. --db demo.db), or --force to DELETE everything in it first."
        )
    _wipe(store, url)
    state._store = None
    return state.store()


@contextmanager
def _progress() -> Iterator[ProgressFn | None]:
    """A rich progress bar on stderr while the months are imported (nothing when stderr is not a terminal)."""
    if not sys.stderr.isatty():
        yield None
        return
    bar = progress_bar()
    task = bar.add_task("building the demo borough", total=None)

    def update(done: int, total: int, stage: str) -> None:
        bar.update(task, completed=done, total=total, description=f"demo borough: {stage}")

    with bar:
        yield update


def _summary(borough: DemoBorough, db: str) -> str:
    counts = borough.counts()
    cases = borough.cases
    lines = [
        f"Built the demo borough of Northbridge (seed {borough.seed}, 18 months to {borough.today})",
        f"in {db}:",
        f"  {counts['people']} young-person records, {counts['locations']} places, "
        f"{counts['incidents']} incidents, {counts['evidence']} evidence items,",
        f"  {counts['strengths']} strengths and {counts['concerns']} concerns "
        f"from {counts['agencies']} agencies under {counts['agreements']} sharing agreements,",
        f"  {len(borough.groups)} peer groups, imported as {len(borough.batches)} monthly batches.",
        "Planted for you to find:",
        f"  {len(cases['bystander_tip'])} bystanders named once in an anonymous tip; "
        f"{len(cases['uninvolved_sibling'])} siblings with no involvement;",
        "  a young person harmed by another in the same group;",
        f"  {len(cases['same_person_records'])} children recorded twice by different agencies; "
        f"{len(cases['similar_different_people'])} look-alike pairs;",
        f"  {len(cases['outside_agreement'])} items shared outside any agreement (quarantined); "
        f"{len(cases['victim_blaming_notes'])} notes in victim-blaming language.",
        "Everything in it is fictional; see docs/demo-borough.md.",
    ]
    return "\n".join(lines)


def demo(
    seed: int = typer.Option(7, "--seed", help="Random seed: the same seed builds the same borough."),
    people: int = typer.Option(150, "--people", min=60, help="How many young people (150 is a borough)."),
    no_tui: bool = typer.Option(False, "--no-tui", help="Build only; do not open the terminal UI."),
    force: bool = typer.Option(
        False, "--force", help="Delete everything in the database first (needed to rebuild a demo database)."
    ),
) -> None:
    """Build the fictional demo borough (Northbridge) into the database, then open the terminal UI."""
    store = _open_for_demo(force)
    actor = state.actor
    with _progress() as update:
        borough = build_demo(store, actor, seed=seed, people=people, progress=update)
    typer.echo(_summary(borough, store.url))
    if no_tui:
        return
    try:
        from peermap.tui.app import run_app  # imported here so other commands never load Textual
    except ImportError:
        typer.echo(f"The terminal UI is not available yet; the demo borough is in {store.url}. Try `peermap summary`.")
        raise typer.Exit(0) from None
    run_app(store, actor)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("demo")(demo)
