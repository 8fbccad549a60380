"""Benchmark: the audit report for about 1,000 mapped young people (HTML, Markdown and JSON).

Builds a demo borough of `--people` young people (2,200 gives about 1,000 mapped: included or greyed) into a
temporary SQLite file, computes the map once, then times building the audit report's data and rendering
each format (the map picture included in HTML). Prints one JSON line; the goal is render_seconds < 3.
render_cpu_seconds is the same work in CPU time, which a busy shared machine does not inflate.

    .venv/bin/python bench/report.py [--people 2200] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

GOAL_SECONDS = 3.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=2200, help="young people in the generated borough")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)

    from peermap.engine.access import Actor, Role
    from peermap.engine.demo import build_demo
    from peermap.engine.mapping import compute_map
    from peermap.engine.store import Store
    from peermap.reports import render
    from peermap.reports.audit_report import audit_context

    actor = Actor("bench.auditor", Role.AUDITOR)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(f"sqlite:///{Path(tmp) / 'bench.db'}")
        t0 = time.perf_counter()
        build_demo(store, actor, seed=args.seed, people=args.people)
        t1 = time.perf_counter()
        result = compute_map(store)
        t2, c2 = time.perf_counter(), time.process_time()
        context = audit_context(result, store, actor, recipient="benchmark")
        t3, c3 = time.perf_counter(), time.process_time()
        sizes: dict[str, int] = {}
        timings: dict[str, float] = {}
        cpu: dict[str, float] = {}
        for fmt in ("html", "md", "json"):
            s, c = time.perf_counter(), time.process_time()
            sizes[fmt] = len(render("audit", fmt, context, result).encode("utf-8"))
            timings[fmt] = round(time.perf_counter() - s, 3)
            cpu[fmt] = round(time.process_time() - c, 3)
        store.dispose()
    render_seconds = round((t3 - t2) + timings["html"], 3)
    render_cpu_seconds = round((c3 - c2) + cpu["html"], 3)
    line = {
        "bench": "report.audit",
        "people": args.people,
        "mapped": len(result.shown_people()),
        "links_shown": len(result.shown_links),
        "evidence": len(result.snapshot.evidence),
        "build_seconds": round(t1 - t0, 3),
        "map_seconds": round(t2 - t1, 3),
        "context_seconds": round(t3 - t2, 3),
        "format_seconds": timings,
        "bytes": sizes,
        "render_seconds": render_seconds,
        "render_cpu_seconds": render_cpu_seconds,
        "goal_seconds": GOAL_SECONDS,
        "ratio_to_goal": round(render_seconds / GOAL_SECONDS, 3),
    }
    print(json.dumps(line))
    return 0


if __name__ == "__main__":
    sys.exit(main())
