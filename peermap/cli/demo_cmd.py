"""Command: `peermap demo`, build the fictional demo borough into the database and open the terminal UI."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from sqlalchemy import create_engine, func
from sqlmodel import Session, SQLModel, select

from peermap.engine import DATA_TABLES, AuditEvent, DemoBorough, ImportBatch, SchemaVersionError, Store, build_demo

from . import fail, progress_bar, state

ProgressFn = Callable[[int, int, str], None]


DEMO_DB = "demo.db"
DEMO_SOURCE_PREFIX = "demo-borough seed "


def _held(store: Store) -> dict[str, int]:
    """How many rows each table that a person's work lives in holds (zero counts left out)."""
    models: tuple[type[SQLModel], ...] = (*DATA_TABLES, ImportBatch, AuditEvent)
    counts: dict[str, int] = {}
    with Session(store.engine) as s:
        for model in models:
            n = s.exec(select(func.count()).select_from(model)).one()
            if n:
                counts[str(model.__tablename__)] = int(n)
    return counts


def _foreign_imports(store: Store) -> list[str]:
    """Sources of imports the demo generator did not make: a person's own data, never to be deleted."""
    with Session(store.engine) as s:
        sources = s.exec(select(ImportBatch.source)).all()
    return sorted({src for src in sources if not src.startswith(DEMO_SOURCE_PREFIX)})


def _refuse_foreign(url: str, what: str) -> typer.Exit:
    return fail(
        f"{url} {what}. The demo never deletes or writes into a database it did not build itself, "
        f"even with --force. Build the demo into its own file: peermap --db {DEMO_DB} demo"
    )


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
    engine = create_engine(url)
    try:
        SQLModel.metadata.drop_all(engine)
    finally:
        engine.dispose()


def _open_for_demo(force: bool) -> Store:
    """The store to build into: a new or empty database, or (with --force) a demo database it built itself.

    A database holding anything the demo did not build (an import from a partnership's files, another
    program's tables, another schema version) is refused even with --force: a default command must never
    lose a person's data (decision 0006).
    """
    url = state.url
    try:
        store = state.store()
    except SchemaVersionError as exc:
        raise _refuse_foreign(url, f"is not a database the demo can use ({exc})") from None
    if not _held(store):
        return store
    seed = store.get_meta("demo")
    foreign = _foreign_imports(store)
    if seed is None or foreign:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        what = f"holds imports from {shown}" if foreign else "holds data that is not the demo borough"
        raise _refuse_foreign(url, what)
    if not force:
        raise fail(
            f"{store.url} already holds the demo borough (seed {seed}). Rebuilding it deletes everything done in "
            "it since (decisions, policy changes, the audit trail): run `peermap demo --force` to do that, or open "
            "it with `peermap tui`."
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
        False, "--force", help="Rebuild a demo database, deleting what was done in it (never any other database)."
    ),
) -> None:
    """Build the fictional demo borough (Northbridge) into its own database (demo.db), then open the terminal UI."""
    if state.db is None and not os.environ.get("PEERMAP_DB"):
        state.db = DEMO_DB  # never the default ./peermap.db that `peermap import` writes to
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
