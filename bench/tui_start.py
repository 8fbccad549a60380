"""Time to the TUI's first screen, on the demo borough and a 5,000-person partnership; one JSON line out.

Each measurement runs in a fresh interpreter (cold imports), headless at 120x40:
* import_s       importing the app (Textual, the engine core);
* first_paint_s  process start to the overview on screen (counts still loading);
* first_data_s   process start to the overview showing the computed map (scored, grouped, suggestions ready).
Building the databases is not timed. Usage: python bench/tui_start.py [--people 5000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NOW = "2026-11-28T09:00:00+00:00"


def measure(db: Path) -> dict[str, float]:
    """Run in a child interpreter: start the app headless on `db` and time the first paint and first data."""
    t0 = time.perf_counter()
    import asyncio

    from peermap.engine.access import Actor, Role
    from peermap.engine.store import Store
    from peermap.tui.app import PeermapApp

    t_import = time.perf_counter() - t0
    out: dict[str, float] = {"import_s": round(t_import, 3)}

    async def run() -> None:
        app = PeermapApp(Store.open(str(db), create=False), Actor("bench", Role.PANEL))
        async with app.run_test(size=(120, 40)) as pilot:
            out["first_paint_s"] = round(time.perf_counter() - t0, 3)
            while app.loaded is None and not app.load_error:
                await asyncio.sleep(0.01)
            await pilot.pause()
            out["first_data_s"] = round(time.perf_counter() - t0, 3)
            if app.loaded is not None:
                out["shown"] = len(app.loaded.shown)
                out["groups"] = len(app.loaded.result.groups)

    asyncio.run(run())
    return out


def build(db: Path, people: int) -> float:
    from peermap.engine.access import Actor, Role
    from peermap.engine.demo import build_demo
    from peermap.engine.store import Store

    t = time.perf_counter()
    store = Store.open(str(db))
    build_demo(store, Actor("bench", Role.PANEL), seed=7, people=people)
    store.dispose()
    return round(time.perf_counter() - t, 1)


def child(db: Path) -> dict[str, float]:
    env = {**os.environ, "PEERMAP_NOW": os.environ.get("PEERMAP_NOW", NOW)}
    done = subprocess.run(
        [sys.executable, __file__, "--measure", str(db)], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--keep", type=Path, help="keep the databases in this folder (reused if present)")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    os.environ.setdefault("PEERMAP_NOW", NOW)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="peermap-tui-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    line: dict[str, object] = {"bench": "tui_start", "terminal": "120x40 headless", "now": os.environ["PEERMAP_NOW"]}
    for label, people in (("demo", 150), (f"partnership_{args.people}", args.people)):
        db = folder / f"{label}.db"
        built = None if db.exists() else build(db, people)
        line[label] = {"people": people, "build_s": built, **child(db)}
    print(json.dumps(line))


if __name__ == "__main__":
    main()
