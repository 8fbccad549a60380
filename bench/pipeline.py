"""Every stage of `peermap map --json` on a city, timed; one JSON line out (not a test).

Builds the demo borough at `--people N` into a SQLite file (or reuses it: cached by N and seed under
--cache-dir, default ~/.cache/peermap-bench), or uses --db (e.g. a PostgreSQL URL already built with
`peermap demo --people N`). Then, in this process:

* fetch_s      a plain `SELECT * FROM evidence` through the driver (the yardstick for `ratio`);
* load_s       the snapshot (engine.snapshot.load_snapshot, cold: nothing cached);
* score_s      the evidence rule pack in force and score_links;
* include_s    inclusion under the policy in force, the shown links (build_map without groups);
* groups_s     find_groups;  interventions_s  suggest();  labelling_s  run_checks();
* json_s       map_json and json.dumps (what `map --json` prints);
* total_s      the sum;  ratio = total_s / fetch_s;  peak_rss_mb (this process, maxrss);
* repeat_map_s compute_map again on the unchanged database (the snapshot is cached);
* cli_map_json_s  `python -m peermap map --json` in a fresh interpreter (wall, and its CPU in cli_cpu_s).
Each timed stage also gives its CPU seconds (`cpu`), and the load average is reported: on a shared machine
the wall times are noisy; compare ratios and CPU seconds. `--profile FILE` writes a cProfile (CPU time) of
the stages. Usage: python bench/pipeline.py --people 10000 [--seed 7] [--db URL] [--profile out.prof]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NOW = "2026-11-28T12:00:00+00:00"
os.environ.setdefault("PEERMAP_NOW", NOW)

from peermap.engine.access import Actor, Role  # noqa: E402
from peermap.engine.store import Store  # noqa: E402


def city_db(people: int, seed: int, cache: Path) -> tuple[str, float | None]:
    """The cached city's SQLite URL, building it (as `peermap demo` does) when it is not there yet."""
    path = cache / f"city-{people}-seed{seed}.db"
    if path.exists():
        return f"sqlite:///{path}", None
    cache.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".building")
    partial.unlink(missing_ok=True)
    from peermap.engine.demo import build_demo

    t = time.perf_counter()
    store = Store.open(f"sqlite:///{partial}")
    build_demo(store, Actor("bench", Role.PANEL), seed=seed, people=people)
    store.dispose()
    partial.rename(path)  # only a complete build is ever reused
    return f"sqlite:///{path}", round(time.perf_counter() - t, 2)


def plain_fetch(store: Store) -> float:
    t = time.perf_counter()
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT * FROM evidence").fetchall()
    elapsed = time.perf_counter() - t
    del rows
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--db", help="use this database (already built) instead of the cached SQLite city")
    ap.add_argument("--cache-dir", type=Path, default=Path.home() / ".cache" / "peermap-bench")
    ap.add_argument("--profile", type=Path, help="write a cProfile of the timed stages (CPU time) here")
    ap.add_argument("--no-cli", action="store_true", help="skip the fresh-interpreter `map --json` run")
    args = ap.parse_args()

    built_s = None
    url = args.db
    if url is None:
        url, built_s = city_db(args.people, args.seed, args.cache_dir)
    store = Store.open(url, create=False)

    from peermap.engine import clock
    from peermap.engine.groups import find_groups
    from peermap.engine.interventions import suggest
    from peermap.engine.labelling import run_checks
    from peermap.engine.mapping import build_map, compute_map, map_json
    from peermap.engine.policy import policy_in_force
    from peermap.engine.rules.in_force import pack_in_force
    from peermap.engine.rules.scoring import score_links
    from peermap.engine.snapshot import load_snapshot

    as_at = clock.today()
    fetch_s = min(plain_fetch(store) for _ in range(2))
    stages: dict[str, dict[str, float]] = {}
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    box: dict[str, Any] = {}

    def stage(name: str, fn: Callable[[], Any]) -> Any:
        t, c = time.perf_counter(), time.process_time()
        if profiler is not None:
            profiler.enable()
        value = fn()
        if profiler is not None:
            profiler.disable()
        stages[name] = {"s": round(time.perf_counter() - t, 3), "cpu": round(time.process_time() - c, 3)}
        return value

    snapshot = stage("load", lambda: load_snapshot(store, as_at))

    def score() -> Any:
        pack = pack_in_force(store, as_at)
        box["pack"] = pack
        return score_links(snapshot.evidence, snapshot.nodes, pack, as_at)

    links = stage("score", score)

    def include() -> Any:
        policy = policy_in_force(store, clock.end_of_day(as_at))
        result = build_map(snapshot, links, policy, box["pack"].version, with_groups=False)
        result.derived["rule_pack"] = box["pack"]
        return result

    result = stage("include", include)
    result.groups = stage("groups", lambda: find_groups(result))
    stage("interventions", lambda: suggest(result))
    stage("labelling", lambda: run_checks(result, store))
    text = stage("json", lambda: json.dumps(map_json(result), indent=2, ensure_ascii=False))
    total = sum(v["s"] for v in stages.values())
    total_cpu = sum(v["cpu"] for v in stages.values())
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = time.perf_counter()
    again = compute_map(store, as_at)
    repeat_s = time.perf_counter() - t
    assert [g.members for g in again.groups] == [g.members for g in result.groups]
    if profiler is not None:
        profiler.dump_stats(str(args.profile))

    out: dict[str, Any] = {
        "bench": "pipeline",
        "db": store.engine.dialect.name,
        "people": len(snapshot.people),
        "evidence": len(snapshot.evidence),
        "shown": len(result.shown_people()),
        "groups": len(result.groups),
        "json_bytes": len(text),
        "fetch_s": round(fetch_s, 3),
        "stages": stages,
        "total_s": round(total, 3),
        "total_cpu_s": round(total_cpu, 3),
        "ratio": round(total / fetch_s, 2),
        "peak_rss_mb": round(peak_mb, 1),
        "repeat_map_s": round(repeat_s, 3),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
    }
    if built_s is not None:
        out["built_s"] = built_s
    store.dispose()
    if not args.no_cli:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "peermap", "--db", url, "map", "--json"],
            check=True,
            stdout=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        out["cli_map_json_s"] = round(time.perf_counter() - t, 3)
        out["cli_cpu_s"] = round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 3)
        out["cli_peak_rss_mb"] = round(after.ru_maxrss / 1024, 1)
        out["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
