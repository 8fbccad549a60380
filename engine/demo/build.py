"""build_demo(): import the demo borough into a store, month by month, as a partnership would have."""

from __future__ import annotations

from collections.abc import Callable

from .. import audit, clock
from ..access import Actor
from ..errors import PeermapError
from ..ingest import import_tables
from ..store import Store, set_meta
from .borough import DemoBorough, generate

Progress = Callable[[int, int, str], None]


def build_demo(
    store: Store,
    actor: Actor,
    *,
    seed: int = 7,
    people: int = 150,
    progress: Progress | None = None,
) -> DemoBorough:
    """Generate the borough and import every monthly batch at its own date; mark the database as a demo.

    Items a voluntary agency shared while its agreement had lapsed are imported in quarantine (kept, not
    scored), as a partnership would have to.
    """
    borough = generate(seed=seed, people=people, today=clock.today())
    total = sum(sum(len(rows) for rows in tables.values()) for _, tables in borough.batches)
    done = 0
    if progress is not None:
        progress(0, total, "generate")
    for k, (imported_at, tables) in enumerate(borough.batches, 1):
        if not tables:
            continue
        label = imported_at.strftime("%Y-%m")
        try:
            import_tables(
                store,
                tables,
                actor,
                source=f"demo-borough seed {seed} month {k:02d} ({label})",
                imported_at=imported_at,
                quarantine_outside_agreement=True,
            )
        except PeermapError as exc:
            raise PeermapError(f"the demo borough's month {k} ({label}) did not import: {exc}") from exc
        done += sum(len(rows) for rows in tables.values())
        if progress is not None:
            progress(done, total, f"month {k} of {len(borough.batches)}")
    with store.transaction() as s:
        set_meta(s, "demo", str(seed))
        audit.record(
            s,
            actor,
            "demo.build",
            {"seed": seed, "people": people, "today": borough.today.isoformat(), "counts": borough.counts()},
        )
    return borough
